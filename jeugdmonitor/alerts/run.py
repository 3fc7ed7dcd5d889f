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
from functools import partial

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from jeugdmonitor import meta
from jeugdmonitor.alerts import channels, data_docs, history, inputs
from jeugdmonitor.config import Settings
from jeugdmonitor.schemas.marts import SCORECARD, dim_aanbieder
from jeugdmonitor.schemas.warehouse import meta_load_run
from jeugdmonitor.transforms.alerts import render, scorecard
from jeugdmonitor.transforms.alerts.compose import Composed, Report, compose
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
    given_up: int = 0  # failed digests given up after alerts.opgeven_na_runs runs (their alerts count as told)
    scorecard_rows: int = 0
    data_docs: str | None = None
    errors: list[str] = field(default_factory=list)  # Dutch, per failed delivery or failed part of the step

    def to_dict(self) -> dict:
        return {
            "alerts": self.alerts,
            "digests": self.digests,
            "sent": self.sent,
            "failed": self.failed,
            "given_up": self.given_up,
            "resolved": self.resolved,
            "scorecard_rows": self.scorecard_rows,
            "data_docs": self.data_docs,
            "errors": list(self.errors),
        }


@dataclass
class Rendered:
    digest: Digest
    subject: str
    body: str  # the plain text (of the e-mail; for a webhook what the preview shows)
    payload: dict | None  # webhook JSON; None for e-mail
    html: str | None = None  # the e-mail's HTML part
    attachment: str | None = None  # the e-mail's CSV of every item, when it had more than it shows
    composed: Composed | None = None
    told: set[str] | None = None  # the alert keys it tells; None: all of the digest (an e-mail with its CSV)


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


def report_context(engine: Engine, settings: Settings) -> tuple[Report, dict[str, str]]:
    """The report site's address and the names a person reads: gemeenten, aanbieders (the region file)."""
    with engine.connect() as conn:
        gemeenten = inputs.gemeente_names(conn, list(settings.region.gemeenten))
        aanbieders = {
            agb: naam for agb, naam in conn.execute(select(dim_aanbieder.c.aanbieder_agb, dim_aanbieder.c.naam)) if naam
        }
    return Report(settings.report.base_url, gemeenten), aanbieders


def elders(digest: Digest, settings: Settings) -> str:
    """Where a reader finds what a digest had no room for. A webhook tells only what it shows: the rest comes in
    its next overview (render_digest), most severe and biggest first."""
    if digest.channel.kind == "email":
        return f"de volledige lijst staat in de bijlage {render.CSV_NAME}"
    later = "ze volgen in het volgende overzicht"
    if any(c.kind == "email" for c in digest.recipient.channels):
        return f"{later}, en staan nu al in het e-mailoverzicht (bijlage {render.CSV_NAME})"
    if digest.recipient.rol != "data" and settings.report.base_url:
        return f"{later}; de cijfers staan in het rapport: {settings.report.base_url.rstrip('/')}/index.html"
    return later


def render_digest(
    digest: Digest, settings: Settings, day: date, run_id: str, report: Report, aanbieders: dict[str, str]
) -> Rendered:
    regio, naam = settings.region.naam, digest.recipient.naam
    composed = compose(
        digest,
        report,
        settings.alerts.max_items,
        elders(digest, settings),
        lambda agb: f"{aanbieders[agb]} (AGB {agb})" if agb in aanbieders else f"AGB {agb}",
    )
    mail = render.mail(composed, naam, regio, day, run_id, attach=digest.recipient.rol == "data")
    if digest.channel.kind == "email":
        return Rendered(digest, mail.subject, mail.text, None, mail.html, mail.attachment, composed)
    fitted = (render.teams if digest.channel.kind == "teams" else render.slack)(composed, naam, regio, day, run_id)
    told = {a.key for entry in composed.entries[: fitted.shown] for a in entry.alerts}
    return Rendered(digest, mail.subject, mail.text, fitted.payload, None, None, composed, told)


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
            lambda: channels.send_email(
                smtp,
                channel.target,
                rendered.subject,
                rendered.body,
                rendered.html,
                (render.CSV_NAME, rendered.attachment) if rendered.attachment else None,
            ),
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
    context, aanbieders = report_context(engine, settings)
    for digest in digests(engine, settings, alerts, judged):
        report.digests += 1
        rendered = render_digest(digest, settings, day, run_id, context, aanbieders)
        outcome, doel = deliver(rendered, settings, smtp, environ, sleep)
        at = meta.now()
        with engine.begin() as conn:
            failures = 0 if outcome.ok else history.failures_in_a_row(conn, digest) + 1
            give_up = not outcome.ok and (outcome.too_large or failures >= settings.alerts.opgeven_na_runs)
            status = "sent" if outcome.ok else "given_up" if give_up else "failed"
            history.record_delivery(conn, run_id, digest, doel, status, outcome.attempts, outcome.error, at)
            if outcome.ok or give_up:  # given up: told as far as the monitor can, so not resent every run
                history.record_sent(conn, run_id, digest, at, None if give_up else rendered.told)
            first_give_up = give_up and not history.given_up_before(conn, digest)
        if outcome.ok:
            report.sent += 1
            report.resolved += len(digest.resolutions)
            continue
        report.failed += 1
        report.errors.append(f"{digest.recipient.naam} ({digest.channel.kind}, {doel}): {outcome.error}")
        if give_up:
            report.given_up += 1
            if first_give_up:
                tell_given_up(settings, rendered, doel, outcome, failures, run_id, environ, sleep)
    return report


def tell_given_up(
    settings: Settings,
    rendered: Rendered,
    doel: str,
    outcome: channels.Outcome,
    failures: int,
    run_id: str,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
) -> None:
    """Tell the data recipients, once, over every channel but the failing one, that a digest was given up."""
    digest = rendered.digest
    naam, kind = digest.recipient.naam, digest.channel.kind
    subject = f"Jeugdmonitor: het overzicht voor {naam} via {kind} kon niet worden bezorgd"
    runs = "in deze run" if failures <= 1 else f"in {failures} runs op rij"
    body = (
        f"{subject}.\n\nHet overzicht voor {naam} ({digest.recipient.rol}) via {kind} ({doel}) is {runs} niet "
        f"aangekomen, ook niet na {outcome.attempts} pogingen. Laatste fout: {outcome.error}.\n\n"
        f"De {len(rendered.composed.entries + rendered.composed.rest) if rendered.composed else 0} punten erin worden "
        f"niet opnieuw verstuurd. Het overzicht zelf toont `jeugdmonitor alerts preview --run {run_id}` (zolang "
        f"er niets nieuws is bijgekomen); elke poging staat in meta_alert_delivery. Controleer het kanaal van deze "
        f"ontvanger (alerts.ontvangers); zolang het niet werkt, komt dit bericht niet nog eens.\n\n"
        f"Dit bericht is automatisch gemaakt door de jeugdmonitor en bevat geen persoonsgegevens.\nRun: {run_id}\n"
    )
    smtp = channels.smtp_settings(settings.alerts.smtp, environ)
    a = settings.alerts
    for recipient in recipients(settings):
        if recipient.rol != "data":
            continue
        for channel in recipient.channels:
            if (recipient.naam, channel) == (naam, digest.channel):
                continue
            if channel.kind == "email":
                send = partial(channels.send_email, smtp, channel.target, subject, body)
                outcome = channels.with_retries(send, a.pogingen, a.wachttijd_s, sleep)
            else:
                try:
                    url = webhook_url(channel.target, environ)
                except RuntimeError:
                    continue
                payload = render.teams_notice(subject, body) if channel.kind == "teams" else {"text": body[:3000]}
                post = partial(channels.post_webhook, url, payload, a.webhook_timeout_s)
                outcome = channels.with_retries(post, a.pogingen, a.wachttijd_s, sleep)
            if not outcome.ok:
                log.warning(
                    "delivery-failure notice to %s (%s) failed: %s", recipient.naam, channel.kind, outcome.error
                )


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
    context, aanbieders = report_context(engine, settings)
    found = digests(engine, settings, alerts, judged)
    return [render_digest(d, settings, day, run_id, context, aanbieders) for d in found], alerts
