"""The business rules of a batch of JW323 files: checks (transforms/ijw/checks.py) judged by the GX suite
(expectations/stg_jw323_prestatie.json), applied to the parsed files before they are loaded.

fail + row: the line goes to quarantine, the rest of the file loads. fail + file: the whole file is refused.
warn: the line loads and the finding is recorded in meta_validation_result for the alerts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from jeugdmonitor import bulk
from jeugdmonitor.schemas.warehouse import stg_jw301_toewijzing, stg_jw323_prestatie
from jeugdmonitor.transforms.ijw.checks import Known, jw323_checks
from jeugdmonitor.transforms.ijw.records import to_frame
from jeugdmonitor.transforms.ijw.specs import JW323
from jeugdmonitor.transforms.reasons import Rejection, rejection
from jeugdmonitor.validation import FileWarning, Finding, validator

SUITE = "stg_jw323_prestatie"
# Positions in a JW323 row (a tuple in JW323.row_columns order, as parse_file keeps them).
_LINE, _REFERENTIE, _DECLARATIE_TOTAAL = (JW323.row_columns.index(c)
                                          for c in ("line", "referentie_nummer", "declaratie_totaal"))


def apply_jw323_rules(conn: Connection, files: list, batch_toewijzingen: Iterable[tuple[str, str, int]],
                      productcodes: frozenset[str] | None = None) -> list[FileWarning]:
    """Judge the JW323 rows of `files` (ParsedFile objects, changed in place) and return the warnings."""
    frame = _frame(files)
    if frame.empty:
        return []
    known = Known(referenties=_known_referenties(conn, frame),
                  toewijzingen=_known_toewijzingen(conn, frame) | frozenset(batch_toewijzingen),
                  productcodes=productcodes)
    totals = _declared_totals(files)
    outcome = validator().validate(jw323_checks(frame, known, totals), SUITE)

    refused_files: dict[int, Finding] = {}
    failed_rows: dict[int, Finding] = {}
    for finding in (f for f in outcome.findings if f.severity == "fail"):
        if finding.scope == "file":
            for key in set(frame.loc[list(finding.rows), "file_key"]):
                refused_files.setdefault(int(key), finding)
        else:
            for row in finding.rows:
                failed_rows.setdefault(int(row), finding)  # the first rule broken names the reason

    # A warning counts only lines that load: a line quarantined for another reason is reported there.
    warnings: list[FileWarning] = []
    evaluated = frame["file_key"].value_counts()
    for finding in (f for f in outcome.findings if f.severity != "fail"):
        loading = [r for r in finding.rows if r not in failed_rows]
        per_file = Counter(int(k) for k in frame.loc[loading, "file_key"] if int(k) not in refused_files)
        warnings += [FileWarning(key, finding, int(evaluated[key]), n) for key, n in per_file.items()]

    _apply(files, frame, refused_files, failed_rows)
    return warnings


def _frame(files: list) -> pd.DataFrame:
    """The rows of `files` with file_key (the file's index in `files`) and row_position (the row's in its file)."""
    counts = np.array([len(parsed.rows) for parsed in files], dtype="int64")
    if not counts.sum():
        return pd.DataFrame()
    frame = to_frame([row for parsed in files for row in parsed.rows], JW323)
    frame["file_key"] = np.repeat(np.arange(len(files)), counts)
    frame["row_position"] = np.arange(len(frame)) - np.repeat(np.cumsum(counts) - counts, counts)
    return frame


def _declared_totals(files: list) -> pd.Series:
    """Declared totals of the files whose every line parsed: only those can be held against their sum."""
    return pd.Series({key: parsed.rows[0][_DECLARATIE_TOTAAL] for key, parsed in enumerate(files)
                      if parsed.rows and not parsed.rejections}, dtype="int64")


def _apply(files: list, frame: pd.DataFrame, refused: dict[int, Finding], failed: dict[int, Finding]) -> None:
    for key, finding in refused.items():
        parsed = files[key]
        parsed.refused = rejection(finding.reason_code, field=finding.field, detail=finding.rule)
        parsed.rows, parsed.rejections = [], []
    drop: dict[int, set[int]] = {}
    file_keys, positions = frame["file_key"].to_numpy(), frame["row_position"].to_numpy()
    for index, finding in failed.items():
        key, position = int(file_keys[index]), int(positions[index])
        if key in refused:
            continue
        row = files[key].rows[position]
        files[key].rejections.append(Rejection(finding.reason_code, rejection(finding.reason_code).reden,
                                               row[_LINE], row[_REFERENTIE], finding.field, None))
        drop.setdefault(key, set()).add(position)
    for key, dropped in drop.items():
        files[key].rows = [r for i, r in enumerate(files[key].rows) if i not in dropped]


def _matching(conn: Connection, columns: list, key, values: list) -> set[tuple]:
    """Rows of `columns` whose `key` (a column, or a list of columns with tuples as values) is one of `values`."""
    return {tuple(r) for r in bulk.rows_where_in(conn, select(*columns).distinct(), key, values)}


def _known_referenties(conn: Connection, frame: pd.DataFrame) -> frozenset[tuple[str, str]]:
    """(aanbieder, ReferentieNummer) of earlier loads among the batch's own and credited numbers: as pairs, so that
    the unique index on them answers (ReferentieNummers are unique per aanbieder only)."""
    credits = frame[frame["vorig_referentie_nummer"].notna()]
    # Unsorted: the server finds each pair through the index whatever their order (sorting them cost more here)
    wanted = list(set(zip(frame["aanbieder_agb"].tolist(), frame["referentie_nummer"].tolist(), strict=True))
                  | set(zip(credits["aanbieder_agb"].tolist(), credits["vorig_referentie_nummer"].tolist(),
                            strict=True)))
    table = stg_jw323_prestatie
    columns = [table.c.aanbieder_agb, table.c.referentie_nummer]
    return frozenset(_matching(conn, columns, columns, wanted))


def _known_toewijzingen(conn: Connection, frame: pd.DataFrame) -> frozenset[tuple[str, str, int]]:
    table = stg_jw301_toewijzing
    wanted = sorted(set(frame["toewijzing_nummer"].tolist()))
    return frozenset(_matching(conn, [table.c.gemeentecode, table.c.aanbieder_agb, table.c.toewijzing_nummer],
                               table.c.toewijzing_nummer, wanted))
