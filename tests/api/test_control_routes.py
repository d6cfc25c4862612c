"""The control routes on the spec's cases (tests/fixtures/api_cases, loaded by the registry-csv loader)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AS_OF


def controllers(client: TestClient, entity_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/entities/{entity_id}/controllers", params={"as_of": AS_OF, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ucs(body: dict[str, Any], key: str = "ultimate_controllers") -> list[tuple[str, str, str | None]]:
    return [(uc["id"], uc["basis"], uc["group"]) for uc in body[key]]


def test_controllers_chain_of_majorities_with_its_proof(cases_client: TestClient) -> None:
    body = controllers(cases_client, "chain-t")
    assert body["status"] == "controlled"
    assert body["as_of"] == AS_OF
    assert (body["ruleset"], body["threshold"], body["relative_threshold"]) == ("majority", 0.5, 0.3)
    assert ucs(body) == [("chain-p", "majority", None)]
    uc = body["ultimate_controllers"][0]
    assert (uc["name"], uc["kind"]) == ("王明", "person")
    steps = [
        (s["from_id"], s["to_id"], s["relation"], s["rule"], s["share"]["exact"], s["pooled_voting_share"],
         s["start"], s["source"])
        for s in uc["chain"]
    ]
    assert steps == [
        ("chain-p", "chain-h", "OWNS", "majority", 0.8, 0.8, "2015-01-01", "registry extract 2024-01"),
        ("chain-h", "chain-t", "OWNS", "majority", 0.6, 0.6, "2016-01-01", "registry extract 2024-01"),
    ]
    assert uc["chain"][1]["contributing"] == [
        {"owner_id": "chain-h", "owned_id": "chain-t", "voting_share": 0.6, "start": "2016-01-01", "end": None,
         "source": "registry extract 2024-01",
         "share": {"exact": 0.6, "minimum": None, "maximum": None, "derived": False, "raw": None}}
    ]
    assert sorted(body["controllers"]) == ["chain-h", "chain-p"]
    assert body["possible_ultimate_controllers"][0]["id"] == "chain-p"
    assert body["deciding_stakes"] == []
    assert body["flags"] == []


def test_controllers_aggregate_through_a_controlled_subsidiary(cases_client: TestClient) -> None:
    body = controllers(cases_client, "agg-y")
    assert body["status"] == "controlled"
    assert ucs(body) == [("agg-x", "majority", None)]
    last = body["ultimate_controllers"][0]["chain"][-1]
    assert (last["from_id"], last["to_id"], last["pooled_voting_share"]) == ("agg-x", "agg-y", pytest.approx(0.55))
    assert sorted((c["owner_id"], c["voting_share"]) for c in last["contributing"]) == [
        ("agg-x", 0.3), ("agg-z", 0.25)
    ]


def test_controllers_general_partner_beats_a_99_percent_limited_partner(cases_client: TestClient) -> None:
    body = controllers(cases_client, "gp-pt")
    assert body["status"] == "controlled"
    assert ucs(body) == [("gp-gp", "general_partner", None)]
    (step,) = body["ultimate_controllers"][0]["chain"]
    assert (step["relation"], step["rule"], step["basis"], step["source"]) == (
        "CONTROLS", "controls_edge", "general_partner", "partnership agreement"
    )
    assert body["largest_holders"][0] == {
        "id": "gp-lp", "name": "国投产业基金", "kind": "fund", "integrated_ownership": 0.99
    }


def test_controllers_50_50_joint_venture_has_no_controller(cases_client: TestClient) -> None:
    body = controllers(cases_client, "jv-t")
    assert body["status"] == "no_controller"
    assert body["ultimate_controllers"] == []
    assert body["possible_ultimate_controllers"] == []
    assert [(h["id"], h["integrated_ownership"]) for h in body["largest_holders"]] == [("jv-a", 0.5), ("jv-b", 0.5)]


def test_controllers_unknown_share_is_undetermined(cases_client: TestClient) -> None:
    body = controllers(cases_client, "unk-a")
    assert body["status"] == "undetermined"
    assert ucs(body) == [("unk-b", "majority", None)]
    assert [uc["id"] for uc in body["possible_ultimate_controllers"]] == ["unk-p"]
    assert [(s["owner_id"], s["owned_id"]) for s in body["deciding_stakes"]] == [("unk-p", "unk-b")]


def test_controllers_relative_ruleset_is_opt_in(cases_client: TestClient) -> None:
    assert controllers(cases_client, "rel-t")["status"] == "no_controller"
    body = controllers(cases_client, "rel-t", ruleset="relative")
    assert body["status"] == "controlled"
    assert body["ruleset"] == "relative"
    assert ucs(body) == [("rel-r", "relative", None)]
    # a stricter relative threshold than the 35% held: nobody
    assert controllers(cases_client, "rel-t", ruleset="relative", relative_threshold=0.4)["status"] == "no_controller"


def test_controllers_acting_in_concert_report_every_member_with_one_group(cases_client: TestClient) -> None:
    body = controllers(cases_client, "con-t")
    assert body["status"] == "controlled"
    group = "concert:con-c1+con-c2"
    assert ucs(body) == [("con-c1", "concert", group), ("con-c2", "concert", group)]


def test_controllers_follow_as_of(cases_client: TestClient) -> None:
    assert ucs(controllers(cases_client, "time-t", as_of="2022-06-30")) == [("time-old", "majority", None)]
    assert ucs(controllers(cases_client, "time-t", as_of="2023-01-01")) == [("time-new", "majority", None)]
    assert controllers(cases_client, "time-t", as_of="2009-12-31")["status"] == "no_controller"


def test_controllers_threshold_parameter(cases_client: TestClient) -> None:
    # h holds exactly 60% of t: not more than a 0.6 threshold
    assert controllers(cases_client, "chain-t", threshold=0.6)["status"] == "no_controller"


def test_owners_integrated_ownership_and_paths(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/chain-t/owners", params={"as_of": AS_OF}).json()
    assert body["total"] == 2
    assert body["next_cursor"] is None
    assert [(o["id"], o["integrated_ownership"], o["top_level"]) for o in body["owners"]] == [
        ("chain-h", 0.6, False), ("chain-p", pytest.approx(0.48), True)
    ]
    assert body["owners"][1]["paths"] == [
        {"ids": ["chain-p", "chain-h", "chain-t"], "shares": [0.8, 0.6], "product": pytest.approx(0.48)}
    ]


def test_beneficial_owners_threshold(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/chain-t/beneficial-owners", params={"as_of": AS_OF}).json()
    assert [(b["id"], b["integrated_ownership"], b["controls"]) for b in body["beneficial_owners"]] == [
        ("chain-p", pytest.approx(0.48), True)
    ]
    # the 99% LP is a fund, not a natural person; the GP has no person behind it
    body = cases_client.get("/entities/gp-pt/beneficial-owners", params={"as_of": AS_OF}).json()
    assert body["beneficial_owners"] == []
    body = cases_client.get("/entities/rel-t/beneficial-owners", params={"as_of": AS_OF, "threshold": 0.2}).json()
    assert {b["id"] for b in body["beneficial_owners"]} == {"rel-r", "rel-s1", "rel-s2", "rel-s3"}
    assert body["threshold"] == 0.2


def test_controlled_lists_everything_with_chains(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/chain-p/controlled", params={"as_of": AS_OF}).json()
    assert [(c["id"], c["definite"], len(c["chain"])) for c in body["controlled"]] == [
        ("chain-h", True, 1), ("chain-t", True, 2)
    ]
    body = cases_client.get(
        "/entities/big-p/controlled", params={"as_of": AS_OF, "founded_from": "2024-12-03", "founded_to": "2024-12-05"}
    ).json()
    assert [c["id"] for c in body["controlled"]] == ["big-03", "big-04", "big-05"]
    assert (body["founded_from"], body["founded_to"]) == ("2024-12-03", "2024-12-05")


def test_controlled_by_a_bloc_member(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/con-c1/controlled", params={"as_of": AS_OF}).json()
    assert [c["id"] for c in body["controlled"]] == ["con-t"]


def test_common_owners_marks_nearest(cases_client: TestClient) -> None:
    body = cases_client.get("/common-owners", params=[("ids", "chain-t"), ("ids", "chain-h"), ("as_of", AS_OF)]).json()
    assert body["ids"] == ["chain-t", "chain-h"]
    assert [(o["id"], o["integrated_ownership"], o["nearest"], o["top_level"]) for o in body["common_owners"]] == [
        ("chain-p", {"chain-t": pytest.approx(0.48), "chain-h": 0.8}, True, True)
    ]
    body = cases_client.get("/common-owners", params=[("ids", "jv-t"), ("ids", "agg-y")]).json()
    assert body["common_owners"] == []


def test_clusters_by_founding_window(cases_client: TestClient) -> None:
    body = cases_client.get(
        "/clusters", params={"founded_from": "2024-12-01", "founded_to": "2024-12-31", "as_of": AS_OF}
    ).json()
    assert body["total"] == 1
    (cluster,) = body["clusters"]
    assert cluster["controller"]["id"] == "big-p"
    assert [m["id"] for m in cluster["members"]] == [f"big-{i:02d}" for i in range(1, 13)]
    empty = cases_client.get("/clusters", params={"founded_from": "1900-01-01", "founded_to": "1900-12-31"}).json()
    assert (empty["clusters"], empty["total"]) == ([], 0)


def test_screen_captures_at_50_percent_not_49(cases_client: TestClient) -> None:
    response = cases_client.post("/screen", json={"listed": ["scr-l"], "as_of": AS_OF})
    assert response.status_code == 200, response.text
    body = response.json()
    captured = {c["id"]: c for c in body["captured"]}
    assert sorted(captured) == ["scr-l", "scr-s1", "scr-s3"]  # scr-s2 (49%) is not captured
    assert captured["scr-l"]["listed"] is True
    assert captured["scr-s1"]["captured_owners"] == [{"id": "scr-l", "share": 0.5}]
    assert sorted((o["id"], o["share"]) for o in captured["scr-s3"]["captured_owners"]) == [
        ("scr-l", 0.25), ("scr-s1", 0.25)
    ]
    assert captured["scr-s3"]["captured_share"] == 0.5
