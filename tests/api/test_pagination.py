"""limit + cursor walk every paginated list whole, each item once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AS_OF

Fetch = Callable[[TestClient, dict[str, Any]], dict[str, Any]]


def walk(client: TestClient, fetch: Fetch, key: str, limit: int) -> list[Any]:
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = fetch(client, params)
        page = body[key]
        assert len(page) <= limit
        items.extend(page)
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


def _get(path: str, **fixed: Any) -> Fetch:
    def fetch(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
        response = client.get(path, params={**fixed, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return fetch


def _screen(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/screen", params=params, json={"listed": ["scr-l", "big-p"], "as_of": AS_OF})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


CASES: list[tuple[str, Fetch, str, Callable[[Any], str]]] = [
    ("controlled", _get("/entities/big-p/controlled", as_of=AS_OF), "controlled", lambda c: c["id"]),
    ("owners", _get("/entities/chain-t/owners", as_of=AS_OF), "owners", lambda o: o["id"]),
    ("screen", _screen, "captured", lambda c: c["id"]),
    ("search", _get("/search", q="Baiguo"), "results", lambda r: r["id"]),
    ("clusters", _get("/clusters", founded_from="2024-01-01", founded_to="2024-12-31"), "clusters",
     lambda c: c["controller"]["id"]),
]


@pytest.mark.parametrize(("name", "fetch", "key", "ident"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("limit", [1, 5])
def test_cursor_walks_the_whole_list_once(
    cases_client: TestClient, name: str, fetch: Fetch, key: str, ident: Callable[[Any], str], limit: int
) -> None:
    whole = fetch(cases_client, {"limit": 1000})
    assert whole["next_cursor"] is None
    walked = [ident(item) for item in walk(cases_client, fetch, key, limit)]
    assert walked == [ident(item) for item in whole[key]]
    assert len(walked) == len(set(walked))
    if "total" in whole:
        assert whole["total"] == len(walked)


def test_paginated_lists_hold_the_expected_items(cases_client: TestClient) -> None:
    controlled = _get("/entities/big-p/controlled", as_of=AS_OF)(cases_client, {"limit": 1000})
    assert controlled["total"] == 12
    search = _get("/search", q="Baiguo")(cases_client, {"limit": 1000})
    assert len(search["results"]) == 12
    screen = _screen(cases_client, {"limit": 1000})
    assert screen["total"] == 3 + 13  # scr-l, s1, s3; big-p and its twelve companies


def test_first_page_and_next_cursor(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/big-p/controlled", params={"limit": 5}).json()
    assert (len(body["controlled"]), body["total"]) == (5, 12)
    assert isinstance(body["next_cursor"], str)
    second = cases_client.get("/entities/big-p/controlled", params={"limit": 5, "cursor": body["next_cursor"]}).json()
    assert [c["id"] for c in second["controlled"]] == [f"big-{i:02d}" for i in range(6, 11)]
