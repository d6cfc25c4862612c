"""Stored default answers: the ``/controllers`` body of every held entity, kept with the materialised control.

The default question (no ``as_of`` or the control run's day, the default
ruleset and thresholds) is asked far more often than any other, and its
answer changes only when control is recomputed. So every materialisation
also stores, per entity it recomputed, the exact bytes the live route would
send, and the route sends them after one indexed read, with no engine call
and no validation. The body is stored with its ``as_of`` left as a slot and
the run's day put in when it is sent: moving the run to a new day (refresh)
leaves the answers of entities nothing happened to unchanged.

An answer is current when its ``gen`` equals the control run's
``answers_gen``: a whole recomputation bumps the generation (every stored
answer is outdated at once) and refills; an incremental one outdates the
answers of the entities it recomputed in the transaction that writes their
control, and stores their new answers (computed on every core meanwhile,
``BackgroundAnswers``) right after. Anything not current is answered live, so
a missing answer is slower, never wrong.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any

import orjson
from pydantic import BaseModel

from ownergraph import schemas
from ownergraph.graph.build import UpstreamIndex, build_view
from ownergraph.graph.control import controllers_and_reverse
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import ControlParams
from ownergraph.queries.repository import Repository

__all__ = [
    "AS_OF_SLOT",
    "FILL_BATCH",
    "BackgroundAnswers",
    "answer_rows",
    "answer_rows_parallel",
    "body_bytes",
    "entity_tag",
    "fill_answers",
    "served_body",
]

AS_OF_SLOT = date(1, 1, 1)
"""The ``as_of`` a stored body carries in place of the day (no real run is that old)."""

_SLOT = b'"as_of":"0001-01-01"'

FILL_BATCH = 2000  # targets per upstream read when (re)filling after a whole recomputation
FORK_MIN = 1000  # fewer targets are answered in the process itself: forking workers would cost more


def body_bytes(model: BaseModel) -> bytes:
    """A response model as the API sends it (orjson; the same bytes whether stored or live)."""
    return orjson.dumps(model.model_dump(mode="json"))


def served_body(stored: str | bytes, day: date) -> bytes:
    """A stored body with the run's day in its ``as_of`` slot.

    ``as_of`` is the answer's third key, before any user data, so its first
    occurrence is the slot (a name holding the same text would be escaped).

    >>> served_body('{"target_id":"a","name":"A","as_of":"0001-01-01","x":1}', date(2025, 6, 30))
    b'{"target_id":"a","name":"A","as_of":"2025-06-30","x":1}'
    """
    raw = stored.encode() if isinstance(stored, str) else stored
    return raw.replace(_SLOT, b'"as_of":"' + day.isoformat().encode() + b'"', 1)


def entity_tag(body: bytes) -> str:
    """A strong ``ETag`` for a body: equal bytes, equal tag, whichever path made them."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def answer_rows(
    data: Dataset, targets: Iterable[str], *, day: date, ruleset: str,
    index: UpstreamIndex | None = None,
) -> list[dict[str, Any]]:
    """``{id, body, flags, chains}`` of the stored default answer of each target present in ``data``:
    the body as the route sends it, the quality flags of its closure, and for each of its controllers
    the chain ``controlled`` shows (stored on the ``CONTROLLED_BY`` relationship).

    ``data`` must hold the upstream closure of every target, with names (a full
    read, not the lean one control alone needs).
    """
    index = index or UpstreamIndex(data)
    params = ControlParams(day, ruleset)
    rows = []
    for target in targets:
        if target not in index.entities:
            continue
        view = build_view(index.subset(index.closure(target)), day)
        answer, reverse = controllers_and_reverse(view, target, params)
        body = body_bytes(schemas.ControllersResponse.model_validate(replace(answer, as_of=AS_OF_SLOT)))
        rows.append({
            "id": target,
            "body": body.decode(),
            "flags": _json([schemas.QualityFlag.model_validate(f) for f in view.flags]),
            "chains": [
                {"controller": controller, "chain": _json([schemas.ControlStep.model_validate(s) for s in chain])}
                for controller, _, chain in reverse
            ],
        })
    return rows



def _json(models: list[Any]) -> str:
    return orjson.dumps([m.model_dump(mode="json") for m in models]).decode()


_SHARED: tuple[Dataset, UpstreamIndex, date, str] | None = None


def _rows_of_chunk(targets: list[str]) -> list[dict[str, Any]]:
    assert _SHARED is not None
    data, index, day, ruleset = _SHARED
    return answer_rows(data, targets, day=day, ruleset=ruleset, index=index)


def answer_rows_parallel(
    data: Dataset, targets: Sequence[str], *, day: date, ruleset: str, workers: int | None = None,
    chunk: int = 20_000,
) -> Iterator[dict[str, Any]]:
    """``answer_rows`` of a whole graph on every core: forked workers share ``data`` (copy on
    write) and each answers chunks of targets; rows come back in the order of ``targets``."""
    global _SHARED
    workers = workers or os.cpu_count() or 1
    index = UpstreamIndex(data)
    if workers == 1 or len(targets) <= chunk:
        yield from answer_rows(data, targets, day=day, ruleset=ruleset, index=index)
        return
    _SHARED = (data, index, day, ruleset)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = [list(targets[i : i + chunk]) for i in range(0, len(targets), chunk)]
            for rows in pool.map(_rows_of_chunk, parts):
                yield from rows
    finally:
        _SHARED = None


class BackgroundAnswers:
    """``answer_rows`` of some targets, computed in forked workers (one per core, sharing ``data`` copy
    on write) while the caller goes on; ``rows()`` waits for them, in the order of ``targets``. Fewer
    than ``fork_min`` (default ``FORK_MIN``) targets, or one core, are answered in the process itself
    when ``rows()`` asks.

    Use it as a context manager: leaving the block stops the workers whether or not ``rows()`` ran.
    """

    def __init__(
        self, data: Dataset, targets: Sequence[str], *, day: date, ruleset: str, workers: int | None = None,
        fork_min: int | None = None,
    ) -> None:
        global _SHARED
        self._args = (data, list(targets), day, ruleset)
        self._pool: ProcessPoolExecutor | None = None
        self._parts: list[Future[list[dict[str, Any]]]] = []
        workers = workers or os.cpu_count() or 1
        if workers == 1 or len(targets) < (FORK_MIN if fork_min is None else fork_min):
            return
        _SHARED = (data, UpstreamIndex(data), day, ruleset)
        try:
            # All workers are forked at the first submit, from this thread: they see _SHARED as it is now.
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
            size = -(-len(targets) // (4 * workers))  # a few chunks per worker: none waits for the slowest
            self._parts = [self._pool.submit(_rows_of_chunk, list(targets[i : i + size]))
                           for i in range(0, len(targets), size)]
        finally:
            _SHARED = None

    def rows(self) -> list[dict[str, Any]]:
        if self._pool is None:
            data, targets, day, ruleset = self._args
            return answer_rows(data, targets, day=day, ruleset=ruleset)
        try:
            return [row for part in self._parts for row in part.result()]
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BackgroundAnswers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fill_answers(
    repo: Repository,
    *,
    ruleset: str,
    batch: int = FILL_BATCH,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Store the answers not current for this run's generation (after a whole recomputation; the
    first ``limit`` only, when given); returns how many were written. Entities nobody holds are
    answered live (their closure is themselves) and get none."""
    run = repo.control_run(ruleset)
    if run is None or run.stale:
        return 0
    todo: Sequence[str] = repo.answer_targets(run.answers_gen)[:limit]
    done = 0
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        rows = answer_rows(repo.upstream_of(part), part, day=run.as_of, ruleset=ruleset)
        repo.write_stored_answers(rows, ruleset=ruleset, gen=run.answers_gen)
        done += len(rows)
        if progress is not None:
            progress(done, len(todo))
    return done
