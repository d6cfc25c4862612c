"""GLEIF golden copy: Level 2 relationship records (+ optional Level 1 LEI records) -> Dataset.

Reads the golden-copy CSV files (plain, ``.gz`` or the ``.zip`` GLEIF
publishes); the kind of each file is told by its header, not its name:
``Relationship.StartNode.NodeID`` marks Level 2 (RR-CDF), ``LEI`` with
``Entity.LegalName`` marks Level 1 (LEI-CDF, all columns or a subset).

Mapping (``docs/formats.md``, GLEIF):

* ``IS_DIRECTLY_CONSOLIDATED_BY`` (child -> parent) -> CONTROLS parent ->
  child, basis ``consolidation``.
* ``IS_ULTIMATELY_CONSOLIDATED_BY`` -> ``ReportedRelation("ultimate_parent")``:
  GLEIF's own answer, kept to compare, never computed with.
* Other types are typed links drawn parent -> child like CONTROLS:
  ``IS_INTERNATIONAL_BRANCH_OF`` -> ``international_branch`` (head office ->
  branch), ``IS_FUND-MANAGED_BY`` -> ``fund_manager`` (manager -> fund),
  ``IS_SUBFUND_OF`` -> ``subfund`` (umbrella -> sub-fund), ``IS_FEEDER_TO``
  -> ``feeder_fund`` (master -> feeder).
* Validity: the ``RELATIONSHIP_PERIOD`` start and end dates (the accounting
  and filing periods say nothing about when the relation held). A relation
  whose ``RelationshipStatus`` is not ACTIVE is loaded only when that period
  has an end date; without one it is skipped with a warning, since loading it
  open-ended would put a lapsed parent into today's view.
* Level 1 gives name, jurisdiction, status, category (GENERAL/BRANCH ->
  company, FUND -> fund, RESIDENT_GOVERNMENT_ENTITY -> state_body,
  SOLE_PROPRIETOR -> person, other -> other). An LEI met only in
  relationships becomes a placeholder named by its LEI, kind company.
* Every LEI is checked (ISO 17442 / ISO 7064 MOD 97-10); a bad one is a
  located error (file, line, column) and its row is not loaded.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from ownergraph.graph.model import Control, Dataset, Entity, Finding, Link, ReportedRelation
from ownergraph.loaders.bods import parse_date_prefix
from ownergraph.loaders.inflate import CORRUPT_ARCHIVE_ERRORS, GZIP_MAGIC, InflateLimit, gunzip, read_member
from ownergraph.loaders.normalise import clean_name, validate_lei

__all__ = ["parse_gleif"]

_RR_MARK = "Relationship.StartNode.NodeID"
_L1_MARK = "Entity.LegalName"
_DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY"
_ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"
_LINK_TYPES: dict[str, str] = {
    "IS_INTERNATIONAL_BRANCH_OF": "international_branch",
    "IS_FUND-MANAGED_BY": "fund_manager",
    "IS_SUBFUND_OF": "subfund",
    "IS_FEEDER_TO": "feeder_fund",
}
_KINDS: dict[str, str] = {
    "GENERAL": "company",
    "BRANCH": "company",
    "FUND": "fund",
    "RESIDENT_GOVERNMENT_ENTITY": "state_body",
    "SOLE_PROPRIETOR": "person",
    "INTERNATIONAL_ORGANIZATION": "other",
}
_PERIODS = 5  # the golden-copy CSV flattens up to five periods per relationship
_CSV_SUFFIXES = (".csv", ".csv.gz", ".zip")


@dataclass(slots=True)
class _Sheet:
    """The rows of one CSV file with their physical line numbers."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def error(self, code: str, message: str, file: str, line: int | None = None, column: str | None = None) -> None:
        self.items.append(Finding("error", code, message, file, line, column))

    def warning(self, code: str, message: str, file: str, line: int | None = None, column: str | None = None) -> None:
        self.items.append(Finding("warning", code, message, file, line, column))


# --- reading ----------------------------------------------------------------------------------


def _files(paths: tuple[Path, ...], out: _Findings) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.name.lower().endswith(_CSV_SUFFIXES))
            if not found:
                out.error("no_gleif_files", "expected GLEIF golden-copy CSV files in this folder", str(p))
            yield from found
        else:
            yield p


def _open_text(path: Path) -> IO[bytes]:
    raw = path.read_bytes()
    if raw.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            raw = read_member(zf, members[0]) if members else b""
    elif raw.startswith(GZIP_MAGIC):
        raw = gunzip(raw)
    return io.BytesIO(raw)


def _read_sheet(path: Path, out: _Findings) -> _Sheet | None:
    file = str(path)
    try:
        stream = _open_text(path)
    except InflateLimit as exc:
        out.error("too_large", f"expected a file that inflates to a bounded size: {exc}", file)
        return None
    except CORRUPT_ARCHIVE_ERRORS as exc:
        out.error("unreadable_file", f"expected a readable CSV, plain or compressed: {exc}", file)
        return None
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] = []
    try:
        for record in reader:
            if not header:
                header = [h.strip() for h in record]
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                out.error(
                    "bad_row",
                    f"expected {len(header)} columns as in the header, got {len(record)}",
                    file,
                    reader.line_num,
                )
                continue
            rows.append((reader.line_num, dict(zip(header, (c.strip() for c in record), strict=True))))
    except UnicodeDecodeError as exc:
        out.error("bad_encoding", f"expected UTF-8 text: {exc.reason}", file, reader.line_num + 1)
        return None
    except csv.Error as exc:
        out.error("malformed_csv", f"expected valid CSV: {exc}", file, reader.line_num)
        return None
    return _Sheet(file, header, rows)


# --- Level 1 ------------------------------------------------------------------------------------


def _date_cell(sheet: _Sheet, line: int, row: dict[str, str], column: str, out: _Findings) -> date | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        return parse_date_prefix(text)
    except ValueError as exc:
        out.warning("bad_date", f"{exc}; left empty", sheet.file, line, column)
        return None


def _checked_lei(sheet: _Sheet, line: int, code: str, column: str, out: _Findings) -> str | None:
    problem = validate_lei(code)
    if problem:
        out.error("bad_lei", f"{problem}; row not loaded", sheet.file, line, column)
        return None
    return code


def _level1(sheet: _Sheet, entities: dict[str, Entity], out: _Findings) -> None:
    for line, row in sheet.rows:
        lei = _checked_lei(sheet, line, row.get("LEI", ""), "LEI", out)
        if lei is None:
            continue
        if lei in entities:
            out.warning("duplicate_lei", f"LEI {lei} appears again; the first record is kept", sheet.file, line, "LEI")
            continue
        entities[lei] = _level1_entity(sheet, line, row, lei, out)


def _level1_entity(sheet: _Sheet, line: int, row: dict[str, str], lei: str, out: _Findings) -> Entity:
    name = clean_name(row.get(_L1_MARK, ""))
    if not name:
        out.warning("missing_name", "expected Entity.LegalName; the LEI is shown instead", sheet.file, line, _L1_MARK)
    category = row.get("Entity.EntityCategory", "")
    extra_cols = {
        "category": "Entity.EntityCategory",
        "sub_category": "Entity.EntitySubCategory",
        "legal_form": "Entity.LegalForm.EntityLegalFormCode",
        "legal_form_other": "Entity.LegalForm.OtherLegalForm",
        "legal_country": "Entity.LegalAddress.Country",
        "hq_country": "Entity.HeadquartersAddress.Country",
        "registration_status": "Registration.RegistrationStatus",
    }
    extra = tuple(sorted((k, row[c]) for k, c in extra_cols.items() if row.get(c)))
    return Entity(
        id=lei,
        name=name or lei,
        kind=_KINDS.get(category, "other" if category else "company"),
        jurisdiction=row.get("Entity.LegalJurisdiction") or None,
        lei=lei,
        founded=_date_cell(sheet, line, row, "Entity.EntityCreationDate", out),
        status=row.get("Entity.EntityStatus") or None,
        source=f"GLEIF LEI record ({Path(sheet.file).name})",
        extra=extra,
    )


# --- Level 2 -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Relation:
    child: str
    parent: str
    rtype: str
    start: date | None
    end: date | None
    source: str
    quantifier: str | None


def _period(sheet: _Sheet, line: int, row: dict[str, str], out: _Findings) -> tuple[date | None, date | None]:
    for n in range(1, _PERIODS + 1):
        if row.get(f"Relationship.Period.{n}.periodType") == "RELATIONSHIP_PERIOD":
            start = _date_cell(sheet, line, row, f"Relationship.Period.{n}.startDate", out)
            end = _date_cell(sheet, line, row, f"Relationship.Period.{n}.endDate", out)
            return start, end
    return None, None


def _rr_source(sheet: _Sheet, row: dict[str, str]) -> str:
    parts = [f"GLEIF relationship record ({Path(sheet.file).name})"]
    for col in (
        "Registration.ValidationSources",
        "Registration.ValidationDocuments",
        "Registration.ValidationReference",
    ):
        if row.get(col):
            parts.append(row[col])
    if row.get("Registration.RegistrationStatus"):
        parts.append(f"registration {row['Registration.RegistrationStatus']}")
    return "; ".join(parts)


def _quantifier(row: dict[str, str]) -> str | None:
    for n in range(1, _PERIODS + 1):
        amount = row.get(f"Relationship.Quantifiers.{n}.QuantifierAmount")
        if amount:
            method = row.get(f"Relationship.Quantifiers.{n}.MeasurementMethod", "")
            units = row.get(f"Relationship.Quantifiers.{n}.QuantifierUnits", "")
            return f"{method} {amount} {units}".strip()
    return None


def _relation(sheet: _Sheet, line: int, row: dict[str, str], out: _Findings) -> _Relation | None:
    ends: list[str] = []
    for node in ("StartNode", "EndNode"):
        column = f"Relationship.{node}.NodeID"
        id_type = row.get(f"Relationship.{node}.NodeIDType", "LEI") or "LEI"
        if id_type != "LEI":
            out.warning("not_lei_node", f"expected an LEI node, got {id_type}; row skipped", sheet.file, line, column)
            return None
        lei = _checked_lei(sheet, line, row.get(column, ""), column, out)
        if lei is None:
            return None
        ends.append(lei)
    rtype = row.get("Relationship.RelationshipType", "")
    start, end = _period(sheet, line, row, out)
    status = row.get("Relationship.RelationshipStatus", "")
    if status != "ACTIVE" and end is None:
        out.warning(
            "inactive_without_end",
            f"relationship status {status or 'empty'} with no relationship-period end date; skipped",
            sheet.file,
            line,
            "Relationship.RelationshipStatus",
        )
        return None
    return _Relation(ends[0], ends[1], rtype, start, end, _rr_source(sheet, row), _quantifier(row))


def _add_relation(r: _Relation, sheet: _Sheet, line: int, data: Dataset, out: _Findings) -> bool:
    """Append the record for one relation; False when its type is not known."""
    if r.rtype == _DIRECT:
        data.controls.append(Control(r.parent, r.child, "consolidation", r.start, r.end, r.source))
    elif r.rtype == _ULTIMATE:
        data.reported.append(
            ReportedRelation(
                r.child, r.parent, "ultimate_parent", start=r.start, end=r.end, source=r.source, detail=r.quantifier
            )
        )
    elif r.rtype in _LINK_TYPES:
        data.links.append(Link(r.parent, r.child, _LINK_TYPES[r.rtype], r.start, r.end, r.source, r.quantifier))
    else:
        out.warning(
            "unknown_relationship_type",
            f"expected a GLEIF relationship type, got {r.rtype!r}; row skipped",
            sheet.file,
            line,
            "Relationship.RelationshipType",
        )
        return False
    return True


def _level2(sheet: _Sheet, data: Dataset, seen: set[tuple[object, ...]], out: _Findings) -> set[str]:
    """Relationship records of one file; returns the LEIs they mention.

    GLEIF subsets (and successive golden copies) overlap: a relation already
    loaded from another file is not added twice, so a folder holding both
    loads cleanly.
    """
    leis: set[str] = set()
    for line, row in sheet.rows:
        r = _relation(sheet, line, row, out)
        if r is None:
            continue
        key = (r.child, r.parent, r.rtype, r.start, r.end)
        if key in seen:
            continue
        if _add_relation(r, sheet, line, data, out):
            seen.add(key)
            leis.update((r.child, r.parent))
    return leis


def _placeholder(lei: str) -> Entity:
    return Entity(
        id=lei, name=lei, kind="company", lei=lei, source="GLEIF relationship record (no Level 1 record loaded)"
    )


def parse_gleif(path: Path, *more: Path) -> Dataset:
    """Parse GLEIF golden-copy files: each argument a folder of CSV files or one file.

    Never raises for bad input: unreadable files, malformed CSV and bad LEIs
    are located findings (file, line, column name) in ``Dataset.findings``.
    """
    out = _Findings()
    data = Dataset()
    entities: dict[str, Entity] = {}
    mentioned: set[str] = set()
    seen: set[tuple[object, ...]] = set()
    sheets = [s for s in (_read_sheet(f, out) for f in _files((path, *more), out)) if s is not None]
    # Level 1 first, so relationships find their names whatever the file order.
    for sheet in sheets:
        if "LEI" in sheet.header and _L1_MARK in sheet.header:
            _level1(sheet, entities, out)
    for sheet in sheets:
        if _RR_MARK in sheet.header:
            mentioned |= _level2(sheet, data, seen, out)
        elif not ("LEI" in sheet.header and _L1_MARK in sheet.header):
            out.warning("unknown_file", "expected a GLEIF Level 1 or Level 2 CSV header; file skipped", sheet.file, 1)
    for lei in sorted(mentioned - entities.keys()):
        entities[lei] = _placeholder(lei)
    data.entities = list(entities.values())
    data.findings = out.items
    return data
