"""The two youth-care tables, 85099NED and 82975NED, computed from the generator's counts.

Real titles and codes where cbs.md confirms them; invented keys are marked. Clients must map categories by
Title and measures through DataProperties, never by a hard-coded key, so the invented ones do no harm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jeugdmonitor.synthetic.cbs_areas import Area, youth_population
from jeugdmonitor.synthetic.cbs_codes import (
    DEFINITIEF,
    NADER_VOORLOPIG,
    VOORLOPIG,
    dutch_date,
    period_statuses,
    period_title,
    publish,
    unit,
)
from jeugdmonitor.synthetic.cbs_model import (
    Dimension,
    Table,
    Topic,
    category_group,
    entry,
    regio_dimension,
    release_perioden,
)
from jeugdmonitor.synthetic.regions import Region

Recipe = dict[str, float]  # {counts measure: weight}: a category as a mix of the generator's measures


@dataclass(frozen=True)
class Inputs:
    """Everything the youth-care tables are computed from."""

    region: Region
    areas: list[Area]
    counts: dict[tuple[str, str, str], float]  # (gemeentecode, measure, periode) -> unrounded value
    periods: list[str]
    seed: int
    release: date
    cache: dict = field(default_factory=dict, compare=False)  # see _gemeente_values


# 85099NED VormenVanJeugdzorg: titles from cbs.md §3.2 [C]. The eight keys A045561..A027920 come from a
# third-party script [L]; every other key is invented in the same style. Shares of the categories the
# generator does not count (PGB, wijkteam, ...) are plausible, not real.
_JZ_MIX: Recipe = {"jeugdhulp": 1.0, "ots": 0.25, "voogdij": 0.2, "jeugdreclassering": 0.6}
_ZONDER = "jeugdhulp_zonder_verblijf"
VORMEN: tuple[tuple[str, str, int | None, Recipe], ...] = (
    ("A045561", "JZ Totaal jeugdzorg", None, _JZ_MIX),
    ("A045559", "JZ Totaal jeugdzorg in natura", None, {**_JZ_MIX, "jeugdhulp": 0.95}),
    ("A045560", "JH 1 Totaal jeugdhulp", 1, {"jeugdhulp": 1.0}),
    ("A045562", "JH 11 Jeugdhulp PGB", 1, {"jeugdhulp": 0.07}),
    ("A045563", "JH 12 Totaal jeugdhulp in natura", 1, {"jeugdhulp": 0.95}),
    ("A042503", "JH 121 Totaal jeugdhulp zonder verblijf", 1, {_ZONDER: 1.0}),
    ("A017916", "JH 1211 Uitgevoerd door wijkteam", 1, {_ZONDER: 0.35}),
    ("A027917", "JH 1212 Niet uitgevoerd door wijkteam", 1, {_ZONDER: 0.72}),
    ("A042504", "JH 12121 Ambulante JH op loc. aanbieder", 1, {_ZONDER: 0.55}),
    ("A042505", "JH 12122 Daghulp op locatie aanbieder", 1, {_ZONDER: 0.06}),
    ("A042506", "JH 12123 JH in het netwerk v.d. jongere", 1, {_ZONDER: 0.18}),
    ("A027918", "JH 122 Totaal jeugdhulp met verblijf", 1, {"jeugdhulp_met_verblijf": 1.0}),
    ("A028016", "JH 1221 Pleegzorg", 1, {"pleegzorg": 1.0}),
    ("A028017", "JH 1222 Gezinsgericht", 1, {"gezinsgericht": 1.0}),
    ("A028018", "JH 1223 Gesloten plaatsing", 1, {"gesloten": 1.0}),
    ("A028019", "JH 1224 Ander verblijf bij JH-aanbieder", 1, {"overig_verblijf": 1.0}),
    ("A027919", "JB 1 Totaal jeugdbescherming", 2, {"ots": 1.0, "voogdij": 0.97}),
    ("A028020", "JB 11 Totaal ondertoezichtstelling", 2, {"ots": 1.0}),
    ("A028021", "JB 111 Ondertoezichtstelling", 2, {"ots": 0.97}),
    ("A028022", "JB 112 Voorlopige ondertoezichtstelling", 2, {"ots": 0.05}),
    ("A028023", "JB 12 Totaal voogdij", 2, {"voogdij": 1.0}),
    ("A028024", "JB 121 Voogdij", 2, {"voogdij": 0.9}),
    ("A028025", "JB 122 Voorlopige voogdij", 2, {"voogdij": 0.12}),
    ("A027920", "JR 1 Totaal jeugdreclassering", 3, {"jeugdreclassering": 1.0}),
)
_VORM_GROUPS = ((1, "Jeugdhulp"), (2, "Jeugdbescherming"), (3, "Jeugdreclassering"))
# A trajecten count makes no sense for the overall totals (one youth, many forms): CBS leaves them blank.
_NO_TRAJECTEN = {"A045561", "A045559"}

# 82975NED topic keys are unverified [?]; the shape (OTS and voogdij; totaal, begonnen, beëindigd) is [C].
_OTS, _VOOGDIJ = "Ondertoezichtstelling", "Voogdij"
JB_TOPICS: tuple[tuple[Topic, Recipe], ...] = (
    (Topic("TotaalTrajectenOndertoezichtstelling_1", "Totaal trajecten", group=_OTS), {"ots": 1.0}),
    (Topic("BegonnenTrajectenOndertoezichtstelling_2", "Begonnen trajecten", group=_OTS), {"ots_begonnen": 1.0}),
    (Topic("BeeindigdeTrajectenOndertoezichtstelling_3", "Beëindigde trajecten", group=_OTS), {"ots_beeindigd": 1.0}),
    (Topic("TotaalTrajectenVoogdij_4", "Totaal trajecten", group=_VOOGDIJ), {"voogdij": 1.0}),
    (Topic("BegonnenTrajectenVoogdij_5", "Begonnen trajecten", group=_VOOGDIJ), {"voogdij": 0.12}),
    (Topic("BeeindigdeTrajectenVoogdij_6", "Beëindigde trajecten", group=_VOOGDIJ), {"voogdij": 0.10}),
)


def _is_direct(recipe: Recipe) -> bool:
    return len(recipe) == 1 and next(iter(recipe.values())) == 1.0


def _gemeente_values(inp: Inputs, recipe: Recipe, tag: str, period: str, trajecten: bool) -> dict[str, float]:
    """Unrounded figure per gemeente, computed once per cell and shared by every area that sums it. Direct
    categories stay exactly the generator's counts; mixed ones and trajecten get a little per-cell noise so
    they do not look computed."""
    cache_key = (tag, period, trajecten)
    if cache_key not in inp.cache:
        direct = _is_direct(recipe)
        values = {}
        for g in inp.region.gemeenten:
            v = float(sum(w * inp.counts.get((g.code, m, period), 0.0) for m, w in recipe.items()))
            if not direct:
                v *= 0.97 + 0.06 * unit(inp.seed, "mix", tag, g.code, period)
            if trajecten:
                v *= 1.02 + 0.28 * unit(inp.seed, "traj", tag, g.code, period)
            values[g.code] = v
        inp.cache[cache_key] = values
    return inp.cache[cache_key]


def _area_value(
    inp: Inputs, area: Area, recipe: Recipe, tag: str, period: str, trajecten: bool = False
) -> float | None:
    """The unrounded figure of an area: the sum of its gemeenten, plus the NL/PV rest; None when defunct."""
    if area.defunct:
        return None
    values = _gemeente_values(inp, recipe, tag, period, trajecten)
    total = sum(values[g.code] for g in area.members)
    if area.rest:
        total *= 1 + area.rest * (0.9 + 0.2 * unit(inp.seed, "rest", tag, trajecten, area.code, period))
    return total


def _status_text(inp: Inputs) -> str:
    """ShortDescription: "Status van de cijfers", "Wijzigingen per …", "Wanneer komen er nieuwe cijfers?"."""
    status = period_statuses(inp.periods)

    def titled(s: str) -> str:
        return ", ".join(period_title(p, s).rstrip("*") for p in sorted(status) if status[p] == s) or "geen"

    return (
        "Status van de cijfers:\n"
        f"De cijfers over {titled(VOORLOPIG)} zijn voorlopig, de cijfers over {titled(NADER_VOORLOPIG)} zijn "
        "nader voorlopig. De overige cijfers zijn definitief.\n\n"
        f"Wijzigingen per {dutch_date(inp.release)}:\n"
        "Nieuwe cijfers toegevoegd en voorgaande cijfers bijgesteld.\n\n"
        "Wanneer komen er nieuwe cijfers?\nNieuwe cijfers verschijnen eind april en eind oktober."
    )


def _period_text(periods: list[str]) -> str:
    """ "2021 - 2023" or "2021 - 1e halfjaar 2024": the first year to the newest period, without stars."""
    return f"{min(periods)[:4]} - {period_title(max(periods), DEFINITIEF)}"


def kerncijfers_jeugdzorg(inp: Inputs) -> Table:
    """85099NED: VormenVanJeugdzorg x RegioS x Perioden with youths, % of 0-17 year olds, and trajecten."""
    regio, padded = regio_dimension(inp.areas)
    years = {int(p[:4]) for p in inp.periods}
    youth = {(a.code, y): youth_population(a, y) for a in inp.areas for y in years}
    rows: list[dict] = []
    for key, _, _, recipe in VORMEN:
        for area in inp.areas:
            for period in sorted(inp.periods):
                value = _area_value(inp, area, recipe, key, period)
                count = publish(value)
                pop = youth[(area.code, int(period[:4]))]
                # CBS computes the share from the unrounded count and hides it with the count.
                relatief = round(value / pop * 100, 1) if value is not None and count is not None and pop else None
                trajecten = None
                if count is not None and key not in _NO_TRAJECTEN:
                    trajecten = publish(_area_value(inp, area, recipe, key, period, trajecten=True))
                rows.append(
                    {
                        "ID": len(rows),
                        "VormenVanJeugdzorg": key,
                        "RegioS": padded[area.code],
                        "Perioden": period,
                        "JongerenMetJeugdzorg_1": count,
                        "JongerenMetJeugdzorgRelatief_2": relatief,
                        "Jeugdzorgtrajecten_3": trajecten,
                    }
                )
    topics = [
        Topic(
            "JongerenMetJeugdzorg_1",
            "Jongeren met jeugdzorg",
            description="Aantal jongeren met jeugdzorg in de periode; een jongere telt eenmaal per vorm.",
        ),
        Topic(
            "JongerenMetJeugdzorgRelatief_2",
            "Jongeren met jeugdzorg (relatief)",
            unit="%",
            datatype="Double",
            decimals=1,
            presentation="Relative",
            description="Jongeren met jeugdzorg in % van de jongeren van 0 tot 18 jaar op 1 januari.",
        ),
        Topic("Jeugdzorgtrajecten_3", "Jeugdzorgtrajecten", description="Aantal trajecten in de periode."),
    ]
    vormen = Dimension(
        "VormenVanJeugdzorg",
        "Vormen van jeugdzorg",
        "Dimension",
        [entry(key, title, group) for key, title, group, _ in VORMEN],
    )
    groups = [category_group(gid, "VormenVanJeugdzorg", title) for gid, title in _VORM_GROUPS]
    selection = (
        f"$filter=((VormenVanJeugdzorg eq 'A045561')) and ((RegioS eq '{padded['NL01']}')) and "
        f"((Perioden eq '{max(inp.periods)}'))"
        "&$select=VormenVanJeugdzorg, RegioS, Perioden, JongerenMetJeugdzorg_1"
    )
    return Table(
        "85099NED",
        "Kerncijfers over jeugdzorg",
        "Jeugdzorg; kerncijfers",
        "Tweemaalperjaar",
        inp.release,
        _period_text(inp.periods),
        _status_text(inp),
        [vormen, regio, release_perioden(inp.periods)],
        topics,
        rows,
        groups,
        selection,
    )


def jeugdbescherming(inp: Inputs) -> Table:
    """82975NED: OTS and voogdij trajecten (totaal, begonnen, beëindigd) by RegioS and Perioden."""
    regio, padded = regio_dimension(inp.areas)
    rows: list[dict] = []
    for area in inp.areas:
        for period in sorted(inp.periods):
            row: dict = {"ID": len(rows), "RegioS": padded[area.code], "Perioden": period}
            for topic, recipe in JB_TOPICS:
                row[topic.key] = publish(_area_value(inp, area, recipe, topic.key, period))
            rows.append(row)
    return Table(
        "82975NED",
        "Jeugdbeschermingstrajecten; regio",
        "Jeugdbeschermingstrajecten; regio",
        "Tweemaalperjaar",
        inp.release,
        _period_text(inp.periods),
        _status_text(inp),
        [regio, release_perioden(inp.periods)],
        [t for t, _ in JB_TOPICS],
        rows,
    )
