"""Building the dimensions and marts: read the facts of one gemeente, run the indicator transforms, suppress small
cells, and replace that gemeente's mart rows from the first changed month on, in one transaction per gemeente.

Incremental: each load marks, per gemeente, the first month its files can affect (the earliest date in their rows)
in meta_mart_pending (pending.py), and a run rebuilds only those gemeenten and the periods from that month on,
clearing each mark with the gemeente's marts; `changed_scope` gives the same for one load run. A full rebuild
(`scope=None`) gives the same rows: tests compare the two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
)

from jeugdmonitor import meta
from jeugdmonitor.marts import pending
from jeugdmonitor.marts.dimensions import build_dimensions, fill_periode
from jeugdmonitor.marts.inputs import READ_CHUNK, read_inputs_many
from jeugdmonitor.marts.registry import LINKS, NESTED, SPECS, Link, Mart
from jeugdmonitor.marts.scope import data_months, targets
from jeugdmonitor.marts.settings import BuildReport, BuildSettings
from jeugdmonitor.parallel import ordered_map
from jeugdmonitor.schemas.marts import (
    TOTAAL,
    dim_periode,
)
from jeugdmonitor.transforms.marts import levering
from jeugdmonitor.transforms.marts.inputs import (
    Inputs,
    Params,
    Window,
)
from jeugdmonitor.transforms.marts.suppression import complementary, primary, publish

log = logging.getLogger(__name__)


def build(
    engine: Engine,
    settings: BuildSettings,
    scope: dict[str, date] | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Rebuild the dimensions, then the marts of the gemeenten in `scope` from their month on (None: everything),
    up to the last month with data, or up to the end of `until`'s year (a backfill of a range)."""
    report = BuildReport()
    with engine.begin() as conn:
        build_dimensions(conn, settings)
        bounds = data_months(conn)
        previous = conn.execute(select(func.min(dim_periode.c.maand), func.max(dim_periode.c.maand))).one()
    if bounds is None:
        return report
    first, last = bounds
    first = settings.first_month or first
    wanted = targets(settings.gemeenten, scope, first, last, previous)
    todo = sorted((g, d) for g, d in wanted.items() if g in settings.gemeenten)
    end = last if until is None else min(last, date(until.year, 12, 1))
    # Whole years: suppression ties the months of a half-year and a year together (and the year to date), so a
    # year is protected as one; rebuilding part of it could pick other complementary cells.
    todo = [(g, since) for g, d in todo if (since := max(date(d.year, 1, 1), first)) <= end]
    # A build that reaches the last month covers the pending marks of what it rebuilds. It marks its own work in
    # the transaction that grows dim_periode: the gemeenten a grown window adds are known from the old window
    # only, and a crash before their marts are written must not lose them.
    complete = end == last
    with engine.begin() as conn:
        fill_periode(conn, first, last)
        if complete:
            pending.mark(conn, dict(todo), run_id=None)
    jobs = _jobs(engine, settings, todo, end)
    by_name = {spec.table.name: spec for spec in SPECS}
    for done, (gemeente, since, marts) in enumerate(ordered_map(_build_job, jobs, settings.workers)):
        if progress is not None:
            progress(done, len(todo))
        stamp = meta.now()
        with engine.begin() as conn:
            for name, rows in marts:
                # the half-years and years of the last year built end after its last month
                _replace(
                    conn,
                    by_name[name],
                    gemeente,
                    since,
                    None if until is None else date(end.year, 12, 31),
                    rows.assign(bijgewerkt_op=stamp),
                )
                report.rows[name] = report.rows.get(name, 0) + len(rows)
            if complete:  # from `first` on is everything: months before it are never built
                pending.clear(conn, gemeente, None if since <= first else since)
        report.gemeenten += 1
        report.since[gemeente] = since
    return report


@dataclass(frozen=True)
class _Job:
    gemeente: str
    since: date
    inputs: Inputs
    window: Window
    params: Params
    threshold: int


def _jobs(engine: Engine, settings: BuildSettings, todo: list[tuple[str, date]], end: date) -> Iterator[_Job]:
    """The gemeenten to build with their inputs, read a chunk of gemeenten at a time as the build goes on."""
    teams = settings.region.teams
    for start in range(0, len(todo), READ_CHUNK):
        chunk = todo[start : start + READ_CHUNK]
        with engine.connect() as conn:
            inputs_of = read_inputs_many(
                conn, [g for g, _ in chunk], {g: [t for t, (_, tg) in teams.items() if tg == g] for g, _ in chunk}
            )
        for gemeente, since in chunk:
            params = replace(settings.params, budget=settings.budgets.get(gemeente, {}))
            yield _Job(gemeente, since, inputs_of.pop(gemeente), Window(since, end), params, settings.threshold)


def _build_job(job: _Job) -> tuple[str, date, list[tuple[str, pd.DataFrame]]]:
    """One gemeente's marts (in a worker process when the build has workers): pure, no warehouse."""
    marts = build_gemeente(job.inputs, job.window, job.params, job.threshold)
    return job.gemeente, job.since, [(spec.table.name, rows) for spec, rows in marts]


def build_gemeente(
    inputs: Inputs, window: Window, params: Params, threshold: int, period_directions: bool = True
) -> list[tuple[Mart, pd.DataFrame]]:
    """Every mart of one gemeente for the periods of `window`, suppressed together, in the tables' columns.
    (`period_directions` False leaves out the protection across periods: only to show a test what it protects.)"""
    frames: dict[str, pd.DataFrame] = {}
    hidden: dict[str, pd.DataFrame] = {}
    by_name = {spec.table.name: spec for spec in SPECS}
    for spec in SPECS:
        rows = spec.build(inputs, window, params)
        # a quarter or year that began before the window's first month is still covered in part
        keep = pd.to_datetime(rows[spec.period_column]) >= pd.Timestamp(window.since)
        if spec.period_column == "maand":
            keep |= rows["periode_type"] != "maand"
        rows = _with_time_parts(rows[keep].reset_index(drop=True), spec, window)
        frames[spec.table.name] = rows
        hidden[spec.table.name] = complementary(
            rows, primary(rows, spec.counts, threshold), spec.all_directions(period_directions)
        )
    changed = True
    while changed:  # a figure hidden in one mart is hidden where it is published again, then closed again
        changed = False
        for link in LINKS:
            touched = _link(frames, hidden, link)
            for name in touched:
                spec = by_name[name]
                hidden[name] = complementary(frames[name], hidden[name], spec.all_directions(period_directions))
            changed |= bool(touched)
    out = []
    for spec in SPECS:
        rows, mask = frames[spec.table.name], hidden[spec.table.name]
        published = publish(
            rows.assign(_jaar=pd.to_datetime(rows[spec.period_column]).dt.year),
            mask,
            rates=spec.rates,
            carry=spec.carry,
            carry_by=spec.carry_by,
            carry_order="_eind" if "_eind" in rows else spec.period_column,
        )
        if spec.per_levering:
            published = levering.mark(published, inputs.leveringen, spec.per_levering)
        out.append((spec, published[[c.name for c in spec.table.columns if c.name != "bijgewerkt_op"]]))
    return out


def _with_time_parts(rows: pd.DataFrame, spec: Mart, window: Window) -> pd.DataFrame:
    """The helper columns of the period directions (registry.NESTED): per pair of period kinds (a month and its
    quarter, a quarter and its year...), `_t_<part>_<total>` names the longer period a row belongs to, and
    `_p_<part>_<total>` is the row's own period code, or 'totaal' on the row of the longer period itself; `_eind`
    is the last month of the row's period that the window covers (a stock of the period is that month's)."""
    if rows.empty or "periode_type" not in rows:
        return rows
    if spec.period_column == "maand":
        start = pd.to_datetime(rows["maand"])
        end = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
        for kind, months in (("maand", 0), ("kwartaal", 2), ("jaar", 11)):
            mask = rows["periode_type"] == kind
            end[mask] = start[mask] + pd.DateOffset(months=months)
    else:
        start = pd.to_datetime(rows["periode_start"])
        end = pd.to_datetime(rows["periode_eind"]).dt.to_period("M").dt.to_timestamp()
    year, month = start.dt.year.astype(str), start.dt.month
    containers = {
        "kwartaal": year + "KW0" + ((month - 1) // 3 + 1).astype(str),
        "halfjaar": year + "HJ0" + ((month - 1) // 6 + 1).astype(str),
        "jaar": year + "JJ00",
    }
    kind = rows["periode_type"]
    parts: dict[str, pd.Series] = {}
    for fine, coarse in NESTED:
        pair = kind.isin([fine, coarse])
        parts[f"_t_{fine}_{coarse}"] = containers[coarse].where(pair)
        parts[f"_p_{fine}_{coarse}"] = rows["periode"].where(kind == fine, TOTAAL).where(pair)
    return rows.assign(**parts, _eind=end.clip(upper=pd.Timestamp(window.until)))


def _link(frames: dict[str, pd.DataFrame], hidden: dict[str, pd.DataFrame], link: Link) -> set[str]:
    """Hide `link`'s figure in both marts where it is hidden in either; the names of the marts that changed."""

    def selected(name: str, where: dict[str, object]) -> pd.DataFrame:
        rows = frames[name]
        for column, value in where.items():
            rows = rows[rows[column] == value]
        return rows[list(link.keys)].reset_index(names="_row")

    pairs = selected(link.a, link.a_where).merge(
        selected(link.b, link.b_where), on=list(link.keys), suffixes=("_a", "_b")
    )
    touched: set[str] = set()
    for row_a, row_b in zip(pairs["_row_a"], pairs["_row_b"], strict=True):
        in_a, in_b = hidden[link.a].at[row_a, link.a_column], hidden[link.b].at[row_b, link.b_column]
        if in_a and not in_b:
            hidden[link.b].at[row_b, link.b_column] = True
            touched.add(link.b)
        elif in_b and not in_a:
            hidden[link.a].at[row_a, link.a_column] = True
            touched.add(link.a)
    return touched


def _replace(conn: Connection, spec: Mart, gemeente: str, since: date, until: date | None, rows: pd.DataFrame) -> None:
    table = spec.table
    period = table.c[spec.period_column]
    start = period >= since
    if spec.period_column == "maand":  # the quarter and year `since` lies in begin before it
        start = or_(start, and_(table.c.periode_type != "maand", period >= date(since.year, 1, 1)))
    bounds = [start] + ([period <= until] if until is not None else [])
    conn.execute(delete(table).where(table.c.gemeentecode == gemeente, *bounds))
    if not rows.empty:
        conn.execute(insert(table), _records(table, rows))


def _records(table: Table, rows: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values for the database: NULL for NA, dates for Date columns."""
    dates = {c.name for c in table.columns if isinstance(c.type, Date) and not isinstance(c.type, DateTime)}
    out = []
    for record in rows.astype(object).where(rows.notna(), None).to_dict("records"):
        out.append({k: (v.date() if k in dates and isinstance(v, pd.Timestamp) else v) for k, v in record.items()})
    return out
