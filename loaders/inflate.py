"""Bounded decompression: gzip files and zip members inflated as a stream, never past a byte cap.

A few kilobytes of gzip or zip can inflate to gigabytes. Every loader that
opens a compressed input goes through here, so the cap holds everywhere: the
bytes are produced chunk by chunk and the read stops with `InflateLimit` as
soon as the cap is passed (never after inflating the whole thing).

The cap is ``OWNERGRAPH_MAX_INFLATED_BYTES`` (default 2 GiB); a caller can
lower it for a block of work with `inflate_limit` (the API does, per upload).
"""

from __future__ import annotations

import contextvars
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

DEFAULT_MAX_INFLATED_BYTES = 2 * 1024**3
_CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"

_limit: contextvars.ContextVar[int | None] = contextvars.ContextVar("ownergraph_inflate_limit", default=None)


class InflateLimit(ValueError):
    """The input inflates beyond the cap."""

    def __init__(self, limit: int, what: str = "the input") -> None:
        super().__init__(f"{what} inflates beyond the limit of {limit} bytes")
        self.limit = limit


def max_inflated_bytes() -> int:
    """The cap in force: the innermost `inflate_limit`, else the environment, else 2 GiB."""
    scoped = _limit.get()
    if scoped is not None:
        return scoped
    configured = os.environ.get("OWNERGRAPH_MAX_INFLATED_BYTES", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else DEFAULT_MAX_INFLATED_BYTES


@contextmanager
def inflate_limit(limit: int) -> Iterator[None]:
    """Lower (or set) the cap for the work done inside the block, in this thread or task."""
    token = _limit.set(limit)
    try:
        yield
    finally:
        _limit.reset(token)


def gunzip(raw: bytes, limit: int | None = None) -> bytes:
    """Inflate every gzip member of ``raw``, refusing past ``limit`` bytes.

    >>> import gzip
    >>> gunzip(gzip.compress(b"abc") + gzip.compress(b"def"))
    b'abcdef'
    >>> gunzip(gzip.compress(b"0" * 10_000), limit=100)
    Traceback (most recent call last):
    ...
    ownergraph.loaders.inflate.InflateLimit: the gzip data inflates beyond the limit of 100 bytes
    """
    cap = max_inflated_bytes() if limit is None else limit
    _inflate_gzip(raw, cap, keep=False)  # a bomb is refused before a byte of it is kept
    return _inflate_gzip(raw, cap, keep=True)


def _inflate_gzip(raw: bytes, cap: int, *, keep: bool) -> bytes:
    out = bytearray()
    size = 0
    data = raw
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = data
        while pending:
            chunk = inflater.decompress(pending, _CHUNK)
            size += len(chunk)
            if size > cap:
                raise InflateLimit(cap, "the gzip data")
            if keep:
                out += chunk
            pending = inflater.unconsumed_tail
        if not inflater.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        # concatenated members (gzip allows several); trailing zero padding is ignored as gzip does
        data = inflater.unused_data.lstrip(b"\x00")
    return bytes(out)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
    """The inflated bytes of one zip member, refusing past ``limit`` (whatever the header declares)."""
    cap = max_inflated_bytes() if limit is None else limit
    if info.file_size > cap:
        raise InflateLimit(cap, f"the archive member {info.filename!r}")
    out = bytearray()
    with archive.open(info) as src:
        while chunk := src.read(_CHUNK):
            out += chunk
            if len(out) > cap:
                raise InflateLimit(cap, f"the archive member {info.filename!r}")
    return bytes(out)


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: IO[bytes], budget: int) -> int:
    """Copy one member to ``out`` in chunks; the bytes written. Refuses once ``budget`` bytes are passed."""
    if info.file_size > budget:
        raise InflateLimit(budget, f"the archive member {info.filename!r}")
    written = 0
    with archive.open(info) as src:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise InflateLimit(budget, f"the archive member {info.filename!r}")
            out.write(chunk)
    return written


# What a damaged archive or compressed stream raises, across zipfile, zlib and gzip.
CORRUPT_ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError, KeyError,
)
