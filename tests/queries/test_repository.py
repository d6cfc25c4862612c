"""The repository against the real test Neo4j: schema, atomic writes, reads back."""

from __future__ import annotations

from datetime import date

import pytest

from ownergraph.graph.errors import DatabaseUnavailable
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Link, Share, Stake
from ownergraph.queries.cypher import CYPHER_DIR, all_files, statement
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings


def small_dataset() -> Dataset:
    return Dataset(
        entities=[
            Entity("t", "Target Co", "company", founded=date(2024, 12, 3), uscc="91350100M000100Y43"),
            Entity("h", "Holding 集团", "company", aliases=("Holding Group",)),
            Entity("p", "Zhang San", "person"),
            Entity("lp", "Fund LP", "partnership"),
        ],
        stakes=[
            Stake("h", "t", Share(exact=0.6), start=date(2024, 12, 3), source="extract-1"),
            Stake("p", "h", Share(minimum=0.25, maximum=0.5, raw="25-50%"), source="extract-2"),
            Stake("lp", "t", Share(), subscribed_capital=4_000_000.0),
        ],
        controls=[Control("p", "lp", "general_partner", source="extract-3")],
        concerts=[Concert("p", "h", scope_id="t")],
        links=[Link("h", "t", "supplier", detail="hardware")],
    )


def test_return_one_through_the_driver(repo: Repository) -> None:
    records, _, _ = repo.driver.execute_query("RETURN 1 AS x")
    assert records[0]["x"] == 1


def test_write_then_read_upstream_round_trips_records(repo: Repository) -> None:
    data = small_dataset()
    counts = repo.write_dataset(data, load={"id": "t1", "format": "test", "path": "-"}).counts
    assert counts["stakes"] == 3
    up = repo.upstream("t")
    assert {e.id for e in up.entities} == {"t", "h", "p", "lp"}
    assert sorted(up.stakes, key=lambda s: s.key) == sorted(data.stakes, key=lambda s: s.key)
    assert up.controls == data.controls
    assert up.concerts == data.concerts
    assert repo.entity("t") == data.entities[0]
    assert repo.entity("h") == data.entities[1]


def test_write_is_idempotent(repo: Repository) -> None:
    data = small_dataset()
    repo.write_dataset(data, load={"id": "t1", "format": "test", "path": "-"})
    before = (repo.counts(), repo.fingerprint())
    repo.write_dataset(data, load={"id": "t1", "format": "test", "path": "-"})
    assert (repo.counts(), repo.fingerprint()) == before


def test_failed_write_leaves_graph_unchanged(repo: Repository) -> None:
    repo.write_dataset(small_dataset(), load={"id": "t1", "format": "test", "path": "-"})
    before = repo.fingerprint()
    bad = Dataset(
        entities=[Entity("new", "New Co", "company")],
        # a map is not a storable property value: Neo4j fails mid-transaction
        stakes=[Stake("new", "t", Share(exact=0.1), detail={"x": 1})],  # type: ignore[arg-type]
    )
    with pytest.raises(Exception):  # noqa: B017,PT011 - any driver error; the point is what is left
        repo.write_dataset(bad, load={"id": "t2", "format": "test", "path": "-"})
    assert repo.fingerprint() == before
    assert repo.entity("new") is None


def test_downstream_includes_other_owners_of_holdings(repo: Repository) -> None:
    repo.write_dataset(small_dataset(), load={"id": "t1", "format": "test", "path": "-"})
    down = repo.downstream("p")
    assert {"h", "t", "lp"} <= down.entity_ids()
    assert any(s.owner_id == "lp" and s.owned_id == "t" for s in down.stakes)


def test_downstream_ids_follow_stakes_and_control_and_say_when_cut(repo: Repository) -> None:
    repo.write_dataset(small_dataset(), load={"id": "t1", "format": "test", "path": "-"})
    ids, findings = repo.downstream_ids(["p"])
    assert sorted(ids) == ["h", "lp", "p", "t"]  # lp through the GP control edge, t through two chains
    assert findings == []
    assert sorted(repo.downstream_ids(["h"])[0]) == ["h", "t"]  # a LINK is not a holding
    cut, findings = repo.downstream_ids(["p"], max_nodes=2)
    assert len(cut) == 2
    assert [f.code for f in findings] == ["closure_truncated"]


def test_search_finds_chinese_and_latin_names_and_identifiers(repo: Repository) -> None:
    repo.write_dataset(small_dataset(), load={"id": "t1", "format": "test", "path": "-"})
    repo.driver.execute_query("CALL db.awaitIndexes(60)")
    assert repo.search("集团")[0][0].id == "h"
    assert repo.search("Holding")[0][0].id == "h"
    assert repo.search("91350100M000100Y43")[0][0].id == "t"
    assert repo.search('x") OR 1=1 //') == []


def test_every_cypher_file_explains(repo: Repository) -> None:
    root = CYPHER_DIR
    explained = 0
    for path in all_files():
        name = path.relative_to(root).with_suffix("").as_posix()
        if name == "schema":
            continue
        repo.driver.execute_query("EXPLAIN " + statement(name))
        explained += 1
    assert explained >= 20


def test_unreachable_server_raises_database_unavailable() -> None:
    settings = Neo4jSettings(uri="bolt://127.0.0.1:1", password="x")  # type: ignore[arg-type]
    driver = connect(settings)
    try:
        with pytest.raises(DatabaseUnavailable):
            Repository(driver).ping()
    finally:
        driver.close()
