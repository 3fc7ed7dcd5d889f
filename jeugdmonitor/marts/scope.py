"""Which months the marts cover, and which gemeenten and months a load run changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    func,
    select,
)

from jeugdmonitor.schemas.warehouse import (
    meta_source_file,
    stg_cbs_waarneming,
    stg_jgt_registratie,
    stg_jw301_toewijzing,
    stg_jw305_start,
    stg_jw307_stop,
    stg_jw315_verzoek,
    stg_jw323_prestatie,
)
from jeugdmonitor.transforms.marts.periods import month_start


def data_months(conn: Connection) -> tuple[date, date] | None:
    """The months the deliveries cover. They start at the first JGT export or JW323 declaration month (JW301/305
    history reaches years back for care that is still running, but those years are not covered by the stream;
    without periodic deliveries, at the first iJw message) and end at the last month any source reached."""
    periodic = [
        select(func.min(stg_jgt_registratie.c.export_maand), func.max(stg_jgt_registratie.c.export_maand)),
        select(
            func.min(stg_jw323_prestatie.c.product_periode_begin), func.max(stg_jw323_prestatie.c.product_periode_begin)
        ),
    ]
    messages = [
        select(func.min(t.c.dagtekening), func.max(t.c.dagtekening))
        for t in (stg_jw301_toewijzing, stg_jw305_start, stg_jw307_stop)
    ]
    bounds = {
        name: [(as_date(lo), as_date(hi)) for lo, hi in (conn.execute(q).one() for q in queries) if lo is not None]
        for name, queries in (("periodic", periodic), ("messages", messages))
    }
    starts = bounds["periodic"] or bounds["messages"]
    if not starts:
        return None
    last = max(hi for pairs in bounds.values() for _, hi in pairs)
    return month_start(min(lo for lo, _ in starts)), month_start(last)


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_DATES = {
    stg_jgt_registratie: ("aanmelddatum", "datum_start_hulp", "afsluitdatum"),
    stg_jw301_toewijzing: ("toewijzingsdatum", "ingangsdatum", "einddatum"),
    stg_jw305_start: ("begindatum", "toewijzing_ingangsdatum"),
    stg_jw307_stop: ("begindatum", "einddatum"),
    stg_jw315_verzoek: ("toewijzing_ingangsdatum",),
    stg_jw323_prestatie: ("product_periode_begin",),
}


def changed_scope(engine: Engine, run_id: str) -> dict[str, date]:
    """gemeente -> the first month the files loaded in `run_id` can change (their earliest date)."""
    files = select(meta_source_file.c.file_id).where(meta_source_file.c.load_run_id == run_id)
    with engine.connect() as conn:
        return scope_of_files(conn, lambda column: column.in_(files))


def scope_of_files(conn: Connection, which: Callable[[ColumnElement], ColumnElement]) -> dict[str, date]:
    """gemeente -> the first month that the staging rows of some files can change; `which(file_id column)` picks
    the files (a load run's, or the ids a load batch just wrote)."""
    scope: dict[str, date] = {}
    for table, columns in _DATES.items():
        query = (
            select(table.c.gemeentecode, *(func.min(table.c[c]) for c in columns))
            .where(which(table.c.file_id))
            .group_by(table.c.gemeentecode)
        )
        for gemeente, *earliest in conn.execute(query):
            for day in earliest:
                if day is not None:
                    earlier(scope, gemeente, as_date(day))
    cbs = (
        select(stg_cbs_waarneming.c.gemeentecode, func.min(stg_cbs_waarneming.c.periode))
        .where(which(stg_cbs_waarneming.c.file_id), stg_cbs_waarneming.c.gemeentecode.is_not(None))
        .group_by(stg_cbs_waarneming.c.gemeentecode)
    )
    for gemeente, periode in conn.execute(cbs):
        earlier(scope, gemeente, date(int(periode[:4]), 1, 1))
    return scope


def earlier(scope: dict[str, date], gemeente: str, day: date) -> None:
    first = month_start(day)
    if gemeente not in scope or first < scope[gemeente]:
        scope[gemeente] = first


def targets(
    gemeenten: list[str], scope: dict[str, date] | None, first: date, last: date, previous: tuple
) -> dict[str, date]:
    """gemeente -> first month to rebuild. Besides what the loads changed (`scope`), a window that grew needs
    every gemeente: earlier months that are new, and from the previous last month on (it may have been partial,
    and running care goes on into the new months)."""
    if scope is None or previous[0] is None:
        return dict.fromkeys(gemeenten, first)
    old_first, old_last = as_date(previous[0]), as_date(previous[1])
    wanted = dict(scope)
    for gemeente in gemeenten:
        if first < old_first:
            earlier(wanted, gemeente, first)
        if last > old_last:
            earlier(wanted, gemeente, old_last)
    return wanted
