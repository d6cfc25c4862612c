"""Stored default answers: the route sends the stored bytes for the default question, and they are
byte for byte the live answer, on the demo and after loads, deltas and refreshes of random graphs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from ownergraph import stored_answers
from ownergraph.api.app import create_app
from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.graph.params import ControlParams
from ownergraph.materialise import Cause, materialise_changes, materialise_control, refresh_control
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.service import OwnershipService
from ownergraph.stored_answers import BackgroundAnswers, answer_rows, body_bytes, fill_answers
from tests.api.conftest import make_settings

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"


def live_body(repo: Repository, entity_id: str, day: date) -> bytes:
    return body_bytes(OwnershipService(repo).controllers_response(entity_id, ControlParams(day)))


def stored_body(repo: Repository, entity_id: str, day: date) -> bytes | None:
    body, stored = OwnershipService(repo).controllers_body(entity_id, ControlParams(day))
    return body if stored else None


def held_ids(repo: Repository) -> list[str]:
    data = repo.everything()
    return sorted({s.owned_id for s in data.stakes} | {c.controlled_id for c in data.controls})


@pytest.fixture(scope="module")
def demo_client(neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:
    if not neo4j_is_local:
        pytest.skip("loads the demo and needs the local test server it may wipe")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load(repo, "registry-csv", DEMO, materialise=True)
    with TestClient(create_app(make_settings(neo4j_settings))) as client:
        yield client


def test_every_demo_entity_is_sent_stored_and_equals_the_live_answer(
    demo_client: TestClient, neo4j_driver: Driver
) -> None:
    repo = Repository(neo4j_driver)
    held = held_ids(repo)
    everyone = sorted(e.id for e in repo.everything().entities)
    assert len(held) > 1000
    today = date.today()
    for entity_id in held:  # every held entity has a stored answer, the same bytes as the live one
        assert stored_body(repo, entity_id, today) == live_body(repo, entity_id, today), entity_id
    # Through the route: stored for held entities, live for the others, the same bytes either way.
    rnd = random.Random(7)
    unheld = sorted(set(everyone) - set(held))
    for entity_id in [*rnd.sample(held, 60), *rnd.sample(unheld, 20), "qh-borong-group", "ph-qh-dc-project-1"]:
        response = demo_client.get(f"/entities/{entity_id}/controllers")
        assert response.status_code == 200, response.text
        source = response.headers["x-answer-source"]
        assert source == ("stored" if entity_id in held else "live"), entity_id
        assert response.content == live_body(repo, entity_id, today), entity_id


def test_explicit_run_day_is_the_default_question_and_other_questions_are_live(demo_client: TestClient) -> None:
    target = "ph-qh-dc-project-1"
    today = date.today().isoformat()
    stored = demo_client.get(f"/entities/{target}/controllers", params={"as_of": today})
    assert stored.headers["x-answer-source"] == "stored"
    assert stored.json()["as_of"] == today
    for params in ({"threshold": 0.6}, {"ruleset": "relative"}, {"as_of": "2025-01-01"}):
        other = demo_client.get(f"/entities/{target}/controllers", params=params)
        assert other.status_code == 200
        assert other.headers["x-answer-source"] == "live", params


def test_etag_answers_304_until_the_answer_changes(demo_client: TestClient) -> None:
    first = demo_client.get("/entities/ph-qh-dc-project-1/controllers")
    tag = first.headers["etag"]
    again = demo_client.get("/entities/ph-qh-dc-project-1/controllers", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    other_question = demo_client.get(
        "/entities/ph-qh-dc-project-1/controllers", params={"threshold": 0.9}, headers={"If-None-Match": tag}
    )
    assert other_question.status_code == 200
    assert other_question.headers["etag"] != tag


def test_unknown_entity_is_404_on_the_stored_path(demo_client: TestClient) -> None:
    response = demo_client.get("/entities/no-such-entity/controllers")
    assert response.status_code == 404


# -- the reverse question from the materialised control (the demo, before any test wipes it) --


def controlled_pages(repo: Repository, entity_id: str, day: date, *, live: bool, limit: int = 2,
                     **window: date | None) -> list[bytes]:
    service = OwnershipService(repo)
    pages, offset = [], 0
    while True:
        page = service.controlled_response(entity_id, ControlParams(day), limit=limit, offset=offset, live=live,
                                           **window)
        pages.append(body_bytes(page))
        if page.next_cursor is None:
            return pages
        offset += limit


def test_every_demo_controller_pages_the_same_from_the_materialised_control(
    demo_client: TestClient, neo4j_driver: Driver
) -> None:
    repo = Repository(neo4j_driver)
    today = date.today()
    data = repo.everything()
    holders = {s.owner_id for s in data.stakes} | {c.controller_id for c in data.controls}
    people = {e.id for e in data.entities if e.kind == "person"}
    # the case's groups, a sample of the other holding companies and of the people, page by page
    rnd = random.Random(3)
    case = ["qh-borong-group", "sc-chengdu-qingshu", "cn-chn-energy", "cn-sasac", "ph-qh-holding-a"]
    controllers = [*case, *rnd.sample(sorted(holders - people - set(case)), 120),
                   *rnd.sample(sorted(holders & people), 30)]
    nonempty = 0
    for entity_id in controllers:
        stored = controlled_pages(repo, entity_id, today, live=False, limit=25)
        assert stored == controlled_pages(repo, entity_id, today, live=True, limit=25), entity_id
        nonempty += b'"total":0' not in stored[0]
    assert nonempty >= 5
    window = {"founded_from": date(2024, 12, 1), "founded_to": date(2024, 12, 31)}
    stored = controlled_pages(repo, "qh-borong-group", today, live=False, **window)
    assert stored == controlled_pages(repo, "qh-borong-group", today, live=True, **window)
    assert b"ph-qh-dc-project-1" in b"".join(stored)
    # the stored path proves nothing: every row comes with the chain stored on its CONTROLLED_BY
    page = repo.controlled_page("qh-borong-group", ruleset="majority", founded_from=None, founded_to=None,
                                offset=0, limit=100)
    assert page is not None
    assert page.rows
    assert all(r["chain"] is not None and r["flags"] is not None for r in page.rows)
    route = demo_client.get("/entities/qh-borong-group/controlled", params={"limit": 2})
    assert route.status_code == 200
    assert route.content == stored_first_page(repo, today)


def stored_first_page(repo: Repository, day: date) -> bytes:
    return OwnershipService(repo).controlled_response("qh-borong-group", ControlParams(day), limit=2) \
        .model_dump_json().encode()


# -- random graphs: loads, deltas, snapshots, refreshes ---------------------------------

IDS = [f"r{i}" for i in range(9)]
SHARES = [Share(exact=0.3), Share(exact=0.51), Share(exact=0.6), Share(minimum=0.2, maximum=0.6), Share()]


def random_edges(rnd: random.Random, day0: date) -> Dataset:
    stakes = []
    for owned in IDS[2:]:
        for owner in rnd.sample(IDS, rnd.randint(0, 3)):
            if owner == owned:
                continue
            start = day0 + timedelta(days=rnd.randint(-3, 6)) if rnd.random() < 0.3 else None
            stakes.append(Stake(owner, owned, rnd.choice(SHARES), start=start))
    kinds = ["person", "person"] + ["company"] * (len(IDS) - 2)
    return Dataset(entities=[Entity(i, f"Name {i} <b>&", k) for i, k in zip(IDS, kinds, strict=True)],
                   stakes=stakes)


def assert_stored_equals_live(repo: Repository, day: date) -> int:
    """Every held entity's stored answer equals its live one; returns how many were stored."""
    stored = 0
    for entity_id in held_ids(repo):
        body = stored_body(repo, entity_id, day)
        if body is not None:
            stored += 1
            assert body == live_body(repo, entity_id, day), entity_id
    return stored


@pytest.mark.parametrize("seed", range(6))
def test_stored_answers_equal_live_after_loads_deltas_and_refreshes(repo: Repository, seed: int) -> None:
    rnd = random.Random(seed)
    day = date(2025, 3, 1)
    first = random_edges(rnd, day)
    written = repo.write_dataset(first, load={"id": "s1", "format": "test", "path": "-"}, day=day)
    materialise_changes(repo, written.changed, as_of=day, cause=Cause("load", "s1"))
    assert assert_stored_equals_live(repo, day) == len(held_ids(repo))
    for step in range(4):
        day += timedelta(days=rnd.randint(1, 4))
        refresh_control(repo, today=day)
        assert assert_stored_equals_live(repo, day) == len(held_ids(repo)), ("refresh", step)
        source = rnd.choice(["s1", "s2"])
        written = repo.write_dataset(random_edges(rnd, day), load={"id": source, "format": "test", "path": "-"},
                                     day=day, snapshot=rnd.random() < 0.5)
        materialise_changes(repo, written.changed, as_of=day, cause=Cause("load", source))
        assert assert_stored_equals_live(repo, day) == len(held_ids(repo)), ("load", step)


def test_answers_of_forked_workers_are_the_answers_of_the_process(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    rnd = random.Random(11)
    day = date(2025, 3, 1)
    data = random_edges(rnd, day)
    targets = sorted(IDS)
    with BackgroundAnswers(data, targets, day=day, ruleset="majority", workers=2, fork_min=0) as answers:
        forked = answers.rows()
    assert forked == answer_rows(data, targets, day=day, ruleset="majority")
    assert [r["id"] for r in forked] == targets
    # An incremental pass whose answers come from forked workers stores every answer, current and exact.
    monkeypatch.setattr(stored_answers, "FORK_MIN", 0)
    for step in range(3):
        written = repo.write_dataset(random_edges(rnd, day), load={"id": "s1", "format": "test", "path": "-"},
                                     day=day, snapshot=step > 0)
        materialise_changes(repo, written.changed, as_of=day, cause=Cause("load", "s1"))
        assert assert_stored_equals_live(repo, day) == len(held_ids(repo)), step


def test_an_outdated_answer_is_answered_live_until_stored_again(repo: Repository) -> None:
    day = date(2025, 3, 1)
    data = Dataset(entities=[Entity("p", "P", "person"), Entity("a", "A", "company"), Entity("b", "B", "company")],
                   stakes=[Stake("p", "a", Share(exact=0.8)), Stake("a", "b", Share(exact=0.9))])
    written = repo.write_dataset(data, load={"id": "s", "format": "test", "path": "-"}, day=day)
    materialise_changes(repo, written.changed, as_of=day)
    assert stored_body(repo, "b", day) is not None

    def chains_of_a() -> list[object]:
        page = repo.controlled_page("a", ruleset="majority", founded_from=None, founded_to=None, offset=0, limit=10)
        assert page is not None
        return [r["chain"] for r in page.rows]

    assert chains_of_a() != [None]
    # What the control's transaction does to the answers of the entities it recomputes, before they are stored.
    repo.write_materialised_control([], [], [], ruleset="majority", as_of=day, outdated=["b"])
    assert stored_body(repo, "b", day) is None  # answered live
    assert stored_body(repo, "a", day) is not None
    assert chains_of_a() == [None]  # the chain stored on b's CONTROLLED_BY is proved live too
    assert controlled_pages(repo, "a", day, live=False) == controlled_pages(repo, "a", day, live=True)
    assert fill_answers(repo, ruleset="majority") == 1  # `ownergraph control answers` stores it again
    assert stored_body(repo, "b", day) == live_body(repo, "b", day)
    assert chains_of_a() != [None]


def test_a_rename_refreshes_the_stored_answers_that_name_the_entity(repo: Repository) -> None:
    day = date(2025, 3, 1)
    data = Dataset(entities=[Entity("p", "Old Name", "person"), Entity("a", "A", "company")],
                   stakes=[Stake("p", "a", Share(exact=0.8))])
    written = repo.write_dataset(data, load={"id": "s", "format": "test", "path": "-"}, day=day)
    materialise_changes(repo, written.changed, as_of=day)
    assert b"Old Name" in (stored_body(repo, "a", day) or b"")
    renamed = Dataset(entities=[Entity("p", "New Name", "person")])  # the same source renames it
    written = repo.write_dataset(renamed, load={"id": "s", "format": "test", "path": "-"}, day=day)
    materialise_changes(repo, written.changed, as_of=day)
    body = stored_body(repo, "a", day)
    assert body is not None
    assert b"New Name" in body
    assert body == live_body(repo, "a", day)


def test_a_load_that_skips_control_makes_every_answer_live_until_the_next_run(repo: Repository) -> None:
    day = date(2025, 3, 1)
    data = Dataset(entities=[Entity("p", "P", "person"), Entity("q", "Q", "person"), Entity("a", "A", "company")],
                   stakes=[Stake("p", "a", Share(exact=0.8))])
    written = repo.write_dataset(data, load={"id": "s", "format": "test", "path": "-"}, day=day)
    materialise_changes(repo, written.changed, as_of=day)
    assert stored_body(repo, "a", day) is not None
    repo.write_dataset(Dataset(stakes=[Stake("q", "a", Share(exact=0.9))]),
                       load={"id": "s2", "format": "test", "path": "-"}, day=day)
    repo.mark_control_stale("majority")
    assert stored_body(repo, "a", day) is None  # stale: the stored answer names p, the graph now q too
    materialise_control(repo, as_of=day, answers=False)
    assert stored_body(repo, "a", day) is None  # a new generation, not yet filled: live
    assert fill_answers(repo, ruleset="majority") == 1
    assert stored_body(repo, "a", day) == live_body(repo, "a", day)


# -- the reverse question on random graphs -------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_materialised_reverse_equals_live_on_random_graphs(repo: Repository, seed: int) -> None:
    rnd = random.Random(100 + seed)
    day = date(2025, 3, 1)
    for step in range(3):
        source = rnd.choice(["s1", "s2"])
        written = repo.write_dataset(random_edges(rnd, day), load={"id": source, "format": "test", "path": "-"},
                                     day=day, snapshot=rnd.random() < 0.5)
        materialise_changes(repo, written.changed, as_of=day, cause=Cause("load", source))
        for entity_id in IDS:
            page = repo.controlled_page(entity_id, ruleset="majority", founded_from=None, founded_to=None,
                                        offset=0, limit=100)
            assert page is not None
            assert all(r["chain"] is not None for r in page.rows), (seed, step, entity_id)
            assert controlled_pages(repo, entity_id, day, live=False) == \
                controlled_pages(repo, entity_id, day, live=True), (seed, step, entity_id)
        day += timedelta(days=3)
