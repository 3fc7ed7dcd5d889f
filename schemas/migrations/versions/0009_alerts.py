"""Alert history and deliveries, and the provider scorecard mart (readable by monitor_lezer with row-level security)

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCORECARD = "mart_aanbieder_scorecard"
READER = "monitor_lezer"


def upgrade() -> None:
    op.create_table(
        "meta_alert_history",
        sa.Column("ontvanger", sa.String(length=128), nullable=False, comment="alerts.ontvangers naam"),
        sa.Column("kanaal", sa.String(length=8), nullable=False, comment="email, teams or slack"),
        sa.Column(
            "alert_key",
            sa.String(length=200),
            nullable=False,
            comment="rule:subject, e.g. aanbieder_stil:GM0546:75100012",
        ),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False, comment="fail, warn or info"),
        sa.Column(
            "gemeentecode", sa.String(length=6), nullable=True, comment="null for delivery problems without a gemeente"
        ),
        sa.Column(
            "fingerprint",
            sa.String(length=16),
            nullable=False,
            comment="hash of what the alert said: a changed figure differs",
        ),
        sa.Column(
            "status",
            sa.String(length=12),
            nullable=False,
            comment="open, opgelost, or gebeurtenis (an event: never resolved)",
        ),
        sa.Column("wat", sa.Text(), nullable=False, comment="the Dutch sentence last sent, repeated in the resolution"),
        sa.Column("eerst_gemeld_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("laatst_gemeld_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opgelost_op", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "load_run_id", sa.String(length=36), nullable=False, comment="the run that last sent it (or its resolution)"
        ),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_alert_history_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("ontvanger", "kanaal", "alert_key", name=op.f("pk_meta_alert_history")),
        comment="What each recipient was told per alert, per channel: the same alert is not sent again until it changes or is resolved.",
    )
    op.create_table(
        "meta_alert_delivery",
        sa.Column(
            "delivery_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("load_run_id", sa.String(length=36), nullable=False),
        sa.Column("ontvanger", sa.String(length=128), nullable=False),
        sa.Column("kanaal", sa.String(length=8), nullable=False, comment="email, teams or slack"),
        sa.Column(
            "doel", sa.Text(), nullable=False, comment="e-mail address, or the webhook's host (its path is a secret)"
        ),
        sa.Column("status", sa.String(length=8), nullable=False, comment="sent or failed"),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("meldingen", sa.Integer(), nullable=False, comment="new or changed alerts in the digest"),
        sa.Column("opgelost", sa.Integer(), nullable=False, comment="resolutions in the digest"),
        sa.Column("fout", sa.Text(), nullable=True, comment="the last error when failed"),
        sa.Column("verzonden_op", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_alert_delivery_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_meta_alert_delivery")),
        comment="Every digest delivery attempt per run, recipient and channel, with the error when it failed.",
    )
    op.create_index("ix_meta_alert_delivery_load_run_id", "meta_alert_delivery", ["load_run_id"], unique=False)
    op.create_table(
        SCORECARD,
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("maand", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column(
            "bestanden",
            sa.Integer(),
            nullable=True,
            comment="iJw files delivered in the month (Dagtekening; a rejected file: the day it was loaded)",
        ),
        sa.Column("bestanden_afgekeurd", sa.Integer(), nullable=True, comment="of those, rejected whole"),
        sa.Column("regels_quarantaine", sa.Integer(), nullable=True, comment="lines of those files in quarantine"),
        sa.Column(
            "quarantaine_redenen",
            sa.Text(),
            nullable=True,
            comment="those lines by reason_code: 'bsn_invalid=2; date_invalid=1'",
        ),
        sa.Column(
            "actieve_toewijzingen", sa.Integer(), nullable=True, comment="current toewijzingen active in the month"
        ),
        sa.Column(
            "declaraties", sa.Integer(), nullable=True, comment="declaraties (JW323) with a ProductPeriode in the month"
        ),
        sa.Column(
            "declaraties_te_laat",
            sa.Integer(),
            nullable=True,
            comment="of those, sent after day alerts.declaratie_dag of the next month",
        ),
        sa.Column(
            "niet_gedeclareerd",
            sa.Boolean(),
            nullable=False,
            comment="active toewijzingen, no declaratie, and the deadline has passed",
        ),
        sa.Column(
            "ontbrekende_starts",
            sa.Integer(),
            nullable=True,
            comment="active toewijzingen without a JW305 start more than the norm after Ingangsdatum",
        ),
        sa.Column(
            "ontbrekende_stops",
            sa.Integer(),
            nullable=True,
            comment="open starts whose toewijzing ended before the month (no JW307 stop)",
        ),
        sa.Column(
            "onderdrukt",
            sa.Boolean(),
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        sa.Column("bron", sa.String(length=4), nullable=False, comment="jgt, ijw or cbs"),
        sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeentecode", "aanbieder_agb", "maand", name=op.f("pk_mart_aanbieder_scorecard")),
        comment="Data quality per gemeente, aanbieder and month: deliveries, rejected files, quarantined lines, late or missing declarations, missing JW305 starts and JW307 stops. Built by the alerts step (jeugdmonitor/alerts).",
    )
    op.create_index("ix_mart_aanbieder_scorecard_gemeente_maand", SCORECARD, ["gemeentecode", "maand"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # The same access as every mart (0008): monitor_lezer reads it, a gemeente-bound role its own rows only.
        op.execute(f"GRANT SELECT ON {SCORECARD} TO {READER}")
        op.execute(f"ALTER TABLE {SCORECARD} ENABLE ROW LEVEL SECURITY")
        op.execute(f"""CREATE POLICY gemeente_lezer ON {SCORECARD} FOR SELECT USING (
            monitor_lezer_gemeenten(current_user) IS NULL
            OR gemeentecode = ANY (monitor_lezer_gemeenten(current_user)))""")


def downgrade() -> None:
    op.drop_index("ix_mart_aanbieder_scorecard_gemeente_maand", table_name=SCORECARD)
    op.drop_table(SCORECARD)
    op.drop_index("ix_meta_alert_delivery_load_run_id", table_name="meta_alert_delivery")
    op.drop_table("meta_alert_delivery")
    op.drop_table("meta_alert_history")
