"""Regions the synthetic generator can build: Holland Rijnland (real CBS codes) and a synthetic national region.

Populations are rounded, realistic orders of magnitude (CBS 1 January 2024), not official figures: the generator
needs plausible sizes, not statistics. Everything here is deterministic.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field

# Youths are followed from 0 up to and including this age (Jeugdwet: up to 18, extended to 23 in some cases).
MAX_AGE = 22


@dataclass(frozen=True)
class Team:
    """A Jeugd- en Gezinsteam (JGT) of one gemeente."""

    code: str  # stable short id used in exports, e.g. "LEI-NOORD"
    naam: str  # display name, e.g. "JGT Leiden Noord"
    # Relative speed: multiplies the doorlooptijd (aanmelding -> start hulp); >1 is slower.
    tempo: float = 1.0
    # Share of closed cases referred on to specialist youth care.
    verwijskans: float = 0.35
    # Which export layout the team's registration system writes ("v1" or "v2").
    layout: str = "v1"


@dataclass(frozen=True)
class Gemeente:
    code: str  # CBS style: GM + 4 digits
    naam: str
    inwoners: int
    jeugd_aandeel: float  # share of inhabitants aged 0-17
    jeugdregio: str  # CBS JZ code of the jeugdregio
    teams: tuple[Team, ...] = field(default_factory=tuple)

    @property
    def code4(self) -> str:
        """The four digits as iJw carries them."""
        return self.code[2:]

    def population_by_age(self, year: int) -> dict[int, int]:
        """Inhabitants per single year of age 0..MAX_AGE on 1 January of `year` (deterministic, gently growing)."""
        youth_0_17 = self.inwoners * self.jeugd_aandeel * (1 + 0.004 * (year - 2024))
        per_year = youth_0_17 / 18
        rng = random.Random(_stable_seed(self.code, year))
        ages = {}
        for age in range(MAX_AGE + 1):
            # Young adults leave or arrive (students in Leiden); keep 18-22 near the 0-17 level per year.
            base = per_year * (0.95 if age >= 18 else 1.0)
            ages[age] = max(1, round(base * rng.uniform(0.94, 1.06)))
        return ages


@dataclass(frozen=True)
class Region:
    naam: str
    slug: str
    gemeenten: tuple[Gemeente, ...]

    def select(self, codes: list[str] | None) -> Region:
        if not codes:
            return self
        wanted = {c.upper() for c in codes}
        chosen = tuple(g for g in self.gemeenten if g.code in wanted)
        missing = wanted - {g.code for g in chosen}
        if missing:
            raise ValueError(f"unknown gemeente code(s) for region {self.slug}: {', '.join(sorted(missing))}")
        return Region(self.naam, self.slug, chosen)

    @property
    def inwoners(self) -> int:
        return sum(g.inwoners for g in self.gemeenten)


def _stable_seed(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _teams(prefix: str, naam: str, n: int, seed: int) -> tuple[Team, ...]:
    """n teams for a gemeente; team traits differ so that the team comparison shows real differences."""
    rng = random.Random(seed)
    wijken = ["Noord", "Zuid", "Oost", "West", "Centrum", "Stevenshof", "Merenwijk"]
    if n == 1:
        names = [(f"{prefix}", f"JGT {naam}")]
    else:
        names = [(f"{prefix}-{w.upper()}", f"JGT {naam} {w}") for w in wijken[:n]]
    return tuple(
        Team(
            code=code,
            naam=display,
            tempo=round(rng.uniform(0.7, 1.6), 2),
            verwijskans=round(rng.uniform(0.22, 0.5), 2),
            layout="v1" if rng.random() < 0.6 else "v2",
        )
        for code, display in names
    )


# Holland Rijnland: 13 gemeenten. The jeugdregio code (JZ18) is unverified: the monitor keeps it in config (checked
# against CBS "Gebieden in Nederland" at run time); the generator uses the code below for its CBS responses.
HOLLAND_RIJNLAND_JZ = "JZ18"
_HR = [
    # code, naam, inwoners (rounded, 2024), share 0-17, number of JGT teams, team prefix
    ("GM0484", "Alphen aan den Rijn", 114_000, 0.205, 3, "ALP"),
    ("GM0534", "Hillegom", 23_000, 0.205, 1, "HIL"),
    ("GM1884", "Kaag en Braassem", 28_500, 0.215, 1, "KAB"),
    ("GM0537", "Katwijk", 67_000, 0.215, 2, "KAT"),
    ("GM0546", "Leiden", 127_000, 0.150, 4, "LEI"),
    ("GM0547", "Leiderdorp", 28_000, 0.200, 1, "LDD"),
    ("GM0553", "Lisse", 23_500, 0.210, 1, "LIS"),
    ("GM0569", "Nieuwkoop", 29_000, 0.215, 1, "NKP"),
    ("GM0575", "Noordwijk", 44_500, 0.195, 2, "NWK"),
    ("GM0579", "Oegstgeest", 26_000, 0.225, 1, "OEG"),
    ("GM1525", "Teylingen", 38_000, 0.210, 1, "TEY"),
    ("GM0626", "Voorschoten", 26_000, 0.205, 1, "VST"),
    ("GM0638", "Zoeterwoude", 9_000, 0.195, 1, "ZTW"),
]


def holland_rijnland() -> Region:
    gemeenten = tuple(
        Gemeente(code, naam, inw, share, HOLLAND_RIJNLAND_JZ, _teams(prefix, naam, n_teams, _stable_seed(code)))
        for code, naam, inw, share, n_teams, prefix in _HR
    )
    return Region("Holland Rijnland", "holland-rijnland", gemeenten)


def national(n_gemeenten: int = 342, total_inwoners: int = 17_950_000, n_regios: int = 42) -> Region:
    """A synthetic Netherlands: 342 gemeenten with log-normal sizes, codes GM7001.. (no real gemeente uses them).

    Sizes follow the real shape (a long tail of small gemeenten, a few large cities) and add up to the real total.
    """
    rng = random.Random(_stable_seed("national", n_gemeenten))
    raw = [math.exp(rng.gauss(10.3, 0.85)) for _ in range(n_gemeenten)]
    factor = total_inwoners / sum(raw)
    gemeenten = []
    for i, size in enumerate(raw):
        code = f"GM{7001 + i:04d}"
        inwoners = max(1_000, round(size * factor))
        n_teams = 1 if inwoners < 40_000 else 2 if inwoners < 100_000 else 4
        regio = f"JZ{(i % n_regios) + 1:02d}"
        naam = f"Gemeente {7001 + i}"
        gemeenten.append(
            Gemeente(
                code,
                naam,
                inwoners,
                round(rng.uniform(0.16, 0.23), 3),
                regio,
                _teams(f"T{7001 + i}", naam, n_teams, _stable_seed(code)),
            )
        )
    return Region("Nederland (synthetisch)", "national", tuple(gemeenten))


REGIONS = {"holland-rijnland": holland_rijnland, "national": national}


def get_region(slug: str) -> Region:
    try:
        return REGIONS[slug]()
    except KeyError:
        raise ValueError(f"unknown region {slug!r}; choose one of: {', '.join(sorted(REGIONS))}") from None
