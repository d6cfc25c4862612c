"""BODS 0.1-0.3 as published: boolean exclusive bounds, located findings after parsing, warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ownergraph.graph.control import controllers
from ownergraph.graph.engine import EPS
from ownergraph.graph.model import OPEN_BOUND_STEP, Dataset, Share, inside
from ownergraph.graph.params import ControlParams
from ownergraph.loaders.bods import parse_bods

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bods"
PARAMS = ControlParams(date(2024, 12, 19))


def _status(data: Dataset, target: str) -> tuple[str, list[str]]:
    answer = controllers(data, target, PARAMS)
    return answer.status, [u.id for u in answer.ultimate_controllers]


def test_open_bound_step_clears_the_engine_slack() -> None:
    assert OPEN_BOUND_STEP > 10 * EPS
    assert inside(0.5, 1.0) - 0.5 > EPS


def test_bods_0_1_band_75_to_100_gives_control() -> None:
    data = parse_bods(FIXTURES / "psc-0.1-banded.json")
    assert data.errors == []
    [stake] = data.stakes
    assert (stake.share.minimum, stake.share.maximum) == (0.75, 1.0)
    assert stake.voting_share == stake.share
    assert _status(data, "gb-coh-07434180") == ("controlled", ["gb-coh-00686734"])


def test_bods_0_2_exclusive_minimum_flag_is_honoured() -> None:
    data = parse_bods(FIXTURES / "psc-0.2-banded.jsonl")
    assert data.errors == []
    by_owned = {s.owned_id: s for s in data.stakes}
    wpp = by_owned["gb-coh-06452920"]
    assert wpp.share == Share(minimum=0.75, maximum=1.0, raw=wpp.share.raw)
    assert wpp.voting_share is not None
    assert (wpp.voting_share.minimum, wpp.voting_share.maximum) == (inside(0.25, 1.0), 0.5)
    # 75-100% of the shares but at most half the votes: control is decided by votes, and they do not give it.
    assert _status(data, "gb-coh-06452920") == ("no_controller", [])
    companion = by_owned["gb-coh-07731393"]
    assert companion.share.minimum == inside(0.25, 1.0)
    assert _status(data, "gb-coh-07731393") == ("no_controller", [])


def test_bods_0_3_exclusive_lower_bound_at_the_threshold_is_definite_control() -> None:
    data = parse_bods(FIXTURES / "psc-0.3-banded.json")
    assert data.errors == []
    assert _status(data, "gb-coh-00000050") == ("controlled", ["gb-coh-00000051"])  # (50, 75]
    assert _status(data, "gb-coh-00000060")[0] == "undetermined"  # [50, 75]: exactly half is possible
    assert _status(data, "gb-coh-10308743") == ("controlled", ["psc-stddminvest"])
    [board] = data.controls
    assert (board.controller_id, board.controlled_id, board.basis) == (
        "psc-stddminvest", "gb-coh-10308743", "board")


def test_bods_0_4_numeric_exclusive_bound_is_definite_control(tmp_path: Path) -> None:
    path = tmp_path / "band.json"
    path.write_text(
        '[{"statementId": "s1", "recordId": "a", "recordType": "entity", "recordDetails": {"name": "A"}},'
        ' {"statementId": "s2", "recordId": "b", "recordType": "entity", "recordDetails": {"name": "B"}},'
        ' {"statementId": "s3", "recordId": "r", "recordType": "relationship", "recordDetails":'
        ' {"subject": "a", "interestedParty": "b", "interests": [{"type": "shareholding",'
        ' "directOrIndirect": "direct", "share": {"exclusiveMinimum": 50, "maximum": 75}}]}}]',
        encoding="utf-8",
    )
    data = parse_bods(path)
    assert data.errors == []
    assert _status(data, "a") == ("controlled", ["b"])


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ('{"minimum": 100, "exclusiveMinimum": true}', "bad_share"),  # more than 100%: no share can be
        ('{"minimum": 50, "exclusiveMinimum": "yes"}', "bad_share"),
        ('{"exact": 60, "minimum": 25, "maximum": 50}', "exact_share_outside_range"),
    ],
)
def test_share_objects_that_cannot_be_or_contradict_themselves(tmp_path: Path, share: str, expected: str) -> None:
    path = tmp_path / "s.jsonl"
    rows = [
        '{"statementID": "a", "statementType": "entityStatement", "name": "A"}',
        '{"statementID": "b", "statementType": "entityStatement", "name": "B"}',
        '{"statementID": "r", "statementType": "ownershipOrControlStatement",'
        ' "subject": {"describedByEntityStatement": "a"}, "interestedParty": {"describedByEntityStatement": "b"},'
        f' "interests": [{{"type": "shareholding", "share": {share}}}]}}',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [finding] = parse_bods(path).findings
    assert (finding.code, finding.line, finding.column) == (expected, 3, "/interests/0/share")


def test_every_finding_of_an_array_file_names_its_statement() -> None:
    data = parse_bods(FIXTURES / "faults-0.2.json")
    got = {(f.severity, f.code, f.column) for f in data.findings}
    assert got == {
        ("warning", "duplicate_statement_id", "/6"),
        ("warning", "repeated_statement", "/7"),
        ("warning", "subject_not_entity", "/5/subject/describedByEntityStatement"),
        ("warning", "exact_share_outside_range", "/7/interests/0/share"),
        # a cross-record check after parsing: located by the statement's pointer
        ("error", "end_not_after_start", "/4"),
    }
    assert all(f.file and f.file.endswith("faults-0.2.json") for f in data.findings)
    # the repeated statement is loaded once: one stake of co-b in co-a
    assert sorted((s.owner_id, s.owned_id) for s in data.stakes) == [
        ("co-b", "co-a"), ("co-b", "p-1"), ("p-1", "co-a")]


def test_cross_record_findings_of_json_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dates.jsonl"
    rows = [
        '{"statementID": "a", "statementType": "entityStatement", "name": "A"}',
        '{"statementID": "b", "statementType": "entityStatement", "name": "B"}',
        '{"statementID": "r", "statementType": "ownershipOrControlStatement",'
        ' "subject": {"describedByEntityStatement": "a"}, "interestedParty": {"describedByEntityStatement": "b"},'
        ' "interests": [{"type": "shareholding", "share": {"exact": 30}, "startDate": "2020-01-01",'
        ' "endDate": "2019-01-01"}]}',
        '{"statementID": "r2", "statementType": "ownershipOrControlStatement",'
        ' "subject": {"describedByEntityStatement": "a"}, "interestedParty": {"describedByEntityStatement": "a"},'
        ' "interests": [{"type": "shareholding", "share": {"exact": 30}}]}',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = sorted((f.code, f.line) for f in parse_bods(path).findings)
    assert got == [("end_not_after_start", 3), ("self_stake", 4)]
