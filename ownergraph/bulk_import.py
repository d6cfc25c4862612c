"""The bulk path for an empty database: ``neo4j-admin database import full`` on CSV files.

An order of magnitude faster than the transactional loader for a first load
of a national registry, because the importer writes the store files directly
instead of going through transactions and index updates row by row. The
price: the server is stopped while it runs, and the database must be empty
(the importer replaces the store). So it only works on a local instance
started by ``queries.local_server``.

The CSV files carry the same property maps as ``queries.records`` gives the
transactional writer (``entity_row``, ``stake_row``, ...), with the
importer's typed headers (``founded:date``, ``share:double``, ...), so reads
see the same graph whichever path wrote it.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from ownergraph.graph.columnar import I64, B, BulkAnswers, Columns, bulk_answers
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.materialised import NO_STATE, AnswerStates, owned_ids
from ownergraph.graph.model import Dataset, Entity, Stake
from ownergraph.graph.params import DEFAULT_RULESET, ControlParams
from ownergraph.import_csv import (
    ARRAY_DELIMITER,
    CHUNK,
    Chunk,
    ImportCsvError,
    RowBytes,
    Same,
    Table,
    append_cells,
    chunked,
    write_table,
)
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.parts import DatasetParts, Part, Parts
from ownergraph.localneo4j import server as local_server
from ownergraph.localneo4j.server import Instance
from ownergraph.materialise import Cause, change_props
from ownergraph.queries import records
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.stored_answers import answer_rows_parallel

DATABASE = "neo4j"
# Populating the indexes of a national graph after its import takes minutes (about 1.5 at 1M companies).
SCHEMA_WAIT_SECONDS = 3 * 3600


class BulkImportError(RuntimeError):
    """The bulk import was refused or failed; nothing was imported when refused."""


def bulk_import(
    instance: Instance,
    data: Dataset | Parts,
    *,
    load: dict[str, Any] | None = None,
    max_memory: str = "2G",
    threads: int | None = None,
    control_as_of: date | None = None,
    ruleset: str = "majority",
    stored_answers: bool = True,
    log: Callable[[str], None] | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Import ``data`` into the empty database of a local ``instance``; return the counts written.

    ``data`` is a parsed and checked ``Dataset``, or a load read in parts
    (``loaders.parts``: a national registry streamed from its files, holding
    only its columns), whose findings are known once every part is read: any
    error refuses the load with ``LoadRejected`` before the store is touched.

    ``load`` (id, format, path) adds the same ``Load`` provenance node as
    ``Repository.write_dataset``. Stops the server, imports, starts it again
    and re-applies the schema (constraints, indexes) and waits for the
    indexes to be populated. Raises ``BulkImportError`` when the instance is
    not a local one or its database holds anything.

    With ``control_as_of`` the materialised control of ``ruleset`` at that
    date (``ownergraph.materialise``) is computed here and imported with the
    graph, so a first load of a national registry needs no second pass
    reading the whole graph back over Bolt. With ``stored_answers`` (and the default ruleset) the
    default answer of every held entity is stored with it (``ownergraph.stored_answers``); they are
    proved from the records, so only a ``Dataset`` has them; without, the service answers live until
    ``fill_answers`` stores them. ``timings``, when given, receives the seconds of each step
    (``parse`` of the parts, ``control``, ``csv``, ``stored_answers``, ``admin_import``, ``schema``).
    """
    took = timings if timings is not None else {}
    if not isinstance(instance, Instance):
        raise BulkImportError(
            "the bulk import replaces store files and needs a local server started by ownergraph "
            f"(queries.local_server.Instance), not {type(instance).__name__}"
        )
    records = data if isinstance(data, Dataset) else None
    if stored_answers and control_as_of is not None and ruleset == DEFAULT_RULESET and records is None:
        raise BulkImportError("stored answers are proved from the records in memory, which a load read in "
                              "parts does not hold: import it without them, then run `ownergraph control answers`")
    say = log or (lambda _msg: None)
    _refuse_unless_empty(instance)

    work = instance.root / "import" / "bulk"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        parts = DatasetParts(data) if isinstance(data, Dataset) else data
        nodes, rels, counts = _write_csv(work, parts, records, load, control_as_of, ruleset, stored_answers, took,
                                         say)
        local_server.stop(instance)
        local_server.prepare(instance)  # configuration (and password) present even on first use
        began = time.perf_counter()
        _run_importer(instance, nodes, rels, max_memory=max_memory, threads=threads)
        took["admin_import"] = time.perf_counter() - began
        say(f"neo4j-admin import took {took['admin_import']:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    local_server.start(instance)
    began = time.perf_counter()
    repo = _repository(instance)
    try:
        repo.wait_until_online()
        repo.apply_schema(await_seconds=SCHEMA_WAIT_SECONDS)
    finally:
        repo.driver.close()
    took["schema"] = time.perf_counter() - began
    say(f"schema applied and indexes populated in {took['schema']:.1f} s")
    return counts


# -- refusal ----------------------------------------------------------------------


def _store_exists(instance: Instance) -> bool:
    store = local_server.store_path(instance, DATABASE)
    return store.exists() and any(store.iterdir())


def _refuse_unless_empty(instance: Instance) -> None:
    """A stopped instance without a store is empty; otherwise ask the running server."""
    if not local_server.is_up(instance):
        if not _store_exists(instance):
            return
        local_server.start(instance)
    repo = _repository(instance)
    try:
        nodes = repo.node_count()
    finally:
        repo.driver.close()
    if nodes:
        raise BulkImportError(
            f"the database of instance {instance.name!r} holds {nodes:,} nodes; the bulk import "
            "replaces the whole store and runs only on an empty database (load with `ownergraph load` instead)"
        )


def _repository(instance: Instance) -> Repository:
    settings = Neo4jSettings(uri=instance.bolt_uri, username="neo4j", password=SecretStr(instance.password()))
    return Repository(connect(settings), DATABASE)


# -- CSV --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Control:
    """The materialised control to import with the graph: the columnar answers, kept as arrays."""

    ruleset: str
    as_of: date
    answers: BulkAnswers


def _write_csv(
    work: Path, parts: Parts, records: Dataset | None, load: dict[str, Any] | None, control_as_of: date | None,
    ruleset: str, stored_answers: bool, took: dict[str, float], say: Callable[[str], None],
) -> tuple[list[Table], list[tuple[str, Table]], dict[str, int]]:
    """Every CSV file of the import, or ``LoadRejected`` when the parts' findings hold an error."""
    # the source, as ``write_dataset`` records it, so that later snapshots of it can end these edges
    origin = load["id"] if load is not None else None
    timer = _Timer()
    with gc_paused():
        try:
            body, stakes, rest = _write_parts(work, timer.timed(parts), origin)
        except ImportCsvError as e:
            raise BulkImportError(str(e)) from e
        took["parse"] = timer.seconds
        if any(f.severity == "error" for f in parts.findings):
            raise LoadRejected(parts.findings)
        cols = parts.columns()
        took["csv"] = timer.elapsed() - timer.seconds
        say(f"read in {took['parse']:.1f} s, the graph's CSV files written in {took['csv']:.1f} s")
        control = None
        if control_as_of is not None:
            began = time.perf_counter()
            control = _Control(ruleset, control_as_of, bulk_answers(cols, ControlParams(control_as_of, ruleset)))
            took["control"] = time.perf_counter() - began
            say(f"control computed in {took['control']:.1f} s")
        began = time.perf_counter()
        try:
            nodes = [_finish_entities(work, body, cols, control)]
            del cols
            rels, counts = _write_small_tables(work, rest, origin, nodes)
            if stakes.rows:
                rels.insert(0, ("OWNS", stakes))
            counts = {"entities": body.table.rows, "stakes": stakes.rows, **counts}
            if load is not None:
                nodes.append(_write_load(work, load, counts))
            if control is not None:
                _write_control(work, control, records if stored_answers else None, load, nodes, rels, counts, took)
        except ImportCsvError as e:
            raise BulkImportError(str(e)) from e
    took["csv"] += time.perf_counter() - began - took.get("stored_answers", 0.0)
    if "stored_answers" in took:
        say(f"stored answers computed and written in {took['stored_answers']:.1f} s")
    return nodes, rels, counts


class _Timer:
    """The seconds spent inside an iterator (the parse of the parts), apart from the time it ran."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.began = time.perf_counter()

    def timed(self, items: Iterable[Part]) -> Iterator[Part]:
        it = iter(items)
        while True:
            t0 = time.perf_counter()
            item = next(it, None)
            self.seconds += time.perf_counter() - t0
            if item is None:
                return
            yield item

    def elapsed(self) -> float:
        return time.perf_counter() - self.began


def _write_parts(work: Path, parts: Iterable[Part], origin: str | None) -> tuple[_Body, Table, Dataset]:
    """Entities and stakes written as their parts come (entities without their status, which needs the
    whole graph); the other records, few, kept for ``_write_small_tables``."""
    rest = Dataset()
    it = iter(parts)
    pending: list[Part] = []

    def entity_parts() -> Iterator[Sequence[Entity]]:
        for part in it:
            if part.kind != "entities":
                pending.append(part)
                return
            yield part.data.entities

    body = _write_entity_body(work, entity_parts())

    def stake_parts() -> Iterator[Sequence[Stake]]:
        for part in itertools.chain(pending, it):
            if part.kind == "entities":
                raise BulkImportError("entities after edges: a load in parts gives its entities first")
            if part.kind == "stakes":
                yield part.data.stakes
            else:
                getattr(rest, part.kind).extend(getattr(part.data, part.kind))

    stakes = _write_stakes(work, stake_parts(), origin)
    return body, stakes, rest


def _write_small_tables(work: Path, rest: Dataset, origin: str | None,
                        nodes: list[Table]) -> tuple[list[tuple[str, Table]], dict[str, int]]:
    rels: list[tuple[str, Table]] = []
    counts: dict[str, int] = {}
    for name, rel_type, items, to_row in _SMALL_TABLES:
        counts[name] = len(getattr(rest, items))
        if not counts[name]:
            continue
        rows = [to_row(item) for item in getattr(rest, items)]
        mark = {"loaded_from": origin} if origin is not None and rel_type in _LOADED_EDGES else {}
        props = [{"key": r["key"], **r["props"], **mark} for r in rows]
        table = _write_rows(work / f"{name}.csv", [":START_ID(Entity)", ":END_ID(Entity)"],
                            [[r["from_id"], r["to_id"]] for r in rows], props)
        rels.append((rel_type, table))
    return rels, counts


_SMALL_TABLES: tuple[tuple[str, str, str, Callable[[Any], dict[str, Any]]], ...] = (
    ("controls", "CONTROLS", "controls", records.control_row),
    ("concerts", "ACTS_IN_CONCERT", "concerts", records.concert_row),
    ("links", "LINK", "links", records.link_row),
    ("reported", "REPORTED", "reported", records.reported_row),
)


def _write_load(work: Path, load: dict[str, Any], counts: dict[str, int]) -> Table:
    load_props: dict[str, Any] = {
        "format": load.get("format"),
        "path": load.get("path"),
        "loaded_at": datetime.now(UTC),
        "counts": json.dumps({k: counts[k] for k in ("entities", "stakes", *(t[0] for t in _SMALL_TABLES))}),
    }
    return _write_rows(work / "load.csv", ["id:ID(Load)", ":LABEL"], [[load["id"], "Load"]], [load_props])


def _write_control(work: Path, control: _Control, records: Dataset | None, load: dict[str, Any] | None,
                   nodes: list[Table], rels: list[tuple[str, Table]], counts: dict[str, int],
                   took: dict[str, float]) -> None:
    """The materialised control: its run, its change feed, its stored answers (from ``records``) and
    its relationships."""
    nodes.append(_write_control_run(work, control))
    change_nodes, change_rels = _write_control_changes(work, control, load)
    nodes += change_nodes
    rels += change_rels
    counts["control_changes"] = change_nodes[0].rows if change_nodes else 0
    chains: dict[tuple[str, str], str] = {}
    if records is not None and control.ruleset == DEFAULT_RULESET:
        began = time.perf_counter()
        answers = _write_stored_answers(work, records, control, chains)
        took["stored_answers"] = time.perf_counter() - began
        nodes.append(answers)
        counts["stored_answers"] = answers.rows
    counts.update(controlled_by=0, ultimately_controlled_by=0)
    for rel_type, table in _write_control_relationships(work, control, chains):
        rels.append((rel_type, table))
        counts[rel_type.lower()] = table.rows


_LOADED_EDGES = frozenset({"OWNS", "CONTROLS", "ACTS_IN_CONCERT"})
_STATUS_PROPS = [("control_status", "string"), ("control_ruleset", "string")]


@dataclass(frozen=True)
class _Body:
    """``entities.csv`` without its status columns, and the layout of its rows (``write_table``'s)."""

    table: Table
    layout: list[RowBytes]


def _write_entity_body(work: Path, parts: Iterable[Sequence[Entity]]) -> _Body:
    """``records.ENTITY_PROPS`` of every entity, a part at a time."""
    props = [(name, kind) for name, kind, _ in records.ENTITY_PROPS]

    def chunks() -> Iterator[Chunk]:
        for entities in parts:
            for part in chunked(len(entities)):
                chunk = entities[part]
                labels = [f"Entity{ARRAY_DELIMITER}{records.entity_label(e)}" for e in chunk]
                yield [[e.id for e in chunk], labels], [list(map(get, chunk)) for _, _, get in records.ENTITY_PROPS]

    layout: list[RowBytes] = []
    # :LABEL is an array column: its labels are split on the array delimiter
    table = write_table(work / "entities.body.csv", ["id:ID(Entity)", ":LABEL"], props, chunks(), keep_false=False,
                        layout=layout)
    return _Body(table, layout)


def _finish_entities(work: Path, body: _Body, cols: Columns, control: _Control | None) -> Table:
    """``entities.csv``: the body with each held entity's materialised status (and ruleset) added to its row."""
    path = work / "entities.csv"
    if control is None:
        body.table.path.rename(path)
        return Table(path, body.table.rows, body.table.multiline)
    answers = control.answers
    # the entities come first among the answers' nodes, in the order of their rows
    ends = [f',"{s}","{control.ruleset}"\n'.encode() for s in answers.STATUSES] + [b",,\n"]
    code = np.where(answers.held[: cols.loaded], answers.status[: cols.loaded], len(answers.STATUSES)).tolist()
    at = 0

    def cells(n: int) -> list[bytes]:
        nonlocal at
        at += n
        return [ends[c] for c in code[at - n : at]]

    extra = ",".join(f"{name}:{kind}" for name, kind in _STATUS_PROPS)
    written = append_cells(body.table.path, path, body.layout, extra, cells)
    body.table.path.unlink()
    return Table(path, written, body.table.multiline)


def _write_stakes(work: Path, parts: Iterable[Sequence[Stake]], origin: str | None) -> Table:
    """``stakes.csv``: ``records.STAKE_PROPS`` of every stake, and the source that loaded it."""
    props = [(name, kind) for name, kind, _ in records.STAKE_PROPS] + [("loaded_from", "string")]

    def chunks() -> Iterator[Chunk]:
        for stakes in parts:
            for part in chunked(len(stakes)):
                chunk = stakes[part]
                values: list[Sequence[Any]] = [list(map(get, chunk)) for _, _, get in records.STAKE_PROPS]
                values.append(Same(origin, len(chunk)))
                yield [[s.owner_id for s in chunk], [s.owned_id for s in chunk]], values

    return write_table(work / "stakes.csv", [":START_ID(Entity)", ":END_ID(Entity)"], props, chunks(),
                       keep_false=False)


def _write_rows(path: Path, fixed: list[str], ids: Sequence[Sequence[str]], rows: Sequence[dict[str, Any]]) -> Table:
    """A small table from property maps: a column for every property any row has, typed by its first
    value that is not null (rows leave out absent ones)."""
    types: dict[str, str] = {}
    for row in rows:
        for name, value in row.items():
            if value is not None and name not in types:
                types[name] = _type_of(value)
    props = list(types.items())

    def chunks() -> Iterator[Chunk]:
        for part in chunked(len(rows)):
            chunk = rows[part]
            yield list(map(list, zip(*ids[part], strict=True))), [[r.get(name) for r in chunk] for name, _ in props]

    return write_table(path, fixed, props, chunks())


def _write_control_run(work: Path, control: _Control) -> Table:
    """The ``ControlRun`` node ``merge_control_run.cypher`` writes, keyed by its ruleset."""
    props = {"ruleset": control.ruleset, "as_of": control.as_of, "computed_at": datetime.now(UTC), "answers_gen": 1}
    return _write_rows(work / "control_run.csv", [":ID(ControlRun)", ":LABEL"], [[control.ruleset, "ControlRun"]],
                       [props])


def _write_stored_answers(
    work: Path, data: Dataset, control: _Control, chains: dict[tuple[str, str], str]
) -> Table:
    """A ``StoredAnswer`` per held entity, of the first generation (``ownergraph.stored_answers``);
    fills ``chains`` with the chain of each (controlled, controller) for its ``CONTROLLED_BY``."""
    targets = sorted(owned_ids(data))
    rows = answer_rows_parallel(data, targets, day=control.as_of, ruleset=control.ruleset)
    props = [("entity_id", "string"), ("body", "string"), ("flags", "string"), ("gen", "long")]

    def chunks() -> Iterator[Chunk]:
        while part := list(islice(rows, CHUNK)):
            for r in part:
                for c in r["chains"]:
                    chains[(r["id"], c["controller"])] = c["chain"]
            ids = [r["id"] for r in part]
            yield [ids, Same("StoredAnswer", len(part))], [ids, [r["body"] for r in part],
                                                             [r["flags"] for r in part], Same(1, len(part))]

    return write_table(work / "stored_answers.csv", [":ID(StoredAnswer)", ":LABEL"], props, chunks())


def _write_control_changes(
    work: Path, control: _Control, load: dict[str, Any] | None
) -> tuple[list[Table], list[tuple[str, Table]]]:
    """The change feed from an empty graph: one ``ControlChange`` per entity with an answer, numbered as
    ``write_materialised_control`` numbers them (in the order of the entities' ids), so replaying the
    feed rebuilds the imported state."""
    states = AnswerStates(control.answers)
    targets = states.targets
    if not targets.size:
        return [], []
    ids = control.answers.ids
    cause = Cause("load", load["id"] if load is not None else None)
    now = datetime.now(UTC)
    first = ids[int(targets[0])]
    # What every change shares (``change_props`` of the first), then the columns that differ.
    same = change_props(first, NO_STATE, states.states(targets[:1])[0], ruleset=control.ruleset, cause=cause,
                        day=control.as_of, now=now)
    varying = {"entity_id": "string", "status_after": "string", "after": "string", "involved": "string[]"}
    shared = [(k, v) for k, v in same.items() if k not in varying and v is not None]
    props = [*((k, _type_of(v)) for k, v in shared), *varying.items(), ("seq", "long")]

    def chunks() -> Iterator[Chunk]:
        for part in chunked(targets.size):
            after = states.states(targets[part])
            n = len(after)
            seqs = list(range(part.start + 1, part.stop + 1))
            yield [list(map(str, seqs)), Same("ControlChange", n)], [
                *(Same(v, n) for _, v in shared), ids.take(targets[part]), [a.status for a in after],
                [a.to_json() for a in after], [a.involved() for a in after], seqs]

    changes = write_table(work / "control_changes.csv", [":ID(ControlChange)", ":LABEL"], props, chunks())
    sequence = _write_rows(work / "change_sequence.csv", [":ID(ChangeSequence)", ":LABEL"],
                           [["control_changes", "ChangeSequence"]],
                           [{"name": "control_changes", "next": changes.rows}])
    seq_text = [str(i) for i in range(1, targets.size + 1)]
    of = write_table(work / "change_of.csv", [":START_ID(ControlChange)", ":END_ID(Entity)"], [],
                     (([seq_text[part], ids.take(targets[part])], []) for part in chunked(targets.size)))
    rels = [("CHANGE_OF", of)]
    seq, node = states.involved()

    def involves_rows() -> Iterator[Chunk]:
        for part in chunked(seq.size):
            seqs, controllers = seq[part].tolist(), ids.take(node[part])
            yield [[seq_text[i - 1] for i in seqs], controllers], [list(map(records.involves_key, controllers, seqs))]

    involves = write_table(work / "involves.csv", [":START_ID(ControlChange)", ":END_ID(Entity)"],
                           [("ckey", "string")], involves_rows())
    if involves.rows:
        rels.append(("INVOLVES", involves))
    if load is not None:
        caused = write_table(work / "caused_by.csv", [":START_ID(ControlChange)", ":END_ID(Load)"], [],
                             (([seq_text[part], Same(load["id"], part.stop - part.start)], [])
                              for part in chunked(targets.size)))
        rels.append(("CAUSED_BY", caused))
    return [changes, sequence], rels


def _write_control_relationships(
    work: Path, control: _Control, chains: dict[tuple[str, str], str]
) -> list[tuple[str, Table]]:
    """The relationships ``create_controlled_by`` and ``create_ultimately_controlled_by`` write, each
    ``CONTROLLED_BY`` with the chain the stored answers give it."""
    answers = control.answers
    tables: list[tuple[str, Table]] = []
    for rel_type, (y, m, definite, group) in zip(("ULTIMATELY_CONTROLLED_BY", "CONTROLLED_BY"),
                                                 answers.relationships(), strict=True):
        if not y.size:
            continue
        props = [("ruleset", "string"), ("definite", "boolean"), ("group", "string")]
        with_chains = rel_type == "CONTROLLED_BY" and bool(chains)
        if with_chains:
            props.append(("chain", "string"))

        def chunks(y: I64 = y, m: I64 = m, definite: B = definite, group: I64 = group,
                   with_chains: bool = with_chains) -> Iterator[Chunk]:
            for part in chunked(y.size):
                targets, controllers = answers.ids.take(y[part]), answers.ids.take(m[part])
                values: list[Sequence[Any]] = [Same(control.ruleset, len(targets)), definite[part].tolist(),
                                           [None if g < 0 else answers.groups[g] for g in group[part].tolist()]]
                if with_chains:
                    values.append([chains.get(pair) for pair in zip(targets, controllers, strict=True)])
                yield [targets, controllers], values

        table = write_table(work / f"{rel_type.lower()}.csv", [":START_ID(Entity)", ":END_ID(Entity)"], props,
                            chunks())
        tables.append((rel_type, table))
    return tables


def _type_of(value: Any) -> str:
    # bool before int: bool is an int subclass
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple):
        return "string[]"
    return "string"


# -- the importer -----------------------------------------------------------------


def _run_importer(
    instance: Instance,
    nodes: list[Table],
    rels: list[tuple[str, Table]],
    *,
    max_memory: str,
    threads: int | None,
) -> None:
    report = instance.root / "logs" / "import.report"
    multiline = any(t.multiline for t in nodes) or any(t.multiline for _, t in rels)
    cmd = [
        "java",
        "-Xmx1g",  # the importer works off-heap (max_memory); the heap holds little
        "-cp",
        str(local_server.lib_dir() / "*"),
        local_server.ADMIN_TOOL,
        "database",
        "import",
        "full",
        DATABASE,
        "--verbose",  # a failure then names the file, line and field
        "--overwrite-destination=true",
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
        f"--max-off-heap-memory={max_memory}",
        f"--threads={threads or os.cpu_count() or 2}",
        f"--report-file={report}",
        f"--multiline-fields={'true' if multiline else 'false'}",
        *[f"--nodes={t.path}" for t in nodes],
        *[f"--relationships={rel_type}={t.path}" for rel_type, t in rels],
    ]
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(instance.root)
    env["NEO4J_CONF"] = str(instance.root / "conf")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stdout or "")[-3000:] + (done.stderr or "")[-3000:]
        raise BulkImportError(f"neo4j-admin database import failed (exit {done.returncode}):\n{tail}")
