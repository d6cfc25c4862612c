"""The columns of a generated registry read straight from its CSV files: no records, no checks.

For the control pass at sizes the record parse cannot hold (``docs/scale.md``: the
parse keeps about 2.4 GB per million companies, so 10M companies do not fit in
24 GB). Only for registries ``bench.generate`` wrote, which are valid by
construction; the same arrays as ``Columns.from_dataset(parse(...))``, which
``--check`` verifies on a registry small enough to parse.

    python -m bench.stream_columns FOLDER [--check] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
import time
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path

import numpy as np

from ownergraph.graph.columnar import Columns, ColumnsBuilder
from ownergraph.loaders.normalise import percent_to_fraction
from ownergraph.pipeline import parse

BATCH = 200_000


def _rows(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        yield header
        yield from reader


def _batches(path: Path) -> Iterator[tuple[dict[str, int], list[list[str]]]]:
    rows = _rows(path)
    header = next(rows, None)
    if header is None:
        return
    col = {name: i for i, name in enumerate(header)}
    while batch := list(islice(rows, BATCH)):
        yield col, batch


class _Cells:
    def __init__(self) -> None:
        self.days: dict[str, int] = {}
        self.percents: dict[str, float] = {}

    def day(self, text: str) -> int | None:
        if not text:
            return None
        d = self.days.get(text)
        if d is None:
            d = self.days[text] = date.fromisoformat(text).toordinal()
        return d

    def percent(self, text: str) -> float | None:
        if not text:
            return None
        p = self.percents.get(text)
        if p is None:
            p = self.percents[text] = percent_to_fraction(float(text))
        return p


def _column(batch: list[list[str]], col: dict[str, int], name: str) -> list[str]:
    i = col.get(name)
    return [""] * len(batch) if i is None else [row[i] for row in batch]


def stream_columns(folder: Path) -> Columns:
    """``Columns`` of a generated registry folder, a batch of rows at a time."""
    build = ColumnsBuilder()
    cells = _Cells()
    for col, batch in _batches(folder / "entities.csv"):
        capital = [float(x) if x else None for x in _column(batch, col, "registered_capital")]
        build.entities(_column(batch, col, "id"), capital)
    for col, batch in _batches(folder / "ownership.csv"):
        n = len(batch)
        none: list[float | None] = [None] * n
        sub = [float(x) if x else None for x in _column(batch, col, "subscribed_capital")]
        build.stakes(_column(batch, col, "owner_id"), _column(batch, col, "owned_id"),
                     [cells.percent(x) for x in _column(batch, col, "share")],
                     [cells.percent(x) for x in _column(batch, col, "share_min")],
                     [cells.percent(x) for x in _column(batch, col, "share_max")],
                     [False] * n, none, none, none, sub,
                     [cells.day(x) for x in _column(batch, col, "start")],
                     [cells.day(x) for x in _column(batch, col, "end")], [None] * n)
    for col, batch in _batches(folder / "control.csv"):
        build.controls(_column(batch, col, "controller_id"), _column(batch, col, "controlled_id"),
                       [x or None for x in _column(batch, col, "basis")],
                       [cells.day(x) for x in _column(batch, col, "start")],
                       [cells.day(x) for x in _column(batch, col, "end")])
    for col, batch in _batches(folder / "concert.csv"):
        build.concerts(_column(batch, col, "party_a"), _column(batch, col, "party_b"),
                       [x or None for x in _column(batch, col, "scope_id")],
                       [cells.day(x) for x in _column(batch, col, "start")],
                       [cells.day(x) for x in _column(batch, col, "end")])
    return build.columns()


def same_columns(a: Columns, b: Columns) -> list[str]:
    """The fields in which two ``Columns`` differ (NaN equal to NaN)."""
    differ = []
    for name in Columns.__slots__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                differ.append(name)
        elif list(x) != list(y) if name in ("ids", "sources") else x != y:
            differ.append(name)
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with the record parse's columns")
    parser.add_argument("--out", type=Path, help="pickle the columns to this file")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    cols = stream_columns(args.folder)
    print(f"{cols.loaded:,} entities, {cols.owner.size:,} stakes in {time.perf_counter() - began:.1f} s")
    if args.out is not None:
        with args.out.open("wb") as fh:
            pickle.dump(cols, fh, protocol=pickle.HIGHEST_PROTOCOL)
    if args.check:
        differ = same_columns(cols, Columns.from_dataset(parse("registry-csv", args.folder)))
        print("same columns as the record parse" if not differ else f"differ in {', '.join(differ)}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
