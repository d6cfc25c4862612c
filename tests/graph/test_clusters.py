from dataclasses import replace
from datetime import date

import pytest

from ownergraph.graph.clusters import clusters, common_owners
from ownergraph.graph.params import ControlParams
from tests.graph.helpers import DAY, dataset


def founded(d, when, *ids):
    d.entities[:] = [replace(e, founded=when) if e.id in ids else e for e in d.entities]
    return d


def test_common_owners_nearest_and_top_level():
    d = dataset("p g h a b", [("p", "g", 1.0), ("g", "a", 0.4), ("g", "b", 0.3), ("h", "a", 0.1)])
    ans = common_owners(d, ["a", "b"], as_of=DAY)
    got = [(c.id, c.nearest, c.top_level) for c in ans.common_owners]
    assert got == [("g", True, False), ("p", False, True)]
    assert ans.common_owners[1].integrated_ownership == pytest.approx({"a": 0.4, "b": 0.3})


def test_clusters_two_project_companies_two_groups():
    d = dataset("x y xs ys a b c", [("x", "xs", 1.0), ("y", "ys", 1.0), ("xs", "a", 0.5), ("ys", "a", 0.5),
                                    ("xs", "b", 0.5), ("ys", "b", 0.5), ("x", "c", 0.9)])
    founded(d, date(2024, 3, 1), "a", "b")
    founded(d, date(2023, 1, 1), "c")
    ans = clusters(d, ControlParams(DAY), founded_from=date(2024, 3, 1), founded_to=date(2024, 3, 31))
    got = [(c.controller.id, [o.id for o in c.common_owners], [m.id for m in c.members]) for c in ans.clusters]
    assert got == [("x", ["x", "y"], ["a", "b"])]  # one group naming both top owners, not two groups
    assert [o.basis for o in ans.clusters[0].common_owners] == ["common_owner", "common_owner"]


def test_clusters_shared_ultimate_controller_largest_first():
    d = dataset("p:person q g a b c e f",
                [("p", "g", 0.8), ("g", "a", 0.6), ("g", "b", 0.6), ("g", "c", 0.6), ("q", "e", 0.6),
                 ("q", "f", 0.6)])
    founded(d, date(2024, 5, 1), "a", "b", "c", "e", "f")
    ans = clusters(d, ControlParams(DAY), founded_from=date(2024, 5, 1), founded_to=date(2024, 5, 31))
    got = [(c.controller.id, c.controller.basis, [m.id for m in c.members]) for c in ans.clusters]
    assert got == [
        ("p", "ultimate_controller+common_owner", ["a", "b", "c"]),
        ("q", "ultimate_controller+common_owner", ["e", "f"]),
    ]
