"""The business rules of a batch of JW323 files: checks (transforms/ijw/checks.py) judged by the GX suite
(expectations/stg_jw323_prestatie.json), applied to the parsed files before they are loaded.

What is JW323's own: the lookups of earlier loads, the check columns and how a failed line is shown. What a
finding then does (fail + row: the line goes to quarantine, the rest of the file loads; fail + file: the whole
file is refused; warn: the line loads and the finding is recorded for the alerts) is jeugdmonitor.judging, the
same for every source.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from jeugdmonitor import bulk, judging
from jeugdmonitor.schemas.warehouse import stg_jw301_toewijzing, stg_jw323_prestatie
from jeugdmonitor.transforms.ijw.checks import Known, jw323_checks
from jeugdmonitor.transforms.ijw.records import to_frame
from jeugdmonitor.transforms.ijw.specs import JW323
from jeugdmonitor.transforms.reasons import Rejection, rejection
from jeugdmonitor.validation import FileWarning, Finding

SUITE = "stg_jw323_prestatie"
# Positions in a JW323 row (a tuple in JW323.row_columns order, as parse_file keeps them).
_LINE, _REFERENTIE, _DECLARATIE_TOTAAL = (
    JW323.row_columns.index(c) for c in ("line", "referentie_nummer", "declaratie_totaal")
)


def apply_jw323_rules(
    conn: Connection,
    files: list,
    batch_toewijzingen: Iterable[tuple[str, str, int]],
    productcodes: frozenset[str] | None = None,
) -> list[FileWarning]:
    """Judge the JW323 rows of `files` (ParsedFile objects, changed in place) and return the warnings."""
    frame = _frame(files)
    if frame.empty:
        return []
    known = Known(
        referenties=_known_referenties(conn, frame),
        toewijzingen=_known_toewijzingen(conn, frame) | frozenset(batch_toewijzingen),
        productcodes=productcodes,
    )
    checked = jw323_checks(frame, known, _declared_totals(files))
    verdict = judging.judge(checked, frame["file_key"].to_numpy(), SUITE)
    judging.apply_to_files(files, verdict, frame["row_position"].to_numpy(), _rejected)
    return verdict.warnings


def _rejected(row: tuple, finding: Finding) -> Rejection:
    """A JW323 line that breaks a fail rule: shown by its ReferentieNummer (masked), not by a value."""
    return rejection(finding.reason_code, line=row[_LINE], record_key=row[_REFERENTIE], field=finding.field)


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
    return pd.Series(
        {
            key: parsed.rows[0][_DECLARATIE_TOTAAL]
            for key, parsed in enumerate(files)
            if parsed.rows and not parsed.rejections
        },
        dtype="int64",
    )


def _matching(conn: Connection, columns: list, key, values: list) -> set[tuple]:
    """Rows of `columns` whose `key` (a column, or a list of columns with tuples as values) is one of `values`."""
    return {tuple(r) for r in bulk.rows_where_in(conn, select(*columns).distinct(), key, values)}


def _known_referenties(conn: Connection, frame: pd.DataFrame) -> frozenset[tuple[str, str]]:
    """(aanbieder, ReferentieNummer) of earlier loads among the batch's own and credited numbers: as pairs, so that
    the unique index on them answers (ReferentieNummers are unique per aanbieder only)."""
    credits = frame[frame["vorig_referentie_nummer"].notna()]
    # Unsorted: the server finds each pair through the index whatever their order (sorting them cost more here)
    wanted = list(
        set(zip(frame["aanbieder_agb"].tolist(), frame["referentie_nummer"].tolist(), strict=True))
        | set(zip(credits["aanbieder_agb"].tolist(), credits["vorig_referentie_nummer"].tolist(), strict=True))
    )
    table = stg_jw323_prestatie
    columns = [table.c.aanbieder_agb, table.c.referentie_nummer]
    return frozenset(_matching(conn, columns, columns, wanted))


def _known_toewijzingen(conn: Connection, frame: pd.DataFrame) -> frozenset[tuple[str, str, int]]:
    table = stg_jw301_toewijzing
    wanted = sorted(set(frame["toewijzing_nummer"].tolist()))
    return frozenset(
        _matching(
            conn,
            [table.c.gemeentecode, table.c.aanbieder_agb, table.c.toewijzing_nummer],
            table.c.toewijzing_nummer,
            wanted,
        )
    )
