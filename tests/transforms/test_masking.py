"""The one masker (transforms/masking.py) and the reasons that must not quote a file."""

import pytest
from jeugdmonitor.transforms.ijw.message import syntax_rejection
from jeugdmonitor.transforms.masking import masked
from jeugdmonitor.transforms.reasons import Rejection, rejection
from lxml import etree


@pytest.mark.parametrize(
    "value, shown",
    [
        ("999900006", "#########"),  # a BSN
        ("99990000", "########"),  # one digit short (a leading zero lost in Excel)
        ("999 900 006", "### ### ###"),
        ("9-9-9-9-0-0-0-0-6", "#-#-#-#-#-#-#-#-#"),
        ("2011-04-03", "####-##-##"),
        ("03-04-2011", "##-##-####"),
        ("3-4-11", "#-#-##"),
        ("03042011", "########"),
        ("3 april 2011", "# april ####"),
        ("٩٩٩٩٠٠٠٠٦", "#########"),  # Arabic-Indic digits are digits too
        ("P2025-000412", "P####-######"),  # a long key loses its digits: the file and line find the record
        ("export_999900006.csv", "export_#########.csv"),
        ("GM0546", "GM0546"),  # short codes stay readable
        ("ZTW2", "ZTW2"),
        ("-5.0", "-5.0"),
        ("JW323_a.xml", "JW323_a.xml"),
    ],
)
def test_digits_are_hidden_unless_the_value_is_a_short_code(value, shown):
    assert masked(value) == shown


def test_control_characters_are_made_visible_and_long_values_cut():
    assert masked("a\nb\x00c\x1b[31md\u202ee\tf") == "a\u240ab\u2400c\u241b[31md\ufffde f"
    assert masked("x" * 100) == "x" * 63 + "…"
    assert masked(None) is None


@pytest.mark.parametrize("value", ["999900006", "a\x1b[1mb", "x" * 100, "GM0546", "R-1001\x07"])
def test_masking_twice_changes_nothing(value):
    assert masked(masked(value)) == masked(value)


def test_a_rejection_masks_its_key_and_value_whoever_builds_it():
    direct = Rejection("bsn_invalid", "reden", 3, "999900006", "Bsn", "2011-04-03")
    built = rejection("bsn_invalid", line=3, record_key="999900006", field="Bsn", value_masked="2011-04-03")
    assert (
        (direct.record_key, direct.value_masked)
        == (built.record_key, built.value_masked)
        == ("#########", "####-##-##")
    )


def test_broken_xml_is_described_by_position_and_error_type_not_by_its_text():
    try:
        etree.fromstring(b"<Bericht><Bsn>1</GeheimX999900006></Bericht>")
    except etree.XMLSyntaxError as exc:
        refused = syntax_rejection(exc).rejection
    assert refused.reason_code == "not_well_formed" and refused.line == 1
    assert refused.reden.endswith("regel 1, kolom 35 (ERR_TAG_NAME_MISMATCH)")
    assert "Geheim" not in refused.reden and "Bsn" not in refused.reden
