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

    Each key is remembered by a 128-bit digest (about 90 bytes a stake instead of the key's
    string; two different keys sharing one is as likely as guessing a random 128-bit number).
    Rows are numbered as they come; the warnings, which count every row of a repeated stake,
    come once every part has been numbered.

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
        self._seen: set[bytes] = set()
        self._repeats: dict[str, tuple[Stake, list[int]]] = {}  # key: its second row, the count of its rows

    def number(self, stakes: list[Stake]) -> None:
        """Give each further row of a stake (in this part or an earlier one) its part number, in place."""
        seen, repeats = self._seen, self._repeats
        for i, key in enumerate(map(_KEY, stakes)):
            digest = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            if digest not in seen:
                seen.add(digest)
                continue
            hit = repeats.get(key)
            if hit is None:
                hit = repeats[key] = (stakes[i], [1])
            hit[1][0] += 1
            stakes[i] = replace(stakes[i], part=hit[1][0])

    def forget_keys(self) -> None:
        """Drop the digests once every part has been numbered (the repeated stakes stay, for ``findings``)."""
        self._seen = set()

    def findings(self, *, file: str | None) -> list[Finding]:
        """One warning per repeated stake, as ``number_repeated_stakes`` gives it without locations."""
        return [_repeated(count[0], stake, file, None, None) for stake, count in self._repeats.values()]
