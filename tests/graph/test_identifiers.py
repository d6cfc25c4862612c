"""Identifiers: normal forms and check digits per scheme; invalid ones never become merge keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergraph.graph.identifiers import entity_identifiers, merge_keys, normalise, scheme_name
from ownergraph.graph.model import Entity
from ownergraph.loaders.bods import parse_bods
from ownergraph.loaders.ftm import parse_ftm

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("XI-LEI", " 5493001kjtiigc8y1r12 ", ("LEI", "5493001KJTIIGC8Y1R12")),
        ("USCC", "91350100m000100y43", ("USCC", "91350100M000100Y43")),
        ("CN-SAMR", "91350100M000100Y43", ("USCC", "91350100M000100Y43")),
        ("GB-COH", "2723534", ("GB-COH", "02723534")),
        ("GB-COH", "sc123456", ("GB-COH", "SC123456")),
        ("SK-ORSR", "35 757 442", ("SK-ORSR", "35757442")),
        ("DK-CVR", "13585628", ("DK-CVR", "13585628")),
        ("FI-PRO", "2077474-0", ("FI-PRO", "20774740")),
        ("OPENCORPORATES", "https://opencorporates.com/companies/GB/02723534", ("OPENCORPORATES", "gb/02723534")),
        ("xi-wikidata", "https://www.wikidata.org/wiki/q95", ("WIKIDATA", "Q95")),
        ("OPENSANCTIONS", "NK-2iXkSVe4zmFbXwdDmKgsW3", ("OPENSANCTIONS", "NK-2iXkSVe4zmFbXwdDmKgsW3")),
    ],
)
def test_normalise_valid(scheme: str, value: str, expected: tuple[str, str]) -> None:
    name, normal, problem = normalise(scheme, value)
    assert problem is None
    assert (name, normal) == expected


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("LEI", "5493001KJTIIGC8Y1R13"),  # one check digit off
        ("LEI", "5493001KJTIIGC8Y1R1"),  # 19 characters
        ("USCC", "91350100M000100Y44"),  # wrong GB 32100-2015 check character
        ("DK-CVR", "13585627"),  # mod-11 check fails
        ("GB-COH", "123456789"),
        ("WIKIDATA", "P31"),  # a property, not an item
        ("OPENCORPORATES", "02723534"),  # no jurisdiction
        ("Companies House", "02723534"),  # not a scheme name
    ],
)
def test_invalid_identifiers_are_never_keys(scheme: str, value: str) -> None:
    assert normalise(scheme, value)[2] is not None
    assert merge_keys([(scheme, value)]) == ()


def test_scheme_names() -> None:
    assert scheme_name("XI-LEI") == "LEI"
    assert scheme_name("NO-BRC") == "NO-BRC"  # any org-id.guide register code
    assert scheme_name("register") is None


def test_entity_identifiers_include_lei_and_uscc_fields_once() -> None:
    e = Entity("x", "X", "company", lei="5493001KJTIIGC8Y1R12", uscc="91350100M000100Y43",
               identifiers=(("XI-LEI", "5493001kjtiigc8y1r12"), ("GB-COH", "123")))
    assert entity_identifiers(e) == (("LEI", "5493001KJTIIGC8Y1R12"), ("GB-COH", "00000123"),
                                     ("USCC", "91350100M000100Y43"))
    assert merge_keys(entity_identifiers(e)) == ("GB-COH:00000123", "LEI:5493001KJTIIGC8Y1R12",
                                                 "USCC:91350100M000100Y43")


def test_bods_keeps_every_identifier_and_warns_on_bad_ones() -> None:
    data = parse_bods(FIXTURES / "bods" / "cn-0.4-synthetic.jsonl")
    by_id = {e.id: e for e in data.entities}
    assert any(by_id[e].identifiers for e in by_id)
    bad = by_id["c-0002"]  # an LEI with bad check digits: kept as data, never a merge key
    assert any(scheme == "LEI" for scheme, _ in bad.identifiers)
    assert not any(k.startswith("LEI:") for k in merge_keys(bad.identifiers))
    gb = {e.id: e for e in parse_bods(FIXTURES / "bods" / "indirect-ownership.json").entities}
    assert any(scheme == "GB-COH" for e in gb.values() for scheme, _ in e.identifiers)


def test_ftm_ids_are_opensanctions_ids_with_lei() -> None:
    data = parse_ftm(FIXTURES / "ftm" / "ownership.jsonl")
    alpha = next(e for e in data.entities if e.id == "co-alpha")
    assert ("OPENSANCTIONS", "co-alpha") in alpha.identifiers
    assert ("LEI", "5493001KJTIIGC8Y1R12") in alpha.identifiers
