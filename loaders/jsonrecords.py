"""JSON and JSON Lines as the JSON loaders read them (BODS, FollowTheMoney).

One reader for both: the top-level values of a JSON array, one object or
JSON Lines, gzip or not, each with its JSON pointer or line; faults become
located findings, never exceptions.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ownergraph.graph.model import Dataset, Finding
from ownergraph.loaders.validate import RowLines

__all__ = ["JsonRecord", "Reporter", "located", "read_json_records"]

_GZIP_MAGIC = b"\x1f\x8b"
_RECORD_LISTS = ("entities", "stakes", "controls", "concerts", "links", "reported")


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One top-level JSON value and where it came from."""

    value: Any
    pointer: str  # "/12" inside a JSON array; "" for a JSON Lines record
    line: int | None  # JSON Lines: 1-based line number


@dataclass(slots=True)
class Reporter:
    """Collects located findings for one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        severity: Literal["error", "warning"],
        code: str,
        message: str,
        rec: JsonRecord | None = None,
        *path: str | int,
        entity_id: str | None = None,
    ) -> None:
        line = rec.line if rec else None
        pointer = None
        if rec is not None:
            # RFC 6901 escaping, so a key holding "/" cannot make the pointer ambiguous.
            parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
            pointer = rec.pointer + "".join(f"/{p}" for p in parts) or "/"
        self.findings.append(Finding(severity, code, message, self.file, line, pointer, entity_id))

    def error(self, code: str, message: str, rec: JsonRecord | None = None, *path: str | int) -> None:
        self.add("error", code, message, rec, *path)

    def warning(self, code: str, message: str, rec: JsonRecord | None = None, *path: str | int) -> None:
        self.add("warning", code, message, rec, *path)


def _read_text(path: Path, report: Reporter) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error("unreadable_file", f"expected a readable file: {exc.strerror or exc}")
        return None
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            report.error("bad_gzip", f"expected a complete gzip file: {exc}")
            return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.findings.append(
            Finding(
                "error",
                "bad_encoding",
                f"expected UTF-8 text, got byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                report.file,
                line,
            )
        )
        return None


def _decode_error(report: Reporter, exc: json.JSONDecodeError, line: int | None = None) -> None:
    report.findings.append(
        Finding(
            "error",
            "malformed_json",
            f"expected valid JSON: {exc.msg} (line {line or exc.lineno}, column {exc.colno})",
            report.file,
            line or exc.lineno,
            str(exc.colno),
        )
    )


def read_json_records(path: Path, report: Reporter) -> list[JsonRecord]:
    """The top-level values of a JSON array, a single JSON object or JSON Lines (gzip or not).

    The format is detected from the content: a whole-file parse is tried first
    (an array or one object); if that fails and the text starts with "{", it
    is read line by line. Malformed input becomes located findings, never an
    exception.
    """
    text = _read_text(path, report)
    if text is None:
        return []
    stripped = text.lstrip()
    if not stripped:
        report.error("empty_file", "expected JSON statements, the file is empty")
        return []
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{"):
            return _read_json_lines(text, report)
        _decode_error(report, exc)
        return []
    except RecursionError:
        report.error("malformed_json", "expected JSON nested less deeply than the parser allows")
        return []
    if isinstance(whole, list):
        return [JsonRecord(v, f"/{i}", None) for i, v in enumerate(whole)]
    if isinstance(whole, dict):
        return [JsonRecord(whole, "", None)]
    report.error("malformed_json", "expected a JSON array or object at the top level")
    return []


def _read_json_lines(text: str, report: Reporter) -> list[JsonRecord]:
    out: list[JsonRecord] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(JsonRecord(json.loads(line), "", lineno))
        except json.JSONDecodeError as exc:
            _decode_error(report, exc, lineno)
        except RecursionError:
            rec = JsonRecord(None, "", lineno)
            report.error("malformed_json", "expected JSON nested less deeply", rec)
    return out




@contextmanager
def located(data: Dataset, where: RowLines, file: str, rec: JsonRecord) -> Iterator[None]:
    """Give every record appended inside the block the line and pointer of ``rec``, for the
    cross-record checks and for a lenient load that leaves faulty records out.

    An element of a JSON array has no line of its own (0, reported as no line) but a pointer.
    """
    sizes = [len(getattr(data, kind)) for kind in _RECORD_LISTS]
    yield
    for kind, before in zip(_RECORD_LISTS, sizes, strict=True):
        added = len(getattr(data, kind)) - before
        where.lines_for(kind, file).extend([rec.line or 0] * added)
        where.pointers_for(kind).extend([rec.pointer] * added)
