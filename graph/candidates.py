"""Candidate matches for review: two entities that share no identifier but may be one, with the evidence.

The pairs come from a blocking step that never compares everything with
everything (the full-text index of names: each entity is compared only with
the few whose names share a token or a pinyin syllable pair with its own);
this module scores a pair. String similarity is rapidfuzz's (maintained, C++
implementations of the Levenshtein-based ratios, thousands of pairs per
millisecond): the best of the token-sort ratio of the normalised names and the
plain ratio of their compact forms (so "fu jian" meets "Fujian"), over each
side's name, English name and first aliases. Persons pair only with persons;
two stated jurisdictions must share their country.

>>> a = Entity("a", "福建示例控股有限公司", "company", jurisdiction="CN-FJ")
>>> b = Entity("b", "Fujian Shili Konggu Co., Ltd.", "company", jurisdiction="CN")
>>> c = score_pair(a, b, min_score=0.8)
>>> c.score, c.evidence[0][1].split(": ")[1]
(1.0, 'fu jian shi li kong gu ~ fujian shili konggu (100)')
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ownergraph.graph.model import Entity
from ownergraph.graph.names import compact, normalise_name

__all__ = ["Candidate", "name_variants", "score_pair"]

MAX_ALIASES = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    a: str  # the smaller id
    b: str
    score: float  # 0..1
    evidence: tuple[tuple[str, str], ...]  # (what, why), the name first


def name_variants(e: Entity) -> list[str]:
    """The names an entity goes by, as stated (name, English name, the first aliases)."""
    return list(dict.fromkeys(n for n in (e.name, e.name_en, *e.aliases[:MAX_ALIASES]) if n))


def _country(jurisdiction: str | None) -> str | None:
    return jurisdiction.split("-")[0].upper() if jurisdiction else None


def score_pair(a: Entity, b: Entity, *, min_score: float) -> Candidate | None:
    """The pair as a candidate with its evidence, or None when it scores below ``min_score`` or cannot match."""
    if a.id == b.id or (a.kind == "person") != (b.kind == "person"):
        return None
    ca, cb = _country(a.jurisdiction), _country(b.jurisdiction)
    if ca and cb and ca != cb:
        return None
    best, shown = 0.0, ("", "", "", "")
    for na in name_variants(a):
        norm_a = normalise_name(na)
        for nb in name_variants(b):
            norm_b = normalise_name(nb)
            if not norm_a or not norm_b:
                continue
            ratio = max(fuzz.token_sort_ratio(norm_a, norm_b), fuzz.ratio(compact(norm_a), compact(norm_b)))
            if ratio > best:
                best, shown = ratio, (na, nb, norm_a, norm_b)
    score = best / 100.0
    evidence = [("name", f"{shown[0]!r} ~ {shown[1]!r}: {shown[2]} ~ {shown[3]} ({best:.0f})")]
    if ca and cb:
        evidence.append(("jurisdiction", f"both {ca}"))
    else:
        score *= 0.95  # a jurisdiction unstated on one side is weaker evidence
        evidence.append(("jurisdiction", f"stated on one side only ({ca or cb})" if ca or cb else "unstated"))
    if a.founded and b.founded:
        if a.founded == b.founded:
            evidence.append(("founded", f"both {a.founded.isoformat()}"))
        else:
            score *= 0.9
            evidence.append(("founded", f"{a.founded.isoformat()} vs {b.founded.isoformat()}"))
    score = round(score, 4)
    if score < min_score:
        return None
    first, second = sorted((a.id, b.id))
    return Candidate(first, second, score, tuple(evidence))
