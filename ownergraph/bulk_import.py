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

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from ownergraph.graph.columnar import Columns
from ownergraph.graph.gcpause import gc_paused
from ownergraph.graph.materialised import NO_STATE, Key, owned_ids, states_from
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import DEFAULT_RULESET
from ownergraph.localneo4j import server as local_server
from ownergraph.localneo4j.server import Instance
from ownergraph.materialise import Cause, change_props, relationship_props, whole_graph_answers
from ownergraph.queries import records
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.stored_answers import answer_rows_parallel

# A unit separator never occurs in registry text, unlike the default ";".
ARRAY_DELIMITER = "\x1f"
DATABASE = "neo4j"


class BulkImportError(RuntimeError):
    """The bulk import was refused or failed; nothing was imported when refused."""


@dataclass
class _Table:
    """One CSV file for the importer: fixed id/label/type columns, then typed properties."""

    path: Path
    fixed: list[str]
    props: list[str]
    types: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    multiline: bool = False


def bulk_import(
    instance: Instance,
    data: Dataset,
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

    ``load`` (id, format, path) adds the same ``Load`` provenance node as
    ``Repository.write_dataset``. Stops the server, imports, starts it again
    and re-applies the schema (constraints, indexes) and waits for the
    indexes to be populated. Raises ``BulkImportError`` when the instance is
    not a local one or its database holds anything.

    With ``control_as_of`` the materialised control of ``ruleset`` at that
    date (``ownergraph.materialise``) is computed here and imported with the
    graph, so a first load of a national registry needs no second pass
    reading the whole graph back over Bolt. With ``stored_answers`` (and the default ruleset) the
    default answer of every held entity is stored with it (``ownergraph.stored_answers``); without,
    the service answers live until ``fill_answers`` stores them. ``timings``, when given, receives
    the seconds of each step (``control``, ``csv``, ``stored_answers``, ``admin_import``, ``schema``).
    """
    took = timings if timings is not None else {}
    if not isinstance(instance, Instance):
        raise BulkImportError(
            "the bulk import replaces store files and needs a local server started by ownergraph "
            f"(queries.local_server.Instance), not {type(instance).__name__}"
        )
    say = log or (lambda _msg: None)
    _refuse_unless_empty(instance)

    work = instance.root / "import" / "bulk"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        began = time.perf_counter()
        control = None
        if control_as_of is not None:
            answers = whole_graph_answers(Columns.from_dataset(data), as_of=control_as_of, ruleset=ruleset)
            control = _Control(ruleset, control_as_of, *answers)
            took["control"] = time.perf_counter() - began
            say(f"control computed in {took['control']:.1f} s")
            began = time.perf_counter()
        with gc_paused():
            nodes, rels, counts = _write_csv(work, data, load, control, stored_answers, took)
        took["csv"] = time.perf_counter() - began - took.get("stored_answers", 0.0)
        if "stored_answers" in took:
            say(f"stored answers computed and written in {took['stored_answers']:.1f} s")
        say(f"CSV files written in {took['csv']:.1f} s")
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
        repo.apply_schema()
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
    """The materialised control to import with the graph."""

    ruleset: str
    as_of: date
    keys: set[Key]
    statuses: dict[str, str]


def _write_csv(
    work: Path, data: Dataset, load: dict[str, Any] | None, control: _Control | None,
    stored_answers: bool, took: dict[str, float],
) -> tuple[list[_Table], list[tuple[str, _Table]], dict[str, int]]:
    nodes: list[_Table] = []
    entity_rows = [records.entity_row(e) for e in data.entities]
    if control is not None:
        for row in entity_rows:
            status = control.statuses.get(row["id"])
            if status is not None:
                row["props"] = {**row["props"], "control_status": status, "control_ruleset": control.ruleset}
    table = _table(work / "entities.csv", ["id:ID(Entity)", ":LABEL"], [r["props"] for r in entity_rows])
    # :LABEL is an array column: its labels are split on the array delimiter
    _write(table, (([r["id"], f"Entity{ARRAY_DELIMITER}{r['label']}"], r["props"]) for r in entity_rows))
    nodes.append(table)
    del entity_rows
    rels: list[tuple[str, _Table]] = []
    plan: list[tuple[str, str, Sequence[Any], Callable[[Any], dict[str, Any]]]] = [
        ("stakes", "OWNS", data.stakes, records.stake_row),
        ("controls", "CONTROLS", data.controls, records.control_row),
        ("concerts", "ACTS_IN_CONCERT", data.concerts, records.concert_row),
        ("links", "LINK", data.links, records.link_row),
        ("reported", "REPORTED", data.reported, records.reported_row),
    ]
    counts = {"entities": len(data.entities)}
    for name, rel_type, items, to_row in plan:
        counts[name] = len(items)
        if not items:
            continue
        rows = [to_row(item) for item in items]
        start, end = ("owner_id", "owned_id") if rel_type == "OWNS" else ("from_id", "to_id")
        # the source, as ``write_dataset`` records it, so that later snapshots of it can end these edges
        origin = {"loaded_from": load["id"]} if load is not None and rel_type in _LOADED_EDGES else {}
        props = [{"key": r["key"], **r["props"], **origin} for r in rows]
        table = _table(work / f"{name}.csv", [":START_ID(Entity)", ":END_ID(Entity)"], props)
        _write(table, (([r[start], r[end]], p) for r, p in zip(rows, props, strict=True)))
        rels.append((rel_type, table))

    if load is not None:
        load_props: dict[str, Any] = {
            "format": load.get("format"),
            "path": load.get("path"),
            "loaded_at": datetime.now(UTC),
            "counts": json.dumps({k: counts[k] for k in ("entities", *(p[0] for p in plan))}),
        }
        table = _table(work / "load.csv", ["id:ID(Load)", ":LABEL"], [load_props])
        _write(table, [([load["id"], "Load"], load_props)])
        nodes.append(table)
    if control is not None:
        nodes.append(_write_control_run(work, control))
        change_nodes, change_rels = _write_control_changes(work, control, load)
        nodes += change_nodes
        rels += change_rels
        counts["control_changes"] = change_nodes[0].rows if change_nodes else 0
        chains: dict[tuple[str, str], str] = {}
        if stored_answers and control.ruleset == DEFAULT_RULESET:
            began = time.perf_counter()
            answers = _write_stored_answers(work, data, control, chains)
            took["stored_answers"] = time.perf_counter() - began
            nodes.append(answers)
            counts["stored_answers"] = answers.rows
        counts.update(controlled_by=0, ultimately_controlled_by=0)
        for rel_type, table in _write_control_relationships(work, control, chains):
            rels.append((rel_type, table))
            counts[rel_type.lower()] = table.rows
    return nodes, rels, counts


_LOADED_EDGES = frozenset({"OWNS", "CONTROLS", "ACTS_IN_CONCERT"})


def _write_control_run(work: Path, control: _Control) -> _Table:
    """The ``ControlRun`` node ``merge_control_run.cypher`` writes, keyed by its ruleset."""
    props = {"ruleset": control.ruleset, "as_of": control.as_of, "computed_at": datetime.now(UTC), "answers_gen": 1}
    table = _table(work / "control_run.csv", [":ID(ControlRun)", ":LABEL"], [props])
    _write(table, [([control.ruleset, "ControlRun"], props)])
    return table


def _write_stored_answers(
    work: Path, data: Dataset, control: _Control, chains: dict[tuple[str, str], str]
) -> _Table:
    """A ``StoredAnswer`` per held entity, of the first generation (``ownergraph.stored_answers``);
    fills ``chains`` with the chain of each (controlled, controller) for its ``CONTROLLED_BY``."""
    targets = sorted(owned_ids(data))
    first = {"entity_id": "", "body": "", "flags": "", "gen": 1}  # the columns every row has

    def nodes() -> Iterator[tuple[list[str], dict[str, Any]]]:
        for r in answer_rows_parallel(data, targets, day=control.as_of, ruleset=control.ruleset):
            for c in r["chains"]:
                chains[(r["id"], c["controller"])] = c["chain"]
            yield [r["id"], "StoredAnswer"], {"entity_id": r["id"], "body": r["body"], "flags": r["flags"], "gen": 1}

    table = _table(work / "stored_answers.csv", [":ID(StoredAnswer)", ":LABEL"], [first])
    _write(table, nodes())
    return table


def _write_control_changes(
    work: Path, control: _Control, load: dict[str, Any] | None
) -> tuple[list[_Table], list[tuple[str, _Table]]]:
    """The change feed from an empty graph: one ``ControlChange`` per entity with an answer, numbered as
    ``write_materialised_control`` numbers them, so replaying the feed rebuilds the imported state."""
    states = states_from(control.keys, control.statuses)
    if not states:
        return [], []
    cause = Cause("load", load["id"] if load is not None else None)
    now = datetime.now(UTC)
    entities = sorted(states)
    props = [
        {**change_props(e, NO_STATE, states[e], ruleset=control.ruleset, cause=cause, day=control.as_of, now=now),
         "seq": i + 1}
        for i, e in enumerate(entities)
    ]
    changes = _table(work / "control_changes.csv", [":ID(ControlChange)", ":LABEL"], props)
    _write(changes, (([str(p["seq"]), "ControlChange"], p) for p in props))
    sequence_props = {"name": "control_changes", "next": len(entities)}
    sequence = _table(work / "change_sequence.csv", [":ID(ChangeSequence)", ":LABEL"], [sequence_props])
    _write(sequence, [(["control_changes", "ChangeSequence"], sequence_props)])
    of = _table(work / "change_of.csv", [":START_ID(ControlChange)", ":END_ID(Entity)"], [])
    _write(of, (([str(p["seq"]), p["entity_id"]], {}) for p in props))
    rels = [("CHANGE_OF", of)]
    involves = _table(work / "involves.csv", [":START_ID(ControlChange)", ":END_ID(Entity)"], [{"ckey": "-"}])
    _write(involves, (([str(p["seq"]), x], {"ckey": records.involves_key(x, p["seq"])})
                      for p in props for x in p["involved"]))
    if involves.rows:
        rels.append(("INVOLVES", involves))
    if load is not None:
        caused = _table(work / "caused_by.csv", [":START_ID(ControlChange)", ":END_ID(Load)"], [])
        _write(caused, (([str(p["seq"]), load["id"]], {}) for p in props))
        rels.append(("CAUSED_BY", caused))
    return [changes, sequence], rels


def _write_control_relationships(
    work: Path, control: _Control, chains: dict[tuple[str, str], str]
) -> list[tuple[str, _Table]]:
    """The relationships ``create_controlled_by`` and ``create_ultimately_controlled_by`` write, each
    ``CONTROLLED_BY`` with the chain the stored answers give it."""
    tables: list[tuple[str, _Table]] = []
    for rel_type in ("CONTROLLED_BY", "ULTIMATELY_CONTROLLED_BY"):
        chosen = sorted((k for k in control.keys if k[0] == rel_type), key=str)
        if not chosen:
            continue
        props = [relationship_props(k, control.ruleset) for k in chosen]
        if rel_type == "CONTROLLED_BY" and chains:
            props = [{**p, "chain": chains.get((k[1], k[2]))} for k, p in zip(chosen, props, strict=True)]
        table = _table(work / f"{rel_type.lower()}.csv", [":START_ID(Entity)", ":END_ID(Entity)"], props)
        _write(table, (([k[1], k[2]], p) for k, p in zip(chosen, props, strict=True)))
        tables.append((rel_type, table))
    return tables


def _table(path: Path, fixed: list[str], rows: Sequence[dict[str, Any]]) -> _Table:
    """Columns: every property any row has (rows leave out absent ones); the first non-null value types it."""
    types: dict[str, str] = {}
    for props in rows:
        for name, value in props.items():
            if value is not None and name not in types:
                types[name] = _type_of(value)
    return _Table(path, fixed, list(types), types)


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


def _write(table: _Table, rows: Iterable[tuple[list[str], dict[str, Any]]]) -> None:
    header = table.fixed + [f"{n}:{table.types[n]}" for n in table.props]
    convert = [_converter(table.types[n], n) for n in table.props]
    names = table.props
    with table.path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        buffer: list[str] = []
        for fixed, props in rows:
            cells = [_quote(v) for v in fixed]
            cells += [conv(props.get(n)) for n, conv in zip(names, convert, strict=True)]
            line = ",".join(cells)
            if "\n" in line or "\r" in line:
                table.multiline = True
            buffer.append(line)
            if len(buffer) >= 50_000:
                _flush(fh, buffer)
            table.rows += 1
        _flush(fh, buffer)


def _flush(fh: TextIO, buffer: list[str]) -> None:
    if buffer:
        fh.write("\n".join(buffer) + "\n")
        buffer.clear()


def _quote(value: str) -> str:
    # Always quoted: a quoted "" is an empty string to the importer, an unquoted empty cell is null.
    return '"' + value.replace('"', '""') + '"'


def _converter(kind: str, name: str) -> Callable[[Any], str]:
    def check(value: Any, ok: type | tuple[type, ...]) -> None:
        if not isinstance(value, ok) or (ok is not bool and isinstance(value, bool)):
            raise BulkImportError(f"property {name!r} mixes types: {value!r} in a {kind} column")

    def string(value: Any) -> str:
        return "" if value is None else _quote(str(value))

    def long(value: Any) -> str:
        if value is None:
            return ""
        check(value, int)
        return str(value)

    def double(value: Any) -> str:
        if value is None:
            return ""
        check(value, (int, float))
        return repr(float(value))  # shortest text that parses back to the same double

    def boolean(value: Any) -> str:
        if value is None:
            return ""
        check(value, bool)
        return "true" if value else "false"

    def day(value: Any) -> str:
        if value is None:
            return ""
        check(value, date)
        return str(value.isoformat())

    def strings(value: Any) -> str:
        if not value:
            return ""  # write_dataset stores [] too, but reads treat a missing list and [] alike
        for item in value:
            if ARRAY_DELIMITER in str(item):
                raise BulkImportError(f"property {name!r} holds the array delimiter U+001F")
        return _quote(ARRAY_DELIMITER.join(str(item) for item in value))

    return {
        "string": string,
        "long": long,
        "double": double,
        "boolean": boolean,
        "date": day,
        "datetime": day,
        "string[]": strings,
    }[kind]


# -- the importer -----------------------------------------------------------------


def _run_importer(
    instance: Instance,
    nodes: list[_Table],
    rels: list[tuple[str, _Table]],
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
