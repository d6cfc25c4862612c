"""Throwaway local Neo4j servers that some tests stop, start or kill (never the shared test server).

A JVM start takes 15-30 s on a busy machine, so such a server starts in the
background as soon as the session knows a test wants it, and the test only
waits for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

import pytest

from ownergraph.localneo4j import server as local_server
from ownergraph.localneo4j.server import Instance


class BackgroundStart:
    """Start ``instance`` in a thread when a collected test's id contains ``wanted_by``; ``wait``
    gives that start ``wait_s``, then starts the server itself within ``start_timeout_s``."""

    def __init__(self, instance: Instance, *, wanted_by: str, wait_s: float, start_timeout_s: float = 120.0) -> None:
        self.instance = instance
        self.wanted_by = wanted_by
        self.wait_s = wait_s
        self.start_timeout_s = start_timeout_s
        self._threads: list[threading.Thread] = []

    def begin(self, items: Iterable[pytest.Item]) -> None:
        wanted = any(self.wanted_by in item.nodeid for item in items)
        if wanted and local_server.is_installed() and not self._threads:
            thread = threading.Thread(target=self._start_quietly, name=f"{self.instance.name}-start", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _start_quietly(self) -> None:
        # A failure shows up in the test itself, which starts the server again and reports why.
        with contextlib.suppress(Exception):
            local_server.start(self.instance)

    def wait(self) -> None:
        """Wait for the background start, then make sure the server is up (starting it if that failed)."""
        for thread in self._threads:
            thread.join(timeout=self.wait_s)
        local_server.start(self.instance, timeout=self.start_timeout_s)
