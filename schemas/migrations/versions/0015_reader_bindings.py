"""Row-level security on the marts that a reader cannot step around: no binding sees no rows, '*' binds a role to
every gemeente, and the policy follows the login's role memberships, not the role it switched to

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The marts of 0008 and 0009, frozen here: a later mart gets its grant and policy in its own migration.
MARTS = [
    "mart_aanmeldingen",
    "mart_aanmeldingen_uitsplitsing",
    "mart_doorlooptijd",
    "mart_doorlooptijd_aanbieder",
    "mart_doorlooptijd_keten",
    "mart_verwijzingen",
    "mart_verwijzingen_team",
    "mart_ots",
    "mart_uithuisplaatsingen",
    "mart_kosten",
    "mart_jeugdhulpgebruik",
    "mart_cbs_vergelijking",
    "mart_aanbieder_scorecard",
]
READER = "monitor_lezer"
BINDINGS = "Roles bound to gemeenten: a member of such a role sees only the mart rows of these gemeenten (row-level security); gemeentecode * binds it to every gemeente, a role without bindings sees no rows."
BINDINGS_0008 = "Roles bound to gemeenten: such a role sees only the mart rows of these gemeenten (row-level security)."

# The gemeenten a reader may see while acting as `lezer` (the policy passes current_user): those bound to a role
# that the login (session_user) is a member of, directly or through other roles, AND those bound to a role that
# `lezer` is a member of. session_user cannot be changed by SET ROLE, so switching to monitor_lezer or to any other
# role never widens the view; requiring `lezer` too lets SET ROLE narrow it (a BI service login that acts as one
# gemeente's role). A caller that passes another role name only gets a subset of its own gemeenten.
# '*' stands for every gemeente. Joining pg_roles skips bindings of dropped roles (pg_has_role would raise).
# SECURITY DEFINER: readers cannot read the bindings. pg_temp is searched last, so a reader's temporary table
# cannot stand in for the bindings.
ALLOWED = """CREATE FUNCTION monitor_lezer_gemeenten(lezer NAME) RETURNS VARCHAR[] LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, "{schema}", pg_temp AS $$
    WITH toegestaan AS (
        SELECT array_agg(b.gemeentecode) FILTER (WHERE pg_has_role(session_user, r.oid, 'MEMBER')) AS sessie,
               array_agg(b.gemeentecode) FILTER (WHERE pg_has_role(lezer, r.oid, 'MEMBER')) AS rol
        FROM "{schema}".meta_lezer_gemeente b JOIN pg_roles r ON r.rolname = b.rolname
    )
    SELECT coalesce(CASE WHEN '*' = ANY (sessie) THEN rol
                         WHEN '*' = ANY (rol) THEN sessie
                         ELSE ARRAY(SELECT unnest(sessie) INTERSECT SELECT unnest(rol)) END, '{{}}')
    FROM toegestaan $$"""

# A row is visible when its gemeente, or '*', is among the allowed ones. The subquery makes the function an
# InitPlan: evaluated once per query instead of once per row.
POLICY = """CREATE POLICY gemeente_lezer ON {mart} FOR SELECT USING (
    ARRAY[gemeentecode, '*'::VARCHAR] && (SELECT monitor_lezer_gemeenten(current_user)))"""

# 0008's function and policy, for the downgrade: no binding saw every gemeente.
ALLOWED_0008 = """CREATE FUNCTION monitor_lezer_gemeenten(lezer NAME) RETURNS VARCHAR[] LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = "{schema}" AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL ELSE array_agg(gemeentecode) END
    FROM meta_lezer_gemeente WHERE rolname = lezer $$"""
POLICY_0008 = """CREATE POLICY gemeente_lezer ON {mart} FOR SELECT USING (
    monitor_lezer_gemeenten(current_user) IS NULL
    OR gemeentecode = ANY (monitor_lezer_gemeenten(current_user)))"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_table_comment("meta_lezer_gemeente", BINDINGS, existing_comment=BINDINGS_0008)
        _replace_policies(ALLOWED, POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace_policies(ALLOWED_0008, POLICY_0008)
        op.create_table_comment("meta_lezer_gemeente", BINDINGS_0008, existing_comment=BINDINGS)


def _replace_policies(function: str, policy: str) -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    for mart in MARTS:
        op.execute(f"DROP POLICY gemeente_lezer ON {mart}")
    op.execute("DROP FUNCTION monitor_lezer_gemeenten(NAME)")
    op.execute(function.format(schema=schema))
    op.execute("REVOKE ALL ON FUNCTION monitor_lezer_gemeenten(NAME) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION monitor_lezer_gemeenten(NAME) TO {READER}")
    for mart in MARTS:
        op.execute(policy.format(mart=mart))
