"""The bulk import path gives the same graph as the transactional loader.

Runs on a throwaway local instance of its own (``bulktest``): the importer
replaces the store, so it must never see the shared test server's data. The
transactional side is written to the usual test server (the ``repo``
fixture), and reads of both are compared.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from typer.testing import CliRunner

from bench.generate import generate
from ownergraph.bulk_import import BulkImportError, bulk_import
from ownergraph.cli import app
from ownergraph.graph.model import Control, Dataset, Entity, Share, Stake
from ownergraph.loaders.errors import LoadRejected
from ownergraph.localneo4j import server as local_server
from ownergraph.localneo4j.server import Instance
from ownergraph.materialise import Cause, materialise_control
from ownergraph.pipeline import bulk_load, default_source, load, parse
from ownergraph.queries.repository import Repository
from ownergraph.stored_answers import fill_answers

# One per parallel test instance (OWNERGRAPH_TEST_INSTANCE=N), as the test servers are: ports +N*100.
_N = int(os.environ.get("OWNERGRAPH_TEST_INSTANCE", "0"))
BULKTEST = Instance(f"bulktest{_N or ''}", bolt_port=28687 + 100 * _N, http_port=28474 + 100 * _N, heap="1g",
                    pagecache="256m")
LOAD = {"id": "registry-csv:bulktest", "format": "registry-csv", "path": "/tmp/bulktest"}
DAY = date(2025, 6, 30)
DEMO_DATA = Path(__file__).resolve().parents[2] / "demo" / "data"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("bulk")
    generate(folder, 1_000, seed=3)  # below ~600 the generator cannot fit its 21-31 deep chain
    data = parse("registry-csv", folder)
    # Values that CSV quoting, arrays and types could get wrong.
    odd = Entity(
        "odd-1",
        'Quote "Co", Ltd.\nsecond line',
        "company",
        aliases=("A;B", "C|D"),
        founded=date(2001, 2, 3),
        registered_capital=1234.5,
        extra=(("note", "x,y"),),
    )
    data.entities.append(odd)
    owner = data.entities[0].id
    data.stakes.append(
        Stake(owner, "odd-1", Share(minimum=0.25, maximum=0.5, raw="25-50%"), voting_share=Share(exact=0.6),
              subscribed_capital=10.0, start=date(2010, 1, 1), end=date(2020, 1, 1), source="s", detail='d"1',
              flags=("direct_or_indirect_unknown",))
    )
    data.controls.append(Control(owner, "odd-1", "agreement", start=date(2011, 1, 1)))
    return data


@pytest.fixture(scope="module")
def imported(dataset: Dataset) -> Iterator[Repository]:
    local_server.delete_store(BULKTEST)
    counts = bulk_import(BULKTEST, dataset, load=LOAD, control_as_of=DAY)
    assert counts["entities"] == len(dataset.entities)
    assert counts["stakes"] == len(dataset.stakes)
    driver = GraphDatabase.driver(BULKTEST.bolt_uri, auth=("neo4j", BULKTEST.password()))
    try:
        yield Repository(driver)
    finally:
        driver.close()
        local_server.stop(BULKTEST)  # a throwaway server: free its memory for the rest of the suite


def _sorted(data: Dataset) -> tuple[list[Entity], list[Stake], list[Control]]:
    return (
        sorted(data.entities, key=lambda e: e.id),
        sorted(data.stakes, key=lambda s: s.key),
        sorted(data.controls, key=lambda c: c.key),
    )


def test_bulk_import_reads_like_write_dataset(imported: Repository, repo: Repository, dataset: Dataset) -> None:
    repo.write_dataset(dataset, load=LOAD)
    materialise_control(repo, as_of=DAY, cause=Cause("load", LOAD["id"]))
    # the bulk import writes no source records (docs/resolution.md): each entity is its own one record
    bookkeeping = {"SourceRecord", "RECORD_OF", "Identifier", "IDENTIFIED_BY"}
    assert _without(imported.counts(), bookkeeping) == _without(repo.counts(), bookkeeping)
    rnd = random.Random(5)
    companies = [e.id for e in dataset.entities if e.kind in ("company", "partnership")]
    for target in ["odd-1", *rnd.sample(companies, 8)]:
        assert _sorted(imported.upstream(target)) == _sorted(repo.upstream(target)), target
    assert imported.entity("odd-1") == dataset.entities[-1]


def _without(counts: dict[str, int], names: set[str]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k not in names}


def _control_run(repo: Repository) -> list[tuple[str, date]]:
    records = repo.driver.execute_query("MATCH (r:ControlRun) RETURN r.ruleset AS ruleset, r.as_of AS as_of, "
                                        "r.computed_at IS NOT NULL AS stamped, keys(r) AS keys").records
    return [(r["ruleset"], r["as_of"].to_native(), r["stamped"], sorted(r["keys"])) for r in records]


def _stored_answers(repo: Repository) -> dict[str, tuple[int, str, str]]:
    records = repo.driver.execute_query("MATCH (a:StoredAnswer) RETURN a.entity_id AS id, a.gen AS gen, "
                                        "a.body AS body, a.flags AS flags").records
    return {r["id"]: (r["gen"], r["body"], r["flags"]) for r in records}


def _stored_chains(repo: Repository) -> dict[tuple[str, str], str | None]:
    records = repo.driver.execute_query("MATCH (y)-[r:CONTROLLED_BY]->(x) RETURN y.id AS y, x.id AS x, "
                                        "r.chain AS chain").records
    return {(r["y"], r["x"]): r["chain"] for r in records}


def test_bulk_import_materialises_control_like_the_diff_writer(
    imported: Repository, repo: Repository, dataset: Dataset
) -> None:
    repo.write_dataset(dataset, load=LOAD)
    materialise_control(repo, as_of=DAY, cause=Cause("load", LOAD["id"]))
    bulk_keys = set(imported.materialised_control("majority"))
    assert bulk_keys == set(repo.materialised_control("majority"))
    assert {k[0] for k in bulk_keys} == {"CONTROLLED_BY", "ULTIMATELY_CONTROLLED_BY"}
    assert any(not k[3] for k in bulk_keys)  # possible controllers (interval shares) kept apart
    assert imported.control_statuses() == repo.control_statuses()
    assert set(imported.control_statuses().values()) >= {"controlled", "no_controller"}
    expected_run = [("majority", DAY, True, ["answers_gen", "as_of", "computed_at", "ruleset"])]
    assert _control_run(imported) == _control_run(repo) == expected_run
    # The stored default answers: the same bytes as the whole pass and its refill store.
    assert _stored_answers(imported) == _stored_answers(repo)
    assert len(_stored_answers(imported)) == len(imported.control_statuses())
    chains = _stored_chains(imported)
    assert chains == _stored_chains(repo)
    assert all(chain is not None for chain in chains.values())
    # Nothing left for the diff writer to do: the import was already current.
    assert materialise_control(imported, as_of=DAY).counts() == {"created": 0, "deleted": 0, "statuses": 0}


def test_bulk_import_has_schema_and_load(imported: Repository) -> None:
    names = {r["name"] for r in imported.driver.execute_query("SHOW INDEXES YIELD name").records}
    assert {"entity_id", "entity_names", "owns_key"} <= names
    loads = imported.driver.execute_query("MATCH (l:Load) RETURN l.id AS id, l.counts AS counts").records
    assert [r["id"] for r in loads] == [LOAD["id"]]


def test_bulk_import_refuses_a_database_with_data(imported: Repository, dataset: Dataset) -> None:
    with pytest.raises(BulkImportError, match="empty database"):
        bulk_import(BULKTEST, dataset)


def test_bulk_import_refuses_a_server_that_is_not_local(tmp_path: Path) -> None:
    with pytest.raises(BulkImportError, match="local server"):
        bulk_import("bolt://db.example.org:7687", Dataset())  # type: ignore[arg-type]


def test_bulk_load_refuses_bad_input_before_touching_the_store(imported: Repository, tmp_path: Path) -> None:
    before = imported.fingerprint()
    (tmp_path / "entities.csv").write_text("id,name,kind\nx,X,company\n", encoding="utf-8")
    with pytest.raises(LoadRejected):  # ownership.csv is missing
        bulk_load(BULKTEST, "registry-csv", tmp_path)
    assert imported.fingerprint() == before


def test_cli_bulk_load_refuses_a_server_it_does_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example.org:7687")
    result = CliRunner().invoke(app, ["load", "registry-csv", str(DEMO_DATA), "--bulk"])
    assert result.exit_code == 2
    assert "NEO4J_URI" in result.output


# Last in this module: it replaces the store the tests above read.
def test_bulk_load_of_the_demo_answers_like_the_transactional_load(imported: Repository) -> None:
    local_server.delete_store(BULKTEST)
    result = bulk_load(BULKTEST, "registry-csv", DEMO_DATA)
    assert result.counts["entities"] > 20
    driver = GraphDatabase.driver(BULKTEST.bolt_uri, auth=("neo4j", BULKTEST.password()))
    try:
        repo = Repository(driver)
        loads = driver.execute_query("MATCH (l:Load) RETURN l.id AS id").records
        assert [r["id"] for r in loads] == [default_source("registry-csv", DEMO_DATA)]
        ultimate = driver.execute_query(
            "MATCH (:Entity {id: $id})-[r:ULTIMATELY_CONTROLLED_BY]->(c) RETURN c.id AS id, r.definite AS definite",
            id="ph-qh-dc-project-1",
        ).records
        assert [(r["id"], r["definite"]) for r in ultimate] == [("qh-borong-group", True)]
        # Loading the same source the transactional way afterwards changes nothing.
        before = repo.fingerprint()
        load(repo, "registry-csv", DEMO_DATA)
        assert repo.fingerprint() == before
    finally:
        driver.close()


# After the test above: it replaces the store again.
def test_streamed_bulk_load_writes_what_the_transactional_load_writes(
    imported: Repository, repo: Repository, tmp_path: Path
) -> None:
    """A registry read in parts of 97 rows: repeated stakes across parts, a name over two lines."""
    generate(tmp_path, 1_000, seed=4)
    with (tmp_path / "ownership.csv").open("a", encoding="utf-8") as fh:
        fh.write(_first_row(tmp_path / "ownership.csv") + "\n")  # the first stake again, in the last part
    with (tmp_path / "entities.csv").open("a", encoding="utf-8") as fh:
        fh.write('odd-2,"Two\nLines",company' + "," * (_width(tmp_path / "entities.csv") - 3) + "\n")
    local_server.delete_store(BULKTEST)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "entities.csv").write_text("id,name,kind\nx,X,company\n", encoding="utf-8")
    (bad / "ownership.csv").write_text("owner_id,owned_id,share\nx,y,60\n", encoding="utf-8")
    with pytest.raises(LoadRejected) as rejected:  # y is no entity: found once every row has been read
        bulk_load(BULKTEST, "registry-csv", bad, stored_answers=False)
    assert [(f.code, f.file, f.line) for f in rejected.value.errors] == [("unknown_entity", "ownership.csv", 2)]
    # nothing was imported: the bulk load below would refuse a store holding anything
    result = bulk_load(BULKTEST, "registry-csv", tmp_path, stored_answers=False, part_rows=97)
    data = parse("registry-csv", tmp_path)
    assert sorted(result.warnings, key=repr) == sorted(data.warnings, key=repr)
    assert "repeated_stake" in {f.code for f in result.warnings}
    assert "stored_answers" not in result.counts
    driver = GraphDatabase.driver(BULKTEST.bolt_uri, auth=("neo4j", BULKTEST.password()))
    try:
        streamed = Repository(driver)
        load(repo, "registry-csv", tmp_path)
        assert repo.entity("odd-2") is not None
        assert streamed.counts() == _without(repo.counts(), {"SourceRecord", "RECORD_OF", "StoredAnswer"})
        assert set(streamed.materialised_control("majority")) == set(repo.materialised_control("majority"))
        assert streamed.control_statuses() == repo.control_statuses()
        for target in ["odd-2", *random.Random(6).sample([s.owned_id for s in data.stakes], 8)]:
            assert _sorted(streamed.upstream(target)) == _sorted(repo.upstream(target)), target
        assert streamed.entity("odd-2") == repo.entity("odd-2")
        # With its stored answers filled (``ownergraph control answers``), the same source loaded the
        # transactional way over the streamed import changes nothing.
        assert fill_answers(streamed, ruleset="majority") == len(streamed.control_statuses())
        before = streamed.fingerprint()
        load(streamed, "registry-csv", tmp_path)
        assert streamed.fingerprint() == before
    finally:
        driver.close()
        local_server.stop(BULKTEST)


def _first_row(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[1]


def _width(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()[0].split(","))
