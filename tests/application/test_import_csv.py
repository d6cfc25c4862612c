"""The importer's CSV files: what each cell says to ``neo4j-admin database import``."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

import pytest

from ownergraph.import_csv import ARRAY_DELIMITER, ImportCsvError, RowBytes, append_cells, write_table

PROPS = [("name", "string"), ("n", "long"), ("x", "double"), ("ok", "boolean"), ("day", "date"),
         ("at", "datetime"), ("tags", "string[]")]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_header_types_and_cells(tmp_path: Path) -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    ids = [["a", 'q"1'], ["Entity", "Entity"]]
    values = [['Quote "Co", Ltd.', ""], [3, None], [0.1 + 0.2, None], [True, False], [date(2001, 2, 3), None],
              [at, None], [["x", "y"], []]]
    table = write_table(tmp_path / "t.csv", ["id:ID(Entity)", ":LABEL"], PROPS, [(ids, values)])
    lines = _lines(tmp_path / "t.csv")
    assert lines[0] == "id:ID(Entity),:LABEL,name:string,n:long,x:double,ok:boolean,day:date,at:datetime,tags:string[]"
    rows = list(csv.reader(lines[1:]))
    assert rows[0] == ["a", "Entity", 'Quote "Co", Ltd.', "3", repr(0.1 + 0.2), "true", "2001-02-03",
                       at.isoformat(), f"x{ARRAY_DELIMITER}y"]
    assert float(rows[0][4]) == 0.1 + 0.2  # the shortest text of the same double
    # an empty string is quoted (a property holding ""), a missing value is an empty cell (no property)
    assert lines[2] == '"q""1","Entity","",,,false,,,'
    assert (table.rows, table.multiline) == (2, False)


def test_false_and_empty_lists_can_be_left_out(tmp_path: Path) -> None:
    write_table(tmp_path / "t.csv", [":ID"], [("ok", "boolean"), ("tags", "string[]")],
                [([["a", "b"]], [[False, True], [[], ["t"]]])], keep_false=False)
    assert _lines(tmp_path / "t.csv")[1:] == ['"a",,', '"b",true,"t"']


def test_a_line_break_in_a_cell_marks_the_table_multiline(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", [":ID"], [("name", "string")],
                        [([["a"]], [["one"]]), ([["b"]], [["two\nlines"]])])
    assert table.multiline
    assert table.rows == 2
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh))[2] == ["b", "two\nlines"]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [("string[]", ["a\x1fb"], "array delimiter"), ("long", [1.5], "not an integer"), ("long", [True], "not an integer"),
     ("double", ["x"], "not a number"), ("boolean", [1], "not a boolean"), ("date", ["2020-01-01"], "not a date")],
)
def test_values_the_importer_would_misread_are_refused(tmp_path: Path, kind: str, value: object,
                                                       message: str) -> None:
    with pytest.raises(ImportCsvError, match=message):
        write_table(tmp_path / "t.csv", [":ID"], [("p", kind)], [([["a"]], [[value]])])


def test_a_chunk_must_have_every_column(tmp_path: Path) -> None:
    with pytest.raises(ImportCsvError, match="columns"):
        write_table(tmp_path / "t.csv", [":ID", ":LABEL"], [("p", "string")], [([["a"]], [["x"]])])


def test_cells_appended_to_each_row_after_it_was_written(tmp_path: Path) -> None:
    """``append_cells`` finds every row again, a line break inside a cell or not."""
    layout: list[RowBytes] = []
    chunks = [([["a", "b"]], [["plain", "x"]]), ([["c", "d", "é"]], [["two\nlines", 'q"uote', "\r\n"]])]
    body = write_table(tmp_path / "body.csv", ["id:ID"], [("name", "string")], chunks, layout=layout)
    assert [n for n, _ in layout] == [2, 3]
    assert layout[0][1] is None  # no line break in the first chunk: rows end at line ends
    given = iter([b',"1"\n', b",\n", b',"3"\n', b',"4"\n', b',"5"\n'])
    rows = append_cells(body.path, tmp_path / "out.csv", layout, "n:string", lambda n: list(islice(given, n)))
    assert rows == 5
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        read = list(csv.reader(fh))
    assert read == [["id:ID", "name:string", "n:string"], ["a", "plain", "1"], ["b", "x", ""],
                    ["c", "two\nlines", "3"], ["d", 'q"uote', "4"], ["é", "\r\n", "5"]]
    with pytest.raises(ImportCsvError, match="1 cells for 2 rows"):
        append_cells(body.path, tmp_path / "bad.csv", layout, "n:string", lambda n: [b",\n"])
