"""CSV files for ``neo4j-admin database import``, written a column at a time.

A table is a header of fixed columns (``id:ID(Entity)``, ``:START_ID(Entity)``,
``:LABEL``...) and typed property columns (``founded:date``). Rows come in
chunks of columns: each column of a chunk is formatted by one list
comprehension for its type, and the rows are joined from the formatted
columns, so the cost per cell is a few bytecodes instead of a dictionary per
row. Formatting follows the importer's rules: strings always quoted (a quoted
``""`` is an empty string, an empty cell is no property), doubles in their
shortest round-trip text, arrays joined with ``ARRAY_DELIMITER``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# A unit separator never occurs in registry text, unlike the default ";".
ARRAY_DELIMITER = "\x1f"
CHUNK = 50_000  # rows formatted at a time: bounded memory whatever the table's size

Chunk = tuple[Sequence[Sequence[str]], Sequence[Sequence[Any]]]  # (fixed columns, property columns)
# Where the rows of a chunk end: (rows, the bytes of each row when one holds a line break, else None).
RowBytes = tuple[int, list[int] | None]


@dataclass(frozen=True)
class Same(Sequence[Any]):
    """A column of ``n`` cells that all hold ``value``: formatted once, not once a row.

    >>> list(Same("x", 2)), len(Same(None, 0))
    (['x', 'x'], 0)
    """

    value: Any
    n: int

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.value] * len(range(*i.indices(self.n)))
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return self.value


class ImportCsvError(ValueError):
    """A value the importer's CSV cannot carry faithfully."""


@dataclass
class Table:
    """One CSV file for the importer and what was written to it."""

    path: Path
    rows: int = 0
    multiline: bool = False  # a cell holds a line break: the importer must read multi-line fields


def write_table(
    path: Path,
    fixed: Sequence[str],
    props: Sequence[tuple[str, str]],
    chunks: Iterable[Chunk],
    *,
    keep_false: bool = True,
    layout: list[RowBytes] | None = None,
) -> Table:
    """Write ``chunks`` under the header ``fixed`` + ``name:type`` of each of ``props``.

    ``keep_false`` False leaves ``False`` and ``[]`` out like ``None`` (the
    records' ``_present``: a flag that is not set is not stored). ``layout``,
    when given, receives where each chunk's rows end, for ``append_cells``.
    """
    header = [*fixed, *(f"{name}:{kind}" for name, kind in props)]
    formats = [_FORMATS[kind] for _, kind in props]
    names = [name for name, _ in props]
    table = Table(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for ids, values in chunks:
            if len(ids) != len(fixed) or len(values) != len(props):
                raise ImportCsvError(f"{path.name}: a chunk of {len(ids)}+{len(values)} columns for "
                                     f"{len(fixed)}+{len(props)}")
            cells = [_formatted(_string, col, "", True) for col in ids]
            cells += [_formatted(fmt, col, name, keep_false) for fmt, col, name in zip(formats, values, names,
                                                                                         strict=True)]
            lines = list(map(",".join, zip(*cells, strict=True)))
            if not lines:
                continue
            body = "\n".join(lines)
            broken = body.count("\n") != len(lines) - 1
            if broken or "\r" in body:
                table.multiline = True
            if layout is not None:
                layout.append((len(lines), [len(line.encode()) for line in lines] if broken else None))
            fh.write(body)
            fh.write("\n")
            table.rows += len(lines)
    return table


def append_cells(source: Path, target: Path, layout: Sequence[RowBytes], header: str,
                 cells: Callable[[int], list[bytes]]) -> int:
    """Copy the table ``source`` (written with ``layout``) to ``target`` with more columns: ``header``
    after its header, and after each row the bytes ``cells(n)`` gives for the chunk's next ``n``
    rows (each with its leading comma and its line end). Returns the rows written.

    For columns known only once every row has been written (what a whole-graph pass gives).
    """
    rows = 0
    with source.open("rb") as src, target.open("wb") as out:
        out.write(src.readline().rstrip(b"\n") + b"," + header.encode() + b"\n")
        for n, lengths in layout:
            if lengths is None:
                lines = [src.readline()[:-1] for _ in range(n)]
            else:
                lines = [src.read(k + 1)[:-1] for k in lengths]
            ends = cells(n)
            if len(ends) != n:
                raise ImportCsvError(f"{target.name}: {len(ends)} cells for {n} rows")
            out.write(b"".join(itertools.chain.from_iterable(zip(lines, ends, strict=True))))
            rows += n
    return rows


def chunked(n: int, size: int = CHUNK) -> Iterable[slice]:
    """Slices of ``range(n)`` of at most ``size``.

    >>> list(chunked(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    return (slice(i, min(i + size, n)) for i in range(0, n, size))


def _formatted(fmt: Callable[[Sequence[Any], str, bool], list[str]], col: Sequence[Any], name: str,
               keep_false: bool) -> Sequence[str]:
    if isinstance(col, Same):
        return [fmt([col.value], name, keep_false)[0]] * col.n if col.n else []
    return fmt(col, name, keep_false)


def _string(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    return ["" if v is None else '"' + str(v).replace('"', '""') + '"' for v in col]


def _long(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    if any(v is not None and (type(v) is bool or not isinstance(v, int)) for v in col):
        raise ImportCsvError(f"property {name!r} holds a value that is not an integer")
    return ["" if v is None else str(v) for v in col]


def _double(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    # repr: the shortest text that parses back to the same double
    try:
        return ["" if v is None else repr(float(v)) for v in col]
    except (TypeError, ValueError):
        raise ImportCsvError(f"property {name!r} holds a value that is not a number") from None


def _boolean(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    if any(v is not None and type(v) is not bool for v in col):
        raise ImportCsvError(f"property {name!r} holds a value that is not a boolean")
    no = "false" if keep_false else ""
    return ["" if v is None else ("true" if v else no) for v in col]


def _day(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    # A registry's days are a few thousand values over millions of cells: each formatted once.
    get = _DAY_TEXT.get
    try:
        return [text if (text := get(v)) is not None else _day_text(v, name) for v in col]
    except TypeError:  # an unhashable value: not a date
        raise ImportCsvError(f"property {name!r} holds a value that is not a date") from None


_DAY_TEXT: dict[date | None, str] = {None: ""}


def _day_text(value: Any, name: str) -> str:
    if not isinstance(value, date):
        raise ImportCsvError(f"property {name!r} holds a value that is not a date")
    text = value.isoformat()
    if len(_DAY_TEXT) < 1 << 16:  # times (a run's clock) would not repeat: the cache stays small
        _DAY_TEXT[value] = text
    return text


def _array(col: Sequence[Any], name: str, keep_false: bool) -> list[str]:
    out = []
    for v in col:
        if not v:
            out.append("")  # not stored (write_dataset stores []: reads treat a missing list and [] alike)
            continue
        joined = ARRAY_DELIMITER.join(map(str, v))
        if joined.count(ARRAY_DELIMITER) != len(v) - 1:
            raise ImportCsvError(f"property {name!r} holds the array delimiter U+001F")
        out.append('"' + joined.replace('"', '""') + '"')
    return out


_FORMATS: dict[str, Callable[[Sequence[Any], str, bool], list[str]]] = {
    "string": _string,
    "long": _long,
    "double": _double,
    "boolean": _boolean,
    "date": _day,
    "datetime": _day,
    "string[]": _array,
}
