"""mart_doorlooptijd, mart_doorlooptijd_aanbieder and mart_doorlooptijd_keten: how long youths wait for help.

Definitions (indicators.md section 2; docs/indicators/ has the page per mart):

- mart_doorlooptijd (JGT): per registration, calendar days from aanmelddatum to datum_start_hulp, counted in the
  month of the start, per team and for the gemeente (team 'totaal'). Every registration counts on its own: a
  re-registration has its own start, so the 30-day merge of mart_aanmeldingen does not apply here.
- mart_doorlooptijd_aanbieder (iJw): per toewijzing, days from its Ingangsdatum (JW301) to its first Begindatum
  (JW305, earliest live start with that ToewijzingNummer; deleted starts are not in fact_zorgperiode), counted in
  the month of that first start, per aanbieder and for the gemeente (aanbieder 'totaal').
- mart_doorlooptijd_keten (JGT + iJw): per youth, linked by pseudonym, aanmelding -> toewijzing -> start zorg,
  counted in the month of the start (see `link_keten`).

Figures: `mediaan_dagen` is the median (the mean of the middle two for an even count); `p80_dagen` is pandas
`quantile(0.8)` with linear interpolation: for n sorted day counts it lies at position 0.8 x (n - 1), between the
two nearest values (as Excel PERCENTILE.INC), so it need not be a day count that occurred. `binnen_norm_pct` is
the share with days <= norm, in %. A month without starts has `aantal` 0 and NaN figures. Quarter and year rows
take the same figures over the starts of all their months (a quarter's median is the median of its cases, not of
monthly medians).

Queue on the last day E of each month ("a closed-case median alone hides the queue"):
- JGT: aanmelddatum <= E, no start on or before E, not closed on or before E; longer than the norm when
  (E - aanmelddatum) > norm days.
- iJw: Ingangsdatum <= E, einddatum empty or >= E (still current on E), no start on or before E; longer than the
  norm when (E - Ingangsdatum) > norm days.
The queue of a quarter or year is that on the last day of its last month the window covers (a stock, not a sum).

Suppression is not applied here: jeugdmonitor/marts/build.py does it on the rows these functions return.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from jeugdmonitor.schemas.marts import (
    TOTAAL,
    mart_doorlooptijd,
    mart_doorlooptijd_aanbieder,
    mart_doorlooptijd_keten,
)
from jeugdmonitor.transforms.marts.common import (
    from_first_appearance,
    grid,
    last_month,
    mart_columns,
    month_of,
    over_periods,
    period_cells,
    with_period_labels,
    with_totaal,
)
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.periods import month_end

KETEN_MAX_DAGEN = 365  # a toewijzing more than a year after the aanmelding is not its follow-up
STATS = ["aantal", "mediaan_dagen", "p80_dagen", "binnen_norm_pct"]
QUEUE = ["wachtend_aantal", "wachtend_langer_dan_norm"]
# Not published: the counts a percentage implies, so that the builder can hide binnen_norm_pct when either is small.
NORM_SPLIT = ["_binnen_norm", "_buiten_norm"]
PERIOD = ["periode_type", "maand"]


def _stats(frame: pd.DataFrame, part: str, norm: int, window: Window) -> pd.DataFrame:
    """aantal, median, p80 and share within the norm of `dagen` per part and period (with 'totaal')."""
    both = with_totaal(over_periods(frame[[part, "maand", "dagen"]], window), part)
    both = both.assign(dagen=both["dagen"].astype(float), binnen=(both["dagen"] <= norm).astype(float))
    grouped = both.groupby([part, *PERIOD])
    within = grouped["binnen"].sum()
    return pd.DataFrame(
        {
            "aantal": grouped.size(),
            "mediaan_dagen": grouped["dagen"].median(),
            "p80_dagen": grouped["dagen"].quantile(0.8),  # linear interpolation (pandas default)
            "binnen_norm_pct": grouped["binnen"].mean() * 100,
            "_binnen_norm": within,
            "_buiten_norm": grouped.size() - within,
        }
    ).reset_index()


def _queue(
    frame: pd.DataFrame,
    part: str,
    since: str,
    window: Window,
    norm: int,
    waiting: Callable[[pd.DataFrame, pd.Timestamp], pd.Series],
) -> pd.DataFrame:
    """Per month of the window: how many rows of `frame` are `waiting` on its last day, and how many of those
    have waited more than `norm` days since `since`."""
    parts = []
    for first in window.months:
        end = pd.Timestamp(month_end(first))
        queued = frame[waiting(frame, end)]
        tagged = pd.DataFrame(
            {
                part: queued[part],
                "wachtend_aantal": 1,
                "wachtend_langer_dan_norm": ((end - queued[since]).dt.days > norm).astype(int),
            }
        )
        counts = with_totaal(tagged, part).groupby(part)[QUEUE].sum().reset_index()
        parts.append(counts.assign(maand=pd.Timestamp(first)))
    if not parts:
        return pd.DataFrame(columns=[part, *PERIOD, *QUEUE])
    monthly = pd.concat(parts, ignore_index=True)
    # a quarter's or year's queue is that of its last covered month
    cells = period_cells(window)
    cells = cells.assign(_last=last_month(cells, window))
    return cells.merge(monthly.rename(columns={"maand": "_last"}), on="_last").drop(columns="_last")


def _assemble(
    grid: pd.DataFrame, part: str, pieces: list[pd.DataFrame], counts: list[str], window: Window
) -> pd.DataFrame:
    out = grid
    for piece in pieces:
        out = out.merge(piece, on=[part, *PERIOD], how="left")
    out[counts] = out[counts].fillna(0).astype(int)
    return with_period_labels(out, window)


# -- JGT: aanmelding -> start hulp --------------------------------------------------------------------------------


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """mart_doorlooptijd: gemeente x team (+ 'totaal') x maand."""
    norm = params.norm_dagen
    regs = inputs.aanmeldingen.dropna(subset=["aanmelddatum"])
    # A start before the aanmelding is quarantined at load (check_start_na_aanmelding, severity fail); dropping it
    # here as well keeps a negative day count out of the figures and the queue should one ever get through.
    regs = regs[~(regs["datum_start_hulp"] < regs["aanmelddatum"])]
    started = regs.dropna(subset=["datum_start_hulp"])
    started = started.assign(
        dagen=(started["datum_start_hulp"] - started["aanmelddatum"]).dt.days,
        maand=month_of(started["datum_start_hulp"]),
    )

    def waiting(frame: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
        not_started = frame["datum_start_hulp"].isna() | (frame["datum_start_hulp"] > end)
        not_closed = frame["afsluitdatum"].isna() | (frame["afsluitdatum"] > end)
        return (frame["aanmelddatum"] <= end) & not_started & not_closed

    teams = sorted(set(inputs.teams) | set(inputs.aanmeldingen["team"].dropna())) + [TOTAAL]
    out = _assemble(
        grid("team", teams, window),
        "team",
        [_stats(started, "team", norm, window), _queue(regs, "team", "aanmelddatum", window, norm, waiting)],
        ["aantal", *QUEUE, *NORM_SPLIT],
        window,
    )
    out = out.assign(gemeentecode=inputs.gemeentecode, norm_dagen=norm, bron="jgt")
    return out[mart_columns(mart_doorlooptijd) + NORM_SPLIT]


# -- iJw: toewijzing -> start zorg --------------------------------------------------------------------------------


def first_starts(toewijzingen: pd.DataFrame, zorgperiodes: pd.DataFrame) -> pd.DataFrame:
    """One row per toewijzing (gemeentecode, toewijzing_nummer) with `eerste_start`: the earliest begindatum of
    its zorgperiodes (NaT without any). fact_zorgperiode holds live starts only, so a deleted start is absent."""
    key = ["gemeentecode", "toewijzing_nummer"]
    periods = _with_nummer(zorgperiodes.dropna(subset=["toewijzing_nummer", "begindatum"]))
    starts = periods.groupby(key)["begindatum"].min().rename("eerste_start").reset_index()
    return _by_toewijzing(toewijzingen).merge(starts, on=key, how="left")


def _with_nummer(frame: pd.DataFrame) -> pd.DataFrame:
    """ToewijzingNummer as int64 on both sides of a join: read from the warehouse it can arrive as int, as float
    (a column with an empty value) or as object (an empty frame), and pandas will not join those reliably."""
    return frame.assign(toewijzing_nummer=frame["toewijzing_nummer"].astype("int64"))


def _by_toewijzing(toewijzingen: pd.DataFrame) -> pd.DataFrame:
    return _with_nummer(toewijzingen.drop_duplicates(["gemeentecode", "toewijzing_nummer"]))


def build_aanbieder(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """mart_doorlooptijd_aanbieder: gemeente x aanbieder_agb (+ 'totaal') x maand."""
    norm = params.norm_dagen
    tw = first_starts(inputs.toewijzingen.dropna(subset=["toewijzing_nummer", "ingangsdatum"]), inputs.zorgperiodes)
    started = tw.dropna(subset=["eerste_start"])
    started = started.assign(
        dagen=(started["eerste_start"] - started["ingangsdatum"]).dt.days, maand=month_of(started["eerste_start"])
    )
    # A Begindatum before the Ingangsdatum breaks the iJw rule that a start lies within its toewijzing; no load
    # check catches it yet. Such a toewijzing has started (it is not waiting) but its negative day count would
    # pull the median down, so it stays out of the figures.
    started = started[started["dagen"] >= 0]

    def waiting(frame: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
        current = (frame["ingangsdatum"] <= end) & (frame["einddatum"].isna() | (frame["einddatum"] >= end))
        return current & ~(frame["eerste_start"] <= end)

    aanbieders = sorted(set(inputs.toewijzingen["aanbieder_agb"].dropna())) + [TOTAAL]
    out = _assemble(
        grid("aanbieder_agb", aanbieders, window),
        "aanbieder_agb",
        [
            _stats(started, "aanbieder_agb", norm, window),
            _queue(tw, "aanbieder_agb", "ingangsdatum", window, norm, waiting),
        ],
        ["aantal", *QUEUE, *NORM_SPLIT],
        window,
    )
    known = inputs.toewijzingen.dropna(subset=["aanbieder_agb"])
    first = month_of(known[["toewijzingsdatum", "ingangsdatum"]].min(axis=1)).groupby(known["aanbieder_agb"]).min()
    out = from_first_appearance(out, "aanbieder_agb", first)
    out = out.assign(gemeentecode=inputs.gemeentecode, norm_dagen=norm, bron="ijw")
    return out[mart_columns(mart_doorlooptijd_aanbieder) + NORM_SPLIT]


# -- keten: aanmelding -> toewijzing -> start zorg ----------------------------------------------------------------


def link_keten(aanmeldingen: pd.DataFrame, toewijzingen: pd.DataFrame, zorgperiodes: pd.DataFrame) -> pd.DataFrame:
    """The complete chains: one row per linked aanmelding with aanmelddatum, eerste_toewijzingsdatum and start.

    An aanmelding links to the first toewijzing of the same pseudonym (by eerste_toewijzingsdatum, then
    ToewijzingNummer) on or after its aanmelddatum and at most KETEN_MAX_DAGEN later; a toewijzing serves at most
    one aanmelding, the latest one before it. Computed from the toewijzing side: each toewijzing goes to the
    latest aanmelding in reach, then each aanmelding keeps the first toewijzing it got. That gives the same pairs
    (an aanmelding whose first toewijzing goes to a later aanmelding gets none) without an iterative match.
    The start is the earliest Begindatum of that toewijzing on or after its eerste_toewijzingsdatum; a chain
    whose toewijzing has no such start is not complete and not counted.
    """
    aanmelding = ["team", "registratie_id"]  # the key of fact_jgt_aanmelding
    regs = aanmeldingen.dropna(subset=["client_pseudonym", "aanmelddatum"])[
        ["client_pseudonym", *aanmelding, "aanmelddatum"]
    ]
    toewijzing = ["gemeentecode", "toewijzing_nummer"]
    tw = _by_toewijzing(
        toewijzingen.dropna(subset=["toewijzing_nummer", "client_pseudonym", "eerste_toewijzingsdatum"])
    )
    tw = tw[[*toewijzing, "client_pseudonym", "eerste_toewijzingsdatum"]]
    pairs = tw.merge(regs, on="client_pseudonym")
    gap = (pairs["eerste_toewijzingsdatum"] - pairs["aanmelddatum"]).dt.days
    pairs = pairs[(gap >= 0) & (gap <= KETEN_MAX_DAGEN)]
    pairs = pairs.sort_values(["aanmelddatum", *aanmelding]).drop_duplicates(toewijzing, keep="last")
    pairs = pairs.sort_values(["eerste_toewijzingsdatum", "toewijzing_nummer"]).drop_duplicates(
        aanmelding, keep="first"
    )

    periods = _with_nummer(zorgperiodes.dropna(subset=["toewijzing_nummer", "begindatum"]))
    chains = pairs.merge(periods[[*toewijzing, "begindatum"]], on=toewijzing)
    chains = chains[chains["begindatum"] >= chains["eerste_toewijzingsdatum"]]
    return (
        chains.groupby([*aanmelding, "client_pseudonym", "aanmelddatum", "eerste_toewijzingsdatum"])["begindatum"]
        .min()
        .rename("start")
        .reset_index()
    )


def build_keten(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """mart_doorlooptijd_keten: gemeente x maand."""
    chains = link_keten(inputs.aanmeldingen, inputs.toewijzingen, inputs.zorgperiodes)
    chains = chains.assign(
        maand=month_of(chains["start"]),
        aanmelding_toewijzing=(chains["eerste_toewijzingsdatum"] - chains["aanmelddatum"]).dt.days.astype(float),
        toewijzing_start=(chains["start"] - chains["eerste_toewijzingsdatum"]).dt.days.astype(float),
        totaal=(chains["start"] - chains["aanmelddatum"]).dt.days.astype(float),
    )
    grouped = over_periods(chains, window).groupby(PERIOD)
    figures = pd.DataFrame(
        {
            "aantal": grouped.size(),
            "mediaan_dagen_aanmelding_toewijzing": grouped["aanmelding_toewijzing"].median(),
            "mediaan_dagen_toewijzing_start": grouped["toewijzing_start"].median(),
            "mediaan_dagen_totaal": grouped["totaal"].median(),
            "p80_dagen_totaal": grouped["totaal"].quantile(0.8),
        }
    ).reset_index()
    out = period_cells(window).merge(figures, on=PERIOD, how="left")
    out["aantal"] = out["aantal"].fillna(0).astype(int)
    out = with_period_labels(out, window)
    # One mart, two sources: the chain starts in the JGT and is measured to its iJw start; bron names the latter.
    out = out.assign(gemeentecode=inputs.gemeentecode, bron="ijw")
    return out[mart_columns(mart_doorlooptijd_keten)]
