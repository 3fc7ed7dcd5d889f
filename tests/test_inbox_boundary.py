"""The inbox is a boundary, and any file failure is that file's failure (issue #18), on SQLite and PostgreSQL.

Every case puts one bad entry beside good deliveries and runs the real loader as the flows do (the JGT loader per
folder of discover_new, the iJw ingest_inbox); then the bad entry is refused with its reason code, the good files
load, every line read is loaded or quarantined, and a second run loads, refuses and doubles nothing. Big inputs
are made on the fly in tmp_path.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from jeugdmonitor.schemas.jgt_layouts import load_layouts
from jeugdmonitor.schemas.warehouse import meta_quarantine, meta_source_file, metadata, stg_jgt_registratie
from jeugdmonitor.transforms.ijw import xsd
from jeugdmonitor.transforms.ijw.records import parse_message
from jeugdmonitor.transforms.ijw.specs import SPECS
from jeugdmonitor.transforms.jgt import read
from lxml import etree
from sqlalchemy import func, select

from jeugdmonitor import meta
from jeugdmonitor.discovery import Delivery
from jeugdmonitor.ijw import ingest as ingest_ijw
from jeugdmonitor.ijw.ingest import IjwOptions, ingest_inbox
from jeugdmonitor.inbox import discover_new, seen_results
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.synthetic.jgt_writer import V2_COLUMNS
from tests.jgt_builder import bsn_for_test

FIXTURES = Path(__file__).parent / "fixtures" / "ijw"
DECLARATIE = "2025-05/JW323_12345678_0546_DCL202505007.xml"
TOEWIJZING = "2025-03/JW301_0546_12345678_T202503001.xml"
SECRET = "GEHEIM-7f3a9c"  # planted outside the inbox: must never reach the warehouse
NS = 'xmlns:jw323="http://www.istandaarden.nl/ijw/3_2/jw323/schema"'


# -- running the loaders as the flows do ---------------------------------------------------------------------------


def jgt_run(engine, inbox: Path, pseudonymise) -> Counter:
    """flows/tasks.ingest_jgt_task without Prefect; the files by status."""
    run_id = meta.start_run(engine, "test")
    results: list[meta.FileResult] = []
    for _folder, new, seen in discover_new(engine, inbox, ingest_jgt.SUFFIXES, "jgt"):
        results += seen_results(engine, "jgt", seen)
        results += ingest_jgt.load_files(engine, run_id, new, pseudonymise)
    meta.finish_run(engine, run_id, results)
    return Counter(r.status for r in results)


def ijw_run(engine, inbox: Path, pseudonymise) -> Counter:
    """flows/tasks.ingest_ijw without Prefect; the files by status."""
    run_id = meta.start_run(engine, "test")
    tally = ingest_inbox(engine, inbox, run_id, pseudonymise, IjwOptions())
    meta.finish_run(engine, run_id, tally)
    return +tally.files


def snapshot(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
            if t.name.startswith(("stg_", "meta_source", "meta_quar"))
        }


def refusals(engine) -> dict[str, tuple[str, str]]:
    """path -> (reason_code, reden) of the refused files."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(meta_source_file.c.path, meta_source_file.c.reason_code, meta_source_file.c.reden).where(
                meta_source_file.c.status == "rejected"
            )
        ).all()
    return {path: (code, reden) for path, code, reden in rows}


def stored_text(engine) -> str:
    """Everything the warehouse's staging and meta tables hold, as one text."""
    with engine.connect() as conn:
        return "\n".join(
            str(tuple(row))
            for t in metadata.sorted_tables
            if t.name.startswith(("stg_", "meta_"))
            for row in conn.execute(select(t))
        )


def assert_boundary(engine, inbox: Path, pseudonymise, run: Callable, bad: str, code: str, good: dict[str, int]) -> str:
    """Run twice; `bad` is refused with `code`, the `good` files (path -> lines loaded) load, lines in = loaded +
    quarantined, the rerun loads nothing new. Returns the Dutch reason."""
    assert set(run(engine, inbox, pseudonymise)) == {"loaded", "rejected"}
    refused = refusals(engine)
    assert bad in refused and refused[bad][0] == code, refused
    assert set(refused) == {bad}, refused  # nothing else was refused
    with engine.connect() as conn:
        loaded = dict(
            conn.execute(
                select(meta_source_file.c.path, meta_source_file.c.rows_loaded).where(
                    meta_source_file.c.status == "loaded"
                )
            ).all()
        )
        read_, loaded_lines, quarantined = conn.execute(
            select(
                func.sum(meta_source_file.c.rows_read),
                func.sum(meta_source_file.c.rows_loaded),
                func.sum(meta_source_file.c.rows_quarantined),
            )
        ).one()
        quarantine_rows = conn.execute(
            select(func.count())
            .select_from(meta_quarantine.join(meta_source_file))
            .where(meta_source_file.c.status == "loaded")
        ).scalar_one()
    assert loaded == good
    assert read_ == loaded_lines + quarantined and quarantined == quarantine_rows
    before = snapshot(engine)
    # the refused file is skipped too, reported as refused before (`jeugdmonitor reprocess` judges it again)
    assert run(engine, inbox, pseudonymise)["refused_before"] == len(refused)
    assert set(run(engine, inbox, pseudonymise)) <= {"skipped", "refused_before"}
    assert snapshot(engine) == before
    return refused[bad][1]


# -- JGT -----------------------------------------------------------------------------------------------------------


def export_csv(rows: int = 2, registratie: str = "D") -> bytes:
    lines = [";".join(V2_COLUMNS)]
    lines += [
        f"{bsn_for_test(i)};{registratie}-{i};01-05-2014;0638;ZTW;06-01-2025 10:00;zelf;overig;;;" for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.fixture
def jgt_inbox(tmp_path) -> Path:
    inbox = tmp_path / "jgt"
    inbox.mkdir()
    (inbox / "ZTW_2025-01.csv").write_bytes(export_csv())
    return inbox


GOOD_JGT = {"ZTW_2025-01.csv": 2}


def check_jgt(engine, inbox, pseudonymise, bad: str, code: str) -> str:
    reden = assert_boundary(engine, inbox, pseudonymise, jgt_run, bad, code, GOOD_JGT)
    assert snapshot(engine)[stg_jgt_registratie.name] == 2
    return reden


def test_jgt_symlink_out_of_the_inbox_is_refused_unread(warehouse, jgt_inbox, tmp_path, pseudonymise):
    outside = tmp_path / "elders" / "ZTW_2025-02.csv"
    outside.parent.mkdir()
    outside.write_bytes(export_csv(registratie=SECRET))
    (jgt_inbox / "ZTW_2025-02.csv").symlink_to(outside)
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.csv", "inbox_symlink")
    assert "symbolische link" in reden
    assert SECRET not in stored_text(warehouse)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd"])
def test_jgt_links_to_system_files_are_not_read(warehouse, jgt_inbox, pseudonymise, monkeypatch, target):
    monkeypatch.setenv("JEUGDMONITOR_TEST_SECRET", SECRET)  # in /proc/self/environ
    (jgt_inbox / "systeem.csv").symlink_to(target)
    check_jgt(warehouse, jgt_inbox, pseudonymise, "systeem.csv", "inbox_symlink")
    stored = stored_text(warehouse)
    assert SECRET not in stored and "root:" not in stored


def test_jgt_fifo_is_refused_without_blocking(warehouse, jgt_inbox, pseudonymise):
    os.mkfifo(jgt_inbox / "pijp.csv")  # a read would wait for a writer forever
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "pijp.csv", "inbox_not_a_file")
    assert "geen gewoon bestand" in reden


def test_jgt_undecodable_name_is_refused_escaped_and_the_rest_loads(warehouse, jgt_inbox, pseudonymise):
    raw = os.path.join(os.fsencode(jgt_inbox), b"ZTW_\xff\xfe_2025-02.csv")
    with open(raw, "wb") as handle:
        handle.write(export_csv(registratie="E"))
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_\\xff\\xfe_2025-02.csv", "inbox_name_invalid")
    assert "UTF-8" in reden


def test_jgt_xlsx_that_is_not_a_zip_is_refused_as_such(warehouse, jgt_inbox, pseudonymise):
    (jgt_inbox / "ZTW_2025-02.xlsx").write_bytes(export_csv(registratie="E"))  # a CSV under an Excel name
    check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.xlsx", "xlsx_invalid")


def too_long_cell() -> bytes:
    return export_csv(registratie="E") + f"{bsn_for_test(3)};{'x' * 200_000};01-05-2014;0638;ZTW;;;;;;\r\n".encode()


def too_long_line() -> bytes:
    return (";".join(V2_COLUMNS) + "x" * 20_000_000 + "\r\n").encode()


def too_many_columns_line() -> bytes:
    return ("a;" * 1_000_000 + "\r\n").encode() + export_csv(registratie="E")


def too_many_columns_header() -> bytes:  # a short line (about 30 kB) with 5,000 cells
    header = ";".join([*V2_COLUMNS, *(f"k{i}" for i in range(5000))]) + "\r\n"
    return header.encode() + export_csv(registratie="E").split(b"\r\n", 1)[1]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (too_long_cell, "een cel vanaf regel 4 is langer dan 131.072 tekens"),
        (too_long_line, "regel 1 is langer dan 1.000.000 tekens"),
        (too_many_columns_line, "regel 1 is langer dan 1.000.000 tekens"),
        (too_many_columns_header, "regel 1 heeft meer dan 1.000 kolommen"),
    ],
)
def test_jgt_csv_beyond_the_limits_is_refused(warehouse, jgt_inbox, pseudonymise, make, words):
    (jgt_inbox / "ZTW_2025-02.csv").write_bytes(make())
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.csv", "csv_limit")
    assert words in reden


def xlsx(sheet_xml: bytes) -> bytes:
    """A minimal workbook of one sheet, its sheet XML as given."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
        b'.worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sheet(rows: list[list[str]], repeat: int = 1) -> bytes:
    cells = "".join(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row) + "</row>" for row in rows
    )
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + cells.encode() * repeat + b"</sheetData></worksheet>"
    )


def test_jgt_xlsx_zip_bomb_is_refused_before_it_is_unpacked(warehouse, jgt_inbox, pseudonymise):
    bomb = xlsx(sheet([["titel", "zonder", "kopregel"]], repeat=400_000))  # ~40 MB of sheet XML
    assert len(bomb) < 1024 * 1024
    (jgt_inbox / "ZTW_2025-02.xlsx").write_bytes(bomb)
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.xlsx", "xlsx_too_large")
    assert "zip-bom" in reden and "keer zo groot" in reden


def test_xlsx_over_the_unpacked_limit_is_refused(monkeypatch):
    monkeypatch.setattr(read, "MAX_XLSX_UNPACKED_BYTES", 10_000)
    with pytest.raises(read.FileRejected) as refused:
        read.read_export(xlsx(sheet([["a"]], repeat=1000)), (), suffix=".xlsx")
    assert refused.value.rejection.reason_code == "xlsx_too_large"


def test_xlsx_sheet_without_a_header_is_read_only_as_far_as_the_header_scan(monkeypatch):
    converted: list[object] = []
    real = read._cell
    monkeypatch.setattr(read, "_cell", lambda value: converted.append(value) or real(value))
    with pytest.raises(read.FileRejected) as refused:
        read.read_export(xlsx(sheet([["geen", "kopregel"]], repeat=5000)), load_layouts(), suffix=".xlsx")
    assert refused.value.rejection.reason_code == "layout_unknown"
    assert len(converted) <= 2 * (read.HEADER_SCAN_ROWS + 1)  # not the 10,000 cells of the sheet


def test_jgt_good_xlsx_beside_bad_files_still_loads(warehouse, jgt_inbox, pseudonymise):
    rows = [line.split(";") for line in export_csv(registratie="X").decode().splitlines()]
    (jgt_inbox / "ZTW_2025-02.xlsx").write_bytes(xlsx(sheet([[c or " " for c in r] for r in rows])))
    (jgt_inbox / "ZTW_2025-03.xlsx").write_bytes(b"PK\x03\x04 afgebroken")
    reden = assert_boundary(
        warehouse,
        jgt_inbox,
        pseudonymise,
        jgt_run,
        "ZTW_2025-03.xlsx",
        "file_unreadable",
        {**GOOD_JGT, "ZTW_2025-02.xlsx": 2},
    )
    assert "geen leesbaar Excel-bestand (BadZipFile)" in reden


def test_jgt_any_error_in_one_file_refuses_that_file_by_its_type_only(warehouse, jgt_inbox, pseudonymise, monkeypatch):
    (jgt_inbox / "ZTW_2025-02.csv").write_bytes(export_csv(registratie="BOEM"))
    real = ingest_jgt.canonical_rows

    def failing(table, *args):
        if "BOEM" in table.frame.to_csv():
            raise RuntimeError(f"cel met {SECRET}")  # a message that quotes the file
        return real(table, *args)

    monkeypatch.setattr(ingest_jgt, "canonical_rows", failing)
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.csv", "unexpected_error")
    assert "(RuntimeError)" in reden and SECRET not in stored_text(warehouse)


def test_jgt_a_file_that_breaks_the_judging_is_refused_and_its_batch_loads(
    warehouse, jgt_inbox, pseudonymise, monkeypatch
):
    (jgt_inbox / "ZTW_2025-02.csv").write_bytes(export_csv(registratie="BOEM"))
    real = ingest_jgt.jgt_checks

    def failing(frame, *args):
        if frame["registratie_id"].str.startswith("BOEM").any():
            raise ValueError(SECRET)
        return real(frame, *args)

    monkeypatch.setattr(ingest_jgt, "jgt_checks", failing)
    reden = check_jgt(warehouse, jgt_inbox, pseudonymise, "ZTW_2025-02.csv", "unexpected_error")
    assert "(ValueError)" in reden and SECRET not in stored_text(warehouse)


# -- iJw -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def ijw_inbox(tmp_path) -> Path:
    inbox = tmp_path / "ijw"
    for relative, fixture in ((DECLARATIE, "jw323_credit_correction.xml"), (TOEWIJZING, "jw301_snapshot.xml")):
        (inbox / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, inbox / relative)
    return inbox


GOOD_IJW = {DECLARATIE: 3, TOEWIJZING: 1}


def check_ijw(engine, inbox, pseudonymise, bad: str, code: str) -> str:
    return assert_boundary(engine, inbox, pseudonymise, ijw_run, bad, code, GOOD_IJW)


def test_ijw_symlink_out_of_the_inbox_is_refused_unread(warehouse, ijw_inbox, tmp_path, pseudonymise):
    outside = tmp_path / "elders.xml"
    outside.write_text((FIXTURES / "jw301_snapshot.xml").read_text().replace("T202503001", SECRET))
    (ijw_inbox / "2025-06").mkdir()
    (ijw_inbox / "2025-06" / "JW301_gelinkt.xml").symlink_to(outside)
    check_ijw(warehouse, ijw_inbox, pseudonymise, "2025-06/JW301_gelinkt.xml", "inbox_symlink")
    assert SECRET not in stored_text(warehouse)


def test_ijw_fifo_is_refused(warehouse, ijw_inbox, pseudonymise):
    os.mkfifo(ijw_inbox / "JW323_pijp.xml")
    check_ijw(warehouse, ijw_inbox, pseudonymise, "JW323_pijp.xml", "inbox_not_a_file")


def test_ijw_undecodable_folder_name_is_refused_and_the_rest_loads(warehouse, ijw_inbox, pseudonymise):
    folder = os.path.join(os.fsencode(ijw_inbox), b"2025-\xe9t\xe9")
    os.mkdir(folder)
    shutil.copy(FIXTURES / "jw301_snapshot.xml", os.path.join(folder, b"JW301_x.xml"))
    check_ijw(warehouse, ijw_inbox, pseudonymise, "2025-\\xe9t\\xe9", "inbox_name_invalid")


def xxe(secret_file: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "file://{secret_file}">]>\n'
        f"<jw323:Bericht {NS}><jw323:Header><jw323:Afzender>&x;</jw323:Afzender></jw323:Header>"
        f"</jw323:Bericht>"
    ).encode()


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
        f"<jw323:Bericht {NS}><jw323:Header><jw323:Afzender>&lol9;</jw323:Afzender></jw323:Header>"
        f"</jw323:Bericht>"
    ).encode()


def doctype_after_comments() -> bytes:  # past the first 4 kB that the sniff looks at as bytes
    return (
        f'<?xml version="1.0"?><!--{"x" * 5000}--><!DOCTYPE jw323:Bericht [<!ENTITY a "b">]>'
        f"<jw323:Bericht {NS}><jw323:Header/></jw323:Bericht>"
    ).encode()


def deep_nesting() -> bytes:
    return (
        f'<?xml version="1.0"?><jw323:Bericht {NS}>{"<jw323:a>" * 5000}{"</jw323:a>" * 5000}</jw323:Bericht>'.encode()
    )


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (billion_laughs, "xml_doctype"),
        (doctype_after_comments, "xml_doctype"),
        (deep_nesting, "not_well_formed"),
        (lambda: random.Random(18).randbytes(5000), "not_well_formed"),
    ],
)
def test_ijw_hostile_xml_is_refused(warehouse, ijw_inbox, pseudonymise, make, code):
    (ijw_inbox / "JW323_vijandig.xml").write_bytes(make())
    check_ijw(warehouse, ijw_inbox, pseudonymise, "JW323_vijandig.xml", code)


def test_ijw_external_entity_is_refused_and_not_read(warehouse, ijw_inbox, tmp_path, pseudonymise):
    secret_file = tmp_path / "geheim.txt"
    secret_file.write_text(SECRET)
    (ijw_inbox / "JW323_xxe.xml").write_bytes(xxe(secret_file))
    reden = check_ijw(warehouse, ijw_inbox, pseudonymise, "JW323_xxe.xml", "xml_doctype")
    assert "DOCTYPE" in reden and SECRET not in stored_text(warehouse)


def test_ijw_file_over_the_cap_is_refused_on_the_bytes_read(warehouse, ijw_inbox, pseudonymise, monkeypatch):
    """A file that grew past the cap after discovery saw it small: the cap counts what is read, not the stat."""
    monkeypatch.setattr(ingest_ijw, "MAX_FILE_BYTES", 10_000)
    path = ijw_inbox / "JW323_groeit.xml"
    path.write_bytes(b"<a/>")
    stat = path.stat()
    path.write_bytes(b"<a>" + b" " * 20_000 + b"</a>")
    seen_small = Delivery(str(path), path.name, None, stat.st_size, meta.now())
    parsed = ingest_ijw.parse_file(seen_small, pseudonymise)
    assert parsed.refused.reason_code == "file_too_large" and "meer dan" in parsed.refused.reden
    assert parsed.delivery.sha256  # an identity to record it by, although it was not read whole


def test_ijw_any_error_in_one_file_refuses_that_file_by_its_type_only(warehouse, ijw_inbox, pseudonymise, monkeypatch):
    shutil.copy(FIXTURES / "jw323_credit_correction.xml", ijw_inbox / "JW323_boem.xml")
    (ijw_inbox / "JW323_boem.xml").write_text((ijw_inbox / "JW323_boem.xml").read_text() + "<!-- boem -->")
    real = ingest_ijw.parse_message

    def failing(stream, *args):
        if b"boem" in stream.getvalue():
            raise KeyError(SECRET)
        return real(stream, *args)

    monkeypatch.setattr(ingest_ijw, "parse_message", failing)
    reden = check_ijw(warehouse, ijw_inbox, pseudonymise, "JW323_boem.xml", "unexpected_error")
    assert "(KeyError)" in reden and SECRET not in stored_text(warehouse)


def test_ijw_parsers_load_no_dtd_and_resolve_no_entity_from_a_file_or_the_network(tmp_path, pseudonymise):
    """Beneath the sniff's DOCTYPE refusal, the parsers themselves (message.SAFE_PARSING) load no external DTD
    (load_dtd=False: the broken one would be a syntax error), put no entity's text in a row (resolve_entities=False:
    the local file's secret) and fetch nothing (no_network=True; the libxml2 that lxml 5 bundles has no HTTP client
    at all, so this part guards against a build that has one)."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f'<!ENTITY net "{SECRET}">'.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        secret_file = tmp_path / "geheim.txt"
        secret_file.write_text(SECRET)
        broken_dtd = tmp_path / "kapot.dtd"  # loading it would be a syntax error
        broken_dtd.write_text("<!ENTITY kapot ")
        doctype = (
            f'<!DOCTYPE jw323:Bericht SYSTEM "file://{broken_dtd}" [<!ENTITY lokaal SYSTEM '
            f'"file://{secret_file}"><!ENTITY web SYSTEM "{url}/entiteit">]>\n'
        )
        golden = (FIXTURES / "jw323_credit_correction.xml").read_text()
        message = (
            golden.replace("<!-- Hand-written", doctype + "<!-- Hand-written", 1)
            .replace("P2025-000412", "&lokaal;&web;")
            .encode()
        )
        rows = [chunk.rows for chunk in parse_message(io.BytesIO(message), SPECS["JW323"], pseudonymise)]
        assert rows and SECRET not in str(rows)
        schema = etree.XMLSchema(
            etree.XML(b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="x"/></xs:schema>')
        )
        with pytest.raises(read.FileRejected):  # parsed, then judged by a schema it does not meet
            xsd.validate(io.BytesIO(message), schema)
        assert requests == []
    finally:
        server.shutdown()
        server.server_close()


def test_ijw_parser_keeps_libxml2s_depth_limit():
    """huge_tree=False: a message nested deeper than libxml2's limit is a syntax error, not a stack of 5,000."""
    with pytest.raises(read.FileRejected) as refused:
        list(parse_message(io.BytesIO(deep_nesting()), SPECS["JW323"], str))
    assert refused.value.rejection.reason_code == "not_well_formed"
