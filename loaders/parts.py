"""A load read in parts: the records of one file a batch at a time, for bulk jobs on registries too
large to hold as records (docs/scale.md).

A ``Part`` holds records of one kind (entities, or stakes, or ...) with the
lines they came from. ``PartsCheck`` gives a load read in parts the findings
``check_dataset`` gives the whole load, while it keeps only the load's
columns (``graph.columnar``): each part is checked against the entity ids of
the parts before it, then added to the columns, and what needs every stake at
once is checked on the columns at the end (``check_columns``). Entities come
before the edges that name them, as a registry-csv folder orders its files.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ownergraph.graph.columnar import Columns, ColumnsBuilder
from ownergraph.graph.model import Dataset, Finding
from ownergraph.loaders.validate import ArrayLines, Locations, RowLines, check_columns, check_dataset

__all__ = ["DatasetParts", "Part", "Parts", "PartsCheck"]

EDGE_KINDS = ("stakes", "controls", "concerts", "links", "reported")


@dataclass
class Part:
    """Records of one kind (``data`` holds one non-empty list) and where each came from."""

    kind: str  # "entities", "stakes", "controls", "concerts", "links" or "reported"
    data: Dataset
    where: RowLines = field(default_factory=RowLines)


class Parts(Protocol):
    """A load as parts, then (once they have all been taken) its columns and findings."""

    def __iter__(self) -> Iterator[Part]: ...

    def columns(self) -> Columns:
        """The load's columns (asked for once, after the parts)."""
        ...

    @property
    def findings(self) -> list[Finding]: ...


class DatasetParts:
    """A ``Dataset`` already parsed and checked, as parts (one a kind).

    >>> from ownergraph.graph.model import Entity, Share, Stake
    >>> d = Dataset(entities=[Entity("a", "A", "company"), Entity("b", "B", "company")],
    ...             stakes=[Stake("a", "b", Share(exact=0.6))])
    >>> parts = DatasetParts(d)
    >>> [p.kind for p in parts], parts.columns().owner.size
    (['entities', 'stakes'], 1)
    """

    def __init__(self, data: Dataset) -> None:
        self.data = data

    def __iter__(self) -> Iterator[Part]:
        for kind in ("entities", *EDGE_KINDS):
            records = getattr(self.data, kind)
            if records:
                yield Part(kind, Dataset(**{kind: records}))

    def columns(self) -> Columns:
        return Columns.from_dataset(self.data)

    @property
    def findings(self) -> list[Finding]:
        return []


class PartsCheck:
    """``check_dataset`` over a load read in parts, and the load's columns built on the way."""

    def __init__(self, *, skip: Collection[str] = ()) -> None:
        self.build = ColumnsBuilder()
        self.skip = frozenset(skip)
        self.findings: list[Finding] = []
        self._entities = 0  # entity ids are the first interned: indices below this
        self._edges = False
        self._stake_file: str | None = None
        self._stake_lines: list[NDArray[np.int32]] = []

    def __contains__(self, entity_id: object) -> bool:
        """An entity id of the parts added so far."""
        at = self.build.names.get(entity_id) if isinstance(entity_id, str) else None
        return at is not None and at < self._entities

    def add(self, part: Part) -> None:
        """Check one part against the parts before it, then add its records to the columns."""
        if part.kind == "entities" and self._edges:
            raise ValueError("entities after edges: a load in parts gives its entities first")
        self._edges = self._edges or part.kind != "entities"
        self.findings += check_dataset(part.data, locations=part.where, skip=self.skip, known=self, whole=False)
        self.build.records(part.data)
        if part.kind == "entities":
            self._entities = len(self.build.names)
        elif part.kind == "stakes":
            file = part.where.file_of("stakes")
            self._stake_file = self._stake_file or file
            lines = part.where.lines_for("stakes", file or "") if file is not None else []
            if len(lines) != len(part.data.stakes):
                lines = [0] * len(part.data.stakes)  # no lines: findings name the file alone
            self._stake_lines.append(np.array(lines, dtype=np.int32))

    def finish(self) -> Columns:
        """The load's columns, with the findings that need every stake added to ``findings``."""
        cols = self.build.columns()
        self.build = ColumnsBuilder()  # the id dictionary, the largest part of a national load, is not needed now
        lines = np.concatenate(self._stake_lines) if self._stake_lines else np.empty(0, dtype=np.int32)
        self._stake_lines.clear()
        where: Locations = ArrayLines("stakes", self._stake_file or "", lines)
        self.findings += [f for f in check_columns(cols, locations=where) if f.code not in self.skip]
        return cols
