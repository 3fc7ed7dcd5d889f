"""Write the report site: index.html (the region), gemeente/GM0546.html and GM0546.xlsx per gemeente, and
definities.html, into `report.map` (or --out).

On PostgreSQL every page is read through a reader role, as a monitor owner would read it: the figures of a
gemeente page in a read-only transaction after `SET LOCAL ROLE <report.lezers[gemeente]>`, those of the region page
as `report.regio_lezer`. Row-level security then admits only that role's gemeenten, so a page cannot show another
gemeente's rows even if a query were wrong. The loader's login must be a member of those roles (a DBA grant,
docs/report.md). SQLite has no roles: the pages filter by gemeentecode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from jeugdmonitor.config import ConfigError, Settings
from jeugdmonitor.report import data, workbook
from jeugdmonitor.transforms.report import page
from jeugdmonitor.transforms.report.periods import maand_label

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class Written:
    """What a build wrote: the folder, and the pages and workbooks with their sizes in bytes."""

    folder: Path
    files: dict[Path, int] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def write_report(
    engine: Engine, settings: Settings, out: Path | None = None, gemeenten: list[str] | None = None
) -> Written:
    """Build the site for `gemeenten` (default: every gemeente of the region) and the region page."""
    folder = out or settings.report.map
    codes = gemeenten or list(settings.region.gemeenten)
    unknown = [c for c in codes if c not in settings.region.gemeenten]
    if unknown:
        raise ConfigError(f"--gemeente {', '.join(unknown)}: not a gemeente of region.gemeenten")
    _check_readers(engine, settings, codes)
    (folder / "gemeente").mkdir(parents=True, exist_ok=True)
    written = Written(folder)
    regio = settings.region.naam

    with reading_as(engine, settings.report.regio_lezer) as conn:
        names = data.gemeenten(conn, list(settings.region.gemeenten))
        region = {code: data.figures(conn, code) for code in names["gemeentecode"]}
    rows = [page.key_figures(code, naam, region[code]) for code, naam in names.itertuples(index=False)]
    name_of = dict(zip(names["gemeentecode"], names["naam"], strict=True))
    for code in codes:
        with reading_as(engine, settings.report.lezers.get(code)) as conn:
            figures = data.figures(conn, code)
            built = data.bijgewerkt_op(conn, code)
        _write(
            written,
            folder / "gemeente" / f"{code}.html",
            page.gemeente_page(page.Page(code, name_of.get(code, code), regio, figures, built)),
        )
        xlsx = folder / "gemeente" / f"{code}.xlsx"
        workbook.write(xlsx, figures)
        written.files[xlsx] = xlsx.stat().st_size
    latest = [month for figures in region.values() if (month := page.latest_month(figures)) is not None]
    tot = maand_label(max(latest)) if latest else "onbekend"
    _write(written, folder / "index.html", page.region_page(regio, rows, tot))
    _write(written, folder / "definities.html", page.definitions_page(regio))
    return written


@contextmanager
def reading_as(engine: Engine, role: str | None) -> Iterator[Connection]:
    """A read-only connection that acts as `role` on PostgreSQL (SET LOCAL ROLE: it ends with the transaction,
    which is rolled back); on SQLite a plain connection."""
    with engine.connect() as conn, conn.begin() as transaction:
        if engine.dialect.name == "postgresql":
            if not role or not _ROLE.match(role):
                raise ConfigError(f"report reader role {role!r} is not a plain PostgreSQL role name")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
        try:
            yield conn
        finally:
            transaction.rollback()


def _check_readers(engine: Engine, settings: Settings, codes: list[str]) -> None:
    """On PostgreSQL every page needs its reader role, named in the config: one line naming what is missing."""
    if engine.dialect.name != "postgresql":
        return
    missing = [c for c in codes if c not in settings.report.lezers]
    if missing:
        raise ConfigError(
            f"report.lezers has no reader role for {', '.join(missing)}: on PostgreSQL each gemeente page is read "
            "through its reader (jeugdmonitor db lezer ROLE --gemeente GM...; docs/report.md)"
        )
    if not settings.report.regio_lezer:
        raise ConfigError(
            "report.regio_lezer is empty: on PostgreSQL the region page is read through a region reader "
            "(jeugdmonitor db lezer ROLE --regio; docs/report.md)"
        )


def _write(written: Written, path: Path, html: str) -> None:
    path.write_text(html, encoding="utf-8")
    written.files[path] = path.stat().st_size
