"""The project's own registry interchange format: a folder of CSV files (docs/registry-csv.md).

``entities.csv`` and ``ownership.csv`` are required; ``control.csv`` and
``concert.csv`` are optional. As an extension of the spec, an optional
``links.csv`` carries typed non-ownership links that views show and control
ignores::

    source_id,target_id,link_type,start,end,source,detail
    91350100M000100Y43,91110000MA01ABCD5X,supplier,2023-01-01,,annual report 2023,

Every fault is a located :class:`graph.model.Finding` (file, physical line,
column name, "expected ..."); all are collected and returned in
``Dataset.findings``. The caller rejects the load when any is an error
(:func:`raise_if_rejected` does that).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Literal

from ownergraph.graph import identifiers
from ownergraph.graph.columnar import Columns
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.model import (
    CONTROL_BASES,
    ENTITY_KINDS,
    Concert,
    Control,
    Dataset,
    Entity,
    Finding,
    Link,
    Share,
    Stake,
)
from ownergraph.loaders.csvtext import UTF8_ONLY, Sink, open_csv, stream_csv
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.normalise import (
    clean_name,
    normalise_uscc,
    parse_iso_date,
    parse_number,
    parse_percent,
    percent_to_fraction,
    validate_lei,
    validate_uscc,
)
from ownergraph.loaders.parts import Part, PartsCheck
from ownergraph.loaders.validate import RowLines, check_dataset, fraction_column_warning

__all__ = ["RegistryStream", "parse_registry_csv", "raise_if_rejected"]

ENTITY_COLUMNS = (
    "id",
    "name",
    "kind",
    "name_en",
    "aliases",
    "jurisdiction",
    "uscc",
    "lei",
    "founded",
    "dissolved",
    "registered_capital",
    "currency",
    "status",
    "source",
    "identifiers",
)
_DATED = ("start", "end", "source")
OWNERSHIP_COLUMNS = (
    "owner_id",
    "owned_id",
    "share",
    "share_min",
    "share_max",
    "voting_share",
    "subscribed_capital",
    *_DATED,
)
CONTROL_COLUMNS = ("controller_id", "controlled_id", "basis", *_DATED)
CONCERT_COLUMNS = ("party_a", "party_b", "scope_id", *_DATED)
LINK_COLUMNS = ("source_id", "target_id", "link_type", *_DATED, "detail")


def raise_if_rejected(data: Dataset, source: str | None = None) -> Dataset:
    """Raise :class:`LoadRejected` when the load has an error; else return it unchanged."""
    if data.errors:
        raise LoadRejected(data.findings, source=source)
    return data


# --- reading one table ---------------------------------------------------------------


@dataclass(slots=True)
class _Table:
    file: str
    col: dict[str, int]
    width: int
    rows: Iterator[tuple[int, list[str]]]

    def index(self, name: str) -> int:
        """Column position, -1 when absent (an absent optional column is all unknown)."""
        return self.col.get(name, -1)


def _check_header(header: list[str], required: tuple[str, ...], file: str, sink: Sink) -> bool:
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "a tab"
        sink.error(
            "wrong_delimiter",
            f"expected comma-separated columns; the header is one column containing {sep}: "
            "save the file with ',' as the delimiter",
            file,
            1,
        )
        return False
    ok = True
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            sink.error("duplicate_column", f"expected each column once, {name!r} repeats", file, 1, name)
            ok = False
        seen.add(name)
    for name in required:
        if name not in seen:
            sink.error(
                "missing_column",
                f"expected a required column {name!r} in the header",
                file,
                1,
                name,
            )
            ok = False
    return ok


def _open_table(path: Path, required: tuple[str, ...], sink: Sink, *, stream: bool = False) -> _Table | None:
    opened = stream_csv(path, sink) if stream else open_csv(path, sink, encodings=UTF8_ONLY)
    if opened is None:
        return None
    file, header, rows = opened
    if not any(header):
        sink.error("missing_header", "expected a header row naming the columns", file, 1)
        return None
    if not _check_header(header, required, file, sink):
        return None
    col = {name: i for i, name in enumerate(header) if name}
    return _Table(file, col, len(header), rows)


# --- cells ---------------------------------------------------------------------------


class _Cells:
    """Cell converters that report faults at (file, line, column) and return None."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.file = ""
        self.line = 0
        self.dates: dict[str, date] = {}  # few distinct dates recur across millions of rows
        self.percents = _PercentColumns({}, {}, [], [], {"share": 0, "voting_share": 0})

    def fail(self, code: str, column: str, message: str) -> None:
        self.sink.error(code, message, self.file, self.line, column)

    def date(self, text: str, column: str) -> date | None:
        if not text:
            return None
        hit = self.dates.get(text)
        if hit is not None:
            return hit
        try:
            value = parse_iso_date(text)
        except ValueError as exc:
            self.fail("bad_date", column, str(exc))
            return None
        self.dates[text] = value
        return value

    def number(self, text: str, column: str) -> float | None:
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            try:
                value = parse_number(text)
            except ValueError as exc:
                self.fail("bad_number", column, str(exc))
                return None
        if not 0.0 <= value < _INF:  # also refuses nan
            self.fail("bad_number", column, f"expected a non-negative number, got {text!r}")
            return None
        return value

    def percent(self, text: str, column: str) -> float | None:
        """A percent 0-100 as written (not yet a fraction), or None."""
        if not text:
            return None
        try:
            value = float(text)  # the fast path: almost every cell is a plain number
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 100.0:
            try:
                value = parse_percent(text)
            except ValueError as exc:
                self.fail("share_out_of_range" if _numeric(text) else "bad_share", column, str(exc))
                return None
        return value


def _numeric(text: str) -> bool:
    # One trailing "%" makes a number a percent; "25%%" is malformed, not out of range.
    try:
        float(text.strip().removesuffix("%"))
    except ValueError:
        return False
    return True


# --- entities.csv --------------------------------------------------------------------


def _parse_entities(table: _Table, cells: _Cells, data: Dataset, where: RowLines) -> None:
    # Each row padded with one empty cell, where a column the file lacks reads from.
    missing = table.width
    take = itemgetter(*(table.col.get(name, missing) for name in ENTITY_COLUMNS))
    extra_cols = [(name, i) for name, i in table.col.items() if name not in ENTITY_COLUMNS]
    cells.file = table.file
    add_line = where.lines_for("entities", table.file).append
    strip = str.strip
    for line, row in table.rows:
        cells.line = line
        row.append("")
        entity = _entity_row(tuple(map(strip, take(row))), cells, extra_cols, row)
        if entity is not None:
            add_line(line)
            data.entities.append(entity)


def _entity_row(
    values: tuple[str, ...], cells: _Cells, extra_cols: list[tuple[str, int]], row: list[str]
) -> Entity | None:
    """One entity from its stripped cells, in the order of ``ENTITY_COLUMNS``."""
    (eid, name, kind, name_en, alias_text, jurisdiction, uscc, lei, founded, dissolved, capital, currency, status,
     source, identifier_text) = values
    name = clean_name(name)
    if not eid:
        cells.fail("missing_value", "id", "expected an entity id, the cell is empty")
        return None
    if not name:
        cells.fail("missing_value", "name", f"expected a name for entity {eid!r}")
    if kind not in ENTITY_KINDS or kind == "unknown":
        cells.fail(
            "bad_kind",
            "kind",
            f"expected kind one of {_KINDS_TEXT}, got {kind!r}",
        )
        kind = "unknown"  # keeps the row so edges to it do not add spurious faults
    uscc = normalise_uscc(uscc) if uscc else ""
    if uscc and (msg := validate_uscc(uscc)):
        cells.fail("bad_uscc", "uscc", msg)
    lei = lei.upper()
    if lei and (msg := validate_lei(lei)):
        cells.fail("bad_lei", "lei", msg)
    jurisdiction = jurisdiction.upper()
    if jurisdiction and not _is_jurisdiction(jurisdiction):
        cells.fail(
            "bad_jurisdiction",
            "jurisdiction",
            f"expected an ISO 3166 code such as CN, GB or CN-SC, got {jurisdiction!r}",
        )
    currency = currency.upper()
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        cells.fail("bad_currency", "currency", f"expected an ISO 4217 code such as CNY or USD, got {currency!r}")
    idents = _identifiers(identifier_text, cells) if identifier_text else ()
    aliases = tuple(a for a in map(clean_name, alias_text.split("|")) if a) if alias_text else ()
    extra = tuple(sorted((k, row[i]) for k, i in extra_cols if row[i].strip())) if extra_cols else ()
    return Entity(
        id=eid,
        name=name,
        kind=sys.intern(kind),
        name_en=clean_name(name_en) or None if name_en else None,
        aliases=aliases,
        jurisdiction=_shared(jurisdiction or None),
        uscc=uscc or None,
        lei=lei or None,
        founded=cells.date(founded, "founded"),
        dissolved=cells.date(dissolved, "dissolved"),
        registered_capital=cells.number(capital, "registered_capital"),
        currency=_shared(currency or None),
        status=_shared(status or None),
        source=_shared(source or None),
        extra=extra,
        identifiers=idents,
    )


def _identifiers(text: str, cells: _Cells) -> tuple[tuple[str, str], ...]:
    """``SCHEME:value|SCHEME:value`` (graph/identifiers.py); one failing its check is a warning, kept, never merged."""
    found: dict[tuple[str, str], None] = {}
    for part in (p.strip() for p in text.split("|") if p.strip()):
        scheme, sep, value = part.partition(":")
        if not sep:
            cells.sink.warn("bad_identifier", f"expected SCHEME:value such as GB-COH:02723534, got {part!r}",
                            cells.file, cells.line, "identifiers")
            continue
        name, normal, problem = identifiers.normalise(scheme, value)
        if problem:
            cells.sink.warn("bad_identifier", f"{part!r}: {problem}; kept, never merged on", cells.file, cells.line,
                            "identifiers")
        found[(name, value.strip() if problem else normal)] = None
    return tuple(found)


def _shared(text: str | None) -> str | None:
    """One string object for each of the few values of a column (kinds, jurisdictions, sources)."""
    return None if text is None else sys.intern(text)


_KINDS_TEXT = ", ".join(k for k in ENTITY_KINDS if k != "unknown")


def _is_jurisdiction(code: str) -> bool:
    country, dash, sub = code.partition("-")
    return (
        len(country) == 2
        and country.isascii()
        and country.isalpha()
        and (not dash or (0 < len(sub) <= 3 and sub.isascii() and sub.isalnum()))
    )


# --- ownership.csv -------------------------------------------------------------------


@dataclass(slots=True)
class _PercentColumns:
    """Percent values per column as written, for the column-wide fraction check.

    Exact shares are kept per distinct cell text (the parse cache doubles as
    the record of values seen); ``rows`` counts the cells behind them.
    """

    share: dict[str, float]
    voting_share: dict[str, float]
    share_min: list[float]
    share_max: list[float]
    rows: dict[str, int]


def _parse_ownership(table: _Table, cells: _Cells, data: Dataset, where: RowLines) -> None:
    ix = [table.index(c) for c in OWNERSHIP_COLUMNS]
    i_owner, i_owned, i_share, i_min, i_max, i_vote, i_sub, i_start, i_end, i_src = ix
    seen = cells.percents
    cells.file = table.file
    stakes = data.stakes
    stake_lines = where.lines_for("stakes", table.file).append
    # Frozen Shares are shared between rows with the same text: a million rows
    # hold a few thousand distinct percents, so parsing each once saves most of the work.
    shares: dict[str, Share] = {}
    votes: dict[str, Share] = {}
    dates = cells.dates
    # The ends of a stake share the id strings of their entities (a million rows hold two
    # million id strings otherwise), and repeated sources share one string (``_shared``).
    known_ids = {e.id: e.id for e in data.entities}.get
    share_rows = vote_rows = 0
    for line, row in table.rows:
        cells.line = line
        owner, owned = row[i_owner].strip(), row[i_owned].strip()
        if not owner or not owned:
            cells.fail(
                "missing_value",
                "owner_id" if not owner else "owned_id",
                "expected an entities.csv id, the cell is empty",
            )
            continue
        share = _NO_SHARE
        text = row[i_share] if i_share >= 0 else ""
        if text:
            share_rows += 1
            share = shares.get(text) or _cached_share(text, "share", cells, shares, seen.share)
        if i_min >= 0 or i_max >= 0:
            lo_text = row[i_min] if i_min >= 0 else ""
            hi_text = row[i_max] if i_max >= 0 else ""
            if lo_text or hi_text:
                share = _interval(share, lo_text, hi_text, cells, seen)
        voting = None
        if i_vote >= 0 and (text := row[i_vote]):
            vote_rows += 1
            voting = votes.get(text) or _cached_share(text, "voting_share", cells, votes, seen.voting_share)
            if voting is _NO_SHARE:
                voting = None
        sub = None
        if i_sub >= 0 and (text := row[i_sub]):
            try:
                sub = float(text)
            except ValueError:
                sub = -1.0
            if not 0.0 <= sub < _INF:  # also refuses nan
                sub = cells.number(text, "subscribed_capital")
        start = end = None
        if i_start >= 0 and (text := row[i_start]):
            start = dates.get(text) or cells.date(text, "start")
        if i_end >= 0 and (text := row[i_end]):
            end = dates.get(text) or cells.date(text, "end")
        stake_lines(line)
        source = _shared(row[i_src] or None) if i_src >= 0 else None
        stakes.append(
            Stake(
                known_ids(owner, owner),
                known_ids(owned, owned),
                share,
                voting,
                sub,
                False,
                start,
                end,
                source,
            )
        )
    seen.rows["share"] += share_rows
    seen.rows["voting_share"] += vote_rows


def _cached_share(text: str, column: str, cells: _Cells, cache: dict[str, Share], percents: dict[str, float]) -> Share:
    """Parse a percent cell once per distinct text; a bad cell is reported every time it occurs."""
    p = cells.percent(text, column)
    if p is None:
        return _NO_SHARE
    share = Share(exact=percent_to_fraction(p))
    cache[text] = share
    percents[text] = p
    return share


_NO_SHARE = Share()
_INF = float("inf")


def _interval(share: Share, lo_text: str, hi_text: str, cells: _Cells, seen: _PercentColumns) -> Share:
    lo = cells.percent(lo_text, "share_min") if lo_text else None
    hi = cells.percent(hi_text, "share_max") if hi_text else None
    if lo is not None:
        seen.share_min.append(lo)
    if hi is not None:
        seen.share_max.append(hi)
    if lo is not None and hi is not None and lo > hi:
        cells.fail("bad_interval", "share_min", f"expected share_min <= share_max, got {lo_text} > {hi_text}")
        return share
    if share.exact is not None:
        p = share.exact * 100.0
        if (lo is not None and p < lo - 1e-9) or (hi is not None and p > hi + 1e-9):
            cells.fail(
                "bad_interval",
                "share",
                f"expected share within share_min..share_max, got {p:g} outside {lo_text or '0'}..{hi_text or '100'}",
            )
        return share  # the exact value says more than its bounds
    return Share(
        minimum=percent_to_fraction(lo) if lo is not None else None,
        maximum=percent_to_fraction(hi) if hi is not None else None,
    )


# --- control.csv, concert.csv, links.csv ---------------------------------------------


def _ids(row: list[str], cells: _Cells, columns: tuple[tuple[str, int], ...]) -> list[str] | None:
    values = []
    for name, i in columns:
        value = row[i].strip()
        if not value:
            cells.fail("missing_value", name, "expected an entities.csv id, the cell is empty")
            return None
        values.append(value)
    return values


def _dated(table: _Table, row: list[str], cells: _Cells) -> tuple[date | None, date | None, str | None]:
    i_start, i_end, i_src = table.index("start"), table.index("end"), table.index("source")
    return (
        cells.date(row[i_start].strip(), "start") if i_start >= 0 else None,
        cells.date(row[i_end].strip(), "end") if i_end >= 0 else None,
        (row[i_src].strip() or None) if i_src >= 0 else None,
    )


def _parse_control(table: _Table, cells: _Cells, data: Dataset, where: RowLines) -> None:
    cols = (("controller_id", table.col["controller_id"]), ("controlled_id", table.col["controlled_id"]))
    i_basis = table.col["basis"]
    cells.file = table.file
    for line, row in table.rows:
        cells.line = line
        ids = _ids(row, cells, cols)
        basis = row[i_basis].strip()
        if basis not in CONTROL_BASES:
            cells.fail("bad_basis", "basis", f"expected basis one of {', '.join(CONTROL_BASES)}, got {basis!r}")
            continue
        if ids is None:
            continue
        start, end, source = _dated(table, row, cells)
        where.add("controls", table.file, line)
        data.controls.append(Control(ids[0], ids[1], basis, start, end, source))


def _parse_concert(table: _Table, cells: _Cells, data: Dataset, where: RowLines) -> None:
    cols = (("party_a", table.col["party_a"]), ("party_b", table.col["party_b"]))
    i_scope = table.index("scope_id")
    cells.file = table.file
    for line, row in table.rows:
        cells.line = line
        ids = _ids(row, cells, cols)
        if ids is None:
            continue
        scope = (row[i_scope].strip() or None) if i_scope >= 0 else None
        start, end, source = _dated(table, row, cells)
        where.add("concerts", table.file, line)
        data.concerts.append(Concert(ids[0], ids[1], scope, start, end, source))


def _parse_links(table: _Table, cells: _Cells, data: Dataset, where: RowLines) -> None:
    cols = (("source_id", table.col["source_id"]), ("target_id", table.col["target_id"]))
    i_type, i_detail = table.col["link_type"], table.index("detail")
    cells.file = table.file
    for line, row in table.rows:
        cells.line = line
        ids = _ids(row, cells, cols)
        link_type = row[i_type].strip()
        if not link_type:
            cells.fail(
                "missing_value", "link_type", "expected a link type such as supplier or customer, the cell is empty"
            )
            continue
        if ids is None:
            continue
        start, end, source = _dated(table, row, cells)
        detail = (row[i_detail].strip() or None) if i_detail >= 0 else None
        where.add("links", table.file, line)
        data.links.append(Link(ids[0], ids[1], link_type, start, end, source, detail))


# --- the folder ----------------------------------------------------------------------

_Parser = Callable[[_Table, _Cells, Dataset, RowLines], None]
_KINDS = {"entities.csv": "entities", "ownership.csv": "stakes", "control.csv": "controls",
          "concert.csv": "concerts", "links.csv": "links"}
PART_ROWS = 200_000  # rows parsed at a time by ``RegistryStream``
_FILES: tuple[tuple[str, tuple[str, ...], Literal["required", "optional"], _Parser], ...] = (
    ("entities.csv", ("id", "name", "kind"), "required", _parse_entities),
    ("ownership.csv", ("owner_id", "owned_id"), "required", _parse_ownership),
    ("control.csv", ("controller_id", "controlled_id", "basis"), "optional", _parse_control),
    ("concert.csv", ("party_a", "party_b"), "optional", _parse_concert),
    ("links.csv", ("source_id", "target_id", "link_type"), "optional", _parse_links),
)


def parse_registry_csv(folder: Path) -> Dataset:
    """Parse a registry-csv folder into records plus every located finding.

    Shares come out as fractions. Nothing is raised for faults in the data:
    they are findings (``data.errors``); pass the result to
    :func:`raise_if_rejected` to refuse a faulty load.
    """
    with gc_paused():
        return _parse_folder(folder)


def _parse_folder(folder: Path) -> Dataset:
    data = Dataset()
    sink = Sink()
    cells = _Cells(sink)
    where = RowLines()
    for kind, table, parse in _tables(folder, sink):
        parse(table, cells, data, where)
        if kind == "stakes":
            _fraction_warnings(cells.percents, table.file, sink)
    data.findings = sink.findings
    data.findings.extend(f for f in check_dataset(data, locations=where, file=None, skip=_ROW_CHECKED))
    data.origins = where
    return data


def _tables(folder: Path, sink: Sink, *, stream: bool = False) -> Iterator[tuple[str, _Table, _Parser]]:
    """The folder's files in order (entities first), each opened with its header checked."""
    if not folder.is_dir():
        sink.error("missing_folder", "expected a folder holding entities.csv and ownership.csv", str(folder), None)
        return
    for name, required, need, parse in _FILES:
        path = folder / name
        if not path.is_file():
            if need == "required":
                sink.error("missing_file", f"expected a required file {name} in the folder", str(path), None)
            continue
        table = _open_table(path, required, sink, stream=stream)
        if table is not None:
            yield _KINDS[name], table, parse


class RegistryStream:
    """A registry-csv folder read a part at a time (``loaders.parts``): the records, checks and
    findings of ``parse_registry_csv``, holding one part of records and the load's columns.

    Take the parts first; then ``columns()`` gives the load's columns and
    ``findings`` every finding (the caller rejects the load on any error).
    """

    def __init__(self, folder: Path, *, part_rows: int = PART_ROWS) -> None:
        self.folder = folder
        self.part_rows = part_rows
        self.sink = Sink()
        self.check = PartsCheck(skip=_ROW_CHECKED)
        self._columns: Columns | None = None

    def __iter__(self) -> Iterator[Part]:
        cells = _Cells(self.sink)
        with gc_paused():
            for kind, table, parse in _tables(self.folder, self.sink, stream=True):
                while rows := list(islice(table.rows, self.part_rows)):
                    part = Part(kind, Dataset())
                    parse(replace(table, rows=iter(rows)), cells, part.data, part.where)
                    del rows
                    if getattr(part.data, kind):  # not when every row of the part was refused
                        self.check.add(part)
                        yield part
                if kind == "stakes":
                    _fraction_warnings(cells.percents, table.file, self.sink)
        self._columns = self.check.finish()

    def columns(self) -> Columns:
        """The load's columns, handed over once: the stream keeps no reference, so they are freed
        as soon as the caller is done with them."""
        if self._columns is None:
            raise RuntimeError("the columns are there once every part has been taken, and handed over once")
        cols, self._columns = self._columns, None
        return cols

    @property
    def findings(self) -> list[Finding]:
        return [*self.sink.findings, *self.check.findings]


# Faults already reported row by row; check_dataset would only repeat them.
_ROW_CHECKED = frozenset({"bad_kind", "bad_basis", "percent_looks_like_fraction"})


def _fraction_warnings(seen: _PercentColumns, file: str, sink: Sink) -> None:
    columns: dict[str, list[float]] = {
        "share": list(seen.share.values()),
        "share_min": seen.share_min,
        "share_max": seen.share_max,
        "voting_share": list(seen.voting_share.values()),
    }
    for column, values in columns.items():
        if len(values) == 1 and seen.rows.get(column, 0) > 1:
            values = values * 2  # one distinct value on several rows still makes a column
        finding = fraction_column_warning(values, file=file, column=column)
        if finding is not None:
            sink.findings.append(finding)
