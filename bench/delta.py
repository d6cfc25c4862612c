"""A day's change to a generated registry, as a registry-csv delta folder.

New companies under existing groups (two owners each, one of them a big
holder), changed shares of existing stakes and stakes that end today: the shape
of a daily feed, with the ids of its owners already in the graph.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date
from pathlib import Path

from ownergraph.graph.model import Dataset, Stake


def write_delta(
    data: Dataset, folder: Path, *, stakes: int, seed: int, today: date, prefix: str = "D"
) -> dict[str, int]:
    """Write ``folder/entities.csv`` and ``folder/ownership.csv``: about ``stakes`` rows, 60% of them
    new companies' stakes, 20% changed shares, 20% stakes ending ``today``."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {e.id: e.kind for e in data.entities}
    holders = Counter(s.owner_id for s in data.stakes)
    groups = [i for i, _ in holders.most_common(2_000) if kinds.get(i) in ("company", "state_body")]
    owners = [e.id for e in data.entities if e.kind in ("company", "person")]
    # One changed or ended row per company, at most: the rows of one load must not sum above 100%.
    once: dict[str, Stake] = {}
    for s in data.stakes:
        if s.share.exact is not None and not s.part and s.end is None and (s.start is None or s.start < today):
            once.setdefault(s.owned_id, s)
    exact = list(once.values())
    new_companies = int(stakes * 0.6) // 2
    changed = rnd.sample(exact, min(len(exact), int(stakes * 0.2)))
    taken = {id(s) for s in changed}
    ended = rnd.sample([s for s in exact if id(s) not in taken], min(len(exact) - len(changed), int(stakes * 0.2)))
    rows: list[list[str]] = []
    entities: list[list[str]] = []
    for i in range(new_companies):
        company = f"{prefix}{today:%Y%m%d}{i:06d}"
        entities.append([company, f"Delta company {i}", "company", "CN", today.isoformat()])
        group, other = rnd.choice(groups), rnd.choice(owners)
        while other == group:
            other = rnd.choice(owners)
        share = rnd.choice([51, 60, 70, 30, 45])
        rows.append([group, company, str(share), today.isoformat(), ""])
        rows.append([other, company, str(100 - share), today.isoformat(), ""])
    for s in changed:
        rows.append(_row(s, share=max(1.0, round((s.share.exact or 0) * 100 * rnd.choice([0.5, 0.8, 0.9]), 2))))
    for s in ended:
        rows.append(_row(s, share=round((s.share.exact or 0) * 100, 4), end=today))
    with (folder / "entities.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "kind", "jurisdiction", "founded"])
        writer.writerows(entities)
    with (folder / "ownership.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["owner_id", "owned_id", "share", "start", "end"])
        writer.writerows(rows)
    return {"new_companies": new_companies, "stakes": len(rows), "changed": len(changed), "ended": len(ended)}


def _row(s: Stake, *, share: float, end: date | None = None) -> list[str]:
    return [s.owner_id, s.owned_id, f"{min(share, 100.0):g}", s.start.isoformat() if s.start else "",
            end.isoformat() if end else ""]
