from dataclasses import asdict, replace
from datetime import date

import pytest

from ownergraph.graph.control import bulk_control, controlled, controllers, upstream_closure
from ownergraph.graph.errors import EntityNotFound, InvalidParameter
from ownergraph.graph.model import Concert, Control, Entity, Share, Stake
from ownergraph.graph.params import ControlParams
from tests.graph.helpers import DAY, dataset


def ucs(ans):
    return sorted(u.id for u in ans.ultimate_controllers)


def possible(ans):
    return sorted(u.id for u in ans.possible_ultimate_controllers)


def steps(chain):
    return [(s.from_id, s.to_id, s.rule) for s in chain]


def assert_bulk_agrees(data, as_of=DAY, **kw):
    bulk = bulk_control(data, ControlParams(as_of, **kw))
    for e in data.entities:
        one = controllers(data, e.id, ControlParams(as_of, **kw))
        b = bulk[e.id]
        assert (b.status, b.ultimate_controllers, b.possible_ultimate_controllers) == (
            one.status, tuple(ucs(one)), tuple(possible(one))), e.id


def test_controllers_chain_of_majorities():
    d = dataset("p:person b a", [("p", "b", 0.8), ("b", "a", 0.6)])
    ans = controllers(d, "a", ControlParams(DAY))
    assert ans.status == "controlled"
    assert ucs(ans) == ["p"]
    assert ans.controllers == ("b", "p")
    u = ans.ultimate_controllers[0]
    assert (u.kind, u.basis, u.group) == ("person", "majority", None)
    assert steps(u.chain) == [("p", "b", "majority"), ("b", "a", "majority")]
    assert u.chain[1].share.exact == 0.6
    assert u.chain[1].pooled_voting_share == pytest.approx(0.6)
    assert_bulk_agrees(d)


def test_controllers_aggregation_through_controlled_subsidiary():
    d = dataset("x z y o", [("x", "y", 0.30), ("x", "z", 0.6), ("z", "y", 0.25), ("o", "y", 0.45)])
    ans = controllers(d, "y", ControlParams(DAY))
    assert ucs(ans) == ["x"]
    chain = ans.ultimate_controllers[0].chain
    assert steps(chain) == [("x", "z", "majority"), ("x", "y", "majority")]
    last = chain[-1]
    assert last.pooled_voting_share == pytest.approx(0.55)
    assert sorted((c.owner_id, c.voting_share) for c in last.contributing) == [("x", 0.3), ("z", 0.25)]
    assert last.share.exact == 0.3
    assert_bulk_agrees(d)


def test_controllers_gp_partnership_lp_has_no_votes():
    d = dataset("gp lp f:partnership", [("gp", "f", 0.01), ("lp", "f", 0.99)], [("gp", "f", "general_partner")])
    ans = controllers(d, "f", ControlParams(DAY))
    assert ucs(ans) == ["gp"]
    assert ans.ultimate_controllers[0].basis == "general_partner"
    assert steps(ans.ultimate_controllers[0].chain) == [("gp", "f", "controls_edge")]
    assert "lp" not in ans.controllers
    # the LP still owns: largest holder by integrated ownership
    assert ans.largest_holders[0].id == "lp"
    assert ans.largest_holders[0].integrated_ownership == pytest.approx(0.99)
    assert_bulk_agrees(d)


def test_controllers_gp_rule_respects_explicit_voting_share():
    d = dataset("gp lp f:partnership", [("gp", "f", 0.01)], [("gp", "f", "general_partner")])
    d.stakes.append(Stake("lp", "f", Share(exact=0.99), voting_share=Share(exact=0.99)))
    ans = controllers(d, "f", ControlParams(DAY))
    assert sorted(ans.controllers) == ["gp", "lp"]
    assert ucs(ans) == ["gp", "lp"]


def test_controllers_joint_venture_has_no_controller():
    d = dataset("a b jv", [("a", "jv", 0.5), ("b", "jv", 0.5)])
    ans = controllers(d, "jv", ControlParams(DAY))
    assert ans.status == "no_controller"
    assert ans.ultimate_controllers == ()
    assert [(h.id, h.integrated_ownership) for h in ans.largest_holders] == [("a", 0.5), ("b", 0.5)]
    assert_bulk_agrees(d)


def test_controllers_cross_holding_cycle_reported_as_group():
    d = dataset("a b x o", [("a", "b", 0.6), ("b", "a", 0.6), ("o", "a", 0.4), ("a", "x", 0.7)])
    ans = controllers(d, "x", ControlParams(DAY))
    assert ans.status == "controlled"
    assert ucs(ans) == ["a", "b"]
    assert {u.group for u in ans.ultimate_controllers} == {"cycle:a+b"}
    for u in ans.ultimate_controllers:
        assert u.chain[-1].to_id == "x"
    assert_bulk_agrees(d)


def test_controllers_change_of_owner_over_time():
    d = dataset("p1 p2 a")
    d.stakes += [
        Stake("p1", "a", Share(exact=1.0), end=date(2020, 1, 1)),
        Stake("p2", "a", Share(exact=1.0), start=date(2020, 1, 1), source="filing-2020"),
    ]
    assert ucs(controllers(d, "a", ControlParams(date(2019, 12, 31)))) == ["p1"]
    after = controllers(d, "a", ControlParams(date(2020, 1, 1)))
    assert ucs(after) == ["p2"]
    step = after.ultimate_controllers[0].chain[0]
    assert (step.start, step.end, step.source) == (date(2020, 1, 1), None, "filing-2020")
    assert_bulk_agrees(d, as_of=date(2019, 6, 1))


def test_controllers_spec_example_unknown_share_undetermined():
    # B holds 60% of A; B's only shareholder P holds an unknown share.
    d = dataset("p:person b a", [("b", "a", 0.6), ("p", "b", None)])
    ans = controllers(d, "a", ControlParams(DAY))
    assert ans.status == "undetermined"
    assert ucs(ans) == ["b"]
    assert possible(ans) == ["p"]
    assert [(s.owner_id, s.owned_id) for s in ans.deciding_stakes] == [("p", "b")]
    assert steps(ans.possible_ultimate_controllers[0].chain) == [("p", "b", "majority"), ("b", "a", "majority")]
    assert_bulk_agrees(d)


def test_controllers_interval_share_undetermined_without_definite():
    d = dataset("x z a", [("x", "a", (0.4, 0.6)), ("z", "a", 0.4)])
    ans = controllers(d, "a", ControlParams(DAY))
    assert ans.status == "undetermined"
    assert ucs(ans) == []
    assert possible(ans) == ["x"]
    assert [(s.owner_id, s.share.minimum, s.share.maximum) for s in ans.deciding_stakes] == [("x", 0.4, 0.6)]
    # the upper end is capped by what the others leave free: 50% held elsewhere
    d2 = dataset("x z a", [("x", "a", (0.4, 0.6)), ("z", "a", 0.5)])
    assert controllers(d2, "a", ControlParams(DAY)).status == "no_controller"
    assert_bulk_agrees(d)


def test_controllers_interval_above_threshold_is_definite():
    d = dataset("x a", [("x", "a", (0.51, None))])
    ans = controllers(d, "a", ControlParams(DAY))
    assert (ans.status, ucs(ans), possible(ans)) == ("controlled", ["x"], ["x"])


def test_build_shares_derived_from_all_subscribed_amounts():
    d = dataset("x y a")
    d.stakes += [Stake("x", "a", subscribed_capital=300.0), Stake("y", "a", subscribed_capital=700.0)]
    ans = controllers(d, "a", ControlParams(DAY))
    assert ucs(ans) == ["y"]
    share = ans.ultimate_controllers[0].chain[0].share
    assert (share.exact, share.derived) == (pytest.approx(0.7), True)


def test_build_shares_derived_from_registered_capital():
    d = dataset("x y")
    d.entities.append(Entity("a", "A", "company", registered_capital=1000.0))
    d.stakes += [Stake("x", "a", subscribed_capital=600.0), Stake("y", "a")]
    ans = controllers(d, "a", ControlParams(DAY))
    assert (ans.status, ucs(ans)) == ("controlled", ["x"])
    share = ans.ultimate_controllers[0].chain[0].share
    assert (share.exact, share.derived) == (pytest.approx(0.6), True)
    # without registered capital the share stays unknown
    d.entities[-1] = Entity("a", "A", "company")
    assert controllers(d, "a", ControlParams(DAY)).status == "undetermined"


def test_controllers_state_body_at_the_top():
    d = dataset("sasac:state_body grp listed pub", [("sasac", "grp", 1.0), ("grp", "listed", 0.51),
                                                     ("pub", "listed", 0.49)])
    ans = controllers(d, "listed", ControlParams(DAY))
    assert [(u.id, u.kind) for u in ans.ultimate_controllers] == [("sasac", "state_body")]


def test_controllers_relative_ruleset():
    d = dataset("x y z a", [("x", "a", 0.35), ("y", "a", 0.2), ("z", "a", 0.2)])
    assert controllers(d, "a", ControlParams(DAY)).status == "no_controller"
    rel = controllers(d, "a", ControlParams(DAY, ruleset="relative"))
    assert (rel.status, ucs(rel), rel.ultimate_controllers[0].basis) == ("controlled", ["x"], "relative")
    assert controllers(d, "a", ControlParams(DAY, ruleset="relative", relative_threshold=0.4)).status == "no_controller"
    assert_bulk_agrees(d, ruleset="relative")


def test_controllers_relative_needs_strictly_largest():
    d = dataset("x y a", [("x", "a", 0.35), ("y", "a", 0.35)])
    assert controllers(d, "a", ControlParams(DAY, ruleset="relative")).status == "no_controller"


def test_controllers_relative_with_unknown_competitor_is_undetermined():
    d = dataset("x w a", [("x", "a", 0.35), ("w", "a", None)])
    ans = controllers(d, "a", ControlParams(DAY, ruleset="relative"))
    assert ans.status == "undetermined"
    assert ucs(ans) == []


def test_controllers_acting_in_concert_bloc_is_joint_controller():
    d = dataset("a b c t", [("a", "t", 0.3), ("b", "t", 0.3), ("c", "t", 0.4)], concerts=[("a", "b")])
    ans = controllers(d, "t", ControlParams(DAY))
    assert ans.status == "controlled"
    assert ucs(ans) == ["a", "b"]
    assert {u.group for u in ans.ultimate_controllers} == {"concert:a+b"}
    step = ans.ultimate_controllers[0].chain[-1]
    assert (step.from_id, step.rule, step.pooled_voting_share) == ("concert:a+b", "concert", pytest.approx(0.6))
    assert_bulk_agrees(d)


def test_controllers_scoped_concert_only_applies_to_its_company():
    d = dataset("a b t u", [("a", "t", 0.3), ("b", "t", 0.3), ("a", "u", 0.3), ("b", "u", 0.3)])
    d.concerts.append(Concert("a", "b", scope_id="t"))
    assert ucs(controllers(d, "t", ControlParams(DAY))) == ["a", "b"]
    assert controllers(d, "u", ControlParams(DAY)).status == "no_controller"
    assert_bulk_agrees(d)


def test_controllers_declared_controller_with_small_stake():
    d = dataset("d w t", [("d", "t", 0.05), ("w", "t", 0.4)], [("d", "t", "declared")])
    ans = controllers(d, "t", ControlParams(DAY))
    assert ucs(ans) == ["d"]
    assert ans.ultimate_controllers[0].basis == "declared"


def test_controllers_transitive_through_controls_edges():
    d = dataset("p m t", [("m", "t", 0.9)], [("p", "m", "agreement")])
    ans = controllers(d, "t", ControlParams(DAY))
    assert ucs(ans) == ["p"]
    assert steps(ans.ultimate_controllers[0].chain) == [("p", "m", "controls_edge"), ("m", "t", "majority")]


def test_controllers_deep_chain():
    n = 30
    ids = [f"c{i}" for i in range(n)]
    d = dataset(" ".join(ids), [(ids[i], ids[i + 1], 0.51) for i in range(n - 1)])
    ans = controllers(d, ids[-1], ControlParams(DAY))
    assert ucs(ans) == ["c0"]
    assert len(ans.ultimate_controllers[0].chain) == n - 1
    assert ans.ultimate_controllers[0].chain[0].from_id == "c0"
    assert ans.largest_holders[0].id == ids[-2]
    assert_bulk_agrees(d)


def test_build_faults_are_flagged():
    d = dataset("x y a", [("x", "a", 0.7), ("y", "a", 0.6), ("a", "a", 0.1), ("x", "ghost", 0.6)])
    d.stakes.append(Stake("y", "x", Share(exact=1.7)))
    d.stakes.append(Stake("y", "x", Share(exact=0.1), start=date(2020, 1, 1), end=date(2019, 1, 1)))
    ans = controllers(d, "a", ControlParams(DAY))
    codes = sorted(f.code for f in ans.flags)
    assert codes == ["end_before_start", "self_stake", "share_out_of_range", "shares_sum_above_100"]
    summed = next(f for f in ans.flags if f.code == "shares_sum_above_100")
    assert summed.entity_ids == ("a", "x", "y")
    # the over-100% data is used as given, not renormalised
    assert sorted(ans.controllers) == ["x", "y"]
    ghost = controlled(d, "x", ControlParams(DAY))  # flags come with the answers they stand behind
    assert any(f.code == "unknown_entity" and f.entity_ids == ("ghost",) for f in ghost.flags)


def test_controllers_invalid_parameters():
    d = dataset("a")
    with pytest.raises(InvalidParameter):
        controllers(d, "a", ControlParams(DAY, threshold=1.5))
    with pytest.raises(InvalidParameter):
        controllers(d, "a", ControlParams(DAY, relative_threshold=-0.1))
    with pytest.raises(InvalidParameter):
        controllers(d, "a", ControlParams(DAY, ruleset="plurality"))
    with pytest.raises(EntityNotFound):
        controllers(d, "zz", ControlParams(DAY))


def test_controllers_threshold_is_a_parameter():
    d = dataset("x y a", [("x", "a", 0.4), ("y", "a", 0.3)])
    assert controllers(d, "a", ControlParams(DAY)).status == "no_controller"
    assert ucs(controllers(d, "a", ControlParams(DAY, threshold=0.35))) == ["x"]


def test_controllers_answer_is_json_ready():
    d = dataset("p:person b a", [("b", "a", 0.6), ("p", "b", None)])
    as_dict = controllers(d, "a", ControlParams(DAY)).as_dict()
    assert as_dict == asdict(controllers(d, "a", ControlParams(DAY)))
    assert as_dict["possible_ultimate_controllers"][0]["chain"][0]["contributing"][0]["share"]["exact"] is None


def test_controlled_lists_everything_with_chains():
    d = dataset("p:person b a c", [("p", "b", 0.8), ("b", "a", 0.6), ("b", "c", None)])
    d.entities[:] = [replace(e, founded=date(2024, 1, 5)) if e.id == "a" else e for e in d.entities]
    ans = controlled(d, "p", ControlParams(DAY))
    assert [(c.id, c.definite, len(c.chain)) for c in ans.controlled] == [("a", True, 2), ("b", True, 1),
                                                                          ("c", False, 2)]
    window = controlled(d, "p", ControlParams(DAY), founded_from=date(2024, 1, 1), founded_to=date(2024, 1, 31))
    assert [c.id for c in window.controlled] == ["a"]


def test_controlled_includes_joint_control_as_bloc_member():
    d = dataset("a b t", [("a", "t", 0.3), ("b", "t", 0.3)], concerts=[("a", "b")])
    ans = controlled(d, "a", ControlParams(DAY))
    assert [(c.id, c.group) for c in ans.controlled] == [("t", "concert:a+b")]


def test_upstream_closure_follows_owns_controls_and_concert():
    d = dataset("p q b a x k", [("p", "b", 1.0), ("b", "a", 0.6), ("a", "x", 0.6)], [("q", "b", "board")],
                concerts=[("b", "k")])
    assert upstream_closure(d, "a") == {"a", "b", "p", "q", "k"}


def test_controllers_ignores_edges_outside_the_view():
    d = dataset("p a")
    d.controls.append(Control("p", "a", "declared", start=date(2030, 1, 1)))
    assert controllers(d, "a", ControlParams(DAY)).status == "no_controller"
