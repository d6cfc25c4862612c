"""Chinese registry exports: real Tushare and registry-derived samples, faults, encodings, XLSX."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]  # no stubs installed
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import Control, Dataset, Entity, Finding, Share, Stake
from ownergraph.loaders.cn_registry import holder_account, kind_from_name, name_id, parse_cn_registry

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cn_registry"
TUSHARE_FULL = FIXTURES / "tushare-full" / "stockHolder.csv"


def _by_id(data: Dataset) -> dict[str, Entity]:
    return {e.id: e for e in data.entities}


def _errors(data: Dataset) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.line, f.column) for f in data.errors]


# --- Tushare top10_holders -----------------------------------------------------------------


def test_tushare_fixture_account_suffix_and_snapshot_validity() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    assert data.errors == []
    pingan = name_id("中国平安保险(集团)股份有限公司")
    # Line 2: 0,000001.SZ,20180315,20171231,中国平安保险(集团)股份有限公司-集团本级-自有资金,8510493066.0,49.56
    assert data.stakes[0] == Stake(
        owner_id=pingan,
        owned_id="cn-ts:000001.SZ",
        share=Share(exact=0.4956),
        start=date(2017, 12, 31),
        end=None,  # the latest report period stays valid
        source="stockHolder.csv (Tushare top10_holders)",
        detail="集团本级-自有资金",
    )
    entities = _by_id(data)
    assert entities[pingan].name == "中国平安保险(集团)股份有限公司"
    assert entities[pingan].kind == "company"


def test_tushare_one_holder_several_accounts_keeps_each_edge() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    life = name_id("中国平安人寿保险股份有限公司")
    latest = [
        s
        for s in data.stakes
        if s.owner_id == life and s.owned_id == "cn-ts:000001.SZ" and s.start == date(2017, 12, 31)
    ]
    assert sorted((s.detail, s.share.exact) for s in latest) == [
        ("传统-普通保险产品", 0.0227),
        ("自有资金", 0.0611),
    ]
    assert len({s.key for s in data.stakes}) == len(data.stakes)  # no two edges collide on reload


def test_tushare_earlier_period_ends_at_the_next() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    jiangling = [s for s in data.stakes if s.owned_id == "cn-ts:000550.SZ"]
    assert {(s.start, s.end) for s in jiangling} == {
        (date(2017, 9, 30), date(2017, 12, 31)),
        (date(2017, 12, 31), None),
    }
    ford = [s for s in jiangling if s.owner_id == name_id("福特汽车公司")]
    assert [(s.share.exact, s.start) for s in ford] == [(0.32, date(2017, 12, 31)), (0.32, date(2017, 9, 30))]


def test_tushare_later_announcement_corrects_its_line() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    desay = [s for s in data.stakes if s.owner_id == name_id("广东德赛集团有限公司")]
    assert [(s.owned_id, s.share.exact, s.start) for s in desay] == [("cn-ts:000049.SZ", 0.4523, date(2017, 12, 31))]
    period = [s for s in data.stakes if s.owned_id == "cn-ts:000049.SZ" and s.start == date(2017, 12, 31)]
    assert len(period) == 10  # nine from 2018-03-27 plus the line announced on 2018-04-11


def test_tushare_verbatim_repeat_is_a_located_warning() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    assert [(f.code, f.line, f.column) for f in data.warnings] == [("duplicate_row", 47, "holder_name")]
    cheng = [s for s in data.stakes if s.owner_id == name_id("程艳云")]
    assert len(cheng) == 1


def test_tushare_names_from_sibling_stock_list_and_kinds() -> None:
    data = parse_cn_registry(FIXTURES / "tushare" / "stockHolder.csv")
    entities = _by_id(data)
    assert entities["cn-ts:000600.SZ"].name == "建投能源"
    assert entities["cn-ts:000001.SZ"].name == "000001.SZ"  # not in the copied stock list
    assert entities[name_id("中国证券金融股份有限公司")].kind == "company"


def test_tushare_full_real_sample() -> None:
    data = parse_cn_registry(TUSHARE_FULL)
    assert data.errors == []
    assert Counter(f.code for f in data.warnings) == {"duplicate_row": 48}
    assert len(data.stakes) == 7364 - 48
    assert len({s.owned_id for s in data.stakes}) == 196
    sasac = name_id("深圳市人民政府国有资产监督管理委员会")
    assert _by_id(data)[sasac].kind == "state_body"
    (stake,) = [
        s for s in data.stakes if s.owner_id == sasac and s.owned_id == "cn-ts:000027.SZ"
    ]  # line 5...: 0,000027.SZ,20180413,20171231,深圳市人民政府国有资产监督管理委员会,1896000775.0,47.82
    assert (stake.share.exact, stake.start, stake.end, stake.detail) == (0.4782, date(2017, 12, 31), None, None)
    kinds = Counter(e.kind for e in data.entities)
    assert kinds["person"] > 500
    assert kinds["fund"] > 300
    assert kinds["state_body"] >= 7


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("中国平安保险(集团)股份有限公司-集团本级-自有资金", ("中国平安保险(集团)股份有限公司", "集团本级-自有资金")),
        ("中国平安人寿保险股份有限公司－传统－普通保险产品", ("中国平安人寿保险股份有限公司", "传统－普通保险产品")),
        (
            "中国人寿保险股份有限公司-分红-个人分红-005L-FH002深",
            ("中国人寿保险股份有限公司", "分红-个人分红-005L-FH002深"),
        ),
        ("前海人寿保险股份有限公司-海利年年", ("前海人寿保险股份有限公司", "海利年年")),
        # A fund held through a custodian bank is the fund's, not the bank's.
        (
            "中国工商银行股份有限公司-汇添富价值精选混合型证券投资基金",
            ("中国工商银行股份有限公司-汇添富价值精选混合型证券投资基金", None),
        ),
        # A broker's client money belongs to its clients.
        ("中投证券(香港)金融控股有限公司-客户资金", ("中投证券(香港)金融控股有限公司-客户资金", None)),
        ("易峥", ("易峥", None)),
    ],
)
def test_holder_account(name: str, expected: tuple[str, str | None]) -> None:
    assert holder_account(name) == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("深圳市人民政府国有资产监督管理委员会", "state_body"),
        ("上海市国有资产监督管理委员会", "state_body"),
        ("福州市财政局", "state_body"),
        ("萍乡信锐企业管理合伙企业(有限合伙)", "partnership"),
        ("上海示例投资合伙企业（有限合伙）", "partnership"),
        ("中证500交易型开放式指数证券投资基金", "fund"),
        ("华能国际电力股份有限公司", "company"),
        ("UBS AG", "company"),
        ("易峥", "person"),
    ],
)
def test_kind_from_name(name: str, kind: str) -> None:
    assert kind_from_name(name) == kind


# --- registry exports ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["letv_shareholders.csv", "letv_shareholders_gbk.csv"])
def test_letv_registry_shareholders_utf8_and_gbk(name: str) -> None:
    data = parse_cn_registry(FIXTURES / name)
    assert data.findings == []
    letv = name_id("乐视网信息技术（北京）股份有限公司")
    assert len(data.stakes) == 14
    assert len(data.entities) == 15
    assert data.stakes[0] == Stake(
        owner_id=name_id("贾跃亭"),
        owned_id=letv,
        share=Share(exact=0.6241),
        subscribed_capital=46_807_500.0,
        source=name,
    )
    entities = _by_id(data)
    assert entities[letv].kind == "company"
    assert entities[name_id("贾跃亭")].kind == "person"
    assert entities[name_id("汇金立方资本管理有限公司")].kind == "company"
    small = [s for s in data.stakes if s.owner_id == name_id("杨丽杰")]
    assert [(s.share.exact, s.subscribed_capital) for s in small] == [(0.00505, 378_750.0)]


def test_gtja_declared_actual_controller() -> None:
    data = parse_cn_registry(FIXTURES / "gtja_shareholders.csv")
    assert data.findings == []
    gtja = name_id("国泰君安证券股份有限公司")
    sasac = name_id("上海市国有资产监督管理委员会")
    assert data.controls == [Control(sasac, gtja, "declared", source="gtja_shareholders.csv")]
    assert _by_id(data)[sasac].kind == "state_body"
    first = data.stakes[0]
    assert (first.owner_id, first.share.exact) == (name_id("上海国有资产经营有限公司"), 0.2134)


def test_partnership_fractions_units_gp_and_uscc_keys() -> None:
    data = parse_cn_registry(FIXTURES / "partnership_fractions.csv")
    assert data.errors == []
    assert [(f.code, f.column) for f in data.warnings] == [("percent_looks_like_fraction", "持股比例")]
    lp, gp = "91310000MA1FL5LK00", "91440300MA5F00012E"
    entities = _by_id(data)
    fund = entities[lp]
    assert (fund.kind, fund.founded, fund.registered_capital, fund.currency, fund.status) == (
        "partnership",
        date(2018, 3, 5),
        100_000_000.0,
        "CNY",
        "存续",
    )
    # The executive partner named by name resolves to its USCC; "(委派代表:张三)" is dropped.
    assert Control(gp, lp, "general_partner", source="partnership_fractions.csv") in data.controls
    assert Control(name_id("张三"), lp, "declared", source="partnership_fractions.csv") in data.controls
    gp_stake = next(s for s in data.stakes if s.owner_id == gp)
    assert (gp_stake.share.exact, gp_stake.subscribed_capital, gp_stake.detail) == (
        0.01,
        1_000_000.0,
        "认缴出资日期 2038-12-31",
    )
    # A masked ID-card number in the shareholder code column is no USCC and no fault.
    lisi = [s.share.exact for s in data.stakes if s.owner_id == name_id("李四")]
    assert lisi == [0.59]


def test_mapping_renames_headers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Company,Holder,Pct,Capital\n示例公司,张三,60,600万元\n示例公司,李四,40%,400万元\n", encoding="utf-8"
    )
    unmapped = parse_cn_registry(path)
    assert [(f.code, f.line, f.column) for f in unmapped.errors] == [
        ("missing_column", 1, "企业名称"),
        ("missing_column", 1, "股东名称"),
    ]
    mapping = {"Company": "企业名称", "Holder": "股东名称", "Pct": "持股比例", "Capital": "认缴出资额"}
    data = parse_cn_registry(path, mapping=mapping)
    assert data.findings == []
    assert [(s.owner_id, s.share.exact, s.subscribed_capital) for s in data.stakes] == [
        (name_id("张三"), 0.6, 6_000_000.0),
        (name_id("李四"), 0.4, 4_000_000.0),
    ]


def test_lone_small_value_among_percents_is_percent(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "企业名称,股东名称,持股比例\n甲公司,张三,51.00\n甲公司,李四,48.5\n甲公司,王五,0.5\n", encoding="utf-8"
    )
    data = parse_cn_registry(path)
    assert data.findings == []
    assert [s.share.exact for s in data.stakes] == [0.51, 0.485, 0.005]


def test_missing_share_keeps_subscribed_capital_for_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "capital.csv"
    path.write_text(
        "企业名称,注册资本,股东名称,认缴出资额\n乙公司,1000万元,张三,600万元\n乙公司,1000万元,李四,400万元\n",
        encoding="utf-8",
    )
    data = parse_cn_registry(path)
    assert data.findings == []
    assert [(s.share.is_unknown, s.subscribed_capital, s.share_derived) for s in data.stakes] == [
        (True, 6_000_000.0, False),
        (True, 4_000_000.0, False),
    ]
    assert data.entities[0].registered_capital == 10_000_000.0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("丙公司,91350100M000100Y44,张三,51%", ("bad_uscc", 2, "统一社会信用代码")),
        ("丙公司,,张三,abc", ("bad_share", 2, "持股比例")),
        ("丙公司,,张三,151%", ("bad_share", 2, "持股比例")),
        (",,张三,51%", ("missing_value", 2, "企业名称")),
        ("丙公司,,,51%", ("missing_value", 2, "股东名称")),
        ("丙公司,,丙公司,51%", ("self_stake", 2, "owned_id")),
    ],
)
def test_registry_faults_are_located(tmp_path: Path, row: str, expected: tuple[str, int, str]) -> None:
    path = tmp_path / "faulty.csv"
    path.write_text(f"企业名称,统一社会信用代码,股东名称,持股比例\n{row}\n", encoding="utf-8")
    data = parse_cn_registry(path)
    assert _errors(data) == [expected]
    assert data.errors[0].file == str(path)


def test_registry_conflicting_company_values_warn(tmp_path: Path) -> None:
    path = tmp_path / "conflict.csv"
    path.write_text("企业名称,成立日期,股东名称\n丁公司,2020-01-01,张三\n丁公司,2021-01-01,李四\n", encoding="utf-8")
    data = parse_cn_registry(path)
    assert [(f.code, f.line, f.column) for f in data.findings] == [("conflicting_values", 3, "成立日期")]
    assert data.entities[0].founded == date(2020, 1, 1)


def test_explicit_encoding_and_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("企业名称,股东名称,持股比例\n戊公司,张三,100\n".encode("gbk"))
    assert parse_cn_registry(path, encoding="gbk").findings == []
    bad = parse_cn_registry(path, encoding="utf-8")
    assert [(f.code, f.line) for f in bad.errors] == [("bad_encoding", 1)]
    assert "byte offset 0" in bad.errors[0].message


def test_xlsx_export(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "成立日期", "股东名称", "股东类型", "持股比例", "认缴出资额(万元)"])
    ws.append(["福建示例控股有限公司", "91350100M000100Y43", date(2001, 5, 17), "福州市财政局", "机关法人", 51.0, 5100])
    ws.append(["福建示例控股有限公司", "91350100M000100Y43", date(2001, 5, 17), "张三", "自然人", 49.0, 4900])
    ws.append(["福建示例控股有限公司", "91350100M000100Y4X", None, "李四", "自然人", "bad", None])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    data = parse_cn_registry(path)
    assert _errors(data) == [("bad_uscc", 4, "统一社会信用代码"), ("bad_share", 4, "持股比例")]
    company = _by_id(data)["91350100M000100Y43"]
    assert company.founded == date(2001, 5, 17)
    first = data.stakes[0]
    assert (first.owner_id, first.owned_id, first.share.exact, first.subscribed_capital) == (
        name_id("福州市财政局"),
        "91350100M000100Y43",
        0.51,
        51_000_000.0,
    )
    assert _by_id(data)[name_id("福州市财政局")].kind == "state_body"


def test_xlsx_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["股东信息导出"])
    ws.append(["导出日期: 2024-12-03"])
    ws.append(["公司名称", "股东", "出资比例"])
    ws.append(["己公司", "张三", "100%"])
    path = tmp_path / "titled.xlsx"
    wb.save(path)
    data = parse_cn_registry(path)
    assert data.findings == []
    assert [(s.owner_id, s.owned_id, s.share.exact) for s in data.stakes] == [(name_id("张三"), name_id("己公司"), 1.0)]
    assert data.entities[0].name == "己公司"


def test_tushare_fault_is_located(tmp_path: Path) -> None:
    path = tmp_path / "top10.csv"
    path.write_text(
        "ts_code,ann_date,end_date,holder_name,hold_amount,hold_ratio\n"
        "000001.SZ,20180315,20171231,甲,1,49.56\n"
        "000001.SZ,20180315,20170231,乙,1,2\n"
        "000001.SZ,20180315,20171231,丙,1,abc\n",
        encoding="utf-8",
    )
    data = parse_cn_registry(path)
    assert _errors(data) == [("bad_date", 3, "end_date"), ("bad_share", 4, "hold_ratio")]


# --- never crash -----------------------------------------------------------------------------


def _assert_only_findings(data: Dataset) -> None:
    assert isinstance(data, Dataset)
    for f in data.findings:
        assert isinstance(f, Finding)
        assert f.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_never_crash(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(content)
    _assert_only_findings(parse_cn_registry(path))


_CELL = st.sampled_from(
    [
        "",
        "甲公司",
        "张三",
        "91350100M000100Y43",
        "91350100M000100Y44",
        "51%",
        "0.5",
        "150",
        "abc",
        "4680.75万元",
        "万元",
        "2024年2月30日",
        "2024/12/3",
        "自然人",
        "有限合伙",
        '"',
        ",",
        "\n",
        "000001.SZ",
        "20171231",
        "上海示例资产管理有限公司(委派代表:张三)",
    ]
)
_HEADERS = st.sampled_from(
    [
        "企业名称,统一社会信用代码,股东名称,股东类型,持股比例,认缴出资额,执行事务合伙人,实际控制人,成立日期",
        "ts_code,ann_date,end_date,holder_name,hold_amount,hold_ratio",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=_HEADERS, rows=st.lists(st.lists(_CELL, max_size=10), max_size=6))
def test_random_near_valid_rows_never_crash(tmp_path: Path, header: str, rows: list[list[str]]) -> None:
    path = tmp_path / "near.csv"
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    _assert_only_findings(parse_cn_registry(path))
