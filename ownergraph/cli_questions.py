"""The CLI's questions: one command per question the HTTP API answers.

Each command calls the same service method as its route, so ``--json``
prints exactly the route's body; without it the answer is a readable table.
Exit codes: 0 answered, 2 bad parameter, 3 database unreachable, 4 unknown id.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel

from ownergraph import schemas
from ownergraph.graph.errors import (
    DatabaseUnavailable,
    EntityNotFound,
    InvalidParameter,
    LoadInProgress,
    WatchlistNotFound,
)
from ownergraph.graph.params import (
    DEFAULT_BENEFICIAL_THRESHOLD,
    DEFAULT_MIN_IO,
    DEFAULT_RELATIVE_THRESHOLD,
    DEFAULT_RULESET,
    DEFAULT_THRESHOLD,
    ControlParams,
)
from ownergraph.localneo4j import server as local_server
from ownergraph.pagination import decode_cursor
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.service import OwnershipService
from ownergraph.terminal import err, out, percent, plain, table

questions = typer.Typer()

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# The options every question shares, named and bounded as the routes' query parameters.
AsOf = Annotated[str | None, typer.Option("--as-of", help="ISO date of the view (default today)")]
Ruleset = Annotated[str, typer.Option(help="majority or relative")]
Threshold = Annotated[float, typer.Option(help="control threshold (0..1)")]
RelativeThreshold = Annotated[float, typer.Option(help="relative-ruleset threshold (0..1)")]
Limit = Annotated[int, typer.Option(min=1, max=1000, help="items per page")]
Cursor = Annotated[str | None, typer.Option(help="next_cursor of the previous page")]
Json = Annotated[bool, typer.Option("--json", help="print the HTTP route's JSON body")]
FoundedFrom = Annotated[str | None, typer.Option("--founded-from", help="ISO date, inclusive")]
FoundedTo = Annotated[str | None, typer.Option("--founded-to", help="ISO date, inclusive")]


def open_repository() -> Repository:
    """The repository of the configured server; exit 2 with a hint when the local one is down."""
    settings = Neo4jSettings()
    if settings.is_local and not local_server.is_up(local_server.MAIN):
        err.print("The local Neo4j is not running: start it with 'ownergraph neo4j start' (or set NEO4J_URI).")
        raise typer.Exit(2)
    return Repository(connect(settings), settings.database)


def parse_day(text: str | None, option: str = "--as-of", *, default_today: bool = True) -> date | None:
    if text is None:
        return date.today() if default_today else None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        err.print(f"error: {option} takes an ISO date such as 2024-12-31, got ", plain(text), markup=False)
        raise typer.Exit(2) from exc


def as_of_day(text: str | None, option: str = "--as-of") -> date:
    """The day named by ``option``: the given ISO date, else today."""
    day = parse_day(text, option)
    assert day is not None
    return day


def checked(parse: Callable[[], T]) -> T:
    """A parameter parsed before the database is asked: a bad one prints its reason and exits 2."""
    try:
        return parse()
    except InvalidParameter as exc:
        err.print("error:", plain(exc), markup=False)
        raise typer.Exit(2) from exc


def _params(as_of: str | None, ruleset: str, threshold: float, relative_threshold: float) -> ControlParams:
    day = as_of_day(as_of)
    return checked(lambda: ControlParams(day, ruleset, threshold, relative_threshold))


def _offset(cursor: str | None) -> int:
    return checked(lambda: decode_cursor(cursor) if cursor else 0)


def on_graph(work: Callable[[Repository], T]) -> T:
    """Run ``work`` on the configured database; domain errors become exit codes
    (2 bad parameter, 3 unreachable, 4 unknown id or watchlist, 5 another load holds the graph)."""
    repo = open_repository()
    try:
        return work(repo)
    except (EntityNotFound, WatchlistNotFound) as exc:
        err.print("not found:", plain(exc), markup=False)
        raise typer.Exit(4) from exc
    except InvalidParameter as exc:
        err.print("error:", plain(exc), markup=False)
        raise typer.Exit(2) from exc
    except DatabaseUnavailable as exc:
        err.print("error:", plain(exc), markup=False)
        raise typer.Exit(3) from exc
    except LoadInProgress as exc:
        err.print("error:", plain(exc), markup=False)
        raise typer.Exit(5) from exc
    finally:
        repo.driver.close()


def ask(question: Callable[[OwnershipService], M]) -> M:
    """One question of the service, on the configured database."""
    return on_graph(lambda repo: question(OwnershipService(repo)))


def _emit(answer: M, as_json: bool, readable: Callable[[M], None]) -> None:
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
        return
    readable(answer)
    next_cursor = getattr(answer, "next_cursor", None)
    if next_cursor:
        out.print(f"more: --cursor {next_cursor}", highlight=False)


def _flags(flags: list[schemas.QualityFlag]) -> None:
    for flag in flags:
        out.print(plain(f"flag {flag.code}: {flag.message}"))


def _step_text(step: schemas.ControlStep) -> str:
    share = step.share
    shown = percent(share.exact if share and share.exact is not None else step.voting_share)
    dated = f", {step.start or '…'}..{step.end or ''}" if step.start or step.end else ""
    source = f", source {step.source}" if step.source else ""
    return f"{step.from_id} -> {step.to_id}: {step.relation} {shown} ({step.rule}{dated}{source})"


# -- entities ---------------------------------------------------------------------------


@questions.command("search")
def search_command(
    q: Annotated[str, typer.Argument(metavar="TEXT", help="name in any script, alias, USCC, LEI or id")],
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Entities matching TEXT: the answer of GET /search."""
    text = q.strip()
    if not text or len(text) > 200:
        err.print("error: TEXT must hold 1 to 200 characters other than spaces")
        raise typer.Exit(2)
    offset = _offset(cursor)
    answer = ask(lambda s: s.search(text, limit=limit, offset=offset))

    def readable(a: schemas.SearchResponse) -> None:
        grid = table("id", "name", "kind", "jurisdiction", "founded", "score")
        for r in a.results:
            grid.add_row(plain(r.id), plain(r.name), r.kind, plain(r.jurisdiction), str(r.founded or ""),
                         f"{r.score:.2f}")
        out.print(grid)

    _emit(answer, as_json, readable)


@questions.command("entity")
def entity_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID")], as_of: AsOf = None, as_json: Json = False
) -> None:
    """The entity with its direct owners and holdings: the answer of GET /entities/{id}."""
    day = as_of_day(as_of)
    answer = ask(lambda s: s.entity(entity_id, as_of=day))

    def readable(a: schemas.EntityResponse) -> None:
        e = a.entity
        out.print(plain(f"{e.name} ({e.id}), {e.kind}, {e.jurisdiction or '?'}, founded {e.founded or '?'}"))
        for title, rows in (("owners", a.owners), ("holdings", a.holdings)):
            grid = table(title, "name", "share", "since", "source")
            for n in rows:
                grid.add_row(plain(n.entity.id), plain(n.entity.name), percent(n.stake.share.exact or
                             n.stake.share.minimum), str(n.stake.start or ""), plain(n.stake.source))
            out.print(grid)

    _emit(answer, as_json, readable)


# -- control ----------------------------------------------------------------------------


@questions.command("controllers")
def controllers_command(
    entity_id: Annotated[str | None, typer.Argument(metavar="ID", help="the entity (or --ids-file)")] = None,
    as_of: AsOf = None,
    ruleset: Ruleset = DEFAULT_RULESET,
    threshold: Threshold = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThreshold = DEFAULT_RELATIVE_THRESHOLD,
    as_json: Json = False,
    ids_file: Annotated[
        Path | None, typer.Option("--ids-file", help="answer every id of this file (one per line; '-': stdin)")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="with --ids-file: jsonl (POST /controllers:batch) or csv")
    ] = "jsonl",
) -> None:
    """Who ultimately controls ID, with the chains: the answer of GET /entities/{id}/controllers."""
    params = _params(as_of, ruleset, threshold, relative_threshold)
    if ids_file is not None or entity_id is None:
        _controllers_batch(entity_id, ids_file, fmt, params)
        return
    answer = ask(lambda s: s.controllers_response(entity_id, params))

    def readable(a: schemas.ControllersResponse) -> None:
        out.print(plain(f"{a.name} ({a.target_id}): {a.status} as of {a.as_of}, {a.ruleset} ruleset"))
        for title, found in (("ultimate controller", a.ultimate_controllers),
                             ("possible ultimate controller", a.possible_ultimate_controllers)):
            for uc in found:
                out.print(plain(f"  {title}: {uc.name} ({uc.id}), {uc.basis}"))
                for step in uc.chain:
                    out.print(plain(f"    {_step_text(step)}"))
        grid = table("largest holder", "name", "kind", "integrated ownership")
        for h in a.largest_holders:
            grid.add_row(plain(h.id), plain(h.name), h.kind, percent(h.integrated_ownership))
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)


def _controllers_batch(entity_id: str | None, ids_file: Path | None, fmt: str, params: ControlParams) -> None:
    """Every id of a file answered, one line each, as ``POST /controllers:batch`` streams them."""
    from ownergraph.batch import MAX_BATCH_IDS, controllers_csv, controllers_jsonl, read_ids

    if ids_file is None or entity_id is not None:
        err.print("error: give either an ID or --ids-file FILE", markup=False)
        raise typer.Exit(2)
    if fmt not in ("jsonl", "csv"):
        err.print(f"error: --format takes jsonl or csv, got {fmt!r}", markup=False)
        raise typer.Exit(2)
    try:
        source = sys.stdin if str(ids_file) == "-" else ids_file.open(encoding="utf-8-sig")
    except OSError as exc:
        err.print("error: cannot read", plain(ids_file), plain(exc.strerror or exc), markup=False)
        raise typer.Exit(2) from exc
    with source:
        ids = list(read_ids(source))
    if len(ids) > MAX_BATCH_IDS:
        err.print(f"error: at most {MAX_BATCH_IDS:,} ids per batch, the file has {len(ids):,}", markup=False)
        raise typer.Exit(2)
    def answer_all(repo: Repository) -> None:
        service = OwnershipService(repo)
        if fmt == "csv":
            for row in controllers_csv(service, ids, params):
                sys.stdout.write(row)
        else:
            sys.stdout.flush()
            for line in controllers_jsonl(service, ids, params):
                sys.stdout.buffer.write(line)
        sys.stdout.flush()

    on_graph(answer_all)


@questions.command("owners")
def owners_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Every owner up the chains, with integrated ownership: GET /entities/{id}/owners."""
    day, offset = as_of_day(as_of), _offset(cursor)
    answer = ask(lambda s: s.owners_response(entity_id, as_of=day, limit=limit, offset=offset))

    def readable(a: schemas.OwnersResponse) -> None:
        out.print(plain(f"{a.name} ({a.target_id}): {a.total} owners as of {a.as_of}"))
        grid = table("owner", "name", "kind", "integrated", "direct", "top level")
        for o in a.owners:
            direct = o.direct_share.exact if o.direct_share else None
            grid.add_row(plain(o.id), plain(o.name), o.kind, percent(o.integrated_ownership), percent(direct),
                         "yes" if o.top_level else "")
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)


@questions.command("beneficial-owners")
def beneficial_owners_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: AsOf = None,
    threshold: Annotated[float, typer.Option(help="beneficial-ownership threshold (0..1)")] = (
        DEFAULT_BENEFICIAL_THRESHOLD
    ),
    ruleset: Ruleset = DEFAULT_RULESET,
    control_threshold: Threshold = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThreshold = DEFAULT_RELATIVE_THRESHOLD,
    as_json: Json = False,
) -> None:
    """Natural persons who own enough or control: GET /entities/{id}/beneficial-owners."""
    params = _params(as_of, ruleset, control_threshold, relative_threshold)
    answer = ask(lambda s: s.beneficial_owners_response(entity_id, params, threshold=threshold))

    def readable(a: schemas.BeneficialOwnersResponse) -> None:
        out.print(plain(f"{a.name} ({a.target_id}) as of {a.as_of}"))
        grid = table("person", "name", "integrated", "controls", "why")
        for b in a.beneficial_owners:
            grid.add_row(plain(b.id), plain(b.name), percent(b.integrated_ownership), "yes" if b.controls else "",
                         plain(b.reason))
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)


@questions.command("controlled")
def controlled_command(
    entity_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: AsOf = None,
    founded_from: FoundedFrom = None,
    founded_to: FoundedTo = None,
    ruleset: Ruleset = DEFAULT_RULESET,
    threshold: Threshold = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThreshold = DEFAULT_RELATIVE_THRESHOLD,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Everything ID controls, optionally founded in a window: GET /entities/{id}/controlled."""
    params = _params(as_of, ruleset, threshold, relative_threshold)
    start = parse_day(founded_from, "--founded-from", default_today=False)
    end = parse_day(founded_to, "--founded-to", default_today=False)
    offset = _offset(cursor)
    answer = ask(lambda s: s.controlled_response(
        entity_id, params, founded_from=start, founded_to=end, limit=limit, offset=offset
    ))

    def readable(a: schemas.ControlledResponse) -> None:
        out.print(plain(f"{a.name} ({a.controller_id}) controls {a.total} as of {a.as_of}"))
        grid = table("controlled", "name", "kind", "founded", "definite", "chain")
        for c in a.controlled:
            grid.add_row(plain(c.id), plain(c.name), c.kind, str(c.founded or ""), "yes" if c.definite else "no",
                         plain(" > ".join([c.chain[0].from_id, *(s.to_id for s in c.chain)]) if c.chain else ""))
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)


@questions.command("common-owners")
def common_owners_command(
    entity_ids: Annotated[list[str], typer.Argument(metavar="ID...")],
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Owners with a stake, direct or not, in every one of the IDs: GET /common-owners."""
    day = as_of_day(as_of)
    answer = ask(lambda s: s.common_owners_response(entity_ids, as_of=day))

    def readable(a: schemas.CommonOwnersResponse) -> None:
        grid = table("common owner", "name", "kind", "nearest", *a.ids)
        for o in a.common_owners:
            grid.add_row(plain(o.id), plain(o.name), o.kind, "yes" if o.nearest else "",
                         *(percent(o.integrated_ownership.get(i)) for i in a.ids))
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)


@questions.command("clusters")
def clusters_command(
    founded_from: Annotated[str, typer.Option("--founded-from", help="ISO date, inclusive")],
    founded_to: Annotated[str, typer.Option("--founded-to", help="ISO date, inclusive")],
    as_of: AsOf = None,
    min_io: Annotated[float, typer.Option(help="common owner's integrated ownership (0..1)")] = DEFAULT_MIN_IO,
    ruleset: Ruleset = DEFAULT_RULESET,
    threshold: Threshold = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThreshold = DEFAULT_RELATIVE_THRESHOLD,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Companies founded in the window that trace back to the same owners: GET /clusters."""
    params = _params(as_of, ruleset, threshold, relative_threshold)
    start, end = as_of_day(founded_from, "--founded-from"), as_of_day(founded_to, "--founded-to")
    offset = _offset(cursor)
    answer = ask(lambda s: s.clusters_response(
        params, founded_from=start, founded_to=end, min_io=min_io, limit=limit, offset=offset
    ))

    def readable(a: schemas.ClustersResponse) -> None:
        out.print(f"{a.total} cluster(s) founded {a.founded_from}..{a.founded_to} as of {a.as_of}")
        for c in a.clusters:
            out.print(plain(f"{c.controller.name} ({c.controller.id}), {c.controller.basis}"))
            for o in c.common_owners:
                out.print(plain(f"  common owner: {o.name} ({o.id}), {o.basis}"))
            for m in c.members:
                out.print(plain(f"  member: {m.name} ({m.id}), founded {m.founded}, "
                                f"{percent(m.integrated_ownership)}"))
        _flags(a.flags)

    _emit(answer, as_json, readable)


@questions.command("screen")
def screen_command(
    listed: Annotated[list[str], typer.Argument(metavar="ID...", help="the watchlist")],
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_json: Json = False,
) -> None:
    """Entities the listed parties hold 50% or more of together: POST /screen."""
    day, offset = as_of_day(as_of), _offset(cursor)
    answer = ask(lambda s: s.screen_response(listed, as_of=day, limit=limit, offset=offset))

    def readable(a: schemas.ScreenResponse) -> None:
        grid = table("captured", "name", "listed", "captured share", "held by")
        for c in a.captured:
            grid.add_row(plain(c.id), plain(c.name), "yes" if c.listed else "", percent(c.captured_share),
                         plain(", ".join(f"{o.id} {percent(o.share)}" for o in c.captured_owners)))
        out.print(grid)
        _flags(a.flags)

    _emit(answer, as_json, readable)
