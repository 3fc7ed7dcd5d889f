"""Dimensions and indicator marts

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dim_aanbieder",
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("eerste_bericht", sa.Date(), nullable=True, comment="Dagtekening of its first iJw message"),
        sa.Column("laatste_bericht", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("aanbieder_agb", name=op.f("pk_dim_aanbieder")),
        comment="Providers (AGB code) that sent iJw messages; names are not in the messages.",
    )
    op.create_table(
        "dim_gemeente",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + 4 digits"),
        sa.Column("naam", sa.Text(), nullable=False),
        sa.Column(
            "jeugdregio_code",
            sa.String(length=4),
            nullable=True,
            comment="JZ + 2 digits, from CBS Gebieden in Nederland or the config",
        ),
        sa.Column("jeugdregio_naam", sa.Text(), nullable=True),
        sa.Column("actueel", sa.Boolean(), nullable=False, comment="false for a gemeente that a herindeling dissolved"),
        sa.Column(
            "opgegaan_in", sa.String(length=6), nullable=True, comment="the gemeente it merged into (herindeling)"
        ),
        sa.Column("opgeheven_per", sa.Date(), nullable=True, comment="date of that herindeling"),
        sa.PrimaryKeyConstraint("gemeentecode", name=op.f("pk_dim_gemeente")),
        comment="The gemeenten of the region, today's and those dissolved by herindelingen, with their jeugdregio.",
    )
    op.create_table(
        "dim_periode",
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("maand_eind", sa.Date(), nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("kwartaal", sa.Integer(), nullable=False),
        sa.Column("halfjaar", sa.Integer(), nullable=False),
        sa.Column("cbs_maand", sa.String(length=8), nullable=False, comment="2025MM01"),
        sa.Column("cbs_kwartaal", sa.String(length=8), nullable=False, comment="2025KW01"),
        sa.Column("cbs_halfjaar", sa.String(length=8), nullable=False, comment="2025HJ01"),
        sa.Column("cbs_jaar", sa.String(length=8), nullable=False, comment="2025JJ00"),
        sa.PrimaryKeyConstraint("maand", name=op.f("pk_dim_periode")),
        comment="Every month the marts cover, with its quarter, half-year and year as CBS period codes.",
    )
    op.create_table(
        "dim_product",
        sa.Column("product_code", sa.String(length=5), nullable=False),
        sa.Column("product_categorie", sa.String(length=2), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=True),
        sa.Column(
            "klasse",
            sa.String(length=24),
            nullable=False,
            comment="zonder_verblijf, pleegzorg, gezinsgericht, gesloten, overig_verblijf, ots, voogdij, jeugdreclassering",
        ),
        sa.Column(
            "vorm", sa.String(length=2), nullable=True, comment="CBS hulpvorm (01-04 zonder verblijf, 11-14 verblijf)"
        ),
        sa.Column(
            "maatregel",
            sa.String(length=2),
            nullable=True,
            comment="CBS type maatregel (11 OTS, 21 voogdij, 41/50 jeugdreclassering)",
        ),
        sa.PrimaryKeyConstraint("product_code", name=op.f("pk_dim_product")),
        comment="Productcodes with the vorm van hulp the marts count them as (ijw.productcodes, configurable).",
    )
    op.create_table(
        "dim_team",
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("naam", sa.Text(), nullable=False),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("team", name=op.f("pk_dim_team")),
        comment="The Jeugd- en Gezinsteams of the region (schemas/jgt_region.toml).",
    )
    op.create_table(
        "dim_verwijzer",
        sa.Column("verwijzer_type", sa.String(length=2), nullable=False, comment="COD327"),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("verwijzer_type", name=op.f("pk_dim_verwijzer")),
        comment="Verwijzer types of iJw (COD327).",
    )
    op.create_table(
        "mart_aanmeldingen",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column(
            "aantal_aanmeldingen",
            sa.Integer(),
            nullable=True,
            comment="registrations with aanmelddatum in the month; a youth registered again at the same team within 30 days counts once",
        ),
        sa.Column("aantal_jeugdigen", sa.Integer(), nullable=True, comment="distinct youths among them"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "team", "maand", name=op.f("pk_mart_aanmeldingen")),
        comment="JGT aanmeldingen per gemeente, team and month (team 'totaal': the gemeente).",
    )
    with op.batch_alter_table("mart_aanmeldingen", schema=None) as batch_op:
        batch_op.create_index("ix_mart_aanmeldingen_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_aanmeldingen_uitsplitsing",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("kenmerk", sa.String(length=16), nullable=False, comment="bron_aanmelding or hulpvraag"),
        sa.Column(
            "categorie",
            sa.String(length=32),
            nullable=False,
            comment="the value; 'totaal' for all; 'onbekend' if empty",
        ),
        sa.Column("aantal_aanmeldingen", sa.Integer(), nullable=True, comment="as in mart_aanmeldingen"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "gemeentecode", "team", "maand", "kenmerk", "categorie", name=op.f("pk_mart_aanmeldingen_uitsplitsing")
        ),
        comment="JGT aanmeldingen per gemeente, team and month by bron_aanmelding and by hulpvraag.",
    )
    with op.batch_alter_table("mart_aanmeldingen_uitsplitsing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mart_aanmeldingen_uitsplitsing_gemeente_maand", ["gemeentecode", "maand"], unique=False
        )

    op.create_table(
        "mart_cbs_vergelijking",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("periode", sa.String(length=8), nullable=False, comment="CBS code: 2025MM01, 2025HJ01, 2025JJ00"),
        sa.Column("periode_type", sa.String(length=8), nullable=False, comment="maand, halfjaar or jaar"),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_eind", sa.Date(), nullable=False),
        sa.Column(
            "indicator",
            sa.String(length=32),
            nullable=False,
            comment="jeugdhulp, jeugdhulp_met_verblijf, pleegzorg, ots, voogdij",
        ),
        sa.Column("lokaal", sa.Integer(), nullable=True, comment="distinct youths in the period, from iJw"),
        sa.Column("cbs", sa.Integer(), nullable=True, comment="CBS jongeren met jeugdzorg for the matching category"),
        sa.Column("verschil", sa.Float(), nullable=True, comment="lokaal - cbs"),
        sa.Column("verschil_pct", sa.Float(), nullable=True, comment="(lokaal - cbs) / cbs, in %"),
        sa.Column("cbs_periode_status", sa.String(length=16), nullable=True),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "periode", "indicator", name=op.f("pk_mart_cbs_vergelijking")),
        comment="Local figures against CBS for the same gemeente and half-year or year: the basis of the reconciliation alert.",
    )
    with op.batch_alter_table("mart_cbs_vergelijking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mart_cbs_vergelijking_gemeente_periode_eind", ["gemeentecode", "periode_eind"], unique=False
        )

    op.create_table(
        "mart_doorlooptijd",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("aantal", sa.Integer(), nullable=True, comment="aanmeldingen whose hulp started in the month"),
        sa.Column(
            "mediaan_dagen", sa.Float(), nullable=True, comment="median calendar days from aanmelddatum to start hulp"
        ),
        sa.Column("p80_dagen", sa.Float(), nullable=True, comment="80th percentile of those days"),
        sa.Column("binnen_norm_pct", sa.Float(), nullable=True, comment="share started within the norm, in %"),
        sa.Column(
            "norm_dagen",
            sa.Integer(),
            nullable=False,
            comment="the norm in force (config marts.doorlooptijd_norm_dagen)",
        ),
        sa.Column(
            "wachtend_aantal",
            sa.Integer(),
            nullable=True,
            comment="aanmeldingen without start hulp, not closed, on the last day of the month",
        ),
        sa.Column(
            "wachtend_langer_dan_norm", sa.Integer(), nullable=True, comment="of those, waiting longer than the norm"
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "team", "maand", name=op.f("pk_mart_doorlooptijd")),
        comment="Doorlooptijd aanmelding -> start hulp per gemeente, team and month of start hulp (JGT), and the queue.",
    )
    with op.batch_alter_table("mart_doorlooptijd", schema=None) as batch_op:
        batch_op.create_index("ix_mart_doorlooptijd_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_doorlooptijd_aanbieder",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column(
            "aantal", sa.Integer(), nullable=True, comment="toewijzingen whose first start zorg fell in the month"
        ),
        sa.Column("mediaan_dagen", sa.Float(), nullable=True, comment="median days from Ingangsdatum to Begindatum"),
        sa.Column("p80_dagen", sa.Float(), nullable=True, comment="80th percentile"),
        sa.Column("binnen_norm_pct", sa.Float(), nullable=True, comment="share within the norm, in %"),
        sa.Column(
            "norm_dagen",
            sa.Integer(),
            nullable=False,
            comment="the norm in force (config marts.doorlooptijd_norm_dagen)",
        ),
        sa.Column(
            "wachtend_aantal",
            sa.Integer(),
            nullable=True,
            comment="current toewijzingen without a start on the last day of the month",
        ),
        sa.Column(
            "wachtend_langer_dan_norm",
            sa.Integer(),
            nullable=True,
            comment="of those, with Ingangsdatum more than the norm before that day",
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "aanbieder_agb", "maand", name=op.f("pk_mart_doorlooptijd_aanbieder")),
        comment="Days from toewijzing (JW301 Ingangsdatum) to start zorg (JW305 Begindatum) per gemeente, aanbieder and month of start, and open toewijzingen without a start after the norm.",
    )
    with op.batch_alter_table("mart_doorlooptijd_aanbieder", schema=None) as batch_op:
        batch_op.create_index("ix_mart_doorlooptijd_aanbieder_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_doorlooptijd_keten",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("aantal", sa.Integer(), nullable=True, comment="chains whose start zorg fell in the month"),
        sa.Column(
            "mediaan_dagen_aanmelding_toewijzing",
            sa.Float(),
            nullable=True,
            comment="median days aanmelddatum -> Toewijzingsdatum",
        ),
        sa.Column(
            "mediaan_dagen_toewijzing_start",
            sa.Float(),
            nullable=True,
            comment="median days Toewijzingsdatum -> Begindatum",
        ),
        sa.Column("mediaan_dagen_totaal", sa.Float(), nullable=True, comment="median days aanmelddatum -> Begindatum"),
        sa.Column("p80_dagen_totaal", sa.Float(), nullable=True, comment="80th percentile of the total"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "maand", name=op.f("pk_mart_doorlooptijd_keten")),
        comment="The whole chain per youth (linked by pseudonym): JGT aanmelding -> toewijzing -> start zorg, per gemeente and month of start zorg.",
    )
    with op.batch_alter_table("mart_doorlooptijd_keten", schema=None) as batch_op:
        batch_op.create_index("ix_mart_doorlooptijd_keten_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_jeugdhulpgebruik",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("periode", sa.String(length=8), nullable=False, comment="CBS code: 2025MM01, 2025HJ01, 2025JJ00"),
        sa.Column("periode_type", sa.String(length=8), nullable=False, comment="maand, halfjaar or jaar"),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_eind", sa.Date(), nullable=False),
        sa.Column(
            "jeugdigen_met_jeugdhulp",
            sa.Integer(),
            nullable=True,
            comment="local: distinct youths with a jeugdhulp zorgperiode (not JB/JR) in the period",
        ),
        sa.Column(
            "cbs_jongeren_met_jeugdhulp", sa.Integer(), nullable=True, comment="CBS 85099NED 'JH 1 Totaal jeugdhulp'"
        ),
        sa.Column("cbs_periode_status", sa.String(length=16), nullable=True),
        sa.Column(
            "bevolking_0_17",
            sa.Integer(),
            nullable=True,
            comment="CBS 03759ned: 0 tot 18 jaar on 1 January of the year",
        ),
        sa.Column("aandeel_pct", sa.Float(), nullable=True, comment="jeugdigen_met_jeugdhulp / bevolking_0_17, in %"),
        sa.Column("een_op_n", sa.Float(), nullable=True, comment="bevolking_0_17 / jeugdigen_met_jeugdhulp: '1 op N'"),
        sa.Column(
            "cbs_aandeel_pct", sa.Float(), nullable=True, comment="cbs_jongeren_met_jeugdhulp / bevolking_0_17, in %"
        ),
        sa.Column(
            "cbs_een_op_n",
            sa.Float(),
            nullable=True,
            comment="bevolking_0_17 / cbs_jongeren_met_jeugdhulp: CBS counts PGB and all providers too",
        ),
        sa.Column("doel_een_op_n", sa.Float(), nullable=True, comment="the target from config (marts.doel_een_op_n)"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "periode", name=op.f("pk_mart_jeugdhulpgebruik")),
        comment="Youths with jeugdhulp (local iJw and CBS) against the youth population (CBS 03759ned), per gemeente and half-year or year: the '1 op N'.",
    )
    with op.batch_alter_table("mart_jeugdhulpgebruik", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mart_jeugdhulpgebruik_gemeente_periode_eind", ["gemeentecode", "periode_eind"], unique=False
        )

    op.create_table(
        "mart_kosten",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("product_categorie", sa.String(length=8), nullable=False),
        sa.Column(
            "netto_bedrag",
            sa.Float(),
            nullable=True,
            comment="debet minus credit, euros, by month of the ProductPeriode",
        ),
        sa.Column("aantal_jeugdigen", sa.Integer(), nullable=True, comment="distinct youths declared for"),
        sa.Column("kosten_per_jeugdige", sa.Float(), nullable=True, comment="netto_bedrag / aantal_jeugdigen, euros"),
        sa.Column(
            "jaar_tot_nu",
            sa.Float(),
            nullable=True,
            comment="netto_bedrag from January up to and including this month, euros",
        ),
        sa.Column(
            "budget_jaar",
            sa.Float(),
            nullable=True,
            comment="totaal rows: the year budget (config budget.<gemeente>), euros",
        ),
        sa.Column(
            "budget_tot_nu",
            sa.Float(),
            nullable=True,
            comment="totaal rows: the budget of the quarters up to this month, pro rata per month",
        ),
        sa.Column(
            "prognose_lineair", sa.Float(), nullable=True, comment="totaal rows: jaar_tot_nu / months elapsed x 12"
        ),
        sa.Column(
            "prognose_seizoen",
            sa.Float(),
            nullable=True,
            comment="totaal rows: jaar_tot_nu / the share of last year's total spent by this month",
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "maand", "product_categorie", name=op.f("pk_mart_kosten")),
        comment="Net declared amounts (JW323, credits netted) per gemeente, month and productcategorie ('totaal': all), with year to date, budget and projections on the totaal rows.",
    )
    with op.batch_alter_table("mart_kosten", schema=None) as batch_op:
        batch_op.create_index("ix_mart_kosten_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_ots",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("bron", sa.String(length=4), nullable=False),
        sa.Column("periode", sa.String(length=8), nullable=False, comment="CBS code: 2025MM01, 2025HJ01, 2025JJ00"),
        sa.Column("periode_type", sa.String(length=8), nullable=False, comment="maand, halfjaar or jaar"),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_eind", sa.Date(), nullable=False),
        sa.Column(
            "lopend",
            sa.Integer(),
            nullable=True,
            comment="local: distinct youths with an active OTS on the last day of the period",
        ),
        sa.Column(
            "jeugdigen_in_periode",
            sa.Integer(),
            nullable=True,
            comment="distinct youths with an OTS at any time in the period (CBS: JB 11)",
        ),
        sa.Column(
            "gestart",
            sa.Integer(),
            nullable=True,
            comment="local: OTS periods that began in the period; CBS: begonnen trajecten (82975NED)",
        ),
        sa.Column(
            "periode_status",
            sa.String(length=16),
            nullable=True,
            comment="CBS rows: Voorlopig, Nader voorlopig or Definitief",
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "bron", "periode", name=op.f("pk_mart_ots")),
        comment="Ondertoezichtstellingen per gemeente: local per month, half-year and year (iJw) and CBS per half-year and year.",
    )
    with op.batch_alter_table("mart_ots", schema=None) as batch_op:
        batch_op.create_index("ix_mart_ots_gemeente_periode_eind", ["gemeentecode", "periode_eind"], unique=False)

    op.create_table(
        "mart_uithuisplaatsingen",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("bron", sa.String(length=4), nullable=False),
        sa.Column("periode", sa.String(length=8), nullable=False, comment="CBS code: 2025MM01, 2025HJ01, 2025JJ00"),
        sa.Column("periode_type", sa.String(length=8), nullable=False, comment="maand, halfjaar or jaar"),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_eind", sa.Date(), nullable=False),
        sa.Column("vorm", sa.String(length=16), nullable=False),
        sa.Column(
            "lopend",
            sa.Integer(),
            nullable=True,
            comment="local: distinct youths in this vorm on the last day of the period",
        ),
        sa.Column(
            "jeugdigen_in_periode",
            sa.Integer(),
            nullable=True,
            comment="distinct youths in this vorm at any time in the period (CBS: JH 122x)",
        ),
        sa.Column("gestart", sa.Integer(), nullable=True, comment="local: verblijf periods that began in the period"),
        sa.Column("periode_status", sa.String(length=16), nullable=True, comment="CBS rows: the period status"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "bron", "periode", "vorm", name=op.f("pk_mart_uithuisplaatsingen")),
        comment="Jeugdhulp met verblijf per gemeente and vorm (pleegzorg, gezinsgericht, gesloten, overig_verblijf, totaal): local per month, half-year and year (iJw), CBS per half-year and year.",
    )
    with op.batch_alter_table("mart_uithuisplaatsingen", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mart_uithuisplaatsingen_gemeente_periode_eind", ["gemeentecode", "periode_eind"], unique=False
        )

    op.create_table(
        "mart_verwijzingen",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("verwijzer_type", sa.String(length=8), nullable=False),
        sa.Column("verwijzer", sa.Text(), nullable=False, comment="the description of verwijzer_type"),
        sa.Column(
            "nieuwe_toewijzingen",
            sa.Integer(),
            nullable=True,
            comment="toewijzingen whose first version has its Toewijzingsdatum in the month",
        ),
        sa.Column("aantal_jeugdigen", sa.Integer(), nullable=True, comment="distinct youths among them"),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "maand", "verwijzer_type", name=op.f("pk_mart_verwijzingen")),
        comment="New toewijzingen per gemeente, month and verwijzer (COD327, from the JW315 that preceded them; 'totaal': all verwijzers).",
    )
    with op.batch_alter_table("mart_verwijzingen", schema=None) as batch_op:
        batch_op.create_index("ix_mart_verwijzingen_gemeente_maand", ["gemeentecode", "maand"], unique=False)

    op.create_table(
        "mart_verwijzingen_team",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column("afgesloten", sa.Integer(), nullable=True, comment="registrations closed in the month"),
        sa.Column(
            "doorverwezen_specialistisch",
            sa.Integer(),
            nullable=True,
            comment="of those, with uitkomst doorverwezen_specialistisch",
        ),
        sa.Column(
            "verwijspercentage", sa.Float(), nullable=True, comment="doorverwezen_specialistisch / afgesloten, in %"
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "team", "maand", name=op.f("pk_mart_verwijzingen_team")),
        comment="Per gemeente, team and month: closed JGT registrations and those referred on to specialist care.",
    )
    with op.batch_alter_table("mart_verwijzingen_team", schema=None) as batch_op:
        batch_op.create_index("ix_mart_verwijzingen_team_gemeente_maand", ["gemeentecode", "maand"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mart_verwijzingen_team", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_verwijzingen_team_gemeente_maand")

    op.drop_table("mart_verwijzingen_team")
    with op.batch_alter_table("mart_verwijzingen", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_verwijzingen_gemeente_maand")

    op.drop_table("mart_verwijzingen")
    with op.batch_alter_table("mart_uithuisplaatsingen", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_uithuisplaatsingen_gemeente_periode_eind")

    op.drop_table("mart_uithuisplaatsingen")
    with op.batch_alter_table("mart_ots", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_ots_gemeente_periode_eind")

    op.drop_table("mart_ots")
    with op.batch_alter_table("mart_kosten", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_kosten_gemeente_maand")

    op.drop_table("mart_kosten")
    with op.batch_alter_table("mart_jeugdhulpgebruik", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_jeugdhulpgebruik_gemeente_periode_eind")

    op.drop_table("mart_jeugdhulpgebruik")
    with op.batch_alter_table("mart_doorlooptijd_keten", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_doorlooptijd_keten_gemeente_maand")

    op.drop_table("mart_doorlooptijd_keten")
    with op.batch_alter_table("mart_doorlooptijd_aanbieder", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_doorlooptijd_aanbieder_gemeente_maand")

    op.drop_table("mart_doorlooptijd_aanbieder")
    with op.batch_alter_table("mart_doorlooptijd", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_doorlooptijd_gemeente_maand")

    op.drop_table("mart_doorlooptijd")
    with op.batch_alter_table("mart_cbs_vergelijking", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_cbs_vergelijking_gemeente_periode_eind")

    op.drop_table("mart_cbs_vergelijking")
    with op.batch_alter_table("mart_aanmeldingen_uitsplitsing", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_aanmeldingen_uitsplitsing_gemeente_maand")

    op.drop_table("mart_aanmeldingen_uitsplitsing")
    with op.batch_alter_table("mart_aanmeldingen", schema=None) as batch_op:
        batch_op.drop_index("ix_mart_aanmeldingen_gemeente_maand")

    op.drop_table("mart_aanmeldingen")
    op.drop_table("dim_verwijzer")
    op.drop_table("dim_team")
    op.drop_table("dim_product")
    op.drop_table("dim_periode")
    op.drop_table("dim_gemeente")
    op.drop_table("dim_aanbieder")
