"""A living registry on the real Neo4j: delta and snapshot loads, incremental control, the change feed,
watchlists, refresh as the days pass, and one load at a time."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ownergraph import schemas
from ownergraph.feed import ChangeFeed
from ownergraph.graph.errors import LoadInProgress
from ownergraph.graph.params import ControlParams
from ownergraph.load_lock import load_lock
from ownergraph.loaders.errors import LoadRejected
from ownergraph.materialise import materialise_control, refresh_control, verify_control
from ownergraph.pagination import decode_after
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.service import OwnershipService
from tests.application.living import (
    duplicate_relationships,
    materialised_states,
    replayed_states,
    split_demo,
    write_registry,
)

TODAY = date.today()


def _ucs(repo: Repository, entity: str, day: date) -> list[str]:
    answer = OwnershipService(repo).controllers(entity, ControlParams(day))
    return [u.id for u in answer.ultimate_controllers]


def test_a_delta_refers_to_entities_already_in_the_graph(repo: Repository, tmp_path: Path) -> None:
    base, delta = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    result = load(repo, "registry-csv", delta, source="daily")
    assert result.counts["entities"] == 2
    assert result.materialised is not None
    assert result.materialised.mode == "incremental"
    assert result.materialised.recomputed < 10  # two new companies, nothing else below them
    assert _ucs(repo, "ph-qh-dc-project-1", TODAY) == ["qh-borong-group"]
    assert verify_control(repo) == []
    assert replayed_states(repo) == materialised_states(repo)


def test_an_id_in_neither_the_load_nor_the_graph_is_a_located_error(repo: Repository, tmp_path: Path) -> None:
    base, _ = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    before = repo.fingerprint()
    bad = write_registry(tmp_path / "bad", [("new-co", "company")],
                         [("qh-borong-group", "new-co", 60, "", ""), ("P240-nowhere", "new-co", 10, "", "")])
    with pytest.raises(LoadRejected) as caught:
        load(repo, "registry-csv", bad)
    [fault] = caught.value.errors
    assert (fault.code, fault.line, fault.column, fault.entity_id) == ("unknown_entity", 3, "owner_id", "P240-nowhere")
    assert fault.file is not None
    assert fault.file.endswith("ownership.csv")
    assert "of this load or of the graph" in fault.message
    assert repo.fingerprint() == before


def test_the_seed_case_alerts_name_both_project_companies_with_their_chains(
    repo: Repository, tmp_path: Path
) -> None:
    base, delta = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    feed = ChangeFeed(repo)
    feed.save_watchlist(schemas.WatchlistIn(name="qinghai", entity_ids=["qh-borong-group", "sc-chengdu-qingshu"]))
    since = datetime.now(UTC)
    assert feed.alerts("qinghai", since=since).alerts == []
    load(repo, "registry-csv", delta, source="daily")
    alerts = feed.alerts("qinghai", since=since).alerts
    assert {a.entity.id for a in alerts} == {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}
    # Without ``since``: what happened since the watch began, not the base load before it.
    assert feed.alerts("qinghai").alerts == alerts
    assert all(a.new_entity for a in alerts)
    [borong_1] = [a for a in alerts if a.entity.id == "ph-qh-dc-project-1" and a.watched == "qh-borong-group"]
    assert borong_1.relation == "ultimate_controller"
    assert borong_1.chain[0].from_id == "qh-borong-group"
    assert borong_1.chain[-1].to_id == "ph-qh-dc-project-1"
    for watched in ("qh-borong-group", "sc-chengdu-qingshu"):
        [owner] = [a for a in alerts if a.entity.id == "ph-qh-dc-project-2" and a.watched == watched]
        assert owner.relation == "owner"
        assert owner.integrated_ownership is not None
        assert owner.integrated_ownership >= 0.25
        assert owner.paths[0].ids[0] == watched
        assert owner.paths[0].ids[-1] == "ph-qh-dc-project-2"
    # A higher threshold keeps the control alert and drops the ownership ones below it.
    feed.save_watchlist(schemas.WatchlistIn(name="qinghai", entity_ids=["qh-borong-group", "sc-chengdu-qingshu"],
                                            min_io=0.9))
    strict = feed.alerts("qinghai", since=since).alerts
    assert {(a.entity.id, a.relation) for a in strict} == {("ph-qh-dc-project-1", "ultimate_controller")}


def test_a_snapshot_ends_what_it_no_longer_lists_and_keeps_history(repo: Repository, tmp_path: Path) -> None:
    people = [("p", "person"), ("q", "person"), ("t", "company")]
    first = write_registry(tmp_path / "s1", people, [("p", "t", 60, "2020-01-01", ""), ("q", "t", 40, "", "")])
    second = write_registry(tmp_path / "s2", people, [("q", "t", 40, "", "")])
    day1, day2, day3 = TODAY - timedelta(days=20), TODAY - timedelta(days=10), TODAY - timedelta(days=5)
    load(repo, "registry-csv", first, source="reg", snapshot=True, snapshot_date=day1)
    assert _ucs(repo, "t", TODAY) == ["p"]
    ended = load(repo, "registry-csv", second, source="reg", snapshot=True, snapshot_date=day2)
    assert ended.counts["ended"] == 1
    assert _ucs(repo, "t", TODAY) == []
    assert _ucs(repo, "t", day2 - timedelta(days=1)) == ["p"]  # history kept
    again = load(repo, "registry-csv", first, source="reg", snapshot=True, snapshot_date=day3)
    assert again.counts["ended"] == 0
    assert _ucs(repo, "t", TODAY) == ["p"]  # back, as a new part from day3
    assert _ucs(repo, "t", day3 - timedelta(days=1)) == []  # the gap stays in the history
    parts = repo.driver.execute_query("MATCH (:Entity {id: 'p'})-[r:OWNS]->(:Entity {id: 't'}) "
                                      "RETURN r.start AS start, r.end AS end ORDER BY r.key").records
    assert [(r["start"].to_native(), r["end"].to_native() if r["end"] else None) for r in parts] == [
        (date(2020, 1, 1), day2), (day3, None)
    ]
    # The same snapshot again changes nothing; another source's edges are never ended by it.
    before = repo.fingerprint()
    load(repo, "registry-csv", first, source="reg", snapshot=True, snapshot_date=day3)
    assert repo.fingerprint() == before
    other = write_registry(tmp_path / "o", [("r", "person"), ("t", "company")], [("r", "t", 5, "", "")])
    load(repo, "registry-csv", other, source="other")
    load(repo, "registry-csv", first, source="reg", snapshot=True, snapshot_date=TODAY)
    owners = {o.entity.id for o in OwnershipService(repo).entity("t", as_of=TODAY).owners}
    assert owners == {"p", "q", "r"}
    assert verify_control(repo) == []
    assert replayed_states(repo) == materialised_states(repo)


def test_refresh_moves_the_answers_to_today_and_does_nothing_twice(repo: Repository, tmp_path: Path) -> None:
    soon = TODAY + timedelta(days=3)
    folder = write_registry(tmp_path / "r", [("p", "person"), ("q", "person"), ("t", "company")],
                            [("p", "t", 60, "", soon.isoformat()), ("q", "t", 55, soon.isoformat(), "")])
    load(repo, "registry-csv", folder)
    assert materialised_states(repo)["t"].controllers == ("p",)
    moved = refresh_control(repo, today=soon)
    assert moved.mode == "incremental"
    assert moved.recomputed == 1
    assert materialised_states(repo)["t"].controllers == ("q",)
    assert verify_control(repo) == []
    assert refresh_control(repo, today=soon).mode == "none"
    [latest] = ChangeFeed(repo).changes(limit=1).changes
    assert (latest.entity.id, latest.cause.kind, latest.effective) == ("t", "refresh", soon)
    assert [u.id for u in latest.before.ultimate_controllers] == ["p"]
    assert [u.id for u in latest.after.ultimate_controllers] == ["q"]


def test_a_load_without_materialising_makes_the_next_one_whole(repo: Repository, tmp_path: Path) -> None:
    base, delta = split_demo(tmp_path)
    load(repo, "registry-csv", base, materialise=False)
    done = load(repo, "registry-csv", delta, source="daily").materialised
    assert done is not None
    assert done.mode == "whole"
    assert verify_control(repo) == []


def test_verify_reports_a_tampered_relationship(repo: Repository, tmp_path: Path) -> None:
    base, _ = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    repo.driver.execute_query("MATCH (:Entity {id: 'ph-qh-holding-a'})-[r:ULTIMATELY_CONTROLLED_BY]->() DELETE r")
    differences = verify_control(repo)
    assert [d[0] for d in differences] == ["ph-qh-holding-a"]
    materialise_control(repo)
    assert verify_control(repo) == []


def test_loads_take_turns(repo: Repository, tmp_path: Path) -> None:
    base, _ = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    folders = [
        write_registry(tmp_path / f"d{i}", [(f"new-{i}", "company")],
                       [("qh-borong-group", f"new-{i}", 30 + i, "", ""),
                        ("sc-chengdu-qingshu", f"new-{i}", 20, "", "")])
        for i in range(8)
    ]
    errors: list[BaseException] = []

    def run(folder: Path) -> None:
        try:
            load(repo, "registry-csv", folder, source=folder.name, lock_wait=120)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify_control(repo) == []
    assert duplicate_relationships(repo) == 0
    assert replayed_states(repo) == materialised_states(repo)
    assert _ucs(repo, "new-7", TODAY) == []  # 37% + 20%: nobody above 50%
    assert repo.load_lock_holder() is None


def test_a_second_load_is_refused_while_the_lock_is_held(repo: Repository, tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "x", [("p", "person"), ("t", "company")], [("p", "t", 60, "", "")])
    with load_lock(repo):
        with pytest.raises(LoadInProgress):
            load(repo, "registry-csv", folder)
        assert repo.counts().get("Entity", 0) == 0  # refused before writing anything
    load(repo, "registry-csv", folder)
    assert repo.counts()["Entity"] == 2


def test_changes_are_filtered_and_paged(repo: Repository, tmp_path: Path) -> None:
    base, delta = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    since = datetime.now(UTC)
    load(repo, "registry-csv", delta, source="daily")
    feed = ChangeFeed(repo)
    recent = feed.changes(since=since)
    assert {c.entity.id for c in recent.changes} == {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}
    assert all(c.cause.load_id == "daily" for c in recent.changes)
    by_borong = feed.changes(since=since, controller="qh-borong-group").changes
    assert [c.entity.id for c in by_borong] == ["ph-qh-dc-project-1"]
    december = feed.changes(founded_from=date(2024, 12, 1), founded_to=date(2024, 12, 31)).changes
    assert {c.entity.id for c in december} >= {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}
    first = feed.changes(limit=3)
    assert first.next_cursor is not None
    seqs = [c.seq for c in first.changes]
    assert seqs == sorted(seqs, reverse=True)
    second = feed.changes(limit=3, before_seq=decode_after(first.next_cursor))
    assert max(c.seq for c in second.changes) < min(seqs)


def test_a_lock_left_by_a_load_that_died_is_taken_over(repo: Repository, tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "x", [("p", "person"), ("t", "company")], [("p", "t", 60, "", "")])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert repo.take_load_lock(f"{socket.gethostname()}:{dead}:gone", 600)
    load(repo, "registry-csv", folder)  # the holder's process is gone: no wait for its lease
    assert repo.load_lock_holder() is None
    assert repo.take_load_lock("elsewhere:1:alive", 600)
    with pytest.raises(LoadInProgress, match="elsewhere"):
        load(repo, "registry-csv", folder)


def test_a_bods_delta_may_name_a_party_loaded_before(repo: Repository, tmp_path: Path) -> None:
    bods = Path(__file__).resolve().parents[1] / "fixtures" / "bods" / "missing-statement.json"
    with pytest.raises(LoadRejected) as caught:
        load(repo, "bods", bods)
    assert [(f.code, f.entity_id) for f in caught.value.errors] == [("missing_statement", "p-0404")]
    load(repo, "registry-csv", write_registry(tmp_path / "people", [("p-0404", "person")], []))
    load(repo, "bods", bods)
    assert _ucs(repo, "c-0001", TODAY) == ["p-0404"]
