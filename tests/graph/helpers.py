"""Terse builders for hand-made graphs."""

from __future__ import annotations

from datetime import date

import numpy as np

from ownergraph.graph.columnar import Columns
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake

DAY = date(2024, 6, 30)


def share(value: float | tuple[float | None, float | None] | None) -> Share:
    if value is None:
        return Share()
    if isinstance(value, tuple):
        return Share(minimum=value[0], maximum=value[1])
    return Share(exact=value)


def dataset(
    entities: str | dict[str, str],
    stakes: list[tuple[str, str, float | tuple[float | None, float | None] | None]] = (),  # type: ignore[assignment]
    controls: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    concerts: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Dataset:
    """``entities`` as "a b p:person" (kind defaults to company) or {id: kind}."""
    if isinstance(entities, str):
        kinds = {}
        for token in entities.split():
            i, _, k = token.partition(":")
            kinds[i] = k or "company"
    else:
        kinds = entities
    return Dataset(
        entities=[Entity(i, i.upper(), k) for i, k in kinds.items()],
        stakes=[Stake(o, y, share(v)) for o, y, v in stakes],
        controls=[Control(c, y, b) for c, y, b in controls],
        concerts=[Concert(a, b) for a, b in concerts],
    )


def assert_same_columns(a: Columns, b: Columns) -> None:
    """Every field of two ``Columns`` alike: arrays of one dtype with equal values (NaN equal to NaN)."""
    for name in Columns.__slots__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
        elif name in ("ids", "sources"):
            assert list(x) == list(y), name
        else:
            assert x == y, name
