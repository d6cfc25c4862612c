"""Pydantic response models: the shapes /docs shows and clients rely on.

They mirror the engine's answer dataclasses (``graph.answers``) field for
field, so an answer validates straight into its model
(``from_attributes``); paginated answers add ``total`` and ``next_cursor``.
Shares and integrated ownership are fractions in [0, 1].
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["controlled", "no_controller", "undetermined"]


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(from_attributes=True, json_schema_extra={"examples": list(examples)})


# -- shared pieces --------------------------------------------------------------


class ErrorResponse(Model):
    model_config = _examples({"detail": "No entity with id 'x'.", "code": "entity_not_found"})

    detail: str = Field(description="A human sentence.")
    code: str = Field(description="snake_case: entity_not_found, validation_error, invalid_parameter, "
                      "invalid_cursor, database_unavailable, read_only, unauthorized, payload_too_large, "
                      "load_rejected, internal_error, not_found, method_not_allowed")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Validation errors or located load findings, when there are any."
    )


class QualityFlag(Model):
    """A data fault met while computing: reported, never silently fixed."""

    code: str
    message: str
    entity_ids: list[str] = []


class ShareInfo(Model):
    """A share as the data gives it: exact, or an interval; all None when unknown."""

    exact: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False
    raw: str | None = None


class StakeRef(Model):
    """One OWNS edge used in a proof, with the voting share counted for it."""

    owner_id: str
    owned_id: str
    share: ShareInfo
    voting_share: float
    start: date | None = None
    end: date | None = None
    source: str | None = None


class ControlStep(Model):
    """One link of a chain of control: ``from_id`` controls ``to_id``, and why.

    ``rule``: controls_edge (a CONTROLS edge with its ``basis``), majority,
    relative or concert (``from_id`` is then the bloc's group id).
    """

    from_id: str
    to_id: str
    relation: str
    rule: str
    basis: str | None = None
    share: ShareInfo | None = None
    voting_share: float | None = None
    pooled_voting_share: float | None = None
    start: date | None = None
    end: date | None = None
    source: str | None = None
    contributing: list[StakeRef] = []


class Cursor(Model):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Paginated(Cursor):
    total: int = Field(description="Items in the whole answer (all pages).")


# -- entities and search ----------------------------------------------------------


class EntitySummary(Model):
    id: str
    name: str
    kind: str
    name_en: str | None = None
    jurisdiction: str | None = None
    uscc: str | None = None
    lei: str | None = None
    founded: date | None = None


class EntityOut(EntitySummary):
    aliases: list[str] = []
    dissolved: date | None = None
    registered_capital: float | None = None
    currency: str | None = None
    status: str | None = None
    source: str | None = None
    extra: dict[str, str] = Field(default={}, description="Source columns the model has no field for.")
    identifiers: list[str] = Field(default=[], description="Every identifier its sources give, `SCHEME:value`.")


class SourceRecordOut(Model):
    """One source's record of a resolved entity: what that source says, kept as it said it."""

    record_id: str = Field(description="The id the source gives it (resolves to the entity in every route).")
    loaded_from: str | None = Field(default=None, description="The source (Load id) it came from; "
                                    "null for a record that was in the graph before resolution.")
    name: str | None = None
    kind: str | None = None
    jurisdiction: str | None = None
    founded: date | None = None
    identifiers: list[str] = []
    attributes: dict[str, Any] = Field(default={}, description="Everything else the record states.")


class StakeOut(Model):
    """A direct OWNS edge as stored (validity [start, end))."""

    share: ShareInfo
    voting_share: ShareInfo | None = Field(default=None, description="Null: votes follow the equity share.")
    subscribed_capital: float | None = None
    start: date | None = None
    end: date | None = None
    source: str | None = None
    detail: str | None = None
    flags: list[str] = []


class Neighbour(Model):
    entity: EntitySummary
    stake: StakeOut


class EntityResponse(Model):
    model_config = _examples(
        {
            "entity": {"id": "91350100M000100Y43", "name": "福建示例控股有限公司", "kind": "company",
                       "name_en": "Fujian Example Holding", "aliases": ["示例控股"], "founded": "2001-05-17"},
            "as_of": "2024-06-30",
            "owners": [{"entity": {"id": "P1", "name": "张三", "kind": "person"},
                        "stake": {"share": {"exact": 0.51}, "start": "2020-01-01", "source": "registry"}}],
            "holdings": [],
        }
    )

    entity: EntityOut
    as_of: date
    owners: list[Neighbour] = Field(description="Direct owners whose stake is in force at as_of (one page).")
    holdings: list[Neighbour] = Field(description="Direct holdings in force at as_of (the same page).")
    owners_total: int = Field(0, description="Direct owners in force at as_of, on every page together.")
    holdings_total: int = Field(0, description="Direct holdings in force at as_of, on every page together.")
    next_cursor: str | None = Field(None, description="The cursor of the next page of either list; null at the end.")
    records: list[SourceRecordOut] = Field(default=[], description="Each source's record of the entity "
                                           "(several when sources share a strong identifier).")


class SearchResult(EntitySummary):
    aliases: list[str] = []
    score: float = Field(description="Exact id/USCC/LEI matches first, then full-text relevance.")


class SearchResponse(Cursor):
    model_config = _examples(
        {"query": "示例", "results": [{"id": "91350100M000100Y43", "name": "福建示例控股有限公司",
                                        "kind": "company", "score": 2.1}], "next_cursor": None}
    )

    query: str
    results: list[SearchResult]


# -- control ----------------------------------------------------------------------


class UltimateController(Model):
    id: str
    name: str
    kind: str
    basis: str = Field(description="The rule or CONTROLS basis of this controller's step nearest the target.")
    group: str | None = Field(description="Shared by the members of a bloc (concert:...) or mutual-control cycle.")
    chain: list[ControlStep] = Field(description="From this controller down to the target, prerequisites first.")


class Holder(Model):
    id: str
    name: str
    kind: str
    integrated_ownership: float


_STEP_EXAMPLE = {
    "from_id": "P1", "to_id": "H", "relation": "OWNS", "rule": "majority", "share": {"exact": 0.6},
    "voting_share": 0.6, "pooled_voting_share": 0.6, "start": "2020-01-01", "source": "registry extract 2024",
    "contributing": [{"owner_id": "P1", "owned_id": "H", "share": {"exact": 0.6}, "voting_share": 0.6}],
}


class ControllersResponse(Model):
    model_config = _examples(
        {
            "target_id": "T", "name": "Target Co", "as_of": "2024-06-30", "ruleset": "majority",
            "threshold": 0.5, "relative_threshold": 0.3, "status": "controlled",
            "ultimate_controllers": [{"id": "P1", "name": "张三", "kind": "person", "basis": "majority",
                                      "group": None, "chain": [_STEP_EXAMPLE]}],
            "possible_ultimate_controllers": [], "deciding_stakes": [], "controllers": ["P1", "H"],
            "largest_holders": [{"id": "H", "name": "Holding", "kind": "company", "integrated_ownership": 0.6}],
            "flags": [],
        }
    )

    target_id: str
    name: str
    as_of: date
    ruleset: str
    threshold: float
    relative_threshold: float
    status: Status
    ultimate_controllers: list[UltimateController] = Field(
        description="The definite ultimate controllers (with `undetermined`, maybe none)."
    )
    possible_ultimate_controllers: list[UltimateController] = Field(
        description="Ultimate controllers with the uncertain shares at their highest."
    )
    deciding_stakes: list[StakeRef] = Field(description="Uncertain stakes the status depends on.")
    controllers: list[str] = Field(description="Every definite controller, ultimate or intermediate.")
    largest_holders: list[Holder]
    flags: list[QualityFlag]


class ControlledEntity(Model):
    id: str
    name: str
    kind: str
    founded: date | None
    definite: bool = Field(description="False: controlled only with uncertain shares at their highest.")
    chain: list[ControlStep]


class ControlledResponse(Paginated):
    model_config = _examples(
        {
            "controller_id": "P1", "name": "张三", "as_of": "2024-06-30", "ruleset": "majority",
            "threshold": 0.5, "relative_threshold": 0.3, "founded_from": None, "founded_to": None,
            "controlled": [{"id": "H", "name": "Holding", "kind": "company", "founded": "2010-01-01",
                            "definite": True, "chain": [_STEP_EXAMPLE]}],
            "flags": [], "total": 1, "next_cursor": None,
        }
    )

    controller_id: str
    name: str
    as_of: date
    ruleset: str
    threshold: float
    relative_threshold: float
    founded_from: date | None
    founded_to: date | None
    controlled: list[ControlledEntity]
    flags: list[QualityFlag]


class OwnershipPath(Model):
    ids: list[str] = Field(description="Owner first, target last.")
    shares: list[float] = Field(description="One per edge (lower bounds).")
    product: float


class Owner(Model):
    id: str
    name: str
    kind: str
    integrated_ownership: float = Field(description="IO with shares at their lower bound (unknown = 0).")
    integrated_ownership_max: float | None = Field(description="IO with shares at their upper bound.")
    top_level: bool
    direct_share: ShareInfo | None
    paths: list[OwnershipPath]
    paths_truncated: bool


class OwnersResponse(Paginated):
    model_config = _examples(
        {
            "target_id": "T", "name": "Target Co", "as_of": "2024-06-30", "share_basis": "lower_bound",
            "owners": [{"id": "P1", "name": "张三", "kind": "person", "integrated_ownership": 0.36,
                        "integrated_ownership_max": 0.36, "top_level": True, "direct_share": None,
                        "paths": [{"ids": ["P1", "H", "T"], "shares": [0.6, 0.6], "product": 0.36}],
                        "paths_truncated": False}],
            "flags": [], "total": 1, "next_cursor": None,
        }
    )

    target_id: str
    name: str
    as_of: date
    share_basis: str
    owners: list[Owner]
    flags: list[QualityFlag]


class BeneficialOwner(Model):
    id: str
    name: str
    integrated_ownership: float
    controls: bool
    reason: str


class BeneficialOwnersResponse(Model):
    model_config = _examples(
        {
            "target_id": "T", "name": "Target Co", "as_of": "2024-06-30", "threshold": 0.25,
            "ruleset": "majority", "control_threshold": 0.5, "relative_threshold": 0.3,
            "beneficial_owners": [{"id": "P1", "name": "张三", "integrated_ownership": 0.36, "controls": True,
                                   "reason": "controls"}],
            "flags": [],
        }
    )

    target_id: str
    name: str
    as_of: date
    threshold: float
    ruleset: str
    control_threshold: float
    relative_threshold: float
    beneficial_owners: list[BeneficialOwner]
    flags: list[QualityFlag]


# -- screening, common owners, clusters ---------------------------------------------


class ScreenRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"listed": ["P1"], "as_of": "2024-06-30"}]}
    )

    listed: list[str] = Field(min_length=1, description="Ids of the listed parties (the watchlist).")
    as_of: date | None = Field(default=None, description="ISO date; default today.")


class CapturedOwner(Model):
    id: str
    share: float


class CapturedEntity(Model):
    id: str
    name: str
    listed: bool
    captured_share: float
    captured_owners: list[CapturedOwner]


class ScreenResponse(Paginated):
    model_config = _examples(
        {
            "as_of": "2024-06-30", "threshold": 0.5, "share_basis": "lower_bound", "listed": ["P1"],
            "captured": [{"id": "P1", "name": "张三", "listed": True, "captured_share": 0.0, "captured_owners": []},
                         {"id": "H", "name": "Holding", "listed": False, "captured_share": 0.5,
                          "captured_owners": [{"id": "P1", "share": 0.5}]}],
            "flags": [], "total": 2, "next_cursor": None,
        }
    )

    as_of: date
    threshold: float
    share_basis: str
    listed: list[str]
    captured: list[CapturedEntity]
    flags: list[QualityFlag]


class CommonOwner(Model):
    id: str
    name: str
    kind: str
    integrated_ownership: dict[str, float] = Field(description="Member id -> IO into that member.")
    nearest: bool
    top_level: bool


class CommonOwnersResponse(Model):
    model_config = _examples(
        {
            "ids": ["A", "B"], "as_of": "2024-06-30",
            "common_owners": [{"id": "H", "name": "Holding", "kind": "company",
                               "integrated_ownership": {"A": 0.6, "B": 0.8}, "nearest": True, "top_level": False}],
            "flags": [],
        }
    )

    ids: list[str]
    as_of: date
    common_owners: list[CommonOwner]
    flags: list[QualityFlag]


class ClusterMember(Model):
    id: str
    name: str
    founded: date | None
    integrated_ownership: float


class ClusterOwner(Model):
    id: str
    name: str
    kind: str
    basis: str
    group: str | None = None


class Cluster(Model):
    controller: ClusterOwner
    members: list[ClusterMember]
    common_owners: list[ClusterOwner] = []


class ClustersResponse(Paginated):
    model_config = _examples(
        {
            "as_of": "2024-06-30", "founded_from": "2024-12-01", "founded_to": "2024-12-31", "min_io": 0.25,
            "ruleset": "majority", "threshold": 0.5, "relative_threshold": 0.3,
            "clusters": [{"controller": {"id": "P1", "name": "张三", "kind": "person",
                                         "basis": "ultimate_controller", "group": None},
                          "members": [{"id": "A", "name": "A Co", "founded": "2024-12-03",
                                       "integrated_ownership": 0.6},
                                      {"id": "B", "name": "B Co", "founded": "2024-12-09",
                                       "integrated_ownership": 0.7}]}],
            "flags": [], "total": 1, "next_cursor": None,
        }
    )

    as_of: date
    founded_from: date | None
    founded_to: date | None
    min_io: float
    ruleset: str
    threshold: float
    relative_threshold: float
    clusters: list[Cluster]
    flags: list[QualityFlag]


# -- graph views --------------------------------------------------------------------


class GraphNode(Model):
    id: str
    name: str
    kind: str = Field(description="Entity kind, or `more` for a collapsed '+N more' node.")
    level: int = Field(description="Signed distance from the center: negative = owners' side.")
    name_en: str | None = None
    jurisdiction: str | None = None
    founded: str | None = None
    dissolved: str | None = None
    status: str | None = None
    collapsed_count: int = 0
    collapsed_parent: str | None = None
    is_controller: bool = False


class GraphEdge(Model):
    source: str
    target: str
    relation: str = Field(description="OWNS, CONTROLS, ACTS_IN_CONCERT, a link type, or COLLAPSED.")
    share: float | None = None
    share_min: float | None = None
    share_max: float | None = None
    share_raw: str | None = None
    share_derived: bool = False
    basis: str | None = None
    start: str | None = None
    end: str | None = None
    provenance: str | None = None
    detail: str | None = None
    scope_id: str | None = None
    on_control_chain: bool = False


class GraphResponse(Model):
    model_config = _examples(
        {
            "center": "T", "as_of": "2024-06-30", "direction": "up", "depth": 6, "truncated": False,
            "nodes": [{"id": "T", "name": "Target Co", "kind": "company", "level": 0},
                      {"id": "P1", "name": "张三", "kind": "person", "level": -1, "is_controller": True}],
            "edges": [{"source": "P1", "target": "T", "relation": "OWNS", "share": 0.6, "on_control_chain": True}],
        }
    )

    center: str
    as_of: str
    direction: str
    depth: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool


# -- health and loads ---------------------------------------------------------------


class HealthResponse(Model):
    status: Literal["ok"] = "ok"


class ReadyResponse(Model):
    status: Literal["ready"] = "ready"
    database: str


class FindingOut(Model):
    severity: str
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    entity_id: str | None = None


class SkippedOut(Model):
    record: str = Field(description="What was left out: `entity 'x'`, `stake 'a' -> 'b'`, or `line`.")
    file: str | None = None
    line: int | None = None
    column: str | None = Field(default=None, description="The column, or the JSON pointer of the statement.")
    code: str = Field(description="The fault's code, or `depends_on_skipped` for a record that needed a skipped one.")
    reason: str


class MaterialisedOut(Model):
    mode: str = Field(description="`incremental` (only what the load changed), `whole`, or `none`.")
    as_of: date
    recomputed: int = Field(description="Entities whose answer was computed.")
    created: int
    deleted: int
    statuses: int
    changes: int = Field(description="Change records written (entities whose answer changed).")


class LoadResponse(Model):
    model_config = _examples(
        {"format": "registry-csv", "counts": {"entities": 6, "stakes": 4, "controls": 1, "concerts": 1,
                                               "links": 1, "reported": 0}, "warnings": []}
    )

    format: str
    source: str | None = Field(default=None, description="The source this load updated (its Load node id).")
    snapshot: bool = Field(default=False, description="True: the source's edges missing from the input ended.")
    counts: dict[str, int]
    warnings: list[FindingOut]
    materialised: MaterialisedOut | None = Field(
        default=None, description="What the control recomputation did (null when not asked for)."
    )
    skipped_count: int = Field(default=0, description="Records left out by `on_fault=skip`.")
    skipped: list[SkippedOut] = Field(
        default_factory=list, description="Every record left out by `on_fault=skip`, where it is and why."
    )


# -- the change feed and watchlists ------------------------------------------------------------


class EntitySummaryLite(Model):
    id: str
    name: str | None = None
    kind: str | None = None
    founded: date | None = None


class ControllerRef(Model):
    id: str
    group: str | None = Field(default=None, description="Shared by the members of a bloc or mutual-control cycle.")


class ControlStateOut(Model):
    status: str | None = Field(description="Null: the entity had (or has) no materialised answer.")
    ultimate_controllers: list[ControllerRef]
    possible_ultimate_controllers: list[ControllerRef]
    controllers: list[str]


class ChangeCause(Model):
    kind: str = Field(description="`load`, `refresh` (days passed), `rebuild`, `merge` (the entity became part "
                                  "of another) or `judgement` (a reviewer's).")
    load_id: str | None = Field(default=None, description="The source whose load caused it (its Load node id).")
    merged_into: str | None = Field(default=None, description="For `merge`: the entity it is part of now.")


class ChangeLinks(Model):
    controllers: str = Field(description="The entity's `/controllers` answer as of the day it took effect.")
    page: str = Field(description="The entity's graph page.")


class ChangeOut(Model):
    seq: int = Field(description="Order of recording: higher is newer.")
    entity: EntitySummaryLite
    ruleset: str
    cause: ChangeCause
    effective: date = Field(description="The day the changed answer is computed for.")
    computed_at: datetime
    before: ControlStateOut
    after: ControlStateOut
    links: ChangeLinks


class ChangesResponse(Cursor):
    model_config = _examples(
        {
            "changes": [{
                "seq": 12, "entity": {"id": "ph-qh-dc-project-1", "name": "Qinghai project company 1",
                                      "kind": "company", "founded": "2024-12-10"},
                "ruleset": "majority", "cause": {"kind": "load", "load_id": "registry-csv:daily"},
                "effective": "2026-12-02", "computed_at": "2026-12-02T06:00:00Z",
                "before": {"status": None, "ultimate_controllers": [], "possible_ultimate_controllers": [],
                           "controllers": []},
                "after": {"status": "controlled", "ultimate_controllers": [{"id": "qh-borong-group", "group": None}],
                          "possible_ultimate_controllers": [{"id": "qh-borong-group", "group": None}],
                          "controllers": ["qh-borong-group"]},
                "links": {"controllers": "/entities/ph-qh-dc-project-1/controllers?as_of=2026-12-02",
                          "page": "/entities/ph-qh-dc-project-1/graph.html"},
            }],
            "next_cursor": None,
        }
    )

    changes: list[ChangeOut]


class WatchlistIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
                      description="Letters, digits, `_`, `.` and `-`.")
    entity_ids: list[str] = Field(min_length=1, max_length=100, description="The watched entities (their ids).")
    min_io: float = Field(default=0.25, ge=0.0, le=1.0, allow_inf_nan=False,
                          description="Alert on an owner with integrated ownership at least this (0..1).")


class WatchlistOut(Model):
    name: str
    entity_ids: list[str]
    min_io: float
    created_at: datetime | None = None
    updated_at: datetime | None = None


class WatchlistsResponse(Model):
    watchlists: list[WatchlistOut]


class Alert(Model):
    seq: int = Field(description="The change record that raised it.")
    entity: EntitySummaryLite
    watched: str = Field(description="The watched entity it is now under.")
    relation: str = Field(description="`ultimate_controller`, `controller` or `owner` (integrated ownership).")
    integrated_ownership: float | None = Field(default=None, description="The watched entity's integrated "
                                               "ownership in it, for `owner` (and shown for the others).")
    effective: date
    computed_at: datetime
    new_entity: bool = Field(description="True: the entity had no answer before (newly loaded or founded).")
    chain: list[ControlStep] = Field(default=[], description="For control: the chain from the watched entity.")
    paths: list[OwnershipPath] = Field(default=[], description="For ownership: the strongest ownership paths.")


class AlertsResponse(Cursor):
    watchlist: str
    since: datetime | None
    alerts: list[Alert]


# -- resolution ----------------------------------------------------------------------------


class EvidenceOut(Model):
    what: str = Field(description="`name`, `jurisdiction` or `founded`.")
    why: str


class CandidateOut(Model):
    a: EntitySummary
    b: EntitySummary
    score: float = Field(description="0..1: name similarity, weakened by an unstated jurisdiction or other "
                                     "founding dates.")
    evidence: list[EvidenceOut]


class CandidatesResponse(Paginated):
    model_config = _examples({
        "scanned": 2, "total": 1, "next_cursor": None,
        "candidates": [{"a": {"id": "91350100M000100Y43", "name": "福建示例控股有限公司", "kind": "company"},
                        "b": {"id": "fj-holding", "name": "Fujian Shili Konggu Co., Ltd.", "kind": "company"},
                        "score": 1.0, "evidence": [{"what": "name", "why": "fu jian shi li kong gu ~ fujian shili "
                                                    "konggu (100)"}, {"what": "jurisdiction", "why": "both CN"}]}],
    })

    scanned: int = Field(description="Entities looked at (each compared with the few its names find).")
    candidates: list[CandidateOut]


class JudgementIn(BaseModel):
    a: str = Field(min_length=1, max_length=500, description="An entity id or a source's record id.")
    b: str = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=1000, description="Why (kept with the judgement).")


class JudgementOut(Model):
    a: str
    b: str
    verdict: str = Field(description="`positive` (one entity) or `negative` (never one entity).")
    at: datetime
    note: str | None = None


class MergeOut(Model):
    absorbed: str
    into: str


class JudgementResponse(Model):
    judgement: JudgementOut | None = Field(description="What is recorded now (null after an undo).")
    entities: dict[str, str] = Field(description="Each id judged -> the entity it resolves to now.")
    merged: list[MergeOut]
    materialised: MaterialisedOut | None


class JudgementsResponse(Model):
    judgements: list[JudgementOut]
