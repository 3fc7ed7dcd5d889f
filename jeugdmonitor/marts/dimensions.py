"""The dimensions, rebuilt in full at every build (they are small): gemeente, periode, aanbieder, product, team,
verwijzer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Connection,
    delete,
    func,
    insert,
    select,
    union_all,
)

from jeugdmonitor.marts.settings import BuildSettings
from jeugdmonitor.schemas import load_productcategorieen, load_productcodes
from jeugdmonitor.schemas.marts import (
    dim_aanbieder,
    dim_gemeente,
    dim_periode,
    dim_product,
    dim_productcategorie,
    dim_team,
    dim_verwijzer,
)
from jeugdmonitor.schemas.warehouse import (
    meta_cbs_table,
    stg_cbs_waarneming,
    stg_jw301_toewijzing,
    stg_jw305_start,
    stg_jw307_stop,
    stg_jw315_verzoek,
    stg_jw323_prestatie,
)
from jeugdmonitor.transforms.marts import (
    verwijzingen,
)
from jeugdmonitor.transforms.marts.periods import month_end, months


def build_dimensions(conn: Connection, settings: BuildSettings) -> None:
    region = settings.region
    herindeling = [
        {
            "gemeentecode": old,
            "naam": naam,
            "actueel": False,
            "opgegaan_in": region.herindeling[old],
            "opgeheven_per": per,
        }
        for old, (naam, per) in region.opgeheven.items()
    ]
    jeugdregio = _jeugdregio_from_cbs(conn)
    gemeenten = [
        {
            "gemeentecode": g,
            "naam": region.gemeenten.get(g, g),
            "actueel": True,
            "opgegaan_in": None,
            "opgeheven_per": None,
            **jeugdregio.get(g, {"jeugdregio_code": settings.jeugdregio or None, "jeugdregio_naam": None}),
        }
        for g in settings.gemeenten
    ]
    gemeenten += [
        {**h, "jeugdregio_code": None, "jeugdregio_naam": None}
        for h in herindeling
        if h["gemeentecode"] not in settings.gemeenten
    ]
    products = [
        {
            "product_code": p["product_code"],
            "product_categorie": p["product_categorie"],
            "omschrijving": p.get("omschrijving"),
            "klasse": p["klasse"],
            "vorm": p.get("vorm") or None,
            "maatregel": p.get("maatregel") or None,
        }
        for p in load_productcodes(settings.productcodes_path)
    ]
    teams = [
        {"team": code, "naam": naam, "gemeentecode": g, "wijken": " ".join(region.wijken.get(code, ())) or None}
        for code, (naam, g) in region.teams.items()
    ]
    verwijzers = [{"verwijzer_type": k, "omschrijving": v} for k, v in verwijzingen.VERWIJZERS.items()]
    categorieen = [
        {"product_categorie": code, "omschrijving": omschrijving}
        for code, omschrijving in load_productcategorieen(settings.productcategorieen_path).items()
    ]
    for table, rows in (
        (dim_gemeente, gemeenten),
        (dim_product, products),
        (dim_team, teams),
        (dim_verwijzer, verwijzers),
        (dim_productcategorie, categorieen),
        (dim_aanbieder, _aanbieders(conn, settings.aanbieders)),
    ):
        conn.execute(delete(table))
        if rows:
            conn.execute(insert(table), rows)


def _jeugdregio_from_cbs(conn: Connection) -> dict[str, dict]:
    """gemeente -> jeugdregio code and name from the newest Gebieden in Nederland table in the warehouse."""
    w, t = stg_cbs_waarneming, meta_cbs_table
    newest = conn.execute(
        select(w.c.periode)
        .join(t, t.c.table_id == w.c.table_id)
        .where(t.c.purpose == "gebieden")
        .order_by(w.c.periode.desc())
        .limit(1)
    ).scalar()
    if newest is None:
        return {}
    rows = (
        conn.execute(
            select(w.c.regio_code, w.c.measure, w.c.value_text)
            .join(t, t.c.table_id == w.c.table_id)
            .where(t.c.purpose == "gebieden", w.c.periode == newest)
        )
        .mappings()
        .all()
    )
    by_gemeente: dict[str, dict[str, str]] = {}
    for r in rows:
        by_gemeente.setdefault(r["regio_code"], {})[r["measure"]] = r["value_text"]
    out = {}
    for gemeente, values in by_gemeente.items():
        code = next((v for v in values.values() if v and v.startswith("JZ")), None)
        if code:
            name_key = _name_next_to(values, code)
            out[gemeente] = {
                "jeugdregio_code": code,
                "jeugdregio_naam": None if name_key is None else values.get(name_key),
            }
    return out


def _name_next_to(values: dict[str, str], code: str) -> str | None:
    """Gebieden tables pair Code_n with Naam_(n+1): the name of the jeugdregio is the topic right after its code."""
    for key, value in values.items():
        if value == code and "_" in key:
            number = int(key.rsplit("_", 1)[1])
            return next((k for k in values if k.endswith(f"_{number + 1}")), None)
    return None


def _aanbieders(conn: Connection, names: dict[str, str]) -> list[dict]:
    """Every aanbieder that sent iJw messages, with its name from the region's aanbieders table (NULL if not
    there: the messages carry AGB codes only)."""
    parts = [
        select(t.c.aanbieder_agb, t.c.dagtekening)
        for t in (stg_jw301_toewijzing, stg_jw305_start, stg_jw307_stop, stg_jw315_verzoek, stg_jw323_prestatie)
    ]
    sub = union_all(*parts).subquery()
    rows = conn.execute(
        select(sub.c.aanbieder_agb, func.min(sub.c.dagtekening), func.max(sub.c.dagtekening)).group_by(
            sub.c.aanbieder_agb
        )
    ).all()
    return [
        {"aanbieder_agb": a, "naam": names.get(a), "eerste_bericht": lo, "laatste_bericht": hi} for a, lo, hi in rows
    ]


def fill_periode(conn: Connection, first: date, last: date) -> None:
    conn.execute(delete(dim_periode))
    conn.execute(
        insert(dim_periode),
        [
            {
                "maand": m,
                "maand_eind": month_end(m),
                "jaar": m.year,
                "kwartaal": (m.month - 1) // 3 + 1,
                "halfjaar": 1 if m.month <= 6 else 2,
                "cbs_maand": f"{m.year}MM{m.month:02d}",
                "cbs_kwartaal": f"{m.year}KW0{(m.month - 1) // 3 + 1}",
                "cbs_halfjaar": f"{m.year}HJ0{1 if m.month <= 6 else 2}",
                "cbs_jaar": f"{m.year}JJ00",
            }
            for m in months(first, last)
        ],
    )
