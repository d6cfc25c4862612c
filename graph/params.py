"""The parameters of a control question, with the defaults of docs/control.md in one place."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from ownergraph.graph.errors import InvalidParameter

__all__ = [
    "DEFAULT_BENEFICIAL_THRESHOLD",
    "DEFAULT_MIN_IO",
    "DEFAULT_RELATIVE_THRESHOLD",
    "DEFAULT_RULESET",
    "DEFAULT_THRESHOLD",
    "RULESETS",
    "ControlParams",
    "Ruleset",
    "check_fraction",
]

Ruleset = Literal["majority", "relative"]
RULESETS: tuple[Ruleset, ...] = ("majority", "relative")
DEFAULT_RULESET: Ruleset = "majority"
DEFAULT_THRESHOLD = 0.5
"""Control: voting share strictly above this (majority ruleset)."""
DEFAULT_RELATIVE_THRESHOLD = 0.30
"""Relative ruleset: the largest holder at or above this, with no other as large."""
DEFAULT_BENEFICIAL_THRESHOLD = 0.25
"""Beneficial ownership: integrated ownership at or above this."""
DEFAULT_MIN_IO = 0.25
"""Clusters and watchlists: a common owner's integrated ownership at or above this."""


@dataclass(frozen=True, slots=True)
class ControlParams:
    """On which day, by which ruleset and at which thresholds control is asked.

    Built once at the edge (route, CLI) and passed through the service into
    the engine; an unknown ruleset or a threshold outside [0, 1] is refused
    when it is built.

    >>> ControlParams(date(2025, 1, 1))
    ControlParams(as_of=datetime.date(2025, 1, 1), ruleset='majority', threshold=0.5, relative_threshold=0.3)
    >>> ControlParams(date(2025, 1, 1), ruleset="plurality")
    Traceback (most recent call last):
    ...
    ownergraph.graph.errors.InvalidParameter: unknown ruleset 'plurality' (expected one of: majority, relative)
    >>> ControlParams(date(2025, 1, 1)).is_default_question()
    True
    """

    as_of: date
    ruleset: str = DEFAULT_RULESET
    threshold: float = DEFAULT_THRESHOLD
    relative_threshold: float = DEFAULT_RELATIVE_THRESHOLD

    def __post_init__(self) -> None:
        if self.ruleset not in RULESETS:
            raise InvalidParameter(f"unknown ruleset {self.ruleset!r} (expected one of: {', '.join(RULESETS)})")
        check_fraction("threshold", self.threshold)
        check_fraction("relative_threshold", self.relative_threshold)

    def on(self, as_of: date) -> ControlParams:
        """The same rules on another day."""
        return replace(self, as_of=as_of)

    def is_default_question(self) -> bool:
        """True when only the day differs from the default question (the materialised one)."""
        return (self.ruleset, self.threshold, self.relative_threshold) == (
            DEFAULT_RULESET,
            DEFAULT_THRESHOLD,
            DEFAULT_RELATIVE_THRESHOLD,
        )


def check_fraction(name: str, value: float) -> None:
    """Raise ``InvalidParameter`` unless ``value`` is in [0, 1].

    >>> check_fraction("min_io", 1.5)
    Traceback (most recent call last):
    ...
    ownergraph.graph.errors.InvalidParameter: min_io must be between 0 and 1, got 1.5
    """
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise InvalidParameter(f"{name} must be between 0 and 1, got {value!r}")
