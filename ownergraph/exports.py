"""A neighbourhood written in the standard forms other tools read: BODS 0.4, GraphML and FtM.

Pure: records in, text out. What each format keeps is in ``docs/formats.md``
(Export). The entities are the view's; the records are every stake, control
and link between them, with their whole history (start and end dates), so
that loading an export back through our own loader gives the same graph.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import networkx as nx

from ownergraph.graph.answers import ControlAnswer
from ownergraph.graph.model import OPEN_BOUND_STEP, Dataset, Entity, Share, Stake

__all__ = [
    "CONTROL_DETAIL", "LINK_DETAIL", "bods_share", "bods_statements", "ftm_lines", "ftm_percentage", "graphml",
    "open_bound", "records_between",
]

PUBLISHER = "ownergraph"
# Interest details naming what BODS has no type for; the BODS loader reads them back.
CONTROL_DETAIL = "control basis: "
LINK_DETAIL = "link type: "

_ENTITY_TYPES = {
    "company": ("registeredEntity", None),
    "partnership": ("legalEntity", "partnership"),
    "fund": ("legalEntity", "fund"),
    "state_body": ("stateBody", None),
    "other": ("arrangement", None),
    "unknown": ("unknownEntity", None),
}
_CONTROL_TYPES = {
    "board": "appointmentOfBoard",
    "agreement": "rightsGrantedByContract",
    "general_partner": "controlViaCompanyRulesOrArticles",
    "declared": "otherInfluenceOrControl",
    "consolidation": "otherInfluenceOrControl",
}


def open_bound(value: float, toward: float) -> float | None:
    """The exclusive bound a stored bound stands in for (``graph.model.inside``), or None.

    >>> from ownergraph.graph.model import inside
    >>> open_bound(inside(0.5, 1.0), 1.0), open_bound(0.5, 1.0), open_bound(inside(0.25, 0.0), 0.0)
    (0.5, None, 0.25)
    """
    bound = value - OPEN_BOUND_STEP if toward > value else value + OPEN_BOUND_STEP
    if abs(value - round(value, 6)) > 1e-9 and abs(bound - round(bound, 6)) < 1e-12:
        return round(bound, 6)
    return None


def _pct(fraction: float) -> float | int:
    value = round(fraction * 100.0, 9)
    return int(value) if value == int(value) else value


def bods_share(share: Share) -> dict[str, Any] | None:
    """A Share as a BODS 0.4 share object (percent), exclusive bounds as such; None when unknown."""
    if share.exact is not None:
        return {"exact": _pct(share.exact)}
    out: dict[str, Any] = {}
    for value, inclusive, exclusive, toward in ((share.minimum, "minimum", "exclusiveMinimum", 1.0),
                                                (share.maximum, "maximum", "exclusiveMaximum", 0.0)):
        if value is None:
            continue
        bound = open_bound(value, toward)
        out[exclusive if bound is not None else inclusive] = _pct(bound if bound is not None else value)
    return out or None


def _statement_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()  # 64 characters, as 0.4 asks


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class _Bods:
    def __init__(self, center: str, today: date) -> None:
        self.center = center
        self.today = today.isoformat()

    def statement(self, record_id: str, record_type: str, details: dict[str, Any], source: str | None,
                  annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        body = json.dumps(details, sort_keys=True)
        out: dict[str, Any] = {
            "statementId": _statement_id(record_type, record_id, body),
            "declarationSubject": self.center,
            "statementDate": self.today,
            "recordId": record_id,
            "recordType": record_type,
            "recordStatus": "new",
            "recordDetails": details,
            "publicationDetails": {"publicationDate": self.today, "bodsVersion": "0.4",
                                   "publisher": {"name": PUBLISHER}},
        }
        if source:
            out["source"] = {"type": ["thirdParty"], "description": source}
        if annotations:
            out["annotations"] = annotations
        return out


def _identifiers(e: Entity) -> list[dict[str, str]]:
    out = []
    if e.lei:
        out.append({"scheme": "XI-LEI", "id": e.lei})
    if e.uscc:
        out.append({"scheme": "CN-SAIC", "id": e.uscc})
    for key, value in e.extra:
        if key.startswith("identifier:") and key not in ("identifier:XI-LEI",):
            scheme = key.removeprefix("identifier:")
            for one in value.split("; "):
                out.append({"scheme": scheme, "id": one} if "-" in scheme and " " not in scheme
                           else {"schemeName": scheme, "id": one})
    return out


def _entity_details(e: Entity) -> tuple[str, dict[str, Any]]:
    if e.kind == "person":
        names = [{"type": "legal", "fullName": e.name}, *({"type": "alternative", "fullName": a} for a in e.aliases)]
        details: dict[str, Any] = {"isComponent": False, "personType": "knownPerson", "names": names}
        ids = _identifiers(e)
        if ids:
            details["identifiers"] = ids
        return "person", details
    etype, subtype = _ENTITY_TYPES.get(e.kind, ("arrangement", None))
    entity_type: dict[str, Any] = {"type": etype}
    if subtype:
        entity_type["details"] = subtype
    details = {"isComponent": False, "entityType": entity_type, "name": e.name}
    if e.aliases:
        details["alternateNames"] = list(e.aliases)
    if e.jurisdiction:
        details["jurisdiction"] = {"name": e.jurisdiction, "code": e.jurisdiction}
    ids = _identifiers(e)
    if ids:
        details["identifiers"] = ids
    if e.founded:
        details["foundingDate"] = e.founded.isoformat()
    if e.dissolved:
        details["dissolutionDate"] = e.dissolved.isoformat()
    return "entity", details


def _interest(itype: str, start: date | None, end: date | None, *, share: Share | None = None,
              details: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": itype, "directOrIndirect": "direct", "beneficialOwnershipOrControl": False}
    if details:
        out["details"] = details
    if share is not None:
        shown = bods_share(share)
        if shown:
            out["share"] = shown
    if start:
        out["startDate"] = start.isoformat()
    if end:
        out["endDate"] = end.isoformat()
    return out


def _stake_interests(s: Stake) -> list[dict[str, Any]]:
    out = [_interest("shareholding", s.start, s.end, share=s.share)]
    if s.voting_share is not None:
        out.append(_interest("votingRights", s.start, s.end, share=s.voting_share))
    return out


def _controller_annotations(answer: ControlAnswer | None, names: dict[str, str]) -> list[dict[str, Any]]:
    if answer is None:
        return []
    head = (f"Control as computed by ownergraph on {answer.as_of} ({answer.ruleset} ruleset, threshold "
            f"{answer.threshold:g}): {answer.status}")
    notes = [head]
    for uc in answer.ultimate_controllers:
        chain = " -> ".join([*(step.from_id for step in uc.chain), answer.target_id])
        notes.append(f"Ultimate controller: {names.get(uc.id, uc.id)} ({uc.id}), through {chain}")
    for uc in answer.possible_ultimate_controllers:
        notes.append(f"Possible ultimate controller: {names.get(uc.id, uc.id)} ({uc.id})")
    return [{"statementPointerTarget": "", "motivation": "commenting", "description": text,
             "createdBy": {"name": PUBLISHER}} for text in notes]


def bods_statements(data: Dataset, center: str, answer: ControlAnswer | None, *, today: date) -> list[dict[str, Any]]:
    """The records of ``data`` as BODS 0.4 statements: entities and persons first, then relationships.

    The center's statement carries the computed control (status, ultimate and
    possible ultimate controllers with their chains) as annotations.
    """
    bods = _Bods(center, today)
    names = {e.id: e.name for e in data.entities}
    subjects = {e.id for e in data.entities if e.kind != "person"}
    out = []
    for e in sorted(data.entities, key=lambda e: (e.id != center, e.id)):
        rtype, details = _entity_details(e)
        notes = _controller_annotations(answer, names) if e.id == center else None
        out.append(bods.statement(e.id, rtype, details, e.source, notes))
    relationships: list[tuple[str, str, list[dict[str, Any]], str | None, str]] = []
    for s in data.stakes:
        relationships.append((s.owner_id, s.owned_id, _stake_interests(s), s.source, s.key))
    for c in data.controls:
        interest = _interest(_CONTROL_TYPES.get(c.basis, "otherInfluenceOrControl"), c.start, c.end,
                             details=f"{CONTROL_DETAIL}{c.basis}")
        relationships.append((c.controller_id, c.controlled_id, [interest], c.source, c.key))
    for link in data.links:
        interest = _interest("otherInfluenceOrControl", link.start, link.end,
                             details=f"{LINK_DETAIL}{link.link_type}")
        relationships.append((link.source_id, link.target_id, [interest], link.source, link.key))
    for party, subject, interests, source, key in relationships:
        if subject not in subjects:
            continue  # BODS: the subject of a relationship is an entity
        record_id = f"{party}->{subject}#{_statement_id(key)[:12]}"
        details = {"isComponent": False, "subject": subject, "interestedParty": party, "interests": interests}
        out.append(bods.statement(record_id, "relationship", details, source))
    return out


# --- GraphML ------------------------------------------------------------------------------------


def _props(values: dict[str, Any]) -> dict[str, Any]:
    """GraphML holds str, int, float and bool, never None."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v is not None}


def _share_props(prefix: str, share: Share | None) -> dict[str, Any]:
    if share is None:
        return {}
    return {prefix: share.exact, f"{prefix}_min": share.minimum, f"{prefix}_max": share.maximum,
            f"{prefix}_raw": share.raw}


def graphml(data: Dataset, answer: ControlAnswer | None) -> bytes:
    """The records as a GraphML multigraph (networkx's writer): entity nodes, one edge per record."""
    g = nx.MultiDiGraph()
    ucs = {u.id for u in answer.ultimate_controllers} if answer else set()
    for e in data.entities:
        g.add_node(e.id, **_props({"name": e.name, "kind": e.kind, "jurisdiction": e.jurisdiction, "lei": e.lei,
                                   "uscc": e.uscc, "founded": e.founded, "dissolved": e.dissolved,
                                   "status": e.status, "source": e.source,
                                   "ultimate_controller": e.id in ucs if answer else None}))
    for s in data.stakes:
        g.add_edge(s.owner_id, s.owned_id, key=s.key, **_props({
            "relation": "OWNS", **_share_props("share", s.share), **_share_props("voting_share", s.voting_share),
            "start": s.start, "end": s.end, "source": s.source, "detail": s.detail}))
    for c in data.controls:
        g.add_edge(c.controller_id, c.controlled_id, key=c.key, **_props({
            "relation": "CONTROLS", "basis": c.basis, "start": c.start, "end": c.end, "source": c.source}))
    for link in data.links:
        g.add_edge(link.source_id, link.target_id, key=link.key, **_props({
            "relation": link.link_type, "start": link.start, "end": link.end, "source": link.source,
            "detail": link.detail}))
    buffer = io.BytesIO()
    nx.write_graphml(g, buffer, encoding="utf-8")
    return buffer.getvalue()


# --- FollowTheMoney -----------------------------------------------------------------------------

_FTM_SCHEMATA = {"person": "Person", "company": "Company", "partnership": "Company", "fund": "Company",
                 "state_body": "PublicBody", "other": "Organization", "unknown": "LegalEntity"}
_FTM_CONTROL = {"board": "appointment", "agreement": "contractual"}


def ftm_percentage(share: Share) -> str | None:
    """A Share as FtM percentage text: "60", "25-50", ">50"; None when unknown.

    >>> ftm_percentage(Share(exact=0.6)), ftm_percentage(Share(minimum=0.25, maximum=0.5))
    ('60', '25-50')
    """
    if share.exact is not None:
        return str(_pct(share.exact))
    if share.minimum is None and share.maximum is None:
        return None
    low, high = share.minimum or 0.0, share.maximum if share.maximum is not None else 1.0
    bound = open_bound(low, 1.0)
    if bound is not None and high >= 1.0:
        return f">{_pct(bound)}"
    return f"{_pct(bound if bound is not None else low)}-{_pct(high)}"


def _ftm(eid: str, schema: str, **props: Iterable[str | None]) -> dict[str, Any]:
    return {"id": eid, "schema": schema,
            "properties": {k: [v for v in vs if v] for k, vs in props.items() if any(v for v in vs)}}


def ftm_lines(data: Dataset) -> Iterator[str]:
    """The records as FollowTheMoney entities, one JSON object per line."""
    for e in data.entities:
        yield json.dumps(_ftm(e.id, _FTM_SCHEMATA.get(e.kind, "LegalEntity"), name=[e.name], alias=e.aliases,
                              jurisdiction=[e.jurisdiction], leiCode=[e.lei], incorporationDate=[_iso(e.founded)],
                              dissolutionDate=[_iso(e.dissolved)], publisher=[e.source]),
                         ensure_ascii=False)
    for s in data.stakes:
        yield json.dumps(_ftm(f"ownership-{_statement_id(s.key)[:24]}", "Ownership", owner=[s.owner_id],
                              asset=[s.owned_id], percentage=[ftm_percentage(s.share)], startDate=[_iso(s.start)],
                              endDate=[_iso(s.end)], publisher=[s.source]), ensure_ascii=False)
    for c in data.controls:
        yield json.dumps(_ftm(f"control-{_statement_id(c.key)[:24]}", "Control", controller=[c.controller_id],
                              controlled=[c.controlled_id], controlType=[_FTM_CONTROL.get(c.basis, c.basis)],
                              startDate=[_iso(c.start)], endDate=[_iso(c.end)], publisher=[c.source]),
                         ensure_ascii=False)


def records_between(data: Dataset, ids: set[str]) -> Dataset:
    """The entities of ``ids`` and every stake, control and link among them."""
    return Dataset(
        entities=[e for e in data.entities if e.id in ids],
        stakes=[s for s in data.stakes if s.owner_id in ids and s.owned_id in ids],
        controls=[c for c in data.controls if c.controller_id in ids and c.controlled_id in ids],
        links=[k for k in data.links if k.source_id in ids and k.target_id in ids],
    )
