"""BODS parser: real 0.4 examples, synthetic 0.2/0.4 files, located errors, fuzzing."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Dataset, Share, inside
from ownergraph.loaders.bods import parse_bods

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bods"


def _load(name: str) -> Dataset:
    return parse_bods(FIXTURES / name)


def _codes(data: Dataset) -> list[str]:
    return [f.code for f in data.findings]


# --- real 0.4 examples (openownership/data-standard) --------------------------------------------


def test_indirect_share_is_declared_not_a_stake() -> None:
    data = _load("indirect-ownership.json")
    assert data.findings == []
    assert [(s.owner_id, s.owned_id) for s in data.stakes] == [
        ("d4ab89ea169a", "ad3f6c2fcc9e"),
        ("c25d4d612c2c", "d4ab89ea169a"),
    ]
    direct, unknown = data.stakes
    assert direct.share == Share(exact=0.6)
    assert direct.start == date(2017, 11, 1)
    assert direct.flags == ()
    assert unknown.share.is_unknown
    assert unknown.flags == ("direct_or_indirect_unknown", "interest_type_missing")
    [declared] = data.reported
    assert declared.relation == "declared_indirect"
    assert (declared.subject_id, declared.object_id) == ("ad3f6c2fcc9e", "c25d4d612c2c")
    assert declared.share == Share(exact=0.3)
    assert declared.detail is not None
    assert "componentRecords: d4ab89ea169a, 4cf2837bd01f, 05e81af035e4" in declared.detail


def test_joint_ownership_arrangement_holds_the_company() -> None:
    data = _load("joint-ownership.json")
    kinds = {e.name: e.kind for e in data.entities}
    assert kinds == {
        "CHRINON LTD": "company",
        "Joint shareholding": "other",
        "Natalie Coleman": "person",
        "Roberto Lopez": "person",
    }
    got = sorted((s.owner_id, s.owned_id, s.share.exact) for s in data.stakes)
    assert got == [
        ("1accb8b18b99", "91b4236a7d89", 0.5),
        ("91b4236a7d89", "31c55e425764", 1.0),
        ("f040df24d9ec", "91b4236a7d89", 0.5),
    ]
    assert data.reported == []
    assert data.controls == []
    assert data.findings == []


def test_latest_statement_wins_and_closed_record_ends() -> None:
    data = _load("tecido.json")
    assert len(data.entities) == 3
    by_owner = {s.owner_id: s for s in data.stakes}
    closed = by_owner["018AF6B3EB"]  # 100% -> 40% -> 30%, then closed on 2023-03-03
    assert closed.share == Share(exact=0.3)
    assert closed.voting_share == Share(exact=0.3)
    assert (closed.start, closed.end) == (date(2022, 9, 21), date(2023, 3, 3))
    current = by_owner["033E84672B"]  # 60% -> 70% -> 80%
    assert (current.share.exact, current.start, current.end) == (0.8, date(2023, 3, 1), None)
    [chair] = data.links
    assert chair.link_type == "board_chair"
    assert chair.end == date(2023, 3, 3)
    person = next(e for e in data.entities if e.id == "018AF6B3EB")
    assert person.status == "closed"
    assert closed.source is not None
    assert "selfDeclaration" in closed.source


def test_unspecified_party_gets_its_own_unknown_entity() -> None:
    data = _load("listed-company-exempt-from-disclosure.json")
    unknown = [e for e in data.entities if e.kind == "unknown"]
    assert [e.id for e in unknown] == ["fa402c4818f9/unspecified"]
    assert ("unspecified_reason", "subjectExemptFromDisclosure") in unknown[0].extra
    [link] = data.links
    assert (link.source_id, link.target_id, link.link_type) == (
        "fa402c4818f9/unspecified",
        "4c7ea3bfbe6c",
        "unspecified_interest",
    )


def test_state_owned_chain_with_influence_link() -> None:
    data = _load("bods-package-fi-soe.json")
    assert sorted(s.share.exact or 0 for s in data.stakes) == [0.235, 0.765, 1.0]
    [influence] = data.links
    assert influence.link_type == "other_influence_or_control"
    assert {e.kind for e in data.entities if e.name.startswith(("Valtio", "Suomen t"))} == {"state_body"}
    [declared] = data.reported
    assert declared.share == Share(exact=1.0)


def test_exclusive_bounds_step_inward() -> None:
    [stake] = _load("bods-package-linking-annotations.json").stakes
    assert stake.share.minimum == inside(0.25, 1.0)
    assert stake.share.maximum == inside(0.5, 0.0)
    assert stake.share.raw == '{"exclusiveMaximum":50,"exclusiveMinimum":25}'
    assert stake.flags == ("direct_or_indirect_unknown",)  # the interest omits directOrIndirect


def test_mixed_direct_and_indirect_interests_split() -> None:
    data = _load("mixed-direct-and-indirect-ownership.json")
    person_stakes = [s for s in data.stakes if s.owner_id == "53508b65253f" and s.owned_id == "9bfe59b6a869"]
    assert [(s.share.exact, s.start) for s in person_stakes] == [(0.5, date(2019, 5, 1))]
    [declared] = data.reported
    assert (declared.share.exact, declared.start) == (0.5, date(2017, 11, 1))


def test_lei_identifier_is_kept() -> None:
    [entity] = _load("plc-entity-statement.json").entities
    assert entity.lei == "PY6ZZQWO2IZFZC3IOL08"
    assert entity.jurisdiction == "GB"
    assert ("identifier:GB-COH", "02723534") in entity.extra


# --- synthetic 0.4 JSON Lines: control bases, USCC, updates ---------------------------------------


def test_control_bases_and_links_from_interest_types() -> None:
    data = _load("cn-0.4-synthetic.jsonl")
    controls = sorted((c.controller_id, c.controlled_id, c.basis) for c in data.controls)
    assert controls == [
        ("c-0003", "c-0001", "agreement"),
        ("c-0003", "c-0001", "board"),
        ("p-0001", "c-0002", "agreement"),
    ]
    assert [link.link_type for link in data.links] == ["senior_managing_official"]


def test_identifiers_and_updates_in_json_lines() -> None:
    data = _load("cn-0.4-synthetic.jsonl")
    holdings = {e.id: e for e in data.entities}
    assert holdings["c-0001"].uscc == "91350100M000100Y43"
    assert holdings["c-0001"].lei == "5493001KJTIIGC8Y1R12"
    assert holdings["c-0002"].lei is None  # bad check digits: a warning, kept as an identifier
    assert holdings["c-0003"].kind == "state_body"
    [bad_lei] = [f for f in data.findings if f.code == "bad_lei"]
    assert (bad_lei.line, bad_lei.column) == (2, "/recordDetails/identifiers/0/id")
    stakes = {s.owner_id: s for s in data.stakes}
    assert stakes["c-0001"].share == Share(exact=0.4)  # the 2024-09-30 statement replaced 35%
    assert stakes["c-0003"].end == date(2024, 7, 15)  # closed record
    assert data.errors == []


# --- synthetic 0.2 (shape of the Slovak register sample) -------------------------------------


def test_v02_statements_and_replacements() -> None:
    data = _load("sk-0.2-synthetic.jsonl.gz")
    ids = {e.id for e in data.entities}
    assert "100002" not in ids
    assert "100003" in ids
    assert "900003/unspecified" in ids
    stake = next(s for s in data.stakes if s.owner_id == "200002")
    assert stake.owned_id == "100003"
    assert stake.share == Share(exact=0.6)
    assert stake.voting_share is not None
    assert stake.voting_share.minimum == 0.5
    assert [(c.controller_id, c.controlled_id, c.basis) for c in data.controls] == [("200002", "100003", "board")]
    unknown_level = next(s for s in data.stakes if s.owner_id == "900003/unspecified")
    assert unknown_level.flags == ("direct_or_indirect_unknown",)
    # The relationship whose subject is not in the file keeps its link, pending the graph look-up.
    known = [link for link in data.links if link.target_id in ids]
    assert [link.link_type for link in known] == ["unspecified_interest"]


def test_v02_dangling_subject_is_located() -> None:
    data = _load("sk-0.2-synthetic.jsonl.gz")
    [err] = data.errors
    assert (err.code, err.line, err.column) == (
        "missing_statement",
        9,
        "/subject/describedByEntityStatement",
    )
    assert err.entity_id is not None
    assert err.entity_id not in {e.id for e in data.entities}
    assert [link.target_id for link in data.links if link.target_id not in {e.id for e in data.entities}] == [
        err.entity_id
    ]
    [dup] = [f for f in data.findings if f.code == "duplicate_identifier"]
    assert dup.severity == "warning"
    assert dup.line == 10


# --- located errors ------------------------------------------------------------------------------


def test_missing_statement_in_array_has_json_pointer() -> None:
    data = _load("missing-statement.json")
    [err] = data.errors
    assert (err.code, err.line, err.column) == ("missing_statement", None, "/2/recordDetails/interestedParty")
    assert err.file is not None
    assert err.file.endswith("missing-statement.json")
    # The stake is kept for the load pipeline, which accepts it only if the graph holds the party.
    assert [s.owner_id for s in data.stakes] == [err.entity_id]


def test_malformed_json_lines_located_by_line_and_column() -> None:
    data = _load("malformed.jsonl")
    [err] = data.errors
    assert (err.code, err.line, err.column) == ("malformed_json", 3, "45")
    assert len(data.entities) == 2  # the good lines still parse


def test_malformed_json_array_located() -> None:
    [err] = _load("malformed.json").findings
    assert (err.code, err.line, err.column) == ("malformed_json", 3, "20")


def test_bad_share_value_is_an_error(tmp_path: Path) -> None:
    records = json.loads((FIXTURES / "joint-ownership.json").read_text())
    records[2]["recordDetails"]["interests"][0]["share"] = {"exact": 150}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    [err] = parse_bods(path).errors
    assert (err.code, err.column) == ("bad_share", "/2/recordDetails/interests/0/share")


def test_truncated_gzip_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(b'[{"recordId": "a"}]')[:-6])
    assert _codes(parse_bods(path)) == ["bad_gzip"]


# --- fuzzing: nothing but findings --------------------------------------------------------------

_SCALARS = st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=True) | st.text(max_size=8)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_SEED = json.loads((FIXTURES / "tecido.json").read_text())


def _mutate(record: dict[str, object], key: str, value: object) -> dict[str, object]:
    out = json.loads(json.dumps(record))
    details = out.get("recordDetails")
    if isinstance(details, dict) and key.startswith("d:"):
        details[key[2:]] = value
    else:
        out[key] = value
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_give_findings_only(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(data)
    result = parse_bods(path)
    assert all(f.file == str(path) for f in result.findings)


_KEYS = st.sampled_from(
    [
        "recordId",
        "recordType",
        "recordStatus",
        "statementDate",
        "source",
        "d:subject",
        "d:interestedParty",
        "d:interests",
        "d:identifiers",
        "d:names",
        "d:entityType",
        "d:componentRecords",
        "d:name",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(_SEED) - 1), key=_KEYS, value=_JSON, as_lines=st.booleans())
def test_near_valid_records_give_findings_only(
    tmp_path: Path, index: int, key: str, value: object, as_lines: bool
) -> None:
    records = list(_SEED)
    records[index] = _mutate(records[index], key, value)
    path = tmp_path / "near.jsonl"
    text = "\n".join(json.dumps(r) for r in records) if as_lines else json.dumps(records)
    path.write_text(text)
    result = parse_bods(path)
    for finding in result.findings:
        assert finding.file == str(path)
        assert finding.line is not None or finding.column is not None
