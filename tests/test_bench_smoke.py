"""The benchmark suite runs end to end in its small mode (a smoke test: how fast is not checked here).

Runs ``python -m bench.run --companies 10000 --quick`` in a subprocess, the way
CI calls it, with results written to a temporary folder so the committed
``bench/results.json`` stays as the last full run left it. Uses the suite's
own Neo4j instance (``bench``, ports 27687/27474), which the suite wipes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import REQUIRED_KEYS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.neo4j
def test_bench_quick_mode_writes_every_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--companies", "10000", "--quick", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    notes = results.get("notes", {})
    for key in REQUIRED_KEYS:
        assert key in results, key
        value = results[key]
        if value is None:
            assert notes.get(key), f"{key} is null without a reason in notes"
        else:
            assert not isinstance(value, bool), key
            assert isinstance(value, int | float), (key, value)
    assert results["companies"] == 10_000
    assert results["machine"]["cores"] >= 1
    assert results["machine"]["memory_gb"] > 0
    assert {"python", "neo4j_server", "neo4j_driver"} <= set(results["versions"])
    assert results["graph_counts"]["OWNS"] == results["stakes"]
    assert (tmp_path / "results.md").read_text(encoding="utf-8").count("|") > 20
