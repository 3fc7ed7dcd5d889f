"""Every figure of the report, read from the reader-facing layer only: the mart_ and dim_ tables (never stg_,
fact_ or meta_). One function per figure, each returning a DataFrame, so that reading the labelled reader views
instead is a change in this module alone.

The connection is the caller's: on PostgreSQL it acts as a gemeente reader (jeugdmonitor/report/reader.py), so
row-level security decides which rows exist; the WHERE on gemeentecode is what a page asks for, not the guard.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Table, func, select

from jeugdmonitor.schemas import marts as m


def gemeenten(conn: Connection, codes: list[str]) -> pd.DataFrame:
    """The gemeenten to report on, with their names (dim_gemeente), in the order given."""
    rows = pd.read_sql(select(m.dim_gemeente.c.gemeentecode, m.dim_gemeente.c.naam), conn)
    names = dict(zip(rows["gemeentecode"], rows["naam"], strict=True))
    return pd.DataFrame({"gemeentecode": codes, "naam": [names.get(c, c) for c in codes]})


def jeugdhulpgebruik(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_jeugdhulpgebruik, gemeente, "periode")


def aanmeldingen(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _with_team_names(conn, _rows(conn, m.mart_aanmeldingen, gemeente, "maand", "team"))


def verwijspercentage(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _with_team_names(conn, _rows(conn, m.mart_verwijzingen_team, gemeente, "maand", "team"))


def verwijzingen(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_verwijzingen, gemeente, "maand", "verwijzer_type")


def doorlooptijd(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _with_team_names(conn, _rows(conn, m.mart_doorlooptijd, gemeente, "maand", "team"))


def doorlooptijd_aanbieder(conn: Connection, gemeente: str) -> pd.DataFrame:
    frame = _rows(conn, m.mart_doorlooptijd_aanbieder, gemeente, "maand", "aanbieder_agb")
    names = pd.read_sql(select(m.dim_aanbieder.c.aanbieder_agb, m.dim_aanbieder.c.naam), conn)
    frame = frame.merge(names.rename(columns={"naam": "aanbieder_naam"}), on="aanbieder_agb", how="left")
    frame["aanbieder_naam"] = frame["aanbieder_naam"].fillna(frame["aanbieder_agb"])
    return frame


def doorlooptijd_keten(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_doorlooptijd_keten, gemeente, "maand")


def ots(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_ots, gemeente, "periode", "bron")


def uithuisplaatsingen(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_uithuisplaatsingen, gemeente, "periode", "bron", "vorm")


def kosten(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_kosten, gemeente, "maand", "product_categorie")


def cbs_vergelijking(conn: Connection, gemeente: str) -> pd.DataFrame:
    return _rows(conn, m.mart_cbs_vergelijking, gemeente, "periode", "indicator")


def scorecard(conn: Connection, gemeente: str) -> pd.DataFrame:
    frame = _rows(conn, m.mart_aanbieder_scorecard, gemeente, "maand", "aanbieder_agb")
    names = pd.read_sql(select(m.dim_aanbieder.c.aanbieder_agb, m.dim_aanbieder.c.naam), conn)
    frame = frame.merge(names.rename(columns={"naam": "aanbieder_naam"}), on="aanbieder_agb", how="left")
    frame["aanbieder_naam"] = frame["aanbieder_naam"].fillna(frame["aanbieder_agb"])
    return frame


def bijgewerkt_op(conn: Connection, gemeente: str) -> pd.Timestamp | None:
    """When the gemeente's figures were last built (the newest bijgewerkt_op of its aanmeldingen and kosten)."""
    latest = [
        conn.execute(select(func.max(t.c.bijgewerkt_op)).where(t.c.gemeentecode == gemeente)).scalar()
        for t in (m.mart_aanmeldingen, m.mart_kosten, m.mart_jeugdhulpgebruik)
    ]
    found = [pd.Timestamp(v) for v in latest if v is not None]
    return max(found) if found else None


# The figures of a gemeente page, by name: what jeugdmonitor/report/build.py reads and transforms/report renders.
FIGURES = {
    "jeugdhulpgebruik": jeugdhulpgebruik,
    "aanmeldingen": aanmeldingen,
    "verwijspercentage": verwijspercentage,
    "verwijzingen": verwijzingen,
    "doorlooptijd": doorlooptijd,
    "doorlooptijd_aanbieder": doorlooptijd_aanbieder,
    "doorlooptijd_keten": doorlooptijd_keten,
    "ots": ots,
    "uithuisplaatsingen": uithuisplaatsingen,
    "kosten": kosten,
    "cbs_vergelijking": cbs_vergelijking,
    "scorecard": scorecard,
}


def figures(conn: Connection, gemeente: str) -> dict[str, pd.DataFrame]:
    return {name: read(conn, gemeente) for name, read in FIGURES.items()}


def _rows(conn: Connection, table: Table, gemeente: str, *order: str) -> pd.DataFrame:
    query = select(table).where(table.c.gemeentecode == gemeente).order_by(*(table.c[c] for c in order))
    return pd.read_sql(query, conn)


def _with_team_names(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    names = pd.read_sql(select(m.dim_team.c.team, m.dim_team.c.naam.label("team_naam")), conn)
    frame = frame.merge(names, on="team", how="left")
    frame["team_naam"] = frame["team_naam"].where(frame["team"] != m.TOTAAL, "hele gemeente")
    frame["team_naam"] = frame["team_naam"].fillna(frame["team"])
    return frame
