"""CSV text as every CSV loader reads it: bytes decoded with a located fault, RFC 4180 rows with their lines.

The registry-CSV folder and the Chinese registry exports share this path:
one decoder (UTF-8 first; a named list of encodings where the format allows
others), one reader with a large field limit, one row iterator that reports
short, long and badly quoted rows at their physical line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ownergraph.graph.model import Finding

__all__ = ["CHINESE_TEXT", "FIELD_SIZE_LIMIT", "UTF8_ONLY", "Sink", "iter_rows", "open_csv", "stream_csv"]

# A legitimate cell (a long aliases list, a pasted document) can be megabytes;
# csv's default 128 KiB limit would reject it. Above this the file is not a registry.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024

UTF8_ONLY = ("utf-8-sig",)
"""The project's own format: UTF-8, with or without a byte-order mark."""
CHINESE_TEXT = ("utf-8-sig", "gb18030")
"""Chinese registry exports: UTF-8, else GB18030 (a superset of GBK and GB2312), as Chinese Excel saves CSV."""


class Sink:
    """Collects findings of one load (every loader's findings, in file order)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def error(self, code: str, message: str, file: str, line: int | None, column: str | None = None) -> None:
        self.findings.append(Finding("error", code, message, file, line, column))

    def warn(self, code: str, message: str, file: str, line: int | None, column: str | None = None) -> None:
        self.findings.append(Finding("warning", code, message, file, line, column))


def decode_text(raw: bytes, file: str, sink: Sink, encodings: tuple[str, ...]) -> str | None:
    """``raw`` decoded with the first of ``encodings`` that fits; else a located finding and None."""
    last: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
        except LookupError:
            sink.error("bad_encoding", f"expected a known text encoding, got {encoding!r}", file, None)
            return None
    assert last is not None
    line = raw.count(b"\n", 0, last.start) + 1
    if encodings == UTF8_ONLY:
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            gbk = False
        else:
            gbk = True
        _not_utf8(raw[last.start], last.start, gbk, file, line, sink)
        return None
    sink.error(
        "bad_encoding",
        f"expected text in {' or '.join(encodings)}; byte 0x{raw[last.start]:02X} at byte offset "
        f"{last.start} cannot be decoded",
        file,
        line,
    )
    return None


def open_csv(
    path: Path, sink: Sink, *, encodings: tuple[str, ...]
) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]] | None:
    """(file, stripped header, rows with their first physical line), or None after a located finding."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        sink.error("unreadable_file", f"expected a readable file ({exc.strerror})", file, None)
        return None
    text = decode_text(raw, file, sink, encodings)
    if text is None:
        return None
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        sink.error("bad_csv", f"expected a CSV header row ({exc})", file, 1)
        return None
    return file, header, iter_rows(reader, header, file, sink)


def stream_csv(path: Path, sink: Sink) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]] | None:
    """``open_csv`` for UTF-8 files of any size: read as the rows are taken, never whole.

    A byte that is not UTF-8 ends the rows with the same located finding as
    ``open_csv`` gives (the rows before it are still given: the caller rejects
    the load on any error).
    """
    file = str(path)
    try:
        fh = path.open(encoding=UTF8_ONLY[0], newline="")
    except OSError as exc:
        sink.error("unreadable_file", f"expected a readable file ({exc.strerror})", file, None)
        return None
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(fh, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except UnicodeDecodeError:
        fh.close()
        _locate_bad_utf8(path, sink)
        return None
    except csv.Error as exc:
        fh.close()
        sink.error("bad_csv", f"expected a CSV header row ({exc})", file, 1)
        return None
    if not header:  # a file of a lone byte that might start a BOM reads as empty text: say what it holds
        known = len(sink.findings)
        _locate_bad_utf8(path, sink)
        if len(sink.findings) > known:
            fh.close()
            return None
    return file, header, _closing_rows(fh, iter_rows(reader, header, file, sink), path, sink)


def _closing_rows(fh: io.TextIOBase, rows: Iterator[tuple[int, list[str]]], path: Path,
                  sink: Sink) -> Iterator[tuple[int, list[str]]]:
    with fh:
        try:
            yield from rows
        except UnicodeDecodeError:
            _locate_bad_utf8(path, sink)


def _locate_bad_utf8(path: Path, sink: Sink, block: int = 1 << 20) -> None:
    """The ``not_utf8`` finding of ``decode_text``, found a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    with path.open("rb") as fh:
        while True:
            raw = fh.read(block)
            try:
                decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                # The decoder may hold back the start of a multi-byte sequence from the block before.
                held = len(exc.object) - len(raw)
                bad = exc.object[exc.start]
                at = offset - held + exc.start
                line = lines + exc.object.count(b"\n", held, exc.start) + 1
                after = fh.read(4)  # a GB18030 character cut at the end of the block is whole with these
                gbk = _decodes_as_gb18030(exc.object[exc.start :] + after, cut=len(after) == 4)
                _not_utf8(bad, at, gbk, str(path), line, sink)
                return
            if not raw:
                return
            offset += len(raw)
            lines += raw.count(b"\n")


def _decodes_as_gb18030(raw: bytes, *, cut: bool) -> bool:
    """Whether a block of a file decodes as GB18030 (``cut``: the file goes on after it)."""
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        return cut and exc.start >= len(raw) - 4
    return True


def _not_utf8(bad: int, offset: int, gbk: bool, file: str, line: int, sink: Sink) -> None:
    hint = " (the bytes decode as GBK/GB18030: re-save the file as UTF-8)" if gbk else ""
    sink.error(
        "not_utf8",
        f"expected UTF-8 text; byte 0x{bad:02X} at byte offset {offset} is not valid UTF-8{hint}",
        file,
        line,
    )


def iter_rows(reader: Iterator[list[str]], header: list[str], file: str, sink: Sink) -> Iterator[tuple[int, list[str]]]:
    """Rows of the expected width with their first physical line; the rest become findings."""
    width = len(header)
    line_num = getattr(reader, "line_num", 1)
    prev = line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            _csv_error(exc, prev + 1, file, sink)
            prev = getattr(reader, "line_num", prev + 1)
            continue
        start = prev + 1
        prev = getattr(reader, "line_num", start)
        if len(row) == width:
            yield start, row
        elif not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line carries nothing
        elif len(row) < width:
            sink.error(
                "truncated_row",
                f"expected {width} fields as in the header, got {len(row)}: the row is cut short "
                "(truncated file or a missing delimiter)",
                file,
                start,
                header[len(row)],
            )
        else:
            sink.error(
                "extra_fields",
                f"expected {width} fields as in the header, got {len(row)} (an unquoted comma inside a value?)",
                file,
                start,
            )


def _csv_error(exc: csv.Error, line: int, file: str, sink: Sink) -> None:
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        message = f"expected every field under {limit:,} characters; a field here is larger"
    elif "unexpected end of data" in text or "EOF" in text:
        message = "expected a closing quote; the quoted field starting here runs to end of file"
    else:
        message = f"expected RFC 4180 quoting ({text})"
    sink.error("bad_csv", message, file, line)
