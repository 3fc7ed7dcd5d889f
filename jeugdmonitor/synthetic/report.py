"""What a generation run produced: files and records per kind, the rates the world shows, the defects planted.

Why report rates: the generator is calibrated against known orders of magnitude (1 in 7 to 1 in 10 youths with
jeugdhulp in a year, about 10 % of them with verblijf, about 1 % OTS, 6-9 % JGT aanmeldingen, a long-tailed
doorlooptijd). Printing what a run actually produced lets anyone see at once whether a demo is plausible.
Rates are over the window (a 12-month window gives yearly figures).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from jeugdmonitor.synthetic.ijw_writer import WrittenFile
from jeugdmonitor.synthetic.jgt_writer import Export
from jeugdmonitor.synthetic.messages import Defect
from jeugdmonitor.synthetic.world import SPECIALISTISCH, GemeenteWorld

KINDS = ("JW301", "JW305", "JW307", "JW315", "JW323", "JGT", "CBS")
RECORD_NAMES = {
    "JW301": "ToegewezenProduct",
    "JW305": "StartProduct",
    "JW307": "StopProduct",
    "JW315": "AangevraagdProduct",
    "JW323": "Prestatie",
    "JGT": "rows",
}
MIN_CLOSED_FOR_TEAM_RATE = 10  # teams with fewer closed cases in the window are left out of min/max


@dataclass
class GenerationReport:
    region: str
    gemeenten: int
    start: str
    months: int
    seed: int
    scale: float
    defect_share: float
    youths_0_17: int
    files: dict[str, int]
    records: dict[str, int]
    rates: dict[str, float | None]
    verwijzers: dict[str, int]  # new toewijzingen in the window by COD327 verwijzer type
    defects_by_kind: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        """A short table for the command line."""
        r = self.rates
        lines = [
            f"Synthetic data: {self.region}, {self.gemeenten} gemeente(n), {self.months} month(s) from {self.start}, "
            f"seed {self.seed}, scale {self.scale:g}, defects {self.defect_share:g}",
            f"Youths 0-17: {self.youths_0_17:,}",
            "",
            f"{'kind':<7}{'files':>10}{'records':>12}  record",
        ]
        for kind in KINDS:
            records = f"{self.records[kind]:>12,}" if kind in self.records else f"{'':>12}"
            lines.append(f"{kind:<7}{self.files.get(kind, 0):>10,}{records}  {RECORD_NAMES.get(kind, '')}".rstrip())
        lines += [
            "",
            f"youths with jeugdhulp        {_pct(r['jeugdhulp_share'])} of 0-17"
            + (f" (1 in {1 / r['jeugdhulp_share']:.1f})" if r["jeugdhulp_share"] else ""),
            f"  of whom with verblijf      {_pct(r['verblijf_share_of_jeugdhulp'])}",
            f"youths with OTS              {_pct(r['ots_share'])} of 0-17",
            f"JGT aanmeldingen             {_num(r['jgt_aanmeldingen_per_1000'])} per 1000 youths",
            f"doorlooptijd to start hulp   median {_num(r['doorlooptijd_median_days'])} days, "
            f"p80 {_num(r['doorlooptijd_p80_days'])} days",
            f"verwijspercentage per team   {_pct(r['verwijspercentage_team_min'])} - "
            f"{_pct(r['verwijspercentage_team_max'])}",
            f"declared (net)               EUR {_num(r['declared_eur'])}",
            "new toewijzingen by verwijzer " + ", ".join(f"{k}: {v:,}" for k, v in sorted(self.verwijzers.items())),
        ]
        if self.defects_by_kind:
            lines += ["", "defects planted: " + ", ".join(f"{k} {v}" for k, v in sorted(self.defects_by_kind.items()))]
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f}"


def _quantile(hist: Counter, q: float) -> float | None:
    total = sum(hist.values())
    if not total:
        return None
    target, seen = q * total, 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= target:
            return float(value)
    return float(max(hist))


class ReportBuilder:
    """Accumulates small counters gemeente by gemeente; nothing per youth survives a gemeente."""

    def __init__(self) -> None:
        self.files: Counter = Counter()
        self.records: Counter = Counter()
        self.youths = 0.0
        self.jeugdhulp = self.verblijf = self.ots = self.aanmeldingen = 0
        self.wait: Counter = Counter()
        self.teams: dict[str, list[int]] = {}  # team -> [closed, referred]
        self.verwijzers: Counter = Counter()
        self.defects: Counter = Counter()
        self.declared_cents = 0

    def add_world(self, world: GemeenteWorld) -> None:
        w = world.window
        self.youths += world.youth_0_17
        care: set[str] = set()
        verblijf: set[str] = set()
        ots: set[str] = set()
        for tr in world.trajecten:
            for tw in tr.toewijzingen:
                if w.start <= tw.versions[0].datum <= w.end:
                    self.verwijzers[tr.verwijzer] += 1
                if not any(s.begin <= w.end and s.end >= w.start for s in tw.segments):
                    continue
                if tw.product.jeugdhulp:
                    care.add(tr.youth.bsn)
                    if tw.product.verblijf:
                        verblijf.add(tr.youth.bsn)
                elif tw.product.klasse == "ots":
                    ots.add(tr.youth.bsn)
        self.jeugdhulp += len(care)
        self.verblijf += len(verblijf)
        self.ots += len(ots)
        for reg in world.registrations:
            if w.start <= reg.aanmelddatum <= w.end:
                self.aanmeldingen += 1
            if reg.start is not None and w.start <= reg.start <= w.end:
                self.wait[(reg.start - reg.aanmelddatum).days] += 1
            if reg.afsluiting is not None and w.start <= reg.afsluiting <= w.end:
                counts = self.teams.setdefault(reg.team.code, [0, 0])
                counts[0] += 1
                counts[1] += reg.uitkomst == SPECIALISTISCH

    def add_written(self, written: list[WrittenFile]) -> None:
        for wf in written:
            self.files[wf.kind] += 1
            self.records[wf.kind] += wf.records

    def add_declared(self, cents: int) -> None:
        self.declared_cents += cents

    def add_exports(self, exports: list[Export]) -> None:
        for e in exports:
            self.files["JGT"] += 1
            self.records["JGT"] += len(e.rows)

    def add_defects(self, defects: list[Defect]) -> None:
        for d in defects:
            self.defects[d.kind] += 1

    def finish(
        self,
        *,
        region: str,
        gemeenten: int,
        start: str,
        months: int,
        seed: int,
        scale: float,
        defect_share: float,
        cbs_files: int,
    ) -> GenerationReport:
        self.files["CBS"] = cbs_files
        youths = self.youths
        rates = [c[1] / c[0] for c in self.teams.values() if c[0] >= MIN_CLOSED_FOR_TEAM_RATE] or [
            c[1] / c[0] for c in self.teams.values() if c[0]
        ]
        return GenerationReport(
            region=region,
            gemeenten=gemeenten,
            start=start,
            months=months,
            seed=seed,
            scale=scale,
            defect_share=defect_share,
            youths_0_17=round(youths),
            files={k: self.files.get(k, 0) for k in KINDS},
            records={k: self.records.get(k, 0) for k in KINDS if k != "CBS"},
            rates={
                "jeugdhulp_share": self.jeugdhulp / youths if youths else None,
                "verblijf_share_of_jeugdhulp": self.verblijf / self.jeugdhulp if self.jeugdhulp else None,
                "ots_share": self.ots / youths if youths else None,
                "jgt_aanmeldingen_per_1000": 1000 * self.aanmeldingen / youths if youths else None,
                "doorlooptijd_median_days": _quantile(self.wait, 0.5),
                "doorlooptijd_p80_days": _quantile(self.wait, 0.8),
                "verwijspercentage_team_min": min(rates) if rates else None,
                "verwijspercentage_team_max": max(rates) if rates else None,
                "declared_eur": self.declared_cents / 100,
            },
            verwijzers=dict(sorted(self.verwijzers.items())),
            defects_by_kind=dict(sorted(self.defects.items())),
        )
