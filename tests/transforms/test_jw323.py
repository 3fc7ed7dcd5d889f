"""The JW323 parser on hand-written files: golden rows, quarantine of bad lines, refusal of broken files."""

import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from jeugdmonitor.transforms.ijw.jw323 import jw323_frame, parse_jw323
from jeugdmonitor.transforms.ijw.message import kind_from_namespace, sniff_message
from jeugdmonitor.transforms.ijw.records import Field, MessageSpec
from jeugdmonitor.transforms.reasons import FileRejected

from jeugdmonitor.ijw.rules import _frame

GOLDEN = Path(__file__).parents[1] / "fixtures" / "ijw" / "jw323_credit_correction.xml"


def fake_pseudonym(bsn: str) -> str:
    return f"pseudo-{bsn[::-1]}"


def parse(data: bytes, chunk_size: int = 5000):
    chunks = list(parse_jw323(io.BytesIO(data), fake_pseudonym, chunk_size))
    rows = jw323_frame([row for c in chunks for row in c.rows])
    return rows, [r for c in chunks for r in c.rejections], chunks


def test_golden_file_rows_are_typed_signed_and_pseudonymised():
    rows, rejections, _ = parse(GOLDEN.read_bytes())
    assert rows["referentie_nummer"].tolist() == ["P2025-000412", "P2025-000413", "P2025-000414"]
    assert rows["bedrag"].tolist() == [59100, -49250, 59100]
    assert rows["bedrag"].sum() == 68950  # the net total of the client in the iJw reference example
    assert rows["vorig_referentie_nummer"].isna().tolist() == [True, False, True]
    assert rows["vorig_referentie_nummer"][1] == "P2025-000301"
    assert rows["line"].tolist() == [36, 55, 75]
    first = rows.iloc[0]
    assert first["gemeentecode"] == "GM0546"
    assert first["aanbieder_agb"] == "12345678"
    assert first["bericht_identificatie"] == "DCL202505007"
    assert first["declaratie_periode_begin"] == date(2025, 4, 1)
    assert first["product_periode_eind"] == date(2025, 4, 30)
    assert first["toewijzing_nummer"] == 300201
    assert first["client_pseudonym"] == "pseudo-600009999"
    assert not rows.astype(str).apply(lambda col: col.str.contains("999900006")).any().any()
    assert len(rejections) == 1


def test_invalid_bsn_quarantines_each_line_of_that_client_with_a_masked_value():
    _, rejections, chunks = parse(GOLDEN.read_bytes())
    (bad,) = rejections
    # the key loses its digits too: ten digits in two groups could hide a BSN or a date; the line finds the record
    assert (bad.reason_code, bad.line, bad.record_key, bad.field) == ("bsn_invalid", 99, "P####-######", "Bsn")
    assert bad.value_masked == "#########"
    assert "elfproef" in bad.reden
    assert sum(c.lines_read for c in chunks) == 4


def test_comments_and_processing_instructions_inside_records_are_not_fields():
    text = GOLDEN.read_text(encoding="utf-8")
    text = text.replace("<jw323:ProductPeriode>", "<jw323:ProductPeriode><!-- periode --><?tool note?>")
    text = text.replace("<jw323:GeleverdVolume>", "<!-- volume --><jw323:GeleverdVolume>")
    assert text.count("<!-- volume -->") == text.count("<jw323:Prestatie>") > 1
    rows, rejections, _ = parse(text.encode("utf-8"))
    golden_rows, golden_rejections, _ = parse(GOLDEN.read_bytes())
    pd.testing.assert_frame_equal(rows.drop(columns="line"), golden_rows.drop(columns="line"))
    assert rejections == golden_rejections


def test_chunks_bound_memory_and_add_up_to_the_same_rows():
    small_rows, _, chunks = parse(GOLDEN.read_bytes(), chunk_size=2)
    assert [c.lines_read for c in chunks] == [2, 2]
    all_rows, _, _ = parse(GOLDEN.read_bytes())
    pd.testing.assert_frame_equal(small_rows, all_rows)


def replace(old: str, new: str, count: int = 1) -> bytes:
    return GOLDEN.read_text(encoding="utf-8").replace(old, new, count).encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "reason", "field"),
    [
        (
            "<ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      </jw323:ProductPeriode>",
            "<ijw:Einddatum>2025-03-30</ijw:Einddatum>\n      </jw323:ProductPeriode>",
            "period_reversed",
            "ProductPeriode",
        ),
        (
            "<ijw:Begindatum>2025-04-01</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "<ijw:Begindatum>2025-04-01+02:00</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n   "
            "   </jw323:ProductPeriode>",
            "date_timezone",
            "ProductPeriode/Begindatum",
        ),
        (
            "<jw323:GeleverdVolume>6</jw323:GeleverdVolume>",
            "<jw323:GeleverdVolume>6,5</jw323:GeleverdVolume>",
            "number_invalid",
            "GeleverdVolume",
        ),
        (
            "<ijw:DebetCredit>D</ijw:DebetCredit>\n      </jw323:IngediendBedrag>",
            "<ijw:DebetCredit>X</ijw:DebetCredit>\n      </jw323:IngediendBedrag>",
            "code_invalid",
            "IngediendBedrag/DebetCredit",
        ),
        ("<jw323:ToewijzingNummer>300201</jw323:ToewijzingNummer>", "", "missing_field", "ToewijzingNummer"),
        # digits of another script: str.isdigit() holds and int() would take them
        (
            "<jw323:GeleverdVolume>6</jw323:GeleverdVolume>",
            "<jw323:GeleverdVolume>\u0666</jw323:GeleverdVolume>",
            "number_invalid",
            "GeleverdVolume",
        ),
        (
            "<jw323:GeleverdVolume>6</jw323:GeleverdVolume>",
            "<jw323:GeleverdVolume>\u00b2</jw323:GeleverdVolume>",
            "number_invalid",
            "GeleverdVolume",
        ),
        (
            "<ijw:Begindatum>2025-04-01</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "<ijw:Begindatum>2025-04-31</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "date_invalid",
            "ProductPeriode/Begindatum",
        ),
        (
            "<ijw:Begindatum>2025-04-01</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "<ijw:Begindatum>2025-4-1</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "date_invalid",
            "ProductPeriode/Begindatum",
        ),
        (
            "<ijw:Begindatum>2025-04-01</ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "<ijw:Begindatum></ijw:Begindatum>\n       <ijw:Einddatum>2025-04-30</ijw:Einddatum>\n      "
            "</jw323:ProductPeriode>",
            "missing_field",
            "ProductPeriode/Begindatum",
        ),
    ],
)
def test_one_bad_line_is_quarantined_and_the_rest_loads(old, new, reason, field):
    rows, rejections, _ = parse(replace(old, new))
    assert len(rows) == 2
    first_bad = [r for r in rejections if r.reason_code != "bsn_invalid"]
    assert [(r.reason_code, r.field, r.line, r.record_key) for r in first_bad] == [(reason, field, 36, "P####-######")]
    assert "P2025-000412" not in rows["referentie_nummer"].tolist()


def test_truncated_file_is_refused_whole_with_the_line():
    data = GOLDEN.read_bytes()[:3000]
    with pytest.raises(FileRejected) as refused:
        parse(data)
    assert refused.value.rejection.reason_code == "not_well_formed"
    assert refused.value.rejection.line is not None


@pytest.mark.parametrize("data", [b"", b"   \n"])
def test_empty_file_is_refused(data):
    with pytest.raises(FileRejected) as refused:
        parse(data)
    assert refused.value.rejection.reason_code == "empty_file"
    with pytest.raises(FileRejected):
        sniff_message(io.BytesIO(data))


def test_utf8_bom_is_read():
    rows, _, _ = parse(b"\xef\xbb\xbf" + GOLDEN.read_bytes())
    assert len(rows) == 3


def test_cp1252_bytes_in_a_utf8_file_are_refused_as_not_well_formed():
    data = GOLDEN.read_bytes().replace(b"<!-- Hand-written", "<!-- Hand-wrïtten".encode("cp1252"))
    with pytest.raises(FileRejected) as refused:
        parse(data)
    assert refused.value.rejection.reason_code == "not_well_formed"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<?xml version="1.0"?><Bericht xmlns="urn:other:standard"/>', "unknown_message"),
        (
            b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            "unknown_message",
        ),
        (
            b'<?xml version="1.0"?><Bericht xmlns="http://www.istandaarden.nl/ijw/3_1/jw323/schema"/>',
            "unsupported_version",
        ),
        (b'<?xml version="1.0"?><Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema"/>', "unknown_message"),
    ],
)
def test_foreign_or_other_messages_are_not_read_as_jw323(data, reason):
    with pytest.raises(FileRejected) as refused:
        parse(data)
    assert refused.value.rejection.reason_code == reason


def test_sniff_recognises_message_and_release_from_the_namespace():
    kind = sniff_message(io.BytesIO(GOLDEN.read_bytes()))
    assert (kind.code, kind.release) == ("JW323", "3.2")
    assert kind.basis_namespace == "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"


def test_bad_header_refuses_the_file():
    with pytest.raises(FileRejected) as refused:
        parse(replace("<jw323:Ontvanger>0546</jw323:Ontvanger>", "<jw323:Ontvanger>546</jw323:Ontvanger>"))
    assert refused.value.rejection.reason_code == "header_invalid"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw323/schema"/>',
        b'\xef\xbb\xbf<Bericht xmlns:x="urn:x" xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema"></Bericht>',
        b'<jw:Bericht xmlns="urn:other" xmlns:jw="http://www.istandaarden.nl/ijw/3_2/jw305/schema"></jw:Bericht>',
        b"<?xml version='1.0'?><!-- first --><Bericht xmlns='http://www.istandaarden.nl/ijw/3_2/jw307/schema'/>",
        b'<Bericht xmlns:jw="http://www.istandaarden.nl/ijw/3_2/jw323/schema"/>',  # the root is in no namespace
        b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_3/jw323/schema"/>',  # a release not supported yet
    ],
)
def test_the_byte_level_sniff_agrees_with_the_xml_parser(data):
    from lxml import etree

    root = etree.fromstring(data.removeprefix(b"\xef\xbb\xbf"))
    try:
        expected = kind_from_namespace(etree.QName(root).namespace)
    except FileRejected as rejected:
        with pytest.raises(FileRejected) as raised:
            sniff_message(io.BytesIO(data))
        assert raised.value.rejection.reason_code == rejected.rejection.reason_code
        return
    assert sniff_message(io.BytesIO(data)) == expected


def test_rules_frame_keys_every_row_by_its_file_and_position_also_past_files_without_rows():
    rows = [row for c in parse_jw323(io.BytesIO(GOLDEN.read_bytes()), fake_pseudonym) for row in c.rows]
    files = [SimpleNamespace(rows=rows[:2]), SimpleNamespace(rows=[]), SimpleNamespace(rows=rows[:3])]
    frame = _frame(files)
    assert frame["file_key"].tolist() == [0, 0, 2, 2, 2]
    assert frame["row_position"].tolist() == [0, 1, 0, 1, 2]
    assert frame["referentie_nummer"].tolist() == [r["referentie_nummer"] for r in rows[:2] + rows[:3]]
    assert _frame([SimpleNamespace(rows=[])]).empty


def test_a_spec_must_list_client_and_context_fields_before_the_records_own():
    fields = (
        Field("referentie_nummer", "ProductReferentie/ReferentieNummer"),
        Field("declaratie_nummer", "DeclaratieNummer", source="context"),
    )
    with pytest.raises(ValueError, match="must come before"):
        MessageSpec(code="JW323", record="Prestatie", gemeente_sends=False, fields=fields, key="ReferentieNummer")
    assert (
        MessageSpec(
            code="JW323", record="Prestatie", gemeente_sends=False, fields=fields[::-1], key="ReferentieNummer"
        ).record_plan[0][0]
        == "referentie_nummer"
    )
