"""A lenient load: leave out every record with a fault and every record depending on one.

Pure: records and findings in, fewer records and the list of what was left out
out. A fault is tied to its record by where both come from (the file and line,
or the JSON pointer of an array element: ``Dataset.origins``); a record whose
entity was left out goes with it (a stake whose owner was skipped, a link to
it, ...). Faults of a whole file (unreadable, not UTF-8, not JSON at all, a
missing header) belong to no record: they still refuse the load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from ownergraph.graph.model import Dataset, Finding
from ownergraph.loaders.validate import RowLines

__all__ = ["FILE_FAULTS", "Skipped", "skip_faulty_records"]

# Codes of faults of a whole file or folder: no record to leave out, the load stays refused.
FILE_FAULTS = frozenset({
    "not_found", "unreadable_file", "bad_gzip", "bad_encoding", "empty_file", "missing_file", "missing_folder",
    "missing_header", "duplicate_column", "bad_csv", "bad_xlsx", "no_gleif_files",
})

# Each record list and the fields naming the entities it depends on.
_ENDS: dict[str, tuple[str, ...]] = {
    "stakes": ("owner_id", "owned_id"),
    "controls": ("controller_id", "controlled_id"),
    "concerts": ("party_a", "party_b", "scope_id"),
    "links": ("source_id", "target_id"),
    "reported": ("subject_id", "object_id"),
}


@dataclass(frozen=True, slots=True)
class Skipped:
    """One record left out of a lenient load, where it is and why."""

    record: str  # "stake a -> b", "entity x", or "line" for a line that gave no record
    file: str | None
    line: int | None
    column: str | None  # the fault's column or JSON pointer
    code: str
    reason: str

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        col = f" column {self.column}" if self.column else ""
        return f"{where}{col}: skipped {self.record}: {self.reason} [{self.code}]"


Place = tuple[str | None, int | str]  # (file, line) or (file, "/12"): where a record or a fault is


def _top_pointer(column: str | None) -> str | None:
    if not column or not column.startswith("/"):
        return None
    head = column.split("/", 2)[1]
    return f"/{head}" if head.isdigit() else None


def _finding_place(f: Finding) -> Place | None:
    if f.line:
        return f.file, f.line
    pointer = _top_pointer(f.column)
    return (f.file, pointer) if pointer else None


def _record_places(data: Dataset) -> Iterator[tuple[Place, str, int]]:
    origins = data.origins
    if origins is None:
        return
    for kind, index in origins:
        file, line = origins[(kind, index)]
        if line:
            yield (file, line), kind, index
        elif isinstance(origins, RowLines):
            pointer = _top_pointer(origins.pointer(kind, index))
            if pointer:
                yield (file, pointer), kind, index


def _describe(kind: str, record: Any) -> str:
    if kind == "entities":
        return f"entity {record.id!r}"
    ends = [getattr(record, e) for e in _ENDS[kind] if getattr(record, e)]
    return f"{kind.rstrip('s') if kind != 'reported' else 'reported relation'} {' -> '.join(map(repr, ends[:2]))}"


def skip_faulty_records(data: Dataset) -> list[Skipped]:
    """Remove faulty records and their dependents from ``data``; what was removed (faulty first).

    Error findings tied to a record are replaced by the returned list; those of a
    whole file (``FILE_FAULTS``, or an unlocated error) stay in ``data.findings``
    for the caller to refuse the load with. ``data.origins`` no longer matches
    the lists afterwards and is cleared.

    >>> from ownergraph.graph.model import Entity, Stake, Share
    >>> from ownergraph.loaders.validate import RowLines
    >>> lines = RowLines()
    >>> for kind, line in (("entities", 2), ("entities", 3), ("stakes", 2)):
    ...     lines.add(kind, "f.csv", line)
    >>> d = Dataset(entities=[Entity("a", "A", "company"), Entity("b", "B", "company")],
    ...             stakes=[Stake("a", "b", Share(exact=0.6))],
    ...             findings=[Finding("error", "bad_kind", "...", "f.csv", 3, "kind")], origins=lines)
    >>> [(s.record, s.code) for s in skip_faulty_records(d)]
    [("entity 'b'", 'bad_kind'), ("stake 'a' -> 'b'", 'depends_on_skipped')]
    >>> [e.id for e in d.entities], d.stakes, d.errors
    (['a'], [], [])
    """
    places = list(_record_places(data))
    files = {place[0] for place, _, _ in places}
    faults: dict[Place, Finding] = {}
    more: dict[Place, list[str]] = defaultdict(list)  # further faults of a record: named in its reason
    kept: list[Finding] = []
    for f in data.findings:
        place = _finding_place(f) if f.severity == "error" and f.code not in FILE_FAULTS else None
        if place is not None and f.code == "malformed_json" and f.file not in files:
            place = None  # nothing of the file could be read: a broken file, not a broken record
        if place is not None:
            if faults.setdefault(place, f) is not f:
                more[place].append(f.message)
        else:
            kept.append(f)  # a warning, or an error of no record: it refuses the load
    drop: dict[str, set[int]] = defaultdict(set)
    skipped: list[Skipped] = []
    matched: set[Place] = set()
    for place, kind, index in places:
        fault = faults.get(place)
        if fault is None:
            continue
        drop[kind].add(index)
        matched.add(place)
        record = getattr(data, kind)[index]
        skipped.append(Skipped(_describe(kind, record), fault.file, fault.line, fault.column, fault.code,
                               _reason(fault, more[place])))
    for place, fault in faults.items():
        if place not in matched:  # a row or line that gave no record (its fault stopped it)
            skipped.append(Skipped("line" if fault.line else "element", fault.file, fault.line, fault.column,
                                   fault.code, _reason(fault, more[place])))
    gone = {data.entities[i].id for i in drop["entities"]}
    _remove(data, "entities", drop["entities"])
    gone -= set(map(attrgetter("id"), data.entities))  # a duplicate id left out: the first record stays
    for kind, ends in _ENDS.items():
        records = getattr(data, kind)
        origins = data.origins
        for i, record in enumerate(records):
            if i in drop[kind]:
                continue
            missing = next((getattr(record, e) for e in ends if getattr(record, e) in gone), None)
            if missing is None:
                continue
            drop[kind].add(i)
            file, line = origins[(kind, i)] if origins is not None and (kind, i) in origins else (None, 0)
            pointer = origins.pointer(kind, i) if isinstance(origins, RowLines) else None
            skipped.append(Skipped(_describe(kind, record), file, line or None, pointer, "depends_on_skipped",
                                   f"depends on {missing!r}, which was skipped"))
        _remove(data, kind, drop[kind])
    data.findings = kept
    data.origins = None
    return skipped


def _reason(fault: Finding, more: list[str]) -> str:
    return "; and ".join([fault.message, *more])


def _remove(data: Dataset, kind: str, indices: set[int]) -> None:
    if indices:
        setattr(data, kind, [r for i, r in enumerate(getattr(data, kind)) if i not in indices])
