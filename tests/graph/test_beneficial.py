import pytest

from ownergraph.graph.beneficial import beneficial_owners
from ownergraph.graph.errors import InvalidParameter
from ownergraph.graph.params import ControlParams
from tests.graph.helpers import DAY, dataset


def test_beneficial_owners_by_ownership_and_control():
    d = dataset(
        "p:person q:person r:person h t",
        [("p", "h", 0.6), ("h", "t", 0.4), ("q", "t", 0.3), ("r", "t", 0.2)],
        [("p", "t", "declared")],
    )
    ans = beneficial_owners(d, "t", ControlParams(DAY))
    got = [(b.id, round(b.integrated_ownership, 6), b.controls) for b in ans.beneficial_owners]
    assert got == [("q", 0.3, False), ("p", 0.24, True)]
    assert "controls" in ans.beneficial_owners[1].reason


def test_beneficial_owners_threshold_parameter():
    d = dataset("p:person t", [("p", "t", 0.2)])
    assert beneficial_owners(d, "t", ControlParams(DAY)).beneficial_owners == ()
    assert [b.id for b in beneficial_owners(d, "t", ControlParams(DAY), threshold=0.1).beneficial_owners] == ["p"]
    with pytest.raises(InvalidParameter):
        beneficial_owners(d, "t", ControlParams(DAY), threshold=2.0)


def test_beneficial_owners_bloc_members_control():
    d = dataset("p:person q:person t", [("p", "t", 0.3), ("q", "t", 0.3)], concerts=[("p", "q")])
    ans = beneficial_owners(d, "t", ControlParams(DAY))
    assert [(b.id, b.controls) for b in ans.beneficial_owners] == [("p", True), ("q", True)]
