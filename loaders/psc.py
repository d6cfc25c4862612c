"""UK Companies House persons-with-significant-control snapshot -> Dataset.

The snapshot is JSON Lines, one ``{"company_number", "data": {...}}`` per PSC
or statement, and a last totals line; the array-wrapped form of test fixtures
is read too. Read as a stream (``loaders.jsonstream``): memory holds the
records kept, never the text. The mapping is in ``docs/formats.md`` (UK PSC):

* the company is ``GB-COH-<company number>`` (named by its number: the
  snapshot does not name companies, unless it holds the company as an owner);
* an individual, a corporate entity or a legal person is an owner of its own,
  ``GB-COH-PSC-<psc id>`` (the last part of ``links.self``); a corporate owner
  registered in a UK register with a company number is ``GB-COH-<that number>``;
* ``ownership-of-shares-*`` (and an LLP's surplus assets) bands -> the stake's
  equity share, ``voting-rights-*`` -> its voting share: 25-to-50 -> (25, 50],
  50-to-75 -> (50, 75], 75-to-100 -> (75, 100], more-than-25 -> (25, 100];
* ``right-to-appoint-and-remove-directors`` (or members) -> CONTROLS ``board``,
  ``significant-influence-or-control`` -> CONTROLS ``declared``, each also
  ``-as-trust``, ``-as-firm`` and for registered overseas entities;
* ``notified_on`` -> start, ``ceased_on`` -> end;
* statements (no PSC, PSC details not yet confirmed, ...), super-secure PSCs
  and exemptions are findings (warnings) on the company, and kept in its
  ``extra``; the totals line is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ownergraph.graph.model import Control, Dataset, Entity, Link, Share, Stake, inside
from ownergraph.loaders.jsonrecords import JsonRecord, Reporter, located
from ownergraph.loaders.jsonstream import iter_json_records
from ownergraph.loaders.normalise import clean_name, parse_iso_date
from ownergraph.loaders.validate import RowLines, check_dataset

__all__ = ["parse_psc"]

SOURCE = "Companies House PSC snapshot"
_PREFIX = "GB-COH-"
_PSC_PREFIX = "GB-COH-PSC-"

_OWNER_KINDS = {
    "individual-person-with-significant-control": "person",
    "individual-beneficial-owner": "person",
    "corporate-entity-person-with-significant-control": "company",
    "corporate-entity-beneficial-owner": "company",
    "legal-person-person-with-significant-control": "legal_person",
    "legal-person-beneficial-owner": "legal_person",
}
_SUPER_SECURE = frozenset({"super-secure-person-with-significant-control", "super-secure-beneficial-owner"})
_STATEMENT = "persons-with-significant-control-statement"
_EXEMPTIONS = "exemptions"
_TOTALS = "totals#persons-of-significant-control-snapshot"

_BAND = re.compile(
    r"^(?P<what>ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
    r"(?:(?P<lo>\d+)-to-(?P<hi>\d+)|more-than-(?P<more>\d+))-percent"
)
_BOARD = re.compile(r"^right-to-appoint-and-remove-(?:directors|members|person)")
_INFLUENCE = re.compile(r"^significant-influence-or-control")
_UK_REGISTER = re.compile(
    r"england|wales|scotland|northern ireland|united kingdom|great britain|companies house|cardiff|edinburgh"
    r"|belfast|\bu\.?k\.?\b", re.IGNORECASE)
_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
_STATE = re.compile(r"government|ministry|state|council|crown|republic|department|authority|municipal",
                    re.IGNORECASE)


@dataclass(slots=True)
class _Load:
    report: Reporter
    data: Dataset
    where: RowLines
    index: dict[str, int] = field(default_factory=dict)  # shared entity id -> position in data.entities
    notes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # company id -> (key, text)


def parse_psc(path: Path) -> Dataset:
    """Parse a PSC snapshot file (JSON Lines or a JSON array, gzip or not) into records.

    Never raises for bad input: faults are located findings (line, and the
    element's JSON pointer in an array) in ``Dataset.findings``.
    """
    report = Reporter(str(path))
    data = Dataset(findings=report.findings)
    run = _Load(report, data, RowLines())
    for rec in iter_json_records(path, report):
        with located(data, run.where, report.file, rec):
            _record(run, rec)
    _attach_notes(run)
    lines, pointers = run.where.lines_for("entities", report.file), run.where.pointers_for("entities")
    for at in run.index.values():  # shared entities belong to no one line (see ``_shared``)
        lines[at], pointers[at] = 0, ""
    data.findings.extend(check_dataset(data, locations=run.where, file=report.file))
    data.origins = run.where
    return data


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _record(run: _Load, rec: JsonRecord) -> None:
    line = _dict(rec.value)
    body = line.get("data")
    if not isinstance(body, dict):
        run.report.error("bad_record", "expected an object with a 'data' object (a PSC snapshot line)", rec)
        return
    kind = _str(body.get("kind"))
    if kind == _TOTALS:
        return
    number = _str(line.get("company_number"))
    if number is None:
        run.report.error("missing_id", "expected a company_number", rec, "company_number")
        return
    company = _company(run, number.upper())
    source = f"{SOURCE} of {line['ContentDate']}" if _str(line.get("ContentDate")) else SOURCE
    if kind in _OWNER_KINDS:
        _psc(run, rec, body, kind, company, source)
    elif kind in (_STATEMENT, _EXEMPTIONS) or kind in _SUPER_SECURE:
        _note(run, rec, body, kind, company)
    else:
        run.report.warning("unknown_kind", f"expected a known PSC kind, got {kind!r}; the line is skipped", rec,
                           "data", "kind")


# --- entities --------------------------------------------------------------------------------


def _shared(run: _Load, entity: Entity, *, named: bool) -> str:
    """Add an entity many lines may name (a company), once: with no line of its own, so that a
    lenient load leaving one faulty line out keeps it. A later name replaces a company number."""
    at = run.index.get(entity.id)
    if at is None:
        run.index[entity.id] = len(run.data.entities)
        run.data.entities.append(entity)
    elif named:
        old = run.data.entities[at]
        if old.name == old.id.removeprefix(_PREFIX):
            run.data.entities[at] = replace(entity, extra=tuple(sorted({*old.extra, *entity.extra})))
    return entity.id


def _company(run: _Load, number: str) -> str:
    entity = Entity(id=f"{_PREFIX}{number}", name=number, kind="company",
                    jurisdiction=None if number.startswith("OE") else "GB", source=SOURCE,
                    extra=(("company_number", number),))
    return _shared(run, entity, named=False)


def _psc_id(body: dict[str, Any]) -> str | None:
    link = _str(_dict(body.get("links")).get("self"))
    return link.rstrip("/").rsplit("/", 1)[-1] if link else None


def _uk_number(ident: dict[str, Any]) -> str | None:
    """The company number of a corporate owner registered in a UK register, else None."""
    number = _str(ident.get("registration_number"))
    if number is None:
        return None
    number = re.sub(r"\s+", "", number).upper()
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    where = " ".join(filter(None, (_str(ident.get(k)) for k in ("country_registered", "place_registered",
                                                                  "legal_authority"))))
    return number if _COMPANY_NUMBER.match(number) and _UK_REGISTER.search(where) else None


def _address(value: Any) -> str | None:
    a = _dict(value)
    parts = [_str(a.get(k)) for k in ("care_of", "po_box", "premises", "address_line_1", "address_line_2",
                                      "locality", "region", "postal_code", "country")]
    return ", ".join(p for p in parts if p) or None


def _owner(run: _Load, rec: JsonRecord, body: dict[str, Any], kind: str) -> str | None:
    psc_id = _psc_id(body)
    if psc_id is None:
        run.report.error("missing_id", "expected links.self naming the PSC", rec, "data", "links", "self")
        return None
    ident = _dict(body.get("identification"))
    extra: dict[str, str] = {"psc_kind": str(body.get("kind")), "psc_link": str(_dict(body.get("links"))["self"])}
    for key in ("nationality", "country_of_residence", "legal_form", "legal_authority", "country_registered",
                "place_registered", "registration_number"):
        value = _str(body.get(key)) or _str(ident.get(key))
        if value:
            extra[key] = value
    born = _dict(body.get("date_of_birth"))
    if isinstance(born.get("year"), int) and isinstance(born.get("month"), int):
        extra["birth_month"] = f"{born['year']:04d}-{born['month']:02d}"
    for key in ("address", "principal_office_address"):
        text = _address(body.get(key))
        if text:
            extra[key] = text
    if isinstance(body.get("is_sanctioned"), bool):
        extra["is_sanctioned"] = str(body["is_sanctioned"]).lower()
    name = _str(body.get("name"))
    if name is None:
        elements = _dict(body.get("name_elements"))
        name = " ".join(p for p in (_str(elements.get(k)) for k in ("forename", "middle_name", "surname")) if p)
    if not name:
        name = f"(unnamed PSC {psc_id})"
        run.report.warning("missing_name", f"expected a name; shown as {name!r}", rec, "data", "name")
    our_kind = _OWNER_KINDS[kind]
    if our_kind == "legal_person":
        our_kind = "state_body" if _STATE.search(f"{extra.get('legal_form', '')} {name}") else "other"
    entity = Entity(id=f"{_PSC_PREFIX}{psc_id}", name=clean_name(name), kind=our_kind, source=SOURCE,
                    extra=tuple(sorted(extra.items())))
    number = _uk_number(ident) if our_kind == "company" else None
    if number is not None:
        return _shared(run, replace(entity, id=f"{_PREFIX}{number}", jurisdiction="GB",
                                    extra=tuple(sorted({**extra, "company_number": number}.items()))), named=True)
    run.data.entities.append(entity)
    return entity.id


# --- natures of control -----------------------------------------------------------------------


@dataclass(slots=True)
class _Natures:
    equity: Share | None = None
    voting: Share | None = None
    bases: list[tuple[str, str]] = field(default_factory=list)  # (basis, nature)
    other: list[str] = field(default_factory=list)


def _band(m: re.Match[str], nature: str) -> Share:
    if m.group("more"):
        return Share(minimum=inside(int(m.group("more")) / 100, 1.0), maximum=1.0, raw=nature)
    lo, hi = int(m.group("lo")) / 100, int(m.group("hi")) / 100
    return Share(minimum=inside(lo, 1.0), maximum=hi, raw=nature)


def _natures(values: list[Any]) -> _Natures:
    out = _Natures()
    for nature in filter(None, map(_str, values)):
        m = _BAND.match(nature)
        if m and m.group("what") == "voting-rights":
            out.voting = out.voting or _band(m, nature)
        elif m:
            out.equity = out.equity or _band(m, nature)
        elif _BOARD.match(nature):
            out.bases.append(("board", nature))
        elif _INFLUENCE.match(nature):
            out.bases.append(("declared", nature))
        else:
            out.other.append(nature)
    return out


def _date(run: _Load, rec: JsonRecord, body: dict[str, Any], key: str) -> date | None:
    text = _str(body.get(key))
    if text is None:
        return None
    try:
        return parse_iso_date(text[:10])
    except ValueError as exc:
        run.report.warning("bad_date", f"{exc}; left empty", rec, "data", key)
        return None


def _psc(run: _Load, rec: JsonRecord, body: dict[str, Any], kind: str, company: str, source: str) -> None:
    owner = _owner(run, rec, body, kind)
    if owner is None:
        return
    start, end = _date(run, rec, body, "notified_on"), _date(run, rec, body, "ceased_on")
    raw = body.get("natures_of_control")
    natures = _natures(raw if isinstance(raw, list) else [])
    detail = f"PSC {_dict(body.get('links')).get('self')}"
    if natures.equity or natures.voting:
        run.data.stakes.append(Stake(owner, company, natures.equity or Share(), voting_share=natures.voting,
                                     start=start, end=end, source=source, detail=detail))
    for basis in dict.fromkeys(b for b, _ in natures.bases):
        run.data.controls.append(Control(owner, company, basis, start, end, source))
    for nature in natures.other:
        run.data.links.append(Link(owner, company, "psc_" + re.sub(r"[^a-z0-9]+", "_", nature.lower()).strip("_"),
                                   start, end, source, detail))
    if not (natures.equity or natures.voting or natures.bases or natures.other):
        run.report.warning("no_natures_of_control", "expected natures_of_control; kept as a link 'psc'", rec,
                           "data", "natures_of_control")
        run.data.links.append(Link(owner, company, "psc", start, end, source, detail))


def _note(run: _Load, rec: JsonRecord, body: dict[str, Any], kind: str, company: str) -> None:
    """A statement, a super-secure PSC or an exemption: a finding on the company, kept in its extra."""
    if kind == _STATEMENT:
        key, what = "psc_statement", _str(body.get("statement")) or "unstated"
    elif kind == _EXEMPTIONS:
        key, what = "psc_exemption", ", ".join(sorted(_dict(body.get("exemptions")))) or "unstated"
    else:
        key, what = "psc_super_secure", "a person with significant control whose details are protected"
    period = [f"from {d}" for d in filter(None, [_str(body.get("notified_on"))])]
    period += [f"ceased {d}" for d in filter(None, [_str(body.get("ceased_on"))])]
    text = what + (f" ({', '.join(period)})" if period else "")
    run.notes.setdefault(company, []).append((key, text))
    run.report.add("warning", key, f"{company}: {key.removeprefix('psc_').replace('_', ' ')}: {text}", rec, "data",
                   entity_id=company)


def _attach_notes(run: _Load) -> None:
    for company, notes in run.notes.items():
        at = run.index[company]
        entity = run.data.entities[at]
        merged: dict[str, list[str]] = {}
        for key, text in notes:
            merged.setdefault(key, []).append(text)
        extra = dict(entity.extra) | {k: "; ".join(v) for k, v in merged.items()}
        run.data.entities[at] = replace(entity, extra=tuple(sorted(extra.items())))
