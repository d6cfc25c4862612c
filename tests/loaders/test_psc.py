"""UK PSC snapshot loader: real records, the array-wrapped form, bands, bases, statements, streaming."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from ownergraph.graph.control import controllers
from ownergraph.graph.model import Dataset, inside
from ownergraph.graph.params import ControlParams
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.jsonrecords import Reporter
from ownergraph.loaders.jsonstream import iter_json_records
from ownergraph.loaders.psc import parse_psc
from ownergraph.loaders.skip import Skipped
from ownergraph.pipeline import parse

FIXTURES = Path(__file__).parent.parent / "fixtures" / "psc"
SAMPLE = FIXTURES / "snapshot-sample.jsonl"
TODAY = ControlParams(date(2024, 12, 19))


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return parse_psc(SAMPLE)


def _ucs(data: Dataset, company: str, params: ControlParams = TODAY) -> tuple[str, list[str]]:
    answer = controllers(data, f"GB-COH-{company}", params)
    return answer.status, [u.id for u in answer.ultimate_controllers]


def test_sample_counts_and_no_faults(sample: Dataset) -> None:
    assert sample.errors == []
    companies = [e for e in sample.entities if e.id.startswith("GB-COH-") and not e.id.startswith("GB-COH-PSC-")]
    assert len(companies) == 14  # 13 companies with PSCs + Robert Hitchins Limited (00686734), only an owner
    assert len(sample.stakes) == 11
    assert sorted((c.controlled_id, c.basis) for c in sample.controls) == [
        ("GB-COH-03530981", "declared"), ("GB-COH-04120481", "board"), ("GB-COH-10308743", "board"),
        ("GB-COH-OE029880", "declared")]


def test_corporate_owner_in_a_uk_register_is_its_company(sample: Dataset) -> None:
    names = {e.id: e.name for e in sample.entities}
    assert names["GB-COH-00686734"] == "Robert Hitchins Limited"
    assert names["GB-COH-03530981"] == "Clientlogic Holding Limited"  # the name replaces the number
    # registered in Minnesota: not a UK company number, an owner of its own
    assert names["GB-COH-PSC-YIVGZxjcS8tcf-5WdYZBtTTW-so"] == "St. Paul Fire & Marine Insurance Company"
    assert _ucs(sample, "07434180") == ("controlled", ["GB-COH-00686734"])


def test_bands_are_half_open_intervals(sample: Dataset) -> None:
    by_owned = {s.owned_id: s for s in sample.stakes}
    wpp = by_owned["GB-COH-06452920"]  # 75-100% of the shares, 25-50% of the votes
    assert (wpp.share.minimum, wpp.share.maximum) == (inside(0.75, 1.0), 1.0)
    assert wpp.voting_share is not None
    assert (wpp.voting_share.minimum, wpp.voting_share.maximum) == (inside(0.25, 1.0), 0.5)
    assert wpp.share.raw == "ownership-of-shares-75-to-100-percent"
    assert _ucs(sample, "06452920") == ("no_controller", [])  # the votes decide, and they are at most half
    overseas = by_owned["GB-COH-OE031044"]  # more than 25%: (25, 100]
    assert (overseas.share.minimum, overseas.share.maximum) == (inside(0.25, 1.0), 1.0)
    assert _ucs(sample, "OE031044")[0] == "undetermined"
    anna = by_owned["GB-COH-03530981"]  # 50-75%: more than half
    assert anna.share.minimum is not None
    assert anna.share.minimum > 0.5
    assert (anna.start, anna.end) == (date(2017, 5, 1), None)


def test_control_through_a_matched_corporate_owner(sample: Dataset) -> None:
    assert _ucs(sample, "04120481") == ("controlled", ["GB-COH-PSC-SYNTHETICpscAnnaSample00000002"])
    # Ben Sample's significant influence (a declared control) ended in 2019: in 2018 both controlled 03530981
    anna, ben = "GB-COH-PSC-SYNTHETICpscAnnaSample00000002", "GB-COH-PSC-SYNTHETICpscBenSample000000003"
    assert _ucs(sample, "03530981", ControlParams(date(2018, 1, 1))) == ("controlled", [ben, anna])
    assert _ucs(sample, "03530981") == ("controlled", [anna])


def test_kinds_of_owner(sample: Dataset) -> None:
    kinds = {e.name: e.kind for e in sample.entities}
    assert kinds["State Administration Of Foreign Exchange"] == "state_body"  # a government department
    assert kinds["Government Of Czech Republic"] == "state_body"
    assert kinds["Ms Jane Example"] == "person"
    jane = next(e for e in sample.entities if e.name == "Ms Jane Example")
    assert ("birth_month", "1970-01") in jane.extra
    assert ("nationality", "British") in jane.extra


def test_statements_and_super_secure_are_findings_on_the_company(sample: Dataset) -> None:
    notes = [(f.code, f.entity_id, f.line) for f in sample.warnings]
    assert notes == [("psc_super_secure", "GB-COH-02443921", 5), ("psc_statement", "GB-COH-08209948", 12)]
    company = {e.id: dict(e.extra) for e in sample.entities}["GB-COH-08209948"]
    assert company["psc_statement"] == (
        "no-individual-or-entity-with-signficant-control (from 2016-09-11, ceased 2021-12-13)")
    assert _ucs(sample, "08209948") == ("controlled", ["GB-COH-PSC-SYNTHETICpscJaneExample0000001"])


def test_array_wrapped_form_gives_the_same_records(tmp_path: Path) -> None:
    wrapped = parse_psc(FIXTURES / "psc-data-2.json")
    line = tmp_path / "one.jsonl.gz"
    [record, _totals] = json.loads((FIXTURES / "psc-data-2.json").read_text(encoding="utf-8"))
    record.pop("ContentDate")
    line.write_bytes(gzip.compress((json.dumps(record) + "\n").encode()))
    plain = parse_psc(line)
    assert [e.id for e in wrapped.entities] == [e.id for e in plain.entities]
    assert [(s.owner_id, s.owned_id, s.share.minimum) for s in wrapped.stakes] == [
        (s.owner_id, s.owned_id, s.share.minimum) for s in plain.stakes]
    assert wrapped.stakes[0].source == "Companies House PSC snapshot of 2024-12-19"


def test_faults_are_located_and_skippable() -> None:
    faulty = FIXTURES / "faulty.jsonl"
    with pytest.raises(LoadRejected) as caught:
        parse("psc", faulty)
    assert sorted((f.code, f.line) for f in caught.value.errors) == [
        ("end_not_after_start", 1), ("malformed_json", 4), ("missing_id", 2)]
    skipped: list[Skipped] = []
    data = parse("psc", faulty, on_fault="skip", skipped=skipped)
    assert sorted((s.line, s.code) for s in skipped) == [
        (1, "end_not_after_start"), (1, "end_not_after_start"), (2, "missing_id"), (4, "malformed_json")]
    assert {s.record for s in skipped if s.line == 1} == {
        "entity 'GB-COH-PSC-SYNTHETICpscCeasedBeforeNotif04'",
        "stake 'GB-COH-PSC-SYNTHETICpscCeasedBeforeNotif04' -> 'GB-COH-09999901'"}
    # the company of line 1 stays: line 3 holds it too
    assert [(s.owner_id, s.owned_id) for s in data.stakes] == [
        ("GB-COH-PSC-SYNTHETICpscGoodOwner0000000005", "GB-COH-09999901")]


def _peak_reading(path: Path) -> int:
    tracemalloc.start()
    count = sum(1 for _ in iter_json_records(path, Reporter(str(path))))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count > 0
    return peak


@pytest.mark.parametrize("wrap", [False, True])
def test_reading_streams_memory_flat_in_file_size(tmp_path: Path, wrap: bool) -> None:
    line = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    small, large = tmp_path / "small", tmp_path / "large"
    for path, n in ((small, 4_000), (large, 20_000)):  # ~2 MB and ~10 MB, both above the reader's chunk
        body = (",\n" if wrap else "\n").join([line] * n)
        path.write_text(f"[{body}]" if wrap else body + "\n", encoding="utf-8")
    peak_small, peak_large = _peak_reading(small), _peak_reading(large)
    assert peak_large < 1.5 * peak_small + 500_000  # five times the file, not five times the memory
    assert peak_large < 3_000_000  # a few chunks, far below the 10 MB file
