"""Many controllers questions in one request, answered as a stream of JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StringConstraints

from ownergraph.api.deps import ControlParamsDep, ServiceDep
from ownergraph.batch import MAX_BATCH_IDS, MAX_ID_CHARS, controllers_jsonl
from ownergraph.graph.errors import DatabaseUnavailable
from ownergraph.schemas import ErrorResponse

router = APIRouter(tags=["control"])

EntityId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]


class BatchIds(BaseModel):
    ids: list[EntityId] = Field(min_length=1, max_length=MAX_BATCH_IDS,
                                description=f"The entities to answer for, in order (at most {MAX_BATCH_IDS:,}).")


def _guarded(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Once the stream has begun its status is sent: an outage becomes a last error line."""
    try:
        yield from lines
    except DatabaseUnavailable as exc:
        yield ErrorResponse(detail=str(exc), code="database_unavailable").model_dump_json().encode() + b"\n"


@router.post(
    "/controllers:batch",
    summary="The controllers answer of many entities, one JSON line per id in the order given",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}},
                     "description": "One line per id: the body of GET /entities/{id}/controllers, or "
                                    '`{"target_id", "detail", "code": "entity_not_found"}` for an unknown id'}},
)
def controllers_batch(body: BatchIds, service: ServiceDep, params: ControlParamsDep) -> StreamingResponse:
    lines = controllers_jsonl(service, body.ids, params)
    # The first answer before the status is sent: a database that is down is a 503, not a broken 200.
    first = next(lines)
    return StreamingResponse(_guarded(chain([first], lines)), media_type="application/x-ndjson")
