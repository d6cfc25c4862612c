"""Beneficial owners, docs/control.md section 6: natural persons who own at least b or control."""

from __future__ import annotations

from ownergraph.graph.answers import BeneficialOwner, BeneficialOwnersAnswer
from ownergraph.graph.build import build_view, restrict, upstream_closure
from ownergraph.graph.control import controllers_in_view
from ownergraph.graph.engine import EPS
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.model import Dataset
from ownergraph.graph.ownership import integrated_ownership
from ownergraph.graph.params import DEFAULT_BENEFICIAL_THRESHOLD, ControlParams, check_fraction


def beneficial_owners(
    data: Dataset,
    target_id: str,
    params: ControlParams,
    *,
    threshold: float = DEFAULT_BENEFICIAL_THRESHOLD,
) -> BeneficialOwnersAnswer:
    """Persons with integrated ownership >= ``threshold`` in the target, or who control it.

    Integrated ownership takes shares at their lower bound; ``controls`` means
    a definite controller (ultimate or intermediate, alone or in a bloc).

    >>> from datetime import date
    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("q", "Q", "person"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "a", Share(exact=0.3)), Stake("q", "a", Share(exact=0.1))])
    >>> [(b.id, b.controls) for b in beneficial_owners(d, "a", ControlParams(date(2024, 1, 1))).beneficial_owners]
    [('p', False)]
    """
    check_fraction("threshold", threshold)
    if not any(e.id == target_id for e in data.entities):
        raise EntityNotFound(target_id)
    view = build_view(restrict(data, upstream_closure(data, target_id)), params.as_of)
    control = controllers_in_view(view, target_id, params)
    controlling = set(control.controllers)
    io = integrated_ownership(view, [target_id])
    out = []
    for e in view.entities.values():
        if e.kind != "person" or e.id == target_id:
            continue
        share = io.of(e.id, target_id)
        owns = share >= threshold - EPS
        controls = e.id in controlling
        if not owns and not controls:
            continue
        reasons = []
        if owns:
            reasons.append(f"integrated ownership {share:.2%} >= {threshold:.0%}")
        if controls:
            reasons.append("controls the entity (" + params.ruleset + " ruleset)")
        out.append(BeneficialOwner(e.id, e.name, share, controls, "; ".join(reasons)))
    out.sort(key=lambda b: (-b.integrated_ownership, b.id))
    return BeneficialOwnersAnswer(target_id, view.name(target_id), params.as_of, threshold, params.ruleset,
                                  params.threshold, params.relative_threshold, tuple(out),
                                  tuple(view.flags) + tuple(io.flags))
