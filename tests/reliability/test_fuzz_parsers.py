"""Fuzzing the CSV parsers through the load pipeline: only a located LoadRejected, never a crash.

tests/loaders fuzzes parse_registry_csv (entities.csv and ownership.csv only)
and parse_cn_registry, checking that nothing raises. This adds what they do
not check: the optional registry files (control, concert, links), random
entity rows, small mutations of valid files (cut, quote, delimiter, NUL, BOM),
cn-registry under every encoding option, and above all that every error
names its file and a line inside it, with a short human message.

Examples per test are explicit (``max_examples``); their sum is FUZZ_CASES.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph.model import MAX_MESSAGE
from ownergraph.loaders.errors import LoadRejected
from ownergraph.pipeline import parse

# Faults of a whole file: no line to name.
FILE_LEVEL = frozenset({"missing_file", "unreadable_file", "bad_xlsx"})
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

EXAMPLES = {
    "registry_random_bytes_every_file": 150,
    "registry_near_valid_entities": 150,
    "registry_near_valid_edges": 100,
    "registry_mutated_folder": 200,
    "cn_random_bytes_any_encoding": 100,
    "cn_mutated_file": 200,
    "cn_near_valid_rows": 100,
}
FUZZ_CASES = sum(EXAMPLES.values())  # 1,000


def _assert_located(fmt: str, path: Path, **options: object) -> None:
    """parse() returns clean records or raises LoadRejected whose every error is located."""
    try:
        data = parse(fmt, path, **options)
    except LoadRejected as rejected:
        findings = rejected.findings
    else:
        assert data.errors == []
        return
    assert any(f.severity == "error" for f in findings)
    for f in findings:
        assert f.message
        assert len(f.message) <= MAX_MESSAGE
        if f.severity == "warning":
            continue
        assert f.file is not None, f
        # findings name the file inside the source (never a server path): a folder's file, or the file itself
        source = path / f.file if path.is_dir() else path.parent / f.file
        assert source == path or source.parent == path, f
        if f.code in FILE_LEVEL:
            continue
        assert f.line is not None, f
        raw = source.read_bytes()
        # csv counts \r, \n and \r\n as line ends
        assert 1 <= f.line <= raw.count(b"\n") + raw.count(b"\r") + 1, f


# --- registry-csv ---------------------------------------------------------------------------------

ENTITIES = "id,name,kind,uscc\nA,Alpha Ltd,company,91350100M000100Y43\nB,Beta,person,\nC,Gamma LP,partnership,\n"
OWNERSHIP = "owner_id,owned_id,share,start,end,source\nB,A,60,2020-01-01,,x\nC,A,40,2020-01-01,2023-01-01,y\n"
CONTROL = "controller_id,controlled_id,basis,start\nB,C,general_partner,2020-01-01\n"
CONCERT = "party_a,party_b,scope_id,start\nB,C,A,2021-06-30\n"
LINKS = "source_id,target_id,link_type,start,end,source,detail\nA,C,supplier,2023-01-01,,report,steel\n"
VALID = {"entities": ENTITIES, "ownership": OWNERSHIP, "control": CONTROL, "concert": CONCERT, "links": LINKS}


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "registry"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for stem, content in files.items():
        (folder / f"{stem}.csv").write_bytes(content)
    return folder


@settings(FUZZ, max_examples=EXAMPLES["registry_random_bytes_every_file"])
@given(
    which=st.sampled_from(sorted(VALID)),
    content=st.binary(max_size=300),
)
def test_registry_random_bytes_in_any_file(tmp_path: Path, which: str, content: bytes) -> None:
    files = {k: v.encode() for k, v in VALID.items()}
    files[which] = content
    _assert_located("registry-csv", _folder(tmp_path, files))


_ENTITY_HEADER = "id,name,kind,uscc,lei,jurisdiction,founded,dissolved,registered_capital,currency,aliases"
_ENTITY_CELL = st.sampled_from([
    "", "A", "B", "Z", "Alpha", "北京示例有限公司", "company", "person", "robot", "unknown",
    "91350100M000100Y43", "91350100M000100Y44", "5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R13",
    "CN", "CN-SC", "China", "2001-05-17", "2024-02-30", "2001/05/17", "1e9", "-5", "nan", "1,000",
    "CNY", "RMB", "a|b||c", '"', '""', "\n", ",", "\x00", "\ufeff", " " * 3, "x" * 300,
])


@settings(FUZZ, max_examples=EXAMPLES["registry_near_valid_entities"])
@given(rows=st.lists(st.lists(_ENTITY_CELL, min_size=0, max_size=12), max_size=6))
def test_registry_near_valid_entity_rows(tmp_path: Path, rows: list[list[str]]) -> None:
    entities = _ENTITY_HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    files = {"entities": entities.encode(), "ownership": b"owner_id,owned_id,share\nA,B,50\n"}
    _assert_located("registry-csv", _folder(tmp_path, files))


_EDGE_CELL = st.sampled_from([
    "", "A", "B", "C", "Z", "A", "board", "general_partner", "friendship", "supplier",
    "2020-01-01", "2019-01-01", "2024-02-30", "x" * 200, '"', ",", "\n",
])


@settings(FUZZ, max_examples=EXAMPLES["registry_near_valid_edges"])
@given(
    which=st.sampled_from(["control", "concert", "links"]),
    rows=st.lists(st.lists(_EDGE_CELL, min_size=0, max_size=8), max_size=5),
)
def test_registry_near_valid_control_concert_link_rows(tmp_path: Path, which: str, rows: list[list[str]]) -> None:
    header = VALID[which].split("\n", 1)[0]
    files = {k: v.encode() for k, v in VALID.items()}
    files[which] = (header + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()
    _assert_located("registry-csv", _folder(tmp_path, files))


_JUNK = st.sampled_from([",", '"', "\n", "\r", "\r\n", "\x00", "%", ";", "\t", "\ufeff", "，", "é", "中", "\x80"])


@st.composite
def _mutated(draw: st.DrawFn, text: str, encoding: str = "utf-8") -> bytes:
    """A valid text with up to three small edits: a cut, an insertion or a replacement."""
    data = bytearray(text.encode(encoding))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "replace", "truncate"]))
        if action == "truncate":
            del data[at:]
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 12))]
        else:
            junk = draw(_JUNK).encode("utf-8", errors="surrogatepass")
            if action == "insert" or at == len(data):
                data[at:at] = junk
            else:
                data[at : at + 1] = junk
    return bytes(data)


@settings(FUZZ, max_examples=EXAMPLES["registry_mutated_folder"])
@given(which=st.sampled_from(sorted(VALID)), data=st.data())
def test_registry_mutated_folder(tmp_path: Path, which: str, data: st.DataObject) -> None:
    files = {k: v.encode() for k, v in VALID.items()}
    files[which] = data.draw(_mutated(VALID[which]))
    _assert_located("registry-csv", _folder(tmp_path, files))


# --- cn-registry ---------------------------------------------------------------------------------

CN = (
    "企业名称,统一社会信用代码,股东名称,股东类型,持股比例,认缴出资额(万元),执行事务合伙人,成立日期\n"
    "上海示例投资合伙企业（有限合伙）,91310000MA1FL5LK00,上海示例资产管理有限公司,企业法人,1%,100,"
    "上海示例资产管理有限公司(委派代表:张三),2018年3月5日\n"
    "上海示例投资合伙企业（有限合伙）,91310000MA1FL5LK00,李四,自然人,59%,5900,,2018年3月5日\n"
    "上海示例投资合伙企业（有限合伙）,91310000MA1FL5LK00,王五,自然人,40%,4000,,2018年3月5日\n"
)
_ENCODINGS = st.sampled_from([None, "utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "latin-1", "utf-16"])


@settings(FUZZ, max_examples=EXAMPLES["cn_random_bytes_any_encoding"])
@given(content=st.binary(max_size=400), encoding=_ENCODINGS)
def test_cn_random_bytes_under_any_encoding(tmp_path: Path, content: bytes, encoding: str | None) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    _assert_located("cn-registry", path, encoding=encoding)


@settings(FUZZ, max_examples=EXAMPLES["cn_mutated_file"])
@given(file_encoding=st.sampled_from(["utf-8", "gbk"]), read_as=_ENCODINGS, data=st.data())
def test_cn_mutated_file(tmp_path: Path, file_encoding: str, read_as: str | None, data: st.DataObject) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(data.draw(_mutated(CN, file_encoding)))
    _assert_located("cn-registry", path, encoding=read_as)


_CN_CELL = st.sampled_from([
    "", "甲公司", "张三", "91310000MA1FL5LK00", "91310000MA1FL5LK01", "51%", "0.5", "150", "-3", "abc", "四成",
    "4680.75万元", "万元", "1亿元", "2024年2月30日", "2018年3月5日", "自然人", "有限合伙", "企业法人", '"', ",", "\n",
    "上海示例资产管理有限公司(委派代表:张三)", "甲公司、乙公司", "x" * 300,
])


@settings(FUZZ, max_examples=EXAMPLES["cn_near_valid_rows"])
@given(rows=st.lists(st.lists(_CN_CELL, min_size=0, max_size=9), max_size=6))
def test_cn_near_valid_rows_are_located(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "export.csv"
    header = CN.split("\n", 1)[0]
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    _assert_located("cn-registry", path)
