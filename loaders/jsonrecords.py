"""JSON and JSON Lines as the JSON loaders read them (BODS, FollowTheMoney).

One reader for both: the top-level values of a JSON array, one object or
JSON Lines, gzip or not, each with its JSON pointer or line; faults become
located findings, never exceptions.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ownergraph.graph.model import Dataset, Finding
from ownergraph.loaders.inflate import InflateLimit, gunzip
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
            raw = gunzip(raw)
        except InflateLimit as exc:
            report.error("too_large", f"expected a file that inflates to a bounded size: {exc}")
            return None
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


# Python refuses to turn more digits than this into an int (sys.get_int_max_str_digits): a located fault here.
_MAX_DIGITS = 4300
_LONG_NUMBER = re.compile(r"-?\d{" + str(_MAX_DIGITS + 1) + ",}")
# Where a too-deep document is located: the first bracket past this depth (the parser's own limit is near 1,000).
MAX_DEPTH = 500


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _too_deep_at(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The offset where arrays and objects nest deeper than ``limit`` (outside strings), if they do.

    >>> _too_deep_at('[[["]]]]]]"]]]', limit=3), _too_deep_at("[" * 5, limit=3)
    (None, 3)
    """
    depth = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return i
        elif ch in "]}":
            depth -= 1
    return None


def _loads(text: str, report: Reporter, line: int | None = None) -> tuple[bool, Any]:
    """Parse one JSON text; faults (syntax, numbers too long, nesting too deep) become located findings.

    ``(False, None)`` after a fault. Syntax errors are raised (the caller may try JSON Lines next).
    """
    try:
        return True, json.loads(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        long = _LONG_NUMBER.search(text)
        if long is None:  # another limit of the parser: still a located fault, never an exception
            report.error("malformed_json", f"expected valid JSON: {exc}")
            return False, None
        at_line, column = _position(text, long.start())
        report.findings.append(Finding(
            "error", "number_too_long", f"expected a number of at most {_MAX_DIGITS} digits",
            report.file, line or at_line, str(column),
        ))
        return False, None
    except RecursionError:
        # Located only now: scanning every file for its depth would slow every load down.
        deep = _too_deep_at(text)
        where: tuple[int | None, str | None] = (line, None)
        if deep is not None:
            at_line, column = _position(text, deep)
            where = (line or at_line, str(column))
        message = f"expected JSON nested at most {MAX_DEPTH} levels deep"
        report.findings.append(Finding("error", "malformed_json", message, report.file, *where))
        return False, None


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
        ok, whole = _loads(text, report)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{"):
            return _read_json_lines(text, report)
        _decode_error(report, exc)
        return []
    if not ok:
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
            ok, value = _loads(line, report, lineno)
        except json.JSONDecodeError as exc:
            _decode_error(report, exc, lineno)
            continue
        if ok:
            out.append(JsonRecord(value, "", lineno))
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
