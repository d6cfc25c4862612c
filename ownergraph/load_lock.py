"""One load at a time per graph: a lease held in the database itself.

Two CLIs, two API workers or two machines loading into one Neo4j take turns:
the lock is a ``(:LoadLock)`` node whose holder and expiry change in one
transaction (the node's write lock serialises takers). The holder renews its
lease while it works, so a process that dies frees the graph within one lease;
on the same machine a holder whose process is gone (or, in this process, whose
load has ended without giving the lock back, as when Neo4j went down under it)
is taken over at once.
"""

from __future__ import annotations

import contextlib
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

_held_here: set[str] = set()  # the holders of this process whose block is still running


@contextmanager
def load_lock(repo: Repository, *, wait_seconds: float = 0.0) -> Iterator[str]:
    """Hold the graph's load lock inside the block; wait up to ``wait_seconds`` for it, then
    raise ``LoadInProgress`` naming the holder."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    deadline = time.monotonic() + wait_seconds
    while not repo.take_load_lock(holder, LEASE_SECONDS, replacing=abandoned(repo.load_lock_holder())):
        if time.monotonic() >= deadline:
            raise LoadInProgress(repo.load_lock_holder())
        time.sleep(POLL_SECONDS)
    _held_here.add(holder)
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
        _held_here.discard(holder)
        # If Neo4j went down under the load, that error is the one to report, not this one.
        with contextlib.suppress(Exception):
            repo.release_load_lock(holder)


def abandoned(holder: str | None) -> str | None:
    """``holder`` when it is known to be gone: a process of this machine that no longer runs,
    or a holder of this process whose block has ended; else None (only its lease can free it)."""
    if not holder:
        return None
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return holder if holder not in _held_here else None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return holder
    except PermissionError:
        return None
    return None
