"""Helpers for the living-registry tests: the demo split into a base and a delta, states read back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from demo.split_delta import split
from ownergraph.graph.materialised import NO_STATE, ControlState, states_from
from ownergraph.queries.repository import Repository


def split_demo(folder: Path) -> tuple[Path, Path]:
    """The demo as a base without the two project companies and a delta holding them (demo/split_delta.py)."""
    return split(folder)


def materialised_states(repo: Repository, ruleset: str = "majority") -> dict[str, ControlState]:
    """What is materialised now, per entity."""
    return states_from(repo.materialised_control(ruleset).keys(), repo.control_statuses())


def replayed_states(repo: Repository) -> dict[str, ControlState]:
    """The change feed replayed from empty: each entity's state is the ``after`` of its newest record."""
    rows = repo.driver.execute_query(
        "MATCH (c:ControlChange) RETURN c.entity_id AS id, c.after AS after ORDER BY c.seq"
    ).records
    state: dict[str, ControlState] = {}
    for r in rows:
        after = ControlState.from_json(r["after"])
        if after == NO_STATE:
            state.pop(r["id"], None)
        else:
            state[r["id"]] = after
    return state


def duplicate_relationships(repo: Repository) -> int:
    """Materialised relationships that repeat another (same type, ends, ruleset, definite, group)."""
    rows = repo.driver.execute_query(
        "MATCH (t:Entity)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(c:Entity) "
        "WITH type(r) AS type, t.id AS t, c.id AS c, r.ruleset AS rs, r.definite AS d, r.group AS g, count(*) AS n "
        "WHERE n > 1 RETURN count(*) AS dups"
    ).records
    return int(rows[0]["dups"])


def write_registry(
    folder: Path,
    entities: list[tuple[str, str]],
    stakes: list[tuple[str, str, float, str, str]],
    controls: tuple[tuple[str, str, str], ...] = (),
) -> Path:
    """A small registry-csv folder: (id, kind) entities, (owner, owned, share %, start, end) stakes."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "entities.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "kind"])
        w.writerows([(i, f"Name of {i}", k) for i, k in entities])
    with (folder / "ownership.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["owner_id", "owned_id", "share", "start", "end"])
        w.writerows(stakes)
    if controls:
        with (folder / "control.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["controller_id", "controlled_id", "basis"])
            w.writerows(controls)
    return folder


def dump(states: dict[str, ControlState]) -> str:
    return json.dumps({k: v.to_json() for k, v in sorted(states.items())}, indent=1)
