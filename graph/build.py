"""Records -> the view at a date: valid edges, derived shares, data-quality flags.

The view is the single input of every computation: stakes valid at ``as_of``
with shares derived from subscribed capital where the source gives none
(docs/control.md section 1), and the faults found on the way as ``QualityFlag`` values.
A faulty record is never repaired silently: its flag says what was done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import networkx as nx

from ownergraph.graph.answers import QualityFlag, ShareInfo
from ownergraph.graph.model import CONTROL_BASES, Concert, Control, Dataset, Entity, Share, Stake, valid_at

# Known shares of one company may sum to 100% plus rounding (spec: 0.5 pp).
SUM_TOLERANCE = 0.005


@dataclass(slots=True)
class View:
    """The graph valid at ``as_of``: usable records plus the flags raised building it."""

    as_of: date
    entities: dict[str, Entity]
    stakes: list[Stake]
    controls: list[Control]
    concerts: list[Concert]
    flags: list[QualityFlag] = field(default_factory=list)
    _graph: nx.DiGraph | None = None

    def name(self, entity_id: str) -> str:
        e = self.entities.get(entity_id)
        return e.name if e is not None else entity_id

    def kind(self, entity_id: str) -> str:
        e = self.entities.get(entity_id)
        return e.kind if e is not None else "unknown"

    @property
    def graph(self) -> nx.DiGraph:
        """A networkx DiGraph owner -> owned (OWNS and CONTROLS edges), built on first use.

        Edge attribute ``stakes`` lists the stakes of the pair, ``controls`` the
        CONTROLS records; node attribute ``entity`` holds the record.
        """
        if self._graph is None:
            g = nx.DiGraph()
            for e in self.entities.values():
                g.add_node(e.id, entity=e)
            for s in self.stakes:
                if not g.has_edge(s.owner_id, s.owned_id):
                    g.add_edge(s.owner_id, s.owned_id, stakes=[], controls=[])
                g.edges[s.owner_id, s.owned_id]["stakes"].append(s)
            for c in self.controls:
                if not g.has_edge(c.controller_id, c.controlled_id):
                    g.add_edge(c.controller_id, c.controlled_id, stakes=[], controls=[])
                g.edges[c.controller_id, c.controlled_id]["controls"].append(c)
            self._graph = g
        return self._graph


def share_info(share: Share, derived: bool = False) -> ShareInfo:
    """The answer form of a share."""
    return ShareInfo(share.exact, share.minimum, share.maximum, derived, share.raw)


def build_view(data: Dataset, as_of: date) -> View:
    """The view of ``data`` at ``as_of`` (docs/control.md section 1).

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "a", Share(exact=0.6), end=date(2020, 1, 1)),
    ...                     Stake("a", "a", Share(exact=0.1))])
    >>> v = build_view(d, date(2019, 6, 1))
    >>> [(s.owner_id, s.owned_id) for s in v.stakes], [f.code for f in v.flags]
    ([('p', 'a')], ['self_stake'])
    """
    entities = {e.id: e for e in data.entities}
    flags: list[QualityFlag] = []
    missing: dict[str, None] = {}

    def known(entity_id: str, what: str) -> None:
        if entity_id not in entities and entity_id not in missing:
            missing[entity_id] = None
            flags.append(
                QualityFlag(
                    "unknown_entity",
                    f"{what} refers to {entity_id!r}, which is not a loaded entity; "
                    "kept as a placeholder of kind 'unknown'",
                    (entity_id,),
                )
            )

    stakes: list[Stake] = []
    append = stakes.append
    # Hot loop (millions of stakes in a whole-graph pass): the common case is tested inline.
    for s in data.stakes:
        start, end = s.start, s.end
        if start is not None and end is not None and end <= start:
            flags.append(_interval_flag("stake", s.owner_id, s.owned_id, start, end))
            continue
        if (start is not None and start > as_of) or (end is not None and as_of >= end):
            continue
        sh = s.share
        x = sh.exact
        if (
            x is not None and 0.0 <= x <= 1.0 and sh.minimum is None and sh.maximum is None
            and s.voting_share is None and s.owner_id != s.owned_id
            and s.owner_id in entities and s.owned_id in entities
        ):
            append(s)
            continue
        if s.owner_id == s.owned_id:
            flags.append(
                QualityFlag(
                    "self_stake",
                    f"{s.owner_id!r} holds a stake in itself; ignored (treasury shares carry no votes)",
                    (s.owner_id,),
                )
            )
            continue
        known(s.owner_id, "a stake")
        known(s.owned_id, "a stake")
        s = _checked_shares(s, flags)
        stakes.append(s)

    stakes = derive_shares(stakes, entities)
    flags.extend(_sum_flags(stakes))

    controls: list[Control] = []
    for c in data.controls:
        if _bad_interval(c.start, c.end):
            flags.append(_interval_flag("control", c.controller_id, c.controlled_id, c.start, c.end))
            continue
        if not valid_at(c.start, c.end, as_of):
            continue
        if c.controller_id == c.controlled_id:
            flags.append(
                QualityFlag("self_control", f"{c.controller_id!r} controls itself; ignored", (c.controller_id,))
            )
            continue
        if c.basis not in CONTROL_BASES:
            flags.append(
                QualityFlag(
                    "unknown_basis",
                    f"control {c.controller_id!r} -> {c.controlled_id!r} has basis {c.basis!r}, "
                    f"not one of {', '.join(CONTROL_BASES)}; kept as a CONTROLS edge",
                    (c.controller_id, c.controlled_id),
                )
            )
        known(c.controller_id, "a control")
        known(c.controlled_id, "a control")
        controls.append(c)

    concerts: list[Concert] = []
    for k in data.concerts:
        if _bad_interval(k.start, k.end):
            flags.append(_interval_flag("concert", k.party_a, k.party_b, k.start, k.end))
            continue
        if not valid_at(k.start, k.end, as_of) or k.party_a == k.party_b:
            continue
        known(k.party_a, "an acting-in-concert record")
        known(k.party_b, "an acting-in-concert record")
        if k.scope_id is not None:
            known(k.scope_id, "an acting-in-concert scope")
        concerts.append(k)

    for entity_id in missing:
        entities[entity_id] = Entity(entity_id, entity_id, "unknown")
    return View(as_of, entities, stakes, controls, concerts, flags)


def restrict(data: Dataset, ids: Iterable[str]) -> Dataset:
    """The records of ``data`` inside the entity set ``ids`` (edges need both ends inside)."""
    keep = set(ids)
    return Dataset(
        entities=[e for e in data.entities if e.id in keep],
        stakes=[s for s in data.stakes if s.owned_id in keep and s.owner_id in keep],
        controls=[c for c in data.controls if c.controlled_id in keep and c.controller_id in keep],
        concerts=[k for k in data.concerts if k.party_a in keep and k.party_b in keep],
    )


def upstream_closure(data: Dataset, target_id: str) -> set[str]:
    """Every entity whose records can change who controls or owns ``target_id``.

    Starting from the target, repeatedly add: the owner of every OWNS edge into
    a member, the controller of every CONTROLS edge into a member, and both
    parties of every ACTS_IN_CONCERT edge touching a member (in either
    direction, scoped or not). Dates are ignored (a superset of every view).
    The database layer fetches exactly these entities and every OWNS,
    CONTROLS and ACTS_IN_CONCERT edge among them; ``controllers`` and
    ``owners`` then answer as on the whole graph.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(stakes=[Stake("p", "b", Share(exact=1.0)), Stake("b", "a", Share(exact=0.6)),
    ...                     Stake("a", "x", Share(exact=0.6))])
    >>> sorted(upstream_closure(d, "a"))
    ['a', 'b', 'p']
    """
    preds: dict[str, list[str]] = defaultdict(list)
    for s in data.stakes:
        preds[s.owned_id].append(s.owner_id)
    for c in data.controls:
        preds[c.controlled_id].append(c.controller_id)
    for k in data.concerts:
        preds[k.party_a].append(k.party_b)
        preds[k.party_b].append(k.party_a)
    seen = {target_id}
    stack = [target_id]
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def canonical(data: Dataset) -> Dataset:
    """``data`` with its records in one fixed order (entities by id, edges by key), so an answer
    computed on it does not depend on the order a reader happened to return the records in.

    >>> from ownergraph.graph.model import Stake, Share
    >>> d = Dataset(stakes=[Stake("q", "a", Share(exact=0.2)), Stake("p", "a", Share(exact=0.6))])
    >>> [s.owner_id for s in canonical(d).stakes]
    ['p', 'q']
    """
    return Dataset(
        entities=sorted(data.entities, key=lambda e: e.id),
        stakes=sorted(data.stakes, key=lambda s: (s.key, s.share.lower, s.share.upper)),
        controls=sorted(data.controls, key=lambda c: c.key),
        concerts=sorted(data.concerts, key=lambda k: k.key),
        links=list(data.links),
        reported=list(data.reported),
        findings=list(data.findings),
    )


class UpstreamIndex:
    """Upstream closures of many targets in one dataset, each in time proportional to its size
    (``upstream_closure`` scans the whole dataset on every call).

    >>> from ownergraph.graph.model import Stake, Share
    >>> d = Dataset(stakes=[Stake("p", "b", Share(exact=1.0)), Stake("b", "a", Share(exact=0.6)),
    ...                     Stake("a", "x", Share(exact=0.6))])
    >>> index = UpstreamIndex(d)
    >>> sorted(e for e in index.closure("a"))
    ['a', 'b', 'p']
    >>> [(s.owner_id, s.owned_id) for s in index.subset(index.closure("a")).stakes]
    [('b', 'a'), ('p', 'b')]
    """

    def __init__(self, data: Dataset) -> None:
        self.entities = {e.id: e for e in data.entities}
        self.stakes_into: dict[str, list[Stake]] = defaultdict(list)
        self.controls_into: dict[str, list[Control]] = defaultdict(list)
        self.concerts_of: dict[str, list[Concert]] = defaultdict(list)
        for s in data.stakes:
            self.stakes_into[s.owned_id].append(s)
        for c in data.controls:
            self.controls_into[c.controlled_id].append(c)
        for k in data.concerts:
            self.concerts_of[k.party_a].append(k)
            self.concerts_of[k.party_b].append(k)

    def closure(self, target_id: str) -> set[str]:
        """``upstream_closure`` of ``target_id``."""
        seen = {target_id}
        stack = [target_id]
        while stack:
            x = stack.pop()
            preds = [s.owner_id for s in self.stakes_into.get(x, ())]
            preds += [c.controller_id for c in self.controls_into.get(x, ())]
            for k in self.concerts_of.get(x, ()):
                preds += (k.party_a, k.party_b)
            for p in preds:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    def subset(self, ids: set[str]) -> Dataset:
        """``restrict`` to ``ids``, reading only the members' own edges, in canonical order."""
        concerts = {id(k): k for x in ids for k in self.concerts_of.get(x, ()) if k.party_a in ids and k.party_b in ids}
        return canonical(Dataset(
            entities=[self.entities[x] for x in ids if x in self.entities],
            stakes=[s for x in ids for s in self.stakes_into.get(x, ()) if s.owner_id in ids],
            controls=[c for x in ids for c in self.controls_into.get(x, ()) if c.controller_id in ids],
            concerts=list(concerts.values()),
        ))


def downstream_closure(data: Dataset, entity_id: str) -> set[str]:
    """Every entity reachable from ``entity_id`` along OWNS and CONTROLS edges (itself included).

    ``controlled`` needs the upstream closure of this set to answer as on the
    whole graph.

    >>> from ownergraph.graph.model import Stake, Share
    >>> d = Dataset(stakes=[Stake("p", "b", Share(exact=1.0)), Stake("b", "a", Share(exact=0.6))])
    >>> sorted(downstream_closure(d, "b"))
    ['a', 'b']
    """
    succ: dict[str, list[str]] = defaultdict(list)
    for s in data.stakes:
        succ[s.owner_id].append(s.owned_id)
    for c in data.controls:
        succ[c.controller_id].append(c.controlled_id)
    seen = {entity_id}
    stack = [entity_id]
    while stack:
        for n in succ.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def _bad_interval(start: date | None, end: date | None) -> bool:
    return start is not None and end is not None and end <= start


def _interval_flag(what: str, a: str, b: str, start: date | None, end: date | None) -> QualityFlag:
    return QualityFlag(
        "end_before_start",
        f"{what} {a!r} -> {b!r} ends ({end}) on or before it starts ({start}); never valid, ignored",
        (a, b),
    )


def _share_ok(share: Share) -> bool:
    values = [v for v in (share.exact, share.minimum, share.maximum) if v is not None]
    if any(v < 0.0 or v > 1.0 for v in values):
        return False
    return share.minimum is None or share.maximum is None or share.minimum <= share.maximum


def _checked_shares(s: Stake, flags: list[QualityFlag]) -> Stake:
    """Shares outside [0, 1] (or min > max) are treated as unknown, with a flag saying so."""
    if not _share_ok(s.share):
        flags.append(
            QualityFlag(
                "share_out_of_range",
                f"stake {s.owner_id!r} -> {s.owned_id!r} has share {_show(s.share)}, outside [0, 1]; "
                "treated as unknown",
                (s.owner_id, s.owned_id),
            )
        )
        s = replace(s, share=Share(raw=s.share.raw))
    if s.voting_share is not None and not _share_ok(s.voting_share):
        flags.append(
            QualityFlag(
                "share_out_of_range",
                f"stake {s.owner_id!r} -> {s.owned_id!r} has voting share {_show(s.voting_share)}, "
                "outside [0, 1]; treated as unknown",
                (s.owner_id, s.owned_id),
            )
        )
        s = replace(s, voting_share=Share(raw=s.voting_share.raw))
    return s


def _show(share: Share) -> str:
    if share.exact is not None:
        return f"{share.exact:g}"
    return f"[{share.minimum}, {share.maximum}]"


def derive_shares(stakes: list[Stake], entities: dict[str, Entity]) -> list[Stake]:
    """Spec section 1: a share from subscribed capital when the source states none.

    ``stakes`` must be every stake in force of each company concerned (the view at one date).

    >>> from ownergraph.graph.model import Entity, Stake
    >>> s = derive_shares([Stake("a", "c", subscribed_capital=30.0), Stake("b", "c", subscribed_capital=70.0)], {})
    >>> [(x.share.exact, x.share_derived) for x in s]
    [(0.3, True), (0.7, True)]
    """
    if not any(s.share.is_unknown and s.subscribed_capital is not None for s in stakes):
        return stakes
    by_owned: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stakes):
        by_owned[s.owned_id].append(i)
    out = list(stakes)
    for owned, idx in by_owned.items():
        todo = [i for i in idx if stakes[i].share.is_unknown and stakes[i].subscribed_capital is not None]
        if not todo:
            continue
        amounts = [stakes[i].subscribed_capital for i in idx]
        total: float | None = None
        if all(a is not None for a in amounts):
            total = sum(a for a in amounts if a is not None)
        if not total or total <= 0:
            e = entities.get(owned)
            total = e.registered_capital if e is not None and e.registered_capital else None
        if total is None or total <= 0:
            continue
        for i in todo:
            amount = stakes[i].subscribed_capital
            assert amount is not None  # selected above
            out[i] = replace(stakes[i], share=Share(exact=amount / total, raw=stakes[i].share.raw),
                             share_derived=True)
    return out


def _sum_flags(stakes: list[Stake]) -> list[QualityFlag]:
    total: dict[str, float] = defaultdict(float)
    for s in stakes:
        sh = s.share
        x = sh.exact
        total[s.owned_id] += x if x is not None else (sh.minimum or 0.0)
    over = {owned for owned, t in total.items() if t > 1.0 + SUM_TOLERANCE}
    owners: dict[str, list[str]] = defaultdict(list)
    if over:
        for s in stakes:
            if s.owned_id in over:
                owners[s.owned_id].append(s.owner_id)
    return [
        QualityFlag(
            "shares_sum_above_100",
            f"known shares in {owned!r} sum to {t:.2%} (lower bounds), above 100% beyond rounding; "
            "used as given",
            (owned, *owners[owned]),
        )
        for owned, t in total.items()
        if owned in over
    ]
