"""Write the engine's control answers back into Neo4j, so Browser users can query control directly.

``(y)-[:ULTIMATELY_CONTROLLED_BY {ruleset, definite, group}]->(x)`` for
every ultimate controller (``definite: false`` for one that controls only
with uncertain shares at their highest) and ``(y)-[:CONTROLLED_BY]->(x)`` for
every entity that controls ``y`` (ultimate or intermediate). Each entity gets
``control_status``; ``(:ControlRun {ruleset, as_of, computed_at})`` says when.
Recomputed for the whole graph after every load and written as a diff (only
what changed), so the relationships never lag behind the data and a reload of
unchanged data writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ownergraph.graph.control import bulk_control_relation
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import ControlParams
from ownergraph.queries.repository import Repository

Key = tuple[str, str, str, bool, str | None]  # (type, target, controller, definite, group)


def control_keys(summaries: dict[str, Any], controllers: dict[str, tuple[str, ...]]) -> set[Key]:
    """Every materialised relationship the engine's answers call for."""
    keys: set[Key] = set()
    for target, summary in summaries.items():
        groups = dict(summary.groups)
        definite = set(summary.ultimate_controllers)
        for controller in definite | set(summary.possible_ultimate_controllers):
            keys.add(("ULTIMATELY_CONTROLLED_BY", target, controller, controller in definite, groups.get(controller)))
        for controller in controllers.get(target, ()):
            if controller != target:
                keys.add(("CONTROLLED_BY", target, controller, True, None))
    return keys


def relationship_props(key: Key, ruleset: str) -> dict[str, Any]:
    """The properties of one materialised relationship, whichever path writes it."""
    _, _, _, definite, group = key
    return {"ruleset": ruleset, "definite": definite, "group": group}


def control_answers(data: Dataset, *, as_of: date, ruleset: str) -> tuple[set[Key], dict[str, str]]:
    """The materialised relationships and the entity statuses the engine's answers call for.

    Only entities somebody holds or controls get a status: an entity nobody
    holds has no control answer worth recording.
    """
    summaries, controllers = bulk_control_relation(data, ControlParams(as_of, ruleset))
    owned = {s.owned_id for s in data.stakes} | {c.controlled_id for c in data.controls}
    statuses = {e: summaries[e].status for e in owned if e in summaries}
    return control_keys(summaries, controllers), statuses


def materialise_control(repo: Repository, *, as_of: date | None = None, ruleset: str = "majority") -> dict[str, int]:
    """Recompute control for the whole graph and write only what changed; returns what was written."""
    day = as_of or date.today()
    wanted, status = control_answers(repo.everything(), as_of=day, ruleset=ruleset)
    present = repo.materialised_control(ruleset)
    create = [
        {"type": key[0], "target": key[1], "controller": key[2], "props": relationship_props(key, ruleset)}
        for key in sorted(wanted - present.keys(), key=str)
    ]
    delete = [present[k] for k in present.keys() - wanted]
    old = repo.control_statuses()
    statuses: list[dict[str, str | None]] = [
        {"id": e, "status": v} for e, v in sorted(status.items()) if old.get(e) != v
    ]
    statuses += [{"id": e, "status": None} for e in sorted(old.keys() - status.keys())]
    repo.write_materialised_control(create, delete, statuses, ruleset=ruleset, as_of=day)
    return {"created": len(create), "deleted": len(delete), "statuses": len(statuses)}
