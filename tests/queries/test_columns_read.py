"""Whole-graph reads as columns give what the record reads give (real test Neo4j)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from bench.generate import generate
from ownergraph.graph.columnar import bulk_answers
from ownergraph.graph.control import bulk_control_relation
from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.graph.params import ControlParams
from ownergraph.materialise import materialise_control
from ownergraph.pipeline import parse
from ownergraph.queries.repository import Repository

DAY = date(2025, 6, 30)
LOAD = {"id": "columns", "format": "test", "path": "-"}


def varied() -> Dataset:
    ids = ["p", "q", "gp", "lp", "a", "b", "c", "x", "y", "舟山"]
    return Dataset(
        entities=[Entity(i, i.upper(), "company", registered_capital=100.0 if i == "c" else None) for i in ids],
        stakes=[
            Stake("p", "a", Share(exact=0.3), start=date(2020, 1, 1), source="s1"),
            Stake("q", "a", Share(exact=0.25), end=date(2030, 1, 1)),
            Stake("a", "b", Share(minimum=0.4, maximum=0.6, raw="40-60%")),
            Stake("b", "a", Share(exact=0.2), voting_share=Share(exact=0.5)),
            Stake("p", "c", Share(), subscribed_capital=60.0, source="s2"),
            Stake("gp", "lp", Share(exact=0.01)),
            Stake("x", "lp", Share(exact=0.99)),
            Stake("lp", "y", Share(exact=0.7), end=date(2025, 6, 30)),  # ended on the day: not in force
            Stake("y", "舟山", Share(exact=0.9), start=date(2026, 1, 1)),  # not yet in force
            Stake("c", "舟山", Share(exact=0.51)),
        ],
        controls=[Control("gp", "lp", "general_partner", start=date(2019, 5, 1)), Control("b", "x", "declared")],
        concerts=[Concert("p", "q", scope_id="a"), Concert("x", "y", end=date(2024, 1, 1))],
    )


def assert_same_answers(repo: Repository, params: ControlParams) -> None:
    summaries, controllers = bulk_control_relation(repo.everything(), params)
    got = bulk_answers(repo.everything_columns(page=3), params)
    assert got.summaries() == summaries
    assert got.controllers() == controllers


def test_columns_read_gives_the_record_reads_answers(repo: Repository) -> None:
    data = varied()
    repo.write_dataset(data, load=LOAD)
    cols = repo.everything_columns(page=3)  # pages of three entities: the keyset paging is exercised
    assert sorted(cols.ids) == sorted(e.id for e in data.entities)
    assert cols.loaded == len(data.entities)
    assert (cols.owner.size, cols.c_from.size, cols.k_a.size) == (10, 2, 2)
    assert sorted(cols.sources) == ["s1", "s2"]
    for ruleset in ("majority", "relative"):
        assert_same_answers(repo, ControlParams(DAY, ruleset=ruleset))
    summaries = bulk_answers(cols, ControlParams(DAY)).summaries()
    assert summaries["lp"].ultimate_controllers == ("gp",)
    assert summaries["c"].ultimate_controllers == ("p",)  # 60 of a registered capital of 100


def test_columns_read_of_a_generated_registry(repo: Repository, tmp_path: Path) -> None:
    generate(tmp_path / "registry", 1_000, 7)
    repo.write_dataset(parse("registry-csv", tmp_path / "registry"), load=LOAD)
    assert_same_answers(repo, ControlParams(DAY))


def test_materialised_state_reads_what_the_record_reads_read(repo: Repository) -> None:
    repo.write_dataset(varied(), load=LOAD)
    materialise_control(repo, as_of=DAY)
    keys, statuses = repo.materialised_state("majority", page=2)
    assert keys == repo.materialised_control("majority")
    assert statuses == repo.control_statuses()
    assert keys
    assert statuses
    assert repo.materialised_state("relative", page=2)[0] == {}
    for page, workers in ((1, 1), (3, 4), (100, 2)):
        assert repo.materialised_state("majority", page=page, workers=workers) == (keys, statuses)


def test_id_ranges_cover_every_id_once(repo: Repository) -> None:
    ids = sorted(e.id for e in varied().entities)
    assert repo.id_ranges(3) == [("", None)]  # an empty graph: one open range
    repo.write_dataset(varied(), load=LOAD)
    assert repo.id_ranges(3) == [("", ids[2]), (ids[2], ids[5]), (ids[5], ids[8]), (ids[8], None)]
    assert repo.id_ranges(5) == [("", ids[4]), (ids[4], ids[9]), (ids[9], None)]  # the last range empty
    assert repo.id_ranges(100) == [("", None)]


def test_columns_read_in_ranges_over_several_sessions(repo: Repository) -> None:
    """The order of the columns (entities, then stakes in id order of their owned entity) whatever
    the ranges and however many are read at once."""
    repo.write_dataset(varied(), load=LOAD)
    whole = repo.everything_columns(page=100, workers=1)
    for page, workers in ((1, 1), (2, 3), (3, 8)):
        cols = repo.everything_columns(page=page, workers=workers)
        assert list(cols.ids) == list(whole.ids)
        assert cols.sources == whole.sources
        for name in ("capital", "owner", "owned", "share", "vote_max", "start", "end", "source", "c_from", "k_a"):
            np.testing.assert_array_equal(getattr(cols, name), getattr(whole, name), err_msg=name)


def test_columns_read_of_an_empty_graph(repo: Repository) -> None:
    cols = repo.everything_columns()
    assert (list(cols.ids), cols.owner.size) == ([], 0)
    assert bulk_answers(cols, ControlParams(DAY)).summaries() == {}
    assert repo.materialised_state("majority") == ({}, {})
