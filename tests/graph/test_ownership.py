import pytest

from ownergraph.graph.build import build_view
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.ownership import integrated_ownership, owners
from tests.graph.helpers import DAY, dataset


def test_owners_sum_over_paths():
    d = dataset("p:person a b t", [("p", "a", 0.5), ("p", "b", 1.0), ("a", "t", 0.4), ("b", "t", 0.2)])
    ans = owners(d, "t", as_of=DAY)
    got = {o.id: o.integrated_ownership for o in ans.owners}
    assert got == pytest.approx({"a": 0.4, "b": 0.2, "p": 0.4})
    p = next(o for o in ans.owners if o.id == "p")
    assert p.top_level
    assert [(path.ids, path.shares) for path in p.paths] == [
        (("p", "a", "t"), (0.5, 0.4)),
        (("p", "b", "t"), (1.0, 0.2)),
    ]
    assert ans.share_basis == "lower_bound"


def test_owners_cycle_matches_closed_form():
    # p owns a; a and b hold each other; a owns t.  IO = (I - A)^-1 - I summed in closed form.
    pa, ab, ba, at = 0.6, 0.3, 0.2, 0.5
    d = dataset("p a b t", [("p", "a", pa), ("a", "b", ab), ("b", "a", ba), ("a", "t", at)])
    ans = owners(d, "t", as_of=DAY)
    got = {o.id: o.integrated_ownership for o in ans.owners}
    loop = 1.0 / (1.0 - ab * ba)  # every extra turn a -> b -> a
    assert got["a"] == pytest.approx(at * loop)
    assert got["b"] == pytest.approx(ba * at * loop)
    assert got["p"] == pytest.approx(pa * at * loop)


def test_owners_interval_gives_lower_and_upper():
    d = dataset("x z t", [("x", "t", (0.2, 0.6)), ("z", "t", 0.5)])
    x = next(o for o in owners(d, "t", as_of=DAY).owners if o.id == "x")
    assert (x.integrated_ownership, x.integrated_ownership_max) == (0.2, 0.5)
    assert (x.direct_share.minimum, x.direct_share.maximum) == (0.2, 0.6)


def test_integrated_ownership_self_owned_set_is_flagged():
    d = dataset("a b t", [("a", "b", 1.0), ("b", "a", 1.0), ("a", "t", 0.5)])
    io = integrated_ownership(build_view(d, DAY), ["t"])
    assert [f.code for f in io.flags] == ["circular_ownership_100"]
    assert io.of("a", "t") == pytest.approx(0.5)
    assert io.of("b", "t") == 0.0


def test_owners_unknown_target():
    with pytest.raises(EntityNotFound):
        owners(dataset("a"), "zz", as_of=DAY)
