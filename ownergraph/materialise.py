"""Keep the materialised control in step with the graph: whole, incremental, and as the days pass.

``(y)-[:ULTIMATELY_CONTROLLED_BY {ruleset, definite, group}]->(x)`` for every
ultimate controller (``definite: false`` for one that controls only with
uncertain shares at their highest), ``(y)-[:CONTROLLED_BY]->(x)`` for every
entity that controls ``y``, ``control_status`` on each held entity, and
``(:ControlRun {ruleset, as_of, computed_at})`` for when. Every job writes a
diff, in one transaction with a ``(:ControlChange)`` record per entity whose
answer changed (the change feed).

- ``materialise_control``: the whole graph (``ownergraph control rebuild``).
- ``materialise_changes``: after a load, only the entities downstream of what
  the load changed (through OWNS, CONTROLS and concert links both ways), read
  with one upstream closure as the live path does; their stored answers are
  computed in forked workers while the control is computed and written, and
  stored right after it.
- ``refresh_control``: move the answers to today, recomputing only entities
  downstream of an edge that started or ended since the last run's day.
- ``verify_control``: recompute everything in memory and list the differences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import filterfalse
from typing import Any

from ownergraph.graph.columnar import Columns, bulk_answers
from ownergraph.graph.control import bulk_control_relation
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.materialised import ControlState, Key, changes, control_keys, owned_ids, states_from
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import DEFAULT_RULESET, ControlParams
from ownergraph.queries.repository import Repository
from ownergraph.stored_answers import BackgroundAnswers, fill_answers

__all__ = [
    "Cause",
    "Materialised",
    "change_props",
    "control_answers",
    "materialise_changes",
    "materialise_control",
    "refresh_control",
    "relationship_props",
    "verify_control",
    "whole_graph_answers",
]

# Past this many affected entities an incremental pass reads as much as a whole one: do the whole one.
MAX_INCREMENTAL = 250_000


@dataclass(frozen=True)
class Cause:
    """Why control was recomputed: a load (with its source id), a refresh, or a rebuild."""

    kind: str
    load_id: str | None = None


REBUILD = Cause("rebuild")


@dataclass(frozen=True)
class Materialised:
    """What one materialisation did."""

    mode: str  # "whole", "incremental", "none" (nothing to do)
    as_of: date
    recomputed: int  # entities whose answer was computed
    created: int
    deleted: int
    statuses: int
    changes: int

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "deleted": self.deleted, "statuses": self.statuses}


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
    statuses = {e: summaries[e].status for e in owned_ids(data) if e in summaries}
    return control_keys(summaries, controllers), statuses


def whole_graph_answers(cols: Columns, *, as_of: date, ruleset: str) -> tuple[set[Key], dict[str, str]]:
    """``control_answers`` for a whole graph in columns (``graph.columnar``: the same answers, no proofs)."""
    answers = bulk_answers(cols, ControlParams(as_of, ruleset))
    return set(answers.rows()), answers.statuses()


def materialise_control(
    repo: Repository,
    *,
    as_of: date | None = None,
    ruleset: str = DEFAULT_RULESET,
    cause: Cause = REBUILD,
    answers: bool = True,
) -> Materialised:
    """Recompute control for the whole graph and write only what changed; then (``answers``) store
    the default answer of every held entity anew (``ownergraph.stored_answers``)."""
    day = as_of or date.today()
    # The collector stays paused (millions of decoded values, keys and sets, no cycle among them).
    with gc_paused():
        # What is materialised now is read beside the graph and its control: the reads do not depend on each other.
        with ThreadPoolExecutor(max_workers=1) as pool:
            stored = pool.submit(repo.materialised_state, ruleset)
            cols = repo.everything_columns()
            wanted, status = whole_graph_answers(cols, as_of=day, ruleset=ruleset)
            entities = cols.loaded
            del cols  # the refill reads closures with names, batch by batch
            present, old = stored.result()
        done = _write(repo, wanted, status, present, old, None, day=day, ruleset=ruleset, cause=cause,
                      mode="whole", recomputed=entities, whole=True)
        del wanted, status, present, old
    if answers and ruleset == DEFAULT_RULESET:
        fill_answers(repo, ruleset=ruleset)
    return done


def materialise_changes(
    repo: Repository,
    changed: Iterable[str],
    *,
    as_of: date | None = None,
    ruleset: str = DEFAULT_RULESET,
    cause: Cause = REBUILD,
) -> Materialised:
    """Recompute only what the ``changed`` entities can affect; the whole graph when nothing is
    materialised yet, when a load skipped materialising, or when the affected part is too large."""
    day = as_of or date.today()
    run = repo.control_run(ruleset)
    if run is None or run.stale:
        return materialise_control(repo, as_of=day, ruleset=ruleset, cause=cause)
    seeds = set(changed)
    if not seeds:
        if run.as_of != day:
            repo.write_materialised_control([], [], [], ruleset=ruleset, as_of=day)
        return Materialised("none", day, 0, 0, 0, 0, 0)
    affected, cut = repo.affected_ids(seeds, max_nodes=MAX_INCREMENTAL)
    if cut:
        return materialise_control(repo, as_of=day, ruleset=ruleset, cause=cause)
    # What is materialised now is read beside the closure: the two reads do not depend on each other.
    with ThreadPoolExecutor(max_workers=1) as pool:
        stored = pool.submit(lambda: (repo.materialised_control_of(affected, ruleset),
                                      repo.control_statuses_of(affected)))
        # Stored answers name entities and sources: the default ruleset reads the closure with them.
        data = (repo.upstream_of(affected, max_nodes=4 * MAX_INCREMENTAL) if ruleset == DEFAULT_RULESET
                else repo.upstream_for_control(affected, max_nodes=4 * MAX_INCREMENTAL))
        present, old = stored.result()
    if any(f.code == "closure_truncated" for f in data.findings):
        return materialise_control(repo, as_of=day, ruleset=ruleset, cause=cause)
    if ruleset != DEFAULT_RULESET:
        return _incremental(repo, data, affected, present, old, day=day, ruleset=ruleset, cause=cause)
    # The stored answers (proved per entity: the larger part of the work) are computed on every core
    # meanwhile; the control's transaction outdates the old ones, so the API answers those entities
    # live until the new ones are stored, right after it.
    targets = sorted(affected)
    with BackgroundAnswers(data, targets, day=day, ruleset=ruleset) as answers:
        done = _incremental(repo, data, affected, present, old, day=day, ruleset=ruleset, cause=cause,
                            outdated=targets)
        repo.write_stored_answers(answers.rows(), ruleset=ruleset, gen=run.answers_gen)
    return done


def _incremental(
    repo: Repository, data: Dataset, affected: set[str], present: Mapping[Key, str], old: Mapping[str, str], *,
    day: date, ruleset: str, cause: Cause, outdated: Sequence[str] = (),
) -> Materialised:
    """Compute control on the closure ``data`` read for ``affected`` and write it for those entities."""
    wanted_all, status_all = control_answers(data, as_of=day, ruleset=ruleset)
    wanted = {k for k in wanted_all if k[1] in affected}
    status = {e: s for e, s in status_all.items() if e in affected}
    return _write(repo, wanted, status, present, old, affected, day=day, ruleset=ruleset, cause=cause,
                  mode="incremental", recomputed=len(affected), outdated=outdated)


def refresh_control(repo: Repository, *, today: date | None = None, ruleset: str = DEFAULT_RULESET) -> Materialised:
    """Move the materialised answers to ``today``: recompute only the entities downstream of an
    edge whose start or end fell between the last run's day and today."""
    day = today or date.today()
    run = repo.control_run(ruleset)
    if run is None:
        return Materialised("none", day, 0, 0, 0, 0, 0)  # nothing materialised: nothing to move
    if run.stale:
        return materialise_control(repo, as_of=day, ruleset=ruleset, cause=Cause("refresh"))
    if run.as_of == day:
        return Materialised("none", day, 0, 0, 0, 0, 0)
    earlier, later = sorted((run.as_of, day))
    touched = repo.dated_edges(earlier, later)
    if run.as_of > day:  # moved back in time: what started or ended in (day, as_of] changes too
        touched |= repo.dated_edges(day, run.as_of)
    return materialise_changes(repo, touched, as_of=day, ruleset=ruleset, cause=Cause("refresh"))


def verify_control(
    repo: Repository, *, as_of: date | None = None, ruleset: str = DEFAULT_RULESET
) -> list[tuple[str, str, str]]:
    """(entity, materialised, recomputed) for every entity whose materialised answer differs from a
    full recomputation at the last run's day (or ``as_of``); empty when they agree."""
    run = repo.control_run(ruleset)
    day = as_of or (run.as_of if run is not None else date.today())
    wanted, status = whole_graph_answers(repo.everything_columns(), as_of=day, ruleset=ruleset)
    keys, statuses = repo.materialised_state(ruleset)
    present = states_from(keys.keys(), statuses)
    expected = states_from(wanted, status)
    return [(e, old.to_json(), new.to_json()) for e, old, new in changes(present, expected)]


def change_props(
    entity: str, before: ControlState, after: ControlState, *, ruleset: str, cause: Cause, day: date, now: datetime
) -> dict[str, Any]:
    """The properties of one ``ControlChange`` record, whichever path writes it (``seq`` added by the writer)."""
    return {
        "entity_id": entity,
        "ruleset": ruleset,
        "cause": cause.kind,
        "load_id": cause.load_id,
        "effective": day,
        "computed_at": now,
        "status_before": before.status,
        "status_after": after.status,
        "before": before.to_json(),
        "after": after.to_json(),
        "involved": sorted(set(before.involved()) | set(after.involved())),
    }


def _write(
    repo: Repository,
    wanted: set[Key],
    status: Mapping[str, str],
    present: Mapping[Key, str],
    old: Mapping[str, str],
    scope: set[str] | None,
    *,
    day: date,
    ruleset: str,
    cause: Cause,
    mode: str,
    recomputed: int,
    outdated: Sequence[str] = (),
    whole: bool = False,
) -> Materialised:
    """Write the diff between ``present`` and ``wanted`` (for the targets in ``scope``, or all) and
    a change record for every entity whose state differs."""
    # One pass over each side (a key's hash is not kept: millions of them cost seconds per pass).
    new_keys = wanted.difference(present)
    gone_keys = list(filterfalse(wanted.__contains__, present))
    create = [
        {"type": key[0], "target": key[1], "controller": key[2], "props": relationship_props(key, ruleset)}
        for key in sorted(new_keys, key=str)
    ]
    delete = [present[k] for k in sorted(gone_keys, key=str)]
    # Statuses are names, never None: a pair on one side only is a status set, changed or removed.
    differ = status.items() ^ old.items()
    statuses: list[dict[str, str | None]] = [
        {"id": e, "status": v} for e, v in sorted(differ) if status.get(e) == v
    ]
    statuses += [{"id": e, "status": None} for e in sorted(old.keys() - status.keys())]
    now = datetime.now(UTC)
    if scope is None:
        # Only entities with a relationship or a status that differs can have a different state.
        scope = {k[1] for k in new_keys} | {k[1] for k in gone_keys} | {e for e, _ in differ}
        wanted_in = {k for k in wanted if k[1] in scope}
        present_in = [k for k in present if k[1] in scope]
        changed = changes(states_from(present_in, {e: v for e, v in old.items() if e in scope}),
                          states_from(wanted_in, {e: v for e, v in status.items() if e in scope}), scope)
    else:
        changed = changes(states_from(present.keys(), old), states_from(wanted, status), scope)
    rows = [
        {"entity_id": entity, "load_id": cause.load_id,
         "props": change_props(entity, old_state, new_state, ruleset=ruleset, cause=cause, day=day, now=now)}
        for entity, old_state, new_state in changed
    ]
    repo.write_materialised_control(create, delete, statuses, ruleset=ruleset, as_of=day, changes=rows,
                                    outdated=outdated, whole=whole)
    return Materialised(mode, day, recomputed, len(create), len(delete), len(statuses), len(rows))
