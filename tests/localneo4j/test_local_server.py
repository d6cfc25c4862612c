"""The local server's pieces that need no running server."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ownergraph.localneo4j import server
from ownergraph.localneo4j.server import PASSWORD_ALPHABET, new_password


def test_new_passwords_are_never_read_as_command_line_options() -> None:
    drawn = [new_password() for _ in range(5000)]
    assert all(len(p) == 24 for p in drawn)
    assert all(set(p) <= set(PASSWORD_ALPHABET) for p in drawn)
    assert not any(p.startswith("-") for p in drawn)
    assert len(set(drawn)) == len(drawn)


# --- the password, the files, the pid: no running server needed ---------------------------------
@pytest.fixture
def throwaway_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home of its own, sharing the installed server jars of the real one (read only)."""
    real_lib = server.lib_dir()
    monkeypatch.setenv("OWNERGRAPH_HOME", str(tmp_path / "home"))
    if real_lib.exists():
        (tmp_path / "home" / "neo4j").mkdir(parents=True)
        (tmp_path / "home" / "neo4j" / "lib").symlink_to(real_lib)
    return tmp_path / "home"


def test_preparing_a_fresh_home_installs_the_server_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first bulk import prepares an instance before any start: the admin tool must be there."""
    monkeypatch.setenv("OWNERGRAPH_HOME", str(tmp_path / "home"))
    assert not server.is_installed()
    instance = server.Instance("fresh", bolt_port=29787, http_port=29574)
    server.prepare(instance)  # from Maven's local repository once the suite's server was fetched
    assert server.is_installed()
    assert len(instance.password()) == 24
    assert (instance.root / "data" / "dbms" / "auth.ini").is_file()


def _shiro_sha256(password: str, salt_hex: str, iterations: int) -> str:
    """Neo4j's stored credential: SHA-256 over salt + password, then rehashed (Apache Shiro's SimpleHash)."""
    digest = hashlib.sha256(bytes.fromhex(salt_hex) + password.encode()).digest()
    for _ in range(iterations - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


def _command_lines() -> list[bytes]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                found.append(Path(f"/proc/{pid}/cmdline").read_bytes())
    return found


def test_initial_password_never_on_a_command_line_and_private(throwaway_home: Path) -> None:
    if not server.is_installed():
        pytest.skip("the server jars are not installed")
    instance = server.Instance("pwtest", bolt_port=29687, http_port=29474)
    seen: list[bytes] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.extend(c for c in _command_lines() if b"AdminTool" in c)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        server.prepare(instance)
    finally:
        done.set()
        watcher.join(timeout=5)
    password = instance.password()
    assert seen, "the admin tool's command line was never sampled"
    assert not any(password.encode() in c for c in seen)
    assert instance.password_file.stat().st_mode & 0o777 == 0o600
    assert (instance.root / "conf" / "neo4j.conf").stat().st_mode & 0o777 == 0o600
    assert instance.root.stat().st_mode & 0o777 == 0o700
    assert not (instance.root / "password.pending").exists()
    # The tool stored a hash of exactly the password in the file (not of the "@file" argument).
    user, credential, *_ = (instance.root / "data" / "dbms" / "auth.ini").read_text().strip().split(":")
    algorithm, hashed, salt, iterations = credential.split(",")
    assert (user, algorithm) == ("neo4j", "SHA-256")
    assert _shiro_sha256(password, salt, int(iterations)) == hashed


def test_private_files_are_private_from_the_start(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_text("old")
    target.chmod(0o644)
    server.write_private(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o600


def _pretend_server(home_dir: Path) -> subprocess.Popen[bytes]:
    """A process whose command line looks like a Neo4j server's, with the given home folder."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", server.ENTRY_POINT,
                             f"--home-dir={home_dir}"])


def test_stop_never_signals_another_instance_s_server(throwaway_home: Path) -> None:
    instance = server.Instance("stoptest", bolt_port=29787, http_port=29574)
    instance.pid_file.parent.mkdir(parents=True)
    other = _pretend_server(throwaway_home / "instances" / "another")
    try:
        time.sleep(0.3)
        instance.pid_file.write_text(str(other.pid))  # a stale pid file naming another instance's server
        assert server.running_pid(instance) is None
        assert server.stop(instance, timeout=2) is False
        assert other.poll() is None  # untouched
    finally:
        other.kill()
        other.wait()


def test_stop_signals_this_instance_s_server(throwaway_home: Path) -> None:
    instance = server.Instance("stoptest", bolt_port=29787, http_port=29574)
    instance.pid_file.parent.mkdir(parents=True)
    mine = _pretend_server(instance.root)
    try:
        time.sleep(0.3)
        instance.pid_file.write_text(str(mine.pid))
        assert server.running_pid(instance) == mine.pid
        started = time.monotonic()
        assert server.stop(instance, timeout=5) is True
        assert time.monotonic() - started < 5
        assert mine.wait(timeout=5) is not None
    finally:
        if mine.poll() is None:
            mine.kill()
            mine.wait()


def test_memory_guard_is_on() -> None:
    config = server._config(server.Instance("cfg", bolt_port=1, http_port=2, heap="2g"))
    assert "db.memory.transaction.total.max=1638m" in config
    assert "total.max=0" not in config


def test_read_budgets_are_checked_every_100_ms() -> None:
    config = server._config(server.Instance("cfg", bolt_port=1, http_port=2, heap="2g"))
    assert "db.transaction.monitor.check.interval=100ms" in config
