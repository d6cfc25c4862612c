"""The answers of the control engine: frozen, JSON-ready through ``dataclasses.asdict``.

Every answer carries its ``as_of`` date, the parameters it was computed with
and the data-quality flags met on the way, so that it can be reproduced and
judged without the code. Dates stay ``date`` objects; the API serialises them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


class _AsDict:
    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """The answer as plain dicts/lists (dates stay ``date``)."""
        return asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True, slots=True)
class QualityFlag(_AsDict):
    """A data fault found while computing (docs/control.md section 1): reported, never fixed silently."""

    code: str  # snake_case, e.g. "shares_sum_above_100"
    message: str  # what is wrong and what the engine did about it
    entity_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShareInfo(_AsDict):
    """A share as the data gives it: exact, or an interval (either bound may be missing)."""

    exact: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False  # computed from subscribed capital (docs/control.md section 1)
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class StakeRef(_AsDict):
    """One OWNS edge as used in a proof: its share and the voting share counted."""

    owner_id: str
    owned_id: str
    share: ShareInfo
    voting_share: float  # the voting share counted in this computation (bound applied)
    start: date | None = None
    end: date | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ControlStep(_AsDict):
    """One link of a chain of control: ``from_id`` controls ``to_id``, and why.

    ``rule`` is ``controls_edge`` (a CONTROLS edge, see ``basis``), ``majority``
    (pooled voting share above the threshold), ``relative`` (largest pooled
    holder at or above the relative threshold) or ``concert`` (a bloc's pooled
    share; ``from_id`` is then the bloc's group id). ``contributing`` lists
    every stake whose votes were pooled; the steps proving that ``from_id``
    controls the other contributing owners come earlier in the chain.
    """

    from_id: str
    to_id: str
    relation: str  # "OWNS" or "CONTROLS"
    rule: str
    basis: str | None = None  # CONTROLS basis (general_partner, agreement, ...)
    share: ShareInfo | None = None  # from_id's own direct stake in to_id, if any
    voting_share: float | None = None  # from_id's own direct voting share counted
    pooled_voting_share: float | None = None  # the sum compared with the threshold
    start: date | None = None
    end: date | None = None
    source: str | None = None
    contributing: tuple[StakeRef, ...] = ()


@dataclass(frozen=True, slots=True)
class UltimateController(_AsDict):
    id: str
    name: str
    kind: str
    basis: str  # rule or CONTROLS basis of this controller's own step nearest the target
    group: str | None  # shared by all members of a bloc ("concert:...") or cycle ("cycle:...")
    chain: tuple[ControlStep, ...]  # from this controller down to the target, prerequisites first


@dataclass(frozen=True, slots=True)
class Holder(_AsDict):
    id: str
    name: str
    kind: str
    integrated_ownership: float  # shares at their lower bound


@dataclass(frozen=True, slots=True)
class ControlAnswer(_AsDict):
    """``GET /entities/{id}/controllers``: who ultimately controls the target."""

    target_id: str
    name: str
    as_of: date
    ruleset: str
    threshold: float
    relative_threshold: float
    status: str  # "controlled", "no_controller" or "undetermined"
    ultimate_controllers: tuple[UltimateController, ...]  # definite ones (shares at lowest)
    possible_ultimate_controllers: tuple[UltimateController, ...]  # shares at highest
    deciding_stakes: tuple[StakeRef, ...]  # uncertain stakes the status depends on
    controllers: tuple[str, ...]  # every definite controller, ultimate or intermediate
    largest_holders: tuple[Holder, ...]  # by integrated ownership (lower bounds)
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class ControlSummary(_AsDict):
    """The lite answer of ``bulk_control``: same status and ultimate controllers, no chains."""

    status: str
    ultimate_controllers: tuple[str, ...]
    possible_ultimate_controllers: tuple[str, ...]
    groups: tuple[tuple[str, str], ...] = ()  # (member id, group id) for bloc/cycle members


@dataclass(frozen=True, slots=True)
class ControlledEntity(_AsDict):
    id: str
    name: str
    kind: str
    founded: date | None
    definite: bool  # False: controlled only with uncertain shares at their highest
    group: str | None  # set when the entity controls jointly, as a member of this bloc
    chain: tuple[ControlStep, ...]


@dataclass(frozen=True, slots=True)
class ControlledAnswer(_AsDict):
    """``GET /entities/{id}/controlled``: everything the entity controls."""

    controller_id: str
    name: str
    as_of: date
    ruleset: str
    threshold: float
    relative_threshold: float
    founded_from: date | None
    founded_to: date | None
    controlled: tuple[ControlledEntity, ...]
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class OwnershipPath(_AsDict):
    ids: tuple[str, ...]  # owner first, target last
    shares: tuple[float, ...]  # one per edge (lower bounds)
    product: float


@dataclass(frozen=True, slots=True)
class Owner(_AsDict):
    id: str
    name: str
    kind: str
    integrated_ownership: float  # shares at their lower bound (unknown = 0)
    integrated_ownership_max: float | None  # shares at their upper bound; None if not finite
    top_level: bool  # has no owner itself
    direct_share: ShareInfo | None  # its own direct stake in the target, if any
    paths: tuple[OwnershipPath, ...]  # the strongest paths, strongest first
    paths_truncated: bool  # more paths exist than listed


@dataclass(frozen=True, slots=True)
class OwnersAnswer(_AsDict):
    """``GET /entities/{id}/owners``: the upstream tree with integrated ownership."""

    target_id: str
    name: str
    as_of: date
    share_basis: str  # "lower_bound": intervals at their minimum, unknown as 0
    owners: tuple[Owner, ...]  # by integrated ownership, largest first
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class BeneficialOwner(_AsDict):
    id: str
    name: str
    integrated_ownership: float
    controls: bool
    reason: str


@dataclass(frozen=True, slots=True)
class BeneficialOwnersAnswer(_AsDict):
    target_id: str
    name: str
    as_of: date
    threshold: float
    ruleset: str
    control_threshold: float
    relative_threshold: float
    beneficial_owners: tuple[BeneficialOwner, ...]
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class CapturedOwner(_AsDict):
    id: str
    share: float  # equity share counted (exact, or the lower bound of an interval)


@dataclass(frozen=True, slots=True)
class CapturedEntity(_AsDict):
    id: str
    name: str
    listed: bool  # on the list itself
    captured_share: float  # sum of the captured owners' shares
    captured_owners: tuple[CapturedOwner, ...]


@dataclass(frozen=True, slots=True)
class ScreeningAnswer(_AsDict):
    """``POST /screen``: the aggregate 50% rule."""

    as_of: date
    threshold: float
    share_basis: str  # "lower_bound": exact shares, intervals at their minimum, unknown as 0
    listed: tuple[str, ...]
    captured: tuple[CapturedEntity, ...]
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class CommonOwner(_AsDict):
    id: str
    name: str
    kind: str
    integrated_ownership: dict[str, float]  # member id -> IO
    nearest: bool
    top_level: bool


@dataclass(frozen=True, slots=True)
class CommonOwnersAnswer(_AsDict):
    ids: tuple[str, ...]
    as_of: date
    common_owners: tuple[CommonOwner, ...]
    flags: tuple[QualityFlag, ...]


@dataclass(frozen=True, slots=True)
class ClusterMember(_AsDict):
    id: str
    name: str
    founded: date | None
    integrated_ownership: float  # the cluster owner's IO in this member


@dataclass(frozen=True, slots=True)
class ClusterOwner(_AsDict):
    id: str
    name: str
    kind: str
    basis: str  # "ultimate_controller", "common_owner" or "ultimate_controller+common_owner"
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Cluster(_AsDict):
    controller: ClusterOwner  # the owner the group is named after; members' IO is this owner's
    members: tuple[ClusterMember, ...]
    common_owners: tuple[ClusterOwner, ...] = ()  # every top owner gathering exactly these members


@dataclass(frozen=True, slots=True)
class ClustersAnswer(_AsDict):
    as_of: date
    founded_from: date | None
    founded_to: date | None
    min_io: float
    ruleset: str
    threshold: float
    relative_threshold: float
    clusters: tuple[Cluster, ...]
    flags: tuple[QualityFlag, ...]
