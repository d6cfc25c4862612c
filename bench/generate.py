"""Seeded synthetic registry data (a registry-csv folder) shaped like real registries.

    python -m bench.generate --companies 1000000 --out /tmp/reg1m --seed 1

or ``generate(out_dir, companies, seed)`` from code. The same arguments give
byte-identical files. Shape, as registries show it:

- about 3 stakes per company; most owners are natural persons holding one
  company, and about 90% of the stakes point at leaf companies (companies
  that own nothing);
- holding companies (about 6%) form groups mostly 1-3 levels deep; a few
  layered chains run 21-31 holding companies deep;
- group hubs own thousands of direct subsidiaries (the largest N/50, so 1,000
  in a 50k run and 20,000 in a 1M run);
- a tiny cyclic core: a few rings of 5-15% cross-holdings between group roots;
- state asset bureaus at the top of the hubs and of some other groups;
- limited partnerships with an executive partner (control.csv
  ``general_partner``) whose partners record subscribed capital;
- per company one way of stating shares: exact (70%), subscribed capital
  only (22%), bands ``share_min``/``share_max`` (5%) or unknown (3%); a
  company's stated shares (band tops included, ended stakes included) sum to
  at most 100%;
- founding dates 2000-2025, a subsidiary never older than its parent, stakes
  starting no earlier than both parties, a few ended stakes.

Rows are streamed through ``csv.writer`` in chunks and the hot loop works on
ints and tuples, not per-row objects: 1M companies take about 25 s of CPU.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from math import gcd
from pathlib import Path
from typing import Any

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
    USCC_CHARSET,
    USCC_WEIGHTS,
)

ENTITY_COLUMNS = ("id", "name", "kind", "jurisdiction", "uscc", "founded",
                  "registered_capital", "currency")
OWNERSHIP_COLUMNS = ("owner_id", "owned_id", "share", "share_min", "share_max",
                     "subscribed_capital", "start", "end")
CONTROL_COLUMNS = ("controller_id", "controlled_id", "basis", "start")
CONCERT_COLUMNS = ("party_a", "party_b", "scope_id", "start")

FIRST_DAY = date(2000, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days + 1
CHUNK = 50_000  # rows buffered per writerows call: fewer Python-level calls, bounded memory

# Styles of stating shares, by cumulative probability.
EXACT, CAPITAL, INTERVAL, UNKNOWN = 0, 1, 2, 3
_STYLE_CUTS = (0.70, 0.92, 0.97)
# Natural-person holders of a company without a corporate parent (mean about 3).
_PERSON_COUNTS = (1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 8)
_CAPITALS = (100_000, 500_000, 1_000_000, 3_000_000, 5_000_000, 10_000_000, 50_000_000,
             100_000_000)


class _Sink:
    """A csv.writer with a row buffer: writerows on chunks is several times faster than writerow.

    The hot loop appends to ``rows`` directly (a bound ``list.append``, no
    Python-level call) and calls ``spill`` once per company.
    """

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh, lineterminator="\n")
        self.writer.writerow(header)
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def spill(self) -> None:
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.writer.writerows(self.rows)
        self.count += len(self.rows)
        self.rows.clear()

    def close(self) -> None:
        self.flush()
        self.fh.close()


def _uscc_maker(province: str) -> Callable[[int], str]:
    """A fast GB 32100 code builder for one province (division code XX9900: never a real one)."""
    head = f"91{province}9900"
    value = {c: i for i, c in enumerate(USCC_CHARSET)}
    head_sum = sum(value[c] * w for c, w in zip(head, USCC_WEIGHTS, strict=False))
    org_w = (3, 7, 9, 10, 5, 8, 4, 2)
    us_w = USCC_WEIGHTS[8:16]
    last_w = USCC_WEIGHTS[16]
    # Weighted sums of each two-digit pair of the serial, looked up instead of a digit loop.
    org_t = [[(d // 10) * org_w[2 * k] + (d % 10) * org_w[2 * k + 1] for d in range(100)]
             for k in range(4)]
    us_t = [[(d // 10) * us_w[2 * k] + (d % 10) * us_w[2 * k + 1] for d in range(100)]
            for k in range(4)]

    def make(serial: int) -> str:
        serial %= 100_000_000
        a, rest = divmod(serial, 1_000_000)
        b, rest = divmod(rest, 10_000)
        c, d = divmod(rest, 100)
        org = org_t[0][a] + org_t[1][b] + org_t[2][c] + org_t[3][d]
        us = us_t[0][a] + us_t[1][b] + us_t[2][c] + us_t[3][d]
        body = f"{serial:08d}"
        c9 = 11 - org % 11  # GB 11714 check of the organisation code
        check9 = "0" if c9 == 11 else "X" if c9 == 10 else str(c9)
        total = head_sum + us + value[check9] * last_w
        return f"{head}{body}{check9}{USCC_CHARSET[(31 - total % 31) % 31]}"

    return make


def _pct(bp: int) -> str:
    whole, frac = divmod(bp, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}"


def generate(out_dir: Path, companies: int, seed: int) -> dict[str, int]:
    """Write a registry-csv folder of ``companies`` companies; return the row counts.

    >>> import tempfile
    >>> counts = generate(Path(tempfile.mkdtemp()), 2_000, seed=1)
    >>> counts["companies"], counts["stakes"] > 5_000
    (2000, True)
    """
    if companies < 1000:
        # the deep chains (21-31 levels) alone need more holding companies than a smaller graph has
        raise ValueError("need at least 1,000 companies to build hubs, deep chains and cycles")
    n = companies
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    r = rnd.random

    iso = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(DAYS)]
    width = max(7, len(str(n - 1)))
    # Scatter company numbers so that a hub's subsidiaries are not a run of consecutive ids.
    mult = 1_000_003
    while gcd(mult, n) != 1:
        mult += 2
    offset = n // 3

    def cid(i: int) -> str:
        return f"C{(i * mult + offset) % n:0{width}d}"

    # ---- name pools, drawn once (deterministic): one random pick per generated name
    trade_pool = ["".join(rnd.choice(TRADE_CHARS)[0] for _ in range(3)) for _ in range(20_000)]
    person_pool = [
        rnd.choice(SURNAMES)[0] + "".join(rnd.choice(GIVEN_CHARS)[0]
                                          for _ in range(rnd.choice((1, 2, 2))))
        for _ in range(50_000)
    ]
    regions = [(jur, [city for city, _ in cities]) for jur, _, cities in REGIONS]
    usccs = [_uscc_maker(prov) for _, prov, _ in REGIONS]
    industries = [ind for ind, _ in INDUSTRIES]
    forms = [FORMS[0][0]] * 6 + [f for f, _ in FORMS]
    lp_kinds = [k for k, _ in PARTNERSHIP_KINDS]
    n_trade, n_person_names, n_ind, n_forms = len(trade_pool), len(person_pool), len(industries), len(forms)

    entities = _Sink(out_dir / "entities.csv", ENTITY_COLUMNS)
    stakes = _Sink(out_dir / "ownership.csv", OWNERSHIP_COLUMNS)
    controls = _Sink(out_dir / "control.csv", CONTROL_COLUMNS)
    (out_dir / "concert.csv").write_text(",".join(CONCERT_COLUMNS) + "\n", encoding="utf-8")
    ent, stk, ctl = entities.rows.append, stakes.rows.append, controls.rows.append

    def spill() -> None:
        entities.spill()
        stakes.spill()
        controls.spill()

    n_persons = 0

    def person() -> str:
        """A holder: mostly a new person (most persons hold one company), sometimes a known one."""
        nonlocal n_persons
        if n_persons and r() < 0.2:
            return f"P{int(r() * n_persons):08d}"
        pid = f"P{n_persons:08d}"
        n_persons += 1
        ent((pid, person_pool[int(r() * n_person_names)], "person", "", "", "", "", ""))
        return pid

    def split(total: int, parts: int) -> list[int]:
        """Up to ``parts`` positive basis-point shares summing to exactly ``total``."""
        if parts <= 1 or total < 2 * parts:
            return [total]
        cuts = sorted({int(r() * total) for _ in range(parts - 1)} - {0})
        out, prev = [], 0
        for c in cuts:
            out.append(c - prev)
            prev = c
        out.append(total - prev)
        return out

    def write_stakes(owned: str, f: int, holders: list[tuple[str, int, int]], style: int,
                     unit: int) -> None:
        """``holders``: (owner id, basis points, owner founding day or -1 for a person)."""
        for owner, bp, of in holders:
            start = f if of <= f else of
            if of < 0 and r() < 0.2:  # a person who bought in later
                start = f + int(r() * (DAYS - f))
            day = iso[start]
            if style == EXACT:
                stk((owner, owned, _pct(bp), "", "", "", day, ""))
            elif style == CAPITAL:
                stk((owner, owned, "", "", "", str(unit * bp), day, ""))
            elif style == INTERVAL:
                # a source giving 5-point bands: the band top never exceeds the true share
                top = bp - bp % 500 if bp >= 500 else bp
                stk((owner, owned, "", _pct(max(0, top - 500)), _pct(top), "", day, ""))
            else:
                stk((owner, owned, "", "", "", "", day, ""))

    def style_roll() -> int:
        x = r()
        return EXACT if x < _STYLE_CUTS[0] else CAPITAL if x < _STYLE_CUTS[1] \
            else INTERVAL if x < _STYLE_CUTS[2] else UNKNOWN

    def company_row(ident: str, i: int, region: int, f: int, group: bool, unit: int,
                    kind: str = "company") -> None:
        jur, cities = regions[region]
        city = cities[int(r() * len(cities))]
        trade = trade_pool[int(r() * n_trade)]
        if kind == "partnership":
            name = f"{city}{trade}{lp_kinds[int(r() * len(lp_kinds))]}"
        elif group:
            name = f"{city}{trade}{GROUP_FORM[0]}"
        else:
            name = f"{city}{trade}{industries[int(r() * n_ind)]}{forms[int(r() * n_forms)]}"
        uscc = usccs[region](i) if r() < 0.9 else ""
        ent((ident, name, kind, jur, uscc, iso[f], str(unit * 10_000), "CNY"))

    def parent_share() -> int:
        x = r()
        if x < 0.45:
            return 10_000
        if x < 0.85:
            return 5_100 + int(r() * 4_900)
        return 2_000 + int(r() * 3_000)

    # ---- state bodies
    n_state = max(2, n // 50_000)
    state_ids = [f"S{k:05d}" for k in range(n_state)]
    for k, sid in enumerate(state_ids):
        region = k % len(regions)
        ent((sid, f"{PROVINCES[region]}{trade_pool[k][:2]}县国有资产监督管理局", "state_body",
             regions[region][0], "", "", "", ""))

    # ---- holding companies: hubs, layered chains, ordinary groups (index order = parents first)
    n_hold = max(30, n * 6 // 100)
    hub_sizes = [max(20, n // 50)] + [max(10, n // 200)] * 3 + [max(5, n // 1_000)] * 6
    n_hubs = len(hub_sizes)
    n_chains = max(1, n // 250_000)
    chain_lengths = [21 + int(r() * 11) for _ in range(n_chains)]
    hold_ids = [cid(i) for i in range(n_hold)]
    founded = [0] * n_hold
    region_of = [0] * n_hold
    parent_of = [-1] * n_hold
    depth = [0] * n_hold
    state_top = [False] * n_hold
    shallow: list[int] = []  # holding companies at depth <= 2: where ordinary groups grow

    i = 0
    for _ in range(n_hubs):
        state_top[i] = True
        i += 1
    chain_ends: list[int] = []
    for length in chain_lengths:
        for k in range(length):
            parent_of[i] = i - 1 if k else -1
            i += 1
        chain_ends.append(i - 1)
    first_ordinary = i
    shallow.extend(range(n_hubs))  # hubs also own holding companies of their own
    for h in range(first_ordinary, n_hold):
        if r() < 0.45:
            state_top[h] = r() < 0.08
        else:
            parent_of[h] = shallow[int(r() * len(shallow))] if shallow else -1
        if parent_of[h] >= 0:
            depth[h] = depth[parent_of[h]] + 1
        if depth[h] <= 2:
            shallow.append(h)
    for h in range(first_ordinary):
        if parent_of[h] >= 0:
            depth[h] = depth[parent_of[h]] + 1

    # The cyclic core: rings of small cross-holdings between roots of unrelated groups.
    roots = [h for h in range(first_ordinary, n_hold) if parent_of[h] < 0 and not state_top[h]]
    n_rings = max(1, n // 200_000)
    rings = [roots[k * 3:(k + 1) * 3] for k in range(n_rings)] + [roots[n_rings * 3:n_rings * 3 + 2]]
    cross_in = [0] * n_hold  # basis points of a root reserved for the cross-holders
    cross: list[tuple[int, int, int]] = []
    for ring in rings:
        for k, owner in enumerate(ring):
            owned = ring[(k + 1) % len(ring)]
            bp = 500 + int(r() * 1_000)
            cross.append((owner, owned, bp))
            cross_in[owned] += bp

    for h in range(n_hold):
        p = parent_of[h]
        region = region_of[p] if p >= 0 and r() < 0.7 else int(r() * len(regions))
        region_of[h] = region
        f = founded[p] + int(r() * (DAYS - founded[p]) * 0.5) if p >= 0 else int(r() * DAYS * 0.6)
        founded[h] = f
        unit = _CAPITALS[int(r() * len(_CAPITALS))] // 10_000
        ident = hold_ids[h]
        company_row(ident, h, region, f, p < 0, unit)
        holders: list[tuple[str, int, int]] = []
        budget = 10_000 - cross_in[h]
        if p >= 0:
            bp = parent_share()
            holders.append((hold_ids[p], bp, founded[p]))
            budget -= bp
        elif state_top[h]:
            bp = 10_000 if r() < 0.6 else 5_100 + int(r() * 3_900)
            holders.append((state_ids[int(r() * n_state)], bp, 0))
            budget -= bp
        if budget > 0:
            for bp in split(budget, 1 + int(r() * (3 if p < 0 else 2))):
                holders.append((person(), bp, -1))
        write_stakes(ident, f, holders, style_roll() if p >= 0 else EXACT, unit)
        spill()
    for owner, owned, bp in cross:
        stk((hold_ids[owner], hold_ids[owned], _pct(bp), "", "", "",
             iso[max(founded[owner], founded[owned])], ""))

    # ---- limited partnerships, run by an executive partner
    n_lp = max(5, n // 30)
    lp_ids = [f"L{k:07d}" for k in range(n_lp)]
    lp_founded = [0] * n_lp
    for k, lid in enumerate(lp_ids):
        region = int(r() * len(regions))
        f = int(r() * DAYS)
        lp_founded[k] = f
        unit = 100  # capital in units of 100 yuan per basis point
        company_row(lid, n + k, region, f, False, unit, kind="partnership")
        if r() < 0.6:
            gp, gp_f = person(), -1
        else:
            g = int(r() * n_hold)
            gp, gp_f = hold_ids[g], founded[g]
        holders = [(gp, 100, gp_f)] + [(person(), bp, -1) for bp in split(9_900, 2 + int(r() * 5))]
        write_stakes(lid, f, holders, CAPITAL, unit)
        ctl((gp, lid, "general_partner", iso[f if gp_f <= f else gp_f]))
        spill()

    # ---- leaf companies (and the subsidiaries of hubs and groups)
    hub_quota = [(h, size) for h, size in enumerate(hub_sizes)]
    quota_h, quota_left = hub_quota.pop(0)
    chain_leaf = list(chain_ends)  # every layered chain ends in an operating company
    for j in range(n_hold, n):
        x = r()
        if chain_leaf:
            p = chain_leaf.pop()
        elif quota_left > 0:
            p = quota_h
            quota_left -= 1
            if quota_left == 0 and hub_quota:
                quota_h, quota_left = hub_quota.pop(0)
        elif x < 0.28:
            p = int(r() * n_hold)
        else:
            p = -1
        region = region_of[p] if p >= 0 and r() < 0.7 else int(r() * len(regions))
        f = founded[p] + int(r() * (DAYS - founded[p])) if p >= 0 else int(r() * DAYS)
        unit = _CAPITALS[int(r() * len(_CAPITALS))] // 10_000
        ident = cid(j)
        company_row(ident, j, region, f, False, unit)
        style = style_roll()
        holders = []
        budget = 10_000
        if p >= 0:
            bp = parent_share()
            holders.append((hold_ids[p], bp, founded[p]))
            budget -= bp
            if budget > 0:
                holders.extend((person(), b, -1) for b in split(budget, 1 + int(r() * 2)))
        else:
            y = r()
            if y < 0.12:  # an employee platform or fund among the holders
                k = int(r() * n_lp)
                bp = 500 + int(r() * 2_500)
                holders.append((lp_ids[k], bp, lp_founded[k]))
                budget -= bp
            elif y < 0.15:  # a minority stake of a group company
                g = int(r() * n_hold)
                bp = 1_000 + int(r() * 2_000)
                holders.append((hold_ids[g], bp, founded[g]))
                budget -= bp
            if style == EXACT and y > 0.97 and f < DAYS - 400:
                # a holder who sold out: the ended stake keeps its place in the 100%
                bp = 500 + int(r() * 2_000)
                end = f + 200 + int(r() * (DAYS - f - 200))
                stk((person(), ident, _pct(bp), "", "", "", iso[f], iso[end]))
                budget -= bp
            count = _PERSON_COUNTS[int(r() * len(_PERSON_COUNTS))]
            holders.extend((person(), b, -1) for b in split(budget, count))
        write_stakes(ident, f, holders, style, unit)
        spill()

    for sink in (entities, stakes, controls):
        sink.close()
    return {
        "companies": n,
        "holding_companies": n_hold,
        "partnerships": n_lp,
        "persons": n_persons,
        "state_bodies": n_state,
        "entities": entities.count,
        "stakes": stakes.count,
        "controls": controls.count,
        "largest_hub_subsidiaries": hub_sizes[0],
        "chains": n_chains,
        "cross_holdings": len(cross),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    counts = generate(args.out, args.companies, args.seed)
    elapsed = time.perf_counter() - began
    for key, value in counts.items():
        print(f"{key:>26}: {value:,}")
    print(f"{'seconds':>26}: {elapsed:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
