"""Names across scripts and candidate scoring (pure): transliteration, legal forms, what never pairs."""

from __future__ import annotations

from datetime import date

import pytest

from ownergraph.graph.candidates import score_pair
from ownergraph.graph.model import Entity
from ownergraph.graph.names import normalise_name, search_terms
from ownergraph.graph.resolution import Judgement, Unit, cluster


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Acme Holdings Co., Ltd.", "acme holdings"),
        ("ACME HOLDINGS LIMITED", "acme holdings"),
        ("Acme Holdings LLC", "acme holdings"),
        ("Société Générale S.A.", "societe generale"),
        ("北京字节跳动科技有限公司", "bei jing zi jie tiao dong ke ji"),
        ("重庆示例股份有限公司", "chong qing shi li"),  # the phrase dictionary: 重庆 is chong qing
        ("ＡＣＭＥ　Ｈｏｌｄｉｎｇｓ", "acme holdings"),  # full-width letters fold
    ],
)
def test_normalise_name(name: str, normal: str) -> None:
    assert normalise_name(name) == normal


def test_pinyin_syllable_pairs_are_search_terms() -> None:
    assert "beijing" in search_terms("北京字节跳动科技有限公司")


def test_score_across_scripts_and_legal_forms() -> None:
    cn = Entity("a", "北京字节跳动科技有限公司", "company", jurisdiction="CN-BJ")
    en = Entity("b", "Beijing Zijie Tiaodong Keji Co., Ltd.", "company", jurisdiction="CN")
    c = score_pair(cn, en, min_score=0.8)
    assert c is not None
    assert c.score == 1.0
    assert c.evidence[1] == ("jurisdiction", "both CN")


def test_what_never_pairs() -> None:
    acme = Entity("a", "Acme Ltd", "company", jurisdiction="GB")
    assert score_pair(acme, Entity("b", "Acme Ltd", "company", jurisdiction="US"), min_score=0.5) is None
    assert score_pair(acme, Entity("b", "Acme Ltd", "person", jurisdiction="GB"), min_score=0.5) is None
    assert score_pair(acme, Entity("b", "Zenith Ltd", "company", jurisdiction="GB"), min_score=0.8) is None


def test_other_founding_dates_weaken_the_score() -> None:
    a = Entity("a", "Acme Ltd", "company", jurisdiction="GB", founded=date(2001, 1, 1))
    same = score_pair(a, Entity("b", "Acme Limited", "company", jurisdiction="GB", founded=date(2001, 1, 1)),
                      min_score=0.0)
    other = score_pair(a, Entity("b", "Acme Limited", "company", jurisdiction="GB", founded=date(2009, 1, 1)),
                       min_score=0.0)
    assert same is not None
    assert other is not None
    assert other.score < same.score


def test_cluster_invariants_and_judgements() -> None:
    units = [Unit("a", ("LEI:X",), "a"), Unit("b", ("LEI:X", "GB-COH:1"), None), Unit("c", ("GB-COH:1",), "c"),
             Unit("d", (), None)]
    clusters, blocked = cluster(units, [])
    assert [(c.canonical, c.members) for c in clusters] == [("a", ("a", "b", "c")), ("d", ("d",))]
    # a negative judgement keeps c apart whatever it shares; a positive one joins d without any identifier
    clusters, blocked = cluster(units, [Judgement("a", "c", "negative"), Judgement("d", "a", "positive")])
    members = sorted(c.members for c in clusters)
    assert members in ([("a", "b", "d"), ("c",)], [("a", "d"), ("b", "c")])
    assert blocked
    # the order of the units does not change the answer
    again, _ = cluster(list(reversed(units)), [Judgement("d", "a", "positive"), Judgement("a", "c", "negative")])
    assert [c.members for c in again] == [c.members for c in clusters]
