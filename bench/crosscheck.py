"""The columnar whole-graph pass against the engine on a generated registry: every entity's answer.

    python -m bench.crosscheck [--companies 100000] [--ruleset majority]

Parses the registry (generated and cached as ``bench.run`` does), runs
``graph.control.bulk_control_relation`` (the engine) and
``graph.columnar.bulk_answers`` on the same records, and compares status,
definite and possible ultimate controllers, groups and every definite
controller of each entity. Prints the times and the number of differences;
exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from ownergraph.graph.columnar import Columns, bulk_answers
from ownergraph.graph.control import bulk_control_relation
from ownergraph.graph.model import Dataset
from ownergraph.graph.params import ControlParams

AS_OF = date(2025, 6, 30)


def compare(data: Dataset, params: ControlParams) -> dict[str, Any]:
    """Times of both passes and the entities whose answers differ (none when they agree)."""
    t0 = time.perf_counter()
    summaries, controllers = bulk_control_relation(data, params)
    engine_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    answers = bulk_answers(Columns.from_dataset(data), params)
    columnar_s = time.perf_counter() - t0
    got, every = answers.summaries(), answers.controllers()
    differ = sorted(k for k in summaries.keys() | got.keys()
                    if summaries.get(k) != got.get(k) or controllers.get(k) != every.get(k))
    return {"entities": len(summaries), "differ": len(differ), "first_differences": differ[:10],
            "engine_s": round(engine_s, 2), "columnar_with_columns_s": round(columnar_s, 2)}


def main(argv: Sequence[str] | None = None) -> None:
    from bench.run import registry
    from ownergraph.pipeline import parse

    parser = argparse.ArgumentParser(prog="python -m bench.crosscheck", description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--ruleset", default="majority")
    parser.add_argument("--folder", type=Path, help="a registry-csv folder instead of the generated one")
    args = parser.parse_args(argv)
    folder = args.folder or registry(args.companies, 1, print)[0]
    result = compare(parse("registry-csv", folder), ControlParams(AS_OF, args.ruleset))
    print(json.dumps(result, indent=2))
    sys.exit(1 if result["differ"] else 0)


if __name__ == "__main__":
    main()
