"""Identifiers as data: each scheme's normal form and validity, and the keys resolution merges on.

An identifier is ``(scheme, value)``. Schemes are named as org-id.guide names
registers (``GB-COH``, ``SK-ORSR``, ``DK-CVR``, ...), plus ``LEI``, ``USCC``,
``OPENCORPORATES`` (``gb/01234567``), ``OPENSANCTIONS`` and ``WIKIDATA``.
Check digits come from python-stdnum (maintained, tested against the
published algorithms: ISO 7064 MOD 97-10 for the LEI, GB 32100-2015 for the
USCC, the national registers' own checks); a scheme with no published check
is checked for its format only.

A *merge key* (``"LEI:5493001KJTIIGC8Y1R12"``) is the normal form of a valid
identifier of a scheme that names one legal entity; an invalid identifier is
kept as data (and warned about by its loader) but never becomes a key.

>>> normalise("XI-LEI", "5493001kjtiigc8y1r12")
('LEI', '5493001KJTIIGC8Y1R12', None)
>>> normalise("GB-COH", "1234567")
('GB-COH', '01234567', None)
>>> normalise("LEI", "5493001KJTIIGC8Y1R13")[2]
'expected valid LEI check digits (ISO 7064 MOD 97-10)'
>>> merge_keys([("LEI", "5493001KJTIIGC8Y1R12"), ("LEI", "bad")])
('LEI:5493001KJTIIGC8Y1R12',)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from stdnum import lei as std_lei
from stdnum.cn import uscc as std_uscc
from stdnum.dk import cvr as std_dk_cvr
from stdnum.ee import registrikood as std_ee
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus as std_fi
from stdnum.fr import siren as std_fr
from stdnum.no import orgnr as std_no
from stdnum.se import orgnr as std_se

from ownergraph.graph.model import Entity

__all__ = ["Identifier", "entity_identifiers", "key_of", "merge_keys", "normalise", "parse_key", "scheme_name"]

Identifier = tuple[str, str]

LEI = "LEI"
USCC = "USCC"
OPENCORPORATES = "OPENCORPORATES"
OPENSANCTIONS = "OPENSANCTIONS"
WIKIDATA = "WIKIDATA"

# Other spellings sources use for the same schemes (BODS, FtM, org-id.guide, people).
_ALIASES: dict[str, str] = {
    "XI-LEI": LEI,
    "LEI": LEI,
    "LEICODE": LEI,
    "USCC": USCC,
    "CN-USCC": USCC,
    "CN-SAIC": USCC,
    "OPENCORPORATES": OPENCORPORATES,
    "OC": OPENCORPORATES,
    "XI-OPENCORPORATES": OPENCORPORATES,
    "OPENSANCTIONS": OPENSANCTIONS,
    "OS": OPENSANCTIONS,
    "WIKIDATA": WIKIDATA,
    "XI-WIKIDATA": WIKIDATA,
    "WIKIDATAID": WIKIDATA,
}
_ORG_ID_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9_]{2,20}$")
_GB_COH_RE = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|[A-Z]{2}\d{5}R)$")
_QID_RE = re.compile(r"^Q[1-9]\d*$")
_OC_RE = re.compile(r"^[a-z]{2}(?:_[a-z]{2})?/[A-Za-z0-9][A-Za-z0-9\-./]{0,63}$")
_OS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{1,127}$")
_REGISTER_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]{0,63}$")


def _stdnum(module: object, what: str) -> Callable[[str], tuple[str, str | None]]:
    def check(value: str) -> tuple[str, str | None]:
        compact: str = module.compact(value)  # type: ignore[attr-defined]
        try:
            module.validate(compact)  # type: ignore[attr-defined]
        except ValidationError as exc:
            return compact, f"expected {what}: {str(exc).lower()}"
        return compact, None

    return check


def _lei(value: str) -> tuple[str, str | None]:
    compact: str = std_lei.compact(value).upper()
    if len(compact) != 20 or not compact.isalnum():
        return compact, "expected a 20-character LEI of letters and digits (ISO 17442)"
    try:
        std_lei.validate(compact)
    except ValidationError:
        return compact, "expected valid LEI check digits (ISO 7064 MOD 97-10)"
    return compact, None


def _uscc(value: str) -> tuple[str, str | None]:
    compact: str = std_uscc.compact(unicodedata.normalize("NFKC", value)).upper()
    try:
        std_uscc.validate(compact)
    except ValidationError as exc:
        return compact, f"expected a USCC with a valid GB 32100-2015 check character: {str(exc).lower()}"
    return compact, None


def _padded_digits(width: int, what: str) -> Callable[[str], tuple[str, str | None]]:
    def check(value: str) -> tuple[str, str | None]:
        compact = re.sub(r"[\s.\-/]", "", value)
        if not compact.isdigit() or len(compact) > width:
            return compact, f"expected {what} of at most {width} digits"
        return compact.zfill(width), None

    return check


def _gb_coh(value: str) -> tuple[str, str | None]:
    compact = re.sub(r"\s", "", value).upper()
    if compact.isdigit() and len(compact) < 8:
        compact = compact.zfill(8)
    elif len(compact) < 8 and compact[:2].isalpha() and compact[2:].isdigit():
        compact = compact[:2] + compact[2:].zfill(6)
    if not _GB_COH_RE.match(compact):
        return compact, "expected a Companies House number: 8 digits, or 2 letters and 6 digits"
    return compact, None


def _wikidata(value: str) -> tuple[str, str | None]:
    compact = value.strip().rsplit("/", 1)[-1].upper()
    return compact, None if _QID_RE.match(compact) else "expected a Wikidata item id such as Q95"


def _opencorporates(value: str) -> tuple[str, str | None]:
    text = value.strip()
    marker = "/companies/"
    if marker in text:
        text = text.split(marker, 1)[1]
    head, _, number = text.partition("/")
    compact = f"{head.lower()}/{number.strip().upper()}" if number else text
    if not _OC_RE.match(compact):
        return compact, "expected an OpenCorporates id: jurisdiction/company number, such as gb/01234567"
    return compact, None


def _opensanctions(value: str) -> tuple[str, str | None]:
    compact = value.strip()
    return compact, None if _OS_RE.match(compact) else "expected an OpenSanctions entity id such as NK-abc123"


def _register(value: str) -> tuple[str, str | None]:
    compact = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper()
    if not _REGISTER_RE.match(compact):
        return compact, "expected a register number of letters, digits, '-', '/' or '.'"
    return compact, None


_CHECKS: dict[str, Callable[[str], tuple[str, str | None]]] = {
    LEI: _lei,
    USCC: _uscc,
    OPENCORPORATES: _opencorporates,
    OPENSANCTIONS: _opensanctions,
    WIKIDATA: _wikidata,
    "GB-COH": _gb_coh,
    "SK-ORSR": _padded_digits(8, "a Slovak company number (ICO)"),
    "CZ-ICO": _padded_digits(8, "a Czech company number (ICO)"),
    "DK-CVR": _stdnum(std_dk_cvr, "a Danish CVR number"),
    "NO-BRC": _stdnum(std_no, "a Norwegian organisation number"),
    "FI-PRO": _stdnum(std_fi, "a Finnish business id (Y-tunnus)"),
    "SE-BLV": _stdnum(std_se, "a Swedish organisation number"),
    "EE-RIK": _stdnum(std_ee, "an Estonian registry code"),
    "FR-RCS": _stdnum(std_fr, "a French SIREN"),
}


def scheme_name(scheme: str) -> str | None:
    """The scheme's normal name, or None when it names no register.

    >>> scheme_name("xi-lei"), scheme_name("GB-COH"), scheme_name("Companies House")
    ('LEI', 'GB-COH', None)
    """
    s = scheme.strip().upper()
    if s in _ALIASES:
        return _ALIASES[s]
    if _ORG_ID_RE.match(s):
        return s
    return None


def normalise(scheme: str, value: str) -> tuple[str, str, str | None]:
    """``(scheme, normal value, problem)``: problem is None when the identifier is valid.

    A Chinese register number of 18 characters (``CN-...``) is a USCC.

    >>> normalise("CN-SAMR", "91350100M000100Y43")
    ('USCC', '91350100M000100Y43', None)
    >>> normalise("Companies House", "123")[2]
    "expected a scheme named as org-id.guide names registers (GB-COH, DK-CVR, XI-LEI, ...), got 'Companies House'"
    """
    name = scheme_name(scheme)
    text = value.strip()
    if name is None:
        return scheme.strip(), text, (
            "expected a scheme named as org-id.guide names registers (GB-COH, DK-CVR, XI-LEI, ...), "
            f"got {scheme.strip()!r}"
        )
    if name.startswith("CN-") and len(re.sub(r"\s", "", text)) == 18:
        name = USCC
    if not text:
        return name, text, "expected a value, the identifier is empty"
    value_out, problem = _CHECKS.get(name, _register)(text)
    return name, value_out, problem


def key_of(scheme: str, value: str) -> str:
    """The text of a merge key: ``SCHEME:value``."""
    return f"{scheme}:{value}"


def parse_key(key: str) -> Identifier:
    """``SCHEME:value`` back into its two parts.

    >>> parse_key("OPENCORPORATES:gb/01234567")
    ('OPENCORPORATES', 'gb/01234567')
    """
    scheme, _, value = key.partition(":")
    return scheme, value


def merge_keys(identifiers: Iterable[Identifier]) -> tuple[str, ...]:
    """The sorted merge keys of the valid identifiers; invalid ones give none."""
    keys: set[str] = set()
    for scheme, value in identifiers:
        name, normal, problem = normalise(scheme, value)
        if problem is None:
            keys.add(key_of(name, normal))
    return tuple(sorted(keys))


def entity_identifiers(e: Entity) -> tuple[Identifier, ...]:
    """Every identifier an entity states: its ``identifiers`` and its ``lei``/``uscc`` fields, once each.

    >>> entity_identifiers(Entity("x", "X", "company", lei="5493001KJTIIGC8Y1R12"))
    (('LEI', '5493001KJTIIGC8Y1R12'),)
    """
    found: dict[Identifier, None] = {}
    for scheme, value in (*e.identifiers, (LEI, e.lei or ""), (USCC, e.uscc or "")):
        if not value:
            continue
        name, normal, problem = normalise(scheme, value)
        found[(name, normal if problem is None else value.strip())] = None
    return tuple(found)
