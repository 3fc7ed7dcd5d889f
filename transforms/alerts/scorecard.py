"""The provider scorecard (mart_aanbieder_scorecard): data quality per gemeente, aanbieder and month, pure.

These are counts of files, messages and toewijzingen, not of people, so nothing is suppressed. A rejected file has
no staging rows that name its sender; it is attributed through its name when that follows the iJw convention
(`JW323_<AGB>_<gemeente>_...`, `JW301_<gemeente>_<AGB>_...`), else it stays out of the scorecard (the
bestand_afgekeurd alert still reports it to the data engineers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from jeugdmonitor.transforms.alerts.rules import active_toewijzingen, add_months

KEY = ["gemeentecode", "aanbieder_agb", "maand"]
COUNTS = [
    "bestanden",
    "bestanden_afgekeurd",
    "regels_quarantaine",
    "actieve_toewijzingen",
    "declaraties",
    "declaraties_te_laat",
    "ontbrekende_starts",
    "ontbrekende_stops",
]
COLUMNS = KEY + COUNTS[:3] + ["quarantaine_redenen"] + COUNTS[3:6] + ["niet_gedeclareerd"] + COUNTS[6:]


@dataclass
class ScorecardInput:
    files: pd.DataFrame  # file_id, status, path, maand (month of delivery)
    file_parties: pd.DataFrame  # file_id, gemeentecode, aanbieder_agb: who sent a loaded file to whom
    quarantine: pd.DataFrame  # file_id, reason_code, regels
    toewijzingen: pd.DataFrame  # gemeentecode, aanbieder_agb, toewijzing_nummer, ingangsdatum, einddatum
    declaraties: pd.DataFrame  # gemeentecode, aanbieder_agb, declaratie_nummer, maand, dagtekening
    starts: pd.DataFrame  # fact_zorgperiode: gemeentecode, aanbieder_agb, toewijzing_nummer, begindatum, einddatum
    months: list[date]  # the months to score (the data window)


def deadline(month: date, day: int) -> date:
    """The last day on which a declaration over `month` is on time: day `day` of the month after."""
    return add_months(month, 1).replace(day=day)


def parties_from_name(path: str, gemeenten: set[str]) -> tuple[str, str] | None:
    """(gemeentecode, AGB) from an iJw file name, when it has one 8-digit and one known 4-digit token."""
    tokens = re.split(r"[_.\-]", path.rsplit("/", 1)[-1])
    agbs = [t for t in tokens if re.fullmatch(r"\d{8}", t)]
    codes = [f"GM{t}" for t in tokens if re.fullmatch(r"\d{4}", t) and f"GM{t}" in gemeenten]
    return (codes[0], agbs[0]) if len(agbs) == 1 and len(codes) == 1 else None


def build(
    inp: ScorecardInput, gemeenten: set[str], peildatum: date, declaratie_dag: int, norm_dagen: int
) -> pd.DataFrame:
    parts = [_files(inp, gemeenten), _toewijzingen(inp, norm_dagen), _declaraties(inp, peildatum, declaratie_dag)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, axis=1).reset_index()
    for column in COUNTS:
        frame[column] = frame.get(column, pd.Series(0, index=frame.index)).fillna(0).astype(int)
    frame["quarantaine_redenen"] = frame.get("quarantaine_redenen", pd.Series(None, index=frame.index))
    frame["quarantaine_redenen"] = frame["quarantaine_redenen"].where(frame["quarantaine_redenen"].notna(), None)
    on_time_passed = frame["maand"].map(lambda m: bool(declaratie_dag) and peildatum > deadline(m, declaratie_dag))
    frame["niet_gedeclareerd"] = (frame["actieve_toewijzingen"] > 0) & (frame["declaraties"] == 0) & on_time_passed
    frame = frame[frame["gemeentecode"].isin(gemeenten)]
    return frame[COLUMNS].sort_values(KEY).reset_index(drop=True)


def _files(inp: ScorecardInput, gemeenten: set[str]) -> pd.DataFrame:
    files = inp.files
    if files.empty:
        return pd.DataFrame()
    named = [
        (f.file_id, *p)
        for f in files[files["status"] == "rejected"].itertuples()
        if (p := parties_from_name(f.path, gemeenten))
    ]
    parties = pd.concat(
        [
            inp.file_parties[["file_id", "gemeentecode", "aanbieder_agb"]],
            pd.DataFrame(named, columns=["file_id", "gemeentecode", "aanbieder_agb"]),
        ]
    )
    rows = files[["file_id", "status", "maand"]].merge(parties.drop_duplicates(), on="file_id")
    if rows.empty:
        return pd.DataFrame()
    rows["afgekeurd"] = (rows["status"] == "rejected").astype(int)
    quarantine = inp.quarantine.merge(rows[["file_id", *KEY]], on="file_id")
    out = rows.groupby(KEY).agg(bestanden=("file_id", "nunique"), bestanden_afgekeurd=("afgekeurd", "sum"))
    by_reason = quarantine.groupby([*KEY, "reason_code"])["regels"].sum().reset_index()
    out["regels_quarantaine"] = by_reason.groupby(KEY)["regels"].sum()
    out["quarantaine_redenen"] = (
        by_reason.sort_values("reason_code")
        .groupby(KEY)
        .apply(
            lambda g: "; ".join(f"{r}={int(n)}" for r, n in zip(g["reason_code"], g["regels"], strict=True)),
            include_groups=False,
        )
        if not by_reason.empty
        else None
    )
    return out


def _toewijzingen(inp: ScorecardInput, norm_dagen: int) -> pd.DataFrame:
    toewijzingen = inp.toewijzingen
    if toewijzingen.empty or not inp.months:
        return pd.DataFrame()
    starts = inp.starts
    first_start = (
        starts.assign(begindatum=pd.to_datetime(starts["begindatum"]))
        .groupby(["gemeentecode", "toewijzing_nummer"])["begindatum"]
        .min()
    )
    ended = toewijzingen[toewijzingen["einddatum"].notna()][["gemeentecode", "toewijzing_nummer", "einddatum"]]
    open_starts = starts[starts["einddatum"].isna()].merge(
        ended, on=["gemeentecode", "toewijzing_nummer"], suffixes=("_start", "")
    )
    open_starts = open_starts.assign(einddatum=pd.to_datetime(open_starts["einddatum"]))
    rows = []
    for month in inp.months:
        last_day = pd.Timestamp(add_months(month, 1) - timedelta(days=1))
        active = active_toewijzingen(toewijzingen, month)
        started = pd.Series(
            list(zip(active["gemeentecode"], active["toewijzing_nummer"], strict=True)),
            index=active.index,
            dtype=object,
        ).map(first_start.to_dict())
        late = (pd.to_datetime(active["ingangsdatum"]) + pd.Timedelta(days=norm_dagen) < last_day) & (
            started.isna() | (pd.to_datetime(started) > last_day)
        )
        grouped = (
            active.assign(zonder_start=late.astype(int))
            .groupby(["gemeentecode", "aanbieder_agb"])
            .agg(actieve_toewijzingen=("toewijzing_nummer", "size"), ontbrekende_starts=("zonder_start", "sum"))
        )
        stops = (
            open_starts[open_starts["einddatum"] < pd.Timestamp(month)]
            .groupby(["gemeentecode", "aanbieder_agb"])["toewijzing_nummer"]
            .nunique()
            .rename("ontbrekende_stops")
        )
        part = grouped.join(stops, how="outer").reset_index().assign(maand=month)
        rows.append(part)
    return pd.concat(rows).set_index(KEY)


def _declaraties(inp: ScorecardInput, peildatum: date, declaratie_dag: int) -> pd.DataFrame:
    declaraties = inp.declaraties
    if declaraties.empty:
        return pd.DataFrame()
    frame = declaraties.assign(
        maand=declaraties["maand"].map(lambda v: pd.Timestamp(v).date().replace(day=1)),
        dagtekening=pd.to_datetime(declaraties["dagtekening"]).dt.date,
    )
    if declaratie_dag:
        frame["te_laat"] = [
            d > deadline(m, declaratie_dag) for d, m in zip(frame["dagtekening"], frame["maand"], strict=True)
        ]
    else:
        frame["te_laat"] = False
    late = frame[frame["te_laat"]].groupby(KEY)["declaratie_nummer"].nunique().rename("declaraties_te_laat")
    return pd.concat([frame.groupby(KEY)["declaratie_nummer"].nunique().rename("declaraties"), late], axis=1)
