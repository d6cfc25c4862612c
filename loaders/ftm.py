"""FollowTheMoney entities (OpenSanctions JSON Lines) -> Dataset.

Each line is ``{"id", "schema", "properties": {name: [str, ...]}}``. The
mapping follows ``docs/formats.md`` (FollowTheMoney):

* ``Company`` -> kind company; ``Organization`` and ``LegalEntity`` -> other;
  ``PublicBody`` -> state_body; ``Person`` -> person. Asset schemata that an
  ``Ownership`` may point at (Vessel, RealEstate, Security, ...) -> other.
* ``Ownership`` (owner -> asset) -> a stake. ``percentage`` is free text:
  "25%", "25-50%", ">50%" and a bare "25" are percent, so "0.25" is 0.25 %
  (the rule of :func:`loaders.normalise.parse_percent_share`; a file whose
  percentages all look like fractions is flagged by :mod:`loaders.validate`).
  The raw text is always kept in ``Share.raw``.
* ``Directorship`` (director -> organization) -> link ``director``; other
  interval schemata (Membership, Employment, Representation, Family,
  Associate, UnknownLink, Succession) -> typed links.
* ``Control`` (controller -> controlled): ``controlType`` voting and
  contractual -> basis ``agreement``, appointment -> ``board``, a basis name
  itself (``declared``, ``general_partner``, ...) -> that basis; ``indirect``
  is someone's computed chain -> reported ``declared_indirect``; any other type
  -> link ``control_<type>``.
* ``startDate``/``endDate`` -> validity. FtM dates may be partial: a start
  "2015" is read as 2015-01-01 and an end "2018" as 2019-01-01 (the end is
  exclusive, and the source says the relation lasted into 2018).
* ``sourceUrl``/``publisher`` -> the source text.

Lines whose schema is none of these (Address, Sanction, Identification, ...)
are skipped with one summary warning. Several lines with the same id are
fragments of one entity (as FtM streams them): their properties are merged.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from ownergraph.graph import identifiers
from ownergraph.graph.model import Control, Dataset, Entity, Link, ReportedRelation, Share, Stake
from ownergraph.loaders.jsonrecords import JsonRecord, Reporter, located, read_json_records
from ownergraph.loaders.normalise import (
    clean_name,
    normalise_uscc,
    parse_iso_date,
    parse_percent_share,
    validate_lei,
    validate_uscc,
)
from ownergraph.loaders.validate import RowLines, check_dataset

__all__ = ["parse_ftm"]

_PARTY_KINDS: dict[str, str] = {
    "Company": "company",
    "Organization": "other",
    "LegalEntity": "other",
    "PublicBody": "state_body",
    "Person": "person",
}
# Things an Ownership's asset may be besides a company; shown, never persons.
_ASSET_SCHEMATA = frozenset(
    {"Asset", "Vessel", "Airplane", "Vehicle", "RealEstate", "Land", "Security", "CryptoWallet"}
)
# schema -> (source property, target property, link type) for non-control links.
_LINKS: dict[str, tuple[str, str, str]] = {
    "Directorship": ("director", "organization", "director"),
    "Membership": ("member", "organization", "member"),
    "Employment": ("employee", "employer", "employee"),
    "Representation": ("agent", "client", "representative"),
    "Family": ("person", "relative", "family"),
    "Associate": ("person", "associate", "associate"),
    "UnknownLink": ("subject", "object", "unknown_link"),
    "Succession": ("predecessor", "successor", "successor"),
}
_CONTROL_BASIS: dict[str, str] = {
    "voting": "agreement",
    "contractual": "agreement",
    "appointment": "board",
    "agreement": "agreement",
    "board": "board",
    "declared": "declared",
    "general_partner": "general_partner",
    "consolidation": "consolidation",
}
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(slots=True)
class _Item:
    """One FtM entity, with its properties merged over all of its lines."""

    rec: JsonRecord  # the first line, for locations
    schema: str
    props: dict[str, list[str]] = field(default_factory=dict)
    prop_lines: dict[str, JsonRecord] = field(default_factory=dict)  # where each property came from

    def first(self, name: str) -> str | None:
        values = self.props.get(name) or []
        return values[0] if values else None


def _properties(rec: JsonRecord, report: Reporter) -> dict[str, list[str]]:
    raw = rec.value.get("properties", {})
    if not isinstance(raw, dict):
        report.error("bad_properties", "expected properties to be an object", rec, "properties")
        return {}
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        seq = values if isinstance(values, list) else [values]
        texts = [v.strip() for v in seq if isinstance(v, str) and v.strip()]
        if len(texts) != len(seq):
            report.warning(
                "bad_property",
                f"expected property {name!r} to be a list of non-empty strings; others dropped",
                rec,
                "properties",
                name,
            )
        if texts:
            out[name] = texts
    return out


def _collect(records: list[JsonRecord], report: Reporter) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for rec in records:
        obj = rec.value
        if not isinstance(obj, dict):
            report.error("bad_entity", "expected a JSON object per line", rec)
            continue
        eid, schema = obj.get("id"), obj.get("schema")
        if not isinstance(eid, str) or not eid.strip():
            report.error("missing_id", "expected a non-empty string id", rec, "id")
            continue
        if not isinstance(schema, str) or not schema.strip():
            report.error("missing_schema", "expected a schema name", rec, "schema")
            continue
        props = _properties(rec, report)
        item = items.setdefault(eid.strip(), _Item(rec, schema.strip()))
        if item.schema != schema.strip():
            report.warning(
                "schema_conflict",
                f"expected fragments of {eid!r} to share a schema; kept {item.schema!r}, not {schema!r}",
                rec,
                "schema",
            )
        for name, values in props.items():
            merged = item.props.setdefault(name, [])
            merged.extend(v for v in values if v not in merged)
            item.prop_lines.setdefault(name, rec)
    return items


# --- dates and provenance ---------------------------------------------------------------------


def _date(item: _Item, name: str, report: Reporter, *, end: bool = False) -> date | None:
    """A full date, or a partial one widened to the period it names (see the module notes)."""
    text = item.first(name)
    if text is None:
        return None
    rec = item.prop_lines[name]
    try:
        if _FULL_DATE.match(text):
            return parse_iso_date(text[:10])
        m = _YEAR_MONTH.match(text)
        if m:
            return _partial(int(m.group(1)), int(m.group(2)) if m.group(2) else None, end)
        raise ValueError(f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")
    except ValueError as exc:
        report.warning("bad_date", f"{exc}; left empty", rec, "properties", name, 0)
        return None


def _partial(year: int, month: int | None, end: bool) -> date:
    if month is None:
        return date(year + 1, 1, 1) if end else date(year, 1, 1)
    start = date(year, month, 1)  # raises ValueError for month 13
    if not end:
        return start
    return start.replace(day=calendar.monthrange(year, month)[1]) + timedelta(days=1)


def _source(item: _Item) -> str:
    parts = [f"FtM {item.schema} {item.rec.value.get('id')}"]
    for name in ("publisher", "sourceUrl"):
        parts.extend(item.props.get(name, []))
    datasets = item.rec.value.get("datasets")
    if isinstance(datasets, list) and all(isinstance(d, str) for d in datasets) and datasets:
        parts.append("datasets " + ", ".join(datasets))
    return "; ".join(parts)


# --- entities ---------------------------------------------------------------------------------


def _identifier(item: _Item, report: Reporter) -> tuple[str | None, str | None]:
    lei = None
    for code in item.props.get("leiCode", []):
        problem = validate_lei(code.upper())
        if problem:
            rec = item.prop_lines["leiCode"]
            report.warning("bad_lei", f"{problem}; kept out of the lei field", rec, "properties", "leiCode")
        elif lei is None:
            lei = code.upper()
    uscc = None
    for name in ("registrationNumber", "taxNumber", "uniqueEntityId", "idNumber"):
        for code in item.props.get(name, []):
            # Only an 18-character code that passes GB 32100-2015 is taken for a USCC.
            candidate = normalise_uscc(code)
            if uscc is None and len(candidate) == 18 and validate_uscc(candidate) is None:
                uscc = candidate
    return lei, uscc


def _entity(eid: str, item: _Item, kind: str, report: Reporter) -> Entity:
    names = [clean_name(n) for n in item.props.get("name", [])]
    aliases = [clean_name(n) for n in item.props.get("alias", []) + item.props.get("previousName", [])]
    if not names:
        names = [f"({item.schema} {eid})"]
        report.warning("missing_name", f"expected a name; shown as {names[0]!r}", item.rec, "properties", "name")
    lei, uscc = _identifier(item, report)
    extra = [("ftm_schema", item.schema)]
    for name in ("registrationNumber", "taxNumber", "incorporationDate", "legalForm"):
        if name in item.props:
            extra.append((name, "; ".join(item.props[name])))
    return Entity(
        id=eid,
        name=names[0],
        kind=kind,
        aliases=tuple(dict.fromkeys(a for a in names[1:] + aliases if a != names[0])),
        jurisdiction=item.first("jurisdiction") or item.first("country"),
        uscc=uscc,
        lei=lei,
        founded=_date(item, "incorporationDate", report) if kind != "person" else None,
        dissolved=_date(item, "dissolutionDate", report) if kind != "person" else None,
        status=item.first("status"),
        source=_source(item),
        extra=tuple(sorted(extra)),
        identifiers=_identifiers(eid, item, report),
    )


_FTM_SCHEMES = (("leiCode", identifiers.LEI), ("wikidataId", identifiers.WIKIDATA),
                ("opencorporatesUrl", identifiers.OPENCORPORATES))


def _identifiers(eid: str, item: _Item, report: Reporter) -> tuple[tuple[str, str], ...]:
    """The entity's id as an OpenSanctions id (a Wikidata item when it is one), and the
    identifier properties of known schemes; an invalid one is a warning, kept, never merged on."""
    found: dict[tuple[str, str], None] = {(identifiers.OPENSANCTIONS, eid): None}
    if identifiers.normalise(identifiers.WIKIDATA, eid)[2] is None and eid.startswith("Q"):
        found[(identifiers.WIKIDATA, eid)] = None
    for prop, scheme in _FTM_SCHEMES:
        for value in item.props.get(prop, []):
            name, normal, problem = identifiers.normalise(scheme, value)
            if problem and scheme != identifiers.LEI:  # a bad leiCode is warned about by _identifier
                report.warning("bad_identifier", f"{prop} {value!r}: {problem}; kept, never merged on",
                               item.prop_lines[prop], "properties", prop)
            found[(name, value if problem else normal)] = None
    return tuple(found)


# --- relationships ----------------------------------------------------------------------------


def _ends(item: _Item, source_prop: str, target_prop: str, ids: set[str], report: Reporter) -> tuple[str, str] | None:
    """The two referenced entity ids, or None after a located error."""
    found: list[str] = []
    for prop in (source_prop, target_prop):
        ref = item.first(prop)
        if ref is None:
            report.error(
                "missing_reference", f"expected property {prop!r} naming an entity", item.rec, "properties", prop
            )
        else:
            if ref not in ids:
                # Kept: a delta may name an entity loaded before; the load pipeline looks it up.
                report.add("error", "missing_entity",
                           f"expected {prop} {ref!r} to be an entity in this file or already in the graph",
                           item.prop_lines[prop], "properties", prop, 0, entity_id=ref)
            found.append(ref)
    return (found[0], found[1]) if len(found) == 2 else None


def _percentage(item: _Item, report: Reporter) -> Share:
    text = item.first("percentage")
    if text is None:
        return Share()
    rec = item.prop_lines["percentage"]
    if len(item.props["percentage"]) > 1:
        report.warning(
            "several_percentages",
            f"expected one percentage, got {item.props['percentage']}; the first is used",
            rec,
            "properties",
            "percentage",
        )
    try:
        share = parse_percent_share(text)
    except ValueError as exc:
        # Above 100 % is a data fault (control.md); other text ("majority") is an unknown share.
        too_big = any(float(n) > 100.0 for n in _NUMBER.findall(text))
        severity: Literal["error", "warning"] = "error" if too_big else "warning"
        code = "share_out_of_range" if too_big else "unparsed_percentage"
        tail = "" if too_big else "; kept as an unknown share with its text"
        report.add(severity, code, f"{exc}{tail}", rec, "properties", "percentage", 0)
        return Share(raw=text)
    return dataclasses.replace(share, raw=text)


def _ownership(item: _Item, ids: set[str], report: Reporter, data: Dataset) -> None:
    ends = _ends(item, "owner", "asset", ids, report)
    if ends is None:
        return
    detail = [f"FtM Ownership {item.rec.value.get('id')}"]
    for name in ("ownershipType", "sharesType", "sharesCount", "role"):
        if name in item.props:
            detail.append(f"{name} {'; '.join(item.props[name])}")
    data.stakes.append(
        Stake(
            owner_id=ends[0],
            owned_id=ends[1],
            share=_percentage(item, report),
            start=_date(item, "startDate", report),
            end=_date(item, "endDate", report, end=True),
            source=_source(item),
            detail="; ".join(detail),
        )
    )


def _control(item: _Item, ids: set[str], report: Reporter, data: Dataset) -> None:
    ends = _ends(item, "controller", "controlled", ids, report)
    if ends is None:
        return
    start = _date(item, "startDate", report)
    end = _date(item, "endDate", report, end=True)
    source = _source(item)
    bases: set[str] = set()  # "voting" and "contractual" are both one agreement edge
    for ctype in item.props.get("controlType") or [""]:
        key = re.sub(r"[^a-z0-9]+", "_", ctype.lower()).strip("_")
        if key in _CONTROL_BASIS:
            if _CONTROL_BASIS[key] in bases:
                continue
            bases.add(_CONTROL_BASIS[key])
            data.controls.append(Control(ends[0], ends[1], _CONTROL_BASIS[key], start, end, source))
        elif key == "indirect":
            data.reported.append(
                ReportedRelation(
                    ends[1],
                    ends[0],
                    "declared_indirect",
                    start=start,
                    end=end,
                    source=source,
                    detail=f"FtM Control {item.rec.value.get('id')}; controlType indirect",
                )
            )
        else:
            link_type = f"control_{key}" if key else "control"
            data.links.append(
                Link(ends[0], ends[1], link_type, start, end, source, f"controlType {ctype or 'unstated'}")
            )


def _link(item: _Item, ids: set[str], report: Reporter, data: Dataset) -> None:
    source_prop, target_prop, link_type = _LINKS[item.schema]
    ends = _ends(item, source_prop, target_prop, ids, report)
    if ends is None:
        return
    role = item.first("role") or item.first("relationship")
    data.links.append(
        Link(
            ends[0],
            ends[1],
            link_type,
            _date(item, "startDate", report),
            _date(item, "endDate", report, end=True),
            _source(item),
            f"role {role}" if role else None,
        )
    )


def parse_ftm(path: Path) -> Dataset:
    """Parse FollowTheMoney JSON Lines (optionally gzip) into records.

    Never raises for bad input: malformed lines, references to entities not in
    the file and out-of-range percentages are located findings (``line`` = the
    line number, ``column`` = a JSON pointer inside that line).
    """
    report = Reporter(str(path))
    data = Dataset(findings=report.findings)
    where = RowLines()
    items = _collect(read_json_records(path, report), report)
    skipped: Counter[str] = Counter()
    for eid, item in items.items():
        kind = _PARTY_KINDS.get(item.schema) or ("other" if item.schema in _ASSET_SCHEMATA else None)
        if kind is not None:
            with located(data, where, report.file, item.rec):
                data.entities.append(_entity(eid, item, kind, report))
    ids = {e.id for e in data.entities}
    for item in items.values():
        with located(data, where, report.file, item.rec):
            if item.schema == "Ownership":
                _ownership(item, ids, report, data)
            elif item.schema == "Control":
                _control(item, ids, report, data)
            elif item.schema in _LINKS:
                _link(item, ids, report, data)
            elif item.schema not in _PARTY_KINDS and item.schema not in _ASSET_SCHEMATA:
                skipped[item.schema] += 1
    # references are checked entity by entity above (missing_entity)
    data.findings.extend(check_dataset(data, locations=where, file=report.file, skip={"unknown_entity"}))
    data.origins = where
    if skipped:
        listed = ", ".join(f"{n} {s}" for s, n in sorted(skipped.items()))
        report.warning("skipped_schema", f"expected parties and their relations; skipped {listed}")
    return data
