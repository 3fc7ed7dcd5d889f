"""The notice to the data engineers when a run did not finish as it should: it failed or crashed (the flows' Prefect
state hooks), or a step failed and the run went on without it (flows/run.py). One message per run, in plain Dutch,
to every recipient with rol "data" in alerts.ontvangers, over the same channels and with the same retries as the
alert digests. It names the reason (jeugdmonitor.failure.describe: never a file's contents) and what still loaded.
A notice that cannot be delivered is logged, never raised: the run's outcome must not depend on it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from jeugdmonitor.alerts import channels
from jeugdmonitor.alerts.run import recipients, webhook_url
from jeugdmonitor.config import Settings
from jeugdmonitor.transforms.alerts import render
from jeugdmonitor.transforms.alerts.routing import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    flow_name: str
    run_id: str
    kind: str  # "failed", "crashed" or "with_problems"
    reasons: list[str]
    loaded: str  # what still loaded, one Dutch sentence

    @property
    def subject(self) -> str:
        what = {
            "failed": "is mislukt",
            "crashed": "is afgebroken",
            "with_problems": "is afgerond met problemen",
        }.get(self.kind, "is niet goed afgerond")
        return f"Jeugdmonitor: de run {self.flow_name} {what}"

    @property
    def body(self) -> str:
        lines = [
            f"{self.subject}.",
            "",
            "Waarom:",
            *(f"- {reason}" for reason in self.reasons),
            "",
            f"Wat wel is geladen: {self.loaded}",
            "",
            "De volgende run probeert opnieuw wat niet gelukt is. Meer staat in de log van de run in Prefect en in "
            "meta_load_run.",
            "",
            "Dit bericht is automatisch gemaakt door de jeugdmonitor en bevat geen persoonsgegevens.",
            f"Run: {self.run_id}",
        ]
        return "\n".join(lines) + "\n"

    def payload(self, kind: str) -> dict:
        if kind == "slack":
            return {"text": f"{self.subject}\n{self.body}"[:3000]}
        return render.teams_notice(self.subject, self.body)  # teams: an Adaptive Card for a Workflows webhook


def send(
    settings: Settings,
    notice: Notice,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[channels.Outcome]:
    """Send `notice` to every data recipient's channels; the outcomes, one per channel."""
    environ = os.environ if environ is None else environ
    targets = [(r.naam, c) for r in recipients(settings) if r.rol == "data" for c in r.channels]
    if not targets:
        log.warning("run %s %s; no recipient with rol 'data' to notify (alerts.ontvangers)", notice.run_id, notice.kind)
        return []
    outcomes = []
    for naam, channel in targets:
        outcome, doel = _deliver(settings, notice, channel, environ, sleep)
        if not outcome.ok:
            log.warning(
                "notice of run %s to %s (%s, %s) failed: %s", notice.run_id, naam, channel.kind, doel, outcome.error
            )
        outcomes.append(outcome)
    return outcomes


def _deliver(
    settings: Settings,
    notice: Notice,
    channel: Channel,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
) -> tuple[channels.Outcome, str]:
    a = settings.alerts
    if channel.kind == "email":
        smtp = channels.smtp_settings(a.smtp, environ)
        send_mail = partial(channels.send_email, smtp, channel.target, notice.subject, notice.body)
        return channels.with_retries(send_mail, a.pogingen, a.wachttijd_s, sleep=sleep), channel.target
    try:
        url = webhook_url(channel.target, environ)
    except RuntimeError as exc:
        return channels.Outcome(False, 0, str(exc)), channel.target
    post = partial(channels.post_webhook, url, notice.payload(channel.kind), a.webhook_timeout_s)
    return channels.with_retries(post, a.pogingen, a.wachttijd_s, sleep=sleep), channels.target_label(channel.kind, url)
