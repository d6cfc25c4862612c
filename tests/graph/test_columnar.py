"""The columnar whole-graph pass gives the engine's answers, entity for entity (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ownergraph.graph.columnar import Columns, ColumnsBuilder, Ids, bulk_answers
from ownergraph.graph.control import bulk_control_relation
from ownergraph.graph.materialised import AnswerStates, control_keys, states_from
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.graph.params import ControlParams
from tests.graph.helpers import DAY, assert_same_columns, dataset
from tests.graph.test_properties import SETTINGS, graphs

DAYS = [None, DAY - timedelta(days=400), DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]


@st.composite
def messy(draw: st.DrawFn) -> Dataset:
    """``graphs()`` plus what the view rules deal with: dates, subscribed capital, voting shares,
    shares out of range, self-stakes, repeated pairs, ids no entity record names."""
    data = draw(graphs())
    ids = [e.id for e in data.entities]
    refs = [*ids, "ghost"]
    stakes: list[Stake] = []
    for s in data.stakes:
        start, end = draw(st.sampled_from(DAYS)), draw(st.sampled_from(DAYS))
        form = draw(st.sampled_from(["same", "same", "same", "capital", "vote", "bad", "vote_interval"]))
        if form == "capital":
            s = replace(s, share=Share(), subscribed_capital=draw(st.sampled_from([10.0, 30.0, 70.0, 0.0])))
        elif form == "vote":
            s = replace(s, voting_share=Share(exact=draw(st.sampled_from([0.0, 0.3, 0.6]))))
        elif form == "vote_interval":
            s = replace(s, voting_share=Share(minimum=0.2, maximum=draw(st.sampled_from([None, 0.7]))))
        elif form == "bad":
            s = replace(s, share=Share(exact=draw(st.sampled_from([1.5, -0.1]))))
        stakes.append(replace(s, start=start, end=end))
    for _ in range(draw(st.integers(0, 3))):
        a, b = draw(st.sampled_from(refs)), draw(st.sampled_from(refs))
        stakes.append(Stake(a, b, Share(exact=draw(st.sampled_from([0.2, 0.3, 0.55]))),
                            subscribed_capital=draw(st.sampled_from([None, 20.0])),
                            end=draw(st.sampled_from(DAYS))))
    controls = [replace(c, start=draw(st.sampled_from(DAYS))) for c in data.controls]
    concerts = [replace(k, end=draw(st.sampled_from(DAYS))) for k in data.concerts]
    capital = draw(st.lists(st.sampled_from([None, 0.0, 100.0]), min_size=len(ids), max_size=len(ids)))
    entities = [replace(e, registered_capital=c) for e, c in zip(data.entities, capital, strict=True)]
    return Dataset(entities=entities, stakes=stakes, controls=controls, concerts=concerts)


def assert_same(data: Dataset, params: ControlParams, *, small_level: int, level_chunk: int = 1 << 18) -> None:
    summaries, controllers = bulk_control_relation(data, params)
    got = bulk_answers(Columns.from_dataset(data), params, small_level=small_level, level_chunk=level_chunk)
    assert got.summaries() == summaries
    assert got.controllers() == controllers
    assert set(got.rows()) == control_keys(summaries, controllers)


@SETTINGS
@given(graphs(), st.sampled_from(["majority", "relative"]), st.sampled_from([0, 10_000]))
def test_property_columnar_agrees_with_engine(data: Dataset, ruleset: str, small_level: int) -> None:
    # small_level 0: every level through the array path; 10,000: every entity through the per-entity rules
    assert_same(data, ControlParams(DAY, ruleset=ruleset), small_level=small_level)


@SETTINGS
@given(messy(), st.sampled_from(["majority", "relative"]), st.sampled_from([0, 10_000]))
def test_property_columnar_agrees_with_engine_on_messy_records(data: Dataset, ruleset: str, small_level: int) -> None:
    assert_same(data, ControlParams(DAY, ruleset=ruleset), small_level=small_level)


@SETTINGS
@given(st.lists(graphs(), min_size=2, max_size=12), st.sampled_from([0.5, 0.3]), st.sampled_from([1, 3, 1 << 18]))
def test_property_columnar_agrees_on_many_graphs_at_once(parts: list[Dataset], threshold: float,
                                                         level_chunk: int) -> None:
    # Disjoint copies side by side: levels hold many entities, as in a national graph.
    data = Dataset()
    for i, part in enumerate(parts):
        def r(x: str, i: int = i) -> str:
            return f"g{i}:{x}"
        data.entities += [replace(e, id=r(e.id)) for e in part.entities]
        data.stakes += [replace(s, owner_id=r(s.owner_id), owned_id=r(s.owned_id)) for s in part.stakes]
        data.controls += [replace(c, controller_id=r(c.controller_id), controlled_id=r(c.controlled_id))
                          for c in part.controls]
        data.concerts += [replace(k, party_a=r(k.party_a), party_b=r(k.party_b),
                                  scope_id=None if k.scope_id is None else r(k.scope_id)) for k in part.concerts]
    # level_chunk 1 or 3: a level's array path in parts of a few stakes each
    assert_same(data, ControlParams(DAY, threshold=threshold), small_level=0, level_chunk=level_chunk)


NAMES = st.one_of(
    st.text(st.characters(exclude_categories=())),  # any code point, lone surrogates too
    st.text("ab\x00\x7fé\U0001f600", max_size=10),  # prefixes, NULs, multibyte characters
    st.text("ab", min_size=60, max_size=70),  # longer than LONG_ID: compared as strings
)


@SETTINGS
@given(st.lists(NAMES, unique=True))
@example(["a\x00", "a", "", "\x00", "ab", "a\x00b", "\udc80", "\uffff", "\U0001f600"])
def test_ids_keep_every_string_and_sort_as_python_does(names: list[str]) -> None:
    import pickle


    ids = pickle.loads(pickle.dumps(Ids.of(names)))
    assert list(ids) == names
    assert [ids[i] for i in range(len(names))] == names
    assert ids.take(np.arange(len(names))[::-1]) == names[::-1]
    assert [names[i] for i in ids.order(np.arange(len(names))).tolist()] == sorted(names)
    half = np.arange(0, len(names), 2)
    assert [names[i] for i in half[ids.order(half)].tolist()] == sorted(names[::2])
    assert list(ids.head(len(names) // 2, ["x", "é"])) == [*names[: len(names) // 2], "x", "é"]


def test_float32_would_change_an_answer() -> None:
    # Why shares stay float64: 30% + 20% held by one group is not above 50%.

    assert float(np.float32(0.3)) + float(np.float32(0.2)) > 0.5 + 1e-9
    data = dataset("p:person a b c", [("p", "a", 1.0), ("a", "c", 0.3), ("p", "b", 1.0), ("b", "c", 0.2)])
    got = bulk_answers(Columns.from_dataset(data), ControlParams(DAY), small_level=0).summaries()
    assert got["c"].status == "no_controller"


@pytest.mark.parametrize("small_level", [0, 10_000])
def test_cycle_bloc_and_general_partner(small_level: int) -> None:
    data = Dataset(
        entities=[Entity(i, i.upper(), "company") for i in ("p", "q", "a", "b", "lp", "gp", "x", "y")],
        stakes=[Stake("a", "b", Share(exact=0.6)), Stake("b", "a", Share(exact=0.6)),
                Stake("p", "a", Share(exact=0.3)), Stake("q", "a", Share(exact=0.3)),
                Stake("lp", "x", Share(exact=0.99)), Stake("gp", "x", Share(exact=0.01)),
                Stake("x", "y", Share(minimum=0.4, maximum=0.6))],
        controls=[Control("gp", "x", "general_partner")],
        concerts=[Concert("p", "q", start=date(2020, 1, 1))],
    )
    assert_same(data, ControlParams(DAY), small_level=small_level)
    got = bulk_answers(Columns.from_dataset(data), ControlParams(DAY), small_level=small_level).summaries()
    assert got["x"].ultimate_controllers == ("gp",)
    assert got["y"].status == "undetermined"
    assert got["b"].groups  # the bloc of p and q controls the a-b cycle


@SETTINGS
@given(messy(), st.integers(min_value=1, max_value=7))
def test_property_columns_built_in_parts_equal_the_whole(data: Dataset, size: int) -> None:
    """``ColumnsBuilder.records`` over parts of any size gives ``Columns.from_dataset``'s arrays."""
    build = ColumnsBuilder()
    for name in ("entities", "stakes", "controls", "concerts"):
        records = getattr(data, name)
        for at in range(0, len(records), size):
            build.records(Dataset(**{name: records[at : at + size]}))
    assert_same_columns(build.columns(), Columns.from_dataset(data))


@SETTINGS
@given(st.one_of(graphs(), messy()), st.sampled_from(["majority", "relative"]))
def test_property_relationships_and_states_as_arrays_equal_the_keys(data: Dataset, ruleset: str) -> None:
    """``relationships()`` and ``AnswerStates`` give what ``rows()`` and ``states_from`` give."""
    answers = bulk_answers(Columns.from_dataset(data), ControlParams(DAY, ruleset))
    keys = set(answers.rows())
    ids, groups = answers.names(), answers.groups
    got = set()
    for kind, (y, m, definite, group) in zip(("ULTIMATELY_CONTROLLED_BY", "CONTROLLED_BY"), answers.relationships(),
                                             strict=True):
        got |= {(kind, ids[a], ids[b], d, None if g < 0 else groups[g])
                for a, b, d, g in zip(y.tolist(), m.tolist(), definite.tolist(), group.tolist(), strict=True)}
    assert got == keys
    expected = states_from(keys, answers.statuses())
    states = AnswerStates(answers)
    assert [ids[t] for t in states.targets.tolist()] == sorted(expected)
    assert states.states(states.targets) == [expected[ids[t]] for t in states.targets.tolist()]
    seq, node = states.involved()
    named = [(i + 1, x) for i, t in enumerate(states.targets.tolist()) for x in expected[ids[t]].involved()]
    assert list(zip(seq.tolist(), [ids[x] for x in node.tolist()], strict=True)) == named
