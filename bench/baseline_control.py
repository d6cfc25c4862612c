"""The plain baseline for whole-graph control: iterate a networkx fixpoint until nothing changes.

What one would write first, and what ``graph.control.bulk_control`` is
measured against on a sample: ``x`` controls ``y`` when the votes in ``y``
held by ``x`` and by everything ``x`` controls exceed the threshold (or when
``x`` has a CONTROLS edge into ``y``); repeat over every node until a full
pass adds nothing. Shares count at their lower bound (an unknown share is 0),
the voting share where one is given. No blocs, no relative rule, no proofs.

    >>> from graph.model import Dataset, Entity, Share, Stake
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("b", "B", "company"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "b", Share(exact=0.8)), Stake("b", "a", Share(exact=0.6))])
    >>> plain_ultimate_controllers(d, as_of=date(2024, 1, 1))["a"]
    ('p',)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import networkx as nx

from ownergraph.graph.model import Dataset, valid_at


def ownership_digraph(data: Dataset, as_of: date) -> nx.DiGraph:
    """owner -> owned with ``weight`` = the summed lower-bound voting share valid at ``as_of``."""
    g = nx.DiGraph()
    g.add_nodes_from(e.id for e in data.entities)
    for s in data.stakes:
        if not valid_at(s.start, s.end, as_of):
            continue
        share = s.voting_share if s.voting_share is not None else s.share
        weight = share.lower
        if g.has_edge(s.owner_id, s.owned_id):
            g[s.owner_id][s.owned_id]["weight"] += weight
        else:
            g.add_edge(s.owner_id, s.owned_id, weight=weight)
    return g


def plain_control(data: Dataset, *, as_of: date, threshold: float = 0.5) -> dict[str, set[str]]:
    """Every entity's controllers (direct and indirect), by iterating until no change."""
    g = ownership_digraph(data, as_of)
    controlled_by: dict[str, set[str]] = {n: set() for n in g}
    for c in data.controls:
        if valid_at(c.start, c.end, as_of) and c.controlled_id in controlled_by:
            controlled_by[c.controlled_id].add(c.controller_id)
    changed = True
    while changed:
        changed = False
        for y in g:
            votes: dict[str, float] = defaultdict(float)
            for owner, attrs in g.pred[y].items():
                w = attrs["weight"]
                votes[owner] += w
                for x in controlled_by[owner]:
                    votes[x] += w
            mine = controlled_by[y]
            for x, v in votes.items():
                if v > threshold and x != y and x not in mine:
                    mine.add(x)
                    changed = True
            # control is transitive: whoever controls a controller of y controls y
            for x in list(mine):
                extra = controlled_by.get(x, set()) - mine - {y}
                if extra:
                    mine |= extra
                    changed = True
    return controlled_by


def plain_ultimate_controllers(data: Dataset, *, as_of: date, threshold: float = 0.5) -> dict[str, tuple[str, ...]]:
    """Controllers of each entity that nobody else controls (members of a control cycle count)."""
    controlled_by = plain_control(data, as_of=as_of, threshold=threshold)
    return {
        y: tuple(sorted(x for x in ctrl if all(x in controlled_by[z] for z in controlled_by.get(x, ()) if z != x)))
        for y, ctrl in controlled_by.items()
    }
