"""Row-level business-rule columns for the JW323 GX suite (expectations/stg_jw323_prestatie.json).

Each check_* column is True when the rule holds. The arithmetic lives here, in plain pandas that is easy to test;
the suite decides what a failure means (severity fail or warn) and reports it. Lookups against earlier loads
(known ReferentieNummers and toewijzingen) are handed in by the caller, so this stays free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MINUTE, HOUR, EURO = "01", "04", "83"


@dataclass(frozen=True)
class Known:
    """What earlier loads already hold, for the rows at hand."""

    referenties: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (aanbieder_agb, referentie)
    toewijzingen: frozenset[tuple[str, str, int]] = field(default_factory=frozenset)  # (gemeente, agb, nummer)
    productcodes: frozenset[str] | None = None  # None: no productcode table, every code passes


def expected_amount(volume: pd.Series, tarief: pd.Series, eenheid: pd.Series) -> pd.Series:
    """Bedrag in cents by TR346/CS339/IV081. Minutes are declared against an hourly tariff: volume × tarief / 60,
    rounded half up to whole cents; Eenheid 83 (euro's) carries the amount in the volume."""
    tarief = tarief.astype("float64")
    plain = volume * tarief
    per_minute = np.floor(volume * tarief / 60 + 0.5)
    amount = np.where(eenheid == EURO, volume, np.where(eenheid == MINUTE, per_minute, plain))
    return pd.Series(amount, index=volume.index)


def jw323_checks(frame: pd.DataFrame, known: Known, file_totals: pd.Series | None = None) -> pd.DataFrame:
    """`frame` with the check_* columns the suite reads. `file_totals` maps file_key → signed declared total
    (TotaalIngediendBedrag) for files whose every line parsed; others get check_totaal = True (not judgeable)."""
    out = frame.copy()
    tarief_missing = out["product_tarief"].isna() & (out["eenheid"] != EURO)
    expected = expected_amount(out["geleverd_volume"], out["product_tarief"].fillna(0), out["eenheid"])
    out["check_bedrag"] = ~tarief_missing & (expected == out["ingediend_bedrag"])

    begin = pd.to_datetime(out["product_periode_begin"])
    end = pd.to_datetime(out["product_periode_eind"])
    out["check_periode_in_maand"] = (begin.dt.year == end.dt.year) & (begin.dt.month == end.dt.month)
    out["check_periode_in_declaratie"] = end <= pd.to_datetime(out["declaratie_periode_eind"])

    # Plain lists, not Series, for the per-row set lookups: iterating a Series costs a pandas call per value.
    aanbieders = out["aanbieder_agb"].tolist()
    own = list(zip(aanbieders, out["referentie_nummer"].tolist(), strict=True))
    seen_before = pd.Series([key in known.referenties for key in own], index=out.index, dtype=bool)
    repeated_here = pd.Series(own, index=out.index).duplicated(keep="first")
    out["check_referentie_nieuw"] = ~(seen_before | repeated_here)

    debets_here = set(own)
    credit = out["vorig_referentie_nummer"].notna().tolist()
    credit_keys = zip(aanbieders, out["vorig_referentie_nummer"].tolist(), strict=True)
    out["check_credit_bekend"] = [
        (not is_credit) or key in known.referenties or key in debets_here
        for is_credit, key in zip(credit, credit_keys, strict=True)
    ]

    toewijzing_keys = zip(out["gemeentecode"].tolist(), aanbieders, out["toewijzing_nummer"].tolist(), strict=True)
    out["check_toewijzing_bekend"] = [key in known.toewijzingen for key in toewijzing_keys]
    out["check_productcode"] = out["product_code"].str[:2] == out["product_categorie"]
    out["check_productcode_bekend"] = (
        True if known.productcodes is None else out["product_code"].isin(known.productcodes)
    )

    out["check_totaal"] = True
    if file_totals is not None and "file_key" in out:
        sums = out.groupby("file_key")["bedrag"].sum()
        mismatched = {k for k, total in file_totals.items() if k in sums.index and sums[k] != total}
        out["check_totaal"] = ~out["file_key"].isin(mismatched)
    return out
