"""The synthetic-data generator: determinism, subset stability, XSD validity, sums, references, planted defects,
calibration and the BSN range. Worlds are tiny (scale 0.05, two gemeenten, two months) to keep this fast."""

from __future__ import annotations

import io
import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from jeugdmonitor.transforms.bsn import is_valid_bsn
from lxml import etree
from openpyxl import load_workbook

from jeugdmonitor.synthetic import generate, ijw_writer
from jeugdmonitor.synthetic.defects import UNKNOWN_BRON, UNKNOWN_TEAM
from jeugdmonitor.synthetic.products import PRODUCTS
from jeugdmonitor.synthetic.regions import get_region
from jeugdmonitor.synthetic.report import ReportBuilder
from jeugdmonitor.synthetic.world import Window, region_contexts, simulate_gemeente
from tests.conftest import require_shared

RECORDS = {"Prestatie", "ToegewezenProduct", "StartProduct", "StopProduct", "AangevraagdProduct"}
# Alphen holds the region's XLSX team; Zoeterwoude is the smallest gemeente.
SMALL = dict(gemeenten=["GM0484", "GM0638"], start="2025-01", months=2, scale=0.05)


# --- fixtures and helpers ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, **SMALL)
    return out


@pytest.fixture(scope="module")
def spoilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spoilt")
    generate(out, defects=0.05, **SMALL)
    return out


def _files(root: Path, *parts: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for part in parts
        for p in sorted((root / part).rglob("*"))
        if p.is_file()
    }


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _child(el: etree._Element, path: str) -> str:
    for name in path.split("/"):
        el = next(c for c in el if _local(c) == name)
    return el.text


def _xml(root: Path, kind: str) -> list[Path]:
    return sorted(root.glob(f"ijw/*/{kind}_*.xml"))


def _expected_amount(prestatie: etree._Element) -> int:
    volume, eenheid = int(_child(prestatie, "GeleverdVolume")), _child(prestatie, "Eenheid")
    if eenheid == "83":
        return volume
    tarief = int(_child(prestatie, "ProductTarief"))
    return (volume * tarief * 2 + 60) // 120 if eenheid == "01" else volume * tarief


def _signed(prestatie: etree._Element) -> int:
    bedrag = int(_child(prestatie, "IngediendBedrag/Bedrag"))
    return bedrag if _child(prestatie, "IngediendBedrag/DebetCredit") == "D" else -bedrag


def _total(doc: etree._ElementTree) -> int:
    decl = next(c for c in doc.getroot() if _local(c) == "Declaratie")
    total = int(_child(decl, "TotaalIngediendBedrag/TotaalBedrag"))
    return total if _child(decl, "TotaalIngediendBedrag/DebetCredit") == "D" else -total


def _prestaties(doc: etree._ElementTree) -> list[etree._Element]:
    return [el for el in doc.iter() if isinstance(el.tag, str) and _local(el) == "Prestatie"]


def _toewijzingnummers(root: Path) -> set[str]:
    return {
        el.text
        for f in _xml(root, "JW301")
        if f.stat().st_size
        for el in _safe_parse(f).iter()
        if isinstance(el.tag, str) and _local(el) == "ToewijzingNummer"
    }


def _safe_parse(path: Path):
    try:
        return etree.parse(str(path))
    except (etree.XMLSyntaxError, OSError):  # the planted broken files
        return etree.ElementTree(etree.Element("empty"))


# --- determinism ---------------------------------------------------------------------------------------------------
def test_same_arguments_give_identical_bytes(spoilt, tmp_path):
    generate(tmp_path, defects=0.05, **SMALL)
    first, second = _files(spoilt, "ijw", "jgt", "cbs"), _files(tmp_path, "ijw", "jgt", "cbs")
    assert any(name.endswith(".xlsx") for name in first), "the XLSX team should be in this world"
    assert first.keys() == second.keys()
    assert [n for n in first if first[n] != second[n]] == []
    assert (spoilt / "manifest.json").read_bytes() == (tmp_path / "manifest.json").read_bytes()


def test_a_gemeente_subset_reproduces_its_files(clean, tmp_path):
    generate(tmp_path, **{**SMALL, "gemeenten": ["GM0638"]})
    subset = _files(tmp_path, "ijw", "jgt")
    whole = {
        name: data
        for name, data in _files(clean, "ijw", "jgt").items()
        if "_0638_" in name or name.startswith("jgt/ZTW_")
    }
    assert subset and subset == whole


# --- iJw content ---------------------------------------------------------------------------------------------------
def _schemas() -> dict[str, etree.XMLSchema]:
    xsd_dir = require_shared()
    return {
        k: etree.XMLSchema(etree.parse(str(xsd_dir / f"{k}.xsd")))
        for k in ("JW301", "JW305", "JW307", "JW315", "JW323")
    }


@pytest.mark.conformance
def test_every_ijw_file_validates_against_the_xsd(clean):
    schemas = _schemas()
    files = sorted((clean / "ijw").rglob("*.xml"))
    assert {f.name[:5] for f in files} == set(schemas)
    invalid = [f.name for f in files if not schemas[f.name[:5]].validate(etree.parse(str(f)))]
    assert invalid == []


@pytest.mark.conformance
def test_record_level_defects_stay_xsd_valid(spoilt):
    schemas = _schemas()
    manifest = json.loads((spoilt / "manifest.json").read_text("utf-8"))
    spoilt_files = {d["file"] for d in manifest["defects"] if d["line"] is None}
    assert len(spoilt_files) == 4
    files = [f for f in sorted((spoilt / "ijw").rglob("*.xml")) if f.relative_to(spoilt).as_posix() not in spoilt_files]
    invalid = [f.name for f in files if not schemas[f.name[:5]].validate(etree.parse(str(f)))]
    assert invalid == []


def test_jw323_amounts_and_totals_add_up(clean):
    files = _xml(clean, "JW323")
    assert files
    for f in files:
        doc = etree.parse(str(f))
        prestaties = _prestaties(doc)
        assert prestaties
        for p in prestaties:
            assert int(_child(p, "IngediendBedrag/Bedrag")) == _expected_amount(p), f.name
            assert _child(p, "ProductPeriode/Begindatum") <= _child(p, "ProductPeriode/Einddatum")
        assert _total(doc) == sum(_signed(p) for p in prestaties), f.name


def test_every_declared_toewijzing_was_assigned_in_a_jw301(clean):
    assigned = _toewijzingnummers(clean)
    declared = {_child(p, "ToewijzingNummer") for f in _xml(clean, "JW323") for p in _prestaties(etree.parse(str(f)))}
    assert declared and declared <= assigned


def test_credits_point_at_earlier_debets_of_the_same_aanbieder(tmp_path):
    generate(tmp_path, gemeenten=["GM0484"], months=4, scale=0.1)
    refs: dict[str, dict[str, str]] = defaultdict(dict)  # agb -> ReferentieNummer -> DebetCredit
    credits = []
    for f in _xml(tmp_path, "JW323"):
        agb = f.name.split("_")[1]
        for p in _prestaties(etree.parse(str(f))):
            ref = _child(p, "ProductReferentie/ReferentieNummer")
            assert ref not in refs[agb], "ReferentieNummer must be unique per aanbieder"
            refs[agb][ref] = _child(p, "IngediendBedrag/DebetCredit")
            vorig = [c for c in p.iter() if _local(c) == "VorigReferentieNummer"]
            if vorig:
                credits.append((agb, vorig[0].text))
    assert credits, "about 2 % of lines should be corrected"
    assert all(refs[agb].get(v) == "D" for agb, v in credits)


def test_a_big_declaratie_is_split_into_valid_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(ijw_writer, "MAX_BYTES", 20_000)
    generate(tmp_path, gemeenten=["GM0638"], months=1, scale=0.3)
    files = _xml(tmp_path, "JW323")
    parts = Counter(f.name.rsplit("_", 1)[1][:9] for f in files)  # C + code4 + yymm, without the part number
    assert max(parts.values()) > 1
    for f in files:
        assert f.stat().st_size < 20_000 + 4_000
        doc = etree.parse(str(f))
        assert _total(doc) == sum(_signed(p) for p in _prestaties(doc))


def test_no_bsn_outside_the_synthetic_9_range(spoilt):
    bsns = Counter()
    for f in (spoilt / "ijw").rglob("*.xml"):  # raw bytes: the broken files count too
        bsns.update(b.decode() for b in re.findall(rb"<jw3\d\d:Bsn>([^<]*)</jw3\d\d:Bsn>", f.read_bytes()))
    for f in (spoilt / "jgt").glob("*.csv"):
        text = f.read_bytes().decode("cp1252" if b"\xeb" in f.read_bytes() else "utf-8-sig")
        for line in text.splitlines()[1:]:
            bsns.update(c.strip() for c in line.split(";") if len(c.strip()) == 9 and c.strip().isdigit())
    assert bsns
    assert [b for b in bsns if not b.startswith("9")] == []
    assert sum(1 for b in bsns if is_valid_bsn(b)) > 0.9 * len(bsns)


# --- JGT exports -------------------------------------------------------------------------------------------------
def test_jgt_exports_per_team_and_month_in_rotating_encodings(clean):
    teams = [
        t.code for code in SMALL["gemeenten"] for t in get_region("holland-rijnland").select([code]).gemeenten[0].teams
    ]
    names = sorted(p.name for p in (clean / "jgt").iterdir())
    assert names == sorted(f"{t}_2025-{m:02d}.{'xlsx' if t == 'ALP-NOORD' else 'csv'}" for t in teams for m in (1, 2))
    csvs = [(clean / "jgt" / n).read_bytes() for n in names if n.endswith(".csv")]
    assert any(b.startswith(b"\xef\xbb\xbf") for b in csvs) and any(not b.startswith(b"\xef\xbb\xbf") for b in csvs)
    ws = load_workbook(clean / "jgt" / "ALP-NOORD_2025-01.xlsx").active
    assert str(ws["A1"].value).startswith("Registraties") and ws["B2"].value in ("BSN", "dossier_id")


# --- planted defects ---------------------------------------------------------------------------------------------
def test_clean_data_has_no_defects(clean):
    assert json.loads((clean / "manifest.json").read_text("utf-8"))["defects"] == []


def test_every_planted_defect_is_at_its_file_and_line(spoilt):
    defects = json.loads((spoilt / "manifest.json").read_text("utf-8"))["defects"]
    kinds = Counter(d["kind"] for d in defects)
    assert {"truncated_xml", "wrong_encoding", "xsd_invalid", "empty_file"} <= set(kinds)
    assert len(set(kinds)) >= 7, kinds
    assigned = _toewijzingnummers(spoilt)
    referenties = Counter(
        (f.name.split("_")[1], _child(p, "ProductReferentie/ReferentieNummer"))
        for f in _xml(spoilt, "JW323")
        for p in _prestaties(_safe_parse(f))
    )
    for d in defects:
        path = spoilt / d["file"]
        assert path.exists(), d
        assert "*" in d["message"] or "Bsn" not in d["message"] or d["kind"] == "xsd_invalid"
        if d["file"].startswith("jgt/"):
            _check_jgt_defect(path, d)
        else:
            _check_xml_defect(path, d, assigned, referenties)


def _check_xml_defect(path: Path, d: dict, assigned: set[str], referenties: Counter) -> None:
    kind, raw = d["kind"], path.read_bytes()
    if kind == "empty_file":
        assert raw == b""
        return
    if kind == "truncated_xml":
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(raw)
        return
    if kind == "wrong_encoding":
        assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert not raw.decode("cp1252").isascii()
        return
    doc = etree.parse(str(path))
    if kind == "xsd_invalid":
        assert any(_local(el) == "Bsn" and len(el.text) == 8 for el in doc.iter() if isinstance(el.tag, str))
        return
    at_line = [el for el in doc.iter() if isinstance(el.tag, str) and el.sourceline == d["line"]]
    assert at_line, d
    el = at_line[0]
    if kind == "total_mismatch":
        assert _local(el) == "TotaalIngediendBedrag"
        assert _total(doc) != sum(_signed(p) for p in _prestaties(doc))
        return
    assert _local(el) in RECORDS, d
    client = el.getparent().getparent()
    if kind == "invalid_bsn":
        bsn = _child(client, "Bsn")
        assert len(bsn) == 9 and bsn.startswith("9") and not is_valid_bsn(bsn)
    elif kind == "impossible_date":
        begin = _child(el, "ProductPeriode/Begindatum" if _local(el) == "Prestatie" else "Begindatum")
        eind = _child(el, "ProductPeriode/Einddatum" if _local(el) == "Prestatie" else "Einddatum")
        assert eind < begin
    elif kind == "amount_mismatch":
        assert int(_child(el, "IngediendBedrag/Bedrag")) != _expected_amount(el)
    elif kind == "unknown_code":
        assert _child(el, "ProductCode") not in PRODUCTS
    elif kind == "unknown_toewijzing":
        assert _child(el, "ToewijzingNummer") not in assigned
    elif kind == "duplicate":
        agb = path.name.split("_")[1]
        assert referenties[(agb, _child(el, "ProductReferentie/ReferentieNummer"))] == 2
    else:
        pytest.fail(f"unexpected kind {kind}")


def _jgt_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        ws = load_workbook(io.BytesIO(path.read_bytes())).active
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return [[c.strip() for c in line.split(";")] for line in text.split("\r\n")]


def _cell(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "strftime"):
        return v.strftime("%d-%m-%Y")
    return str(v).strip()


def _dmy(text: str) -> date:
    d, m, y = (int(x) for x in text.split(" ")[0].split("-"))
    return date(y, m, d)


def _check_jgt_defect(path: Path, d: dict) -> None:
    rows = _jgt_rows(path)
    header = rows[1 if path.suffix == ".xlsx" else 0]  # XLSX exports have a title row above the header
    row = rows[d["line"] - 1]
    assert d["key"].split("registratienummer=")[1] in row
    col = {name: i for i, name in enumerate(header)}
    aanmeld = col.get("Datum aanmelding", col.get("aanmelddatum"))
    start = col.get("Datum start hulp", col.get("startdatum_hulp"))
    if d["kind"] == "invalid_bsn":
        assert any(len(c) == 9 and c.isdigit() and c.startswith("9") and not is_valid_bsn(c) for c in row)
    elif d["kind"] == "impossible_date":
        assert row[aanmeld].startswith("31-02-") or _dmy(row[start]) < _dmy(row[aanmeld])
    elif d["kind"] == "unknown_code":
        assert UNKNOWN_TEAM in row or UNKNOWN_BRON in row
    elif d["kind"] == "duplicate":
        assert rows[d["line"] - 2] == row
    else:
        pytest.fail(f"unexpected kind {d['kind']}")


# --- calibration -------------------------------------------------------------------------------------------------
def test_holland_rijnland_year_rates_are_plausible():
    """The world behind the report, for a whole region and year at scale 0.2; writing is left out to stay fast
    (the report's rates come from the same ReportBuilder.add_world that generate() uses)."""
    region = get_region("holland-rijnland")
    contexts, window, builder = region_contexts(region), Window.parse("2025-01", 12), ReportBuilder()
    for g in region.gemeenten:
        builder.add_world(simulate_gemeente(g, contexts[g.code], window, 20250101, 0.2))
    rates = builder.finish(
        region="holland-rijnland",
        gemeenten=13,
        start="2025-01",
        months=12,
        seed=20250101,
        scale=0.2,
        defect_share=0.0,
        cbs_files=0,
    ).rates
    assert 1 / 10 <= rates["jeugdhulp_share"] <= 1 / 7
    assert 0.06 <= rates["verblijf_share_of_jeugdhulp"] <= 0.15
    assert 0.006 <= rates["ots_share"] <= 0.015
    assert 60 <= rates["jgt_aanmeldingen_per_1000"] <= 90
    assert 14 <= rates["doorlooptijd_median_days"] <= 30
    assert 30 <= rates["doorlooptijd_p80_days"] <= 70
    assert 0.12 <= rates["verwijspercentage_team_min"] < rates["verwijspercentage_team_max"] <= 0.6


def test_cbs_counts_cover_every_period_the_window_touches(tmp_path, monkeypatch):
    import jeugdmonitor.synthetic.cbs_writer as cbs_writer

    seen = {}

    def fake_write(out_dir, *, region, counts, first_month, months, seed, page_size):
        seen.update(region=region, counts=counts, first_month=first_month, months=months)
        return 0

    monkeypatch.setattr(cbs_writer, "write_cbs_tree", fake_write)
    generate(tmp_path, gemeenten=["GM0638"], start="2025-06", months=2, scale=0.05)
    counts = seen["counts"]
    assert [g.code for g in seen["region"].gemeenten] == ["GM0638"]
    assert list(counts.columns) == ["gemeentecode", "periode", "measure", "value"]
    assert sorted(set(counts["periode"])) == ["2025HJ01", "2025HJ02", "2025JJ00"]
    assert counts["value"].dtype.kind == "i" and (counts["value"] >= 0).all()
    by = counts.set_index(["periode", "measure"])["value"]
    assert by[("2025JJ00", "jeugdhulp")] >= by[("2025HJ01", "jeugdhulp")] > 0
    assert by[("2025JJ00", "jeugdhulp")] >= by[("2025JJ00", "jeugdhulp_met_verblijf")]
