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
from operator import attrgetter

from ownergraph.graph.model import Dataset, Finding
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
            findings.append(Finding(
                "warning",
                "repeated_stake",
                f"{counts[key]} rows give a stake of {stake.owner_id!r} in {stake.owned_id!r} with the same start "
                "and source: kept as separate stakes (subscriptions) and added together",
                file=where,
                line=line or None,
                column=column,
                entity_id=stake.owned_id,
            ))
    return findings
