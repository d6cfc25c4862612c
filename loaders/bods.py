"""Beneficial Ownership Data Standard statements (0.4, and 0.2/0.3 as published) -> Dataset.

Pure: one file in, records and located findings out; nothing is written.
The mapping follows ``docs/formats.md`` (BODS):

* Share ranges keep exclusive bounds (0.4 numbers, 0.1-0.3 boolean flags) just
  inside them, so a band "more than 50%" gives definite control.
* ``shareholding`` is the equity share of a stake, ``votingRights`` the voting
  share of the same owner -> owned pair; ``appointmentOfBoard`` is CONTROLS
  ``board``; ``rightsGrantedByContract`` and ``controlViaCompanyRulesOrArticles``
  are CONTROLS ``agreement``; every other interest type is a typed link.
* An ``indirect`` interest is someone's computation of a chain: it becomes a
  ``ReportedRelation("declared_indirect")`` and never a stake, because its
  component records are already the edges (counting both doubles every chain).
* ``directOrIndirect: unknown`` (or missing) loads as a stake flagged
  ``direct_or_indirect_unknown``.
* An unspecified interested party becomes its own ``unknown`` entity, id
  ``<relationship id>/unspecified``, never shared between relationships.
* The latest statement per record wins (0.4 ``recordId``; 0.2/0.3
  ``replacesStatements``); ``recordStatus: closed`` ends the record's edges at
  its ``statementDate``.

Locations: for a JSON array the finding's ``column`` is a JSON pointer into the
file (``/12/recordDetails/subject``); for JSON Lines ``line`` is the line number
and ``column`` a pointer inside that line's record.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from ownergraph.graph import identifiers
from ownergraph.graph.model import (
    CONTROL_BASES,
    Control,
    Dataset,
    Entity,
    Link,
    ReportedRelation,
    Share,
    Stake,
    inside,
)
from ownergraph.loaders.jsonrecords import JsonRecord, Reporter, located, read_json_records
from ownergraph.loaders.normalise import (
    clean_name,
    normalise_uscc,
    parse_iso_date,
    percent_to_fraction,
    validate_lei,
    validate_uscc,
)
from ownergraph.loaders.repeats import number_repeated_stakes
from ownergraph.loaders.validate import RowLines, check_dataset

__all__ = ["JsonRecord", "Reporter", "located", "parse_bods", "parse_date_prefix", "read_json_records"]

# Interest types (0.4 spelling; 0.2 hyphenated codes are camel-cased first).
_EQUITY = "shareholding"
_VOTING = "votingRights"
_BOARD = frozenset({"appointmentOfBoard"})
_AGREEMENT = frozenset({"rightsGrantedByContract", "controlViaCompanyRulesOrArticles"})
_UNSPECIFIED_LINK = "unspecified_interest"
_FLAG_UNKNOWN = "direct_or_indirect_unknown"
_FLAG_NO_TYPE = "interest_type_missing"

_ENTITY_KINDS: dict[str, str] = {
    "registeredEntity": "company",
    "legalEntity": "company",
    "arrangement": "other",
    "anonymousEntity": "unknown",
    "unknownEntity": "unknown",
    "state": "state_body",
    "stateBody": "state_body",
}
_LEI_SCHEME = "XI-LEI"
_LEGAL_ENTITY_KINDS = frozenset({"partnership", "fund"})
# Interest details naming a control basis or a link type BODS has no interest type for (our export writes them).
_BASIS_DETAIL = re.compile(r"^control basis: ([a-z_]+)$")
_LINK_DETAIL = re.compile(r"^link type: ([a-z0-9_]+)$")


# --- small typed accessors for untrusted JSON ---------------------------------------------


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_date_prefix(text: str) -> date:
    """The calendar date of "YYYY-MM-DD" or of an ISO timestamp ("2019-09-11T11:17:23Z").

    The date is taken as written (local to the source), not converted to UTC:
    a registry's "2020-01-01T00:00:00+01:00" means 1 January.
    """
    s = text.strip()
    if len(s) > 10 and s[10] in "T ":
        s = s[:10]
    return parse_iso_date(s)


# --- statements ----------------------------------------------------------------------------

StatementKind = Literal["entity", "person", "relationship"]
_V02_KINDS: dict[str, StatementKind] = {
    "entityStatement": "entity",
    "personStatement": "person",
    "ownershipOrControlStatement": "relationship",
}
_V04_KINDS: dict[str, StatementKind] = {
    "entity": "entity",
    "person": "person",
    "relationship": "relationship",
}


@dataclass(slots=True)
class _Statement:
    rec: JsonRecord
    kind: StatementKind
    record_id: str  # 0.4 recordId; 0.2/0.3 statementID (they have no record ids)
    statement_id: str
    statement_date: str | None
    closed: bool
    details: dict[str, Any]  # 0.4 recordDetails; 0.2/0.3 the statement itself
    details_path: tuple[str, ...]  # where ``details`` sits inside the record
    version: Literal["0.2", "0.4"]
    replaces: tuple[str, ...] = ()


def _statement(rec: JsonRecord, report: Reporter) -> _Statement | None:
    obj = rec.value
    if not isinstance(obj, dict):
        report.error("bad_statement", "expected a JSON object for each statement", rec)
        return None
    if "recordType" in obj:
        return _statement_v04(rec, obj, report)
    if "statementType" in obj:
        return _statement_v02(rec, obj, report)
    report.error(
        "bad_statement",
        "expected a BODS statement with recordType (0.4) or statementType (0.2/0.3)",
        rec,
    )
    return None


def _statement_v04(rec: JsonRecord, obj: dict[str, Any], report: Reporter) -> _Statement | None:
    kind = _V04_KINDS.get(obj["recordType"]) if isinstance(obj["recordType"], str) else None
    if kind is None:
        report.error("bad_statement", "expected recordType entity, person or relationship", rec, "recordType")
        return None
    record_id = _str(obj.get("recordId"))
    if record_id is None:
        report.error("missing_id", "expected a non-empty recordId string", rec, "recordId")
        return None
    details = obj.get("recordDetails")
    if not isinstance(details, dict):
        report.error("bad_statement", "expected recordDetails to be an object", rec, "recordDetails")
        return None
    return _Statement(
        rec=rec,
        kind=kind,
        record_id=record_id,
        statement_id=_str(obj.get("statementId")) or record_id,
        statement_date=_str(obj.get("statementDate")),
        closed=obj.get("recordStatus") == "closed",
        details=details,
        details_path=("recordDetails",),
        version="0.4",
    )


def _statement_v02(rec: JsonRecord, obj: dict[str, Any], report: Reporter) -> _Statement | None:
    st = obj["statementType"]
    kind = _V02_KINDS.get(st) if isinstance(st, str) else None
    if kind is None:
        report.error(
            "bad_statement",
            "expected statementType entityStatement, personStatement or ownershipOrControlStatement",
            rec,
            "statementType",
        )
        return None
    sid = _str(obj.get("statementID")) or _str(obj.get("statementId"))
    if sid is None:
        report.error("missing_id", "expected a non-empty statementID string", rec, "statementID")
        return None
    replaces = tuple(s for s in map(_str, _list(obj.get("replacesStatements"))) if s)
    return _Statement(
        rec=rec,
        kind=kind,
        record_id=sid,
        statement_id=sid,
        statement_date=_str(obj.get("statementDate")),
        closed=False,
        details=obj,
        details_path=(),
        version="0.2",
        replaces=replaces,
    )


def _sort_instant(text: str | None) -> datetime:
    """A statement date as an aware instant for ordering; missing or bad dates sort first."""
    if text:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


def _latest(statements: list[_Statement]) -> tuple[list[_Statement], dict[str, str]]:
    """The current statement of each record, and old statement ids -> the record's id.

    0.4: the latest ``statementDate`` per ``recordId`` wins (a later position in
    the file breaks ties). 0.2/0.3: a statement named in another's
    ``replacesStatements`` gives way to it, and references to it follow.
    """
    best: dict[str, tuple[tuple[datetime, int], _Statement]] = {}
    for n, s in enumerate(statements):
        key = (_sort_instant(s.statement_date), n)
        if s.record_id not in best or key >= best[s.record_id][0]:
            best[s.record_id] = (key, s)
    replaced_by: dict[str, str] = {}
    for _, s in best.values():
        for old in s.replaces:
            if old != s.record_id:
                replaced_by[old] = s.record_id
    current = [s for _, s in sorted(best.values(), key=lambda kv: kv[0][1])]
    current = [s for s in current if s.record_id not in replaced_by]
    return current, replaced_by


def _resolve(ref: str, replaced_by: dict[str, str]) -> str:
    seen = {ref}
    while ref in replaced_by and replaced_by[ref] not in seen:  # a cycle must not hang the load
        ref = replaced_by[ref]
        seen.add(ref)
    return ref


# --- provenance ----------------------------------------------------------------------------


def _source_text(s: _Statement) -> str:
    """Where a statement came from: the source's type, description, url and asserters."""
    obj = _dict(s.rec.value)
    src = _dict(obj.get("source"))
    types = src.get("type")
    parts: list[str] = []
    type_text = "/".join(t for t in map(_str, _list(types)) if t) or _str(types)
    if type_text:
        parts.append(type_text)
    for key in ("description", "url"):
        text = _str(src.get(key))
        if text:
            parts.append(text)
    asserters = [n for n in (_str(_dict(a).get("name")) for a in _list(src.get("assertedBy"))) if n]
    if asserters:
        parts.append("asserted by " + ", ".join(asserters))
    if not parts:
        publisher = _str(_dict(_dict(obj.get("publicationDetails")).get("publisher")).get("name"))
        if publisher:
            parts.append(f"published by {publisher}")
    when = f" of {s.statement_date}" if s.statement_date else ""
    return "; ".join([f"BODS statement {s.statement_id}{when}", *parts])


# --- entities and persons ------------------------------------------------------------------


def _person_names(details: dict[str, Any]) -> list[str]:
    names: list[tuple[int, str]] = []
    for n in _list(details.get("names")):
        d = _dict(n)
        full = _str(d.get("fullName"))
        if full is None:
            parts = [_str(d.get(k)) for k in ("givenName", "patronymicName", "familyName")]
            full = " ".join(p for p in parts if p) or None
        if full:
            # The legal name first; other names become aliases.
            names.append((0 if d.get("type") == "legal" else 1, clean_name(full)))
    return [n for _, n in sorted(names, key=lambda t: t[0])]


def _identifiers(
    s: _Statement, report: Reporter, extra: dict[str, list[str]]
) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
    """(lei, uscc, identifiers) from the identifiers; all identifiers are kept in ``extra`` too.

    An identifier of a known scheme (``graph/identifiers.py``) that fails its check is a
    warning and stays data only; an OpenCorporates ``uri`` counts as an OpenCorporates id.
    """
    lei = uscc = None
    found: dict[tuple[str, str], None] = {}
    for k, ident in enumerate(_list(s.details.get("identifiers"))):
        d = _dict(ident)
        scheme = _str(d.get("scheme"))
        value = _str(d.get("id"))
        uri = _str(d.get("uri"))
        if value is None and uri and "opencorporates.com/companies/" in uri:
            scheme, value = "OPENCORPORATES", uri
        if value is None:
            continue
        extra[f"identifier:{scheme or _str(d.get('schemeName')) or 'unnamed'}"].append(value)
        where: tuple[str | int, ...] = (*s.details_path, "identifiers", k, "id")
        if scheme == _LEI_SCHEME:
            problem = validate_lei(value.upper())
            if problem:
                report.warning("bad_lei", f"{problem}; kept as an identifier only", s.rec, *where)
            else:
                lei = value.upper()
        elif scheme and scheme.upper().startswith("CN-") and len(value) == 18:
            # An 18-character Chinese company number is a USCC (GB 32100-2015).
            code = normalise_uscc(value)
            problem = validate_uscc(code)
            if problem:
                report.warning("bad_uscc", f"{problem}; kept as an identifier only", s.rec, *where)
            else:
                uscc = code
        if scheme is None or identifiers.scheme_name(scheme) is None:
            continue
        name, normal, problem = identifiers.normalise(scheme, value)
        if problem and name not in (identifiers.LEI, identifiers.USCC):  # those two are warned about above
            report.warning("bad_identifier", f"{name} {value!r}: {problem}; kept, never merged on", s.rec, *where)
        found[(name, value if problem else normal)] = None
    return lei, uscc, tuple(found)


def _entity_kind_and_name(s: _Statement) -> tuple[str, str | None, list[str], dict[str, str]]:
    d = s.details
    info: dict[str, str] = {}
    if s.kind == "person":
        names = _person_names(d)
        ptype = _str(d.get("personType"))
        if ptype:
            info["person_type"] = ptype
        return "person", (names[0] if names else None), names[1:], info
    etype_raw = d.get("entityType")
    etype = _str(_dict(etype_raw).get("type")) if isinstance(etype_raw, dict) else _str(etype_raw)
    subtype = _str(_dict(etype_raw).get("subtype"))
    if etype:
        info["entity_type"] = f"{etype}/{subtype}" if subtype else etype
    kind = _ENTITY_KINDS.get(etype or "", "other" if etype else "company")
    if etype == "legalEntity" and _str(_dict(etype_raw).get("details")) in _LEGAL_ENTITY_KINDS:
        kind = str(_dict(etype_raw)["details"]).strip()  # as ownergraph's export writes a partnership or fund
    name = _str(d.get("name"))
    aliases = [
        clean_name(a)
        for a in (_str(x) if isinstance(x, str) else _str(_dict(x).get("name")) for x in _list(d.get("alternateNames")))
        if a
    ]
    return kind, (clean_name(name) if name else None), aliases, info


def _optional_date(s: _Statement, report: Reporter, key: str) -> date | None:
    text = _str(s.details.get(key))
    if text is None:
        return None
    try:
        return parse_date_prefix(text)
    except ValueError as exc:
        report.warning("bad_date", f"{exc}; left empty", s.rec, *s.details_path, key)
        return None


def _entity(s: _Statement, report: Reporter) -> Entity:
    kind, name, aliases, info = _entity_kind_and_name(s)
    extra: dict[str, list[str]] = defaultdict(list)
    for k, v in info.items():
        extra[k].append(v)
    lei, uscc, idents = _identifiers(s, report, extra)
    d = s.details
    jur = d.get("jurisdiction") if s.version == "0.4" else d.get("incorporatedInJurisdiction")
    jurisdiction = _str(_dict(jur).get("code"))
    if s.statement_date:
        extra["statement_date"].append(s.statement_date)
    if s.closed:
        extra["record_status"].append("closed")
    if name is None:
        name = f"(unnamed {s.kind} {s.record_id})"
        report.warning("missing_name", f"expected a name; shown as {name!r}", s.rec)
    return Entity(
        id=s.record_id,
        name=name,
        kind=kind,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        jurisdiction=jurisdiction,
        uscc=uscc,
        lei=lei,
        founded=_optional_date(s, report, "foundingDate") if s.kind == "entity" else None,
        dissolved=_optional_date(s, report, "dissolutionDate") if s.kind == "entity" else None,
        status="closed" if s.closed else None,
        source=_source_text(s),
        extra=tuple(sorted((k, "; ".join(v)) for k, v in extra.items())),
        identifiers=idents,
    )


def _duplicate_identifier_warnings(statements: list[_Statement], report: Reporter) -> None:
    """0.2/0.3 statements of one entity may share a register identifier: say so, do not merge.

    Merging on identifiers would silently join records that a publisher kept
    apart (and identifiers are sometimes reused); the statementID stays the id.
    """
    first: dict[tuple[str, str], str] = {}
    for s in statements:
        if s.version != "0.2" or s.kind == "relationship":
            continue
        for k, ident in enumerate(_list(s.details.get("identifiers"))):
            d = _dict(ident)
            scheme, value = _str(d.get("scheme")), _str(d.get("id"))
            if not scheme or not value:
                continue
            other = first.setdefault((scheme, value), s.record_id)
            if other != s.record_id:
                report.warning(
                    "duplicate_identifier",
                    f"statement {s.record_id} has identifier {scheme} {value} like statement "
                    f"{other}; both kept as separate entities (no replacesStatements links them)",
                    s.rec,
                    "identifiers",
                    k,
                )


# --- relationships -------------------------------------------------------------------------


@dataclass(slots=True)
class _StakeParts:
    equity: Share | None = None
    voting: Share | None = None
    flags: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Interest:
    index: int
    itype: str | None
    level: str  # direct | indirect | unknown
    share: Share | None
    start: date | None
    end: date | None
    details: str | None


def _camel(code: str) -> str:
    """0.2 codes are hyphenated ("voting-rights"); 0.4 uses camelCase ("votingRights")."""
    head, *rest = code.split("-")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(code: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", code).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or _UNSPECIFIED_LINK


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return v if math.isfinite(v) and 0.0 <= v <= 100.0 else None


_SHARE_KEYS = ("exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _share(value: Any, s: _Statement, report: Reporter, *where: str | int) -> Share | None:
    """A BODS share object (percent 0-100) as a Share; an exclusive bound is kept just inside it.

    0.4 gives an exclusive bound as a number (``"exclusiveMinimum": 50``); 0.1-0.3
    as a flag on the inclusive one (``"minimum": 50, "exclusiveMinimum": true``).
    Either way "more than 50" must pass the strict "more than half" test.
    """
    if value is None:
        return None
    d = _dict(value)
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    present = {k: d[k] for k in _SHARE_KEYS if d.get(k) is not None}
    flags = {k: v for k, v in present.items() if isinstance(v, bool)}
    numbers = {k: v for k, v in present.items() if k not in flags}
    bad = [k for k, v in numbers.items() if _percent(v) is None]
    bad += [k for k in flags if k not in ("exclusiveMinimum", "exclusiveMaximum")]
    if not isinstance(value, dict) or bad:
        what = f" ({', '.join(bad)})" if bad else ""
        report.error(
            "bad_share",
            f"expected a share object with numbers from 0 to 100{what}, got {raw[:80]}",
            s.rec,
            *where,
        )
        return Share(raw=raw)
    if not numbers:
        return Share(raw=raw) if d else None
    lo = _bound(numbers, flags, "minimum", "exclusiveMinimum", toward=1.0)
    hi = _bound(numbers, flags, "maximum", "exclusiveMaximum", toward=0.0)
    if "exact" in numbers:
        exact = percent_to_fraction(float(numbers["exact"]))
        if (lo is not None and exact < lo) or (hi is not None and exact > hi):
            report.warning(
                "exact_share_outside_range",
                f"expected the exact share to lie within minimum/maximum, got {raw[:80]}; the exact share is kept",
                s.rec,
                *where,
            )
        return Share(exact=exact)
    lo = 0.0 if lo is None else lo
    hi = 1.0 if hi is None else hi
    if lo > hi:
        report.error("bad_share", f"expected minimum <= maximum (a range some share can take), got {raw[:80]}",
                     s.rec, *where)
        return Share(raw=raw)
    return Share(minimum=lo, maximum=hi, raw=raw)


def _bound(
    numbers: dict[str, Any], flags: dict[str, bool], inclusive: str, exclusive: str, toward: float
) -> float | None:
    if inclusive in numbers:
        bound = percent_to_fraction(float(numbers[inclusive]))
        return inside(bound, toward) if flags.get(exclusive) else bound  # 0.1-0.3: a flag
    if exclusive in numbers:  # 0.4: the exclusive bound itself
        return inside(percent_to_fraction(float(numbers[exclusive])), toward)
    return None


def _interest_date(
    d: dict[str, Any], key: str, s: _Statement, report: Reporter, where: tuple[str | int, ...]
) -> date | None:
    text = _str(d.get(key))
    if text is None:
        return None
    try:
        return parse_date_prefix(text)
    except ValueError as exc:
        report.warning("bad_date", f"{exc}; left empty", s.rec, *where, key)
        return None


def _interests(s: _Statement, report: Reporter, closed_on: date | None) -> list[_Interest]:
    out: list[_Interest] = []
    for k, raw in enumerate(_list(s.details.get("interests"))):
        where: tuple[str | int, ...] = (*s.details_path, "interests", k)
        d = _dict(raw)
        if not d:
            report.warning("bad_interest", "expected an interest object; skipped", s.rec, *where)
            continue
        itype = _str(d.get("type"))
        level = _str(d.get("directOrIndirect")) or _str(d.get("interestLevel")) or "unknown"
        end = _interest_date(d, "endDate", s, report, where)
        if closed_on is not None and (end is None or closed_on < end):
            end = closed_on
        out.append(
            _Interest(
                index=k,
                itype=_camel(itype) if itype else None,
                level=level if level in ("direct", "indirect") else "unknown",
                share=_share(d.get("share"), s, report, *where, "share"),
                start=_interest_date(d, "startDate", s, report, where),
                end=end,
                details=_str(d.get("details")),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _Party:
    ref: str | None  # the referenced statement; None for an unspecified party
    where: tuple[str, ...]
    placeholder: Entity | None = None


def _party_ref(s: _Statement, report: Reporter) -> _Party | None:
    """The interested party: a reference, or a new unknown entity for an unspecified one."""
    party = s.details.get("interestedParty")
    base = (*s.details_path, "interestedParty")
    if s.version == "0.4":
        if isinstance(party, str) and party.strip():
            return _Party(party.strip(), base)
        reason_obj = _dict(party)
    else:
        p = _dict(party)
        for key in ("describedByPersonStatement", "describedByEntityStatement"):
            ref = _str(p.get(key))
            if ref:
                return _Party(ref, (*base, key))
        reason_obj = _dict(p.get("unspecified")) or p
    if not reason_obj:
        report.error("missing_party", "expected an interested party reference", s.rec, *base)
        return None
    reason = _str(reason_obj.get("reason"))
    placeholder = _unspecified_party(s, reason, _str(reason_obj.get("description")))
    return _Party(None, base, placeholder)


def _unspecified_party(s: _Statement, reason: str | None, description: str | None) -> Entity:
    extra = [("unspecified_reason", reason or "unstated")]
    if description:
        extra.append(("unspecified_description", description))
    return Entity(
        id=f"{s.record_id}/unspecified",
        name=f"Unspecified party ({reason or 'no reason given'})",
        kind="unknown",
        source=_source_text(s),
        extra=tuple(sorted(extra)),
    )


def _subject_ref(s: _Statement, report: Reporter) -> tuple[str, tuple[str, ...]] | None:
    subj = s.details.get("subject")
    base = (*s.details_path, "subject")
    if s.version == "0.4":
        ref = _str(subj)
        where = base
    else:
        ref = _str(_dict(subj).get("describedByEntityStatement"))
        where = (*base, "describedByEntityStatement")
    if ref is None:
        report.error("missing_subject", "expected the subject's record id", s.rec, *where)
        return None
    return ref, where


def _relationship(
    s: _Statement,
    entity_ids: set[str],
    person_ids: set[str],
    replaced_by: dict[str, str],
    report: Reporter,
    data: Dataset,
) -> None:
    subj = _subject_ref(s, report)
    party = _party_ref(s, report)
    if subj is None or party is None:
        return
    subject_id = _resolve(subj[0], replaced_by)
    if subject_id in person_ids:
        report.add(
            "warning",
            "subject_not_entity",
            f"expected the subject to be an entity statement, {subject_id!r} is a person statement; loaded as "
            "given (a person owned or controlled by someone)",
            s.rec,
            *subj[1],
            entity_id=subject_id,
        )
    party_id = _resolve(party.ref, replaced_by) if party.ref else None
    for ref, where in ((subject_id, subj[1]), (party_id, party.where)):
        if ref is not None and ref not in entity_ids:
            # Kept with its edges: a delta may refer to a statement loaded before, which the load
            # pipeline looks up in the graph; any it cannot find there rejects the load.
            report.add(
                "error",
                "missing_statement",
                f"expected {ref!r} to be an entity or person statement in this file or already in the graph",
                s.rec,
                *where,
                entity_id=ref,
            )
    if party.placeholder is not None:
        data.entities.append(party.placeholder)
        party_id = party.placeholder.id
    assert party_id is not None  # a reference or a placeholder, by construction of _Party
    _relationship_edges(s, subject_id, party_id, report, data)


def _relationship_edges(s: _Statement, subject_id: str, party_id: str, report: Reporter, data: Dataset) -> None:
    closed_on = _closing_date(s)
    source = _source_text(s)
    interests = _interests(s, report, closed_on)
    if not interests:
        # Some registers (e.g. the Slovak RPVS in 0.2) state that a party has an
        # interest without saying which: a link, since no share or basis is known.
        data.links.append(
            Link(
                party_id,
                subject_id,
                _UNSPECIFIED_LINK,
                end=closed_on,
                source=source,
                detail=f"BODS relationship {s.record_id}: no interests stated",
            )
        )
        return
    indirect = [i for i in interests if i.level == "indirect"]
    if indirect:
        data.reported.append(_declared(s, subject_id, party_id, indirect, source))
    groups: dict[tuple[date | None, date | None], _StakeParts] = {}
    for i in interests:
        if i.level != "indirect":
            _direct_interest(s, i, subject_id, party_id, source, groups, report, data)
    for (start, end), g in groups.items():
        data.stakes.append(
            Stake(
                owner_id=party_id,
                owned_id=subject_id,
                share=g.equity or Share(),
                voting_share=g.voting,
                start=start,
                end=end,
                source=source,
                detail=f"BODS relationship {s.record_id}",
                flags=tuple(sorted(g.flags)),
            )
        )


def _closing_date(s: _Statement) -> date | None:
    if not s.closed or not s.statement_date:
        return None
    try:
        return parse_date_prefix(s.statement_date)
    except ValueError:
        return None


def _direct_interest(
    s: _Statement,
    i: _Interest,
    subject_id: str,
    party_id: str,
    source: str,
    groups: dict[tuple[date | None, date | None], _StakeParts],
    report: Reporter,
    data: Dataset,
) -> None:
    """One direct (or unknown-level) interest: part of a stake, a control, or a typed link."""
    flags = {_FLAG_UNKNOWN} if i.level == "unknown" else set()
    if i.itype in (_EQUITY, _VOTING) or (i.itype is None and i.level == "unknown"):
        # Equity and voting interests of one period describe one stake.
        g = groups.setdefault((i.start, i.end), _StakeParts())
        g.flags |= flags
        if i.itype is None:
            g.flags.add(_FLAG_NO_TYPE)
        elif i.itype == _EQUITY:
            if g.equity is not None:
                report.warning(
                    "duplicate_interest",
                    "expected one shareholding per period; the first is kept",
                    s.rec,
                    *s.details_path,
                    "interests",
                    i.index,
                )
            else:
                g.equity = i.share or Share()
        elif g.voting is None:
            g.voting = i.share or Share()
        return
    named = _BASIS_DETAIL.match(i.details or "")
    if named and named.group(1) in CONTROL_BASES:
        data.controls.append(Control(party_id, subject_id, named.group(1), i.start, i.end, source))
        return
    if i.itype in _BOARD or i.itype in _AGREEMENT:
        basis = "board" if i.itype in _BOARD else "agreement"
        data.controls.append(Control(party_id, subject_id, basis, i.start, i.end, source))
        return
    typed = _LINK_DETAIL.match(i.details or "")
    if typed:
        data.links.append(Link(party_id, subject_id, typed.group(1), i.start, i.end, source,
                               f"BODS relationship {s.record_id}"))
        return
    detail = [f"BODS relationship {s.record_id}"]
    if i.share is not None and not i.share.is_unknown:
        detail.append(f"share {i.share.raw or i.share.exact}")
    if i.level == "unknown":
        detail.append(_FLAG_UNKNOWN)
    if i.details:
        detail.append(i.details)
    link_type = _snake(i.itype) if i.itype else _UNSPECIFIED_LINK
    data.links.append(Link(party_id, subject_id, link_type, i.start, i.end, source, "; ".join(detail)))


def _declared(
    s: _Statement, subject_id: str, party_id: str, indirect: list[_Interest], source: str
) -> ReportedRelation:
    """One declared indirect result per relationship (its equity share if stated)."""
    main = next((i for i in indirect if i.itype == _EQUITY), indirect[0])
    parts = []
    for i in indirect:
        share = i.share.raw or i.share.exact if i.share and not i.share.is_unknown else None
        parts.append(f"{i.itype or 'untyped'}" + (f" {share}" if share is not None else ""))
    components = [
        c
        for c in map(_str, _list(s.details.get("componentRecords")) or _list(s.details.get("componentStatementIDs")))
        if c
    ]
    comp = ("componentRecords: " + ", ".join(components)) if components else "no componentRecords"
    return ReportedRelation(
        subject_id=subject_id,
        object_id=party_id,
        relation="declared_indirect",
        share=main.share or Share(),
        start=main.start,
        end=main.end,
        source=source,
        detail=f"BODS relationship {s.record_id}; indirect {', '.join(parts)}; {comp}",
    )


# --- the parser ------------------------------------------------------------------------------


def _statements(records: list[JsonRecord], report: Reporter) -> Iterator[_Statement]:
    for rec in records:
        s = _statement(rec, report)
        if s is not None:
            yield s


def parse_bods(path: Path) -> Dataset:
    """Parse a BODS file (JSON array or JSON Lines, optionally gzip) into records.

    Never raises for bad input: malformed JSON, unknown statements and
    relationships to statements missing from the file are located error
    findings in ``Dataset.findings`` (the caller rejects the load on errors).
    """
    report = Reporter(str(path))
    data = Dataset(findings=report.findings)
    where = RowLines()
    parsed = list(_statements(read_json_records(path, report), report))
    _duplicate_statement_warnings(parsed, report)
    statements, replaced_by = _latest(parsed)
    del parsed
    _duplicate_identifier_warnings(statements, report)
    for s in statements:
        if s.kind != "relationship":
            with located(data, where, report.file, s.rec):
                data.entities.append(_entity(s, report))
    entity_ids = {e.id for e in data.entities}
    person_ids = {e.id for e in data.entities if e.kind == "person"}
    for s in statements:
        if s.kind == "relationship":
            with located(data, where, report.file, s.rec):
                _relationship(s, entity_ids, person_ids, replaced_by, report, data)
    # references are checked statement by statement above (missing_statement)
    data.findings.extend(check_dataset(data, locations=where, file=report.file, skip={"unknown_entity"}))
    data.findings.extend(number_repeated_stakes(data, file=report.file, locations=where))
    data.origins = where
    return data


def _duplicate_statement_warnings(statements: list[_Statement], report: Reporter) -> None:
    """Warn about a statement id given twice: the same statement repeated, or two statements
    under one id (one of them wins as ``_latest`` decides; the other is lost)."""
    counts = Counter(s.statement_id for s in statements)
    if len(counts) == len(statements):
        return
    first: dict[str, _Statement] = {}
    for s in statements:
        if counts[s.statement_id] == 1:
            continue
        earlier = first.setdefault(s.statement_id, s)
        if earlier is s:
            continue
        at = _place(earlier.rec)
        if _canonical(earlier.rec.value) == _canonical(s.rec.value):
            report.warning(
                "repeated_statement",
                f"statement {s.statement_id!r} repeats the one at {at} exactly; loaded once",
                s.rec,
            )
        else:
            report.warning(
                "duplicate_statement_id",
                f"expected unique statement ids, {s.statement_id!r} also names a different statement at {at}; "
                "only the one with the later statementDate (else the later in the file) is loaded",
                s.rec,
            )


def _place(rec: JsonRecord) -> str:
    return f"line {rec.line}" if rec.line is not None else (rec.pointer or "/")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
