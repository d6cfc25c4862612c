"""Strongly connected components: the one routine every caller uses (scipy's)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components


def strong_components(n: int, src: NDArray[np.integer], dst: NDArray[np.integer]) -> tuple[int, NDArray[np.int32]]:
    """(count, label per node) of the graph on nodes ``0..n-1`` with edges ``src[i] -> dst[i]``.

    >>> count, labels = strong_components(3, np.array([0, 1]), np.array([1, 0]))
    >>> count, bool(labels[0] == labels[1]), bool(labels[0] == labels[2])
    (2, True, False)
    """
    graph = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="strong")
    return int(count), labels


H = TypeVar("H", bound=Hashable)


def cycles(successors: Mapping[H, Iterable[H]]) -> list[set[H]]:
    """The strongly connected components with two members or more, of a graph given by successor lists.

    >>> sorted(sorted(c) for c in cycles({"a": ["b"], "b": ["a", "c"], "c": []}))
    [['a', 'b']]
    """
    index: dict[H, int] = {}
    src: list[int] = []
    dst: list[int] = []
    for node, nexts in successors.items():
        a = index.setdefault(node, len(index))
        for other in nexts:
            src.append(a)
            dst.append(index.setdefault(other, len(index)))
    if not index:
        return []
    _, labels = strong_components(len(index), np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
    members: dict[int, set[H]] = {}
    for node, i in index.items():
        members.setdefault(int(labels[i]), set()).add(node)
    return [m for m in members.values() if len(m) > 1]
