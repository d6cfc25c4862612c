"""Materialised control in the real Neo4j: written as a diff, current after every change."""

from __future__ import annotations

from datetime import date

from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.materialise import materialise_control
from ownergraph.queries.repository import Repository

DAY = date(2025, 6, 30)


def chain() -> Dataset:
    return Dataset(
        entities=[Entity(i, i.upper(), "person" if i == "p" else "company") for i in ("p", "h", "t", "q")],
        stakes=[
            Stake("p", "h", Share(exact=0.8)),
            Stake("h", "t", Share(exact=0.6)),
            Stake("q", "t", Share(exact=0.4)),
        ],
    )


def ultimate(repo: Repository, target: str) -> list[tuple[str, bool]]:
    records, _, _ = repo.driver.execute_query(
        "MATCH (:Entity {id: $id})-[r:ULTIMATELY_CONTROLLED_BY]->(c) RETURN c.id AS id, r.definite AS definite "
        "ORDER BY id",
        id=target,
    )
    return [(r["id"], r["definite"]) for r in records]


def test_materialise_writes_control_then_nothing_when_nothing_changed(repo: Repository) -> None:
    repo.write_dataset(chain(), load={"id": "m", "format": "test", "path": "-"})
    first = materialise_control(repo, as_of=DAY).counts()
    assert first == {"created": 5, "deleted": 0, "statuses": 2}  # t: UC p, CB h, CB p; h: UC p, CB p
    assert ultimate(repo, "t") == [("p", True)]
    assert repo.control_statuses() == {"h": "controlled", "t": "controlled"}
    before = repo.fingerprint()
    assert materialise_control(repo, as_of=DAY).counts() == {"created": 0, "deleted": 0, "statuses": 0}
    assert repo.fingerprint() == before


def test_materialise_follows_a_change_of_control(repo: Repository) -> None:
    repo.write_dataset(chain(), load={"id": "m", "format": "test", "path": "-"})
    materialise_control(repo, as_of=DAY)
    # h sells down to 30% and q buys up to 70%: q now controls t, p no longer does
    changed = Dataset(
        entities=chain().entities,
        stakes=[Stake("h", "t", Share(exact=0.3)), Stake("q", "t", Share(exact=0.7))],
    )
    repo.write_dataset(changed, load={"id": "m2", "format": "test", "path": "-"})
    diff = materialise_control(repo, as_of=DAY).counts()
    assert diff == {"created": 2, "deleted": 3, "statuses": 0}  # t: UC q, CB q in; UC p, CB h, CB p out
    assert ultimate(repo, "t") == [("q", True)]
    records, _, _ = repo.driver.execute_query("MATCH (run:ControlRun {ruleset: 'majority'}) RETURN run.as_of AS d")
    assert records[0]["d"].to_native() == DAY
