"""The committed demo data: reproducible, well-formed, and shaped to give the answers demo/README.md promises.

The ownership and control checks here are small, plain-Python computations
written independently of graph/, so they also cross-check the engine's answers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from demo import build_demo

DATA = Path(build_demo.__file__).resolve().parent / "data"
FILES = ("entities.csv", "ownership.csv", "control.csv", "concert.csv", "links.csv")
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
BORONG, QINGSHU = "qh-borong-group", "sc-chengdu-qingshu"
PROJECTS = ("ph-qh-dc-project-1", "ph-qh-dc-project-2")
WINDOW = ("2024-12-01", "2024-12-31")

Rows = list[dict[str, str]]


def _read(name: str) -> Rows:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def data() -> dict[str, Rows]:
    return {name: _read(name) for name in FILES}


def _shares(ownership: Rows, upper: bool) -> dict[str, dict[str, float]]:
    """owned -> owner -> equity fraction, per docs/control.md section 1 (capital shares derived).

    ``upper`` picks interval tops and counts unknown shares as whole (a bound
    from above); otherwise interval bottoms and unknown as nothing.
    """
    by_owned: dict[str, Rows] = defaultdict(list)
    for row in ownership:
        by_owned[row["owned_id"]].append(row)
    result: dict[str, dict[str, float]] = {}
    for owned, rows in by_owned.items():
        all_capital = all(r["subscribed_capital"] for r in rows)
        total_capital = sum(float(r["subscribed_capital"] or 0) for r in rows)
        held: dict[str, float] = defaultdict(float)
        for r in rows:
            if r["share"]:
                value = float(r["share"]) / 100
            elif r["share_max"] or r["share_min"]:
                value = float((r["share_max"] if upper else r["share_min"]) or 0) / 100
            elif all_capital and total_capital:
                value = float(r["subscribed_capital"]) / total_capital
            else:
                value = 1.0 if upper else 0.0
            held[r["owner_id"]] += value
        result[owned] = dict(held)
    return result


def _upstream(shares: dict[str, dict[str, float]], target: str) -> dict[str, float]:
    """Integrated ownership of every upstream owner in ``target``: the sum over simple paths.

    On an acyclic part this is exact; around a cross-holding it leaves out the
    walks that go round the cycle, so it is a lower bound of IO there.
    """
    io: dict[str, float] = defaultdict(float)

    def walk(node: str, product: float, on_path: frozenset[str]) -> None:
        for owner, share in shares.get(node, {}).items():
            if owner in on_path or share <= 0:
                continue
            io[owner] += product * share
            walk(owner, product * share, on_path | {owner})

    walk(target, 1.0, frozenset({target}))
    return dict(io)


def _controls(ownership: Rows, control: Rows) -> dict[str, set[str]]:
    """Majority control (docs/control.md section 2) as a naive least fixpoint: x -> everything x controls."""
    shares = _shares(ownership, upper=False)
    gp_run = {r["controlled_id"] for r in control if r["basis"] == "general_partner"}
    votes = {
        # limited partners carry no votes in a partnership that has an executive partner
        y: {x: (0.0 if y in gp_run else s) for x, s in holders.items()}
        for y, holders in shares.items()
    }
    parties = {x for holders in votes.values() for x in holders} | {r["controller_id"] for r in control}
    controlled: dict[str, set[str]] = {x: set() for x in parties}
    for r in control:
        controlled[r["controller_id"]].add(r["controlled_id"])
    changed = True
    while changed:
        changed = False
        for x in parties:
            mine = controlled[x]
            new = {z2 for z in mine for z2 in controlled.get(z, ())} - mine - {x}
            for y, holders in votes.items():
                if y not in mine and y != x:
                    pooled = holders.get(x, 0.0) + sum(holders.get(z, 0.0) for z in mine)
                    if pooled > 0.5:
                        new.add(y)
            if new:
                mine |= new
                changed = True
    return controlled


def _ultimate(controlled: dict[str, set[str]], target: str) -> set[str]:
    controllers = {x for x, ys in controlled.items() if target in ys}
    # an ultimate controller is controlled by nobody outside its own mutual-control cycle
    return {
        x for x in controllers
        if all(w in controlled[x] for w, ys in controlled.items() if x in ys)
    }


def _case(rows: Rows) -> Rows:
    return [r for r in rows if not r["source"].startswith("illustrative: background")]


def test_committed_files_equal_a_fresh_build(tmp_path: Path) -> None:
    build_demo.write(build_demo.build(), tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_every_record_says_reported_or_illustrative(data: dict[str, Rows]) -> None:
    for name, rows in data.items():
        for row in rows:
            assert row["source"].startswith(("reported: ", "illustrative: ")), (name, row)
    # an illustrative link may never pass for a registry fact: every stake and control record
    # joining the case together is a placeholder
    for name in ("ownership.csv", "control.csv"):
        assert all(r["source"].startswith("illustrative: ") for r in data[name])


def test_uscc_check_characters_are_valid(data: dict[str, Rows]) -> None:
    codes = [e["uscc"] for e in data["entities.csv"] if e["uscc"]]
    assert len(codes) > 3000
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 18
        assert all(c in CHARSET for c in code), code
        total = sum(CHARSET.index(c) * w for c, w in zip(code, WEIGHTS, strict=False))
        assert CHARSET[(31 - total % 31) % 31] == code[17], code
    # the companies the report names keep no invented code
    reported = [e for e in data["entities.csv"] if e["source"].startswith("reported: ")]
    assert reported
    assert all(e["uscc"] == "" for e in reported)


def test_every_referenced_id_exists(data: dict[str, Rows]) -> None:
    ids = [e["id"] for e in data["entities.csv"]]
    assert len(set(ids)) == len(ids)
    known = set(ids)
    columns = {
        "ownership.csv": ("owner_id", "owned_id"),
        "control.csv": ("controller_id", "controlled_id"),
        "concert.csv": ("party_a", "party_b"),
        "links.csv": ("source_id", "target_id"),
    }
    for name, cols in columns.items():
        for row in data[name]:
            for col in cols:
                assert row[col] in known, (name, col, row[col])


def test_every_stake_is_dated_and_every_company_sums_to_at_most_100(data: dict[str, Rows]) -> None:
    for row in data["ownership.csv"]:
        assert row["start"], row
        assert not row["end"] or row["end"] > row["start"], row
    # every row at once, whatever its dates: stricter than the view at any one day
    for owned, holders in _shares(data["ownership.csv"], upper=True).items():
        assert sum(holders.values()) <= 1.0 + 1e-9, owned


def test_both_groups_hold_a_quarter_of_both_project_companies(data: dict[str, Rows]) -> None:
    shares = _shares(_case(data["ownership.csv"]), upper=False)
    for project in PROJECTS:
        io = _upstream(shares, project)
        assert io[BORONG] >= 0.25, (project, io[BORONG])
        assert io[QINGSHU] >= 0.25, (project, io[QINGSHU])
    assert _upstream(shares, PROJECTS[0])[BORONG] == pytest.approx(0.2985)
    assert _upstream(shares, PROJECTS[1])[QINGSHU] == pytest.approx(0.42)


def test_control_answers_match_the_readme(data: dict[str, Rows]) -> None:
    controlled = _controls(_case(data["ownership.csv"]), _case(data["control.csv"]))
    assert _ultimate(controlled, PROJECTS[0]) == {BORONG}
    assert _ultimate(controlled, PROJECTS[1]) == set()  # no_controller: 48% / 42% / 10%
    assert controlled["cn-chn-energy"] == {"ph-ceic-digital", "ph-ceic-dc-sub-1", "ph-ceic-dc-sub-2"}
    for company in ("cn-chn-energy", "ph-ceic-dc-sub-1", "ph-ceic-dc-sub-2"):
        assert _ultimate(controlled, company) == {"cn-sasac"}
    assert _ultimate(controlled, "ph-nyocor-dc") == {"tj-nyocor"}


def test_no_background_december_cluster_rivals_the_case(data: dict[str, Rows]) -> None:
    entities = data["entities.csv"]
    december = [e["id"] for e in entities if WINDOW[0] <= e["founded"] <= WINDOW[1]]
    assert set(PROJECTS) <= set(december)
    assert len(december) >= 20  # a real search, not a lookup

    # Upper bounds: interval tops, unknown as whole, control edges as whole stakes.
    shares = _shares(data["ownership.csv"], upper=True)
    for r in data["control.csv"]:
        shares.setdefault(r["controlled_id"], {})[r["controller_id"]] = 1.0
    upstream = {c: _upstream(shares, c) for c in december}
    # a party that may control a company: reached by a chain of majority stakes or control edges
    majority = {y: {x: s for x, s in h.items() if s > 0.5} for y, h in shares.items()}
    may_control = {c: set(_upstream(majority, c)) for c in december}

    parent = {c: c for c in december}

    def find(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    for i, a in enumerate(december):
        for b in december[i + 1:]:
            common = upstream[a].keys() & upstream[b].keys()
            strong = {x for x in common if upstream[a][x] >= 0.25 and upstream[b][x] >= 0.25}
            if strong or may_control[a] & may_control[b]:
                parent[find(a)] = find(b)
    clusters: dict[str, set[str]] = defaultdict(set)
    for c in december:
        clusters[find(c)].add(c)
    sizes = sorted((len(m) for m in clusters.values()), reverse=True)
    assert clusters[find(PROJECTS[0])] == set(PROJECTS)
    assert sizes[0] == 2
    assert sizes[1] == 1  # every background December-2024 company stands alone


def test_decoy_pair_shares_only_a_minority_holder(data: dict[str, Rows]) -> None:
    shares = _shares(data["ownership.csv"], upper=True)
    a, b = shares["bg-c04459"], shares["bg-c04460"]  # named in demo/README.md
    common = a.keys() & b.keys()
    assert len(common) == 1
    (person,) = common
    assert a[person] == b[person] == pytest.approx(0.20)
