"""The control fixpoint on integer indices (docs/control.md sections 2-4), shared by every query.

A view is compiled once into a ``Net``: per entity, its holders with the voting
share at the lower and at the upper bound, the CONTROLS edges into it and the
acting-in-concert blocs in scope for it. ``solve`` then computes, for one
bound, the set of controllers of every entity: in topological order of the
strongly connected components (the controllers of every owner are final
before the owned is looked at), iterating to the least fixpoint only inside
a cycle. Both the on-demand query and the whole-graph pass run this code, so
they agree by construction; they differ only in the node set.

Blocs are pseudo-nodes with indices ``n, n+1, ...``: a bloc controls like a
single holder but has no controllers of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from ownergraph.graph.build import View
from ownergraph.graph.components import strong_components
from ownergraph.graph.model import Share, Stake

# Floating-point slack for threshold comparisons: 0.1 + 0.2 + 0.2 must not exceed 0.5.
EPS = 1e-9
_ZERO = Share(exact=0.0)
_EMPTY: dict[int, int] = {}  # shared "no controllers" value; never written to

LO, HI = 1, 2  # positions of the bounds in a holder record (holder, lo, hi)


@dataclass(slots=True)
class Net:
    ids: list[str]
    index: dict[str, int]
    # Holders of each entity as CSR lists (one entry per stake): entries indptr[y]:indptr[y+1].
    indptr: list[int]
    hold: list[int]
    vlo: list[float]  # voting share at its lower bound
    vhi: list[float]  # voting share at its upper bound
    ctl_in: dict[int, list[int]]  # controlled -> CONTROLS sources
    uncertain: bool  # some voting share differs between its bounds
    bloc_members: list[tuple[int, ...]]  # bloc k (index n + k) -> member entity indices
    global_bloc: dict[int, int]  # party -> bloc, from unscoped concerts
    scoped_bloc: dict[int, dict[int, int]]  # company -> party -> bloc, with concerts scoped to it
    # (owner, owned) -> the stakes with their voting share at both bounds; kept for proofs only
    stake_votes: dict[tuple[int, int], list[tuple[Stake, float, float]]] | None = None

    @property
    def n(self) -> int:
        return len(self.ids)

    def label(self, i: int) -> str:
        """Entity id, or the group id of a bloc."""
        if i < len(self.ids):
            return self.ids[i]
        return bloc_group(self, i)

    def blocs_for(self, y: int) -> dict[int, int]:
        return self.scoped_bloc.get(y, self.global_bloc)

    def holders_of(self, y: int) -> list[tuple[int, float, float]]:
        """(holder, lower, upper) per stake in ``y``; index with LO/HI."""
        a, b = self.indptr[y], self.indptr[y + 1]
        return list(zip(self.hold[a:b], self.vlo[a:b], self.vhi[a:b], strict=True))


def bloc_group(net: Net, b: int) -> str:
    return "concert:" + "+".join(sorted(net.ids[m] for m in net.bloc_members[b - net.n]))


@dataclass(slots=True)
class Solved:
    """Controllers of every entity for one bound: ``ctrl[y]`` maps controller -> derivation stamp.

    Stamps grow with derivation time, so a proof of (x, y) needs only pairs
    with smaller stamps and cannot loop. ``reasons`` (proofs only) records
    how each pair was first derived: "E" CONTROLS edge, "P" pooled above the
    threshold, "R" relative rule, or the index of the intermediate controller.
    """

    ctrl: list[dict[int, int]]
    reasons: dict[tuple[int, int], str | int] | None = field(default=None)


def compile_view(view: View, *, keep_stakes: bool = False) -> Net:
    """Index the view for ``solve`` (GP rule and interval bounds applied here)."""
    ids = list(view.entities)
    index = {e: i for i, e in enumerate(ids)}
    n = len(ids)
    gps: dict[int, set[int]] = defaultdict(set)
    ctl_in: dict[int, list[int]] = {}
    for c in view.controls:
        a, b = index[c.controller_id], index[c.controlled_id]
        if c.basis == "general_partner":
            gps[b].add(a)
        lst = ctl_in.setdefault(b, [])
        if a not in lst:
            lst.append(a)

    own_l: list[int] = []
    owned_l: list[int] = []
    lo_l: list[float] = []
    mx_l: list[float] = []  # NaN: no upper bound stated
    exact_l: list[bool] = []
    nan = float("nan")
    for s in view.stakes:
        h, y = index[s.owner_id], index[s.owned_id]
        own_l.append(h)
        owned_l.append(y)
        vs = s.voting_share
        if vs is None:
            # LPs of a GP-run partnership carry no votes unless the record says otherwise.
            vs = _ZERO if gps and y in gps and h not in gps[y] else s.share
        x = vs.exact
        if x is not None:
            lo_l.append(x)
            mx_l.append(nan)
            exact_l.append(True)
        else:
            lo_l.append(vs.minimum if vs.minimum is not None else 0.0)
            mx_l.append(vs.maximum if vs.maximum is not None else nan)
            exact_l.append(False)
    m = len(own_l)
    own = np.array(own_l, dtype=np.int64)
    owned = np.array(owned_l, dtype=np.int64)
    lo = np.array(lo_l, dtype=np.float64)
    mx = np.array(mx_l, dtype=np.float64)
    exact = np.array(exact_l, dtype=bool)
    del own_l, owned_l, lo_l, mx_l, exact_l
    # Unknown or open-ended: up to what the company's other stakes leave free.
    total = np.bincount(owned, weights=lo, minlength=n) if m else np.zeros(n)
    free = np.maximum(0.0, 1.0 - (total[owned] - lo))
    hi = np.where(np.isnan(mx), free, np.minimum(mx, free))
    hi = np.where(exact, lo, np.maximum(hi, lo))
    uncertain = bool(np.any(hi != lo))
    order = np.argsort(owned, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owned, minlength=n), out=indptr[1:])

    stake_votes: dict[tuple[int, int], list[tuple[Stake, float, float]]] | None = None
    if keep_stakes:
        stake_votes = {}
        for k, s in enumerate(view.stakes):
            stake_votes.setdefault((int(own[k]), int(owned[k])), []).append((s, float(lo[k]), float(hi[k])))

    bloc_members, global_bloc, scoped_bloc = _blocs(view, index, n)
    return Net(ids, index, indptr.tolist(), own[order].tolist(), lo[order].tolist(), hi[order].tolist(),
               ctl_in, uncertain, bloc_members, global_bloc, scoped_bloc, stake_votes)


def _components(pairs: list[tuple[int, int]]) -> list[tuple[int, ...]]:
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = defaultdict(list)
    for a in parent:
        groups[find(a)].append(a)
    return [tuple(sorted(g)) for g in groups.values() if len(g) > 1]


def _blocs(
    view: View, index: dict[str, int], n: int
) -> tuple[list[tuple[int, ...]], dict[int, int], dict[int, dict[int, int]]]:
    if not view.concerts:
        return [], {}, {}
    unscoped: list[tuple[int, int]] = []
    scoped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for k in view.concerts:
        pair = (index[k.party_a], index[k.party_b])
        if k.scope_id is None:
            unscoped.append(pair)
        else:
            scoped[index[k.scope_id]].append(pair)
    members: list[tuple[int, ...]] = []
    known: dict[tuple[int, ...], int] = {}

    def bloc_map(pairs: list[tuple[int, int]]) -> dict[int, int]:
        out: dict[int, int] = {}
        for comp in _components(pairs):
            b = known.get(comp)
            if b is None:
                b = known[comp] = n + len(members)
                members.append(comp)
            for m in comp:
                out[m] = b
        return out

    global_bloc = bloc_map(unscoped)
    scoped_bloc = {y: bloc_map(unscoped + pairs) for y, pairs in scoped.items()}
    return members, global_bloc, scoped_bloc


def component_order(net: Net) -> tuple[list[int], list[int]]:
    """Entities with strongly connected components contiguous, owners before owned.

    Returns the order and, per position, the size of its component (a
    component of size k occupies k consecutive positions).
    """
    n = net.n
    if n == 0:
        return [], []
    src, dst = _influence_edges(net)
    if n <= SMALL_NET:
        return _small_component_order(n, src.tolist(), dst.tolist())
    ncomp, labels = strong_components(n, src, dst)
    ls, ld = labels[src], labels[dst]
    keep = ls != ld
    ls, ld = ls[keep], ld[keep]
    perm = np.argsort(ls, kind="stable")
    ld_sorted = ld[perm]
    cptr = np.zeros(ncomp + 1, dtype=np.int64)
    np.cumsum(np.bincount(ls, minlength=ncomp), out=cptr[1:])
    indeg = np.bincount(ld, minlength=ncomp)
    frontier = np.flatnonzero(indeg == 0)
    levels = []
    # Kahn's algorithm one level at a time, vectorised.
    while frontier.size:
        levels.append(frontier)
        starts = cptr[frontier]
        lens = cptr[frontier + 1] - starts
        total = int(lens.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        nb = ld_sorted[offsets]
        indeg -= np.bincount(nb, minlength=ncomp)
        cand = np.unique(nb)
        frontier = cand[indeg[cand] == 0]
    rank = np.empty(ncomp, dtype=np.int64)
    rank[np.concatenate(levels)] = np.arange(ncomp)
    order = np.argsort(rank[labels], kind="stable")
    sizes = np.bincount(labels, minlength=ncomp)[labels[order]]
    return order.tolist(), sizes.tolist()


SMALL_NET = 64
"""Up to this many entities (a typical upstream closure) the order is found in plain Python: the
array machinery costs more than the work on so few nodes."""


def _small_component_order(n: int, src: list[int], dst: list[int]) -> tuple[list[int], list[int]]:
    """``component_order`` for a small net: Tarjan's components, then Kahn's levels of the condensation
    (a level's components by their smallest member, each component's members in index order)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(src, dst, strict=True):
        succ[a].append(b)
    comp = [-1] * n
    index = [-1] * n
    low = [0] * n
    stack: list[int] = []
    on_stack = [False] * n
    counter = 0
    ncomp = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            for j in range(i, len(succ[v])):
                w = succ[v][j]
                if index[w] == -1:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = ncomp
                    if w == v:
                        break
                ncomp += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    members: list[list[int]] = [[] for _ in range(ncomp)]
    for v in range(n):
        members[comp[v]].append(v)
    indeg = [0] * ncomp
    out: list[set[int]] = [set() for _ in range(ncomp)]
    for a, b in zip(src, dst, strict=True):
        ca, cb = comp[a], comp[b]
        if ca != cb and cb not in out[ca]:
            out[ca].add(cb)
            indeg[cb] += 1
    frontier = sorted((c for c in range(ncomp) if indeg[c] == 0), key=lambda c: members[c][0])
    order: list[int] = []
    sizes: list[int] = []
    while frontier:
        nxt: list[int] = []
        for c in frontier:
            order.extend(members[c])
            sizes.extend([len(members[c])] * len(members[c]))
            for d in out[c]:
                indeg[d] -= 1
                if indeg[d] == 0:
                    nxt.append(d)
        frontier = sorted(nxt, key=lambda c: members[c][0])
    return order, sizes


def solve(
    net: Net,
    bound: int,
    *,
    ruleset: str,
    threshold: float,
    relative_threshold: float,
    order: tuple[list[int], list[int]] | None = None,
    record: bool = False,
    reuse: Solved | None = None,
    affected: list[bool] | None = None,
) -> Solved:
    """The least fixpoint of the control rules with voting shares at ``bound`` (LO or HI).

    With ``reuse`` (a solve of the other bound) and ``affected`` (entities
    downstream of an uncertain stake), the others take their result from
    ``reuse``: with every share upstream exact both bounds agree there.
    """
    n = net.n
    ctrl: list[dict[int, int]] = [_EMPTY] * (n + len(net.bloc_members))
    shared = reuse.ctrl if reuse is not None and affected is not None and not record else None
    reasons: dict[tuple[int, int], str | int] | None = {} if record else None
    stamp = 0
    ip, hold = net.indptr, net.hold
    votes = net.vlo if bound == LO else net.vhi
    ctl_in = net.ctl_in
    relative = ruleset == "relative"
    # Entities whose presence among the pooled holders can bring a bloc into play.
    bloc_keys: set[int] = set()
    if net.bloc_members:
        bloc_keys.update(net.global_bloc)
        for bmap in net.scoped_bloc.values():
            bloc_keys.update(bmap)
        bloc_keys.update(range(n, n + len(net.bloc_members)))
    alt = (HI if bound == LO else LO) if net.uncertain else bound
    t = threshold + EPS
    nodes, sizes = order if order is not None else component_order(net)
    i = 0
    total_nodes = len(nodes)
    queued: set[int] = set()
    while i < total_nodes:
        size = sizes[i]
        succ: dict[int, list[int]] | None = None
        if size == 1:
            pending = [nodes[i]]
        else:
            # Inside a cycle: a worklist, re-evaluating only what a change can reach.
            pending = nodes[i : i + size][::-1]
            succ = _inner_successors(net, pending)
            queued = set(pending)
        i += size
        while pending:
            y = pending.pop()
            if succ is not None:
                queued.discard(y)
            if shared is not None and not affected[y]:  # type: ignore[index]
                ctrl[y] = shared[y]
                continue
            a, b = ip[y], ip[y + 1]
            cin = ctl_in.get(y)
            if a == b and cin is None:
                continue
            pooled: dict[int, float] = {}
            pget = pooled.get
            for k in range(a, b):
                v = votes[k]
                if v > 0.0:
                    h = hold[k]
                    pooled[h] = pget(h, 0.0) + v
                    ch = ctrl[h]
                    if ch:
                        for x in ch:
                            if x != h:
                                pooled[x] = pget(x, 0.0) + v
            blocs: list[int] = []
            if bloc_keys and (y in net.scoped_bloc or not bloc_keys.isdisjoint(pooled)):
                blocs = _pool_blocs(net, ctrl, y, pooled, bound)
            direct: dict[int, str] = dict.fromkeys(cin, "E") if cin is not None else {}
            for x, sx in pooled.items():
                if sx > t and x not in direct:
                    direct[x] = "P"
            if relative and pooled:
                for x in _relative_winners(net, ctrl, y, pooled, bound, alt, relative_threshold):
                    if x not in direct:
                        direct[x] = "R"
            if not direct:
                continue
            out: dict[int, str | int] = dict(direct)
            if reasons is not None and len(direct) > 1:
                out = _prefer_chains(direct, ctrl)
            for x in direct:
                for w in ctrl[x]:
                    if w not in out:
                        out[w] = x
            if blocs:
                # A bloc adds nothing where one of its members controls on its own.
                for bl in blocs:
                    if bl in out and any(m in out for m in net.bloc_members[bl - n]):
                        del out[bl]
            cur = ctrl[y]
            if cur is _EMPTY:
                cur = ctrl[y] = {}
            changed = False
            for x, why in out.items():
                if x not in cur:
                    cur[x] = stamp
                    stamp += 1
                    changed = True
                    if reasons is not None:
                        reasons[(x, y)] = why
            if changed and succ is not None:
                for z in succ.get(y, ()):
                    if z not in queued:
                        queued.add(z)
                        pending.append(z)
        if succ is not None and bloc_keys:
            # In a cycle a bloc may be derived before one of its members controls alone;
            # the member's own control takes precedence whatever the evaluation order.
            for z in succ.keys() | set(nodes[i - size : i]):
                cz = ctrl[z]
                for bl in [x for x in cz if x >= n]:
                    if any(m in cz for m in net.bloc_members[bl - n]):
                        del cz[bl]
    return Solved(ctrl, reasons)


def _inner_successors(net: Net, comp: list[int]) -> dict[int, list[int]]:
    """Within one component: entity -> the members whose controllers depend on its own."""
    members = set(comp)
    succ: dict[int, list[int]] = defaultdict(list)
    ip, hold = net.indptr, net.hold
    for z in comp:
        for k in range(ip[z], ip[z + 1]):
            h = hold[k]
            if h in members:
                succ[h].append(z)
        for c in net.ctl_in.get(z, ()):
            if c in members:
                succ[c].append(z)
    return succ


def _influence_edges(net: Net) -> tuple[np.ndarray, np.ndarray]:
    """Edges holder -> held (positive upper voting share) and controller -> controlled."""
    n = net.n
    ip = np.asarray(net.indptr, dtype=np.int64)
    positive = np.asarray(net.vhi, dtype=np.float64) > 0.0
    dst = np.repeat(np.arange(n, dtype=np.int64), np.diff(ip))[positive]
    src = np.asarray(net.hold, dtype=np.int64)[positive]
    if net.ctl_in:
        cs = [(a, b) for b, lst in net.ctl_in.items() for a in lst]
        src = np.concatenate([src, np.array([a for a, _ in cs], dtype=np.int64)])
        dst = np.concatenate([dst, np.array([b for _, b in cs], dtype=np.int64)])
    return src, dst


def affected_by_uncertainty(net: Net) -> list[bool]:
    """Entities whose controllers may differ between the bounds: downstream of an uncertain stake.

    An entity is affected when a stake in it is uncertain or when it is
    reachable from such an entity along holder and CONTROLS edges. Blocs need
    no extra care: a bloc pools only votes of upstream entities.
    """
    n = net.n
    ip = np.asarray(net.indptr, dtype=np.int64)
    owned = np.repeat(np.arange(n, dtype=np.int64), np.diff(ip))
    seeds = np.unique(owned[np.asarray(net.vlo) != np.asarray(net.vhi)])
    if seeds.size == 0:
        return [False] * n
    src, dst = _influence_edges(net)
    # One extra node pointing at every seed: a single breadth-first search finds them all.
    src = np.concatenate([src, np.full(seeds.size, n, dtype=np.int64)])
    dst = np.concatenate([dst, seeds])
    g = csr_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n + 1, n + 1))
    reached = breadth_first_order(g, n, directed=True, return_predecessors=False)
    out = np.zeros(n + 1, dtype=bool)
    out[reached] = True
    return out[:n].tolist()  # type: ignore[no-any-return]


class Holders(Protocol):
    """What the bloc and relative rules read of a net (``Net`` here, its columnar twin in ``graph.columnar``)."""

    @property
    def n(self) -> int: ...

    @property
    def bloc_members(self) -> list[tuple[int, ...]]: ...

    def blocs_for(self, y: int) -> dict[int, int]: ...

    def holders_of(self, y: int) -> list[tuple[int, float, float]]: ...


class Controllers(Protocol):
    """Controllers of each index, read-only: ``list[dict]`` here."""

    def __getitem__(self, i: int, /) -> Mapping[int, object]: ...


def _prefer_chains(direct: dict[int, str], ctrl: list[dict[int, int]]) -> dict[int, str | int]:
    """Explain x through an intermediate direct controller z where one exists.

    "p controls b, b controls a" reads better than "p pools b's votes in a";
    both derivations are valid, only the recorded reason changes. Pairs
    explained through z come after z's own pair, so stamps stay ordered.
    """
    first: dict[int, str | int] = {}
    later: list[tuple[int, int, int]] = []
    for x, why in direct.items():
        via = None
        if why != "E":
            # z strictly below x (x controls z, z does not control x): no circular explanation.
            via = next((z for z in direct if z != x and x in ctrl[z] and z not in ctrl[x]), None)
        if via is None:
            first[x] = why
        else:
            later.append((sum(1 for w in ctrl[x] if w in direct), x, via))
    # The lower in the chain (more controllers among ``direct``) is stamped first.
    for _, x, via in sorted(later, key=lambda r: -r[0]):
        first[x] = via
    return first


def _pool_blocs(
    net: Holders, ctrl: Controllers, y: int, pooled: dict[int, float], bound: int
) -> list[int]:
    """Pool the blocs in scope for ``y`` as single holders; returns every bloc seen in ``pooled``."""
    bmap = net.blocs_for(y)
    n = net.n
    seen = [x for x in pooled if x >= n]
    if not bmap:
        return seen
    scope = {bmap[x] for x in pooled if x in bmap}
    for b in scope:
        members = net.bloc_members[b - n]
        total = 0.0
        for rec in net.holders_of(y):
            v = rec[bound]
            if v <= 0.0:
                continue
            h = rec[0]
            ch = ctrl[h]
            if h in members or b in ch or any(m in ch for m in members):
                total += v
        pooled[b] = total
        if b not in seen:
            seen.append(b)
    return seen


def _relative_winners(
    net: Holders,
    ctrl: Controllers,
    y: int,
    pooled: dict[int, float],
    bound: int,
    alt: int,
    t_rel: float,
) -> list[int]:
    """Holders at or above ``t_rel`` and strictly above every other independent holder.

    Holders whose pooled votes overlap (one controls the other, a bloc and its
    members) are the same interest, not competitors. With uncertain shares the
    competitors are taken at the opposite bound, so that a definite relative
    controller beats every other holder at its highest and a possible one
    beats them at their lowest.
    """
    counted: dict[int, set[int]] = defaultdict(set)
    alt_val: dict[int, float] = defaultdict(float)
    bmap = net.blocs_for(y)
    for rec in net.holders_of(y):
        h = rec[0]
        if rec[bound] <= 0.0 and rec[alt] <= 0.0:
            continue
        ch = ctrl[h]
        who = {h, *ch}
        for x in list(who):
            if x in bmap:
                who.add(bmap[x])
        for x in who:
            counted[x].add(h)
            alt_val[x] += rec[alt]
    winners = []
    lo_bar = t_rel - EPS
    for x, s in pooled.items():
        if s < lo_bar:
            continue
        mine = counted[x]
        best = max((alt_val[c] for c in counted if c != x and mine.isdisjoint(counted[c])), default=0.0)
        if s > best + EPS:
            winners.append(x)
    return winners


def ultimate(net: Net, ctrl: list[dict[int, int]], y: int) -> list[int]:
    """UC(y): controllers of y whom nobody outside their own mutual-control cycle controls."""
    return [x for x in ctrl[y] if all(x in ctrl[w] for w in ctrl[x])]


def expand(net: Net, ctrl: list[dict[int, int]], ucs: list[int]) -> list[tuple[int, str | None, int | None]]:
    """Ultimate controllers as entities: (entity, group, bloc) with blocs and cycles as groups."""
    out: list[tuple[int, str | None, int | None]] = []
    n = net.n
    for x in ucs:
        if x >= n:
            g = bloc_group(net, x)
            out.extend((m, g, x) for m in net.bloc_members[x - n])
        elif ctrl[x]:
            cycle = {x, *ctrl[x]}
            out.append((x, "cycle:" + "+".join(sorted(net.ids[m] for m in cycle)), None))
        else:
            out.append((x, None, None))
    # One entity can reach the answer both alone and as a bloc member: keep the first.
    seen: set[int] = set()
    uniq = []
    for rec in out:
        if rec[0] not in seen:
            seen.add(rec[0])
            uniq.append(rec)
    return uniq
