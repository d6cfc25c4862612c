"""Repeated rows of one stake: separate subscriptions of capital, kept apart and added together.

Registries list a holder twice for one company when it subscribed capital in
two instalments. Both rows have the same identity (owner, owned company,
start, source, detail), so a reload could not tell them apart: each further
row gets a part number (2, 3, ...) that makes its key its own. The engine adds
a holder's stakes together, so control sees the whole holding either way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from hashlib import blake2b
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from ownergraph.graph.model import Dataset, Finding, Stake
from ownergraph.loaders.validate import Locations, RowLines

_KEY = attrgetter("key")


def number_repeated_stakes(
    data: Dataset, *, file: str | None = None, locations: Locations | None = None
) -> list[Finding]:
    """Give each further row of a stake its part number; one warning per repeated stake.

    With ``locations`` (the parser's record positions) the warning names the
    second row's file, line or JSON pointer.
    """
    keys = list(map(_KEY, data.stakes))
    counts = Counter(keys)
    if len(counts) == len(keys):  # the common case, checked in C
        return []
    seen: Counter[str] = Counter()
    findings: list[Finding] = []
    for i, key in enumerate(keys):
        if counts[key] == 1:
            continue
        seen[key] += 1
        stake = data.stakes[i]
        if seen[key] > 1:
            data.stakes[i] = replace(stake, part=seen[key])
        if seen[key] == 2:
            where, line, column = file, None, None
            if locations is not None and ("stakes", i) in locations:
                where, line = locations[("stakes", i)]
                if isinstance(locations, RowLines):
                    column = locations.pointer("stakes", i)
            findings.append(_repeated(counts[key], stake, where, line or None, column))
    return findings


def _repeated(rows: int, stake: Stake, file: str | None, line: int | None, column: str | None) -> Finding:
    return Finding(
        "warning",
        "repeated_stake",
        f"{rows} rows give a stake of {stake.owner_id!r} in {stake.owned_id!r} with the same start "
        "and source: kept as separate stakes (subscriptions) and added together",
        file=file,
        line=line,
        column=column,
        entity_id=stake.owned_id,
    )


class RepeatedStakes:
    """``number_repeated_stakes`` over a load read in parts, without holding its keys.

    Each key is remembered by a 128-bit digest (16 bytes a stake in sorted arrays,
    ``SortedDigests``, instead of the key's string; two different keys sharing one is as
    likely as guessing a random 128-bit number). Rows are numbered as they come; the
    warnings, which count every row of a repeated stake, come once every part has been numbered.

    >>> from ownergraph.graph.model import Stake
    >>> repeats = RepeatedStakes()
    >>> part = [Stake("p", "a"), Stake("q", "a")]
    >>> repeats.number(part)
    >>> later = [Stake("p", "a")]
    >>> repeats.number(later)
    >>> later[0].part, [f.message[:28] for f in repeats.findings(file="x")]
    (2, ["2 rows give a stake of 'p' i"])
    """

    def __init__(self) -> None:
        self._seen = SortedDigests()
        self._repeats: dict[str, tuple[Stake, list[int]]] = {}  # key: its second row, the count of its rows

    def number(self, stakes: list[Stake]) -> None:
        """Give each further row of a stake (in this part or an earlier one) its part number, in place."""
        keys = list(map(_KEY, stakes))
        digests = [blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest() for key in keys]
        earlier = self._seen.contains(digests)
        new: dict[bytes, None] = {}
        repeats = self._repeats
        for i, (key, digest, known) in enumerate(zip(keys, digests, earlier, strict=True)):
            if not known and digest not in new:
                new[digest] = None
                continue
            hit = repeats.get(key)
            if hit is None:
                hit = repeats[key] = (stakes[i], [1])
            hit[1][0] += 1
            stakes[i] = replace(stakes[i], part=hit[1][0])
        self._seen.add(list(new))

    def forget_keys(self) -> None:
        """Drop the digests once every part has been numbered (the repeated stakes stay, for ``findings``)."""
        self._seen = SortedDigests()

    def findings(self, *, file: str | None) -> list[Finding]:
        """One warning per repeated stake, as ``number_repeated_stakes`` gives it without locations."""
        return [_repeated(count[0], stake, file, None, None) for stake, count in self._repeats.values()]


class SortedDigests:
    """A set of distinct 16-byte digests as two sorted arrays: 16 bytes a digest, not a Python object.

    Ordered by their first 8 bytes, with their last 8 alongside (two digests sharing the first 8
    are compared in full). Each ``add`` merges its batch in, in time linear in the set.

    >>> seen = SortedDigests()
    >>> seen.add([bytes(16), bytes(8) + bytes([1]) * 8])
    >>> seen.contains([bytes(16), bytes(8) + bytes([2]) * 8, bytes([9]) * 16]).tolist()
    [True, False, False]
    """

    def __init__(self) -> None:
        self.head = np.empty(0, dtype=np.uint64)  # sorted
        self.tail = np.empty(0, dtype=np.uint64)

    @staticmethod
    def _split(digests: list[bytes]) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        pairs = np.frombuffer(b"".join(digests), dtype=np.uint64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    def contains(self, digests: list[bytes]) -> NDArray[np.bool_]:
        """Which of ``digests`` are in the set."""
        if not digests or not self.head.size:
            return np.zeros(len(digests), dtype=bool)
        head, tail = self._split(digests)
        order = np.argsort(head)  # sorted needles: each search starts where the last one ended
        low = np.empty(head.size, dtype=np.int64)
        high = np.empty(head.size, dtype=np.int64)
        low[order] = np.searchsorted(self.head, head[order], side="left")
        high[order] = np.searchsorted(self.head, head[order], side="right")
        found = np.zeros(head.size, dtype=bool)
        single = high - low == 1
        found[single] = self.tail[low[single]] == tail[single]
        for i in np.flatnonzero(high - low > 1).tolist():  # first halves shared: about never
            found[i] = bool((self.tail[low[i] : high[i]] == tail[i]).any())
        return found

    def add(self, digests: list[bytes]) -> None:
        """Add digests not yet in the set (the caller checked them with ``contains``)."""
        if not digests:
            return
        head, tail = self._split(digests)
        order = np.argsort(head, kind="stable")
        head, tail = head[order], tail[order]
        # Each new digest's place in the merged arrays: its place among the old ones plus the new before it.
        at = np.searchsorted(self.head, head, side="right") + np.arange(head.size)
        old = np.ones(self.head.size + head.size, dtype=bool)
        old[at] = False
        for name, new in (("head", head), ("tail", tail)):
            merged = np.empty(old.size, dtype=np.uint64)
            merged[at] = new
            merged[old] = getattr(self, name)
            setattr(self, name, merged)
