"""GLEIF parser: real golden-copy rows, the 824/4 ultimate-parent check, bad LEIs, fuzzing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Dataset
from ownergraph.loaders.gleif import parse_gleif

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gleif"
SERGIO_ROSSI = "5493006QJ5ZEMSP80508"
FOSUN_FASHION = "529900OU45EJZAH9OM37"
FOSUN_INTERNATIONAL = "213800Z99WQEXDF82F09"


@pytest.fixture(scope="module")
def small() -> Dataset:
    return parse_gleif(FIXTURES / "rr-subset-small.csv.gz")


def test_small_subset_counts(small: Dataset) -> None:
    assert small.findings == []
    assert len(small.controls) == 1021
    assert len(small.reported) == 834
    assert Counter(link.link_type for link in small.links) == {
        "fund_manager": 18,
        "international_branch": 11,
        "subfund": 1,
    }
    assert len(small.entities) == 1501  # every LEI of the file, as placeholders
    assert all(e.name == e.id == e.lei and e.kind == "company" for e in small.entities)


def _top(parent: dict[str, str], child: str) -> str:
    seen = {child}
    while child in parent and parent[child] not in seen:
        child = parent[child]
        seen.add(child)
    return child


def test_direct_chains_reproduce_gleif_ultimate_parents(small: Dataset) -> None:
    """SOURCE.md ground truth: 824 agree, 4 differ, 6 have no direct record."""
    parent = {c.controlled_id: c.controller_id for c in small.controls}
    assert len(parent) == len(small.controls)  # one direct parent per child
    verdicts: Counter[str] = Counter()
    for r in small.reported:
        if r.subject_id not in parent:
            verdicts["no_direct"] += 1
        else:
            verdicts["agree" if _top(parent, r.subject_id) == r.object_id else "differ"] += 1
    assert verdicts == {"agree": 824, "differ": 4, "no_direct": 6}
    assert _top(parent, SERGIO_ROSSI) == FOSUN_FASHION  # the chain stops: no record above it


def test_folder_with_names_and_exact_records() -> None:
    data = parse_gleif(FIXTURES / "sergio-rossi")
    assert data.findings == []
    names = {e.id: e.name for e in data.entities}
    assert names[SERGIO_ROSSI] == "SERGIO ROSSI SPA"
    assert names["529900S21EQ1BO4ESM68"] == "529900S21EQ1BO4ESM68"  # no Level 1 row: placeholder
    [control] = data.controls
    assert (control.controller_id, control.controlled_id, control.basis) == (
        FOSUN_FASHION,
        SERGIO_ROSSI,
        "consolidation",
    )
    assert (control.start, control.end) == (date(2023, 11, 21), None)
    [ultimate] = data.reported
    assert (ultimate.subject_id, ultimate.object_id, ultimate.relation) == (
        SERGIO_ROSSI,
        FOSUN_INTERNATIONAL,
        "ultimate_parent",
    )
    [branch] = data.links
    assert (branch.source_id, branch.target_id, branch.link_type) == (
        "529900S21EQ1BO4ESM68",
        "2138003VU188O245QM54",
        "international_branch",
    )
    rossi = next(e for e in data.entities if e.id == SERGIO_ROSSI)
    assert (rossi.jurisdiction, rossi.status, rossi.lei, rossi.kind) == ("IT", "ACTIVE", SERGIO_ROSSI, "company")


def test_bad_lei_is_a_located_error() -> None:
    data = parse_gleif(FIXTURES / "bad-lei" / "rr.csv")
    [err] = data.errors
    assert (err.code, err.line, err.column) == ("bad_lei", 2, "Relationship.StartNode.NodeID")
    assert err.file is not None
    assert err.file.endswith("rr.csv")
    assert data.controls == []
    assert len(data.links) == 1


def test_inactive_relation_needs_an_end_date(tmp_path: Path) -> None:
    rows = (FIXTURES / "sergio-rossi" / "rr.csv").read_text().splitlines()
    assert "IS_DIRECTLY_CONSOLIDATED_BY" in rows[2]
    rows[2] = rows[2].replace(",ACTIVE,", ",INACTIVE,", 1)
    path = tmp_path / "rr.csv"
    path.write_text("\n".join(rows) + "\n")
    data = parse_gleif(path)
    assert [(f.code, f.line) for f in data.warnings] == [("inactive_without_end", 3)]
    assert data.controls == []


def test_overlapping_files_do_not_duplicate(tmp_path: Path) -> None:
    rr = FIXTURES / "sergio-rossi" / "rr.csv"
    data = parse_gleif(rr, rr)
    assert (len(data.controls), len(data.reported), len(data.links)) == (1, 1, 1)


_SEED = (FIXTURES / "sergio-rossi" / "rr.csv").read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_give_findings_only(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    assert all(f.file == str(path) for f in parse_gleif(path).findings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.integers(0, len(_SEED) - 1), junk=st.binary(min_size=1, max_size=6))
def test_near_valid_csv_gives_findings_only(tmp_path: Path, at: int, junk: bytes) -> None:
    path = tmp_path / "near.csv"
    path.write_bytes(_SEED[:at] + junk + _SEED[at + len(junk) :])
    for finding in parse_gleif(path).findings:
        assert finding.file == str(path)
