"""Chinese registry exports (CSV in GBK or UTF-8, or XLSX) with Chinese headers.

Two layouts are recognised from the header alone:

* **registry** (企业名称, 统一社会信用代码, 股东名称, 持股比例, 认缴出资额, ...):
  one row per shareholder of a company, the company columns repeated.
  ``mapping`` renames a user's headers to these canonical names first.
* **Tushare top10_holders** (ts_code, end_date, holder_name, hold_ratio, ...):
  the ten largest holders of a listed company per report period. Company
  names come from a sibling ``stockList.csv`` (ts_code, name) when present.

Entities are keyed on their USCC when one is given and valid, else on their
name (``cn-name:<name>``, full-width brackets folded so that （集团） and
(集团) meet). Faults are located findings in ``Dataset.findings``; nothing is
raised for bad data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ownergraph.graph.model import Control, Dataset, Entity, Share, Stake
from ownergraph.loaders.csvtext import CHINESE_TEXT, Sink, open_csv
from ownergraph.loaders.inflate import max_inflated_bytes
from ownergraph.loaders.normalise import (
    clean_name,
    normalise_uscc,
    parse_cn_amount_with_currency,
    parse_cn_date,
    percent_to_fraction,
    validate_uscc,
)
from ownergraph.loaders.validate import RowLines, check_dataset, looks_like_fractions

__all__ = [
    "CANONICAL_COLUMNS",
    "holder_account",
    "kind_from_name",
    "name_id",
    "parse_cn_registry",
    "ts_code_id",
]

# Canonical column -> other spellings seen in exports (matched after stripping a unit suffix).
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "企业名称": ("公司名称", "企业名", "名称", "被投资企业名称"),
    "统一社会信用代码": ("信用代码", "统一信用代码", "企业统一社会信用代码", "社会信用代码"),
    "成立日期": ("成立时间", "注册日期"),
    "注册资本": ("注册资本金",),
    "企业类型": ("公司类型", "企业(机构)类型"),
    "登记状态": ("经营状态", "企业状态", "登记状况"),
    "注销日期": ("吊销日期",),
    "股东名称": ("股东", "股东姓名", "发起人", "股东(发起人)", "投资人", "投资人名称"),
    "股东类型": ("股东性质", "投资人类型", "股东类别"),
    "股东统一社会信用代码": ("股东信用代码", "股东证照号码", "股东证件号码"),
    "持股比例": ("出资比例", "股权比例", "投资比例", "持股比例(%)"),
    "认缴出资额": ("认缴出资", "认缴出资金额", "认缴额"),
    "认缴出资日期": ("认缴出资时间", "出资日期"),
    "执行事务合伙人": ("执行合伙人",),
    "实际控制人": ("实控人",),
}
_ALIASES = {alias: canon for canon, aliases in CANONICAL_COLUMNS.items() for alias in aliases}
_TUSHARE = ("ts_code", "end_date", "holder_name", "hold_ratio")

# A unit written in the header: "认缴出资额(万元)", "持股比例（%）".
_HEADER_UNIT_RE = re.compile(r"^(.*?)[(（]([^()（）]*)[)）]$")
_UNIT_MULTIPLIER = {"元": 1.0, "万元": 1e4, "人民币万元": 1e4, "万": 1e4, "亿元": 1e8, "亿": 1e8}

# --- kinds ------------------------------------------------------------------------------

_STATE_WORDS = (
    "国资委",
    "国有资产监督管理委员会",
    "国有资产管理委员会",
    "国有资产管理局",
    "国有资产管理办公室",
    "财政局",
    "财政厅",
    "财政部",
    "人民政府",
    "管理委员会",
    "国务院",
    "政府",
)
# Government offices end in these words (财政局, 水务局, 管理处, 办公室); companies never do.
_STATE_ENDINGS = ("局", "厅", "委员会", "管理处", "办公室")
_FUND_ENDINGS = ("基金", "计划", "信托", "产品", "组合", "账户", "专户", "理财")
_PARTNERSHIP_RE = re.compile(r"(\((有限|普通|特殊普通)合伙\)|合伙企业|L\.?P\.?)$", re.IGNORECASE)
_COMPANY_WORDS = (
    "公司",
    "集团",
    "银行",
    "企业",
    "厂",
    "社",
    "中心",
    "研究院",
    "研究所",
    "大学",
    "学院",
    "协会",
    "商会",
)
_LATIN_COMPANY_RE = re.compile(
    r"\b(LIMITED|LTD|INC|CORP|CORPORATION|COMPANY|CO|AG|SA|S\.A|LLC|PLC|GMBH|N\.V|B\.V|NV|BV|"
    r"BANK|HOLDINGS?|GROUP)\b\.?",
    re.IGNORECASE,
)
_LATIN_FUND_RE = re.compile(r"\b(FUND|FD|TRUST|TRST|PORTFOLIO)\b", re.IGNORECASE)
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,10}(·[\u4e00-\u9fff]{1,10})+$")

_SHAREHOLDER_TYPES: tuple[tuple[str, str], ...] = (
    # Order matters: the first word found in 股东类型 decides.
    ("自然人", "person"),
    ("个人", "person"),
    ("合伙", "partnership"),
    ("国有资产", "state_body"),
    ("机关", "state_body"),
    ("事业单位", "other"),  # a public institution (school, hospital), not a state organ
    ("基金", "fund"),
    ("资产管理", "fund"),
    ("信托", "fund"),
    ("法人", "company"),
    ("公司", "company"),
    ("企业", "company"),
)


def _fold(name: str) -> str:
    """Name as a key: full-width brackets and letters folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def name_id(name: str) -> str:
    """The deterministic entity id of a party known only by name.

    >>> name_id("中国平安保险（集团）股份有限公司")
    'cn-name:中国平安保险(集团)股份有限公司'
    """
    return f"cn-name:{_fold(name)}"


def kind_from_name(name: str) -> str:
    """A best guess of the entity kind from a Chinese (or Latin) name alone.

    >>> [kind_from_name(n) for n in ("深圳市人民政府国有资产监督管理委员会", "易峥",
    ...   "萍乡信锐企业管理合伙企业(有限合伙)", "中证500交易型开放式指数证券投资基金")]
    ['state_body', 'person', 'partnership', 'fund']
    """
    folded = _fold(name)
    if any(w in folded for w in _STATE_WORDS) or folded.endswith(_STATE_ENDINGS):
        return "state_body"
    if _PARTNERSHIP_RE.search(folded):
        return "partnership"
    if folded.endswith(_FUND_ENDINGS) or _LATIN_FUND_RE.search(name):
        return "fund"
    if folded.endswith(("公司", "集团")) or any(w in folded for w in _COMPANY_WORDS):
        return "company"
    if _LATIN_COMPANY_RE.search(name):
        return "company"
    if _PERSON_RE.match(folded):
        return "person"
    return "other"


def _kind(shareholder_type: str, name: str) -> str:
    """Kind from 股东类型, overridden by names that say more (国资委, 合伙企业)."""
    by_name = kind_from_name(name)
    if by_name in ("state_body", "partnership"):
        return by_name
    for word, kind in _SHAREHOLDER_TYPES:
        if word in shareholder_type:
            return kind
    return by_name


# --- holder accounts (listed-company holders) ------------------------------------------------

_ACCOUNT_TOKEN_RE = re.compile(
    r"^(集团本级|自有资金|资本金|投连|传统|分红|万能|普通账户|"
    r"(个险|团险|个人|团体|银保)(分红|万能|传统)|"
    r"(普通|传统|万能|分红|投连)型?(保险)?(产品|险)|"
    r"\d{3}L|[A-Z]{2}\d{3}[沪深]?)$"
)
_SEPARATORS_RE = re.compile(r"[-－—–]")


def holder_account(name: str) -> tuple[str, str | None]:
    """Split a listed-company holder name into (holder, account) when the suffix is an account.

    Insurers and groups disclose holdings per account ("-集团本级-自有资金",
    "－传统－普通保险产品"): the holder is the institution. An insurer's
    named product accounts are its own too. Anything else after a dash
    (a fund or trust run by a bank or manager, a broker's "客户资金" client
    money) is a separate holder: attributing it to the custodian or manager
    would invent stakes that they do not own.

    >>> holder_account("中国平安保险(集团)股份有限公司-集团本级-自有资金")
    ('中国平安保险(集团)股份有限公司', '集团本级-自有资金')
    >>> holder_account("中国工商银行股份有限公司-汇添富价值精选混合型证券投资基金")
    ('中国工商银行股份有限公司-汇添富价值精选混合型证券投资基金', None)
    """
    parts = _SEPARATORS_RE.split(name)
    if len(parts) < 2:
        return name, None
    base = parts[0].strip()
    suffix = name[len(parts[0]) + 1 :].strip()
    if not base or not suffix:
        return name, None
    is_insurer = "保险" in base and base.endswith("公司")
    if is_insurer or all(_ACCOUNT_TOKEN_RE.match(p.strip()) for p in parts[1:]):
        return base, suffix
    return name, None


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Sheet:
    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _read_csv(path: Path, encoding: str | None, sink: Sink) -> _Sheet | None:
    opened = open_csv(path, sink, encodings=(encoding,) if encoding else CHINESE_TEXT)
    if opened is None:
        return None
    file, header, rows = opened
    return _Sheet(file, header, list(rows))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 51.0 from a spreadsheet is "51", not "51.0"
    return str(value).strip()


# An export of a registry has a few dozen columns and at most Excel's 1,048,576 rows; a sheet beyond is refused.
MAX_XLSX_ROWS = 1_048_576
MAX_XLSX_COLUMNS = 256


def _xlsx_inflated_size(path: Path, file: str, sink: Sink) -> bool:
    """Refuse a workbook whose parts inflate beyond the cap (an XLSX is a zip; its sheet XML compresses ~100:1)."""
    import zipfile

    cap = max_inflated_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(m.file_size for m in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        sink.error("bad_xlsx", f"expected an .xlsx workbook (a zip archive): {exc}", file, None)
        return False
    if total > cap:
        sink.error("too_large", f"expected a workbook that inflates to at most {cap} bytes, got {total}", file, None)
        return False
    return True


def _sheet_rows(ws: object, file: str, sink: Sink) -> list[tuple[int, list[str]]] | None:
    """The rows of a read-only worksheet, trailing empty cells dropped, within the row and column caps.

    The sheet's declared dimension is ignored (reset): a 2 KB file may declare ``A1:XFD1048576``, which
    openpyxl would otherwise pad every row to. Rows the file skips come back empty and are counted.
    """
    from openpyxl.utils import get_column_letter

    ws.reset_dimensions()  # type: ignore[attr-defined]
    out: list[tuple[int, list[str]]] = []
    for n, values in enumerate(ws.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if not values:  # a row the file skips or leaves empty: nothing to keep
            if n > MAX_XLSX_ROWS:
                sink.error("too_many_rows", f"expected at most {MAX_XLSX_ROWS} rows in the sheet", file, n)
                return None
            continue
        if n > MAX_XLSX_ROWS:
            sink.error("too_many_rows", f"expected at most {MAX_XLSX_ROWS} rows in the sheet", file, n)
            return None
        last = len(values)
        while last and values[last - 1] in (None, ""):
            last -= 1
        if last > MAX_XLSX_COLUMNS:
            sink.error("too_many_columns", f"expected at most {MAX_XLSX_COLUMNS} columns, got a value in column {last}",
                       file, n, get_column_letter(last))
            return None
        out.append((n, [_cell_text(v) for v in values[:last]]))
    return out


def _read_xlsx(path: Path, sink: Sink) -> _Sheet | None:
    import openpyxl  # imported here so CSV loads skip it

    file = str(path)
    if not _xlsx_inflated_size(path, file, sink):
        return None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl/zipfile raise many types on a bad file
        sink.error("bad_xlsx", f"expected an .xlsx workbook ({type(exc).__name__}: {exc})", file, None)
        return None
    try:
        raw = _sheet_rows(wb.worksheets[0], file, sink)
    except Exception as exc:  # a damaged sheet fails deep inside openpyxl
        sink.error("bad_xlsx", f"expected a readable first worksheet ({exc})", file, None)
        return None
    finally:
        wb.close()
    if raw is None:
        return None
    raw = [(n, cells) for n, cells in raw if any(cells)]
    if not raw:
        return _Sheet(file, [], [])
    # Exports from company-information sites often put a title or a date above the header.
    start = next((k for k, (_, cells) in enumerate(raw[:_HEADER_SCAN]) if _known_columns(cells) >= 2), 0)
    header = raw[start][1]
    width = len(header)
    rows = [(n, (cells + [""] * width)[:width]) for n, cells in raw[start + 1 :]]
    return _Sheet(file, header, rows)


_HEADER_SCAN = 5


def _known_columns(cells: list[str]) -> int:
    names = set(CANONICAL_COLUMNS) | set(_ALIASES) | set(_TUSHARE)
    return sum(1 for c in cells if c.strip() in names)


# --- headers ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Columns:
    index: dict[str, int] = field(default_factory=dict)
    unit: dict[str, str] = field(default_factory=dict)  # canonical -> unit written in the header


def _canonical_header(header: list[str], mapping: dict[str, str] | None, file: str, sink: Sink) -> _Columns:
    cols = _Columns()
    mapping = {k.strip(): v.strip() for k, v in (mapping or {}).items()}
    for target in mapping.values():
        if target not in CANONICAL_COLUMNS and target not in _TUSHARE:
            sink.error(
                "bad_mapping",
                f"expected a mapping onto one of {', '.join(CANONICAL_COLUMNS)}, got {target!r}",
                file,
                1,
                target,
            )
    for i, raw in enumerate(header):
        name = mapping.get(raw, raw)
        unit = ""
        m = _HEADER_UNIT_RE.match(name)
        if name not in CANONICAL_COLUMNS and name not in _ALIASES and m:
            name, unit = m.group(1).strip(), m.group(2).strip()
        name = _ALIASES.get(name, name)
        if name in cols.index:
            continue  # the first of repeated columns wins; exports repeat decorative ones
        cols.index[name] = i
        if unit:
            cols.unit[name] = unit
    return cols


# --- public entry point --------------------------------------------------------------------------


def parse_cn_registry(path: Path, *, mapping: dict[str, str] | None = None, encoding: str | None = None) -> Dataset:
    """Parse a Chinese registry export (CSV or XLSX) into records and located findings.

    ``mapping`` maps the file's headers to canonical names (``{"Their Header": "企业名称"}``);
    ``encoding`` overrides detection (UTF-8 with or without BOM, then GB18030, a GBK superset).
    """
    sink = Sink()
    data = Dataset()
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    sheet = _read_xlsx(path, sink) if is_xlsx else _read_csv(path, encoding, sink)
    if sheet is not None:
        cols = _canonical_header(sheet.header, mapping, sheet.file, sink)
        where = RowLines()
        if all(c in cols.index for c in _TUSHARE):
            _Tushare(sheet, cols, path, sink, data, where).run()
        elif _has_registry_columns(cols, sheet, sink):
            _Registry(sheet, cols, path, sink, data, where).run()
        sink.findings.extend(check_dataset(data, locations=where, skip=_ROW_CHECKED))
        data.origins = where
    data.findings = sink.findings
    return data


_ROW_CHECKED = frozenset({"percent_looks_like_fraction"})


def _has_registry_columns(cols: _Columns, sheet: _Sheet, sink: Sink) -> bool:
    if len(sheet.header) == 1 and (";" in sheet.header[0] or "\t" in sheet.header[0]):
        sink.error(
            "wrong_delimiter",
            "expected comma-separated columns; the header is one column containing a "
            f"{'semicolon' if ';' in sheet.header[0] else 'tab'}",
            sheet.file,
            1,
        )
        return False
    ok = True
    if "企业名称" not in cols.index and "统一社会信用代码" not in cols.index:
        sink.error(
            "missing_column",
            "expected a column 企业名称 or 统一社会信用代码 (or Tushare's ts_code, end_date, "
            "holder_name, hold_ratio); map other headers with --map 'Their Header=企业名称'",
            sheet.file,
            1,
            "企业名称",
        )
        ok = False
    if "股东名称" not in cols.index:
        sink.error(
            "missing_column",
            "expected a column 股东名称 (shareholder name); map yours with --map 'Header=股东名称'",
            sheet.file,
            1,
            "股东名称",
        )
        ok = False
    return ok


# --- shares ----------------------------------------------------------------------------------


def _share_mode(texts: list[str], header_unit: str) -> bool:
    """True when a share column holds fractions (0.51) rather than percent (51).

    A "%" on any value or in the header settles it as percent. Otherwise a
    column whose every value is <= 1 with some decimals is fractions; a lone
    0.51 among values above 1 is a small percent.
    """
    if "%" in header_unit:
        return False
    numbers: list[float] = []
    for t in texts:
        if "%" in t or "％" in t:
            return False
        try:
            numbers.append(float(t))
        except ValueError:
            continue
    return looks_like_fractions(numbers)


def _parse_share(text: str, fractions: bool) -> float:
    """A share as a fraction; ValueError saying what was expected."""
    s = unicodedata.normalize("NFKC", text).strip()
    explicit_percent = s.endswith("%")
    s = s.rstrip("%").strip()
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"expected a share such as 51%, 51.00 or 0.51, got {text!r}") from None
    if fractions and not explicit_percent:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"expected a fraction from 0 to 1 in this column, got {text!r}")
        return value
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"expected a percent from 0 to 100, got {text!r}")
    return percent_to_fraction(value)


# --- registry layout -------------------------------------------------------------------------


@dataclass(slots=True)
class _Party:
    """What the file says about one entity, merged over its rows."""

    id: str
    name: str
    kind: str
    uscc: str | None = None
    founded: date | None = None
    dissolved: date | None = None
    capital: float | None = None
    currency: str | None = None
    status: str | None = None
    line: int = 0
    explicit_kind: bool = False  # kind stated by 企业类型/股东类型, not guessed from the name


_NAME_SPLIT_RE = re.compile(r"[、,，;；/]")
_DELEGATE_RE = re.compile(r"[(（]\s*委派代表[^()（）]*[)）]")


def _names(text: str) -> list[str]:
    """Several names in one cell ("甲公司、乙公司"), without "(委派代表: 张三)" notes."""
    text = _DELEGATE_RE.sub("", text)
    return [n for n in (clean_name(p) for p in _NAME_SPLIT_RE.split(text)) if n]


class _Registry:
    """One pass over the rows collecting parties and edges, then one resolving names."""

    def __init__(self, sheet: _Sheet, cols: _Columns, path: Path, sink: Sink, data: Dataset, where: RowLines) -> None:
        self.sheet, self.cols, self.sink, self.data, self.where = sheet, cols, sink, data, where
        self.source = path.name
        self.parties: dict[str, _Party] = {}
        self.uscc_by_name: dict[str, str] = {}
        self.line = 0

    def cell(self, row: list[str], name: str) -> str:
        i = self.cols.index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def fail(self, code: str, column: str, message: str) -> None:
        self.sink.error(code, message, self.sheet.file, self.line, column)

    def run(self) -> None:
        share_texts = [self.cell(r, "持股比例") for _, r in self.sheet.rows]
        fractions = _share_mode([t for t in share_texts if t], self.cols.unit.get("持股比例", ""))
        if fractions:
            self.sink.warn(
                "percent_looks_like_fraction",
                "expected percent in 持股比例; every value is <= 1 with decimals: read as fractions (0.51 = 51%)",
                self.sheet.file,
                None,
                "持股比例",
            )
        pending: list[tuple[int, str, str, Stake]] = []  # (line, holder name key, holder id, stake)
        controls: dict[tuple[str, str, str], int] = {}
        for line, row in self.sheet.rows:
            self.line = line
            company = self.company(row)
            if company is None:
                continue
            stake = self.stake(row, company, fractions)
            if stake is not None:
                pending.append((line, *stake))
            for column, basis in (("执行事务合伙人", "general_partner"), ("实际控制人", "declared")):
                for name in _names(self.cell(row, column)):
                    controls.setdefault((self.party_by_name(name, "", line), company, basis), line)
        self.emit(pending, controls)

    # -- parties --

    def company(self, row: list[str]) -> str | None:
        name = clean_name(self.cell(row, "企业名称"))
        uscc = self.uscc(self.cell(row, "统一社会信用代码"), "统一社会信用代码")
        if not name and not uscc:
            self.fail("missing_value", "企业名称", "expected a company name (企业名称) or USCC")
            return None
        kind_hint = self.cell(row, "企业类型")
        kind = _kind(kind_hint, name) if kind_hint else kind_from_name(name)
        if kind in ("person", "other", "fund") and not kind_hint:
            kind = "company"  # a row of a registry export describes a registered enterprise
        party = self.party(name or uscc or "", uscc, kind, explicit=bool(kind_hint))
        if not party.explicit_kind and party.kind in ("person", "other", "fund"):
            party.kind = kind  # first met as a shareholder by name; its own rows say more
        founded = self.date(self.cell(row, "成立日期"), "成立日期")
        dissolved = self.date(self.cell(row, "注销日期"), "注销日期")
        capital, currency = self.amount(self.cell(row, "注册资本"), "注册资本")
        status = self.cell(row, "登记状态") or None
        for attr, value in (
            ("founded", founded),
            ("dissolved", dissolved),
            ("capital", capital),
            ("currency", currency),
            ("status", status),
        ):
            self.merge(party, attr, value)
        return party.id

    def merge(self, party: _Party, attr: str, value: object) -> None:
        if value is None:
            return
        old = getattr(party, attr)
        if old is None:
            setattr(party, attr, value)
        elif old != value:
            column = {
                "founded": "成立日期",
                "dissolved": "注销日期",
                "capital": "注册资本",
                "currency": "注册资本",
                "status": "登记状态",
            }[attr]
            self.sink.warn(
                "conflicting_values",
                f"expected the same {column} on every row of {party.name!r}; kept {old!r}, this row says {value!r}",
                self.sheet.file,
                self.line,
                column,
            )

    def party(self, name: str, uscc: str | None, kind: str, *, explicit: bool) -> _Party:
        pid = uscc or name_id(name)
        if uscc and name:
            self.uscc_by_name.setdefault(_fold(name), uscc)
        party = self.parties.get(pid)
        if party is None:
            party = _Party(pid, name, kind, uscc=uscc, line=self.line, explicit_kind=explicit)
            self.parties[pid] = party
        elif explicit and not party.explicit_kind:
            party.kind, party.explicit_kind = kind, True
        return party

    def party_by_name(self, name: str, shareholder_type: str, line: int) -> str:
        kind = _kind(shareholder_type, name)
        return self.party(name, None, kind, explicit=bool(shareholder_type)).id

    def uscc(self, text: str, column: str) -> str | None:
        if not text:
            return None
        code = normalise_uscc(text)
        message = validate_uscc(code)
        if message:
            self.fail("bad_uscc", column, message)
            return None  # keyed on the name instead, so one bad code does not cascade
        return code

    # -- cells --

    def date(self, text: str, column: str) -> date | None:
        if not text:
            return None
        try:
            return parse_cn_date(text)
        except ValueError as exc:
            self.fail("bad_date", column, str(exc))
            return None

    def amount(self, text: str, column: str) -> tuple[float | None, str | None]:
        if not text:
            return None, None
        try:
            value, currency = parse_cn_amount_with_currency(text)
        except ValueError as exc:
            self.fail("bad_amount", column, str(exc))
            return None, None
        unit = self.cols.unit.get(column, "")
        if unit and not any(ch in text for ch in "万亿元"):
            # The unit is in the header ("认缴出资额(万元)"), the cell holds a bare number.
            value *= _UNIT_MULTIPLIER.get(unit.replace("人民币", ""), 1.0)
            currency = currency or ("CNY" if "元" in unit else None)
        return value, currency

    # -- stakes --

    def stake(self, row: list[str], company: str, fractions: bool) -> tuple[str, str, Stake] | None:
        holder = clean_name(self.cell(row, "股东名称"))
        share_text = self.cell(row, "持股比例")
        amount_text = self.cell(row, "认缴出资额")
        if not holder:
            if share_text or amount_text:
                self.fail("missing_value", "股东名称", "expected a shareholder name for this share")
            return None
        share = Share()
        if share_text:
            try:
                share = Share(exact=_parse_share(share_text, fractions))
            except ValueError as exc:
                self.fail("bad_share", "持股比例", str(exc))
        amount, _ = self.amount(amount_text, "认缴出资额")
        due = self.date(self.cell(row, "认缴出资日期"), "认缴出资日期")
        holder_uscc = self.holder_uscc(self.cell(row, "股东统一社会信用代码"))
        kind = _kind(self.cell(row, "股东类型"), holder)
        if holder_uscc:
            holder_id = self.party(holder, holder_uscc, kind, explicit=True).id
        else:
            holder_id = self.party_by_name(holder, self.cell(row, "股东类型"), self.line)
        detail = f"认缴出资日期 {due.isoformat()}" if due else None
        stake = Stake(
            owner_id=holder_id,
            owned_id=company,
            share=share,
            subscribed_capital=amount,
            source=self.source,
            detail=detail,
        )
        return _fold(holder), holder_id, stake

    def holder_uscc(self, text: str) -> str | None:
        # The column often holds masked ID-card numbers of persons: only an 18-character
        # code in the USCC alphabet is a USCC, and only then is a bad check a fault.
        code = normalise_uscc(text)
        if len(code) != 18 or "*" in code or code.isdigit() or code[:-1].isdigit():
            return None
        return self.uscc(code, "股东统一社会信用代码")

    # -- output --

    def resolve(self, pid: str, name_key: str) -> str:
        """A name-keyed party that another row gives a USCC for is that USCC's entity."""
        if pid.startswith("cn-name:"):
            return self.uscc_by_name.get(name_key, pid)
        return pid

    def emit(
        self,
        pending: list[tuple[int, str, str, Stake]],
        controls: dict[tuple[str, str, str], int],
    ) -> None:
        file = self.sheet.file
        merged: set[str] = set()
        for pid, party in self.parties.items():
            target = self.resolve(pid, _fold(party.name))
            if target != pid:
                merged.add(pid)
        for pid, party in self.parties.items():
            if pid in merged:
                continue
            self.where.add("entities", file, party.line)
            self.data.entities.append(
                Entity(
                    id=party.id,
                    name=party.name,
                    kind=party.kind,
                    jurisdiction="CN",
                    uscc=party.uscc,
                    founded=party.founded,
                    dissolved=party.dissolved,
                    registered_capital=party.capital,
                    currency=party.currency,
                    status=party.status,
                    source=self.source,
                )
            )
        seen: dict[str, int] = {}
        for line, name_key, holder_id, stake in pending:
            owner = self.resolve(holder_id, name_key)
            owned = self.resolve(stake.owned_id, _fold(self.parties[stake.owned_id].name))
            s = Stake(
                owner_id=owner,
                owned_id=owned,
                share=stake.share,
                subscribed_capital=stake.subscribed_capital,
                source=stake.source,
                detail=stake.detail,
            )
            if s.key in seen:
                self.sink.warn(
                    "duplicate_row",
                    f"expected one row per shareholder; same shareholder and company as line "
                    f"{seen[s.key]}, kept both (their shares add up)",
                    file,
                    line,
                    "股东名称",
                )
            seen.setdefault(s.key, line)
            self.where.add("stakes", file, line)
            self.data.stakes.append(s)
        emitted: set[tuple[str, str, str]] = set()
        for (controller, controlled, basis), line in controls.items():
            key = (
                self.resolve(controller, _fold(self.parties[controller].name)),
                self.resolve(controlled, _fold(self.parties[controlled].name)),
                basis,
            )
            if key in emitted:
                continue  # one company named by its USCC on some rows and by name on others
            emitted.add(key)
            self.where.add("controls", file, line)
            self.data.controls.append(Control(key[0], key[1], basis, source=self.source))


# --- Tushare top10_holders -----------------------------------------------------------------


def _stock_names(path: Path, sink: Sink) -> dict[str, str]:
    """ts_code -> short name from a sibling stockList.csv, when there is one."""
    sibling = path.with_name("stockList.csv")
    if not sibling.is_file() or sibling == path:
        return {}
    sheet = _read_csv(sibling, None, sink)
    if sheet is None or "ts_code" not in sheet.header or "name" not in sheet.header:
        return {}
    i, j = sheet.header.index("ts_code"), sheet.header.index("name")
    return {row[i].strip(): clean_name(row[j]) for _, row in sheet.rows if row[i].strip()}


def ts_code_id(ts_code: str) -> str:
    """Entity id of a listed company known by its exchange code."""
    return f"cn-ts:{ts_code.upper()}"


_TS_CODE_RE = re.compile(r"^\d{6}\.(SZ|SH|BJ)$", re.IGNORECASE)


@dataclass(slots=True)
class _HolderRow:
    line: int
    ts_code: str
    end: date
    ann: date | None
    full_name: str
    share: Share


class _Tushare:
    """Top-10 holder snapshots: each report period's list is valid until the next one."""

    def __init__(self, sheet: _Sheet, cols: _Columns, path: Path, sink: Sink, data: Dataset, where: RowLines) -> None:
        self.sheet, self.cols, self.path, self.sink = sheet, cols, path, sink
        self.data, self.where = data, where

    def fail(self, line: int, column: str, code: str, message: str) -> None:
        self.sink.error(code, message, self.sheet.file, line, column)

    def run(self) -> None:
        rows = self.read_rows()
        rows = self.latest_announcements(rows)
        self.emit(rows)

    def read_rows(self) -> list[_HolderRow]:
        ix = self.cols.index
        i_ann = ix.get("ann_date")
        texts = [r[ix["hold_ratio"]].strip() for _, r in self.sheet.rows]
        if looks_like_fractions(float(t) for t in texts if _is_float(t)):
            self.sink.warn(
                "percent_looks_like_fraction",
                "expected percent (0-100) in hold_ratio; every value is <= 1 with decimals: "
                "looks like fractions, not percent (loaded as percent, as written)",
                self.sheet.file,
                None,
                "hold_ratio",
            )
        out: list[_HolderRow] = []
        for line, row in self.sheet.rows:
            ts_code = row[ix["ts_code"]].strip().upper()
            if not _TS_CODE_RE.match(ts_code):
                self.fail(line, "ts_code", "bad_code", f"expected a code like 000001.SZ, got {ts_code!r}")
                continue
            end = self.date(row[ix["end_date"]], line, "end_date")
            ann_text = row[i_ann].strip() if i_ann is not None else ""
            ann = self.date(ann_text, line, "ann_date") if ann_text else None
            name = clean_name(row[ix["holder_name"]])
            if not name:
                self.fail(line, "holder_name", "missing_value", "expected a holder name")
                continue
            share = Share()
            ratio = row[ix["hold_ratio"]].strip()
            if ratio:
                try:
                    share = Share(exact=_parse_share(ratio, fractions=False))
                except ValueError as exc:
                    self.fail(line, "hold_ratio", "bad_share", str(exc))
                    continue
            if end is None:
                continue
            out.append(_HolderRow(line, ts_code, end, ann, name, share))
        return out

    def date(self, text: str, line: int, column: str) -> date | None:
        try:
            return parse_cn_date(text.strip())
        except ValueError as exc:
            self.fail(line, column, "bad_date", str(exc))
            return None

    def latest_announcements(self, rows: list[_HolderRow]) -> list[_HolderRow]:
        """One row per (company, period, holder account): a later announcement corrects an earlier.

        Tushare returns each announcement's rows; a correction repeats only the
        lines it changes, so the latest announcement wins line by line. An exact
        repeat of a row is dropped with a warning.
        """
        best: dict[tuple[str, date, str], _HolderRow] = {}
        for r in rows:
            key = (r.ts_code, r.end, r.full_name)
            old = best.get(key)
            if old is None:
                best[key] = r
                continue
            if old.ann == r.ann:
                same = old.share == r.share
                self.sink.warn(
                    "duplicate_row",
                    f"expected one row per holder and period; line {old.line} already lists "
                    f"{r.full_name!r} for {r.ts_code} {r.end}"
                    + ("" if same else f" with another share; kept line {old.line}"),
                    self.sheet.file,
                    r.line,
                    "holder_name",
                )
            elif (r.ann or date.min) > (old.ann or date.min):
                best[key] = r
        return sorted(best.values(), key=lambda r: r.line)

    def emit(self, rows: list[_HolderRow]) -> None:
        file = self.sheet.file
        names = _stock_names(self.path, self.sink)
        periods: dict[str, list[date]] = defaultdict(list)
        for r in rows:
            periods[r.ts_code].append(r.end)
        next_period: dict[tuple[str, date], date | None] = {}
        for code, ends in periods.items():
            ordered = sorted(set(ends))
            for a, b in zip(ordered, [*ordered[1:], None], strict=True):
                next_period[(code, a)] = b
        entities: dict[str, Entity] = {}
        for r in rows:
            cid = ts_code_id(r.ts_code)
            if cid not in entities:
                self.where.add("entities", file, r.line)
                entities[cid] = Entity(
                    id=cid,
                    name=names.get(r.ts_code, r.ts_code),
                    kind="company",
                    jurisdiction="CN",
                    source=self.path.name,
                    extra=(("ts_code", r.ts_code),),
                )
            base, account = holder_account(r.full_name)
            hid = name_id(base)
            if hid not in entities:
                self.where.add("entities", file, r.line)
                entities[hid] = Entity(id=hid, name=base, kind=kind_from_name(base), source=self.path.name)
            self.where.add("stakes", file, r.line)
            self.data.stakes.append(
                Stake(
                    owner_id=hid,
                    owned_id=cid,
                    share=r.share,
                    start=r.end,
                    end=next_period[(r.ts_code, r.end)],
                    source=f"{self.path.name} (Tushare top10_holders)",
                    detail=account,
                )
            )
        self.data.entities.extend(entities.values())


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
