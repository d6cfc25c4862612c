"""Many controllers questions at once: one answer per id, as they come (memory flat in the number of ids).

Each id is answered by the service's own ``controllers_body`` (the bytes of
``GET /entities/{id}/controllers``: the stored answer of the default question,
else a live one), so a batch line is exactly that route's body. An unknown id
is an error line (``{"target_id", "detail", "code"}``), never the end of the batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

import orjson

from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.params import ControlParams
from ownergraph.service import OwnershipService

__all__ = ["CSV_COLUMNS", "MAX_BATCH_IDS", "controllers_csv", "controllers_jsonl", "read_ids"]

MAX_BATCH_IDS = 10_000
MAX_ID_CHARS = 1_000
CSV_COLUMNS = ("target_id", "name", "status", "ultimate_controllers", "possible_ultimate_controllers",
               "controllers", "error")


_CHUNK = 500  # ids looked up at once: unknown ones are answered without a question each


def _chunks(ids: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def _answers(service: OwnershipService, ids: Iterable[str], params: ControlParams,
             ) -> Iterator[tuple[str, bytes | None]]:
    """Each id with its answer's body, or None when the graph does not hold it."""
    for chunk in _chunks(ids, _CHUNK):
        known = service.repo.existing_ids(set(chunk))
        for entity_id in chunk:
            if entity_id not in known:
                yield entity_id, None
                continue
            try:
                yield entity_id, service.controllers_body(entity_id, params)[0]
            except EntityNotFound:  # removed since the look-up
                yield entity_id, None


def controllers_jsonl(service: OwnershipService, ids: Iterable[str], params: ControlParams) -> Iterator[bytes]:
    """One JSON line per id: the controllers answer, or the error of an unknown id."""
    for entity_id, body in _answers(service, ids, params):
        if body is None:
            body = orjson.dumps({"target_id": entity_id, "detail": f"No entity with id {entity_id!r}.",
                                 "code": "entity_not_found"})
        yield body + b"\n"


def controllers_csv(service: OwnershipService, ids: Iterable[str], params: ControlParams) -> Iterator[str]:
    """A header, then one CSV row per id: status and controllers' ids (``;``-joined), or the error."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(values: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield row(CSV_COLUMNS)
    for entity_id, body in _answers(service, ids, params):
        if body is None:
            yield row((entity_id, "", "", "", "", "", "entity_not_found"))
            continue
        a = orjson.loads(body)
        yield row((a["target_id"], a["name"], a["status"], ";".join(u["id"] for u in a["ultimate_controllers"]),
                   ";".join(u["id"] for u in a["possible_ultimate_controllers"]), ";".join(a["controllers"]), ""))


def read_ids(lines: Iterable[str]) -> Iterator[str]:
    """The ids of a file, one per line; blank lines and ``#`` comments skipped, surrounding space stripped."""
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            yield text
