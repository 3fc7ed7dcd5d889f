"""The synthetic CBS StatLine tree: paging, padding, rounding, suppression, status, determinism, revision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from jeugdmonitor.synthetic.cbs_writer import MEASURES, make_revision, write_cbs_tree
from jeugdmonitor.synthetic.regions import holland_rijnland

BASE = "https://opendata.cbs.nl"
PAGE = 100
PERIODS = ["2023HJ01", "2023HJ02", "2023JJ00", "2024HJ01", "2024HJ02", "2024JJ00"]
SIZE = {"GM0546": 1000, "GM0547": 300, "GM0638": 40}  # Leiden, Leiderdorp, Zoeterwoude
SHARE = {
    "jeugdhulp": 1.0,
    "jeugdhulp_zonder_verblijf": 0.85,
    "jeugdhulp_met_verblijf": 0.12,
    "pleegzorg": 0.06,
    "gezinsgericht": 0.03,
    "gesloten": 0.01,
    "overig_verblijf": 0.03,
    "ots": 0.06,
    "voogdij": 0.02,
    "jeugdreclassering": 0.015,
    "ots_begonnen": 0.02,
    "ots_beeindigd": 0.018,
}
# Cells that pin the rounding and suppression rules: 9 is hidden, 10 stays, 12 rounds down, 13 rounds up.
EDGES = {
    ("GM0638", "jeugdhulp_met_verblijf", period): value
    for period, value in {"2024HJ02": 9, "2024HJ01": 10, "2023HJ02": 12, "2023HJ01": 13}.items()
}


@pytest.fixture(scope="module")
def region():
    return holland_rijnland().select(list(SIZE))


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    rows = []
    for code, size in SIZE.items():
        for i, period in enumerate(PERIODS):
            for measure in sorted(MEASURES):
                value = EDGES.get((code, measure, period), int(size * SHARE[measure] * (1 + 0.03 * i)))
                rows.append({"gemeentecode": code, "periode": period, "measure": measure, "value": value})
    return pd.DataFrame(rows)


def _write(out: Path, region, counts, page_size: int = PAGE) -> int:
    return write_cbs_tree(
        out, region=region, counts=counts, first_month="2023-01", months=24, seed=11, page_size=page_size, base_url=BASE
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory, region, counts) -> Path:
    out = tmp_path_factory.mktemp("cbs")
    _write(out, region, counts)
    return out


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _feed(tree: Path, table_id: str) -> Path:
    return tree / "ODataFeed" / "odata" / table_id


def _entity(tree: Path, table_id: str, name: str) -> list[dict]:
    return _load(_feed(tree, table_id) / f"{name}.json")["value"]


def _rows(tree: Path, table_id: str, page_size: int = PAGE) -> tuple[list[dict], int]:
    """Follow odata.nextLink from the first page, mapping each link back onto a file; (rows, pages read)."""
    typed = _feed(tree, table_id) / "TypedDataSet"
    rows, page, pages = [], _load(typed / "page-00000.json"), 1
    while True:
        metadata = f"/ODataFeed/odata/{table_id}/$metadata#Cbs.OData.WebAPI.TypedDataSet"
        assert page["odata.metadata"] == BASE + metadata
        rows += page["value"]
        link = page.get("odata.nextLink")
        if link is None:
            return rows, pages
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == BASE
        assert parts.path == f"/ODataFeed/odata/{table_id}/TypedDataSet"
        query = parse_qs(parts.query)
        assert query["$format"] == ["json"]
        skip = int(query["$skip"][0])
        assert skip % page_size == 0 and skip == len(rows)
        page, pages = _load(typed / f"page-{skip // page_size:05d}.json"), pages + 1


def _key_by_title(entries: list[dict], title: str) -> str:
    return next(e["Key"] for e in entries if e["Title"] == title)


def _table_ids(tree: Path) -> list[str]:
    return sorted(p.name for p in (tree / "ODataFeed" / "odata").iterdir())


def test_tables_and_catalog(tree):
    ids = _table_ids(tree)
    assert {"85099NED", "82975NED", "03759ned", "85755NED", "86059NED"} <= set(ids)
    catalog = {r["Identifier"]: r for r in _load(tree / "ODataCatalog" / "Tables.json")["value"]}
    assert catalog["84134NED"]["Frequency"] == "Stopgezet"
    assert catalog["86059NED"]["Title"] == "Gebieden in Nederland 2025"
    for tid in ids:
        info = _entity(tree, tid, "TableInfos")[0]
        assert catalog[tid]["Modified"] == info["Modified"]
        count = int((_feed(tree, tid) / "TypedDataSet" / "$count.json").read_text())
        assert catalog[tid]["RecordCount"] == count
        names = {e["name"] for e in _load(_feed(tree, tid) / "index.json")["value"]}
        assert {"TableInfos", "TypedDataSet", "DataProperties", "CategoryGroups", "RegioS"} <= names


def test_page_chain_returns_count_rows_once(tree):
    for tid in _table_ids(tree):
        typed = _feed(tree, tid) / "TypedDataSet"
        count = int((typed / "$count.json").read_text())
        rows, pages = _rows(tree, tid)
        assert [r["ID"] for r in rows] == list(range(count)), tid
        assert pages == len(list(typed.glob("page-*.json")))
    assert _rows(tree, "85099NED")[1] > 1  # the chain was really exercised


def test_rewrite_with_larger_pages_leaves_no_stale_pages(tmp_path, region, counts):
    _write(tmp_path, region, counts, page_size=PAGE)
    _write(tmp_path, region, counts, page_size=10_000)
    rows, pages = _rows(tmp_path, "85099NED", page_size=10_000)
    assert pages == 1 == len(list((_feed(tmp_path, "85099NED") / "TypedDataSet").glob("page-*.json")))
    assert len(rows) == int((_feed(tmp_path, "85099NED") / "TypedDataSet" / "$count.json").read_text())


def test_keys_are_padded_to_the_dimension_width(tree):
    regio = [e["Key"] for e in _entity(tree, "85099NED", "RegioS")]
    assert {len(k) for k in regio} == {6} and "NL01  " in regio and "JZ18  " in regio
    assert {k.strip() for k in regio} == {"NL01", "PV28", "JZ18", "GM0546", "GM0547", "GM0638", "GM0576"}
    assert {r["RegioS"] for r in _rows(tree, "85099NED")[0]} == set(regio)
    ages = [e["Key"] for e in _entity(tree, "03759ned", "Leeftijd")]
    assert "10000  " in ages and {len(k) for k in ages} == {7}
    sexes = {e["Title"]: e["Key"] for e in _entity(tree, "03759ned", "Geslacht")}
    assert sexes["Totaal mannen en vrouwen"] == "T001038" and sexes["Mannen"] == "3000   "
    assert sexes["Mannen"].strip() == "3000"


def test_counts_rounded_to_5_and_small_cells_suppressed(tree, region, counts):
    rows, _ = _rows(tree, "85099NED")
    vormen = _entity(tree, "85099NED", "VormenVanJeugdzorg")
    met_verblijf = _key_by_title(vormen, "JH 122 Totaal jeugdhulp met verblijf")
    assert _key_by_title(vormen, "JB 11 Totaal ondertoezichtstelling")
    for row in rows:
        for col in ("JongerenMetJeugdzorg_1", "Jeugdzorgtrajecten_3"):
            assert row[col] is None or (row[col] % 5 == 0 and row[col] >= 10)
        if row["JongerenMetJeugdzorg_1"] is None:
            assert row["JongerenMetJeugdzorgRelatief_2"] is None
        if row["RegioS"].strip() == "GM0576":  # the gemeente that no longer exists
            assert row["JongerenMetJeugdzorg_1"] is None
    cell = {(r["VormenVanJeugdzorg"], r["RegioS"].strip(), r["Perioden"]): r for r in rows}
    published = {
        p: cell[(met_verblijf, "GM0638", p)]["JongerenMetJeugdzorg_1"]
        for p in ("2024HJ02", "2024HJ01", "2023HJ02", "2023HJ01")
    }
    assert published == {"2024HJ02": None, "2024HJ01": 10, "2023HJ02": 10, "2023HJ01": 15}
    # Aggregates come from unrounded parts: JZ is the rounded sum, NL/PV hold more than the region.
    jeugdhulp = _key_by_title(vormen, "JH 1 Totaal jeugdhulp")
    raw = counts[(counts.measure == "jeugdhulp") & (counts.periode == "2024HJ01")]["value"]
    jz = cell[(jeugdhulp, "JZ18", "2024HJ01")]["JongerenMetJeugdzorg_1"]
    assert jz == 5 * round(raw.sum() / 5)
    assert cell[(jeugdhulp, "NL01", "2024HJ01")]["JongerenMetJeugdzorg_1"] > jz
    assert cell[(jeugdhulp, "PV28", "2024HJ01")]["JongerenMetJeugdzorg_1"] > jz


def test_perioden_status(tree):
    for tid in ("85099NED", "82975NED"):
        status = {e["Key"]: (e["Status"], e["Title"]) for e in _entity(tree, tid, "Perioden")}
        assert status == {
            "2023HJ01": ("Definitief", "1e halfjaar 2023"),
            "2023HJ02": ("Definitief", "2e halfjaar 2023"),
            "2023JJ00": ("Definitief", "2023"),
            "2024HJ01": ("Nader voorlopig", "1e halfjaar 2024**"),
            "2024HJ02": ("Voorlopig", "2e halfjaar 2024*"),
            "2024JJ00": ("Voorlopig", "2024*"),
        }
    assert {e["Status"] for e in _entity(tree, "03759ned", "Perioden")} <= {"Definitief", "Voorlopig"}


def test_output_is_byte_identical(tmp_path, region, counts, tree):
    n = _write(tmp_path, region, counts)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert n == len(files)
    assert files == sorted(p.relative_to(tree) for p in tree.rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / rel).read_bytes() == (tree / rel).read_bytes(), rel


def test_relatief_is_count_over_youth_population(tree, counts):
    vormen = _entity(tree, "85099NED", "VormenVanJeugdzorg")
    jeugdhulp = _key_by_title(vormen, "JH 1 Totaal jeugdhulp")
    sex = _key_by_title(_entity(tree, "03759ned", "Geslacht"), "Totaal mannen en vrouwen")
    age = _key_by_title(_entity(tree, "03759ned", "Leeftijd"), "0 tot 18 jaar")
    pop = {
        (r["RegioS"].strip(), r["Perioden"][:4]): r["BevolkingOp1Januari_1"]
        for r in _rows(tree, "03759ned")[0]
        if r["Geslacht"] == sex and r["Leeftijd"] == age
    }
    raw = {(r.gemeentecode, r.periode): r.value for r in counts[counts.measure == "jeugdhulp"].itertuples()}
    checked = 0
    for row in _rows(tree, "85099NED")[0]:
        code = row["RegioS"].strip()
        if row["VormenVanJeugdzorg"] != jeugdhulp or (code, row["Perioden"]) not in raw:
            continue
        value = raw[(code, row["Perioden"])]
        expected = round(value / pop[(code, row["Perioden"][:4])] * 100, 1) if value >= 10 else None
        assert row["JongerenMetJeugdzorgRelatief_2"] == expected
        checked += 1
    assert checked == len(SIZE) * len(PERIODS)


def test_make_revision_changes_modified_status_and_values(tmp_path, tree):
    shutil.copytree(tree, tmp_path / "a")
    shutil.copytree(tree, tmp_path / "b")
    before_rows = {r["ID"]: r for r in _rows(tree, "85099NED")[0]}
    change = make_revision(tmp_path / "a", "85099NED", seed=3)
    assert change == make_revision(tmp_path / "b", "85099NED", seed=3)  # deterministic

    info = _entity(tmp_path / "a", "85099NED", "TableInfos")[0]
    assert info["Modified"] == change["modified"]["after"] > change["modified"]["before"]
    catalog = {r["Identifier"]: r for r in _load(tmp_path / "a" / "ODataCatalog" / "Tables.json")["value"]}
    assert catalog["85099NED"]["Modified"] == info["Modified"]
    status = {e["Key"]: e["Status"] for e in _entity(tmp_path / "a", "85099NED", "Perioden")}
    assert status["2024HJ02"] == "Nader voorlopig" and status["2024HJ01"] == "Definitief"

    after_rows = {r["ID"]: r for r in _rows(tmp_path / "a", "85099NED")[0]}
    assert len(after_rows) == len(before_rows)
    counts_changed = [c for c in change["changed"] if c["column"] == "JongerenMetJeugdzorg_1"]
    assert counts_changed and all(c["key"]["Perioden"] in {"2024HJ02", "2024JJ00"} for c in counts_changed)
    for c in change["changed"]:
        before, after = before_rows[c["ID"]][c["column"]], after_rows[c["ID"]][c["column"]]
        assert before == c["before"] != c["after"] == after
    assert all(c["after"] % 5 == 0 for c in counts_changed)
    assert change["nulled"]
    for c in change["nulled"]:
        assert c["before"] is not None and after_rows[c["ID"]][c["column"]] is None
    untouched = set(before_rows) - {c["ID"] for c in change["changed"] + change["nulled"]}
    assert all(before_rows[i] == after_rows[i] for i in untouched)


def test_rejects_what_the_tables_cannot_place(tmp_path, region, counts):
    with pytest.raises(ValueError, match="outside region"):
        _write(tmp_path, region, pd.concat([counts, counts.head(1).assign(gemeentecode="GM0363")]))
    with pytest.raises(ValueError, match="unknown measure"):
        _write(tmp_path, region, counts.assign(measure="wachttijd"))
    with pytest.raises(ValueError, match="more than one value"):
        _write(tmp_path, region, pd.concat([counts, counts.head(1)]))
