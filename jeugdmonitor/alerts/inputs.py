"""Read what the rules and the scorecard need from the warehouse, as frames (one query each)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, func, literal, select, text, union_all

from jeugdmonitor.schemas.marts import (
    dim_aanbieder,
    dim_gemeente,
    dim_periode,
    dim_team,
    mart_aanmeldingen,
    mart_cbs_vergelijking,
    mart_doorlooptijd,
    mart_kosten,
    mart_uithuisplaatsingen,
    mart_verwijzingen,
)
from jeugdmonitor.schemas.warehouse import (
    STAGING_TABLES,
    meta_cbs_table,
    meta_quarantine,
    meta_source_file,
    meta_validation_result,
    stg_jgt_registratie,
    stg_jw323_prestatie,
)
from jeugdmonitor.transforms.alerts.rules import RuleInput
from jeugdmonitor.transforms.alerts.scorecard import ScorecardInput


def _frame(conn: Connection, query, params: dict | None = None) -> pd.DataFrame:
    result = conn.execute(query, params or {})
    # plain tuples: pandas inspects every Row object it is handed, which cost seconds per region
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))


def _month_text(conn: Connection, column):
    """'YYYY-MM' of a date column on either database."""
    if conn.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)


def toewijzingen(conn: Connection) -> pd.DataFrame:
    return _frame(
        conn,
        text("select gemeentecode, aanbieder_agb, toewijzing_nummer, ingangsdatum, einddatum from fact_toewijzing"),
    )


def declaraties(conn: Connection) -> pd.DataFrame:
    """Per declaratie and month of its ProductPerioden: the first Dagtekening (when it arrived)."""
    t = stg_jw323_prestatie
    month = _month_text(conn, t.c.product_periode_begin).label("maand")
    frame = _frame(
        conn,
        select(
            t.c.gemeentecode,
            t.c.aanbieder_agb,
            t.c.declaratie_nummer,
            month,
            func.min(t.c.dagtekening).label("dagtekening"),
        ).group_by(t.c.gemeentecode, t.c.aanbieder_agb, t.c.declaratie_nummer, month),
    )
    frame["maand"] = frame["maand"].map(lambda m: date.fromisoformat(f"{m}-01"))
    return frame


def gemeente_names(conn: Connection, gemeenten: list[str]) -> dict[str, str]:
    names = dict(conn.execute(select(dim_gemeente.c.gemeentecode, dim_gemeente.c.naam)).all())
    return {g: names.get(g, g) for g in gemeenten}


def cbs_from_outcomes(conn: Connection, outcomes: list) -> pd.DataFrame:
    fetched = dict(conn.execute(select(meta_cbs_table.c.table_id, meta_cbs_table.c.fetched_at)).all())
    return pd.DataFrame(
        [
            {
                "table_id": o.table_id,
                "purpose": o.purpose,
                "status": o.status,
                "melding": o.melding,
                "discontinued": bool(o.discontinued),
                "fetched_at": fetched.get(o.table_id),
            }
            for o in outcomes
        ],
        columns=["table_id", "purpose", "status", "melding", "discontinued", "fetched_at"],
    )


def cbs_from_tables(conn: Connection) -> pd.DataFrame:
    """Without the run's outcomes (preview): what meta_cbs_table says of the last check."""
    t = meta_cbs_table
    frame = _frame(
        conn, select(t.c.table_id, t.c.purpose, t.c.status.label("cbs_status"), t.c.last_error, t.c.fetched_at)
    )
    return pd.DataFrame(
        {
            "table_id": frame["table_id"],
            "purpose": frame["purpose"],
            "status": ["stale" if e else "unchanged" for e in frame["last_error"]],
            "melding": frame["last_error"].fillna(""),
            "discontinued": frame["cbs_status"].isin(["Stopgezet", "Gediscontinueerd"]),
            "fetched_at": frame["fetched_at"],
        }
    )


def rule_input(
    conn: Connection, run_id: str, gemeenten: list[str], cbs: pd.DataFrame | None, scorecard: pd.DataFrame
) -> RuleInput:
    f, q, v = meta_source_file, meta_quarantine, meta_validation_result
    files = _frame(
        conn,
        select(
            f.c.file_id,
            f.c.source,
            f.c.message_type,
            f.c.path,
            f.c.status,
            f.c.rows_read,
            f.c.rows_quarantined,
            f.c.reason_code,
            f.c.reden,
        ).where(f.c.load_run_id == run_id),
    )
    quarantine = _frame(
        conn,
        select(
            q.c.reason_code,
            func.min(q.c.reden).label("reden"),
            q.c.file_id,
            f.c.path,
            func.count().label("regels"),
        )
        .join(f, f.c.file_id == q.c.file_id)
        .where(q.c.load_run_id == run_id, f.c.status == "loaded")
        .group_by(q.c.reason_code, q.c.file_id, f.c.path),
    )
    validation = _frame(
        conn,
        select(
            v.c.suite,
            v.c.reason_code,
            func.min(v.c.reden).label("reden"),
            func.sum(v.c.rows_unexpected).label("rijen"),
            func.count(v.c.file_id.distinct()).label("bestanden"),
        )
        .where(v.c.load_run_id == run_id, v.c.severity == "warn")
        .group_by(v.c.suite, v.c.reason_code),
    )
    r = stg_jgt_registratie
    ua, vw, uh = mart_aanmeldingen, mart_verwijzingen, mart_uithuisplaatsingen
    local_uhp = (uh.c.bron == "ijw", uh.c.periode_type == "maand", uh.c.vorm == "totaal")
    series = union_all(
        select(
            ua.c.gemeentecode,
            literal("aanmeldingen").label("reeks"),
            ua.c.maand,
            ua.c.aantal_aanmeldingen.label("waarde"),
        ).where(ua.c.team == "totaal", ua.c.periode_type == "maand"),
        select(vw.c.gemeentecode, literal("verwijzingen"), vw.c.maand, vw.c.nieuwe_toewijzingen).where(
            vw.c.verwijzer_type == "totaal", vw.c.periode_type == "maand"
        ),
        select(uh.c.gemeentecode, literal("uithuisplaatsingen_gestart"), uh.c.periode_start, uh.c.gestart).where(
            *local_uhp
        ),
        select(uh.c.gemeentecode, literal("uithuisplaatsingen_lopend"), uh.c.periode_start, uh.c.lopend).where(
            *local_uhp
        ),
    )
    d, k, c = mart_doorlooptijd, mart_kosten, mart_cbs_vergelijking
    return RuleInput(
        run_id=run_id,
        gemeenten=gemeente_names(conn, gemeenten),
        aanbieders={
            agb: naam
            for agb, naam in conn.execute(select(dim_aanbieder.c.aanbieder_agb, dim_aanbieder.c.naam)).all()
            if naam
        },
        files=files,
        quarantine=quarantine,
        validation=validation,
        cbs=cbs,
        toewijzingen=toewijzingen(conn),
        declaraties=declaraties(conn),
        teams=_frame(conn, select(dim_team.c.team, dim_team.c.naam, dim_team.c.gemeentecode)),
        jgt_exports=_frame(conn, select(r.c.team, r.c.export_maand).distinct()),
        doorlooptijd=_frame(
            conn,
            select(d.c.gemeentecode, d.c.maand, d.c.mediaan_dagen, d.c.norm_dagen).where(
                d.c.team == "totaal", d.c.periode_type == "maand"
            ),
        ),
        reeksen=_frame(conn, series),
        kosten=_frame(
            conn,
            select(k.c.gemeentecode, k.c.maand, k.c.jaar_tot_nu, k.c.budget_jaar, k.c.prognose_lineair).where(
                k.c.product_categorie == "totaal", k.c.periode_type == "maand"
            ),
        ),
        cbs_vergelijking=_frame(
            conn,
            select(
                c.c.gemeentecode,
                c.c.periode,
                c.c.periode_eind,
                c.c.lokaal,
                c.c.cbs,
                c.c.verschil,
                c.c.verschil_pct,
                c.c.cbs_periode_status,
            ).where(c.c.indicator == "jeugdhulp", c.c.periode_type == "halfjaar"),
        ),
        scorecard=scorecard,
    )


def scorecard_input(conn: Connection) -> ScorecardInput:
    f = meta_source_file
    parties = union_all(
        *[
            select(
                t.c.file_id, t.c.gemeentecode, t.c.aanbieder_agb, func.min(t.c.dagtekening).label("dagtekening")
            ).group_by(t.c.file_id, t.c.gemeentecode, t.c.aanbieder_agb)
            for t in STAGING_TABLES.values()
        ]
    )
    file_parties = _frame(conn, parties)
    files = _frame(conn, select(f.c.file_id, f.c.status, f.c.path, f.c.loaded_at).where(f.c.source == "ijw"))
    # The month of delivery is the message's Dagtekening; a rejected file has none readable: the day it was loaded.
    # as datetime64: a groupby min over Python date objects runs row by row
    sent = (
        pd.to_datetime(file_parties["dagtekening"]).groupby(file_parties["file_id"]).min()
        if len(file_parties)
        else pd.Series(dtype="datetime64[ns]")
    )
    if files.empty:  # a new region's first run: no iJw file yet (an empty frame's map cannot take datetimes)
        files["maand"] = pd.Series(dtype=object)
    else:
        day = files["file_id"].map(sent).where(lambda s: s.notna(), files["loaded_at"])
        files["maand"] = [pd.Timestamp(v).date().replace(day=1) for v in day]
    q = meta_quarantine
    quarantine = _frame(
        conn, select(q.c.file_id, q.c.reason_code, func.count().label("regels")).group_by(q.c.file_id, q.c.reason_code)
    )
    months = list(conn.execute(select(dim_periode.c.maand).order_by(dim_periode.c.maand)).scalars())
    starts = _frame(
        conn, text("select gemeentecode, aanbieder_agb, toewijzing_nummer, begindatum, einddatum from fact_zorgperiode")
    )
    return ScorecardInput(
        files=files,
        file_parties=file_parties,
        quarantine=quarantine,
        toewijzingen=toewijzingen(conn),
        declaraties=declaraties(conn),
        starts=starts,
        months=[pd.Timestamp(m).date() for m in months],
    )
