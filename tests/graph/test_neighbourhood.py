"""The neighbourhood view: walk, budget, collapse and dates on hand-built data sets."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from datetime import date

import pytest

from ownergraph.graph.errors import EntityNotFound, InvalidParameter
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Link, Share, Stake
from ownergraph.graph.neighbourhood import GraphView, ViewEdge, ViewNode, mark_control, neighbourhood

DAY = date(2024, 6, 30)


def company(entity_id: str) -> Entity:
    return Entity(entity_id, f"Company {entity_id}", "company")


def owns(owner: str, owned: str, share: float | None = None, **kwargs: object) -> Stake:
    return Stake(owner, owned, Share(exact=share), **kwargs)  # type: ignore[arg-type]


def node_levels(view: GraphView) -> list[tuple[str, int]]:
    return [(n.id, n.level) for n in view.nodes]


def edge_pairs(view: GraphView) -> list[tuple[str, str, str]]:
    return [(e.source, e.target, e.relation) for e in view.edges]


@pytest.fixture
def chain() -> Dataset:
    """D -> C -> B -> A (each 60%), and A -> X -> Y below."""
    return Dataset(
        entities=[company(i) for i in "ABCDXY"],
        stakes=[
            owns("D", "C", 0.6),
            owns("C", "B", 0.6),
            owns("B", "A", 0.6),
            owns("A", "X", 0.6),
            owns("X", "Y", 0.6),
        ],
    )


def test_neighbourhood_up_stops_at_depth(chain: Dataset) -> None:
    view = neighbourhood(chain, "A", as_of=DAY, direction="up", depth=2)
    assert node_levels(view) == [("A", 0), ("B", -1), ("C", -2)]
    assert edge_pairs(view) == [("B", "A", "OWNS"), ("C", "B", "OWNS")]
    assert view.truncated is False
    assert (view.center, view.as_of, view.direction, view.depth) == ("A", "2024-06-30", "up", 2)


def test_neighbourhood_down_follows_holdings(chain: Dataset) -> None:
    view = neighbourhood(chain, "A", as_of=DAY, direction="down")
    assert node_levels(view) == [("A", 0), ("X", 1), ("Y", 2)]
    assert edge_pairs(view) == [("A", "X", "OWNS"), ("X", "Y", "OWNS")]


def test_neighbourhood_depth_zero_is_the_center_alone(chain: Dataset) -> None:
    view = neighbourhood(chain, "A", as_of=DAY, depth=0)
    assert node_levels(view) == [("A", 0)]
    assert view.edges == ()


def test_neighbourhood_both_skips_siblings() -> None:
    # P owns A (the center) and S: S is A's sibling, neither owner nor holding of A.
    data = Dataset(
        entities=[company(i) for i in "APSH"],
        stakes=[owns("P", "A", 0.5), owns("P", "S", 0.5), owns("A", "H", 0.7)],
    )
    view = neighbourhood(data, "A", as_of=DAY, direction="both")
    assert node_levels(view) == [("A", 0), ("P", -1), ("H", 1)]
    assert edge_pairs(view) == [("A", "H", "OWNS"), ("P", "A", "OWNS")]


def test_neighbourhood_keeps_only_edges_valid_at_the_date() -> None:
    data = Dataset(
        entities=[company(i) for i in "AOEFN"],
        stakes=[
            owns("O", "A", 0.3, start=date(2020, 1, 1)),  # in force
            owns("E", "A", 0.3, end=date(2024, 6, 30)),  # ended the day before: end is exclusive
            owns("F", "A", 0.3, start=date(2024, 7, 1)),  # not yet
            owns("N", "A", 0.1, start=DAY),  # starts that day: start is inclusive
        ],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    assert node_levels(view) == [("A", 0), ("O", -1), ("N", -1)]
    assert [(e.source, e.start) for e in view.edges] == [("O", "2020-01-01"), ("N", "2024-06-30")]
    earlier = neighbourhood(data, "A", as_of=date(2024, 6, 29))
    assert node_levels(earlier) == [("A", 0), ("E", -1), ("O", -1)]


def test_neighbourhood_orders_by_share_then_id_and_control_first() -> None:
    data = Dataset(
        entities=[company(i) for i in "ABCDEG"],
        stakes=[owns("B", "A", 0.2), owns("C", "A", 0.3), owns("D", "A", 0.2), owns("E", "A")],
        controls=[Control("G", "A", "agreement")],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    assert [n.id for n in view.nodes] == ["A", "G", "C", "B", "D", "E"]


def test_neighbourhood_ranges_rank_by_lower_bound() -> None:
    data = Dataset(
        entities=[company(i) for i in "ABC"],
        stakes=[Stake("B", "A", Share(minimum=0.25, maximum=0.5)), owns("C", "A", 0.3)],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    assert [n.id for n in view.nodes] == ["A", "C", "B"]
    b_edge = next(e for e in view.edges if e.source == "B")
    assert (b_edge.share, b_edge.share_min, b_edge.share_max) == (None, 0.25, 0.5)


def test_neighbourhood_budget_collapses_the_rest_per_parent() -> None:
    data = Dataset(
        entities=[company(i) for i in "ABCDEF"],
        stakes=[owns("B", "A", 0.1), owns("C", "A", 0.4), owns("D", "A", 0.2), owns("E", "A", 0.2), owns("F", "A")],
    )
    view = neighbourhood(data, "A", as_of=DAY, node_budget=4)
    assert node_levels(view) == [("A", 0), ("C", -1), ("D", -1), ("A::more-up", -1)]
    more = view.nodes[-1]
    assert (more.kind, more.name, more.collapsed_count, more.collapsed_parent) == ("more", "+3 more", 3, "A")
    assert edge_pairs(view) == [("C", "A", "OWNS"), ("D", "A", "OWNS"), ("A::more-up", "A", "COLLAPSED")]
    assert view.truncated is True


def test_neighbourhood_budget_collapses_deeper_parents_too() -> None:
    # B and C each keep a slot for their own "+N more": B's one owner fits in it, C's two do not.
    data = Dataset(
        entities=[company(i) for i in "ABCPQR"],
        stakes=[
            owns("B", "A", 0.6),
            owns("C", "A", 0.4),
            owns("P", "B", 1.0),
            owns("Q", "C", 0.5),
            owns("R", "C", 0.5),
        ],
    )
    view = neighbourhood(data, "A", as_of=DAY, node_budget=5)
    assert node_levels(view) == [("A", 0), ("B", -1), ("C", -1), ("P", -2), ("C::more-up", -2)]
    assert [n.collapsed_count for n in view.nodes] == [0, 0, 0, 0, 2]
    assert edge_pairs(view)[-1] == ("C::more-up", "C", "COLLAPSED")


def test_neighbourhood_budget_counts_the_more_nodes() -> None:
    # Three owners with owners of their own: showing a node costs its own "+N more" slot too.
    data = Dataset(
        entities=[company(i) for i in "ABCDPQR"],
        stakes=[
            owns("B", "A", 0.5),
            owns("C", "A", 0.3),
            owns("D", "A", 0.2),
            owns("P", "B", 1.0),
            owns("Q", "C", 1.0),
            owns("R", "D", 1.0),
        ],
    )
    view = neighbourhood(data, "A", as_of=DAY, node_budget=4)
    assert node_levels(view) == [("A", 0), ("B", -1), ("P", -2), ("A::more-up", -1)]
    assert len(view.nodes) == 4


def test_neighbourhood_budget_in_both_directions_gives_one_more_node_per_side() -> None:
    data = Dataset(
        entities=[company(i) for i in "ABCXY"],
        stakes=[owns("B", "A", 0.5), owns("C", "A", 0.4), owns("A", "X", 0.9), owns("A", "Y", 0.8)],
    )
    view = neighbourhood(data, "A", as_of=DAY, direction="both", node_budget=4)
    # Owners get the budget first: the view answers "who controls A".
    assert node_levels(view) == [("A", 0), ("B", -1), ("C", -1), ("A::more-down", 1)]
    assert edge_pairs(view) == [("B", "A", "OWNS"), ("C", "A", "OWNS"), ("A", "A::more-down", "COLLAPSED")]
    assert view.nodes[3].collapsed_count == 2
    tiny = neighbourhood(data, "A", as_of=DAY, direction="both", node_budget=3)
    assert node_levels(tiny) == [("A", 0), ("A::more-up", -1), ("A::more-down", 1)]


def test_neighbourhood_more_node_id_never_clashes_with_an_entity() -> None:
    data = Dataset(
        entities=[company("A"), company("B"), company("C"), Entity("A::more-up", "Tricky", "company")],
        stakes=[owns("A::more-up", "A", 0.5), owns("B", "A", 0.3), owns("C", "A", 0.2)],
    )
    view = neighbourhood(data, "A", as_of=DAY, node_budget=3)
    assert [n.id for n in view.nodes] == ["A", "A::more-up", "A::more-up+"]
    assert len({n.id for n in view.nodes}) == len(view.nodes)


def test_neighbourhood_shows_every_relation_between_shown_nodes() -> None:
    # GP owns 1% of the partnership and controls it; B and C act in concert; a
    # director link; and a cross-holding B -> C that the walk reached separately.
    data = Dataset(
        entities=[
            company("A"),
            Entity("LP", "Fund LP", "partnership"),
            company("GP"),
            company("B"),
            company("C"),
            Entity("Z", "Zed", "person"),
            Entity("W", "Far partner", "person"),
        ],
        stakes=[
            owns("LP", "A", 0.5),
            owns("GP", "LP", 0.01),
            owns("B", "A", 0.3),
            owns("C", "A", 0.2),
            owns("B", "C", 0.1),
        ],
        controls=[Control("GP", "LP", "general_partner", source="SAMR")],
        concerts=[Concert("B", "C", scope_id="A"), Concert("B", "W")],
        links=[Link("Z", "A", "director", detail="chair")],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    assert [n.id for n in view.nodes] == ["A", "LP", "B", "C", "Z", "GP"]
    assert edge_pairs(view) == [
        ("LP", "A", "OWNS"),
        ("B", "A", "OWNS"),
        ("B", "C", "ACTS_IN_CONCERT"),
        ("B", "C", "OWNS"),
        ("C", "A", "OWNS"),
        ("Z", "A", "director"),
        ("GP", "LP", "CONTROLS"),
        ("GP", "LP", "OWNS"),
    ]
    control = view.edges[6]
    assert (control.basis, control.provenance) == ("general_partner", "SAMR")
    assert view.edges[2].scope_id == "A"
    assert view.edges[5].detail == "chair"


def test_neighbourhood_cycle_terminates() -> None:
    data = Dataset(entities=[company("A"), company("B")], stakes=[owns("A", "B", 0.5), owns("B", "A", 0.5)])
    view = neighbourhood(data, "A", as_of=DAY)
    assert node_levels(view) == [("A", 0), ("B", -1)]
    assert edge_pairs(view) == [("A", "B", "OWNS"), ("B", "A", "OWNS")]


def test_neighbourhood_edge_to_undescribed_entity_shows_its_id() -> None:
    data = Dataset(entities=[company("A")], stakes=[owns("GHOST", "A", 0.4)])
    view = neighbourhood(data, "A", as_of=DAY)
    assert view.nodes[1] == ViewNode("GHOST", "GHOST", "unknown", -1)


def test_neighbourhood_node_fields_and_json() -> None:
    data = Dataset(
        entities=[
            Entity("A", "甲公司", "company", name_en="Jia Co", jurisdiction="CN", founded=date(2015, 3, 2)),
            Entity("P", "Pat", "person"),
        ],
        stakes=[Stake("P", "A", Share(exact=0.4, raw="40%"), share_derived=True, source="reg.csv")],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    center = view.nodes[0]
    fields = (center.name, center.name_en, center.jurisdiction, center.founded)
    assert fields == ("甲公司", "Jia Co", "CN", "2015-03-02")
    assert view.edges[0] == ViewEdge(
        "P", "A", "OWNS", share=0.4, share_raw="40%", share_derived=True, provenance="reg.csv"
    )
    decoded = json.loads(json.dumps(asdict(view)))
    assert decoded["nodes"][1] == {
        "id": "P",
        "name": "Pat",
        "kind": "person",
        "level": -1,
        "name_en": None,
        "jurisdiction": None,
        "founded": None,
        "dissolved": None,
        "status": None,
        "collapsed_count": 0,
        "collapsed_parent": None,
        "is_controller": False,
    }
    assert set(decoded) == {"center", "as_of", "direction", "depth", "nodes", "edges", "truncated"}


def test_mark_control_marks_controllers_and_chain() -> None:
    data = Dataset(
        entities=[company(i) for i in "ABCD"],
        stakes=[owns("B", "A", 0.6), owns("C", "B", 0.6), owns("D", "A", 0.1)],
        concerts=[Concert("C", "D")],
    )
    view = neighbourhood(data, "A", as_of=DAY)
    marked = mark_control(view, {"C"}, {("C", "B"), ("B", "A"), ("D", "C")})
    assert [n.id for n in marked.nodes if n.is_controller] == ["C"]
    assert [(e.source, e.target, e.relation) for e in marked.edges if e.on_control_chain] == [
        ("B", "A", "OWNS"),
        ("C", "B", "OWNS"),
        ("C", "D", "ACTS_IN_CONCERT"),  # concert pairs match either way round
    ]
    assert not any(n.is_controller for n in view.nodes)  # the input view is unchanged


def test_neighbourhood_rejects_unknown_center_and_bad_parameters(chain: Dataset) -> None:
    with pytest.raises(EntityNotFound):
        neighbourhood(chain, "NOPE", as_of=DAY)
    with pytest.raises(InvalidParameter, match="direction"):
        neighbourhood(chain, "A", as_of=DAY, direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="depth"):
        neighbourhood(chain, "A", as_of=DAY, depth=-1)
    with pytest.raises(InvalidParameter, match="node_budget"):
        neighbourhood(chain, "A", as_of=DAY, node_budget=0)


def test_neighbourhood_is_deterministic_whatever_the_input_order() -> None:
    stakes = [owns(o, "A", s) for o, s in [("B", 0.2), ("C", 0.2), ("D", 0.3), ("E", 0.1)]]
    entities = [company(i) for i in "ABCDE"]
    forward = neighbourhood(Dataset(entities=entities, stakes=stakes), "A", as_of=DAY, node_budget=3)
    backward = neighbourhood(Dataset(entities=entities[::-1], stakes=stakes[::-1]), "A", as_of=DAY, node_budget=3)
    assert forward == backward
    assert [n.id for n in forward.nodes] == ["A", "D", "A::more-up"]


@pytest.mark.parametrize("seed", range(30))
def test_neighbourhood_never_exceeds_the_budget(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(5, 60)
    stakes = [
        owns(f"N{rng.randrange(size)}", f"N{rng.randrange(size)}", round(rng.random(), 2))
        for _ in range(rng.randint(size, 4 * size))
    ]
    data = Dataset(
        entities=[company(f"N{i}") for i in range(size)], stakes=[s for s in stakes if s.owner_id != s.owned_id]
    )
    budget = rng.randint(3, 40)
    direction = rng.choice(["up", "down", "both"])
    view = neighbourhood(data, "N0", as_of=DAY, direction=direction, depth=rng.randint(1, 6), node_budget=budget)
    ids = [n.id for n in view.nodes]
    assert len(ids) <= budget
    assert len(set(ids)) == len(ids)
    assert view.truncated == any(n.collapsed_count for n in view.nodes)
    assert all(e.source in ids and e.target in ids for e in view.edges)
    assert all(abs(n.level) <= view.depth + 1 for n in view.nodes)
    unlimited = neighbourhood(data, "N0", as_of=DAY, direction=direction, depth=view.depth, node_budget=10_000)
    if not view.truncated:
        assert view == unlimited


def test_neighbourhood_draws_capital_only_stakes_with_derived_shares() -> None:
    data = Dataset(
        entities=[Entity("A", "A Co", "company"), Entity("P", "P", "person"), Entity("Q", "Q", "person")],
        stakes=[Stake("P", "A", subscribed_capital=3_000_000.0), Stake("Q", "A", subscribed_capital=1_000_000.0)],
    )
    view = neighbourhood(data, "A", as_of=date(2024, 1, 1))
    got = sorted((e.source, e.share, e.share_derived) for e in view.edges)
    assert got == [("P", 0.75, True), ("Q", 0.25, True)]
