"""graph.json and graph.html: the neighbourhood with controllers and control chains marked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import AS_OF


def test_graph_json_up_marks_controller_and_chain(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/chain-t/graph.json", params={"as_of": AS_OF}).json()
    assert (body["center"], body["direction"], body["depth"], body["truncated"]) == ("chain-t", "up", 6, False)
    assert [(n["id"], n["level"], n["is_controller"]) for n in body["nodes"]] == [
        ("chain-t", 0, False), ("chain-h", -1, False), ("chain-p", -2, True)
    ]
    assert sorted((e["source"], e["target"], e["share"], e["on_control_chain"]) for e in body["edges"]) == [
        ("chain-h", "chain-t", 0.6, True), ("chain-p", "chain-h", 0.8, True)
    ]


def test_graph_json_depth_and_direction(cases_client: TestClient) -> None:
    one = cases_client.get("/entities/chain-t/graph.json", params={"depth": 1}).json()
    assert [n["id"] for n in one["nodes"]] == ["chain-t", "chain-h"]
    down = cases_client.get("/entities/chain-p/graph.json", params={"direction": "down"}).json()
    assert [(n["id"], n["level"]) for n in down["nodes"]] == [("chain-p", 0), ("chain-h", 1), ("chain-t", 2)]
    both = cases_client.get("/entities/chain-h/graph.json", params={"direction": "both"}).json()
    assert {(n["id"], n["level"]) for n in both["nodes"]} == {("chain-h", 0), ("chain-p", -1), ("chain-t", 1)}


def test_graph_json_shows_concert_and_control_edges(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/gp-pt/graph.json").json()
    relations = {(e["source"], e["target"], e["relation"], e["basis"]) for e in body["edges"]}
    assert ("gp-gp", "gp-pt", "CONTROLS", "general_partner") in relations


def test_graph_html_is_a_self_contained_page(cases_client: TestClient) -> None:
    response = cases_client.get("/entities/chain-t/graph.html", params={"as_of": AS_OF})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Ownership of 华东精密制造有限公司</title>" in response.text
    assert "Content-Security-Policy" in response.text
