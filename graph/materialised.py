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

from ownergraph.graph.answers import ControlSummary
from ownergraph.graph.model import Dataset

__all__ = ["NO_STATE", "ControlState", "Key", "changes", "control_keys", "owned_ids", "states_from"]

Key = tuple[str, str, str, bool, str | None]
"""(relationship type, target, controller, definite, group) of one materialised relationship."""


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
        return json.dumps(
            {"status": self.status, "ultimate": [list(u) for u in self.ultimate],
             "possible": [list(p) for p in self.possible], "controllers": list(self.controllers)},
            separators=(",", ":"),
        )

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
