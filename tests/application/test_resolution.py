"""Entity resolution across sources on the real Neo4j: one node per strong identifier, each source's
record beside it, edges on the canonical entity, ids that resolve, merges in the feed, judgements."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn.uscc import calc_check_digit as uscc_check_digit

from ownergraph.feed import ChangeFeed
from ownergraph.graph.errors import EntityNotFound
from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.graph.params import ControlParams
from ownergraph.materialise import verify_control
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.resolution import combine_records
from ownergraph.resolution import judge, undo
from ownergraph.service import OwnershipService

FIXTURES = Path(__file__).parent.parent / "fixtures"
GLEIF = FIXTURES / "gleif" / "sergio-rossi"
BODS = FIXTURES / "resolution" / "bods-fosun-fashion.jsonl"
SERGIO_ROSSI = "5493006QJ5ZEMSP80508"
FOSUN_FASHION = "529900OU45EJZAH9OM37"
USCC = "91350100M000100Y43"
TODAY = date.today()


def _entities(repo: Repository) -> set[str]:
    with repo.driver.session(database=repo.database) as s:
        return {r["id"] for r in s.run("MATCH (e:Entity) RETURN e.id AS id")}


@pytest.mark.parametrize("order", ["gleif-first", "bods-first"])
def test_cross_source_chain_reaches_the_person(repo: Repository, order: str) -> None:
    loads = [("gleif", GLEIF), ("bods", BODS)]
    for fmt, path in loads if order == "gleif-first" else loads[::-1]:
        load(repo, fmt, path)
    service = OwnershipService(repo)
    answer = service.controllers(SERGIO_ROSSI, ControlParams(TODAY))
    assert [u.id for u in answer.ultimate_controllers] == ["per-jane"]
    sources = [s.source or "" for u in answer.ultimate_controllers for s in u.chain]
    sources += [c.source or "" for u in answer.ultimate_controllers for s in u.chain for c in s.contributing]
    assert any(s.startswith("GLEIF relationship record") for s in sources)
    assert any(s.startswith("BODS statement") for s in sources)
    # the edge of the source whose record is not canonical names that record and its entity (the merge)
    merged = "'ent-fosun-fashion' is entity" if order == "gleif-first" else f"'{FOSUN_FASHION}' is entity"
    assert any("resolved: the source's record " + merged in s for s in sources)
    # one node for the parent, whichever source came first; its canonical id is stable
    ids = _entities(repo)
    assert ("ent-fosun-fashion" in ids) != (FOSUN_FASHION in ids)
    canonical = FOSUN_FASHION if FOSUN_FASHION in ids else "ent-fosun-fashion"
    # the source's own id resolves to it in every route
    by_record = service.entity("ent-fosun-fashion", as_of=TODAY)
    by_lei = service.entity(FOSUN_FASHION, as_of=TODAY)
    assert by_record.entity.id == by_lei.entity.id == canonical
    assert {r.record_id for r in by_record.records} == {"ent-fosun-fashion", FOSUN_FASHION}
    assert {r.name for r in by_record.records} == {"Fosun Fashion Group (Cayman) Ltd.",
                                                   "Fosun Fashion Group (Cayman) Limited"}
    assert f"LEI:{FOSUN_FASHION}" in by_record.entity.identifiers
    other = "ent-fosun-fashion" if canonical == FOSUN_FASHION else FOSUN_FASHION
    assert service.controllers_response(other, ControlParams(TODAY)).target_id == canonical
    assert [u.id for u in service.controllers(canonical, ControlParams(TODAY)).ultimate_controllers] == ["per-jane"]
    # search finds it by the other source's name and by the LEI
    assert canonical in [r.id for r in service.search("Cayman Ltd", limit=5).results]
    assert service.search(FOSUN_FASHION, limit=5).results[0].id == canonical
    assert verify_control(repo) == []


def test_invalid_identifier_never_merges(repo: Repository) -> None:
    load(repo, "gleif", GLEIF)
    result = load(repo, "bods", BODS)
    assert any(w.code == "bad_lei" for w in result.warnings)
    ids = _entities(repo)
    assert {"ent-bad-lei", SERGIO_ROSSI} <= ids  # one check digit apart: two entities


def test_registry_csv_and_cn_registry_are_one_node(repo: Repository) -> None:
    load(repo, "registry-csv", FIXTURES / "resolution" / "registry-csv")
    load(repo, "cn-registry", FIXTURES / "resolution" / "cn-registry.csv")
    with repo.driver.session(database=repo.database) as s:
        nodes = [r["id"] for r in s.run("MATCH (e:Entity {uscc: $u}) RETURN e.id AS id", u=USCC)]
    assert nodes == ["fj-holding"]  # the first id in the graph stays canonical
    service = OwnershipService(repo)
    entity = service.entity(USCC, as_of=TODAY)  # the Chinese export's id resolves
    assert entity.entity.id == "fj-holding"
    founded = {r.loaded_from: r.founded for r in entity.records}
    assert founded == {"registry-csv:registry-csv": date(2001, 5, 17), "cn-registry:cn-registry.csv": date(2001, 5, 18)}
    assert entity.entity.founded == date(2001, 5, 17)  # the canonical record's own value; the other kept beside it
    owners = {o.entity.id for o in entity.owners}
    assert "p-zhang" in owners
    assert len(owners) == 2


def test_a_delta_with_a_new_identifier_merges_and_the_feed_records_it(repo: Repository, tmp_path: Path) -> None:
    load(repo, "gleif", GLEIF)
    # The BODS record first arrives without its LEI: its own entity, controlled by the person.
    bare = tmp_path / "bare.jsonl"
    bare.write_text(BODS.read_text().replace('{"scheme": "XI-LEI", "id": "529900OU45EJZAH9OM37"}', ""))
    load(repo, "bods", bare, source="bods-register")
    service = OwnershipService(repo)
    assert service.controllers(SERGIO_ROSSI, ControlParams(TODAY)).ultimate_controllers[0].id == FOSUN_FASHION
    # The next delta of that source brings the LEI: the two become one, and control follows.
    result = load(repo, "bods", BODS, source="bods-register")
    assert result.counts.get("merged") == 1
    assert result.materialised is not None
    assert result.materialised.mode == "incremental"
    assert [u.id for u in service.controllers(SERGIO_ROSSI, ControlParams(TODAY)).ultimate_controllers] == [
        "per-jane"]
    feed = ChangeFeed(repo).changes(limit=50)
    merged = [c for c in feed.changes if c.cause.kind == "merge"]
    assert [(c.entity.id, c.cause.merged_into) for c in merged] == [("ent-fosun-fashion", FOSUN_FASHION)]
    assert merged[0].before.status == "controlled"  # its answer before the merge is kept
    moved = [c for c in feed.changes if c.entity.id == SERGIO_ROSSI and c.cause.kind == "load"]
    assert moved
    assert [u.id for u in moved[0].after.ultimate_controllers] == ["per-jane"]
    assert verify_control(repo) == []
    before = repo.fingerprint()
    load(repo, "bods", BODS, source="bods-register")
    assert repo.fingerprint() == before  # reloading changes nothing


def test_a_rejected_pair_splits_and_never_merges_again(repo: Repository, tmp_path: Path) -> None:
    load(repo, "gleif", GLEIF)
    load(repo, "bods", BODS)
    service = OwnershipService(repo)
    judged = judge(repo, "ent-fosun-fashion", FOSUN_FASHION, "negative")
    assert judged.entities == {"ent-fosun-fashion": "ent-fosun-fashion", FOSUN_FASHION: FOSUN_FASHION}
    assert service.controllers(SERGIO_ROSSI, ControlParams(TODAY)).ultimate_controllers[0].id == FOSUN_FASHION
    assert [u.id for u in service.controllers("ent-fosun-fashion", ControlParams(TODAY)).ultimate_controllers] == [
        "per-jane"]
    assert verify_control(repo) == []
    result = load(repo, "bods", BODS)  # a reload: the identifiers still agree, the judgement holds
    assert any(w.code == "merge_blocked_by_judgement" for w in result.warnings)
    assert {"ent-fosun-fashion", FOSUN_FASHION} <= _entities(repo)
    undone = undo(repo, "ent-fosun-fashion", FOSUN_FASHION)  # the judgement undone: one entity again
    assert set(undone.entities.values()) == {FOSUN_FASHION}
    assert [u.id for u in service.controllers(SERGIO_ROSSI, ControlParams(TODAY)).ultimate_controllers] == [
        "per-jane"]
    assert verify_control(repo) == []


def test_an_accepted_pair_merges_and_survives_reloads(repo: Repository, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(FIXTURES / "resolution" / "registry-csv", folder)
    (folder / "entities.csv").write_text((folder / "entities.csv").read_text().replace(USCC, ""))
    load(repo, "registry-csv", folder)
    load(repo, "cn-registry", FIXTURES / "resolution" / "cn-registry.csv")
    assert {"fj-holding", USCC} <= _entities(repo)  # no shared identifier: two entities
    with pytest.raises(EntityNotFound):
        judge(repo, "fj-holding", "nowhere", "positive")
    judged = judge(repo, "fj-holding", USCC, "positive")
    # two entities of one record each: the smaller id is canonical, the other resolves to it
    assert judged.entities == {"fj-holding": USCC, USCC: USCC}
    assert "fj-holding" not in _entities(repo)
    load(repo, "registry-csv", folder)
    load(repo, "cn-registry", FIXTURES / "resolution" / "cn-registry.csv")
    assert "fj-holding" not in _entities(repo)
    assert len(OwnershipService(repo).entity("fj-holding", as_of=TODAY).owners) == 2
    assert verify_control(repo) == []


def test_candidates_across_scripts_then_accept(repo: Repository, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "entities.csv").write_text(
        "id,name,kind,jurisdiction\n"
        "en-fujian,\"Fujian Shili Konggu Co., Ltd.\",company,CN\n"
        "other-gb,\"Fujian Shili Konggu Co., Ltd.\",company,GB\n"  # another country: never a candidate
        "zhang,Zhang San,person,CN\n"
    )
    (folder / "ownership.csv").write_text("owner_id,owned_id,share,start\nzhang,en-fujian,40,2020-01-01\n")
    load(repo, "registry-csv", FIXTURES / "resolution" / "registry-csv")
    load(repo, "registry-csv", folder, source="english-register")
    from ownergraph.resolution import ResolutionService

    service = ResolutionService(repo)
    found = service.candidates(source="english-register", min_score=0.8)
    pairs = [(c.a.id, c.b.id) for c in found.candidates]
    # the company by its name in pinyin, the person by hers (张三 / Zhang San); never the GB company
    assert sorted(pairs) == [("en-fujian", "fj-holding"), ("p-zhang", "zhang")]
    assert found.candidates[0].evidence[0].what == "name"
    assert found.scanned == 3
    # accepted: one entity, both owners on it, and the pair is no longer a candidate
    answer = service.judge("fj-holding", "en-fujian", "positive", note="same company, English register")
    assert answer.entities == {"en-fujian": "en-fujian", "fj-holding": "en-fujian"}
    assert answer.materialised is not None
    left = service.candidates(source="english-register", min_score=0.8).candidates
    assert [(c.a.id, c.b.id) for c in left] == [("p-zhang", "zhang")]
    owners = {o.entity.id for o in OwnershipService(repo).entity("fj-holding", as_of=TODAY).owners}
    assert owners == {"p-zhang", "zhang"}
    assert verify_control(repo) == []


def test_search_by_any_identifier_or_record_id(repo: Repository) -> None:
    load(repo, "bods", FIXTURES / "bods" / "indirect-ownership.json")
    service = OwnershipService(repo)
    with repo.driver.session(database=repo.database) as s:
        row = s.run("MATCH (i:Identifier)<-[:IDENTIFIED_BY]-(e:Entity) RETURN i.value AS value, i.key AS key, "
                    "e.id AS id ORDER BY key LIMIT 1").single()
    assert row is not None  # a GB-COH number of the BODS sample
    assert row["key"].startswith("GB-COH:")
    assert service.search(row["value"], limit=5).results[0].id == row["id"]
    assert service.search(row["key"], limit=5).results[0].id == row["id"]


def test_registry_csv_identifiers_column_merges_with_bods(repo: Repository, tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(
        "id,name,kind,identifiers\n"
        "uk-1,Example Holdings Ltd,company,GB-COH:2723534|WIKIDATA:P31\n"  # the second fails its check
        "uk-2,Other Ltd,company,GB-COH:02723534X\n"
    )
    (tmp_path / "ownership.csv").write_text("owner_id,owned_id,share\n")
    result = load(repo, "registry-csv", tmp_path)
    bad = [w for w in result.warnings if w.code == "bad_identifier"]
    assert [(w.line, w.column) for w in bad] == [(2, "identifiers"), (3, "identifiers")]
    entity = OwnershipService(repo).entity("uk-1", as_of=TODAY).entity
    assert entity.identifiers == ["GB-COH:02723534", "WIKIDATA:P31"]
    assert OwnershipService(repo).search("GB-COH:02723534", limit=5).results[0].id == "uk-1"


def _uscc(body: str) -> str:
    return body + uscc_check_digit(body)


def _combined_entities(repo: Repository) -> dict[str, tuple[dict[str, object], list[dict[str, object]]]]:
    """Every entity holding two records or more: its properties and its records, as the graph holds them."""
    with repo.driver.session(database=repo.database) as s:
        rows = s.run("MATCH (r:SourceRecord)-[:RECORD_OF]->(e:Entity) WITH e, collect(properties(r)) AS recs "
                     "WHERE size(recs) > 1 RETURN e.id AS id, properties(e) AS props, recs")
        return {r["id"]: (r["props"], r["recs"]) for r in rows}


def _assert_entities_show_their_records(repo: Repository) -> None:
    """An entity of several records shows exactly what its records say, combined (docs/resolution.md)."""
    for entity, (props, recs) in _combined_entities(repo).items():
        for key, value in combine_records(entity, recs).items():
            assert props.get(key) == value, (entity, key, props.get(key), value)


def _stake(owner: str, owned: str) -> Stake:
    return Stake(owner, owned, Share(exact=0.6), start=date(2020, 1, 1))


def test_copies_of_known_entities_join_them_and_each_shows_its_records(repo: Repository) -> None:
    """A load naming known legal entities under ids of its own (the same USCC): each joins the entity
    already in the graph, whose properties become its record (an entity written without records, as
    the bulk import writes them); the entity shows its records combined, also after a reload that
    changes one record, another source joining, and a reviewer's split."""
    u1, u2 = _uscc("91350100M000100Y4"), _uscc("91440300MA5F0001A")
    with repo.driver.session(database=repo.database) as s:
        s.run("CREATE (:Entity:Company {id: 'old-1', name: 'Old Name Co', kind: 'company', uscc: $u})", u=u1)
    copies = Dataset(
        entities=[Entity("copy:old-1", "New Name Co", "company", uscc=u1, founded=date(2001, 5, 17)),
                  Entity("copy:two", "Two Co", "company", uscc=u2), Entity("copy:p", "Li Si", "person")],
        stakes=[_stake("copy:p", "copy:old-1"), _stake("copy:old-1", "copy:two")],
    )
    written = repo.write_dataset(copies, load={"id": "src-b", "format": "registry-csv", "path": "b"})
    assert {"old-1", "copy:two", "copy:p"} == _entities(repo)
    assert "old-1" in written.changed
    service = OwnershipService(repo)
    old = service.entity("copy:old-1", as_of=TODAY)
    assert old.entity.id == "old-1"
    assert {(r.record_id, r.name) for r in old.records} == {("old-1", "Old Name Co"), ("copy:old-1", "New Name Co")}
    assert [o.entity.id for o in old.owners] == ["copy:p"]
    assert [h.entity.id for h in old.holdings] == ["copy:two"]
    combined = _combined_entities(repo)
    assert set(combined) == {"old-1"}
    props = combined["old-1"][0]
    assert (props["name"], props["aliases"], props["sources"], props["record_count"]) == (
        "Old Name Co", ["New Name Co"], ["src-b"], 2)
    assert props["founded"] == date(2001, 5, 17)  # the canonical record leaves it empty: the other's
    _assert_entities_show_their_records(repo)

    # A reload of the source with a new name rewrites its record on the entity it joined.
    renamed = Dataset(entities=[replace(copies.entities[0], name="Newer Name Co"), *copies.entities[1:]],
                      stakes=copies.stakes)
    repo.write_dataset(renamed, load={"id": "src-b", "format": "registry-csv", "path": "b"})
    assert _combined_entities(repo)["old-1"][0]["aliases"] == ["Newer Name Co"]
    _assert_entities_show_their_records(repo)

    # A third source names the second company: it joins the load's own entity.
    third = Dataset(entities=[Entity("c-two", "Two Company Ltd", "company", uscc=u2)])
    repo.write_dataset(third, load={"id": "src-c", "format": "registry-csv", "path": "c"})
    assert set(_combined_entities(repo)) == {"old-1", "copy:two"}
    assert _combined_entities(repo)["copy:two"][0]["aliases"] == ["Two Company Ltd"]
    _assert_entities_show_their_records(repo)

    # A reviewer splits the first pair: each record is its own entity again, its edges with it.
    judge(repo, "old-1", "copy:old-1", "negative")
    assert {"old-1", "copy:old-1", "copy:two", "copy:p"} == _entities(repo)
    split = service.entity("old-1", as_of=TODAY).entity
    assert split.name == "Old Name Co"
    assert split.aliases == []
    assert [o.entity.id for o in service.entity("copy:old-1", as_of=TODAY).owners] == ["copy:p"]
    assert set(_combined_entities(repo)) == {"copy:two"}
    _assert_entities_show_their_records(repo)
    assert verify_control(repo) == []
