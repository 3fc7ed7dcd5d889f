"""Reading the facts of a chunk of gemeenten from the fact_ views into the transforms' Inputs."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import (
    Connection,
    bindparam,
    select,
    text,
)

from jeugdmonitor.schemas.warehouse import (
    meta_cbs_table,
    stg_cbs_categorie,
    stg_cbs_waarneming,
)
from jeugdmonitor.transforms.marts.inputs import (
    AANMELDING_COLUMNS,
    CBS_COLUMNS,
    DECLARATIE_COLUMNS,
    LEVERING_COLUMNS,
    TOEWIJZING_COLUMNS,
    ZORGPERIODE_COLUMNS,
    Inputs,
    frame,
)

READ_CHUNK = 25  # gemeenten read with one query per fact view: the views are evaluated once per query


def read_inputs_many(conn: Connection, gemeenten: list[str], teams: dict[str, list[str]]) -> dict[str, Inputs]:
    """Inputs for several gemeenten at once: one query per fact view (SQLite evaluates a windowed view over the
    whole table whatever the filter, so per-gemeente queries would repeat that work), split here."""
    params = {"g": list(gemeenten)}
    where = "WHERE gemeentecode IN :g"
    frames = {
        "aanmeldingen": _read(
            conn, f"SELECT {', '.join(AANMELDING_COLUMNS)} FROM fact_jgt_aanmelding {where}", params, AANMELDING_COLUMNS
        ),
        "toewijzingen": _read(
            conn,
            "SELECT t.*, p.klasse FROM fact_toewijzing t LEFT JOIN dim_product p "
            f"ON p.product_code = t.product_code {where.replace('WHERE ', 'WHERE t.')}",
            params,
            TOEWIJZING_COLUMNS,
        ),
        "zorgperiodes": _read(
            conn,
            "SELECT z.*, p.klasse FROM fact_zorgperiode z LEFT JOIN dim_product p "
            f"ON p.product_code = z.product_code {where.replace('WHERE ', 'WHERE z.')}",
            params,
            [c for c in ZORGPERIODE_COLUMNS if c != "juridische_status"],
        ),
        "declaraties": _read(conn, f"SELECT * FROM fact_declaratieregel {where}", params, DECLARATIE_COLUMNS),
        "leveringen": _read(
            conn,
            f"SELECT DISTINCT gemeentecode, team, export_maand AS maand FROM stg_jgt_registratie {where}",
            params,
            ["gemeentecode", *LEVERING_COLUMNS],
        ),
    }
    # The juridische status of a zorgperiode is that of its toewijzing: joined here, not in SQL, where the join
    # with the windowed fact_toewijzing view cost seconds per gemeente.
    status = frames["toewijzingen"][["gemeentecode", "toewijzing_nummer", "juridische_status"]].drop_duplicates(
        ["gemeentecode", "toewijzing_nummer"]
    )
    frames["zorgperiodes"] = frames["zorgperiodes"].merge(status, on=["gemeentecode", "toewijzing_nummer"], how="left")[
        ZORGPERIODE_COLUMNS
    ]
    cbs = read_cbs(conn, gemeenten)
    out = {}
    for gemeente in gemeenten:
        parts = {name: f[f["gemeentecode"] == gemeente].reset_index(drop=True) for name, f in frames.items()}
        parts["leveringen"] = parts["leveringen"][LEVERING_COLUMNS]
        mine = cbs[cbs["gemeentecode"] == gemeente].drop(columns="gemeentecode").reset_index(drop=True)
        out[gemeente] = Inputs(gemeentecode=gemeente, teams=sorted(teams.get(gemeente, [])), cbs=mine, **parts)
    return out


def _read(conn: Connection, sql: str, params: dict, columns: list[str]) -> pd.DataFrame:
    result = conn.execute(text(sql).bindparams(bindparam("g", expanding=True)), params)
    # tuples into a frame, then the wanted columns: a dict per row cost seconds per region
    raw = pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))
    return frame(raw.reindex(columns=columns), columns)


def read_cbs(conn: Connection, gemeenten: list[str]) -> pd.DataFrame:
    """The gemeenten's CBS cells with their purpose and, per dimension, the category Title (a column each)."""
    w, t = stg_cbs_waarneming, meta_cbs_table
    rows = (
        conn.execute(
            select(
                w.c.gemeentecode,
                t.c.purpose,
                w.c.table_id,
                w.c.measure,
                w.c.periode,
                w.c.dimensions,
                w.c.value,
                w.c.period_status,
            )
            .join(t, t.c.table_id == w.c.table_id)
            .where(w.c.gemeentecode.in_(gemeenten))
        )
        .mappings()
        .all()
    )
    titles = {(r.table_id, r.dimension, r.code): r.title for r in conn.execute(select(stg_cbs_categorie)).mappings()}
    records = []
    for r in rows:
        record = {
            c: r[c] for c in ("gemeentecode", "purpose", "table_id", "measure", "periode", "value", "period_status")
        }
        for pair in filter(None, r["dimensions"].split(";")):
            dimension, code = pair.split("=", 1)
            record[dimension] = titles.get((r["table_id"], dimension, code), code)
        records.append(record)
    out = pd.DataFrame(records)
    return out if not out.empty else frame(None, ["gemeentecode", *CBS_COLUMNS])
