"""Loading CBS StatLine tables through the fixture server: first load, no-op rerun, revisions, CBS down, resume,
crash mid-load, quarantine, title mapping. Every test runs on SQLite and PostgreSQL; none touches the internet."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from jeugdmonitor.schemas.warehouse import (
    meta_cbs_revisie,
    meta_cbs_table,
    meta_quarantine,
    meta_source_file,
    meta_validation_result,
    stg_cbs_categorie,
    stg_cbs_waarneming,
)
from sqlalchemy import func, select, text

from jeugdmonitor import meta
from jeugdmonitor.cbs import ingest as ingest_cbs
from jeugdmonitor.cbs.client import make_client
from jeugdmonitor.config import CbsTableConfig, load_settings
from jeugdmonitor.synthetic.cbs_server import Fault, FixtureServer
from jeugdmonitor.synthetic.cbs_writer import make_revision, write_cbs_tree
from jeugdmonitor.synthetic.regions import holland_rijnland

ROOT = Path(__file__).resolve().parents[1]
GEMEENTEN = ["GM0546", "GM0547", "GM0638"]
PERIODS = ["2024HJ01", "2024HJ02", "2024JJ00"]
FEED = "ODataFeed/odata"


@pytest.fixture(scope="module")
def pristine_tree(tmp_path_factory) -> Path:
    region = holland_rijnland().select(GEMEENTEN)
    counts = pd.DataFrame(
        [
            {"gemeentecode": g, "periode": p, "measure": m, "value": 40 + 15 * i + 5 * j}
            for i, g in enumerate(GEMEENTEN)
            for j, p in enumerate(PERIODS)
            for m in ("jeugdhulp", "jeugdhulp_met_verblijf", "ots", "voogdij", "ots_begonnen", "ots_beeindigd")
        ]
    )
    out = tmp_path_factory.mktemp("cbs-tree")
    write_cbs_tree(out, region=region, counts=counts, first_month="2024-01", months=12, seed=7, page_size=25)
    return out


@pytest.fixture
def tree(pristine_tree, tmp_path) -> Path:
    copy = tmp_path / "cbs"
    shutil.copytree(pristine_tree, copy)
    return copy


@pytest.fixture
def server(tree):
    with FixtureServer(tree, page_size=40) as running:
        yield running


@pytest.fixture
def client(server):
    c = make_client(server.url, api="v3", timeout=5, retries=2, backoff=0.01)
    yield c
    c.close()


@pytest.fixture
def options(tmp_path) -> ingest_cbs.CbsOptions:
    settings = load_settings(ROOT / "jeugdmonitor.toml", environ={})
    return ingest_cbs.CbsOptions(
        tables=settings.cbs.tables,
        regions=frozenset({*GEMEENTEN, "JZ18", "NL01"}),
        herindeling={"GM0576": "GM0575"},
        api="v3",
        fetch_root=tmp_path / "fetch",
    )


def run(warehouse, client, options) -> dict[str, ingest_cbs.TableOutcome]:
    run_id = meta.start_run(warehouse, "test")
    outcomes = ingest_cbs.refresh(warehouse, run_id, client, options)
    meta.finish_run(warehouse, run_id, [o.result for o in outcomes if o.result])
    return {o.table_id: o for o in outcomes}


def rows(warehouse, table, *where) -> list[dict]:
    with warehouse.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).where(*where)).mappings()]


def count(warehouse, table) -> int:
    with warehouse.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def typed_rows(tree: Path, table_id: str) -> list[dict]:
    """The table's TypedDataSet straight from the files, as a second source of truth."""
    out = []
    for page in sorted((tree / FEED / table_id / "TypedDataSet").glob("page-*.json")):
        out += json.loads(page.read_text(encoding="utf-8"))["value"]
    return out


def test_first_load_has_every_requested_cell_with_period_status(warehouse, client, tree, options):
    outcomes = run(warehouse, client, options)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    assert {"85099NED", "82975NED", "03759ned"} <= set(outcomes)
    gebieden = [t for t, o in outcomes.items() if o.purpose == "gebieden"]
    assert gebieden, "the Gebieden tables are found in the catalog by title"

    expected = {
        (r["RegioS"].strip(), r["Perioden"], r["VormenVanJeugdzorg"].strip()): r["JongerenMetJeugdzorg_1"]
        for r in typed_rows(tree, "85099NED")
        if r["RegioS"].strip() in options.regions
    }
    loaded = {
        (r["regio_code"], r["periode"], r["dimensions"].removeprefix("VormenVanJeugdzorg=")): r["value"]
        for r in rows(
            warehouse,
            stg_cbs_waarneming,
            stg_cbs_waarneming.c.table_id == "85099NED",
            stg_cbs_waarneming.c.measure == "JongerenMetJeugdzorg_1",
        )
    }
    assert loaded == expected
    assert "PV28" not in {k[0] for k in loaded}, "only the region, its jeugdregio and NL01 are fetched"

    perioden = json.loads((tree / FEED / "85099NED" / "Perioden.json").read_text(encoding="utf-8"))["value"]
    stored = {
        r["periode"]: r["period_status"]
        for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    }
    assert stored == {p["Key"]: p["Status"] for p in perioden}
    titles = {r["title"] for r in rows(warehouse, stg_cbs_categorie, stg_cbs_categorie.c.table_id == "85099NED")}
    assert "JB 11 Totaal ondertoezichtstelling" in titles

    bevolking = rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "03759ned")
    assert {r["dimensions"].split(";")[1] for r in bevolking} == {"Geslacht=T001038"}, "selected by Title"
    jeugdregio = {
        r["value_text"]
        for r in rows(
            warehouse,
            stg_cbs_waarneming,
            stg_cbs_waarneming.c.table_id.in_(gebieden),
            stg_cbs_waarneming.c.regio_code == "GM0546",
        )
    }
    assert "JZ18" in jeugdregio

    state = {r["table_id"]: r for r in rows(warehouse, meta_cbs_table)}
    info = json.loads((tree / FEED / "85099NED" / "TableInfos.json").read_text(encoding="utf-8"))["value"][0]
    assert state["85099NED"]["modified"] == info["Modified"]
    assert state["85099NED"]["row_count"] == len(
        rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    )
    assert not (options.fetch_root / "85099NED").exists() or not any((options.fetch_root / "85099NED").iterdir())


def test_rerun_with_unchanged_catalog_only_checks_metadata(warehouse, client, server, options):
    run(warehouse, client, options)
    before = (count(warehouse, stg_cbs_waarneming), count(warehouse, meta_source_file))
    server.clear_requests()
    outcomes = run(warehouse, client, options)
    assert {o.status for o in outcomes.values()} == {"unchanged"}
    assert not [r for r in server.requests if "TypedDataSet" in r], "no data requests beyond the metadata check"
    assert (count(warehouse, stg_cbs_waarneming), count(warehouse, meta_source_file)) == before


def test_a_revised_table_is_upserted_and_its_revisions_kept(warehouse, client, server, tree, options):
    run(warehouse, client, options)
    before = count(warehouse, stg_cbs_waarneming)
    revision = make_revision(tree, "85099NED", seed=3)
    server.reload()
    outcomes = run(warehouse, client, options)
    assert outcomes["85099NED"].status == "loaded"
    assert outcomes["82975NED"].status == "unchanged"
    assert count(warehouse, stg_cbs_waarneming) == before, "revised in place, nothing doubled"

    def cell(change):
        key = change["key"]
        dims = ";".join(f"{k}={v}" for k, v in sorted(key.items()) if k not in ("RegioS", "Perioden"))
        return (change["column"], key["RegioS"], key["Perioden"], dims)

    revised = {
        (r["measure"], r["regio_code"], r["periode"], r["dimensions"]): r
        for r in rows(warehouse, meta_cbs_revisie, meta_cbs_revisie.c.table_id == "85099NED")
    }
    in_region = [c for c in revision["changed"] + revision["nulled"] if c["key"]["RegioS"] in options.regions]
    assert in_region, "the revision touches the region"
    for change in in_region:
        r = revised[cell(change)]
        assert (r["old_value"], r["new_value"]) == (change["before"], change["after"])
    for change in (c for c in revision["nulled"] if c["key"]["RegioS"] in options.regions):
        assert revised[cell(change)]["new_value"] is None
    stored = {
        r["periode"]: r["period_status"]
        for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    }
    assert stored == {p: s["after"] for p, s in revision["status"].items()}
    assert (
        rows(warehouse, meta_cbs_table, meta_cbs_table.c.table_id == "85099NED")[0]["modified"]
        == revision["modified"]["after"]
    )


def test_the_fact_view_gives_every_cell_its_tables_purpose_and_version(warehouse, client, server, tree, options):
    run(warehouse, client, options)
    revision = make_revision(tree, "85099NED", seed=3)
    server.reload()
    run(warehouse, client, options)
    tables = {r["table_id"]: r for r in rows(warehouse, meta_cbs_table)}
    with warehouse.connect() as conn:
        facts = conn.execute(
            text(
                "select table_id, purpose, tabel_versie, count(*) from fact_cbs_waarneming "
                "group by table_id, purpose, tabel_versie"
            )
        ).all()
    assert sorted((t, p, v) for t, p, v, _ in facts) == sorted(
        (t, r["purpose"], r["modified"]) for t, r in tables.items() if r["row_count"]
    )
    assert sum(n for *_, n in facts) == count(warehouse, stg_cbs_waarneming), "one fact per cell, none doubled"
    assert tables["85099NED"]["modified"] == revision["modified"]["after"]


def test_cbs_unreachable_keeps_the_last_good_data_and_says_so(warehouse, client, server, options):
    run(warehouse, client, options)
    before = count(warehouse, stg_cbs_waarneming)
    server.add_fault(Fault("/", "500", times=None))
    outcomes = run(warehouse, client, options)
    assert outcomes and {o.status for o in outcomes.values()} == {"stale"}
    melding = outcomes["85099NED"].melding
    assert "laatst geladen versie" in melding and "85099NED" in melding
    assert count(warehouse, stg_cbs_waarneming) == before
    assert all(r["last_error"] for r in rows(warehouse, meta_cbs_table))


def test_never_loaded_and_unreachable_says_there_is_nothing_yet(warehouse, client, server, options):
    server.add_fault(Fault("/", "500", times=None))
    outcomes = run(warehouse, client, options)
    assert {o.status for o in outcomes.values()} == {"stale"}
    assert all("nog geen cijfers" in o.melding for o in outcomes.values())


def test_a_broken_paging_run_resumes_without_refetching_or_doubling(warehouse, client, server, tree, options):
    clean = run_clean_copy(tree, options)
    # Periods are fetched one partition at a time; every second page keeps failing mid-body, so the first
    # partition stops after its first page.
    first_period = sorted({r["Perioden"] for r in typed_rows(tree, "85099NED")})[0]
    server.add_fault(Fault("$skip=40", "drop", times=None))
    first = run(warehouse, client, options)
    assert first["85099NED"].status == "stale"
    assert count(warehouse, stg_cbs_waarneming) > 0, "the other tables loaded"
    server.clear_faults()
    server.clear_requests()
    second = run(warehouse, client, options)
    assert second["85099NED"].status == "loaded"
    data_requests = [r for r in server.requests if "85099NED/TypedDataSet" in r]
    assert not [r for r in data_requests if first_period in r and "$skip" not in r], (
        "the page stored by the broken run is not fetched again"
    )
    assert [r for r in data_requests if first_period in r and "$skip=40" in r], "the broken partition resumes"
    loaded = {
        (r["measure"], r["regio_code"], r["periode"], r["dimensions"]): r["value"]
        for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    }
    assert loaded == clean


def run_clean_copy(tree: Path, options) -> dict:
    """The 85099NED cells as an undisturbed load into a separate SQLite warehouse sees them."""
    from jeugdmonitor.warehouse import make_engine, upgrade

    url = f"sqlite:///{options.fetch_root.parent / 'clean.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    clean_options = ingest_cbs.CbsOptions(**{**options.__dict__, "fetch_root": options.fetch_root.parent / "f2"})
    with FixtureServer(tree) as srv:
        c = make_client(srv.url, retries=0, backoff=0.01)
        run(engine, c, clean_options)
        c.close()
    result = {
        (r["measure"], r["regio_code"], r["periode"], r["dimensions"]): r["value"]
        for r in rows(engine, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    }
    engine.dispose()
    return result


def test_a_crash_mid_load_leaves_the_warehouse_as_it_was(warehouse, client, options, monkeypatch):
    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(meta, "record_quarantine", crash)
    crashed = run(warehouse, client, options)
    assert {o.status for o in crashed.values()} == {"failed"}, "each table fails alone, none half loaded"
    assert all("onverwachte fout (RuntimeError) bij het laden" in o.melding for o in crashed.values())
    assert count(warehouse, stg_cbs_waarneming) == 0
    assert count(warehouse, meta_source_file) == 0
    monkeypatch.undo()
    outcomes = run(warehouse, client, options)
    assert {o.status for o in outcomes.values()} == {"loaded"}


def plant_bad_cells(tree: Path, server: FixtureServer, options: ingest_cbs.CbsOptions) -> None:
    """Two cells of 85099NED in the region made wrong: -5 breaks a fail rule, 37 (not a multiple of 5) a warn."""
    page = sorted((tree / FEED / "85099NED" / "TypedDataSet").glob("page-*.json"))[0]
    body = json.loads(page.read_text(encoding="utf-8"))
    in_region = [r for r in body["value"] if r["RegioS"].strip() in options.regions and r["JongerenMetJeugdzorg_1"]]
    in_region[0]["JongerenMetJeugdzorg_1"] = -5
    in_region[1]["JongerenMetJeugdzorg_1"] = 37
    page.write_text(json.dumps(body), encoding="utf-8")
    server.reload()


def test_bad_cells_are_quarantined_and_the_rest_loads(warehouse, client, server, tree, options):
    plant_bad_cells(tree, server, options)
    outcomes = run(warehouse, client, options)
    result = outcomes["85099NED"].result
    assert result.reasons == {"cbs_negative": 1}
    assert result.warnings == {"cbs_not_rounded": 1}
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    quarantined = rows(warehouse, meta_quarantine)
    assert [(q["reason_code"], q["field"], q["value_masked"]) for q in quarantined] == [
        ("cbs_negative", "value", "-5.0")
    ]
    assert "negatief" in quarantined[0]["reden"]
    warned = rows(warehouse, meta_validation_result)
    assert [(w["reason_code"], w["severity"], w["rows_unexpected"]) for w in warned] == [("cbs_not_rounded", "warn", 1)]
    values = {r["value"] for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")}
    assert -5 not in values and 37 in values


def test_a_category_title_that_is_gone_is_a_clear_error_not_a_silent_gap(warehouse, client, options):
    broken = CbsTableConfig(purpose="bevolking", table_id="03759ned", select={"Geslacht": ["Beide geslachten"]})
    outcomes = run(warehouse, client, ingest_cbs.CbsOptions(**{**options.__dict__, "tables": [broken]}))
    assert outcomes["03759ned"].status == "failed"
    assert "'Beide geslachten' niet gevonden in dimensie Geslacht" in outcomes["03759ned"].melding


def test_selection_follows_titles_when_cbs_renumbers_keys(warehouse, client, server, tree, options):
    # CBS may renumber category keys in a new table version; selection by Title keeps working.
    path = tree / FEED / "03759ned" / "Geslacht.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    assert body["value"][0]["Title"] == "Totaal mannen en vrouwen"
    old_key = body["value"][0]["Key"]
    body["value"][0]["Key"] = "T009999"
    path.write_text(json.dumps(body), encoding="utf-8")
    for page in (tree / FEED / "03759ned" / "TypedDataSet").glob("page-*.json"):
        page.write_text(
            page.read_text(encoding="utf-8").replace(f'"Geslacht":"{old_key}"', '"Geslacht":"T009999"'),
            encoding="utf-8",
        )
    server.reload()
    outcomes = run(warehouse, client, options)
    assert outcomes["03759ned"].status == "loaded"
    dims = {r["dimensions"] for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "03759ned")}
    assert dims and all("Geslacht=T009999" in d for d in dims)


def test_the_v4_api_loads_the_same_cells(warehouse, server, tree, options, tmp_path):
    v3 = make_client(server.url, api="v3", timeout=5, retries=1, backoff=0.01)
    run(warehouse, v3, options)
    v3.close()
    from jeugdmonitor.warehouse import make_engine, upgrade

    other = make_engine(f"sqlite:///{tmp_path / 'v4.sqlite'}")
    upgrade(other)
    v4 = make_client(server.v4_url, api="v4", timeout=5, retries=1, backoff=0.01)
    outcomes = run(
        other, v4, ingest_cbs.CbsOptions(**{**options.__dict__, "api": "v4", "fetch_root": tmp_path / "fetch-v4"})
    )
    v4.close()
    assert {o.status for o in outcomes.values()} == {"loaded"}

    def cells(engine):
        return {
            (
                r["table_id"],
                r["measure"],
                r["regio_code"],
                r["periode"],
                r["dimensions"],
                r["value"],
                r["value_text"],
                r["period_status"],
            )
            for r in rows(engine, stg_cbs_waarneming)
            if r["value"] is not None or r["value_text"]
        }

    assert cells(other) == cells(warehouse) and len(cells(warehouse)) > 500
    other.dispose()


# -- one table's trouble is that table's outcome, never the run's (issue 20) ---------------------------------


class Rewriting:
    """The client, with the pages of one table rewritten: a CBS server that misbehaves in one particular way."""

    def __init__(self, client, table_id: str, rewrite):
        self._client, self._table_id, self._rewrite = client, table_id, rewrite

    def __getattr__(self, name):
        return getattr(self._client, name)

    def pages(self, table_id, **kwargs):
        if table_id != self._table_id:
            yield from self._client.pages(table_id, **kwargs)
            return
        yield from self._rewrite(self._client, table_id, kwargs)


def others_loaded(outcomes: dict, failed: str) -> None:
    assert {t: o.status for t, o in outcomes.items() if t != failed} == {
        t: "loaded" for t in outcomes if t != failed
    }, "the other tables load"


def last_error(warehouse, table_id: str) -> str | None:
    found = rows(warehouse, meta_cbs_table, meta_cbs_table.c.table_id == table_id)
    return found[0]["last_error"] if found else None


def test_a_select_dimension_the_table_lacks_fails_that_table_only(warehouse, client, options):
    tables = [
        CbsTableConfig(purpose="bevolking", table_id="03759ned", select={"Burgerlijkestaat": ["Totaal"]})
        if t.table_id == "03759ned"
        else t
        for t in options.tables
    ]
    outcomes = run(warehouse, client, ingest_cbs.CbsOptions(**{**options.__dict__, "tables": tables}))
    assert outcomes["03759ned"].status == "failed"
    assert "geen dimensie Burgerlijkestaat" in outcomes["03759ned"].melding
    assert "nog geen cijfers" in outcomes["03759ned"].melding
    others_loaded(outcomes, "03759ned")
    assert "geen dimensie Burgerlijkestaat" in last_error(warehouse, "03759ned")


def add_column(tree: Path, server: FixtureServer, table_id: str, column: str, value) -> None:
    for page in (tree / FEED / table_id / "TypedDataSet").glob("page-*.json"):
        body = json.loads(page.read_text(encoding="utf-8"))
        for row in body["value"]:
            row[column] = value
        page.write_text(json.dumps(body), encoding="utf-8")
    server.reload()


def test_a_column_the_metadata_does_not_declare_is_not_read_as_a_measure(warehouse, client, server, tree, options):
    add_column(tree, server, "85099NED", "Vlag", "x")
    outcomes = run(warehouse, client, options)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    measures = {r["measure"] for r in rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")}
    assert measures and "Vlag" not in measures


def test_a_value_that_is_not_a_number_fails_that_table_and_names_the_measure(warehouse, client, server, tree, options):
    page = sorted((tree / FEED / "85099NED" / "TypedDataSet").glob("page-*.json"))[0]
    body = json.loads(page.read_text(encoding="utf-8"))
    in_region = next(r for r in body["value"] if r["RegioS"].strip() in options.regions)
    in_region["JongerenMetJeugdzorg_1"] = "veel (geheim 12345)"
    page.write_text(json.dumps(body), encoding="utf-8")
    server.reload()
    outcomes = run(warehouse, client, options)
    assert outcomes["85099NED"].status == "failed"
    assert "JongerenMetJeugdzorg_1" in outcomes["85099NED"].melding
    assert "12345" not in outcomes["85099NED"].melding, "the reason names the measure, never the value"
    others_loaded(outcomes, "85099NED")


def test_cells_of_another_period_than_asked_fail_the_table_instead_of_a_duplicate_key(
    warehouse, client, options, caplog
):
    first = client.categories("85099NED", "Perioden")[0].raw_key

    def same_cells_for_every_period(real, table_id, kwargs):
        if kwargs.get("filter"):
            kwargs = {**kwargs, "filter": re.sub(r"Perioden eq '[^']*'", f"Perioden eq '{first}'", kwargs["filter"])}
        yield from real.pages(table_id, **kwargs)

    outcomes = run(warehouse, Rewriting(client, "85099NED", same_cells_for_every_period), options)
    assert outcomes["85099NED"].status == "failed"
    assert "andere periode" in outcomes["85099NED"].melding
    others_loaded(outcomes, "85099NED")
    assert not rows(warehouse, stg_cbs_waarneming, stg_cbs_waarneming.c.table_id == "85099NED")
    assert "andere periode" in last_error(warehouse, "85099NED")


def repeat_first_cell(value_change: float):
    def rewrite(real, table_id, kwargs):
        for number, page in enumerate(real.pages(table_id, **kwargs)):
            if number == 0 and page.observations:
                cell = json.loads(json.dumps(page.observations[0]))
                if cell["value"] is not None:
                    cell["value"] += value_change
                page = type(page)(page.url, page.next_url, [*page.observations, cell])
            yield page

    return rewrite


def test_a_cell_repeated_identically_is_loaded_once(warehouse, client, options):
    outcomes = run(warehouse, Rewriting(client, "85099NED", repeat_first_cell(0)), options)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    with warehouse.connect() as conn:
        doubled = conn.execute(
            text(
                "select count(*) from (select measure, regio_code, periode, dimensions from stg_cbs_waarneming "
                "where table_id = '85099NED' group by measure, regio_code, periode, dimensions "
                "having count(*) > 1) d"
            )
        ).scalar()
    assert doubled == 0


def test_a_cell_repeated_with_another_value_fails_the_table(warehouse, client, options):
    outcomes = run(warehouse, Rewriting(client, "85099NED", repeat_first_cell(7)), options)
    assert outcomes["85099NED"].status == "failed"
    assert "verschillende waarden" in outcomes["85099NED"].melding
    others_loaded(outcomes, "85099NED")


def test_a_title_that_matches_no_table_gets_an_outcome_of_its_own(warehouse, client, options):
    tables = [*options.tables, CbsTableConfig(purpose="gebieden", title_startswith="Bestaat niet in")]
    outcomes = run(warehouse, client, ingest_cbs.CbsOptions(**{**options.__dict__, "tables": tables}))
    assert outcomes["Bestaat niet in"].status == "failed"
    assert "geen tabel waarvan de titel begint met 'Bestaat niet in'" in outcomes["Bestaat niet in"].melding


def test_an_unexpected_error_in_one_table_fails_that_table_only(warehouse, client, options, monkeypatch):
    real = ingest_cbs.observations_frame

    def broken(observations, *, table_id, **kwargs):
        if table_id == "82975NED":
            raise KeyError("Perioden")
        return real(observations, table_id=table_id, **kwargs)

    monkeypatch.setattr(ingest_cbs, "observations_frame", broken)
    outcomes = run(warehouse, client, options)
    assert outcomes["82975NED"].status == "failed"
    assert "onverwachte fout (KeyError) bij het ophalen van de cijfers" in outcomes["82975NED"].melding
    others_loaded(outcomes, "82975NED")


def test_http_retries_are_logged_and_counted_per_table(warehouse, client, server, options, caplog):
    server.add_fault(Fault("85099NED/TypedDataSet", "500", times=2))
    with caplog.at_level("WARNING", logger="jeugdmonitor.cbs.client"):
        outcomes = run(warehouse, client, options)
    assert outcomes["85099NED"].status == "loaded"
    assert outcomes["85099NED"].retries == 2
    assert sum(o.retries for o in outcomes.values()) == 2
    retried = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retried) == 2 and all("HTTP 500" in m and server.url in m for m in retried)
    assert not [m for m in retried if "TypedDataSet" in m], "the log names the host, not the request"
