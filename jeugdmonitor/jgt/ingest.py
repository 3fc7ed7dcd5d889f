"""Loading JGT registration exports (CSV/XLSX): read, map to canonical rows, judge a batch of files by the GX
suite expectations/stg_jgt_registratie.json, and write the batch in one transaction (the iJw pattern of
jeugdmonitor.ijw.ingest).

Per file: rows read = rows loaded + rows quarantined. A file whose header matches no layout is refused whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

import pandas as pd
from sqlalchemy import Engine

from jeugdmonitor import bulk, judging, meta, stages
from jeugdmonitor.discovery import Delivery, read_file
from jeugdmonitor.loading import ParsedFile, batches, file_record, file_result
from jeugdmonitor.marts import pending
from jeugdmonitor.progress import Progress
from jeugdmonitor.schemas.jgt_layouts import Layout, load_layouts, load_region_tables
from jeugdmonitor.schemas.warehouse import stg_jgt_registratie
from jeugdmonitor.transforms.jgt.canonical import RegionLookup, canonical_rows
from jeugdmonitor.transforms.jgt.checks import jgt_checks
from jeugdmonitor.transforms.jgt.read import read_export
from jeugdmonitor.transforms.reasons import FileRejected, Rejection, rejection, unexpected
from jeugdmonitor.validation import FileWarning, Finding

SUITE = "stg_jgt_registratie"
SUFFIXES = (".csv", ".xlsx")
MAX_FILE_BYTES = 50 * 1024 * 1024  # a team's monthly export is kilobytes; anything this big is not one


@dataclass(frozen=True)
class JgtOptions:
    # Defaults: the bundled demo region and layouts; the flow passes the configured ones (jeugdmonitor.region).
    region: RegionLookup = field(default_factory=lambda: RegionLookup.build(load_region_tables()))
    layouts: tuple[Layout, ...] = field(default_factory=load_layouts)
    batch_rows: int = 50_000


def parse_file(delivery: Delivery, pseudonymise: Callable[[str], str], options: JgtOptions) -> ParsedFile:
    """Read one export completely; never raises (the outcome says what happened): bad input is refused with its
    reason, any other failure of this one file with the type of the error only (its message can quote the file)."""
    try:
        return _parse_file(delivery, pseudonymise, options)
    except Exception as exc:  # noqa: BLE001 - whatever goes wrong with one file is that file's failure
        return ParsedFile(delivery.identified(), None, refused=unexpected(exc))


def _parse_file(delivery: Delivery, pseudonymise: Callable[[str], str], options: JgtOptions) -> ParsedFile:
    if delivery.refused:
        return ParsedFile(delivery.identified(), None, refused=rejection(delivery.refused))
    try:
        if delivery.size > MAX_FILE_BYTES:  # refused unread
            raise FileRejected("export_too_large", f"{delivery.size / 1024 / 1024:.1f} MB")
        data = read_file(delivery.location, MAX_FILE_BYTES, delivery.size)
        if data is None:  # the cap counts the bytes read, not the stat size
            raise FileRejected("export_too_large", f"meer dan {MAX_FILE_BYTES // 1024 // 1024} MB gelezen")
        table = read_export(data, options.layouts, suffix=PurePosixPath(delivery.relative).suffix.lower())
    except FileRejected as rejected:
        return ParsedFile(delivery.identified(), None, refused=rejected.rejection)
    result = canonical_rows(table, pseudonymise, options.region, delivery.path.name)
    parsed = ParsedFile(delivery, f"JGT-{table.layout.name}", rows=result.rows, rejections=result.rejections)
    if parsed.rows and parsed.rows[0]["export_maand"] is None:
        return ParsedFile(
            delivery,
            parsed.message_type,
            refused=FileRejected("file_unreadable", "de exportmaand is niet te bepalen").rejection,
        )
    return parsed


def apply_jgt_rules(files: list[ParsedFile], options: JgtOptions) -> list[FileWarning]:
    """Judge the rows of `files` (changed in place: failing rows move to their rejections); returns warnings."""
    records = [
        row | {"file_key": key, "row_position": pos}
        for key, parsed in enumerate(files)
        for pos, row in enumerate(parsed.rows)
    ]
    if not records:
        return []
    frame = pd.DataFrame.from_records(records)
    checked = jgt_checks(frame, options.region.gemeenten, options.region.team_codes)
    verdict = judging.judge(checked, frame["file_key"].to_numpy(), SUITE)
    judging.apply_to_files(files, verdict, frame["row_position"].to_numpy(), _rejected)
    return verdict.warnings


def _rejected(row: dict, finding: Finding) -> Rejection:
    return rejection(
        finding.reason_code,
        line=row["line"],
        record_key=row["registratie_id"],
        field=finding.field,
        value_masked=_shown(row, finding),
    )


def _judged(files: list[ParsedFile], options: JgtOptions) -> list[FileWarning]:
    """apply_jgt_rules on the batch at once; when that fails, file by file, so that a file whose rows break the
    judging itself is refused (by the error's type) and the other files of the batch still load. The rules change
    a file only after it has been judged, so a failed judgement leaves the files as they were."""
    try:
        return apply_jgt_rules(files, options)
    except Exception:  # noqa: BLE001 - which file broke it is found below
        pass
    warnings: list[FileWarning] = []
    for index, parsed in enumerate(files):
        try:
            warnings += [replace(w, file_index=index) for w in apply_jgt_rules([parsed], options)]
        except Exception as exc:  # noqa: BLE001 - this file's failure, not the batch's
            parsed.refused, parsed.rows, parsed.rejections = unexpected(exc), [], []
    return warnings


def _shown(row: dict, finding: Finding) -> str | None:
    """The offending value for the quarantine report (the BSN field is never shown; the Rejection masks the rest)."""
    value = {
        "gemeente": row.get("gemeente_export"),
        "team": row.get("team_export"),
        "registratie_id": row.get("registratie_id"),
        "datum_start_hulp": row.get("datum_start_hulp"),
        "afsluitdatum": row.get("afsluitdatum"),
        "aanmelddatum": row.get("aanmelddatum"),
    }.get(finding.field or "")
    return None if value is None else str(value)


def load_batch(engine: Engine, run_id: str, batch: list[ParsedFile], options: JgtOptions) -> list[meta.FileResult]:
    """Judge and write a batch of parsed exports in one transaction; one FileResult per file."""
    loadable = [p for p in batch if p.refused is None and p.rows]
    clock = stages.clock()
    with clock.stage("validate"):
        warnings = _judged(loadable, options)
    clock.count("validate", sum(len(p.rows) for p in loadable))
    results = [file_result(p) for p in batch]
    if not batch:
        return results
    with clock.stage("load"), engine.begin() as conn:
        ids = meta.record_files(conn, run_id, [file_record(p, r, "jgt") for p, r in zip(batch, results, strict=True)])
        rows: list[dict] = []
        quarantine: list[tuple[int, Rejection]] = []
        for parsed, file_id in zip(batch, ids, strict=True):
            if parsed.refused is not None:
                quarantine.append((file_id, parsed.refused))
                continue
            for row in parsed.rows:
                row["file_id"] = file_id
            rows.extend(parsed.rows)
            quarantine.extend((file_id, r) for r in parsed.rejections)
        bulk.write_rows(
            conn,
            stg_jgt_registratie,
            [{c.name: r.get(c.name) for c in stg_jgt_registratie.c if c.name != "id"} for r in rows],
        )
        meta.record_quarantine(conn, run_id, quarantine)
        file_id_of = {id(p): i for p, i in zip(batch, ids, strict=True)}
        meta.record_validation(conn, run_id, [(file_id_of[id(loadable[w.file_index])], w) for w in warnings])
        pending.mark_files(conn, run_id, ids)
    clock.count("load", len(rows))
    result_of = {id(p): r for p, r in zip(batch, results, strict=True)}
    for w in warnings:
        result_of[id(loadable[w.file_index])].warnings[w.finding.reason_code] = w.rows_unexpected
    return results


def load_files(
    engine: Engine,
    run_id: str,
    deliveries: Iterable[Delivery],
    pseudonymise: Callable[[str], str],
    options: JgtOptions | None = None,
    progress: Progress | None = None,
) -> list[meta.FileResult]:
    """Parse and load `deliveries` in batches (in path order: a team's months in sequence); `progress` counts the
    files and rows read as each batch commits."""
    options = options or JgtOptions()
    clock = stages.clock()
    parsed = (parse_file(d, pseudonymise, options) for d in sorted(deliveries, key=lambda d: d.relative))
    results: list[meta.FileResult] = []
    for batch in clock.timed("parse", batches(parsed, max_rows=options.batch_rows)):
        clock.count("parse", sum(p.lines_read for p in batch))
        loaded = load_batch(engine, run_id, batch, options)
        results.extend(loaded)
        if progress is not None:
            progress.add(len(loaded), sum(r.rows_read for r in loaded))
    return results
