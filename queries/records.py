"""Domain records <-> Neo4j property maps (property names equal the field names)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
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


def native_date(value: Any) -> date | None:
    """A date read from Neo4j as ``datetime.date`` (None stays None)."""
    return _date(value)


def _aliases_text(e: Entity) -> str | None:
    return " | ".join(e.aliases) if e.aliases else None


def _extra(e: Entity) -> str | None:
    return json.dumps(dict(e.extra), ensure_ascii=False) if e.extra else None


def _identifiers_of(e: Entity) -> list[str]:
    return [f"{k}:{v}" for k, v in e.identifiers]


# The stored properties of an entity: (name, the bulk importer's type, value of a record). A value
# None, False or [] is not stored (``_present``). Both writers (``entity_row``, the bulk import) use these.
ENTITY_PROPS: tuple[tuple[str, str, Callable[[Entity], Any]], ...] = (
    ("name", "string", attrgetter("name")),
    ("kind", "string", attrgetter("kind")),
    ("name_en", "string", attrgetter("name_en")),
    ("aliases", "string[]", lambda e: list(e.aliases)),
    ("aliases_text", "string", _aliases_text),
    ("jurisdiction", "string", attrgetter("jurisdiction")),
    ("uscc", "string", attrgetter("uscc")),
    ("lei", "string", attrgetter("lei")),
    ("founded", "date", attrgetter("founded")),
    ("dissolved", "date", attrgetter("dissolved")),
    ("registered_capital", "double", attrgetter("registered_capital")),
    ("currency", "string", attrgetter("currency")),
    ("status", "string", attrgetter("status")),
    ("source", "string", attrgetter("source")),
    ("extra", "string", _extra),
    ("identifiers", "string[]", _identifiers_of),
)


def entity_label(e: Entity) -> str:
    return KIND_LABELS.get(e.kind, "Other")


def entity_row(e: Entity) -> dict[str, Any]:
    return {"id": e.id, "label": entity_label(e), "props": _present({name: get(e) for name, _, get in ENTITY_PROPS})}


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
        identifiers=tuple(_identifier(i) for i in props.get("identifiers") or ()),
    )


def _identifier(text: str) -> tuple[str, str]:
    scheme, _, value = text.partition(":")
    return scheme, value


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


def _share_part(share: str, part: str) -> Callable[[Stake], Any]:
    def get(s: Stake) -> Any:
        value = getattr(s, share)
        return None if value is None else getattr(value, part)

    return get


# The stored properties of a stake, as ``ENTITY_PROPS`` (``key`` first: the stake's identity).
STAKE_PROPS: tuple[tuple[str, str, Callable[[Stake], Any]], ...] = (
    ("key", "string", attrgetter("key")),
    *((f"{share}{suffix}", "string" if part == "raw" else "double", _share_part(share, part))
      for share in ("share", "voting_share")
      for suffix, part in (("", "exact"), ("_min", "minimum"), ("_max", "maximum"), ("_raw", "raw"))),
    ("has_voting_share", "boolean", lambda s: s.voting_share is not None),
    ("subscribed_capital", "double", attrgetter("subscribed_capital")),
    ("share_derived", "boolean", attrgetter("share_derived")),
    ("start", "date", attrgetter("start")),
    ("end", "date", attrgetter("end")),
    ("source", "string", attrgetter("source")),
    ("detail", "string", attrgetter("detail")),
    ("flags", "string[]", lambda s: list(s.flags)),
    ("part", "long", lambda s: s.part or None),
)


def stake_row(s: Stake) -> dict[str, Any]:
    props = _present({name: get(s) for name, _, get in STAKE_PROPS})
    return {"owner_id": s.owner_id, "owned_id": s.owned_id, "key": props["key"], "props": props}


def resolved_source(from_id: str, to_id: str, props: dict[str, Any]) -> str | None:
    """An edge's source, naming the source's own record ids where resolution put the edge on another entity.

    >>> resolved_source("p", "LEI1", {"source": "BODS statement s1", "to_record": "ent-1"})
    "BODS statement s1; resolved: the source's record 'ent-1' is entity 'LEI1'"
    """
    source: str | None = props.get("source")
    notes = [f"the source's record {props[k]!r} is entity {end!r}"
             for k, end in (("from_record", from_id), ("to_record", to_id)) if props.get(k)]
    if not notes:
        return source
    return "; ".join([source or "(no source)", "resolved: " + "; ".join(notes)])


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
        source=resolved_source(owner_id, owned_id, props),
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
        source=resolved_source(from_id, to_id, props),
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


# -- loads: provenance, fingerprints and the parts of an edge ---------------------------------

# Where an edge came from and which load wrote it last: not part of what it says.
PROVENANCE = frozenset({"key", "row_key", "loaded_from", "load_stamp", "fp", "reopened", "closed_by_snapshot",
                        "from_record", "to_record"})
# What a load adds to records for its own bookkeeping (not what the source says, nor the edge's history).
BOOKKEEPING = frozenset({"row_key", "loaded_from", "load_stamp", "fp", "control_fp", "from_record", "to_record"})


def fingerprint(props: dict[str, Any]) -> str:
    """A short hash of what a record says (provenance left out): equal fingerprints, nothing changed.

    >>> fingerprint({"share": 0.5, "key": "a|b"}) == fingerprint({"share": 0.5, "key": "other"})
    True
    >>> fingerprint({"share": 0.5}) == fingerprint({"share": 0.51})
    False
    """
    said = {k: v for k, v in props.items() if k not in PROVENANCE}
    text = json.dumps(said, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def with_entity_fingerprint(row: dict[str, Any]) -> dict[str, Any]:
    """An entity row carrying ``control_fp``: the fields the control answers depend on or show (kind,
    registered capital, name: a rename changes the stored answers that name the entity)."""
    props = row["props"]
    said = {"kind": props.get("kind"), "registered_capital": props.get("registered_capital"),
            "name": props.get("name")}
    return {**row, "props": {**props, "control_fp": fingerprint(said)}}


def place_rows(
    rows: Iterable[dict[str, Any]],
    parts: Iterable[dict[str, Any]],
    *,
    source: str,
    stamp: str | None,
    day: date,
) -> list[dict[str, Any]]:
    """The rows of one edge type, each placed on the stored part it updates, with provenance and fingerprint.

    A row's identity is its key (``row_key``). It updates the newest stored part of that
    identity, unless a snapshot closed that part: then the source reports the edge again,
    and it gets a new part from ``day`` on (history kept); a row whose own end is not after
    ``day`` is history already and changes nothing.

    >>> row = {"from_id": "a", "to_id": "b", "key": "a|b", "props": {"share": 0.6, "key": "a|b"}}
    >>> closed = {"from_id": "a", "to_id": "b", "key": "a|b", "row_key": "a|b", "closed": date(2025, 1, 1),
    ...           "reopened": None}
    >>> [placed] = place_rows([row], [closed], source="s", stamp=None, day=date(2025, 3, 1))
    >>> placed["key"], placed["props"]["start"], placed["props"]["row_key"]
    ('a|b|^2025-03-01', datetime.date(2025, 3, 1), 'a|b')
    """
    newest: dict[tuple[str, str, str], dict[str, Any]] = {}
    by_identity: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for stored in parts:
        by_identity[(stored["from_id"], stored["to_id"], stored["row_key"])].append(stored)
    for identity, found in by_identity.items():
        # the newest part: reopened latest, the first part (never reopened) oldest
        newest[identity] = max(found, key=lambda p: (_date(p.get("reopened")) or date.min, p["key"]))
    placed = []
    for row in rows:
        props = {**row["props"], "row_key": row["key"], "loaded_from": source}
        if stamp is not None:
            props["load_stamp"] = stamp
        part: dict[str, Any] | None = newest.get((*_ends(row), row["key"]))
        key = row["key"]
        if part is not None and part.get("closed") is not None:
            end = _date(props.get("end"))
            if end is not None and end <= day:
                continue  # history the snapshot already closed
            key = f"{row['key']}|^{day.isoformat()}"
            props.update(start=day, reopened=day)
        elif part is not None:
            key = part["key"]
            if part.get("reopened") is not None:
                props.update(start=_date(part["reopened"]), reopened=_date(part["reopened"]))
        props["key"] = key
        props["fp"] = fingerprint(props)
        placed.append({**row, "key": key, "props": props})
    return placed


def _ends(row: dict[str, Any]) -> tuple[str, str]:
    if "owner_id" in row:
        return row["owner_id"], row["owned_id"]
    return row["from_id"], row["to_id"]


def snapshot_stamp(source: str, rows: Iterable[dict[str, Any]]) -> str:
    """The mark a snapshot load leaves on the edges it wrote: the same input gives the same mark,
    so loading a snapshot twice changes nothing, while any other input marks differently."""
    digest = hashlib.blake2b(source.encode(), digest_size=12)
    for row in rows:
        digest.update(b"\0" + row["key"].encode() + b"\1" + fingerprint(row["props"]).encode())
    return digest.hexdigest()


def involves_key(controller: str, seq: int) -> str:
    """The key of an INVOLVES relationship: the per-controller feed is one range of its index.

    >>> involves_key("x", 42)
    'x\\x010000000000000000042'
    """
    return f"{controller}\x01{seq:019d}"


def numbered_change(row: dict[str, Any], seq: int) -> dict[str, Any]:
    """A change row with its sequence number, and the INVOLVES keys of the controllers it names."""
    involves = [{"id": x, "ckey": involves_key(x, seq)} for x in row["props"].get("involved", [])]
    return {**row, "involves": involves, "props": {**row["props"], "seq": seq}}
