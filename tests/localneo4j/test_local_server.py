"""The local server's pieces that need no running server."""

from __future__ import annotations

from ownergraph.localneo4j.server import PASSWORD_ALPHABET, new_password


def test_new_passwords_are_never_read_as_command_line_options() -> None:
    drawn = [new_password() for _ in range(5000)]
    assert all(len(p) == 24 for p in drawn)
    assert all(set(p) <= set(PASSWORD_ALPHABET) for p in drawn)
    assert not any(p.startswith("-") for p in drawn)
    assert len(set(drawn)) == len(drawn)
