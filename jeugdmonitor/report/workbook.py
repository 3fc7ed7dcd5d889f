"""The Excel workbook beside a gemeente page: the same frames the page is built from, one sheet per figure.

A hook for the reader views' `jeugdmonitor export --xlsx` (merged later): when it exists, the build can call it
instead of this module, which is then the only place to change.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

# Sheet names (at most 31 characters in Excel) per figure of jeugdmonitor/report/data.py.
SHEETS = {
    "jeugdhulpgebruik": "jeugdhulpgebruik",
    "aanmeldingen": "aanmeldingen",
    "verwijspercentage": "verwijspercentage",
    "verwijzingen": "verwijzingen",
    "doorlooptijd": "doorlooptijd",
    "doorlooptijd_aanbieder": "doorlooptijd aanbieder",
    "doorlooptijd_keten": "doorlooptijd keten",
    "ots": "ots",
    "uithuisplaatsingen": "uithuisplaatsingen",
    "kosten": "kosten",
    "cbs_vergelijking": "cbs vergelijking",
    "scorecard": "datakwaliteit",
}


def write(path: Path, figures: dict[str, pd.DataFrame]) -> None:
    """One sheet per figure, rows as in the marts (a suppressed cell stays empty, with `onderdrukt` true).
    openpyxl's write-only mode: a workbook per gemeente in a fraction of a second, not seconds."""
    book = Workbook(write_only=True)
    for name, frame in figures.items():
        sheet = book.create_sheet(SHEETS.get(name, name)[:31])
        sheet.append(list(frame.columns))
        for row in _plain(frame).itertuples(index=False):
            sheet.append(list(row))
    book.save(path)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells Excel can hold: no time zones (local wall time), NULL as an empty cell, Python numbers."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    out = out.astype(object)
    return out.where(out.notna(), None)
