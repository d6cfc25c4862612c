"""Who controls whom (docs/control.md sections 2-4): the queries and their proofs.

``controllers`` answers for one entity on its upstream closure (tens of
nodes), ``controlled`` for everything one entity controls, and
``bulk_control`` for the whole graph at once. All three run the fixpoint of
``graph.engine``; shares are taken once at their lower bound (definite) and
once at their upper bound (possible), and the two results decide the status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ownergraph.graph.answers import (
    ControlAnswer,
    ControlledAnswer,
    ControlledEntity,
    ControlStep,
    ControlSummary,
    Holder,
    QualityFlag,
    StakeRef,
    UltimateController,
)
from ownergraph.graph.build import (
    UpstreamIndex,
    View,
    build_view,
    canonical,
    restrict,
    share_info,
    upstream_closure,
)
from ownergraph.graph.engine import (
    EPS,
    HI,
    LO,
    Net,
    Solved,
    affected_by_uncertainty,
    compile_view,
    component_order,
    expand,
    solve,
    ultimate,
)
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.model import Control, Dataset, Stake
from ownergraph.graph.ownership import integrated_ownership
from ownergraph.graph.params import ControlParams

__all__ = [
    "ControlledRow",
    "ReverseRow",
    "bulk_control",
    "controlled",
    "controlled_rows",
    "controllers",
    "controllers_and_reverse",
    "upstream_closure",
    "with_chains",
]

LARGEST_HOLDERS = 10


@dataclass(slots=True)
class _Run:
    """Both bounds solved on one view."""

    view: View
    net: Net
    lo: Solved
    hi: Solved
    params: ControlParams


def _run(view: View, params: ControlParams, *, record: bool) -> _Run:
    net = compile_view(view, keep_stakes=record)
    order = component_order(net)
    kw = {"ruleset": params.ruleset, "threshold": params.threshold, "relative_threshold": params.relative_threshold}
    lo = solve(net, LO, order=order, record=record, **kw)  # type: ignore[arg-type]
    hi = lo
    if net.uncertain:
        affected = None if record else affected_by_uncertainty(net)
        hi = solve(net, HI, order=order, record=record, reuse=lo, affected=affected, **kw)  # type: ignore[arg-type]
    return _Run(view, net, lo, hi, params)


def controllers(
    data: Dataset,
    target_id: str,
    params: ControlParams,
) -> ControlAnswer:
    """The ultimate controllers of ``target_id`` with their chains of control.

    Computed on ``upstream_closure(data, target_id)`` only, so ``data`` may be
    exactly that closure as read from the database.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("b", "B", "company"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "b", Share(exact=0.8)), Stake("b", "a", Share(exact=0.6))])
    >>> ans = controllers(d, "a", ControlParams(date(2024, 1, 1)))
    >>> ans.status, [u.id for u in ans.ultimate_controllers]
    ('controlled', ['p'])
    >>> [(s.from_id, s.to_id, s.rule) for s in ans.ultimate_controllers[0].chain]
    [('p', 'b', 'majority'), ('b', 'a', 'majority')]
    """
    if not any(e.id == target_id for e in data.entities):
        raise EntityNotFound(target_id)
    # Canonical order: the answer must not depend on the order the closure was read in (a stored
    # answer computed from one read must equal the live answer computed from another).
    view = build_view(canonical(restrict(data, upstream_closure(data, target_id))), params.as_of)
    return controllers_in_view(view, target_id, params)


def controllers_in_view(view: View, target_id: str, params: ControlParams) -> ControlAnswer:
    """``controllers`` on a view already built (for callers that reuse one view)."""
    return _answer(_run(view, params, record=True), view, target_id, params)


ReverseRow = tuple[str, bool, tuple[ControlStep, ...]]
"""(controller id, definite, chain): how one controller of an entity controls it, as ``controlled``
lists the entity under that controller."""


def controllers_and_reverse(
    view: View, target_id: str, params: ControlParams
) -> tuple[ControlAnswer, tuple[ReverseRow, ...]]:
    """``controllers_in_view``, and for every controller of the target (ultimate or intermediate,
    definite or possible) the row ``controlled`` gives the target under it, chain included, from the
    same run: what the materialised reverse question sends without proving anything.

    ``view`` must be the target's own upstream closure in canonical order, as ``with_chains`` builds it.
    """
    run = _run(view, params, record=True)
    answer = _answer(run, view, target_id, params)
    net = run.net
    y = net.index[target_id]
    provers = {LO: _Prover(run, run.lo), HI: _Prover(run, run.hi)}
    rows: list[ReverseRow] = []
    for x_id, definite, _ in _controller_rows(net, run.lo.ctrl[y], run.hi.ctrl[y]):
        if x_id == target_id:
            continue
        solved = run.lo if definite else run.hi
        who = _as_controller(net, solved, net.index[x_id], y)
        chain = provers[LO if definite else HI].chain(who, y) if who is not None else ()
        rows.append((x_id, definite, chain))
    return answer, tuple(rows)


def _answer(run: _Run, view: View, target_id: str, params: ControlParams) -> ControlAnswer:
    net = run.net
    y = net.index[target_id]
    uc_lo = expand(net, run.lo.ctrl, ultimate(net, run.lo.ctrl, y))
    uc_hi = expand(net, run.hi.ctrl, ultimate(net, run.hi.ctrl, y))
    status = _status(net, uc_lo, uc_hi)
    prover_lo = _Prover(run, run.lo)
    definite = tuple(prover_lo.ultimate_controller(rec, y) for rec in uc_lo)
    prover_hi = prover_lo if run.hi is run.lo else _Prover(run, run.hi)
    possible = tuple(prover_hi.ultimate_controller(rec, y) for rec in uc_hi)
    deciding = _deciding_stakes(run, y) if status == "undetermined" else ()
    every = sorted({net.ids[m] for x in run.lo.ctrl[y] for m in _members(net, x)})

    io = integrated_ownership(view, [target_id])
    col = io.columns.get(target_id)
    holders: list[Holder] = []
    if col is not None:
        ranked = sorted(((float(col[i]), io.ids[i]) for i in col.nonzero()[0] if io.ids[i] != target_id),
                        key=lambda p: (-round(p[0], 12), p[1]))  # round-off must not reorder ties
        holders = [Holder(h, view.name(h), view.kind(h), v) for v, h in ranked[:LARGEST_HOLDERS]]
    return ControlAnswer(
        target_id=target_id,
        name=view.name(target_id),
        as_of=view.as_of,
        ruleset=params.ruleset,
        threshold=params.threshold,
        relative_threshold=params.relative_threshold,
        status=status,
        ultimate_controllers=definite,
        possible_ultimate_controllers=possible,
        deciding_stakes=deciding,
        controllers=tuple(every),
        largest_holders=tuple(holders),
        flags=tuple(view.flags) + tuple(io.flags),
    )


@dataclass(frozen=True, slots=True)
class ControlledRow:
    """One entity a controller controls, without the chain (``controlled_rows``)."""

    id: str
    name: str
    kind: str
    founded: date | None
    definite: bool
    group: str | None


def controlled(
    data: Dataset,
    controller_id: str,
    params: ControlParams,
    *,
    founded_from: date | None = None,
    founded_to: date | None = None,
) -> ControlledAnswer:
    """Everything ``controller_id`` controls (alone or in a bloc), each with its chain.

    ``data`` must hold the upstream closure of ``downstream_closure(data, id)``
    (or the whole graph). ``definite=False`` marks control that holds only with
    uncertain shares at their highest. ``founded_from``/``founded_to`` filter
    on the controlled entity's founding date (inclusive; undated ones drop out).

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("b", "B", "company"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "b", Share(exact=0.8)), Stake("b", "a", Share(exact=0.6))])
    >>> [(c.id, len(c.chain)) for c in controlled(d, "p", ControlParams(date(2024, 1, 1))).controlled]
    [('a', 2), ('b', 1)]
    """
    rows = controlled_rows(data, controller_id, params, founded_from=founded_from, founded_to=founded_to)
    items, flags = with_chains(data, controller_id, rows, params)
    name = next((e.name for e in data.entities if e.id == controller_id), controller_id)
    return ControlledAnswer(controller_id, name, params.as_of, params.ruleset, params.threshold,
                            params.relative_threshold, founded_from, founded_to, items, flags)


def controlled_rows(
    data: Dataset,
    controller_id: str,
    params: ControlParams,
    *,
    founded_from: date | None = None,
    founded_to: date | None = None,
) -> list[ControlledRow]:
    """What ``controller_id`` controls, definite first, then by id, without chains (one engine run)."""
    if not any(e.id == controller_id for e in data.entities):
        raise EntityNotFound(controller_id)
    view = build_view(data, params.as_of)
    run = _run(view, params, record=False)
    net = run.net
    x = net.index[controller_id]
    out: list[ControlledRow] = []
    for y in range(net.n):
        if y == x:
            continue
        e = view.entities[net.ids[y]]
        if founded_from is not None and (e.founded is None or e.founded < founded_from):
            continue
        if founded_to is not None and (e.founded is None or e.founded > founded_to):
            continue
        for bound, solved in ((LO, run.lo), (HI, run.hi)):
            who = _as_controller(net, solved, x, y)
            if who is None:
                continue
            group = net.label(who) if who != x else None
            out.append(ControlledRow(e.id, e.name, e.kind, e.founded, bound == LO, group))
            break
    out.sort(key=lambda c: (not c.definite, c.id))
    return out


def with_chains(
    data: Dataset, controller_id: str, rows: Iterable[ControlledRow], params: ControlParams
) -> tuple[tuple[ControlledEntity, ...], tuple[QualityFlag, ...]]:
    """The rows with their chains of control, and the quality flags of the records behind them.

    Each chain is proved on the controlled entity's own upstream closure, in
    canonical order: the same steps whichever larger read ``data`` came from,
    so a page answered from the materialised control equals the live one.
    """
    index = UpstreamIndex(data)
    items: list[ControlledEntity] = []
    flags: dict[tuple[str, str, tuple[str, ...]], QualityFlag] = {}
    for row in rows:
        view = build_view(index.subset(index.closure(row.id)), params.as_of)
        run = _run(view, params, record=True)
        net = run.net
        solved = run.lo if row.definite else run.hi
        who = _as_controller(net, solved, net.index[controller_id], net.index[row.id])
        chain = _Prover(run, solved).chain(who, net.index[row.id]) if who is not None else ()
        items.append(ControlledEntity(row.id, row.name, row.kind, row.founded, row.definite, row.group, chain))
        for f in view.flags:
            flags.setdefault((f.code, f.message, f.entity_ids), f)
    return tuple(items), tuple(flags[k] for k in sorted(flags))


def _as_controller(net: Net, solved: Solved, x: int, y: int) -> int | None:
    """``x`` itself or a bloc with ``x`` as member (the first by label), if it controls ``y``."""
    cy = solved.ctrl[y]
    if x in cy:
        return x
    blocs = sorted((net.label(b), b) for b in cy if b >= net.n and x in net.bloc_members[b - net.n])
    return blocs[0][1] if blocs else None


_NO_CONTROLLER = ControlSummary("no_controller", (), ())


def bulk_control(
    data: Dataset,
    params: ControlParams,
) -> dict[str, ControlSummary]:
    """Status and ultimate controllers of every entity, without chains (same as ``controllers``).

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "a", Share(exact=0.6))])
    >>> bulk_control(d, ControlParams(date(2024, 1, 1)))["a"]
    ControlSummary(status='controlled', ultimate_controllers=('p',), possible_ultimate_controllers=('p',), groups=())
    """
    return bulk_control_relation(data, params)[0]


def bulk_control_relation(
    data: Dataset,
    params: ControlParams,
) -> tuple[dict[str, ControlSummary], dict[str, tuple[ControllerRow, ...]]]:
    """``bulk_control`` plus, for every controlled entity, all its controllers (ultimate and
    intermediate, definite or possible; a bloc given as its members), from one computation.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("b", "B", "company"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "b", Share(exact=0.8)), Stake("b", "a", Share(exact=0.6))])
    >>> bulk_control_relation(d, ControlParams(date(2024, 1, 1)))[1]["a"]
    (('b', True, None), ('p', True, None))
    """
    with gc_paused():
        return _bulk(data, params)


ControllerRow = tuple[str, bool, str | None]
"""(controller id, definite, group): one row of what a controller controls (``controlled``)."""


def _controller_rows(net: Net, lo: dict[int, int], hi: dict[int, int]) -> tuple[ControllerRow, ...]:
    """Every entity that controls y, as ``controlled`` lists y under it: definite at the lower
    bound, else possible at the upper; alone (group None) or as a member of a bloc (its label)."""
    rows: dict[str, ControllerRow] = {}
    for ctrl, definite in ((lo, True), (hi, False)):
        for x in ctrl:
            if x < net.n:
                rows.setdefault(net.ids[x], (net.ids[x], definite, None))
        for label, x in sorted((net.label(b), b) for b in ctrl if b >= net.n):
            for m in net.bloc_members[x - net.n]:
                if m not in ctrl:
                    rows.setdefault(net.ids[m], (net.ids[m], definite, label))
    return tuple(sorted(rows.values()))


def _bulk(
    data: Dataset, params: ControlParams
) -> tuple[dict[str, ControlSummary], dict[str, tuple[ControllerRow, ...]]]:
    view = build_view(data, params.as_of)
    run = _run(view, params, record=False)
    net = run.net
    ids = net.ids
    lo_ctrl, hi_ctrl = run.lo.ctrl, run.hi.ctrl
    same = run.hi is run.lo
    every = {ids[y]: _controller_rows(net, lo_ctrl[y], hi_ctrl[y]) for y in range(net.n) if lo_ctrl[y] or hi_ctrl[y]}
    out: dict[str, ControlSummary] = {}
    for y in range(net.n):
        cy = lo_ctrl[y]
        if not cy and not hi_ctrl[y]:
            out[ids[y]] = _NO_CONTROLLER
            continue
        if same or hi_ctrl[y] is cy:
            if len(cy) == 1:
                # The common case: one controller, itself uncontrolled.
                (x,) = cy
                if x < net.n and not lo_ctrl[x]:
                    one = (ids[x],)
                    out[ids[y]] = ControlSummary("controlled", one, one)
                    continue
            lo = hi = expand(net, lo_ctrl, ultimate(net, lo_ctrl, y))
        else:
            lo = expand(net, lo_ctrl, ultimate(net, lo_ctrl, y))
            hi = expand(net, hi_ctrl, ultimate(net, hi_ctrl, y))
        groups = tuple(sorted({(ids[m], g) for m, g, _ in (*lo, *hi) if g is not None}))
        out[ids[y]] = ControlSummary(
            _status(net, lo, hi),
            tuple(sorted(ids[m] for m, _, _ in lo)),
            tuple(sorted(ids[m] for m, _, _ in hi)),
            groups,
        )
    return out, every


def _status(net: Net, lo: list[tuple[int, str | None, int | None]],
            hi: list[tuple[int, str | None, int | None]]) -> str:
    a = {(m, g) for m, g, _ in lo}
    b = {(m, g) for m, g, _ in hi}
    if a == b:
        return "controlled" if a else "no_controller"
    return "undetermined"


def _members(net: Net, x: int) -> tuple[int, ...]:
    return net.bloc_members[x - net.n] if x >= net.n else (x,)


def _deciding_stakes(run: _Run, y: int) -> tuple[StakeRef, ...]:
    """Uncertain stakes into the target or into any of its controllers, at either bound."""
    net = run.net
    assert net.stake_votes is not None
    owned = {y}
    for solved in (run.lo, run.hi):
        for x in solved.ctrl[y]:
            owned.update(_members(net, x))
    out = []
    for (_, z), recs in net.stake_votes.items():
        if z not in owned:
            continue
        for s, lo, hi in recs:
            if s.share.exact is None or lo != hi:
                out.append(_stake_ref(s, lo))
    out.sort(key=lambda r: (r.owned_id, r.owner_id))
    return tuple(out)


def _stake_ref(s: Stake, vote: float) -> StakeRef:
    return StakeRef(s.owner_id, s.owned_id, share_info(s.share, s.share_derived), vote,
                    s.start, s.end, s.source)


class _Prover:
    """Chains of control rebuilt from the derivation stamps of one solved bound."""

    def __init__(self, run: _Run, solved: Solved) -> None:
        self.run = run
        self.net = run.net
        self.solved = solved
        self.bound = LO if solved is run.lo else HI
        self.memo: dict[tuple[int, int], list[ControlStep]] = {}
        self.edges: dict[tuple[int, int], list[Control]] = defaultdict(list)
        idx = self.net.index
        for c in run.view.controls:
            self.edges[(idx[c.controller_id], idx[c.controlled_id])].append(c)

    def ultimate_controller(self, rec: tuple[int, str | None, int | None], y: int) -> UltimateController:
        m, group, bloc = rec
        who = bloc if bloc is not None else m
        chain = self.chain(who, y)
        label = self.net.label(who)
        mine = [s for s in chain if s.from_id == label]
        last = mine[-1] if mine else (chain[-1] if chain else None)
        basis = "" if last is None else (last.basis or last.rule) if last.rule == "controls_edge" else last.rule
        mid = self.net.ids[m]
        return UltimateController(mid, self.run.view.name(mid), self.run.view.kind(mid), basis, group, chain)

    def chain(self, x: int, y: int) -> tuple[ControlStep, ...]:
        """Steps proving that x controls y, prerequisites first, the step into y last."""
        seen: set[tuple[str, str]] = set()
        out = []
        for step in self._prove(x, y):
            key = (step.from_id, step.to_id)
            if key not in seen:
                seen.add(key)
                out.append(step)
        target = self.net.ids[y]
        if out and out[-1].to_id != target:
            # In a cycle through y, control of y was also a prerequisite: end on it all the same.
            out = [s for s in out if s.to_id != target] + [s for s in out if s.to_id == target]
        return tuple(out)

    def _prove(self, x: int, y: int) -> list[ControlStep]:
        key = (x, y)
        if key in self.memo:
            return self.memo[key]
        ctrl = self.solved.ctrl
        reasons = self.solved.reasons
        assert reasons is not None
        why = reasons[key]
        stamp = ctrl[y][x]
        steps: list[ControlStep]
        if why == "E":
            steps = [self._edge_step(x, y)]
        elif why in ("P", "R"):
            steps = []
            counted = self._counted(x, y, stamp)
            for h, via in counted:
                if h != via:  # votes held by a company that x (or a bloc member) controls
                    steps.extend(self._prove(via, h))
            steps.append(self._pooled_step(x, y, [h for h, _ in counted], str(why)))
        else:
            assert isinstance(why, int)
            steps = self._prove(x, why) + self._prove(why, y)
        self.memo[key] = steps
        return steps

    def _counted(self, x: int, y: int, stamp: int) -> list[tuple[int, int]]:
        """Holders of ``y`` whose votes ``x`` pooled when it was derived, with who held them for it."""
        net = self.net
        ctrl = self.solved.ctrl
        members: tuple[int, ...] = ()
        if x >= net.n and net.blocs_for(y).get(net.bloc_members[x - net.n][0]) == x:
            members = net.bloc_members[x - net.n]
        out = []
        for rec in net.holders_of(y):
            if rec[self.bound] <= 0.0:
                continue
            h = rec[0]
            ch = ctrl[h]
            if h == x or h in members:
                out.append((h, h))
            elif ch.get(x, stamp) < stamp:
                out.append((h, x))
            else:
                for m in members:
                    if ch.get(m, stamp) < stamp:
                        out.append((h, m))
                        break
        return out

    def _edge_step(self, x: int, y: int) -> ControlStep:
        c = self.edges[(x, y)][0]
        return ControlStep(
            from_id=c.controller_id, to_id=c.controlled_id, relation="CONTROLS", rule="controls_edge",
            basis=c.basis, start=c.start, end=c.end, source=c.source,
        )

    def _pooled_step(self, x: int, y: int, holders: list[int], why: str) -> ControlStep:
        net = self.net
        assert net.stake_votes is not None
        bound = self.bound
        contributing: list[StakeRef] = []
        for h in holders:
            for s, lo, hi in net.stake_votes.get((h, y), ()):
                contributing.append(_stake_ref(s, lo if bound == LO else hi))
        pooled = sum(r.voting_share for r in contributing)
        own = net.stake_votes.get((x, y), []) if x < net.n else []
        rule = "concert" if x >= net.n else ("majority" if why == "P" or pooled > self.run.params.threshold + EPS
                                             else "relative")
        first = own[0][0] if own else None
        return ControlStep(
            from_id=net.label(x),
            to_id=net.ids[y],
            relation="OWNS",
            rule=rule,
            share=share_info(first.share, first.share_derived) if first is not None else None,
            voting_share=sum(lo if bound == LO else hi for _, lo, hi in own) if own else None,
            pooled_voting_share=pooled,
            start=first.start if first is not None else None,
            end=first.end if first is not None else None,
            source=first.source if first is not None else None,
            contributing=tuple(contributing),
        )



def ultimate_in_view(view: View, targets: list[str], params: ControlParams) -> dict[str, list[tuple[str, str | None]]]:
    """Definite ultimate controllers (id, group) of each target, for callers holding a view."""
    run = _run(view, params, record=False)
    net = run.net
    ctrl = run.lo.ctrl
    return {
        t: [(net.ids[m], g) for m, g, _ in expand(net, ctrl, ultimate(net, ctrl, net.index[t]))]
        for t in targets
    }
