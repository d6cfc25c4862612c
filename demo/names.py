"""Word lists and identifier helpers shared by the demo background and the bench generator.

Names are assembled the way PRC registered names are (administrative area +
trade name + industry + organisational form), from short lists of common
characters, so they read like registry entries while being generated. Every
list pairs the characters with their pinyin so the English column comes for free.

USCCs follow GB 32100-2015 (and the embedded GB 11714 organisation code has
its own valid check character), but the six-digit division code uses a
city part ``99`` that no real division has: a generated code can never be a
real company's code.

>>> uscc_check_char("91350100M000100Y4")  # the standard's own example, 91350100M000100Y43
'3'
>>> is_valid_uscc(make_uscc("63", 12345))
True
"""

from __future__ import annotations

# GB 32100-2015: the 31 characters of the code (no I, O, S, V, Z) and the weights.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}

# GB 11714: the organisation code (positions 9-17 of the USCC) has its own check digit.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC, from its first 17 (GB 32100-2015)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` has 18 characters from the charset and a matching check character."""
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def _org_code(serial: int) -> str:
    """A GB 11714 organisation code: eight digits from ``serial`` and their check character."""
    body = f"{serial % 100_000_000:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("0" if check == 11 else "X" if check == 10 else str(check))


def make_uscc(province: str, serial: int, kind: str = "company") -> str:
    """A valid, never-real USCC for a generated entity.

    ``province`` is the two-digit province code (63 Qinghai, 65 Xinjiang, 51
    Sichuan, 12 Tianjin, 11 Beijing); the city part ``99`` does not exist, which
    keeps generated codes apart from real ones. Distinct serials give distinct codes.
    """
    # 9 = market regulator, 1 = enterprise; 1 1 = organs of government (state bodies)
    head = "11" if kind == "state_body" else "91"
    first17 = f"{head}{province}9900{_org_code(serial)}"
    return first17 + uscc_check_char(first17)


# (jurisdiction, province code, [(city, pinyin)])
REGIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "CN-QH",
        "63",
        (("西宁", "Xining"), ("海东", "Haidong"), ("格尔木", "Golmud"), ("德令哈", "Delingha"),
         ("青海", "Qinghai")),
    ),
    (
        "CN-XJ",
        "65",
        (("乌鲁木齐", "Urumqi"), ("克拉玛依", "Karamay"), ("哈密", "Hami"), ("昌吉", "Changji"),
         ("喀什", "Kashgar"), ("新疆", "Xinjiang")),
    ),
    (
        "CN-SC",
        "51",
        (("成都", "Chengdu"), ("绵阳", "Mianyang"), ("德阳", "Deyang"), ("宜宾", "Yibin"),
         ("乐山", "Leshan"), ("四川", "Sichuan")),
    ),
    (
        "CN-TJ",
        "12",
        (("天津", "Tianjin"), ("天津滨海", "Tianjin Binhai"), ("天津武清", "Tianjin Wuqing")),
    ),
)

# Province names in the order of REGIONS, as state bodies' names start with them.
PROVINCES: tuple[str, ...] = ("青海省", "新疆维吾尔自治区", "四川省", "天津市")

# Trade-name characters (字号). Three of them make a trade name: common
# characters, uncommon combinations, so a generated name rarely matches a real one.
TRADE_CHARS: tuple[tuple[str, str], ...] = (
    ("华", "hua"), ("瑞", "rui"), ("泰", "tai"), ("鑫", "xin"), ("恒", "heng"), ("源", "yuan"),
    ("达", "da"), ("通", "tong"), ("盛", "sheng"), ("昌", "chang"), ("宏", "hong"), ("裕", "yu"),
    ("嘉", "jia"), ("润", "run"), ("丰", "feng"), ("海", "hai"), ("天", "tian"), ("宇", "yu"),
    ("卓", "zhuo"), ("越", "yue"), ("兴", "xing"), ("隆", "long"), ("佳", "jia"), ("信", "xin"),
    ("诚", "cheng"), ("和", "he"), ("安", "an"), ("康", "kang"), ("富", "fu"), ("金", "jin"),
    ("辉", "hui"), ("明", "ming"), ("光", "guang"), ("云", "yun"), ("峰", "feng"), ("林", "lin"),
    ("川", "chuan"), ("江", "jiang"), ("祥", "xiang"), ("德", "de"), ("正", "zheng"),
    ("元", "yuan"), ("广", "guang"), ("星", "xing"), ("辰", "chen"), ("驰", "chi"),
    ("腾", "teng"), ("骏", "jun"), ("昆", "kun"), ("雪", "xue"), ("岭", "ling"), ("柏", "bai"),
    ("逸", "yi"), ("拓", "tuo"), ("远", "yuan"), ("启", "qi"),
)

# (industry, English) for ordinary companies; the data-centre words are there
# on purpose so that a name search for 算力 or 数据 finds many candidates.
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("科技", "Technology"), ("数据科技", "Data Technology"), ("信息技术", "Information Technology"),
    ("云计算", "Cloud Computing"), ("算力科技", "Computing Power Technology"),
    ("新能源", "New Energy"), ("光伏科技", "Photovoltaic Technology"), ("电力", "Power"),
    ("矿业", "Mining"), ("建设工程", "Construction Engineering"),
    ("房地产开发", "Real Estate Development"), ("置业", "Property"), ("商贸", "Trading"),
    ("物流", "Logistics"), ("农牧业", "Agriculture and Animal Husbandry"), ("化工", "Chemical"),
    ("实业", "Industrial"), ("能源", "Energy"), ("文化传媒", "Culture and Media"),
    ("环保科技", "Environmental Technology"), ("生物科技", "Biotechnology"),
    ("餐饮管理", "Catering Management"), ("投资", "Investment"),
)

# (organisational form, English); the first is by far the most common in registries.
FORMS: tuple[tuple[str, str], ...] = (
    ("有限公司", "Co., Ltd."),
    ("有限责任公司", "Co., Ltd."),
    ("股份有限公司", "Joint Stock Co., Ltd."),
)
GROUP_FORM = ("集团有限公司", "Group Co., Ltd.")
PARTNERSHIP_KINDS: tuple[tuple[str, str], ...] = (
    ("投资合伙企业（有限合伙）", "Investment Partnership (LP)"),
    ("企业管理咨询合伙企业（有限合伙）", "Management Consulting Partnership (LP)"),
    ("创业投资合伙企业（有限合伙）", "Venture Capital Partnership (LP)"),
)

SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
    ("林", "Lin"), ("罗", "Luo"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
)
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("建", "jian"), ("国", "guo"), ("明", "ming"), ("华", "hua"), ("伟", "wei"), ("芳", "fang"),
    ("娟", "juan"), ("军", "jun"), ("强", "qiang"), ("磊", "lei"), ("洋", "yang"), ("静", "jing"),
    ("丽", "li"), ("敏", "min"), ("杰", "jie"), ("涛", "tao"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("燕", "yan"), ("玲", "ling"), ("斌", "bin"), ("波", "bo"), ("鹏", "peng"),
    ("婷", "ting"), ("浩", "hao"), ("欣", "xin"), ("勇", "yong"), ("毅", "yi"), ("琳", "lin"),
)
# Uyghur personal names as registries transliterate them (given name · father's name).
UYGHUR_NAMES: tuple[tuple[str, str], ...] = (
    ("艾力", "Ali"), ("买买提", "Mamat"), ("吐尔逊", "Tursun"), ("阿不都", "Abdu"),
    ("热合曼", "Rahman"), ("努尔", "Nur"), ("古丽", "Gul"), ("艾尼", "Ani"), ("依明", "Imin"),
)
