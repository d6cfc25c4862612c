"""A non-editable install: one ``ownergraph`` namespace, its data files, a working command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _install(source: Path, target: Path) -> None:
    """A copy of the tracked files (the build leaves its own files behind), installed into ``target``."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )


def test_install_holds_one_namespace_and_runs(tmp_path: Path) -> None:
    target = tmp_path / "site"
    _install(tmp_path / "source", target)
    top = {p.name for p in target.iterdir() if not p.name.endswith((".dist-info", ".egg-info"))}
    assert top - {"bin", "__pycache__"} == {"ownergraph"}  # no graph, api, loaders or queries beside it
    package = target / "ownergraph"
    assert (package / "queries" / "read_upstream.cypher").is_file()
    assert (package / "queries" / "browser" / "01_find_entity.cypher").is_file()
    assert (package / "localneo4j" / "neo4j-pom.xml").is_file()
    assert (package / "api" / "routers" / "control.py").is_file()
    for name in ("templates/explorer.html", "static/explorer/explorer.js", "static/explorer/explorer.css"):
        assert (package / "api" / name).is_file()  # the explorer's page, script and style
    assert (package / "api" / "static" / "docs" / "swagger-init.js").is_file()

    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("OWNERGRAPH_HOME", None)
    code = "import sys; from ownergraph.cli import app; sys.argv = ['ownergraph', *sys.argv[1:]]; app()"
    shown = subprocess.run([sys.executable, "-c", code, "--help"], cwd=work, env=env, capture_output=True,
                           text=True, check=True).stdout
    for command in ("search", "entity", "controllers", "owners", "beneficial-owners", "controlled",
                    "common-owners", "clusters", "screen", "load", "neo4j", "serve"):
        assert command in shown
    where = subprocess.run(
        [sys.executable, "-c", "import ownergraph, ownergraph.localneo4j.server as s; print(ownergraph.__file__);"
         "print(s.home()); print(s.lib_dir())"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(target)  # the installed copy, not the checkout
    assert Path(where[1]) == work.resolve() / ".ownergraph"
    assert Path(where[2]).is_relative_to(work.resolve())  # the server's files never inside site-packages
