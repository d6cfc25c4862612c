"""Writes: load a source into the graph (token required; read-only without one).

The body is the raw file (``curl --data-binary @folder.zip``): a zip of a
registry-csv folder, or a source file of another format (optionally a zip or
gzip). A raw body needs no multipart parser and streams straight to disk,
where the size limit is enforced as the bytes arrive.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from ownergraph.api.deps import ServiceDep, SettingsDep, WriteAccess
from ownergraph.api.errors import ApiError
from ownergraph.api.limits import HeavySlot
from ownergraph.loaders.inflate import CORRUPT_ARCHIVE_ERRORS, InflateLimit, copy_member, inflate_limit
from ownergraph.schemas import ErrorResponse, LoadResponse

router = APIRouter(tags=["loads"])

Format = Literal["registry-csv", "bods", "ftm", "cn-registry", "gleif", "psc"]
_ZIP_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_MEMBERS = 10_000


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The upload is larger than the limit of {limit} bytes.")


async def _uploaded(request: Request, settings: SettingsDep) -> AsyncIterator[Path]:
    """The request body saved to a private temporary folder, removed after the response."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    folder = Path(tempfile.mkdtemp(prefix="ownergraph-upload-"))
    try:
        body = folder / "body"
        size = 0
        with body.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                out.write(chunk)
        if size == 0:
            raise ApiError(422, "empty_upload", "The request body is empty; send the file as the body.")
        yield body
    finally:
        shutil.rmtree(folder, ignore_errors=True)


UploadDep = Annotated[Path, Depends(_uploaded)]


def _is_xlsx(archive: zipfile.ZipFile) -> bool:
    """An Office Open XML workbook (itself a zip), sent as it is rather than zipped."""
    names = set(archive.namelist())
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _unzip(body: Path, dest: Path, max_bytes: int) -> Path:
    """Extract safely; the folder to load: the archive's single top-level folder or file, else its root.

    A raw XLSX workbook is recognised and loaded as the file it is. Members are inflated as a stream
    against the byte budget (whatever their headers declare); a damaged member is a 422 naming it.
    """
    try:
        archive = zipfile.ZipFile(body)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ApiError(422, "bad_upload", "The body starts like a zip archive but is not a readable one.") from exc
    with archive:
        if _is_xlsx(archive):
            return body.rename(body.with_name("upload.xlsx"))
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) > _MAX_MEMBERS:
            raise ApiError(422, "bad_upload", f"The archive holds more than {_MAX_MEMBERS} files.")
        if sum(m.file_size for m in members) > max_bytes:
            raise ApiError(413, "payload_too_large", "The archive inflates beyond the upload limit.")
        budget = max_bytes
        for member in members:
            name = PurePosixPath(member.filename)
            # Zip slip: an absolute name or ".." would write outside the folder.
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                raise ApiError(422, "bad_upload", f"The archive holds an unsafe path: {member.filename!r}.")
            target = dest.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with target.open("wb") as out:
                    budget -= copy_member(archive, member, out, budget)
            except InflateLimit as exc:
                raise ApiError(413, "payload_too_large", "The archive inflates beyond the upload limit.") from exc
            except CORRUPT_ARCHIVE_ERRORS as exc:
                detail = f"The archive member {member.filename!r} is damaged and cannot be read ({type(exc).__name__})."
                raise ApiError(422, "bad_upload", detail) from exc
    entries = [p for p in dest.iterdir() if not p.name.startswith(".")]
    return entries[0] if len(entries) == 1 else dest


def _source_path(fmt: str, body: Path, max_bytes: int) -> Path:
    with body.open("rb") as f:
        head = f.read(4)
    if head.startswith(_ZIP_MAGIC):
        return _unzip(body, body.parent / "unpacked", max_bytes)
    if fmt == "registry-csv":
        raise ApiError(422, "bad_upload", "A registry-csv upload is a zip of the folder holding entities.csv.")
    suffix = ".json.gz" if head.startswith(_GZIP_MAGIC) else ".json"
    if fmt in ("gleif", "cn-registry") and not head.startswith(_GZIP_MAGIC):
        suffix = ".csv"
    return body.rename(body.with_name("upload" + suffix))


@router.post(
    "/loads",
    summary="Load a source into the graph (all of it, or nothing on any fault; or its fault-free records)",
    status_code=201,
    dependencies=[WriteAccess, HeavySlot],
    responses={
        401: {"model": ErrorResponse, "description": "Missing or wrong token"},
        403: {"model": ErrorResponse, "description": "Read-only server (no token configured)"},
        409: {"model": ErrorResponse, "description": "Another load is writing to the graph; retry later"},
        413: {"model": ErrorResponse, "description": "Upload too large"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def create_load(
    service: ServiceDep,
    settings: SettingsDep,
    body: UploadDep,
    fmt: Annotated[Format, Query(alias="format", description="The source format.")] = "registry-csv",
    materialise: Annotated[bool, Query(description="Recompute the materialised control relationships.")] = True,
    source: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="The source this upload updates (default `FORMAT:upload`)."),
    ] = None,
    snapshot: Annotated[
        bool, Query(description="The upload is the source's complete state: its edges missing from it end.")
    ] = False,
    snapshot_date: Annotated[date | None, Query(description="The snapshot's day (default today).")] = None,
    on_fault: Annotated[
        Literal["reject", "skip"],
        Query(description="`reject`: any fault refuses the whole upload. `skip`: records with a fault, and "
                          "those depending on them, are left out and listed in `skipped`; the rest is written."),
    ] = "reject",
) -> LoadResponse:
    path = _source_path(fmt, body, settings.max_inflated_bytes)
    with inflate_limit(settings.max_inflated_bytes):  # gzip files and zip members read by the loaders too
        return service.load(fmt, path, source=source or f"{fmt}:upload", snapshot=snapshot,
                            snapshot_date=snapshot_date, materialise=materialise, on_fault=on_fault)
