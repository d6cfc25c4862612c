"""``ownergraph resolve``: candidate matches for review, and reviewers' judgements.

``--json`` prints the body of the matching HTTP route (``/resolution/...``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import BaseModel

from ownergraph.cli_questions import Json, on_graph
from ownergraph.queries.repository import Repository
from ownergraph.resolution import ResolutionService
from ownergraph.schemas import JudgementResponse
from ownergraph.terminal import out, plain, table

resolve_app = typer.Typer(help="Entity resolution: candidate matches to review, and judgements that merge or split.",
                          no_args_is_help=True)

Note = Annotated[str | None, typer.Option(help="why (kept with the judgement)")]
Wait = Annotated[float, typer.Option(help="seconds to wait for a running load to finish")]


def _emit(answer: BaseModel, as_json: bool) -> bool:
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    return as_json


@resolve_app.command("candidates")
def candidates_command(
    source: Annotated[str | None, typer.Option(help="look around the entities this source (Load id) gave")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="or around these entities (repeat)")] = None,
    min_score: Annotated[float, typer.Option(min=0.0, max=1.0, help="lowest score shown")] = 0.85,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="pairs shown")] = 100,
    as_json: Json = False,
) -> None:
    """Pairs that share no identifier but may be one entity (name in any script, jurisdiction), best first."""
    answer = on_graph(lambda repo: ResolutionService(repo).candidates(ids=ids, source=source, min_score=min_score,
                                                                        limit=limit))
    if _emit(answer, as_json):
        return
    grid = table("score", "a", "b", "evidence")
    for c in answer.candidates:
        grid.add_row(f"{c.score:.2f}", plain(f"{c.a.id} {c.a.name}"), plain(f"{c.b.id} {c.b.name}"),
                     plain("; ".join(f"{e.what}: {e.why}" for e in c.evidence)))
    out.print(grid)
    out.print(f"{answer.total} candidate pairs among the {answer.scanned} entities looked at")


def _judged(answer: JudgementResponse, as_json: bool) -> None:
    if _emit(answer, as_json):
        return
    j = answer.judgement
    out.print(plain(f"{j.verdict}: {j.a} / {j.b}") if j else "judgement removed")
    for record, entity in answer.entities.items():
        out.print(plain(f"{record} -> entity {entity}"))
    for m in answer.merged:
        out.print(plain(f"merged: {m.absorbed} into {m.into}"))
    if answer.materialised is not None:
        out.print(f"control: {answer.materialised.mode}, {answer.materialised.changes} change records")


def _run(job: str, a: str, b: str, note: str | None, wait: float, as_json: bool) -> None:
    def work(repo: Repository) -> JudgementResponse:
        service = ResolutionService(repo)
        if job == "undo":
            return service.undo(a, b, lock_wait=wait)
        return service.judge(a, b, job, note=note, lock_wait=wait)

    _judged(on_graph(work), as_json)


@resolve_app.command("accept")
def accept_command(a: str, b: str, note: Note = None, wait: Wait = 60.0, as_json: Json = False) -> None:
    """A and B are one entity: merge them now and after every reload (incremental control follows)."""
    _run("positive", a, b, note, wait, as_json)


@resolve_app.command("reject")
def reject_command(a: str, b: str, note: Note = None, wait: Wait = 60.0, as_json: Json = False) -> None:
    """A and B are different entities: never merge them, even when they share an identifier."""
    _run("negative", a, b, note, wait, as_json)


@resolve_app.command("undo")
def undo_command(a: str, b: str, wait: Wait = 60.0, as_json: Json = False) -> None:
    """Forget the judgement of A and B: they resolve by their identifiers alone again."""
    _run("undo", a, b, None, wait, as_json)


@resolve_app.command("judgements")
def judgements_command(as_json: Json = False) -> None:
    """Every judgement recorded, newest first."""
    answer = on_graph(lambda repo: ResolutionService(repo).judgements())
    if _emit(answer, as_json):
        return
    grid = table("verdict", "a", "b", "at", "note")
    for j in answer.judgements:
        grid.add_row(j.verdict, plain(j.a), plain(j.b), j.at.isoformat(timespec="seconds"), plain(j.note or ""))
    out.print(grid)
