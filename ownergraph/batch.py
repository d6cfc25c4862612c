"""Many controllers questions at once: one answer per id, as they come (memory flat in the number of ids).

Each id is answered by the service's own ``controllers_response`` (the answer
of ``GET /entities/{id}/controllers``), so a batch gets whatever that route
gets (stored answers, fresher reads). An unknown id is an error line
(``{"target_id", "detail", "code"}``), never the end of the batch.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.params import ControlParams
from ownergraph.service import OwnershipService

__all__ = ["CSV_COLUMNS", "MAX_BATCH_IDS", "controllers_csv", "controllers_jsonl", "read_ids"]

MAX_BATCH_IDS = 10_000
MAX_ID_CHARS = 1_000
CSV_COLUMNS = ("target_id", "name", "status", "ultimate_controllers", "possible_ultimate_controllers",
               "controllers", "error")


def controllers_jsonl(service: OwnershipService, ids: Iterable[str], params: ControlParams) -> Iterator[str]:
    """One JSON line per id: the controllers answer, or the error of an unknown id."""
    for entity_id in ids:
        try:
            answer = service.controllers_response(entity_id, params)
        except EntityNotFound:
            yield json.dumps({"target_id": entity_id, "detail": f"No entity with id {entity_id!r}.",
                              "code": "entity_not_found"}, ensure_ascii=False) + "\n"
            continue
        yield answer.model_dump_json() + "\n"


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
    for entity_id in ids:
        try:
            a = service.controllers_response(entity_id, params)
        except EntityNotFound:
            yield row((entity_id, "", "", "", "", "", "entity_not_found"))
            continue
        yield row((a.target_id, a.name, a.status, ";".join(u.id for u in a.ultimate_controllers),
                   ";".join(u.id for u in a.possible_ultimate_controllers), ";".join(a.controllers), ""))


def read_ids(lines: Iterable[str]) -> Iterator[str]:
    """The ids of a file, one per line; blank lines and ``#`` comments skipped, surrounding space stripped."""
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            yield text
