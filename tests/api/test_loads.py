"""POST /loads: token required, read-only without one, size limit, all-or-nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from ownergraph.api.app import create_app
from ownergraph.api.settings import ApiSettings
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import API_CASES, TOKEN, make_settings

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/zip"}


def zip_folder(folder: Path, *, prefix: str = "cases/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, prefix + path.name)
    return buffer.getvalue()


def test_load_with_token_writes_the_folder(client: TestClient, repo: Repository) -> None:
    response = client.post("/loads", params={"format": "registry-csv", "materialise": "false"},
                           content=zip_folder(API_CASES), headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "registry-csv"
    assert body["counts"]["entities"] == 46
    assert body["counts"]["stakes"] == 40
    assert client.get("/entities/chain-t/controllers").json()["ultimate_controllers"][0]["id"] == "chain-p"
    assert repo.entity("chain-t") is not None


def test_load_without_or_with_wrong_token_is_401_and_writes_nothing(client: TestClient, repo: Repository) -> None:
    before = repo.fingerprint()
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token-123"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        response = client.post("/loads", content=zip_folder(API_CASES), headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert repo.fingerprint() == before


def test_server_without_token_is_read_only(repo: Repository, neo4j_settings: Neo4jSettings) -> None:
    with TestClient(create_app(make_settings(neo4j_settings, token=None))) as client:
        response = client.post("/loads", content=zip_folder(API_CASES), headers=AUTH)
        assert (response.status_code, response.json()["code"]) == (403, "read_only")
        assert client.get("/healthz").status_code == 200


def test_faulty_upload_is_rejected_with_located_findings(client: TestClient, repo: Repository,
                                                         tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text("id,name,kind\nA,Alpha,company\n", encoding="utf-8")
    (tmp_path / "ownership.csv").write_text("owner_id,owned_id,share\nA,B,150\n", encoding="utf-8")
    before = repo.fingerprint()
    response = client.post("/loads", content=zip_folder(tmp_path, prefix=""), headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "load_rejected"
    assert any(f["file"].endswith("ownership.csv") and f["line"] == 2 for f in body["errors"])
    assert repo.fingerprint() == before


def test_upload_size_limit(repo: Repository, neo4j_settings: Neo4jSettings) -> None:
    with TestClient(create_app(make_settings(neo4j_settings, max_upload_bytes=1000))) as client:
        response = client.post("/loads", content=b"PK\x03\x04" + b"x" * 5000, headers=AUTH)
        assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")


def test_bad_uploads(client: TestClient) -> None:
    response = client.post("/loads", content=b"", headers=AUTH)
    assert (response.status_code, response.json()["code"]) == (422, "empty_upload")
    response = client.post("/loads", content=b"id,name\n", headers=AUTH)
    assert (response.status_code, response.json()["code"]) == (422, "bad_upload")
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escape.csv", "x")
    response = client.post("/loads", content=evil.getvalue(), headers=AUTH)
    assert (response.status_code, response.json()["code"]) == (422, "bad_upload")
    response = client.post("/loads", params={"format": "excel"}, content=b"x", headers=AUTH)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


@pytest.mark.parametrize("token", ["changeme", "CHANGEME", "short-token", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                   "please-changeme-before-production"])
def test_settings_refuse_weak_tokens(token: str) -> None:
    with pytest.raises(ValidationError):
        ApiSettings(api_token=token)  # type: ignore[arg-type]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNERGRAPH_API_TOKEN", TOKEN)
    monkeypatch.setenv("OWNERGRAPH_MAX_UPLOAD_BYTES", "1234")
    settings = ApiSettings()
    assert settings.api_token is not None
    assert settings.api_token.get_secret_value() == TOKEN
    assert (settings.max_upload_bytes, settings.read_only) == (1234, False)
    monkeypatch.setenv("OWNERGRAPH_API_TOKEN", "")
    assert ApiSettings().read_only is True
    assert TOKEN not in repr(ApiSettings(api_token=TOKEN))  # type: ignore[arg-type]
