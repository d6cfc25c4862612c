"""A Neo4j Browser guide (``:play URL``) made from the ready questions in ``queries/browser/``."""

from __future__ import annotations

import html
import json
from pathlib import Path

from ownergraph.queries.cypher import CYPHER_DIR

BROWSER_DIR = CYPHER_DIR / "browser"


def ready_questions() -> list[Path]:
    return sorted(BROWSER_DIR.glob("*.cypher"))


def split_question(path: Path) -> tuple[str, list[str], str]:
    """(title, :param lines, statement) of one ready question."""
    title = ""
    params: list[str] = []
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("// :param"):
            params.append(stripped.removeprefix("//").strip())
        elif stripped.startswith("//"):
            title = title or stripped.removeprefix("//").strip()
        else:
            body.append(line)
    return title, params, "\n".join(body).strip()


def guide_html(entity_id: str | None = None) -> str:
    """The guide: one slide per ready question, each with runnable :param and query blocks.

    With ``entity_id``, only the questions about one entity, their ``id`` parameter set to it
    (the explorer links each entity to this). The id is a JSON string, a valid Cypher literal.
    """
    slides = []
    for path in ready_questions():
        title, params, query = split_question(path)
        if entity_id is not None:
            if not any(p.startswith(":param id =>") for p in params):
                continue
            params = [f":param id => {json.dumps(entity_id, ensure_ascii=False)}" if p.startswith(":param id =>")
                      else p for p in params]
        blocks = "".join(
            f'<pre mode="cypher" class="pre-scrollable code runnable">{html.escape(p)}</pre>' for p in params
        )
        slides.append(
            '<slide class="row-fluid"><div class="col-sm-12">'
            f"<h3>{html.escape(title)}</h3><p>Set the parameters, then run the query "
            f"(<code>queries/browser/{html.escape(path.name)}</code>).</p>{blocks}"
            f'<pre mode="cypher" class="pre-scrollable code runnable">{html.escape(query)}</pre>'
            "</div></slide>"
        )
    heading = ("ownergraph: who really controls this company?" if entity_id is None
               else f"ownergraph: questions about {html.escape(entity_id)}")
    return (
        '<article class="guide"><carousel class="deck container-fluid">'
        f'<slide class="row-fluid"><div class="col-sm-12"><h3>{heading}</h3>'
        "<p>Ready questions on the ownership graph. Control answers come from the materialised "
        "<code>ULTIMATELY_CONTROLLED_BY</code> and <code>CONTROLLED_BY</code> relationships, "
        "recomputed after every load; each source's record of an entity hangs beside it as a "
        "<code>(:SourceRecord)-[:RECORD_OF]-&gt;(:Entity)</code>.</p></div></slide>"
        + "".join(slides)
        + "</carousel></article>"
    )
