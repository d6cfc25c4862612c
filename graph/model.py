"""The domain records: what registries say about who holds what.

Every loader turns its format into these records; the control engine reads
them; the Neo4j writer stores them with property names equal to the field
names. Shares are fractions in [0, 1] inside the system.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

EntityKind = Literal["company", "partnership", "person", "state_body", "fund", "other", "unknown"]
ENTITY_KINDS: tuple[str, ...] = (
    "company",
    "partnership",
    "person",
    "state_body",
    "fund",
    "other",
    "unknown",  # an unspecified party (BODS unspecifiedReason): never merged with another
)

ControlBasis = Literal["general_partner", "agreement", "board", "declared", "consolidation"]
CONTROL_BASES: tuple[str, ...] = ("general_partner", "agreement", "board", "declared", "consolidation")

# Links that views show and control ignores (supplier, customer, director, influence, ...).
LinkType = str


OPEN_BOUND_STEP = 1e-7
"""How far inside an exclusive bound its inclusive stand-in lies (0.00001 percentage points).

Larger than the engine's float slack (``graph.engine.EPS``, 1e-9), so that "more
than 50%" passes the strict "more than half" test of control, and far below
any share a registry states (the answers print two decimals of a percent).
"""


def inside(bound: float, toward: float) -> float:
    """The inclusive stand-in of an exclusive bound: one ``OPEN_BOUND_STEP`` toward ``toward``.

    >>> inside(0.5, 1.0) > 0.5 + 1e-9, inside(0.25, 0.0) < 0.25
    (True, True)
    """
    return bound + OPEN_BOUND_STEP if toward >= bound else bound - OPEN_BOUND_STEP


@dataclass(frozen=True, slots=True)
class Share:
    """An equity or voting share: exact, an interval, or unknown (all None).

    ``minimum``/``maximum`` are inclusive bounds; an exclusive bound from a
    source ("more than 50%") is kept as :func:`inside` it and shown by ``raw``.

    >>> Share(exact=0.51).lower, Share(minimum=0.25, maximum=0.5).upper
    (0.51, 0.5)
    >>> Share().is_unknown
    True
    """

    exact: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    raw: str | None = None  # the source's own text ("25-50%", ">50%"), kept for the proof

    @property
    def is_unknown(self) -> bool:
        return self.exact is None and self.minimum is None and self.maximum is None

    @property
    def is_exact(self) -> bool:
        return self.exact is not None

    @property
    def lower(self) -> float:
        """The share at its lowest: unknown counts as 0."""
        if self.exact is not None:
            return self.exact
        return self.minimum if self.minimum is not None else 0.0

    @property
    def upper(self) -> float | None:
        """The share at its highest; None when no upper bound is stated."""
        if self.exact is not None:
            return self.exact
        return self.maximum


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    kind: str  # one of ENTITY_KINDS
    name_en: str | None = None
    aliases: tuple[str, ...] = ()
    jurisdiction: str | None = None
    uscc: str | None = None
    lei: str | None = None
    founded: date | None = None
    dissolved: date | None = None
    registered_capital: float | None = None
    currency: str | None = None
    status: str | None = None
    source: str | None = None
    # unknown columns / format-specific details, kept as sorted (key, value) pairs
    extra: tuple[tuple[str, str], ...] = ()
    # (scheme, value) as the source gives them, normalised when valid (graph/identifiers.py)
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Stake:
    """OWNS owner -> owned: an equity stake, valid in [start, end)."""

    owner_id: str
    owned_id: str
    share: Share = field(default_factory=Share)
    voting_share: Share | None = None  # None: voting share = equity share
    subscribed_capital: float | None = None
    share_derived: bool = False  # share computed from subscribed capital (docs/control.md section 1)
    start: date | None = None
    end: date | None = None
    source: str | None = None
    detail: str | None = None  # e.g. the account suffix of a listed-company holder
    flags: tuple[str, ...] = ()  # data-quality flags kept with the edge (e.g. "direct_or_indirect_unknown")
    # 2, 3, ... for further rows of one stake (same owner, owned, start, source, detail): separate
    # subscriptions of capital by one holder, kept as edges of their own and added together.
    part: int = 0

    @property
    def key(self) -> str:
        """Identity of the stake for idempotent loads (not the share: a reload updates it)."""
        key = "|".join((self.owner_id, self.owned_id, _iso(self.start), self.source or "", self.detail or ""))
        return f"{key}|#{self.part}" if self.part else key


@dataclass(frozen=True, slots=True)
class Control:
    """CONTROLS controller -> controlled with a basis, valid in [start, end)."""

    controller_id: str
    controlled_id: str
    basis: str  # one of CONTROL_BASES
    start: date | None = None
    end: date | None = None
    source: str | None = None

    @property
    def key(self) -> str:
        return "|".join((self.controller_id, self.controlled_id, self.basis, _iso(self.start), self.source or ""))


@dataclass(frozen=True, slots=True)
class Concert:
    """ACTS_IN_CONCERT between two parties, optionally scoped to one company."""

    party_a: str
    party_b: str
    scope_id: str | None = None
    start: date | None = None
    end: date | None = None
    source: str | None = None

    @property
    def key(self) -> str:
        a, b = sorted((self.party_a, self.party_b))
        return "|".join((a, b, self.scope_id or "", _iso(self.start), self.source or ""))


@dataclass(frozen=True, slots=True)
class Link:
    """A typed non-ownership link (supplier, customer, director, influence): shown, never used for control."""

    source_id: str
    target_id: str
    link_type: str
    start: date | None = None
    end: date | None = None
    source: str | None = None
    detail: str | None = None

    @property
    def key(self) -> str:
        return "|".join((self.source_id, self.target_id, self.link_type, _iso(self.start), self.source or ""))


@dataclass(frozen=True, slots=True)
class ReportedRelation:
    """Someone else's computed answer, kept to compare with ours, never computed with.

    GLEIF IS_ULTIMATELY_CONSOLIDATED_BY (relation="ultimate_parent") and BODS
    indirect interests with componentRecords (relation="declared_indirect").
    """

    subject_id: str  # the owned / controlled entity
    object_id: str  # the reported owner / parent
    relation: str
    share: Share = field(default_factory=Share)
    start: date | None = None
    end: date | None = None
    source: str | None = None
    detail: str | None = None

    @property
    def key(self) -> str:
        return "|".join((self.subject_id, self.object_id, self.relation, _iso(self.start), self.source or ""))


MAX_MESSAGE = 500  # characters of a finding's message; longer ones are clipped in the middle


@dataclass(frozen=True, slots=True)
class Finding:
    """A located problem in the input: a fault (rejects the load) or a warning (kept, reported)."""

    severity: Literal["error", "warning"]
    code: str  # snake_case, e.g. "share_out_of_range", "shares_sum_above_100"
    message: str  # a human sentence saying what was expected
    file: str | None = None
    line: int | None = None  # 1-based physical line (CSV) or record number (JSONL)
    column: str | None = None  # column name, or JSON pointer for JSON sources
    entity_id: str | None = None

    def __post_init__(self) -> None:
        # Messages quote the offending cell, which may be megabytes: keep a sentence.
        if len(self.message) > MAX_MESSAGE:
            clipped = f"{self.message[: MAX_MESSAGE - 120]} ... {self.message[-100:]}"
            object.__setattr__(self, "message", clipped)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        col = f" column {self.column}" if self.column else ""
        prefix = f"{where}{col}: " if where or col else ""
        return f"{prefix}{self.severity}: {self.message} [{self.code}]"


@dataclass(slots=True)
class Dataset:
    """Everything one load brings (or one subgraph read back from Neo4j)."""

    entities: list[Entity] = field(default_factory=list)
    stakes: list[Stake] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    concerts: list[Concert] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    reported: list[ReportedRelation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Where each record came from, (list name, index) -> (file, line), when the parser knows it:
    # a lenient load leaves a faulty record out by it. Not carried by ``extend``.
    origins: Mapping[tuple[str, int], tuple[str, int]] | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def extend(self, other: Dataset) -> None:
        self.entities.extend(other.entities)
        self.stakes.extend(other.stakes)
        self.controls.extend(other.controls)
        self.concerts.extend(other.concerts)
        self.links.extend(other.links)
        self.reported.extend(other.reported)
        self.findings.extend(other.findings)

    def entity_ids(self) -> set[str]:
        return {e.id for e in self.entities}


def valid_at(start: date | None, end: date | None, as_of: date) -> bool:
    """The view at a date: start <= as_of < end, missing bounds open.

    >>> valid_at(date(2020, 1, 1), None, date(2024, 1, 1))
    True
    >>> valid_at(None, date(2024, 1, 1), date(2024, 1, 1))
    False
    """
    return (start is None or start <= as_of) and (end is None or as_of < end)


def by_id(entities: Iterable[Entity]) -> dict[str, Entity]:
    return {e.id: e for e in entities}


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""
