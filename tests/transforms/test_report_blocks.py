"""The report's page blocks and charts (transforms/report): pure, frames in and HTML/SVG out. A suppressed or
undelivered cell is shown as what it is, never as 0, and the quarter or year row stands where a month is hidden."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
from jeugdmonitor.transforms.report import blocks, svg
from jeugdmonitor.transforms.report.page import SECTIONS, Page, gemeente_page


def aanmeldingen_rows() -> pd.DataFrame:
    rows = []
    for month, (a, b, total, levering_b) in {
        1: (12, 15, 27, "geleverd"),
        2: (None, 20, None, "geleverd"),  # team a suppressed, the total with it
        3: (None, None, None, "niet_geleverd"),  # team a suppressed, team b sent no export
    }.items():
        for team, count, levering in (("a", a, "geleverd"), ("b", b, levering_b), ("totaal", total, None)):
            rows.append(
                {
                    "gemeentecode": "GM0546",
                    "team": team,
                    "team_naam": {"a": "Team Noord", "b": "Team Zuid", "totaal": "hele gemeente"}[team],
                    "maand": date(2025, month, 1),
                    "periode_type": "maand",
                    "periode": f"2025MM{month:02d}",
                    "periode_volledig": True,
                    "aantal_aanmeldingen": count,
                    "aantal_jeugdigen": count,
                    "levering": levering or ("onvolledig" if levering_b == "niet_geleverd" else "geleverd"),
                    "onderdrukt": count is None and levering != "niet_geleverd",
                }
            )
    for team, count in (("a", 38), ("b", 35), ("totaal", 73)):
        rows.append(
            {
                "gemeentecode": "GM0546",
                "team": team,
                "team_naam": {"a": "Team Noord", "b": "Team Zuid", "totaal": "hele gemeente"}[team],
                "maand": date(2025, 1, 1),
                "periode_type": "kwartaal",
                "periode": "2025KW01",
                "periode_volledig": True,
                "aantal_aanmeldingen": count,
                "aantal_jeugdigen": count,
                "levering": "geleverd" if team == "a" else "onvolledig",
                "onderdrukt": False,
            }
        )
    return pd.DataFrame(rows)


def test_suppressed_and_undelivered_cells_show_why_never_zero():
    html = blocks.aanmeldingen(aanmeldingen_rows())
    cells = re.findall(r'<td class="leeg ([a-z-]+)">([^<]+)</td>', html)
    assert ("onderdrukt", "onderdrukt") in cells
    assert ("niet-geleverd", "niet geleverd") in cells
    assert 'data-aantal="0"' not in html
    # the quarter row is there beside the months: it shows what a hidden month no longer hides
    assert "K1 2025" in html and 'data-aantal="73"' in html


def test_a_missing_bar_is_hatched_with_its_reason_and_has_no_height_of_zero():
    chart = svg.bar_chart(
        "t", "test", ["jan", "feb"], [svg.Series("x", [12.0, None], ["", "onderdrukt"])], target=20, target_label="doel"
    )
    assert chart.count('class="mark"') == 1 and 'class="mark leeg"' in chart and 'class="mark doel"' in chart
    assert ">onderdrukt<" in chart and 'fill="url(#t-h)"' in chart
    assert 'height="0.0"' not in chart


def test_a_line_breaks_at_a_gap_and_marks_it():
    chart = svg.line_chart(
        "t", "test", ["a", "b", "c", "d"], [svg.Series("x", [1.0, 2.0, None, 4.0], ["", "", "niet geleverd"])]
    )
    assert chart.count("<polyline") == 1  # a, b joined; d stands alone after the gap
    assert "c: niet geleverd" in chart


def test_a_gemeente_page_has_every_section_of_the_contract_and_links_definitions_inside_the_site():
    empty = pd.DataFrame({"periode_type": [], "maand": [], "team": [], "levering": []})
    frames = {
        name: empty
        for name in (
            "jeugdhulpgebruik",
            "verwijspercentage",
            "verwijzingen",
            "doorlooptijd",
            "doorlooptijd_aanbieder",
            "doorlooptijd_keten",
            "kosten",
            "scorecard",
        )
    }
    frames["aanmeldingen"] = aanmeldingen_rows()
    for name in ("ots", "uithuisplaatsingen", "cbs_vergelijking"):
        frames[name] = pd.DataFrame(
            {"periode_type": [], "bron": [], "vorm": [], "periode_start": [], "periode_eind": [], "periode": []}
        )
    html = gemeente_page(Page("GM0546", "Leiden", "Holland Rijnland", frames, None))
    assert re.findall(r'<section id="([a-z]+)"', html) == list(SECTIONS)
    assert set(re.findall(r'href="([^"#]*)#?', html)) <= {"../definities.html", "../index.html", "GM0546.xlsx", ""}
    assert "://" not in html and "<script" not in html and "src=" not in html  # nothing from a network


def test_the_aanmeldingen_chart_has_a_line_per_team_over_every_month():
    chart = blocks.aanmeldingen(aanmeldingen_rows()).split("<svg")[1].split("</svg>")[0]
    points = re.findall(r"<title>(Team [A-Za-z]+), ([a-z]+ 2025): ", chart)
    # Team Noord: January (12) only, February and March hidden; Team Zuid: January and February, March undelivered
    assert sorted(points) == [("Team Noord", "jan 2025"), ("Team Zuid", "feb 2025"), ("Team Zuid", "jan 2025")]
    assert "mrt 2025: niet geleverd, onderdrukt" in chart
