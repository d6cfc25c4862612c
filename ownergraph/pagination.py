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


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset in ``cursor``; 422 ``invalid_cursor`` for anything this API did not hand out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid() from exc
    prefix, _, number = text.partition(":")
    if prefix != _PREFIX or not number.isdigit() or len(number) > 12:
        raise _invalid()
    return int(number)


class InvalidCursor(InvalidParameter):
    """A cursor that was not handed out (answered as 422 ``invalid_cursor``)."""


def _invalid() -> InvalidCursor:
    return InvalidCursor("The cursor is not one this API returned; start again without it.")


class Page:
    """``limit`` and the decoded ``cursor`` of one request."""

    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset
