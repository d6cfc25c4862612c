"""Integrated (effective) ownership, docs/control.md section 5: IO = (I - A)^-1 - I.

Computed algebraically with a sparse LU factorisation, never by enumerating
paths, so cross-holdings are handled exactly. Paths are enumerated only to
explain an answer, strongest first and bounded in number.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import csc_matrix, identity
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from ownergraph.graph.answers import Owner, OwnersAnswer, OwnershipPath, QualityFlag, ShareInfo
from ownergraph.graph.build import View, build_view, restrict, share_info, upstream_closure
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.model import Dataset

MAX_PATHS_PER_OWNER = 20
PATH_BUDGET = 20_000  # partial paths examined per query, whatever the graph's shape
_NOISE = 1e-12  # LU round-off below this is zero, not a stake
_DENSE = 200  # up to this many entities a dense solve is faster
_SOLVE_CELLS = 4_000_000  # entities x targets solved at once (32 MB of right-hand sides)


@dataclass(slots=True)
class IOResult:
    """IO of the entities of the view into each target, sparse: ``columns[t] = {index[x]: IO(x, t)}``.

    Only the non-zero entries are kept: the result of many targets over a large view stays
    proportional to the stakes that exist, never entities x targets.
    """

    ids: list[str]
    index: dict[str, int]
    columns: dict[str, dict[int, float]]
    flags: list[QualityFlag]

    def of(self, owner_id: str, target_id: str) -> float:
        return self.columns[target_id].get(self.index[owner_id], 0.0)


def equity_bounds(view: View) -> dict[tuple[str, str], tuple[float, float]]:
    """Equity share of each (owner, owned) pair at its lower and upper bound.

    Unknown and open-ended shares reach up to what the company's other stakes
    leave free (docs/control.md section 2); several stakes of one pair are summed.
    """
    by_owned: dict[str, list[tuple[str, float, float | None, bool]]] = defaultdict(list)
    for s in view.stakes:
        sh = s.share
        by_owned[s.owned_id].append((s.owner_id, sh.lower, sh.maximum, sh.exact is not None))
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for owned, recs in by_owned.items():
        total = sum(r[1] for r in recs)
        for owner, lo, mx, exact in recs:
            if exact:
                hi = lo
            else:
                free = max(0.0, 1.0 - (total - lo))
                hi = max(lo, free if mx is None else min(mx, free))
            old = out.get((owner, owned), (0.0, 0.0))
            out[(owner, owned)] = (old[0] + lo, old[1] + hi)
    return out


def integrated_ownership(view: View, targets: Sequence[str], *, upper: bool = False) -> IOResult:
    """IO of every entity in each target, shares at their lower (default) or upper bound.

    A set of entities owning itself 100% makes ``I - A`` singular: its inner
    stakes are left out of the computation and a ``circular_ownership_100``
    flag says so.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity(i, i, "company") for i in "pab"],
    ...             stakes=[Stake("p", "a", Share(exact=0.5)), Stake("a", "b", Share(exact=0.4))])
    >>> round(integrated_ownership(build_view(d, date(2024, 1, 1)), ["b"]).of("p", "b"), 6)
    0.2
    """
    ids = list(view.entities)
    index = {e: i for i, e in enumerate(ids)}
    n = len(ids)
    flags: list[QualityFlag] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for (o, y), (lo, hi) in equity_bounds(view).items():
        v = hi if upper else lo
        if v > 0.0:
            rows.append(index[o])
            cols.append(index[y])
            vals.append(v)
    if 0 < n <= _DENSE and targets:
        dense = _dense_solve(n, rows, cols, vals, [index[t] for t in targets])
        if dense is not None:
            return IOResult(ids, index, {t: _sparse(dense[:, k]) for k, t in enumerate(targets)}, flags)
    a = csc_matrix((vals, (rows, cols)), shape=(n, n))
    a, singular = _drop_self_owned_sets(a, ids)
    flags.extend(singular)
    columns: dict[str, dict[int, float]] = {}
    if n and targets:
        lu = splu((identity(n, format="csc") - a).tocsc())
        # Targets in chunks: the right-hand sides and solutions of one chunk are n x chunk, bounded in memory.
        chunk = max(1, min(len(targets), _SOLVE_CELLS // n))
        for start in range(0, len(targets), chunk):
            part = targets[start:start + chunk]
            x = lu.solve(a[:, [index[t] for t in part]].toarray())
            for k, t in enumerate(part):
                columns[t] = _sparse(x[:, k])
    return IOResult(ids, index, columns, flags)


def _sparse(column: np.ndarray) -> dict[int, float]:
    """The entries of one solved column above the round-off."""
    nz = np.flatnonzero(np.abs(column) >= _NOISE)
    return dict(zip(nz.tolist(), column[nz].tolist(), strict=True))


def _dense_solve(n: int, rows: list[int], cols: list[int], vals: list[float],
                 targets: list[int]) -> np.ndarray | None:
    """Query-sized graphs: dense LAPACK beats sparse set-up; None when a set owns itself wholly."""
    a = np.zeros((n, n))
    np.add.at(a, (rows, cols), vals)
    try:
        x = np.linalg.solve(np.eye(n) - a, a[:, targets])
    except np.linalg.LinAlgError:
        return None
    # With spectral radius below 1 the walk sums are finite and non-negative; anything else
    # means a set owning itself wholly: the sparse path finds it and flags it.
    if not np.all(np.isfinite(x)) or x.min() < -1e-9 or x.max() > 1e6:
        return None
    x[np.abs(x) < _NOISE] = 0.0
    return x


def _drop_self_owned_sets(a: csc_matrix, ids: list[str]) -> tuple[csc_matrix, list[QualityFlag]]:
    n = a.shape[0]
    if n == 0 or a.nnz == 0:
        return a, []
    ncomp, labels = connected_components(a, directed=True, connection="strong")
    if ncomp == n:
        return a, []
    sizes = np.bincount(labels)
    flags: list[QualityFlag] = []
    coo = a.tocoo()
    drop = np.zeros(coo.nnz, dtype=bool)
    for comp in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(labels == comp)
        sub = a[members][:, members].toarray()
        if sub.sum(axis=0).max() < 1.0 - 1e-12:
            continue  # every column sums below 1: spectral radius < 1, IO finite
        rho = float(np.max(np.abs(np.linalg.eigvals(sub)))) if len(members) <= 500 else _power(sub)
        if rho < 1.0 - 1e-9:
            continue
        inside = (labels[coo.row] == comp) & (labels[coo.col] == comp)
        drop |= inside
        who = tuple(sorted(ids[i] for i in members))
        flags.append(
            QualityFlag(
                "circular_ownership_100",
                f"{', '.join(who)} own one another wholly (integrated ownership would be infinite); "
                "their stakes in one another are left out of integrated ownership",
                who,
            )
        )
    if not drop.any():
        return a, flags
    keep = ~drop
    return csc_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=a.shape), flags


def _power(sub: np.ndarray) -> float:
    v = np.ones(sub.shape[0])
    rho = 0.0
    for _ in range(500):
        w = sub @ v
        norm = float(np.linalg.norm(w))
        if norm == 0.0:
            return 0.0
        rho, v = norm / float(np.linalg.norm(v)), w / norm
    return rho


def top_paths(
    view: View,
    target_id: str,
    *,
    per_owner: int = MAX_PATHS_PER_OWNER,
    budget: int = PATH_BUDGET,
) -> tuple[dict[str, list[OwnershipPath]], set[str]]:
    """The strongest simple ownership paths into the target, per owner (shares at lower bound).

    Best-first: a path's product can only fall as it grows, so paths come out
    strongest first. Returns the paths and the owners whose list was cut.
    """
    preds: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (o, y), (lo, _) in equity_bounds(view).items():
        preds[y].append((o, lo))
    paths: dict[str, list[OwnershipPath]] = defaultdict(list)
    truncated: set[str] = set()
    tie = 0
    heap: list[tuple[float, int, tuple[str, ...], tuple[float, ...]]] = [(-1.0, 0, (target_id,), ())]
    pops = 0
    while heap:
        if pops >= budget:
            truncated.update(p[2][0] for p in heap)
            break
        neg, _, ids, shares = heapq.heappop(heap)
        pops += 1
        head = ids[0]
        if head != target_id:
            if len(paths[head]) < per_owner:
                paths[head].append(OwnershipPath(ids, shares, -neg))
            else:
                truncated.add(head)
        for o, s in preds.get(head, ()):
            if o not in ids:
                tie += 1
                heapq.heappush(heap, (neg * s, tie, (o, *ids), (s, *shares)))
    return dict(paths), truncated


def owners(data: Dataset, target_id: str, *, as_of: date) -> OwnersAnswer:
    """The upstream tree of the target with integrated ownership (docs/control.md section 5).

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("a", "A", "company"),
    ...                       Entity("b", "B", "company")],
    ...             stakes=[Stake("p", "a", Share(exact=0.5)), Stake("a", "b", Share(exact=0.4)),
    ...                     Stake("p", "b", Share(exact=0.1))])
    >>> ans = owners(d, "b", as_of=date(2024, 1, 1))
    >>> [(o.id, round(o.integrated_ownership, 6), o.top_level, len(o.paths)) for o in ans.owners]
    [('a', 0.4, False, 1), ('p', 0.3, True, 2)]
    """
    if target_id not in data.entity_ids():
        raise EntityNotFound(target_id)
    view = build_view(restrict(data, upstream_closure(data, target_id)), as_of)
    return owners_in_view(view, target_id)


def owners_in_view(view: View, target_id: str) -> OwnersAnswer:
    """``owners`` on a view already built (the target must be in it)."""
    owned_by: dict[str, list[str]] = defaultdict(list)
    for s in view.stakes:
        owned_by[s.owned_id].append(s.owner_id)
    ancestors: set[str] = set()
    stack = [target_id]
    while stack:
        for o in owned_by.get(stack.pop(), ()):
            if o not in ancestors:
                ancestors.add(o)
                stack.append(o)
    ancestors.discard(target_id)
    lo = integrated_ownership(view, [target_id])
    flags = list(view.flags) + lo.flags
    try:
        hi: IOResult | None = integrated_ownership(view, [target_id], upper=True)
    except RuntimeError:  # upper bounds may make I - A singular where lower bounds do not
        hi = None
    paths, truncated = top_paths(view, target_id)
    direct: dict[str, ShareInfo] = {}
    for s in view.stakes:
        if s.owned_id == target_id and s.owner_id not in direct:
            direct[s.owner_id] = share_info(s.share, s.share_derived)
    result = []
    for o in ancestors:
        io = lo.of(o, target_id)
        io_max = hi.of(o, target_id) if hi is not None and not hi.flags else None
        result.append(
            Owner(
                id=o,
                name=view.name(o),
                kind=view.kind(o),
                integrated_ownership=io,
                integrated_ownership_max=io_max,
                top_level=o not in owned_by,
                direct_share=direct.get(o),
                paths=tuple(paths.get(o, ())),
                paths_truncated=o in truncated,
            )
        )
        if io > 1.0 + 1e-9:
            flags.append(
                QualityFlag(
                    "io_above_one",
                    f"integrated ownership of {o!r} in {target_id!r} is {io:.4f}: ownership walks "
                    "through a cross-holding cycle are counted once per turn (docs/control.md section 5)",
                    (o, target_id),
                )
            )
    result.sort(key=lambda w: (-round(w.integrated_ownership, 12), w.id))  # round-off must not reorder ties
    return OwnersAnswer(target_id, view.name(target_id), view.as_of, "lower_bound", tuple(result),
                        tuple(flags))
