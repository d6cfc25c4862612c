"""Random sequences of delta, snapshot and refresh on the real Neo4j: after every step the materialised
control equals a full recomputation, and the change feed replayed from empty gives the same state."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.materialise import Cause, materialise_changes, refresh_control, verify_control
from ownergraph.queries.repository import Repository
from tests.application.living import dump, materialised_states, replayed_states

DAY0 = date(2025, 1, 1)
IDS = [f"e{i}" for i in range(7)]
KINDS = ["person", "person", "company", "company", "company", "partnership", "company"]
ENTITIES = [Entity(i, i.upper(), k) for i, k in zip(IDS, KINDS, strict=True)]


@st.composite
def edges(draw: st.DrawFn) -> Dataset:
    """Some stakes (cross-holdings allowed), maybe a control and a concert, some of them dated."""
    when = st.one_of(st.none(), st.integers(-5, 12).map(lambda d: DAY0 + timedelta(days=d)))
    stakes = []
    for owner, owned in draw(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS[2:])), max_size=7,
                                      unique=True)):
        if owner == owned:
            continue
        share = draw(st.sampled_from([Share(exact=0.3), Share(exact=0.51), Share(exact=0.6), Share(exact=1.0),
                                      Share(minimum=0.2, maximum=0.6), Share()]))
        start, end = draw(when), draw(when)
        if start is not None and end is not None and end <= start:
            end = None
        stakes.append(Stake(owner, owned, share, start=start, end=end))
    controls = [Control(a, b, draw(st.sampled_from(["general_partner", "agreement"])))
                for a, b in draw(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS[2:])), max_size=1))
                if a != b]
    concerts = [Concert(a, b, scope_id=draw(st.one_of(st.none(), st.sampled_from(IDS[2:]))))
                for a, b in draw(st.lists(st.tuples(st.sampled_from(IDS[:3]), st.sampled_from(IDS[:3])), max_size=1))
                if a < b]
    return Dataset(entities=list(ENTITIES), stakes=stakes, controls=controls, concerts=concerts)


STEP = st.one_of(
    st.tuples(st.just("delta"), st.sampled_from(["s1", "s2"]), edges(), st.integers(0, 4)),
    st.tuples(st.just("snapshot"), st.sampled_from(["s1", "s2"]), edges(), st.integers(0, 4)),
    st.tuples(st.just("refresh"), st.just(""), st.just(Dataset()), st.integers(0, 6)),
)


def _apply(repo: Repository, step: tuple[str, str, Dataset, int], day: date) -> None:
    """One step as the load pipeline runs it: refresh to the day, write, recompute what changed."""
    kind, source, data, _ = step
    refresh_control(repo, today=day)
    if kind == "refresh":
        return
    written = repo.write_dataset(data, load={"id": source, "format": "test", "path": "-"}, day=day,
                                 snapshot=kind == "snapshot")
    materialise_changes(repo, written.changed, as_of=day, cause=Cause("load", source))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(STEP, min_size=1, max_size=5))
def test_property_incremental_control_equals_a_full_recompute(
    neo4j_driver: object, steps: list[tuple[str, str, Dataset, int]]
) -> None:
    repo = Repository(neo4j_driver)  # type: ignore[arg-type]
    repo.wipe()
    day = DAY0
    for step in steps:
        day += timedelta(days=step[3])
        _apply(repo, step, day)
        assert verify_control(repo, as_of=day) == [], step
        assert dump(replayed_states(repo)) == dump(materialised_states(repo)), step
