"""The monitor flow on a generated two-gemeente world, CBS included: every mart is filled for every gemeente and
month, the figures agree with a second computation made here straight from the generated files (plain lxml and
json, none of the pipeline's code), and SQLite and PostgreSQL give identical marts."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas import PRODUCTCODES
from jeugdmonitor.schemas.jgt_layouts import load_region_tables
from jeugdmonitor.schemas.marts import MARTS
from jeugdmonitor.transforms.marts.inputs import Params, Window
from lxml import etree
from sqlalchemy import text

from jeugdmonitor.config import load_settings
from jeugdmonitor.marts.build import build_gemeente
from jeugdmonitor.marts.inputs import read_inputs_many
from jeugdmonitor.marts.scope import as_date
from jeugdmonitor.synthetic import generate
from jeugdmonitor.synthetic.cbs_server import serving
from jeugdmonitor.warehouse import make_engine
from tests.conftest import require_postgres
from tests.flows.test_monitor_flow import write_config
from tests.suppression_audit import AUDITS, leaks

GEMEENTEN = ("GM0638", "GM0547")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("marts-world")
    generate(root / "inbox", gemeenten=list(GEMEENTEN), start="2025-01", months=6, scale=0.5, defects=0.0)
    return root


def config_for(world: Path, url: str) -> Path:
    config = write_config(world, url, gemeenten=GEMEENTEN)
    demo = (ROOT / "jeugdmonitor.toml").read_text(encoding="utf-8")
    cbs = demo[demo.index("[cbs]") : demo.index("[marts]")]
    # threshold 1: the raw figures, to compare with the second computation
    body = (
        config.read_text(encoding="utf-8")
        .replace("create_key_file = true", "create_key_file = true\nsuppression_threshold = 1")
        .replace('naam = "Testregio"', 'naam = "Testregio"\njeugdregio = "JZ18"')
    )
    config.write_text(f"{body}\n{cbs}", encoding="utf-8")
    return config


def run_monitor(config: Path):
    """The monitor flow with the demo config's CBS (the fixture tree), served as `jeugdmonitor run` does."""
    with serving(load_settings(config)):
        return monitor(str(config))


def marts(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in MARTS:
            columns = [c.name for c in table.columns if c.name != "bijgewerkt_op"]
            rows = conn.execute(text(f"select {', '.join(columns)} from {table.name}")).all()
            out[table.name] = sorted(({c: _plain(v) for c, v in zip(columns, r, strict=True)} for r in rows), key=repr)
    engine.dispose()
    return out


def _plain(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    return value.isoformat()[:10] if hasattr(value, "isoformat") else value


@pytest.fixture(scope="module")
def loaded(world, tmp_path_factory) -> dict[str, dict]:
    """The marts after the monitor flow ran on the world, per backend."""
    results = {}
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'wh.sqlite'}"
    run_monitor(config_for(world, url))
    results["sqlite"] = {"url": url, "marts": marts(url)}
    return results


def test_every_mart_is_filled_for_every_gemeente_and_month(loaded):
    url = loaded["sqlite"]["url"]
    engine = make_engine(url)
    with engine.connect() as conn:
        months = [_plain(m) for (m,) in conn.execute(text("select maand from dim_periode order by maand"))]
        assert months[0] == "2025-01-01" and len(months) >= 6
        for table in MARTS:
            column = "maand" if "maand" in table.c else "periode_start"
            where = "" if column == "maand" else " and periode_type <> 'maand'"
            found = {
                (g, _plain(m))
                for g, m in conn.execute(
                    text(f"select distinct gemeentecode, {column} from {table.name} where 1=1{where}")
                )
            }
            if column == "maand":
                missing = {(g, m) for g in GEMEENTEN for m in months} - found
            else:
                missing = {(g, s) for g in GEMEENTEN for s in ("2025-01-01", "2025-07-01") if s <= months[-1]} - found
            assert not missing, (table.name, sorted(missing)[:5])
    engine.dispose()


# -- the second computation, from the files ----------------------------------------------------------------


def local(tag) -> str:
    return etree.QName(tag).localname


def messages(world: Path, code: str):
    """(header, client bsn, product fields) for every product element of every `code` file, in file order."""
    product = {
        "JW301": "ToegewezenProduct",
        "JW305": "StartProduct",
        "JW307": "StopProduct",
        "JW315": "AangevraagdProduct",
        "JW323": "Prestatie",
    }[code]
    for path in sorted((world / "inbox" / "ijw").rglob(f"{code}_*.xml")):
        tree = etree.parse(str(path))
        header = {local(e.tag): (e.text or "").strip() for e in tree.getroot()[0].iter() if len(e) == 0}
        for element in tree.iter(f"{{*}}{product}"):
            client = element.getparent()
            while local(client.tag) != "Client":
                client = client.getparent()
            bsn = next(c.text for c in client if local(c.tag) == "Bsn")
            fields = {}
            for e in element.iter():
                if len(e) == 0:
                    fields.setdefault(local(e.tag), (e.text or "").strip())
            yield header, bsn, fields, (path.name, element.sourceline)


def expected_kosten(world: Path) -> dict[tuple[str, str], float]:
    total: dict[tuple[str, str], float] = defaultdict(float)
    for header, _, f, _ in messages(world, "JW323"):
        sign = -1 if f["DebetCredit"] == "C" else 1
        total[("GM" + header["Ontvanger"], f["Begindatum"][:7] + "-01")] += sign * int(f["Bedrag"]) / 100
    return total


def expected_verwijzingen(world: Path) -> dict[tuple[str, str, str], int]:
    verzoeken = {}
    for header, _, f, where in messages(world, "JW315"):
        verzoeken[(header["Afzender"], f["ReferentieAanbieder"])] = max(
            verzoeken.get((header["Afzender"], f["ReferentieAanbieder"]), ("", ("", 0), "")),
            (header["Dagtekening"], where, f["Type"]),
        )
    versions = defaultdict(list)
    for header, _, f, where in messages(world, "JW301"):
        versions[("GM" + header["Afzender"], f["ToewijzingNummer"])].append(
            (header["Dagtekening"], where, f, header["Ontvanger"])
        )
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for (gemeente, _), rows in versions.items():
        latest = max(rows, key=lambda r: (r[0], r[1]))
        if latest[2].get("RedenWijziging") == "13":
            continue
        first = min(r[2]["Toewijzingsdatum"] for r in rows)
        verzoek = verzoeken.get((latest[3], latest[2].get("ReferentieAanbieder", "")))
        counts[(gemeente, first[:7] + "-01", verzoek[2] if verzoek else "01")] += 1
    return counts


def expected_jeugdhulp(world: Path) -> dict[tuple[str, str], int]:
    with PRODUCTCODES.open(encoding="utf-8") as handle:
        klasse = {r["product_code"]: r["klasse"] for r in csv.DictReader(handle)}
    jeugdhulp = {"zonder_verblijf", "pleegzorg", "gezinsgericht", "gesloten", "overig_verblijf"}

    def key(header, bsn, f):
        return (
            "GM" + header["Ontvanger"],
            header["Afzender"],
            bsn,
            f.get("ToewijzingNummer"),
            f.get("Code"),
            f["Begindatum"],
        )

    starts = {}
    for header, bsn, f, where in messages(world, "JW305"):
        k = key(header, bsn, f)
        if k not in starts or (header["Dagtekening"], where) >= starts[k][0]:
            starts[k] = ((header["Dagtekening"], where), f["StatusAanlevering"])
    stops = {}
    for header, bsn, f, where in messages(world, "JW307"):
        k = (key(header, bsn, f), f["RedenBeeindiging"], f["Einddatum"])
        if k not in stops or (header["Dagtekening"], where) >= stops[k][0]:
            stops[k] = ((header["Dagtekening"], where), f["StatusAanlevering"])
    ends = defaultdict(list)
    for (start, reden, einde), (_, status) in stops.items():
        if status == "1":
            ends[start].append((reden != "20", einde, reden))
    youths: dict[tuple[str, str], set[str]] = defaultdict(set)
    halves = {"2025HJ01": ("2025-01-01", "2025-06-30"), "2025HJ02": ("2025-07-01", "2025-12-31")}
    for start, (_, status) in starts.items():
        if status != "1" or klasse.get(start[4]) not in jeugdhulp:
            continue
        stop = max(ends[start]) if ends[start] else None
        for code, (first, last) in halves.items():
            open_ended = stop is None or stop[2] == "20"
            if start[5] <= last and (open_ended or stop[1] >= first):
                youths[(start[0], code)].add(start[2])
    return {k: len(v) for k, v in youths.items()}


def test_kosten_agree_with_the_declarations(loaded, world):
    rows = {
        (r["gemeentecode"], r["maand"]): r["netto_bedrag"]
        for r in loaded["sqlite"]["marts"]["mart_kosten"]
        if r["product_categorie"] == "totaal"
    }
    expected = expected_kosten(world)
    assert expected and all(abs(rows[k] - v) < 0.005 for k, v in expected.items() if k in rows)
    assert {k for k in expected} <= set(rows), "every declared month is in the mart"


def test_verwijzingen_agree_with_jw301_and_jw315(loaded, world):
    rows = {
        (r["gemeentecode"], r["maand"], r["verwijzer_type"]): r["nieuwe_toewijzingen"]
        for r in loaded["sqlite"]["marts"]["mart_verwijzingen"]
        if r["verwijzer_type"] != "totaal"
    }
    months = {m for _, m, _ in rows}
    expected = {k: v for k, v in expected_verwijzingen(world).items() if k[1] in months}
    assert sum(expected.values()) > 50
    assert {k: v for k, v in rows.items() if v} == expected


def test_jeugdhulpgebruik_agrees_with_the_starts_and_stops(loaded, world):
    got = {
        (r["gemeentecode"], r["periode"]): r["jeugdigen_met_jeugdhulp"]
        for r in loaded["sqlite"]["marts"]["mart_jeugdhulpgebruik"]
        if r["periode_type"] == "halfjaar"
    }
    expected = {k: v for k, v in expected_jeugdhulp(world).items() if k in got}  # half-years the data reaches
    assert len(expected) == len(got) >= 2
    assert got == expected
    assert all(v > 20 for v in expected.values())


def test_cbs_figures_are_the_published_ones(loaded, world):
    feed = world / "inbox" / "cbs" / "ODataFeed" / "odata" / "85099NED"
    vormen = json.loads((feed / "VormenVanJeugdzorg.json").read_text(encoding="utf-8"))["value"]
    key = next(v["Key"] for v in vormen if v["Title"] == "JH 1 Totaal jeugdhulp")
    published = {}
    for page in sorted((feed / "TypedDataSet").glob("page-*.json")):
        for r in json.loads(page.read_text(encoding="utf-8"))["value"]:
            if r["VormenVanJeugdzorg"].strip() == key and r["RegioS"].strip() in GEMEENTEN:
                published[(r["RegioS"].strip(), r["Perioden"])] = r["JongerenMetJeugdzorg_1"]
    got = {
        (r["gemeentecode"], r["periode"]): r["cbs_jongeren_met_jeugdhulp"]
        for r in loaded["sqlite"]["marts"]["mart_jeugdhulpgebruik"]
    }
    assert published and {k: got[k] for k in published if k in got} == {k: v for k, v in published.items() if k in got}
    assert any(k in got for k in published)


def test_postgresql_gives_the_same_marts(loaded, world, request):
    require_postgres()
    url = request.getfixturevalue("pg_url")
    run_monitor(config_for(world, url))
    assert marts(url) == loaded["sqlite"]["marts"]


def test_a_second_run_changes_no_mart(loaded, world):
    before = loaded["sqlite"]["marts"]
    run_monitor(config_for(world, loaded["sqlite"]["url"]))
    assert marts(loaded["sqlite"]["url"]) == before
    assert date.fromisoformat(min(r["maand"] for r in before["mart_aanmeldingen"])) == date(2025, 1, 1)


# -- suppression across periods and breakdowns: the attack, on the generated world -------------------------------


@pytest.fixture(scope="module")
def suppressed(loaded) -> dict[bool, dict[str, list]]:
    """Each gemeente's marts at the default threshold (10), built from the loaded warehouse's facts, with the
    period directions (True) and without them (False)."""
    engine = make_engine(loaded["sqlite"]["url"])
    teams = load_region_tables().teams
    with engine.connect() as conn:
        first, last = conn.execute(text("select min(maand), max(maand) from dim_periode")).one()
        inputs = read_inputs_many(
            conn, list(GEMEENTEN), {g: [t for t, (_, tg) in teams.items() if tg == g] for g in GEMEENTEN}
        )
    engine.dispose()
    window = Window(as_date(first), as_date(last))
    return {
        on: {g: build_gemeente(inputs[g], window, Params(), 10, period_directions=on) for g in GEMEENTEN}
        for on in (True, False)
    }


def audit(built: dict[str, list]) -> list[str]:
    return [
        leak
        for marts in built.values()
        for spec, rows in marts
        if spec.name in AUDITS
        for leak in leaks(spec.name, rows)
    ]


def test_no_hidden_cell_is_recovered_from_published_ones_across_periods_and_breakdowns(suppressed):
    built = suppressed[True]
    hidden = sum(int(rows["onderdrukt"].sum()) for marts in built.values() for _, rows in marts)
    kinds = {k for marts in built.values() for _, rows in marts if "periode_type" in rows for k in rows["periode_type"]}
    assert hidden > 100 and {"maand", "kwartaal", "jaar"} <= kinds
    assert audit(built) == []


def test_the_audit_finds_the_leaks_the_period_directions_close(suppressed):
    # without them the months are protected only across teams and verwijzers: a quarter or year gives one away
    # (the stock relation is shown on a hand frame in tests/transforms/test_suppression.py)
    found = audit(suppressed[False])
    assert any("total - published parts" in leak for leak in found)
