"""The registry-csv folder format: exact records, and one located finding per fault."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from ownergraph.graph.columnar import Columns
from ownergraph.graph.model import Concert, Control, Dataset, Finding, Link, Share, Stake
from ownergraph.loaders.csvtext import FIELD_SIZE_LIMIT
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.registry_csv import RegistryStream, parse_registry_csv, raise_if_rejected
from tests.graph.helpers import assert_same_columns

GOOD = Path(__file__).parents[1] / "fixtures" / "registry_csv" / "good"

ENTITIES = "id,name,kind\nA,Alpha Ltd,company\nB,Beta,person\nC,Gamma LP,partnership\n"


def _folder(tmp_path: Path, **files: str | bytes) -> Path:
    """A registry folder: valid entities and empty ownership unless the test replaces them."""
    files.setdefault("entities", ENTITIES)
    files.setdefault("ownership", "owner_id,owned_id,share\n")
    for stem, content in files.items():
        path = tmp_path / f"{stem}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def _parse(folder: Path) -> Dataset:
    """``parse_registry_csv``, after checking that the folder read in parts of 1 and 3 rows
    (``RegistryStream``) gives the same records, findings and columns."""
    data = parse_registry_csv(folder)
    for rows in (1, 3):
        stream = RegistryStream(folder, part_rows=rows)
        got = Dataset()
        for part in stream:
            records = getattr(part.data, part.kind)
            assert 0 < len(records) <= rows
            getattr(got, part.kind).extend(records)
        assert (got.entities, got.stakes, got.controls, got.concerts, got.links) == (
            data.entities, data.stakes, data.controls, data.concerts, data.links)
        assert sorted(stream.findings, key=repr) == sorted(data.findings, key=repr)
        if not data.errors:
            assert_same_columns(stream.columns(), Columns.from_dataset(data))
    return data


def _errors(data: Dataset) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(f.code, Path(f.file).name if f.file else None, f.line, f.column) for f in data.errors]


# --- the good folder -------------------------------------------------------------------------


def test_good_folder_records() -> None:
    data = _parse(GOOD)
    assert data.findings == []
    assert len(data.entities) == 6
    company = data.entities[0]
    assert company.id == "91350100M000100Y43"
    assert company.aliases == ("示例控股", "FEH")
    assert company.jurisdiction == "CN-FJ"
    assert company.founded == date(2001, 5, 17)
    assert company.registered_capital == 100_000_000.0
    assert company.extra == (("sector", "manufacturing"),)
    assert data.entities[5].lei == "5493001KJTIIGC8Y1R12"
    assert data.stakes == [
        Stake(
            "P1", "91350100M000100Y43", Share(exact=0.51), None, 51_000_000.0, False, date(2020, 1, 1), None, "fixture"
        ),
        Stake(
            "P2",
            "91350100M000100Y43",
            Share(minimum=0.25, maximum=0.5),
            None,
            None,
            False,
            date(2020, 1, 1),
            date(2024, 1, 1),
            "fixture",
        ),
        Stake("SASAC", "GP", Share(exact=0.335), Share(exact=0.6), source="fixture"),
        Stake("LEI1", "GP", Share(), subscribed_capital=1_000_000.0, source="fixture"),
    ]
    assert data.controls == [Control("P1", "GP", "general_partner", date(2019, 3, 1), None, "fixture")]
    assert data.concerts == [Concert("P1", "P2", "91350100M000100Y43", date(2021, 6, 30), None, "fixture")]
    assert data.links == [
        Link("LEI1", "91350100M000100Y43", "supplier", date(2023, 1, 1), None, "annual report 2023", "steel")
    ]


def test_bom_and_column_order_and_crlf(tmp_path: Path) -> None:
    entities = "\ufeffkind,name,id\r\ncompany,Alpha,A\r\nperson,Beta,B\r\n".encode()
    ownership = "share,owned_id,owner_id\r\n25.5,A,B\r\n"
    data = _parse(_folder(tmp_path, entities=entities, ownership=ownership))
    assert data.findings == []
    assert [e.id for e in data.entities] == ["A", "B"]
    assert data.stakes == [Stake("B", "A", Share(exact=0.255))]


def test_empty_ownership_and_empty_cells_are_unknown(tmp_path: Path) -> None:
    data = _parse(_folder(tmp_path, ownership="owner_id,owned_id,share,start\nA,C,,\n"))
    assert data.findings == []
    assert data.stakes == [Stake("A", "C")]
    assert _parse(_folder(tmp_path, ownership="owner_id,owned_id\n")).findings == []


def test_raise_if_rejected(tmp_path: Path) -> None:
    data = _parse(_folder(tmp_path, ownership="owner_id,owned_id,share\nA,Z,10\n"))
    with pytest.raises(LoadRejected, match=r"ownership.csv:2 column owned_id: error: expected"):
        raise_if_rejected(data, source=str(tmp_path))
    assert raise_if_rejected(_parse(GOOD)).entities


# --- one located finding per fault -------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"ownership": "owner_id,owned_id,share\nA,C,abc\n"}, ("bad_share", "ownership.csv", 2, "share")),
        ({"ownership": "owner_id,owned_id,share\nA,C,150\n"}, ("share_out_of_range", "ownership.csv", 2, "share")),
        ({"ownership": "owner_id,owned_id,share\nA,C,-1\n"}, ("share_out_of_range", "ownership.csv", 2, "share")),
        ({"ownership": "owner_id,owned_id,share\nA,Z,10\n"}, ("unknown_entity", "ownership.csv", 2, "owned_id")),
        ({"ownership": "owner_id,owned_id,share\nA,A,10\n"}, ("self_stake", "ownership.csv", 2, "owned_id")),
        (
            {"ownership": "owner_id,owned_id,start,end\nA,C,2024-01-01,2023-01-01\n"},
            ("end_not_after_start", "ownership.csv", 2, "end"),
        ),
        ({"ownership": "owner_id,owned_id,start\nA,C,2024-02-30\n"}, ("bad_date", "ownership.csv", 2, "start")),
        (
            {"ownership": "owner_id,owned_id,share_min,share_max\nA,C,50,25\n"},
            ("bad_interval", "ownership.csv", 2, "share_min"),
        ),
        (
            {"ownership": "owner_id,owned_id,subscribed_capital\nA,C,lots\n"},
            ("bad_number", "ownership.csv", 2, "subscribed_capital"),
        ),
        ({"ownership": "owner_id,owned_id\n,C\n"}, ("missing_value", "ownership.csv", 2, "owner_id")),
        ({"ownership": "owner_id,share\nA,10\n"}, ("missing_column", "ownership.csv", 1, "owned_id")),
        ({"entities": "id,name,kind\nA,Alpha,corporation\n"}, ("bad_kind", "entities.csv", 2, "kind")),
        ({"entities": "id,name,kind\nA,Alpha,company\nA,Alpha 2,company\n"}, ("duplicate_id", "entities.csv", 3, "id")),
        (
            {"entities": "id,name,kind,uscc\nA,Alpha,company,91350100M000100Y44\n"},
            ("bad_uscc", "entities.csv", 2, "uscc"),
        ),
        (
            {"entities": "id,name,kind,lei\nA,Alpha,company,5493001KJTIIGC8Y1R13\n"},
            ("bad_lei", "entities.csv", 2, "lei"),
        ),
        (
            {"entities": "id,name,kind,founded\nA,Alpha,company,2024/01/01\n"},
            ("bad_date", "entities.csv", 2, "founded"),
        ),
        (
            {"entities": "id,name,kind,jurisdiction\nA,Alpha,company,China\n"},
            ("bad_jurisdiction", "entities.csv", 2, "jurisdiction"),
        ),
        ({"entities": "id,name\nA,Alpha\n"}, ("missing_column", "entities.csv", 1, "kind")),
        ({"control": "controller_id,controlled_id,basis\nA,C,friendship\n"}, ("bad_basis", "control.csv", 2, "basis")),
        (
            {"control": "controller_id,controlled_id,basis\nA,Z,board\n"},
            ("unknown_entity", "control.csv", 2, "controlled_id"),
        ),
        ({"concert": "party_a,party_b,scope_id\nA,B,Q\n"}, ("unknown_entity", "concert.csv", 2, "scope_id")),
        ({"links": "source_id,target_id,link_type\nA,B,\n"}, ("missing_value", "links.csv", 2, "link_type")),
    ],
)
def test_fault_gives_one_located_error(
    tmp_path: Path, files: dict[str, str], expected: tuple[str, str, int, str]
) -> None:
    data = _parse(_folder(tmp_path, **files))
    assert _errors(data) == [expected]
    assert data.errors[0].message.startswith("expected")


def test_all_faults_are_collected_not_just_the_first(tmp_path: Path) -> None:
    ownership = "owner_id,owned_id,share,start\nA,C,abc,\nA,Z,10,\nB,C,20,2024-13-01\n"
    data = _parse(_folder(tmp_path, ownership=ownership))
    assert sorted(_errors(data), key=lambda e: e[2] or 0) == [
        ("bad_share", "ownership.csv", 2, "share"),
        ("unknown_entity", "ownership.csv", 3, "owned_id"),
        ("bad_date", "ownership.csv", 4, "start"),
    ]


def test_missing_required_files(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    assert _errors(_parse(tmp_path)) == [("missing_file", "ownership.csv", None, None)]
    assert _errors(_parse(tmp_path / "nope")) == [("missing_folder", "nope", None, None)]


def test_not_utf8_names_file_line_and_byte(tmp_path: Path) -> None:
    gbk = "id,name,kind\nA,Alpha,company\nB,北京示例有限公司,company\n".encode("gbk")
    data = _parse(_folder(tmp_path, entities=gbk))
    (error,) = data.errors
    assert (error.code, Path(error.file or "").name, error.line) == ("not_utf8", "entities.csv", 3)
    assert "byte offset 31" in error.message
    assert "GBK" in error.message


@pytest.mark.parametrize("sep", [";", "\t"])
def test_wrong_delimiter(tmp_path: Path, sep: str) -> None:
    entities = sep.join(["id", "name", "kind"]) + "\n" + sep.join(["A", "Alpha", "company"]) + "\n"
    data = _parse(_folder(tmp_path, entities=entities))
    (error,) = data.errors
    assert (error.code, error.line) == ("wrong_delimiter", 1)
    assert "comma-separated" in error.message


def test_truncated_row_and_extra_fields(tmp_path: Path) -> None:
    ownership = "owner_id,owned_id,share,source\nA,C,10,x\nB,C\nB,C,1,x,y\n"
    data = _parse(_folder(tmp_path, ownership=ownership))
    assert _errors(data) == [
        ("truncated_row", "ownership.csv", 3, "share"),
        ("extra_fields", "ownership.csv", 4, None),
    ]


def test_unterminated_quote_is_located_at_its_start(tmp_path: Path) -> None:
    ownership = 'owner_id,owned_id,source\nA,C,ok\nB,C,"never closed\nmore\n'
    data = _parse(_folder(tmp_path, ownership=ownership))
    (error,) = data.errors
    assert (error.code, error.line) == ("bad_csv", 3)
    assert "closing quote" in error.message


def test_multiline_field_keeps_physical_line_numbers(tmp_path: Path) -> None:
    entities = 'id,name,kind\nA,"Alpha\nHoldings",company\nB,Beta,robot\n'
    data = _parse(_folder(tmp_path, entities=entities))
    assert data.entities[0].name == "Alpha Holdings"
    assert _errors(data) == [("bad_kind", "entities.csv", 4, "kind")]


def test_ten_megabyte_field_does_not_crash(tmp_path: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    entities = f"id,name,kind,notes\nA,Alpha,company,{big}\nB,Beta,person,\nC,Gamma,company,\n"
    data = _parse(_folder(tmp_path, entities=entities))
    assert data.errors == []
    assert data.entities[0].extra == (("notes", big),)
    assert len(big) < FIELD_SIZE_LIMIT


def test_field_above_the_limit_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ownergraph.loaders.csvtext.FIELD_SIZE_LIMIT", 1000)
    try:
        entities = f"id,name,kind,notes\nA,Alpha,company,ok\nB,Beta,person,{'x' * 2000}\nC,Gamma,company,\n"
        data = _parse(_folder(tmp_path, entities=entities))
    finally:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    assert _errors(data) == [("bad_csv", "entities.csv", 3, None)]
    assert "under 1,000 characters" in data.errors[0].message


def test_warnings_are_kept_not_errors(tmp_path: Path) -> None:
    ownership = "owner_id,owned_id,share\nA,C,0.6\nB,C,0.45\n"
    data = _parse(_folder(tmp_path, ownership=ownership))
    assert data.errors == []
    (warning,) = data.warnings
    assert (warning.code, warning.column) == ("percent_looks_like_fraction", "share")
    assert "looks like fractions, not percent" in warning.message
    over = _parse(_folder(tmp_path, ownership="owner_id,owned_id,share\nA,C,60\nB,C,45\n"))
    assert [(f.code, f.line) for f in over.findings] == [("shares_sum_above_100", 3)]


# --- never crash ---------------------------------------------------------------------------


def _assert_only_findings(data: Dataset) -> None:
    assert isinstance(data, Dataset)
    for f in data.findings:
        assert isinstance(f, Finding)
        assert f.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entities=st.binary(max_size=300), ownership=st.binary(max_size=300))
def test_random_bytes_never_crash(tmp_path: Path, entities: bytes, ownership: bytes) -> None:
    _assert_only_findings(_parse(_folder(tmp_path, entities=entities, ownership=ownership)))


_CELL = st.sampled_from(
    [
        "",
        "A",
        "B",
        "C",
        "Z",
        "10",
        "50.5",
        "-3",
        "150",
        "1e400",
        "nan",
        "abc",
        "2024-01-01",
        "2024-02-30",
        '"',
        '""',
        "\n",
        ",",
        "25%",
        "company",
        "person",
        "x" * 50,
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=8), max_size=6))
def test_random_near_valid_rows_never_crash(tmp_path: Path, rows: list[list[str]]) -> None:
    header = "owner_id,owned_id,share,share_min,share_max,voting_share,subscribed_capital,start"
    ownership = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    data = _parse(_folder(tmp_path, ownership=ownership))
    _assert_only_findings(data)
    for stake in data.stakes:
        assert stake.share.lower >= 0.0


def test_checks_across_parts_find_what_the_whole_finds(tmp_path: Path) -> None:
    """Cycles of whole ownership, sums over time and repeated unknown ids, one row a part (``_parse``)."""
    entities = ENTITIES + "D,Delta,company\n"
    ownership = ("owner_id,owned_id,share,start,end\nA,C,100,,\nC,D,100,,\nD,A,100,,\nB,C,30,2020-01-01,2021-01-01\n"
                 "B,D,60,,\nA,D,50,2019-01-01,\nA,Z,10,,\nB,Z,10,,\nA,C,70,2022-01-01,\n")
    data = _parse(_folder(tmp_path, entities=entities, ownership=ownership))
    assert [(f.code, f.line, f.entity_id) for f in data.findings] == [
        ("unknown_entity", 8, "Z"),
        ("unknown_entity", 9, "Z"),
        ("shares_sum_above_100", 10, "C"),
        ("shares_sum_above_100", 7, "D"),
        ("full_ownership_cycle", 2, "A"),
    ]
    assert "A -> C -> D own each other entirely" in data.findings[-1].message


def test_a_generated_registry_in_parts_gives_the_whole_parse(tmp_path: Path) -> None:
    """The benchmark's registries (hubs, chains, cycles, partnerships) read in parts of 997 rows."""
    generate(tmp_path, 1_000, seed=4)
    whole = parse_registry_csv(tmp_path)
    stream = RegistryStream(tmp_path, part_rows=997)
    parts = list(stream)
    assert {p.kind for p in parts} == {"entities", "stakes", "controls"}
    assert sum(len(p.data.stakes) for p in parts) == len(whole.stakes)
    assert sorted(stream.findings, key=repr) == sorted(whole.findings, key=repr)
    assert_same_columns(stream.columns(), Columns.from_dataset(whole))


@pytest.mark.parametrize("content", [b"\xef", b"\xef\xbb"])
def test_a_lone_start_of_a_byte_order_mark_is_not_utf8(tmp_path: Path, content: bytes) -> None:
    """Read in parts, such a file decodes as empty text: it must still be named as not UTF-8."""
    data = _parse(_folder(tmp_path, entities="id,name,kind\n", ownership=content))
    assert [(f.code, f.line) for f in data.errors] == [("not_utf8", 1)]
