"""The simulated world of one gemeente: youths, JGT registrations and care trajecten, told as one story.

Why a story and not independent random rows: the monitor links sources through the youth (JGT aanmelding ->
toewijzing -> start -> declaratie), so every message must follow from the same events. This module decides *what
happens* (dates, products, aanbieders, outcomes); `messages.py` turns it into iJw messages and `jgt_writer.py`
into team exports.

Time: trajecten start from a lookback before the window so that youths already in care at the window start
exist. Everything is simulated to its end (even beyond the window); the writers decide what was sent by the
window's end. All randomness comes from the `random.Random` handed in, consumed in a fixed order.
"""

from __future__ import annotations

import bisect
import calendar
import hashlib
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

from jeugdmonitor.synthetic.products import (
    AANBIEDERS,
    EURO,
    PRODUCTS,
    Aanbieder,
    Product,
    offering,
)
from jeugdmonitor.synthetic.regions import Gemeente, Region, Team
from jeugdmonitor.transforms.bsn import bsn_check_digit

# ---------------------------------------------------------------------------------------------------------------
# Calibration. Rates are per youth aged 0-17 per year; the report measures what they produce.
# ---------------------------------------------------------------------------------------------------------------
JGT_AANMELD_RATE = 0.075  # 6-9 % of youths register at the JGT in a year
JGT_WITHDRAW = 0.05  # closed before any help started
JGT_WAIT_MEDIAN, JGT_WAIT_SIGMA = 18.0, 0.96  # days aanmelding -> start hulp, times Team.tempo (p80 ~ 2.25 x median)
JGT_VOORLIGGEND = 0.15  # share of closed cases referred to the voorliggend veld

# New jeugdhulp trajecten by verwijzer (COD327), besides the JGT route (01) and the GI route (04, from JB youths).
ROUTE_RATES = {"02": 0.024, "03": 0.004, "05": 0.005, "06": 0.005, "08": 0.0006}
OTS_RATE, VOOGDIJ_RATE, JR_RATE = 0.0040, 0.0006, 0.0016
AGE_RANGES = {
    "01": (0, 17),
    "02": (4, 17),
    "03": (0, 12),
    "04": (0, 17),
    "05": (2, 17),
    "06": (6, 17),
    "08": (12, 17),
    "ots": (0, 17),
    "voogdij": (0, 17),
    "jr": (12, 17),
}
# Years of lookback before the window: long care needs a long past to reach a steady state at the window start.
LOOKBACK_YEARS = {"jgt": 2, "short": 3, "verblijf": 5, "ots": 5, "voogdij": 8, "jr": 3}

ROUTE_PRODUCTS: dict[str, tuple[tuple[str, float], ...]] = {
    "01": (
        ("45A05", 22),
        ("45A07", 14),
        ("45A10", 12),
        ("45A48", 8),
        ("54001", 12),
        ("41A02", 6),
        ("50A01", 5),
        ("44A03", 1.5),
        ("44A07", 1),
        ("43A20", 1),
        ("43A15", 1.5),
        ("44A15", 1),
    ),
    "02": (("54001", 55), ("45A07", 20), ("54004", 10), ("45A31", 10), ("45A05", 5)),
    "03": (("45A05", 40), ("41A02", 35), ("45A10", 15), ("45A31", 10)),
    "04": (
        ("44A03", 25),
        ("44A07", 20),
        ("43A03", 10),
        ("43A20", 8),
        ("44A10", 7),
        ("43A15", 10),
        ("44A15", 5),
        ("45A48", 15),
    ),
    "05": (("54001", 35), ("41A06", 30), ("45A07", 20), ("43A15", 5), ("54004", 10)),
    "06": (("46A01", 60), ("46A05", 12), ("46A03", 8), ("45A05", 20)),
    "08": (("43A06", 70), ("43A12", 30)),
}
GI_VERBLIJF = (("44A03", 30), ("44A07", 25), ("43A03", 10), ("43A20", 10), ("44A10", 10), ("43A15", 10), ("44A15", 5))
# Further products at the same aanbieder in the same traject (taken when the aanbieder offers them): most care
# is declared as more than one product per month (e.g. behandeling plus diagnostiek, verblijf plus behandeling).
SECONDARY: dict[str, tuple[tuple[str, float], ...]] = {
    "45A05": (("45A10", 0.8), ("50A01", 0.5), ("45A07", 0.4)),
    "45A07": (("45A31", 0.8), ("45A05", 0.5), ("45A48", 0.3)),
    "45A10": (("45A05", 0.8), ("50A01", 0.5)),
    "45A48": (("45A07", 0.8), ("45A05", 0.4)),
    "45A31": (("45A07", 0.8),),
    "54001": (("54002", 0.8), ("54004", 0.5), ("45A31", 0.3)),
    "54004": (("54002", 0.8), ("54001", 0.6)),
    "41A02": (("50A01", 0.8), ("45A05", 0.5), ("45A07", 0.4), ("45A31", 0.3)),
    "41A06": (("54001", 0.8), ("54002", 0.5)),
    "50A01": (("45A05", 0.8), ("45A10", 0.5), ("41A02", 0.4)),
    "43A03": (("44A18", 0.5),),
    "44A03": (("44A18", 0.5), ("43A03", 0.3)),
    "44A07": (("44A18", 0.5),),
    "43A20": (("44A10", 0.5),),
    "43A15": (("45A48", 0.6), ("44A15", 0.3)),
    "44A15": (("43A15", 0.3), ("45A48", 0.6)),
}
DIAGNOSTIEK = ("45A31", "54002")  # short products with their own end
SAME_END = 0.8  # share of other secondary products that end with the main product
SECOND_TRAJECT = 0.4  # a concurrent traject at another aanbieder (e.g. ambulant plus ggz)

# Actual care duration per product: lognormal (median days, sigma). Planned toewijzing length in days.
DURATION: dict[str, tuple[float, float]] = {
    "45A05": (250, 0.6),
    "45A07": (280, 0.6),
    "45A10": (200, 0.6),
    "45A48": (210, 0.5),
    "45A31": (80, 0.4),
    "41A02": (360, 0.6),
    "41A06": (300, 0.6),
    "54001": (330, 0.6),
    "54002": (80, 0.4),
    "54004": (360, 0.6),
    "50A01": (300, 0.6),
    "46A01": (21, 0.5),
    "43A03": (480, 0.8),
    "44A03": (600, 0.8),
    "44A07": (600, 0.8),
    "44A18": (300, 0.7),
    "43A20": (450, 0.7),
    "44A10": (500, 0.7),
    "43A06": (140, 0.5),
    "43A12": (120, 0.5),
    "43A15": (270, 0.6),
    "44A15": (330, 0.6),
    "46A05": (35, 0.5),
    "46A03": (30, 0.5),
    "48B10": (420, 0.6),
    "48B12": (420, 0.6),
    "48B11": (1400, 0.5),
    "48B13": (1400, 0.5),
    "47A01": (240, 0.5),
    "47A05": (200, 0.5),
}
PLANNED_DAYS = {"45A31": 91, "54002": 91, "46A01": 28, "46A05": 42, "46A03": 42}
PLANNED_DEFAULT, PLANNED_LONG = 182, 365
PAUSE_SHARE = 0.03  # stops with RedenBeeindiging 20 followed by a new start
START_CORRECTION_SHARE = 0.01  # starts deleted (StatusAanlevering 3) and resent
VERKORTING_SHARE = 0.5  # early ends that the gemeente follows with RedenWijziging 05
STOP_REASONS = (("31", 80), ("32", 6), ("33", 4), ("34", 6), ("35", 4))

BRONNEN = (("zelf", 30), ("huisarts", 18), ("school", 17), ("jgz", 15), ("politie/veilig thuis", 10), ("overig", 10))
HULPVRAGEN = (
    ("opvoeding", 32),
    ("psychisch", 22),
    ("ontwikkeling", 16),
    ("school", 12),
    ("veiligheid", 10),
    ("overig", 8),
)
ZONDER_VERVOLG, SPECIALISTISCH, VOORLIGGEND = "zonder_vervolg", "specialistisch", "voorliggend_veld"

VOORNAMEN_M = (
    "Daan",
    "Sem",
    "Lucas",
    "Levi",
    "Finn",
    "Noah",
    "Milan",
    "Bram",
    "Thijs",
    "Jesse",
    "Mohammed",
    "Daniël",
    "Raphaël",
    "Joël",
    "Luuk",
    "Sven",
    "Ömer",
    "Adam",
    "Gijs",
    "Tim",
)
VOORNAMEN_V = (
    "Emma",
    "Julia",
    "Mila",
    "Tess",
    "Sophie",
    "Zoë",
    "Noëlle",
    "Chloë",
    "Lotte",
    "Sara",
    "Fenna",
    "Yasmina",
    "Anaïs",
    "Liv",
    "Nora",
    "Eva",
    "Isa",
    "Fleur",
    "Amira",
    "Roos",
)
ACHTERNAMEN = (
    ("de", "Jong"),
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
    ("", "Kaya"),
    ("", "Öztürk"),
    ("van der", "Meer"),
    ("", "Çelik"),
    ("", "Hoogendoorn"),
    ("van 't", "Hof"),
    ("", "Koç"),
    ("", "Zwaneveld"),
)
STRATEN = (
    "Hoofdstraat",
    "Kerkstraat",
    "Molenweg",
    "Rijnsburgerweg",
    "Breestraat",
    "Haarlemmerstraat",
    "Schoolstraat",
    "Dorpsstraat",
    "Julianalaan",
    "Beatrixlaan",
    "Zuidsingel",
    "Van Lierstraat",
)

# Days from referral to care start that a traject may take at most when deciding early that it cannot matter.
MAX_START_DELAY = 400
BSN_SPACE = 10_000_000  # "9" + 7 free digits + check digit
TOEWIJZING_BLOCK = 2_000_000  # ToewijzingNummers per gemeente (LDT_Nummer <= 999 999 999)


# ---------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------
def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def workday(d: date) -> date:
    """Messages are dated on working days: Saturday and Sunday move to Monday."""
    wd = d.weekday()
    return d + timedelta(days=7 - wd) if wd >= 5 else d


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Window:
    """The months the run covers: messages dated in them are written, JW323 covers them."""

    start: date
    months: int

    @classmethod
    def parse(cls, start: str, months: int) -> Window:
        if months < 1:
            raise ValueError("months must be at least 1")
        try:
            year, month = (int(x) for x in start.split("-"))
            return cls(date(year, month, 1), months)
        except ValueError:
            raise ValueError(f"start must look like YYYY-MM, got {start!r}") from None

    @property
    def end(self) -> date:
        return month_end(add_months(self.start, self.months - 1))

    @property
    def month_starts(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]


def stable_seed(*parts: object) -> int:
    """A seed from sha256 of the parts: stable across runs and processes (unlike hash())."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


# ---------------------------------------------------------------------------------------------------------------
# The story's objects
# ---------------------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Youth:
    bsn: str
    geboortedatum: date
    geslacht: str  # "1" man, "2" vrouw
    voornaam: str
    voorvoegsel: str
    achternaam: str
    straat: str
    huisnummer: int
    postcode: str
    # Periods in which the gemeente's JW301 shows JuridischeStatus 04 (OTS) / WettelijkeVertegenwoordiging 06.
    ots_status: list[tuple[date, date]] = field(default_factory=list)
    voogdij_status: list[tuple[date, date]] = field(default_factory=list)

    @property
    def voorletters(self) -> str:
        return self.voornaam[0]


@dataclass(slots=True)
class Version:
    """One state of a toewijzing as the gemeente sent it (the JW301 that created or changed it)."""

    datum: date  # Toewijzingsdatum = Dagtekening of the JW301
    tijd: str
    einddatum: date
    reden: str | None  # RedenWijziging (04 verlenging, 05 verkorting)


@dataclass(slots=True)
class Segment:
    """Care between one JW305 start and its JW307 stop."""

    begin: date
    end: date
    reden: str  # RedenBeeindiging of the stop
    start_dag: date
    stop_dag: date
    wrong_begin: date | None = None  # a start first sent with this Begindatum, then deleted and resent
    correction_dag: date | None = None


@dataclass(slots=True)
class Toewijzing:
    nummer: int
    product: Product
    ingangsdatum: date
    omvang: int  # toegewezen Volume per Frequentie (product.omvang[2])
    versions: list[Version]
    segments: list[Segment]
    referentie_aanbieder: str | None = None
    intensity: float = 1.0  # share of the toegewezen omvang that is delivered

    @property
    def einddatum(self) -> date:
        """The Einddatum of the last version: every prestatie lies inside it."""
        return self.versions[-1].einddatum

    def version_at(self, d: date) -> Version | None:
        current = None
        for v in self.versions:
            if v.datum <= d:
                current = v
        return current


@dataclass(slots=True)
class Traject:
    """One request for care at one aanbieder: a JW315 (unless the gemeente itself referred) and its toewijzingen."""

    youth: Youth
    aanbieder: Aanbieder
    verwijzer: str  # COD327 type
    referral: date
    vot_dag: date | None
    toewijzingen: list[Toewijzing]
    verwijzer_naam: str | None = None
    verwijzer_agb: str | None = None


@dataclass(slots=True)
class Registration:
    """A JGT registration (aanmelding) and what became of it."""

    team: Team
    nummer: str
    youth: Youth
    aanmelddatum: date
    aanmeldtijd: str
    bron: str
    hulpvraag: str
    start: date | None
    afsluiting: date | None
    uitkomst: str | None


@dataclass
class GemeenteWorld:
    gemeente: Gemeente
    index: int  # position in the full region: fixes BSN and ToewijzingNummer blocks
    window: Window
    youth_0_17: float  # population 0-17 (scaled), the denominator of rates
    aanbieders: tuple[Aanbieder, ...]  # contracted by this gemeente
    registrations: list[Registration]
    trajecten: list[Traject]
    youths_created: int


@dataclass(frozen=True)
class GemeenteContext:
    """What a gemeente's simulation needs to know about the full region, so that a subset run reproduces it."""

    index: int
    bsn_start: int
    bsn_size: int


def region_contexts(full: Region) -> dict[str, GemeenteContext]:
    """BSN blocks proportional to inhabitants over the full region: unique BSNs across a national run."""
    total = sum(g.inwoners for g in full.gemeenten)
    out, start = {}, 0
    for i, g in enumerate(full.gemeenten):
        size = BSN_SPACE * g.inwoners // total
        out[g.code] = GemeenteContext(i, start, size)
        start += size
    return out


# ---------------------------------------------------------------------------------------------------------------
# Random helpers (random() based: randrange is several times slower and this runs millions of times nationally)
# ---------------------------------------------------------------------------------------------------------------
T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice, drawn with one random() and a bisect."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]):
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rnd: Callable[[], float]) -> T:
        i = bisect.bisect_right(self.cum, rnd() * self.total)
        return self.values[min(i, len(self.values) - 1)]


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# ---------------------------------------------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------------------------------------------
_ROUTE_PRODUCTS = {k: Weighted(v) for k, v in ROUTE_PRODUCTS.items()}
_GI_VERBLIJF = Weighted(GI_VERBLIJF)
_STOP_REASONS = Weighted(STOP_REASONS)
_BRONNEN, _HULPVRAGEN = Weighted(BRONNEN), Weighted(HULPVRAGEN)
_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
DAY = timedelta(days=1)


@dataclass
class _Habits:
    """How one traject's messages are timed: products of one traject start, stop and change together."""

    start_dag: date
    stop_lag: int
    extension_lead: int
    verkorting_lag: int
    reden: str
    tijden: dict[date, str]

    def tijd(self, dag: date, sim: _Simulator) -> str:
        if dag not in self.tijden:
            self.tijden[dag] = sim._time()
        return self.tijden[dag]


class _Simulator:
    """Draws one gemeente's story. Trajecten and registrations that end before anything the run writes or counts
    are abandoned as soon as that is known (a lookback of years, most of it long over): that keeps national runs
    fast. Abandoned stories still consume random numbers, always in the same order, so the result is fixed."""

    def __init__(self, gemeente: Gemeente, ctx: GemeenteContext, window: Window, rng: random.Random, scale: float):
        self.g, self.ctx, self.window, self.rng, self.scale = gemeente, ctx, window, rng, scale
        self.rnd = rng.random
        pop = gemeente.population_by_age(window.start.year)
        self.ages = {a: pop[a] * scale for a in range(18)}
        self.youth_0_17 = sum(self.ages.values())
        self.age_tables = {
            route: Weighted((a, self.ages[a]) for a in range(lo, hi + 1)) for route, (lo, hi) in AGE_RANGES.items()
        }
        # Nothing that ended before this date is written or counted (CBS periods start on 1 January at the
        # earliest); a margin covers messages dated after the end (JW307, verkorting).
        self.relevant_from = date(window.start.year, 1, 1) - timedelta(days=45)
        self._bsn_counter = 0
        self._toewijzing_counter = 0
        self._vot_counter = 0
        self.youths = 0
        self.trajecten: list[Traject] = []
        self.registrations: list[Registration] = []
        self.postcode_base = 1000 + (stable_seed("postcode", gemeente.code) % 8900)
        self.huisartsen = [f"01{100000 + self._int(900000)}" for _ in range(12)]
        self.aanbieders = self._contract()
        self.by_product = {code: self._options(code) for code in PRODUCTS}
        self.gis = [a for a in self.aanbieders if a.gi]

    # -- small draws ------------------------------------------------------------------------------------------
    def _int(self, n: int) -> int:
        """0 <= k < n."""
        return int(self.rnd() * n)

    def _days(self, lo: int, hi: int) -> timedelta:
        """lo <= days < hi."""
        return timedelta(days=lo + int(self.rnd() * (hi - lo)))

    def _lognormal(self, median: float, sigma: float) -> int:
        return max(0, round(median * math.exp(self.rng.gauss(0.0, sigma))))

    def _time(self) -> str:
        s = 8 * 3600 + self._int(10 * 3600)
        return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    # -- identities -------------------------------------------------------------------------------------------
    def _next_bsn(self) -> str:
        while self._bsn_counter < self.ctx.bsn_size:
            first8 = f"9{self.ctx.bsn_start + self._bsn_counter:07d}"
            self._bsn_counter += 1
            digit = bsn_check_digit(first8)
            if digit is not None:
                return f"{first8}{digit}"
        raise ValueError(f"BSN block of {self.g.code} exhausted; lower the scale")

    def birthdate(self, route: str, at: date) -> date:
        """A birth date for a youth of the route's age range at `at`, weighted by the population by age."""
        age = self.age_tables[route].draw(self.rnd)
        return add_years(at, -age) - timedelta(days=self._int(365))

    def person(self, born: date) -> Youth:
        """Materialise a youth once its story is known to matter (BSN, name, address)."""
        rnd, rng = self.rnd, self.rng
        geslacht = "1" if rnd() < 0.52 else "2"
        names = VOORNAMEN_M if geslacht == "1" else VOORNAMEN_V
        voornaam = names[self._int(len(names))]
        voorvoegsel, achternaam = ACHTERNAMEN[self._int(len(ACHTERNAMEN))]
        self.youths += 1
        return Youth(
            bsn=self._next_bsn(),
            geboortedatum=born,
            geslacht=geslacht,
            voornaam=voornaam,
            voorvoegsel=voorvoegsel,
            achternaam=achternaam,
            straat=STRATEN[self._int(len(STRATEN))],
            huisnummer=1 + self._int(240),
            postcode=f"{self.postcode_base + self._int(40):04d}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}",
        )

    def _next_toewijzing(self) -> int:
        self._toewijzing_counter += 1
        if self._toewijzing_counter >= TOEWIJZING_BLOCK:
            raise ValueError(f"ToewijzingNummer block of {self.g.code} exhausted; lower the scale")
        return (self.ctx.index + 1) * TOEWIJZING_BLOCK + self._toewijzing_counter

    # -- aanbieders -------------------------------------------------------------------------------------------
    def _contract(self) -> tuple[Aanbieder, ...]:
        """Each gemeente contracts most aanbieders; every product keeps at least one."""
        chosen = [a for a in AANBIEDERS if self.rnd() < 0.75]
        for code in PRODUCTS:
            if not offering(code, tuple(chosen)):
                options = offering(code)
                chosen.append(options[self._int(len(options))])
        return tuple(a for a in AANBIEDERS if a in chosen)

    def _options(self, code: str) -> Weighted:
        return Weighted((a, a.gewicht) for a in offering(code, self.aanbieders))

    def _aanbieder_for(self, code: str, exclude: Aanbieder | None) -> Aanbieder:
        table = self.by_product[code]
        choice = table.draw(self.rnd)
        if choice is exclude and len(table.values) > 1:
            others = [a for a in table.values if a is not exclude]
            choice = others[self._int(len(others))]
        return choice

    def _event_dates(self, rate: float, lookback: int) -> list[date]:
        first = add_years(self.window.start, -lookback)
        days = (self.window.end - first).days + 1
        n = poisson(self.rng, rate * self.youth_0_17 * days / 365.25)
        return sorted(first + timedelta(days=self._int(days)) for _ in range(n))

    # -- trajecten --------------------------------------------------------------------------------------------
    def make_traject(
        self,
        youth: Youth | date,
        verwijzer: str,
        code: str,
        referral: date,
        duration_factor: float = 1.0,
        exclude: Aanbieder | None = None,
    ) -> Traject | None:
        """A traject for `code` (plus maybe a secondary product at the same aanbieder).

        `youth` is a Youth or, for a youth not materialised yet, a birth date. Returns None when the youth turns
        18 before care could start, or when the whole traject ends before anything the run writes or counts.
        `exclude` keeps a concurrent traject at a different aanbieder.
        """
        born = youth if isinstance(youth, date) else youth.geboortedatum
        last_day = add_years(born, 18) - DAY
        if referral >= last_day - timedelta(days=30):
            return None
        product = PRODUCTS[code]
        median, sigma = DURATION[code]
        days = max(1, round(self._lognormal(median, sigma) * duration_factor))
        if referral + timedelta(days=days + MAX_START_DELAY) < self.relevant_from:
            return None  # over long before the run looks: abandon before the expensive part
        aanbieder = self._aanbieder_for(code, exclude)
        if product.crisis:
            begin = ingang = referral
            vot_dag = workday(referral + self._days(1, 4)) if verwijzer != "01" else None
            t = workday((vot_dag or referral) + self._days(1, 4))
        elif verwijzer == "01":
            vot_dag = None
            t = workday(referral + self._days(1, 11))
            ingang = t + self._days(0, 6)
            begin = max(ingang, t) + timedelta(days=self._lognormal(aanbieder.start_mediaan, 0.8))
        else:
            vot_dag = workday(referral + self._days(0, 5))
            ingang = vot_dag + self._days(0, 11)
            t = workday(vot_dag + timedelta(days=self._lognormal(4, 0.7)))
            begin = max(ingang, t) + timedelta(days=self._lognormal(aanbieder.start_mediaan, 0.8))
        codes = [code]
        for extra, p in SECONDARY.get(code, ()):
            if self.rnd() < p and extra in aanbieder.producten:
                codes.append(extra)
        ends = [min(begin + timedelta(days=days), last_day)]
        for c in codes[1:]:
            if c not in DIAGNOSTIEK and self.rnd() < SAME_END:
                ends.append(ends[0])  # one care plan: the products end together
            else:
                ends.append(min(begin + timedelta(days=max(1, self._lognormal(*DURATION[c]))), last_day))
        if max(ends) < self.relevant_from or begin >= last_day:
            return None  # over before the run looks: abandon early
        if isinstance(youth, date):
            youth = self.person(youth)
        habits = _Habits(
            start_dag=workday(max(begin, t) + self._days(0, 6)),
            stop_lag=self._int(6),
            extension_lead=2 + self._int(20),
            verkorting_lag=3 + self._int(13),
            reden=_STOP_REASONS.draw(self.rnd),
            tijden={t: self._time()},
        )
        toewijzingen = []
        for c, end in zip(codes, ends, strict=True):
            tw = self._toewijzing(PRODUCTS[c], ingang, t, begin, end, habits)
            if tw is not None:
                if verwijzer != "01":
                    self._vot_counter += 1
                    tw.referentie_aanbieder = f"VOT-{self.g.code4}-{self._vot_counter:07d}"
                toewijzingen.append(tw)
        if not toewijzingen:
            return None
        naam = agb = None
        if verwijzer == "02":
            if self.rnd() < 0.7:
                agb = self.huisartsen[self._int(len(self.huisartsen))]
            else:
                naam = f"Huisartsenpraktijk {STRATEN[self._int(len(STRATEN))]}"
        elif verwijzer == "03":
            naam = "JGZ Hollands Midden"
        elif verwijzer == "04":
            gi = aanbieder if aanbieder.gi else self.gis[self._int(len(self.gis))]
            naam, agb = gi.naam, gi.agb
        elif verwijzer == "05":
            agb = f"03{100000 + self._int(900000)}"
        elif verwijzer == "08":
            naam = "Rechtbank, kinderrechter"
        traject = Traject(youth, aanbieder, verwijzer, referral, vot_dag, toewijzingen, naam, agb)
        self.trajecten.append(traject)
        return traject

    def _toewijzing(
        self, product: Product, ingang: date, t: date, begin: date, end: date, habits: _Habits
    ) -> Toewijzing | None:
        if end <= begin:
            return None
        rnd = self.rnd
        planned = PLANNED_DAYS.get(
            product.code,
            PLANNED_LONG
            if (product.verblijf or not product.jeugdhulp or product.categorie == "54")
            else PLANNED_DEFAULT,
        )
        versions = [Version(t, habits.tijd(t, self), ingang + timedelta(days=planned - 1), None)]
        while versions[-1].einddatum < end:
            # Verlenging (RedenWijziging 04): sent on a working day shortly before the old Einddatum (OP380).
            old = versions[-1].einddatum
            dag = old - timedelta(days=habits.extension_lead)
            while dag.weekday() >= 5:
                dag -= DAY
            if dag <= versions[-1].datum:  # too soon after the last message: it was granted longer at once
                last = versions[-1]
                versions[-1] = Version(last.datum, last.tijd, old + timedelta(days=planned), last.reden)
            else:
                versions.append(Version(dag, habits.tijd(dag, self), old + timedelta(days=planned), "04"))
        if versions[-1].einddatum > end + timedelta(days=30) and rnd() < VERKORTING_SHARE:
            dag = workday(end + timedelta(days=habits.verkorting_lag))
            versions.append(Version(dag, habits.tijd(dag, self), end, "05"))
        reden = habits.reden
        start_dag = habits.start_dag
        stop_lag = timedelta(days=habits.stop_lag)
        duration = (end - begin).days
        if duration > 90 and rnd() < PAUSE_SHARE:
            p1 = begin + self._days(30, duration - 59)
            p2 = p1 + self._days(14, 46)
            segments = [
                Segment(begin, p1, "20", start_dag, workday(p1 + stop_lag)),
                Segment(p2, end, reden, workday(p2 + self._days(0, 6)), workday(end + stop_lag)),
            ]
        else:
            segments = [Segment(begin, end, reden, start_dag, workday(end + stop_lag))]
        first = segments[0]
        if rnd() < START_CORRECTION_SHARE and (first.end - first.begin).days > 12:
            first.wrong_begin = first.begin + self._days(1, 11)
            first.correction_dag = workday(first.start_dag + self._days(2, 11))
        lo, hi, _ = product.omvang
        omvang = lo + self._int(hi - lo + 1)
        if product.eenheid == EURO:
            omvang = omvang // 100 * 100
        return Toewijzing(
            self._next_toewijzing(), product, ingang, omvang, versions, segments, intensity=0.6 + 0.4 * rnd()
        )

    # -- routes -----------------------------------------------------------------------------------------------
    def simulate_jgt(self) -> None:
        g, rnd = self.g, self.rnd
        if not g.teams:
            return
        per_team: dict[str, list[Registration]] = {t.code: [] for t in g.teams}
        shown_from = self.window.start
        for a in self._event_dates(JGT_AANMELD_RATE, LOOKBACK_YEARS["jgt"]):
            team = g.teams[self._int(len(g.teams))]
            if rnd() < JGT_WITHDRAW:
                start, uitkomst = None, ZONDER_VERVOLG
                afsluiting = a + self._days(7, 46)
            else:
                start = a + timedelta(days=self._lognormal(JGT_WAIT_MEDIAN * team.tempo, JGT_WAIT_SIGMA))
                u = rnd()
                uitkomst = (
                    SPECIALISTISCH
                    if u < team.verwijskans
                    else VOORLIGGEND
                    if u < team.verwijskans + JGT_VOORLIGGEND
                    else ZONDER_VERVOLG
                )
                median = 35 if uitkomst == SPECIALISTISCH else 110
                afsluiting = start + timedelta(days=max(1, self._lognormal(median, 0.6)))
            if afsluiting < shown_from and uitkomst != SPECIALISTISCH:
                continue  # closed before the first export: nothing of it is written
            born = self.birthdate("01", a)
            traject = None
            if uitkomst == SPECIALISTISCH:
                traject = self.make_traject(born, "01", _ROUTE_PRODUCTS["01"].draw(rnd), afsluiting)
                if afsluiting < shown_from and traject is None:
                    continue
            bron, hulpvraag = _BRONNEN.draw(rnd), _HULPVRAGEN.draw(rnd)
            minutes = 8 * 60 + self._int(9 * 60)
            tijd = f"{minutes // 60:02d}:{minutes % 60:02d}"
            youth = traject.youth if traject else self.person(born)
            per_team[team.code].append(
                Registration(team, "", youth, a, tijd, bron, hulpvraag, start, afsluiting, uitkomst)
            )
        for t in g.teams:
            self._number(t, per_team[t.code])
            self.registrations.extend(per_team[t.code])

    @staticmethod
    def _number(team: Team, regs: list[Registration]) -> None:
        """Registration numbers: date based, so they do not depend on which registrations were kept."""
        seq: dict[date, int] = {}
        for reg in regs:
            n = seq[reg.aanmelddatum] = seq.get(reg.aanmelddatum, 0) + 1
            day = (reg.aanmelddatum - date(2000, 1, 1)).days
            reg.nummer = f"{team.code}-{day:05d}{n:02d}" if team.layout == "v1" else f"DOS{day:05d}{n:02d}/{team.code}"

    def simulate_routes(self) -> None:
        rnd = self.rnd
        for verwijzer, rate in ROUTE_RATES.items():
            products = _ROUTE_PRODUCTS[verwijzer]
            lookback = LOOKBACK_YEARS["verblijf"] if verwijzer in ("05", "08") else LOOKBACK_YEARS["short"]
            for d in self._event_dates(rate, lookback):
                born = self.birthdate(verwijzer, d)
                code = products.draw(rnd)
                first = self.make_traject(born, verwijzer, code, d)
                if rnd() < SECOND_TRAJECT and verwijzer != "08":
                    other = products.draw(rnd)
                    later = d + self._days(0, 61)
                    if other != code and not PRODUCTS[other].crisis:
                        youth = first.youth if first else born
                        self.make_traject(youth, verwijzer, other, later, exclude=first.aanbieder if first else None)

    def simulate_jb(self) -> None:
        """OTS, voogdij and jeugdreclassering, with the jeugdhulp (often verblijf) that comes with them."""
        rnd = self.rnd
        for d in self._event_dates(OTS_RATE, LOOKBACK_YEARS["ots"]):
            born = self.birthdate("ots", d)
            code = "48B12" if rnd() < 0.25 else "48B10"
            tr = self.make_traject(born, "08" if rnd() < 0.8 else "04", code, d)
            show = rnd() < 0.5
            if code == "48B12":
                linked = _GI_VERBLIJF.draw(rnd), d + self._days(0, 31)
            elif rnd() < 0.45:
                linked = _ROUTE_PRODUCTS["04"].draw(rnd), d + self._days(7, 121)
            else:
                linked = None
            youth: Youth | date = tr.youth if tr else born
            if linked:
                other = self.make_traject(youth, "04", linked[0], linked[1])
                youth = other.youth if other else youth
            if tr and show:
                seg = tr.toewijzingen[0].segments
                tr.youth.ots_status.append((seg[0].begin, seg[-1].end))
        for d in self._event_dates(VOOGDIJ_RATE, LOOKBACK_YEARS["voogdij"]):
            born = self.birthdate("voogdij", d)
            tr = self.make_traject(born, "08", "48B13" if rnd() < 0.2 else "48B11", d)
            show = rnd() < 0.5
            if rnd() < 0.8:
                self.make_traject(
                    tr.youth if tr else born, "04", _GI_VERBLIJF.draw(rnd), d + self._days(0, 31), duration_factor=1.5
                )
            if tr and show:
                seg = tr.toewijzingen[0].segments
                tr.youth.voogdij_status.append((seg[0].begin, seg[-1].end))
        for d in self._event_dates(JR_RATE, LOOKBACK_YEARS["jr"]):
            born = self.birthdate("jr", d)
            tr = self.make_traject(born, "08", "47A05" if rnd() < 0.2 else "47A01", d)
            if rnd() < 0.12:
                self.make_traject(tr.youth if tr else born, "08", "43A06", d + self._days(0, 31))


def simulate_gemeente(
    gemeente: Gemeente, ctx: GemeenteContext, window: Window, seed: int, scale: float
) -> GemeenteWorld:
    """Simulate one gemeente from its own random stream (seeded by seed and gemeentecode)."""
    rng = random.Random(stable_seed(seed, gemeente.code))
    sim = _Simulator(gemeente, ctx, window, rng, scale)
    sim.simulate_jgt()
    sim.simulate_routes()
    sim.simulate_jb()
    return GemeenteWorld(
        gemeente, ctx.index, window, sim.youth_0_17, sim.aanbieders, sim.registrations, sim.trajecten, sim.youths
    )


# ---------------------------------------------------------------------------------------------------------------
# What the world's truth is, for the CBS tables the generator also writes
# ---------------------------------------------------------------------------------------------------------------
CBS_MEASURES = (
    "jeugdhulp",
    "jeugdhulp_zonder_verblijf",
    "jeugdhulp_met_verblijf",
    "pleegzorg",
    "gezinsgericht",
    "gesloten",
    "overig_verblijf",
    "ots",
    "voogdij",
    "jeugdreclassering",
    "ots_begonnen",
    "ots_beeindigd",
)


def cbs_periods(window: Window) -> list[tuple[str, date, date]]:
    """Every CBS half-year and year the window touches: (code, first day, last day), sorted by code."""
    out: dict[str, tuple[date, date]] = {}
    for m in window.month_starts:
        y = m.year
        out[f"{y}JJ00"] = (date(y, 1, 1), date(y, 12, 31))
        if m.month <= 6:
            out[f"{y}HJ01"] = (date(y, 1, 1), date(y, 6, 30))
        else:
            out[f"{y}HJ02"] = (date(y, 7, 1), date(y, 12, 31))
    return [(code, *out[code]) for code in sorted(out)]


def cbs_counts(world: GemeenteWorld) -> list[tuple[str, str, str, int]]:
    """Distinct youths per CBS period and measure: (gemeentecode, periode, measure, value), unrounded.

    Care counts when a JW305..JW307 segment overlaps the period, clipped at the window's end (later care has not
    happened yet). OTS begonnen/beeindigd count youths whose OTS started / definitively ended in the period.
    """
    rows: list[tuple[str, str, str, int]] = []
    clip = world.window.end
    for code, first, last in cbs_periods(world.window):
        last = min(last, clip)
        seen: dict[str, set[str]] = {m: set() for m in CBS_MEASURES}
        for tr in world.trajecten:
            bsn = tr.youth.bsn
            for tw in tr.toewijzingen:
                klasse = tw.product.klasse
                segs = tw.segments
                if not any(s.begin <= last and s.end >= first for s in segs):
                    continue
                if tw.product.jeugdhulp:
                    seen["jeugdhulp"].add(bsn)
                    seen["jeugdhulp_met_verblijf" if tw.product.verblijf else "jeugdhulp_zonder_verblijf"].add(bsn)
                if klasse != "zonder_verblijf":
                    seen[klasse].add(bsn)
                if klasse == "ots":
                    if first <= segs[0].begin <= last:
                        seen["ots_begonnen"].add(bsn)
                    if first <= segs[-1].end <= last:
                        seen["ots_beeindigd"].add(bsn)
        rows.extend((world.gemeente.code, code, m, len(seen[m])) for m in CBS_MEASURES)
    return rows
