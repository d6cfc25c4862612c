"""The ``ownergraph`` command line (Typer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from ownergraph.cli_feed import control_app, feed_commands, watch_app
from ownergraph.cli_questions import as_of_day, open_repository, questions
from ownergraph.cli_resolve import resolve_app
from ownergraph.graph.errors import DatabaseUnavailable, EntityNotFound, LoadInProgress
from ownergraph.loaders.errors import LoadRejected
from ownergraph.localneo4j import server as local_server
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.terminal import err, out, plain

app = typer.Typer(help="Corporate ownership graph explorer: who really controls this company?", no_args_is_help=True)
neo4j_app = typer.Typer(help="The local Neo4j Community server (installed on first use).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")

app.add_typer(control_app, name="control")
app.add_typer(watch_app, name="watch")
app.add_typer(resolve_app, name="resolve")
for command in (*questions.registered_commands, *feed_commands.registered_commands):  # one per route
    app.registered_commands.append(command)

DEMO_DATA = Path("demo") / "data"  # in the checkout the demo is run from


def _instance(test: bool) -> local_server.Instance:
    return local_server.test_instance() if test else local_server.MAIN


def _external_uri() -> str | None:
    return os.environ.get("NEO4J_URI")


@neo4j_app.command("start")
def neo4j_start(test: Annotated[bool, typer.Option(help="the test server instead")] = False) -> None:
    """Install (first use) and start the local server; a no-op when it runs already."""
    if _external_uri() and not test:
        out.print(f"NEO4J_URI is set ({_external_uri()}): using that server, nothing to start.")
        return
    instance = _instance(test)
    try:
        if not local_server.is_installed():
            err.print("Installing Neo4j Community from Maven Central (once)...")
        started = local_server.start(instance)
    except local_server.LocalServerError as exc:
        err.print(Text("error:", style="red"), plain(exc))
        raise typer.Exit(1) from exc
    out.print(("Started" if started else "Already running") + f" Neo4j {local_server.NEO4J_VERSION}")
    _print_urls(instance)


@neo4j_app.command("stop")
def neo4j_stop(test: Annotated[bool, typer.Option(help="the test server instead")] = False) -> None:
    """Stop the local server (no process is left behind)."""
    if _external_uri() and not test:
        out.print("NEO4J_URI is set: that server is not ours to stop.")
        return
    stopped = local_server.stop(_instance(test))
    out.print("Stopped." if stopped else "Not running.")


@neo4j_app.command("status")
def neo4j_status(test: Annotated[bool, typer.Option(help="the test server instead")] = False) -> None:
    """Exit 0 when the server answers, 1 when it is down."""
    if _external_uri() and not test:
        repo_ok = _ping(Neo4jSettings())
        out.print(f"{_external_uri()}: {'up' if repo_ok else 'down'}")
        raise typer.Exit(0 if repo_ok else 1)
    instance = _instance(test)
    if local_server.is_up(instance):
        out.print(f"up (pid {local_server.running_pid(instance)})")
        _print_urls(instance)
        return
    out.print("down")
    raise typer.Exit(1)


def _print_urls(instance: local_server.Instance) -> None:
    out.print(f"  Bolt:    {instance.bolt_uri}  (user neo4j, password in {instance.password_file})")
    out.print(f"  Browser: {instance.browser_url}")


def _ping(settings: Neo4jSettings) -> bool:
    driver = connect(settings)
    try:
        Repository(driver, settings.database).ping()
        return True
    except DatabaseUnavailable:
        return False
    finally:
        driver.close()


@app.command("load")
def load_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="registry-csv, bods, ftm, cn-registry, gleif or psc")],
    path: Annotated[Path, typer.Argument(help="a file or a folder")],
    report: Annotated[Path | None, typer.Option(help="write every fault and warning to this file")] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="cn-registry: 'Their header=企业名称' (repeatable)")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="cn-registry: force an encoding (e.g. gb18030)")] = None,
    source: Annotated[
        str | None, typer.Option(help="the source this input updates (default: FORMAT:file-or-folder-name)")
    ] = None,
    snapshot: Annotated[
        bool, typer.Option(help="the input is the source's complete state: its edges missing from it end")
    ] = False,
    snapshot_date: Annotated[
        str | None, typer.Option("--snapshot-date", help="the snapshot's day, ISO date (default today)")
    ] = None,
    wait: Annotated[float, typer.Option(help="seconds to wait for another load to finish")] = 600.0,
    materialise: Annotated[bool, typer.Option(help="recompute the materialised control relationships")] = True,
    bulk: Annotated[
        bool,
        typer.Option(help="first load of a large source into the EMPTY local database, through "
                     "neo4j-admin import (many times faster; the local server restarts)"),
    ] = False,
    stored_answers: Annotated[
        bool, typer.Option(help="with --bulk: store every held entity's default answer with the import (the "
                           "API answers live without; `ownergraph control answers` stores them later)")
    ] = True,
    on_fault: Annotated[
        str, typer.Option("--on-fault", help="reject: any fault refuses everything; skip: leave out the records "
                          "with a fault and those depending on them, load the rest, list what was left out")
    ] = "reject",
) -> None:
    """Load a source into Neo4j: all of it, or (on any fault) nothing; or with --on-fault skip its good part."""
    from ownergraph.pipeline import FORMATS, ON_FAULT, load

    if fmt not in FORMATS:
        err.print(Text("error:", style="red"), plain(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"))
        raise typer.Exit(2)
    if on_fault not in ON_FAULT:
        err.print(f"[red]error:[/red] --on-fault takes {' or '.join(ON_FAULT)}, got {on_fault!r}", markup=False)
        raise typer.Exit(2)
    if on_fault == "skip" and snapshot:
        err.print("error: --snapshot takes the whole input or nothing (a skipped record would end its edge); "
                  "drop --on-fault skip or --snapshot", markup=False)
        raise typer.Exit(2)
    options: dict[str, Any] = {}
    if fmt == "cn-registry":
        options = {"mapping": _parse_mapping(mapping or []), "encoding": encoding}
    day = as_of_day(snapshot_date, "--snapshot-date") if snapshot_date else None
    if bulk:
        _bulk_load(fmt, path, report=report, materialise=materialise,
                   options={**options, "source": source, "on_fault": on_fault, "stored_answers": stored_answers})
        return
    repo = open_repository()
    try:
        repo.apply_schema()
        with Progress(
            TextColumn("[bold]loading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("load", total=None, rate="")

            def advance(n: int) -> None:
                bar.advance(task, n)
                elapsed = bar.tasks[0].elapsed or 0.0
                done = bar.tasks[0].completed
                bar.update(task, rate=f"{done / elapsed:,.0f} rows/s" if elapsed else "")

            result = load(repo, fmt, path, source=source, snapshot=snapshot, snapshot_date=day,
                          materialise=materialise, lock_wait=wait, progress=advance, on_fault=on_fault, **options)
    except LoadRejected as rejected:
        _report_rejection(report, rejected)
    except LoadInProgress as exc:
        err.print("error:", plain(exc), markup=False)
        raise typer.Exit(5) from exc
    except DatabaseUnavailable as exc:
        err.print(Text("error:", style="red"), plain(exc))
        raise typer.Exit(3) from exc
    finally:
        repo.driver.close()
    _report_loaded(report, path, fmt, result)


def _report_rejection(report: Path | None, rejected: LoadRejected) -> NoReturn:
    _write_report(report, rejected.findings)
    errors = [f for f in rejected.findings if f.severity == "error"]
    err.print(f"[red]rejected:[/red] {len(errors)} fault(s); nothing was written.")
    for finding in errors[:20]:
        err.print(Text.assemble("  ", plain(finding)), highlight=False)
    if len(errors) > 20:
        err.print(plain(f"  ... and {len(errors) - 20} more" + (f" (all in {report})" if report else "")))
    raise typer.Exit(1) from rejected


def _report_loaded(report: Path | None, path: Path, fmt: str, result: Any) -> None:
    _write_report(report, [*result.skipped, *result.warnings])
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    out.print(plain(f"Loaded {path} ({fmt}) as source {result.source}: {counts}"))
    if result.skipped:
        depending = sum(1 for s in result.skipped if s.code == "depends_on_skipped")
        out.print(plain(f"Skipped {len(result.skipped):,} record(s): {len(result.skipped) - depending:,} with a fault, "
                        f"{depending:,} depending on one" + (f" (all in {report})" if report else "")))
        for skipped in result.skipped[:20]:
            err.print(f"  {skipped}", markup=False, highlight=False)
        if len(result.skipped) > 20:
            err.print(f"  ... and {len(result.skipped) - 20} more", markup=False, highlight=False)
    done = result.materialised
    if done is not None:
        out.print(f"Control {done.mode}: {done.recomputed:,} entities recomputed, {done.changes:,} changed")
    for finding in result.warnings[:20]:
        err.print(Text.assemble("  ", plain(finding)), highlight=False)


def _bulk_load(fmt: str, path: Path, *, report: Path | None, materialise: bool, options: dict[str, Any]) -> None:
    from ownergraph.bulk_import import BulkImportError
    from ownergraph.pipeline import bulk_load

    if not Neo4jSettings().is_local:
        err.print("[red]error:[/red] --bulk writes the store files of the local server ownergraph runs; "
                  "NEO4J_URI names another server: load without --bulk")
        raise typer.Exit(2)
    try:
        result = bulk_load(local_server.MAIN, fmt, path, materialise=materialise, log=err.print, **options)
    except LoadRejected as rejected:
        _report_rejection(report, rejected)
    except (BulkImportError, local_server.LocalServerError) as exc:
        err.print(Text("error:", style="red"), plain(exc), highlight=False)
        raise typer.Exit(1) from exc
    _report_loaded(report, path, fmt, result)


def _parse_mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            err.print(Text("error:", style="red"), plain(f"--map takes 'Their header=canonical header', got {pair!r}"))
            raise typer.Exit(2)
        mapping[theirs.strip()] = ours.strip()
    return mapping


def _write_report(path: Path | None, findings: list[Any]) -> None:
    if path is None:
        return
    path.write_text("".join(f"{f}\n" for f in findings), encoding="utf-8")


@app.command("view")
def view_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the HTML file to write")],
    depth: Annotated[int, typer.Option(help="levels from the entity", min=1, max=10)] = 6,
    direction: Annotated[str, typer.Option(help="up, down or both")] = "up",
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Write the interactive page of GET /entities/{id}/graph.html."""
    from ownergraph.service import OwnershipService

    repo = open_repository()
    try:
        html = OwnershipService(repo).graph_html(entity_id, as_of=as_of_day(as_of), depth=depth, direction=direction)
    except EntityNotFound as exc:
        err.print(Text("not found:", style="red"), plain(exc))
        raise typer.Exit(4) from exc
    finally:
        repo.driver.close()
    output.write_text(html, encoding="utf-8")
    out.print(plain(f"Wrote {output}"))


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="bods (BODS 0.4 JSON), graphml or ftm (JSON Lines)")],
    entity_id: Annotated[str, typer.Argument(metavar="ID")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="the file to write (default: stdout)")] = None,
    depth: Annotated[int, typer.Option(help="levels from the entity", min=1, max=10)] = 6,
    direction: Annotated[str, typer.Option(help="up, down or both")] = "up",
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Write the neighbourhood as GET /entities/{id}/export.bods.json, export.graphml or export.ftm.json."""
    import sys

    from ownergraph.graph.errors import InvalidParameter
    from ownergraph.service import EXPORT_FORMATS, OwnershipService

    if fmt not in EXPORT_FORMATS:
        err.print(f"error: unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}", markup=False)
        raise typer.Exit(2)
    repo = open_repository()
    try:
        body = OwnershipService(repo).export(entity_id, fmt, as_of=as_of_day(as_of), depth=depth, direction=direction)
    except EntityNotFound as exc:
        err.print(f"[red]not found:[/red] {exc}")
        raise typer.Exit(4) from exc
    except InvalidParameter as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc
    finally:
        repo.driver.close()
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    output.write_bytes(body)
    out.print(plain(f"Wrote {output}"))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[
        int, typer.Option(min=0, help="worker processes; 0: one per core (see the README's HTTP API)")
    ] = 0,
) -> None:
    """Serve the HTTP API (uvicorn)."""
    import uvicorn

    # By its import path: the application layer never imports the HTTP layer above it.
    uvicorn.run("ownergraph.api.app:create_app", factory=True, host=host, port=port, log_level="info",
                workers=workers or os.cpu_count() or 1)


@app.command("demo")
def demo_command(
    data: Annotated[Path, typer.Option(help="the demo's registry-CSV folder")] = DEMO_DATA,
    port: Annotated[int, typer.Option(help="API port")] = 8000,
    serve: Annotated[bool, typer.Option(help="serve the API after loading")] = True,
) -> None:
    """Start Neo4j, load the demo data set, serve the API, print the URLs to open."""
    if not _external_uri():
        neo4j_start(test=False)
    repo = open_repository()
    try:
        from ownergraph.pipeline import load

        repo.apply_schema()
        result = load(repo, "registry-csv", data)
        out.print(f"Loaded the demo: {result.counts}")
    except LoadRejected as rejected:
        for finding in rejected.findings[:20]:
            err.print(Text.assemble("  ", plain(finding)), highlight=False)
        raise typer.Exit(1) from rejected
    finally:
        repo.driver.close()
    base = f"http://127.0.0.1:{port}"
    out.print("\n[bold]Open:[/bold]")
    out.print(f"  The explorer:    {base}/  (search \"Borong\")")
    out.print(f"  API docs:        {base}/docs")
    out.print(f"  Demo cluster:    {base}/clusters?founded_from=2024-12-01&founded_to=2024-12-31")
    out.print(f"  A graph page:    {base}/entities/{DEMO_PAGE_ENTITY}/graph.html")
    out.print(f"  Neo4j Browser:   {local_server.MAIN.browser_url}  (queries/browser/*.cypher)")
    if serve:
        serve_command(host="127.0.0.1", port=port)


DEMO_PAGE_ENTITY = "ph-qh-dc-project-1"

if __name__ == "__main__":
    app()
