"""Judging refused files and quarantined lines again (jeugdmonitor.reprocess): what passes with today's layouts,
teams, productcodes and JW301s loads exactly once, the quarantine rows it replaces are closed with a trace, and a
second reprocess changes nothing; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from jeugdmonitor.schemas.jgt_layouts import Layout, load_layouts, load_region_tables
from jeugdmonitor.schemas.warehouse import (
    meta_mart_pending,
    meta_quarantine,
    meta_source_file,
    stg_jgt_registratie,
    stg_jw301_toewijzing,
    stg_jw323_prestatie,
)
from jeugdmonitor.transforms.jgt.canonical import RegionLookup
from sqlalchemy import func, select

from jeugdmonitor import meta
from jeugdmonitor.discovery import discover
from jeugdmonitor.ijw.ingest import IjwOptions
from jeugdmonitor.ijw.ingest import load_files as load_ijw
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.pseudonym import Pseudonymiser
from jeugdmonitor.reprocess import Scope, Sources, reprocess
from jeugdmonitor.synthetic.jgt_writer import V2_COLUMNS
from tests import ijw_builder as ijw
from tests.conftest import TEST_KEY
from tests.jgt_builder import bsn_for_test

CODES = frozenset({"45A05"})
V2 = next(layout for layout in load_layouts() if layout.name == "v2")
# the v2 layout under other column names: a region's own export that the bundled layouts do not know
V3 = Layout("v3", "v2 with other names", {f"kolom {c}": f for c, f in V2.columns.items()}, V2.values, V2.date_formats)


def _sources(tmp_path: Path, productcodes=CODES, layouts=None, region=None) -> Sources:
    pseudonymiser = Pseudonymiser(TEST_KEY)
    return Sources(
        inboxes={"ijw": tmp_path / "ijw", "jgt": tmp_path / "jgt"},
        pseudonymise=pseudonymiser,
        key_id=pseudonymiser.key_id,
        ijw=IjwOptions(productcodes=productcodes),
        jgt=ingest_jgt.JgtOptions(
            region=region or RegionLookup.build(load_region_tables()),
            layouts=layouts if layouts is not None else load_layouts(),
        ),
    )


def _load(engine, tmp_path: Path, sources: Sources) -> list[meta.FileResult]:
    """A normal load of both inboxes (what a run does), recorded as one run."""
    run_id = meta.start_run(engine, "test", key_id=sources.key_id)
    results = []
    new, _ = discover(sources.inboxes["ijw"], (".xml",), meta.known_hashes(engine))
    results += load_ijw(engine, run_id, new, sources.pseudonymise, sources.ijw)
    new, _ = discover(sources.inboxes["jgt"], ingest_jgt.SUFFIXES, meta.known_hashes(engine))
    results += ingest_jgt.load_files(engine, run_id, new, sources.pseudonymise, sources.jgt)
    meta.finish_run(engine, run_id, results)
    return results


def _reprocess(engine, sources: Sources, scope: Scope | None = None):
    scope = scope or Scope()
    run_id = meta.start_run(engine, "reprocess", key_id=sources.key_id)
    report = reprocess(engine, run_id, scope, sources)
    meta.finish_run(engine, run_id, report.results)
    return run_id, report


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def _jgt_export(folder: Path, name: str, team: str = "ZTW", columns=V2_COLUMNS, n: int = 3) -> Path:
    lines = [";".join(columns)]
    for i in range(n):
        lines.append(f"{bsn_for_test(i)};D-{i};01-05-2014;0638;{team};0{i + 6}-01-2025 10:00;zelf;overig;;;")
    return _write(folder, name, ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def _declaraties(folder: Path, codes=("45A05", "45A05", "45X99"), nummer: int = 1001) -> Path:
    lines = [
        {"ref": f"P-{i}", "nummer": nummer, "code": code, "begin": "2025-05-01", "eind": "2025-05-31", "volume": 2}
        for i, code in enumerate(codes)
    ]
    data = ijw.jw323("DCL1", "2025-06-02", ("2025-05-01", "2025-05-31"), {"999900006": lines})
    return _write(folder / "2025-06", "JW323_12345678_0546_DCL1.xml", data)


def _toewijzing(folder: Path, nummer: int = 1001) -> Path:
    product = {"nummer": nummer, "datum": "2025-04-01", "ingang": "2025-04-01"}
    return _write(
        folder / "2025-04", "JW301_0546_12345678_T1.xml", ijw.jw301("T1", "2025-04-01", "999900006", [product])
    )


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _quarantine(engine) -> list[tuple]:
    q = meta_quarantine.c
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(q.line, q.reason_code, q.opgelost_als, q.opgelost_door_run).order_by(q.quarantine_id)
            )
        ]


def _state(engine) -> dict:
    """Row counts and a checksum of the staging and meta tables a reprocess writes."""
    out = {}
    with engine.connect() as conn:
        for table in (
            stg_jw323_prestatie,
            stg_jw301_toewijzing,
            stg_jgt_registratie,
            meta_source_file,
            meta_quarantine,
        ):
            columns = [c for c in table.c if c.name not in ("loaded_at",)]
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(*columns)))
            out[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def test_a_declaratie_line_with_an_unknown_productcode_loads_after_the_code_is_added(warehouse, tmp_path):
    _toewijzing(tmp_path / "ijw")
    _declaraties(tmp_path / "ijw")
    results = _load(warehouse, tmp_path, _sources(tmp_path))
    assert [r.reasons for r in results if r.message_type == "JW323"] == [{"product_code_unknown": 1}]
    with warehouse.begin() as conn:
        conn.execute(meta_mart_pending.delete())  # as a mart build after the load leaves it

    run_id, report = _reprocess(warehouse, _sources(tmp_path, productcodes=CODES | {"45X99"}))

    assert [(r.status, r.rows_loaded, r.rows_quarantined) for r in report.results] == [("reloaded", 1, 0)]
    assert report.resolved == 1
    assert _count(warehouse, stg_jw323_prestatie) == 3
    assert [q[1:] for q in _quarantine(warehouse)] == [("product_code_unknown", "geladen", run_id)]
    with warehouse.connect() as conn:
        source = conn.execute(select(meta_source_file).where(meta_source_file.c.message_type == "JW323")).one()
        pending = conn.execute(select(meta_mart_pending.c.gemeentecode, meta_mart_pending.c.load_run_id)).all()
    assert (source.status, source.rows_loaded, source.rows_quarantined) == ("loaded", 3, 0)
    assert [tuple(p) for p in pending] == [("GM0546", run_id)]


def test_reprocess_twice_changes_nothing_the_second_time(warehouse, tmp_path):
    _toewijzing(tmp_path / "ijw")
    _declaraties(tmp_path / "ijw", codes=("45A05", "45X99", "45Y99"))
    _load(warehouse, tmp_path, _sources(tmp_path))
    assert [q[1] for q in _quarantine(warehouse)] == ["product_code_unknown", "product_code_unknown"]
    sources = _sources(tmp_path, productcodes=CODES | {"45X99"})  # one of the two codes is added

    _, first = _reprocess(warehouse, sources)
    after_first = _state(warehouse)
    _, second = _reprocess(warehouse, sources)

    assert [(r.status, r.rows_loaded) for r in first.results] == [("reloaded", 1)]
    assert [(r.status, r.rows_loaded) for r in second.results] == [("unchanged", 0)] and second.resolved == 0
    assert _state(warehouse) == after_first
    assert _count(warehouse, stg_jw323_prestatie) == 2
    # the line still failing keeps its one open row: not quarantined a second time
    assert _count(warehouse, meta_quarantine, meta_quarantine.c.opgelost_op.is_(None)) == 1


def test_a_line_failing_for_another_reason_now_closes_its_row_and_opens_one(warehouse, tmp_path):
    _toewijzing(tmp_path / "ijw")
    _declaraties(tmp_path / "ijw", codes=("45A05", "45X99"))
    _load(warehouse, tmp_path, _sources(tmp_path))
    # the productcode is known now, but its toewijzing was withdrawn: the JW301 table is emptied for the test
    with warehouse.begin() as conn:
        conn.execute(stg_jw301_toewijzing.delete())

    run_id, report = _reprocess(warehouse, _sources(tmp_path, productcodes=CODES | {"45X99"}))

    rows = _quarantine(warehouse)
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("product_code_unknown", "vervangen", run_id),
        ("toewijzing_unknown", None, None),
    ]
    assert rows[0][0] == rows[1][0]  # the same line
    assert report.results[0].status == "unchanged" and report.resolved == 1
    assert _count(warehouse, stg_jw323_prestatie) == 1


def test_a_jgt_export_refused_for_an_unknown_layout_loads_after_the_layout_is_added(warehouse, tmp_path):
    _jgt_export(tmp_path / "jgt", "ZTW_2025-01.csv", columns=tuple(f"kolom {c}" for c in V2_COLUMNS))
    (result,) = _load(warehouse, tmp_path, _sources(tmp_path))
    assert (result.status, result.reasons) == ("rejected", {"layout_unknown": 1})
    # without the layout nothing changes, and the refusal is not recorded twice
    _, report = _reprocess(warehouse, _sources(tmp_path))
    assert [r.status for r in report.results] == ["unchanged"] and len(_quarantine(warehouse)) == 1

    run_id, report = _reprocess(warehouse, _sources(tmp_path, layouts=(*load_layouts(), V3)))

    assert [(r.status, r.rows_loaded) for r in report.results] == [("reloaded", 3)]
    assert _count(warehouse, stg_jgt_registratie) == 3
    assert _quarantine(warehouse) == [(None, "layout_unknown", "geladen", run_id)]
    with warehouse.connect() as conn:
        source = conn.execute(select(meta_source_file)).one()
    assert (source.status, source.message_type, source.rows_read, source.rows_loaded) == ("loaded", "JGT-v3", 3, 3)
    assert (source.reason_code, source.reden) == (None, None)
    _, again = _reprocess(warehouse, _sources(tmp_path, layouts=(*load_layouts(), V3)))
    assert again.outcomes == [] and _count(warehouse, stg_jgt_registratie) == 3


def test_jgt_lines_of_an_unknown_team_load_after_the_team_is_added(warehouse, tmp_path):
    _jgt_export(tmp_path / "jgt", "NIEUW_2025-01.csv", team="NIEUW")
    (result,) = _load(warehouse, tmp_path, _sources(tmp_path))
    assert (result.rows_loaded, result.reasons) == (0, {"team_unknown": 3})
    tables = load_region_tables()
    with_team = replace(tables, teams={**tables.teams, "NIEUW": ("JGT Nieuw", "GM0638")})

    run_id, report = _reprocess(warehouse, _sources(tmp_path, region=RegionLookup.build(tables=with_team)))

    assert [(r.status, r.rows_loaded) for r in report.results] == [("reloaded", 3)] and report.resolved == 3
    with warehouse.connect() as conn:
        assert set(conn.execute(select(stg_jgt_registratie.c.team)).scalars()) == {"NIEUW"}
    assert {(q[1], q[2], q[3]) for q in _quarantine(warehouse)} == {("team_unknown", "geladen", run_id)}


def test_the_scope_limits_what_is_judged_again(warehouse, tmp_path):
    _toewijzing(tmp_path / "ijw")
    _declaraties(tmp_path / "ijw")
    _jgt_export(tmp_path / "jgt", "NIEUW_2025-01.csv", team="NIEUW")
    _load(warehouse, tmp_path, _sources(tmp_path))
    tables = load_region_tables()
    with_team = replace(tables, teams={**tables.teams, "NIEUW": ("JGT Nieuw", "GM0638")})
    sources = _sources(tmp_path, productcodes=CODES | {"45X99"}, region=RegionLookup.build(tables=with_team))
    with warehouse.connect() as conn:
        jgt_id = conn.execute(select(meta_source_file.c.file_id).where(meta_source_file.c.source == "jgt")).scalar_one()

    for scope in (
        Scope(source="jgt", reason="product_code_unknown"),
        Scope(reason="bsn_invalid"),
        Scope(periode=date(2025, 4, 1)),
        Scope(file="2025-06/JW323_other.xml"),
        Scope(file=str(jgt_id), source="ijw"),
    ):
        _, report = _reprocess(warehouse, sources, scope)
        assert report.outcomes == [], scope
    assert _count(warehouse, stg_jw323_prestatie) == 2 and _count(warehouse, stg_jgt_registratie) == 0

    _, by_period = _reprocess(warehouse, sources, Scope(periode=date(2025, 5, 1)))  # the declaratie's month
    assert [r.path for r in by_period.results] == ["2025-06/JW323_12345678_0546_DCL1.xml"]
    assert _count(warehouse, stg_jw323_prestatie) == 3 and _count(warehouse, stg_jgt_registratie) == 0
    _, by_file = _reprocess(warehouse, sources, Scope(file=str(jgt_id)))
    assert [(r.path, r.rows_loaded) for r in by_file.results] == [("NIEUW_2025-01.csv", 3)]


def test_a_changed_or_vanished_file_is_reported_not_judged(warehouse, tmp_path):
    declaraties = _declaraties(tmp_path / "ijw")
    export = _jgt_export(tmp_path / "jgt", "NIEUW_2025-01.csv", team="NIEUW")
    _load(warehouse, tmp_path, _sources(tmp_path))
    before = _state(warehouse)
    declaraties.write_bytes(declaraties.read_bytes() + b"\n")
    export.unlink()

    _, report = _reprocess(warehouse, _sources(tmp_path, productcodes=CODES | {"45X99"}))

    assert sorted(r.status for r in report.results) == ["changed", "gone"]
    assert any("niet (meer) in de inbox" in n for n in report.notes)
    assert any("de inhoud is veranderd" in n for n in report.notes)
    assert _state(warehouse) == before


def test_a_file_loaded_with_another_key_is_not_judged_again(warehouse, tmp_path):
    _jgt_export(tmp_path / "jgt", "NIEUW_2025-01.csv", team="NIEUW")
    _load(warehouse, tmp_path, _sources(tmp_path))
    other = Pseudonymiser(bytes(range(1, 33)))
    sources = replace(_sources(tmp_path), pseudonymise=other, key_id=other.key_id)

    _, report = _reprocess(warehouse, sources)

    assert [r.status for r in report.results] == ["key_changed"]


def test_a_run_skips_a_refused_file_as_refused_before(warehouse, tmp_path):
    _jgt_export(tmp_path / "jgt", "ZTW_2025-01.csv", columns=tuple(f"kolom {c}" for c in V2_COLUMNS))
    _jgt_export(tmp_path / "jgt", "ZTW_2025-02.csv")
    _load(warehouse, tmp_path, _sources(tmp_path))
    from jeugdmonitor.inbox import discover_new, seen_results

    results = []
    for _folder, new, seen in discover_new(warehouse, tmp_path / "jgt", ingest_jgt.SUFFIXES, "jgt"):
        assert new == []
        results += seen_results(warehouse, "jgt", seen)
    tally = meta.FileTally().add(results)
    assert (tally.files["skipped"], tally.files["refused_before"]) == (1, 1)


def test_the_command_refuses_a_bad_scope_in_one_line():
    from typer.testing import CliRunner

    from jeugdmonitor.cli import app

    for args, message in (
        (["--periode", "2025-13"], "--periode is a month as YYYY-MM"),
        (["--source", "cbs"], "--source is one of ijw, jgt"),
    ):
        result = CliRunner().invoke(app, ["reprocess", *args])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output


def test_the_quarantine_command_lists_only_what_is_still_open(tmp_path):
    from typer.testing import CliRunner

    from jeugdmonitor.cli import app
    from jeugdmonitor.warehouse import make_engine, upgrade
    from tests.test_cli import config_file

    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    _toewijzing(tmp_path / "ijw")
    _declaraties(tmp_path / "ijw", codes=("45X99", "45Y99"))
    _load(engine, tmp_path, _sources(tmp_path))
    _reprocess(engine, _sources(tmp_path, productcodes=CODES | {"45X99"}))

    result = CliRunner().invoke(app, ["quarantine", "--config", str(config_file(tmp_path, url))])

    assert result.exit_code == 0, result.output
    assert "       1  product_code_unknown" in result.output
    assert len(re.findall(r"DCL#\.xml:\d+  product_code_unknown", result.output)) == 1
