"""Keeping the CBS StatLine tables of the monitor up to date: check, fetch, judge and load one version at a time.

Per configured table: ask CBS for its metadata (TableInfos, or the catalog for a yearly series such as Gebieden in
Nederland); when `Modified` equals the version in the warehouse, nothing more is requested. Otherwise fetch the
region's cells (partitioned by period, resumable: jeugdmonitor/cbs/fetch.py), judge them with the GX suite
stg_cbs_waarneming and load the version in one transaction: new cells inserted, changed cells updated in place with
their old value in meta_cbs_revisie, categories and period status replaced.

Each table stands alone: whatever goes wrong with one (CBS unreachable, a table that is not as configured, cells
that contradict each other, an error of our own) ends that table only, with the last good version in use, the
reason in Dutch in its outcome and in meta_cbs_table.last_error, and the other tables go on. Status `stale`: CBS
could not be reached (the next run tries again); `failed`: the table could not be read or loaded as configured
(someone has to look).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from jeugdmonitor import bulk, judging, meta
from jeugdmonitor.cbs import fetch
from jeugdmonitor.cbs.client import Category, CbsClient, CbsError, CbsUnavailable, TableInfo
from jeugdmonitor.config import CbsTableConfig
from jeugdmonitor.locking import LockLost
from jeugdmonitor.marts import pending
from jeugdmonitor.schemas.warehouse import (
    meta_cbs_revisie,
    meta_cbs_table,
    meta_source_file,
    stg_cbs_categorie,
    stg_cbs_waarneming,
)
from jeugdmonitor.transforms.cbs.checks import add_checks
from jeugdmonitor.transforms.cbs.observations import (
    COLUMNS,
    KEY,
    content_sha256,
    diff,
    observations_frame,
    without_duplicates,
)
from jeugdmonitor.transforms.reasons import Rejection, rejection
from jeugdmonitor.validation import FileWarning, Finding

log = logging.getLogger(__name__)

SUITE = "stg_cbs_waarneming"
CBS_TIMEZONE = ZoneInfo("Europe/Amsterdam")  # CBS publishes Modified as local time without an offset


class CbsTableError(CbsError):
    """The table as CBS serves it does not fit the configuration or contradicts itself; a retry will not help."""


@dataclass(frozen=True)
class CbsOptions:
    tables: list[CbsTableConfig]
    regions: frozenset[str]  # region codes as CBS writes them: gemeenten (old codes too), jeugdregio, NL01
    herindeling: dict[str, str]  # old GM code -> new GM code
    api: str
    fetch_root: Path  # where pages are kept until their version is loaded


@dataclass
class TableOutcome:
    """What happened to one CBS table in this run; `melding` is for people, in Dutch."""

    purpose: str
    table_id: str
    # loaded, unchanged, stale (CBS not reachable) or failed (not readable or loadable as configured); stale and
    # failed keep the last good version in use
    status: str
    melding: str
    modified: str | None = None
    discontinued: bool = False
    rows_inserted: int = 0
    rows_updated: int = 0
    revisions: int = 0
    pages_fetched: int = 0
    retries: int = 0  # CBS requests sent again for this table (each one logged)
    result: meta.FileResult | None = None


@dataclass
class _Version:
    """A fetched table version, judged, ready to load."""

    info: TableInfo
    frame: pd.DataFrame
    categories: list[dict]
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)
    sha256: str = ""
    size: int = 0


def refresh(engine: Engine, run_id: str, client: CbsClient, options: CbsOptions) -> list[TableOutcome]:
    """Bring every configured table up to date; never raises for one table's trouble (its outcome says what
    happened), only when this run may no longer write (LockLost). Every configured table gets at least one outcome.

    Changed tables are fetched first and judged together (one GX validation for the run: a validation has a
    fixed cost of tenths of a second), then each loads in its own transaction.
    """
    outcomes: list[TableOutcome] = []
    fetched: list[tuple[CbsTableConfig, _Version, fetch.Fetched, int]] = []
    for config in options.tables:
        retries = client.retries_done
        try:
            infos = (
                client.find_tables(config.title_startswith)
                if config.title_startswith
                else [client.table_info(config.table_id)]
            )
            if not infos:
                raise CbsTableError(
                    f"de CBS-catalogus heeft geen tabel waarvan de titel begint met '{config.title_startswith}'"
                )
        except LockLost:
            raise
        except Exception as exc:
            outcomes += _retried(
                _not_refreshed(
                    engine, config, config.table_id or None, exc, "het opvragen van de tabelgegevens", options.api
                ),
                client.retries_done - retries,
            )
            continue
        for info in infos:
            if info is not infos[0]:
                retries = client.retries_done
            try:
                state = _state(engine, info.table_id)
                if state is not None and state["modified"] == info.modified and state["file_id"] is not None:
                    _mark_checked(engine, config, info, options.api)
                    outcomes.append(
                        TableOutcome(
                            config.purpose,
                            info.table_id,
                            "unchanged",
                            _melding_unchanged(info),
                            info.modified,
                            info.discontinued,
                            retries=client.retries_done - retries,
                            result=meta.FileResult(_path(info), "skipped", info.table_id),
                        )
                    )
                    continue
                version, pages = _fetch_version(client, config, info, options)
                fetched.append((config, version, pages, client.retries_done - retries))
            except LockLost:
                raise
            except Exception as exc:
                outcomes += _retried(
                    _not_refreshed(engine, config, info.table_id, exc, "het ophalen van de cijfers", options.api, info),
                    client.retries_done - retries,
                )
    for config, version, pages, retries in _judged(engine, fetched, outcomes, options.api):
        try:
            with engine.begin() as conn:
                outcome = _load_version(conn, run_id, config, version, options.api)
        except LockLost:
            raise
        except Exception as exc:
            # the transaction is rolled back: the table is as it was; the fetched pages stay for the next run
            outcomes += _retried(
                _not_refreshed(engine, config, version.info.table_id, exc, "het laden", options.api, version.info),
                retries,
            )
            continue
        fetch.discard(pages.folder)
        outcome.pages_fetched = pages.pages_fetched
        outcome.retries = retries
        log.info(
            "CBS %s: %s (%d pages fetched, %d reused)",
            version.info.table_id,
            outcome.status,
            pages.pages_fetched,
            pages.pages_reused,
        )
        outcomes.append(outcome)
    return outcomes


def _judged(
    engine: Engine,
    fetched: list[tuple[CbsTableConfig, _Version, fetch.Fetched, int]],
    outcomes: list[TableOutcome],
    api: str,
) -> list[tuple[CbsTableConfig, _Version, fetch.Fetched, int]]:
    """The fetched versions judged: all in one validation, or, should that fail, one by one, so that a version
    the judging cannot handle fails alone (its outcome added to `outcomes`)."""
    try:
        _judge([version for _, version, _, _ in fetched])
        return fetched
    except LockLost:
        raise
    except Exception:
        log.warning("CBS: judging the fetched tables together failed; judging them one by one")
    judged = []
    for item in fetched:
        config, version, _, retries = item
        try:
            _judge([version])
            judged.append(item)
        except LockLost:
            raise
        except Exception as exc:
            outcomes += _retried(
                _not_refreshed(engine, config, version.info.table_id, exc, "het controleren", api, version.info),
                retries,
            )
    return judged


def _retried(outcomes: list[TableOutcome], retries: int) -> list[TableOutcome]:
    for outcome in outcomes[:1]:  # the requests belong to the table, once
        outcome.retries = retries
    return outcomes


def _fetch_version(
    client: CbsClient, config: CbsTableConfig, info: TableInfo, options: CbsOptions
) -> tuple[_Version, fetch.Fetched]:
    dimensions = client.dimensions(info.table_id)
    geo = next((d.key for d in dimensions if d.kind == "GeoDimension"), None)
    time = next((d.key for d in dimensions if d.kind == "TimeDimension"), None)
    if geo is None:
        raise CbsTableError(f"tabel {info.table_id} heeft geen regio-dimensie")
    unknown = [dim for dim in config.select if dim not in {d.key for d in dimensions}]
    if unknown:
        raise CbsTableError(
            f"tabel {info.table_id} heeft geen dimensie {', '.join(unknown)} (genoemd in select van de "
            "configuratie); CBS heeft de indeling gewijzigd of de configuratie klopt niet"
        )
    categories = {d.key: client.categories(info.table_id, d.key) for d in dimensions}
    measures = client.measures(info.table_id)
    selection = [_regions_filter(categories[geo], geo, options.regions)]
    selection += [_title_filter(categories[dim], dim, titles, info.table_id) for dim, titles in config.select.items()]
    base = " and ".join(f"({s})" for s in selection)
    partitions = [f"{base} and {time} eq '{c.raw_key}'" for c in categories[time]] if time else [base]
    fetched = fetch.fetch(client, fetch.FetchPlan(info.table_id, info.modified, tuple(partitions)), options.fetch_root)

    period_status = {c.key: c.status for c in categories.get(time, [])} if time else {}
    fixed_period = None if time else _year_period(info.title)
    frame = observations_frame(
        fetched.observations,
        table_id=info.table_id,
        geo_key=geo,
        time_key=time,
        period_status=period_status,
        herindeling=options.herindeling,
        fixed_period=fixed_period,
    )
    if time:
        _check_partitions(frame, [c.key for c in categories[time]], fetched.per_partition, info.table_id)
    frame, identical, conflicting = without_duplicates(frame)
    if conflicting:
        raise CbsTableError(
            f"tabel {info.table_id}: {conflicting} cellen kwamen meer dan eens binnen met verschillende waarden; "
            "welke juist is, is niet te zeggen"
        )
    if identical:
        log.warning("CBS %s: %d cells came more than once, identical; each is loaded once", info.table_id, identical)
    frame = add_checks(
        frame,
        known_periods=set(period_status) if fixed_period is None else {fixed_period},
        requested_regions=options.regions,
        count_measures={m.key for m in measures if m.unit.lower() == "aantal"},
        rounded=config.rounded,
    )
    version = _Version(
        info,
        frame,
        [
            {"table_id": info.table_id, "dimension": dim, "code": c.key, "title": c.title, "period_status": c.status}
            for dim, cats in categories.items()
            for c in cats
        ],
        size=fetched.bytes,
    )
    return version, fetched


def _check_partitions(frame: pd.DataFrame, periods: list[str], sizes: list[int], table_id: str) -> None:
    """Every cell belongs to the period its partition asked for: a server that answers one period's request with
    another period's cells would otherwise put them in twice, or leave a period out unnoticed."""
    expected = np.repeat(np.array(periods, dtype=object), sizes)
    wrong = frame["periode"].to_numpy(dtype=object) != expected
    if wrong.any():
        first = int(np.argmax(wrong))
        raise CbsTableError(
            f"tabel {table_id}: CBS gaf op de vraag naar periode {expected[first]} ook cijfers van een andere "
            f"periode ({frame['periode'].iloc[first]}); de antwoorden van CBS zijn niet te vertrouwen"
        )


def _judge(versions: list[_Version]) -> None:
    """Quarantine the cells that break a fail rule and collect the warnings, per version (a version is the
    batch's "file" for jeugdmonitor.judging); GX judges the check columns of all versions in one validation."""
    if not versions:
        return
    frame = pd.concat([v.frame.assign(version=i) for i, v in enumerate(versions)], ignore_index=True)
    verdict = judging.judge(frame, frame["version"].to_numpy(), SUITE)
    failed = verdict.failed_by_file()
    for i, version in enumerate(versions):
        version.warnings = [w for w in verdict.warnings if w.file_index == i]
        version.rejections = [_rejected(frame.loc[row], finding) for row, finding in failed.get(i, [])]
        version.frame = frame.loc[(verdict.keys == i) & verdict.loads, COLUMNS].reset_index(drop=True)
        version.sha256 = content_sha256(version.frame)


def _rejected(cell: pd.Series, finding: Finding) -> Rejection:
    """A cell that breaks a fail rule: found by its measure, region, period and dimensions, shown by its value."""
    return rejection(
        finding.reason_code,
        line=int(cell["line"]),
        field=_field_of(finding.reason_code),
        record_key=f"{cell['measure']}|{cell['regio_code']}|{cell['periode']}|{cell['dimensions']}"[:64],
        value_masked=None if pd.isna(cell["value"]) else str(cell["value"]),
    )


def _field_of(code: str) -> str:
    return {
        "cbs_period_invalid": "Perioden",
        "cbs_period_unknown": "Perioden",
        "cbs_region_invalid": "RegioS",
        "cbs_region_unknown": "RegioS",
    }.get(code, "value")


def _load_version(conn: Connection, run_id: str, config: CbsTableConfig, version: _Version, api: str) -> TableOutcome:
    info = version.info
    table_id = info.table_id
    rows_read = len(version.frame) + len(version.rejections)
    result = meta.FileResult(
        _path(info),
        "loaded",
        table_id,
        rows_read=rows_read,
        rows_quarantined=len(version.rejections),
        reasons=dict(Counter(r.reason_code for r in version.rejections)),
        warnings={w.finding.reason_code: w.rows_unexpected for w in version.warnings},
    )
    known = conn.execute(select(meta_cbs_table.c.file_id).where(meta_cbs_table.c.table_id == table_id)).scalar()
    same_content = conn.execute(
        select(meta_source_file.c.file_id).where(meta_source_file.c.sha256 == version.sha256)
    ).scalar()
    if same_content is not None:
        # A new Modified with the same cells (CBS republished metadata only): nothing to load.
        _upsert_state(conn, config, info, api, file_id=same_content, fetched=True)
        result.status, result.rows_read, result.rows_quarantined, result.reasons = "skipped", 0, 0, {}
        return TableOutcome(
            config.purpose,
            table_id,
            "unchanged",
            f"CBS-tabel {table_id} ({info.title}) heeft een nieuwe datum maar dezelfde cijfers.",
            info.modified,
            info.discontinued,
            result=result,
        )

    file_id = meta.record_files(
        conn,
        run_id,
        [
            {
                "sha256": version.sha256,
                "source": "cbs",
                "message_type": table_id,
                "path": _path(info),
                "size_bytes": version.size,
                "modified_at": _modified_at(info.modified),
                "status": "loaded",
                "rows_read": rows_read,
                "rows_loaded": len(version.frame),
                "rows_quarantined": len(version.rejections),
                "reason_code": None,
                "reden": None,
            }
        ],
    )[0]
    existing = pd.DataFrame(
        conn.execute(
            select(stg_cbs_waarneming.c.id, *(stg_cbs_waarneming.c[c] for c in COLUMNS)).where(
                stg_cbs_waarneming.c.table_id == table_id
            )
        )
        .mappings()
        .all(),
        columns=["id", *COLUMNS],
    )
    changes = diff(existing, version.frame)
    bulk.write_rows(conn, stg_cbs_waarneming, _records(changes.inserts.assign(file_id=file_id)))
    if not changes.updates.empty:
        conn.execute(
            update(stg_cbs_waarneming).where(stg_cbs_waarneming.c.id == bindparam("row_id")),
            [
                {**{k: v for k, v in r.items() if k not in ("id", *KEY)}, "row_id": r["id"], "file_id": file_id}
                for r in _records(changes.updates)
            ],
        )
    if not changes.revisions.empty:
        conn.execute(insert(meta_cbs_revisie), _records(changes.revisions.assign(file_id=file_id)))
    conn.execute(delete(stg_cbs_categorie).where(stg_cbs_categorie.c.table_id == table_id))
    conn.execute(insert(stg_cbs_categorie), version.categories)
    meta.record_quarantine(conn, run_id, [(file_id, r) for r in version.rejections])
    meta.record_validation(conn, run_id, [(file_id, w) for w in version.warnings])
    _upsert_state(conn, config, info, api, file_id=file_id, fetched=True)
    pending.mark_files(conn, run_id, [file_id])
    result.rows_loaded = len(version.frame)
    first = known is None
    melding = (
        f"CBS-tabel {table_id} ({info.title}) is {'voor het eerst geladen' if first else 'bijgewerkt'}: "
        f"versie van {_dutch_date(info.modified)}, {len(changes.inserts)} nieuwe en "
        f"{len(changes.updates)} gewijzigde cijfers."
    )
    if info.discontinued:
        melding += (
            " Let op: CBS heeft deze tabel stopgezet; zoek in de CBS-catalogus de opvolger en pas de configuratie aan."
        )
    return TableOutcome(
        config.purpose,
        table_id,
        "loaded",
        melding,
        info.modified,
        info.discontinued,
        rows_inserted=len(changes.inserts),
        rows_updated=len(changes.updates),
        revisions=len(changes.revisions),
        result=result,
    )


def _regions_filter(categories: list[Category], geo: str, regions: frozenset[str]) -> str:
    # v3 keys are padded: an `eq` filter needs the key exactly as CBS has it (cbs.md §1.7).
    keys = [c.raw_key for c in categories if c.key in regions]
    if not keys:
        raise CbsError(f"geen van de regio's van de monitor staat in dimensie {geo}")
    return " or ".join(f"{geo} eq '{k}'" for k in keys)


def _title_filter(categories: list[Category], dimension: str, titles: list[str], table_id: str) -> str:
    by_title = {c.title: c for c in categories}
    missing = [t for t in titles if t not in by_title]
    if missing:
        raise CbsError(
            f"tabel {table_id}: categorie {', '.join(repr(t) for t in missing)} niet gevonden in "
            f"dimensie {dimension}; CBS heeft de indeling gewijzigd of de configuratie klopt niet"
        )
    return " or ".join(f"{dimension} eq '{by_title[t].raw_key}'" for t in titles)


def _year_period(title: str) -> str:
    match = re.search(r"(\d{4})\s*$", title)
    if not match:
        raise CbsError(f"tabel '{title}' heeft geen perioden en geen jaartal in de titel")
    return f"{match.group(1)}JJ00"


def _reason(exc: BaseException, where: str) -> str:
    """Why a table was not refreshed, in Dutch. Our own errors say it themselves; of any other only the type and
    the step: its message could quote what CBS sent."""
    if isinstance(exc, CbsError):
        return str(exc)
    return f"onverwachte fout ({type(exc).__name__}) bij {where}"


def _not_refreshed(
    engine: Engine,
    config: CbsTableConfig,
    table_id: str | None,
    exc: BaseException,
    where: str,
    api: str,
    info: TableInfo | None = None,
) -> list[TableOutcome]:
    """Outcomes for tables that could not be refreshed: the last good version stays in use, and the reason is
    kept in meta_cbs_table.last_error (also for a table that has no version yet)."""
    reason = _reason(exc, where)
    status = "stale" if isinstance(exc, CbsUnavailable) else "failed"
    if status == "failed":
        log.warning("CBS %s: %s", table_id or config.title_startswith, reason)
    known = _states(engine, config.purpose, table_id)
    if not known:
        name = table_id or config.title_startswith or config.purpose
        if table_id:
            _record_error(engine, config, table_id, reason, api, info)
        what = "opgehaald" if status == "stale" else "geladen"
        return [
            TableOutcome(
                config.purpose,
                name,
                status,
                f"CBS-tabel {name} kon niet worden {what}: {reason}. Er zijn nog geen cijfers van "
                "deze tabel in het warehouse.",
                None if info is None else info.modified,
                False if info is None else info.discontinued,
            )
        ]
    outcomes = []
    with engine.begin() as conn:
        for state in known:
            conn.execute(
                update(meta_cbs_table)
                .where(meta_cbs_table.c.table_id == state["table_id"])
                .values(last_error=reason, last_error_at=meta.now(), checked_at=meta.now())
            )
            outcomes.append(
                TableOutcome(
                    config.purpose,
                    state["table_id"],
                    status,
                    f"CBS-tabel {state['table_id']} ({state['title']}) kon niet worden bijgewerkt: {reason}. De "
                    f"monitor gebruikt de laatst geladen versie (van {_dutch_date(state['modified'])}, opgehaald op "
                    f"{_dutch_date(state['fetched_at'])}).",
                    state["modified"],
                )
            )
    return outcomes


def _record_error(
    engine: Engine, config: CbsTableConfig, table_id: str, reason: str, api: str, info: TableInfo | None
) -> None:
    """The reason a table without a loaded version failed, on its meta_cbs_table row (made if need be)."""
    stamp = meta.now()
    values = {"last_error": reason, "last_error_at": stamp, "checked_at": stamp}
    with engine.begin() as conn:
        exists = conn.execute(select(meta_cbs_table.c.table_id).where(meta_cbs_table.c.table_id == table_id)).scalar()
        if exists is not None:
            conn.execute(update(meta_cbs_table).where(meta_cbs_table.c.table_id == table_id).values(**values))
            return
        conn.execute(
            insert(meta_cbs_table).values(
                table_id=table_id,
                purpose=config.purpose,
                title=None if info is None else info.title,
                api=api,
                **values,
            )
        )


def _state(engine: Engine, table_id: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(meta_cbs_table).where(meta_cbs_table.c.table_id == table_id)).mappings().first()
    return dict(row) if row else None


def _states(engine: Engine, purpose: str, table_id: str | None) -> list[dict]:
    query = select(meta_cbs_table).where(meta_cbs_table.c.file_id.is_not(None))
    query = (
        query.where(meta_cbs_table.c.table_id == table_id)
        if table_id
        else query.where(meta_cbs_table.c.purpose == purpose)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query.order_by(meta_cbs_table.c.table_id)).mappings()]


def _mark_checked(engine: Engine, config: CbsTableConfig, info: TableInfo, api: str) -> None:
    with engine.begin() as conn:
        _upsert_state(conn, config, info, api, file_id=None, fetched=False)


def _upsert_state(
    conn: Connection, config: CbsTableConfig, info: TableInfo, api: str, *, file_id: int | None, fetched: bool
) -> None:
    stamp = meta.now()
    values = {
        "purpose": config.purpose,
        "title": info.title,
        "api": api,
        "frequency": info.frequency,
        "status": info.status,
        "checked_at": stamp,
        "last_error": None,
        "last_error_at": None,
    }
    if fetched:
        values |= {"modified": info.modified, "file_id": file_id, "fetched_at": stamp}
    exists = (
        conn.execute(select(meta_cbs_table.c.table_id).where(meta_cbs_table.c.table_id == info.table_id)).scalar()
        is not None
    )
    if exists:
        conn.execute(update(meta_cbs_table).where(meta_cbs_table.c.table_id == info.table_id).values(**values))
    else:
        conn.execute(insert(meta_cbs_table).values(table_id=info.table_id, **values))
    if fetched:
        count = conn.execute(
            select(func.count()).select_from(stg_cbs_waarneming).where(stg_cbs_waarneming.c.table_id == info.table_id)
        ).scalar()
        conn.execute(update(meta_cbs_table).where(meta_cbs_table.c.table_id == info.table_id).values(row_count=count))


def _melding_unchanged(info: TableInfo) -> str:
    return (
        f"CBS-tabel {info.table_id} ({info.title}) is niet gewijzigd sinds de versie van {_dutch_date(info.modified)}."
    )


def _path(info: TableInfo) -> str:
    return f"cbs/{info.table_id}@{info.modified}"


def _modified_at(modified: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(modified)
    except (TypeError, ValueError):
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=CBS_TIMEZONE)


def _dutch_date(value) -> str:
    stamp = value if isinstance(value, datetime) else _modified_at(str(value)) if value else None
    return stamp.strftime("%d-%m-%Y") if stamp else "onbekend"


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts for the database: NaN becomes None."""
    return [{k: (None if _is_missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA
