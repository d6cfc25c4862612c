"""Faults: Neo4j SIGKILLed in the middle of a load, and the API under a burst of concurrent requests.

The kill runs on its own throwaway server (``KILL`` in conftest, stopped at
the end of this module): a load is one transaction, so after a restart the
graph must be exactly as before the load or the load complete, never half of
it; a rerun then completes and equals a clean load.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bench.generate import generate
from ownergraph.graph.errors import DatabaseUnavailable
from ownergraph.localneo4j import server as local_server
from ownergraph.pipeline import load, parse
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from tests.reliability.conftest import KILL, LiveServer, live_server, start_kill_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.neo4j

BASELINE = Path(__file__).resolve().parents[1] / "fixtures" / "registry_csv" / "good"
# 2,000 companies: about 6,300 entities and 6,200 stakes, written in batches of 10,000 rows, so
# the kill lands after the entity batch, while the stakes go in and the transaction is open.
# Small enough for a 2-core CI runner: the mechanism is the same for 200k stakes, only slower.
COMPANIES = 2000

State = tuple[dict[str, int], str]


@pytest.fixture(scope="module")
def kill_settings() -> Iterator[Neo4jSettings]:
    if not local_server.is_installed():
        pytest.skip("the local Neo4j is not installed (run the queries tests once first)")
    start_kill_server()
    try:
        yield Neo4jSettings(uri=KILL.bolt_uri, username="neo4j", password=SecretStr(KILL.password()))
    finally:
        local_server.stop(KILL)


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    counts = generate(folder, COMPANIES, seed=11)
    assert counts["stakes"] > 6000
    return folder


def _state(repo: Repository) -> State:
    return repo.counts(), repo.fingerprint()


def _fresh_baseline(repo: Repository) -> State:
    repo.apply_schema()
    repo.wipe()
    load(repo, "registry-csv", BASELINE)
    return _state(repo)


def test_neo4j_killed_mid_load_leaves_before_or_complete(kill_settings: Neo4jSettings, big_folder: Path) -> None:
    driver = connect(kill_settings)
    repo = Repository(driver)
    try:
        before = _fresh_baseline(repo)
        under_way = threading.Event()
        written: list[int] = []
        outcome: list[BaseException | None] = []

        def report(rows: int) -> None:
            written.append(rows)
            under_way.set()

        def run() -> None:
            try:
                load(repo, "registry-csv", big_folder, progress=report)
                outcome.append(None)
            except BaseException as exc:  # whatever the driver raises is the outcome checked below
                outcome.append(exc)

        loader = threading.Thread(target=run, name="load-to-kill")
        loader.start()
        assert under_way.wait(timeout=180), "the load never reported a batch"
        local_server.kill(KILL)  # SIGKILL: no shutdown, no flush; the next batch is in flight
        loader.join(timeout=120)
        assert not loader.is_alive()
        assert written  # the kill came after the first batch, inside the open transaction
        (raised,) = outcome
        assert isinstance(raised, DatabaseUnavailable), repr(raised)
    finally:
        driver.close()

    local_server.start(KILL, timeout=240)  # recovery replays the transaction log
    driver = connect(kill_settings)
    repo = Repository(driver)
    try:
        after_crash = _state(repo)
        load(repo, "registry-csv", big_folder)
        rerun = _state(repo)
    finally:
        driver.close()
    complete = _complete_counts(before[0], big_folder)
    # The transaction died whole (or, had its commit gone through, would be there whole).
    assert after_crash == before or _data_counts(after_crash[0]) == complete
    # Starting from the baseline, the rerun is a clean load: everything of the source is there.
    assert _data_counts(rerun[0]) == complete
    assert rerun[0]["ULTIMATELY_CONTROLLED_BY"] > 0  # control was materialised after the rerun


def _data_counts(counts: dict[str, int]) -> dict[str, int]:
    """The counts a load writes (materialised control relationships left out)."""
    return {k: counts.get(k, 0) for k in ("Entity", "OWNS", "CONTROLS", "ACTS_IN_CONCERT", "LINK")}


def _complete_counts(baseline: dict[str, int], folder: Path) -> dict[str, int]:
    """What baseline + the whole folder must hold, from the parsed records (MERGE keys dedupe)."""
    data = parse("registry-csv", folder)
    base = parse("registry-csv", BASELINE)
    new_ids = {e.id for e in data.entities} - {e.id for e in base.entities}
    expected = _data_counts(baseline)
    expected["Entity"] += len(new_ids)
    expected["OWNS"] += len({s.key for s in data.stakes})
    expected["CONTROLS"] += len({c.key for c in data.controls})
    expected["ACTS_IN_CONCERT"] += len({c.key for c in data.concerts})
    expected["LINK"] += len({lk.key for lk in data.links})
    return expected


# --- the API under a burst of concurrent requests ------------------------------------------------

THREADS = 32
REQUESTS_PER_THREAD = 25
ROUTES = [
    ("GET", "/healthz", None),
    ("GET", "/readyz", None),
    ("GET", "/search?q=华东", None),
    ("GET", "/entities/chain-t", None),
    ("GET", "/entities/chain-t/controllers?as_of=2024-06-30", None),
    ("GET", "/entities/chain-t/owners", None),
    ("GET", "/entities/chain-t/beneficial-owners", None),
    ("GET", "/entities/chain-p/controlled", None),
    ("GET", "/entities/chain-t/graph.json?depth=3", None),
    ("GET", "/entities/chain-t/graph.html", None),
    ("GET", "/common-owners?ids=chain-t&ids=chain-h", None),
    ("GET", "/clusters?founded_from=2000-01-01&founded_to=2024-12-31", None),
    ("POST", "/screen", {"listed": ["scr-l"]}),
    ("GET", "/entities/no-such-id", None),  # 404
    ("GET", "/entities/chain-t/graph.json?depth=1000", None),  # 422
    ("GET", "/search?q=" + "x" * 500, None),  # 422
]


def test_api_burst_answers_no_5xx(live_server: LiveServer) -> None:  # noqa: F811
    def worker(n: int) -> Counter[int]:
        seen: Counter[int] = Counter()
        with httpx.Client(base_url=live_server.base_url, timeout=120) as client:
            for k in range(REQUESTS_PER_THREAD):
                method, path, body = ROUTES[(n * 7 + k) % len(ROUTES)]
                seen[client.request(method, path, json=body).status_code] += 1
        return seen

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = sum(pool.map(worker, range(THREADS)), Counter())
    assert sum(statuses.values()) == THREADS * REQUESTS_PER_THREAD
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 404, 422}, statuses
