"""The reader layer: one labelled view per mart, `lees_<indicator>`, with one vocabulary across all of them.

The mart tables are a published contract (add columns, never rename or drop), so their names stay as they grew:
`periode_status` in two marts and `cbs_periode_status` elsewhere, counts called `aantal`, `gestart` or `lopend`.
The views are where readers get one name per concept (RENAMES, the one map), the labels of every code beside the
code (gemeente and team names, aanbieder name where known, the period in Dutch) and amounts in euros to the cent.

Why views with a prefix in the warehouse's own schema, not a schema `lezer`: a PostgreSQL cluster may hold several
warehouses, one per database or per schema (the tests make one per schema), and SQLite has no schemas. A prefix
works the same everywhere and lists the views next to the marts in a BI tool's navigator.

A view's SELECT is a function of its mart's columns (`view_sql`): every column of the mart, in the table's order,
under its reader name, each code followed by its label. Migration 0022 applies a frozen copy of these rules to
the columns each mart has at that moment (read from the database), so the columns a migration before it added flow
through without an edit here; a migration that adds mart columns later recreates the views (tests/test_readers.py
checks that the warehouse's views are exactly `view_sql` of its marts, SQLite and PostgreSQL).

On PostgreSQL the views are created WITH (security_invoker = true), PostgreSQL 15 or later: a view normally reads its
tables with its owner's rights, and the owner of the marts is not subject to row-level security, so a plain view
would show a reader every gemeente. With security_invoker the marts' policies apply to the reader.
"""

from __future__ import annotations

from collections.abc import Sequence

from jeugdmonitor.schemas.marts import MARTS, SCORECARD

PREFIX = "lees_"
# One name per concept: counts start with aantal_, a CBS figure has cbs_ in front of the local name, a rate is the
# count without aantal_ followed by _per_1000, a percentage ends in _pct, the CBS period status is
# cbs_periode_status. Mart column -> reader name, in every mart that has it; columns not listed keep their name.
RENAMES: dict[str, str] = {
    "periode_status": "cbs_periode_status",
    "aantal": "aantal_gestart",
    "gestart": "aantal_gestart",
    "lopend": "aantal_lopend",
    "wachtend_aantal": "aantal_wachtend",
    "wachtend_langer_dan_norm": "aantal_wachtend_langer_dan_norm",
    "nieuwe_toewijzingen": "aantal_nieuwe_toewijzingen",
    "verwijzer": "verwijzer_omschrijving",
    "afgesloten": "aantal_afgesloten",
    "doorverwezen_specialistisch": "aantal_doorverwezen_specialistisch",
    "verwijspercentage": "doorverwezen_pct",
    "jeugdigen_in_periode": "aantal_jeugdigen_in_periode",
    "jeugdigen_met_jeugdhulp": "aantal_jeugdigen_met_jeugdhulp",
    "cbs_jongeren_met_jeugdhulp": "cbs_aantal_jeugdigen_met_jeugdhulp",
    "cbs_jongeren_met_jeugdhulp_per_1000": "cbs_jeugdigen_met_jeugdhulp_per_1000",
    "lokaal": "aantal_lokaal",
    "cbs": "cbs_aantal",
    "bestanden": "aantal_bestanden",
    "bestanden_afgekeurd": "aantal_bestanden_afgekeurd",
    "regels_quarantaine": "aantal_regels_quarantaine",
    "actieve_toewijzingen": "aantal_actieve_toewijzingen",
    "declaraties": "aantal_declaraties",
    "declaraties_te_laat": "aantal_declaraties_te_laat",
    "ontbrekende_starts": "aantal_ontbrekende_starts",
    "ontbrekende_stops": "aantal_ontbrekende_stops",
}
# Amounts in euros: published to the cent as a decimal (NUMERIC(14, 2) on PostgreSQL), not as a float.
EUROS = frozenset(
    {
        "netto_bedrag",
        "kosten_per_jeugdige",
        "jaar_tot_nu",
        "budget_jaar",
        "budget_tot_nu",
        "prognose_lineair",
        "prognose_seizoen",
    }
)
MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
TOTAAL = "totaal"


def view_name(mart: str) -> str:
    """mart_aanmeldingen -> lees_aanmeldingen."""
    return PREFIX + mart.removeprefix("mart_")


def periode_label(code: str) -> str:
    """The Dutch label of a CBS period code as SQL: 2025MM01 'januari 2025', 2025KW01 '2025 K1', 2025HJ01
    '2025 H1', 2025JJ00 '2025'."""
    maand = " ".join(f"WHEN '{i:02d}' THEN '{naam}'" for i, naam in enumerate(MAANDEN, start=1))
    return (
        f"CASE SUBSTR({code}, 5, 2) "
        f"WHEN 'MM' THEN (CASE SUBSTR({code}, 7, 2) {maand} END) || ' ' || SUBSTR({code}, 1, 4) "
        f"WHEN 'KW' THEN SUBSTR({code}, 1, 4) || ' K' || SUBSTR({code}, 8, 1) "
        f"WHEN 'HJ' THEN SUBSTR({code}, 1, 4) || ' H' || SUBSTR({code}, 8, 1) "
        f"WHEN 'JJ' THEN SUBSTR({code}, 1, 4) END"
    )


def _labels(columns: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The label that follows each code column (code column -> 'expression AS name') and the joins they need."""
    labels: dict[str, str] = {}
    joins: list[str] = []
    if "gemeentecode" in columns:
        labels["gemeentecode"] = "g.naam AS gemeente_naam"
        joins.append("LEFT JOIN dim_gemeente g ON g.gemeentecode = m.gemeentecode")
    if "team" in columns:
        labels["team"] = (
            f"CASE WHEN m.team = '{TOTAAL}' THEN 'hele gemeente' ELSE COALESCE(t.naam, m.team) END AS team_naam"
        )
        joins.append("LEFT JOIN dim_team t ON t.team = m.team")
    if "aanbieder_agb" in columns:
        labels["aanbieder_agb"] = (
            f"CASE WHEN m.aanbieder_agb = '{TOTAAL}' THEN 'alle aanbieders' "
            "ELSE COALESCE(a.naam, m.aanbieder_agb) END AS aanbieder_naam"
        )
        joins.append("LEFT JOIN dim_aanbieder a ON a.aanbieder_agb = m.aanbieder_agb")
    if "product_categorie" in columns:
        labels["product_categorie"] = (
            f"CASE WHEN m.product_categorie = '{TOTAAL}' THEN 'alle categorieën' "
            "ELSE COALESCE(c.omschrijving, m.product_categorie) END AS product_categorie_omschrijving"
        )
        joins.append("LEFT JOIN dim_productcategorie c ON c.product_categorie = m.product_categorie")
    # The period: from the mart's CBS period code where it has one, else from the month's code in dim_periode.
    if "periode" in columns:
        labels["periode"] = f"{periode_label('m.periode')} AS periode_label"
    elif "maand" in columns:
        labels["maand"] = f"{periode_label('p.cbs_maand')} AS periode_label"
        joins.append("LEFT JOIN dim_periode p ON p.maand = m.maand")
    return labels, joins


def _column(name: str) -> str:
    reader = RENAMES.get(name, name)
    if name in EUROS:
        return f"CAST(ROUND(CAST(m.{name} AS NUMERIC), 2) AS NUMERIC(14, 2)) AS {reader}"
    return f"m.{name}" if reader == name else f"m.{name} AS {reader}"


def view_sql(mart: str, columns: Sequence[str]) -> str:
    """The SELECT of the reader view of `mart`, which has `columns` (in the table's order)."""
    labels, joins = _labels(columns)
    selected: list[str] = []
    for name in columns:
        selected.append(_column(name))
        if name in labels:
            selected.append(labels[name])
    lines = ["SELECT " + ",\n       ".join(selected), f"FROM {mart} m", *joins]
    return "\n".join(lines) + "\n"


def create_view(mart: str, columns: Sequence[str], dialect: str) -> str:
    """The CREATE VIEW statement of the reader view of `mart`; on PostgreSQL with the reader's rights."""
    option = " WITH (security_invoker = true)" if dialect == "postgresql" else ""
    return f"CREATE VIEW {view_name(mart)}{option} AS\n{view_sql(mart, columns)}"


def reader_names(mart: str, columns: Sequence[str]) -> list[str]:
    """The view's column names, in its order."""
    labels, _ = _labels(columns)
    names: list[str] = []
    for name in columns:
        names.append(RENAMES.get(name, name))
        if name in labels:
            names.append(labels[name].rsplit(" AS ", 1)[1])
    return names


# Every mart a reader reads: its reader view by name (monitor_lezer reads every mart, docs/access.md).
READER_MARTS = [table.name for table in (*MARTS, SCORECARD)]
VIEWS: dict[str, str] = {view_name(mart): mart for mart in READER_MARTS}
