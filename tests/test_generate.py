"""The benchmark generator: reproducible bytes and the shape of real registries."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest

from bench.generate import generate

FILES = ("entities.csv", "ownership.csv", "control.csv", "concert.csv")
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
Rows = list[dict[str, str]]


def _read(folder: Path, name: str) -> Rows:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    counts = generate(a, 2_000, seed=7)
    assert generate(b, 2_000, seed=7) == counts
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    generate(c, 2_000, seed=8)
    assert (a / "ownership.csv").read_bytes() != (c / "ownership.csv").read_bytes()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], dict[str, Rows]]:
    folder = tmp_path_factory.mktemp("gen50k")
    counts = generate(folder, 50_000, seed=1)
    return counts, {name: _read(folder, name) for name in FILES}


def test_counts_match_the_files(run: tuple[dict[str, int], dict[str, Rows]]) -> None:
    counts, data = run
    kinds = Counter(e["kind"] for e in data["entities.csv"])
    assert kinds["company"] == counts["companies"] == 50_000
    assert kinds["partnership"] == counts["partnerships"]
    assert kinds["person"] == counts["persons"]
    assert kinds["state_body"] == counts["state_bodies"]
    assert len(data["ownership.csv"]) == counts["stakes"]
    assert len(data["control.csv"]) == counts["controls"]
    # about three stakes per company, most owners natural persons
    assert 2.5 <= counts["stakes"] / counts["companies"] <= 3.5
    assert counts["persons"] > counts["companies"]


def test_ids_unique_and_every_reference_exists(run: tuple[dict[str, int], dict[str, Rows]]) -> None:
    _, data = run
    ids = [e["id"] for e in data["entities.csv"]]
    assert len(set(ids)) == len(ids)
    known = set(ids)
    for row in data["ownership.csv"]:
        assert row["owner_id"] in known
        assert row["owned_id"] in known
        assert row["owner_id"] != row["owned_id"]
    for row in data["control.csv"]:
        assert row["controller_id"] in known
        assert row["controlled_id"] in known


def test_shares_sum_to_at_most_100_and_dates_are_ordered(
    run: tuple[dict[str, int], dict[str, Rows]],
) -> None:
    _, data = run
    founded = {e["id"]: e["founded"] for e in data["entities.csv"]}
    total: dict[str, float] = defaultdict(float)
    styles: Counter[str] = Counter()
    for row in data["ownership.csv"]:
        stated = row["share"] or row["share_max"]
        total[row["owned_id"]] += float(stated or 0)
        styles["exact" if row["share"] else "interval" if row["share_max"]
               else "capital" if row["subscribed_capital"] else "unknown"] += 1
        assert row["start"] >= founded[row["owned_id"]]
        assert not row["end"] or row["end"] > row["start"]
        if row["share_min"]:
            assert float(row["share_min"]) <= float(row["share_max"])
    assert max(total.values()) <= 100 + 1e-6
    assert all(styles[s] > 0 for s in ("exact", "interval", "capital", "unknown"))
    assert any(row["end"] for row in data["ownership.csv"])


def test_uscc_check_characters_are_valid(run: tuple[dict[str, int], dict[str, Rows]]) -> None:
    _, data = run
    codes = [e["uscc"] for e in data["entities.csv"] if e["uscc"]]
    assert len(codes) > 40_000
    assert len(set(codes)) == len(codes)
    for code in codes:
        total = sum(CHARSET.index(c) * w for c, w in zip(code, WEIGHTS, strict=False))
        assert CHARSET[(31 - total % 31) % 31] == code[17], code


def test_registry_shape(run: tuple[dict[str, int], dict[str, Rows]]) -> None:
    _, data = run
    kind = {e["id"]: e["kind"] for e in data["entities.csv"]}
    stakes = data["ownership.csv"]
    owners = {r["owner_id"] for r in stakes}

    # about 90% of the stakes point at leaf companies (companies that own nothing)
    to_leaf = sum(1 for r in stakes if kind[r["owned_id"]] == "company" and r["owned_id"] not in owners)
    assert 0.85 <= to_leaf / len(stakes) <= 0.95

    # most persons hold one company
    held = Counter(r["owner_id"] for r in stakes if kind[r["owner_id"]] == "person")
    assert sum(1 for c in held.values() if c == 1) / len(held) >= 0.75

    # a group hub with at least N/50 = 1,000 direct subsidiaries
    subsidiaries = Counter(r["owner_id"] for r in stakes if kind[r["owner_id"]] == "company")
    assert subsidiaries.most_common(1)[0][1] >= 1_000

    # state bodies at the top of some groups
    assert any(kind[r["owner_id"]] == "state_body" and r["owned_id"] in owners for r in stakes)

    # every partnership has exactly one executive partner
    gps = Counter(r["controlled_id"] for r in data["control.csv"] if r["basis"] == "general_partner")
    partnerships = {i for i, k in kind.items() if k == "partnership"}
    assert set(gps) == partnerships
    assert set(gps.values()) == {1}


def test_chains_and_cycles(run: tuple[dict[str, int], dict[str, Rows]]) -> None:
    _, data = run
    kind = {e["id"]: e["kind"] for e in data["entities.csv"]}
    corporate = nx.DiGraph(
        (r["owner_id"], r["owned_id"]) for r in data["ownership.csv"]
        if kind[r["owner_id"]] == "company"
    )
    # a tiny cyclic core of cross-holdings
    rings = [c for c in nx.strongly_connected_components(corporate) if len(c) > 1]
    assert rings
    assert sum(len(c) for c in rings) < 20
    # chains mostly 1-3 deep, with a tail of layered holdings 20+ deep
    acyclic = nx.condensation(corporate)
    assert nx.dag_longest_path_length(acyclic) >= 20
    depth: dict[int, int] = {}
    for node in nx.topological_sort(acyclic):
        depth[node] = max((depth[p] + 1 for p in acyclic.predecessors(node)), default=0)
    held = [d for d in depth.values() if d > 0]  # companies with a corporate owner
    assert sum(1 for d in held if d <= 3) / len(held) >= 0.85
    assert sum(1 for d in held if d > 5) / len(held) < 0.01


def test_generate_refuses_a_graph_too_small_for_its_shapes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1,000 companies"):
        generate(tmp_path / "small", 999, seed=1)
    assert not (tmp_path / "small").exists()
