"""Build the demo registry-csv folder (demo/data/) from the reported case and a seeded background.

Run ``python -m demo.build_demo`` (or ``python demo/build_demo.py``); the
output is byte-identical on every run. demo/README.md says which records are
reported, which are illustrative, and what the API must answer on them.

The background is built so that the query "companies founded in December
2024 that share a controlling group" is a real search: thousands of
companies, a few dozen of them founded that month, data-centre words in many
names, and decoys (a person holding 20% of two December companies, siblings
founded just outside the window), while no background December-2024
companies share an owner or controller strongly enough to form a cluster.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.names import (
    FORMS,
    GIVEN_CHARS,
    GROUP_FORM,
    INDUSTRIES,
    PARTNERSHIP_KINDS,
    PROVINCES,
    REGIONS,
    SURNAMES,
    TRADE_CHARS,
    UYGHUR_NAMES,
    make_uscc,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20241231

REPORTED = "reported: 2025 news report on Nvidia-chip data centres in Xinjiang and Qinghai"
ILLUSTRATIVE = "illustrative: placeholder, not a registry record"
BACKGROUND = "illustrative: background, generated, not a registry record"

ENTITY_COLUMNS = (
    "id", "name", "kind", "name_en", "aliases", "jurisdiction", "uscc", "founded",
    "dissolved", "registered_capital", "currency", "source", "note",
)
OWNERSHIP_COLUMNS = (
    "owner_id", "owned_id", "share", "share_min", "share_max", "voting_share",
    "subscribed_capital", "start", "end", "source",
)
CONTROL_COLUMNS = ("controller_id", "controlled_id", "basis", "start", "end", "source")
CONCERT_COLUMNS = ("party_a", "party_b", "scope_id", "start", "end", "source")
LINK_COLUMNS = ("source_id", "target_id", "link_type", "start", "end", "source", "detail")

Row = dict[str, str]

# The case's December-2024 project companies and the answers demo/README.md promises.
PROJECT_1 = "ph-qh-dc-project-1"
PROJECT_2 = "ph-qh-dc-project-2"
BORONG = "qh-borong-group"
QINGSHU = "sc-chengdu-qingshu"
CHN_ENERGY = "cn-chn-energy"
SASAC = "cn-sasac"
WINDOW = (date(2024, 12, 1), date(2024, 12, 31))


def _entity(**values: str) -> Row:
    return {c: values.get(c, "") for c in ENTITY_COLUMNS}


def _stake(owner: str, owned: str, start: str, source: str, **values: str) -> Row:
    row = {c: values.get(c, "") for c in OWNERSHIP_COLUMNS}
    row.update(owner_id=owner, owned_id=owned, start=start, source=source)
    return row


def _control(controller: str, controlled: str, basis: str, start: str, source: str) -> Row:
    return {
        "controller_id": controller, "controlled_id": controlled, "basis": basis,
        "start": start, "end": "", "source": source,
    }


# --------------------------------------------------------------------------- the case


def case_entities() -> list[Row]:
    """The companies the report names, and clearly marked placeholders for what it leaves out."""
    serials = iter(range(880_001, 880_100))  # own serial block: never collides with the background

    def ph(ident: str, name: str, name_en: str, kind: str, jur: str, province: str,
           founded: str, note: str, capital: str = "") -> Row:
        uscc = "" if kind == "person" else make_uscc(province, next(serials), kind)
        return _entity(
            id=ident, name=name, kind=kind, name_en=name_en, jurisdiction=jur, uscc=uscc,
            founded=founded, registered_capital=capital, currency="CNY" if capital else "",
            source=ILLUSTRATIVE, note=note,
        )

    reported = [
        _entity(id=BORONG, name="Qinghai Borong Group", kind="company",
                name_en="Qinghai Borong Group", jurisdiction="CN-QH", source=REPORTED,
                note="Qinghai real-estate firm; registry shareholding data traces both December-2024 "
                     "Qinghai data-centre project companies to it (Chinese name not given in the report)"),
        _entity(id=QINGSHU, name="Chengdu Qingshu Technology", kind="company",
                name_en="Chengdu Qingshu Technology", jurisdiction="CN-SC", source=REPORTED,
                note="Sichuan AI technology company; registry shareholding data traces both "
                     "December-2024 Qinghai data-centre project companies to it (Chinese name not "
                     "given in the report)"),
        _entity(id="tj-nyocor", name="金开新能", kind="company", name_en="Nyocor Co.",
                jurisdiction="CN-TJ", source=REPORTED,
                note="Tianjin solar and wind power firm; ultimately controls the company planning a "
                     "data centre of 625 H100 servers (250 in the first phase); sells the computing "
                     "power to Infinigence AI"),
        _entity(id="hb-china-bester", name="中贝通信", kind="company", name_en="China Bester Group",
                jurisdiction="CN-HB", source=REPORTED,
                note="Hubei; supplies the hardware of Nyocor's planned data centre"),
        _entity(id="cn-infinigence", name="无问芯穹", kind="company", name_en="Infinigence AI",
                jurisdiction="CN", source=REPORTED,
                note="buys the computing power of Nyocor's planned data centre"),
        _entity(id=CHN_ENERGY, name="国家能源投资集团", kind="company",
                name_en="China Energy Investment Corporation", jurisdiction="CN-BJ", source=REPORTED,
                note="state-owned group in Beijing; plans 644 servers with more than 5,000 H100/H200 "
                     "chips through two newly created subsidiaries"),
        _entity(id=SASAC, name="国务院国有资产监督管理委员会", kind="state_body",
                name_en="State-owned Assets Supervision and Administration Commission of the State "
                        "Council",
                jurisdiction="CN",
                source="illustrative: real state body placed at the top of the state-owned chain "
                       "(the report says only that the group is state-owned), not a registry record"),
    ]
    placeholders = [
        # Qinghai Borong Group's side: a holding and a property company holding each other.
        ph("ph-qh-holding-a", "青海示例甲控股有限公司", "Qinghai Placeholder A Holding Co., Ltd.",
           "company", "CN-QH", "63", "2016-05-18",
           "placeholder holding company of Qinghai Borong Group", "50000000"),
        ph("ph-qh-property-b", "青海示例乙置业有限公司", "Qinghai Placeholder B Property Co., Ltd.",
           "company", "CN-QH", "63", "2012-08-09",
           "placeholder property company of Qinghai Borong Group (cross-holding with A)",
           "20000000"),
        ph("ph-qh-compute-lp", "青海示例丙算力投资合伙企业（有限合伙）",
           "Qinghai Placeholder C Computing Investment Partnership (LP)", "partnership",
           "CN-QH", "63", "2024-10-15",
           "placeholder joint partnership of both groups; executive partner: placeholder A"),
        # Chengdu Qingshu Technology's side: a fund manager running a venture partnership.
        ph("ph-sc-fund-manager", "成都示例丁私募基金管理有限公司",
           "Chengdu Placeholder D Private Fund Management Co., Ltd.", "company", "CN-SC", "51",
           "2019-03-12", "placeholder fund manager of Chengdu Qingshu Technology", "10000000"),
        ph("ph-sc-venture-lp", "成都示例戊创业投资合伙企业（有限合伙）",
           "Chengdu Placeholder E Venture Capital Partnership (LP)", "partnership", "CN-SC", "51",
           "2021-06-30", "placeholder investment vehicle of Chengdu Qingshu Technology; executive "
                         "partner: placeholder D"),
        # The two reported December-2024 project companies (names not in the report).
        ph(PROJECT_1, "青海示例己算力科技有限公司",
           "Qinghai Placeholder F Computing Technology Co., Ltd.", "company", "CN-QH", "63",
           "2024-12-05",
           "placeholder for one of the two companies founded in December 2024 that applied for the "
           "two Qinghai data-centre projects approved that month (13.5 billion yuan in total)",
           "50000000"),
        ph(PROJECT_2, "青海示例庚数据科技有限公司", "Qinghai Placeholder G Data Technology Co., Ltd.",
           "company", "CN-QH", "63", "2024-12-19",
           "placeholder for the other company founded in December 2024 that applied for the two "
           "Qinghai data-centre projects approved that month (13.5 billion yuan in total)",
           "100000000"),
        ph("ph-qh-person-a", "示例自然人甲", "Placeholder Person A", "person", "", "", "",
           "placeholder minority shareholder"),
        # Nyocor's side.
        ph("ph-tj-nyocor-holding", "天津示例辛新能源投资有限公司",
           "Tianjin Placeholder H New Energy Investment Co., Ltd.", "company", "CN-TJ", "12",
           "2018-04-16", "placeholder intermediate holding of Nyocor", "200000000"),
        ph("ph-nyocor-dc", "示例壬算力科技有限公司", "Placeholder J Computing Technology Co., Ltd.",
           "company", "CN", "12", "2024-06-20",
           "placeholder for the company, ultimately controlled by Nyocor, that plans the data centre "
           "of 625 H100 servers (250 in the first phase)", "30000000"),
        ph("ph-person-b", "示例自然人乙", "Placeholder Person B", "person", "", "", "",
           "placeholder minority shareholder"),
        # China Energy Investment Corporation's side.
        ph("ph-ceic-digital", "示例癸数字能源有限公司", "Placeholder K Digital Energy Co., Ltd.",
           "company", "CN-BJ", "11", "2019-09-26",
           "placeholder intermediate holding of China Energy Investment Corporation", "500000000"),
        ph("ph-ceic-dc-sub-1", "示例子算力科技有限公司", "Placeholder L Computing Technology Co., Ltd.",
           "company", "CN", "11", "2025-02-10",
           "placeholder for the first of the two newly created subsidiaries through which China "
           "Energy Investment Corporation plans 644 servers (more than 5,000 H100/H200 chips)",
           "100000000"),
        ph("ph-ceic-dc-sub-2", "示例丑算力科技有限公司", "Placeholder M Computing Technology Co., Ltd.",
           "company", "CN", "11", "2025-03-03",
           "placeholder for the second of the two newly created subsidiaries of China Energy "
           "Investment Corporation", "100000000"),
        ph("ph-local-investment", "示例寅国有资本投资有限公司",
           "Placeholder N State Capital Investment Co., Ltd.", "company", "CN-XJ", "65",
           "2016-07-01", "placeholder local state-owned co-investor", "300000000"),
        ph("ph-local-state-body", "示例卯县国有资产监督管理局",
           "Placeholder P County State Assets Supervision Bureau", "state_body", "CN-XJ", "65", "",
           "placeholder local state asset bureau"),
    ]
    return reported + placeholders


def case_stakes() -> list[Row]:
    """Placeholder chains joining the named companies; every share here is illustrative."""
    s = ILLUSTRATIVE
    return [
        # Borong's two subsidiaries hold 5% / 10% of each other: the cross-holding.
        _stake(BORONG, "ph-qh-holding-a", "2016-05-18", s, share="95"),
        _stake("ph-qh-property-b", "ph-qh-holding-a", "2020-01-10", s, share="5"),
        _stake(BORONG, "ph-qh-property-b", "2012-08-09", s, share="90"),
        _stake("ph-qh-holding-a", "ph-qh-property-b", "2020-01-10", s, share="10"),
        # Partnerships record subscribed capital, not percentages (1% GP, 49% + 50% LPs).
        _stake("ph-qh-holding-a", "ph-qh-compute-lp", "2024-10-15", s, subscribed_capital="1000000"),
        _stake("ph-qh-property-b", "ph-qh-compute-lp", "2024-10-15", s,
               subscribed_capital="49000000"),
        _stake("ph-sc-venture-lp", "ph-qh-compute-lp", "2024-10-15", s,
               subscribed_capital="50000000"),
        _stake(QINGSHU, "ph-sc-fund-manager", "2019-03-12", s, share="100"),
        _stake("ph-sc-fund-manager", "ph-sc-venture-lp", "2021-06-30", s,
               subscribed_capital="2000000"),
        _stake(QINGSHU, "ph-sc-venture-lp", "2021-06-30", s, subscribed_capital="198000000"),
        # Project 1: majority held by the joint partnership that Borong's side runs.
        _stake("ph-qh-compute-lp", PROJECT_1, "2024-12-05", s, share="60"),
        _stake("ph-sc-venture-lp", PROJECT_1, "2024-12-05", s, share="40"),
        # Project 2: capital-only, 48% / 42% / 10%: nobody above half.
        _stake("ph-qh-holding-a", PROJECT_2, "2024-12-19", s, subscribed_capital="48000000"),
        _stake("ph-sc-venture-lp", PROJECT_2, "2024-12-19", s, subscribed_capital="42000000"),
        _stake("ph-qh-person-a", PROJECT_2, "2024-12-19", s, subscribed_capital="10000000"),
        # Nyocor.
        _stake("tj-nyocor", "ph-tj-nyocor-holding", "2018-04-16", s, share="100"),
        _stake("ph-tj-nyocor-holding", "ph-nyocor-dc", "2024-06-20", s, share="80"),
        _stake("ph-person-b", "ph-nyocor-dc", "2024-06-20", s, share="20"),
        # China Energy Investment Corporation: 20% direct + 35% through its holding = 55%.
        _stake(SASAC, CHN_ENERGY, "2017-11-28", s, share="100"),
        _stake(CHN_ENERGY, "ph-ceic-digital", "2019-09-26", s, share="100"),
        _stake("ph-ceic-digital", "ph-ceic-dc-sub-1", "2025-02-10", s, share="100"),
        _stake("ph-ceic-digital", "ph-ceic-dc-sub-2", "2025-03-03", s, subscribed_capital="35000000"),
        _stake(CHN_ENERGY, "ph-ceic-dc-sub-2", "2025-03-03", s, subscribed_capital="20000000"),
        _stake("ph-local-investment", "ph-ceic-dc-sub-2", "2025-03-03", s,
               subscribed_capital="45000000"),
        _stake("ph-local-state-body", "ph-local-investment", "2016-07-01", s, share="100"),
    ]


def case_controls() -> list[Row]:
    return [
        _control("ph-qh-holding-a", "ph-qh-compute-lp", "general_partner", "2024-10-15",
                 ILLUSTRATIVE),
        _control("ph-sc-fund-manager", "ph-sc-venture-lp", "general_partner", "2021-06-30",
                 ILLUSTRATIVE),
    ]


def case_links() -> list[Row]:
    """What the report says about who supplies whom: shown in views, ignored by control."""
    return [
        {"source_id": "hb-china-bester", "target_id": "ph-nyocor-dc", "link_type": "supplier",
         "start": "", "end": "", "source": REPORTED,
         "detail": "supplies the hardware (H100 servers) of the planned 625-server data centre; "
                   "the buyer's name is a placeholder"},
        {"source_id": "cn-infinigence", "target_id": "tj-nyocor", "link_type": "customer",
         "start": "", "end": "", "source": REPORTED,
         "detail": "buys the computing power of Nyocor's planned data centre"},
    ]


# ---------------------------------------------------------------------- the background


@dataclass
class _Company:
    id: str
    kind: str  # company, partnership
    region: int
    founded: date
    owners: list[tuple[str, int]] = field(default_factory=list)  # (owner id, basis points)
    is_group: bool = False
    style: str = "exact"  # exact, capital, interval
    gp: str = ""  # executive partner of a partnership
    former: tuple[str, int, date] | None = None  # an exited holder: (id, basis points, end)


class _Background:
    """Seeded generator of the background population; ``build()`` returns the CSV rows."""

    first_day = date(2005, 1, 1)
    last_day = date(2025, 10, 31)

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.companies: dict[str, _Company] = {}
        self.persons: list[Row] = []
        self.state: list[Row] = []
        self.names: dict[str, tuple[str, str]] = {}
        self.serial = 100_000
        self._counters: dict[str, int] = {}

    # -- names and dates
    def _trade(self, length: int = 3) -> tuple[str, str]:
        chars = [self.rnd.choice(TRADE_CHARS) for _ in range(length)]
        return "".join(c for c, _ in chars), "".join(p for _, p in chars).capitalize()

    def _company_name(self, region: int, group: bool = False, industry: int | None = None,
                      ) -> tuple[str, str]:
        city, city_en = self.rnd.choice(REGIONS[region][2])
        trade, trade_en = self._trade()
        ind, ind_en = INDUSTRIES[industry] if industry is not None else self.rnd.choice(INDUSTRIES)
        if group:
            form, form_en = GROUP_FORM
            return f"{city}{trade}{form}", f"{city_en} {trade_en} {form_en}"
        form, form_en = FORMS[0] if self.rnd.random() < 0.8 else self.rnd.choice(FORMS)
        return f"{city}{trade}{ind}{form}", f"{city_en} {trade_en} {ind_en} {form_en}"

    def _day(self, lo: date, hi: date) -> date:
        # December 2024 is kept for the companies chosen in _pick_december.
        while True:
            d = lo + timedelta(days=self.rnd.randrange((hi - lo).days + 1))
            if not WINDOW[0] <= d <= WINDOW[1]:
                return d

    def _person(self, region: int) -> str:
        pid = f"bg-p{len(self.persons) + 1:05d}"
        if REGIONS[region][0] == "CN-XJ" and self.rnd.random() < 0.4:
            (a, a_en), (b, b_en) = self.rnd.choice(UYGHUR_NAMES), self.rnd.choice(UYGHUR_NAMES)
            name, name_en = f"{a}·{b}", f"{a_en} {b_en}"
        else:
            (sur, sur_en) = self.rnd.choice(SURNAMES)
            given = [self.rnd.choice(GIVEN_CHARS) for _ in range(self.rnd.choice((1, 2, 2)))]
            name = sur + "".join(c for c, _ in given)
            name_en = f"{sur_en} {''.join(p for _, p in given).capitalize()}"
        self.persons.append(_entity(id=pid, name=name, kind="person", name_en=name_en,
                                    source=BACKGROUND))
        return pid

    def _holder(self, region: int) -> str:
        # Most natural persons hold one company; some hold a few.
        if self.persons and self.rnd.random() < 0.12:
            return self.rnd.choice(self.persons)["id"]
        return self._person(region)

    def _new(self, kind: str, region: int, founded: date, name: tuple[str, str],
             is_group: bool = False) -> _Company:
        prefix = "bg-lp" if kind == "partnership" else "bg-c"
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        cid = f"{prefix}{n:05d}" if prefix == "bg-c" else f"{prefix}{n:04d}"
        company = _Company(cid, kind, region, founded, is_group=is_group)
        roll = self.rnd.random()
        company.style = "capital" if roll < 0.25 else "interval" if roll < 0.30 else "exact"
        if kind == "partnership":
            company.style = "capital"  # partnerships register subscribed amounts
        self.companies[cid] = company
        self.names[cid] = name
        return company

    def _split(self, total: int, parts: int) -> list[int]:
        """``parts`` positive basis-point shares summing to ``total``, largest first."""
        if parts == 1:
            return [total]
        cuts = sorted(self.rnd.sample(range(1, total // 100), parts - 1))
        bounds = [0, *[c * 100 for c in cuts], total]
        return sorted((b - a for a, b in pairwise(bounds)), reverse=True)

    def _fill_persons(self, company: _Company, remaining: int, max_people: int = 3) -> None:
        if remaining <= 0:
            return
        parts = min(self.rnd.randint(1, max_people), max(1, remaining // 500))
        for bp in self._split(remaining, parts):
            company.owners.append((self._holder(company.region), bp))

    # -- structure
    def build_structure(self) -> None:
        rnd = self.rnd
        for i in range(6):
            region = i % 4
            county, county_en = self._trade(2)
            unit, unit_en = ("区", "District") if region == 3 else ("县", "County")
            self.state.append(_entity(
                id=f"bg-s{i + 1:02d}", kind="state_body",
                name=f"{PROVINCES[region]}{county}{unit}国有资产监督管理局",
                name_en=f"{county_en} {unit_en} State-owned Assets Supervision Bureau",
                jurisdiction=REGIONS[region][0], uscc=make_uscc(REGIONS[region][1], 990_000 + i,
                                                                "state_body"),
                source=BACKGROUND))

        # Groups: a few hubs with hundreds of subsidiaries, many small ones.
        sizes = [320, 220, 160, 120, 90] + [rnd.randint(3, 60) for _ in range(45)]
        for g, size in enumerate(sizes):
            region = rnd.randrange(4)
            root = self._new("company", region, self._day(date(2005, 1, 1), date(2014, 12, 31)),
                             self._company_name(region, group=True), is_group=True)
            root.style = "exact"
            if g % 4 == 0:  # state-owned groups: a state body at the top
                body = self.state[(g // 4) % len(self.state)]["id"]
                if rnd.random() < 0.6:
                    root.owners.append((body, 10_000))
                else:
                    root.owners.append((body, rnd.randint(51, 80) * 100))
                    self._fill_persons(root, 10_000 - root.owners[0][1])
            else:
                self._fill_persons(root, 10_000, max_people=3)
            members = [(root, 0)]
            for _ in range(size):
                parent, depth = members[0] if rnd.random() < 0.55 else rnd.choice(members)
                if depth >= 4:
                    parent, depth = members[0]
                sub_region = parent.region if rnd.random() < 0.7 else rnd.randrange(4)
                sub = self._new("company", sub_region,
                                self._day(parent.founded, self.last_day),
                                self._company_name(sub_region))
                roll = rnd.random()
                stake = 10_000 if roll < 0.5 else rnd.randint(51, 99) * 100 if roll < 0.85 \
                    else rnd.randint(20, 49) * 100
                sub.owners.append((parent.id, stake))
                self._fill_persons(sub, 10_000 - stake, max_people=2)
                members.append((sub, depth + 1))

        group_companies = [c for c in self.companies.values()]

        # Partnerships: employee platforms and small funds, run by an executive partner.
        partnerships = []
        for _ in range(90):
            region = rnd.randrange(4)
            city, city_en = rnd.choice(REGIONS[region][2])
            trade, trade_en = self._trade()
            pk, pk_en = rnd.choice(PARTNERSHIP_KINDS)
            lp = self._new("partnership", region, self._day(date(2010, 1, 1), date(2024, 6, 30)),
                           (f"{city}{trade}{pk}", f"{city_en} {trade_en} {pk_en}"))
            if rnd.random() < 0.7:
                lp.gp = self._person(region)
            else:
                lp.gp = rnd.choice(group_companies).id
            lp.owners.append((lp.gp, 100))
            self._fill_persons(lp, 9_900, max_people=5)
            partnerships.append(lp)

        # Standalone companies held by persons, sometimes with a partnership or a group minority.
        for _ in range(2_000):
            region = rnd.randrange(4)
            company = self._new("company", region, self._day(self.first_day, self.last_day),
                                self._company_name(region))
            remaining = 10_000
            roll = rnd.random()
            if roll < 0.10:
                holder = rnd.choice(partnerships)
                bp = rnd.randint(5, 20) * 100
                company.owners.append((holder.id, bp))
                remaining -= bp
            elif roll < 0.18:
                holder = rnd.choice(group_companies)
                bp = rnd.randint(10, 30) * 100
                company.owners.append((holder.id, bp))
                remaining -= bp
            if company.style == "exact" and rnd.random() < 0.08 \
                    and company.founded < date(2022, 1, 1):
                # A holder who sold out: the stake ends, its shares stay unaccounted for.
                bp = rnd.randint(5, 30) * 100
                end = self._day(company.founded + timedelta(days=200), self.last_day)
                company.former = (self._person(region), bp, end)
                remaining -= bp
            self._fill_persons(company, remaining, max_people=4)

    # -- December 2024
    def _ancestors(self, cid: str) -> set[str]:
        seen: set[str] = set()
        stack = [cid]
        while stack:
            c = self.companies.get(stack.pop())
            if c is None:
                continue
            ups = [o for o, _ in c.owners] + ([c.gp] if c.gp else [])
            if c.former:
                ups.append(c.former[0])
            for o in ups:
                if o not in seen:
                    seen.add(o)
                    stack.append(o)
        return seen

    def pick_december(self, count: int = 30) -> list[str]:
        """Re-date ``count`` leaf companies into December 2024, no two sharing any upstream party."""
        rnd = self.rnd
        owners_of_something = {o for c in self.companies.values() for o, _ in c.owners}
        owners_of_something |= {c.gp for c in self.companies.values() if c.gp}
        leaves = [c for c in self.companies.values()
                  if c.kind == "company" and not c.is_group and c.id not in owners_of_something]
        rnd.shuffle(leaves)
        taken: set[str] = set()
        chosen: list[_Company] = []
        for leaf in leaves:
            ups = self._ancestors(leaf.id)
            if ups & taken:
                continue
            if any(self.companies[u].founded >= WINDOW[0] for u in ups if u in self.companies):
                continue
            taken |= ups
            chosen.append(leaf)
            if len(chosen) == count:
                break
        for leaf in chosen:
            leaf.founded = WINDOW[0] + timedelta(days=rnd.randrange(31))
            leaf.former = None  # a December-2024 company has no history to sell out of
        # Siblings founded just outside the window: only the date filter keeps them out.
        near = (date(2024, 11, 29), date(2025, 1, 2))
        done = 0
        for leaf in chosen:
            parent = leaf.owners[0][0]
            if parent not in self.companies or self.companies[parent].founded >= near[0]:
                continue
            sibling = next((c for c in self.companies.values()
                            if c.owners and c.owners[0][0] == parent and c is not leaf
                            and c.id not in owners_of_something and c not in chosen), None)
            if sibling is not None:
                sibling.founded = near[done % 2]
                sibling.former = None  # its history would now end before it began
                done += 1
            if done == 4:
                break
        # Decoy: one person holds 20% of two December companies: below the 25% bar.
        region = 0
        shared = self._person(region)
        for _ in range(2):
            decoy = self._new("company", region, WINDOW[0] + timedelta(days=rnd.randrange(31)),
                              self._company_name(region, industry=4))
            decoy.style = "exact"
            decoy.owners.append((shared, 2_000))
            self._fill_persons(decoy, 8_000, max_people=2)
            chosen.append(decoy)
        return [c.id for c in chosen]

    # -- rows
    def rows(self) -> tuple[list[Row], list[Row], list[Row]]:
        rnd = self.rnd
        entities: list[Row] = list(self.state)
        stakes: list[Row] = []
        controls: list[Row] = []
        founded = {cid: c.founded for cid, c in self.companies.items()}
        for cid, c in self.companies.items():
            region, province = REGIONS[c.region][0], REGIONS[c.region][1]
            self.serial += 1
            capital = rnd.choice((1_000_000, 5_000_000, 10_000_000, 30_000_000, 50_000_000,
                                  100_000_000))
            name, name_en = self.names[cid]
            entities.append(_entity(
                id=cid, name=name, kind=c.kind, name_en=name_en, jurisdiction=region,
                uscc=make_uscc(province, self.serial) if rnd.random() < 0.9 else "",
                founded=c.founded.isoformat(), registered_capital=str(capital),
                currency="CNY", source=BACKGROUND))
            for owner, bp in c.owners:
                start = max(c.founded, founded.get(owner, c.founded)).isoformat()
                if c.style == "capital":
                    stakes.append(_stake(owner, cid, start, BACKGROUND,
                                         subscribed_capital=str(capital * bp // 10_000)))
                elif c.style == "interval":
                    # A source that gives bands: the band's top never exceeds the true share.
                    top = bp // 500 * 500 if bp >= 500 else bp
                    stakes.append(_stake(owner, cid, start, BACKGROUND,
                                         share_min=pct(max(0, top - 500)), share_max=pct(top)))
                else:
                    stakes.append(_stake(owner, cid, start, BACKGROUND, share=pct(bp)))
            if c.former:
                owner, bp, end = c.former
                row = _stake(owner, cid, c.founded.isoformat(), BACKGROUND, share=pct(bp))
                row["end"] = end.isoformat()
                stakes.append(row)
            if c.gp:
                start = max(c.founded, founded.get(c.gp, c.founded)).isoformat()
                controls.append(_control(c.gp, cid, "general_partner", start, BACKGROUND))
        entities.extend(self.persons)
        return entities, stakes, controls


def pct(bp: int) -> str:
    """Basis points as a percent string without trailing zeros: 2550 -> '25.5'."""
    whole, frac = divmod(bp, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


# ------------------------------------------------------------------------------ output


@dataclass
class DemoData:
    entities: list[Row]
    ownership: list[Row]
    control: list[Row]
    concert: list[Row]
    links: list[Row]
    december_background: list[str]


def build(seed: int = SEED) -> DemoData:
    """The whole demo data set, in memory, in file order."""
    background = _Background(seed)
    background.build_structure()
    december = background.pick_december()
    entities, stakes, controls = background.rows()
    return DemoData(
        entities=case_entities() + entities,
        ownership=case_stakes() + stakes,
        control=case_controls() + controls,
        concert=[],
        links=case_links(),
        december_background=december,
    )


def write(data: DemoData, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (
        ("entities.csv", ENTITY_COLUMNS, data.entities),
        ("ownership.csv", OWNERSHIP_COLUMNS, data.ownership),
        ("control.csv", CONTROL_COLUMNS, data.control),
        ("concert.csv", CONCERT_COLUMNS, data.concert),
        ("links.csv", LINK_COLUMNS, data.links),
    )
    for name, columns, rows in files:
        # newline="" hands line endings to the csv module; "\n" keeps diffs readable in git.
        with (out_dir / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def main() -> None:
    data = build()
    write(data, DATA_DIR)
    print(f"{len(data.entities)} entities, {len(data.ownership)} stakes, "
          f"{len(data.control)} control records, {len(data.links)} links -> {DATA_DIR}")


if __name__ == "__main__":
    main()
