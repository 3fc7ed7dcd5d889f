"""The mart registry's contract: every mart in jeugdmonitor/marts/registry.py has its table in the model, a comment
on every column, a page in docs/indicators/ linked from its index, a golden test that runs its build function, and
on a migrated PostgreSQL warehouse the reader grant and the row-level-security policy. Migrations keep their own
frozen lists; this is where they are held to the registry. Each check names what a mart lacks; the negative cases
show that an entry missing any one of them fails."""

from __future__ import annotations

import ast
import re
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from jeugdmonitor.schemas.base import metadata
from jeugdmonitor.schemas.marts import DIMENSIONS
from jeugdmonitor.schemas.readers import view_name
from jeugdmonitor.schemas.warehouse import meta_quarantine
from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, text

from jeugdmonitor.marts.registry import LINKS, MARTS, SPECS, Mart
from jeugdmonitor.warehouse import make_engine, upgrade
from tests.conftest import fresh_schema

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "indicators"
READER = "monitor_lezer"
BY_NAME = {mart.name: mart for mart in MARTS}


def index_rows() -> dict[str, str]:
    """mart name -> the page its row in docs/indicators/README.md links to."""
    text_ = (PAGES / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `(mart_\w+)` \| \[[^\]]*\]\(([^)#]+)\)", text_, flags=re.MULTILINE))


def model_problems(mart: Mart) -> list[str]:
    problems = []
    if metadata.tables.get(mart.name) is not mart.table:
        problems.append(f"{mart.name}: not the model's table (schemas/marts.py)")
    if not mart.table.comment:
        problems.append(f"{mart.name}: no table comment")
    problems += [f"{mart.name}.{c.name}: no column comment" for c in mart.table.columns if not c.comment]
    return problems


def docs_problems(mart: Mart) -> list[str]:
    if not (PAGES / mart.page).is_file():
        return [f"{mart.name}: no page docs/indicators/{mart.page}"]
    linked = index_rows().get(mart.name)
    if linked != mart.page:
        return [f"{mart.name}: docs/indicators/README.md links {linked!r}, not {mart.page!r}"]
    return []


def references(path: Path, function) -> bool:
    """Whether the module at `path` uses `function` by name: imported from its module, or as an attribute of its
    module imported under any name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module, name = function.__module__, function.__name__
    modules, direct = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" == module:
                    modules.add(alias.asname or alias.name)
                if node.module == module and alias.name == name:
                    direct.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {alias.asname for alias in node.names if alias.name == module and alias.asname}
    return any(
        (
            isinstance(node, ast.Attribute)
            and node.attr == name
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        )
        or (isinstance(node, ast.Name) and node.id in direct)
        for node in ast.walk(tree)
    )


def golden_problems(mart: Mart) -> list[str]:
    path = ROOT / mart.golden
    if not mart.golden.startswith("tests/transforms/") or not path.is_file():
        return [f"{mart.name}: no golden test {mart.golden} in tests/transforms/"]
    if not references(path, mart.build):
        return [f"{mart.name}: {mart.golden} does not run {mart.build.__module__}.{mart.build.__name__}"]
    return []


def warehouse_problems(conn: Connection, mart: Mart) -> list[str]:
    """The mart as migrated: its table with the model's columns; on PostgreSQL also the model's comments, and
    monitor_lezer's grant with row-level security and the per-gemeente policy exactly when the mart is a reader's."""
    inspector = inspect(conn)
    if not inspector.has_table(mart.name):
        return [f"{mart.name}: no table in the migrated warehouse"]
    problems = []
    migrated = {c["name"]: c for c in inspector.get_columns(mart.name)}
    if set(migrated) != {c.name for c in mart.table.columns}:
        problems.append(f"{mart.name}: migrated columns differ from the model")
    if conn.dialect.name != "postgresql":
        return problems  # SQLite has no comments, grants or policies
    problems += [
        f"{mart.name}.{c.name}: comment in the warehouse differs from the model"
        for c in mart.table.columns
        if c.name in migrated and migrated[c.name].get("comment") != c.comment
    ]
    granted = conn.execute(
        text("SELECT has_table_privilege(:reader, :t, 'SELECT')"), {"reader": READER, "t": mart.name}
    ).scalar()
    secured = conn.execute(
        text("SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass(:t)"), {"t": mart.name}
    ).scalar()
    policies = conn.execute(
        text(
            "SELECT qual FROM pg_policies WHERE schemaname = current_schema() "
            "AND tablename = :t AND cmd IN ('SELECT', 'ALL')"
        ),
        {"t": mart.name},
    ).scalars()
    per_gemeente = any("monitor_lezer_gemeenten" in (qual or "") for qual in policies)
    if mart.reader and not (granted and secured and per_gemeente):
        problems.append(
            f"{mart.name}: {READER} grant {granted}, row-level security {secured}, gemeente policy {per_gemeente}"
        )
    if not mart.reader and granted:
        problems.append(f"{mart.name}: {READER} may read it, the registry says no reader")
    return problems


@contextmanager
def migrated_engine(url: str):
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated(request, tmp_path_factory):
    """One migrated warehouse per dialect for the whole module: the checks only read it."""
    if request.param == "sqlite":
        with migrated_engine(f"sqlite:///{tmp_path_factory.mktemp('registry') / 'warehouse.sqlite'}") as engine:
            yield engine
    else:
        with fresh_schema() as url, migrated_engine(url) as engine:
            yield engine


@pytest.mark.parametrize("mart", MARTS, ids=lambda m: m.name)
def test_every_mart_has_its_table_comments_page_and_golden_test(mart):
    assert model_problems(mart) + docs_problems(mart) + golden_problems(mart) == []


def test_the_registry_the_model_and_the_docs_index_list_the_same_marts():
    model = {name for name in metadata.tables if name.startswith("mart_")}
    assert len(BY_NAME) == len(MARTS)
    assert set(BY_NAME) == model == set(index_rows())


def test_the_mart_step_builds_the_registry_in_its_order_and_links_only_marts_it_builds():
    assert SPECS == [mart for mart in MARTS if mart.step == "marts"]
    assert LINKS == [link for mart in SPECS for link in mart.links]
    built = {mart.name for mart in SPECS}
    for link in LINKS:
        assert {link.a, link.b} <= built
        assert link.b == next(mart.name for mart in SPECS if link in mart.links)


def test_every_mart_is_migrated_with_its_comments_and_reader_access(migrated):
    with migrated.connect() as conn:
        assert [p for mart in MARTS for p in warehouse_problems(conn, mart)] == []


ON_POSTGRESQL = pytest.mark.parametrize(
    "migrated", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@ON_POSTGRESQL
def test_monitor_lezer_reads_exactly_the_reader_marts(migrated):
    with migrated.connect() as conn:
        readable = set(
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p') "
                    "AND has_table_privilege(:reader, c.oid, 'SELECT')"
                ),
                {"reader": READER},
            ).scalars()
        )
    # and the reader view of each of those marts (migration 0022)
    views = {view_name(mart.name) for mart in MARTS if mart.reader}
    assert readable == {mart.name for mart in MARTS if mart.reader} | {dim.name for dim in DIMENSIONS} | views


# An entry that lacks one thing each: the check above that covers it must name that mart.
KOSTEN, AANMELDINGEN = BY_NAME["mart_kosten"], BY_NAME["mart_aanmeldingen"]
UNKNOWN = Table(
    "mart_nieuw",
    MetaData(),
    Column("gemeentecode", String(6), comment="GM + 4 digits"),
    comment="a mart nobody modelled",
)
UNCOMMENTED = Table("mart_kosten", MetaData(), Column("gemeentecode", String(6)), comment="a copy of mart_kosten")
LACKS = {
    "table missing from the model": (replace(KOSTEN, table=UNKNOWN), model_problems),
    "column without comment": (replace(KOSTEN, table=UNCOMMENTED), model_problems),
    "no docs page": (replace(KOSTEN, page="bestaat-niet.md"), docs_problems),
    "page not linked from the index": (replace(KOSTEN, page="ots.md"), docs_problems),
    "no golden test file": (replace(KOSTEN, golden="tests/transforms/test_mart_bestaat_niet.py"), golden_problems),
    "golden test outside tests/transforms": (replace(KOSTEN, golden="tests/test_marts.py"), golden_problems),
    "golden test of another build": (
        replace(AANMELDINGEN, golden="tests/transforms/test_mart_kosten.py"),
        golden_problems,
    ),
}


@pytest.mark.parametrize("lacking", LACKS, ids=list(LACKS))
def test_an_entry_lacking_one_thing_fails_the_contract(lacking):
    mart, check = LACKS[lacking]
    problems = check(mart)
    assert problems and all(p.startswith(mart.name) for p in problems)


def test_a_mart_without_its_migrated_table_fails_the_contract(migrated):
    with migrated.connect() as conn:
        assert warehouse_problems(conn, replace(KOSTEN, table=UNKNOWN)) == [
            "mart_nieuw: no table in the migrated warehouse"
        ]


@ON_POSTGRESQL
@pytest.mark.parametrize("lacking", ["no reader grant", "a grant the registry does not declare", "comments differ"])
def test_a_mart_without_its_grant_or_comments_fails_the_contract(migrated, lacking):
    mart = {
        "no reader grant": replace(KOSTEN, table=meta_quarantine),  # meta_ tables are not granted
        "a grant the registry does not declare": replace(KOSTEN, reader=False),
        "comments differ": replace(KOSTEN, table=UNCOMMENTED),
    }[lacking]
    with migrated.connect() as conn:
        problems = warehouse_problems(conn, mart)
    assert problems and all(p.startswith(mart.name) for p in problems)
