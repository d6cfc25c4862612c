"""Invariants on random small graphs (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ownergraph.graph.ownership
from ownergraph.graph.build import build_view, upstream_closure
from ownergraph.graph.control import bulk_control, controllers
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.graph.ownership import integrated_ownership
from ownergraph.graph.params import ControlParams
from tests.graph.helpers import DAY

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def graphs(draw: st.DrawFn, *, acyclic: bool = False, exact: bool = False, extras: bool = True) -> Dataset:
    n = draw(st.integers(2, 7))
    ids = [f"e{i}" for i in range(n)]
    kinds = draw(st.lists(st.sampled_from(["company", "person", "partnership"]), min_size=n, max_size=n))
    stakes: list[Stake] = []
    for y in range(n):
        pool = list(range(y)) if acyclic else [i for i in range(n) if i != y]
        owners = draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
        left = 1.0
        for o in owners:
            part = draw(st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.35, 0.5, 0.51, 0.6, 0.9, 1.0]))
            part = min(part, left)
            left -= part
            form = "exact" if exact else draw(st.sampled_from(["exact", "exact", "exact", "interval", "unknown"]))
            if form == "exact":
                share = Share(exact=part)
            elif form == "interval":
                share = Share(minimum=part / 2, maximum=part)
            else:
                share = Share()
            stakes.append(Stake(ids[o], ids[y], share))
    controls: list[Control] = []
    concerts: list[Concert] = []
    if extras:
        for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2)):
            if a != b and (not acyclic or a < b):
                basis = draw(st.sampled_from(["general_partner", "declared", "agreement"]))
                controls.append(Control(ids[a], ids[b], basis))
        for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=1)):
            if a != b:
                scope = draw(st.one_of(st.none(), st.sampled_from(ids)))
                concerts.append(Concert(ids[a], ids[b], scope_id=scope))
    entities = [Entity(i, i.upper(), k) for i, k in zip(ids, kinds, strict=True)]
    return Dataset(entities=entities, stakes=stakes, controls=controls, concerts=concerts)


def summary(ans):
    return (
        ans.status,
        tuple(sorted(u.id for u in ans.ultimate_controllers)),
        tuple(sorted(u.id for u in ans.possible_ultimate_controllers)),
    )


@SETTINGS
@given(graphs(), st.sampled_from(["majority", "relative"]))
def test_property_bulk_agrees_with_on_demand(data: Dataset, ruleset: str) -> None:
    bulk = bulk_control(data, ControlParams(DAY, ruleset=ruleset))
    for e in data.entities:
        one = controllers(data, e.id, ControlParams(DAY, ruleset=ruleset))
        b = bulk[e.id]
        assert (b.status, b.ultimate_controllers, b.possible_ultimate_controllers) == summary(one)


@SETTINGS
@given(graphs())
def test_property_ultimate_controllers_are_upstream(data: Dataset) -> None:
    for e in data.entities:
        closure = upstream_closure(data, e.id)
        ans = controllers(data, e.id, ControlParams(DAY))
        for u in (*ans.ultimate_controllers, *ans.possible_ultimate_controllers):
            assert u.id in closure
            assert u.chain
            assert u.chain[-1].to_id == e.id


def reference_controls(data: Dataset, t: float = 0.5) -> dict[str, set[str]]:
    """The spec's least fixpoint, computed naively over all pairs (exact shares, no concerts)."""
    ids = [e.id for e in data.entities]
    gp = {(c.controller_id, c.controlled_id) for c in data.controls if c.basis == "general_partner"}
    gp_of = {y for _, y in gp}
    v: dict[tuple[str, str], float] = {}
    for s in data.stakes:
        vote = 0.0 if s.owned_id in gp_of and (s.owner_id, s.owned_id) not in gp else s.share.lower
        v[(s.owner_id, s.owned_id)] = v.get((s.owner_id, s.owned_id), 0.0) + vote
    pairs = {(c.controller_id, c.controlled_id) for c in data.controls}
    while True:
        new = set(pairs)
        for x, y in itertools.product(ids, ids):
            mine = {x} | {z for (a, z) in pairs if a == x}
            if sum(v.get((z, y), 0.0) for z in mine) > t + 1e-9:
                new.add((x, y))
        new |= {(x, y) for (x, z) in new for (z2, y) in new if z == z2}
        if new == pairs:
            break
        pairs = new
    return {y: {x for (x, y2) in pairs if y2 == y} for y in ids}


@SETTINGS
@given(graphs(exact=True))
def test_property_control_matches_naive_fixpoint(data: Dataset) -> None:
    data.concerts.clear()
    ref = reference_controls(data)
    for e in data.entities:
        assert set(controllers(data, e.id, ControlParams(DAY)).controllers) == ref[e.id]


def path_sum(data: Dataset, owner: str, target: str) -> float:
    out: dict[str, list[tuple[str, float]]] = {}
    for s in data.stakes:
        out.setdefault(s.owner_id, []).append((s.owned_id, s.share.lower))

    def walk(node: str) -> float:
        return sum(sh * (1.0 if nxt == target else walk(nxt)) for nxt, sh in out.get(node, ()))

    return walk(owner)


@SETTINGS
@given(graphs(acyclic=True, extras=False))
def test_property_io_in_unit_interval_and_equal_to_path_sums(data: Dataset) -> None:
    view = build_view(data, DAY)
    ids = [e.id for e in data.entities]
    io = integrated_ownership(view, ids)
    for y in ids:
        col = np.array(list(io.columns[y].values()))
        assert np.all(col >= 0.0)
        assert np.all(col <= 1.0 + 1e-9)
        for x in ids:
            if x != y:
                assert abs(io.of(x, y) - path_sum(data, x, y)) < 1e-9


@SETTINGS
@given(graphs(), st.randoms(use_true_random=False))
def test_property_invariant_under_relabelling(data: Dataset, rnd) -> None:
    ids = [e.id for e in data.entities]
    new_names = [f"n{k}" for k in range(len(ids))]
    rnd.shuffle(new_names)
    m = dict(zip(ids, new_names, strict=True))
    relabelled = Dataset(
        entities=[Entity(m[e.id], e.name, e.kind) for e in reversed(data.entities)],
        stakes=[Stake(m[s.owner_id], m[s.owned_id], s.share) for s in reversed(data.stakes)],
        controls=[Control(m[c.controller_id], m[c.controlled_id], c.basis) for c in data.controls],
        concerts=[Concert(m[k.party_b], m[k.party_a], m[k.scope_id] if k.scope_id else None)
                  for k in data.concerts],
    )
    before = bulk_control(data, ControlParams(DAY))
    after = bulk_control(relabelled, ControlParams(DAY))
    for i in ids:
        b, a = before[i], after[m[i]]
        assert a.status == b.status
        assert set(a.ultimate_controllers) == {m[u] for u in b.ultimate_controllers}
        assert set(a.possible_ultimate_controllers) == {m[u] for u in b.possible_ultimate_controllers}


@SETTINGS
@given(graphs())
def test_property_large_graph_paths_agree_with_small_graph_paths(data: Dataset) -> None:
    # Query-sized graphs use plain-Python ordering and dense solves; large ones scipy's sparse
    # routines. Forcing the large-graph paths on small graphs must not change any answer.

    small = {e.id: controllers(data, e.id, ControlParams(DAY)) for e in data.entities}
    saved = ownergraph.graph.ownership._DENSE
    ownergraph.graph.ownership._DENSE = 0
    try:
        for e in data.entities:
            large = controllers(data, e.id, ControlParams(DAY))
            assert summary(large) == summary(small[e.id])
            assert large.controllers == small[e.id].controllers
            assert {h.id: round(h.integrated_ownership, 9) for h in large.largest_holders} == {
                h.id: round(h.integrated_ownership, 9) for h in small[e.id].largest_holders
            }
    finally:
        ownergraph.graph.ownership._DENSE = saved


@SETTINGS
@given(graphs(), st.integers(min_value=1, max_value=3))
def test_property_io_solved_in_chunks_equals_one_solve(data: Dataset, chunk_cells: int) -> None:
    """Many targets are solved a few at a time over a sparse factorisation: the same answers as a dense solve."""
    from ownergraph.graph import ownership

    view = build_view(data, DAY)
    ids = [e.id for e in data.entities]
    whole = integrated_ownership(view, ids)
    dense_limit, cells = ownership._DENSE, ownership._SOLVE_CELLS
    try:
        ownership._DENSE, ownership._SOLVE_CELLS = 0, chunk_cells * max(1, len(ids))
        chunked = integrated_ownership(view, ids)
    finally:
        ownership._DENSE, ownership._SOLVE_CELLS = dense_limit, cells
    for y in ids:
        for x in ids:
            assert abs(whole.of(x, y) - chunked.of(x, y)) < 1e-9
