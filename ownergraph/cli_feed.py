"""The CLI of a living registry: keep control current, list what changed, watch groups.

``ownergraph control rebuild|refresh|verify``, ``ownergraph changes`` and
``ownergraph watch add|list|remove|alerts``; ``--json`` prints the body of
the matching HTTP route.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import typer
from pydantic import BaseModel, ValidationError

from ownergraph import schemas
from ownergraph.cli_questions import Json, Limit, checked, on_graph
from ownergraph.feed import ChangeFeed, parse_moment
from ownergraph.graph.params import DEFAULT_MIN_IO, DEFAULT_RULESET
from ownergraph.load_lock import load_lock
from ownergraph.materialise import Materialised, materialise_control, refresh_control, verify_control
from ownergraph.pagination import decode_after
from ownergraph.queries.repository import Repository
from ownergraph.stored_answers import fill_answers
from ownergraph.terminal import err, out, percent, plain, table

control_app = typer.Typer(help="The materialised control: rebuild, refresh to today, verify.", no_args_is_help=True)
watch_app = typer.Typer(help="Watchlists: be told when a company appears under a watched group.",
                        no_args_is_help=True)
feed_commands = typer.Typer()

Cursor = Annotated[str | None, typer.Option(help="next_cursor of the previous page")]
Since = Annotated[str | None, typer.Option(help="ISO date (whole day, UTC) or date-time")]
Wait = Annotated[float, typer.Option(help="seconds to wait for a running load to finish")]


def _moment(text: str | None, option: str, *, end_of_day: bool = False) -> datetime | None:
    return checked(lambda: parse_moment(text, option, end_of_day=end_of_day))


def _after(cursor: str | None) -> int | None:
    return checked(lambda: decode_after(cursor) if cursor else None)


def _emit(answer: BaseModel, as_json: bool) -> bool:
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    return as_json


def _report(done: Materialised) -> None:
    out.print(f"{done.mode}: as of {done.as_of}, {done.recomputed:,} entities recomputed, "
              f"{done.created:,} relationships created, {done.deleted:,} deleted, {done.statuses:,} statuses, "
              f"{done.changes:,} change records")


# -- control ----------------------------------------------------------------------------


def _locked(job: Callable[[Repository], Materialised], wait: float) -> None:
    """Run a control job while holding the load lock, and report what it did."""
    def locked(repo: Repository) -> Materialised:
        with load_lock(repo, wait_seconds=wait):
            return job(repo)

    _report(on_graph(locked))


@control_app.command("rebuild")
def rebuild_command(wait: Wait = 600.0) -> None:
    """Recompute control for the whole graph (as of today) and write the difference."""
    _locked(lambda repo: materialise_control(repo), wait)


@control_app.command("refresh")
def refresh_command(wait: Wait = 600.0) -> None:
    """Move the materialised answers to today: recompute only what started or ended since the last run."""
    _locked(lambda repo: refresh_control(repo), wait)


@control_app.command("answers")
def answers_command() -> None:
    """Store the default answer of every held entity that has no current one (after a bulk load without
    them, or a rebuild); the API answers those live until then."""
    def fill(repo: Repository) -> int:
        return fill_answers(repo, ruleset=DEFAULT_RULESET,
                            progress=lambda done, todo: err.print(f"{done:,} of {todo:,} answers stored"))

    out.print(f"{on_graph(fill):,} answers stored")


@control_app.command("verify")
def verify_command(limit: Annotated[int, typer.Option(help="differences shown")] = 20) -> None:
    """Recompute everything in memory and compare with what is materialised: exit 1 on any difference."""
    differences = on_graph(verify_control)
    if not differences:
        out.print("the materialised control equals a full recomputation")
        return
    out.print(f"{len(differences):,} entities differ from a full recomputation:")
    for entity, stored, expected in differences[:limit]:
        out.print(plain(f"  {entity}: materialised {stored}, recomputed {expected}"))
    raise typer.Exit(1)


# -- changes ----------------------------------------------------------------------------


@feed_commands.command("changes")
def changes_command(
    since: Since = None,
    until: Since = None,
    controller: Annotated[str | None, typer.Option(help="only changes naming this controller")] = None,
    founded_from: Annotated[str | None, typer.Option("--founded-from", help="ISO date")] = None,
    founded_to: Annotated[str | None, typer.Option("--founded-to", help="ISO date")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """What the materialisations changed, newest first: GET /changes."""
    start, end = _moment(since, "--since"), _moment(until, "--until", end_of_day=True)
    f_from, f_to = _moment(founded_from, "--founded-from"), _moment(founded_to, "--founded-to")
    before_seq = _after(cursor)
    answer = on_graph(lambda repo: ChangeFeed(repo).changes(
        since=start, until=end, controller=controller,
        founded_from=f_from.date() if f_from else None, founded_to=f_to.date() if f_to else None,
        limit=limit, before_seq=before_seq,
    ))
    if _emit(answer, as_json):
        return
    grid = table("seq", "entity", "name", "founded", "before", "after", "cause", "effective")
    for c in answer.changes:
        grid.add_row(str(c.seq), plain(c.entity.id), plain(c.entity.name), str(c.entity.founded or ""),
                     plain(_state_text(c.before)), plain(_state_text(c.after)),
                     plain(f"{c.cause.kind} {c.cause.load_id or ''}".strip()), str(c.effective))
    out.print(grid)
    if answer.next_cursor:
        out.print(f"more: --cursor {answer.next_cursor}", highlight=False)


def _state_text(state: schemas.ControlStateOut) -> str:
    if state.status is None:
        return "-"
    ucs = ", ".join(u.id for u in state.ultimate_controllers)
    return f"{state.status}" + (f" by {ucs}" if ucs else "")


# -- watchlists -------------------------------------------------------------------------


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="the watchlist's name")],
    entity_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="the watched entities")],
    min_io: Annotated[float, typer.Option(help="alert on owners with at least this integrated ownership")] = (
        DEFAULT_MIN_IO
    ),
    as_json: Json = False,
) -> None:
    """Create or replace a watchlist: POST /watchlists."""
    try:
        body = schemas.WatchlistIn(name=name, entity_ids=entity_ids, min_io=min_io)
    except ValidationError as exc:
        err.print("error:", plain(exc.errors()[0]["msg"]), markup=False)
        raise typer.Exit(2) from exc
    saved = on_graph(lambda repo: ChangeFeed(repo).save_watchlist(body))
    if not _emit(saved, as_json):
        out.print(plain(f"watching {', '.join(saved.entity_ids)} as {saved.name!r} (min_io {saved.min_io})"))


@watch_app.command("list")
def watch_list(as_json: Json = False) -> None:
    """Every watchlist: GET /watchlists."""
    answer = on_graph(lambda repo: ChangeFeed(repo).watchlists())
    if _emit(answer, as_json):
        return
    grid = table("watchlist", "entities", "min io")
    for w in answer.watchlists:
        grid.add_row(plain(w.name), plain(", ".join(w.entity_ids)), percent(w.min_io))
    out.print(grid)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument(help="the watchlist's name")]) -> None:
    """Delete a watchlist: DELETE /watchlists/{name}."""
    on_graph(lambda repo: ChangeFeed(repo).delete_watchlist(name))
    out.print(plain(f"removed {name!r}"))


@watch_app.command("alerts")
def watch_alerts(
    name: Annotated[str, typer.Argument(help="the watchlist's name")],
    since: Since = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Changes that put an entity under a watched one, with proofs: GET /watchlists/{name}/alerts."""
    start = _moment(since, "--since")
    before_seq = _after(cursor)
    answer = on_graph(lambda repo: ChangeFeed(repo).alerts(name, since=start, limit=limit, before_seq=before_seq))
    if _emit(answer, as_json):
        return
    for a in answer.alerts:
        new = " (new)" if a.new_entity else ""
        out.print(plain(f"{a.entity.name} ({a.entity.id}){new}: under {a.watched} as {a.relation}"
                        f", integrated ownership {percent(a.integrated_ownership)}, effective {a.effective}"))
        for step in a.chain:
            out.print(plain(f"    {step.from_id} -> {step.to_id}: {step.relation} ({step.rule})"))
        for path in a.paths[:3]:
            out.print(plain(f"    {' > '.join(path.ids)}: {percent(path.product)}"))
    if answer.next_cursor:
        out.print(f"more: --cursor {answer.next_cursor}", highlight=False)
