"""Resolution in the application: ids that resolve, merges in the change feed, reviewers' judgements.

- ``resolving``: a service method given a source's own id of a resolved entity
  answers for the entity (tried as given first, so the common case costs nothing).
- ``record_merges``: a ``ControlChange`` (cause ``merge``) for each entity a
  write made part of another, with its answer just before and ``merged_into``.
- ``judge`` / ``undo``: a reviewer's positive or negative judgement of two ids,
  recorded in the graph (it survives reloads), applied at once (merge or split)
  under the load lock, with incremental control for what it touches.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from ownergraph import schemas
from ownergraph.graph.candidates import Candidate, name_variants, score_pair
from ownergraph.graph.errors import EntityNotFound, InvalidParameter
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.materialised import NO_STATE
from ownergraph.graph.names import search_terms
from ownergraph.graph.params import DEFAULT_RULESET
from ownergraph.load_lock import load_lock
from ownergraph.materialise import Cause, Materialised, change_props, materialise_changes, refresh_control
from ownergraph.pagination import encode_cursor
from ownergraph.queries.repository import Repository
from ownergraph.queries.resolution import Merge, judgement_key

__all__ = [
    "JudgementResult",
    "ResolutionService",
    "canonical_list",
    "find_candidates",
    "judge",
    "record_merges",
    "resolving",
    "source_records_out",
    "undo",
]

P = ParamSpec("P")
T = TypeVar("T")


class _HasRepo(Protocol):
    repo: Repository


S = TypeVar("S", bound=_HasRepo)


def resolving(method: Callable[Concatenate[S, str, P], T]) -> Callable[Concatenate[S, str, P], T]:
    """Answer for the entity a source's record id belongs to when the id is not an entity's own."""

    @functools.wraps(method)
    def wrapper(self: S, entity_id: str, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, entity_id, *args, **kwargs)
        except EntityNotFound:
            canonical = self.repo.canonical_ids([entity_id]).get(entity_id)
            if canonical is None or canonical == entity_id:
                raise
            return method(self, canonical, *args, **kwargs)

    return wrapper


def canonical_list(repo: Repository, ids: Iterable[str]) -> list[str]:
    """The entity ids of some ids, in the caller's order, each once (unknown ids kept: they fail later)."""
    wanted = list(dict.fromkeys(ids))
    found = repo.canonical_ids(wanted)
    return list(dict.fromkeys(found.get(i, i) for i in wanted))


_RECORD_FIELDS = ("record_id", "loaded_from", "name", "kind", "jurisdiction", "founded")
_HIDDEN = frozenset({"key", "control_fp", "aliases_text", "identifiers", *_RECORD_FIELDS})


def source_records_out(rows: Sequence[dict[str, Any]]) -> list[schemas.SourceRecordOut]:
    """Records as the entity route shows them (dates as dates, the rest as stated)."""
    out = []
    for row in rows:
        founded = _plain(row.get("founded"))
        attributes = {k: _plain(v) for k, v in sorted(row.items()) if k not in _HIDDEN and v is not None}
        out.append(schemas.SourceRecordOut(
            record_id=row["record_id"], loaded_from=row.get("loaded_from"), name=row.get("name"),
            kind=row.get("kind"), jurisdiction=row.get("jurisdiction"),
            founded=founded,
            identifiers=list(row.get("identifiers") or ()), attributes=attributes,
        ))
    return out


def _plain(value: Any) -> Any:
    native = getattr(value, "to_native", None)
    return native() if native is not None else value


def record_merges(repo: Repository, merges: Sequence[Merge], *, load_id: str | None, day: date,
                  ruleset: str = DEFAULT_RULESET) -> int:
    """Write a change record per absorbed entity (when control is materialised); returns how many."""
    run = repo.control_run(ruleset)
    if not merges or run is None or run.stale:
        return 0
    now = datetime.now(UTC)
    cause = Cause("merge", load_id)
    rows = []
    for m in merges:
        props = change_props(m.absorbed, m.before, NO_STATE, ruleset=ruleset, cause=cause, day=day, now=now)
        props["merged_into"] = m.into
        props["evidence"] = json.dumps([list(e) for e in m.evidence])
        rows.append({"entity_id": m.into, "load_id": load_id, "props": props})
        # answers that named the absorbed id now name the entity it joined
        for entity, earlier, later in m.dependents:
            moved = change_props(entity, earlier, later, ruleset=ruleset, cause=cause, day=day, now=now)
            rows.append({"entity_id": entity, "load_id": load_id, "props": moved})
    repo.write_materialised_control([], [], [], ruleset=ruleset, as_of=run.as_of, changes=rows)
    return len(rows)


@dataclass(frozen=True)
class JudgementResult:
    judgement: dict[str, Any] | None
    merges: tuple[Merge, ...]
    materialised: Materialised | None
    entities: dict[str, str]  # each id judged -> its entity now


def _pair(a: str, b: str) -> tuple[str, str]:
    if a == b:
        raise InvalidParameter("a judgement needs two different ids")
    first, second = sorted((a, b))
    return first, second


def judge(repo: Repository, a: str, b: str, verdict: str, *, note: str | None = None,
          lock_wait: float = 0.0) -> JudgementResult:
    """Record that ``a`` and ``b`` are (``positive``) or are not (``negative``) one entity, and apply it."""
    if verdict not in ("positive", "negative"):
        raise InvalidParameter(f"verdict must be positive or negative, not {verdict!r}")
    first, second = _pair(a, b)
    known = repo.canonical_ids([first, second])
    for i in (first, second):
        if i not in known:
            raise EntityNotFound(i)
    row = {"key": judgement_key(first, second), "a": first, "b": second, "verdict": verdict,
           "at": datetime.now(UTC), "note": note}
    return _apply(repo, first, second, lambda: repo.apply_judgement(row), lock_wait)


def undo(repo: Repository, a: str, b: str, *, lock_wait: float = 0.0) -> JudgementResult:
    """Forget the judgement of ``a`` and ``b``: they resolve by their identifiers alone again."""
    first, second = _pair(a, b)
    return _apply(repo, first, second, lambda: repo.apply_judgement(None, (first, second)), lock_wait)


def _apply(repo: Repository, a: str, b: str, write: Callable[[], Any], lock_wait: float) -> JudgementResult:
    with load_lock(repo, wait_seconds=lock_wait), gc_paused():
        today = date.today()
        refresh_control(repo, today=today)
        stored, written = write()
        record_merges(repo, written.merges, load_id=None, day=today)
        done = materialise_changes(repo, written.changed, as_of=today, cause=Cause("judgement"))
    return JudgementResult(stored, written.merges, done, repo.canonical_ids([a, b]))


# -- candidates for review ------------------------------------------------------------------

MAX_SCAN = 20_000  # entities looked at per request when neither ids nor a source narrow it
HITS_PER_ENTITY = 10


def find_candidates(
    repo: Repository,
    *,
    ids: Sequence[str] | None = None,
    source: str | None = None,
    min_score: float = 0.85,
    scan: int = MAX_SCAN,
) -> tuple[list[Candidate], int]:
    """Pairs that share no identifier but may be one entity, best first, and how many entities were looked at.

    The entities looked at are ``ids``, or those ``source`` gave records of, or the first ``scan`` of the
    graph; each is compared with the few its names find in the full-text index. Judged pairs never return.
    """
    if not 0.0 <= min_score <= 1.0:
        raise InvalidParameter(f"min_score must be within 0 and 1, got {min_score}")
    if ids is not None:
        wanted = canonical_list(repo, ids)
    elif source is not None:
        wanted = repo.source_entity_ids(source, limit=scan)
    else:
        wanted = repo.entity_ids(limit=scan)
    entities = repo.entities(wanted)
    judged = {(j["a"], j["b"]) for j in repo.judgements(limit=100_000)}
    rows = [(e.id, _terms(e)) for e in entities.values()]
    hits = repo.name_hits(rows, limit=HITS_PER_ENTITY)
    found: dict[tuple[str, str], Candidate] = {}
    for entity_id, others in hits.items():
        e = entities[entity_id]
        for other in others:
            first, second = sorted((e.id, other.id))
            pair = (first, second)
            if pair in found or pair in judged:
                continue
            c = score_pair(e, other, min_score=min_score)
            if c is not None:
                found[(c.a, c.b)] = c
    ordered = sorted(found.values(), key=lambda c: (-c.score, c.a, c.b))
    return ordered, len(entities)


def _terms(e: Any) -> list[str]:
    return list(dict.fromkeys(t for name in name_variants(e) for t in search_terms(name) if t))


class ResolutionService:
    """Candidates and judgements as the HTTP routes and the CLI show them."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def candidates(
        self,
        *,
        ids: Sequence[str] | None = None,
        source: str | None = None,
        min_score: float = 0.85,
        limit: int = 100,
        offset: int = 0,
    ) -> schemas.CandidatesResponse:
        found, scanned = find_candidates(self.repo, ids=ids, source=source, min_score=min_score)
        page = found[offset : offset + limit]
        names = self.repo.entities({i for c in page for i in (c.a, c.b)})
        return schemas.CandidatesResponse(
            scanned=scanned,
            total=len(found),
            next_cursor=encode_cursor(offset + limit) if offset + limit < len(found) else None,
            candidates=[
                schemas.CandidateOut(
                    a=_summary(names[c.a]), b=_summary(names[c.b]), score=c.score,
                    evidence=[schemas.EvidenceOut(what=w, why=y) for w, y in c.evidence],
                )
                for c in page if c.a in names and c.b in names
            ],
        )

    def judge(self, a: str, b: str, verdict: str, *, note: str | None = None,
              lock_wait: float = 0.0) -> schemas.JudgementResponse:
        return _response(judge(self.repo, a, b, verdict, note=note, lock_wait=lock_wait))

    def undo(self, a: str, b: str, *, lock_wait: float = 0.0) -> schemas.JudgementResponse:
        return _response(undo(self.repo, a, b, lock_wait=lock_wait))

    def judgements(self, *, limit: int = 1000) -> schemas.JudgementsResponse:
        return schemas.JudgementsResponse(judgements=[_judgement_out(j) for j in self.repo.judgements(limit=limit)])


def _summary(e: Any) -> schemas.EntitySummary:
    return schemas.EntitySummary(id=e.id, name=e.name, kind=e.kind, name_en=e.name_en, jurisdiction=e.jurisdiction,
                                 uscc=e.uscc, lei=e.lei, founded=e.founded)


def _judgement_out(j: dict[str, Any]) -> schemas.JudgementOut:
    return schemas.JudgementOut(a=j["a"], b=j["b"], verdict=j["verdict"], at=_plain(j["at"]), note=j.get("note"))


def _response(result: JudgementResult) -> schemas.JudgementResponse:
    done = result.materialised
    return schemas.JudgementResponse(
        judgement=_judgement_out(result.judgement) if result.judgement else None,
        entities=result.entities,
        merged=[schemas.MergeOut(absorbed=m.absorbed, into=m.into) for m in result.merges],
        materialised=schemas.MaterialisedOut.model_validate(done) if done is not None else None,
    )
