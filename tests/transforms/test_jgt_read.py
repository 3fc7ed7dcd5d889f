"""Reading JGT exports: every format the generator writes, and the nasty files teams really send."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from jeugdmonitor.schemas.jgt_layouts import load_layouts, load_region_tables
from jeugdmonitor.transforms.jgt.canonical import RegionLookup, canonical_rows
from jeugdmonitor.transforms.jgt.read import read_export
from jeugdmonitor.transforms.reasons import FileRejected

from jeugdmonitor.synthetic.jgt_writer import V1_COLUMNS, V2_COLUMNS, ExportStyle
from tests.jgt_builder import bsn_for_test, expected, write_variant

LAYOUTS = load_layouts()
REGION = RegionLookup.build(load_region_tables())
FIELDS = (
    "team",
    "gemeentecode",
    "geboortejaar",
    "aanmelddatum",
    "bron_aanmelding",
    "hulpvraag",
    "datum_start_hulp",
    "afsluitdatum",
    "uitkomst",
)


def identity(bsn: str) -> str:
    return f"pseudo:{bsn}"


def canonical(data: bytes, name: str = "TEAM_2025-01.csv"):
    table = read_export(data, LAYOUTS)
    return table, canonical_rows(table, identity, REGION, name)


VARIANTS = {
    "v1-utf8": ("ALP-OOST", "GM0484", ExportStyle("v1", False, "utf-8", False, False), "utf-8"),
    "v1-bom-short-dates": ("ALP-ZUID", "GM0484", ExportStyle("v1", False, "utf-8-sig", True, False), "utf-8-sig"),
    "v1-cp1252-trailing": ("ALP-OOST", "GM0484", ExportStyle("v1", False, "cp1252", False, True), "cp1252"),
    "v2-utf8": ("ZTW", "GM0638", ExportStyle("v2", False, "utf-8", False, False), "utf-8"),
    "v2-cp1252-trailing": ("ZTW", "GM0638", ExportStyle("v2", False, "cp1252", False, True), "cp1252"),
    "v1-xlsx": ("ALP-NOORD", "GM0484", ExportStyle("v1", True, "utf-8", False, False), "xlsx"),
    "v2-xlsx": ("LEI-NOORD", "GM0546", ExportStyle("v2", True, "utf-8", False, False), "xlsx"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_generated_format_loads_exactly(variant, tmp_path):
    team, gemeente, style, encoding = VARIANTS[variant]
    path, regs = write_variant(tmp_path, team, gemeente, style)
    table, result = canonical(path.read_bytes(), path.name)
    assert table.encoding == encoding and table.layout.name == style.layout
    assert result.rejections == []
    want = expected(regs, team, gemeente, date(2025, 1, 31))
    got = [{f: r[f] for f in FIELDS} | {"bsn": r["client_pseudonym"].removeprefix("pseudo:")} for r in result.rows]
    assert got == want
    assert [r["line"] for r in result.rows] == list(
        range(3 if style.xlsx else 2, 3 + len(want) - (0 if style.xlsx else 1))
    )
    assert {r["export_maand"] for r in result.rows} == {date(2025, 1, 1)}
    assert all("bsn" not in r and "geboortedatum" not in r for r in result.rows)  # never kept


def test_mixed_encoding_keeps_both_right():
    bsn = bsn_for_test(0)
    header = ";".join(V1_COLUMNS)
    utf8 = f"R-1;{bsn};01-02-2015;Leiden;JGT Leiden Noord;03-01-2025;School;Overig (o.a. financiële zorgen);;;"
    cp = f"R-2;{bsn};01-02-2015;Leiden;JGT Leiden Noord;04-01-2025;School;Overig (o.a. financiële zorgen);;;"
    data = (header + "\r\n" + utf8 + "\r\n").encode("utf-8") + (cp + "\r\n").encode("cp1252")
    table, result = canonical(data)
    assert table.encoding == "mixed (utf-8/cp1252)"
    assert [r["hulpvraag"] for r in result.rows] == ["overig", "overig"] and result.rejections == []


def test_cp1252_file_is_not_mistaken_for_utf8():
    bsn = bsn_for_test(1)
    text = (
        ";".join(V2_COLUMNS) + f"\r\n{bsn};D1;01-02-2015;0546;LEI-NOORD;03-01-2025 10:00;zelf;overig;;"
        f"28-01-2025;beëindigd zonder vervolg\r\n"
    )
    table, result = canonical(text.encode("cp1252"))
    assert table.encoding == "cp1252"
    assert result.rows[0]["uitkomst"] == "afgesloten_zonder_vervolg"


def test_quoted_separator_header_on_line_3_and_comma_delimiter():
    bsn = bsn_for_test(2)
    lines = [
        "Export registraties JGT Leiden,,,",
        "gemaakt op 01-02-2025,,,",
        ",".join(V1_COLUMNS),
        f'R-7,{bsn},1-2-2015,"Leiden",JGT Leiden Noord,3-1-2025,"Politie/Veilig Thuis","Overig",,,',
        f'"R-8",{bsn},01-02-2015,Leiden,JGT Leiden Noord,"04-01-2025 09:15",Huisarts,Opvoeding ,,,',
    ]
    table, result = canonical("\n".join(lines).encode("utf-8"))
    assert (table.delimiter, table.header_line) == (",", 3)
    assert [(r["line"], r["registratie_id"]) for r in result.rows] == [(4, "R-7"), (5, "R-8")]
    assert [r["bron_aanmelding"] for r in result.rows] == ["politie/veilig thuis", "huisarts"]


def test_semicolon_inside_quotes():
    bsn = bsn_for_test(3)
    row = f'"R;9";{bsn};01-02-2015;"Leiden";"JGT Leiden Noord";03-01-2025;School;"Overig (o.a. financiële zorgen)";;;'
    table, result = canonical((";".join(V1_COLUMNS) + "\n" + row + "\n").encode("utf-8"))
    assert table.delimiter == ";"
    assert [r["registratie_id"] for r in result.rows] == ["R;9"] and result.rejections == []


def test_xlsx_with_merged_title_and_empty_first_sheet():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Leeg"
    ws = wb.create_sheet("Registraties")
    ws.append(["Registraties JGT Zoeterwoude - januari 2025"])
    ws.merge_cells("A1:K1")
    ws.append([])
    ws.append(list(V2_COLUMNS))
    ws.append(
        [
            int(bsn_for_test(4)),
            "D-1",
            datetime(2012, 5, 1),
            638,
            "ZTW",
            datetime(2025, 1, 6, 10, 30),
            "huisarts",
            "ontwikkeling",
            datetime(2025, 1, 9),
            None,
            None,
        ]
    )
    ws.append(
        [bsn_for_test(5), "D-2", "01-05-2013", "0638", "ZTW ", "07-01-2025 11:00", "zelf", "overig", None, None, None]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    table, result = canonical(buffer.getvalue(), "export.xlsx")
    assert (table.encoding, table.header_line, table.layout.name) == ("xlsx", 3, "v2")
    assert [(r["line"], r["registratie_id"], r["gemeentecode"], r["team"]) for r in result.rows] == [
        (4, "D-1", "GM0638", "ZTW"),
        (5, "D-2", "GM0638", "ZTW"),
    ]
    assert result.rows[0]["aanmelddatum"] == date(2025, 1, 6)
    assert result.rows[0]["export_maand"] == date(2025, 1, 1)  # from the title row


def test_unknown_layout_is_refused_naming_the_columns():
    header = (
        "Registratienummer;BSN;Geboortedatum;Woonplaats;Team;Datum aanmelding;Bron aanmelding;Hulpvraag;"
        "Datum start hulp;Datum afsluiting;Uitkomst;Casemanager"
    )
    with pytest.raises(FileRejected) as refused:
        read_export((header + "\nR-1;;;;;;;;;;;\n").encode("utf-8"), LAYOUTS)
    rejection = refused.value.rejection
    assert rejection.reason_code == "layout_unknown"
    assert "geen bekende JGT-indeling" in rejection.reden
    assert "ontbrekende kolommen: Gemeente" in rejection.reden
    # the unknown cells are counted, not named: without its header the row holds a youth's data
    assert "2 kolommen met een onbekende naam" in rejection.reden
    assert "Woonplaats" not in rejection.reden and "Casemanager" not in rejection.reden


def test_empty_file_is_refused():
    with pytest.raises(FileRejected) as refused:
        read_export(b"  \r\n", LAYOUTS)
    assert refused.value.rejection.reason_code == "empty_file"


def test_gemeente_names_codes_and_herindeling():
    assert REGION.gemeentecode("Alphen aan den Rijn ") == "GM0484"
    assert REGION.gemeentecode("0638") == REGION.gemeentecode("638") == REGION.gemeentecode("GM0638") == "GM0638"
    assert REGION.gemeentecode("GM0576") == REGION.gemeentecode("Noordwijkerhout") == "GM0575"
    assert REGION.gemeentecode("Atlantis") is None


def test_bad_cells_reject_their_row_with_line_and_field():
    good, bad = bsn_for_test(6), bsn_for_test(7)[:-1] + str((int(bsn_for_test(7)[-1]) + 1) % 10)
    lines = [
        ";".join(V1_COLUMNS),
        f"R-1;{bad};01-02-2015;Leiden;JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",
        f"R-2;{good};01-02-2015;Leiden;JGT Leiden Noord;31-02-2025;School;Opvoeding;;;",
        f"R-3;{good};01-02-2015;Leiden;JGT Leiden Noord;03-01-2025;Buurtcentrum;Opvoeding;;;",
        f"R-4;{good};01-02-2015;Leiden;JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",
    ]
    _, result = canonical("\n".join(lines).encode("utf-8"))
    got = [(r.line, r.reason_code, r.field) for r in result.rejections]
    assert got == [
        (2, "bsn_invalid", "BSN"),
        (3, "jgt_date_invalid", "Datum aanmelding"),
        (4, "code_invalid", "Bron aanmelding"),
    ]
    assert bad not in str(result.rejections) and result.rejections[0].value_masked == "#########"
    assert [r["registratie_id"] for r in result.rows] == ["R-4"]
