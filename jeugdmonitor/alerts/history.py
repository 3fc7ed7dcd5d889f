"""meta_alert_history and meta_alert_delivery: what each recipient was told, and every delivery attempt."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, delete, insert, select, update

from jeugdmonitor.schemas.warehouse import meta_alert_delivery, meta_alert_history
from jeugdmonitor.transforms.alerts.routing import HISTORY_COLUMNS, Digest


def read(conn: Connection, ontvanger: str, kanaal: str) -> pd.DataFrame:
    h = meta_alert_history
    result = conn.execute(
        select(*[h.c[c] for c in HISTORY_COLUMNS]).where(h.c.ontvanger == ontvanger, h.c.kanaal == kanaal)
    )
    return pd.DataFrame(result.fetchall(), columns=HISTORY_COLUMNS)


def record_sent(conn: Connection, run_id: str, digest: Digest, at: datetime, told: set[str] | None = None) -> None:
    """The digest reached the recipient: its alerts are told (open, or an event), its resolutions closed. `told`:
    only these alert keys (a webhook message that had no room for the rest, which then comes next run)."""
    h = meta_alert_history
    who = and_(h.c.ontvanger == digest.recipient.naam, h.c.kanaal == digest.channel.kind)
    first = dict(conn.execute(select(h.c.alert_key, h.c.eerst_gemeld_op).where(who, h.c.status != "opgelost")).all())
    items = [(a, label) for a, label in digest.items if told is None or a.key in told]
    keys = [a.key for a, _ in items]
    if keys:
        conn.execute(delete(h).where(who, h.c.alert_key.in_(keys)))
        conn.execute(
            insert(h),
            [
                {
                    "ontvanger": digest.recipient.naam,
                    "kanaal": digest.channel.kind,
                    "alert_key": a.key,
                    "rule": a.rule,
                    "severity": a.severity,
                    "gemeentecode": a.gemeentecode,
                    "fingerprint": a.fingerprint,
                    "status": "open" if a.resolvable else "gebeurtenis",
                    "wat": a.wat,
                    "eerst_gemeld_op": first.get(a.key, at),
                    "laatst_gemeld_op": at,
                    "opgelost_op": None,
                    "load_run_id": run_id,
                }
                for a, _ in items
            ],
        )
    for resolution in digest.resolutions:
        conn.execute(
            update(h)
            .where(who, h.c.alert_key == resolution.key)
            .values(status="opgelost", opgelost_op=at, load_run_id=run_id)
        )


def failures_in_a_row(conn: Connection, digest: Digest) -> int:
    """How many runs in a row this recipient's digest on this channel failed, since it last arrived."""
    d = meta_alert_delivery
    statuses = conn.execute(
        select(d.c.status)
        .where(d.c.ontvanger == digest.recipient.naam, d.c.kanaal == digest.channel.kind)
        .order_by(d.c.delivery_id.desc())
        .limit(100)
    ).scalars()
    count = 0
    for status in statuses:
        if status == "sent":
            break
        count += 1
    return count


def given_up_before(conn: Connection, digest: Digest) -> bool:
    """Whether a digest of this recipient and channel was given up before, since the last one that arrived (the
    row of this run excluded): the data recipients hear of a broken channel once, not every run."""
    d = meta_alert_delivery
    rows = conn.execute(
        select(d.c.status)
        .where(d.c.ontvanger == digest.recipient.naam, d.c.kanaal == digest.channel.kind)
        .order_by(d.c.delivery_id.desc())
        .limit(1000)
    ).scalars()
    seen_this = False
    for status in rows:
        if not seen_this:  # the newest row is this run's own
            seen_this = True
            continue
        if status == "sent":
            return False
        if status == "given_up":
            return True
    return False


def record_delivery(
    conn: Connection,
    run_id: str,
    digest: Digest,
    doel: str,
    status: str,
    attempts: int,
    error: str | None,
    at: datetime,
) -> None:
    """status: sent, failed (tried again next run) or given_up (alerts.opgeven_na_runs reached, or too large)."""
    conn.execute(
        insert(meta_alert_delivery).values(
            load_run_id=run_id,
            ontvanger=digest.recipient.naam,
            kanaal=digest.channel.kind,
            doel=doel,
            status=status,
            pogingen=attempts,
            meldingen=len(digest.items),
            opgelost=len(digest.resolutions),
            fout=error,
            verzonden_op=at,
        )
    )
