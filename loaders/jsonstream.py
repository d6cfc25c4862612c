"""JSON Lines, or one JSON array, read one value at a time (gzip or not): memory flat in file size.

For the large national files (the UK PSC snapshot is 12.8 million lines):
:func:`read_json_records` of ``jsonrecords`` holds the whole text; this reader
holds one chunk. Each value comes with its line (the line it starts on) and,
inside an array, its JSON pointer, like ``JsonRecord``. Faults become located
findings in the ``Reporter``, never exceptions.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from ownergraph.loaders.jsonrecords import JsonRecord, Reporter

__all__ = ["iter_json_records"]

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 18  # characters read at a time from an array file
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


def iter_json_records(path: Path, report: Reporter) -> Iterator[JsonRecord]:
    """Each top-level value of a JSON Lines file, or each element of a JSON array file.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.json").write_text('[\\n {"a": 1},\\n {"a": 2}\\n]\\n', encoding="utf-8")
    >>> [(r.value, r.pointer, r.line) for r in iter_json_records(folder / "a.json", Reporter("a.json"))]
    [({'a': 1}, '/0', 2), ({'a': 2}, '/1', 3)]
    """
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == _GZIP_MAGIC
    except OSError as exc:
        report.error("unreadable_file", f"expected a readable file: {exc.strerror or exc}")
        return
    try:
        with _open_binary(path, gzipped) as binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
            first, lines_before = _first_char(text)
            if first == "":
                report.error("empty_file", "expected JSON records, the file is empty")
            elif first == "[":
                yield from _array(text, report, lines_before)
            else:
                yield from _lines(text, first, report, lines_before)
    except UnicodeDecodeError as exc:
        report.error("bad_encoding", f"expected UTF-8 text: {exc.reason} (byte 0x{exc.object[exc.start]:02x})")
    except (OSError, EOFError, zlib.error) as exc:
        report.error("bad_gzip" if gzipped else "unreadable_file", f"expected a complete readable file: {exc}")


def _open_binary(path: Path, gzipped: bool) -> IO[bytes]:
    if gzipped:
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))  # a binary file object in all but its stub's name
    return path.open("rb")


def _first_char(text: IO[str]) -> tuple[str, int]:
    """The first character that is not white space, and how many line breaks came before it."""
    newlines = 0
    while True:
        c = text.read(1)
        if c == "" or c not in _SPACE:
            return c, newlines
        newlines += c == "\n"


def _lines(text: IO[str], first: str, report: Reporter, lines_before: int) -> Iterator[JsonRecord]:
    lineno = lines_before
    head = first
    for line in text:
        lineno += 1
        line, head = head + line, ""
        if not line.strip():
            continue
        try:
            yield JsonRecord(json.loads(line), "", lineno)
        except json.JSONDecodeError as exc:
            report.error("malformed_json", f"expected valid JSON: {exc.msg} (line {lineno}, column {exc.colno})",
                         JsonRecord(None, "", lineno))
        except RecursionError:
            report.error("malformed_json", "expected JSON nested less deeply", JsonRecord(None, "", lineno))


def _array(text: IO[str], report: Reporter, lines_before: int) -> Iterator[JsonRecord]:
    """The elements of a top-level array, decoded from a window of the text that slides along."""
    buf, pos, line, index, eof = "", 0, lines_before + 1, 0, False
    expect_value = True  # after "[" or ","

    def more() -> bool:
        nonlocal buf, pos, eof
        chunk = text.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buf, pos = buf[pos:] + chunk, 0
        return True

    while True:
        while True:  # skip white space, counting lines
            while pos < len(buf) and buf[pos] in _SPACE:
                line += buf[pos] == "\n"
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            report.error("malformed_json", f"expected ']' to close the array before the end of the file (line {line})",
                         JsonRecord(None, f"/{index}", line))
            return
        c = buf[pos]
        if c == "]" and (expect_value is False or index == 0):
            return
        if not expect_value:
            if c != ",":
                report.error("malformed_json", f"expected ',' or ']' after element /{index - 1}, got {c!r}",
                             JsonRecord(None, f"/{index}", line))
                return
            pos += 1
            expect_value = True
            continue
        while True:
            try:
                value, end = _DECODER.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if eof or not more():
                    report.error("malformed_json", f"expected valid JSON: {exc.msg} (element /{index})",
                                 JsonRecord(None, f"/{index}", line))
                    return
            except RecursionError:
                report.error("malformed_json", "expected JSON nested less deeply", JsonRecord(None, f"/{index}", line))
                return
        yield JsonRecord(value, f"/{index}", line)
        line += buf.count("\n", pos, end)
        pos = end
        index += 1
        expect_value = False
