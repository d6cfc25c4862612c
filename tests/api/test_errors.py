"""Every error answers {"detail", "code"} with the right status."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ownergraph.service import OwnershipService

BAD_REQUESTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("bad date", "/entities/chain-t/controllers", {"as_of": "2024-13-01"}, "validation_error"),
    ("not a date", "/entities/chain-t/owners", {"as_of": "yesterday"}, "validation_error"),
    ("unknown ruleset", "/entities/chain-t/controllers", {"ruleset": "plurality"}, "validation_error"),
    ("threshold above 1", "/entities/chain-t/controllers", {"threshold": "1.5"}, "validation_error"),
    ("threshold below 0", "/entities/chain-t/controllers", {"threshold": "-0.1"}, "validation_error"),
    ("threshold NaN", "/entities/chain-t/controllers", {"threshold": "nan"}, "validation_error"),
    ("relative threshold", "/entities/chain-t/controllers", {"relative_threshold": "2"}, "validation_error"),
    ("beneficial threshold", "/entities/chain-t/beneficial-owners", {"threshold": "7"}, "validation_error"),
    ("depth above 10", "/entities/chain-t/graph.json", {"depth": "11"}, "validation_error"),
    ("depth 0", "/entities/chain-t/graph.html", {"depth": "0"}, "validation_error"),
    ("direction", "/entities/chain-t/graph.json", {"direction": "sideways"}, "validation_error"),
    ("limit above 1000", "/entities/big-p/controlled", {"limit": "1001"}, "validation_error"),
    ("limit 0", "/search", {"q": "x", "limit": "0"}, "validation_error"),
    ("bad cursor", "/entities/big-p/controlled", {"cursor": "not-a-cursor"}, "invalid_cursor"),
    ("negative cursor", "/entities/big-p/controlled", {"cursor": "bzotMQ"}, "invalid_cursor"),
    ("empty query", "/search", {"q": ""}, "validation_error"),
    ("blank query", "/search", {"q": "   "}, "invalid_parameter"),
    ("missing window", "/clusters", {"founded_from": "2024-01-01"}, "validation_error"),
    ("reversed window", "/clusters", {"founded_from": "2024-02-01", "founded_to": "2024-01-01"}, "invalid_parameter"),
    ("min_io", "/clusters", {"founded_from": "2024-01-01", "founded_to": "2024-02-01", "min_io": "3"},
     "validation_error"),
    ("no ids", "/common-owners", {}, "validation_error"),
]


@pytest.mark.parametrize(("why", "path", "params", "code"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_parameters_answer_422(
    cases_client: TestClient, why: str, path: str, params: dict[str, Any], code: str
) -> None:
    response = cases_client.get(path, params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if code == "validation_error":
        assert body["errors"]
        assert {"loc", "msg", "type"} <= set(body["errors"][0])


def test_too_many_ids_answer_422(cases_client: TestClient) -> None:
    ids = [("ids", f"id-{i}") for i in range(101)]
    response = cases_client.get("/common-owners", params=ids)
    assert (response.status_code, response.json()["code"]) == (422, "too_many_ids")
    response = cases_client.post("/screen", json={"listed": [f"id-{i}" for i in range(101)]})
    assert (response.status_code, response.json()["code"]) == (422, "too_many_ids")


@pytest.mark.parametrize(
    "body", [{}, {"listed": []}, {"listed": "scr-l"}, {"listed": ["scr-l"], "as_of": "2024-02-30"},
             {"listed": ["scr-l"], "extra": 1}]
)
def test_bad_screen_bodies_answer_422(cases_client: TestClient, body: dict[str, Any]) -> None:
    response = cases_client.post("/screen", json=body)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_unknown_ids_answer_404(cases_client: TestClient) -> None:
    for path in ("/entities/nope", "/entities/nope/controllers", "/entities/nope/graph.html"):
        response = cases_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No entity with id 'nope'.", "code": "entity_not_found"}
    response = cases_client.get("/common-owners", params=[("ids", "chain-t"), ("ids", "nope")])
    assert (response.status_code, response.json()["code"]) == (404, "entity_not_found")


def test_unknown_route_and_method(cases_client: TestClient) -> None:
    assert cases_client.get("/nothing-here").json() == {"detail": "Not Found", "code": "not_found"}
    response = cases_client.delete("/healthz")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_unexpected_error_is_500_logged_without_internals(
    cases_client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internal state: bolt://10.0.0.1 password=hunter2")

    monkeypatch.setattr(OwnershipService, "controllers_response", boom)
    with caplog.at_level(logging.ERROR, logger="ownergraph.api"):
        response = cases_client.get("/entities/chain-t/controllers")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error; the incident has been logged.",
                               "code": "internal_error"}
    assert "hunter2" not in response.text
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)
