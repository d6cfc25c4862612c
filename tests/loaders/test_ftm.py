"""FollowTheMoney parser: synthetic OpenSanctions-shaped lines, located errors, fuzzing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Dataset, Share, inside
from ownergraph.loaders.ftm import parse_ftm

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ftm"


def _load(name: str = "ownership.jsonl") -> Dataset:
    return parse_ftm(FIXTURES / name)


def test_entity_kinds_and_identifiers() -> None:
    entities = {e.id: e for e in _load().entities}
    assert {i: e.kind for i, e in entities.items()} == {
        "co-alpha": "company",
        "co-beta": "company",
        "co-gamma": "company",
        "org-fund": "other",
        "le-trust": "other",
        "pb-state": "state_body",
        "p-smith": "person",
        "p-jones": "person",
    }
    alpha = entities["co-alpha"]
    assert (alpha.lei, alpha.jurisdiction, alpha.founded) == ("5493001KJTIIGC8Y1R12", "gb", date(2001, 4, 12))
    assert entities["co-gamma"].uscc == "91350100M000100Y43"
    assert entities["co-beta"].aliases == ("Beta Ind.",)


def test_percentage_text_is_parsed_and_kept_raw() -> None:
    shares = {s.detail.split(";")[0].split()[-1]: s.share for s in _load().stakes if s.detail}
    assert shares["own-1"] == Share(exact=0.6, raw="60%")
    assert shares["own-2"] == Share(minimum=0.25, maximum=0.5, raw="25-50%")
    assert shares["own-3"] == Share(minimum=inside(0.5, 1.0), maximum=1.0, raw=">50%")
    assert shares["own-4"] == Share(exact=0.0025, raw="0.25")  # a bare number is percent
    assert shares["own-5"] == Share(raw="majority")  # unknown share, text kept
    assert shares["own-6"] == Share()


def test_partial_dates_widen_to_the_period() -> None:
    stake = next(s for s in _load().stakes if s.owner_id == "org-fund")
    assert (stake.start, stake.end) == (date(2016, 1, 1), date(2019, 1, 1))


def test_source_from_publisher_and_url() -> None:
    stake = _load().stakes[0]
    assert stake.source == (
        "FtM Ownership own-1; Example Company Registry; https://registry.example.org/extract/123; "
        "datasets example_registry"
    )


def test_control_types_map_to_bases_links_and_declared() -> None:
    data = _load()
    assert sorted((c.controller_id, c.controlled_id, c.basis) for c in data.controls) == [
        ("p-smith", "co-beta", "board"),
        ("pb-state", "co-gamma", "agreement"),  # voting + contractual: one edge
    ]
    assert sorted(link.link_type for link in data.links) == ["control_management", "director"]
    [declared] = data.reported
    assert (declared.subject_id, declared.object_id, declared.relation) == ("co-gamma", "p-smith", "declared_indirect")


def test_unparsed_percentage_and_skipped_schemata_are_warnings() -> None:
    data = _load()
    assert data.errors == []
    warnings = {f.code: f for f in data.warnings}
    assert set(warnings) == {"unparsed_percentage", "skipped_schema"}
    assert (warnings["unparsed_percentage"].line, warnings["unparsed_percentage"].column) == (
        13,
        "/properties/percentage/0",
    )


def test_missing_entity_and_out_of_range_share_are_located_errors() -> None:
    data = _load("bad-reference.jsonl")
    got = [(f.code, f.line, f.column) for f in data.errors]
    assert got == [
        ("missing_entity", 2, "/properties/owner/0"),
        ("share_out_of_range", 3, "/properties/percentage/0"),
        ("self_stake", 3, "owned_id"),  # the cross-record checks run in the parser, located too
    ]


def test_fragments_of_one_entity_are_merged(tmp_path: Path) -> None:
    lines = [
        {"id": "c1", "schema": "Company", "properties": {"name": ["One Ltd"]}},
        {"id": "c1", "schema": "Company", "properties": {"leiCode": ["5493001KJTIIGC8Y1R12"]}},
    ]
    path = tmp_path / "frag.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    [entity] = parse_ftm(path).entities
    assert (entity.name, entity.lei) == ("One Ltd", "5493001KJTIIGC8Y1R12")


def test_malformed_line_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "c1", "schema": "Company", "properties": {"name": ["A"]}}\n{"id": "c2", \n')
    data = parse_ftm(path)
    assert [(f.code, f.line) for f in data.errors] == [("malformed_json", 2)]
    assert [e.id for e in data.entities] == ["c1"]


_SEED = [json.loads(x) for x in (FIXTURES / "ownership.jsonl").read_text().splitlines()]
_VALUES = st.none() | st.text(max_size=8) | st.lists(st.text(max_size=8) | st.integers(), max_size=3) | st.integers()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_give_findings_only(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    assert all(f.file == str(path) for f in parse_ftm(path).findings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(0, len(_SEED) - 1),
    prop=st.sampled_from(["owner", "asset", "percentage", "startDate", "endDate", "name", "controlType", "leiCode"]),
    value=_VALUES,
    top=st.sampled_from(["properties", "id", "schema", None]),
)
def test_near_valid_lines_give_findings_only(
    tmp_path: Path, index: int, prop: str, value: object, top: str | None
) -> None:
    lines = json.loads(json.dumps(_SEED))
    if top == "properties":
        lines[index]["properties"][prop] = value
    elif top is not None:
        lines[index][top] = value
    else:
        lines[index]["properties"] = value
    path = tmp_path / "near.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    for finding in parse_ftm(path).findings:
        assert finding.file == str(path)
