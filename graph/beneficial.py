"""Beneficial owners, spec section 6: natural persons who own at least b or control."""

from __future__ import annotations

from datetime import date

from graph.answers import BeneficialOwner, BeneficialOwnersAnswer
from graph.build import build_view, restrict, upstream_closure
from graph.control import check_parameters, controllers_in_view
from graph.engine import EPS
from graph.errors import EntityNotFound, InvalidParameter
from graph.model import Dataset
from graph.ownership import integrated_ownership


def beneficial_owners(
    data: Dataset,
    target_id: str,
    *,
    as_of: date,
    threshold: float = 0.25,
    ruleset: str = "majority",
    control_threshold: float = 0.5,
    relative_threshold: float = 0.30,
) -> BeneficialOwnersAnswer:
    """Persons with integrated ownership >= ``threshold`` in the target, or who control it.

    Integrated ownership takes shares at their lower bound; ``controls`` means
    a definite controller (ultimate or intermediate, alone or in a bloc).

    >>> from graph.model import Entity, Stake, Share
    >>> d = Dataset(entities=[Entity("p", "P", "person"), Entity("q", "Q", "person"),
    ...                       Entity("a", "A", "company")],
    ...             stakes=[Stake("p", "a", Share(exact=0.3)), Stake("q", "a", Share(exact=0.1))])
    >>> [(b.id, b.controls) for b in beneficial_owners(d, "a", as_of=date(2024, 1, 1)).beneficial_owners]
    [('p', False)]
    """
    check_parameters(ruleset, control_threshold, relative_threshold)
    if not 0.0 <= threshold <= 1.0:
        raise InvalidParameter(f"threshold must be between 0 and 1, got {threshold!r}")
    if not any(e.id == target_id for e in data.entities):
        raise EntityNotFound(target_id)
    view = build_view(restrict(data, upstream_closure(data, target_id)), as_of)
    control = controllers_in_view(view, target_id, ruleset=ruleset, threshold=control_threshold,
                                  relative_threshold=relative_threshold)
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
            reasons.append("controls the entity (" + ruleset + " ruleset)")
        out.append(BeneficialOwner(e.id, e.name, share, controls, "; ".join(reasons)))
    out.sort(key=lambda b: (-b.integrated_ownership, b.id))
    return BeneficialOwnersAnswer(target_id, view.name(target_id), as_of, threshold, ruleset,
                                  control_threshold, relative_threshold, tuple(out),
                                  tuple(view.flags) + tuple(io.flags))
