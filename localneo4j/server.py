"""A local Neo4j Community server that installs itself from Maven Central.

The server's jars (and the Neo4j Browser) are fetched once with
``mvn dependency:copy-dependencies`` on ``neo4j-pom.xml`` into
``.ownergraph/neo4j/lib``; each instance (``main`` for users, ``test`` for
the test suite) has its own configuration, data, logs, ports and a random
password under ``.ownergraph/instances/NAME``. The server binds to 127.0.0.1
only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

NEO4J_VERSION = "5.26.30"
BROWSER_VERSION = "5.24.0"
POM = Path(__file__).with_name("neo4j-pom.xml")
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


class LocalServerError(RuntimeError):
    """The local server could not be installed, started or stopped."""


def home() -> Path:
    """The local server's home: ``OWNERGRAPH_HOME``, else ``.ownergraph`` in the working directory.

    Never inside the installed package: a ``pip install`` keeps its code and the
    user's data apart.
    """
    env = os.environ.get("OWNERGRAPH_HOME")
    return Path(env).resolve() if env else Path.cwd().resolve() / ".ownergraph"


@dataclass(frozen=True)
class Instance:
    """One local server: its folder and ports."""

    name: str
    bolt_port: int
    http_port: int
    heap: str = "2g"
    pagecache: str = "1g"

    @property
    def root(self) -> Path:
        return home() / "instances" / self.name

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def pid_file(self) -> Path:
        return self.root / "run" / "server.pid"

    def password(self) -> str:
        return self.password_file.read_text(encoding="utf-8").strip()


MAIN = Instance("main", bolt_port=7687, http_port=7474)
TEST = Instance("test", bolt_port=17687, http_port=17474, heap="2g", pagecache="512m")


def test_instance() -> Instance:
    """The test server; OWNERGRAPH_TEST_INSTANCE=N (1-9) picks a parallel one (ports +N*100,
    clear of the throwaway servers some tests start on 18687, 21687, 27687 and 28687)."""
    n = int(os.environ.get("OWNERGRAPH_TEST_INSTANCE", "0"))
    if n == 0:
        return TEST
    return Instance(f"test{n}", TEST.bolt_port + 100 * n, TEST.http_port + 100 * n, TEST.heap, TEST.pagecache)


def lib_dir() -> Path:
    return home() / "neo4j" / "lib"


def is_installed() -> bool:
    lib = lib_dir()
    return (lib / f"neo4j-{NEO4J_VERSION}.jar").exists() and (
        lib / f"neo4j-browser-{BROWSER_VERSION}.jar"
    ).exists()


def install(quiet: bool = True) -> Path:
    """Fetch the server and the Browser from Maven Central (once)."""
    lib = lib_dir()
    if is_installed():
        return lib
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise LocalServerError("installing Neo4j needs Java 17+ and Maven ('java', 'mvn' on PATH)")
    tmp = lib.with_name("lib.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmd = [
        "mvn",
        "-B",
        *(["-q"] if quiet else []),
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={tmp}",
    ]
    done = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stdout or "")[-2000:] + (done.stderr or "")[-2000:]
        raise LocalServerError(f"Maven could not fetch Neo4j {NEO4J_VERSION}:\n{tail}")
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)  # the folder appears whole or not at all
    return lib


def _config(instance: Instance) -> str:
    root = instance.root
    return "\n".join(
        [
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{instance.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{instance.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{instance.http_port}",
            f"server.http.advertised_address=127.0.0.1:{instance.http_port}",
            "server.https.enabled=false",
            f"server.directories.data={root / 'data'}",
            f"server.directories.logs={root / 'logs'}",
            f"server.directories.run={root / 'run'}",
            f"server.directories.import={root / 'import'}",
            f"server.memory.heap.initial_size={instance.heap}",
            f"server.memory.heap.max_size={instance.heap}",
            f"server.memory.pagecache.size={instance.pagecache}",
            "dbms.usage_report.enabled=false",
            # the Browser may :play the project's guide served by the local API. Neo4j 5.26 still
            # declares this setting under its old name (strict validation refuses "..._allowlist"),
            # and Browser 5.24 reads exactly this key from the server's settings.
            "browser.remote_content_hostname_whitelist=localhost,127.0.0.1",
            "client.allow_telemetry=false",  # the Browser then sends no product analytics
            "dbms.security.auth_enabled=true",
            # The memory guard: all transactions together stay below this share of the heap, so one runaway
            # read fails alone instead of taking the server down. Loads are single large transactions
            # (atomic per load): the share leaves them most of the heap.
            f"db.memory.transaction.total.max={transaction_memory(instance.heap)}",
            # A read's time budget (the driver's transaction timeout) is enforced by a monitor thread; at
            # its default period of 2 s a read could overrun a 4 s budget by half.
            "db.transaction.monitor.check.interval=100ms",
            "",
        ]
    )


TRANSACTION_SHARE = 0.8  # of the heap, for all transactions together (Neo4j's own default is 0.7)


def transaction_memory(heap: str) -> str:
    """The memory guard's limit for a heap size given as Neo4j writes it (``2g``, ``512m``).

    >>> transaction_memory("2g"), transaction_memory("512m")
    ('1638m', '409m')
    """
    units = {"k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}
    size = heap.strip().lower()
    megabytes = float(size[:-1]) * units[size[-1]] if size[-1:] in units else float(size) / 1024 / 1024
    return f"{max(64, int(megabytes * TRANSACTION_SHARE))}m"


def _java_env(instance: Instance) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(instance.root)
    env["NEO4J_CONF"] = str(instance.root / "conf")
    return env


def _classpath() -> str:
    return str(lib_dir() / "*")


PASSWORD_ALPHABET = string.ascii_letters + string.digits


def new_password(length: int = 24) -> str:
    """A random password the admin tool takes as a parameter, never as an option.

    Letters and digits only: a leading ``-`` (possible in URL-safe tokens)
    would be read by the command line as an option.
    """
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only from the moment it exists (no chmod after)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # an older file of that name keeps its mode through O_TRUNC
        out.write(text)


def prepare(instance: Instance) -> None:
    """Write the configuration and, on first use, a random initial password.

    The password never appears on a command line (``ps`` shows those to every user): the admin tool
    reads it from an argument file (``@file``), private like every file written here.
    """
    install()  # the admin tool sets the password: a first bulk import prepares before any start
    root = instance.root
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("conf", "data", "logs", "run", "import"):
        (root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(root / "conf" / "neo4j.conf", _config(instance))
    if instance.password_file.exists():
        return
    password = new_password()
    # Written next to the password file, renamed onto it once the tool has taken it: a failed run
    # leaves no password file behind, so the next start sets one again.
    pending = instance.password_file.with_name("password.pending")
    write_private(pending, password + "\n")
    try:
        done = subprocess.run(
            ["java", "-cp", _classpath(), ADMIN_TOOL, "dbms", "set-initial-password", f"@{pending}"],
            env=_java_env(instance),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise LocalServerError(f"could not set the initial password: {done.stderr[-2000:]}")
        pending.rename(instance.password_file)
    finally:
        pending.unlink(missing_ok=True)


def running_pid(instance: Instance) -> int | None:
    """The server's pid when its process is alive."""
    try:
        pid = int(instance.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    if _is_zombie(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    # Empty while the launcher execs; otherwise it must be this instance's server: a stale pid file
    # may name a pid since recycled by another program, or by the server of another instance.
    if cmdline and not _serves(cmdline, instance):
        return None
    return pid


def _serves(cmdline: bytes, instance: Instance) -> bool:
    """The command line (NUL-separated) is a Neo4j server whose home folder is this instance's."""
    args = cmdline.split(b"\0")
    return ENTRY_POINT.encode() in args and f"--home-dir={instance.root}".encode() in args


def _is_zombie(pid: int) -> bool:
    """An ended child of this process lingers until reaped: reap it and call it dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state != "Z":
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def is_up(instance: Instance) -> bool:
    return running_pid(instance) is not None and port_open(instance.bolt_port)


def start(instance: Instance = MAIN, timeout: float = 120.0) -> bool:
    """Install if needed and start; returns False when it was already running."""
    if is_up(instance):
        return False
    install()
    prepare(instance)
    proc: subprocess.Popen[bytes] | None = None
    if running_pid(instance) is None:
        for port in (instance.bolt_port, instance.http_port):
            if port_open(port):
                raise LocalServerError(
                    f"port {port} on 127.0.0.1 is taken by another program; "
                    "stop it, or set NEO4J_URI to use that server"
                )
        log = (instance.root / "logs" / "console.log").open("ab")
        proc = subprocess.Popen(
            [
                "java",
                f"-Xmx{instance.heap}",
                "-XX:+UseG1GC",
                "-cp",
                _classpath(),
                ENTRY_POINT,
                f"--home-dir={instance.root}",
                f"--config-dir={instance.root / 'conf'}",
            ],
            env=_java_env(instance),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the command that started it
        )
        write_private(instance.pid_file, str(proc.pid))
    _wait_for_bolt(instance, timeout, proc)
    return True


def _exited(instance: Instance, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:
        return proc.poll() is not None  # our own child: its exit status is the truth
    return running_pid(instance) is None


def _wait_for_bolt(instance: Instance, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _exited(instance, proc):
            raise LocalServerError(
                f"Neo4j exited during start; see {instance.root / 'logs' / 'neo4j.log'}"
            )
        if port_open(instance.bolt_port) and port_open(instance.http_port):
            return
        time.sleep(0.25)
    raise LocalServerError(f"Neo4j did not answer on {instance.bolt_uri} within {timeout:.0f} s")


def stop(instance: Instance = MAIN, timeout: float = 60.0) -> bool:
    """Stop the server and wait for its process to end; False when it was not running."""
    pid = running_pid(instance)
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(instance) is not None:
        time.sleep(0.2)
    if running_pid(instance) is not None:
        os.kill(pid, signal.SIGKILL)
        _wait_gone(instance, KILL_WAIT)
    instance.pid_file.unlink(missing_ok=True)
    return True


KILL_WAIT = 30.0  # seconds for the kernel to end a SIGKILLed process (longer: it is stuck in the kernel)


def _wait_gone(instance: Instance, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while running_pid(instance) is not None:
        if time.monotonic() > deadline:
            raise LocalServerError(f"the server of {instance.root} did not end within {timeout:.0f} s of SIGKILL")
        time.sleep(0.05)


def store_path(instance: Instance, database: str = "neo4j") -> Path:
    """Where the store files of one database of an instance live."""
    return instance.root / "data" / "databases" / database


def delete_store(instance: Instance, database: str = "neo4j") -> None:
    """Stop the server and delete one database's store and transaction logs: the next start
    finds it empty. Seconds, where a DETACH DELETE of a national graph takes minutes."""
    stop(instance)
    for folder in (store_path(instance, database), instance.root / "data" / "transactions" / database):
        if folder.exists():
            shutil.rmtree(folder)


def kill(instance: Instance) -> None:
    """SIGKILL, for fault-injection tests: no clean shutdown."""
    pid = running_pid(instance)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
        _wait_gone(instance, KILL_WAIT)
    instance.pid_file.unlink(missing_ok=True)
