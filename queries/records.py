"""Domain records <-> Neo4j property maps (property names equal the field names)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ownergraph.graph.model import Concert, Control, Entity, Link, ReportedRelation, Share, Stake

KIND_LABELS = {
    "company": "Company",
    "partnership": "Partnership",
    "person": "Person",
    "state_body": "StateBody",
    "fund": "Fund",
    "other": "Other",
    "unknown": "UnknownParty",
}


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Only the values that are there: nulls and empty lists are not sent (less to pack and store)."""
    return {k: v for k, v in props.items() if v is not None and v != [] and v is not False}


def _native(value: Any) -> Any:
    """neo4j.time.Date -> datetime.date; anything else unchanged."""
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


def _date(value: Any) -> date | None:
    return None if value is None else _native(value)


def entity_row(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id,
        "label": KIND_LABELS.get(e.kind, "Other"),
        "props": _present(
            {
                "name": e.name,
                "kind": e.kind,
                "name_en": e.name_en,
                "aliases": list(e.aliases),
                "aliases_text": " | ".join(e.aliases) if e.aliases else None,
                "jurisdiction": e.jurisdiction,
                "uscc": e.uscc,
                "lei": e.lei,
                "founded": e.founded,
                "dissolved": e.dissolved,
                "registered_capital": e.registered_capital,
                "currency": e.currency,
                "status": e.status,
                "source": e.source,
                "extra": json.dumps(dict(e.extra), ensure_ascii=False) if e.extra else None,
            }
        ),
    }


def entity_from(props: dict[str, Any]) -> Entity:
    extra = props.get("extra")
    return Entity(
        id=props["id"],
        name=props.get("name") or props["id"],
        kind=props.get("kind") or "other",
        name_en=props.get("name_en"),
        aliases=tuple(props.get("aliases") or ()),
        jurisdiction=props.get("jurisdiction"),
        uscc=props.get("uscc"),
        lei=props.get("lei"),
        founded=_date(props.get("founded")),
        dissolved=_date(props.get("dissolved")),
        registered_capital=props.get("registered_capital"),
        currency=props.get("currency"),
        status=props.get("status"),
        source=props.get("source"),
        extra=tuple(sorted(json.loads(extra).items())) if extra else (),
    )


def _share_props(prefix: str, share: Share | None) -> dict[str, Any]:
    if share is None:
        return {prefix: None, f"{prefix}_min": None, f"{prefix}_max": None, f"{prefix}_raw": None}
    return {
        prefix: share.exact,
        f"{prefix}_min": share.minimum,
        f"{prefix}_max": share.maximum,
        f"{prefix}_raw": share.raw,
    }


def _share_from(prefix: str, props: dict[str, Any]) -> Share:
    return Share(
        exact=props.get(prefix),
        minimum=props.get(f"{prefix}_min"),
        maximum=props.get(f"{prefix}_max"),
        raw=props.get(f"{prefix}_raw"),
    )


def stake_row(s: Stake) -> dict[str, Any]:
    props: dict[str, Any] = {
        **_share_props("share", s.share),
        **_share_props("voting_share", s.voting_share),
        "has_voting_share": s.voting_share is not None,
        "subscribed_capital": s.subscribed_capital,
        "share_derived": s.share_derived,
        "start": s.start,
        "end": s.end,
        "source": s.source,
        "detail": s.detail,
        "flags": list(s.flags),
        "part": s.part or None,
    }
    return {"owner_id": s.owner_id, "owned_id": s.owned_id, "key": s.key, "props": _present({**props, "key": s.key})}


def stake_from(owner_id: str, owned_id: str, props: dict[str, Any]) -> Stake:
    return Stake(
        owner_id=owner_id,
        owned_id=owned_id,
        share=_share_from("share", props),
        voting_share=_share_from("voting_share", props) if props.get("has_voting_share") else None,
        subscribed_capital=props.get("subscribed_capital"),
        share_derived=bool(props.get("share_derived")),
        start=_date(props.get("start")),
        end=_date(props.get("end")),
        source=props.get("source"),
        detail=props.get("detail"),
        flags=tuple(props.get("flags") or ()),
        part=int(props.get("part") or 0),
    )


def control_row(c: Control) -> dict[str, Any]:
    props = {"basis": c.basis, "start": c.start, "end": c.end, "source": c.source}
    return {
        "from_id": c.controller_id,
        "to_id": c.controlled_id,
        "key": c.key,
        "props": _present({**props, "key": c.key}),
    }


def control_from(from_id: str, to_id: str, props: dict[str, Any]) -> Control:
    return Control(
        controller_id=from_id,
        controlled_id=to_id,
        basis=props["basis"],
        start=_date(props.get("start")),
        end=_date(props.get("end")),
        source=props.get("source"),
    )


def concert_row(c: Concert) -> dict[str, Any]:
    props = {"scope_id": c.scope_id, "start": c.start, "end": c.end, "source": c.source}
    return {"from_id": c.party_a, "to_id": c.party_b, "key": c.key, "props": _present({**props, "key": c.key})}


def concert_from(from_id: str, to_id: str, props: dict[str, Any]) -> Concert:
    return Concert(
        party_a=from_id,
        party_b=to_id,
        scope_id=props.get("scope_id"),
        start=_date(props.get("start")),
        end=_date(props.get("end")),
        source=props.get("source"),
    )


def link_row(lk: Link) -> dict[str, Any]:
    props = {
        "link_type": lk.link_type,
        "start": lk.start,
        "end": lk.end,
        "source": lk.source,
        "detail": lk.detail,
    }
    return {"from_id": lk.source_id, "to_id": lk.target_id, "key": lk.key, "props": _present({**props, "key": lk.key})}


def link_from(from_id: str, to_id: str, props: dict[str, Any]) -> Link:
    return Link(
        source_id=from_id,
        target_id=to_id,
        link_type=props["link_type"],
        start=_date(props.get("start")),
        end=_date(props.get("end")),
        source=props.get("source"),
        detail=props.get("detail"),
    )


def reported_row(r: ReportedRelation) -> dict[str, Any]:
    props = {
        "relation": r.relation,
        **_share_props("share", r.share),
        "start": r.start,
        "end": r.end,
        "source": r.source,
        "detail": r.detail,
    }
    return {"from_id": r.subject_id, "to_id": r.object_id, "key": r.key, "props": _present({**props, "key": r.key})}


def reported_from(from_id: str, to_id: str, props: dict[str, Any]) -> ReportedRelation:
    return ReportedRelation(
        subject_id=from_id,
        object_id=to_id,
        relation=props["relation"],
        share=_share_from("share", props),
        start=_date(props.get("start")),
        end=_date(props.get("end")),
        source=props.get("source"),
        detail=props.get("detail"),
    )
