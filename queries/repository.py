"""The only module that calls the Neo4j driver.

Reads return domain records (a ``Dataset`` subgraph) for the engine; writes
take domain records. Driver errors that mean "the database is not there"
become ``graph.errors.DatabaseUnavailable`` here, at one boundary.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j import exceptions as neo4j_errors

from ownergraph.graph.columnar import Columns, ColumnsBuilder
from ownergraph.graph.errors import DatabaseUnavailable, QueryTooExpensive
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.model import Dataset, Entity
from ownergraph.graph.resolution import Blocked
from ownergraph.queries import records
from ownergraph.queries.cypher import statement, statements
from ownergraph.queries.resolution import Merge, judgement_key, resolve_in
from ownergraph.queries.settings import Neo4jSettings

P = ParamSpec("P")
T = TypeVar("T")

BATCH_SIZE = 10_000
LEAN_BATCH = 50_000  # lean closure reads: one query for a daily delta's whole affected set
# Upstream reads stop growing past this many entities: an answer then says it is partial.
MAX_CLOSURE = 50_000
# Search reads at most this many full-text matches: its pages reach that far and no further.
SEARCH_WINDOW = 1000
# Other owners read beside a downstream closure, per batch of its entities.
MAX_INCOMING = 4 * MAX_CLOSURE

# A read stopped by its time limit or by the database's memory guard: the question was too wide.
_TOO_EXPENSIVE = frozenset({
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.TransientError.General.TransactionMemoryLimit",
})
COLUMN_PAGE = 100_000  # entities per id range of ``everything_columns`` (one record of lists each)
READ_WORKERS = 2  # id ranges of a whole-graph read that the server reads at once

_UNAVAILABLE = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.AuthError,
    ConnectionError,  # refused or reset sockets the driver has not wrapped
    TimeoutError,
)


def translate_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Database-down errors become DatabaseUnavailable; everything else passes through."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except neo4j_errors.AuthError as exc:
            raise DatabaseUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc
        except neo4j_errors.Neo4jError as exc:
            if exc.code in _TOO_EXPENSIVE:
                raise QueryTooExpensive(f"the read went past a limit of the database ({exc.code})") from exc
            raise
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailable(f"Neo4j is unreachable: {exc}") from exc

    return wrapper


def connect(settings: Neo4jSettings) -> Driver:
    """One driver per process; the caller closes it."""
    uri, user, password = settings.resolved()
    return GraphDatabase.driver(
        uri,
        auth=(user, password),
        connection_timeout=5.0,
        connection_acquisition_timeout=10.0,
        max_connection_pool_size=settings.pool_size,
        max_transaction_retry_time=5.0,
        # schema hints (e.g. "no ACTS_IN_CONCERT yet") are noise for users, not faults
        notifications_min_severity="OFF",
    )


class Repository:
    """Reads and writes of the ownership graph in one database.

    No statement waits for a bookmark: one server is one store, and a bulk import replaces the store
    under a long-lived driver (whose bookmarks would then name transactions the new store never had).
    """

    def __init__(self, driver: Driver, database: str = "neo4j", *, read_timeout: float | None = None) -> None:
        """``read_timeout``: seconds each read may run in the database (None: the server's own limit)."""
        self.driver = driver
        self.database = database
        self.read_timeout = read_timeout

    # -- plumbing -------------------------------------------------------------

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        # An auto-commit read: one round trip (RUN and PULL), where a managed transaction
        # adds BEGIN and COMMIT; a read has nothing to roll back. The server ends it at the timeout.
        query = neo4j.Query(statement(name), timeout=self.read_timeout)
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            return list(session.run(query, params))

    @translate_errors
    def ping(self) -> None:
        self.driver.verify_connectivity()
        self._read("count_graph")  # the database itself answers, not just the socket

    @translate_errors
    def node_count(self) -> int:
        """Nodes of any label: zero only for an empty database."""
        return int(self._read("count_nodes")[0]["n"])

    def wait_until_online(self, timeout: float = 300.0) -> None:
        """Wait for the database itself (after a restart the server answers Bolt before it is online)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ping()
                return
            # starting: unreachable, or reachable with the database not yet online (a Neo4j error)
            except (DatabaseUnavailable, neo4j_errors.Neo4jError, neo4j_errors.DriverError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    @translate_errors
    def apply_schema(self, *, await_seconds: int = 300) -> None:
        """Create what is missing of the schema and wait (at most ``await_seconds``) until every index is online.

        One transaction: the indexes it creates are populated by one job, which scans the store once
        instead of once per index (what counts after a bulk import).
        """
        with self.driver.session(database=self.database, bookmark_manager=None) as session, \
                session.begin_transaction() as tx:
            for stmt in statements("schema"):
                tx.run(stmt).consume()
            tx.commit()
        self.driver.execute_query(statement("await_indexes"), {"seconds": await_seconds}, database_=self.database,
                                  bookmark_manager_=None)

    # -- writes ---------------------------------------------------------------

    @translate_errors
    def write_dataset(
        self,
        data: Dataset,
        *,
        load: dict[str, Any],
        day: date | None = None,
        snapshot: bool = False,
        batch_size: int = BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> Written:
        """Write a whole load in ONE transaction: it lands whole or not at all.

        ``load["id"]`` names the source. Ids may refer to entities already in the
        graph. With ``snapshot``, the source's stakes, controls and concert links
        missing from ``data`` end on ``day`` (default today). Returns the counts
        and the entities whose incoming edges (or own kind or capital) changed.
        """
        source = str(load["id"])
        day = day or date.today()
        edge_plan: list[tuple[str, str, list[dict[str, Any]]]] = [
            ("OWNS", "merge_stakes", [records.stake_row(s) for s in data.stakes]),
            ("CONTROLS", "merge_controls", [records.control_row(c) for c in data.controls]),
            ("ACTS_IN_CONCERT", "merge_concerts", [records.concert_row(c) for c in data.concerts]),
        ]
        other_plan: list[tuple[str, list[dict[str, Any]]]] = [
            ("merge_links", [records.link_row(lk) for lk in data.links]),
            ("merge_reported", [records.reported_row(r) for r in data.reported]),
        ]
        stamp = records.snapshot_stamp(source, (r for _, _, rows in edge_plan for r in rows)) if snapshot else None
        counts = {"entities": len(data.entities)}
        counts |= {name.removeprefix("merge_"): len(rows) for _, name, rows in edge_plan}
        counts |= {name.removeprefix("merge_"): len(rows) for name, rows in other_plan}
        changed: set[str] = set()
        with self.driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                # One entity per strong identifier, across sources (queries/resolution.py).
                resolved = resolve_in(_runner(tx), data, source)
                changed |= resolved.changed
                for batch in _batches(resolved.entity_rows, batch_size):
                    changed.update(r["changed"] for r in tx.run(statement("merge_entities"), rows=batch))
                    if progress is not None:
                        progress(len(batch))
                for batch in _batches(resolved.identifier_rows, batch_size):
                    tx.run(statement("merge_identifiers"), rows=batch).consume()
                for kind, name, rows in edge_plan:
                    rows = resolved.place(rows, ("owner_id", "owned_id") if kind == "OWNS" else ("from_id", "to_id"))
                    parts = _edge_parts(tx, kind, rows, batch_size)
                    placed = records.place_rows(rows, parts, source=source, stamp=stamp, day=day)
                    for batch in _batches(placed, batch_size):
                        changed.update(r["changed"] for r in tx.run(statement(name), rows=batch))
                        if progress is not None:
                            progress(len(batch))
                for name, rows in other_plan:
                    for batch in _batches(resolved.place(rows, ("from_id", "to_id")), batch_size):
                        tx.run(statement(name), rows=batch).consume()
                ended = 0
                if stamp is not None:
                    for rec in tx.run(statement("close_missing_edges"), source=source, stamp=stamp, day=day):
                        ended += 1
                        changed.add(rec["to_id"])
                        if rec["type"] == "ACTS_IN_CONCERT":
                            changed.add(rec["from_id"])
                    counts["ended"] = ended
                record = {**load, "loaded_at": datetime.now(UTC), "counts": json.dumps(counts), "day": day,
                          "snapshot": snapshot}
                tx.run(statement("merge_load"), load=record).consume()
                tx.commit()
            finally:
                if tx.closed() is False:
                    tx.close()  # rolls back anything not committed
        if resolved.merges:
            counts["merged"] = len(resolved.merges)
        return Written(counts, frozenset(changed), tuple(resolved.merges), tuple(resolved.blocked))

    @translate_errors
    def materialised_control(self, ruleset: str) -> dict[tuple[str, str, str, bool, str | None], str]:
        """(type, target, controller, definite, group) -> element id of each materialised relationship."""
        rows = self._read("read_materialised_control", ruleset=ruleset)
        return {
            (r["type"], r["target"], r["controller"], bool(r["definite"]), r["group"]): r["element_id"]
            for r in rows
        }

    @translate_errors
    def materialised_state(
        self, ruleset: str, *, page: int = COLUMN_PAGE, workers: int = READ_WORKERS
    ) -> tuple[dict[tuple[str, str, str, bool, str | None], str], dict[str, str]]:
        """``materialised_control(ruleset)`` and ``control_statuses()`` in one pass over id ranges of
        ``page`` entities, ``workers`` ranges at once (one record of lists per range)."""
        found: dict[tuple[str, str, str, bool, str | None], str] = {}
        statuses: dict[str, str] = {}
        flat = itertools.chain.from_iterable
        with gc_paused():  # millions of decoded values, no cycle among them
            for rec in self._ranges("read_materialised_columns", page, workers, ruleset=ruleset):
                statuses.update(rec["statuses"])
                rows = list(flat(rec["rels"]))
                if rows:
                    kinds, targets, controllers, definite, groups, element_ids = zip(*rows, strict=True)
                    found.update(zip(zip(kinds, targets, controllers, map(bool, definite), groups, strict=True),
                                     element_ids, strict=True))
        return found, statuses

    @translate_errors
    def control_statuses(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self._read("read_control_statuses")}

    @translate_errors
    def materialised_control_of(
        self, ids: Iterable[str], ruleset: str
    ) -> dict[tuple[str, str, str, bool, str | None], str]:
        """``materialised_control`` restricted to the relationships out of some targets."""
        found: dict[tuple[str, str, str, bool, str | None], str] = {}
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            for r in self._read("read_materialised_control_of", ids=batch, ruleset=ruleset):
                found[(r["type"], r["target"], r["controller"], bool(r["definite"]), r["group"])] = r["element_id"]
        return found

    @translate_errors
    def control_statuses_of(self, ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            found.update((r["id"], r["status"]) for r in self._read("read_control_statuses_of", ids=batch))
        return found

    @translate_errors
    def control_run(self, ruleset: str) -> ControlRun | None:
        """When the materialised control of ``ruleset`` was computed, for which day; None if never."""
        rows = self._read("read_control_run", ruleset=ruleset)
        as_of = records.native_date(rows[0]["as_of"]) if rows else None
        if as_of is None:
            return None
        return ControlRun(as_of, bool(rows[0]["stale"]), int(rows[0]["answers_gen"]))

    @translate_errors
    def stored_answer(self, entity_id: str, ruleset: str) -> StoredAnswer:
        """The stored default answer of an entity and the run it must belong to, in one read."""
        rec = self._read("read_stored_answer", id=entity_id, ruleset=ruleset)[0]
        as_of = records.native_date(rec["as_of"])
        current = (
            as_of is not None and not rec["stale"] and rec["body"] is not None and rec["gen"] == rec["answers_gen"]
        )
        return StoredAnswer(as_of, rec["body"] if current else None)

    @translate_errors
    def controlled_page(
        self,
        controller_id: str,
        *,
        ruleset: str,
        founded_from: date | None,
        founded_to: date | None,
        offset: int,
        limit: int,
    ) -> ControlledPage | None:
        """One page of what an entity controls, read from the materialised control (None: no such entity)."""
        rows = self._read("read_controlled_page", id=controller_id, ruleset=ruleset, founded_from=founded_from,
                          founded_to=founded_to, offset=offset, limit=limit)
        if not rows:
            return None
        rec = rows[0]
        gen = int(rec["answers_gen"])
        items = [
            {"id": row["id"], "name": row["name"], "kind": row["kind"], "founded": records.native_date(row["founded"]),
             "definite": row["definite"], "group": row["group"],
             # the stored chain and flags, when the controlled entity's stored answer is current
             "chain": row["chain"] if row["gen"] == gen and row["flags"] is not None else None,
             "flags": row["flags"] if row["gen"] == gen else None}
            for row in rec["rows"]
        ]
        return ControlledPage(rec["name"], records.native_date(rec["as_of"]), bool(rec["stale"]),
                              int(rec["total"]), items)

    @translate_errors
    def answer_targets(self, gen: int) -> list[str]:
        """Held or controlled entities whose stored answer is missing or of another generation than ``gen``."""
        return [r["id"] for r in self._read("read_answer_targets", gen=gen)]

    @translate_errors
    def write_stored_answers(self, rows: list[dict[str, Any]], *, ruleset: str, gen: int | None = None) -> None:
        """Store answers under the run's generation (only if it is still ``gen``, when given)."""
        def work(tx: ManagedTransaction) -> None:
            for batch in _batches(rows, BATCH_SIZE):
                tx.run(statement("write_stored_answers"), rows=batch, ruleset=ruleset, gen=gen).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    @translate_errors
    def mark_control_stale(self, ruleset: str) -> None:
        self.driver.execute_query(statement("mark_control_stale"), ruleset=ruleset, database_=self.database,
            bookmark_manager_=None)

    @translate_errors
    def dated_edges(self, after: date, upto: date) -> set[str]:
        """Entities with an incoming edge (or a concert link) that starts or ends in (after, upto]."""
        touched: set[str] = set()
        for r in self._read("read_dated_edges", after=after, upto=upto):
            touched.add(r["to_id"])
            if r["type"] == "ACTS_IN_CONCERT":
                touched.add(r["from_id"])
        return touched

    @translate_errors
    def affected_ids(self, seeds: Iterable[str], *, max_nodes: int) -> tuple[set[str], bool]:
        """Everything whose control answer can depend on the seeds: what they hold or control
        through any chain, and through concert links both ways; True when cut at ``max_nodes``."""
        reached: set[str] = set()
        frontier = sorted(set(seeds))
        while frontier:
            grown: set[str] = set()
            for batch in _batches(frontier, BATCH_SIZE):
                rows = self._read("read_downstream_ids", ids=batch, limit=max_nodes + 1)
                grown.update(r["id"] for r in rows)
            new = grown - reached
            reached |= grown
            if len(reached) > max_nodes:
                return reached, True
            partners: set[str] = set()
            for batch in _batches(sorted(new), BATCH_SIZE):
                partners.update(r["id"] for r in self._read("read_concert_partners", ids=batch))
            frontier = sorted(partners - reached)
        return reached, False

    @translate_errors
    def write_materialised_control(
        self,
        create: list[dict[str, Any]],
        delete: list[str],
        statuses: list[dict[str, Any]],
        *,
        ruleset: str,
        as_of: date,
        changes: list[dict[str, Any]] | None = None,
        outdated: Sequence[str] = (),
        whole: bool = False,
    ) -> None:
        """Apply a diff of the materialised control of one ruleset, and record what changed, in one transaction.

        Each change row is ``{entity_id, load_id, props}``; the change records get
        consecutive sequence numbers (``seq``) in the order given. The stored answers
        of the ``outdated`` entities (those recomputed) stop being current; ``whole``
        starts a new generation of them all (``ownergraph.stored_answers``).
        """
        changes = changes or []

        def work(tx: ManagedTransaction) -> None:
            for ids in _batches(delete, BATCH_SIZE):
                tx.run(statement("delete_relationships"), element_ids=ids).consume()
            for kind in ("CONTROLLED_BY", "ULTIMATELY_CONTROLLED_BY"):
                query = statement(f"create_{kind.lower()}")
                for batch in _batches([r for r in create if r["type"] == kind], BATCH_SIZE):
                    tx.run(query, rows=batch).consume()
            for batch in _batches(statuses, BATCH_SIZE):
                tx.run(statement("set_control_status"), rows=batch, ruleset=ruleset).consume()
            if changes:
                first = tx.run(statement("next_change_seq"), n=len(changes)).single(strict=True)["first"]
                numbered = [records.numbered_change(row, first + i + 1) for i, row in enumerate(changes)]
                for batch in _batches(numbered, BATCH_SIZE):
                    tx.run(statement("create_control_changes"), rows=batch).consume()
            tx.run(statement("merge_control_run"), ruleset=ruleset, as_of=as_of, whole=whole).consume()
            for ids in _batches(list(outdated), BATCH_SIZE):
                tx.run(statement("outdate_stored_answers"), ids=ids).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    # -- the change feed and watchlists -----------------------------------------------------

    @translate_errors
    def changes(
        self,
        *,
        before_seq: int | None,
        since: datetime | None,
        until: datetime | None,
        controller: str | None,
        founded_from: date | None,
        founded_to: date | None,
        limit: int,
        entity_ids: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Change records newest first, with the entity's name, kind and founding date."""
        window = {"before_seq": before_seq if before_seq is not None else 2**63 - 1, "since": since,
                  "until": until, "limit": limit}
        founded = {"founded_from": founded_from, "founded_to": founded_to}
        # The plan that reads least: from the controller's index range, from the entities, or the feed itself.
        if controller is not None:
            rows = self._read("read_changes_by_controller", controller=controller, **window, **founded)
            if entity_ids is not None:
                wanted = set(entity_ids)
                rows = [r for r in rows if r["change"]["entity_id"] in wanted]
        elif entity_ids is not None or founded_from is not None or founded_to is not None:
            rows = self._read("read_changes_of_entities", entity_ids=entity_ids, **window, **founded)
        else:
            rows = self._read("read_changes", **window)
        return [
            {**dict(r["change"]), "name": r["name"], "kind": r["kind"], "founded": records.native_date(r["founded"])}
            for r in rows
        ]

    @translate_errors
    def save_watchlist(self, name: str, ids: list[str], min_io: float) -> dict[str, Any]:
        rows, _, _ = self.driver.execute_query(
            statement("merge_watchlist"), watchlist={"name": name, "ids": ids, "min_io": min_io},
            database_=self.database, bookmark_manager_=None,
        )
        return dict(rows[0]["watchlist"])

    @translate_errors
    def watchlists(self) -> list[dict[str, Any]]:
        return [dict(r["watchlist"]) for r in self._read("read_watchlists")]

    @translate_errors
    def delete_watchlist(self, name: str) -> bool:
        rows, _, _ = self.driver.execute_query(statement("delete_watchlist"), name=name, database_=self.database,
            bookmark_manager_=None)
        return bool(rows and rows[0]["deleted"])

    # -- the load lock ----------------------------------------------------------------------

    @translate_errors
    def take_load_lock(self, holder: str, lease_seconds: int, *, replacing: str | None = None) -> bool:
        """True when ``holder`` now holds the graph's load lock (free, expired, its own, or held by
        ``replacing``, a holder the caller knows to be gone)."""
        rows, _, _ = self.driver.execute_query(
            statement("acquire_load_lock"), holder=holder, lease_seconds=lease_seconds, replacing=replacing,
            database_=self.database, bookmark_manager_=None,
        )
        return bool(rows)

    @translate_errors
    def renew_load_lock(self, holder: str, lease_seconds: int) -> bool:
        rows, _, _ = self.driver.execute_query(
            statement("renew_load_lock"), holder=holder, lease_seconds=lease_seconds, database_=self.database,
            bookmark_manager_=None
        )
        return bool(rows)

    @translate_errors
    def release_load_lock(self, holder: str) -> None:
        self.driver.execute_query(statement("release_load_lock"), holder=holder, database_=self.database,
            bookmark_manager_=None)

    @translate_errors
    def load_lock_holder(self) -> str | None:
        rows = self._read("read_load_lock")
        return str(rows[0]["holder"]) if rows else None

    @translate_errors
    def wipe(self) -> None:
        """Delete every node and relationship (the test server only)."""
        with self.driver.session(database=self.database) as session:
            # CALL { } IN TRANSACTIONS needs an auto-commit transaction
            session.run(statement("delete_everything")).consume()

    # -- reads ----------------------------------------------------------------

    @translate_errors
    def entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            for rec in self._read("read_entities", ids=batch):
                entity = records.entity_from(rec["entity"])
                found[entity.id] = entity
        return found

    @translate_errors
    def apply_judgement(
        self, judgement: dict[str, Any] | None, forget: tuple[str, str] | None = None
    ) -> tuple[dict[str, Any] | None, Written]:
        """Record a judgement (or forget the one of a pair) and re-resolve its two ids, in one transaction."""
        with self.driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                if judgement is not None:
                    stored = tx.run(statement("merge_judgement"), judgement=judgement).single(strict=True)["judgement"]
                    pair = [judgement["a"], judgement["b"]]
                else:
                    assert forget is not None
                    tx.run(statement("delete_judgement"), key=judgement_key(*forget)).consume()
                    stored = None
                    pair = list(forget)
                resolved = resolve_in(_runner(tx), Dataset(), None, also=pair)
                for batch in _batches(resolved.entity_rows, BATCH_SIZE):
                    tx.run(statement("merge_entities"), rows=batch).consume()
                for batch in _batches(resolved.identifier_rows, BATCH_SIZE):
                    tx.run(statement("merge_identifiers"), rows=batch).consume()
                tx.commit()
            finally:
                if tx.closed() is False:
                    tx.close()
        counts = {"merged": len(resolved.merges)}
        written = Written(counts, frozenset(resolved.changed), tuple(resolved.merges), tuple(resolved.blocked))
        return (dict(stored) if stored is not None else None), written

    @translate_errors
    def judgements(self, limit: int = 1000) -> list[dict[str, Any]]:
        return [dict(r["judgement"]) for r in self._read("read_all_judgements", limit=limit)]

    @translate_errors
    def name_hits(self, rows: Sequence[tuple[str, list[str]]], *, limit: int) -> dict[str, list[Entity]]:
        """For each (id, search terms): the entities whose names match best in the full-text index."""
        found: dict[str, list[Entity]] = {}
        queries = [{"id": i, "q": " OR ".join(_lucene_term(t) for t in terms)} for i, terms in rows if terms]
        for batch in _batches(queries, 1_000):
            for r in self._read("read_name_hits", rows=batch, limit=limit):
                found.setdefault(r["id"], []).append(records.entity_from(r["hit"]))
        return found

    @translate_errors
    def source_entity_ids(self, source: str, *, limit: int) -> list[str]:
        return [r["id"] for r in self._read("read_source_entity_ids", source=source, limit=limit)]

    @translate_errors
    def entity_ids(self, *, after: str = "", limit: int) -> list[str]:
        return [r["id"] for r in self._read("read_entity_ids", after=after, limit=limit)]

    @translate_errors
    def canonical_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """The entity each id belongs to (its own, or the one resolution made a source's record of it part of)."""
        found: dict[str, str] = {}
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            found.update((r["id"], r["entity"]) for r in self._read("read_record_entities", ids=batch))
        return found

    @translate_errors
    def source_records(self, entity_id: str) -> list[dict[str, Any]]:
        """Each source's record of an entity (property maps), by record id."""
        return [dict(r["record"]) for r in self._read("read_source_records", id=entity_id)]

    @translate_errors
    def entity(self, entity_id: str) -> Entity | None:
        return self.entities([entity_id]).get(entity_id)

    @translate_errors
    def entity_neighbours(
        self, entity_id: str, *, as_of: date, limit: int = 100, offset: int = 0
    ) -> dict[str, Any] | None:
        """The entity's own record with one page of its direct owners and holdings in force at ``as_of``
        (largest stake first) and their totals."""
        rows = self._read("read_entity_neighbours", id=entity_id, as_of=as_of, limit=limit, offset=offset)
        if not rows:
            return None
        rec = rows[0]
        return {
            "entity": records.entity_from(rec["entity"]),
            "owners": [
                (records.entity_from(o["entity"]), records.stake_from(o["entity"]["id"], entity_id, o["props"]))
                for o in rec["owners"]
            ],
            "holdings": [
                (records.entity_from(h["entity"]), records.stake_from(entity_id, h["entity"]["id"], h["props"]))
                for h in rec["holdings"]
            ],
            "owners_total": int(rec["owners_total"]),
            "holdings_total": int(rec["holdings_total"]),
        }

    @translate_errors
    def upstream(self, target_id: str, *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """The upstream closure of a target: everything that may control or own it
        (incoming OWNS / CONTROLS edges, and ACTS_IN_CONCERT partners with their owners)."""
        return self._upstream([target_id], max_nodes=max_nodes)

    def _upstream(self, start: Sequence[str], *, max_nodes: int, lean: bool = False) -> Dataset:
        """One round trip whatever the depth: the closure's entities (a pruned breadth-first
        expansion in the database), each with every edge into it; again only when
        acting-in-concert partners outside the closure bring their own owners in. ``lean``
        reads only what computing control needs (id, kind, capital; edges without bookkeeping)."""
        data = Dataset()
        found: dict[str, Entity] = {}
        keys: set[tuple[str, str]] = set()
        todo = sorted(set(start))
        query, batch_size = ("read_upstream_lean", LEAN_BATCH) if lean else ("read_upstream", BATCH_SIZE)
        cut = False
        while todo and len(found) < max_nodes:
            partners: set[str] = set()
            for batch in _batches(todo, batch_size):
                rows = self._read(query, ids=batch, limit=max_nodes + 1)
                cut = cut or len(rows) > max_nodes
                for rec in rows:
                    entity = _lean_entity(rec) if lean else records.entity_from(rec["entity"])
                    if entity.id in found:
                        continue
                    found[entity.id] = entity
                    for edge in rec["edges"]:
                        _add_edge(data, edge, keys)
                        partners.update((edge["from_id"], edge["to_id"]))
            todo = sorted(partners - found.keys())
        data.entities.extend(found.values())
        if todo or cut:
            data.findings.append(_partial_finding(max_nodes))
        _sort(data)
        return data

    @translate_errors
    def downstream(self, controller_id: str, *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """Everything the entity holds or controls, through any chain, with the direct owners of each."""
        return self.downstream_of([controller_id], max_nodes=max_nodes)

    def _closure(self, start: Sequence[str], query: str, *, max_nodes: int) -> Dataset:
        data = Dataset()
        seen: set[str] = set(start)
        frontier = list(start)
        keys: set[tuple[str, str]] = set()
        cut = False
        while frontier and len(seen) < max_nodes:
            nxt: list[str] = []
            for batch in _batches(frontier, BATCH_SIZE):
                rows = self._read(query, ids=batch, limit=max_nodes + 1)  # edges: at least one per new node
                cut = cut or len(rows) > max_nodes
                for rec in rows:
                    _add_edge(data, rec, keys)
                    for node in (rec["from_id"], rec["to_id"]):
                        if node not in seen:
                            seen.add(node)
                            nxt.append(node)
            frontier = nxt
        data.entities.extend(self.entities(seen).values())
        if frontier or cut:
            data.findings.append(_partial_finding(max_nodes))
        _sort(data)
        return data

    @translate_errors
    def everything(self) -> Dataset:
        """The whole graph for bulk computation: control-relevant edges, and entities with only
        their id, kind and registered capital (names are not read: millions of them cost minutes)."""
        data = Dataset()
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
            for rec in s.run(statement("read_all_entities")):
                data.entities.append(_lean_entity(rec))
            keys: set[tuple[str, str]] = set()
            for rec in s.run(statement("read_all_edges")):
                _add_edge(data, rec, keys)
        return data

    @translate_errors
    def everything_columns(self, *, page: int = COLUMN_PAGE, workers: int = READ_WORKERS) -> Columns:
        """``everything`` as columns (``graph.columnar``): read in id ranges of ``page`` entities, ``workers``
        ranges at once, each range one record of value lists, with no object per entity or edge."""
        out = ColumnsBuilder()
        flat = itertools.chain.from_iterable
        with gc_paused():  # millions of decoded values, no cycle among them
            for rec in self._ranges("read_graph_columns", page, workers):
                entities = rec["entities"]
                if entities:
                    out.entities(*zip(*entities, strict=True))
                for add, name in ((out.stakes, "owns"), (out.controls, "controls"), (out.concerts, "concerts")):
                    rows = list(flat(rec[name]))
                    if rows:
                        add(*zip(*rows, strict=True))
            return out.columns()

    @translate_errors
    def id_ranges(self, page: int) -> list[tuple[str, str | None]]:
        """The entity ids cut into ranges ``(after, upto]`` of ``page`` entities each, in id order; the
        last range has no upper end (``upto`` None), so an entity added meanwhile is in exactly one range."""
        ends = [""]
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
            while (rec := s.run(statement("read_page_end"), after=ends[-1], skip=page - 1).single()) is not None:
                ends.append(rec["id"])
        return list(zip(ends, [*ends[1:], None], strict=True))

    def _ranges(self, name: str, page: int, workers: int, **params: Any) -> Iterator[neo4j.Record]:
        """The one record of statement ``name`` for each id range (``id_ranges``), in id order, read over
        ``workers`` sessions at once: the server reads the next ranges while the caller decodes one."""

        def one(bounds: tuple[str, str | None]) -> neo4j.Record:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                return s.run(statement(name), after=bounds[0], upto=bounds[1], **params).single(strict=True)

        ranges = self.id_ranges(page)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            ahead: deque[Future[neo4j.Record]] = deque()
            for bounds in ranges:
                ahead.append(pool.submit(one, bounds))
                if len(ahead) > workers:  # at most one range waits, decoded, beyond those being read
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()

    @translate_errors
    def search(self, q: str, *, limit: int = 20, window: int = SEARCH_WINDOW + 1) -> list[tuple[Entity, float]]:
        """The best ``limit`` matches among the full-text index's best ``window`` (the same window for
        every page, so that ties at its edge cannot make pages disagree)."""
        rows = self._read("search_entities", q=q, fulltext=_fulltext_query(q), limit=limit,
                          window=max(window, limit))
        return [(records.entity_from(r["entity"]), float(r["score"])) for r in rows]

    @translate_errors
    def founded_between(self, founded_from: date, founded_to: date, *, limit: int = 10_000_000) -> list[str]:
        """The ids of the entities founded in the window (inclusive), sorted; at most ``limit`` of them
        (which ones, when the window holds more, is not defined: callers refuse such a window)."""
        rows = self._read("read_entities_founded", founded_from=founded_from, founded_to=founded_to, limit=limit)
        return sorted(r["id"] for r in rows)

    @translate_errors
    def around(self, ids: Iterable[str], *, max_edges: int = MAX_CLOSURE) -> Dataset:
        """Every edge (of any type, links too) touching these entities, with both ends; at most
        ``max_edges`` per batch of ids (a hub's edges are never read whole)."""
        data = Dataset()
        keys: set[tuple[str, str]] = set()
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            for rec in self._read("read_edges_around", ids=batch, limit=max_edges):
                _add_edge(data, rec, keys)
        ends = {i for s in data.stakes for i in (s.owner_id, s.owned_id)}
        ends |= {i for c in data.controls for i in (c.controller_id, c.controlled_id)}
        ends |= {i for lk in data.links for i in (lk.source_id, lk.target_id)}
        ends |= {i for c in data.concerts for i in (c.party_a, c.party_b)}
        data.entities.extend(self.entities(ends | set(ids)).values())
        return data

    @translate_errors
    def counts(self) -> dict[str, int]:
        return {r["what"]: r["n"] for r in self._read("count_graph")}

    @translate_errors
    def fingerprint(self) -> str:
        """A checksum of every node and relationship with what it says (to prove nothing changed):
        load bookkeeping (which source and load wrote it, its fingerprints) is left out."""
        digest = hashlib.sha256()
        for rec in self._read("read_fingerprint"):
            said = {k: v for k, v in dict(rec["props"]).items() if k not in records.BOOKKEEPING}
            line = [rec["part"], rec["a"], rec["b"], sorted(rec["labels"]), said]
            digest.update(json.dumps(line, sort_keys=True, default=str).encode("utf-8"))
        return digest.hexdigest()

    # -- batch closures (the API service: clusters, common owners, screening) --

    @translate_errors
    def upstream_of(self, target_ids: Iterable[str], *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """The union of the upstream closures of several entities."""
        return self._upstream(sorted(set(target_ids)), max_nodes=max_nodes)

    @translate_errors
    def upstream_for_control(self, target_ids: Iterable[str], *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """``upstream_of`` with only what computing control needs: entities without names (as
        ``everything`` reads them), edges without the load bookkeeping."""
        return self._upstream(sorted(set(target_ids)), max_nodes=max_nodes, lean=True)

    @translate_errors
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among ``ids`` that are entities of the graph."""
        found: set[str] = set()
        for batch in _batches(sorted(set(ids)), BATCH_SIZE):
            found.update(r["id"] for r in self._read("read_existing_ids", ids=batch))
        return found

    @translate_errors
    def downstream_closure_of(self, owner_ids: Iterable[str], *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """Everything several entities hold or control through any chain (without the holdings' other owners)."""
        return self._closure(sorted(set(owner_ids)), "read_outgoing", max_nodes=max_nodes)

    @translate_errors
    def downstream_ids(self, owner_ids: Iterable[str], *, max_nodes: int = MAX_CLOSURE) -> tuple[list[str], list[Any]]:
        """The ids of everything several entities hold or control through any chain (themselves
        included), in one round trip, and a finding when the closure was cut at ``max_nodes``."""
        rows = self._read("read_downstream_ids", ids=sorted(set(owner_ids)), limit=max_nodes + 1)
        ids = [r["id"] for r in rows]
        if len(ids) > max_nodes:
            return ids[:max_nodes], [_partial_finding(max_nodes)]
        return ids, []

    @translate_errors
    def downstream_of(self, owner_ids: Iterable[str], *, max_nodes: int = MAX_CLOSURE) -> Dataset:
        """``downstream`` of several entities at once: all they hold, with the direct owners of each holding."""
        down = self.downstream_closure_of(owner_ids, max_nodes=max_nodes)
        # Control of a holding also depends on its other owners (relative rule, GP rule, bounds).
        reached = down.entity_ids()
        seen_keys = _edge_keys(down)
        around = Dataset()
        for batch in _batches(sorted(reached), BATCH_SIZE):
            for rec in self._read("read_incoming", ids=batch, limit=MAX_INCOMING):
                _add_edge(around, rec, seen_keys)
        extra_ids = {s.owner_id for s in around.stakes} | {c.controller_id for c in around.controls}
        extra_ids |= {c.party_a for c in around.concerts} | {c.party_b for c in around.concerts}
        down.entities.extend(self.entities(extra_ids - reached).values())
        down.stakes.extend(around.stakes)
        down.controls.extend(around.controls)
        down.concerts.extend(around.concerts)
        _sort(down)
        return down


def _sort(data: Dataset) -> None:
    """The database returns rows in no set order: sorted records make every answer, proofs included,
    the same from one read to the next."""
    data.entities.sort(key=lambda e: e.id)
    data.stakes.sort(key=lambda s: s.key)
    data.controls.sort(key=lambda c: c.key)
    data.concerts.sort(key=lambda c: c.key)
    data.links.sort(key=lambda lk: lk.key)


def _fulltext_query(q: str) -> str:
    """Escape Lucene syntax so user text is searched as text; add a prefix term for Latin words."""
    special = '+-&|!(){}[]^"~*?:\\/'
    escaped = "".join("\\" + ch if ch in special else ch for ch in q.strip())
    # Lucene's operators are upper-case words: searched as text, lower-cased
    words = [w.lower() if w in {"AND", "OR", "NOT", "TO"} else w for w in escaped.split() if w]
    if not words:
        return '""'
    last = words[-1]
    prefix = f" OR {last}*" if last.isascii() and last[-1:].isalnum() else ""
    return " ".join(words) + prefix


def _lucene_term(term: str) -> str:
    """One search term as Lucene text: every special character escaped, quoted when it holds a space."""
    special = '+-&|!(){}[]^"~*?:\\/'
    escaped = "".join("\\" + ch if ch in special else ch for ch in term)
    return f'"{escaped}"' if " " in escaped else escaped


def _partial_finding(max_nodes: int) -> Any:
    from ownergraph.graph.model import Finding

    return Finding(
        severity="warning",
        code="closure_truncated",
        message=f"the subgraph was cut at {max_nodes} entities; the answer may be incomplete",
    )


def _edge_keys(data: Dataset) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    keys |= {("OWNS", s.key) for s in data.stakes}
    keys |= {("CONTROLS", c.key) for c in data.controls}
    keys |= {("ACTS_IN_CONCERT", c.key) for c in data.concerts}
    keys |= {("LINK", lk.key) for lk in data.links}
    return keys


def _add_edge(data: Dataset, rec: neo4j.Record | dict[str, Any], seen: set[tuple[str, str]]) -> None:
    kind = rec["type"]
    props = dict(rec["props"])
    identity = (kind, props.get("key") or f"{rec['from_id']}|{rec['to_id']}")
    if identity in seen:
        return
    seen.add(identity)
    if kind == "OWNS":
        data.stakes.append(records.stake_from(rec["from_id"], rec["to_id"], props))
    elif kind == "CONTROLS":
        data.controls.append(records.control_from(rec["from_id"], rec["to_id"], props))
    elif kind == "ACTS_IN_CONCERT":
        data.concerts.append(records.concert_from(rec["from_id"], rec["to_id"], props))
    elif kind == "LINK":
        data.links.append(records.link_from(rec["from_id"], rec["to_id"], props))


def _lean_entity(rec: neo4j.Record) -> Entity:
    return Entity(rec["id"], rec["id"], rec["kind"] or "other", registered_capital=rec["registered_capital"])


def _edge_parts(tx: neo4j.Transaction, kind: str, rows: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """The parts already stored between the pairs that ``rows`` write (to place each row on its part)."""
    pairs = sorted({(r.get("owner_id") or r["from_id"], r.get("owned_id") or r["to_id"]) for r in rows})
    parts: list[dict[str, Any]] = []
    for batch in _batches([{"from_id": a, "to_id": b} for a, b in pairs], size):
        parts.extend(rec.data() for rec in tx.run(statement("read_edge_parts"), type=kind, pairs=batch))
    return parts


@dataclass(frozen=True)
class ControlRun:
    """The last materialisation of a ruleset: its day, and whether a load has since skipped it."""

    as_of: date
    stale: bool
    answers_gen: int = 0


@dataclass(frozen=True)
class ControlledPage:
    """A page of the materialised reverse question: rows ``{id, name, kind, founded, definite, group,
    chain, flags}`` (``chain`` and ``flags`` as stored JSON, None where no current one is stored)."""

    name: str
    run_as_of: date | None
    stale: bool
    total: int
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class StoredAnswer:
    """The control run's day, and the stored default answer if it is current (else None)."""

    as_of: date | None
    body: str | None


@dataclass(frozen=True)
class Written:
    """What a load wrote: counts per record kind, and the entities whose answers it may change."""

    counts: dict[str, int]
    changed: frozenset[str]
    merges: tuple[Merge, ...] = ()  # entities that became part of another (resolution)
    blocked: tuple[Blocked, ...] = ()  # merges a negative judgement prevented


def _runner(tx: neo4j.Transaction | ManagedTransaction) -> Callable[..., list[dict[str, Any]]]:
    """Run named statements in a transaction, rows as plain dicts (for queries/resolution.py)."""

    def run(name: str, **params: Any) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(statement(name), params)]

    return run


def _batches(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
