"""staging for JW301, JW305, JW307 and JW315

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stg_jw301_toewijzing",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="line of the record's start tag in the source file"),
        sa.Column("bericht_identificatie", sa.String(length=12), nullable=False),
        sa.Column("dagtekening", sa.Date(), nullable=False),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + the 4 digits of the message"),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column(
            "geboortejaar",
            sa.Integer(),
            nullable=True,
            comment="year only; the full birth date is dropped at parse time",
        ),
        sa.Column("juridische_status", sa.String(length=2), nullable=True, comment="WJ232; 04 = OTS"),
        sa.Column("wettelijke_vertegenwoordiging", sa.String(length=2), nullable=True, comment="WJ003; 06 = voogdij"),
        sa.Column("toewijzing_nummer", sa.BigInteger(), nullable=False),
        sa.Column(
            "referentie_aanbieder",
            sa.String(length=36),
            nullable=True,
            comment="echoes the JW315 that asked for it, if any",
        ),
        sa.Column("product_categorie", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("toewijzingsdatum", sa.Date(), nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("reden_wijziging", sa.String(length=2), nullable=True, comment="JZ002"),
        sa.Column("omvang_volume", sa.BigInteger(), nullable=True),
        sa.Column("omvang_eenheid", sa.String(length=2), nullable=True),
        sa.Column("omvang_frequentie", sa.String(length=1), nullable=True),
        sa.Column("budget", sa.BigInteger(), nullable=True, comment="eurocents"),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jw301_toewijzing_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jw301_toewijzing")),
        comment="JW301 toewijzingen (one row per ToegewezenProduct), as delivered: each message is a snapshot of all current toewijzingen of one client at one aanbieder.",
    )
    with op.batch_alter_table("stg_jw301_toewijzing", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw301_toewijzing_file_id", ["file_id"], unique=False)

    op.create_table(
        "stg_jw305_start",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="line of the record's start tag in the source file"),
        sa.Column("bericht_identificatie", sa.String(length=12), nullable=False),
        sa.Column("dagtekening", sa.Date(), nullable=False),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + the 4 digits of the message"),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column("geboortejaar", sa.Integer(), nullable=True),
        sa.Column("toewijzing_nummer", sa.BigInteger(), nullable=True, comment="empty only in the taakgericht variant"),
        sa.Column("product_categorie", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("toewijzing_ingangsdatum", sa.Date(), nullable=True),
        sa.Column("begindatum", sa.Date(), nullable=False),
        sa.Column(
            "status_aanlevering", sa.String(length=1), nullable=False, comment="1 = eerste aanlevering, 3 = verwijderen"
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jw305_start_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jw305_start")),
        comment="JW305 start zorg (one row per StartProduct), as delivered; StatusAanlevering 3 deletes an earlier start.",
    )
    with op.batch_alter_table("stg_jw305_start", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw305_start_file_id", ["file_id"], unique=False)

    op.create_table(
        "stg_jw307_stop",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="line of the record's start tag in the source file"),
        sa.Column("bericht_identificatie", sa.String(length=12), nullable=False),
        sa.Column("dagtekening", sa.Date(), nullable=False),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + the 4 digits of the message"),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column("geboortejaar", sa.Integer(), nullable=True),
        sa.Column("toewijzing_nummer", sa.BigInteger(), nullable=True),
        sa.Column("product_categorie", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("toewijzing_ingangsdatum", sa.Date(), nullable=True),
        sa.Column("begindatum", sa.Date(), nullable=False),
        sa.Column("reden_beeindiging", sa.String(length=2), nullable=False, comment="JZ588"),
        sa.Column("einddatum", sa.Date(), nullable=False),
        sa.Column("status_aanlevering", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jw307_stop_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jw307_stop")),
        comment="JW307 stop zorg (one row per StopProduct), as delivered; RedenBeeindiging 20 is a temporary stop.",
    )
    with op.batch_alter_table("stg_jw307_stop", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw307_stop_file_id", ["file_id"], unique=False)

    op.create_table(
        "stg_jw315_verzoek",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="line of the record's start tag in the source file"),
        sa.Column("bericht_identificatie", sa.String(length=12), nullable=False),
        sa.Column("dagtekening", sa.Date(), nullable=False),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + the 4 digits of the message"),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column("geboortejaar", sa.Integer(), nullable=True),
        sa.Column("referentie_aanbieder", sa.String(length=36), nullable=False),
        sa.Column("product_categorie", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("toewijzing_ingangsdatum", sa.Date(), nullable=False),
        sa.Column("toewijzing_einddatum", sa.Date(), nullable=True),
        sa.Column("omvang_volume", sa.BigInteger(), nullable=True),
        sa.Column("omvang_eenheid", sa.String(length=2), nullable=True),
        sa.Column("omvang_frequentie", sa.String(length=1), nullable=True),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column(
            "verwijzer_type",
            sa.String(length=2),
            nullable=False,
            comment="COD327: 01 gemeente, 02 huisarts, ... 08 rechter",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jw315_verzoek_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jw315_verzoek")),
        comment="JW315 verzoek om toewijzing (one row per AangevraagdProduct): where the verwijzer of a toewijzing comes from.",
    )
    with op.batch_alter_table("stg_jw315_verzoek", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw315_verzoek_file_id", ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stg_jw315_verzoek", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw315_verzoek_file_id")

    op.drop_table("stg_jw315_verzoek")
    with op.batch_alter_table("stg_jw307_stop", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw307_stop_file_id")

    op.drop_table("stg_jw307_stop")
    with op.batch_alter_table("stg_jw305_start", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw305_start_file_id")

    op.drop_table("stg_jw305_start")
    with op.batch_alter_table("stg_jw301_toewijzing", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw301_toewijzing_file_id")

    op.drop_table("stg_jw301_toewijzing")
