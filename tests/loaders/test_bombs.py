"""Hostile files: decompression bombs, the XLSX dimension bomb, huge integers, deep nesting.

Each is refused with a located finding, quickly and without inflating the bomb: the
peak memory of the parse is measured with tracemalloc (Python allocations).
"""

from __future__ import annotations

import gzip
import io
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from ownergraph.graph.model import Finding
from ownergraph.loaders.cn_registry import MAX_XLSX_ROWS
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.inflate import InflateLimit, gunzip, inflate_limit, read_member
from ownergraph.pipeline import parse

MB = 1024 * 1024
CAP = 32 * MB  # the inflate cap the tests run under (the API's default is 256 MiB)


def _refused(fmt: str, path: Path) -> tuple[list[Finding], float]:
    """The findings of a refused parse and its seconds (no memory tracing: it slows the parse down)."""
    started = time.monotonic()
    with inflate_limit(CAP), pytest.raises(LoadRejected) as caught:
        parse(fmt, path)
    return caught.value.findings, time.monotonic() - started


def _rejected(fmt: str, path: Path) -> tuple[list[Finding], float, int]:
    """The findings of a refused parse, its seconds and its peak Python memory (bytes)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with inflate_limit(CAP), pytest.raises(LoadRejected) as caught:
            parse(fmt, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value.findings, time.monotonic() - started, peak


def _gzip_bomb(inflated: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        chunk = b" " * MB
        for _ in range(inflated // MB):
            gz.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_bomb(1024 * MB)  # 1 GiB of spaces in about 1 MB


@pytest.mark.parametrize("fmt", ["bods", "ftm"])
def test_gzip_bomb_stops_at_the_cap(tmp_path: Path, gzip_bomb: bytes, fmt: str) -> None:
    path = tmp_path / "statements.json.gz"
    path.write_bytes(gzip_bomb)
    findings, seconds, peak = _rejected(fmt, path)
    assert [f.code for f in findings] == ["too_large"]
    assert findings[0].file == "statements.json.gz"
    assert peak < 3 * CAP  # never the whole gibibyte
    assert seconds < 10


def test_gzip_bomb_inside_a_gleif_zip_member_stops_at_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "rr.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("rr.csv", "w", force_zip64=True) as member:
        chunk = b"x" * MB
        for _ in range(512):
            member.write(chunk)
    findings, seconds, peak = _rejected("gleif", path)
    assert "too_large" in [f.code for f in findings]
    assert peak < 3 * CAP
    assert seconds < 10


def test_zip_member_lying_about_its_size_stops_at_the_cap() -> None:
    """The cap counts the bytes inflated, not what the member's header declares."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"y" * (4 * MB))
    with zipfile.ZipFile(buffer) as archive:
        info = archive.infolist()[0]
        with pytest.raises(InflateLimit):
            read_member(archive, info, limit=MB)
        assert len(read_member(archive, info, limit=8 * MB)) == 4 * MB


def test_gunzip_reads_every_member_and_refuses_a_truncated_stream() -> None:
    data = gzip.compress(b"a" * 1000) + gzip.compress(b"b")
    assert gunzip(data) == b"a" * 1000 + b"b"
    with pytest.raises(EOFError):
        gunzip(data[:20])


# --- XLSX -------------------------------------------------------------------------------------------

ROWS = [["股东名称", "企业名称", "持股比例"], ["甲公司", "乙公司", "51%"]]


def _xlsx(path: Path, edit: Callable[[str], str]) -> Path:
    workbook = openpyxl.Workbook()
    for row in ROWS:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            out.writestr(item, data)
    return path


def test_dimension_bomb_reads_only_the_real_cells(tmp_path: Path) -> None:
    """2 KB declaring A1:XFD1048576: without the reset, openpyxl would pad every row to 16,384 cells."""
    path = _xlsx(tmp_path / "dim.xlsx", lambda xml: re.sub(r'<dimension ref="[^"]*"/>',
                                                            '<dimension ref="A1:XFD1048576"/>', xml))
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        with inflate_limit(CAP):
            data = parse("cn-registry", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(s.owner_id, s.owned_id) for s in data.stakes] == [("甲公司", "乙公司")] or len(data.stakes) == 1
    assert time.monotonic() - started < 5
    assert peak < 50 * MB


def test_a_cell_in_the_last_column_is_a_located_error(tmp_path: Path) -> None:
    far = '<row r="1048570"><c r="XFD1048570" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _xlsx(tmp_path / "far.xlsx", lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))
    findings, seconds = _refused("cn-registry", path)
    assert [(f.code, f.line, f.column) for f in findings] == [("too_many_columns", 1048570, "XFD")]
    assert seconds < 5


def test_rows_past_the_sheet_limit_are_a_located_error(tmp_path: Path) -> None:
    far = '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _xlsx(tmp_path / "rows.xlsx", lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))
    findings, seconds = _refused("cn-registry", path)
    assert [(f.code, f.line) for f in findings] == [("too_many_rows", MAX_XLSX_ROWS + 1)]  # where the cap is passed
    assert seconds < 5


def test_xlsx_whose_parts_inflate_past_the_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    filler = "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>" + "z" * (40 * MB) + "</t></is></c></row>"
    path = _xlsx(tmp_path / "big.xlsx", lambda xml: xml.replace("</sheetData>", filler + "</sheetData>"))
    assert path.stat().st_size < MB
    findings, seconds, peak = _rejected("cn-registry", path)
    assert [f.code for f in findings] == ["too_large"]
    assert seconds < 5
    assert peak < 10 * MB


# --- JSON --------------------------------------------------------------------------------------------


def test_json_integer_over_4300_digits_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text('[{"statementID": "a"},\n {"x": ' + "9" * 5000 + "}]", encoding="utf-8")
    findings, _, _ = _rejected("bods", path)
    assert [(f.code, f.file, f.line, f.column) for f in findings] == [("number_too_long", "huge.json", 2, "8")]


def test_json_lines_integer_over_4300_digits_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_text('{"id": "a", "schema": "Company"}\n{"id": "b", "n": ' + "1" * 9000 + "}\n", encoding="utf-8")
    findings, _, _ = _rejected("ftm", path)
    assert [(f.code, f.line, f.column) for f in findings if f.code == "number_too_long"] == [
        ("number_too_long", 2, "18")
    ]


@pytest.mark.parametrize("depth", [10_000, 1_000_000])
def test_deep_nesting_is_a_located_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    findings, seconds, _ = _rejected("bods", path)
    assert [(f.code, f.line, f.column) for f in findings] == [("malformed_json", 1, "501")]
    assert seconds < 10


def test_control_characters_are_removed_from_names_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    (folder / "entities.csv").write_text(
        "id,name,kind\na,\"Acme\x1b]0;pwned\x07 Ltd\u202e\",company\nb,Beta,person\n", encoding="utf-8")
    (folder / "ownership.csv").write_text("owner_id,owned_id,share\nb,a,60%\n", encoding="utf-8")
    data = parse("registry-csv", folder)
    assert {e.id: e.name for e in data.entities}["a"] == "Acme]0;pwned Ltd"
    warnings = [f for f in data.findings if f.code == "control_characters_removed"]
    assert [(w.severity, w.file) for w in warnings] == [("warning", "reg")]
    assert "Acme]0;pwned Ltd" in warnings[0].message
