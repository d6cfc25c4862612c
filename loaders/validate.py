"""Cross-record checks shared by every loader (control.md section 1, "data faults").

A parser checks what one cell or one row can tell (a bad number, a bad date);
:func:`check_dataset` checks what needs the whole load: duplicate ids, edges
to unknown entities, shares out of range, reversed validity, self-stakes,
companies owned above 100%, percent columns holding fractions, and 100% cycles.

Records do not carry their position in the file, so a parser that wants
located findings passes ``locations``: a mapping from (list name, index in
that list) to (file, line), e.g. ``{("stakes", 0): ("ownership.csv", 2)}``.
Keys by position (not by record key) keep two identical rows apart.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from datetime import date
from operator import attrgetter, eq
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ownergraph.graph.columnar import OPEN_END, OPEN_START, Columns
from ownergraph.graph.components import cycles, strong_components
from ownergraph.graph.model import (
    CONTROL_BASES,
    ENTITY_KINDS,
    Control,
    Dataset,
    Finding,
    Share,
    Stake,
)

__all__ = [
    "SUM_TOLERANCE",
    "ArrayLines",
    "Locations",
    "RowLines",
    "check_columns",
    "check_dataset",
    "fraction_column_warning",
    "looks_like_fractions",
]

Locations = Mapping[tuple[str, int], tuple[str, int]]


class RowLines(Mapping[tuple[str, int], tuple[str, int]]):
    """A compact :data:`Locations`: one file per record list and an int per record.

    A plain dict of tuples costs about 200 bytes per record; a million-row
    ownership.csv needs something leaner.

    >>> lines = RowLines()
    >>> lines.add("stakes", "ownership.csv", 2)
    >>> lines[("stakes", 0)]
    ('ownership.csv', 2)
    """

    def __init__(self) -> None:
        self._file: dict[str, str] = {}
        self._lines: dict[str, list[int]] = {}
        self._pointers: dict[str, list[str]] = {}  # JSON sources: each record's pointer ("" in JSON Lines)

    def add(self, kind: str, file: str, line: int) -> None:
        """Record the line of the next record appended to the list ``kind``."""
        self._file.setdefault(kind, file)
        self._lines.setdefault(kind, []).append(line)

    def lines_for(self, kind: str, file: str) -> list[int]:
        """The list to append line numbers to, for a parser's hot loop."""
        self._file.setdefault(kind, file)
        return self._lines.setdefault(kind, [])

    def pointers_for(self, kind: str) -> list[str]:
        """The list of JSON pointers (one per record of ``kind``, aligned with its lines)."""
        return self._pointers.setdefault(kind, [])

    def pointer(self, kind: str, index: int) -> str | None:
        """The JSON pointer of a record inside an array file ("/12"); None in other sources.

        >>> lines = RowLines()
        >>> lines.lines_for("stakes", "a.json").append(0)
        >>> lines.pointers_for("stakes").append("/3")
        >>> lines.pointer("stakes", 0), lines.pointer("stakes", 1)
        ('/3', None)
        """
        pointers = self._pointers.get(kind)
        if pointers is None or not 0 <= index < len(pointers):
            return None
        return pointers[index] or None

    def __getitem__(self, key: tuple[str, int]) -> tuple[str, int]:
        kind, index = key
        lines = self._lines.get(kind)
        if lines is None or not 0 <= index < len(lines):
            raise KeyError(key)
        return self._file[kind], lines[index]

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        lines = self._lines.get(key[0])
        return lines is not None and isinstance(key[1], int) and 0 <= key[1] < len(lines)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for kind, lines in self._lines.items():
            for i in range(len(lines)):
                yield kind, i

    def __len__(self) -> int:
        return sum(len(v) for v in self._lines.values())

    def file_of(self, kind: str) -> str | None:
        return self._file.get(kind)


class ArrayLines(Mapping[tuple[str, int], tuple[str, int]]):
    """:data:`Locations` of one list of records in one file: a line number per record in an array
    (4 bytes a record, for the stakes of a national registry).

    >>> lines = ArrayLines("stakes", "ownership.csv", np.array([2, 5], dtype=np.int32))
    >>> lines[("stakes", 1)], ("stakes", 2) in lines, len(lines)
    (('ownership.csv', 5), False, 2)
    """

    def __init__(self, kind: str, file: str, lines: NDArray[np.int32]) -> None:
        self.kind, self.file, self.lines = kind, file, lines

    def __getitem__(self, key: tuple[str, int]) -> tuple[str, int]:
        kind, index = key
        if kind != self.kind or not 0 <= index < self.lines.size:
            raise KeyError(key)
        return self.file, int(self.lines[index])

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return ((self.kind, i) for i in range(self.lines.size))

    def __len__(self) -> int:
        return int(self.lines.size)


_INF = float("inf")
SUM_TOLERANCE = 0.005  # 0.5 percentage point of rounding, as control.md allows
_FULL = 1.0 - 1e-9  # a share this close to 1 is a whole ownership, despite float noise


class _Collector:
    """Builds located findings from (list name, index) positions."""

    def __init__(self, locations: Locations | None, default_file: str | None) -> None:
        self.locations = locations or {}
        self.default_file = default_file
        self.findings: list[Finding] = []

    def add(
        self,
        severity: Literal["error", "warning"],
        code: str,
        message: str,
        where: tuple[str, int] | None,
        column: str | None = None,
        entity_id: str | None = None,
    ) -> None:
        file, line = self.default_file, None
        if where is not None and where in self.locations:
            file, line = self.locations[where]
            line = line or None  # 0: the record has no line of its own (an element of a JSON array)
            if isinstance(self.locations, RowLines):
                # A record of a JSON array is found by its pointer; the message names the field.
                column = self.locations.pointer(*where) or column
        self.findings.append(Finding(severity, code, message, file, line, column, entity_id))


def check_dataset(
    data: Dataset,
    *,
    locations: Locations | None = None,
    file: str | None = None,
    skip: Collection[str] = (),
    known: Container[str] | None = None,
    whole: bool = True,
) -> list[Finding]:
    """All cross-record faults (severity "error") and data-quality warnings of one load.

    Returns new findings only; the caller appends them to ``data.findings`` and
    rejects the load when any is an error. ``file`` names the source when
    ``locations`` has no entry for a record. ``skip`` lists finding codes the
    parser has already reported row by row (e.g. ``bad_kind``), to avoid repeats.

    A load read in parts (``loaders.parts``) checks each part with ``known``, the
    entity ids of the parts before it (an id of this part found there is a
    duplicate), and ``whole`` False: what needs every stake at once (sums over
    time, cycles of whole ownership, the fraction column) is left to
    :func:`check_columns`.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("a", "A", "company")],
    ...             stakes=[Stake("a", "b", Share(exact=0.6))])
    >>> [f.code for f in check_dataset(d)]
    ['unknown_entity']
    """
    out = _Collector(locations, file)
    ids: Container[str] = _check_entities(data, out, known)
    if known is not None:
        ids = _Either(ids, known)
    _check_key_sizes(data, out)
    totals = _check_stakes(data.stakes, ids, out)
    _check_edges(data, ids, out)
    if whole:
        _check_sums(data.stakes, totals, out)
        if "percent_looks_like_fraction" not in skip:
            _check_fraction_column(data.stakes, out)
        _check_full_cycles(data.stakes, out)
    if skip:
        return [f for f in out.findings if f.code not in skip]
    return out.findings


# --- entities -----------------------------------------------------------------------


class _Either(Container[str]):
    """Ids of this part or of the parts before it."""

    def __init__(self, here: Container[str], before: Container[str]) -> None:
        self.here, self.before = here, before

    def __contains__(self, x: object) -> bool:
        return x in self.here or x in self.before


def _check_entities(data: Dataset, out: _Collector, known: Container[str] | None = None) -> set[str]:
    seen: set[str] = set()
    for i, e in enumerate(data.entities):
        where = ("entities", i)
        if not e.id:
            out.add("error", "missing_id", "expected a non-empty entity id", where, "id")
        elif e.id in seen or (known is not None and e.id in known):
            out.add(
                "error",
                "duplicate_id",
                f"expected unique entity ids, {e.id!r} appears again",
                where,
                "id",
                e.id,
            )
        seen.add(e.id)
        if e.kind not in ENTITY_KINDS:
            out.add(
                "error",
                "bad_kind",
                f"expected kind one of {', '.join(ENTITY_KINDS)}, got {e.kind!r}",
                where,
                "kind",
                e.id,
            )
        if e.founded and e.dissolved and e.dissolved < e.founded:
            out.add(
                "error",
                "end_not_after_start",
                f"expected dissolved ({e.dissolved}) on or after founded ({e.founded})",
                where,
                "dissolved",
                e.id,
            )
    return seen


# --- key sizes ------------------------------------------------------------------------

# Neo4j's range indexes refuse keys above about 8 kB ("Property value is too large to
# index"), and only when the write transaction runs: the load would fail unlocated.
# Entity ids and the keys of OWNS and CONTROLS are indexed (queries/schema.cypher).
MAX_KEY_BYTES = 4000


def _check_key_sizes(data: Dataset, out: _Collector) -> None:
    """Refuse ids and edge keys too long for the index, naming the longest part."""
    id_chars = max(map(len, map(_ID, data.entities)), default=0)
    if id_chars * 4 > MAX_KEY_BYTES:  # 4: the most bytes one character takes in UTF-8
        for i, e in enumerate(data.entities):
            if len(e.id.encode()) > MAX_KEY_BYTES:
                out.add("error", "value_too_long", _too_long("id", e.id), ("entities", i), "id")
    edges: tuple[tuple[str, Sequence[Stake | Control], tuple[str, ...]], ...] = (
        ("stakes", data.stakes, ("owner_id", "owned_id", "source", "detail")),
        ("controls", data.controls, ("controller_id", "controlled_id", "source")),
    )
    for kind, records, columns in edges:
        # A cheap bound first, column-wise in C: sources and details repeat, so the sets are small.
        longest = sum(max(map(len, filter(None, set(map(attrgetter(c), records)))), default=0) for c in columns)
        if (longest + 16) * 4 <= MAX_KEY_BYTES:  # 16: the separators and an ISO start date
            continue
        for i, r in enumerate(records):
            if len(r.key.encode()) > MAX_KEY_BYTES:
                parts = {c: getattr(r, c) or "" for c in columns}
                column = max(parts, key=lambda c: len(parts[c]))
                out.add("error", "value_too_long", _too_long(column, parts[column]), (kind, i), column)


def _too_long(column: str, value: str) -> str:
    return (
        f"expected {column} under {MAX_KEY_BYTES:,} bytes (the database indexes it), "
        f"got {len(value.encode()):,} bytes starting {value[:40]!r}"
    )


# --- edges ----------------------------------------------------------------------------


def _dates_fault(start: date | None, end: date | None, where: tuple[str, int], out: _Collector) -> None:
    if start is not None and end is not None and end <= start:
        out.add(
            "error",
            "end_not_after_start",
            f"expected end ({end}) after start ({start}): validity is [start, end)",
            where,
            "end",
        )


def _ends(
    ends: Iterable[tuple[str, str | None]],
    ids: Container[str],
    where: tuple[str, int],
    out: _Collector,
) -> None:
    for column, value in ends:
        if value is not None and value not in ids:
            out.add(
                "error",
                "unknown_entity",
                f"expected {column} to be an entity id of this load or of the graph, {value!r} is in neither",
                where,
                column,
                value,
            )


_ID = attrgetter("id")
_OWNER = attrgetter("owner_id")
_OWNED = attrgetter("owned_id")
_SHARE = attrgetter("share")
_VOTING = attrgetter("voting_share")
_START = attrgetter("start")
_END = attrgetter("end")
_SUBSCRIBED = attrgetter("subscribed_capital")


def _check_stakes(stakes: list[Stake], ids: Container[str], out: _Collector) -> dict[str, float]:
    """Per-stake faults; returns each owned company's sum of lower-bound shares.

    A million-row load is almost all valid rows, so the checks first find the
    suspect rows with column-wise operations that run in C (attrgetter, set
    algebra, one check per distinct Share object) and only then look at the
    suspects one by one.
    """
    owners = list(map(_OWNER, stakes))
    owned = list(map(_OWNED, stakes))
    shares = list(map(_SHARE, stakes))
    suspects: set[int] = set()
    if not (all(map(ids.__contains__, owners)) and all(map(ids.__contains__, owned))):
        suspects.update(i for i, (a, b) in enumerate(zip(owners, owned, strict=True)) if a not in ids or b not in ids)
    if any(map(eq, owners, owned)):
        suspects.update(i for i, same in enumerate(map(eq, owners, owned)) if same)
    ends = list(map(_END, stakes))
    if ends.count(None) != len(ends):
        starts = list(map(_START, stakes))
        suspects.update(
            i for i, (a, b) in enumerate(zip(starts, ends, strict=True)) if a is not None and b is not None and b <= a
        )
    distinct = dict(zip(map(id, shares), shares, strict=True))
    bad_shares = {k for k, sh in distinct.items() if _share_fault(sh, "share")}
    if bad_shares:
        suspects.update(i for i, sh in enumerate(shares) if id(sh) in bad_shares)
    votes = list(map(_VOTING, stakes))
    if votes.count(None) != len(votes):
        suspects.update(i for i, v in enumerate(votes) if v is not None and _share_fault(v, "voting_share"))
    subs = list(map(_SUBSCRIBED, stakes))
    if subs.count(None) != len(subs):
        suspects.update(i for i, x in enumerate(subs) if x is not None and not 0.0 <= x < _INF)
    for i in sorted(suspects):
        _stake_faults(stakes[i], i, ids, out)
    return _owned_totals(owned, shares, distinct)


def _owned_totals(owned: list[str], shares: list[Share], distinct: dict[int, Share]) -> dict[str, float]:
    lower = {k: sh.lower for k, sh in distinct.items()}
    totals: dict[str, float] = defaultdict(float)
    for o, k in zip(owned, map(id, shares), strict=True):
        totals[o] += lower[k]
    return totals


def _stake_faults(s: Stake, i: int, ids: Container[str], out: _Collector) -> None:
    where = ("stakes", i)
    _ends((("owner_id", s.owner_id), ("owned_id", s.owned_id)), ids, where, out)
    _dates_fault(s.start, s.end, where, out)
    if s.owner_id == s.owned_id:
        out.add(
            "error",
            "self_stake",
            f"expected owner and owned to differ: {s.owner_id!r} holds a stake in itself",
            where,
            "owned_id",
            s.owner_id,
        )
    _stake_values(s, i, out)


def _check_edges(data: Dataset, ids: Container[str], out: _Collector) -> None:
    for i, c in enumerate(data.controls):
        where = ("controls", i)
        ends = (("controller_id", c.controller_id), ("controlled_id", c.controlled_id))
        _ends(ends, ids, where, out)
        _dates_fault(c.start, c.end, where, out)
        if c.basis not in CONTROL_BASES:
            out.add(
                "error",
                "bad_basis",
                f"expected basis one of {', '.join(CONTROL_BASES)}, got {c.basis!r}",
                where,
                "basis",
            )
        if c.controller_id == c.controlled_id:
            out.add(
                "error",
                "self_control",
                f"expected controller and controlled to differ, both are {c.controller_id!r}",
                where,
                "controlled_id",
                c.controller_id,
            )
    for i, k in enumerate(data.concerts):
        where = ("concerts", i)
        ends3 = (("party_a", k.party_a), ("party_b", k.party_b), ("scope_id", k.scope_id))
        _ends(ends3, ids, where, out)
        _dates_fault(k.start, k.end, where, out)
        if k.party_a == k.party_b:
            out.add(
                "error",
                "self_concert",
                f"expected two different parties acting in concert, both are {k.party_a!r}",
                where,
                "party_b",
                k.party_a,
            )
    for i, link in enumerate(data.links):
        where = ("links", i)
        _ends((("source_id", link.source_id), ("target_id", link.target_id)), ids, where, out)
        _dates_fault(link.start, link.end, where, out)
    for i, r in enumerate(data.reported):
        where = ("reported", i)
        _ends((("subject_id", r.subject_id), ("object_id", r.object_id)), ids, where, out)
        _dates_fault(r.start, r.end, where, out)


# --- share values -----------------------------------------------------------------------


def _share_fault(share: Share, column: str) -> tuple[str, str] | None:
    """(column, message) of the first bound outside [0, 1], or of min > max."""
    for suffix, value in (("", share.exact), ("_min", share.minimum), ("_max", share.maximum)):
        if value is not None and not (0.0 <= value <= 1.0):  # nan fails both comparisons
            col = column if suffix == "" else f"{column}{suffix}"
            return col, f"expected a share from 0 to 100 percent, got {value * 100:g}%"
    if share.minimum is not None and share.maximum is not None and share.minimum > share.maximum:
        return (
            f"{column}_min",
            f"expected {column}_min <= {column}_max, got {share.minimum * 100:g}% > {share.maximum * 100:g}%",
        )
    return None


def _stake_values(s: Stake, i: int, out: _Collector) -> None:
    for share, column in ((s.share, "share"), (s.voting_share, "voting_share")):
        if share is None or share.is_unknown:
            continue
        fault = _share_fault(share, column)
        if fault:
            out.add("error", "share_out_of_range", fault[1], ("stakes", i), fault[0], s.owned_id)
    if s.subscribed_capital is not None and not (math.isfinite(s.subscribed_capital) and s.subscribed_capital >= 0):
        out.add(
            "error",
            "bad_amount",
            f"expected a non-negative subscribed capital, got {s.subscribed_capital}",
            ("stakes", i),
            "subscribed_capital",
            s.owned_id,
        )


# --- sums above 100% -----------------------------------------------------------------------

_PAST = date.min


def _check_sums(stakes: list[Stake], totals: dict[str, float], out: _Collector) -> None:
    """Warn when the known shares of one company, valid at the same moment, exceed 100.5%.

    Shares are summed at their lower bounds (unknown = 0) and only among stakes
    valid together, so a history of snapshots (one stake per report date, each
    ending at the next) is not mistaken for over-ownership.
    """
    # The common case has no company above 100% at all: no need to sweep through time.
    over = {owned for owned, total in totals.items() if total > 1.0 + SUM_TOLERANCE}
    if not over:
        return
    by_owned: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stakes):
        if s.owned_id in over and s.share.lower > 0.0:
            by_owned[s.owned_id].append(i)
    for owned, idx in by_owned.items():
        _sum_warning(stakes, idx, owned, out)


def _sum_warning(stakes: Sequence[Stake], idx: list[int], owned: str, out: _Collector) -> None:
    peak, when, culprit = _peak_sum(stakes, idx)
    if peak > 1.0 + SUM_TOLERANCE:
        at = "" if when == _PAST else f" at {when}"
        out.add(
            "warning",
            "shares_sum_above_100",
            f"expected the known shares of {owned!r} to sum to at most 100% "
            f"(+0.5 pp rounding), they sum to {peak * 100:.2f}%{at}; kept as loaded",
            ("stakes", culprit),
            "share",
            owned,
        )


def _peak_sum(stakes: Sequence[Stake], idx: list[int]) -> tuple[float, date, int]:
    """The largest sum of shares valid together, when it is reached, and the stake reaching it."""
    # At one date, ends (exclusive) are applied before starts.
    events: list[tuple[date, int, float, int]] = []
    for i in idx:
        s = stakes[i]
        events.append((s.start or _PAST, 1, s.share.lower, i))
        if s.end is not None:
            events.append((s.end, 0, -s.share.lower, i))
    events.sort(key=lambda e: (e[0], e[1]))
    running, peak, when, culprit = 0.0, 0.0, _PAST, idx[0]
    for n, (day, _, delta, i) in enumerate(events):
        running += delta
        last_of_day = n + 1 == len(events) or events[n + 1][0] != day
        if last_of_day and running > peak:
            peak, when, culprit = running, day, i
    return peak, when, culprit


# --- fractions in a percent column ---------------------------------------------------------


def looks_like_fractions(percents: Iterable[float]) -> bool:
    """True when percent values all lie in [0, 1] and some are not whole numbers.

    That is what a column of fractions (0.51 for 51%) written where percent
    (0-100) is expected looks like. A single value proves nothing.

    >>> looks_like_fractions([0.51, 0.49]), looks_like_fractions([51, 0.5])
    (True, False)
    >>> looks_like_fractions([1, 0])
    False
    """
    n = 0
    some_fraction = False
    for v in percents:
        if v > 1.0:
            return False
        n += 1
        if v != int(v):
            some_fraction = True
    return n >= 2 and some_fraction


def fraction_column_warning(
    percents: list[float], *, file: str | None, column: str, line: int | None = None
) -> Finding | None:
    """The warning a parser adds for one percent column, or None."""
    if not looks_like_fractions(percents):
        return None
    return Finding(
        "warning",
        "percent_looks_like_fraction",
        f"expected percent (0-100) in column {column}; every value is <= 1 "
        "with decimals: looks like fractions, not percent (loaded as percent, as written)",
        file,
        line,
        column,
    )


def _check_fraction_column(stakes: list[Stake], out: _Collector) -> None:
    # Group by source file so that one loader's fractions are not hidden by another's percents.
    by_file: dict[str | None, list[float]] = defaultdict(list)
    first: dict[str | None, int] = {}
    percent_seen: set[str | None] = set()  # files with a value above 1 percent: not fractions
    locations, default = out.locations, (out.default_file, 0)
    for i, s in enumerate(stakes):
        exact = s.share.exact
        if exact is None or s.share_derived:
            continue
        f = locations.get(("stakes", i), default)[0] if locations else out.default_file
        if f in percent_seen:
            continue
        if exact > 0.01 + 1e-12:
            percent_seen.add(f)
            by_file.pop(f, None)
            continue
        by_file[f].append(exact * 100.0)
        first.setdefault(f, i)
    for f, percents in by_file.items():
        # Round away the float noise of the percent -> fraction -> percent round trip.
        values = [round(p, 9) for p in percents]
        if looks_like_fractions(values):
            out.add(
                "warning",
                "percent_looks_like_fraction",
                f"expected percent (0-100) in column share; all {len(values)} values are <= 1 "
                "with decimals: looks like fractions, not percent (loaded as percent, as written)",
                ("stakes", first[f]),
                "share",
            )


# --- cycles of whole ownership --------------------------------------------------------------


def _check_full_cycles(stakes: list[Stake], out: _Collector) -> None:
    """Warn about cycles in which every stake is 100%: nobody outside owns any of them."""
    shares = list(map(_SHARE, stakes))
    full = {k for k, sh in dict(zip(map(id, shares), shares, strict=True)).items() if sh.lower >= _FULL}
    if not full:
        return  # no 100% stake at all: no cycle of them
    succ: dict[str, list[str]] = defaultdict(list)
    first: dict[tuple[str, str], int] = {}
    for i, s in enumerate(stakes):
        if s.share.lower >= _FULL and s.owner_id != s.owned_id:
            succ[s.owner_id].append(s.owned_id)
            first.setdefault((s.owner_id, s.owned_id), i)
    for members in sorted(sorted(component) for component in cycles(succ)):
        _cycle_warning(members, next(first[(a, b)] for a in members for b in succ.get(a, ()) if b in members), out)


def _cycle_warning(members: list[str], edge: int, out: _Collector) -> None:
    out.add(
        "warning",
        "full_ownership_cycle",
        f"expected 100% stakes not to form a cycle; {' -> '.join(members)} own each other entirely",
        ("stakes", edge),
        "share",
        members[0],
    )




# --- the same checks on columns -------------------------------------------------------------


def check_columns(cols: Columns, *, locations: Locations | None = None, file: str | None = None) -> list[Finding]:
    """What ``check_dataset`` finds only with every stake at once, on the columns of a load read in
    parts: shares of one company summing above 100% while valid together, and cycles of whole
    ownership. Stake ``i`` of ``cols`` is ``("stakes", i)`` in ``locations``; the findings are the
    ones ``check_dataset`` gives on the same records.
    """
    out = _Collector(locations, file)
    lower = np.where(np.isnan(cols.share), np.nan_to_num(cols.share_min, nan=0.0), cols.share)
    # bincount adds in stake order, as the records' sums do: the same floats
    totals: NDArray[np.float64] = np.bincount(cols.owned, weights=lower, minlength=cols.n_ids).astype(np.float64)
    if (totals > 1.0 + SUM_TOLERANCE).any():
        _check_sums_in_columns(cols, lower, totals, out)
    full = np.flatnonzero((lower >= _FULL) & (cols.owner != cols.owned))
    if full.size:
        _check_full_cycles_in_columns(cols, full, out)
    return out.findings


def _check_sums_in_columns(cols: Columns, lower: NDArray[np.float64], totals: NDArray[np.float64],
                           out: _Collector) -> None:
    over = totals > 1.0 + SUM_TOLERANCE
    rows = np.flatnonzero(over[cols.owned] & (lower > 0.0))
    ids = cols.ids
    stakes: dict[int, Stake] = {}
    by_owned: dict[int, list[int]] = defaultdict(list)
    for i in rows.tolist():  # the few stakes of the companies above 100%, as records
        stakes[i] = Stake(ids[int(cols.owner[i])], ids[int(cols.owned[i])],
                          Share(_value(cols.share[i]), _value(cols.share_min[i]), _value(cols.share_max[i])),
                          start=_date(int(cols.start[i])), end=_date(int(cols.end[i])))
        by_owned[int(cols.owned[i])].append(i)
    records = _Sparse(stakes)
    for owned, idx in by_owned.items():
        _sum_warning(records, idx, ids[owned], out)


def _value(x: np.float64) -> float | None:
    return None if np.isnan(x) else float(x)


def _date(day: int) -> date | None:
    return None if day in (OPEN_START, OPEN_END) else date.fromordinal(day)


class _Sparse(Sequence[Stake]):
    """Some stakes of a load, at their index in it (what ``_peak_sum`` reads)."""

    def __init__(self, stakes: dict[int, Stake]) -> None:
        self.stakes = stakes

    def __getitem__(self, i: int) -> Stake:  # type: ignore[override]
        return self.stakes[i]

    def __len__(self) -> int:
        return max(self.stakes, default=-1) + 1


def _check_full_cycles_in_columns(cols: Columns, full: NDArray[np.int64], out: _Collector) -> None:
    owner, owned = cols.owner[full], cols.owned[full]
    _, labels = strong_components(cols.n_ids, owner, owned)
    sizes = np.bincount(labels)
    inside = np.flatnonzero(sizes[labels] > 1)
    if not inside.size:
        return
    ids = cols.ids
    groups: dict[int, list[int]] = defaultdict(list)
    for node in inside.tolist():
        groups[int(labels[node])].append(node)
    found = sorted((sorted(ids.take(np.array(nodes))), label) for label, nodes in groups.items())
    for members, label in found:
        first = ids.take(np.array(groups[label]))
        head = groups[label][first.index(members[0])]
        # the first whole stake from the first member into the cycle, as ``_check_full_cycles`` picks it
        edge = full[(owner == head) & (labels[owned] == label)][0]
        _cycle_warning(members, int(edge), out)
