"""Turn one gemeente's story into the iJw messages that were sent by the end of the window.

Why a separate step: the world decides what happened; this module decides what the message traffic looks like
(JW301 snapshots per client and aanbieder, starts and stops grouped per day, one JW315 per request, one JW323 per
aanbieder per month with later corrections). The result is plain data that `defects.py` may spoil and
`ijw_writer.py` renders.

What is written, for every traject that matters to the window (care, a toewijzing or a message inside it): all
its messages dated in the window, plus the history needed to understand them (its JW315, the latest JW301 of each
toewijzing before the window, the JW305 of care still running), written in the batches of their own dates; and
JW323 declaraties for the window's months (dated early the following month).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from jeugdmonitor.synthetic.products import (
    DAGDEEL,
    ETMAAL,
    EURO,
    MINUUT,
    PRODUCTS,
    STUKS_OUTPUT,
    UUR,
    amount_cents,
)
from jeugdmonitor.synthetic.world import (
    GemeenteWorld,
    Toewijzing,
    Traject,
    Youth,
    add_months,
    month_end,
    workday,
)

CORRECTION_SHARE = 0.02  # JW323 lines later credited and declared again


@dataclass(slots=True)
class Defect:
    """A planted defect; file and line are filled in once the record has been written."""

    kind: str
    message: str
    key: str
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "kind": self.kind, "message": self.message, "key": self.key}


# --- records (one per XSD record element) ------------------------------------------------------------------------
@dataclass(slots=True)
class ToegewezenProduct:
    nummer: int
    referentie: str | None
    categorie: str
    code: str
    datum: date
    tijd: str
    ingang: date
    eind: date
    reden: str | None
    volume: int
    eenheid: str
    frequentie: str
    defect: Defect | None = None


@dataclass(slots=True)
class StartProduct:
    nummer: int
    categorie: str
    code: str
    ingang: date
    begin: date
    status: str
    defect: Defect | None = None


@dataclass(slots=True)
class StopProduct:
    nummer: int
    categorie: str
    code: str
    ingang: date
    begin: date
    reden: str
    eind: date
    status: str
    defect: Defect | None = None


@dataclass(slots=True)
class AangevraagdProduct:
    referentie: str
    categorie: str
    code: str
    ingang: date
    eind: date
    volume: int
    eenheid: str
    frequentie: str
    verwijzer: str
    verwijzer_naam: str | None
    verwijzer_agb: str | None
    defect: Defect | None = None


@dataclass(slots=True)
class Prestatie:
    referentie: str
    vorig: str | None
    nummer: int
    categorie: str
    code: str
    begin: date
    eind: date
    volume: int
    eenheid: str
    tarief: int | None
    bedrag: int
    dc: str  # D or C
    correction: bool = False  # part of a credit/debet correction pair, or an original that was corrected
    defect: Defect | None = None

    @property
    def signed(self) -> int:
        return self.bedrag if self.dc == "D" else -self.bedrag


@dataclass(slots=True)
class Message:
    """One JW301/305/307/315 message: always exactly one client (the XSD root holds a single Client)."""

    kind: str
    dag: date
    afzender: str
    ontvanger: str
    youth: Youth
    records: list
    bsn: str = ""
    juridische_status: str | None = None
    vertegenwoordiging: str | None = None
    plaats: str = ""  # Plaatsnaam of the client's address (JW301 only)
    ident: str = ""

    def __post_init__(self) -> None:
        self.bsn = self.bsn or self.youth.bsn


@dataclass(slots=True)
class ClientBlock:
    bsn: str
    prestaties: list[Prestatie]


@dataclass
class Declaratie:
    """One JW323: one aanbieder, one gemeente, one calendar month."""

    agb: str
    gemeente: str  # 4 digits
    maand: date  # first day of the DeclaratiePeriode
    dag: date
    clients: dict[str, ClientBlock] = field(default_factory=dict)
    total_offset: int = 0  # non-zero only for a planted total mismatch
    defect: Defect | None = None

    def add(self, bsn: str, p: Prestatie) -> None:
        block = self.clients.get(bsn)
        if block is None:
            block = self.clients[bsn] = ClientBlock(bsn, [])
        block.prestaties.append(p)

    def sorted_clients(self) -> list[ClientBlock]:
        return [self.clients[k] for k in sorted(self.clients)]


@dataclass
class GemeenteMessages:
    messages: list[Message]
    declaraties: list[Declaratie]


# --- building -------------------------------------------------------------------------------------------------------
def _relevant(tr: Traject, start: date, end: date) -> bool:
    """Does the traject show in the window: care, a running toewijzing or a message dated inside it?"""
    if tr.vot_dag is not None and start <= tr.vot_dag <= end:
        return True
    for tw in tr.toewijzingen:
        if tw.ingangsdatum <= end and tw.einddatum >= start:
            return True
        if any(start <= v.datum <= end for v in tw.versions):
            return True
        for s in tw.segments:
            if s.begin <= end and s.end >= start:
                return True
            if start <= s.stop_dag <= end or start <= s.start_dag <= end:
                return True
            if s.correction_dag and start <= s.correction_dag <= end:
                return True
    return False


def _status_at(periods: list[tuple[date, date]], d: date) -> bool:
    return any(b - timedelta(days=60) <= d <= e for b, e in periods)


def build_messages(world: GemeenteWorld, rng: random.Random) -> GemeenteMessages:
    """The messages sent by the window's end and the JW323s of its months; `rng` varies delivered volumes."""
    window = world.window
    code4 = world.gemeente.code4
    trajecten = [tr for tr in world.trajecten if _relevant(tr, window.start, window.end)]
    messages: list[Message] = []
    start, end = window.start, window.end

    # JW315: one per request (traject) that did not come from the gemeente itself.
    for tr in trajecten:
        if tr.vot_dag is None or tr.vot_dag > end:
            continue
        aangevraagd = [
            AangevraagdProduct(
                tw.referentie_aanbieder or "",
                tw.product.categorie,
                tw.product.code,
                tw.ingangsdatum,
                tw.versions[0].einddatum,
                tw.omvang,
                tw.product.eenheid,
                tw.product.omvang[2],
                tr.verwijzer,
                tr.verwijzer_naam,
                tr.verwijzer_agb,
            )
            for tw in tr.toewijzingen
        ]
        messages.append(Message("JW315", tr.vot_dag, tr.aanbieder.agb, code4, tr.youth, aangevraagd))

    # JW301: a snapshot per client and aanbieder on every day the gemeente created or changed a toewijzing.
    groups: dict[tuple[str, str], list[Toewijzing]] = defaultdict(list)
    owners: dict[tuple[str, str], Youth] = {}
    for tr in trajecten:
        key = (tr.youth.bsn, tr.aanbieder.agb)
        groups[key].extend(tr.toewijzingen)
        owners[key] = tr.youth
    for key in sorted(groups):
        tws = sorted(groups[key], key=lambda t: t.nummer)
        youth = owners[key]
        # In the window: every change. Before it, only the latest state of each toewijzing (the history a
        # one-month run needs to make sense of care that is running), not every extension since it began.
        days = {v.datum for tw in tws for v in tw.versions if start <= v.datum <= end}
        for tw in tws:
            before = [v.datum for v in tw.versions if v.datum < start]
            if before:
                days.add(max(before))
        for d in sorted(days):
            toegewezen = []
            for tw in tws:
                v = tw.version_at(d)
                if v is None or (v.datum != d and v.einddatum < d):
                    continue
                toegewezen.append(
                    ToegewezenProduct(
                        tw.nummer,
                        tw.referentie_aanbieder,
                        tw.product.categorie,
                        tw.product.code,
                        v.datum,
                        v.tijd,
                        tw.ingangsdatum,
                        v.einddatum,
                        v.reden,
                        tw.omvang,
                        tw.product.eenheid,
                        tw.product.omvang[2],
                    )
                )
            messages.append(
                Message(
                    "JW301",
                    d,
                    code4,
                    key[1],
                    youth,
                    toegewezen,
                    juridische_status="04" if _status_at(youth.ots_status, d) else None,
                    vertegenwoordiging="06" if _status_at(youth.voogdij_status, d) else None,
                    plaats=world.gemeente.naam,
                )
            )

    # JW305 / JW307: grouped per client, aanbieder and day.
    starts: dict[tuple[str, str, date], list[StartProduct]] = defaultdict(list)
    stops: dict[tuple[str, str, date], list[StopProduct]] = defaultdict(list)
    youths: dict[str, Youth] = {}
    for tr in trajecten:
        youths[tr.youth.bsn] = tr.youth
        agb = tr.aanbieder.agb
        for tw in tr.toewijzingen:
            p = tw.product
            for s in tw.segments:
                if s.end < start and s.stop_dag < start:
                    continue  # care that was over before the window: its start and stop are history
                sent_begin = s.wrong_begin or s.begin
                starts[(tr.youth.bsn, agb, s.start_dag)].append(
                    StartProduct(tw.nummer, p.categorie, p.code, tw.ingangsdatum, sent_begin, "1")
                )
                if s.wrong_begin and s.correction_dag:
                    starts[(tr.youth.bsn, agb, s.correction_dag)].extend(
                        [
                            StartProduct(tw.nummer, p.categorie, p.code, tw.ingangsdatum, s.wrong_begin, "3"),
                            StartProduct(tw.nummer, p.categorie, p.code, tw.ingangsdatum, s.begin, "1"),
                        ]
                    )
                stops[(tr.youth.bsn, agb, s.stop_dag)].append(
                    StopProduct(tw.nummer, p.categorie, p.code, tw.ingangsdatum, s.begin, s.reden, s.end, "1")
                )
    for kind, table in (("JW305", starts), ("JW307", stops)):
        for bsn, agb, d in sorted(table):
            if d <= end:
                records = sorted(table[(bsn, agb, d)], key=lambda r: (r.nummer, r.begin, r.status != "3"))
                messages.append(Message(kind, d, agb, code4, youths[bsn], records))

    messages.sort(key=lambda m: (m.dag, m.kind, m.afzender, m.ontvanger, m.youth.bsn))
    _assign_idents(messages, code4)
    return GemeenteMessages(messages, build_declaraties(world, trajecten, rng))


_IDENT_PREFIX = {"JW301": "T", "JW305": "S", "JW307": "E", "JW315": "V"}


def _assign_idents(messages: list[Message], code4: str) -> None:
    """BerichtIdentificatie (max 12): unique per sender. Aanbieders send to many gemeenten, so theirs carry the
    gemeentecode; the gemeente numbers its own JW301s."""
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for m in messages:
        counters[(m.kind, m.afzender)] += 1
        n = counters[(m.kind, m.afzender)]
        prefix = _IDENT_PREFIX[m.kind]
        m.ident = f"{prefix}{n:011d}" if m.kind == "JW301" else f"{prefix}{code4}{n:07d}"


# --- JW323 ----------------------------------------------------------------------------------------------------------
def _active_days(tw: Toewijzing, m_start: date, m_end: date) -> int:
    total = 0
    for s in tw.segments:
        lo, hi = max(s.begin, m_start), min(s.end, m_end)
        if lo <= hi:
            total += (hi - lo).days + 1
    return total


def _volume(tw: Toewijzing, active: int, days_in_month: int, rng: random.Random) -> int:
    """Delivered volume in a month: the toegewezen omvang, scaled to the days in care, the youth's intensity
    and some month-to-month variation."""
    e = tw.product.eenheid
    jitter = 0.85 + 0.3 * rng.random()
    if e == ETMAAL:
        return active if tw.omvang >= 7 else max(1, round(active * tw.omvang / 7 * tw.intensity))
    if e == STUKS_OUTPUT:
        return 1
    # Never more than toegewezen (TR321/322): the jitter only varies delivery below the omvang.
    share = min(1.0, tw.intensity * jitter)
    if e == EURO:
        return max(100, round(tw.omvang * active / days_in_month * share))
    weekly = tw.omvang * active / 7 * share
    if e == MINUUT:
        return max(15, int(weekly / 5) * 5)
    assert e in (UUR, DAGDEEL)
    return max(1, round(weekly))


def build_declaraties(world: GemeenteWorld, trajecten: list[Traject], rng: random.Random) -> list[Declaratie]:
    window = world.window
    code4 = world.gemeente.code4
    months = window.month_starts
    decls: dict[tuple[str, date], Declaratie] = {}
    ref_counter: dict[str, int] = defaultdict(int)

    def next_ref(agb: str) -> str:
        ref_counter[agb] += 1
        return f"{code4}-{ref_counter[agb]:09d}"  # unique per aanbieder: the gemeentecode separates gemeenten

    def declaratie(agb: str, m: date) -> Declaratie:
        d = decls.get((agb, m))
        if d is None:
            # Dagtekening early in the next month; the same day for all of the aanbieder's clients.
            dag = workday(add_months(m, 1) + timedelta(days=1 + int(rng.random() * 7)))
            d = decls[(agb, m)] = Declaratie(agb, code4, m, dag)
        return d

    rows: list[tuple[str, date, str, int, Toewijzing]] = []
    for tr in trajecten:
        for tw in tr.toewijzingen:
            rows.append((tr.aanbieder.agb, tw.segments[0].begin, tr.youth.bsn, tw.nummer, tw))
    rows.sort(key=lambda r: (r[0], r[2], r[3]))

    originals: list[tuple[int, str, str, Prestatie]] = []  # (month index, agb, bsn, line): correction candidates
    for mi, m in enumerate(months):
        m_end = month_end(m)
        dim = m_end.day
        for agb, _, bsn, _, tw in rows:
            if tw.ingangsdatum > m_end or tw.einddatum < m:
                continue
            active = _active_days(tw, m, m_end)
            if active == 0:
                continue
            p = tw.product
            first = tw.segments[0].begin
            if p.eenheid == STUKS_OUTPUT and m < first <= m_end:
                continue  # SAP GI: the first broken month is not declared, the last one is declared in full
            begin, eind = max(m, tw.ingangsdatum), min(m_end, tw.einddatum)
            volume = _volume(tw, active, dim, rng)
            prest = Prestatie(
                next_ref(agb),
                None,
                tw.nummer,
                p.categorie,
                p.code,
                begin,
                eind,
                volume,
                p.eenheid,
                p.tarief,
                amount_cents(p, volume),
                "D",
            )
            declaratie(agb, m).add(bsn, prest)
            originals.append((mi, agb, bsn, prest))

    # About 2 % of lines are corrected in a later month: a credit of the original plus a corrected debet.
    last = len(months) - 1
    for mi, agb, bsn, orig in originals:
        if mi >= last or rng.random() >= CORRECTION_SHARE:
            continue
        target = months[min(last, mi + 1 + int(rng.random() * 2))]
        product_tarief = orig.tarief
        credit = Prestatie(
            next_ref(agb),
            orig.referentie,
            orig.nummer,
            orig.categorie,
            orig.code,
            orig.begin,
            orig.eind,
            orig.volume,
            orig.eenheid,
            orig.tarief,
            orig.bedrag,
            "C",
            correction=True,
        )
        if orig.eenheid == STUKS_OUTPUT:  # a maandtarief is corrected in price (indexation), not volume
            volume, product_tarief = orig.volume, round((orig.tarief or 0) * 1.02)
        else:
            step = 15 if orig.eenheid == MINUUT else 100 if orig.eenheid == EURO else 1
            delta = step * (1 + int(rng.random() * 3))
            volume = orig.volume + delta if rng.random() < 0.5 or orig.volume <= delta else orig.volume - delta
        debet = Prestatie(
            next_ref(agb),
            None,
            orig.nummer,
            orig.categorie,
            orig.code,
            orig.begin,
            orig.eind,
            volume,
            orig.eenheid,
            product_tarief,
            amount_cents(PRODUCTS[orig.code], volume, product_tarief),
            "D",
            correction=True,
        )
        orig.correction = True
        d = declaratie(agb, target)
        d.add(bsn, credit)
        d.add(bsn, debet)
    return [decls[k] for k in sorted(decls)]
