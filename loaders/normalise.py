"""Normalisation shared by every loader: shares, dates, amounts, identifiers, names.

Each parser raises ``ValueError`` with a sentence saying what was expected, so
a loader can wrap it into a located :class:`graph.model.Finding` without
rewording. Shares leave this module as fractions in [0, 1] (the model's unit).

>>> parse_percent_share("25-50%")
Share(exact=None, minimum=0.25, maximum=0.5, raw='25-50%')
>>> parse_cn_amount("4680.75万元")
46807500.0
>>> validate_uscc("91350100M000100Y43") is None
True
"""

from __future__ import annotations

import contextvars
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ownergraph.graph.model import Share, inside

__all__ = [
    "USCC_CHARSET",
    "clean_name",
    "normalise_uscc",
    "noting_control_characters",
    "parse_cn_amount",
    "parse_cn_amount_with_currency",
    "parse_cn_date",
    "parse_iso_date",
    "parse_number",
    "parse_percent",
    "parse_percent_share",
    "percent_to_fraction",
    "validate_lei",
    "validate_uscc",
]

# --- shares -----------------------------------------------------------------

_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_EXACT_RE = re.compile(rf"^{_NUM}%?$")
_BOUND_RE = re.compile(rf"^(>=|<=|>|<){_NUM}%?$")
_RANGE_RE = re.compile(rf"^{_NUM}%?(?:-|~|to){_NUM}%?$")
# Dashes and comparison signs that sources write in many Unicode spellings.
_SIGN_TABLE = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "−": "-",
        "～": "~",
        "≥": ">=",
        "≤": "<=",
        "⩾": ">=",
        "⩽": "<=",
    }
)


def percent_to_fraction(value: float) -> float:
    """A percent (0-100) as a fraction (0-1), without float noise such as 0.07000000000000001.

    >>> percent_to_fraction(7.0)
    0.07
    """
    return round(value / 100.0, 12)


def parse_percent(text: str) -> float:
    """A bare percent number ("51", "51.00", "51%") as a percent value, range-checked.

    The fast path for CSV columns that hold one number; use
    :func:`parse_percent_share` for free text with intervals.
    """
    s = text.strip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"expected a percent number from 0 to 100, got {text!r}") from None
    if not 0.0 <= value <= 100.0:  # also rejects nan; inf fails the bound
        raise ValueError(f"expected a percent from 0 to 100, got {text!r}")
    return value


def _percent_number(num: str, text: str) -> float:
    value = float(num)
    if value > 100.0:
        raise ValueError(f"expected a percent from 0 to 100, got {text!r}")
    return value


def parse_percent_share(text: str) -> Share:
    """Free-text percent ("25", "25%", "25.5 %", "25-50%", ">50%", ">=25%", "<25%") as a Share.

    A bare "0.25" is 0.25 percent: whether a whole column holds fractions is a
    column-wide question that :mod:`loaders.validate` answers. Empty text is an
    unknown share. Exclusive bounds become their inclusive stand-in just inside
    (``graph.model.inside``), so that ">50%" passes the strict "more than half" test of control;
    ``raw`` keeps the text.

    >>> parse_percent_share("51%").exact
    0.51
    >>> s = parse_percent_share(">50%")
    >>> s.minimum > 0.5, s.maximum, s.raw
    (True, 1.0, '>50%')
    """
    if not text or not text.strip():
        return Share()
    raw = text.strip()
    s = unicodedata.normalize("NFKC", raw).translate(_SIGN_TABLE)
    s = "".join(s.split()).lower()
    m = _EXACT_RE.match(s)
    if m:
        return Share(exact=percent_to_fraction(_percent_number(m.group(1), raw)))
    m = _RANGE_RE.match(s)
    if m:
        lo = _percent_number(m.group(1), raw)
        hi = _percent_number(m.group(2), raw)
        if lo > hi:
            raise ValueError(f"expected an interval low-high with low <= high, got {raw!r}")
        return Share(minimum=percent_to_fraction(lo), maximum=percent_to_fraction(hi), raw=raw)
    m = _BOUND_RE.match(s)
    if m:
        op, bound = m.group(1), percent_to_fraction(_percent_number(m.group(2), raw))
        if op == ">=":
            return Share(minimum=bound, maximum=1.0, raw=raw)
        if op == ">":
            if bound >= 1.0:
                raise ValueError(f"expected a satisfiable bound, got {raw!r}")
            return Share(minimum=inside(bound, 1.0), maximum=1.0, raw=raw)
        if op == "<=":
            return Share(minimum=0.0, maximum=bound, raw=raw)
        if bound <= 0.0:
            raise ValueError(f"expected a satisfiable bound, got {raw!r}")
        return Share(minimum=0.0, maximum=inside(bound, 0.0), raw=raw)
    raise ValueError(f"expected a percent such as '25', '25%', '25-50%', '>50%' or '<=25%', got {raw!r}")


# --- numbers and amounts --------------------------------------------------------


def parse_number(text: str) -> float:
    """A plain number, thousands separators allowed ("1,234.5"); finite only."""
    s = text.strip().replace(",", "").replace("，", "")
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {text!r}")
    return value


# Longest spellings first so that "万美元" is not read as "万" + "美元" twice.
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("人民币元", "CNY"),
    ("人民币", "CNY"),
    ("美元", "USD"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("欧元", "EUR"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("澳元", "AUD"),
    ("新加坡元", "SGD"),
    ("加元", "CAD"),
    ("瑞士法郎", "CHF"),
    ("元", "CNY"),
    ("CNY", "CNY"),
    ("RMB", "CNY"),
    ("USD", "USD"),
    ("HKD", "HKD"),
    ("EUR", "EUR"),
)
_MULTIPLIERS: dict[str, int] = {
    "": 1,
    "千": 1_000,
    "万": 10_000,
    "十万": 100_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
    "万亿": 1_000_000_000_000,
}
_AMOUNT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(千|万|十万|百万|千万|亿|万亿)?$")


def _split_currency(s: str) -> tuple[str, str | None]:
    """Strip a currency word before ("人民币1亿元") and/or after ("500万美元") the number."""
    currency: str | None = None
    for word, code in _CURRENCIES:
        if len(word) > 1 and s.startswith(word):
            s, currency = s[len(word) :], code
            break
    for word, code in _CURRENCIES:
        if s.endswith(word):
            s, currency = s[: -len(word)], code
            break
    return s, currency


def parse_cn_amount_with_currency(text: str) -> tuple[float, str | None]:
    """A Chinese registry amount with its unit and currency.

    >>> parse_cn_amount_with_currency("500万美元")
    (5000000.0, 'USD')
    >>> parse_cn_amount_with_currency("人民币1亿元")
    (100000000.0, 'CNY')
    >>> parse_cn_amount_with_currency("1,200")
    (1200.0, None)
    """
    s = unicodedata.normalize("NFKC", text)
    s = "".join(s.split()).replace(",", "")
    # Some exports put the unit in brackets: "1000(万元)".
    s = s.replace("(", "").replace(")", "")
    body, currency = _split_currency(s)
    m = _AMOUNT_RE.match(body)
    if not m:
        raise ValueError(f"expected an amount such as '4680.75万元', '1亿元' or '500万美元', got {text!r}")
    try:
        value = Decimal(m.group(1)) * _MULTIPLIERS[m.group(2) or ""]
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"expected an amount, got {text!r}") from None
    if value < 0:
        raise ValueError(f"expected a non-negative amount, got {text!r}")
    return float(value), currency


def parse_cn_amount(text: str) -> float:
    """The amount alone; see :func:`parse_cn_amount_with_currency`."""
    return parse_cn_amount_with_currency(text)[0]


# --- dates ------------------------------------------------------------------------

_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CN_DATE_RE = re.compile(r"^(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _make_date(y: str, m: str, d: str, text: str) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError as exc:
        raise ValueError(f"expected a real calendar date, got {text!r} ({exc})") from None


def parse_iso_date(text: str) -> date:
    """An ISO 8601 calendar date YYYY-MM-DD; impossible dates (2024-02-30) are refused.

    >>> parse_iso_date("2024-02-29")
    datetime.date(2024, 2, 29)
    """
    s = text.strip()
    m = _ISO_DATE_RE.match(s)
    if not m:
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {text!r}")
    return _make_date(m.group(1), m.group(2), m.group(3), text)


def parse_cn_date(text: str | date) -> date:
    """A date as Chinese exports write it: 2024-12-03, 2024/12/3, 2024年12月3日, 20241203.

    A trailing midnight time ("2024-12-03 00:00:00", as spreadsheets export)
    is accepted; a ``date``/``datetime`` cell value passes through.

    >>> parse_cn_date("2024年12月3日")
    datetime.date(2024, 12, 3)
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    s = unicodedata.normalize("NFKC", text).strip()
    if " " in s or "T" in s:
        head, _, tail = s.replace("T", " ").partition(" ")
        if tail.strip() not in ("00:00:00", "00:00", "0:00:00", "00:00:00.000"):
            raise ValueError(f"expected a date without a time of day, got {text!r}")
        s = head
    m = _CN_DATE_RE.match(s) or _COMPACT_DATE_RE.match(s)
    if not m:
        raise ValueError(f"expected a date such as 2024-12-03, 2024/12/3, 2024年12月3日 or 20241203, got {text!r}")
    return _make_date(m.group(1), m.group(2), m.group(3), text)


# --- identifiers --------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_uscc(code: str) -> str:
    """Trim, upper-case and fold full-width characters, as people paste codes."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str | None:
    """None when ``code`` is a well-formed USCC (GB 32100-2015), else what was expected.

    >>> validate_uscc("91350100M000100Y43") is None
    True
    >>> validate_uscc("91350100M000100Y44")
    "expected USCC check character '3' (GB 32100-2015), got '4' in '91350100M000100Y44'"
    """
    if len(code) != 18:
        return f"expected an 18-character USCC, got {len(code)} characters in {code!r}"
    bad = [c for c in code if c not in _USCC_VALUE]
    if bad:
        return f"expected USCC characters from {USCC_CHARSET} (no I, O, S, V, Z), got {bad[0]!r} in {code!r}"
    if not code[2:8].isdigit():
        return f"expected a 6-digit administrative division code at USCC positions 3-8 in {code!r}"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"expected USCC check character {expected!r} (GB 32100-2015), got {code[17]!r} in {code!r}"
    return None


_LEI_RE = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")


def validate_lei(code: str) -> str | None:
    """None when ``code`` is a valid LEI (ISO 17442, ISO 7064 MOD 97-10), else what was expected.

    >>> validate_lei("5493001KJTIIGC8Y1R12") is None
    True
    """
    if len(code) != 20:
        return f"expected a 20-character LEI, got {len(code)} characters in {code!r}"
    if not _LEI_RE.match(code):
        return f"expected an LEI of 18 upper-case letters/digits and 2 check digits, got {code!r}"
    # Letters count as 10..35; int(c, 36) does exactly that.
    digits = "".join(str(int(c, 36)) for c in code)
    if int(digits) % 97 != 1:
        return f"expected valid LEI check digits (ISO 7064 MOD 97-10) in {code!r}"
    return None


# --- names ------------------------------------------------------------------------


# Control characters (C0, DEL, C1) and the bidirectional overrides: in a terminal they recolour, move the
# cursor or retitle the window; in a page they reorder what is shown. Whitespace among them is collapsed.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_removed: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("ownergraph_names_cleaned", default=None)


@contextmanager
def noting_control_characters() -> Iterator[list[str]]:
    """Collect, while the block runs, every name ``clean_name`` had to remove control characters from."""
    names: list[str] = []
    token = _removed.set(names)
    try:
        yield names
    finally:
        _removed.reset(token)


def clean_name(text: str) -> str:
    """Trim and collapse whitespace, full-width (U+3000) and no-break spaces included; drop control characters.

    Full-width brackets are kept: "（有限合伙）" is how the registry spells the name.

    >>> clean_name("  北京\u3000字节跳动  科技有限公司 ")
    '北京 字节跳动 科技有限公司'
    >>> clean_name("Acme\x1b]0;pwned\x07 Ltd\u202e")
    'Acme]0;pwned Ltd'
    """
    # str.split() with no argument already treats U+3000 and U+00A0 as whitespace;
    # zero-width spaces are not whitespace to Python, so drop them first.
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
        cleaned = " ".join(text.split())
        noted = _removed.get()
        if noted is not None:
            noted.append(cleaned)
        return cleaned
    return " ".join(text.split())
