"""Common owners and clusters, docs/control.md section 8."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ownergraph.graph.answers import (
    Cluster,
    ClusterMember,
    ClusterOwner,
    ClustersAnswer,
    CommonOwner,
    CommonOwnersAnswer,
)
from ownergraph.graph.build import View, build_view, restrict, upstream_closure
from ownergraph.graph.control import ultimate_in_view
from ownergraph.graph.engine import EPS
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.model import Dataset
from ownergraph.graph.ownership import IOResult, integrated_ownership
from ownergraph.graph.params import DEFAULT_MIN_IO, ControlParams, check_fraction


def _owned_ids(view: View) -> set[str]:
    return {s.owned_id for s in view.stakes if s.share.upper is None or s.share.upper > 0.0}


def _strictly_below(io: IOResult, a: str, b: str) -> bool:
    """``a`` is owned by ``b`` (through any chain) and does not own ``b`` back."""
    return io.of(b, a) > 0.0 and io.of(a, b) <= 0.0


def common_owners(data: Dataset, ids: Iterable[str], *, as_of: date) -> CommonOwnersAnswer:
    """Entities with positive integrated ownership in every member of ``ids``.

    ``nearest``: no other common owner lies strictly between it and the
    members; ``top_level``: it has no owner itself. Shares at lower bound.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity(i, i, "company") for i in "pgab"],
    ...             stakes=[Stake("p", "g", Share(exact=1.0)), Stake("g", "a", Share(exact=0.4)),
    ...                     Stake("g", "b", Share(exact=0.3))])
    >>> [(c.id, c.nearest, c.top_level) for c in common_owners(d, ["a", "b"], as_of=date(2024, 1, 1)).common_owners]
    [('g', True, False), ('p', False, True)]
    """
    members = tuple(dict.fromkeys(ids))
    known = {e.id for e in data.entities}
    for m in members:
        if m not in known:
            raise EntityNotFound(m)
    closure: set[str] = set()
    for m in members:
        closure |= upstream_closure(data, m)
    view = build_view(restrict(data, closure), as_of)
    io = integrated_ownership(view, list(members))
    common = [
        o for o in io.ids
        if o not in members and members and all(io.of(o, m) > 0.0 for m in members)
    ]
    between = integrated_ownership(view, common) if common else io
    owned = _owned_ids(view)
    out = []
    for o in common:
        nearest = not any(c != o and _strictly_below(between, c, o) for c in common)
        out.append(CommonOwner(o, view.name(o), view.kind(o), {m: io.of(o, m) for m in members},
                               nearest, o not in owned))
    out.sort(key=lambda c: (not c.nearest, -min(c.integrated_ownership.values()), c.id))
    return CommonOwnersAnswer(members, as_of, tuple(out), tuple(view.flags) + tuple(io.flags))


def clusters(
    data: Dataset,
    params: ControlParams,
    *,
    founded_from: date | None,
    founded_to: date | None,
    min_io: float = DEFAULT_MIN_IO,
) -> ClustersAnswer:
    """Entities founded in the window grouped by a shared ultimate controller or common owner.

    A group needs two members or more; an owner with ``IO >= min_io`` in the
    members counts as a common owner. Owners gathering the same members make
    one group listing them all in ``common_owners`` (those strictly below
    another of them left out), named after an ultimate controller if one is
    among them, else the owner with the largest smallest stake in the members.
    A member can appear in several groups. Largest
    groups first. ``data`` must hold the members' upstream closures.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("x", "X", "company"), Entity("y", "Y", "company"),
    ...                       Entity("a", "A", "company", founded=date(2024, 3, 1)),
    ...                       Entity("b", "B", "company", founded=date(2024, 3, 9))],
    ...             stakes=[Stake(o, m, Share(exact=0.5)) for o in "xy" for m in "ab"])
    >>> ans = clusters(d, ControlParams(date(2024, 6, 1)), founded_from=date(2024, 3, 1),
    ...                founded_to=date(2024, 3, 31))
    >>> [(c.controller.id, [o.id for o in c.common_owners], [m.id for m in c.members]) for c in ans.clusters]
    [('x', ['x', 'y'], ['a', 'b'])]
    """
    check_fraction("min_io", min_io)
    view = build_view(data, params.as_of)
    window = [
        e.id for e in view.entities.values()
        if e.founded is not None
        and (founded_from is None or e.founded >= founded_from)
        and (founded_to is None or e.founded <= founded_to)
    ]
    io = integrated_ownership(view, window)
    by_owner: dict[str, set[str]] = defaultdict(set)
    basis: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, str | None] = {}
    for m, ucs in ultimate_in_view(view, window, params).items():
        for u, g in ucs:
            if u != m:
                by_owner[u].add(m)
                basis[u].add("ultimate_controller")
                groups[u] = g
    for m in window:
        for i, value in io.columns[m].items():
            o = io.ids[i]
            if o != m and value >= min_io - EPS:
                by_owner[o].add(m)
                basis[o].add("common_owner")
    candidates = {o: frozenset(ms) for o, ms in by_owner.items() if len(ms) >= 2}
    between = integrated_ownership(view, list(candidates)) if candidates else io
    same_members: dict[frozenset[str], list[str]] = defaultdict(list)
    for o, ms in candidates.items():
        same_members[ms].append(o)
    out = []
    for ms, owners in same_members.items():
        tops = [o for o in owners if not any(c != o and _strictly_below(between, o, c) for c in owners)]
        # the cluster is named after an ultimate controller first, else its strongest common owner
        tops.sort(key=lambda o: ("ultimate_controller" not in basis[o], -min(io.of(o, m) for m in ms), o))
        named = [
            ClusterOwner(o, view.name(o), view.kind(o), "+".join(sorted(basis[o], reverse=True)), groups.get(o))
            for o in tops
        ]
        lead = tops[0]
        members = tuple(
            ClusterMember(m, view.name(m), view.entities[m].founded, io.of(lead, m)) for m in sorted(ms)
        )
        out.append(Cluster(named[0], members, tuple(named)))
    out.sort(key=lambda c: (-len(c.members), c.controller.id))
    return ClustersAnswer(params.as_of, founded_from, founded_to, min_io, params.ruleset, params.threshold,
                          params.relative_threshold,
                          tuple(out), tuple(view.flags) + tuple(io.flags))
