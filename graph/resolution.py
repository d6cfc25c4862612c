"""Deterministic entity resolution: which source records are one entity, and its canonical id.

A *unit* is one record id with the merge keys its records state (records of
several sources with the same id are one unit, as they always were one node)
and the entity it belongs to now, if any. Units sharing a merge key (same
scheme, same normalised value: ``graph/identifiers.py``) are one entity, and
so are units a reviewer judged the same (a positive judgement); a negative
judgement keeps two units apart whatever they share. The canonical id of an
entity is one of its record ids: the existing entity's id that holds most of
its units (the smallest on a tie), else the smallest record id. So an id, once
canonical, stays canonical until its entity merges with a larger one, and every
other id of the entity resolves to it.

>>> units = [Unit("gleif-1", ("LEI:X",), "gleif-1"), Unit("bods-9", ("LEI:X",), None), Unit("c", (), None)]
>>> [(c.canonical, c.members) for c in cluster(units, [])[0]]
[('c', ('c',)), ('gleif-1', ('bods-9', 'gleif-1'))]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Blocked", "Cluster", "Judgement", "Unit", "cluster"]

Verdict = Literal["positive", "negative"]


@dataclass(frozen=True, slots=True)
class Unit:
    record_id: str
    keys: tuple[str, ...]
    entity: str | None  # the entity it belongs to now; None for a record new to the graph


@dataclass(frozen=True, slots=True)
class Judgement:
    """A reviewer's decision about two record ids (order does not matter)."""

    a: str
    b: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Cluster:
    canonical: str
    members: tuple[str, ...]  # record ids, sorted
    evidence: tuple[tuple[str, str, str], ...]  # (record id, record id, why: a merge key or "judgement")


@dataclass(frozen=True, slots=True)
class Blocked:
    """A merge a negative judgement prevented: the two records share ``why``."""

    a: str
    b: str
    why: str


class _Sets:
    """Union-find that refuses a union joining two records judged different."""

    def __init__(self, ids: Iterable[str], negatives: dict[str, set[str]]) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[str, set[str]] = {i: {i} for i in self.parent}
        self.negatives = negatives

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> bool | None:
        """True when joined, None when already one, False when a negative judgement forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        small, large = sorted((ra, rb), key=lambda r: len(self.members[r]))
        if any(self.negatives.get(m, set()) & self.members[large] for m in self.members[small]):
            return False
        self.parent[small] = large
        self.members[large] |= self.members.pop(small)
        return True


def cluster(units: Sequence[Unit], judgements: Iterable[Judgement]) -> tuple[list[Cluster], list[Blocked]]:
    """The entities the units make, sorted by canonical id, and the merges judgements blocked.

    >>> units = [Unit("a", ("LEI:X",), "a"), Unit("b", ("LEI:X",), "b")]
    >>> clusters, blocked = cluster(units, [Judgement("a", "b", "negative")])
    >>> [c.canonical for c in clusters], blocked
    (['a', 'b'], [Blocked(a='a', b='b', why='LEI:X')])
    """
    ids = sorted({u.record_id for u in units})
    known = set(ids)
    negatives: dict[str, set[str]] = defaultdict(set)
    positives: list[tuple[str, str]] = []
    for j in judgements:
        if j.a not in known or j.b not in known or j.a == j.b:
            continue
        if j.verdict == "negative":
            negatives[j.a].add(j.b)
            negatives[j.b].add(j.a)
        else:
            positives.append(tuple(sorted((j.a, j.b))))  # type: ignore[arg-type]
    sets = _Sets(ids, negatives)
    evidence: list[tuple[str, str, str]] = []
    blocked: list[Blocked] = []
    for a, b in sorted(set(positives)):
        if sets.union(a, b):
            evidence.append((a, b, "judgement"))
    holders: dict[str, set[str]] = defaultdict(set)
    for u in units:
        for key in u.keys:
            holders[key].add(u.record_id)
    for key in sorted(holders):
        first, *rest = sorted(holders[key])
        for other in rest:
            joined = sets.union(first, other)
            if joined:
                evidence.append((first, other, key))
            elif joined is False:
                blocked.append(Blocked(first, other, key))
    entity_of = {u.record_id: u.entity for u in units}
    existing = {u.entity for u in units if u.entity is not None}
    # Each cluster's evidence in the order it was found, grouped in one pass (not one scan per cluster).
    evidence_of: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for e in evidence:
        evidence_of[sets.find(e[0])].append(e)
    clusters: list[Cluster] = []
    for root in sorted(sets.members):
        members = tuple(sorted(sets.members[root]))
        held = Counter(entity_of[m] for m in members if entity_of[m] is not None)
        owners = [m for m in members if m in existing]
        canonical = min(owners, key=lambda m: (-held[m], m)) if owners else members[0]
        clusters.append(Cluster(canonical, members, tuple(evidence_of.get(root, ()))))
    clusters.sort(key=lambda c: c.canonical)
    return clusters, blocked
