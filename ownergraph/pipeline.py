"""One load: parse -> validate -> reject, or write in one transaction -> materialise control.

Nothing is written unless the whole input is free of faults; warnings
(data-quality findings) are reported and the data kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ownergraph.graph.model import Dataset, Finding
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.repeats import number_repeated_stakes
from ownergraph.localneo4j.server import Instance
from ownergraph.queries.repository import Repository

FORMATS = ("registry-csv", "bods", "ftm", "cn-registry", "gleif")
# These parsers run the cross-record checks themselves, with each record's file and line.
VALIDATED_BY_PARSER = frozenset({"registry-csv", "cn-registry", "bods", "ftm"})


@dataclass
class LoadResult:
    format: str
    path: str
    counts: dict[str, int]
    warnings: list[Finding] = field(default_factory=list)


def parse(fmt: str, path: Path, **options: Any) -> Dataset:
    """Parse a source into records; raise LoadRejected listing every fault."""
    if not path.exists():
        raise LoadRejected([Finding("error", "not_found", "no such file or folder", file=str(path))])
    data = _parser(fmt)(path, **options)
    data.findings.extend(number_repeated_stakes(data, file=str(path)))
    if fmt not in VALIDATED_BY_PARSER:
        from ownergraph.loaders.validate import check_dataset

        data.findings.extend(check_dataset(data, file=str(path)))
    if data.errors:
        raise LoadRejected(data.findings)
    return data


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
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def load_id(fmt: str, path: Path) -> str:
    """A stable id for a load of one source, so a reload updates its record."""
    return f"{fmt}:{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]}"


def load_record(fmt: str, path: Path) -> dict[str, str]:
    """The ``Load`` provenance node's id, format and path, whichever path writes it."""
    return {"id": load_id(fmt, path), "format": fmt, "path": str(path.resolve())}


def load(
    repo: Repository,
    fmt: str,
    path: Path,
    *,
    materialise: bool = True,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> LoadResult:
    data = parse(fmt, path, **options)
    counts = repo.write_dataset(
        data,
        load=load_record(fmt, path),
        progress=progress,
    )
    if materialise:
        from ownergraph.materialise import materialise_control

        materialise_control(repo)
    return LoadResult(fmt, str(path), counts, data.warnings)


def bulk_load(
    instance: Instance,
    fmt: str,
    path: Path,
    *,
    materialise: bool = True,
    log: Callable[[str], None] | None = None,
    **options: Any,
) -> LoadResult:
    """A first load of a large source into the empty database of a local server, through
    ``neo4j-admin database import`` (``ownergraph.bulk_import``): the same checks and the same graph
    as ``load``, many times faster, at the price of a server restart."""
    from ownergraph.bulk_import import bulk_import

    data = parse(fmt, path, **options)
    counts = bulk_import(
        instance,
        data,
        load=load_record(fmt, path),
        control_as_of=date.today() if materialise else None,
        log=log,
    )
    return LoadResult(fmt, str(path), counts, data.warnings)
