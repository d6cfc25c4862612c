"""The whole graph as columns, and the whole-graph control pass on them (no per-record objects).

``Columns`` holds a graph the way bulk jobs need it: entity ids interned once
into an int32 index, stakes, controls and concerts as numpy arrays (owner,
owned, shares as float64 with NaN for "not stated", start and end as day
numbers, source as a small-int code). ``bulk_answers`` computes on it what
``graph.control.bulk_control_relation`` computes on a ``Dataset`` -- status,
definite and possible ultimate controllers, every controller -- with
the same fixpoint as ``graph.engine`` (docs/control.md sections 1-4), without
the proofs (the on-demand path gives those).

The answers are identical to the engine's, bit for bit: the view rules
(validity at a day, shares out of range, shares derived from subscribed
capital, the GP rule, interval bounds) are the same numpy operations on the
same float64 values in the same order; sums of votes are sequential in stake
order as the engine's are. Shares stay float64: in float32, 0.3 + 0.2 is above
0.5 + 1e-9 and a company held 30% + 20% by one group would become controlled.

The fixpoint runs level by level in topological order of the strongly
connected components. A level's acyclic entities are computed at once with
array operations under the majority ruleset; entities in a cycle, entities
where an acting-in-concert bloc is in play, small levels and the relative
ruleset take the engine's per-entity rules (``_Solver.one``), reading the
controllers computed so far from the same arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from operator import index
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ownergraph.graph.answers import ControlSummary
from ownergraph.graph.build import View
from ownergraph.graph.components import strong_components
from ownergraph.graph.engine import EPS, HI, LO, _blocs, _pool_blocs, _relative_winners
from ownergraph.graph.model import Concert, Dataset, Share
from ownergraph.graph.params import ControlParams

__all__ = [
    "OPEN_END",
    "OPEN_START",
    "BulkAnswers",
    "Columns",
    "ColumnsBuilder",
    "Ids",
    "Interner",
    "Relations",
    "bulk_answers",
    "day_number",
    "keys_and_statuses",
]

OPEN_START = np.iinfo(np.int32).min  # no start date: valid from the beginning of time
OPEN_END = np.iinfo(np.int32).max  # no end date: still valid
GENERAL_PARTNER = 1  # control basis code that triggers the GP rule; every other basis is 0
LONG_ID = 64  # ids of more bytes than this are sorted as Python strings (``Ids.order``)
SMALL_LEVEL = 48  # below this many entities a level is cheaper entity by entity
LEVEL_CHUNK = 1 << 18  # stakes (or components) per pass over a level (bounds the temporary arrays)

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
B = NDArray[np.bool_]


def day_number(d: date | None, *, open_value: int) -> int:
    """A date as its proleptic ordinal (``date.toordinal``), ``open_value`` for None.

    >>> day_number(date(2024, 1, 1), open_value=OPEN_END) - day_number(date(2023, 12, 31), open_value=OPEN_END)
    1
    """
    return open_value if d is None else d.toordinal()


class Interner:
    """Entity ids -> dense int32 indices, in order of first appearance.

    >>> ids = Interner()
    >>> ids.index("b"), ids.index("a"), ids.index("b"), ids.ids
    (0, 1, 0, ['b', 'a'])
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._at: dict[str, int] = {}

    def index(self, entity_id: str) -> int:
        i = self._at.get(entity_id)
        if i is None:
            i = self._at[entity_id] = len(self.ids)
            self.ids.append(entity_id)
        return i

    def get(self, entity_id: str) -> int | None:
        return self._at.get(entity_id)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True, eq=False)
class Ids(Sequence[str]):
    """Entity ids packed into one buffer: id ``i`` is ``data[at[i]:at[i + 1]]``, in UTF-8.

    A Python string per id costs some 55 bytes besides its characters (3.2 million ids: 200 MB
    instead of 50); the strings are made only when asked for. UTF-8 keeps the order of code
    points, so ids sort by their bytes as Python sorts the strings (``order``).

    >>> ids = Ids.of(["b", "aa", "", "é"])
    >>> len(ids), ids[1], ids[-1], list(ids), ids.take(np.array([1, 0]))
    (4, 'aa', 'é', ['b', 'aa', '', 'é'], ['aa', 'b'])
    >>> ids.order(np.arange(4)).tolist()  # '', 'aa', 'b', 'é'
    [2, 1, 0, 3]
    """

    data: bytes
    at: I64  # len(ids) + 1 offsets into ``data``

    @classmethod
    def of(cls, ids: Sequence[str]) -> Ids:
        text = "".join(ids)
        if text.isascii():  # one byte per character
            data, lens = text.encode("ascii"), np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        else:
            parts = [_utf8(s) for s in ids]
            data, lens = b"".join(parts), np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        at = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(lens, out=at[1:])
        return cls(data, at)

    @classmethod
    def joined(cls, parts: Sequence[Ids]) -> Ids:
        """The ids of ``parts``, one after another.

        >>> list(Ids.joined([Ids.of(["a", "bb"]), Ids.of([]), Ids.of(["c"])]))
        ['a', 'bb', 'c']
        """
        starts = np.cumsum([0] + [len(p.data) for p in parts])[:-1].tolist()
        at = np.concatenate([np.zeros(1, dtype=np.int64),
                             *(p.at[1:] + start for p, start in zip(parts, starts, strict=True))])
        return cls(b"".join(p.data for p in parts), at)

    def __len__(self) -> int:
        return self.at.size - 1

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        n, i = len(self), index(i)
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        return _str(self.data[int(self.at[i]) : int(self.at[i + 1])])

    def __iter__(self) -> Iterator[str]:
        data = self.data
        if data.isascii():
            text = data.decode("ascii")
            return (text[a:b] for a, b in pairwise(self.at.tolist()))
        return (_str(data[a:b]) for a, b in pairwise(self.at.tolist()))

    def take(self, which: NDArray[np.integer[Any]]) -> list[str]:
        """The ids at the indices ``which``, as strings."""
        data = self.data
        return [_str(data[a:b]) for a, b in zip(self.at[which].tolist(), self.at[which + 1].tolist(), strict=True)]

    def order(self, which: I64) -> I64:
        """``np.argsort`` of the ids at the indices ``which`` (no two alike) in Python's order of strings.

        The bytes of each id, eight to a big-endian word, zero past its end, then its length (a
        prefix comes first) are the sort keys; ids longer than ``LONG_ID`` bytes are compared as strings.
        """
        start = self.at[which]
        lens = self.at[which + 1] - start
        width = int(lens.max()) if which.size else 0
        if width > LONG_ID:
            return np.argsort(np.array(self.take(which), dtype=object), kind="stable")
        buf = np.frombuffer(self.data, dtype=np.uint8)
        keys: list[NDArray[Any]] = [lens]
        for w in range(0, width, 8):
            word = np.zeros(which.size, dtype=np.uint64)
            for j in range(w, w + 8):
                word <<= np.uint64(8)
                has = np.flatnonzero(lens > j)
                word[has] |= buf[start[has] + j]
            keys.append(word)
        # np.lexsort: the last key first, so the first word, ..., the last word, the length
        return np.lexsort([keys[0], *keys[:0:-1]])

    def head(self, n: int, more: Sequence[str] = ()) -> Ids:
        """The first ``n`` ids (sharing this buffer), then ``more``."""
        if not more:
            return Ids(self.data, self.at[: n + 1])
        tail = Ids.of(more)
        end = int(self.at[n])
        return Ids(self.data[:end] + tail.data, np.concatenate([self.at[: n + 1], end + tail.at[1:]]))

    def __repr__(self) -> str:
        return f"Ids({len(self)})"


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")  # any str, even a lone surrogate, and back (``_str``)


def _str(b: bytes) -> str:
    return b.decode("utf-8", "surrogatepass")


def _f(values: Iterable[float | None]) -> F64:
    """Floats, NaN for None (numpy's own conversion: no Python call per value)."""
    return np.array(values if isinstance(values, Sequence) else list(values), dtype=np.float64)


@dataclass(slots=True)
class Columns:
    """A graph as arrays. Indices ``0..loaded-1`` are the loaded entities; ids after them are only
    referred to by edges (the engine makes them placeholders of kind "unknown" when an edge in
    force refers to them). Shares are fractions, NaN where not stated; days are ordinals."""

    ids: Ids
    loaded: int
    capital: F64  # registered capital per id, NaN: none
    # stakes (OWNS), in record order
    owner: I32
    owned: I32
    share: F64
    share_min: F64
    share_max: F64
    has_vote: B  # a voting share is stated (else the voting share is the equity share)
    vote: F64
    vote_min: F64
    vote_max: F64
    subscribed: F64
    start: I32
    end: I32
    source: NDArray[np.int16]  # index into ``sources``, -1 for none
    sources: list[str]
    # controls (CONTROLS)
    c_from: I32
    c_to: I32
    c_basis: NDArray[np.int8]  # GENERAL_PARTNER or 0
    c_start: I32
    c_end: I32
    # concerts (ACTS_IN_CONCERT), scope -1 for none
    k_a: I32
    k_b: I32
    k_scope: I32
    k_start: I32
    k_end: I32

    @property
    def n_ids(self) -> int:
        return len(self.ids)

    @classmethod
    def from_dataset(cls, data: Dataset) -> Columns:
        """The columns of a parsed or read ``Dataset`` (same order of records)."""
        names = Interner()
        capital: list[float | None] = []
        for e in data.entities:
            i = names.index(e.id)
            if i == len(capital):
                capital.append(e.registered_capital)
            else:  # a repeated id: the last record wins, as in ``build_view``
                capital[i] = e.registered_capital
        loaded = len(names)
        sources: dict[str, int] = {}

        def code(s: str | None) -> int:
            return -1 if s is None else sources.setdefault(s, len(sources))

        st = data.stakes
        no_share = (None, None, None)
        votes = [no_share if s.voting_share is None else
                 (s.voting_share.exact, s.voting_share.minimum, s.voting_share.maximum) for s in st]
        cols = cls(
            ids=Ids.of([]),  # set below, when the edges have named every id
            loaded=loaded,
            capital=np.empty(0),
            owner=np.array([names.index(s.owner_id) for s in st], dtype=np.int32),
            owned=np.array([names.index(s.owned_id) for s in st], dtype=np.int32),
            share=_f(s.share.exact for s in st),
            share_min=_f(s.share.minimum for s in st),
            share_max=_f(s.share.maximum for s in st),
            has_vote=np.array([s.voting_share is not None for s in st], dtype=bool),
            vote=_f(v[0] for v in votes),
            vote_min=_f(v[1] for v in votes),
            vote_max=_f(v[2] for v in votes),
            subscribed=_f(s.subscribed_capital for s in st),
            start=np.array([day_number(s.start, open_value=OPEN_START) for s in st], dtype=np.int32),
            end=np.array([day_number(s.end, open_value=OPEN_END) for s in st], dtype=np.int32),
            source=np.array([code(s.source) for s in st], dtype=np.int16),
            sources=[],
            c_from=np.array([names.index(c.controller_id) for c in data.controls], dtype=np.int32),
            c_to=np.array([names.index(c.controlled_id) for c in data.controls], dtype=np.int32),
            c_basis=np.array([GENERAL_PARTNER if c.basis == "general_partner" else 0 for c in data.controls],
                             dtype=np.int8),
            c_start=np.array([day_number(c.start, open_value=OPEN_START) for c in data.controls], dtype=np.int32),
            c_end=np.array([day_number(c.end, open_value=OPEN_END) for c in data.controls], dtype=np.int32),
            k_a=np.array([names.index(k.party_a) for k in data.concerts], dtype=np.int32),
            k_b=np.array([names.index(k.party_b) for k in data.concerts], dtype=np.int32),
            k_scope=np.array([-1 if k.scope_id is None else names.index(k.scope_id) for k in data.concerts],
                             dtype=np.int32),
            k_start=np.array([day_number(k.start, open_value=OPEN_START) for k in data.concerts], dtype=np.int32),
            k_end=np.array([day_number(k.end, open_value=OPEN_END) for k in data.concerts], dtype=np.int32),
        )
        cols.sources = list(sources)
        cols.ids = Ids.of(names.ids)
        cols.capital = np.concatenate([_f(capital), np.full(len(names) - loaded, np.nan)])
        return cols


class ColumnsBuilder:
    """Columns filled a batch at a time from streamed values (a database read, a parser's rows).

    Each call takes one sequence per field. Ids are interned as they come;
    ``columns()`` puts the ids given as entities first (the engine's order of
    nodes), whatever order they came in. Values are plain: shares as floats or
    None, days as ordinals or None. Each batch is kept as arrays (a few bytes a
    value, not a Python object), so a national registry's columns fit in memory.

    >>> b = ColumnsBuilder()
    >>> b.stakes(["p"], ["a"], [0.6], [None], [None], [False], [None], [None], [None], [None], [None], [None], [None])
    >>> b.entities(["a", "p"], [None, None])
    >>> c = b.columns()
    >>> list(c.ids), c.loaded, c.owner.tolist(), c.owned.tolist()
    (['a', 'p'], 2, [1], [0])
    """

    def __init__(self) -> None:
        self.names = Interner()
        self.e: tuple[list[I32], list[F64]] = ([], [])  # entity indices, their registered capital
        self.sources: dict[str | None, int] = {None: -1}
        self.s: list[list[NDArray[Any]]] = [[] for _ in range(13)]
        self.c: list[list[NDArray[Any]]] = [[] for _ in range(5)]
        self.k: list[list[NDArray[Any]]] = [[] for _ in range(5)]

    def _ix(self, ids: Sequence[str]) -> I32:
        ix = self.names.index
        return np.fromiter(map(ix, ids), dtype=np.int32, count=len(ids))

    @staticmethod
    def _days(days: Sequence[int | None], open_value: int) -> I32:
        """Day ordinals, ``open_value`` for None (converted through float64, exact for any day)."""
        a = np.array(days, dtype=np.float64)
        return np.where(np.isnan(a), open_value, a).astype(np.int32)

    def entities(self, ids: Sequence[str], capital: Sequence[float | None]) -> None:
        self.e[0].append(self._ix(ids))
        self.e[1].append(_f(capital))

    def stakes(self, owner: Sequence[str], owned: Sequence[str], share: Sequence[float | None],
               share_min: Sequence[float | None], share_max: Sequence[float | None], has_vote: Sequence[bool],
               vote: Sequence[float | None], vote_min: Sequence[float | None], vote_max: Sequence[float | None],
               subscribed: Sequence[float | None], start: Sequence[int | None], end: Sequence[int | None],
               source: Sequence[str | None]) -> None:
        codes = self.sources
        for x in dict.fromkeys(source):  # a few distinct sources: coded in order of first appearance
            codes.setdefault(x, len(codes) - 1)
        src = np.array(list(map(codes.__getitem__, source)), dtype=np.int16)
        fields: tuple[NDArray[Any], ...] = (
            self._ix(owner), self._ix(owned), _f(share), _f(share_min), _f(share_max), np.array(has_vote, dtype=bool),
            _f(vote), _f(vote_min), _f(vote_max), _f(subscribed), self._days(start, OPEN_START),
            self._days(end, OPEN_END), src)
        for col, values in zip(self.s, fields, strict=True):
            col.append(values)

    def controls(self, controller: Sequence[str], controlled: Sequence[str], basis: Sequence[str | None],
                 start: Sequence[int | None], end: Sequence[int | None]) -> None:
        gp = np.array([GENERAL_PARTNER if b == "general_partner" else 0 for b in basis], dtype=np.int8)
        fields: tuple[NDArray[Any], ...] = (self._ix(controller), self._ix(controlled), gp,
                                            self._days(start, OPEN_START), self._days(end, OPEN_END))
        for col, values in zip(self.c, fields, strict=True):
            col.append(values)

    def concerts(self, a: Sequence[str], b: Sequence[str], scope: Sequence[str | None],
                 start: Sequence[int | None], end: Sequence[int | None]) -> None:
        ix = self.names.index
        sc = np.array([-1 if x is None else ix(x) for x in scope], dtype=np.int32)
        for col, values in zip(self.k, (self._ix(a), self._ix(b), sc, self._days(start, OPEN_START),
                                        self._days(end, OPEN_END)), strict=True):
            col.append(values)

    def records(self, data: Dataset) -> None:
        """Add the entities, stakes, controls and concerts of a parsed or read ``Dataset`` part."""
        if data.entities:
            self.entities([e.id for e in data.entities], [e.registered_capital for e in data.entities])
        st = data.stakes
        if st:
            votes = [_NO_VOTE if s.voting_share is None else s.voting_share for s in st]
            self.stakes([s.owner_id for s in st], [s.owned_id for s in st], [s.share.exact for s in st],
                        [s.share.minimum for s in st], [s.share.maximum for s in st],
                        [s.voting_share is not None for s in st], [v.exact for v in votes],
                        [v.minimum for v in votes], [v.maximum for v in votes],
                        [s.subscribed_capital for s in st], [_day(s.start) for s in st], [_day(s.end) for s in st],
                        [s.source for s in st])
        if data.controls:
            cs = data.controls
            self.controls([c.controller_id for c in cs], [c.controlled_id for c in cs], [c.basis for c in cs],
                          [_day(c.start) for c in cs], [_day(c.end) for c in cs])
        if data.concerts:
            ks = data.concerts
            self.concerts([k.party_a for k in ks], [k.party_b for k in ks], [k.scope_id for k in ks],
                          [_day(k.start) for k in ks], [_day(k.end) for k in ks])

    def columns(self) -> Columns:
        n = len(self.names)
        idx = _joined(self.e[0], np.int32)
        cap = _joined(self.e[1], np.float64)
        self.e = ([], [])
        # A repeated id keeps its first place and its last value (as ``Columns.from_dataset``).
        seen, first_at = np.unique(idx, return_index=True)
        first = seen[np.argsort(first_at, kind="stable")].astype(np.int64)
        capital_of = np.full(n, np.nan)
        last, last_at = np.unique(idx[::-1], return_index=True)
        capital_of[last] = cap[::-1][last_at]
        given = np.zeros(n, dtype=bool)
        given[first] = True
        # Entities first in the order given, then ids only edges name: a permutation of the interned indices.
        perm = np.concatenate([first, np.flatnonzero(~given)])
        new = np.empty(n, dtype=np.int32)
        new[perm] = np.arange(n, dtype=np.int32)
        names = self.names.ids
        # a batch of ids at a time: the whole list of a national registry's strings would double its memory
        ids = Ids.joined([Ids.of([names[i] for i in perm[at : at + _IDS_BATCH].tolist()])
                          for at in range(0, n, _IDS_BATCH)])
        s = [_joined(parts, dtype) for parts, dtype in zip(self.s, _STAKE_DTYPES, strict=True)]
        c = [_joined(parts, dtype) for parts, dtype in zip(self.c, _EDGE_DTYPES, strict=True)]
        k = [_joined(parts, dtype) for parts, dtype in zip(self.k, _EDGE_DTYPES, strict=True)]
        scope = k[2]
        return Columns(
            ids=ids, loaded=int(given.sum()), capital=capital_of[perm],
            owner=new[s[0]], owned=new[s[1]], share=s[2], share_min=s[3], share_max=s[4], has_vote=s[5],
            vote=s[6], vote_min=s[7], vote_max=s[8], subscribed=s[9], start=s[10], end=s[11], source=s[12],
            sources=[x for x in self.sources if x is not None],
            c_from=new[c[0]], c_to=new[c[1]], c_basis=c[2].astype(np.int8), c_start=c[3], c_end=c[4],
            k_a=new[k[0]], k_b=new[k[1]], k_scope=np.where(scope < 0, -1, new[np.maximum(scope, 0)]).astype(np.int32),
            k_start=k[3], k_end=k[4],
        )


_NO_VOTE = Share()
_IDS_BATCH = 1 << 20
_F, _I, _B = np.float64, np.int32, np.bool_
_STAKE_DTYPES = (_I, _I, _F, _F, _F, _B, _F, _F, _F, _F, _I, _I, np.int16)
_EDGE_DTYPES = (_I, _I, np.int8, _I, _I)


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _joined(parts: list[NDArray[Any]], dtype: Any) -> NDArray[Any]:
    """The batches of one column as one array (of ``dtype`` when there are none)."""
    if not parts:
        return np.empty(0, dtype=dtype)
    out = parts[0] if len(parts) == 1 else np.concatenate(parts)
    parts.clear()
    return out


# -- the view at a day, compiled (build_view + compile_view on arrays) ----------------------------


def _in_force(start: I32, end: I32, day: int) -> tuple[B, B]:
    """(never valid: ends on or before it starts, valid at ``day``)."""
    bad = (start != OPEN_START) & (end != OPEN_END) & (end <= start)
    return bad, ~bad & (start <= day) & (day < end)


def _share_ok(e: F64, lo: F64, hi: F64) -> B:
    """The engine's ``_share_ok``: every stated value in [0, 1] and minimum <= maximum."""
    out = np.ones(e.shape, dtype=bool)
    for v in (e, lo, hi):
        out &= np.isnan(v) | ((v >= 0.0) & (v <= 1.0))
    out &= np.isnan(lo) | np.isnan(hi) | (lo <= hi)
    return out


@dataclass(slots=True)
class _Net:
    """``engine.Net`` as arrays, for one view (nodes are renumbered: loaded entities, then placeholders)."""

    ids: Ids  # node -> entity id
    col: I32  # node -> index in ``Columns.ids``
    indptr: I64
    hold: I32
    vlo: F64
    vhi: F64
    cptr: I64  # CONTROLS sources per controlled node (deduplicated, first seen first)
    csrc: I32
    uncertain: bool
    bloc_members: list[tuple[int, ...]]
    global_bloc: dict[int, int]
    scoped_bloc: dict[int, dict[int, int]]

    @property
    def n(self) -> int:
        return len(self.ids)

    def release(self) -> None:
        """Drop the stakes and controls (the fixpoint is done: the answers read ids, blocs and ``col``)."""
        self.indptr = self.cptr = np.zeros(1, dtype=np.int64)
        self.hold = self.csrc = np.zeros(0, dtype=np.int32)
        self.vlo = self.vhi = np.zeros(0)

    def blocs_for(self, y: int) -> dict[int, int]:
        return self.scoped_bloc.get(y, self.global_bloc)

    def holders_of(self, y: int) -> list[tuple[int, float, float]]:
        a, b = int(self.indptr[y]), int(self.indptr[y + 1])
        return list(zip(self.hold[a:b].tolist(), self.vlo[a:b].tolist(), self.vhi[a:b].tolist(), strict=True))

    def label(self, i: int) -> str:
        if i < self.n:
            return self.ids[i]
        return "concert:" + "+".join(sorted(self.ids[m] for m in self.bloc_members[i - self.n]))


def _compile(cols: Columns, as_of: date) -> _Net:
    day = as_of.toordinal()
    bad_s, ok_s = _in_force(cols.start, cols.end, day)
    ok_s &= cols.owner != cols.owned  # a stake in itself carries no votes
    bad_c, ok_c = _in_force(cols.c_start, cols.c_end, day)
    ok_c &= cols.c_from != cols.c_to
    bad_k, ok_k = _in_force(cols.k_start, cols.k_end, day)
    ok_k &= cols.k_a != cols.k_b
    del bad_s, bad_c, bad_k

    # Nodes: the loaded entities, then ids an edge in force refers to, in the engine's order of discovery.
    sel_s = np.flatnonzero(ok_s)
    sel_c = np.flatnonzero(ok_c)
    sel_k = np.flatnonzero(ok_k)
    scope = cols.k_scope[sel_k]
    parts = [np.zeros(0, dtype=np.int64)]
    for ends in ((cols.owner[sel_s], cols.owned[sel_s]), (cols.c_from[sel_c], cols.c_to[sel_c]),
                 (cols.k_a[sel_k], cols.k_b[sel_k], scope)):
        hit = np.zeros(ends[0].size, dtype=bool)
        for end in ends:
            hit |= end >= cols.loaded
        if hit.any():
            parts.append(np.column_stack([end[hit] for end in ends]).ravel().astype(np.int64))
    refs = np.concatenate(parts)
    refs = refs[refs >= cols.loaded]
    extra, first = np.unique(refs, return_index=True)
    extra = extra[np.argsort(first, kind="stable")]
    node = np.full(cols.n_ids, -1, dtype=np.int32)
    node[: cols.loaded] = np.arange(cols.loaded, dtype=np.int32)
    node[extra] = np.arange(cols.loaded, cols.loaded + extra.size, dtype=np.int32)
    col = np.concatenate([np.arange(cols.loaded, dtype=np.int32), extra.astype(np.int32)])
    ids = cols.ids.head(cols.loaded, cols.ids.take(extra))
    n = len(ids)

    # Controls in force: the GP rule and the CONTROLS sources.
    ca = node[cols.c_from[sel_c]].astype(np.int64)
    cb = node[cols.c_to[sel_c]].astype(np.int64)
    gp = cols.c_basis[sel_c] == GENERAL_PARTNER
    gp_keys = _uniq(cb[gp] * n + ca[gp])
    gp_owned = np.zeros(n, dtype=bool)
    gp_owned[cb[gp]] = True
    pair = cb * n + ca
    _, firsts = np.unique(pair, return_index=True)
    firsts.sort()
    cb, ca = cb[firsts], ca[firsts]
    corder = np.argsort(cb, kind="stable")
    cptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(cb, minlength=n), out=cptr[1:])
    csrc = ca[corder].astype(np.int32)

    # Stakes in force: shares checked, derived from subscribed capital, voting shares, bounds.
    own = node[cols.owner[sel_s]]  # int32: keys of (owned, owner) pairs are made in int64
    owned = node[cols.owned[sel_s]]
    e, mn, mx = cols.share[sel_s], cols.share_min[sel_s], cols.share_max[sel_s]
    bad = ~_share_ok(e, mn, mx)
    if bad.any():
        e, mn, mx = (np.where(bad, np.nan, v) for v in (e, mn, mx))
    has_vote = cols.has_vote[sel_s]
    voted = bool(has_vote.any())
    nan = np.float64(np.nan)
    ve = vmn = vmx = np.full(0, nan)
    if voted:
        ve, vmn, vmx = cols.vote[sel_s], cols.vote_min[sel_s], cols.vote_max[sel_s]
        bad = has_vote & ~_share_ok(ve, vmn, vmx)
        if bad.any():
            ve, vmn, vmx = (np.where(bad, np.nan, v) for v in (ve, vmn, vmx))
    _derive(e, mn, mx, cols.subscribed[sel_s], owned, cols.capital, col)
    del sel_s

    lp = np.zeros(own.size, dtype=bool)
    if gp_keys.size:
        at = np.flatnonzero(~has_vote & gp_owned[owned])
        lp[at] = ~_isin(owned[at].astype(np.int64) * n + own[at], gp_keys)
        del at
    # The voting share: stated, else zero for an LP of a GP-run partnership, else the equity share.
    if voted:
        ve = np.where(has_vote, ve, np.where(lp, 0.0, e))
        vmn = np.where(has_vote, vmn, np.where(lp, np.nan, mn))
        vmx = np.where(has_vote, vmx, np.where(lp, np.nan, mx))
    else:  # in place: e, mn and mx are this function's own copies
        e[lp] = 0.0
        mn[lp] = np.nan
        mx[lp] = np.nan
        ve, vmn, vmx = e, mn, mx
    del e, mn, mx, lp, has_vote
    # Bounds as in ``engine.compile_view``, computed only where the share is not exact.
    loose = np.flatnonzero(np.isnan(ve))
    lo = ve.copy()
    lo[loose] = np.where(np.isnan(vmn[loose]), 0.0, vmn[loose])
    mxv = vmx[loose]
    del ve, vmn, vmx
    total = np.bincount(owned, weights=lo, minlength=n) if lo.size else np.zeros(n)
    free = np.maximum(0.0, 1.0 - (total[owned[loose]] - lo[loose]))
    hi = lo.copy()
    hi[loose] = np.maximum(np.where(np.isnan(mxv), free, np.minimum(mxv, free)), lo[loose])
    del total, free, mxv
    uncertain = bool(np.any(hi != lo))
    order = np.argsort(owned, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owned, minlength=n), out=indptr[1:])
    del owned
    hold = own[order]
    del own
    vlo = lo[order]
    del lo
    vhi = hi[order]
    del hi, order

    # Blocs: the engine's own routine, on the few concerts in force.
    concerts = [
        Concert(ids[node[a]], ids[node[b]], None if s < 0 else ids[node[s]])
        for a, b, s in zip(cols.k_a[sel_k].tolist(), cols.k_b[sel_k].tolist(), scope.tolist(), strict=True)
    ]
    parties = np.unique(np.concatenate([cols.k_a[sel_k], cols.k_b[sel_k], scope[scope >= 0]])).tolist()
    index = {cols.ids[i]: int(node[i]) for i in parties}
    members, global_bloc, scoped_bloc = _blocs(View(as_of, {}, [], [], concerts), index, n)
    return _Net(ids, col, indptr, hold, vlo, vhi, cptr, csrc, uncertain, members, global_bloc, scoped_bloc)


def _derive(e: F64, mn: F64, mx: F64, sub: F64, owned: I32, capital: F64, col: I32) -> None:
    """``build.derive_shares`` in place: an unknown share ``e`` from subscribed capital over the
    company's total (``capital[col]``: the registered capital of each node). ``sub`` is overwritten."""
    nosub = np.isnan(sub)
    todo = np.isnan(e)
    todo &= np.isnan(mn)
    todo &= np.isnan(mx)
    todo &= ~nosub
    if not todo.any():
        return
    n = col.size
    use = np.bincount(owned[nosub], minlength=n) == 0  # no stake in the company leaves it out
    sub[nosub] = 0.0
    del nosub
    total = np.bincount(owned, weights=sub, minlength=n)
    use &= total > 0
    # Else the registered capital, where there is one above zero.
    cap = capital[col]
    cap[~(cap > 0)] = np.nan
    np.copyto(total, cap, where=~use)
    del cap, use
    at = np.flatnonzero(todo)
    t = total[owned[at]]
    known = ~np.isnan(t)
    at, t = at[known], t[known]
    e[at] = sub[at] / t


# -- levels -----------------------------------------------------------------------------------


def _influence(net: _Net) -> tuple[I32, I32]:
    """Edges holder -> held (positive upper voting share) and controller -> controlled."""
    n = net.n
    positive = net.vhi > 0.0
    nodes = np.arange(n, dtype=np.int32)
    dst = np.concatenate([np.repeat(nodes, np.diff(net.indptr))[positive], np.repeat(nodes, np.diff(net.cptr))])
    return np.concatenate([net.hold[positive], net.csrc]), dst


def _levels(net: _Net, chunk: int = LEVEL_CHUNK) -> tuple[list[I32], I32, B]:
    """Components in topological order, one level at a time (Kahn), as in ``engine.component_order``.

    Returns per level the nodes of that level (components contiguous), the
    component label of each node and whether the node is in a cycle (a component of two or more).
    """
    n = net.n
    if n == 0:
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=bool)
    src, dst = _influence(net)
    ncomp, labels = strong_components(n, src, dst)
    ls, ld = labels[src], labels[dst]
    del src, dst
    keep = ls != ld
    ls, ld = ls[keep], ld[keep]
    del keep
    perm = np.argsort(ls, kind="stable")
    ld_sorted = ld[perm]
    del perm
    cptr = np.zeros(ncomp + 1, dtype=np.int64)
    np.cumsum(np.bincount(ls, minlength=ncomp), out=cptr[1:])
    del ls
    indeg = np.bincount(ld, minlength=ncomp)
    del ld
    frontier = np.flatnonzero(indeg == 0)
    level_of = np.empty(ncomp, dtype=np.int32)
    depth = 0
    while frontier.size:
        level_of[frontier] = depth
        depth += 1
        reached = []
        for i in range(0, frontier.size, chunk):  # in parts: a level can hold most of the graph
            part = frontier[i : i + chunk]
            starts = cptr[part]
            lens = cptr[part + 1] - starts
            total = int(lens.sum())
            if total == 0:
                continue
            nb = ld_sorted[_ranges(starts, lens, total)]
            del starts, lens
            nb.sort()
            head = np.empty(nb.size, dtype=bool)
            head[0] = True
            np.not_equal(nb[1:], nb[:-1], out=head[1:])
            at = np.flatnonzero(head)
            del head
            cand = nb[at]
            indeg[cand] -= np.diff(at, append=nb.size)
            del nb, at
            reached.append(cand)
        if not reached:
            break
        cand = reached[0] if len(reached) == 1 else _uniq(np.concatenate(reached))
        del reached
        frontier = cand[indeg[cand] == 0]
    del ld_sorted, cptr, indeg, frontier
    incycle = (np.bincount(labels, minlength=ncomp) > 1)[labels]
    # Within a level: component by component (by label), members in node order (a stable sort).
    key = level_of[labels].astype(np.int64)
    key *= ncomp
    key += labels
    order = np.argsort(key, kind="stable").astype(np.int32)
    del key
    lv = level_of[labels[order]]
    cuts = np.flatnonzero(np.diff(lv)) + 1
    return np.split(order, cuts), labels, incycle


def _uniq(a: NDArray[Any]) -> NDArray[Any]:
    """``np.unique`` by sorting (numpy's hash-based unique is many times slower on large int arrays)."""
    s = np.sort(a)
    if s.size < 2:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _isin(a: I64, b: I64) -> B:
    """``np.isin(a, b)``, sorting ``b`` alone (``np.isin`` sorts both together: twice the memory).

    >>> _isin(np.array([3, 1, 7, 9]), np.array([7, 3, 5])).tolist()
    [True, False, True, False]
    """
    if not b.size:
        return np.zeros(a.size, dtype=bool)
    s = np.sort(b)
    at = np.searchsorted(s, a)
    np.minimum(at, s.size - 1, out=at)
    return s[at] == a  # type: ignore[no-any-return]


def _ranges(starts: I64, lens: I64, total: int | None = None) -> I64:
    """Concatenated ``arange(s, s + l)`` for every (s, l)."""
    if total is None:
        total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.cumsum(lens)
    shift -= lens
    np.subtract(starts, shift, out=shift)  # a range's start less the number of items before it
    out = np.repeat(shift, lens)
    del shift
    out += np.arange(total, dtype=np.int64)
    return out


# -- controllers per entity, for both bounds, in one growing buffer --------------------------


class _Store:
    """Controllers of every node (and bloc) for one bound: ``buf[start[y]:start[y] + count[y]]``, in the
    engine's order of derivation. Both bounds append to one shared buffer, so the upper bound can
    point at the lower bound's answer wherever the two agree."""

    def __init__(self, size: int, buf: _Buffer) -> None:
        self.start = np.zeros(size, dtype=np.int64)
        self.count = np.zeros(size, dtype=np.int32)
        self.buf = buf
        self.local: dict[int, dict[int, None]] = {}  # members of the cycle being solved

    def __getitem__(self, y: int) -> dict[int, None]:
        got = self.local.get(y)
        if got is not None:
            return got
        c = int(self.count[y])
        if not c:
            return _EMPTY
        s = int(self.start[y])
        return dict.fromkeys(self.buf.data[s : s + c].tolist())

    def put(self, y: int, xs: Sequence[int]) -> None:
        self.start[y] = self.buf.append(np.asarray(xs, dtype=np.int32))
        self.count[y] = len(xs)

    def gather(self, ys: I64) -> tuple[I64, I64, I64]:
        """(parent position in ``ys``, controller, rank within the parent's controllers) for all of ``ys``."""
        lens = self.count[ys].astype(np.int64)
        pos = _ranges(self.start[ys], lens)
        parent = np.repeat(np.arange(ys.size, dtype=np.int64), lens)
        rank = pos - np.repeat(self.start[ys], lens)
        return parent, self.buf.data[pos].astype(np.int64), rank


_EMPTY: dict[int, None] = {}


class _Buffer:
    def __init__(self, capacity: int) -> None:
        self.data = np.zeros(max(capacity, 16), dtype=np.int32)
        self.size = 0

    def append(self, xs: NDArray[np.int32]) -> int:
        at = self.size
        need = at + xs.size
        if need > self.data.size:
            grown = np.zeros(max(need, self.data.size * 2), dtype=np.int32)
            grown[:at] = self.data[:at]
            self.data = grown
        self.data[at:need] = xs
        self.size = need
        return at


# -- the fixpoint ---------------------------------------------------------------------------


class _Solver:
    """``engine.solve`` for one bound over the levels, writing into a ``_Store``."""

    def __init__(self, net: _Net, store: _Store, bound: int, params: ControlParams,
                 shared: _Store | None, affected: B | None, small_level: int, level_chunk: int) -> None:
        self.net = net
        self.ctrl = store
        self.bound = bound
        self.votes = net.vlo if bound == LO else net.vhi
        self.t = params.threshold + EPS
        self.relative = params.ruleset == "relative"
        self.t_rel = params.relative_threshold
        self.alt = (HI if bound == LO else LO) if net.uncertain else bound
        self.shared = shared
        self.affected = affected
        self.small_level = small_level
        self.level_chunk = level_chunk
        n = net.n
        keys: set[int] = set()
        if net.bloc_members:
            keys.update(net.global_bloc)
            for bmap in net.scoped_bloc.values():
                keys.update(bmap)
            keys.update(range(n, n + len(net.bloc_members)))
        self.bloc_keys = keys
        self.bloc_arr = np.array(sorted(keys), dtype=np.int64)

    def run(self, levels: list[I32], labels: I32, incycle: B) -> None:
        for level in levels:
            if self.shared is not None and self.affected is not None:
                keep = self.affected[level]
                same = level[~keep]
                self.ctrl.start[same] = self.shared.start[same]
                self.ctrl.count[same] = self.shared.count[same]
                level = level[keep]
                if not level.size:
                    continue
            cyc = incycle[level]
            single = level[~cyc]
            if single.size and single.size >= self.small_level and not self.relative:
                # Entities of one level do not depend on each other: a large level goes in parts.
                single = np.sort(single)
                before = self.net.indptr[single]
                part = (before - before[0]) // self.level_chunk
                rest = []
                for ys in np.split(single.astype(np.int64), np.flatnonzero(np.diff(part)) + 1):
                    rest += self.level(ys)
            else:
                rest = single.tolist()
            for y in rest:
                out = self.one(y)
                if out:
                    self.ctrl.put(y, list(out))
            if cyc.any():
                members = level[cyc]
                comp = labels[members]
                cuts = np.flatnonzero(np.diff(comp)) + 1
                for part in np.split(members, cuts):
                    self.cycle(part.tolist())

    def one(self, y: int) -> dict[int, object] | None:
        """The engine's rules for one entity: its controllers from those of its holders."""
        net, ctrl = self.net, self.ctrl
        a, b = int(net.indptr[y]), int(net.indptr[y + 1])
        c0, c1 = int(net.cptr[y]), int(net.cptr[y + 1])
        if a == b and c0 == c1:
            return None
        pooled: dict[int, float] = {}
        pget = pooled.get
        for h, v in zip(net.hold[a:b].tolist(), self.votes[a:b].tolist(), strict=True):
            if v > 0.0:
                pooled[h] = pget(h, 0.0) + v
                ch = ctrl[h]
                if ch:
                    for x in ch:
                        if x != h:
                            pooled[x] = pget(x, 0.0) + v
        blocs: list[int] = []
        keys = self.bloc_keys
        if keys and (y in net.scoped_bloc or not keys.isdisjoint(pooled)):
            blocs = _pool_blocs(net, ctrl, y, pooled, self.bound)
        direct: dict[int, object] = dict.fromkeys(net.csrc[c0:c1].tolist(), "E")
        t = self.t
        for x, sx in pooled.items():
            if sx > t and x not in direct:
                direct[x] = "P"
        if self.relative and pooled:
            for x in _relative_winners(net, ctrl, y, pooled, self.bound, self.alt, self.t_rel):
                if x not in direct:
                    direct[x] = "R"
        if not direct:
            return None
        out = dict(direct)
        for x in direct:
            for w in ctrl[x]:
                if w not in out:
                    out[w] = x
        if blocs:
            n = net.n
            for bl in blocs:
                if bl in out and any(m in out for m in net.bloc_members[bl - n]):
                    del out[bl]
        return out

    def cycle(self, comp: list[int]) -> None:
        """A strongly connected component: a worklist until nothing changes (the least fixpoint)."""
        net, ctrl = self.net, self.ctrl
        members = set(comp)
        succ: dict[int, list[int]] = {}
        for z in comp:
            a, b = int(net.indptr[z]), int(net.indptr[z + 1])
            for h in net.hold[a:b].tolist():
                if h in members:
                    succ.setdefault(h, []).append(z)
            for c in net.csrc[int(net.cptr[z]) : int(net.cptr[z + 1])].tolist():
                if c in members:
                    succ.setdefault(c, []).append(z)
        for z in comp:
            ctrl.local[z] = {}
        shared = self.shared
        pending = comp[::-1]
        queued = set(pending)
        while pending:
            y = pending.pop()
            queued.discard(y)
            if shared is not None and self.affected is not None and not self.affected[y]:
                ctrl.local[y] = shared[y]
                continue
            out = self.one(y)
            if not out:
                continue
            cur = ctrl.local[y]
            changed = False
            for x in out:
                if x not in cur:
                    cur[x] = None
                    changed = True
            if changed:
                for z in succ.get(y, ()):
                    if z not in queued:
                        queued.add(z)
                        pending.append(z)
        if self.bloc_keys:
            n = net.n
            for z in comp:
                cz = ctrl.local[z]
                for bl in [x for x in cz if x >= n]:
                    if any(m in cz for m in net.bloc_members[bl - n]):
                        del cz[bl]
        for z in comp:
            got = ctrl.local.pop(z)
            if got:
                ctrl.put(z, list(got))

    def level(self, ys: I64) -> list[int]:
        """Majority rule for acyclic entities of one level at once; returns those left to ``one``
        (where an acting-in-concert bloc may be in play)."""
        net, ctrl = self.net, self.ctrl
        big = np.int64(net.n + len(net.bloc_members))
        ys = np.sort(ys)
        a = net.indptr[ys]
        lens = net.indptr[ys + 1] - a
        ks = _ranges(a, lens)
        yk = np.repeat(ys, lens)
        v = self.votes[ks]
        pos = v > 0.0
        ks, yk, v = ks[pos], yk[pos], v[pos]
        h = net.hold[ks].astype(np.int64)
        parent, xs, rank = ctrl.gather(h)
        mine = xs != h[parent]
        parent, xs, rank = parent[mine], xs[mine], rank[mine]
        # Contributions (y, x, vote, k, sub): the holder itself (sub 0) and each of its controllers.
        cy = np.concatenate([yk, yk[parent]])
        cx = np.concatenate([h, xs])
        cv = np.concatenate([v, v[parent]])
        ck = np.concatenate([ks, ks[parent]])
        csub = np.concatenate([np.zeros(h.size, dtype=np.int64), rank + 1])
        rest: list[int] = []
        if self.bloc_keys:
            hit = np.isin(cx, self.bloc_arr)
            flagged = _uniq(cy[hit])
            scoped = np.array([y for y in net.scoped_bloc], dtype=np.int64)
            flagged = np.union1d(flagged, np.intersect1d(scoped, ys))
            if flagged.size:
                rest = flagged.tolist()
                keep = ~np.isin(cy, flagged)
                cy, cx, cv, ck, csub = cy[keep], cx[keep], cv[keep], ck[keep], csub[keep]
                ys = np.setdiff1d(ys, flagged)
        # Pooled votes per (y, x), summed in stake order as the engine's dict does.
        o = np.lexsort((ck, cx, cy))
        cy, cx, cv, ck, csub = cy[o], cx[o], cv[o], ck[o], csub[o]
        key = cy * big + cx
        head = np.ones(key.size, dtype=bool)
        head[1:] = key[1:] != key[:-1]
        group = np.cumsum(head) - 1
        sums = np.bincount(group, weights=cv) if cv.size else np.zeros(0)
        first = np.flatnonzero(head)
        win = sums > self.t
        py, px = cy[first][win], cx[first][win]
        pk, psub = ck[first][win], csub[first][win]
        # CONTROLS edges first, then holders above the threshold in the order first pooled.
        c0 = net.cptr[ys]
        clen = net.cptr[ys + 1] - c0
        cpos = _ranges(c0, clen)
        ey = np.repeat(ys, clen)
        ex = net.csrc[cpos].astype(np.int64)
        erank = cpos - np.repeat(c0, clen)
        dy = np.concatenate([ey, py])
        dx = np.concatenate([ex, px])
        d1 = np.concatenate([np.zeros(ey.size, dtype=np.int64), np.ones(py.size, dtype=np.int64)])
        d2 = np.concatenate([erank, pk])
        d3 = np.concatenate([np.zeros(ey.size, dtype=np.int64), psub])
        o = np.lexsort((d3, d2, d1, dy))
        dy, dx = dy[o], dx[o]
        dy, dx = _first_of_pairs(dy, dx, big)
        # Direct controllers in order, then the controllers of each in its order.
        dhead = np.ones(dy.size, dtype=bool)
        dhead[1:] = dy[1:] != dy[:-1]
        dstart = np.flatnonzero(dhead)
        dpos = np.arange(dy.size, dtype=np.int64) - np.repeat(dstart, np.diff(np.append(dstart, dy.size)))
        parent, ws, wrank = ctrl.gather(dx)
        ty = np.concatenate([dy, dy[parent]])
        tx = np.concatenate([dx, ws])
        t1 = np.concatenate([np.zeros(dy.size, dtype=np.int64), np.ones(ws.size, dtype=np.int64)])
        t2 = np.concatenate([dpos, dpos[parent]])
        t3 = np.concatenate([np.zeros(dy.size, dtype=np.int64), wrank])
        o = np.lexsort((t3, t2, t1, ty))
        ty, tx = _first_of_pairs(ty[o], tx[o], big)
        if ty.size:
            at = ctrl.buf.append(tx.astype(np.int32))
            yhead = np.ones(ty.size, dtype=bool)
            yhead[1:] = ty[1:] != ty[:-1]
            ystart = np.flatnonzero(yhead)
            ctrl.start[ty[ystart]] = at + ystart
            ctrl.count[ty[ystart]] = np.diff(np.append(ystart, ty.size))
        return rest


def _first_of_pairs(y: I64, x: I64, big: np.int64) -> tuple[I64, I64]:
    """The rows of (y, x), already in order, without repeats of a pair (the first one kept)."""
    if not y.size:
        return y, x
    _, first = np.unique(y * big + x, return_index=True)
    first.sort()
    return y[first], x[first]


# -- answers ----------------------------------------------------------------------------------


@dataclass(slots=True)
class BulkAnswers:
    """Status and controllers of every entity of the view, indexed by node.

    ``status`` is 0 no_controller, 1 controlled, 2 undetermined. ``definite`` and
    ``possible`` are the ultimate controllers (entity nodes, sorted by id) with
    their group (-1 for none, else an index into ``groups``); ``every`` lists every
    controller, definite or only possible, alone or as a bloc member, sorted by id.
    """

    ids: Ids
    status: NDArray[np.int8]
    definite: tuple[I64, I64, I64]  # (indptr, node, group)
    possible: tuple[I64, I64, I64]
    every: tuple[I64, I64, B, I64]  # (indptr, node, definite, group)
    groups: list[str]
    held: B  # held or controlled by a record of the input (they get a materialised status)
    strings: list[str] | None = field(default=None, repr=False)  # ``ids`` as strings, made on first use

    def names(self) -> list[str]:
        """``ids`` as a list of strings (made once: the answers' rows share them)."""
        if self.strings is None:
            self.strings = list(self.ids)
        return self.strings

    STATUSES = ("no_controller", "controlled", "undetermined")

    def _ucs(self, which: tuple[I64, I64, I64], y: int) -> list[tuple[int, int]]:
        ptr, node, grp = which
        a, b = int(ptr[y]), int(ptr[y + 1])
        return list(zip(node[a:b].tolist(), grp[a:b].tolist(), strict=True))

    def summary(self, y: int) -> ControlSummary:
        ids, groups = self.names(), self.groups
        lo = self._ucs(self.definite, y)
        hi = self._ucs(self.possible, y)
        pairs = sorted({(ids[m], groups[g]) for m, g in (*lo, *hi) if g >= 0})
        return ControlSummary(self.STATUSES[int(self.status[y])], tuple(ids[m] for m, _ in lo),
                              tuple(ids[m] for m, _ in hi), tuple(pairs))

    def summaries(self) -> dict[str, ControlSummary]:
        """Per entity id, the ``ControlSummary`` that ``graph.control.bulk_control`` gives."""
        return {y: self.summary(i) for i, y in enumerate(self.names())}

    def controllers(self) -> dict[str, tuple[tuple[str, bool, str | None], ...]]:
        """Per controlled entity id, every controller as (id, definite, group), sorted
        (``bulk_control_relation``'s second part)."""
        ptr, node, definite, group = self.every
        ids, groups = self.names(), self.groups
        out: dict[str, tuple[tuple[str, bool, str | None], ...]] = {}
        for y in np.flatnonzero(np.diff(ptr)).tolist():
            a, b = int(ptr[y]), int(ptr[y + 1])
            out[ids[y]] = tuple((ids[m], d, None if g < 0 else groups[g]) for m, d, g in zip(
                node[a:b].tolist(), definite[a:b].tolist(), group[a:b].tolist(), strict=True))
        return out

    def rows(self) -> Iterator[tuple[str, str, str, bool, str | None]]:
        """The materialised relationships (``graph.materialised.Key``): ``ULTIMATELY_CONTROLLED_BY`` per
        ultimate controller, definite or possible, and ``CONTROLLED_BY`` per controller (definite or possible)."""
        ids, groups = self.names(), self.groups
        dptr, dnode, dgrp = self.definite
        pptr, pnode, pgrp = self.possible
        eptr, enode, edef, egrp = self.every
        for y in np.flatnonzero((np.diff(dptr) + np.diff(pptr) + np.diff(eptr)) > 0).tolist():
            target = ids[y]
            definite = dnode[dptr[y] : dptr[y + 1]].tolist()
            possible = pnode[pptr[y] : pptr[y + 1]].tolist()
            named: dict[int, str] = {}
            if groups:
                grouped = [(ids[m], groups[g], m) for m, g in (
                    *zip(definite, dgrp[dptr[y] : dptr[y + 1]].tolist(), strict=True),
                    *zip(possible, pgrp[pptr[y] : pptr[y + 1]].tolist(), strict=True)) if g >= 0]
                # ``dict(summary.groups)``: the last of an entity's sorted (id, group) pairs wins.
                for _, g, m in sorted(grouped):
                    named[m] = g
            dset = set(definite)
            for m in dict.fromkeys(definite + possible):
                yield "ULTIMATELY_CONTROLLED_BY", target, ids[m], m in dset, named.get(m)
            a, b = int(eptr[y]), int(eptr[y + 1])
            for m, d, g in zip(enode[a:b].tolist(), edef[a:b].tolist(), egrp[a:b].tolist(), strict=True):
                if m != y:
                    yield "CONTROLLED_BY", target, ids[m], d, None if g < 0 else groups[g]

    def relationships(self) -> tuple[Relations, Relations]:
        """``rows()`` as arrays, for a national graph: (``ULTIMATELY_CONTROLLED_BY``, ``CONTROLLED_BY``),
        each as (target, controller, definite, group), nodes as indices, group -1 for none."""
        n = len(self.ids)
        eptr, enode, edef, egrp = self.every
        ey = np.repeat(np.arange(n, dtype=np.int64), np.diff(eptr))
        keep = enode != ey
        controlled_by = (ey[keep], enode[keep], edef[keep], egrp[keep])
        (dptr, dnode, dgrp), (pptr, pnode, pgrp) = self.definite, self.possible
        y = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), np.diff(dptr)),
                            np.repeat(np.arange(n, dtype=np.int64), np.diff(pptr))])
        m = np.concatenate([dnode, pnode])
        definite = np.concatenate([np.ones(dnode.size, dtype=bool), np.zeros(pnode.size, dtype=bool)])
        # ``rows()``: of an entity's groups, the last of its sorted names
        by_name = np.argsort(np.array(self.groups, dtype=object)).astype(np.int64) if self.groups else _NONE
        name_rank = np.empty(by_name.size, dtype=np.int64)
        name_rank[by_name] = np.arange(by_name.size)
        g = np.concatenate([dgrp, pgrp])
        rank = np.where(g >= 0, name_rank[np.maximum(g, 0)] if by_name.size else -1, -1)
        pairs, first, inverse = np.unique(y * n + m, return_index=True, return_inverse=True)
        is_definite = np.zeros(pairs.size, dtype=bool)
        np.logical_or.at(is_definite, inverse, definite)
        best = np.full(pairs.size, -1, dtype=np.int64)
        np.maximum.at(best, inverse, rank)
        group = np.where(best >= 0, by_name[np.maximum(best, 0)] if by_name.size else -1, -1)
        return (y[first], m[first], is_definite, group), controlled_by

    def statuses(self) -> dict[str, str]:
        """Status of every held entity (the ones that get a materialised status)."""
        names = self.STATUSES
        ids = self.names()
        return {ids[y]: names[s] for y, s in zip(np.flatnonzero(self.held).tolist(),
                                                 self.status[self.held].tolist(), strict=True)}


Relations = tuple[I64, I64, B, I64]
"""Materialised relationships as arrays: (target, controller, definite, group), nodes as indices."""
_NONE = np.empty(0, dtype=np.int64)


def bulk_answers(cols: Columns, params: ControlParams, *, small_level: int = SMALL_LEVEL,
                 level_chunk: int = LEVEL_CHUNK) -> BulkAnswers:
    """Status, ultimate controllers and every controller of each entity of the view at
    ``params.as_of`` (the answers of ``graph.control.bulk_control_relation``, without proofs).

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("b", "B", "company"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "b", Share(exact=0.8)), Stake("b", "a", Share(exact=0.6))])
    >>> got = bulk_answers(Columns.from_dataset(d), ControlParams(date(2024, 1, 1)))
    >>> got.summaries()["a"]
    ControlSummary(status='controlled', ultimate_controllers=('p',), possible_ultimate_controllers=('p',), groups=())
    >>> got.controllers()["a"]
    (('b', True, None), ('p', True, None))
    """
    net = _compile(cols, params.as_of)
    n = net.n
    size = n + len(net.bloc_members)
    affected = _affected(net) if net.uncertain else None  # first: its temporaries come before the stores
    levels, labels, incycle = _levels(net, level_chunk)
    buf = _Buffer(2 * n)
    lo = _Store(size, buf)
    _Solver(net, lo, LO, params, None, None, small_level, level_chunk).run(levels, labels, incycle)
    hi = lo
    if affected is not None:
        hi = _Store(size, buf)
        _Solver(net, hi, HI, params, lo, affected, small_level, level_chunk).run(levels, labels, incycle)
    del levels, labels, incycle, affected, buf
    net.release()
    stores = [lo, hi]
    del lo, hi
    return _answers(cols, net, stores)


def _affected(net: _Net) -> B:
    """``engine.affected_by_uncertainty``: nodes downstream of a stake whose bounds differ."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    n = net.n
    owned = np.repeat(np.arange(n, dtype=np.int64), np.diff(net.indptr))
    seeds = _uniq(owned[net.vlo != net.vhi])
    if seeds.size == 0:
        return np.zeros(n, dtype=bool)
    src, dst = _influence(net)
    src = np.concatenate([src, np.full(seeds.size, n, dtype=np.int32)])
    dst = np.concatenate([dst, seeds.astype(np.int32)])
    g = csr_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n + 1, n + 1))
    reached = breadth_first_order(g, n, directed=True, return_predecessors=False)
    out = np.zeros(n + 1, dtype=bool)
    out[reached] = True
    return out[:n]


def _pairs(store: _Store, rows: int) -> tuple[I64, I64]:
    """Every (y, x) of a store as flat arrays, in order, for y in ``0..rows-1``."""
    ys = np.flatnonzero(store.count[:rows])
    parent, xs, _ = store.gather(ys)
    return ys[parent], xs


def _top(store: _Store, size: int) -> B:
    """x is ultimate wherever it controls: everybody who controls x is controlled by x (a cycle)."""
    y, x = _pairs(store, size)
    top = np.ones(size, dtype=bool)
    if not y.size:
        return top
    have = np.sort(y * size + x)
    # pair (x controls y): does y control x too?
    back = x * size + y
    at = np.searchsorted(have, back)
    at[at >= have.size] = 0
    found = have[at] == back
    # for the pair (y, x), x controls y: y is not top unless x is controlled by y
    top[_uniq(y[~found])] = False
    return top


class _Groups:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.at: dict[str, int] = {}

    def of(self, name: str) -> int:
        g = self.at.get(name)
        if g is None:
            g = self.at[name] = len(self.names)
            self.names.append(name)
        return g


def _expand(net: _Net, store: _Store, top: B, groups: _Groups, n: int) -> tuple[I64, I64, I64]:
    """``engine.expand(ultimate(...))`` for every node: ultimate controllers as (node, group), in order."""
    y, x = _pairs(store, n)
    keep = top[x]
    y, x = y[keep], x[keep]
    g = np.full(x.size, -1, dtype=np.int64)
    ids = net.ids
    entity = x < n
    cyc = np.zeros(x.size, dtype=bool)
    cyc[entity] = store.count[x[entity]] > 0
    if cyc.any():
        # A controller in a cycle is named with the whole cycle as its group.
        us, inverse = np.unique(x[cyc], return_inverse=True)
        names = [groups.of("cycle:" + "+".join(sorted(ids[m] for m in {u, *store[u]}))) for u in us.tolist()]
        g[cyc] = np.array(names, dtype=np.int64)[inverse]
    if not entity.all():
        # Blocs stand for their members; an entity met twice keeps its first group (engine.expand).
        bad_y = _uniq(y[~entity])
        plain = ~np.isin(y, bad_y)
        ys_out: list[int] = []
        xs_out: list[int] = []
        gs_out: list[int] = []
        lo = np.searchsorted(y, bad_y, side="left")
        hi = np.searchsorted(y, bad_y, side="right")
        for t, a, b in zip(bad_y.tolist(), lo.tolist(), hi.tolist(), strict=True):
            seen: set[int] = set()
            for u, gu in zip(x[a:b].tolist(), g[a:b].tolist(), strict=True):
                recs = [(m, groups.of(net.label(u))) for m in net.bloc_members[u - n]] if u >= n else [(u, gu)]
                for m, gg in recs:
                    if m not in seen:
                        seen.add(m)
                        ys_out.append(t)
                        xs_out.append(m)
                        gs_out.append(gg)
        y = np.concatenate([y[plain], np.array(ys_out, dtype=np.int64)])
        x = np.concatenate([x[plain], np.array(xs_out, dtype=np.int64)])
        g = np.concatenate([g[plain], np.array(gs_out, dtype=np.int64)])
    return y, x, g


def _csr_by_id(y: I64, x: I64, g: I64, n: int, rank: I32) -> tuple[I64, I64, I64]:
    o = np.lexsort((rank[x], y))
    y, x, g = y[o], x[o], g[o]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(y, minlength=n), out=ptr[1:])
    return ptr, x, g


def _controller_rows(net: _Net, lo: _Store, hi: _Store, groups: _Groups) -> tuple[I64, I64, B, I64]:
    """``graph.control._controller_rows`` for every node: (target, controller, definite, group) --
    definite at the lower bound, else possible at the upper; alone, or as a member of a bloc that
    controls (group: the bloc's label) when the member does not control alone in that bound."""
    n = net.n
    ly, lx = _pairs(lo, n)
    hy, hx = (ly[:0], lx[:0]) if hi is lo else _pairs(hi, n)
    blocky = _uniq(np.concatenate([ly[lx >= n], hy[hx >= n]]))
    if blocky.size:
        lp = ~_isin(ly, blocky)
        hp = ~_isin(hy, blocky)
        ly, lx, hy, hx = ly[lp], lx[lp], hy[hp], hx[hp]
    new = ~_isin(hy * n + hx, ly * n + lx)
    ys = [ly, hy[new]]
    xs = [lx, hx[new]]
    ds = [np.ones(lx.size, dtype=bool), np.zeros(int(new.sum()), dtype=bool)]
    gs = [np.full(lx.size + int(new.sum()), -1, dtype=np.int64)]
    if blocky.size:
        # Where a bloc controls: entity by entity, in the engine's order (first row of an id wins).
        by: list[int] = []
        bx: list[int] = []
        bd: list[bool] = []
        bg: list[int] = []
        for t in blocky.tolist():
            rows: dict[int, tuple[bool, str | None]] = {}
            for ctrl, definite in ((lo[t], True), (hi[t], False)):
                for x in ctrl:
                    if x < n:
                        rows.setdefault(x, (definite, None))
                for name, b in sorted((net.label(b), b) for b in ctrl if b >= n):
                    for m in net.bloc_members[b - n]:
                        if m not in ctrl:
                            rows.setdefault(m, (definite, name))
            for m, (definite, group) in rows.items():
                by.append(t)
                bx.append(m)
                bd.append(definite)
                bg.append(-1 if group is None else groups.of(group))
        ys.append(np.array(by, dtype=np.int64))
        xs.append(np.array(bx, dtype=np.int64))
        ds.append(np.array(bd, dtype=bool))
        gs.append(np.array(bg, dtype=np.int64))
    return np.concatenate(ys), np.concatenate(xs), np.concatenate(ds), np.concatenate(gs)


def _answers(cols: Columns, net: _Net, stores: list[_Store]) -> BulkAnswers:
    """The answers from the stores of both bounds (taken out of ``stores``: dropped once read)."""
    lo, hi = stores
    stores.clear()
    n = net.n
    size = n + len(net.bloc_members)
    ids = net.ids
    groups = _Groups()
    top_lo = _top(lo, size)
    ly, lx, lg = _expand(net, lo, top_lo, groups, n)
    if hi is lo:
        hy, hx, hg = ly, lx, lg
    else:
        hy, hx, hg = _expand(net, hi, _top(hi, size), groups, n)
    ng = len(groups.names) + 1
    lkey = _uniq((ly * n + lx) * ng + (lg + 1))
    hkey = _uniq((hy * n + hx) * ng + (hg + 1))
    differ = _uniq(np.setxor1d(lkey, hkey, assume_unique=True) // ng // n)
    has = np.zeros(n, dtype=bool)
    has[ly] = True
    has[hy] = True
    status = np.where(has, 1, 0).astype(np.int8)
    status[differ] = 2
    # Every controller, definite or possible, alone or as a bloc member; sorted by id.
    ey, ex, edef, egrp = _controller_rows(net, lo, hi, groups)
    del lo, hi
    # Controllers ranked by id: answers list them sorted.
    named = _uniq(np.concatenate([lx, hx, ex]))
    del lkey, hkey, differ, has, top_lo
    rank = np.zeros(n, dtype=np.int32)
    rank[named[ids.order(named)]] = np.arange(named.size)
    o = np.lexsort((rank[ex], ey))
    ey, ex, edef, egrp = ey[o], ex[o], edef[o], egrp[o]
    eptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ey, minlength=n), out=eptr[1:])
    held = np.zeros(n, dtype=bool)
    for targets in (cols.owned, cols.c_to):
        nodes = np.zeros(cols.n_ids, dtype=bool)
        nodes[targets] = True
        where = np.flatnonzero(nodes[net.col])
        held[where] = True
    return BulkAnswers(ids, status, _csr_by_id(ly, lx, lg, n, rank), _csr_by_id(hy, hx, hg, n, rank),
                       (eptr, ex, edef, egrp), groups.names, held)


def keys_and_statuses(answers: BulkAnswers) -> tuple[set[tuple[str, str, str, bool, str | None]], dict[str, str]]:
    """What ``ownergraph.materialise.control_answers`` returns, from the columnar answers."""
    return set(answers.rows()), answers.statuses()
