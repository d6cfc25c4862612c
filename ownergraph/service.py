"""The one place that combines repository reads with engine computations.

Routes and the CLI both call it, so ``ownergraph controllers ID --json`` and
``GET /entities/{id}/controllers`` print the same model. Each method reads the
smallest subgraph that decides its answer (an upstream closure for who
controls or owns an entity, a downstream closure for what it controls or
captures), hands it to the pure engine in ``graph/``, and returns the pydantic
response model. An unknown id raises ``EntityNotFound`` here, before any
computation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

import orjson

from ownergraph import exports, schemas
from ownergraph.graph.answers import ControlAnswer, ControlledEntity
from ownergraph.graph.beneficial import beneficial_owners
from ownergraph.graph.clusters import clusters, common_owners
from ownergraph.graph.control import ControlledRow, controlled_rows, controllers, with_chains
from ownergraph.graph.errors import EntityNotFound, InvalidParameter
from ownergraph.graph.identifiers import entity_identifiers
from ownergraph.graph.model import Dataset, Entity, Stake, valid_at
from ownergraph.graph.neighbourhood import GraphView, mark_control, neighbourhood
from ownergraph.graph.ownership import owners
from ownergraph.graph.params import DEFAULT_BENEFICIAL_THRESHOLD, DEFAULT_MIN_IO, ControlParams, check_fraction
from ownergraph.graph.render import RenderedPage, render_page
from ownergraph.graph.screening import screen
from ownergraph.pagination import encode_cursor
from ownergraph.pipeline import OnFault, load
from ownergraph.queries.repository import SEARCH_WINDOW, ControlledPage, Repository
from ownergraph.resolution import canonical_list, resolving, source_records_out
from ownergraph.stored_answers import body_bytes, served_body

T = TypeVar("T")
EXPORT_FORMATS = ("bods", "graphml", "ftm")
# A graph page reads at most this many times its node budget below the center and around it (the Cypher
# stops there): enough for the page's levels, never a hub's every holding.
VIEW_READ_FACTOR = 10
# Clusters compare the entities founded in the window with one another: a window may hold this many.
MAX_CLUSTER_CANDIDATES = 2000


class OwnershipService:
    """Answers about one graph database (a thin object: create one per request or command)."""

    def __init__(self, repo: Repository, *, node_budget: int = 300) -> None:
        self.repo = repo
        self.node_budget = node_budget

    # -- health ---------------------------------------------------------------

    def ping(self) -> None:
        self.repo.ping()

    # -- entities -------------------------------------------------------------

    def search(self, q: str, *, limit: int, offset: int = 0) -> schemas.SearchResponse:
        if offset >= SEARCH_WINDOW:
            raise InvalidParameter(f"search pages reach the best {SEARCH_WINDOW} matches only; refine the query")
        end = min(offset + limit, SEARCH_WINDOW)
        # One more than asked for tells whether a next page exists without counting every match.
        hits = self.repo.search(_lucene_safe(q), limit=end + 1)
        page = hits[offset:end]
        more = len(hits) > end and end < SEARCH_WINDOW
        results = [
            schemas.SearchResult.model_validate({**_entity_fields(e), "aliases": list(e.aliases), "score": s})
            for e, s in page
        ]
        return schemas.SearchResponse(
            query=q, results=results, next_cursor=encode_cursor(end) if more else None
        )

    @resolving
    def entity(self, entity_id: str, *, as_of: date, limit: int = 100, offset: int = 0) -> schemas.EntityResponse:
        """The entity with one page of its direct owners and holdings (the same page of both lists)."""
        found = self.repo.entity_neighbours(entity_id, as_of=as_of, limit=limit, offset=offset)
        if found is None:
            raise EntityNotFound(entity_id)
        more = offset + limit < max(found["owners_total"], found["holdings_total"])
        return schemas.EntityResponse(
            entity=schemas.EntityOut.model_validate(
                {**_entity_fields(found["entity"]), **_entity_details(found["entity"])}
            ),
            as_of=as_of,
            owners=_neighbours(found["owners"], as_of),
            holdings=_neighbours(found["holdings"], as_of),
            records=source_records_out(self.repo.source_records(entity_id)),
            owners_total=found["owners_total"],
            holdings_total=found["holdings_total"],
            next_cursor=encode_cursor(offset + limit) if more else None,
        )

    # -- control --------------------------------------------------------------

    def _upstream(self, target_id: str) -> Dataset:
        data = self.repo.upstream(target_id)
        _require(data, [target_id])
        return data

    @resolving
    def controllers(self, target_id: str, params: ControlParams) -> ControlAnswer:
        return controllers(self._upstream(target_id), target_id, params)

    @resolving
    def controllers_response(self, target_id: str, params: ControlParams) -> schemas.ControllersResponse:
        return schemas.ControllersResponse.model_validate(self.controllers(target_id, params))

    def controllers_body(self, target_id: str, params: ControlParams) -> tuple[bytes, bool]:
        """The ``/controllers`` body as sent, and whether it was the stored answer.

        The default question at the control run's day is answered from the stored
        answer when it is current; anything else (another day, ruleset or
        threshold; a stale run; an entity without a stored answer) live. Both give
        the same bytes for the same question.
        """
        if params.is_default_question():
            stored = self.repo.stored_answer(target_id, params.ruleset)
            if stored.body is not None and stored.as_of == params.as_of:
                return served_body(stored.body, params.as_of), True
        return body_bytes(self.controllers_response(target_id, params)), False

    @resolving
    def controlled_response(
        self,
        controller_id: str,
        params: ControlParams,
        *,
        founded_from: date | None = None,
        founded_to: date | None = None,
        limit: int = 100,
        offset: int = 0,
        live: bool = False,
    ) -> schemas.ControlledResponse:
        """One page of what ``controller_id`` controls: from the materialised control for the default
        question at the run's day (one indexed read of the page), live otherwise or with ``live``;
        chains and flags are proved for the page's rows only, the same way on both paths."""
        _check_window(founded_from, founded_to)
        if params.is_default_question() and not live:
            page = self.repo.controlled_page(controller_id, ruleset=params.ruleset, founded_from=founded_from,
                                             founded_to=founded_to, offset=offset, limit=limit)
            if page is None:
                raise EntityNotFound(controller_id)
            if not page.stale and page.run_as_of == params.as_of:
                return self._stored_controlled_page(controller_id, page, params, founded_from, founded_to, offset)
        # What x controls can depend on anyone upstream of what x holds (other holders, their
        # controllers, blocs): the engine needs the upstream closure of the downstream closure.
        reached, _ = self.repo.downstream_ids([controller_id])
        if controller_id not in reached and self.repo.entity(controller_id) is None:
            raise EntityNotFound(controller_id)
        data = self.repo.upstream_of([controller_id, *reached])
        every = controlled_rows(data, controller_id, params, founded_from=founded_from, founded_to=founded_to)
        name = next((e.name for e in data.entities if e.id == controller_id), controller_id)
        items, flags = with_chains(data, controller_id, every[offset : offset + limit], params)
        return _controlled_answer(controller_id, name, params, items, flags, len(every), founded_from, founded_to,
                                  offset)

    def _stored_controlled_page(
        self,
        controller_id: str,
        page: ControlledPage,
        params: ControlParams,
        founded_from: date | None,
        founded_to: date | None,
        offset: int,
    ) -> schemas.ControlledResponse:
        """A page from the materialised control: each row's chain and flags as stored with the
        controlled entity's answer; rows without a current one are proved here, as live."""
        rows = [ControlledRow(r["id"], r["name"], r["kind"], r["founded"], r["definite"], r["group"])
                for r in page.rows]
        missing = [row for row, r in zip(rows, page.rows, strict=True) if r["chain"] is None]
        proved: dict[str, ControlledEntity] = {}
        flags: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
        if missing:
            items, found = with_chains(self.repo.upstream_of([r.id for r in missing]), controller_id, missing, params)
            proved = {item.id: item for item in items}
            flags |= {(f.code, f.message, f.entity_ids): f.as_dict() for f in found}
        controlled: list[Any] = []
        for row, r in zip(rows, page.rows, strict=True):
            if r["chain"] is None:
                controlled.append(proved[row.id])
                continue
            controlled.append({"id": row.id, "name": row.name, "kind": row.kind, "founded": row.founded,
                               "definite": row.definite, "chain": orjson.loads(r["chain"])})
            for f in orjson.loads(r["flags"]):
                flags.setdefault((f["code"], f["message"], tuple(f["entity_ids"])), f)
        return _controlled_answer(controller_id, page.name, params, controlled, [flags[k] for k in sorted(flags)],
                                  page.total, founded_from, founded_to, offset)

    @resolving
    def owners_response(
        self, target_id: str, *, as_of: date, limit: int = 100, offset: int = 0
    ) -> schemas.OwnersResponse:
        answer = owners(self._upstream(target_id), target_id, as_of=as_of)
        return _paginated(schemas.OwnersResponse, answer, "owners", limit, offset)

    @resolving
    def beneficial_owners_response(
        self, target_id: str, params: ControlParams, *, threshold: float = DEFAULT_BENEFICIAL_THRESHOLD
    ) -> schemas.BeneficialOwnersResponse:
        check_fraction("threshold", threshold)
        answer = beneficial_owners(self._upstream(target_id), target_id, params, threshold=threshold)
        return schemas.BeneficialOwnersResponse.model_validate(answer)

    def common_owners_response(self, ids: Sequence[str], *, as_of: date) -> schemas.CommonOwnersResponse:
        wanted = canonical_list(self.repo, ids)  # a repeated id adds nothing; keep the caller's order
        data = self.repo.upstream_of(wanted)
        _require(data, wanted)
        return schemas.CommonOwnersResponse.model_validate(common_owners(data, wanted, as_of=as_of))

    def clusters_response(
        self,
        params: ControlParams,
        *,
        founded_from: date,
        founded_to: date,
        min_io: float = DEFAULT_MIN_IO,
        limit: int = 100,
        offset: int = 0,
    ) -> schemas.ClustersResponse:
        check_fraction("min_io", min_io)
        _check_window(founded_from, founded_to)
        founded = self.repo.founded_between(founded_from, founded_to, limit=MAX_CLUSTER_CANDIDATES + 1)
        if len(founded) > MAX_CLUSTER_CANDIDATES:
            raise InvalidParameter(
                f"more than {MAX_CLUSTER_CANDIDATES} entities were founded between {founded_from} and {founded_to}; "
                "narrow the window"
            )
        # One batched walk for every candidate: their closures overlap (that is what a cluster is).
        data = self.repo.upstream_of(founded) if founded else Dataset()
        answer = clusters(data, params, founded_from=founded_from, founded_to=founded_to, min_io=min_io)
        return _paginated(schemas.ClustersResponse, answer, "clusters", limit, offset)

    def screen_response(
        self, listed: Sequence[str], *, as_of: date, limit: int = 100, offset: int = 0
    ) -> schemas.ScreenResponse:
        wanted = canonical_list(self.repo, listed)
        # Every captured entity lies below a listed one; its other direct owners come along
        # so that faults such as shares summing above 100% are still flagged.
        data = self.repo.downstream_of(wanted)
        _require(data, wanted)
        answer = screen(data, wanted, as_of=as_of)
        return _paginated(schemas.ScreenResponse, answer, "captured", limit, offset)

    # -- graph views ----------------------------------------------------------

    @resolving
    def graph_view(self, center_id: str, *, as_of: date, depth: int = 6, direction: str = "up") -> GraphView:
        """The neighbourhood of ``center_id`` with its ultimate controllers and their chains marked."""
        return self._neighbourhood(center_id, as_of=as_of, depth=depth, direction=direction)[0]

    def _neighbourhood(
        self, center_id: str, *, as_of: date, depth: int, direction: str
    ) -> tuple[GraphView, Dataset, ControlAnswer | None]:
        """The marked view, the records it was drawn from, and the center's control (upstream only)."""
        if direction not in ("up", "down", "both"):
            raise InvalidParameter(f"direction must be up, down or both, not {direction!r}")
        parts: list[Dataset] = []
        upstream: Dataset | None = None
        if direction in ("up", "both"):
            upstream = self.repo.upstream(center_id)
            parts.append(upstream)
        if direction in ("down", "both"):
            # Breadth-first from the center: the nearest holdings first, read no further than the page can show.
            parts.append(self.repo.downstream(center_id, max_nodes=VIEW_READ_FACTOR * self.node_budget))
        # The closures follow ownership and control only; links (supplier, ...) of the center come from around().
        parts.append(self.repo.around([center_id], max_edges=VIEW_READ_FACTOR * self.node_budget))
        data = merge_datasets(parts)
        _require(data, [center_id])
        view = neighbourhood(
            data, center_id, as_of=as_of, direction=direction, depth=depth, node_budget=self.node_budget  # type: ignore[arg-type]
        )
        if upstream is None:
            return view, data, None
        answer = controllers(upstream, center_id, ControlParams(as_of))
        ids, chain = control_marks(answer)
        return mark_control(view, ids, chain), data, answer

    def export(self, center_id: str, fmt: str, *, as_of: date, depth: int = 6, direction: str = "up") -> bytes:
        """The neighbourhood in a standard form: ``bods`` (BODS 0.4 JSON), ``graphml`` or ``ftm`` (JSON Lines).

        The entities are those of the graph view (the same depth and node budget);
        the records are every stake, control and link among them, whole history.
        """
        if fmt not in EXPORT_FORMATS:
            raise InvalidParameter(f"export format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        view, data, answer = self._neighbourhood(center_id, as_of=as_of, depth=depth, direction=direction)
        records = exports.records_between(data, {n.id for n in view.nodes if n.kind != "more"})
        if fmt == "graphml":
            return exports.graphml(records, answer)
        if fmt == "ftm":
            return "".join(f"{line}\n" for line in exports.ftm_lines(records)).encode()
        statements = exports.bods_statements(records, center_id, answer, today=date.today())
        return json.dumps(statements, ensure_ascii=False, indent=1).encode()

    @resolving
    def graph_response(
        self, center_id: str, *, as_of: date, depth: int = 6, direction: str = "up"
    ) -> schemas.GraphResponse:
        return schemas.GraphResponse.model_validate(
            self.graph_view(center_id, as_of=as_of, depth=depth, direction=direction)
        )

    @resolving
    def graph_html(self, center_id: str, *, as_of: date, depth: int = 6, direction: str = "up") -> str:
        return self.graph_page(center_id, as_of=as_of, depth=depth, direction=direction).html

    def graph_page(self, center_id: str, *, as_of: date, depth: int = 6, direction: str = "up") -> RenderedPage:
        """The graph page and its Content-Security-Policy (the API sends it as a header too)."""
        view = self.graph_view(center_id, as_of=as_of, depth=depth, direction=direction)
        center = next((n for n in view.nodes if n.id == center_id), None)
        title = f"Ownership of {center.name if center else center_id}"
        return render_page(view, title=title)

    # -- writes ---------------------------------------------------------------

    def load(
        self,
        fmt: str,
        path: Path,
        *,
        source: str | None = None,
        snapshot: bool = False,
        snapshot_date: date | None = None,
        materialise: bool = True,
        lock_wait: float = 0.0,
        on_fault: OnFault = "reject",
    ) -> schemas.LoadResponse:
        result = load(self.repo, fmt, path, source=source, snapshot=snapshot, snapshot_date=snapshot_date,
                      materialise=materialise, lock_wait=lock_wait, on_fault=on_fault)
        done = result.materialised
        return schemas.LoadResponse(
            format=result.format,
            source=result.source,
            snapshot=result.snapshot,
            counts=result.counts,
            warnings=[schemas.FindingOut.model_validate(f) for f in result.warnings],
            materialised=schemas.MaterialisedOut.model_validate(done) if done is not None else None,
            skipped_count=len(result.skipped),
            skipped=[schemas.SkippedOut.model_validate(s) for s in result.skipped],
        )


# -- helpers --------------------------------------------------------------------------


def _controlled_answer(
    controller_id: str,
    name: str,
    params: ControlParams,
    controlled: Sequence[Any],
    flags: Sequence[Any],
    total: int,
    founded_from: date | None,
    founded_to: date | None,
    offset: int,
) -> schemas.ControlledResponse:
    """One page of ``/controlled``, whichever path (materialised or live) found its rows."""
    end = offset + len(controlled)
    return schemas.ControlledResponse.model_validate({
        "controller_id": controller_id, "name": name, "as_of": params.as_of, "ruleset": params.ruleset,
        "threshold": params.threshold, "relative_threshold": params.relative_threshold,
        "founded_from": founded_from, "founded_to": founded_to, "controlled": controlled, "flags": flags,
        "total": total, "next_cursor": encode_cursor(end) if end < total else None,
    })


def control_marks(answer: ControlAnswer) -> tuple[set[str], set[tuple[str, str]]]:
    """The ultimate controllers and every (source, target) edge of their chains of control."""
    ids: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for uc in answer.ultimate_controllers:
        ids.add(uc.id)
        for step in uc.chain:
            edges.add((step.from_id, step.to_id))
            edges.update((s.owner_id, s.owned_id) for s in step.contributing)
    return ids, edges


def merge_datasets(parts: Iterable[Dataset]) -> Dataset:
    """The union of subgraphs read separately, each record once."""
    merged = Dataset()
    entities: dict[str, Entity] = {}
    seen: set[tuple[str, str]] = set()
    for part in parts:
        for e in part.entities:
            entities.setdefault(e.id, e)
        _add_new(merged.stakes, part.stakes, "OWNS", seen)
        _add_new(merged.controls, part.controls, "CONTROLS", seen)
        _add_new(merged.concerts, part.concerts, "ACTS_IN_CONCERT", seen)
        _add_new(merged.links, part.links, "LINK", seen)
        _add_new(merged.reported, part.reported, "REPORTED", seen)
        merged.findings.extend(f for f in part.findings if f not in merged.findings)
    merged.entities = list(entities.values())
    return merged


def _lucene_safe(q: str) -> str:
    """Lower-case the words Lucene reads as operators (AND, OR, NOT): the repository escapes
    symbols but not these, and a query starting with one fails to parse. The full-text
    analyzer lower-cases every term anyway, so the search itself is unchanged.
    """
    words = q.split()
    if not any(w in _LUCENE_WORDS for w in words):
        return q  # untouched, so an exact id/USCC/LEI match still sees the text as typed
    return " ".join(w.lower() if w in _LUCENE_WORDS else w for w in words)


_LUCENE_WORDS = frozenset({"AND", "OR", "NOT"})


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def _add_new(target: list[K], records: Iterable[K], kind: str, seen: set[tuple[str, str]]) -> None:
    for record in records:
        identity = (kind, record.key)
        if identity not in seen:
            seen.add(identity)
            target.append(record)


def _require(data: Dataset, ids: Iterable[str]) -> None:
    present = data.entity_ids()
    for entity_id in ids:
        if entity_id not in present:
            raise EntityNotFound(entity_id)


def _check_window(founded_from: date | None, founded_to: date | None) -> None:
    if founded_from is not None and founded_to is not None and founded_from > founded_to:
        raise InvalidParameter(f"founded_from ({founded_from}) is after founded_to ({founded_to})")


def _paginated(model: type[T], answer: Any, field: str, limit: int, offset: int) -> T:
    """The answer's model with one page of its list ``field``, plus ``total`` and ``next_cursor``."""
    items = list(getattr(answer, field))
    end = offset + limit
    body = {name: getattr(answer, name) for name in answer.__dataclass_fields__}
    body[field] = items[offset:end]
    body["total"] = len(items)
    body["next_cursor"] = encode_cursor(end) if end < len(items) else None
    return model.model_validate(body)  # type: ignore[attr-defined, no-any-return]


def _entity_fields(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "kind": e.kind,
        "name_en": e.name_en,
        "jurisdiction": e.jurisdiction,
        "uscc": e.uscc,
        "lei": e.lei,
        "founded": e.founded,
    }


def _entity_details(e: Entity) -> dict[str, Any]:
    return {
        "aliases": list(e.aliases),
        "dissolved": e.dissolved,
        "registered_capital": e.registered_capital,
        "currency": e.currency,
        "status": e.status,
        "source": e.source,
        "extra": dict(e.extra),
        "identifiers": [f"{scheme}:{value}" for scheme, value in entity_identifiers(e)],
    }


def _share(share: Any, derived: bool = False) -> schemas.ShareInfo:
    return schemas.ShareInfo(
        exact=share.exact, minimum=share.minimum, maximum=share.maximum, raw=share.raw, derived=derived
    )


def _neighbours(pairs: list[tuple[Entity, Stake]], as_of: date) -> list[schemas.Neighbour]:
    shown = [(e, s) for e, s in pairs if valid_at(s.start, s.end, as_of)]
    shown.sort(key=lambda pair: (-pair[1].share.lower, pair[0].id))  # largest stake first, stable
    return [
        schemas.Neighbour(
            entity=schemas.EntitySummary.model_validate(_entity_fields(e)),
            stake=schemas.StakeOut(
                share=_share(s.share, s.share_derived),
                voting_share=_share(s.voting_share) if s.voting_share is not None else None,
                subscribed_capital=s.subscribed_capital,
                start=s.start,
                end=s.end,
                source=s.source,
                detail=s.detail,
                flags=list(s.flags),
            ),
        )
        for e, s in shown
    ]
