"""Whole pages of the report site: a gemeente page, the region page and the definitions page. Frames in, one
self-contained HTML string out: the style is inline and the charts are inline SVG, so a page opened from disk,
mailed or printed shows everything without a network, a script or a font file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import pandas as pd
from jeugdmonitor.transforms.report import blocks, svg
from jeugdmonitor.transforms.report.definities import DEFINITIES
from jeugdmonitor.transforms.report.periods import getal, is_missing, maand_label

# The section anchors of a gemeente page, in page order (the report contract: the alerts link to them).
SECTIONS = {
    "jeugdhulpgebruik": "Jeugdhulpgebruik",
    "aanmeldingen": "Aanmeldingen",
    "verwijzingen": "Verwijzingen",
    "doorlooptijd": "Doorlooptijd",
    "ots": "OTS",
    "uithuisplaatsingen": "Uithuisplaatsingen",
    "kosten": "Kosten",
    "cbs": "CBS",
    "datakwaliteit": "Datakwaliteit",
}

STYLE = """
:root { --blauw: #1f5f8b; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem;
       color: #222; line-height: 1.4; }
header { border-bottom: 3px solid var(--blauw); margin-bottom: 1rem; }
h1 { color: var(--blauw); margin: 0.2rem 0; } h2 { color: var(--blauw); border-bottom: 1px solid #ccc; }
nav.inhoud a { margin-right: 0.8rem; white-space: nowrap; }
ul.kern { background: #f3f7fa; border-left: 4px solid var(--blauw); padding: 0.5rem 0.5rem 0.5rem 1.8rem; }
figure { margin: 0.5rem 0 1rem; } svg.grafiek { width: 100%; height: auto; max-width: 40rem; display: block; }
figcaption { font-size: 0.9rem; color: #444; }
table.cijfers { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
table.cijfers caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
table.cijfers th, table.cijfers td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; }
td.getal { text-align: right; font-variant-numeric: tabular-nums; }
.leeg { color: #777; font-style: italic; }
p.geen { color: #777; }
footer { margin-top: 2rem; font-size: 0.8rem; color: #666; border-top: 1px solid #ccc; }
@media print {
  @page { size: A4; margin: 15mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.inhoud, .niet-printen { display: none; }
  section { break-inside: avoid-page; } figure, table { break-inside: avoid; }
  h2 { break-after: avoid; } a { color: inherit; text-decoration: none; }
  svg.grafiek { max-width: 16cm; }
}
"""


@dataclass
class Page:
    """A gemeente's page: its code and name, the region, and the frames of jeugdmonitor/report/data.py."""

    gemeentecode: str
    naam: str
    regio: str
    figures: dict[str, pd.DataFrame]
    bijgewerkt_op: pd.Timestamp | None


def gemeente_page(page: Page) -> str:
    f = page.figures
    body = [
        blocks.jeugdhulpgebruik(f["jeugdhulpgebruik"]),
        blocks.aanmeldingen(f["aanmeldingen"]),
        blocks.verwijzingen(f["verwijspercentage"], f["verwijzingen"]),
        blocks.doorlooptijd(f["doorlooptijd"], f["doorlooptijd_aanbieder"], f["doorlooptijd_keten"]),
        blocks.ots(f["ots"]),
        blocks.uithuisplaatsingen(f["uithuisplaatsingen"]),
        blocks.kosten(f["kosten"]),
        blocks.cbs(f["cbs_vergelijking"]),
        blocks.datakwaliteit(f["aanmeldingen"], f["scorecard"], data_tot(f), _datum(page.bijgewerkt_op)),
    ]
    nav = "".join(f'<a href="#{anchor}">{escape(title)}</a>' for anchor, title in SECTIONS.items())
    head = (
        f'<p class="niet-printen"><a href="../index.html">← {escape(page.regio)}</a> · '
        f'<a href="{escape(page.gemeentecode)}.xlsx">Excel</a></p>'
        f"<h1>Jeugdmonitor {escape(page.naam)}</h1><p>Gegevens tot en met {escape(data_tot(f))} · "
        f"gemeente {escape(page.naam)} ({escape(page.gemeentecode)}), regio {escape(page.regio)}</p>"
        f'<nav class="inhoud">{nav}</nav>'
    )
    return _html(f"Jeugdmonitor {page.naam}", head, "".join(body), root="../")


@dataclass
class RegionRow:
    """One gemeente's line on the region page, from its own figures (key_figures)."""

    gemeentecode: str
    naam: str
    een_op_n: str
    per_1000: float | None
    aanmeldingen: pd.Series | None
    mediaan: pd.Series | None
    ots_per_1000: float | None
    kosten_pct: float | None
    teams_niet_geleverd: int


def key_figures(code: str, naam: str, f: dict[str, pd.DataFrame]) -> RegionRow:
    jh = blocks.of_type(f["jeugdhulpgebruik"], "jaar")
    jh_row = blocks.last(jh)
    ots = f["ots"]
    ots_local = ots[(ots["bron"] == "ijw") & (ots["periode_type"] == "halfjaar")].sort_values("periode_start")
    kosten = blocks.last(blocks.of_type(f["kosten"], "maand", product_categorie=blocks.TOTAAL))
    spent, budget = blocks.value(kosten, "jaar_tot_nu"), blocks.value(kosten, "budget_tot_nu")
    aanm = f["aanmeldingen"]
    recent = blocks.months(aanm)
    last_month = recent["maand"].max() if not recent.empty else None
    missing = recent[(recent["maand"] == last_month) & (recent["levering"] == blocks.NIET_GELEVERD)]
    return RegionRow(
        gemeentecode=code,
        naam=naam,
        een_op_n=blocks._een_op_n(jh_row, "een_op_n") if jh_row is not None else "geen gegevens",
        per_1000=blocks.value(jh_row, "jeugdigen_met_jeugdhulp_per_1000"),
        aanmeldingen=blocks.last(blocks.of_type(aanm, "kwartaal", team=blocks.TOTAAL)),
        mediaan=blocks.last(blocks.of_type(f["doorlooptijd"], "kwartaal", team=blocks.TOTAAL)),
        ots_per_1000=blocks.value(blocks.last(ots_local), "jeugdigen_in_periode_per_1000"),
        kosten_pct=100 * spent / budget if spent is not None and budget else None,
        teams_niet_geleverd=len(missing),
    )


def region_page(regio: str, rows: list[RegionRow], data_tot_text: str) -> str:
    names = [r.naam for r in rows]
    chart = svg.bar_chart(
        "grafiek-regio-jeugdhulp",
        "Jeugdigen met jeugdhulp per 1.000, per gemeente",
        names,
        [svg.Series("lokaal (iJw), laatste jaar", [r.per_1000 for r in rows])],
    )
    chart2 = svg.bar_chart(
        "grafiek-regio-doorlooptijd",
        "Mediane doorlooptijd per gemeente, laatste kwartaal",
        names,
        [
            svg.Series(
                "mediaan dagen",
                [blocks.value(r.mediaan, "mediaan_dagen") for r in rows],
                [blocks.why_missing(r.mediaan) if r.mediaan is not None else "geen gegevens" for r in rows],
            )
        ],
    )
    table_rows = [
        [
            f'<td><a href="gemeente/{escape(r.gemeentecode)}.html">{escape(r.naam)}</a></td>',
            f"<td>1 op {escape(r.een_op_n)}</td>",
            blocks.cell(r.aanmeldingen, "aantal_aanmeldingen", count=True),
            blocks.cell(r.mediaan, "mediaan_dagen"),
            f'<td class="getal">{escape(getal(r.ots_per_1000, 1))}</td>',
            f'<td class="getal">{escape(getal(r.kosten_pct) + "%" if r.kosten_pct is not None else "")}</td>',
            f'<td class="getal">{r.teams_niet_geleverd}</td>',
        ]
        for r in rows
    ]
    body = (
        '<section id="gemeenten"><h2>De gemeenten</h2>'
        + blocks.table(
            [
                "Gemeente",
                "Jeugdhulp (laatste jaar)",
                "Aanmeldingen (laatste kwartaal)",
                "Mediane doorlooptijd",
                "OTS per 1.000",
                "Kosten t.o.v. budget tot nu",
                "Teams zonder export (laatste maand)",
            ],
            table_rows,
        )
        + "</section>"
        + blocks.section(
            "jeugdhulpgebruik",
            "Jeugdhulpgebruik per gemeente",
            blocks.figure(
                chart,
                "Hoeveel jeugdigen per 1.000 inwoners van 0-17 jaar jeugdhulp kregen in het laatste "
                "jaar, per gemeente.",
                "jeugdhulpgebruik",
            ),
        )
        + blocks.section(
            "doorlooptijd",
            "Doorlooptijd per gemeente",
            blocks.figure(
                chart2,
                "De mediane doorlooptijd van aanmelding tot start hulp in het laatste kwartaal, per gemeente.",
                "doorlooptijd",
            ),
        )
    )
    head = (
        f"<h1>Jeugdmonitor regio {escape(regio)}</h1><p>Gegevens tot en met {escape(data_tot_text)} · "
        f'{len(rows)} gemeenten · <a href="definities.html">Definities</a></p>'
    )
    return _html(f"Jeugdmonitor regio {regio}", head, body, root="")


def definitions_page(regio: str) -> str:
    body = "".join(
        f'<section id="{anchor}"><h2>{escape(title)}</h2><p>{escape(text)}</p></section>'
        for anchor, title, text in DEFINITIES
    )
    head = f'<p class="niet-printen"><a href="index.html">← {escape(regio)}</a></p><h1>Definities</h1>'
    return _html("Jeugdmonitor: definities", head, body, root="")


def latest_month(f: dict[str, pd.DataFrame]) -> date | None:
    """The latest month the gemeente's month figures (aanmeldingen, kosten) reach."""
    latest = [
        frame.loc[frame["periode_type"] == "maand", "maand"].max()
        for frame in (f["aanmeldingen"], f["kosten"])
        if not frame.empty
    ]
    found = [d for d in latest if not is_missing(d)]
    return max(found) if found else None


def data_tot(f: dict[str, pd.DataFrame]) -> str:
    month = latest_month(f)
    return "onbekend" if month is None else maand_label(month)


def _datum(moment: pd.Timestamp | None) -> str:
    return "onbekend" if moment is None else f"{moment.day} {maand_label(moment)}"


def _html(title: str, head: str, body: str, root: str) -> str:
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header>{head}</header><main>{body.replace('{root}', root)}</main>"
        "<footer>Jeugdmonitor. Onderdrukt: een aantal onder de drempel is niet getoond om herkenbaarheid te "
        "voorkomen; dat is niet nul.</footer></body></html>"
    )
