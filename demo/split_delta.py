"""Split the demo into a base without the two December-2024 project companies and a delta holding them.

    python3 demo/split_delta.py OUT      # writes OUT/base and OUT/delta (registry-csv folders)

Loading the base, watching the two groups, then loading the delta replays how
the Qinghai story would reach an analyst: as the day's new companies.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent / "data"
PROJECTS = {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}


def split(out: Path, moved: set[str] = PROJECTS, demo: Path = DEMO) -> tuple[Path, Path]:
    """OUT/base and OUT/delta: every row naming a ``moved`` id goes to the delta."""
    base, delta = out / "base", out / "delta"
    base.mkdir(parents=True, exist_ok=True)
    delta.mkdir(parents=True, exist_ok=True)
    for name in ("entities.csv", "ownership.csv", "control.csv", "concert.csv"):
        source = demo / name
        if not source.exists():
            continue
        with source.open(encoding="utf-8-sig", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        kept, taken = [r for r in rows if not moved & set(r)], [r for r in rows if moved & set(r)]
        for target, chosen in ((base, kept), (delta, taken)):
            with (target / name).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(chosen)
    return base, delta


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for folder in split(Path(sys.argv[1])):
        print(folder)
