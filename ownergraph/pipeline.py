"""One load: parse -> validate -> reject, or write in one transaction -> materialise control.

Nothing is written unless the whole input is free of faults; warnings
(data-quality findings) are reported and the data kept. A load may refer to
entities already in the graph (a daily delta). Loads take turns on a graph
(``load_lock``); each first moves the materialised control to today, then
writes, then recomputes only what it changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ownergraph.graph.columnar import Columns
from ownergraph.graph.errors import InvalidParameter
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.model import Dataset, Finding
from ownergraph.graph.params import DEFAULT_RULESET
from ownergraph.graph.resolution import Blocked
from ownergraph.load_lock import load_lock
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.normalise import noting_control_characters
from ownergraph.loaders.parts import Part
from ownergraph.loaders.registry_csv import RegistryStream
from ownergraph.loaders.repeats import RepeatedStakes, number_repeated_stakes
from ownergraph.loaders.skip import Skipped, skip_faulty_records
from ownergraph.localneo4j.server import Instance
from ownergraph.materialise import Cause, Materialised, materialise_changes, refresh_control
from ownergraph.queries.repository import Repository
from ownergraph.resolution import record_merges

FORMATS = ("registry-csv", "bods", "ftm", "cn-registry", "gleif", "psc")
# These parsers run the cross-record checks themselves, with each record's file and line.
VALIDATED_BY_PARSER = frozenset({"registry-csv", "cn-registry", "bods", "ftm", "psc"})
# Faults of a reference to an id the input does not hold: fine when the graph holds it (a delta).
REFERENCE_CODES = frozenset({"unknown_entity", "missing_statement", "missing_entity"})


OnFault = Literal["reject", "skip"]
ON_FAULT: tuple[OnFault, ...] = ("reject", "skip")


@dataclass
class LoadResult:
    format: str
    path: str
    counts: dict[str, int]
    warnings: list[Finding] = field(default_factory=list)
    source: str | None = None
    snapshot: bool = False
    materialised: Materialised | None = None
    skipped: list[Skipped] = field(default_factory=list)


def parse(
    fmt: str,
    path: Path,
    *,
    known_ids: Callable[[set[str]], set[str]] | None = None,
    on_fault: OnFault = "reject",
    skipped: list[Skipped] | None = None,
    **options: Any,
) -> Dataset:
    """Parse a source into records; raise LoadRejected listing every fault.

    ``known_ids`` answers which of some ids are already in the graph: references
    to them are accepted (a delta); without it every reference must be in the load.
    With ``on_fault="skip"`` records with a fault, and the records depending on
    them, are left out and appended to ``skipped``; only faults of no record
    (a whole file's) still refuse the load.
    """
    if not path.exists():
        raise LoadRejected([Finding("error", "not_found", "no such file or folder", file=str(path))])
    if on_fault not in ON_FAULT:
        raise ValueError(f"on_fault must be one of {', '.join(ON_FAULT)}, not {on_fault!r}")
    with noting_control_characters() as cleaned:
        data = _parser(fmt)(path, **options)
    data.findings.extend(_cleaned_warnings(cleaned, path))
    data.findings.extend(number_repeated_stakes(data, file=str(path)))
    if fmt not in VALIDATED_BY_PARSER:
        from ownergraph.loaders.validate import check_dataset

        data.findings.extend(check_dataset(data, file=str(path)))
    if known_ids is not None:
        _accept_references_to_the_graph(data, known_ids)
    if data.errors and on_fault == "skip":  # before renaming: records are found by their findings' places
        left_out = skip_faulty_records(data)
        if skipped is not None:
            skipped.extend(replace(s, file=source_file_name(s.file, path)) if s.file else s for s in left_out)
    data.findings[:] = [_named_in_source(f, path) for f in data.findings]
    if data.errors:
        raise LoadRejected(data.findings)
    return data


def _cleaned_warnings(cleaned: list[str], path: Path) -> list[Finding]:
    return [Finding("warning", "control_characters_removed",
                    f"removed control characters from the name {name!r} (they would act on terminals and pages)",
                    file=str(path))
            for name in dict.fromkeys(cleaned)]


def source_file_name(file: str, source: Path) -> str:
    """``file`` as the source names it: the file's own name, or its place inside a source folder.

    Never the folder the source sits in on this machine (a server's temporary upload folder, a home).

    >>> source_file_name("/tmp/upload-1/cases/ownership.csv", Path("/tmp/upload-1/cases"))
    'ownership.csv'
    >>> source_file_name("/tmp/upload-1/upload.json", Path("/tmp/upload-1/upload.json"))
    'upload.json'
    """
    where = Path(file)
    try:
        inside = where.relative_to(source)
    except ValueError:
        return where.name or file
    return inside.as_posix() if inside.parts else (source.name or file)


def _named_in_source(finding: Finding, source: Path) -> Finding:
    if finding.file is None:
        return finding
    return replace(finding, file=source_file_name(finding.file, source))


def _accept_references_to_the_graph(data: Dataset, known_ids: Callable[[set[str]], set[str]]) -> None:
    referred = {f.entity_id for f in data.findings if f.code in REFERENCE_CODES and f.entity_id}
    if not referred:
        return
    present = known_ids(referred)
    data.findings = [f for f in data.findings if not (f.code in REFERENCE_CODES and f.entity_id in present)]


def _parser(fmt: str) -> Callable[..., Dataset]:
    if fmt == "registry-csv":
        from ownergraph.loaders.registry_csv import parse_registry_csv

        return parse_registry_csv
    if fmt == "bods":
        from ownergraph.loaders.bods import parse_bods

        return parse_bods
    if fmt == "ftm":
        from ownergraph.loaders.ftm import parse_ftm

        return parse_ftm
    if fmt == "cn-registry":
        from ownergraph.loaders.cn_registry import parse_cn_registry

        return parse_cn_registry
    if fmt == "gleif":
        from ownergraph.loaders.gleif import parse_gleif

        return parse_gleif
    if fmt == "psc":
        from ownergraph.loaders.psc import parse_psc

        return parse_psc
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def default_source(fmt: str, path: Path) -> str:
    """The source a load names when none is given: the format and the file (or folder) name."""
    return f"{fmt}:{path.resolve().name}"


def load_record(fmt: str, path: Path, source: str | None = None) -> dict[str, str]:
    """The ``Load`` provenance node (one per source): id, format and the name of the file or folder loaded last.

    The name only: where it sat on the loading machine (a temporary upload folder) is nobody's business.
    """
    return {"id": source or default_source(fmt, path), "format": fmt, "path": path.resolve().name}


def load(
    repo: Repository,
    fmt: str,
    path: Path,
    *,
    source: str | None = None,
    snapshot: bool = False,
    snapshot_date: date | None = None,
    materialise: bool = True,
    lock_wait: float = 0.0,
    progress: Callable[[int], None] | None = None,
    on_fault: OnFault = "reject",
    **options: Any,
) -> LoadResult:
    """Parse, check and write one source, then recompute the control it changed.

    With ``snapshot`` the input is the complete state of ``source`` on
    ``snapshot_date`` (default today): its edges missing from the input end on
    that day. Raises ``LoadRejected`` (nothing written) or ``LoadInProgress``
    when another load holds the graph for longer than ``lock_wait`` seconds.
    With ``on_fault="skip"`` the faulty records and those depending on them
    are left out (``LoadResult.skipped``) and the rest is written atomically;
    a snapshot refuses it (a skipped record would end its edge in the graph).
    """
    if snapshot and on_fault == "skip":
        raise InvalidParameter("a snapshot load takes the whole input or nothing: on_fault=skip is refused with it")
    skipped: list[Skipped] = []
    data = parse(fmt, path, known_ids=repo.existing_ids, on_fault=on_fault, skipped=skipped, **options)
    record = load_record(fmt, path, source)
    # The records of a load and of the closures it recomputes hold no cycles: no cyclic collection
    # rescanning a long-lived process's heap (an API worker, a benchmark) at every allocation burst.
    with load_lock(repo, wait_seconds=lock_wait), gc_paused():
        today = date.today()
        if materialise:
            refresh_control(repo, today=today)
        written = repo.write_dataset(data, load=record, day=snapshot_date or today, snapshot=snapshot,
                                     progress=progress)
        done = None
        if materialise:
            record_merges(repo, written.merges, load_id=record["id"], day=today)
            done = materialise_changes(repo, written.changed, as_of=today, cause=Cause("load", record["id"]))
        else:
            repo.mark_control_stale(DEFAULT_RULESET)
    warnings = data.warnings + [_blocked_warning(b) for b in written.blocked]
    return LoadResult(fmt, path.name, written.counts, warnings, source=record["id"], snapshot=snapshot,
                      materialised=done, skipped=skipped)


def _blocked_warning(b: Blocked) -> Finding:
    return Finding("warning", "merge_blocked_by_judgement",
                   f"{b.a!r} and {b.b!r} share {b.why} but a reviewer judged them different: kept apart",
                   entity_id=b.a)


def bulk_load(
    instance: Instance,
    fmt: str,
    path: Path,
    *,
    source: str | None = None,
    materialise: bool = True,
    log: Callable[[str], None] | None = None,
    on_fault: OnFault = "reject",
    stored_answers: bool = True,
    part_rows: int | None = None,
    timings: dict[str, float] | None = None,
    **options: Any,
) -> LoadResult:
    """A first load of a large source into the empty database of a local server, through
    ``neo4j-admin database import`` (``ownergraph.bulk_import``): the same checks and the same graph
    as ``load``, many times faster, at the price of a server restart.

    A registry-csv folder loaded without ``stored_answers`` is read in parts (``RegistryStream``, of
    ``part_rows`` rows): memory then holds the graph's columns, not its records, which a national
    registry needs (docs/scale.md). Stored answers are proved from the records, so with them the
    source is parsed whole; ``ownergraph control answers`` stores them after a streamed load.
    ``timings`` receives the seconds of each step (``bulk_import``'s).
    """
    from ownergraph.bulk_import import bulk_import

    record = load_record(fmt, path, source)
    as_of = date.today() if materialise else None
    if fmt == "registry-csv" and not stored_answers and on_fault == "reject" and not options:
        if not path.exists():
            raise LoadRejected([Finding("error", "not_found", "no such file or folder", file=str(path))])
        streamed = _NumberedParts(RegistryStream(path, **({"part_rows": part_rows} if part_rows else {})), path)
        counts = bulk_import(instance, streamed, load=record, control_as_of=as_of, stored_answers=False, log=log,
                             timings=timings)
        return LoadResult(fmt, path.name, counts, [f for f in streamed.findings if f.severity == "warning"],
                          source=record["id"])
    skipped: list[Skipped] = []
    data = parse(fmt, path, on_fault=on_fault, skipped=skipped, **options)
    counts = bulk_import(instance, data, load=record, control_as_of=as_of, stored_answers=stored_answers, log=log,
                         timings=timings)
    return LoadResult(fmt, path.name, counts, data.warnings, source=record["id"], skipped=skipped)


class _NumberedParts:
    """A registry-csv folder read in parts, with what ``parse`` adds to the parser's records and
    findings: repeated stakes numbered, removed control characters noted, files named as in the source."""

    def __init__(self, stream: RegistryStream, path: Path) -> None:
        self.stream = stream
        self.path = path
        self.repeats = RepeatedStakes()
        self.cleaned: list[str] = []

    def __iter__(self) -> Iterator[Part]:
        with noting_control_characters() as cleaned:
            for part in self.stream:
                if part.kind == "stakes":
                    self.repeats.number(part.data.stakes)
                yield part
        self.repeats.forget_keys()
        self.cleaned = cleaned

    def columns(self) -> Columns:
        return self.stream.columns()

    @property
    def findings(self) -> list[Finding]:
        found = [*self.stream.findings, *_cleaned_warnings(self.cleaned, self.path),
                 *self.repeats.findings(file=str(self.path))]
        return [_named_in_source(f, self.path) for f in found]
