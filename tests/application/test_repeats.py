"""Repeated rows of one stake are kept as separate stakes, in the parsed data and in Neo4j."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.loaders.repeats import RepeatedStakes, SortedDigests, number_repeated_stakes
from ownergraph.pipeline import load, parse
from ownergraph.queries.repository import Repository

ENTITIES = "id,name,kind\np,P,person\nq,Q,person\nc,C Co,company\n"
# p subscribed twice (830,000 then 70,000): together 90% of c's capital, so p controls c.
OWNERSHIP = (
    "owner_id,owned_id,share,subscribed_capital,start,source\n"
    "p,c,,830000,2023-06-17,extract-1\n"
    "q,c,,100000,2023-06-17,extract-1\n"
    "p,c,,70000,2023-06-17,extract-1\n"
)


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "ownership.csv").write_text(OWNERSHIP, encoding="utf-8")
    return tmp_path


def test_further_rows_get_part_numbers_and_a_warning() -> None:
    data = Dataset(
        entities=[Entity("p", "P", "person"), Entity("c", "C", "company")],
        stakes=[Stake("p", "c", Share(exact=x)) for x in (0.2, 0.3, 0.1)],
    )
    findings = number_repeated_stakes(data, file="x.csv")
    assert [s.part for s in data.stakes] == [0, 2, 3]
    assert len({s.key for s in data.stakes}) == 3
    assert [(f.severity, f.code, f.entity_id) for f in findings] == [("warning", "repeated_stake", "c")]
    assert "3 rows" in findings[0].message


def test_distinct_stakes_are_left_alone() -> None:
    data = Dataset(stakes=[Stake("p", "c", Share(exact=0.2)), Stake("q", "c", Share(exact=0.3))])
    assert number_repeated_stakes(data) == []
    assert [s.part for s in data.stakes] == [0, 0]


def test_repeated_subscriptions_survive_the_load_and_add_up(repo: Repository, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    parsed = parse("registry-csv", folder)
    assert [f.code for f in parsed.warnings] == ["repeated_stake"]
    result = load(repo, "registry-csv", folder)
    assert result.counts["stakes"] == 3
    stored = repo.upstream("c")
    assert sorted((s.owner_id, s.subscribed_capital, s.part) for s in stored.stakes) == [
        ("p", 70000.0, 2), ("p", 830000.0, 0), ("q", 100000.0, 0)
    ]
    records = repo.driver.execute_query(
        "MATCH (:Entity {id: 'c'})-[:ULTIMATELY_CONTROLLED_BY]->(x) RETURN x.id AS id").records
    assert [r["id"] for r in records] == ["p"]
    # A reload of the same folder changes nothing.
    before = repo.fingerprint()
    load(repo, "registry-csv", folder)
    assert repo.fingerprint() == before


digests = st.binary(min_size=16, max_size=16) | st.tuples(
    st.integers(0, 3), st.binary(min_size=8, max_size=8)).map(lambda t: bytes([t[0]]) * 8 + t[1])  # shared halves


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(digests, max_size=12), max_size=6))
def test_sorted_digests_answer_as_a_set(batches: list[list[bytes]]) -> None:
    seen, plain = SortedDigests(), set[bytes]()
    for batch in batches:
        assert seen.contains(batch).tolist() == [d in plain for d in batch]
        new = list(dict.fromkeys(d for d in batch if d not in plain))
        seen.add(new)
        plain.update(new)
    assert sorted(seen.head.tolist()) == seen.head.tolist()
    assert sorted(zip(seen.head.tolist(), seen.tail.tolist(), strict=True)) == sorted(
        (int.from_bytes(d[:8], sys.byteorder), int.from_bytes(d[8:], sys.byteorder)) for d in plain)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("pqr"), st.sampled_from("ab")), max_size=20), st.integers(1, 5))
def test_numbering_in_parts_equals_the_whole(pairs: list[tuple[str, str]], part_rows: int) -> None:
    whole = Dataset(stakes=[Stake(owner, owned) for owner, owned in pairs])
    expected = number_repeated_stakes(whole, file="x.csv")
    repeats, numbered = RepeatedStakes(), []
    for at in range(0, len(pairs), part_rows):
        part = [Stake(owner, owned) for owner, owned in pairs[at : at + part_rows]]
        repeats.number(part)
        numbered += part
    assert [s.part for s in numbered] == [s.part for s in whole.stakes]
    assert sorted(f.message for f in repeats.findings(file="x.csv")) == sorted(f.message for f in expected)
