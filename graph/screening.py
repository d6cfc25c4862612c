"""Screening against a watchlist, docs/control.md section 7: the aggregate 50% rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ownergraph.graph.answers import CapturedEntity, CapturedOwner, QualityFlag, ScreeningAnswer
from ownergraph.graph.build import build_view
from ownergraph.graph.engine import EPS
from ownergraph.graph.errors import InvalidParameter
from ownergraph.graph.model import Dataset
from ownergraph.graph.ownership import equity_bounds


def screen(data: Dataset, listed: Iterable[str], *, as_of: date, threshold: float = 0.5) -> ScreeningAnswer:
    """Entities captured by the listed parties: listed, or >= 50% held by captured owners together.

    Equity shares only (exact, or the lower bound of an interval; unknown
    counts 0). Shares of different captured owners add up; shares along a
    chain are not multiplied. ``data`` must hold everything downstream of the
    listed parties and the owners of those entities.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity(i, i, "company") for i in "lmab"],
    ...             stakes=[Stake("l", "a", Share(exact=0.3)), Stake("m", "a", Share(exact=0.25)),
    ...                     Stake("a", "b", Share(exact=0.5))])
    >>> [(c.id, c.listed) for c in screen(d, ["l", "m"], as_of=date(2024, 1, 1)).captured]
    [('a', False), ('b', False), ('l', True), ('m', True)]
    """
    if not 0.0 <= threshold <= 1.0:
        raise InvalidParameter(f"threshold must be between 0 and 1, got {threshold!r}")
    view = build_view(data, as_of)
    listed_ids = tuple(dict.fromkeys(listed))
    flags = list(view.flags)
    unknown = [i for i in listed_ids if i not in view.entities]
    if unknown:
        flags.append(QualityFlag("unknown_listed_id", "listed ids not in the data: " + ", ".join(unknown),
                                 tuple(unknown)))
    holdings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (owner, owned), (lo, _) in equity_bounds(view).items():
        if lo > 0.0:
            holdings[owner].append((owned, lo))
    captured: dict[str, list[tuple[str, float]]] = {i: [] for i in listed_ids}
    acc: dict[str, list[tuple[str, float]]] = defaultdict(list)
    total: dict[str, float] = defaultdict(float)
    todo = list(listed_ids)
    while todo:
        owner = todo.pop()
        for owned, share in holdings.get(owner, ()):
            acc[owned].append((owner, share))
            total[owned] += share
            if owned not in captured and total[owned] >= threshold - EPS:
                captured[owned] = acc[owned]
                todo.append(owned)
    listed_set = set(listed_ids)
    out = []
    for cid in captured:
        # Owners captured after the entity itself also hold it: list them all.
        owners = sorted(acc.get(cid, ()), key=lambda p: (-p[1], p[0]))
        out.append(
            CapturedEntity(
                id=cid,
                name=view.name(cid),
                listed=cid in listed_set,
                captured_share=sum(s for _, s in owners),
                captured_owners=tuple(CapturedOwner(o, s) for o, s in owners),
            )
        )
    out.sort(key=lambda c: c.id)
    return ScreeningAnswer(as_of, threshold, "lower_bound", listed_ids, tuple(out), tuple(flags))
