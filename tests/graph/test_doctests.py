import doctest

import pytest

import graph.answers
import graph.beneficial
import graph.build
import graph.clusters
import graph.control
import graph.engine
import graph.ownership
import graph.screening


@pytest.mark.parametrize(
    "module",
    [graph.answers, graph.beneficial, graph.build, graph.clusters, graph.control, graph.engine,
     graph.ownership, graph.screening],
    ids=lambda m: m.__name__,
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0
