"""Entity resolution inside a write transaction: cluster, move, record (``docs/resolution.md``).

``resolve_in`` runs in the transaction of a load (or of a judgement): it reads
the entities the load's records, merge keys and judgements reach, clusters
them (``graph.resolution.cluster``), and moves what a merge or a split moves:
source records to their entity, edges to the entity of the record they were
loaded for, an absorbed entity's remaining links to the entity it joined. It
returns the entity rows to write (a single source's record as it is; several
records combined, the canonical record's values first) and the canonical id of
every id the load names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ownergraph.graph.identifiers import merge_keys, parse_key
from ownergraph.graph.materialised import ControlState, states_from
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import DEFAULT_RULESET
from ownergraph.graph.resolution import Blocked, Cluster, Judgement, Unit, cluster
from ownergraph.queries import records

__all__ = ["Merge", "Resolved", "judgement_key", "record_key", "resolve_in"]

Run = Callable[..., list[dict[str, Any]]]
BATCH = 10_000
SEP = "\x1f"  # between a record's source and its id in a SourceRecord key
# Record properties that say where it sits, not what the source says.
RECORD_META = frozenset({"key", "record_id", "loaded_from"})
# Entity properties that belong to the entity node, not to any one record.
ENTITY_OWN = frozenset({"id", "control_status", "control_ruleset", "control_fp", "sources", "record_count"})
MAX_ROUNDS = 20  # scope expansion rounds (each follows keys and judgements one step further)


def record_key(source: str, record_id: str) -> str:
    return f"{source}{SEP}{record_id}"


def judgement_key(a: str, b: str) -> str:
    """The key of the judgement of two ids, whichever order they come in."""
    first, second = sorted((a, b))
    return f"{first}{SEP}{second}"


@dataclass(frozen=True)
class Merge:
    """An entity that became part of another, why, and its materialised answer just before."""

    absorbed: str
    into: str
    evidence: tuple[tuple[str, str, str], ...]
    before: ControlState
    # entities whose materialised answer named the absorbed id as a controller: (id, before, after)
    dependents: tuple[tuple[str, ControlState, ControlState], ...] = ()


@dataclass
class Resolved:
    """What resolution decided for one write."""

    entity_rows: list[dict[str, Any]]
    canonical: dict[str, str]  # every id the load names -> its entity id
    changed: set[str] = field(default_factory=set)
    merges: list[Merge] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    identifier_rows: list[dict[str, Any]] = field(default_factory=list)

    def of(self, record_id: str) -> str:
        return self.canonical.get(record_id, record_id)

    def place(self, rows: Iterable[dict[str, Any]], ends: tuple[str, str]) -> list[dict[str, Any]]:
        """Edge rows on their canonical ends, each keeping the record it was loaded for where that differs."""
        a, b = ends
        placed = []
        for row in rows:
            ca, cb = self.of(row[a]), self.of(row[b])
            if ca == row[a] and cb == row[b]:
                placed.append(row)
                continue
            props = dict(row["props"])
            if ca != row[a]:
                props["from_record"] = row[a]
            if cb != row[b]:
                props["to_record"] = row[b]
            placed.append({**row, a: ca, b: cb, "props": props})
        return placed


def _batched(run: Run, name: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), BATCH):
        out.extend(run(name, ids=list(ids[i : i + BATCH])))
    return out


def _key_entities(run: Run, keys: Sequence[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for i in range(0, len(keys), BATCH):
        part = list(keys[i : i + BATCH])
        leis = [parse_key(k)[1] for k in part if k.startswith("LEI:")]
        usccs = [parse_key(k)[1] for k in part if k.startswith("USCC:")]
        found.extend((r["key"], r["entity"]) for r in run("read_key_entities", keys=part, leis=leis, usccs=usccs))
    return found


def _record_keys(props: dict[str, Any]) -> tuple[str, ...]:
    idents = [parse_key(i) for i in props.get("identifiers") or ()]
    if props.get("lei"):
        idents.append(("LEI", props["lei"]))
    if props.get("uscc"):
        idents.append(("USCC", props["uscc"]))
    return merge_keys(idents)


def resolve_in(run: Run, data: Dataset, source: str | None, *, also: Iterable[str] = ()) -> Resolved:
    """Resolve a load's entities (written as ``source``'s records) against the graph, and apply the moves.

    ``also`` names record ids to re-cluster though the load does not hold them (a judgement's pair).
    """
    rows = {e.id: records.with_entity_fingerprint(records.entity_row(e)) for e in data.entities}
    load_keys = {rid: _record_keys(row["props"]) for rid, row in rows.items()}
    edge_ids = _edge_ids(data) - rows.keys()
    start_ids = sorted(set(rows) | set(also))
    members: dict[str, dict[str, Any]] = {}  # entity id -> {props, records}
    # The entities the load's ids and keys reach, then those their keys and judgements reach.
    reach = {r["entity"] for r in _batched(run, "read_record_entities", start_ids)}
    seen_keys = {k for ks in load_keys.values() for k in ks}
    reach |= {e for _, e in _key_entities(run, sorted(seen_keys))}
    judgements: dict[str, Judgement] = {}
    # A graph without judgements (the common case) is not asked for the judgements of each id.
    judged = int(run("read_judgement_count")[0]["n"]) > 0
    seen_ids: set[str] = set(start_ids)
    complete = False  # every entity reached was read (the scope closed before MAX_ROUNDS)
    for _ in range(MAX_ROUNDS):
        new = sorted(reach - members.keys())
        if not new:
            complete = True
            break
        keys: set[str] = set()
        ids: set[str] = set()
        for m in _batched(run, "read_resolution_members", new):
            members[m["entity"]] = {"props": dict(m["props"]), "records": [dict(r) for r in m["records"]]}
            for rec in _unit_records(m["entity"], members[m["entity"]]):
                keys.update(_record_keys(rec))
                ids.add(rec["record_id"])
        for r in _batched(run, "read_judgements", sorted(ids - seen_ids) if judged else []):
            j = r["judgement"]
            judgements[j["key"]] = Judgement(j["a"], j["b"], j["verdict"])
            ids.update((j["a"], j["b"]))
        fresh = sorted(ids - seen_ids)
        seen_ids |= ids
        reach |= {r["entity"] for r in _batched(run, "read_record_entities", fresh)}
        # A key already looked up reached all its entities then: only new keys are read.
        reach |= {e for _, e in _key_entities(run, sorted(keys - seen_keys))}
        seen_keys |= keys
    for r in _batched(run, "read_judgements", start_ids if judged else []):
        j = r["judgement"]
        judgements[j["key"]] = Judgement(j["a"], j["b"], j["verdict"])
    units = _units(rows, load_keys, members)
    clusters, blocked = cluster(units, judgements.values())
    resolved = _apply(run, clusters, units, rows, members, source, complete=complete or not (reach - members.keys()))
    resolved.blocked = blocked
    # Ids the load's edges name that are in neither the load nor the clusters: their entity now.
    rest = sorted(edge_ids - resolved.canonical.keys())
    for r in _batched(run, "read_record_aliases", rest):
        resolved.canonical[r["id"]] = r["entity"]
    return resolved


def _edge_ids(data: Dataset) -> set[str]:
    ids = {i for s in data.stakes for i in (s.owner_id, s.owned_id)}
    ids |= {i for c in data.controls for i in (c.controller_id, c.controlled_id)}
    ids |= {i for c in data.concerts for i in (c.party_a, c.party_b)}
    ids |= {i for lk in data.links for i in (lk.source_id, lk.target_id)}
    ids |= {i for r in data.reported for i in (r.subject_id, r.object_id)}
    return ids


def _unit_records(entity: str, member: dict[str, Any]) -> list[dict[str, Any]]:
    """An entity's records; one written before resolution existed (or by the bulk import) is its own record."""
    if member["records"]:
        return list(member["records"])
    props = {k: v for k, v in member["props"].items() if k not in ENTITY_OWN}
    return [{**props, "key": record_key("graph", entity), "record_id": entity, "virtual": True}]


def _units(
    rows: dict[str, dict[str, Any]], load_keys: dict[str, tuple[str, ...]], members: dict[str, dict[str, Any]]
) -> list[Unit]:
    keys: dict[str, set[str]] = defaultdict(set)
    entity_of: dict[str, str] = {}
    for entity, member in members.items():
        for rec in _unit_records(entity, member):
            keys[rec["record_id"]].update(_record_keys(rec))
            entity_of[rec["record_id"]] = entity
    for rid, ks in load_keys.items():
        keys[rid].update(ks)
    return [Unit(rid, tuple(sorted(ks)), entity_of.get(rid)) for rid, ks in sorted(keys.items())]


def _apply(
    run: Run,
    clusters: list[Cluster],
    units: list[Unit],
    rows: dict[str, dict[str, Any]],
    members: dict[str, dict[str, Any]],
    source: str | None,
    *,
    complete: bool,
) -> Resolved:
    """Write the moves and the load's records; return the entity rows. With ``complete`` (every entity
    reached was read), a record key none of them holds is new to the graph and is created, not merged."""
    target = {m: c.canonical for c in clusters for m in c.members}
    canon = {c.canonical for c in clusters}
    by_canonical = {c.canonical: c for c in clusters}
    entity_of = {u.record_id: u.entity for u in units}
    resolved = Resolved([], {rid: target[rid] for rid in rows})
    # Entities whose records now spread over other entities (merged into one, or split off).
    moving = {e for e, m in members.items() if any(target[r["record_id"]] != e for r in _unit_records(e, m))}
    multi = {c.canonical for c in clusters if len(c.members) > 1}
    # Entities whose set of records changes: a record joins from another entity, or new ones join several.
    touched = {
        c.canonical for c in clusters
        if any(entity_of[m] not in (None, c.canonical) for m in c.members)
        or (len(c.members) > 1 and any(entity_of[m] != c.canonical for m in c.members))
    }
    touched |= {target[r["record_id"]] for e in moving for r in _unit_records(e, members[e])}
    touched |= moving & canon
    if touched:
        run("merge_entity_nodes", ids=sorted(touched))
    stored = {rec["key"]: (e, rec) for e, m in members.items() for rec in m["records"]}
    # Where every record is once the moves are written: key -> (entity, properties).
    after = {key: (target[rec["record_id"]], rec) for key, (_, rec) in stored.items()}
    # Records that existed only as their entity's properties become records before anything moves.
    virtual = [
        {"key": rec["key"], "entity": e, "props": {k: v for k, v in rec.items() if k != "virtual"}}
        for e, m in members.items()
        for rec in _unit_records(e, m)
        if rec.get("virtual") and (target[e] in multi or e in moving)
    ]
    _write_records(run, virtual, stored if complete else None)
    after.update((r["key"], (target[r["props"]["record_id"]], r["props"])) for r in virtual)
    relink = [
        {"key": rec["key"], "entity": target[rec["record_id"]]}
        for e in sorted(moving)
        for rec in _unit_records(e, members[e])
        if target[rec["record_id"]] != e
    ]
    if relink:
        run("relink_source_records", rows=relink)
    for e in sorted(moving):
        moves = {r["record_id"]: target[r["record_id"]] for r in _unit_records(e, members[e])}
        moves = {r: t for r, t in moves.items() if t != e}
        resolved.changed.update(r["id"] for r in run("move_record_edges", id=e, moves=moves))
    for e in sorted(moving - canon):
        into = target.get(e) or target[_unit_records(e, members[e])[0]["record_id"]]
        before = _states_of(run, [e]).get(e, ControlState(None))
        dependents = sorted(r["id"] for r in run("read_controlled_by_entity", id=e, ruleset=DEFAULT_RULESET))
        earlier = _states_of(run, dependents)
        run("absorb_entity", id=e, into=into)
        later = _states_of(run, dependents)
        changed = tuple((d, earlier.get(d, ControlState(None)), later.get(d, ControlState(None)))
                        for d in dependents if d != e and earlier.get(d) != later.get(d))
        resolved.merges.append(Merge(e, into, by_canonical[into].evidence, before, changed))
    resolved.changed |= touched
    # The load's records.
    if source is not None and rows:
        record_rows: list[dict[str, Any]] = [
            {"key": record_key(source, rid), "entity": target[rid],
             "props": {**row["props"], "key": record_key(source, rid), "record_id": rid, "loaded_from": source}}
            for rid, row in rows.items()
        ]
        after.update((r["key"], (r["entity"], r["props"])) for r in record_rows)
        # A reload rewrites only the records that say something new or moved.
        record_rows = [r for r in record_rows if stored.get(r["key"]) != (r["entity"], r["props"])]
        _write_records(run, record_rows, stored if complete else None)
    # Entity rows: a lone record as the source gives it; several records combined.
    combine = sorted(touched | {target[rid] for rid in rows if _has_other_records(target[rid], rid, members, source)}
                     | {target[rid] for rid in rows if target[rid] in multi})
    if not combine:
        combined: dict[str, dict[str, Any]] = {}
    elif complete:  # every record of these entities is known: combine them as written
        held: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entity, rec in after.values():
            held[entity].append(rec)
        # A node this write made has no properties yet.
        combined = _combined_rows([(e, members[e]["props"] if e in members else {}, held.get(e, [])) for e in combine])
    else:  # read them back
        combined = _combined_rows([(m["entity"], m["props"], m["records"])
                                   for m in _batched(run, "read_resolution_members", combine)])
    for rid, row in rows.items():
        c = target[rid]
        if c in combined:
            continue
        resolved.entity_rows.append({**row, "id": c})
    resolved.entity_rows.extend(combined.values())
    for row in resolved.entity_rows:
        ident = _identifier_row(row, full=row["id"] in combined)
        if ident is not None:
            resolved.identifier_rows.append(ident)
    return resolved


def _write_records(run: Run, rows: list[dict[str, Any]], stored: dict[str, Any] | None) -> None:
    """Write source records: those ``stored`` holds (or all, when None) merged and moved, the others created."""
    known = rows if stored is None else [r for r in rows if r["key"] in stored]
    new = [] if stored is None else [r for r in rows if r["key"] not in stored]
    for name, part in (("merge_source_records", known), ("create_source_records", new)):
        for i in range(0, len(part), BATCH):
            run(name, rows=part[i : i + BATCH])


def _has_other_records(canonical: str, rid: str, members: dict[str, dict[str, Any]], source: str | None) -> bool:
    """True when the entity holds a record other than this load's record ``rid``."""
    member = members.get(canonical)
    if member is None:
        return False
    mine = record_key(source, rid) if source is not None else None
    return any(r["key"] != mine for r in member["records"])


def _states_of(run: Run, ids: list[str]) -> dict[str, ControlState]:
    if not ids:
        return {}
    keys = [(r["type"], r["target"], r["controller"], bool(r["definite"]), r["group"])
            for r in run("read_materialised_control_of", ids=ids, ruleset=DEFAULT_RULESET)]
    status = {r["id"]: r["status"] for r in run("read_control_statuses_of", ids=ids)}
    return states_from(keys, status)


def _combined_rows(
    entities: Iterable[tuple[str, dict[str, Any], Sequence[dict[str, Any]]]],
) -> dict[str, dict[str, Any]]:
    """The entity row of each (entity id, its properties now, the records it holds)."""
    out: dict[str, dict[str, Any]] = {}
    for entity, props_now, held in entities:
        recs = [dict(r) for r in held]
        current = dict(props_now)
        if not recs:  # an entity with no record: leave it as it is
            continue
        props = combine_records(entity, recs)
        # Attributes no record states any longer (a split took them away) are removed.
        for k in current:
            if k not in props and k not in ENTITY_OWN:
                props[k] = None
        label = records.KIND_LABELS.get(props.get("kind") or "other", "Other")
        out[entity] = records.with_entity_fingerprint({"id": entity, "label": label, "props": props})
    return out


def combine_records(canonical: str, recs: list[dict[str, Any]]) -> dict[str, Any]:
    """The entity's view of its records: the canonical record's values first, then the others' in key order
    for what it leaves empty; every other name an alias; every identifier; the sources.

    >>> combine_records("a", [{"key": "s2\\x1fb", "record_id": "b", "loaded_from": "s2", "name": "B", "founded": 1},
    ...                       {"key": "s1\\x1fa", "record_id": "a", "loaded_from": "s1", "name": "A"}])["aliases"]
    ['B']
    """
    ordered = sorted(recs, key=lambda r: (r.get("record_id") != canonical, r["key"]))
    props: dict[str, Any] = {}
    for rec in ordered:
        for k, v in rec.items():
            if k in RECORD_META or k in ENTITY_OWN or v is None or k in ("aliases", "aliases_text", "identifiers"):
                continue
            props.setdefault(k, v)
    names = [n for rec in ordered for n in (rec.get("name"), rec.get("name_en"), *(rec.get("aliases") or ())) if n]
    aliases = [n for n in dict.fromkeys(names) if n not in (props.get("name"), props.get("name_en"))]
    props["aliases"] = aliases
    props["aliases_text"] = " | ".join(aliases) if aliases else None
    props["identifiers"] = sorted({i for rec in ordered for i in rec.get("identifiers") or ()})
    props["sources"] = sorted({rec["loaded_from"] for rec in ordered if rec.get("loaded_from")})
    props["record_count"] = len(ordered)
    return props


def _identifier_row(row: dict[str, Any], *, full: bool) -> dict[str, Any] | None:
    """The Identifier links of an entity row: every merge key but its own lei and uscc (indexed on the node)."""
    props = row["props"]
    own = {f"LEI:{props.get('lei')}", f"USCC:{props.get('uscc')}"}
    keys = [k for k in _record_keys(props) if k not in own]
    if not keys and not full:
        return None
    return {"id": row["id"], "keys": keys}
