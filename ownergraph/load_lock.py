"""One load at a time per graph: a lease held in the database itself.

Two CLIs, two API workers or two machines loading into one Neo4j take turns:
the lock is a ``(:LoadLock)`` node whose holder and expiry change in one
transaction (the node's write lock serialises takers). The holder renews its
lease while it works, so a process that dies frees the graph within one lease.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from ownergraph.graph.errors import LoadInProgress
from ownergraph.queries.repository import Repository

LEASE_SECONDS = 60
RENEW_EVERY = 15.0
POLL_SECONDS = 0.25


@contextmanager
def load_lock(repo: Repository, *, wait_seconds: float = 0.0) -> Iterator[str]:
    """Hold the graph's load lock inside the block; wait up to ``wait_seconds`` for it, then
    raise ``LoadInProgress`` naming the holder."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    deadline = time.monotonic() + wait_seconds
    while not repo.take_load_lock(holder, LEASE_SECONDS):
        if time.monotonic() >= deadline:
            raise LoadInProgress(repo.load_lock_holder())
        time.sleep(POLL_SECONDS)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(RENEW_EVERY):
            try:
                repo.renew_load_lock(holder, LEASE_SECONDS)
            except Exception:  # a renewal that fails is retried; the lease covers a few misses
                continue

    renewer = threading.Thread(target=renew, name="load-lock-renewal", daemon=True)
    renewer.start()
    try:
        yield holder
    finally:
        stop.set()
        renewer.join()
        repo.release_load_lock(holder)
