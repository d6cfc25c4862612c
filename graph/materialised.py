"""Control answers in their materialised form, and what changed between two of them.

The materialised control of an entity is a set of relationship keys
(``ULTIMATELY_CONTROLLED_BY`` for each ultimate controller, definite or only
possible, with its bloc ``group``; ``CONTROLLED_BY`` for every definite
controller) and a status. ``ControlState`` is that answer for one entity;
``changes`` lists the entities whose state differs between two snapshots, in
the form the change feed records (replaying the ``after`` states of the feed
in order rebuilds the materialised state).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ownergraph.graph.answers import ControlSummary
from ownergraph.graph.columnar import BulkAnswers
from ownergraph.graph.model import Dataset

__all__ = ["NO_STATE", "AnswerStates", "ControlState", "Key", "changes", "control_keys", "owned_ids", "states_from"]

Key = tuple[str, str, str, bool, str | None]
"""(relationship type, target, controller, definite, group) of one materialised relationship."""


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # one encoder: ``json.dumps`` with options makes one a call


@dataclass(frozen=True, slots=True)
class ControlState:
    """One entity's materialised answer: status, ultimate controllers (definite and all possible), controllers.

    >>> s = ControlState("controlled", (("p", None),), (("p", None),), ("b", "p"))
    >>> ControlState.from_json(s.to_json()) == s
    True
    >>> s.involved()
    ('b', 'p')
    """

    status: str | None
    ultimate: tuple[tuple[str, str | None], ...] = ()
    possible: tuple[tuple[str, str | None], ...] = ()
    controllers: tuple[str, ...] = ()

    def to_json(self) -> str:
        return _COMPACT.encode(
            {"status": self.status, "ultimate": [list(u) for u in self.ultimate],
             "possible": [list(p) for p in self.possible], "controllers": list(self.controllers)})

    @classmethod
    def from_json(cls, text: str) -> ControlState:
        raw: dict[str, Any] = json.loads(text)
        return cls(
            raw["status"],
            tuple((u[0], u[1]) for u in raw["ultimate"]),
            tuple((p[0], p[1]) for p in raw["possible"]),
            tuple(raw["controllers"]),
        )

    def involved(self) -> tuple[str, ...]:
        """Every controller this state names, ultimate, possible or intermediate."""
        return tuple(sorted({u for u, _ in self.ultimate} | {p for p, _ in self.possible} | set(self.controllers)))


NO_STATE = ControlState(None)


def owned_ids(data: Dataset) -> set[str]:
    """Entities somebody holds or controls: only they get a materialised answer."""
    return {s.owned_id for s in data.stakes} | {c.controlled_id for c in data.controls}


def control_keys(
    summaries: Mapping[str, ControlSummary], controllers: Mapping[str, tuple[tuple[str, bool, str | None], ...]]
) -> set[Key]:
    """Every materialised relationship the engine's answers call for."""
    keys: set[Key] = set()
    for target, summary in summaries.items():
        groups = dict(summary.groups)
        definite = set(summary.ultimate_controllers)
        for controller in definite | set(summary.possible_ultimate_controllers):
            keys.add(("ULTIMATELY_CONTROLLED_BY", target, controller, controller in definite, groups.get(controller)))
        for controller, is_definite, group in controllers.get(target, ()):
            if controller != target:
                keys.add(("CONTROLLED_BY", target, controller, is_definite, group))
    return keys


def states_from(keys: Iterable[Key], statuses: Mapping[str, str]) -> dict[str, ControlState]:
    """Per-entity states from materialised relationships and statuses (an entity with neither has none).

    >>> keys = [("ULTIMATELY_CONTROLLED_BY", "a", "p", True, None), ("CONTROLLED_BY", "a", "p", True, None)]
    >>> states_from(keys, {"a": "controlled"})["a"]
    ControlState(status='controlled', ultimate=(('p', None),), possible=(('p', None),), controllers=('p',))
    """
    ultimate: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    possible: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    controllers: dict[str, set[str]] = defaultdict(set)
    for kind, target, controller, definite, group in keys:
        if kind == "CONTROLLED_BY":
            if definite:  # the state names the definite controllers; possible ones are rows for the reverse
                controllers[target].add(controller)
        else:
            possible[target].add((controller, group))
            if definite:
                ultimate[target].add((controller, group))
    targets = set(statuses) | set(possible) | set(controllers)
    return {
        t: ControlState(
            statuses.get(t),
            tuple(sorted(ultimate[t], key=_pair)),
            tuple(sorted(possible[t], key=_pair)),
            tuple(sorted(controllers[t])),
        )
        for t in targets
    }


class AnswerStates:
    """``states_from`` on the columnar answers, a slice of entities at a time (a national graph's
    states and keys would not fit in memory as Python objects).

    ``targets`` are the entities with a state (held, or named by a materialised relationship), in
    the order of their ids, as ``sorted(states_from(...))`` gives them.
    """

    def __init__(self, answers: BulkAnswers) -> None:
        self.answers = answers
        n = len(answers.ids)
        by_id = answers.ids.order(np.arange(n, dtype=np.int64))
        self._rank = np.empty(n, dtype=np.int64)
        self._rank[by_id] = np.arange(n)
        ucb, cb = answers.relationships()
        definite = cb[2]
        y, m = cb[0][definite], cb[1][definite]
        pairs = np.unique(y * n + m)  # controllers once each, as the state's set has them
        self._cb = self._csr(pairs // n, pairs % n, None, n)
        self._ucb = self._csr(ucb[0], ucb[1], (ucb[2], ucb[3]), n)
        has = answers.held.copy()
        has[ucb[0]] = True
        has[y] = True
        self.targets = by_id[has[by_id]]
        self._n = n

    def _csr(self, y: NDArray[np.int64], m: NDArray[np.int64], extra: tuple[NDArray[Any], ...] | None,
             n: int) -> tuple[NDArray[np.int64], NDArray[np.int64], tuple[NDArray[Any], ...]]:
        """Rows grouped by target, each target's controllers in the order of their ids."""
        order = np.lexsort((self._rank[m], y))
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(y, minlength=n), out=ptr[1:])
        return ptr, m[order], tuple(x[order] for x in extra or ())

    def involved(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(number, controller) of every controller each state names (``ControlState.involved``), with
        each target numbered from 1 in the order of ``targets``; by number, then controller id."""
        n = self._n
        number = np.zeros(n, dtype=np.int64)
        number[self.targets] = np.arange(1, self.targets.size + 1)
        (uptr, unode, _), (cptr, cnode, _) = self._ucb, self._cb
        y = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), np.diff(uptr)),
                            np.repeat(np.arange(n, dtype=np.int64), np.diff(cptr))])
        pairs = np.unique(number[y] * n + self._rank[np.concatenate([unode, cnode])])
        by_rank = np.empty(n, dtype=np.int64)
        by_rank[self._rank] = np.arange(n)
        return pairs // n, by_rank[pairs % n]

    def states(self, targets: NDArray[np.int64]) -> list[ControlState]:
        """The state of each of ``targets`` (node indices)."""
        a = self.answers
        names, groups = a.STATUSES, a.groups
        cptr, cnode, _ = self._cb
        uptr, unode, (udef, ugrp) = self._ucb
        spans = [(int(uptr[y]), int(uptr[y + 1]), int(cptr[y]), int(cptr[y + 1])) for y in targets.tolist()]
        named = np.unique(np.concatenate([unode[a0:a1] for a0, a1, _, _ in spans] +
                                         [cnode[b0:b1] for _, _, b0, b1 in spans] + [_NO_NODES]))
        text = dict(zip(named.tolist(), a.ids.take(named), strict=True))
        status = [names[s] if h else None for s, h in zip(a.status[targets].tolist(), a.held[targets].tolist(),
                                                          strict=True)]
        out = []
        for (a0, a1, b0, b1), st in zip(spans, status, strict=True):
            pairs = [(text[x], None if g < 0 else groups[g]) for x, g in zip(unode[a0:a1].tolist(),
                                                                             ugrp[a0:a1].tolist(), strict=True)]
            ultimate = tuple(p for p, d in zip(pairs, udef[a0:a1].tolist(), strict=True) if d)
            out.append(ControlState(st, ultimate, tuple(pairs), tuple(text[x] for x in cnode[b0:b1].tolist())))
        return out


_NO_NODES = np.empty(0, dtype=np.int64)


def _pair(p: tuple[str, str | None]) -> tuple[str, str]:
    return p[0], p[1] or ""


def changes(
    before: Mapping[str, ControlState], after: Mapping[str, ControlState], targets: Iterable[str] | None = None
) -> list[tuple[str, ControlState, ControlState]]:
    """(entity, before, after) for every entity (of ``targets``, else of either side) whose state differs.

    >>> a = {"x": ControlState("controlled", (("p", None),), (("p", None),), ("p",))}
    >>> [(e, b.status, c.status) for e, b, c in changes(a, {"x": ControlState("no_controller")})]
    [('x', 'controlled', 'no_controller')]
    >>> changes(a, a)
    []
    """
    scope = sorted(set(before) | set(after)) if targets is None else sorted(set(targets))
    out = []
    for entity in scope:
        old, new = before.get(entity, NO_STATE), after.get(entity, NO_STATE)
        if old != new:
            out.append((entity, old, new))
    return out
