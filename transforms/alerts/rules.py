"""The rule catalogue: small pure functions over frames read from the meta_ and mart_ tables.

Each rule returns its alerts, or None when it could not be judged in this run (the day of the month has not come,
CBS was not asked): a rule that was not judged resolves nothing. Suppressed figures (NULL in a mart) are skipped,
never alerted on: an alert must not give away a small count. docs/alerts.md documents every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from jeugdmonitor.transforms.alerts.model import Alert
from jeugdmonitor.transforms.alerts.texts import (
    datum,
    dutch_reason,
    euro,
    getal,
    halfjaar,
    maand,
    meervoud,
    opsomming,
    pct,
)
from jeugdmonitor.transforms.masking import masked


@dataclass(frozen=True)
class Thresholds:
    peildatum: date  # the day the rules look from
    norm_dagen: int = 42
    quarantaine_pct: float = 2.0
    declaratie_dag: int = 15
    jgt_export_dag: int = 10
    doorlooptijd_maanden: int = 2
    sprong_pct: float = 30.0
    sprong_minimum: float = 10.0
    cbs_verschil_pct: float = 15.0
    data_docs: str = "data/data-docs/index.html"
    ernst: dict[str, str] = field(default_factory=dict)  # severity overrides per rule

    @property
    def vorige_maand(self) -> date:
        """The month the deadline rules judge: the one before the peildatum's."""
        return add_months(self.huidige_maand, -1)

    @property
    def huidige_maand(self) -> date:
        return self.peildatum.replace(day=1)


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class RuleInput:
    """Everything the rules read, as frames (jeugdmonitor/alerts/inputs.py reads them from the warehouse)."""

    run_id: str
    gemeenten: dict[str, str]  # the region's gemeentecodes -> names
    files: pd.DataFrame = field(
        default_factory=lambda: _empty(
            "file_id",
            "source",
            "message_type",
            "path",
            "status",
            "rows_read",
            "rows_quarantined",
            "reason_code",
            "reden",
        )
    )
    # per reason and loaded file of this run: the lines in quarantine
    quarantine: pd.DataFrame = field(
        default_factory=lambda: _empty("reason_code", "reden", "file_id", "path", "regels")
    )
    validation: pd.DataFrame = field(
        default_factory=lambda: _empty("suite", "reason_code", "reden", "rijen", "bestanden")
    )
    cbs: pd.DataFrame | None = None  # table_id, purpose, status, melding, discontinued, fetched_at; None: not asked
    toewijzingen: pd.DataFrame = field(
        default_factory=lambda: _empty(
            "gemeentecode", "aanbieder_agb", "toewijzing_nummer", "ingangsdatum", "einddatum"
        )
    )
    declaraties: pd.DataFrame = field(
        default_factory=lambda: _empty("gemeentecode", "aanbieder_agb", "declaratie_nummer", "maand", "dagtekening")
    )
    teams: pd.DataFrame = field(default_factory=lambda: _empty("team", "naam", "gemeentecode"))
    jgt_exports: pd.DataFrame = field(default_factory=lambda: _empty("team", "export_maand"))
    doorlooptijd: pd.DataFrame = field(
        default_factory=lambda: _empty("gemeentecode", "maand", "mediaan_dagen", "norm_dagen")
    )
    reeksen: pd.DataFrame = field(default_factory=lambda: _empty("gemeentecode", "reeks", "maand", "waarde"))
    kosten: pd.DataFrame = field(
        default_factory=lambda: _empty("gemeentecode", "maand", "jaar_tot_nu", "budget_jaar", "prognose_lineair")
    )
    cbs_vergelijking: pd.DataFrame = field(
        default_factory=lambda: _empty(
            "gemeentecode", "periode", "periode_eind", "lokaal", "cbs", "verschil", "verschil_pct", "cbs_periode_status"
        )
    )
    scorecard: pd.DataFrame = field(
        default_factory=lambda: _empty(
            "gemeentecode",
            "aanbieder_agb",
            "maand",
            "bestanden",
            "bestanden_afgekeurd",
            "regels_quarantaine",
            "quarantaine_redenen",
            "actieve_toewijzingen",
            "declaraties",
            "declaraties_te_laat",
            "niet_gedeclareerd",
            "ontbrekende_starts",
            "ontbrekende_stops",
        )
    )

    aanbieders: dict[str, str] = field(default_factory=dict)  # AGB code -> name (dim_aanbieder.naam, region file)

    def naam(self, gemeentecode: str) -> str:
        return f"{self.gemeenten.get(gemeentecode, gemeentecode)} ({gemeentecode})"

    def aanbieder(self, agb: str) -> str:
        """'Zorg Noord (AGB 75100012)', or 'AGB 75100012' when the region file does not name it."""
        naam = self.aanbieders.get(agb)
        return f"{naam} (AGB {agb})" if naam else f"AGB {agb}"

    def sender(self, path: str) -> str | None:
        """The AGB code of the aanbieder an iJw file came from or went to, read from its name (the iJw convention)."""
        from jeugdmonitor.transforms.alerts.scorecard import parties_from_name  # scorecard imports this module

        parties = parties_from_name(str(path), set(self.gemeenten))
        return parties[1] if parties else None


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    audience: tuple[str, ...]
    resolvable: bool
    check: Callable[[RuleInput, Thresholds, Callable[..., Alert]], list[Alert] | None]


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _month(value) -> date:
    value = pd.Timestamp(value)
    return date(value.year, value.month, 1)


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _present(*values) -> bool:
    return all(v is not None and not pd.isna(v) for v in values)


# --- delivery quality ----------------------------------------------------------------------------------------


def _lower(sentence: str) -> str:
    """A reason as part of a sentence: 'Het bestand is leeg.' -> 'het bestand is leeg'."""
    sentence = sentence.rstrip(".")
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence


def _file_list(paths: list[str], shown: int = 5) -> str:
    names = [masked(p, 200) or "" for p in sorted(paths)]
    return ", ".join(names[:shown]) + (f" en {len(names) - shown} meer" if len(names) > shown else "")


def bestand_afgekeurd(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    """The files of this run rejected whole, counted per sender and reason (one item per file drowned the rest)."""
    rejected = inp.files[inp.files["status"] == "rejected"].sort_values("file_id")
    groups: dict[tuple[str | None, str], list] = {}
    for f in rejected.itertuples():
        code = f.reason_code if _present(f.reason_code) else "onbekend"
        groups.setdefault((inp.sender(f.path), code), []).append(f)
    alerts = []
    for (agb, code), files in sorted(groups.items(), key=lambda g: (g[0][0] or "", g[0][1])):
        dutch, details = dutch_reason(code, [f.reden for f in files])
        who = f" van {inp.aanbieder(agb)}" if agb else ""
        if len(files) == 1:
            f = files[0]
            soort = f.message_type if _present(f.message_type) else "berichttype onbekend"
            wat = f"Het bestand {masked(f.path, 200)} ({soort}){who} is in zijn geheel afgekeurd: {dutch}"
        else:
            wat = f"{len(files)} bestanden{who} zijn in hun geheel afgekeurd: {dutch}"
        ids = ", ".join(str(int(f.file_id)) for f in files)
        technisch = f"; technische details: {opsomming(details)}" if details else ""
        alerts.append(
            alert(
                f"{inp.run_id}:{agb or '-'}:{code}",
                None,
                wat=wat,
                hoe_groot=f"{meervoud(len(files), 'bestand', 'bestanden')}, niets eruit geladen",
                sinds=f"deze run ({datum(t.peildatum)})",
                wat_te_doen="Vraag de afzender om een gecorrigeerd bestand; een correctie (andere inhoud) laadt de "
                "volgende run vanzelf.",
                bewijs=f"bestanden: {_file_list([f.path for f in files])}{technisch}; select path, message_type, "
                f"reason_code, reden from meta_source_file where file_id in ({ids})",
                aanbieder=agb,
                redenen=((f"bestand afgekeurd: {_lower(dutch)}", len(files)),),
            )
        )
    return alerts


def quarantaine_aandeel(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    loaded = inp.files[inp.files["status"] == "loaded"]
    read, quarantined = int(loaded["rows_read"].sum()), int(loaded["rows_quarantined"].sum())
    if not read or quarantined * 100 / read <= t.quarantaine_pct:
        return []
    per_reason = inp.quarantine.groupby("reason_code")["regels"].sum().reset_index()
    top = per_reason.sort_values(["regels", "reason_code"], ascending=[False, True]).head(3)
    redenen = "; ".join(f"{r.reason_code} ({getal(int(r.regels))})" for r in top.itertuples())
    return [
        alert(
            "run",
            None,
            wat=f"{pct(quarantined * 100 / read)} van de regels van deze run staat in quarantaine "
            f"(drempel {pct(t.quarantaine_pct)}).",
            hoe_groot=f"{getal(quarantined)} van {getal(read)} regels; meest voorkomend: {redenen or '-'}",
            sinds=f"deze run ({datum(t.peildatum)})",
            wat_te_doen="Bekijk de redenen met `jeugdmonitor quarantine` en bespreek de grootste met de "
            "aanleverende partijen.",
            bewijs=f"select reason_code, reden, count(*) from meta_quarantine where load_run_id = "
            f"'{inp.run_id}' group by reason_code, reden",
        )
    ]


def gx_fail(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    """Lines in quarantine per aanbieder (read from the file names) and reason: a digest groups them per aanbieder."""
    frame = inp.quarantine.assign(agb=[inp.sender(p) or "" for p in inp.quarantine["path"]])
    alerts = []
    for (agb, code), rows in sorted(frame.groupby(["agb", "reason_code"]), key=lambda g: g[0]):
        regels, bestanden = int(rows["regels"].sum()), rows["file_id"].nunique()
        dutch, _ = dutch_reason(code, list(rows["reden"]))
        who = f" van {inp.aanbieder(agb)}" if agb else ""
        alerts.append(
            alert(
                f"{agb}:{code}" if agb else code,
                None,
                wat=f"{meervoud(regels, 'regel', 'regels')}{who} "
                f"{'is' if regels == 1 else 'zijn'} niet geladen (quarantaine): {dutch}",
                hoe_groot=f"{meervoud(regels, 'regel', 'regels')} in {meervoud(bestanden, 'bestand', 'bestanden')}",
                sinds=f"deze run ({datum(t.peildatum)})",
                wat_te_doen="Geef de regels (bestand en regelnummer) terug aan de afzender voor correctie.",
                bewijs=f"bestanden: {_file_list(list(rows['path'].unique()))}; GX Data Docs: {t.data_docs}; select "
                f"f.path, q.line, q.field from meta_quarantine q join meta_source_file f using (file_id) where "
                f"q.load_run_id = '{inp.run_id}' and q.reason_code = '{code}'",
                aanbieder=agb or None,
                redenen=((f"regels in quarantaine: {_lower(dutch)}", regels),),
            )
        )
    return alerts


def gx_warn(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    return [
        alert(
            f"{v.suite}:{v.reason_code}",
            None,
            wat=f"{meervoud(int(v.rijen), 'regel is', 'regels zijn')} geladen maar voldoen niet aan een "
            f"waarschuwingsregel: {v.reden}",
            hoe_groot=f"{meervoud(int(v.rijen), 'regel', 'regels')} in "
            f"{meervoud(int(v.bestanden), 'bestand', 'bestanden')} (suite {v.suite})",
            sinds=f"deze run ({datum(t.peildatum)})",
            wat_te_doen="Ga na of het een fout van de afzender is; de regels tellen wel mee in de cijfers.",
            bewijs=f"GX Data Docs: {t.data_docs}; select * from meta_validation_result where load_run_id = "
            f"'{inp.run_id}' and reason_code = '{v.reason_code}'",
        )
        for v in inp.validation.sort_values(["suite", "reason_code"]).itertuples()
    ]


def aanbieder_stil(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    if not t.declaratie_dag or t.peildatum.day < t.declaratie_dag:
        return None
    month = t.vorige_maand
    active = active_toewijzingen(inp.toewijzingen, month)
    counts = active.groupby(["gemeentecode", "aanbieder_agb"]).size()
    declared = inp.declaraties.assign(maand=inp.declaraties["maand"].map(_month))
    last = declared.groupby(["gemeentecode", "aanbieder_agb"])["maand"].max().to_dict()
    done = set(map(tuple, declared.loc[declared["maand"] == month, ["gemeentecode", "aanbieder_agb"]].values))
    alerts = []
    for (gemeente, agb), n in sorted(counts.items()):
        if gemeente not in inp.gemeenten or (gemeente, agb) in done:
            continue
        previous = last.get((gemeente, agb))
        since = add_months(previous, 1) if previous and previous < month else month
        alerts.append(
            alert(
                f"{gemeente}:{agb}",
                gemeente,
                wat=f"Aanbieder {inp.aanbieder(agb)} heeft voor {inp.naam(gemeente)} nog niet gedeclareerd over "
                f"{maand(month)}, terwijl er actieve toewijzingen zijn.",
                hoe_groot=f"{meervoud(int(n), 'actieve toewijzing', 'actieve toewijzingen')}; "
                + (f"laatste declaratie over {maand(previous)}" if previous else "nog nooit gedeclareerd"),
                sinds=maand(since),
                wat_te_doen=f"Vraag de aanbieder of de declaratie (JW323) over {maand(month)} onderweg "
                f"is; de afspraak is uiterlijk de {t.declaratie_dag}e van de maand erna.",
                bewijs=f"select maand, actieve_toewijzingen, declaraties, declaraties_te_laat from "
                f"mart_aanbieder_scorecard where gemeentecode = '{gemeente}' and "
                f"aanbieder_agb = '{agb}' order by maand",
                aanbieder=agb,
                redenen=((f"geen declaratie over {maand(month)}", 1),),
                onderdeel="datakwaliteit",
            )
        )
    return alerts


def active_toewijzingen(toewijzingen: pd.DataFrame, month: date) -> pd.DataFrame:
    """Toewijzingen running in `month`: begun by its last day, not ended before its first."""
    end = add_months(month, 1)
    start = pd.to_datetime(toewijzingen["ingangsdatum"])
    stop = pd.to_datetime(toewijzingen["einddatum"])
    return toewijzingen[(start < pd.Timestamp(end)) & (stop.isna() | (stop >= pd.Timestamp(month)))]


def jgt_export_laat(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    if not t.jgt_export_dag or t.peildatum.day < t.jgt_export_dag:
        return None
    month = t.vorige_maand
    exports = inp.jgt_exports.assign(export_maand=inp.jgt_exports["export_maand"].map(_month))
    last = exports.groupby("team")["export_maand"].max().to_dict()
    done = set(exports.loc[exports["export_maand"] == month, "team"])
    alerts = []
    for team in inp.teams[inp.teams["gemeentecode"].isin(inp.gemeenten)].sort_values("team").itertuples():
        if team.team in done:
            continue
        previous = last.get(team.team)
        alerts.append(
            alert(
                team.team,
                team.gemeentecode,
                wat=f"De export van {team.naam} ({team.team}, {inp.naam(team.gemeentecode)}) over "
                f"{maand(month)} is er nog niet (afspraak: uiterlijk de {t.jgt_export_dag}e).",
                hoe_groot=f"laatste export: {maand(previous)}" if previous else "nog nooit een export ontvangen",
                sinds=maand(add_months(previous, 1) if previous and previous < month else month),
                wat_te_doen=f"Vraag het team de export over {maand(month)} in de JGT-inbox te zetten; "
                f"de volgende run laadt hem.",
                bewijs=f"select export_maand, count(*) from stg_jgt_registratie where team = "
                f"'{team.team}' group by export_maand order by export_maand",
                onderdeel="datakwaliteit",
            )
        )
    return alerts


def _cbs_sinds(row) -> str:
    fetched = _day(row.fetched_at)
    return f"laatste goede versie opgehaald op {datum(fetched)}" if fetched else "nog nooit volledig opgehaald"


def cbs_verouderd(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    if inp.cbs is None:
        return None
    return [
        alert(
            o.table_id,
            None,
            wat=o.melding,
            hoe_groot=f"tabel {o.table_id} ({o.purpose}): de laatst geladen versie blijft in gebruik",
            sinds=_cbs_sinds(o),
            wat_te_doen="Controleer of CBS StatLine bereikbaar is (cbs.base_url) en of de tabel nog bestaat; "
            "de volgende run probeert het opnieuw.",
            bewijs=f"select table_id, modified, fetched_at, checked_at, last_error from meta_cbs_table "
            f"where table_id = '{o.table_id}'",
        )
        for o in inp.cbs[inp.cbs["status"] == "stale"].sort_values("table_id").itertuples()
    ]


def cbs_mislukt(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    if inp.cbs is None:
        return None
    return [
        alert(
            o.table_id,
            None,
            wat=o.melding,
            hoe_groot=f"tabel {o.table_id} ({o.purpose}) is in deze run niet geladen; de andere tabellen wel",
            sinds=_cbs_sinds(o),
            wat_te_doen="Lees de reden: past de configuratie ([[cbs.tables]]) niet meer bij de tabel, pas haar aan; "
            "levert CBS de tabel anders dan beschreven, meld het aan de beheerders van de monitor. De volgende run "
            "probeert het opnieuw.",
            bewijs=f"select table_id, modified, fetched_at, checked_at, last_error from meta_cbs_table "
            f"where table_id = '{o.table_id}'",
        )
        for o in inp.cbs[inp.cbs["status"] == "failed"].sort_values("table_id").itertuples()
    ]


def cbs_gestopt(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    if inp.cbs is None:
        return None
    return [
        alert(
            o.table_id,
            None,
            wat=f"CBS is gestopt met tabel {o.table_id} ({o.purpose}); de monitor gebruikt de laatste versie.",
            hoe_groot="nieuwe perioden komen niet meer binnen",
            sinds=_cbs_sinds(o),
            wat_te_doen="Zoek de opvolger op CBS StatLine en zet die in [[cbs.tables]]; controleer de "
            "koppeling in schemas/cbs_indicators.toml.",
            bewijs=f"select table_id, title, status, modified from meta_cbs_table where table_id = '{o.table_id}'",
        )
        for o in inp.cbs[inp.cbs["discontinued"].astype(bool)].sort_values("table_id").itertuples()
    ]


def aanbieder_kwaliteit(inp: RuleInput, t: Thresholds, alert) -> list[Alert] | None:
    month = t.vorige_maand
    card = inp.scorecard[inp.scorecard["maand"].map(_month) == month] if len(inp.scorecard) else inp.scorecard
    alerts = []
    for row in card.sort_values(["gemeentecode", "aanbieder_agb"]).itertuples():
        problems, counts = [], []
        if row.bestanden_afgekeurd:
            problems.append(meervoud(int(row.bestanden_afgekeurd), "bestand afgekeurd", "bestanden afgekeurd"))
            counts.append(("bestanden afgekeurd", int(row.bestanden_afgekeurd)))
        if row.regels_quarantaine:
            redenen = f" ({row.quarantaine_redenen})" if _present(row.quarantaine_redenen) else ""
            problems.append(f"{meervoud(int(row.regels_quarantaine), 'regel', 'regels')} in quarantaine{redenen}")
            counts.append(("regels in quarantaine", int(row.regels_quarantaine)))
        if row.declaraties_te_laat:
            problems.append(meervoud(int(row.declaraties_te_laat), "declaratie te laat", "declaraties te laat"))
            counts.append(("declaraties te laat", int(row.declaraties_te_laat)))
        if row.niet_gedeclareerd:
            problems.append("geen declaratie")
            counts.append((f"geen declaratie over {maand(month)}", 1))  # as aanbieder_stil says it
        if row.ontbrekende_starts:
            problems.append(
                f"{meervoud(int(row.ontbrekende_starts), 'toewijzing', 'toewijzingen')} zonder startbericht (JW305)"
            )
            counts.append(("toewijzingen zonder startbericht (JW305)", int(row.ontbrekende_starts)))
        if row.ontbrekende_stops:
            problems.append(
                f"{meervoud(int(row.ontbrekende_stops), 'zorgperiode', 'zorgperiodes')} zonder stopbericht (JW307)"
            )
            counts.append(("zorgperiodes zonder stopbericht (JW307)", int(row.ontbrekende_stops)))
        if not problems or row.gemeentecode not in inp.gemeenten:
            continue
        alerts.append(
            alert(
                f"{row.gemeentecode}:{row.aanbieder_agb}",
                row.gemeentecode,
                wat=f"Aanlevering door aanbieder {inp.aanbieder(row.aanbieder_agb)} aan {inp.naam(row.gemeentecode)} "
                f"over {maand(month)}: {', '.join(problems)}.",
                hoe_groot=f"{meervoud(int(row.bestanden), 'bestand', 'bestanden')} ontvangen, "
                f"{meervoud(int(row.declaraties), 'declaratie', 'declaraties')}, "
                f"{meervoud(int(row.actieve_toewijzingen), 'actieve toewijzing', 'actieve toewijzingen')}",
                sinds=maand(month),
                wat_te_doen="Bespreek de scorecard in het contractoverleg; vraag om de ontbrekende "
                "start- en stopberichten en om correcties.",
                bewijs=f"select * from mart_aanbieder_scorecard where gemeentecode = "
                f"'{row.gemeentecode}' and aanbieder_agb = '{row.aanbieder_agb}' order by maand",
                aanbieder=row.aanbieder_agb,
                redenen=tuple(counts),
                onderdeel="datakwaliteit",
            )
        )
    return alerts


# --- indicators ------------------------------------------------------------------------------------------------


def _complete(frame: pd.DataFrame, t: Thresholds, column: str = "maand") -> pd.DataFrame:
    """Months that have ended: the running month is partial and would look like a drop."""
    months = frame[column].map(_month)
    return frame.assign(**{column: months})[months < t.huidige_maand]


def doorlooptijd_boven_norm(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    alerts = []
    frame = _complete(inp.doorlooptijd, t).sort_values("maand")
    for gemeente, rows in frame.groupby("gemeentecode"):
        streak: list = []  # rows of rows.itertuples()
        for row in reversed(list(rows.itertuples())):
            if not _present(row.mediaan_dagen) or row.mediaan_dagen <= row.norm_dagen:
                break
            streak.insert(0, row)
        if len(streak) < t.doorlooptijd_maanden or gemeente not in inp.gemeenten:
            continue
        latest = streak[-1]
        shown = ", ".join(f"{maand(r.maand)}: {getal(r.mediaan_dagen)}" for r in streak[-3:])
        alerts.append(
            alert(
                gemeente,
                gemeente,
                wat=f"De mediane doorlooptijd van aanmelding tot start hulp in {inp.naam(gemeente)} ligt "
                f"{len(streak)} maanden op rij boven de norm van {int(latest.norm_dagen)} dagen.",
                hoe_groot=f"mediaan {getal(latest.mediaan_dagen)} dagen in {maand(latest.maand)} "
                f"(dagen per maand: {shown})",
                sinds=maand(streak[0].maand),
                wat_te_doen="Kijk in mart_doorlooptijd per team welk team achterloopt en hoeveel "
                "aanmeldingen langer dan de norm wachten (wachtend_langer_dan_norm).",
                bewijs=f"select team, maand, aantal, mediaan_dagen, wachtend_langer_dan_norm from "
                f"mart_doorlooptijd where gemeentecode = '{gemeente}' and periode_type = 'maand' and maand >= "
                f"'{streak[0].maand.isoformat()}' order by maand, team",
                onderdeel="doorlooptijd",
            )
        )
    return alerts


SERIES = {  # reeks -> (rule, what it counts, what to check, the mart query)
    "aanmeldingen": (
        "sprong_aanmeldingen",
        "het aantal aanmeldingen bij de jeugd- en gezinsteams",
        "Ga na of dit een echte verandering is (een nieuwe verwijsroute, een campagne) of een "
        "onvolledige of dubbele export van een team.",
        "select team, maand, aantal_aanmeldingen from mart_aanmeldingen where gemeentecode = '{g}' "
        "and periode_type = 'maand' and maand >= '{m}' order by maand, team",
    ),
    "verwijzingen": (
        "sprong_verwijzingen",
        "het aantal nieuwe toewijzingen",
        "Ga na welke verwijzer het verschil maakt, en of er toewijzingen (JW301) laat of dubbel zijn verstuurd.",
        "select verwijzer_type, maand, nieuwe_toewijzingen from mart_verwijzingen where gemeentecode = "
        "'{g}' and periode_type = 'maand' and maand >= '{m}' order by maand, verwijzer_type",
    ),
    "uithuisplaatsingen_gestart": (
        "sprong_uithuisplaatsingen",
        "het aantal gestarte uithuisplaatsingen (jeugdhulp met verblijf)",
        "Bespreek met de aanbieders van verblijf en de jeugdbescherming of dit klopt; "
        "kijk per vorm in mart_uithuisplaatsingen.",
        "select periode, vorm, gestart, lopend from mart_uithuisplaatsingen where "
        "gemeentecode = '{g}' and bron = 'ijw' and periode_type = 'maand' and "
        "periode_start >= '{m}' order by periode, vorm",
    ),
    "uithuisplaatsingen_lopend": (
        "sprong_uithuisplaatsingen",
        "het aantal jeugdigen in een uithuisplaatsing (op de laatste dag van de maand)",
        "Bespreek met de aanbieders van verblijf en de jeugdbescherming of dit klopt; "
        "ontbrekende stopberichten (JW307) laten dit aantal ten onrechte oplopen.",
        "select periode, vorm, gestart, lopend from mart_uithuisplaatsingen where "
        "gemeentecode = '{g}' and bron = 'ijw' and periode_type = 'maand' and "
        "periode_start >= '{m}' order by periode, vorm",
    ),
}


def _sprong(reeksen: tuple[str, ...]):
    def check(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
        alerts = []
        frame = _complete(inp.reeksen[inp.reeksen["reeks"].isin(reeksen)], t)
        for (gemeente, reeks), rows in sorted(frame.groupby(["gemeentecode", "reeks"])):
            if gemeente not in inp.gemeenten:
                continue
            values = dict(zip(rows["maand"], rows["waarde"], strict=True))
            latest = max(values)
            months = [add_months(latest, -k) for k in (3, 2, 1)]
            before: list = [values.get(m) for m in months]  # numbers once _present has judged them
            if not _present(values[latest], *before):  # a suppressed or missing month: not judged
                continue
            average = sum(before) / 3
            if average <= 0 or average < t.sprong_minimum:
                continue
            change = (values[latest] - average) * 100 / average
            if abs(change) <= t.sprong_pct:
                continue
            _, label, todo, query = SERIES[reeks]
            subject = gemeente if len(reeksen) == 1 else f"{gemeente}:{reeks.rsplit('_', 1)[1]}"
            alerts.append(
                alert(
                    subject,
                    gemeente,
                    wat=f"In {inp.naam(gemeente)} is {label} in {maand(latest)} "
                    f"{'gestegen' if change > 0 else 'gedaald'} met {pct(abs(change))} ten opzichte "
                    f"van het gemiddelde van de drie maanden ervoor.",
                    hoe_groot=f"{getal(values[latest])} in {maand(latest)} tegen gemiddeld "
                    f"{getal(average, 1)} ({', '.join(getal(v) for v in before)})",
                    sinds=maand(latest),
                    wat_te_doen=todo,
                    bewijs=query.format(g=gemeente, m=months[0].isoformat()),
                    onderdeel=reeks.split("_")[0],
                )
            )
        return alerts

    return check


def prognose_boven_budget(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    alerts = []
    frame = _complete(inp.kosten, t).sort_values("maand")
    frame = frame[frame["prognose_lineair"].notna() & frame["budget_jaar"].notna() & (frame["budget_jaar"] > 0)]
    for gemeente, rows in frame.groupby("gemeentecode"):
        latest = rows.iloc[-1]
        if gemeente not in inp.gemeenten or latest.prognose_lineair <= latest.budget_jaar:
            continue
        year = latest.maand.year
        over = rows[[m.year == year for m in rows["maand"]]]
        first = latest.maand
        for row in reversed(list(over.itertuples())):
            if row.prognose_lineair <= row.budget_jaar:
                break
            first = row.maand
        excess = latest.prognose_lineair - latest.budget_jaar
        alerts.append(
            alert(
                f"{gemeente}:{year}",
                gemeente,
                wat=f"De prognose van de jeugdhulpkosten van {inp.naam(gemeente)} voor {year} "
                f"({euro(latest.prognose_lineair)}) ligt boven het budget "
                f"({euro(latest.budget_jaar)}).",
                hoe_groot=f"{euro(excess)} ({pct(excess * 100 / latest.budget_jaar)}) boven budget; "
                f"gedeclareerd tot en met {maand(latest.maand)}: {euro(latest.jaar_tot_nu)}",
                sinds=maand(first),
                wat_te_doen="Bespreek dit met de budgethouder. De prognose is lineair (jaar tot nu / "
                "maanden x 12); late declaraties veranderen het beeld nog. Vergelijk met "
                "prognose_seizoen.",
                bewijs=f"select maand, jaar_tot_nu, budget_tot_nu, prognose_lineair, prognose_seizoen, "
                f"budget_jaar from mart_kosten where gemeentecode = '{gemeente}' and "
                f"product_categorie = 'totaal' and periode_type = 'maand' and maand >= '{year}-01-01' order by maand",
                onderdeel="kosten",
            )
        )
    return alerts


def cbs_verschil(inp: RuleInput, t: Thresholds, alert) -> list[Alert]:
    alerts = []
    frame = inp.cbs_vergelijking
    frame = frame[frame["lokaal"].notna() & frame["cbs"].notna() & frame["verschil_pct"].notna()]
    for gemeente, rows in frame.sort_values("periode_eind").groupby("gemeentecode"):
        latest = rows.iloc[-1]
        if gemeente not in inp.gemeenten or abs(latest.verschil_pct) <= t.cbs_verschil_pct:
            continue
        alerts.append(
            alert(
                gemeente,
                gemeente,
                wat=f"Het aantal jeugdigen met jeugdhulp in {inp.naam(gemeente)} volgens de eigen "
                f"berichten ({getal(latest.lokaal)}) verschilt {pct(abs(latest.verschil_pct))} van "
                f"CBS ({getal(latest.cbs)}) over het {halfjaar(latest.periode)}.",
                hoe_groot=f"verschil {getal(latest.verschil)} jeugdigen; CBS-cijfer "
                f"{latest.cbs_periode_status.lower() if _present(latest.cbs_periode_status) else 'zonder status'}",
                sinds=halfjaar(latest.periode),
                wat_te_doen="CBS telt ook pgb en aanbieders die niet via iJw berichten. Een groot verschil "
                "wijst vaak op ontbrekende start- of stopberichten of op productcodes zonder "
                "klasse: bekijk de aanbiederscorecard.",
                bewijs=f"select periode, indicator, lokaal, cbs, verschil, verschil_pct, "
                f"cbs_periode_status from mart_cbs_vergelijking where gemeentecode = "
                f"'{gemeente}' and indicator = 'jeugdhulp' order by periode_eind",
                onderdeel="cbs",
            )
        )
    return alerts


DELIVERY = ("data",)
RULES: tuple[Rule, ...] = (
    Rule("bestand_afgekeurd", "fail", DELIVERY, False, bestand_afgekeurd),
    Rule("quarantaine_aandeel", "warn", DELIVERY, False, quarantaine_aandeel),
    Rule("gx_fail", "fail", DELIVERY, False, gx_fail),
    Rule("gx_warn", "warn", DELIVERY, False, gx_warn),
    Rule("aanbieder_stil", "warn", ("data", "contract"), True, aanbieder_stil),
    Rule("jgt_export_laat", "warn", DELIVERY, True, jgt_export_laat),
    Rule("cbs_verouderd", "warn", DELIVERY, True, cbs_verouderd),
    Rule("cbs_mislukt", "fail", DELIVERY, True, cbs_mislukt),
    Rule("cbs_gestopt", "warn", DELIVERY, True, cbs_gestopt),
    Rule("aanbieder_kwaliteit", "info", ("contract",), True, aanbieder_kwaliteit),
    Rule("doorlooptijd_boven_norm", "warn", ("beleid",), True, doorlooptijd_boven_norm),
    Rule("sprong_aanmeldingen", "warn", ("beleid",), True, _sprong(("aanmeldingen",))),
    Rule("sprong_verwijzingen", "warn", ("beleid",), True, _sprong(("verwijzingen",))),
    Rule(
        "sprong_uithuisplaatsingen",
        "warn",
        ("beleid",),
        True,
        _sprong(("uithuisplaatsingen_gestart", "uithuisplaatsingen_lopend")),
    ),
    Rule("prognose_boven_budget", "warn", ("beleid",), True, prognose_boven_budget),
    Rule("cbs_verschil", "warn", ("beleid", "data"), True, cbs_verschil),
)
RULE_NAMES = tuple(r.name for r in RULES)


def evaluate(inp: RuleInput, t: Thresholds) -> tuple[list[Alert], set[str]]:
    """Every rule over the input: the alerts, and the rules that could be judged (only those resolve)."""
    alerts: list[Alert] = []
    judged: set[str] = set()
    for rule in RULES:

        def make(subject: str, gemeentecode: str | None, rule: Rule = rule, **texts) -> Alert:
            return Alert(
                rule=rule.name,
                severity=t.ernst.get(rule.name, rule.severity),
                subject=subject,
                gemeentecode=gemeentecode,
                audience=rule.audience,
                resolvable=rule.resolvable,
                **texts,
            )

        found = rule.check(inp, t, make)
        if found is not None:
            judged.add(rule.name)
            alerts += found
    return alerts, judged
