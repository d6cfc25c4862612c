"""Clustering of source records into entities (graph/resolution.py), without a database."""

from ownergraph.graph.resolution import Judgement, Unit, cluster


def test_each_cluster_keeps_its_own_evidence_in_the_order_found() -> None:
    units = [
        Unit("a1", ("LEI:A",), "a1"), Unit("a2", ("LEI:A", "GB-COH:1"), None), Unit("a3", ("GB-COH:1",), None),
        Unit("b1", ("USCC:B",), "b1"), Unit("b2", ("USCC:B",), "b2"),
        Unit("c1", ("WIKIDATA:Q1",), None), Unit("c2", (), None),
        Unit("d1", ("USCC:D",), "d1"), Unit("d2", ("USCC:D",), None),
    ]
    clusters, blocked = cluster(units, [Judgement("c1", "c2", "positive"), Judgement("d1", "d2", "negative")])
    found = {c.canonical: (c.members, c.evidence) for c in clusters}
    assert found == {
        "a1": (("a1", "a2", "a3"), (("a2", "a3", "GB-COH:1"), ("a1", "a2", "LEI:A"))),
        "b1": (("b1", "b2"), (("b1", "b2", "USCC:B"),)),
        "c1": (("c1", "c2"), (("c1", "c2", "judgement"),)),
        "d1": (("d1",), ()),
        "d2": (("d2",), ()),
    }
    assert [(b.a, b.b, b.why) for b in blocked] == [("d1", "d2", "USCC:D")]
