"""POST /loads with hostile or unusual bodies: raw XLSX, zip bombs, damaged members, no server paths."""

from __future__ import annotations

import gzip
import io
import zipfile

import openpyxl
from fastapi.testclient import TestClient

from ownergraph.queries.repository import Repository
from tests.api.conftest import API_CASES, TOKEN
from tests.api.test_loads import zip_folder

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"}
MB = 1024 * 1024


def _xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    for row in (["企业名称", "股东名称", "持股比例"], ["示例科技有限公司", "示例控股集团有限公司", "60%"],
                ["示例科技有限公司", "王明", "40%"]):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_raw_xlsx_upload_is_loaded_as_a_workbook(client: TestClient, repo: Repository) -> None:
    response = client.post("/loads", params={"format": "cn-registry", "materialise": "false"},
                           content=_xlsx_bytes(), headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["stakes"] == 2
    hits = client.get("/search", params={"q": "示例科技有限公司"}).json()["results"]
    assert [h["name"] for h in hits][:1] == ["示例科技有限公司"]


def test_zip_bomb_is_refused_while_inflating(client: TestClient, repo: Repository) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("cases/entities.csv", "w", force_zip64=True) as member:
        for _ in range(400):  # 400 MiB of zeros, past the 256 MiB default cap
            member.write(b"0" * MB)
    before = repo.fingerprint()
    response = client.post("/loads", content=buffer.getvalue(), headers=AUTH)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert repo.fingerprint() == before


def test_gzip_bomb_is_a_located_load_error(client: TestClient, repo: Repository) -> None:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        for _ in range(300):
            gz.write(b" " * MB)
    response = client.post("/loads", params={"format": "bods"}, content=out.getvalue(), headers=AUTH)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["code"], e["file"]) for e in errors] == [("too_large", "upload.json.gz")]


def test_damaged_zip_member_is_a_422_naming_it(client: TestClient, repo: Repository) -> None:
    good = zip_folder(API_CASES)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        info = archive.getinfo("cases/ownership.csv")
    damaged = bytearray(good)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + min(info.compress_size, 60)):
        damaged[i] ^= 0xFF
    response = client.post("/loads", content=bytes(damaged), headers={**AUTH, "Content-Type": "application/zip"})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "bad_upload"
    assert "cases/ownership.csv" in body["detail"]


def test_deflated_damaged_member_is_a_422_too(client: TestClient, repo: Repository) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cases/entities.csv", b"id,name,kind\n" * 2000)
    data = bytearray(buffer.getvalue())
    data[60:90] = b"\x00" * 30  # inside the deflate stream
    response = client.post("/loads", content=bytes(data), headers=AUTH)
    assert response.status_code == 422, response.text
    assert "cases/entities.csv" in response.json()["detail"]


def test_rejected_upload_names_files_inside_the_upload_only(client: TestClient, repo: Repository) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cases/entities.csv", "id,name,kind\na,A,company\n")
        archive.writestr("cases/ownership.csv", "owner_id,owned_id,share\na,zz,150%\n")
    response = client.post("/loads", content=buffer.getvalue(), headers=AUTH)
    assert response.status_code == 422
    files = {e["file"] for e in response.json()["errors"]}
    assert files == {"ownership.csv"}
    assert "/tmp" not in response.text
    assert "ownergraph-upload" not in response.text


def test_load_record_holds_no_server_path(client: TestClient, repo: Repository) -> None:
    response = client.post("/loads", params={"materialise": "false"}, content=zip_folder(API_CASES),
                           headers={**AUTH, "Content-Type": "application/zip"})
    assert response.status_code == 201, response.text
    assert "ownergraph-upload" not in response.text
    records, _, _ = repo.driver.execute_query("MATCH (l:Load) RETURN l.path AS path", database_=repo.database)
    assert [r["path"] for r in records] == ["cases"]


def test_fifty_megabyte_json_body_is_413(client: TestClient) -> None:
    response = client.post("/screen", content=b"[" + b"1," * (25 * MB) + b"1]",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
