"""Who gets which alert, and what of it is news: routing by role and gemeente, deduplication against the history.

A recipient gets the alerts whose audience holds its role, for its gemeenten (an alert without a gemeente, a
delivery problem, goes to every recipient of its role). Against the history of that recipient and channel an
alert is new, changed (its fingerprint differs) or already told; an open alert that is gone, of a rule that was
judged in this run, is resolved, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from jeugdmonitor.transforms.alerts.model import SEVERITIES, Alert


@dataclass(frozen=True)
class Channel:
    kind: str  # email, teams or slack
    target: str  # the address or the webhook URL


@dataclass(frozen=True)
class Recipient:
    naam: str
    rol: str
    gemeenten: tuple[str, ...] | None  # None: every gemeente
    channels: tuple[Channel, ...]


@dataclass(frozen=True)
class Resolution:
    key: str
    rule: str
    gemeentecode: str | None
    wat: str  # what was told when it was open
    sinds: str  # when it was first told (a date)


@dataclass
class Digest:
    """One message for one recipient on one channel in one run."""

    recipient: Recipient
    channel: Channel
    items: list[tuple[Alert, str]] = field(default_factory=list)  # (alert, "nieuw" | "gewijzigd")
    resolutions: list[Resolution] = field(default_factory=list)
    # Told before and unchanged, still open: summarised in one line ("nog steeds: ..."), not sent in full again.
    unchanged: list[tuple[Alert, str]] = field(default_factory=list)  # (alert, first told: a date)

    @property
    def empty(self) -> bool:
        return not self.items and not self.resolutions


HISTORY_COLUMNS = ["alert_key", "rule", "gemeentecode", "fingerprint", "status", "wat", "eerst_gemeld_op"]


def for_recipient(alerts: list[Alert], recipient: Recipient) -> list[Alert]:
    mine = [
        a
        for a in alerts
        if recipient.rol in a.audience
        and (a.gemeentecode is None or recipient.gemeenten is None or a.gemeentecode in recipient.gemeenten)
    ]
    return sorted(mine, key=lambda a: (SEVERITIES.index(a.severity), a.rule, a.subject))


def plan(
    alerts: list[Alert], judged: set[str], recipient: Recipient, channel: Channel, history: pd.DataFrame
) -> Digest:
    """The digest for one recipient and channel: `history` holds their rows of meta_alert_history."""
    digest = Digest(recipient, channel)
    told = {r.alert_key: r for r in history.itertuples()}
    mine = for_recipient(alerts, recipient)
    for alert in mine:
        before = told.get(alert.key)
        if before is None or before.status == "opgelost":
            digest.items.append((alert, "nieuw"))
        elif before.fingerprint != alert.fingerprint:
            digest.items.append((alert, "gewijzigd"))
        elif before.status == "open":
            digest.unchanged.append((alert, _day(before.eerst_gemeld_op)))
    current = {a.key for a in mine}
    for row in history[history["status"] == "open"].sort_values("alert_key").itertuples():
        # A rule not judged in this run (before its day of the month, CBS not asked) says nothing about its alerts.
        if row.alert_key in current or row.rule not in judged:
            continue
        # Gone because the recipient's gemeenten changed is no resolution either: only what it still may see.
        if row.gemeentecode and recipient.gemeenten is not None and row.gemeentecode not in recipient.gemeenten:
            continue
        digest.resolutions.append(
            Resolution(row.alert_key, row.rule, row.gemeentecode, row.wat, _day(row.eerst_gemeld_op))
        )
    return digest


def _day(value) -> str:
    from jeugdmonitor.transforms.alerts.texts import datum

    return datum(pd.Timestamp(value).date()) if value is not None and not pd.isna(value) else "onbekend"
