"""Every SQL example in the docs that a monitor owner would run (those that read only lees_ views, mart_ and dim_
tables) runs as a personal login that is a member of a gemeente role, on a warehouse built by the real pipeline
(iJw messages, CBS tables from the fixture server, the mart and scorecard builds), and shows exactly what the owner
sees of that gemeente and nothing of another one. The examples are found by reading the docs, so a new one is
tested too."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from jeugdmonitor import access, marts, meta
from jeugdmonitor.warehouse import make_engine, upgrade
from tests.ijw_builder import load_messages
from tests.test_access import make_login, roles  # noqa: F401  (roles is a fixture)
from tests.test_marts import WORLD, settings

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[1]
TABLE = re.compile(r"\b((?:mart|lees|dim|fact|meta|stg)_[a-z0-9_]+)")
GEMEENTE = re.compile(r"GM\d{4}")
OWN, OTHER = "GM0546", "GM0547"  # Leiden, where WORLD's youths get care; Leiderdorp, where Y moves in April


def sql_examples() -> list[tuple[str, str]]:
    """(where, statement) of every ```sql block in README.md and docs/, one statement at a time."""
    found = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for block in re.findall(r"```sql\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S):
            code = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("--"))
            for statement in code.split(";"):
                if statement.strip():
                    found.append((str(page.relative_to(REPO)), statement.strip()))
    return found


def reader_examples() -> list[tuple[str, str]]:
    """The examples a reader runs: every table they name is a reader view, a mart or a dimension."""
    return [
        (where, sql)
        for where, sql in sql_examples()
        if (tables := set(TABLE.findall(sql))) and all(t.startswith(("lees_", "mart_", "dim_")) for t in tables)
    ]


def test_the_docs_hold_reader_examples_for_every_mart_page():
    pages = {where for where, _ in reader_examples()}
    assert {"README.md", "docs/access.md", "docs/excel-powerbi.md"} <= pages
    # the reader views: the docs show readers the labelled layer (every view has an example somewhere)
    views = {t for _, sql in reader_examples() for t in TABLE.findall(sql) if t.startswith("lees_")}
    assert views >= {"lees_aanmeldingen", "lees_verwijzingen", "lees_ots", "lees_kosten", "lees_jeugdhulpgebruik"}
    assert {f"docs/indicators/{p}" for p in ("aanmeldingen.md", "kosten.md", "ots.md", "jeugdhulpgebruik.md")} <= pages
    assert len(reader_examples()) >= 20


@pytest.fixture
def built(pg_url, tmp_path, pseudonymise):
    """A warehouse of Leiden and Leiderdorp: WORLD's messages, CBS jeugdzorg, jeugdbescherming and population
    tables through the CBS load, marts and scorecard built."""
    from jeugdmonitor.transforms.alerts import scorecard

    from jeugdmonitor.alerts import inputs as alert_inputs
    from jeugdmonitor.alerts.run import write_scorecard
    from jeugdmonitor.cbs import ingest as ingest_cbs
    from jeugdmonitor.cbs.client import make_client
    from jeugdmonitor.config import CbsTableConfig
    from jeugdmonitor.synthetic.cbs_server import FixtureServer
    from jeugdmonitor.synthetic.cbs_writer import write_cbs_tree
    from jeugdmonitor.synthetic.regions import holland_rijnland

    engine = make_engine(pg_url)
    upgrade(engine)
    load_messages(engine, tmp_path / "inbox", pseudonymise, WORLD)
    measures = {"jeugdhulp": 120, "jeugdhulp_met_verblijf": 40, "pleegzorg": 20, "gezinsgericht": 10, "ots": 15}
    counts = pd.DataFrame(
        [
            {"gemeentecode": g, "periode": p, "measure": m, "value": v + extra}
            for g in (OWN, OTHER)
            for p, extra in (("2025HJ01", 0),)  # CBS behind the local data, as in real life
            for m, v in {**measures, "ots_begonnen": 5}.items()
        ]
    )
    tree = tmp_path / "cbs"
    write_cbs_tree(
        tree,
        region=holland_rijnland().select([OWN, OTHER]),
        counts=counts,
        first_month="2025-01",
        months=6,
        seed=5,
        page_size=200,
    )
    ages = ["Totaal", *(f"{a} jaar" for a in range(23))]  # as the demo config: no group, the sum of 0-17
    options = ingest_cbs.CbsOptions(
        tables=[
            CbsTableConfig(purpose="jeugdzorg", table_id="85099NED", rounded=True),
            CbsTableConfig(purpose="jeugdbescherming", table_id="82975NED", rounded=True),
            CbsTableConfig(
                purpose="bevolking",
                table_id="03759ned",
                select={
                    "Geslacht": ["Totaal mannen en vrouwen"],
                    "BurgerlijkeStaat": ["Totaal burgerlijke staat"],
                    "Leeftijd": ages,
                },
            ),
        ],
        regions=frozenset({OWN, OTHER}),
        herindeling={},
        api="v3",
        fetch_root=tmp_path / "fetch",
    )
    with FixtureServer(tree) as server:
        client = make_client(server.url, retries=0, backoff=0.01)
        ingest_cbs.refresh(engine, meta.start_run(engine, "test"), client, options)
        client.close()
    marts.build(engine, settings())
    with engine.connect() as conn:
        source = alert_inputs.scorecard_input(conn)
    write_scorecard(engine, scorecard.build(source, {OWN, OTHER}, date(2025, 6, 1), 15, 42))
    yield engine
    engine.dispose()


def run(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            # sorted: an example without ORDER BY may come back in another order under row-level security
            return sorted((tuple(row) for row in conn.execute(text(sql))), key=repr)
    finally:
        engine.dispose()


def test_a_personal_login_of_a_gemeente_role_runs_every_reader_example_and_sees_only_its_gemeente(
    built,
    pg_url,
    roles,  # noqa: F811 (the fixture imported above)
):
    leiden = roles()
    access.grant_reader(built, leiden, [OWN])
    piet = make_login(built, roles("piet"), leiden)  # GRANT leiden TO piet, as docs/access.md says
    as_piet = make_url(pg_url).set(username=piet).render_as_string(hide_password=False)
    as_owner = built.url.render_as_string(hide_password=False)
    others_seen = 0
    for where, sql in reader_examples():
        own, other = GEMEENTE.sub(OWN, sql), GEMEENTE.sub(OTHER, sql)
        mine = run(as_owner, own)
        assert mine, f"{where}: the example shows nothing on the test warehouse, so it proves nothing:\n{own}"
        assert run(as_piet, own) == mine, f"{where}: the reader sees other rows than the owner:\n{own}"
        assert run(as_piet, other) == [], f"{where}: the reader sees another gemeente:\n{other}"
        others_seen += bool(run(as_owner, other))
    assert others_seen >= 10, "the other gemeente has rows to hide"
    # the population came through the CBS load: the rates are there for the reader's gemeente only
    rated = "SELECT DISTINCT gemeentecode, bevolking_peiljaar FROM mart_ots WHERE jeugdigen_in_periode_per_1000 > 0"
    assert run(as_piet, rated) == [(OWN, 2025)]
    # the labels: every dimension row, whichever gemeente it is about (docs/access.md)
    for dimension in ("dim_gemeente", "dim_periode", "dim_team", "dim_verwijzer", "dim_product", "dim_aanbieder"):
        assert run(as_piet, f"SELECT * FROM {dimension}") == run(as_owner, f"SELECT * FROM {dimension}")
