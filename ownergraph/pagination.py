"""Opaque cursors for paginated answers.

A cursor is the URL-safe base64 of ``o:<offset>``: clients pass back the
``next_cursor`` they were given and never build one, so the encoding can
change (e.g. to keyset cursors) without breaking them.
"""

from __future__ import annotations

import base64
import binascii

from ownergraph.graph.errors import InvalidParameter

_PREFIX = "o"
_AFTER = "k"  # keyset: the sequence number of the last item shown


class InvalidCursor(InvalidParameter):
    """A cursor that was not handed out (answered as 422 ``invalid_cursor``)."""


def encode_cursor(offset: int) -> str:
    """A cursor for answers paged by offset."""
    return _encode(_PREFIX, offset)


def decode_cursor(cursor: str) -> int:
    """The offset in ``cursor`` (below ten million: no page lies further); ``InvalidCursor`` for anything this
    API did not hand out."""
    return _decode(cursor, _PREFIX, 7)


def encode_after(seq: int) -> str:
    """A cursor for feeds paged by sequence number: the next page holds items older than ``seq``."""
    return _encode(_AFTER, seq)


def decode_after(cursor: str) -> int:
    """The sequence number in a feed cursor; ``InvalidCursor`` for anything not handed out."""
    return _decode(cursor, _AFTER, 18)


def _encode(prefix: str, number: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{number}".encode()).decode().rstrip("=")


def _decode(cursor: str, expected: str, max_digits: int) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid() from exc
    prefix, _, number = text.partition(":")
    if prefix != expected or not number.isdigit() or len(number) > max_digits:
        raise _invalid()
    return int(number)


def _invalid() -> InvalidCursor:
    return InvalidCursor("The cursor is not one this API returned; start again without it.")


class Page:
    """``limit`` and the decoded ``cursor`` of one request."""

    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset
