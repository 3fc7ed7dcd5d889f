"""Small pure helpers for the synthetic CBS StatLine tree: period codes and statuses, release dates, key
padding, rounding and suppression, a stable noise source and JSON output. Shared by the cbs_* modules.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date
from pathlib import Path

# CBS publishes jeugd counts rounded to multiples of 5 and hides small cells; the exact threshold is not
# published (cbs.md §3.4), so the generator uses "below 10 before rounding".
ROUND_TO = 5
SUPPRESS_BELOW = 10

VOORLOPIG = "Voorlopig"
NADER_VOORLOPIG = "Nader voorlopig"
DEFINITIEF = "Definitief"
_STARS = {VOORLOPIG: "*", NADER_VOORLOPIG: "**", DEFINITIEF: ""}

_PERIOD_RE = re.compile(r"^(\d{4})(HJ01|HJ02|JJ00)$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def unit(seed: int, *parts: object) -> float:
    """A number in [0, 1) fixed by its arguments; hashlib, not hash(), so it is the same in every process."""
    digest = hashlib.sha256("|".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def publish(value: float | None) -> int | None:
    """A count as CBS shows it: null when missing or small, otherwise rounded half-up to a multiple of 5."""
    if value is None or value < SUPPRESS_BELOW:
        return None
    return math.floor(value / ROUND_TO + 0.5) * ROUND_TO


def pad_keys(keys: list[str]) -> dict[str, str]:
    """{key: key right-padded to the longest key}: v3 pads a dimension's keys to one width (cbs.md §1.7)."""
    width = max((len(k) for k in keys), default=0)
    return {k: k.ljust(width) for k in keys}


def parse_month(value: str) -> tuple[int, int]:
    match = _MONTH_RE.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"first_month must look like YYYY-MM, got {value!r}")
    return int(match.group(1)), int(match.group(2))


def window_months(first_month: str, months: int) -> list[tuple[int, int]]:
    if months < 1:
        raise ValueError("months must be at least 1")
    year, month = parse_month(first_month)
    start = year * 12 + month - 1
    return [divmod(i, 12) for i in range(start, start + months)]


def window_periods(first_month: str, months: int) -> list[str]:
    """Half-years and years that lie wholly inside the window: CBS only publishes complete periods."""
    inside = {(y, m + 1) for y, m in window_months(first_month, months)}
    periods = []
    for year in sorted({y for y, _ in inside}):
        for code, span in (("HJ01", range(1, 7)), ("HJ02", range(7, 13)), ("JJ00", range(1, 13))):
            if all((year, m) in inside for m in span):
                periods.append(f"{year}{code}")
    return periods


def check_period(code: str) -> tuple[int, str]:
    match = _PERIOD_RE.match(code)
    if not match:
        raise ValueError(f"unsupported CBS period code {code!r} (expected YYYYHJ01, YYYYHJ02 or YYYYJJ00)")
    return int(match.group(1)), match.group(2)


def period_statuses(periods: list[str]) -> dict[str, str]:
    """Latest half-year Voorlopig, the one before Nader voorlopig, older Definitief; a year follows its last
    half.

    This is the state just after a release (cbs.md §4.6): the year appears together with its second half.
    """
    halves = sorted(p for p in periods if check_period(p)[1] != "JJ00")
    status = {p: DEFINITIEF for p in periods}
    for p, s in zip(reversed(halves), (VOORLOPIG, NADER_VOORLOPIG), strict=False):
        status[p] = s
    for p in periods:
        year, kind = check_period(p)
        if kind == "JJ00":
            half = next((h for h in (f"{year}HJ02", f"{year}HJ01") if h in status), None)
            status[p] = status[half] if half else DEFINITIEF
    return status


def period_title(code: str, status: str) -> str:
    """StatLine's label: "2023*", "1e halfjaar 2023**" (the stars mirror Status; clients must use Status)."""
    year, kind = check_period(code)
    base = str(year) if kind == "JJ00" else f"{kind[-1]}e halfjaar {year}"
    return base + _STARS[status]


def strip_stars(title: str) -> str:
    return title.rstrip("*")


def release_date(periods: list[str], first_month: str, months: int) -> date:
    """The release that first holds the newest half-year: H1 at the end of October, H2 at the end of April.

    Without half-years, the first release after the window ends. Fixed dates keep the output byte-identical.
    """
    halves = sorted(p for p in periods if check_period(p)[1] != "JJ00")
    if halves:
        year, kind = check_period(halves[-1])
    else:
        year, last_month = window_months(first_month, months)[-1]
        kind = "HJ01" if last_month < 6 else "HJ02"
    return date(year, 10, 31) if kind == "HJ01" else date(year + 1, 4, 30)


def next_release(after: date) -> date:
    """The next April or October release date strictly after `after`."""
    candidates = [date(after.year, 4, 30), date(after.year, 10, 31), date(after.year + 1, 4, 30)]
    return next(d for d in candidates if d > after)


_MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(day: date) -> str:
    """ "31 oktober 2024", as the table texts write dates (no locale dependency)."""
    return f"{day.day} {_MONTHS_NL[day.month - 1]} {day.year}"


def timestamp(day: date) -> str:
    """CBS writes Modified as a local timestamp without zone, at 02:00 on the release day."""
    return f"{day.isoformat()}T02:00:00"


def dump(obj: object) -> bytes:
    """Compact UTF-8 JSON as CBS sends it; insertion order is kept: it is CBS's order and deterministic."""
    return json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":")).encode("utf-8")


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def read_json(path: Path) -> dict:
    return json.loads(path.read_bytes().decode("utf-8"))
