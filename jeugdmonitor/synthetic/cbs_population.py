"""The two reference tables the monitor joins to: 03759ned (population) and Gebieden in Nederland <jaar>."""

from __future__ import annotations

from datetime import date
from functools import partial

from jeugdmonitor.synthetic.cbs_areas import (
    AGE_GROUP_0_17,
    AGE_TOTAL,
    MARITAL_TOTAL,
    MEN,
    PROVINCIES,
    SEX_TOTAL,
    WOMEN,
    Area,
    age_key,
    area_population,
    jeugdregio_names,
    provincie_of,
)
from jeugdmonitor.synthetic.cbs_codes import DEFINITIEF, VOORLOPIG, pad_keys
from jeugdmonitor.synthetic.cbs_model import (
    Dimension,
    Table,
    Topic,
    category_group,
    entry,
    perioden_dimension,
    regio_dimension,
)
from jeugdmonitor.synthetic.regions import MAX_AGE, Region

# Gebieden in Nederland: known IDs (cbs.md §3.3; they follow no pattern); other years get an invented
# 99yy0NED id, so clients must find the table by Title in the catalog, as they must for real.
GEBIEDEN_IDS = {2020: "84721NED", 2022: "85067NED", 2024: "85755NED", 2025: "86059NED", 2026: "86247NED"}


def gebieden_id(year: int) -> str:
    return GEBIEDEN_IDS.get(year, f"99{year % 100:02d}0NED")


def bevolking(areas: list[Area], years: list[int], modified: date) -> Table:
    """03759ned: population on 1 January (and the year's average) by sex, age 0-22 and region; no JZ here."""
    census = [a for a in areas if a.kind != "JZ"]
    regio, padded = regio_dimension(census)
    sexes = [(SEX_TOTAL, "Totaal mannen en vrouwen"), (MEN, "Mannen"), (WOMEN, "Vrouwen")]
    ages = [
        (AGE_TOTAL, "Totaal", 2),
        *((age_key(a), f"{a} jaar", 1) for a in range(MAX_AGE + 1)),
        (AGE_GROUP_0_17, "0 tot 18 jaar", 2),
    ]
    sex_pad, age_pad = pad_keys([k for k, _ in sexes]), pad_keys([k for k, _, _ in ages])
    last = max(years)
    pops = {(a.code, y): area_population(a, y) for a in census for y in [*years, last + 1]}
    rows: list[dict] = []
    for sex, _ in sexes:
        for age, _, _ in ages:
            for area in census:
                for year in years:
                    pop, following = pops[(area.code, year)], pops[(area.code, year + 1)]
                    on_jan = mean = None
                    if pop is not None:
                        on_jan = pop[(sex, age)]
                        # The average needs the next 1 January, which is not known for the last year yet.
                        if year != last:
                            assert following is not None, "an area is defunct in every year or in none"
                            mean = round((on_jan + following[(sex, age)]) / 2)
                    rows.append(
                        {
                            "ID": len(rows),
                            "Geslacht": sex_pad[sex],
                            "Leeftijd": age_pad[age],
                            "BurgerlijkeStaat": MARITAL_TOTAL,
                            "RegioS": padded[area.code],
                            "Perioden": f"{year}JJ00",
                            "BevolkingOp1Januari_1": on_jan,
                            "GemiddeldeBevolking_2": mean,
                        }
                    )
    statuses = {f"{y}JJ00": VOORLOPIG if y == last else DEFINITIEF for y in years}
    dims = [
        Dimension("Geslacht", "Geslacht", "Dimension", [entry(sex_pad[k], t) for k, t in sexes]),
        Dimension("Leeftijd", "Leeftijd", "Dimension", [entry(age_pad[k], t, g) for k, t, g in ages]),
        Dimension(
            "BurgerlijkeStaat", "Burgerlijke staat", "Dimension", [entry(MARITAL_TOTAL, "Totaal burgerlijke staat")]
        ),
        regio,
        perioden_dimension(statuses),
    ]
    topics = [
        Topic("BevolkingOp1Januari_1", "Bevolking op 1 januari"),
        Topic("GemiddeldeBevolking_2", "Gemiddelde bevolking"),
    ]
    groups = [category_group(1, "Leeftijd", "Leeftijd per jaar"), category_group(2, "Leeftijd", "Leeftijdsgroepen")]
    return Table(
        "03759ned",
        "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
        "Bevolking; geslacht, leeftijd, regio",
        "Perjaar",
        modified,
        f"{min(years)} - {last}",
        "Status van de cijfers:\nDe cijfers over het laatste jaar zijn voorlopig.",
        dims,
        topics,
        rows,
        groups,
    )


def gebieden(region: Region, year: int, modified: date) -> Table:
    """Gebieden in Nederland <year>: each gemeente with its jeugdregio and provincie.

    Code_28/Naam_29 = provincie is confirmed for 2025 (cbs.md §3.3); the jeugdregio keys Code_16/Naam_17 guess
    at the alphabetical group order, and real layouts shift per year: clients should go by TopicGroup Title.
    """
    gemeenten = sorted(region.gemeenten, key=lambda g: g.naam)
    padded = pad_keys([g.code for g in gemeenten])
    names = jeugdregio_names(region)
    rows: list[dict] = []
    for g in gemeenten:
        pv = provincie_of(g)
        # String topics are fixed-width in CBS; codes arrive right-padded, so clients must strip them too.
        rows.append(
            {
                "ID": len(rows),
                "RegioS": padded[g.code],
                "Code_1": g.code.ljust(10),
                "Naam_2": g.naam,
                "SorteringNaam_3": g.naam,
                "Code_16": g.jeugdregio.ljust(10),
                "Naam_17": names[g.jeugdregio],
                "Code_28": pv.ljust(10),
                "Naam_29": PROVINCIES[pv][0],
            }
        )
    text = partial(Topic, unit="", datatype="String")
    topics = [
        text("Code_1", "Code", group="Gemeenten"),
        text("Naam_2", "Naam", group="Gemeenten"),
        text("SorteringNaam_3", "Sorteringnaam", group="Gemeenten"),
        text("Code_16", "Code", group="Jeugdregio's"),
        text("Naam_17", "Naam", group="Jeugdregio's"),
        text("Code_28", "Code", group="Provincies"),
        text("Naam_29", "Naam", group="Provincies"),
    ]
    regio = Dimension(
        "RegioS", "Regio's", "GeoDimension", [entry(padded[g.code], g.naam, description=None) for g in gemeenten]
    )
    title = f"Gebieden in Nederland {year}"
    text_nl = f"Gemeentelijke indeling op 1 januari {year} met regionale indelingen."
    return Table(gebieden_id(year), title, title, "Perjaar", modified, str(year), text_nl, [regio], topics, rows)
