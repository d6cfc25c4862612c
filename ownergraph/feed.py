"""What changed, and what it means for the entities someone watches.

The change feed is the ``(:ControlChange)`` records every materialisation
writes. A watchlist names entities and an integrated-ownership threshold; its
alerts are the changes that put an entity under a watched one (as ultimate
controller, as controller, or as an owner of at least ``min_io``), each
proved with the chain of control or the ownership paths of that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote

from ownergraph import schemas
from ownergraph.graph.answers import ControlAnswer, ControlStep
from ownergraph.graph.build import build_view
from ownergraph.graph.control import controllers_in_view
from ownergraph.graph.errors import EntityNotFound, InvalidParameter, WatchlistNotFound
from ownergraph.graph.materialised import ControlState
from ownergraph.graph.ownership import owners_in_view
from ownergraph.graph.params import ControlParams
from ownergraph.pagination import encode_after
from ownergraph.queries.repository import MAX_CLOSURE, Repository

# Alerts look at changes of entities below the watched ones; past this many the watch is too wide to answer.
MAX_WATCHED_BELOW = MAX_CLOSURE


def parse_moment(text: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or date-time; a date means its first (or, ``end_of_day``, last) instant, UTC.

    >>> parse_moment("2026-12-01", "since")
    datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_moment("2026-12-01T08:30", "since").hour
    8
    """
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidParameter(f"{name} must be an ISO date or date-time, got {text!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ChangeFeed:
    """The change feed and the watchlists of one graph database."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def changes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        controller: str | None = None,
        founded_from: date | None = None,
        founded_to: date | None = None,
        limit: int = 100,
        before_seq: int | None = None,
    ) -> schemas.ChangesResponse:
        rows = self.repo.changes(before_seq=before_seq, since=since, until=until, controller=controller,
                                 founded_from=founded_from, founded_to=founded_to, limit=limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return schemas.ChangesResponse(
            changes=[_change(r) for r in page],
            next_cursor=encode_after(page[-1]["seq"]) if more and page else None,
        )

    # -- watchlists -------------------------------------------------------------------

    def save_watchlist(self, body: schemas.WatchlistIn) -> schemas.WatchlistOut:
        ids = list(dict.fromkeys(body.entity_ids))
        missing = sorted(set(ids) - set(self.repo.entities(ids)))
        if missing:
            raise EntityNotFound(missing[0])
        return _watchlist(self.repo.save_watchlist(body.name, ids, body.min_io))

    def watchlists(self) -> schemas.WatchlistsResponse:
        return schemas.WatchlistsResponse(watchlists=[_watchlist(w) for w in self.repo.watchlists()])

    def delete_watchlist(self, name: str) -> None:
        if not self.repo.delete_watchlist(name):
            raise WatchlistNotFound(name)

    def alerts(
        self, name: str, *, since: datetime | None = None, limit: int = 100, before_seq: int | None = None
    ) -> schemas.AlertsResponse:
        """Changes since ``since`` (default: since the watchlist was created) that put an entity under a
        watched one, newest first, with proofs."""
        found = [w for w in self.repo.watchlists() if w["name"] == name]
        if not found:
            raise WatchlistNotFound(name)
        watchlist = found[0]
        watched = list(watchlist["ids"])
        if since is None:  # by default, what happened since the watch began
            since = _native(watchlist.get("created_at"))
        below, _ = self.repo.downstream_ids(watched, max_nodes=MAX_WATCHED_BELOW)
        below_set = set(below) - set(watched)
        alerts: list[schemas.Alert] = []
        cursor = before_seq
        last_seq: int | None = None
        more = False
        # Changes come newest first, in pages; only those of entities below a watched one can alert.
        while len(alerts) <= limit:
            rows = self.repo.changes(before_seq=cursor, since=since, until=None, controller=None, founded_from=None,
                                     founded_to=None, limit=500, entity_ids=sorted(below_set))
            if not rows:
                break
            for row in rows:
                raised = self._alerts_of(row, watched, float(watchlist["min_io"]))
                if raised and len(alerts) + len(raised) > limit:
                    more = True
                    break
                alerts.extend(raised)
                last_seq = row["seq"]
            if more:
                break
            cursor = rows[-1]["seq"]
        return schemas.AlertsResponse(
            watchlist=name,
            since=since,
            alerts=alerts,
            next_cursor=encode_after(last_seq) if more and last_seq is not None else None,
        )

    def _alerts_of(self, row: dict[str, Any], watched: Iterable[str], min_io: float) -> list[schemas.Alert]:
        before = ControlState.from_json(row["before"])
        after = ControlState.from_json(row["after"])
        entity_id = row["entity_id"]
        day = _date(row["effective"])
        data = self.repo.upstream(entity_id)
        if entity_id not in data.entity_ids():
            return []
        view = build_view(data, day)
        answer = controllers_in_view(view, entity_id, ControlParams(day, row.get("ruleset") or "majority"))
        ownership = owners_in_view(view, entity_id)
        io = {o.id: o for o in ownership.owners}
        out = []
        for w in watched:
            relation = None
            if w in {u for u, _ in after.ultimate} and w not in {u for u, _ in before.ultimate}:
                relation = "ultimate_controller"
            elif w in after.controllers and w not in before.controllers:
                relation = "controller"
            elif w in io and io[w].integrated_ownership >= min_io - 1e-12:
                relation = "owner"
            if relation is None:
                continue
            owner = io.get(w)
            out.append(schemas.Alert(
                seq=row["seq"],
                entity=_entity(row),
                watched=w,
                relation=relation,
                integrated_ownership=owner.integrated_ownership if owner is not None else None,
                effective=day,
                computed_at=row["computed_at"].to_native(),
                new_entity=before.status is None,
                chain=[schemas.ControlStep.model_validate(s) for s in _chain_from(answer, w)] if relation != "owner"
                else [],
                paths=[schemas.OwnershipPath.model_validate(p) for p in owner.paths] if owner is not None else [],
            ))
        return out


def _chain_from(answer: ControlAnswer, controller: str) -> list[ControlStep]:
    """The steps of control from ``controller`` down to the answer's target, taken from the proof."""
    for uc in (*answer.ultimate_controllers, *answer.possible_ultimate_controllers):
        for i, step in enumerate(uc.chain):
            if step.from_id == controller:
                return list(uc.chain[i:])
    return []


def _date(value: Any) -> date:
    native = value.to_native() if hasattr(value, "to_native") else value
    assert isinstance(native, date)
    return native


def _state(state: ControlState) -> schemas.ControlStateOut:
    return schemas.ControlStateOut(
        status=state.status,
        ultimate_controllers=[schemas.ControllerRef(id=i, group=g) for i, g in state.ultimate],
        possible_ultimate_controllers=[schemas.ControllerRef(id=i, group=g) for i, g in state.possible],
        controllers=list(state.controllers),
    )


def _entity(row: dict[str, Any]) -> schemas.EntitySummaryLite:
    return schemas.EntitySummaryLite(id=row["entity_id"], name=row.get("name"), kind=row.get("kind"),
                                     founded=row.get("founded"))


def _change(row: dict[str, Any]) -> schemas.ChangeOut:
    entity = quote(row["entity_id"], safe="")
    day = _date(row["effective"])
    return schemas.ChangeOut(
        seq=row["seq"],
        entity=_entity(row),
        ruleset=row.get("ruleset") or "majority",
        cause=schemas.ChangeCause(kind=row["cause"], load_id=row.get("load_id"), merged_into=row.get("merged_into")),
        effective=day,
        computed_at=row["computed_at"].to_native(),
        before=_state(ControlState.from_json(row["before"])),
        after=_state(ControlState.from_json(row["after"])),
        links=schemas.ChangeLinks(
            controllers=f"/entities/{entity}/controllers?as_of={day.isoformat()}",
            page=f"/entities/{entity}/graph.html?as_of={day.isoformat()}",
        ),
    )


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _watchlist(raw: dict[str, Any]) -> schemas.WatchlistOut:
    return schemas.WatchlistOut(name=raw["name"], entity_ids=list(raw["ids"]), min_io=float(raw["min_io"]),
                                created_at=_native(raw.get("created_at")), updated_at=_native(raw.get("updated_at")))
