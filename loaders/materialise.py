"""Write the engine's control answers back into Neo4j, so Browser users can query control directly.

``(y)-[:ULTIMATELY_CONTROLLED_BY {ruleset, as_of, definite, group}]->(x)`` for
every ultimate controller (``definite: false`` for one that controls only
with uncertain shares at their highest) and ``(y)-[:CONTROLLED_BY]->(x)`` for
every entity that controls ``y`` (ultimate or intermediate). Each entity gets
``control_status``. Recomputed for the whole graph after every load, so the
relationships never lag behind the data they are computed from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.control import bulk_control_relation
from queries.repository import Repository


def control_rows(
    summaries: dict[str, Any],
    controllers: dict[str, tuple[str, ...]],
    owned: set[str],
    *,
    ruleset: str,
    as_of: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(relationship rows, status rows) for the materialised control of one ruleset."""
    rows: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    for target, summary in summaries.items():
        if target in owned:  # an entity nobody holds or controls has no status to record
            statuses.append({"id": target, "status": summary.status})
        groups = dict(summary.groups)
        definite = set(summary.ultimate_controllers)
        for controller in sorted(definite | set(summary.possible_ultimate_controllers)):
            props = {
                "ruleset": ruleset,
                "as_of": as_of,
                "definite": controller in definite,
                "group": groups.get(controller),
            }
            rows.append(
                {"target": target, "controller": controller, "type": "ULTIMATELY_CONTROLLED_BY", "props": props}
            )
        for controller in (c for c in controllers.get(target, ()) if c != target):
            props = {"ruleset": ruleset, "as_of": as_of, "definite": True}
            rows.append({"target": target, "controller": controller, "type": "CONTROLLED_BY", "props": props})
    return rows, statuses


def materialise_control(repo: Repository, *, as_of: date | None = None, ruleset: str = "majority") -> int:
    """Recompute control for the whole graph and replace the materialised relationships; returns their count."""
    day = as_of or date.today()
    data = repo.everything()
    summaries, controllers = bulk_control_relation(data, as_of=day, ruleset=ruleset)
    owned = {s.owned_id for s in data.stakes} | {c.controlled_id for c in data.controls}
    rows, statuses = control_rows(summaries, controllers, owned, ruleset=ruleset, as_of=day)
    repo.write_materialised_control(rows, statuses, ruleset=ruleset, as_of=day)
    return len(rows)

