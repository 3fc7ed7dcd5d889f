"""Loading JGT exports into the warehouse: every planted defect in quarantine at its file and line, nothing
doubled on a re-run, the snapshot rule, and the link to the iJw messages through the pseudonym."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jeugdmonitor.schemas.warehouse import meta_quarantine, meta_source_file, stg_jgt_registratie
from sqlalchemy import func, select, text

from jeugdmonitor import meta
from jeugdmonitor.discovery import discover
from jeugdmonitor.ijw import ingest as ingest_ijw
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.synthetic import generate
from jeugdmonitor.synthetic.jgt_writer import V2_COLUMNS
from tests.jgt_builder import bsn_for_test

# Where each JGT defect kind of the generator must end (one of these reasons, at the defect's file and line).
JGT_DEFECTS = {
    "invalid_bsn": {"bsn_invalid"},
    "impossible_date": {"jgt_date_invalid", "start_before_aanmelding"},
    "unknown_code": {"code_invalid", "team_unknown"},
    "duplicate": {"duplicate_registratie"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("jgt-world")
    generate(root, gemeenten=["GM0484", "GM0638"], start="2025-01", months=2, scale=0.1, defects=0.1)
    return root


def load_jgt(engine, inbox: Path, pseudonymise):
    run_id = meta.start_run(engine, "test")
    new, seen = discover(inbox, ingest_jgt.SUFFIXES, meta.known_hashes(engine))
    results = ingest_jgt.load_files(engine, run_id, new, pseudonymise)
    meta.finish_run(engine, run_id, results)
    return results, seen


def snapshot(engine):
    with engine.connect() as conn:
        return {
            "files": conn.execute(select(func.count()).select_from(meta_source_file)).scalar_one(),
            "rows": conn.execute(select(func.count()).select_from(stg_jgt_registratie)).scalar_one(),
            "quarantine": conn.execute(select(func.count()).select_from(meta_quarantine)).scalar_one(),
        }


def test_generated_exports_load_with_every_defect_in_quarantine(warehouse, world, pseudonymise):
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    planted = [d for d in manifest["defects"] if d["file"].startswith("jgt/")]
    assert {d["kind"] for d in planted} >= {"unknown_code", "duplicate", "impossible_date"}
    results, _ = load_jgt(warehouse, world / "jgt", pseudonymise)
    assert {r.status for r in results} == {"loaded"}
    assert all(r.rows_read == r.rows_loaded + r.rows_quarantined for r in results)
    with warehouse.connect() as conn:
        files = {r.path: r for r in conn.execute(select(meta_source_file))}
        quarantined = conn.execute(
            select(meta_source_file.c.path, meta_quarantine.c.line, meta_quarantine.c.reason_code).join(
                meta_source_file, meta_source_file.c.file_id == meta_quarantine.c.file_id
            )
        ).all()
    assert {f.source for f in files.values()} == {"jgt"}
    assert all(f.rows_read == f.rows_loaded + f.rows_quarantined for f in files.values())
    at = {(q.path, q.line): q.reason_code for q in quarantined}
    for defect in planted:
        where = (defect["file"].removeprefix("jgt/"), defect["line"])
        assert at.get(where) in JGT_DEFECTS[defect["kind"]], (defect, at.get(where))
    # and nothing else: every quarantined line is a planted defect
    assert set(at) == {(d["file"].removeprefix("jgt/"), d["line"]) for d in planted}

    # re-run changes nothing: every file is known by its sha256
    before = snapshot(warehouse)
    again, seen = load_jgt(warehouse, world / "jgt", pseudonymise)
    assert again == [] and len(seen) == len(results)
    assert snapshot(warehouse) == before

    # no BSN of the exports reaches the warehouse
    with warehouse.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(select(stg_jgt_registratie)))
    assert re.findall(r"\b\d{9}\b", dump) == []


def _export(folder: Path, name: str, rows: list[tuple[str, str, str]]) -> None:
    """A v2 export of team ZTW; rows: (registratie_id, aanmelddatum, afsluitdatum)."""
    lines = [";".join(V2_COLUMNS)]
    for i, (nummer, aanmeld, eind) in enumerate(rows):
        lines.append(
            f"{bsn_for_test(i)};{nummer};01-05-2014;0638;ZTW;{aanmeld} 10:00;zelf;overig;;{eind};"
            + ("beëindigd zonder vervolg" if eind else "")
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def test_snapshot_view_keeps_and_flags_a_registration_missing_from_a_newer_export(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "jgt"
    _export(inbox, "ZTW_2025-01.csv", [("D-1", "06-01-2025", ""), ("D-2", "07-01-2025", ""), ("D-3", "08-01-2025", "")])
    _export(
        inbox,
        "ZTW_2025-02.csv",
        [("D-1", "06-01-2025", "20-02-2025"), ("D-3", "08-01-2025", ""), ("D-4", "03-02-2025", "")],
    )
    results, _ = load_jgt(warehouse, inbox, pseudonymise)
    assert [(r.rows_loaded, r.rows_quarantined) for r in results] == [(3, 0), (3, 0)]
    with warehouse.connect() as conn:
        facts = {r.registratie_id: r for r in conn.execute(text("select * from fact_jgt_aanmelding"))}
    assert sorted(facts) == ["D-1", "D-2", "D-3", "D-4"]
    assert {k: f.ontbreekt_in_laatste_export for k, f in facts.items()} == {"D-1": 0, "D-2": 1, "D-3": 0, "D-4": 0}
    assert str(facts["D-1"].afsluitdatum) == "2025-02-20"  # the newest export wins
    assert str(facts["D-2"].export_maand) == "2025-01-01" and facts["D-2"].aantal_exports == 1
    assert str(facts["D-1"].laatste_export_maand) == "2025-02-01"


def test_a_later_export_of_the_same_month_wins(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "jgt"
    _export(inbox, "ZTW_2025-02.csv", [("D-1", "06-01-2025", "")])
    _export(inbox, "ZTW_2025-02_herzien.csv", [("D-1", "06-01-2025", "20-02-2025")])
    load_jgt(warehouse, inbox, pseudonymise)
    with warehouse.connect() as conn:
        (fact,) = conn.execute(text("select * from fact_jgt_aanmelding")).all()
    assert str(fact.afsluitdatum) == "2025-02-20" and fact.aantal_exports == 2
    assert fact.ontbreekt_in_laatste_export == 0


def test_future_date_and_unknown_gemeente_are_quarantined(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "jgt"
    lines = [
        ";".join(V2_COLUMNS),
        f"{bsn_for_test(0)};D-1;01-05-2014;0638;ZTW;06-01-2025 10:00;zelf;overig;;;",
        f"{bsn_for_test(1)};D-2;01-05-2014;0638;ZTW;06-03-2025 10:00;zelf;overig;;;",
        f"{bsn_for_test(2)};D-3;01-05-2014;0363;ZTW;06-01-2025 10:00;zelf;overig;;;",
        f"{bsn_for_test(3)};D-4;01-05-1990;0638;ZTW;06-01-2025 10:00;zelf;overig;;;",
    ]
    inbox.mkdir()
    (inbox / "ZTW_2025-01.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (result,), _ = load_jgt(warehouse, inbox, pseudonymise)
    assert (result.rows_read, result.rows_loaded) == (4, 2)
    assert result.reasons == {"date_in_future": 1, "gemeente_unknown": 1}
    assert result.warnings == {"age_implausible": 1}


def test_unknown_layout_refuses_the_file(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "jgt"
    inbox.mkdir()
    (inbox / "vreemd.csv").write_text("naam;bsn;datum\nPiet;;\n", encoding="utf-8")
    (result,), _ = load_jgt(warehouse, inbox, pseudonymise)
    assert (result.status, result.reasons) == ("rejected", {"layout_unknown": 1})
    with warehouse.connect() as conn:
        reden = conn.execute(select(meta_source_file.c.reden)).scalar_one()
    assert (
        "ontbrekende kolommen" in reden and "2 kolommen met een onbekende naam" in reden and "naam, datum" not in reden
    )


def test_jgt_youths_are_found_in_the_ijw_staging(warehouse, world, pseudonymise):
    """Linking: a youth referred on to specialist care by the JGT has iJw messages under the same pseudonym."""
    run_id = meta.start_run(warehouse, "test")
    new, _ = discover(world / "ijw", (".xml",), meta.known_hashes(warehouse))
    ingest_ijw.load_files(warehouse, run_id, new, pseudonymise)
    load_jgt(warehouse, world / "jgt", pseudonymise)
    with warehouse.connect() as conn:
        referred = set(
            conn.execute(
                text("select client_pseudonym from fact_jgt_aanmelding where uitkomst = 'doorverwezen_specialistisch'")
            ).scalars()
        )
        jgt_all = set(conn.execute(text("select client_pseudonym from stg_jgt_registratie")).scalars())
        ijw = set(
            conn.execute(
                text(
                    "select client_pseudonym from stg_jw301_toewijzing union select client_pseudonym from "
                    "stg_jw315_verzoek "
                    "union select client_pseudonym from stg_jw323_prestatie"
                )
            ).scalars()
        )
    assert referred, "the generated world has referred registrations"
    assert len(referred & ijw) >= 0.8 * len(referred)
    assert jgt_all & ijw
