"""JGT test data as code: registrations with test BSNs (9999xxxxx) written by the generator's own JGT writer, and
hand-made nasty files. No file in the repository holds a BSN outside the test range."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from jeugdmonitor.transforms.bsn import bsn_check_digit

from jeugdmonitor.synthetic.jgt_writer import ExportStyle, build_export, write_export
from jeugdmonitor.synthetic.regions import holland_rijnland
from jeugdmonitor.synthetic.world import Registration, Youth

UITKOMST = {
    "zonder_vervolg": "afgesloten_zonder_vervolg",
    "specialistisch": "doorverwezen_specialistisch",
    "voorliggend_veld": "doorverwezen_voorliggend_veld",
    None: None,
}
HULPVRAAG = {
    "psychisch": "psychisch",
    "opvoeding": "opvoeding",
    "school": "school",
    "overig": "overig",
    "ontwikkeling": "ontwikkeling",
    "veiligheid": "veiligheid",
}


def bsn_for_test(n: int) -> str:
    """The n-th valid BSN of the test range 9999xxxxx."""
    found = 0
    for k in range(10_000):
        first = f"9999{k:04d}"
        digit = bsn_check_digit(first)
        if digit is not None:
            if found == n:
                return f"{first}{digit}"
            found += 1
    raise ValueError(n)


def gemeente(code: str):
    return next(g for g in holland_rijnland().gemeenten if g.code == code)


def registrations(team, n: int = 4) -> list[Registration]:
    """Open, started, closed (with each uitkomst) and withdrawn registrations of `team`, all shown in Jan 2025."""
    plans = [  # aanmelddatum, start, afsluiting, uitkomst, bron, hulpvraag
        (date(2024, 11, 4), date(2024, 12, 2), None, None, "huisarts", "psychisch"),
        (date(2024, 12, 16), None, None, None, "zelf", "opvoeding"),
        (date(2024, 9, 30), date(2024, 10, 14), date(2025, 1, 20), "specialistisch", "politie/veilig thuis", "overig"),
        (date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 28), "voorliggend_veld", "jgz", "school"),
        (date(2024, 12, 1), None, date(2025, 1, 2), "zonder_vervolg", "overig", "veiligheid"),
    ]
    out = []
    for i, (aanmeld, start, eind, uitkomst, bron, hulpvraag) in enumerate(plans[:n]):
        youth = Youth(bsn_for_test(i), date(2010 + i, 3 + i, 9 + i), "1", "Test", "", "Kind", "Straat", 1, "2300AA")
        out.append(
            Registration(
                team,
                f"{team.code}-{1000 + i:07d}",
                youth,
                aanmeld,
                f"{9 + i:02d}:1{i}",
                bron,
                hulpvraag,
                start,
                eind,
                uitkomst,
            )
        )
    return out


def expected(regs: list[Registration], team_code: str, gemeentecode: str, month_end: date) -> list[dict]:
    """The canonical rows a correct reader makes of `regs` in the export of the month ending `month_end`."""
    rows = []
    for r in regs:
        closed = r.afsluiting is not None and r.afsluiting <= month_end
        rows.append(
            {
                "team": team_code,
                "gemeentecode": gemeentecode,
                "bsn": r.youth.bsn,
                "geboortejaar": r.youth.geboortedatum.year,
                "aanmelddatum": r.aanmelddatum,
                "bron_aanmelding": r.bron,
                "hulpvraag": HULPVRAAG[r.hulpvraag],
                "datum_start_hulp": r.start if r.start and r.start <= month_end else None,
                "afsluitdatum": r.afsluiting if closed else None,
                "uitkomst": UITKOMST[r.uitkomst] if closed else None,
            }
        )
    return rows


def write_variant(
    root: Path, team_code: str, gemeentecode: str, style: ExportStyle, month: date = date(2025, 1, 1)
) -> tuple[Path, list[Registration]]:
    g = gemeente(gemeentecode)
    team = next(t for t in g.teams if t.code == team_code)
    regs = registrations(team, 5)
    export = build_export(team, g, month, style, regs)
    write_export(root, export, random.Random(1))
    shown = [row.registration for row in export.rows]
    return root / export.rel, shown
