"""The part of the graph around one entity that a viewer shows.

A `GraphView` is the answer of ``GET /entities/{id}/graph.json`` and the input
of `graph.render`. It is plain data (frozen dataclasses of str/int/float/bool)
so ``json.dumps(dataclasses.asdict(view))`` works without a custom encoder.

The walk goes by levels from the center (breadth first), so the nearest
owners are always shown before distant ones; within a level each parent's
new neighbours come by decreasing weight (CONTROLS first, then shares at their
lower bound, then other links), ties by id, owners before holdings.

The view never holds more than ``node_budget`` nodes, "+N more" nodes
included (for a budget of at least 3: the center and its two "+N more" nodes
always show). The neighbours a parent cannot show are counted into one "+N
more" node for that parent and side, so a page never has to draw thousands of
nodes and still says where something was left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from ownergraph.graph.build import derive_shares
from ownergraph.graph.errors import EntityNotFound, InvalidParameter
from ownergraph.graph.model import Dataset, Entity, Share, Stake, valid_at

Direction = Literal["up", "down", "both"]
DIRECTIONS: tuple[str, ...] = ("up", "down", "both")

OWNS = "OWNS"
CONTROLS = "CONTROLS"
ACTS_IN_CONCERT = "ACTS_IN_CONCERT"
# The edge between a parent and its "+N more" node: not a relation in the data.
COLLAPSED = "COLLAPSED"
MORE_KIND = "more"

# CONTROLS decides control whatever the shares, so it outranks any stake.
_CONTROL_RANK = 2.0
# Links are shown but never used for control: they come after every stake.
_LINK_RANK = -1.0


@dataclass(frozen=True, slots=True)
class ViewNode:
    """An entity in the view, or a "+N more" placeholder (kind "more").

    ``level`` is the signed BFS distance from the center: negative on the
    owners' side (drawn above), positive on the holdings' side (drawn below).
    """

    id: str
    name: str
    kind: str
    level: int
    name_en: str | None = None
    jurisdiction: str | None = None
    founded: str | None = None  # ISO date
    dissolved: str | None = None  # ISO date
    status: str | None = None
    collapsed_count: int = 0  # > 0 only on "+N more" nodes: how many neighbours it stands for
    collapsed_parent: str | None = None  # the node whose neighbours it stands for
    is_controller: bool = False  # an ultimate controller of the center (see mark_control)


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """A relation valid at the view's date, ``source -> target``.

    ``relation`` is "OWNS", "CONTROLS", "ACTS_IN_CONCERT" (undirected: source
    and target are the two parties), a link type, or "COLLAPSED" (to a "+N
    more" node). ``provenance`` is the record's own source (registry, file).
    """

    source: str
    target: str
    relation: str
    share: float | None = None
    share_min: float | None = None
    share_max: float | None = None
    share_raw: str | None = None
    share_derived: bool = False
    basis: str | None = None
    start: str | None = None  # ISO date, inclusive
    end: str | None = None  # ISO date, exclusive
    provenance: str | None = None
    detail: str | None = None
    scope_id: str | None = None  # ACTS_IN_CONCERT only: the company the bloc is about
    on_control_chain: bool = False


@dataclass(frozen=True, slots=True)
class GraphView:
    center: str
    as_of: str  # ISO date
    direction: str
    depth: int
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    truncated: bool  # some neighbours are only counted in "+N more" nodes


@dataclass(frozen=True, slots=True)
class _Step:
    """One way to reach a neighbour: how strongly, and on which side of the center."""

    neighbour: str
    rank: float
    sign: int  # -1 owners' side, +1 holdings' side


def neighbourhood(
    data: Dataset,
    center_id: str,
    *,
    as_of: date,
    direction: Direction = "up",
    depth: int = 6,
    node_budget: int = 300,
) -> GraphView:
    """The owners (``up``), holdings (``down``) or both of ``center_id`` at ``as_of``.

    Examples
    --------
    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> data = Dataset(
    ...     entities=[Entity("A", "Alpha", "company"), Entity("P", "Pat", "person")],
    ...     stakes=[Stake("P", "A", Share(exact=0.6))],
    ... )
    >>> view = neighbourhood(data, "A", as_of=date(2024, 1, 1))
    >>> [(n.id, n.level) for n in view.nodes], [(e.source, e.target, e.share) for e in view.edges]
    ([('A', 0), ('P', -1)], [('P', 'A', 0.6)])
    """
    _check_parameters(direction, depth, node_budget)
    entities = {e.id: e for e in data.entities}
    if center_id not in entities:
        raise EntityNotFound(center_id)
    edges = _edges_valid_at(data, as_of)
    up, down = _adjacency(edges)
    levels, hidden = _walk(center_id, up, down, direction, depth, node_budget)
    nodes = [_entity_node(entities.get(i), i, lvl) for i, lvl in levels.items()]
    shown = [e for e in edges if e.source in levels and e.target in levels]
    more_nodes, more_edges = _collapsed(hidden, levels)
    return GraphView(
        center=center_id,
        as_of=as_of.isoformat(),
        direction=direction,
        depth=depth,
        nodes=(*nodes, *more_nodes),
        edges=(*_sorted_edges(shown, levels), *more_edges),
        truncated=bool(hidden),
    )


def mark_control(view: GraphView, controller_ids: Set[str], chain_edges: Set[tuple[str, str]]) -> GraphView:
    """A copy of ``view`` with the ultimate controllers and the control chain marked.

    The control engine computes these; the view only records them so that any
    viewer (the HTML page, a JSON client) can draw them. ``chain_edges`` holds
    ``(source, target)`` pairs; an ACTS_IN_CONCERT edge matches either way round.

    >>> v = GraphView("A", "2024-01-01", "up", 1, (ViewNode("P", "Pat", "person", -1),),
    ...               (ViewEdge("P", "A", "OWNS"),), False)
    >>> m = mark_control(v, {"P"}, {("P", "A")})
    >>> m.nodes[0].is_controller, m.edges[0].on_control_chain
    (True, True)
    """
    nodes = tuple(replace(n, is_controller=n.id in controller_ids) for n in view.nodes)
    edges = tuple(replace(e, on_control_chain=_on_chain(e, chain_edges)) for e in view.edges)
    return replace(view, nodes=nodes, edges=edges)


def _on_chain(edge: ViewEdge, chain_edges: Set[tuple[str, str]]) -> bool:
    if edge.relation in (OWNS, CONTROLS):
        return (edge.source, edge.target) in chain_edges
    if edge.relation == ACTS_IN_CONCERT:
        pairs = {(edge.source, edge.target), (edge.target, edge.source)}
        return bool(pairs & chain_edges)
    return False


def _check_parameters(direction: str, depth: int, node_budget: int) -> None:
    if direction not in DIRECTIONS:
        raise InvalidParameter(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if depth < 0:
        raise InvalidParameter(f"depth must be 0 or more, not {depth}")
    if node_budget < 1:
        raise InvalidParameter(f"node_budget must be 1 or more, not {node_budget}")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _edges_valid_at(data: Dataset, as_of: date) -> list[ViewEdge]:
    """Every relation of the data in force at ``as_of``, as view edges (self-loops dropped)."""
    edges = [
        # capital-only stakes are drawn with the share derived from subscribed capital, marked as derived
        *(_stake_edge(s) for s in derive_shares(
            [s for s in data.stakes if valid_at(s.start, s.end, as_of)], {e.id: e for e in data.entities}
        )),
        *(
            ViewEdge(
                c.controller_id,
                c.controlled_id,
                CONTROLS,
                basis=c.basis,
                start=_iso(c.start),
                end=_iso(c.end),
                provenance=c.source,
            )
            for c in data.controls
            if valid_at(c.start, c.end, as_of)
        ),
        *(
            ViewEdge(
                c.party_a,
                c.party_b,
                ACTS_IN_CONCERT,
                scope_id=c.scope_id,
                start=_iso(c.start),
                end=_iso(c.end),
                provenance=c.source,
            )
            for c in data.concerts
            if valid_at(c.start, c.end, as_of)
        ),
        *(
            ViewEdge(
                k.source_id,
                k.target_id,
                k.link_type,
                detail=k.detail,
                start=_iso(k.start),
                end=_iso(k.end),
                provenance=k.source,
            )
            for k in data.links
            if valid_at(k.start, k.end, as_of)
        ),
    ]
    return [e for e in edges if e.source != e.target]


def _stake_edge(stake: Stake) -> ViewEdge:
    share = stake.share
    return ViewEdge(
        stake.owner_id,
        stake.owned_id,
        OWNS,
        share=share.exact,
        share_min=share.minimum,
        share_max=share.maximum,
        share_raw=share.raw,
        share_derived=stake.share_derived,
        start=_iso(stake.start),
        end=_iso(stake.end),
        provenance=stake.source,
        detail=stake.detail,
    )


def _rank(edge: ViewEdge) -> float:
    if edge.relation == CONTROLS:
        return _CONTROL_RANK
    if edge.relation == OWNS:
        return Share(edge.share, edge.share_min, edge.share_max).lower
    return _LINK_RANK


def _adjacency(edges: Iterable[ViewEdge]) -> tuple[dict[str, list[_Step]], dict[str, list[_Step]]]:
    """Who is one step above (owners, controllers) and below (holdings) each node.

    ACTS_IN_CONCERT is left out: a partner is a peer, not an owner, and is
    shown only when the walk reaches it by an ownership or control edge.
    """
    up: dict[str, list[_Step]] = {}
    down: dict[str, list[_Step]] = {}
    for e in edges:
        if e.relation == ACTS_IN_CONCERT:
            continue
        rank = _rank(e)
        up.setdefault(e.target, []).append(_Step(e.source, rank, -1))
        down.setdefault(e.source, []).append(_Step(e.target, rank, +1))
    return up, down


def _candidates(steps: Iterable[_Step], seen: Set[str]) -> list[_Step]:
    """New neighbours, strongest first then by id; one step per neighbour (its strongest).

    Owners come before holdings (direction "both"): the question the view
    answers is who controls the center, so owners get the budget first.
    """
    best: dict[str, _Step] = {}
    for s in steps:
        if s.neighbour in seen:
            continue
        if s.neighbour not in best or s.rank > best[s.neighbour].rank:
            best[s.neighbour] = s
    return sorted(best.values(), key=lambda s: (s.sign, -s.rank, s.neighbour))


class _Walk:
    """BFS by levels that keeps the whole view, "+N more" nodes included, within the budget.

    A shown node that may still have hidden neighbours holds a reserved slot
    for its future "+N more" node, so the budget never has to be broken to
    say that something is missing.
    """

    def __init__(self, up: dict[str, list[_Step]], down: dict[str, list[_Step]], depth: int, budget: int) -> None:
        self.adjacent = {-1: up, +1: down}
        self.depth = depth
        self.budget = budget
        self.levels: dict[str, int] = {}
        self.hidden: dict[tuple[str, int], int] = {}
        self.reserved: set[tuple[str, int]] = set()

    def run(self, center: str, sides: tuple[int, ...]) -> None:
        self._admit(center, 0, sides)
        frontier: list[tuple[str, tuple[int, ...]]] = [(center, sides)]
        for distance in range(1, self.depth + 1):
            next_frontier: list[tuple[str, tuple[int, ...]]] = []
            for parent, parent_sides in frontier:
                for sign in parent_sides:
                    next_frontier += self._expand(parent, sign, distance)
            frontier = next_frontier

    def _expand(self, parent: str, sign: int, distance: int) -> list[tuple[str, tuple[int, ...]]]:
        self.reserved.discard((parent, sign))
        steps = _candidates(self.adjacent[sign].get(parent, ()), self.levels.keys())
        admitted: list[tuple[str, tuple[int, ...]]] = []
        for i, step in enumerate(steps):
            more_after = 1 if i + 1 < len(steps) else 0  # room for this parent's "+N more"
            if self._used() + self._cost(step.neighbour, sign, distance) + more_after > self.budget:
                self.hidden[(parent, sign)] = len(steps) - i
                break
            # Beyond the center a node keeps going the way it was reached:
            # "both" means owners' owners and holdings' holdings, not siblings.
            self._admit(step.neighbour, sign * distance, (sign,))
            admitted.append((step.neighbour, (sign,)))
        return admitted

    def _used(self) -> int:
        return len(self.levels) + len(self.hidden) + len(self.reserved)

    def _has_unseen(self, node: str, sign: int) -> bool:
        return any(s.neighbour not in self.levels and s.neighbour != node for s in self.adjacent[sign].get(node, ()))

    def _cost(self, node: str, sign: int, distance: int) -> int:
        """Slots a node takes: itself, and one for its own "+N more" if it will be expanded."""
        will_expand = distance < self.depth and self._has_unseen(node, sign)
        return 1 + int(will_expand)

    def _admit(self, node: str, level: int, sides: tuple[int, ...]) -> None:
        if abs(level) < self.depth:
            self.reserved |= {(node, sign) for sign in sides if self._has_unseen(node, sign)}
        self.levels[node] = level


def _walk(
    center: str,
    up: dict[str, list[_Step]],
    down: dict[str, list[_Step]],
    direction: str,
    depth: int,
    node_budget: int,
) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    """The signed level of every shown node, and the hidden count per (parent, side)."""
    walk = _Walk(up, down, depth, node_budget)
    walk.run(center, {"up": (-1,), "down": (+1,), "both": (-1, +1)}[direction])
    return walk.levels, walk.hidden


def _entity_node(entity: Entity | None, node_id: str, level: int) -> ViewNode:
    if entity is None:
        # An edge to an entity the data does not describe is a data fault; showing
        # the bare id keeps the fault visible instead of silently dropping the stake.
        return ViewNode(node_id, node_id, "unknown", level)
    return ViewNode(
        id=entity.id,
        name=entity.name,
        kind=entity.kind,
        level=level,
        name_en=entity.name_en,
        jurisdiction=entity.jurisdiction,
        founded=_iso(entity.founded),
        dissolved=_iso(entity.dissolved),
        status=entity.status,
    )


def _collapsed(hidden: dict[tuple[str, int], int], levels: dict[str, int]) -> tuple[list[ViewNode], list[ViewEdge]]:
    """One "+N more" node per (parent, side), in the order of the shown nodes."""
    order = {node_id: i for i, node_id in enumerate(levels)}
    taken = set(levels)
    nodes: list[ViewNode] = []
    edges: list[ViewEdge] = []
    for (parent, sign), count in sorted(hidden.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        node_id = _free_id(f"{parent}::more-{'up' if sign < 0 else 'down'}", taken)
        taken.add(node_id)
        nodes.append(
            ViewNode(
                node_id,
                f"+{count} more",
                MORE_KIND,
                levels[parent] + sign,
                collapsed_count=count,
                collapsed_parent=parent,
            )
        )
        source, target = (node_id, parent) if sign < 0 else (parent, node_id)
        edges.append(ViewEdge(source, target, COLLAPSED))
    return nodes, edges


def _free_id(wanted: str, taken: Set[str]) -> str:
    """``wanted``, suffixed until no entity uses it (ids come from the data and may be anything)."""
    while wanted in taken:
        wanted += "+"
    return wanted


def _sorted_edges(edges: Iterable[ViewEdge], levels: dict[str, int]) -> list[ViewEdge]:
    order = {node_id: i for i, node_id in enumerate(levels)}
    return sorted(
        edges,
        key=lambda e: (order[e.source], order[e.target], e.relation, e.start or "", e.provenance or ""),
    )
