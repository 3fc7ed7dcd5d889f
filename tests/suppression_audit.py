"""The attack on published marts that complementary suppression must withstand, written out on its own (not from
the registry's directions): for every additive relation (a period is the sum of its months or quarters; a total
the sum of its teams, verwijzers, categorieën, vormen or aanbieders), a group whose total is published and which
has exactly one hidden part gives that part away as total - sum(published parts). A stock (the queue, lopend) of a
quarter or year is that of its last covered month: published in one and hidden in the other gives it away too."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

TOTAAL = "totaal"


@dataclass(frozen=True)
class Audit:
    grain: tuple[str, ...]  # every key column but the period
    additive: tuple[str, ...]  # published figures that add up over periods and over `parts`
    parts: tuple[str, ...] = ()  # breakdown columns with a 'totaal' row
    stock: tuple[str, ...] = ()  # figures of a period that are those of its last covered month
    where: tuple[tuple[str, object], ...] = ()


AUDITS = {
    "mart_aanmeldingen": Audit(("gemeentecode", "team"), ("aantal_aanmeldingen",), ("team",)),
    "mart_aanmeldingen_uitsplitsing": Audit(
        ("gemeentecode", "team", "kenmerk", "categorie"), ("aantal_aanmeldingen",), ("team", "categorie")
    ),
    "mart_doorlooptijd": Audit(
        ("gemeentecode", "team"), ("aantal",), ("team",), stock=("wachtend_aantal", "wachtend_langer_dan_norm")
    ),
    "mart_doorlooptijd_aanbieder": Audit(
        ("gemeentecode", "aanbieder_agb"),
        ("aantal",),
        ("aanbieder_agb",),
        stock=("wachtend_aantal", "wachtend_langer_dan_norm"),
    ),
    "mart_doorlooptijd_keten": Audit(("gemeentecode",), ("aantal",)),
    "mart_verwijzingen": Audit(("gemeentecode", "verwijzer_type"), ("nieuwe_toewijzingen",), ("verwijzer_type",)),
    "mart_verwijzingen_team": Audit(("gemeentecode", "team"), ("afgesloten", "doorverwezen_specialistisch"), ("team",)),
    "mart_kosten": Audit(("gemeentecode", "product_categorie"), ("netto_bedrag",), ("product_categorie",)),
    "mart_ots": Audit(("gemeentecode", "bron"), ("gestart",), stock=("lopend",), where=(("bron", "ijw"),)),
    "mart_uithuisplaatsingen": Audit(
        ("gemeentecode", "bron", "vorm"), ("gestart",), ("vorm",), stock=("lopend",), where=(("bron", "ijw"),)
    ),
}
NESTED = [("maand", "kwartaal"), ("maand", "halfjaar"), ("maand", "jaar"), ("kwartaal", "halfjaar")]
NESTED += [("kwartaal", "jaar"), ("halfjaar", "jaar")]
MONTHS = {"maand": 1, "kwartaal": 3, "halfjaar": 6, "jaar": 12}


def _periods(rows: pd.DataFrame) -> pd.DataFrame:
    """periode_type, the start of the period, the code of every longer period it lies in, its last covered month."""
    start = pd.to_datetime(rows["maand"] if "maand" in rows else rows["periode_start"])
    kind = rows["periode_type"]
    year, month = start.dt.year.astype(str), start.dt.month
    last_month = pd.Series(
        [s + pd.DateOffset(months=MONTHS[k] - 1) for s, k in zip(start, kind, strict=True)], index=rows.index
    )
    covered = start[kind == "maand"].max()
    return rows.assign(
        _start=start,
        _kwartaal=year + "Q" + ((month - 1) // 3 + 1).astype(str),
        _halfjaar=year + "H" + ((month - 1) // 6 + 1).astype(str),
        _jaar=year,
        _last=last_month.clip(upper=covered),
    )


def leaks(name: str, rows: pd.DataFrame) -> list[str]:
    """Every cell of mart `name` (one gemeente's published rows) that the attack recovers."""
    audit = AUDITS[name]
    for column, value in audit.where:
        rows = rows[rows[column] == value]
    if rows.empty:
        return []
    rows = _periods(rows.reset_index(drop=True))
    found: list[str] = []
    kinds = set(rows["periode_type"])
    for figure in audit.additive:
        for fine, coarse in NESTED:
            if not {fine, coarse} <= kinds:
                continue
            pair = rows[rows["periode_type"].isin([fine, coarse])]
            for key, group in pair.groupby([*audit.grain, f"_{coarse}"], dropna=False):
                found += _exposed(name, figure, key, group, group["periode_type"] == coarse)
        for part in audit.parts:
            others = [c for c in audit.grain if c != part]
            for key, group in rows.groupby([*others, "periode_type", "_start"], dropna=False):
                found += _exposed(name, figure, key, group, group[part] == TOTAAL)
    for figure in audit.stock:
        for key, group in rows.groupby([*audit.grain, "_last"], dropna=False):
            hidden = group[figure].isna()
            if hidden.any() and not hidden.all():
                found.append(f"{name}.{figure} {key}: a stock published beside its hidden equal")
    return found


def _exposed(name: str, figure: str, key, group: pd.DataFrame, is_total: pd.Series) -> list[str]:
    total, parts = group[is_total], group[~is_total]
    if len(total) != 1 or total[figure].isna().any() or parts.empty:
        return []
    if int(parts[figure].isna().sum()) == 1:
        return [f"{name}.{figure} {key}: total - published parts = the hidden part"]
    return []
