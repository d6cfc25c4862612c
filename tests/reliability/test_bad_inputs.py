"""Bad inputs never lose data: each is refused with a located fault, or loads with a warning.

Every case runs ``ownergraph.pipeline.load`` against the real test Neo4j that
already holds a baseline graph (the registry-csv ``good`` fixture). A refused
load must leave that graph exactly as it was (node and relationship counts
and a checksum of every property); an accepted one must say which warning it
raised. The cases are a table, so each bad input is visible in one line or
two; files are written into a temporary folder per test.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ownergraph.loaders.errors import LoadRejected
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings

BASELINE = Path(__file__).resolve().parents[1] / "fixtures" / "registry_csv" / "good"
MB10 = 10 * 1024 * 1024
# A human sentence, not a dump of the offending cell: the CLI prints it and a report file keeps it.
MAX_MESSAGE = 600


@dataclass(frozen=True)
class Case:
    """One bad input: the files to write, what to load, and the expected outcome.

    ``code`` is the first error's code for a refused load, the warning expected
    for an accepted one (None: a clean load). ``file``/``line``/``column`` are
    where the first error must point.
    """

    name: str
    fmt: str
    files: dict[str, bytes]
    code: str | None
    file: str | None = None
    line: int | None = None
    column: str | None = None
    target: str = ""  # path loaded, relative to the case folder ("" = the folder itself)
    refused: bool = True
    options: dict[str, Any] = field(default_factory=dict)


def _b(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


# --- registry-csv -----------------------------------------------------------------------------

ENTITIES = (
    "id,name,kind,uscc,lei,founded\n"
    "A,Alpha Holdings Ltd,company,,,2001-05-17\n"
    "B,北京贝塔贸易有限公司,company,,,2005-01-01\n"
    "C,陈伟,person,,,\n"
)
OWN_HEADER = "owner_id,owned_id,share,start,end,source\n"
OWNERSHIP = OWN_HEADER + "B,A,60,2020-01-01,,register\nC,A,40,2020-01-01,,register\nC,B,100,2019-01-01,,register\n"


def reg(entities: str | bytes = ENTITIES, ownership: str | bytes = OWNERSHIP, **more: str | bytes) -> dict[str, bytes]:
    """A registry-csv folder: the valid base unless a file is replaced."""
    files = {"entities.csv": entities, "ownership.csv": ownership, **{f"{k}.csv": v for k, v in more.items()}}
    return {name: content if isinstance(content, bytes) else _b(content) for name, content in files.items()}


def own(*rows: str) -> str:
    """ownership.csv with the base header; the first row given is line 2."""
    return OWN_HEADER + "".join(f"{r}\n" for r in rows)


REGISTRY_CASES = [
    Case("reg-gbk-read-as-utf8", "registry-csv", reg(entities=_b(ENTITIES, "gbk")), "not_utf8", "entities.csv", 3),
    Case("reg-utf16", "registry-csv", reg(entities=_b(ENTITIES, "utf-16")), "not_utf8", "entities.csv", 1),
    Case("reg-bom-loads", "registry-csv", reg(_b(ENTITIES, "utf-8-sig"), _b(OWNERSHIP, "utf-8-sig")), None,
         refused=False),
    Case("reg-crlf-loads", "registry-csv", reg(ENTITIES.replace("\n", "\r\n"), OWNERSHIP.replace("\n", "\r\n")),
         None, refused=False),
    Case("reg-truncated-mid-row", "registry-csv", reg(ownership=OWN_HEADER + "B,A,60,2020-01-01,,register\nC,A,4"),
         "truncated_row", "ownership.csv", 3, "start"),
    Case("reg-truncated-in-quote", "registry-csv", reg(ownership=own("B,A,60,2020-01-01,,register",
                                                                      'C,A,40,2020-01-01,,"Registry extr')),
         "bad_csv", "ownership.csv", 3),
    Case("reg-empty-ownership", "registry-csv", reg(ownership=b""), "missing_header", "ownership.csv", 1),
    Case("reg-semicolons", "registry-csv", reg(entities=ENTITIES.replace(",", ";")), "wrong_delimiter",
         "entities.csv", 1),
    Case("reg-tabs", "registry-csv", reg(ownership=OWNERSHIP.replace(",", "\t")), "wrong_delimiter",
         "ownership.csv", 1),
    Case("reg-missing-column", "registry-csv", reg(ownership="owner_id,share\nB,60\n"), "missing_column",
         "ownership.csv", 1, "owned_id"),
    Case("reg-missing-file", "registry-csv", {"entities.csv": _b(ENTITIES)}, "missing_file", "ownership.csv"),
    Case("reg-duplicate-id", "registry-csv", reg(entities=ENTITIES + "A,Alpha Again,company,,,\n"),
         "duplicate_id", "entities.csv", 5, "id"),
    Case("reg-dangling-owner", "registry-csv", reg(ownership=own("B,A,60,,,", "Z,A,40,,,")), "unknown_entity",
         "ownership.csv", 3, "owner_id"),
    Case("reg-dangling-owned", "registry-csv", reg(ownership=own("B,A,60,,,", "C,Q,40,,,")), "unknown_entity",
         "ownership.csv", 3, "owned_id"),
    Case("reg-share-negative", "registry-csv", reg(ownership=own("B,A,-5,,,")), "share_out_of_range",
         "ownership.csv", 2, "share"),
    Case("reg-share-above-100", "registry-csv", reg(ownership=own("B,A,60,,,", "C,A,140,,,")),
         "share_out_of_range", "ownership.csv", 3, "share"),
    Case("reg-share-text", "registry-csv", reg(ownership=own("B,A,abc,,,")), "bad_share", "ownership.csv", 2,
         "share"),
    Case("reg-share-double-percent", "registry-csv", reg(ownership=own("B,A,25%%,,,")), "bad_share",
         "ownership.csv", 2, "share"),
    Case("reg-share-nan", "registry-csv", reg(ownership=own("B,A,nan,,,")), "share_out_of_range", "ownership.csv",
         2, "share"),
    Case("reg-fractions-in-percent-column", "registry-csv", reg(ownership=own("B,A,0.6,,,", "C,A,0.35,,,")),
         "percent_looks_like_fraction", refused=False),
    Case("reg-shares-sum-180", "registry-csv", reg(ownership=own("B,A,90,,,", "C,A,90,,,")),
         "shares_sum_above_100", refused=False),
    Case("reg-end-before-start", "registry-csv", reg(ownership=own("B,A,60,2020-01-01,2019-01-01,")),
         "end_not_after_start", "ownership.csv", 2, "end"),
    Case("reg-impossible-date", "registry-csv", reg(ownership=own("B,A,60,2024-02-30,,")), "bad_date",
         "ownership.csv", 2, "start"),
    Case("reg-impossible-founded", "registry-csv", reg(entities=ENTITIES.replace("2005-01-01", "2005-13-01")),
         "bad_date", "entities.csv", 3, "founded"),
    Case("reg-self-ownership", "registry-csv", reg(ownership=own("B,A,60,,,", "A,A,10,,,")), "self_stake",
         "ownership.csv", 3, "owned_id"),
    Case("reg-two-entity-full-cycle", "registry-csv", reg(ownership=own("A,B,100,,,", "B,A,100,,,")),
         "full_ownership_cycle", refused=False),
    Case("reg-bad-uscc-check", "registry-csv",
         reg(entities=ENTITIES.replace("Ltd,company,,", "Ltd,company,91350200MA2XY0002,")),
         "bad_uscc", "entities.csv", 2, "uscc"),
    Case("reg-bad-lei-checksum", "registry-csv",
         reg(entities=ENTITIES.replace("有限公司,company,,", "有限公司,company,,5493001KJTIIGC8Y1R13")),
         "bad_lei", "entities.csv", 3, "lei"),
    Case("reg-bad-control-basis", "registry-csv",
         reg(control="controller_id,controlled_id,basis\nC,A,friendship\n"), "bad_basis", "control.csv", 2, "basis"),
    Case("reg-10mb-name-loads", "registry-csv",
         reg(entities=ENTITIES.replace("Alpha Holdings Ltd", "Alpha " + "x" * MB10)), None, refused=False),
    Case("reg-10mb-share-cell", "registry-csv", reg(ownership=own("B,A,60,,,", f"C,A,{'9' * MB10},,,")),
         "share_out_of_range", "ownership.csv", 3, "share"),
    Case("reg-10mb-source", "registry-csv", reg(ownership=own("B,A,60,,,", f"C,A,40,,,{'s' * MB10}")),
         "value_too_long", "ownership.csv", 3, "source"),
    Case("reg-10mb-id", "registry-csv", reg(entities=ENTITIES + f"{'D' * MB10},Delta,company,,,\n"),
         "value_too_long", "entities.csv", 5, "id"),
    Case("reg-nul-byte-in-name-loads", "registry-csv", reg(entities=ENTITIES.replace("Alpha", "Al\x00pha")),
         "control_characters_removed", refused=False),  # the name loads as "Alpha", with a warning
]

# --- cn-registry ------------------------------------------------------------------------------

CN_HEADER = "企业名称,统一社会信用代码,股东名称,股东类型,持股比例,认缴出资额(万元),成立日期\n"
CN_USCC = "91350200MA2XY0001C"
CN_ROWS = (
    f"厦门示例精密制造有限公司,{CN_USCC},王芳,自然人,60%,600,2018-03-05\n"
    f"厦门示例精密制造有限公司,{CN_USCC},厦门示例投资有限公司,企业法人,40%,400,2018-03-05\n"
)
CN_TEXT = CN_HEADER + CN_ROWS


def cn(text: str | bytes = CN_TEXT) -> dict[str, bytes]:
    return {"registry.csv": text if isinstance(text, bytes) else _b(text)}


def cn_rows(*rows: str) -> str:
    return CN_HEADER + "".join(f"{r}\n" for r in rows)


CN_CASES = [
    Case("cn-gbk-read-as-utf8", "cn-registry", cn(_b(CN_TEXT, "gbk")), "bad_encoding", "registry.csv", 1,
         target="registry.csv", options={"encoding": "utf-8"}),
    Case("cn-utf8-read-as-gbk", "cn-registry", cn(), "bad_encoding", "registry.csv", 1,
         target="registry.csv", options={"encoding": "gbk"}),
    Case("cn-unknown-encoding", "cn-registry", cn(), "bad_encoding", "registry.csv", target="registry.csv",
         options={"encoding": "klingon-8"}),
    Case("cn-gbk-detected-loads", "cn-registry", cn(_b(CN_TEXT, "gbk")), None, target="registry.csv",
         refused=False),
    Case("cn-bom-loads", "cn-registry", cn(_b(CN_TEXT, "utf-8-sig")), None, target="registry.csv", refused=False),
    Case("cn-bad-uscc-check", "cn-registry", cn(CN_TEXT.replace(CN_USCC, CN_USCC[:-1] + "D")), "bad_uscc",
         "registry.csv", 2, "统一社会信用代码", target="registry.csv"),
    Case("cn-share-text", "cn-registry", cn(CN_TEXT.replace("40%", "四成")), "bad_share", "registry.csv", 3,
         "持股比例", target="registry.csv"),
    Case("cn-share-above-100", "cn-registry", cn(CN_TEXT.replace("40%", "140%")), "bad_share", "registry.csv", 3,
         "持股比例", target="registry.csv"),
    Case("cn-impossible-date", "cn-registry", cn(CN_TEXT.replace("2018-03-05", "2024年2月30日")), "bad_date",
         "registry.csv", 2, "成立日期", target="registry.csv"),
    Case("cn-missing-column", "cn-registry", cn(CN_TEXT.replace("股东名称", "名字")), "missing_column",
         "registry.csv", 1, "股东名称", target="registry.csv"),
    Case("cn-wrong-delimiter", "cn-registry", cn(CN_TEXT.replace(",", ";")), "wrong_delimiter", "registry.csv", 1,
         target="registry.csv"),
    Case("cn-truncated", "cn-registry", cn(CN_TEXT[: CN_TEXT.rindex("企业法人")]), "truncated_row", "registry.csv", 3,
         "持股比例", target="registry.csv"),
    Case("cn-shares-sum-180", "cn-registry", cn(CN_TEXT.replace("60%", "90%").replace("40%", "90%")),
         "shares_sum_above_100", target="registry.csv", refused=False),
    Case("cn-fractions-in-percent-column", "cn-registry", cn(CN_TEXT.replace("60%", "0.6").replace("40%", "0.35")),
         "percent_looks_like_fraction", target="registry.csv", refused=False),
    Case("cn-tushare-bad-code", "cn-registry",
         {"top10.csv": _b("ts_code,ann_date,end_date,holder_name,hold_amount,hold_ratio\n"
                          "000001.SZ,20240420,20231231,深圳市投资控股有限公司,100,30.5\n"
                          "1.SZ,20240420,20231231,王芳,10,3.1\n")},
         "bad_code", "top10.csv", 3, "ts_code", target="top10.csv"),
]

# --- BODS (0.4, JSON Lines) --------------------------------------------------------------------


def _bods_statement(record_id: str, record_type: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "statementId": f"st-{record_id}",
        "statementDate": "2024-05-01",
        "publicationDetails": {"publicationDate": "2024-05-01", "bodsVersion": "0.4",
                               "publisher": {"name": "Example Register"}},
        "recordId": record_id,
        "recordStatus": "new",
        "recordType": record_type,
        "recordDetails": {"isComponent": False, **details},
    }


def bods_records(*, party: str = "bp-1", share: Any = 60, start: str = "2020-01-01") -> list[dict[str, Any]]:
    return [
        _bods_statement("bc-1", "entity", {"entityType": {"type": "registeredEntity"}, "name": "Gamma Shipping Ltd"}),
        _bods_statement("bp-1", "person", {"personType": "knownPerson",
                                           "names": [{"type": "legal", "fullName": "Maria Example"}]}),
        _bods_statement("br-1", "relationship", {
            "subject": "bc-1", "interestedParty": party,
            "interests": [{"type": "shareholding", "directOrIndirect": "direct", "share": {"exact": share},
                           "startDate": start}],
        }),
    ]


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


BODS_TEXT = jsonl(bods_records())


def bods(text: str | bytes = BODS_TEXT, name: str = "statements.jsonl") -> dict[str, bytes]:
    return {name: text if isinstance(text, bytes) else _b(text)}


_BODS_LINES = BODS_TEXT.splitlines(keepends=True)
BODS_CASES = [
    Case("bods-malformed-jsonl", "bods", bods(_BODS_LINES[0] + _BODS_LINES[1][:-40] + "\n" + _BODS_LINES[2]),
         "malformed_json", "statements.jsonl", 2, "336", target="statements.jsonl"),
    Case("bods-truncated-array", "bods", bods(json.dumps(bods_records(), indent=1)[:-300], "statements.json"),
         "malformed_json", "statements.json", 59, "3", target="statements.json"),
    Case("bods-missing-statement", "bods", bods(jsonl(bods_records(party="bp-404"))), "missing_statement",
         "statements.jsonl", 3, "/recordDetails/interestedParty", target="statements.jsonl"),
    Case("bods-share-above-100", "bods", bods(jsonl(bods_records(share=180))), "bad_share", "statements.jsonl", 3,
         "/recordDetails/interests/0/share", target="statements.jsonl"),
    Case("bods-share-text", "bods", bods(jsonl(bods_records(share="abc"))), "bad_share", "statements.jsonl", 3,
         "/recordDetails/interests/0/share", target="statements.jsonl"),
    # BODS dates are optional detail: an impossible one is dropped with a warning, the stake kept.
    Case("bods-impossible-date", "bods", bods(jsonl(bods_records(start="2024-02-30"))), "bad_date",
         target="statements.jsonl", refused=False),
    Case("bods-self-ownership", "bods", bods(jsonl(bods_records(party="bc-1"))), "self_stake", "statements.jsonl",
         3, "owned_id", target="statements.jsonl"),
    Case("bods-self-ownership-array", "bods", bods(json.dumps(bods_records(party="bc-1")), "statements.json"),
         "self_stake", "statements.json", None, "/2", target="statements.json"),  # the statement's pointer
    Case("bods-not-utf8", "bods", bods(_b(BODS_TEXT.replace("Maria", "王芳"), "gbk")), "bad_encoding",
         "statements.jsonl", 2, target="statements.jsonl"),
    Case("bods-empty", "bods", bods(b"  \n"), "empty_file", "statements.jsonl", target="statements.jsonl"),
    Case("bods-bom-loads", "bods", bods(_b(BODS_TEXT, "utf-8-sig")), None, target="statements.jsonl",
         refused=False),
]

# --- FollowTheMoney -----------------------------------------------------------------------------


def ftm_line(eid: str, schema: str, **props: list[str]) -> str:
    return json.dumps({"id": eid, "schema": schema, "properties": props}, ensure_ascii=False) + "\n"


FTM_BASE = ftm_line("fc-1", "Company", name=["Delta Mining AG"]) + ftm_line("fp-1", "Person", name=["Ivan Example"])


def ftm(*lines: str) -> dict[str, bytes]:
    return {"entities.ftm.json": _b(FTM_BASE + "".join(lines))}


FTM_CASES = [
    Case("ftm-malformed-line", "ftm", ftm('{"id": "own-1", "schema": "Ownership", "properties": {\n'),
         "malformed_json", "entities.ftm.json", 3, "55", target="entities.ftm.json"),
    Case("ftm-missing-owner", "ftm",
         ftm(ftm_line("own-1", "Ownership", owner=["fp-404"], asset=["fc-1"], percentage=["30%"])),
         "missing_entity", "entities.ftm.json", 3, "/properties/owner/0", target="entities.ftm.json"),
    Case("ftm-share-above-100", "ftm",
         ftm(ftm_line("own-1", "Ownership", owner=["fp-1"], asset=["fc-1"], percentage=["150%"])),
         "share_out_of_range", "entities.ftm.json", 3, "/properties/percentage/0", target="entities.ftm.json"),
    Case("ftm-end-before-start", "ftm",
         ftm(ftm_line("own-1", "Ownership", owner=["fp-1"], asset=["fc-1"], percentage=["30%"],
                      startDate=["2021-01-01"], endDate=["2019-06-01"])),
         "end_not_after_start", "entities.ftm.json", 3, "end", target="entities.ftm.json"),
]

# --- GLEIF ----------------------------------------------------------------------------------------

GLEIF_HEADER = (
    "Relationship.StartNode.NodeID,Relationship.StartNode.NodeIDType,Relationship.EndNode.NodeID,"
    "Relationship.EndNode.NodeIDType,Relationship.RelationshipType,Relationship.RelationshipStatus,"
    "Relationship.Period.1.startDate,Relationship.Period.1.endDate,Relationship.Period.1.periodType\n"
)
GOOD_LEI_CHILD, GOOD_LEI_PARENT = "5493006QJ5ZEMSP80508", "529900OU45EJZAH9OM37"


def gleif_row(child: str = GOOD_LEI_CHILD, parent: str = GOOD_LEI_PARENT) -> str:
    return f"{child},LEI,{parent},LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,2023-11-21,,RELATIONSHIP_PERIOD\n"


GLEIF_CASES = [
    Case("gleif-lei-bad-checksum", "gleif", {"rr.csv": _b(GLEIF_HEADER + gleif_row(child="5493006QJ5ZEMSP80509"))},
         "bad_lei", "rr.csv", 2, "Relationship.StartNode.NodeID", target="rr.csv"),
    Case("gleif-lei-lowercase-length", "gleif", {"rr.csv": _b(GLEIF_HEADER + gleif_row(parent="529900ou45ejzah9om3"))},
         "bad_lei", "rr.csv", 2, "Relationship.EndNode.NodeID", target="rr.csv"),
    Case("gleif-truncated-gzip", "gleif", {"rr.csv.gz": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03KLJ"},
         "unreadable_file", "rr.csv.gz", target="rr.csv.gz"),
]

CASES = REGISTRY_CASES + CN_CASES + BODS_CASES + FTM_CASES + GLEIF_CASES


def _write(case: Case, folder: Path) -> Path:
    for name, content in case.files.items():
        (folder / name).write_bytes(content)
    return folder / case.target if case.target else folder


def _state(repo: Repository) -> tuple[dict[str, int], str]:
    return repo.counts(), repo.fingerprint()


@pytest.fixture
def baseline(repo: Repository) -> Repository:
    """The test database holding only the baseline graph."""
    load(repo, "registry-csv", BASELINE)
    return repo


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.fmt for c in CASES} == {"registry-csv", "cn-registry", "bods", "ftm", "gleif"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(baseline: Repository, tmp_path: Path, case: Case) -> None:
    path = _write(case, tmp_path)
    before = _state(baseline)
    if case.refused:
        with pytest.raises(LoadRejected) as caught:
            load(baseline, case.fmt, path, **case.options)
        first = caught.value.errors[0]
        assert first.code == case.code, str(caught.value)
        assert first.file is not None
        assert Path(first.file).name == case.file
        assert (first.line, first.column) == (case.line, case.column), str(first)[:MAX_MESSAGE]
        assert "expected" in first.message
        assert len(first.message) < MAX_MESSAGE
        assert len(str(caught.value)) < 10 * MAX_MESSAGE
        assert _state(baseline) == before  # not one node, relationship or property changed
    else:
        result = load(baseline, case.fmt, path, **case.options)
        codes = [w.code for w in result.warnings]
        assert codes == ([case.code] if case.code else []), codes
        assert sum(result.counts.values()) > 0
        assert _state(baseline) != before


# --- one bad row at the end of a million ----------------------------------------------------------

MILLION = 1_000_000


def _million_row_folder(folder: Path) -> Path:
    """1,000 companies and 1M ownership rows (lines 2..1,000,001), the last one with a bad share."""
    n = 1000
    (folder / "entities.csv").write_text(
        "id,name,kind\n" + "".join(f"E{i},Company {i},company\n" for i in range(n)), encoding="utf-8"
    )
    # Shares left unknown: the rows are valid and do not sum above 100% per company.
    rows = [f"E{i % n},E{(i * 7 + 1) % n},,2020-01-01,,batch {i // n}\n" for i in range(MILLION - 1)]
    rows.append(f"E1,E2,12.5.0,2020-01-01,,batch {MILLION // n}\n")
    with (folder / "ownership.csv").open("w", encoding="utf-8") as f:
        f.write(OWN_HEADER)
        f.writelines(rows)
    return folder


def test_million_rows_one_bad_row_at_the_end(baseline: Repository, tmp_path: Path) -> None:
    folder = _million_row_folder(tmp_path)
    before = _state(baseline)
    started = time.monotonic()
    with pytest.raises(LoadRejected) as caught:
        load(baseline, "registry-csv", folder)
    elapsed = time.monotonic() - started
    assert [(e.code, Path(e.file or "").name, e.line, e.column) for e in caught.value.errors] == [
        ("bad_share", "ownership.csv", MILLION + 1, "share")
    ]
    assert _state(baseline) == before
    assert elapsed < 60


# --- the command line ------------------------------------------------------------------------------


def test_cli_load_refuses_a_bad_folder_with_a_full_report(
    baseline: Repository, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    from ownergraph.cli import app

    bad = tmp_path / "bad"
    bad.mkdir()
    ownership = own("B,A,abc,,,", "Z,A,10,,,", "C,A,30,2024-02-30,,", "C,B,10,2020-01-01,2019-01-01,")
    for name, content in reg(ownership=ownership).items():
        (bad / name).write_bytes(content)
    report = tmp_path / "R.txt"
    password = neo4j_settings.password.get_secret_value() if neo4j_settings.password else ""
    before = _state(baseline)
    env = {"NEO4J_URI": str(neo4j_settings.uri), "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": password,
           "COLUMNS": "300"}  # wide, so rich does not fold file:line onto two lines
    result = CliRunner().invoke(app, ["load", "registry-csv", str(bad), "--report", str(report)], env=env)
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    assert "\n  ownership.csv:2 column share" in result.output  # named inside the folder loaded
    assert str(tmp_path) not in result.output
    lines = report.read_text(encoding="utf-8").splitlines()
    located = sorted((line.split(":")[1].split()[0], line.split(" column ")[1].split(":")[0]) for line in lines)
    assert located == [("2", "share"), ("3", "owner_id"), ("4", "start"), ("5", "end")]
    assert _state(baseline) == before



def test_cli_prints_hostile_cells_of_a_rejected_load_as_inert_text(
    baseline: Repository, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    """A finding quotes the offending cell: markup in it is not read, control characters are not sent."""
    from ownergraph.cli import app

    bad = tmp_path / "bad"
    bad.mkdir()
    for name, content in reg(ownership=own("B,A,[/][link=https://x.example]x\x1b]0;pwned\x07,,,")).items():
        (bad / name).write_bytes(content)
    password = neo4j_settings.password.get_secret_value() if neo4j_settings.password else ""
    env = {"NEO4J_URI": str(neo4j_settings.uri), "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": password,
           "COLUMNS": "300"}
    result = CliRunner().invoke(app, ["load", "registry-csv", str(bad)], env=env)
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "[/][link=https://x.example]" in result.output  # shown as the text it is
