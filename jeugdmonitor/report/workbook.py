"""The Excel workbook beside a gemeente page: the same frames the page is built from, one sheet per figure.

A hook for the reader views' `jeugdmonitor export --xlsx` (merged later): when it exists, the build can call it
instead of this module, which is then the only place to change.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
    """One sheet per figure, rows as in the marts (a suppressed cell stays empty, with `onderdrukt` true)."""
    with pd.ExcelWriter(path, engine="openpyxl") as excel:
        for name, frame in figures.items():
            _plain(frame).to_excel(excel, sheet_name=SHEETS.get(name, name)[:31], index=False)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: timestamps are written as local wall time."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out
