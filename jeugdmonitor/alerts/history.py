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


def record_sent(conn: Connection, run_id: str, digest: Digest, at: datetime) -> None:
    """The digest reached the recipient: its alerts are told (open, or an event), its resolutions closed."""
    h = meta_alert_history
    who = and_(h.c.ontvanger == digest.recipient.naam, h.c.kanaal == digest.channel.kind)
    first = dict(conn.execute(select(h.c.alert_key, h.c.eerst_gemeld_op).where(who, h.c.status != "opgelost")).all())
    keys = [a.key for a, _ in digest.items]
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
                for a, _ in digest.items
            ],
        )
    for resolution in digest.resolutions:
        conn.execute(
            update(h)
            .where(who, h.c.alert_key == resolution.key)
            .values(status="opgelost", opgelost_op=at, load_run_id=run_id)
        )


def record_delivery(
    conn: Connection, run_id: str, digest: Digest, doel: str, ok: bool, attempts: int, error: str | None, at: datetime
) -> None:
    conn.execute(
        insert(meta_alert_delivery).values(
            load_run_id=run_id,
            ontvanger=digest.recipient.naam,
            kanaal=digest.channel.kind,
            doel=doel,
            status="sent" if ok else "failed",
            pogingen=attempts,
            meldingen=len(digest.items),
            opgelost=len(digest.resolutions),
            fout=error,
            verzonden_op=at,
        )
    )
