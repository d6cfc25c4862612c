"""Names compared across scripts: legal forms stripped, Chinese transliterated to pinyin, tokens folded.

Chinese characters are transliterated with pypinyin (maintained, with the
phrase dictionary that reads 重庆 as chong qing, not zhong qing). Legal-form
words come from a small table of our own: cleanco (the maintained list on
PyPI) strips one trailing suffix at a time in Latin scripts only, leaving
"Co." of "Co., Ltd." and knowing no 有限公司; the table below is what the
sources we load write.

>>> normalise_name("Fujian Example Holding Co., Ltd.")
'fujian example holding'
>>> normalise_name("福建示例控股有限公司")
'fu jian shi li kong gu'
>>> normalise_name("上海示例投资合伙企业（有限合伙）")
'shang hai shi li tou zi'
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from pypinyin import lazy_pinyin

__all__ = ["compact", "core_name", "normalise_name", "search_terms"]

# Longest first: 股份有限公司 before 有限公司 before 公司.
_CN_FORMS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "合伙企业", "有限合伙", "普通合伙", "分公司", "公司",
)
_LATIN_FORMS = frozenset({
    "co", "company", "ltd", "limited", "llc", "l.l.c", "inc", "incorporated", "corp", "corporation", "plc",
    "gmbh", "ag", "sa", "s.a", "spa", "s.p.a", "srl", "s.r.l", "bv", "b.v", "nv", "n.v", "lp", "llp", "as", "a/s",
    "ab", "oy", "oyj", "sarl", "sas", "kg", "pte", "pty", "sro", "s.r.o", "as.", "the",
})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_TOKEN = re.compile(r"[a-z0-9]+(?:[./][a-z0-9]+)*")


def core_name(text: str) -> str:
    """The name in its own script without bracketed notes and a Chinese legal form.

    >>> core_name("上海示例投资合伙企业（有限合伙）")
    '上海示例投资'
    """
    s = _BRACKETS.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if _CJK.search(s):
        for form in _CN_FORMS:
            if s.endswith(form) and len(s) > len(form):
                return s[: -len(form)].strip()
    return s


@functools.lru_cache(maxsize=65_536)
def normalise_name(text: str) -> str:
    """Lower-case Latin tokens of a name: legal forms and bracketed notes dropped, Chinese in pinyin."""
    s = core_name(text)
    if _CJK.search(s):
        s = " ".join(lazy_pinyin(s))
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    tokens = [t for t in _TOKEN.findall(s.replace(",", " ")) if t not in _LATIN_FORMS]
    return " ".join(tokens)


def compact(normal: str) -> str:
    """A normalised name without spaces: "fu jian" and "fujian" compare equal.

    >>> compact("fu jian shi li")
    'fujianshili'
    """
    return normal.replace(" ", "")


def search_terms(name: str) -> list[str]:
    """Terms to look a name up by in a full-text index, none as common as a legal form: a Chinese name's
    core (the index reads it as character pairs) and its pinyin syllables joined in pairs (so "fu jian"
    finds "Fujian"); a Latin name's normalised words.

    >>> search_terms("福建控股有限公司")
    ['福建控股', 'fujian', 'jiankong', 'konggu']
    >>> search_terms("Fujian Konggu Co., Ltd.")
    ['fujian', 'konggu']
    """
    core = core_name(name)
    tokens = normalise_name(name).split()
    if _CJK.search(core):
        return list(dict.fromkeys([core, *(a + b for a, b in itertools.pairwise(tokens))]))
    return list(dict.fromkeys(tokens))
