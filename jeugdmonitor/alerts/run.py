"""The alerts step of a run: scorecard, Data Docs, rules, routing, delivery, history. Also the preview.

Nothing here may fail the load: a delivery that fails is retried, recorded in meta_alert_delivery and counted in
the report, and its alerts stay untold so that the next run sends them again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from jeugdmonitor import meta
from jeugdmonitor.alerts import channels, data_docs, history, inputs
from jeugdmonitor.config import Settings
from jeugdmonitor.schemas.marts import SCORECARD
from jeugdmonitor.schemas.warehouse import meta_load_run
from jeugdmonitor.transforms.alerts import render, scorecard
from jeugdmonitor.transforms.alerts.model import Alert
from jeugdmonitor.transforms.alerts.routing import Channel, Digest, Recipient, plan
from jeugdmonitor.transforms.alerts.rules import Thresholds, evaluate

log = logging.getLogger(__name__)


@dataclass
class AlertReport:
    """What the alerts step did; the run summary prints it."""

    alerts: int = 0  # alerts the rules found (before routing and deduplication)
    digests: int = 0  # digests that had something to say
    sent: int = 0
    failed: int = 0
    resolved: int = 0  # resolutions in digests that were sent
    scorecard_rows: int = 0
    data_docs: str | None = None
    errors: list[str] = field(default_factory=list)  # Dutch, per failed delivery or failed part of the step

    def to_dict(self) -> dict:
        return {
            "alerts": self.alerts,
            "digests": self.digests,
            "sent": self.sent,
            "failed": self.failed,
            "resolved": self.resolved,
            "scorecard_rows": self.scorecard_rows,
            "data_docs": self.data_docs,
            "errors": list(self.errors),
        }


@dataclass
class Rendered:
    digest: Digest
    subject: str
    body: str
    payload: dict | None  # webhook JSON; None for e-mail


def peildatum(settings: Settings) -> date:
    return date.fromisoformat(settings.alerts.peildatum) if settings.alerts.peildatum else date.today()


def thresholds(settings: Settings, day: date) -> Thresholds:
    a = settings.alerts
    return Thresholds(
        peildatum=day,
        norm_dagen=settings.marts.doorlooptijd_norm_dagen,
        quarantaine_pct=a.quarantaine_pct,
        declaratie_dag=a.declaratie_dag,
        jgt_export_dag=a.jgt_export_dag,
        doorlooptijd_maanden=a.doorlooptijd_maanden,
        sprong_pct=a.sprong_pct,
        sprong_minimum=a.sprong_minimum,
        cbs_verschil_pct=a.cbs_verschil_pct,
        data_docs=str(a.data_docs_dir / "index.html"),
        ernst=dict(a.ernst),
    )


def recipients(settings: Settings) -> list[Recipient]:
    out = []
    for r in settings.alerts.ontvangers:
        kanalen = ([Channel("email", r.email)] if r.email else []) + (
            [Channel(r.webhook_kind, r.webhook or f"env:{r.webhook_env}")] if r.webhook or r.webhook_env else []
        )
        out.append(Recipient(r.naam, r.rol, None if r.gemeenten == "all" else tuple(r.gemeenten), tuple(kanalen)))
    return out


def build_scorecard(engine: Engine, settings: Settings, day: date) -> pd.DataFrame:
    with engine.connect() as conn:
        source = inputs.scorecard_input(conn)
    return scorecard.build(
        source,
        set(settings.region.gemeenten),
        day,
        settings.alerts.declaratie_dag,
        settings.marts.doorlooptijd_norm_dagen,
    )


def write_scorecard(engine: Engine, frame: pd.DataFrame) -> None:
    """Replace the whole scorecard: it is small (aanbieders x months) and a late file changes earlier months."""
    stamp = meta.now()
    rows = [
        {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]
    with engine.begin() as conn:
        conn.execute(delete(SCORECARD))
        if rows:
            conn.execute(
                insert(SCORECARD),
                [
                    {
                        **r,
                        "niet_gedeclareerd": bool(r["niet_gedeclareerd"]),
                        "onderdrukt": False,
                        "bron": "ijw",
                        "bijgewerkt_op": stamp,
                    }
                    for r in rows
                ],
            )


def find_alerts(
    engine: Engine, settings: Settings, run_id: str, cbs_outcomes: list | None, day: date, card: pd.DataFrame
) -> tuple[list[Alert], set[str]]:
    """The rules over this run; `cbs_outcomes` None (the preview) reads the last CBS check from meta_cbs_table."""
    with engine.connect() as conn:
        cbs = inputs.cbs_from_tables(conn) if cbs_outcomes is None else inputs.cbs_from_outcomes(conn, cbs_outcomes)
        rule_input = inputs.rule_input(conn, run_id, list(settings.region.gemeenten), cbs, card)
    return evaluate(rule_input, thresholds(settings, day))


def digests(engine: Engine, settings: Settings, alerts: list[Alert], judged: set[str]) -> list[Digest]:
    out = []
    with engine.connect() as conn:
        for recipient in recipients(settings):
            for channel in recipient.channels:
                digest = plan(alerts, judged, recipient, channel, history.read(conn, recipient.naam, channel.kind))
                if not digest.empty:
                    out.append(digest)
    return out


def render_digest(digest: Digest, settings: Settings, day: date, run_id: str) -> Rendered:
    regio = settings.region.naam
    mail = render.text(digest, regio, day, run_id)
    payload = None
    if digest.channel.kind == "teams":
        payload = render.teams(digest, regio, day, run_id)
    elif digest.channel.kind == "slack":
        payload = render.slack(digest, regio, day, run_id)
    return Rendered(digest, mail.subject, mail.body, payload)


def webhook_url(target: str, environ: Mapping[str, str]) -> str:
    if target.startswith("env:"):
        name = target[4:]
        if not environ.get(name):
            raise RuntimeError(f"omgevingsvariabele {name} met de webhook-URL is niet gezet")
        return environ[name]
    return target


def deliver(
    rendered: Rendered,
    settings: Settings,
    smtp: channels.SmtpSettings,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
) -> tuple[channels.Outcome, str]:
    channel, a = rendered.digest.channel, settings.alerts
    if channel.kind == "email":
        outcome = channels.with_retries(
            lambda: channels.send_email(smtp, channel.target, rendered.subject, rendered.body),
            a.pogingen,
            a.wachttijd_s,
            sleep=sleep,
        )
        return outcome, channel.target
    try:
        url = webhook_url(channel.target, environ)
    except RuntimeError as exc:
        return channels.Outcome(False, 0, str(exc)), channel.target
    payload = rendered.payload
    assert payload is not None, "a webhook digest (teams or slack) is rendered with its payload"
    outcome = channels.with_retries(
        lambda: channels.post_webhook(url, payload, a.webhook_timeout_s), a.pogingen, a.wachttijd_s, sleep=sleep
    )
    return outcome, channels.target_label(channel.kind, url)


def run_alerts(
    engine: Engine,
    settings: Settings,
    run_id: str,
    cbs_outcomes: list | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertReport:
    """The alerts step after a load: never raises for a delivery; the report says what failed."""
    environ = os.environ if environ is None else environ
    report = AlertReport()
    day = peildatum(settings)
    card = build_scorecard(engine, settings, day)
    write_scorecard(engine, card)
    report.scorecard_rows = len(card)
    try:
        built = data_docs.build(settings.alerts.data_docs_dir)
        report.data_docs = None if built is None else str(built)
    except Exception as exc:  # Data Docs are a report for people: their failure must not stop the alerts
        log.warning("GX Data Docs not built: %s", type(exc).__name__)  # its message may quote validated values
        report.errors.append(f"GX Data Docs niet gebouwd: {type(exc).__name__}")
    alerts, judged = find_alerts(engine, settings, run_id, cbs_outcomes, day, card)
    report.alerts = len(alerts)
    smtp = channels.smtp_settings(settings.alerts.smtp, environ)
    for digest in digests(engine, settings, alerts, judged):
        report.digests += 1
        rendered = render_digest(digest, settings, day, run_id)
        outcome, doel = deliver(rendered, settings, smtp, environ, sleep)
        at = meta.now()
        with engine.begin() as conn:
            history.record_delivery(conn, run_id, digest, doel, outcome.ok, outcome.attempts, outcome.error, at)
            if outcome.ok:
                history.record_sent(conn, run_id, digest, at)
        if outcome.ok:
            report.sent += 1
            report.resolved += len(digest.resolutions)
        else:
            report.failed += 1
            report.errors.append(f"{digest.recipient.naam} ({digest.channel.kind}, {doel}): {outcome.error}")
    return report


def latest_run(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(meta_load_run.c.run_id).order_by(meta_load_run.c.started_at.desc()).limit(1)
        ).scalar()


def preview(engine: Engine, settings: Settings, run_id: str | None = None) -> tuple[list[Rendered], list]:
    """What the alerts step would send after `run_id` (default: the latest run), without sending or writing:
    the digests, and every alert found (also those no recipient is configured for)."""
    run_id = run_id or latest_run(engine) or "-"
    day = peildatum(settings)
    card = build_scorecard(engine, settings, day)
    alerts, judged = find_alerts(engine, settings, run_id, None, day, card)
    return [render_digest(d, settings, day, run_id) for d in digests(engine, settings, alerts, judged)], alerts
