"""The durable "marts pending" mark (meta_mart_pending): per gemeente, the first month whose marts are to be rebuilt.

A load marks what it changes in its own transaction, and a mart build clears a gemeente's mark in the transaction
that writes its marts, so that a crash anywhere in between (a killed run, a lost connection) leaves the mark, and
the next run rebuilds those marts whatever the run that died had got to. One row per gemeente keeps the earliest
month: a rebuild goes from that month on anyway.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from jeugdmonitor import meta
from jeugdmonitor.marts.scope import as_date, scope_of_files
from jeugdmonitor.schemas.warehouse import meta_mart_pending

_P = meta_mart_pending


def mark(conn: Connection, scope: dict[str, date], run_id: str | None) -> None:
    """Mark `scope` (gemeente -> first changed month) pending, keeping an earlier month already marked."""
    if not scope:
        return
    marked = {
        g: as_date(d)
        for g, d in conn.execute(
            select(_P.c.gemeentecode, _P.c.vanaf_maand).where(_P.c.gemeentecode.in_(sorted(scope)))
        )
    }
    stamp = meta.now()
    new = [
        {"gemeentecode": g, "vanaf_maand": d, "load_run_id": run_id, "gemarkeerd_op": stamp}
        for g, d in sorted(scope.items())
        if g not in marked
    ]
    earlier = [
        {"g": g, "vanaf_maand": d, "load_run_id": run_id, "gemarkeerd_op": stamp}
        for g, d in sorted(scope.items())
        if g in marked and d < marked[g]
    ]
    if new:
        conn.execute(insert(_P), new)
    if earlier:
        conn.execute(update(_P).where(_P.c.gemeentecode == bindparam("g")), earlier)


def mark_files(conn: Connection, run_id: str, file_ids: list[int]) -> None:
    """Mark what the files just written in this transaction change (`file_ids` from meta.record_files: one range,
    read through the staging tables' file_id indexes; ids in between belong to no other load under the lock, and
    would only widen the mark)."""
    if file_ids:
        first, last = min(file_ids), max(file_ids)
        mark(conn, scope_of_files(conn, lambda column: column.between(first, last)), run_id)


def pending(conn: Connection) -> dict[str, date]:
    """gemeente -> the first month to rebuild, for every marked gemeente."""
    return {g: as_date(d) for g, d in conn.execute(select(_P.c.gemeentecode, _P.c.vanaf_maand))}


def clear(conn: Connection, gemeente: str, since: date | None) -> None:
    """The gemeente's marts are rebuilt from `since` (None: all its months): a mark from then on is done."""
    done = delete(_P).where(_P.c.gemeentecode == gemeente)
    conn.execute(done if since is None else done.where(_P.c.vanaf_maand >= since))
