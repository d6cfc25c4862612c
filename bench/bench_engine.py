"""Time and peak memory of the whole-graph control pass (``graph.control.bulk_control``).

Generates a random ownership graph shaped like a company registry: about
three stakes per company, owners mostly persons and older companies (shallow
chains), a few interval/unknown shares, a few CONTROLS and concert edges,
and a tiny cyclic core of cross-holdings.

    .venv/bin/python bench/bench_engine.py --companies 100000
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import date

from ownergraph.graph.control import bulk_control
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.graph.params import ControlParams

AS_OF = date(2024, 6, 30)


def random_dataset(companies: int, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    persons = companies // 2
    ents = [Entity(f"p{i}", f"Person {i}", "person") for i in range(persons)]
    ents += [Entity(f"c{i}", f"Company {i}", "company") for i in range(companies)]
    stakes: list[Stake] = []
    for i in range(companies):
        k = rng.choice((1, 2, 3, 3, 4, 5))
        cuts = sorted(rng.random() for _ in range(k - 1))
        parts = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
        owners: set[str] = set()
        for part in parts:
            if i > 10 and rng.random() < 0.4:
                owner = f"c{rng.randrange(max(0, i - 5000), i)}"  # an older company: shallow chains
            else:
                owner = f"p{rng.randrange(persons)}"
            if owner in owners:
                continue
            owners.add(owner)
            r = rng.random()
            if r < 0.05:
                share = Share()
            elif r < 0.10:
                share = Share(minimum=round(part * 0.8, 4), maximum=round(min(1.0, part * 1.2), 4))
            else:
                share = Share(exact=round(part, 6))
            stakes.append(Stake(owner, f"c{i}", share))
    # a tiny cyclic core: 20 rings of 3 companies holding each other
    for _ in range(20):
        ring = [f"c{rng.randrange(companies)}" for _ in range(3)]
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            if a != b:
                stakes.append(Stake(a, b, Share(exact=0.3)))
    controls = [
        Control(f"p{rng.randrange(persons)}", f"c{rng.randrange(companies)}", "agreement")
        for _ in range(companies // 100)
    ]
    concerts = [Concert(f"p{rng.randrange(persons)}", f"p{rng.randrange(persons)}") for _ in range(companies // 1000)]
    return Dataset(entities=ents, stakes=stakes, controls=controls, concerts=concerts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--ruleset", default="majority")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = random_dataset(args.companies)
    t1 = time.perf_counter()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c1 = time.process_time()
    result = bulk_control(data, ControlParams(AS_OF, args.ruleset))
    c2 = time.process_time()
    t2 = time.perf_counter()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statuses: dict[str, int] = {}
    for summary in result.values():
        statuses[summary.status] = statuses.get(summary.status, 0) + 1
    print(f"entities {len(data.entities):,}  stakes {len(data.stakes):,}  generated in {t1 - t0:.1f} s")
    # CPU time is the figure to compare on a shared machine; wall time is shown beside it.
    print(f"bulk_control ({args.ruleset}): {c2 - c1:.2f} s CPU, {t2 - t1:.2f} s wall")
    print(f"peak RSS {rss1 / 1024:.0f} MiB (after generation {rss0 / 1024:.0f} MiB)")
    print("statuses", dict(sorted(statuses.items())))


if __name__ == "__main__":
    main()
