"""Shared normalisation: shares, dates, amounts, identifiers, names; and the cross-record checks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ownergraph.graph.model import Concert, Control, Dataset, Entity, Finding, Share, Stake, inside
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.normalise import (
    USCC_CHARSET,
    clean_name,
    parse_cn_amount,
    parse_cn_amount_with_currency,
    parse_cn_date,
    parse_iso_date,
    parse_percent_share,
    percent_to_fraction,
    uscc_check_character,
    validate_lei,
    validate_uscc,
)
from ownergraph.loaders.validate import RowLines, check_dataset, looks_like_fractions

# --- parse_percent_share -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25", Share(exact=0.25)),
        ("25%", Share(exact=0.25)),
        ("25.5 %", Share(exact=0.255)),
        ("0.25", Share(exact=0.0025)),  # a bare 0.25 in a percent context is 0.25 percent
        ("100", Share(exact=1.0)),
        ("0", Share(exact=0.0)),
        ("２５％", Share(exact=0.25)),  # full-width digits and percent sign
        ("25-50%", Share(minimum=0.25, maximum=0.5, raw="25-50%")),
        ("25%-50%", Share(minimum=0.25, maximum=0.5, raw="25%-50%")),
        ("25–50%", Share(minimum=0.25, maximum=0.5, raw="25–50%")),
        (">=25%", Share(minimum=0.25, maximum=1.0, raw=">=25%")),
        ("≥25%", Share(minimum=0.25, maximum=1.0, raw="≥25%")),
        ("<=25%", Share(minimum=0.0, maximum=0.25, raw="<=25%")),
        ("", Share()),
        ("  ", Share()),
    ],
)
def test_parse_percent_share_values(text: str, expected: Share) -> None:
    assert parse_percent_share(text) == expected


def test_parse_percent_share_exclusive_bounds_stay_strict() -> None:
    above = parse_percent_share(">50%")
    below = parse_percent_share("<25%")
    assert above.minimum is not None
    assert above.minimum > 0.5
    assert above.minimum == inside(0.5, 1.0)
    assert above.maximum == 1.0
    assert above.raw == ">50%"
    assert below.maximum == inside(0.25, 0.0)
    assert below.raw == "<25%"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("25%%", "expected a percent such as"),
        ("abc", "expected a percent such as"),
        ("-5", "expected a percent such as"),
        ("150", "from 0 to 100"),
        ("50-25", "low <= high"),
        (">100%", "satisfiable"),
        ("<0", "satisfiable"),
        ("25,5", "expected a percent such as"),
    ],
)
def test_parse_percent_share_refuses(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_percent_share(text)


@given(st.text(max_size=20))
def test_parse_percent_share_only_raises_value_error(text: str) -> None:
    try:
        share = parse_percent_share(text)
    except ValueError:
        return
    for bound in (share.exact, share.minimum, share.maximum):
        assert bound is None or 0.0 <= bound <= 1.0


def test_percent_to_fraction_has_no_float_noise() -> None:
    assert percent_to_fraction(7.0) == 0.07
    assert percent_to_fraction(49.56) == 0.4956
    assert percent_to_fraction(100) == 1.0


# --- dates ---------------------------------------------------------------------------------


def test_parse_iso_date() -> None:
    assert parse_iso_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(ValueError, match=r"real calendar date.*2024-02-30"):
        parse_iso_date("2024-02-30")
    with pytest.raises(ValueError, match="ISO date YYYY-MM-DD"):
        parse_iso_date("20240229")
    with pytest.raises(ValueError, match="ISO date"):
        parse_iso_date("2024/02/29")


@pytest.mark.parametrize(
    "text",
    ["2024-12-03", "2024/12/3", "2024年12月3日", "20241203", "2024.12.03", "2024-12-03 00:00:00"],
)
def test_parse_cn_date_spellings(text: str) -> None:
    assert parse_cn_date(text) == date(2024, 12, 3)


def test_parse_cn_date_refuses() -> None:
    assert parse_cn_date(date(2024, 1, 2)) == date(2024, 1, 2)
    with pytest.raises(ValueError, match="real calendar date"):
        parse_cn_date("2023年2月29日")
    with pytest.raises(ValueError, match="without a time of day"):
        parse_cn_date("2024-12-03 13:45:00")
    with pytest.raises(ValueError, match="expected a date such as"):
        parse_cn_date("三月")


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("4680.75万元", 46_807_500.0, "CNY"),
        ("1亿元", 100_000_000.0, "CNY"),
        ("500万美元", 5_000_000.0, "USD"),
        ("人民币1亿元", 100_000_000.0, "CNY"),
        ("1,000万人民币", 10_000_000.0, "CNY"),
        ("37.875万元", 378_750.0, "CNY"),
        ("1000(万元)", 10_000_000.0, "CNY"),
        ("2000万港元", 20_000_000.0, "HKD"),
        ("1200", 1200.0, None),
    ],
)
def test_parse_cn_amount(text: str, amount: float, currency: str | None) -> None:
    assert parse_cn_amount_with_currency(text) == (amount, currency)
    assert parse_cn_amount(text) == amount


@pytest.mark.parametrize("text", ["", "万元", "abc", "-5万元", "1.2.3万元", "150.0万股x"])
def test_parse_cn_amount_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_cn_amount(text)


# --- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91310000MA1FL5LK00", "91440300MA5F00012E"])
def test_validate_uscc_valid(code: str) -> None:
    assert validate_uscc(code) is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "expected USCC check character '3'"),  # last character corrupted
        ("91350100M000100Y4", "18-character"),
        ("91350100M0001O0Y43", "got 'O'"),  # letter O is not in the alphabet
        ("9135010AM000100Y43", "administrative division"),
    ],
)
def test_validate_uscc_invalid(code: str, fragment: str) -> None:
    message = validate_uscc(code)
    assert message is not None
    assert fragment in message


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17), st.sampled_from(USCC_CHARSET))
def test_uscc_check_character_catches_every_single_substitution(body: str, other: str) -> None:
    code = body[:2] + "350100" + body[8:] + uscc_check_character(body[:2] + "350100" + body[8:])
    assert validate_uscc(code) is None
    if other != code[17]:
        assert validate_uscc(code[:17] + other) is not None


def test_validate_lei() -> None:
    assert validate_lei("5493001KJTIIGC8Y1R12") is None
    assert validate_lei("529900T8BM49AURSDO55") is None
    assert "check digits" in (validate_lei("5493001KJTIIGC8Y1R13") or "")
    assert "20-character" in (validate_lei("5493001KJTIIGC8Y1R1") or "")
    assert "upper-case" in (validate_lei("5493001kjtiigc8y1r12") or "")


def test_clean_name() -> None:
    assert clean_name("  北京\u3000字节跳动  科技有限公司 ") == "北京 字节跳动 科技有限公司"
    assert clean_name("A\u00a0B\u200bC\n") == "A BC"
    assert clean_name("（有限合伙）") == "（有限合伙）"  # the registry's own spelling is kept


# --- errors --------------------------------------------------------------------------------


def test_load_rejected_summarises_first_findings() -> None:
    findings = [
        Finding("warning", "w", "a warning", "x.csv", 9, "share"),
        *(Finding("error", "e", f"expected thing {i}", "x.csv", i + 2, "id") for i in range(7)),
    ]
    exc = LoadRejected(findings, source="folder")
    text = str(exc)
    assert text.splitlines()[0] == "folder: load rejected: 7 error(s), 1 warning(s)"
    assert "x.csv:2 column id: error: expected thing 0 [e]" in text
    assert "... and 3 more" in text
    assert exc.findings[0].severity == "error"
    assert len(exc.errors) == 7


# --- check_dataset -------------------------------------------------------------------------


def _entities(*ids: str) -> list[Entity]:
    return [Entity(i, i.upper(), "company") for i in ids]


def test_check_dataset_clean() -> None:
    data = Dataset(
        entities=_entities("a", "b", "c"),
        stakes=[Stake("a", "c", Share(exact=0.6)), Stake("b", "c", Share(exact=0.4))],
        controls=[Control("a", "c", "declared")],
        concerts=[Concert("a", "b", "c")],
    )
    assert check_dataset(data) == []


def test_check_dataset_faults_are_located() -> None:
    data = Dataset(
        entities=[*_entities("a", "b"), Entity("a", "A again", "company")],
        stakes=[
            Stake("a", "zz", Share(exact=0.2)),
            Stake("a", "b", Share(exact=1.2)),
            Stake("b", "b", Share(exact=0.1)),
            Stake("a", "b", Share(exact=0.1), start=date(2024, 1, 1), end=date(2024, 1, 1)),
        ],
        controls=[Control("a", "b", "magic")],
        concerts=[Concert("a", "a")],
    )
    lines = RowLines()
    for i in range(3):
        lines.add("entities", "entities.csv", i + 2)
    for i in range(4):
        lines.add("stakes", "ownership.csv", i + 2)
    found = {(f.code, f.file, f.line, f.column) for f in check_dataset(data, locations=lines)}
    assert ("duplicate_id", "entities.csv", 4, "id") in found
    assert ("unknown_entity", "ownership.csv", 2, "owned_id") in found
    assert ("share_out_of_range", "ownership.csv", 3, "share") in found
    assert ("self_stake", "ownership.csv", 4, "owned_id") in found
    assert ("end_not_after_start", "ownership.csv", 5, "end") in found
    assert ("bad_basis", None, None, "basis") in found
    assert ("self_concert", None, None, "party_b") in found
    assert all(f.severity == "error" for f in check_dataset(data) if f.code != "shares_sum_above_100")


def test_check_dataset_sum_above_100_is_a_warning_only_when_valid_together() -> None:
    history = [
        Stake("a", "c", Share(exact=0.7), start=date(2020, 1, 1), end=date(2021, 1, 1)),
        Stake("b", "c", Share(exact=0.7), start=date(2021, 1, 1)),
    ]
    assert check_dataset(Dataset(entities=_entities("a", "b", "c"), stakes=history)) == []
    rounding = [Stake("a", "c", Share(exact=0.503)), Stake("b", "c", Share(exact=0.501))]
    assert check_dataset(Dataset(entities=_entities("a", "b", "c"), stakes=rounding)) == []
    over = [Stake("a", "c", Share(exact=0.6)), Stake("b", "c", Share(minimum=0.45, maximum=0.5))]
    (finding,) = check_dataset(Dataset(entities=_entities("a", "b", "c"), stakes=over))
    assert finding.severity == "warning"
    assert finding.code == "shares_sum_above_100"
    assert "105.00%" in finding.message
    assert finding.entity_id == "c"


def test_check_dataset_fraction_column_and_full_cycle() -> None:
    fractions = [Stake("a", "c", Share(exact=0.0051)), Stake("b", "c", Share(exact=0.0049))]
    codes = [f.code for f in check_dataset(Dataset(_entities("a", "b", "c"), fractions))]
    assert codes == ["percent_looks_like_fraction"]
    cycle = [Stake("a", "b", Share(exact=1.0)), Stake("b", "a", Share(exact=1.0))]
    (finding,) = check_dataset(Dataset(_entities("a", "b"), cycle))
    assert finding.code == "full_ownership_cycle"
    assert "a -> b" in finding.message


def test_looks_like_fractions() -> None:
    assert looks_like_fractions([0.51, 0.49])
    assert not looks_like_fractions([0.51])  # one value proves nothing
    assert not looks_like_fractions([51, 0.5])  # a lone small value among percents
    assert not looks_like_fractions([1, 0])  # whole numbers: could be 1 % and 0 %
