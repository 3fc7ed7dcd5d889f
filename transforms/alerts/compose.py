"""What a digest shows a person: its alerts grouped, ordered, budgeted, and with evidence that fits the reader.

The data and contract roles get one entry per aanbieder (every alert about it merged, with counts per reason instead
of one item per file); policy staff get their alerts under a heading per gemeente. Entries are ordered by severity,
then size; at most `max_items` are shown, the rest is counted ("en 12 meer") and named where to find it. Only the
data role sees SQL and file references; the others get the figure and the report page (report-contract.md).
Pure: the channels' own limits are applied when rendering (transforms/alerts/render.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jeugdmonitor.transforms.alerts.model import SEVERITIES, Alert
from jeugdmonitor.transforms.alerts.routing import Digest, Resolution
from jeugdmonitor.transforms.alerts.texts import MONTHS, getal, meervoud, opsomming

SECTIONS = {  # the anchors of a gemeente's report page and their names in words (report-contract.md)
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


@dataclass(frozen=True)
class Entry:
    """One item of a digest: one alert, or the alerts about one aanbieder merged."""

    severity: str
    label: str  # "nieuw" or "gewijzigd"
    wat: str
    hoe_groot: str
    sinds: str
    wat_te_doen: str
    bewijs: str
    group: str  # the heading it is shown under ("" for none): a gemeente for policy staff
    size: int
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class Composed:
    entries: list[Entry]  # shown, in order
    rest: list[Entry]  # over the budget: counted, and found elsewhere
    resolutions: list[Resolution]
    nog_steeds: str | None  # one line about what is still open and was told before
    elders: str  # where the rest is: the CSV attachment, the e-mail, the report

    @property
    def total(self) -> int:
        return len(self.entries) + len(self.rest)


@dataclass(frozen=True)
class Report:
    """Where the report site is published (config report.base_url, report-contract.md) and the gemeente names."""

    base_url: str = ""
    gemeenten: dict[str, str] = field(default_factory=dict)

    def gemeente(self, code: str) -> str:
        return self.gemeenten.get(code, code)

    def link(self, gemeentecode: str | None, onderdeel: str | None) -> str:
        """The page (and section) where a reader sees the figure: a link, or its name in words without a base_url."""
        base = self.base_url.rstrip("/")
        if gemeentecode is None:
            return f"{base}/index.html" if base else "het rapport van de regio"
        if base:
            return f"{base}/gemeente/{gemeentecode}.html" + (f"#{onderdeel}" if onderdeel else "")
        words = f"rapport {self.gemeente(gemeentecode)}"
        return words + (f", onderdeel {SECTIONS[onderdeel]}" if onderdeel in SECTIONS else "")


def _evidence(alert: Alert, rol: str, report: Report) -> str:
    if rol == "data":
        return alert.bewijs
    return f"zie {report.link(alert.gemeentecode, alert.onderdeel)}"


def _single(alert: Alert, label: str, rol: str, report: Report, group: str) -> Entry:
    return Entry(
        alert.severity,
        label,
        alert.wat,
        alert.hoe_groot,
        alert.sinds,
        alert.wat_te_doen,
        _evidence(alert, rol, report),
        group,
        alert.size,
        (alert,),
    )


def _merged(naam: str, items: list[tuple[Alert, str]], rol: str, report: Report) -> Entry:
    """The alerts about one aanbieder as one entry: counts per reason, the gemeenten they concern."""
    alerts = [a for a, _ in items]
    # Two rules may count the same problem of the same gemeente (aanbieder_stil and aanbieder_kwaliteit both see a
    # missing declaration): per gemeente and reason the largest count, then summed over the gemeenten.
    per_gemeente: dict[tuple[str | None, str], int] = {}
    for a in alerts:
        for reden, n in a.redenen or ((a.rule, 1),):
            per_gemeente[a.gemeentecode, reden] = max(per_gemeente.get((a.gemeentecode, reden), 0), n)
    counts: dict[str, int] = {}
    for (_, reden), n in per_gemeente.items():
        counts[reden] = counts.get(reden, 0) + n
    ordered = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    gemeenten = sorted({report.gemeente(a.gemeentecode) for a in alerts if a.gemeentecode})
    where = f" bij {opsomming(gemeenten, 4)}" if gemeenten else ""
    codes = {a.gemeentecode for a in alerts}
    onderdelen = {a.onderdeel for a in alerts}
    if rol == "data":
        bewijs = opsomming([a.bewijs for a in alerts], 2)
    else:
        code = next(iter(codes)) if len(codes) == 1 else None
        bewijs = f"zie {report.link(code, next(iter(onderdelen)) if len(onderdelen) == 1 else None)}"
    return Entry(
        severity=min((a.severity for a in alerts), key=SEVERITIES.index),
        label="gewijzigd" if all(label == "gewijzigd" for _, label in items) else "nieuw",
        wat=f"{naam}: {'; '.join(f'{reden} ({getal(n)})' for reden, n in ordered)}.",
        hoe_groot=f"{meervoud(len(alerts), 'melding', 'meldingen')}{where}",
        sinds=opsomming([a.sinds for a in alerts], 2),
        wat_te_doen=" ".join(dict.fromkeys(a.wat_te_doen for a in alerts)),
        bewijs=bewijs,
        group="",
        size=sum(a.size for a in alerts),
        alerts=tuple(alerts),
    )


def entries(digest: Digest, report: Report, aanbieder_naam) -> list[Entry]:
    """Every entry of the digest, in order; `aanbieder_naam(agb)` names an aanbieder for a person."""
    rol = digest.recipient.rol
    out: list[Entry] = []
    if rol in ("data", "contract"):
        per_aanbieder: dict[str, list[tuple[Alert, str]]] = {}
        for alert, label in digest.items:
            if alert.aanbieder:
                per_aanbieder.setdefault(alert.aanbieder, []).append((alert, label))
            else:
                out.append(_single(alert, label, rol, report, ""))
        for agb, items in per_aanbieder.items():
            if len(items) == 1:
                out.append(_single(*items[0], rol, report, ""))
            else:
                out.append(_merged(aanbieder_naam(agb), items, rol, report))
    else:
        for alert, label in digest.items:
            group = report.gemeente(alert.gemeentecode) if alert.gemeentecode else "De regio"
            out.append(_single(alert, label, rol, report, group))
    worst = {g: min(SEVERITIES.index(e.severity) for e in out if e.group == g) for g in {e.group for e in out}}
    size = {g: sum(e.size for e in out if e.group == g) for g in worst}
    return sorted(
        out,
        key=lambda e: (worst[e.group], -size[e.group], e.group, SEVERITIES.index(e.severity), -e.size, e.wat),
    )


def nog_steeds(digest: Digest) -> str | None:
    if not digest.unchanged:
        return None
    first = min(digest.unchanged, key=lambda u: _sortable(u[1]))[1]
    return (
        f"Nog steeds open en eerder gemeld: {meervoud(len(digest.unchanged), 'probleem', 'problemen')}, sinds "
        f"{first}. Die staan hier niet opnieuw uitgeschreven."
    )


def _sortable(day: str) -> tuple:
    """'3 november 2025' as a sortable tuple (the history gives the first day told as Dutch text)."""
    parts = day.split()
    if len(parts) == 3 and parts[1] in MONTHS and parts[0].isdigit() and parts[2].isdigit():
        return (int(parts[2]), MONTHS.index(parts[1]), int(parts[0]))
    return (9999, 0, 0)


def compose(digest: Digest, report: Report, max_items: int, elders: str, aanbieder_naam=None) -> Composed:
    naam = aanbieder_naam or (lambda agb: f"AGB {agb}")
    ordered = entries(digest, report, naam)
    return Composed(ordered[:max_items], ordered[max_items:], digest.resolutions, nog_steeds(digest), elders)
