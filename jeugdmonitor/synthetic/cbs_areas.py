"""The RegioS members of the synthetic CBS tables and their population (the 03759ned figures).

Aggregates (NL, PV, JZ) are sums of unrounded gemeente figures, as CBS computes them. NL and PV add a
deterministic "rest of the country" so they are larger than the region, as they are in reality; for the
national region the NL rest stands for youths whose gemeente is unknown, which CBS counts in NL only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jeugdmonitor.synthetic.cbs_codes import unit
from jeugdmonitor.synthetic.regions import MAX_AGE, Gemeente, Region

NL_INWONERS = 17_950_000
PROVINCIES = {  # code: (name, inhabitants 1 January 2025, rounded)
    "PV20": ("Groningen", 603_000),
    "PV21": ("Fryslân", 664_000),
    "PV22": ("Drenthe", 502_000),
    "PV23": ("Overijssel", 1_196_000),
    "PV24": ("Flevoland", 452_000),
    "PV25": ("Gelderland", 2_161_000),
    "PV26": ("Utrecht", 1_409_000),
    "PV27": ("Noord-Holland", 2_992_000),
    "PV28": ("Zuid-Holland", 3_863_000),
    "PV29": ("Zeeland", 392_000),
    "PV30": ("Noord-Brabant", 2_664_000),
    "PV31": ("Limburg", 1_135_000),
}
# Jeugdregio's whose provincie is known; the synthetic national JZ01.. regions get one by number.
_PROVINCIE_BY_JZ = {"JZ18": "PV28"}
# A gemeente that no longer exists: older periods keep its code with blanks (cbs.md §4.9). Noordwijkerhout
# joined Noordwijk (GM0575) on 1 January 2019.
DEFUNCT = ("GM0576", "Noordwijkerhout", "Per 1 januari 2019 samengevoegd met Noordwijk (GM0575).")
# The NL/PV rest never drops below this share, so an aggregate is always larger than its region part.
_MIN_REST = 0.02

# Geslacht and Leeftijd codes of 03759ned. T001038/3000/10000 are seen in real responses (cbs.md §3.3); 4000,
# the single-year keys and the group key are unverified guesses: clients must select by Title.
SEX_TOTAL, MEN, WOMEN = "T001038", "3000", "4000"
AGE_TOTAL = "10000"
AGE_GROUP_0_17 = "A050310"
MARITAL_TOTAL = "T001019"


def age_key(age: int) -> str:
    return "10010" if age == 0 else f"1{age:02d}00"


@dataclass(frozen=True)
class Area:
    """One RegioS member: a gemeente, a jeugdregio, a provincie or the country."""

    code: str
    title: str
    members: tuple[Gemeente, ...]
    rest: float = 0.0  # extra share for the part outside the region (NL, PV)
    defunct: bool = False
    description: str | None = None

    @property
    def kind(self) -> str:
        return self.code[:2]


def provincie_of(g: Gemeente) -> str:
    if g.jeugdregio in _PROVINCIE_BY_JZ:
        return _PROVINCIE_BY_JZ[g.jeugdregio]
    number = int(g.jeugdregio[2:]) if g.jeugdregio[2:].isdigit() else 0
    return f"PV{20 + (number - 1) % 12}"


def jeugdregio_names(region: Region) -> dict[str, str]:
    """A region with one jeugdregio lends it its name ("Holland Rijnland"); otherwise a neutral label."""
    codes = sorted({g.jeugdregio for g in region.gemeenten})
    if len(codes) == 1:
        return {codes[0]: region.naam}
    return {c: f"Jeugdregio {c[2:]}" for c in codes}


def build_areas(region: Region) -> list[Area]:
    """NL, provincies, jeugdregio's, then gemeenten by name (with the defunct one), in StatLine's order."""
    gemeenten = sorted(region.gemeenten, key=lambda g: g.naam)
    nl_rest = max(NL_INWONERS / max(region.inwoners, 1) - 1, _MIN_REST)
    areas = [Area("NL01", "Nederland", tuple(gemeenten), nl_rest)]
    for pv in sorted({provincie_of(g) for g in gemeenten}):
        members = tuple(g for g in gemeenten if provincie_of(g) == pv)
        naam, inwoners = PROVINCIES[pv]
        rest = max(inwoners / sum(g.inwoners for g in members) - 1, _MIN_REST)
        areas.append(Area(pv, f"{naam} (PV)", members, rest))
    for jz, naam in sorted(jeugdregio_names(region).items()):
        areas.append(Area(jz, f"{naam} (JZ)", tuple(g for g in gemeenten if g.jeugdregio == jz)))
    singles = [Area(g.code, g.naam, (g,)) for g in gemeenten]
    if DEFUNCT[0] not in {g.code for g in gemeenten}:
        singles.append(Area(DEFUNCT[0], DEFUNCT[1], (), defunct=True, description=DEFUNCT[2]))
    return areas + sorted(singles, key=lambda a: a.title)


@lru_cache(maxsize=4096)  # every aggregate sums the same gemeente cells again
def _gemeente_base(g: Gemeente, year: int) -> dict[tuple[str, str], int]:
    """{(sex, age key or AGE_TOTAL): inhabitants} for men and women; the split is seed-free so that the
    population stays the same whatever seed the care figures use."""
    cells: dict[tuple[str, str], int] = {}
    for age, n in g.population_by_age(year).items():
        men = round(n * (0.50 + 0.03 * unit(0, "sex", g.code, year, age)))
        cells[(MEN, age_key(age))], cells[(WOMEN, age_key(age))] = men, n - men
    total = round(g.inwoners * (1 + 0.004 * (year - 2024)))
    men_total = round(total * 0.496)
    cells[(MEN, AGE_TOTAL)], cells[(WOMEN, AGE_TOTAL)] = men_total, total - men_total
    return cells


def area_population(area: Area, year: int) -> dict[tuple[str, str], int] | None:
    """All published 03759ned cells {(Geslacht, Leeftijd): value} of an area on 1 January; None if defunct."""
    if area.defunct:
        return None
    base: dict[tuple[str, str], int] = {}
    for g in area.members:
        for cell, n in _gemeente_base(g, year).items():
            base[cell] = base.get(cell, 0) + n
    if area.rest:
        base = {cell: n + round(n * area.rest) for cell, n in base.items()}
    out = dict(base)
    for sex in (MEN, WOMEN):
        out[(sex, AGE_GROUP_0_17)] = sum(base[(sex, age_key(a))] for a in range(18))
    for key in [AGE_TOTAL, *(age_key(a) for a in range(MAX_AGE + 1)), AGE_GROUP_0_17]:
        out[(SEX_TOTAL, key)] = out[(MEN, key)] + out[(WOMEN, key)]
    return out


def youth_population(area: Area, year: int) -> int | None:
    """Inhabitants aged 0-17 on 1 January: the denominator of the "relatief" measure."""
    pop = area_population(area, year)
    return None if pop is None else pop[(SEX_TOTAL, AGE_GROUP_0_17)]
