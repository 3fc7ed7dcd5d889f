"""The fixture server's $filter subset: exact (padded) comparison, startswith, and/or with parentheses."""

from __future__ import annotations

import pytest

from jeugdmonitor.cbs.odata_filter import FilterError, parse_filter

ROWS = [
    {"RegioS": "NL01  ", "Perioden": "2023JJ00"},
    {"RegioS": "GM0546", "Perioden": "2023JJ00"},
    {"RegioS": "GM0546", "Perioden": "2024HJ01"},
    {"RegioS": "JZ18  ", "Perioden": "2024HJ01"},
    {"RegioS": "GM0547", "Perioden": "2024HJ02"},
]
FIELDS = ["RegioS", "Perioden"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RegioS eq 'NL01  '", [0]),
        ("RegioS eq 'NL01'", []),  # v3 compares the padded key exactly
        ("startswith(RegioS,'GM')", [1, 2, 4]),
        ("startswith(RegioS,'GM') and (Perioden eq '2023JJ00' or Perioden eq '2024HJ01')", [1, 2]),
        ("startswith(RegioS,'GM') and Perioden eq '2023JJ00' or Perioden eq '2024HJ01'", [1, 2, 3]),  # and first
        ("(RegioS eq 'JZ18  ') or (Perioden ge '2024HJ02')", [3, 4]),
        ("Perioden ne '2023JJ00'", [2, 3, 4]),
    ],
)
def test_filter_selects(text, expected):
    predicate = parse_filter(text, FIELDS)
    assert [i for i, row in enumerate(ROWS) if predicate(row)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "substringof('JJ',Perioden)",
        "Onbekend eq 'x'",
        "RegioS eq",
        "(RegioS eq 'NL01  '",
        "RegioS like 'G'",
        "RegioS eq 'GM0546' extra",
    ],
)
def test_unsupported_filters_are_refused(text):
    with pytest.raises(FilterError):
        parse_filter(text, FIELDS)


def test_quotes_inside_strings():
    predicate = parse_filter("Title eq 'Regio''s'", ["Title"])
    assert predicate({"Title": "Regio's"}) and not predicate({"Title": "Regios"})
