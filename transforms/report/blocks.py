"""The blocks of a gemeente page, one function per section (the anchors of the report contract): figures in, HTML
out. Each block shows the latest period, the trend and a comparison, one chart with one sentence saying what it
shows and a link to the definition. A NULL figure shows why it is missing ("onderdrukt", "niet geleverd", "geen
gegevens"), never as 0. Every count of youths or registrations carries `data-aantal` (the privacy test reads it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import pandas as pd
from jeugdmonitor.transforms.report import svg
from jeugdmonitor.transforms.report.periods import euro, getal, is_missing, maand_label, periode_label

TOTAAL = "totaal"
NIET_GELEVERD = "niet_geleverd"
ONVOLLEDIG = "onvolledig"
MONTHS_SHOWN = 12


# ---- cells ---------------------------------------------------------------------------------------------------------


def why_missing(row: pd.Series) -> str:
    if row.get("levering") == NIET_GELEVERD:
        return "niet geleverd"
    if not is_missing(row.get("onderdrukt")) and bool(row.get("onderdrukt")):
        return "onderdrukt"
    return "geen gegevens"


def cell(row: pd.Series | None, column: str, *, count: bool = False, decimals: int = 0, unit: str = "") -> str:
    """A table cell: the figure, or why it is missing; counts carry data-aantal."""
    if row is None:
        return '<td class="leeg">geen gegevens</td>'
    value = row.get(column)
    if is_missing(value):
        reason = why_missing(row)
        return f'<td class="leeg {reason.replace(" ", "-")}">{reason}</td>'
    shown = euro(value) if unit == "€" else getal(value, decimals) + unit
    note = " *" if row.get("levering") == ONVOLLEDIG else ""
    attribute = f' data-aantal="{int(value)}"' if count else ""
    return f'<td class="getal"{attribute}>{escape(shown)}{note}</td>'


def value(row: pd.Series | None, column: str) -> float | None:
    if row is None or is_missing(row.get(column)):
        return None
    return float(row[column])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """`rows` hold ready <td> cells (cell()), or plain text that is escaped into one."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<table class="cijfers">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def figure(chart: str, sentence: str, anchor: str) -> str:
    return (
        f'<figure>{chart}<figcaption>{escape(sentence)} <a href="{{root}}definities.html#{anchor}">'
        "Definitie</a></figcaption></figure>"
    )


def section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def kern(*lines: str) -> str:
    items = "".join(f"<li>{line}</li>" for line in lines if line)
    return f'<ul class="kern">{items}</ul>' if items else ""


def empty(text: str = "Nog geen cijfers voor deze gemeente.") -> str:
    return f'<p class="geen">{escape(text)}</p>'


def trend(now: float | None, before: float | None, label: str, unit: str = "", decimals: int = 0) -> str:
    """'hoger dan <label> (x)', 'lager ...', 'gelijk aan ...'; empty when either is unknown."""
    if now is None or before is None:
        return ""
    word = "hoger dan" if now > before else "lager dan" if now < before else "gelijk aan"
    return f"{word} {escape(label)} ({escape(getal(before, decimals))}{escape(unit)})"


# ---- period selection -------------------------------------------------------------------------------------------


def of_type(frame: pd.DataFrame, kind: str, **where: str) -> pd.DataFrame:
    rows = frame[frame["periode_type"] == kind] if "periode_type" in frame else frame.iloc[0:0]
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted] if column in rows else rows.iloc[0:0]
    date_column = "maand" if "maand" in rows else "periode_start"
    return rows.sort_values(date_column)


def last(rows: pd.DataFrame) -> pd.Series | None:
    return None if rows.empty else rows.iloc[-1]


def before_last(rows: pd.DataFrame) -> pd.Series | None:
    return None if len(rows) < 2 else rows.iloc[-2]


def label_of(row: pd.Series) -> str:
    text = periode_label(str(row["periode"]))
    if "periode_volledig" in row and not bool(row["periode_volledig"]):
        text += " (nog niet compleet)"
    return text


def months(frame: pd.DataFrame, **where: str) -> pd.DataFrame:
    return of_type(frame, "maand", **where).tail(MONTHS_SHOWN)


def series(rows: pd.DataFrame, column: str, label: str) -> svg.Series:
    return svg.Series(
        label,
        [value(r, column) for _, r in rows.iterrows()],
        [why_missing(r) for _, r in rows.iterrows()],
    )


# ---- the blocks ---------------------------------------------------------------------------------------------------


def jeugdhulpgebruik(f: pd.DataFrame) -> str:
    title = "Jeugdhulpgebruik"
    years = of_type(f, "jaar")
    halves = of_type(f, "halfjaar")
    rows = years if not years.empty else halves
    if rows.empty:
        return section("jeugdhulpgebruik", title, empty())
    now, prev = last(rows), before_last(rows)
    assert now is not None
    doel = value(now, "doel_een_op_n")
    lines = [
        f"<strong>{escape(label_of(now))}</strong>: 1 op {escape(_een_op_n(now, 'een_op_n'))} jeugdigen kreeg "
        f"jeugdhulp ({escape(getal(value(now, 'jeugdigen_met_jeugdhulp_per_1000'), 1))} per 1.000)",
        trend(
            value(now, "jeugdigen_met_jeugdhulp_per_1000"),
            value(prev, "jeugdigen_met_jeugdhulp_per_1000"),
            label_of(prev) if prev is not None else "",
            " per 1.000",
            1,
        ),
        f"Doel: 1 op {escape(getal(doel))}" if doel else "Geen doel ingesteld voor dit jaar.",
        f"CBS: 1 op {escape(_een_op_n(now, 'cbs_een_op_n'))} ({escape(_status(now, 'cbs_periode_status'))})",
    ]
    # by end, the year after its second half: 1e halfjaar 2025, 2e halfjaar 2025, 2025
    shown = pd.concat([halves, years]).sort_values(["periode_eind", "periode_start"], ascending=[True, False])
    labels = [label_of(r) for _, r in shown.iterrows()]
    doelen = [1000 / float(r["doel_een_op_n"]) if value(r, "doel_een_op_n") else None for _, r in shown.iterrows()]
    chart = svg.bar_chart(
        "grafiek-jeugdhulpgebruik",
        "Jeugdigen met jeugdhulp per 1.000",
        labels,
        [
            series(shown, "jeugdigen_met_jeugdhulp_per_1000", "lokaal (iJw)"),
            series(shown, "cbs_jongeren_met_jeugdhulp_per_1000", "CBS"),
            *([svg.Series("doel per 1.000", doelen, ["geen doel"] * len(doelen))] if any(doelen) else []),
        ],
    )
    rows_html = [
        [
            label_of(r),
            cell(r, "jeugdigen_met_jeugdhulp", count=True),
            cell(r, "bevolking_0_17"),
            _td(f"1 op {_een_op_n(r, 'een_op_n')}"),
            cell(r, "jeugdigen_met_jeugdhulp_per_1000", decimals=1),
            cell(r, "cbs_jongeren_met_jeugdhulp_per_1000", decimals=1),
            str(r.get("cbs_periode_status") or ""),
            _td(f"1 op {getal(value(r, 'doel_een_op_n'))}" if value(r, "doel_een_op_n") else ""),
        ]
        for _, r in shown.iterrows()
    ]
    return section(
        "jeugdhulpgebruik",
        title,
        kern(*lines),
        figure(
            chart,
            "Hoeveel jeugdigen per 1.000 inwoners van 0-17 jaar jeugdhulp kregen, lokaal en volgens CBS, "
            "naast het doel van dat jaar.",
            "jeugdhulpgebruik",
        ),
        table(
            [
                "Periode",
                "Jeugdigen met jeugdhulp",
                "Inwoners 0-17",
                "1 op N",
                "Per 1.000",
                "CBS per 1.000",
                "Status CBS",
                "Doel",
            ],
            rows_html,
        ),
    )


def aanmeldingen(f: pd.DataFrame) -> str:
    title = "Aanmeldingen bij de jeugd- en gezinsteams"
    total = months(f, team=TOTAAL)
    if total.empty:
        return section("aanmeldingen", title, empty())
    now, prev = last(total), before_last(total)
    assert now is not None
    lines = [
        f"<strong>{escape(maand_label(now['maand']))}</strong>: {_figure_text(now, 'aantal_aanmeldingen')} "
        "aanmeldingen in de hele gemeente",
        trend(
            value(now, "aantal_aanmeldingen"),
            value(prev, "aantal_aanmeldingen"),
            maand_label(prev["maand"]) if prev is not None else "",
        ),
        _quarter_line(f, "aantal_aanmeldingen", "aanmeldingen"),
    ]
    per_team = [
        series(_aligned(of_type(f, "maand", team=team), total), "aantal_aanmeldingen", str(name))
        for team, name in f.drop_duplicates("team")[["team", "team_naam"]].itertuples(index=False)
        if team != TOTAAL
    ]
    chart = svg.line_chart(
        "grafiek-aanmeldingen",
        "Aanmeldingen per team en maand",
        [maand_label(r["maand"]) for _, r in total.iterrows()],
        per_team or [series(total, "aantal_aanmeldingen", "hele gemeente")],
    )
    return section(
        "aanmeldingen",
        title,
        kern(*lines),
        figure(
            chart, "Het aantal aanmeldingen per team per maand; de tabel geeft ook de hele gemeente.", "aanmeldingen"
        ),
        team_table(f, "aantal_aanmeldingen", count=True),
    )


def verwijzingen(f_team: pd.DataFrame, f_verwijzer: pd.DataFrame) -> str:
    title = "Verwijzingen"
    parts: list[str] = []
    quarter = _latest_kind(f_team, "kwartaal")
    if quarter is not None:
        rows = of_type(f_team, "kwartaal")
        rows = rows[(rows["maand"] == quarter["maand"]) & (rows["team"] != TOTAAL)]
        total = of_type(f_team, "kwartaal", team=TOTAAL)
        t_now = last(total)
        parts.append(
            kern(
                f"<strong>{escape(label_of(quarter))}</strong>: {_figure_text(t_now, 'verwijspercentage', 1, '%')} van "
                "de afgesloten aanmeldingen doorverwezen naar specialistische hulp",
                trend(
                    value(t_now, "verwijspercentage"),
                    value(before_last(total), "verwijspercentage"),
                    label_of(before_last(total)) if before_last(total) is not None else "",
                    "%",
                    1,
                ),
            )
        )
        parts.append(
            figure(
                svg.bar_chart(
                    "grafiek-verwijspercentage",
                    "Verwijspercentage per team",
                    list(rows["team_naam"]),
                    [series(rows, "verwijspercentage", label_of(quarter))],
                    unit="%",
                ),
                "Welk deel van de afgesloten aanmeldingen elk team doorverwees naar specialistische jeugdhulp, in het "
                "laatste kwartaal.",
                "verwijzingen",
            )
        )
        parts.append(team_table(f_team, "verwijspercentage", decimals=1, unit="%"))
    year = _latest_kind(f_verwijzer, "jaar")
    if year is not None:
        rows = of_type(f_verwijzer, "jaar")
        rows = rows[(rows["maand"] == year["maand"]) & (rows["verwijzer_type"] != TOTAAL)]
        parts.append(
            figure(
                svg.bar_chart(
                    "grafiek-verwijzers",
                    "Nieuwe toewijzingen per verwijzer",
                    list(rows["verwijzer"]),
                    [series(rows, "nieuwe_toewijzingen", label_of(year))],
                ),
                f"Nieuwe toewijzingen van jeugdhulp in {label_of(year)}, naar wie verwees.",
                "verwijzingen",
            )
        )
        parts.append(
            table(
                ["Verwijzer", "Nieuwe toewijzingen"],
                [
                    [str(r["verwijzer"]), cell(r, "nieuwe_toewijzingen", count=True)]
                    for _, r in of_type(f_verwijzer, "jaar").iterrows()
                    if r["maand"] == year["maand"]
                ],
                f"Nieuwe toewijzingen per verwijzer, {label_of(year)}",
            )
        )
    return section("verwijzingen", title, *(parts or [empty()]))


def doorlooptijd(f: pd.DataFrame, f_aanbieder: pd.DataFrame, f_keten: pd.DataFrame) -> str:
    title = "Doorlooptijd en wachtenden"
    total = months(f, team=TOTAAL)
    if total.empty:
        return section("doorlooptijd", title, empty())
    now = last(total)
    assert now is not None
    norm = value(now, "norm_dagen")
    quarter = last(of_type(f, "kwartaal", team=TOTAAL))
    lines = [
        f"<strong>{escape(maand_label(now['maand']))}</strong>: mediaan {_figure_text(now, 'mediaan_dagen')} dagen "
        f"van aanmelding tot start hulp, P80 {_figure_text(now, 'p80_dagen')} dagen; "
        f"{_figure_text(now, 'binnen_norm_pct', 0, '%')} binnen de norm van {escape(getal(norm))} dagen",
        f"Wachtend eind {escape(maand_label(now['maand']))}: {_figure_text(now, 'wachtend_aantal')}, van wie "
        f"{_figure_text(now, 'wachtend_langer_dan_norm')} langer dan de norm",
        trend(
            value(now, "mediaan_dagen"),
            value(before_last(total), "mediaan_dagen"),
            _maand_of(before_last(total)),
            " dagen",
        ),
        f"{escape(label_of(quarter))}: mediaan {_figure_text(quarter, 'mediaan_dagen')} dagen"
        if quarter is not None
        else "",
    ]
    chart = svg.line_chart(
        "grafiek-doorlooptijd",
        "Doorlooptijd aanmelding tot start hulp, in dagen",
        [maand_label(r["maand"]) for _, r in total.iterrows()],
        [series(total, "mediaan_dagen", "mediaan"), series(total, "p80_dagen", "P80")],
        unit="",
    )
    parts = [
        kern(*lines),
        figure(
            chart,
            "Hoeveel dagen het per maand duurde van aanmelding bij het team tot de start van de hulp "
            "(mediaan en P80), voor de hele gemeente.",
            "doorlooptijd",
        ),
        team_table(
            f,
            "mediaan_dagen",
            extra=[("P80", "p80_dagen"), ("Binnen norm %", "binnen_norm_pct"), ("Wachtend", "wachtend_aantal")],
        ),
    ]
    q = _latest_kind(f_aanbieder, "kwartaal")
    if q is not None:
        rows = of_type(f_aanbieder, "kwartaal")
        rows = rows[rows["maand"] == q["maand"]]
        parts.append(
            table(
                ["Aanbieder", "Starts", "Mediaan dagen", "P80", "Binnen norm %", "Wachtend"],
                [
                    [
                        ("alle aanbieders" if r["aanbieder_agb"] == TOTAAL else str(r["aanbieder_naam"])),
                        cell(r, "aantal", count=True),
                        cell(r, "mediaan_dagen"),
                        cell(r, "p80_dagen"),
                        cell(r, "binnen_norm_pct", unit="%"),
                        cell(r, "wachtend_aantal", count=True),
                    ]
                    for _, r in rows.iterrows()
                ],
                f"Van toewijzing tot start zorg per aanbieder, {label_of(q)}",
            )
        )
    keten = of_type(f_keten, "kwartaal")
    if not keten.empty:
        parts.append(
            table(
                [
                    "Periode",
                    "Ketens",
                    "Aanmelding → toewijzing",
                    "Toewijzing → start",
                    "Totaal (mediaan)",
                    "P80 totaal",
                ],
                [
                    [
                        label_of(r),
                        cell(r, "aantal", count=True),
                        cell(r, "mediaan_dagen_aanmelding_toewijzing"),
                        cell(r, "mediaan_dagen_toewijzing_start"),
                        cell(r, "mediaan_dagen_totaal"),
                        cell(r, "p80_dagen_totaal"),
                    ]
                    for _, r in keten.iterrows()
                ],
                "De hele keten per kwartaal: van aanmelding bij het team tot start zorg bij de aanbieder, in dagen",
            )
        )
    return section("doorlooptijd", title, *parts)


def per_1000_block(anchor: str, title: str, f: pd.DataFrame, what: str, vorm: str | None = None) -> str:
    """OTS and uithuisplaatsingen: local and CBS per half-year, per 1,000 youths."""
    if vorm is not None:
        f = f[f["vorm"] == vorm]
    halves = f[f["periode_type"] == "halfjaar"].sort_values("periode_start")
    if halves.empty:
        return section(anchor, title, empty())
    periods = list(dict.fromkeys(halves["periode"]))
    local = halves[halves["bron"] == "ijw"].set_index("periode")
    cbs = halves[halves["bron"] == "cbs"].set_index("periode")

    def pick(frame: pd.DataFrame, p: str) -> pd.Series | None:
        return frame.loc[p] if p in frame.index else None

    labels = [periode_label(p) for p in periods]
    chart_series = [
        svg.Series(
            "lokaal (iJw)",
            [value(pick(local, p), "jeugdigen_in_periode_per_1000") for p in periods],
            [why_missing(pick(local, p)) if pick(local, p) is not None else "geen gegevens" for p in periods],
        ),
        svg.Series(
            "CBS",
            [value(pick(cbs, p), "jeugdigen_in_periode_per_1000") for p in periods],
            ["nog niet gepubliceerd"] * len(periods),
        ),
    ]
    now = pick(local, periods[-1])
    lines = [
        f"<strong>{escape(labels[-1])}</strong>: {_figure_text(now, 'jeugdigen_in_periode')} jeugdigen "
        f"({_figure_text(now, 'jeugdigen_in_periode_per_1000', 1)} per 1.000)",
        trend(
            value(now, "jeugdigen_in_periode_per_1000"),
            value(pick(local, periods[-2]), "jeugdigen_in_periode_per_1000") if len(periods) > 1 else None,
            labels[-2] if len(periods) > 1 else "",
            " per 1.000",
            1,
        ),
    ]
    rows = [
        [
            periode_label(p),
            cell(pick(local, p), "jeugdigen_in_periode", count=True),
            cell(pick(local, p), "jeugdigen_in_periode_per_1000", decimals=1),
            cell(pick(cbs, p), "jeugdigen_in_periode"),
            cell(pick(cbs, p), "jeugdigen_in_periode_per_1000", decimals=1),
            _status_text(pick(cbs, p), "periode_status"),
        ]
        for p in periods
    ]
    return (
        kern(*lines)
        + figure(
            svg.bar_chart(f"grafiek-{anchor}{'-' + vorm if vorm else ''}", f"{what} per 1.000", labels, chart_series),
            f"Hoeveel jeugdigen per 1.000 inwoners van 0-17 jaar {what.lower()} "
            "hadden per halfjaar, lokaal en volgens CBS.",
            anchor,
        )
        + table(["Periode", "Jeugdigen (lokaal)", "Per 1.000", "CBS", "CBS per 1.000", "Status CBS"], rows)
    )


def ots(f: pd.DataFrame) -> str:
    body = per_1000_block("ots", "OTS", f, "Een ondertoezichtstelling")
    return body if body.startswith("<section") else section("ots", "Ondertoezichtstellingen (OTS)", body)


def uithuisplaatsingen(f: pd.DataFrame) -> str:
    title = "Uithuisplaatsingen (jeugdhulp met verblijf)"
    body = per_1000_block("uithuisplaatsingen", title, f, "Jeugdhulp met verblijf", vorm=TOTAAL)
    if body.startswith("<section"):
        return body
    latest = f[(f["bron"] == "ijw") & (f["periode_type"] == "halfjaar")].sort_values("periode_start")
    if not latest.empty:
        p = latest.iloc[-1]["periode"]
        rows = latest[(latest["periode"] == p) & (latest["vorm"] != TOTAAL)]
        body += figure(
            svg.bar_chart(
                "grafiek-uithuisplaatsingen-vorm",
                "Per vorm, per 1.000",
                list(rows["vorm"].str.replace("_", " ")),
                [series(rows, "jeugdigen_in_periode_per_1000", periode_label(str(p)))],
            ),
            f"Jeugdigen met verblijf per 1.000 inwoners van 0-17 jaar naar vorm, {periode_label(str(p))}.",
            "uithuisplaatsingen",
        )
    return section("uithuisplaatsingen", title, body)


def kosten(f: pd.DataFrame) -> str:
    title = "Kosten tegenover het budget"
    total = of_type(f, "maand", product_categorie=TOTAAL)
    if total.empty:
        return section("kosten", title, empty())
    now = last(total)
    assert now is not None
    year = total[total["maand"].map(lambda d: d.year) == now["maand"].year]
    budget = value(now, "budget_jaar")
    lines = [
        f"<strong>Tot en met {escape(maand_label(now['maand']))}</strong>: {_money(now, 'jaar_tot_nu')} uitgegeven"
        + (f", tegenover {_money(now, 'budget_tot_nu')} budget tot nu" if budget else " (geen budget ingesteld)"),
        f"Prognose voor het jaar: {_money(now, 'prognose_lineair')} (lineair), {_money(now, 'prognose_seizoen')} "
        "(naar seizoen)" + (f"; budget {_money(now, 'budget_jaar')}" if budget else ""),
    ]
    chart_series = [series(year, "jaar_tot_nu", "uitgegeven tot nu")]
    if budget:
        chart_series.append(series(year, "budget_tot_nu", "budget tot nu"))
    chart = svg.line_chart(
        "grafiek-kosten",
        "Uitgaven en budget tot nu, in euro",
        [maand_label(r["maand"]) for _, r in year.iterrows()],
        chart_series,
    )
    cat = of_type(f, "jaar")
    cat = cat[cat["maand"] == cat["maand"].max()] if not cat.empty else cat
    parts = [
        kern(*lines),
        figure(
            chart, "De uitgaven van het jaar tot en met elke maand, naast het budget tot en met die maand.", "kosten"
        ),
    ]
    if not cat.empty:
        parts.append(
            table(
                ["Productcategorie", "Netto bedrag", "Jeugdigen", "Per jeugdige"],
                [
                    [
                        ("alle categorieën" if r["product_categorie"] == TOTAAL else str(r["product_categorie"])),
                        cell(r, "netto_bedrag", unit="€"),
                        cell(r, "aantal_jeugdigen", count=True),
                        cell(r, "kosten_per_jeugdige", unit="€"),
                    ]
                    for _, r in cat.iterrows()
                ],
                f"Kosten per productcategorie, {label_of(cat.iloc[0])}",
            )
        )
    return section("kosten", title, *parts)


def cbs(f: pd.DataFrame) -> str:
    title = "Lokale cijfers naast CBS"
    if f.empty:
        return section("cbs", title, empty("Nog geen CBS-cijfers voor deze gemeente."))
    latest = f[f["periode_eind"] == f["periode_eind"].max()]
    latest = latest[latest["periode_start"] == latest["periode_start"].min()]  # the year, not its last half-year
    p = str(latest.iloc[0]["periode"])
    chart = svg.bar_chart(
        "grafiek-cbs",
        "Lokaal en CBS",
        list(latest["indicator"].str.replace("_", " ")),
        [series(latest, "lokaal", "lokaal (iJw)"), series(latest, "cbs", "CBS")],
    )
    rows = [
        [
            periode_label(str(r["periode"])),
            str(r["indicator"]).replace("_", " "),
            cell(r, "lokaal", count=True),
            cell(r, "cbs"),
            cell(r, "verschil_pct", decimals=1, unit="%"),
            str(r.get("cbs_periode_status") or ""),
        ]
        for _, r in f.sort_values(["periode_start", "periode_eind", "indicator"]).iterrows()
    ]
    return section(
        "cbs",
        title,
        kern(
            f"<strong>{escape(periode_label(p))}</strong>: status CBS "
            f"{escape(str(latest.iloc[0].get('cbs_periode_status') or 'onbekend'))}"
        ),
        figure(
            chart, f"Het aantal jeugdigen volgens de iJw-berichten naast het CBS-cijfer, {periode_label(p)}.", "cbs"
        ),
        table(["Periode", "Indicator", "Lokaal", "CBS", "Verschil", "Status CBS"], rows),
    )


def datakwaliteit(f_aanmeldingen: pd.DataFrame, f_scorecard: pd.DataFrame, data_tot: str, bijgewerkt: str) -> str:
    """What the figures stand on: teams that did not deliver (levering), aanbieders without declaraties and the
    share of rejected files (mart_aanbieder_scorecard); readers cannot see the load's meta_ tables."""
    recent = months(f_aanmeldingen).tail(
        3 * max(1, f_aanmeldingen["team"].nunique()) if not f_aanmeldingen.empty else 0
    )
    missing = recent[(recent["levering"] == NIET_GELEVERD) & (recent["team"] != TOTAAL)] if not recent.empty else recent
    last_months = sorted(set(recent["maand"]))[-3:] if not recent.empty else []
    missing = missing[missing["maand"].isin(last_months)] if not missing.empty else missing
    teams = [f"{r['team_naam']} ({maand_label(r['maand'])})" for _, r in missing.iterrows()]
    card = f_scorecard
    if not card.empty:
        card = card[card["maand"].isin(sorted(set(card["maand"]))[-3:])]
    files = int(card["bestanden"].fillna(0).sum()) if not card.empty else 0
    rejected = int(card["bestanden_afgekeurd"].fillna(0).sum()) if not card.empty else 0
    lines_q = int(card["regels_quarantaine"].fillna(0).sum()) if not card.empty else 0
    silent = sorted(set(card[card["niet_gedeclareerd"].astype(bool)]["aanbieder_naam"])) if not card.empty else []
    share = f"{getal(100 * rejected / files, 1)}%" if files else "geen bestanden"
    items = [
        f"Gegevens tot en met <strong>{escape(data_tot)}</strong>; bijgewerkt op {escape(bijgewerkt)}.",
        "Teams zonder export (laatste drie maanden): "
        + (escape(", ".join(teams)) if teams else "geen, alle teams leverden."),
        "Aanbieders met lopende toewijzingen maar zonder declaraties: "
        + (escape(", ".join(map(str, silent))) if silent else "geen."),
        f"Afgekeurde bestanden van aanbieders: {rejected} van {files} ({escape(share)}); regels in quarantaine: "
        f"{lines_q}.",
        "Bron: de kwaliteitskaart per aanbieder en de leveringsstatus van de teams (laatste drie maanden).",
    ]
    return section(
        "datakwaliteit",
        "Datakwaliteit: waar de cijfers op staan",
        '<ul class="kwaliteit">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>",
        '<p><a href="{root}definities.html#datakwaliteit">Definitie</a> · '
        '<a href="{root}definities.html#onderdrukt">Wat betekent onderdrukt?</a></p>',
    )


# ---- shared pieces --------------------------------------------------------------------------------------------------


def team_table(
    f: pd.DataFrame,
    column: str,
    *,
    count: bool = False,
    decimals: int = 0,
    unit: str = "",
    extra: list[tuple[str, str]] | None = None,
) -> str:
    """Per team: the latest month, the latest quarter and the latest year (the quarter and year rows also show
    what a suppressed month hides no longer)."""
    picks = [(kind, r) for kind in ("maand", "kwartaal", "jaar") if (r := _latest_kind(f, kind)) is not None]
    if not picks:
        return ""
    headers = ["Team"] + [label_of(r) for _, r in picks] + [name for name, _ in extra or []]
    teams = f.drop_duplicates("team")[["team", "team_naam"]]
    teams = pd.concat([teams[teams["team"] != TOTAAL], teams[teams["team"] == TOTAAL]])
    rows = []
    for _, t in teams.iterrows():
        line = [str(t["team_naam"])]
        for kind, pick in picks:
            match = f[(f["team"] == t["team"]) & (f["periode_type"] == kind) & (f["maand"] == pick["maand"])]
            line.append(cell(last(match), column, count=count, decimals=decimals, unit=unit))
        for _, other in extra or []:
            q = picks[1][1] if len(picks) > 1 else picks[0][1]
            match = f[(f["team"] == t["team"]) & (f["periode_type"] == q["periode_type"]) & (f["maand"] == q["maand"])]
            line.append(cell(last(match), other, count=other.startswith(("wachtend", "aantal"))))
        rows.append(line)
    note = " * onvolledig: niet alle teams of maanden geleverd." if (f.get("levering") == ONVOLLEDIG).any() else ""
    return table(headers, rows, "Per team" + note)


def _aligned(rows: pd.DataFrame, on: pd.DataFrame) -> pd.DataFrame:
    """A team's month rows on the months of `on` (a month without a row: an empty row, 'geen gegevens')."""
    return rows.set_index("maand").reindex(list(on["maand"])).reset_index()


def _latest_kind(f: pd.DataFrame, kind: str) -> pd.Series | None:
    return last(of_type(f, kind)) if not f.empty else None


def _quarter_line(f: pd.DataFrame, column: str, what: str) -> str:
    q = of_type(f, "kwartaal", team=TOTAAL)
    now, prev = last(q), before_last(q)
    if now is None:
        return ""
    text = f"{escape(label_of(now))}: {_figure_text(now, column)} {what}"
    if prev is not None:
        text += "; " + trend(value(now, column), value(prev, column), label_of(prev))
    return text


def _figure_text(row: pd.Series | None, column: str, decimals: int = 0, unit: str = "") -> str:
    if row is None:
        return "geen gegevens"
    v = value(row, column)
    if v is None:
        return f'<span class="leeg">{why_missing(row)}</span>'
    return (
        f'<span data-aantal="{int(v)}">{escape(getal(v, decimals))}{escape(unit)}</span>'
        if column in _COUNTS
        else f"{escape(getal(v, decimals))}{escape(unit)}"
    )


_COUNTS = {"aantal_aanmeldingen", "wachtend_aantal", "wachtend_langer_dan_norm", "jeugdigen_in_periode", "aantal"}


def _money(row: pd.Series, column: str) -> str:
    v = value(row, column)
    return f'<span class="leeg">{why_missing(row)}</span>' if v is None else escape(euro(v))


def _een_op_n(row: pd.Series, column: str) -> str:
    v = value(row, column)
    return why_missing(row) if v is None else getal(v)


def _maand_of(row: pd.Series | None) -> str:
    return "" if row is None else maand_label(row["maand"])


def _status_text(row: pd.Series | None, column: str) -> str:
    return "" if row is None else str(row.get(column) or "")


def _status(row: pd.Series, column: str) -> str:
    return str(row.get(column) or "nog niet gepubliceerd")


def _td(text: str) -> str:
    return f"<td>{escape(text)}</td>"


BlockFunction = Callable[..., str]
