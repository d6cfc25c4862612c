import pytest

from ownergraph.graph.screening import screen
from tests.graph.helpers import DAY, dataset


def captured(ans):
    return {c.id: (c.listed, [(o.id, o.share) for o in c.captured_owners]) for c in ans.captured}


def test_screen_aggregates_listed_owners():
    d = dataset("l m a", [("l", "a", 0.30), ("m", "a", 0.25)])
    got = captured(screen(d, ["l", "m"], as_of=DAY))
    assert got["a"] == (False, [("l", 0.30), ("m", 0.25)])
    assert got["l"] == (True, [])


def test_screen_below_half_not_captured():
    d = dataset("l a", [("l", "a", 0.49)])
    assert set(captured(screen(d, ["l"], as_of=DAY))) == {"l"}


def test_screen_exactly_half_is_captured_and_chain_not_multiplied():
    d = dataset("l a b", [("l", "a", 0.5), ("a", "b", 0.5)])
    got = captured(screen(d, ["l"], as_of=DAY))
    assert set(got) == {"l", "a", "b"}
    assert got["b"] == (False, [("a", 0.5)])


def test_screen_fixpoint_through_captured_siblings():
    # a is captured first; then a's 30% plus l's 20% capture b.
    d = dataset("l a b", [("l", "a", 0.6), ("l", "b", 0.2), ("a", "b", 0.3)])
    got = captured(screen(d, ["l"], as_of=DAY))
    assert got["b"] == (False, [("a", 0.3), ("l", 0.2)])


def test_screen_interval_uses_lower_bound_and_flags_unknown_listed():
    d = dataset("l a", [("l", "a", (0.4, 0.9))])
    ans = screen(d, ["l", "nobody"], as_of=DAY)
    assert set(captured(ans)) == {"l", "nobody"}
    assert ans.share_basis == "lower_bound"
    assert [f.code for f in ans.flags] == ["unknown_listed_id"]


def test_screen_captured_share_sum():
    d = dataset("l m a", [("l", "a", 0.30), ("m", "a", 0.25)])
    a = next(c for c in screen(d, ["l", "m"], as_of=DAY).captured if c.id == "a")
    assert a.captured_share == pytest.approx(0.55)
