"""Load the .cypher files once into constants.

A file's header comment holds ``:param`` lines for the Neo4j Browser; the
statement is the rest. ``schema.cypher`` holds several statements separated
by ``;``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).parent


@cache
def statement(name: str) -> str:
    """The statement of ``queries/NAME.cypher`` without its comment lines."""
    text = (CYPHER_DIR / f"{name}.cypher").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def statements(name: str) -> list[str]:
    """The ``;``-separated statements of a file such as schema.cypher."""
    return [s.strip() for s in statement(name).split(";") if s.strip()]


def all_files() -> list[Path]:
    """Every .cypher file the package ships (for the EXPLAIN test)."""
    return sorted(CYPHER_DIR.rglob("*.cypher"))
