"""Delivering a rendered digest: e-mail over SMTP (STARTTLS) and webhooks (Teams, Slack), with retries.

Credentials come from the environment or a Prefect Secret block, never from the config file. Webhook URLs carry
their own secret token (in the path or the query), so they never appear in the delivery record, an error message
or a log line: only their scheme, host and port do (`redact.scrubbed_url`). An SMTP login without STARTTLS would
send the password in plain text: it is refused unless `allow_plaintext_password` says otherwise.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

import requests

from jeugdmonitor.config import SmtpConfig
from jeugdmonitor.redact import scrubbed_url
from jeugdmonitor.transforms.alerts.render import encode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    sender: str
    timeout_s: float
    user: str | None = None
    password: str | None = None
    allow_plaintext_password: bool = False

    def __repr__(self) -> str:  # the password must not end up in logs or tracebacks
        return f"SmtpSettings({self.host}:{self.port}, starttls={self.starttls}, user={self.user!r})"


class Refused(RuntimeError):
    """A delivery that must not be attempted as configured; another attempt would not help."""


class TooLarge(Refused):
    """The channel refused the message as too big (HTTP 413): the same message will be refused in every run."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    attempts: int
    error: str | None = None
    refused: bool = False  # another attempt in this run would fail the same way
    too_large: bool = False  # ... and in the next run too: the same digest is rendered the same way


def smtp_settings(config: SmtpConfig, environ: Mapping[str, str] | None = None) -> SmtpSettings:
    env = os.environ if environ is None else environ
    password = env.get(config.password_env) or None
    if password is None and config.password_block:
        from prefect.blocks.system import Secret  # only deployments that use blocks pay for the import

        # async_dispatch types load() as "value or coroutine"; called from sync code it is the value
        password = Secret.load(config.password_block).get()  # type: ignore[union-attr]
    return SmtpSettings(
        host=config.host,
        port=config.port,
        starttls=config.starttls,
        sender=config.sender,
        timeout_s=config.timeout_s,
        user=env.get(config.user_env) or None,
        password=password,
        allow_plaintext_password=config.allow_plaintext_password,
    )


def send_email(
    smtp: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    attachment: tuple[str, str] | None = None,
) -> None:
    """A plain-text e-mail; with `html` also an HTML part (multipart/alternative), with `attachment` (name, CSV
    text) a file attached."""
    if not smtp.host:
        raise RuntimeError("geen SMTP-server ingesteld (alerts.smtp.host)")
    if smtp.user and not smtp.starttls:
        if not smtp.allow_plaintext_password:
            raise Refused(
                "het SMTP-wachtwoord zou onversleuteld worden verstuurd (alerts.smtp.starttls = false); "
                "zet starttls aan, of sta dit uitdrukkelijk toe met "
                "alerts.smtp.allow_plaintext_password = true"
            )
        log.warning(
            "SMTP login to %s:%d without TLS: the password goes in plain text "
            "(alerts.smtp.allow_plaintext_password = true)",
            smtp.host,
            smtp.port,
        )
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message.set_content(body, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    if attachment is not None:
        name, content = attachment
        message.add_attachment(content.encode("utf-8"), maintype="text", subtype="csv", filename=name)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.user:
            server.login(smtp.user, smtp.password or "")
        server.send_message(message)


def post_webhook(url: str, payload: dict, timeout_s: float) -> None:
    """POST the payload as UTF-8 JSON: the bytes the renderer measured against the channel's limit."""
    response = requests.post(
        url, data=encode(payload), headers={"Content-Type": "application/json; charset=utf-8"}, timeout=timeout_s
    )
    if response.status_code == 413:  # the same payload will be too big at the next attempt too
        raise TooLarge(f"webhook weigerde het bericht als te groot (413, {len(encode(payload)):,} bytes)")
    if response.status_code >= 300:
        raise RuntimeError(f"webhook antwoordde {response.status_code}")


def target_label(kind: str, target: str) -> str:
    """What the delivery record may show of a target: the e-mail address, or the webhook's scheme, host and port."""
    return target if kind == "email" else scrubbed_url(target)


def describe(exc: Exception) -> str:
    """An error as it may be logged and stored. requests names the whole URL, or its path and query, in its
    messages (and a webhook's token is in either), so of a requests error only its type and host are kept."""
    if isinstance(exc, requests.RequestException):
        request = getattr(exc, "request", None)
        return f"{type(exc).__name__} ({scrubbed_url(request.url)})" if request is not None else type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def with_retries(
    send: Callable[[], None], attempts: int, pause_s: float, sleep: Callable[[float], None] = time.sleep
) -> Outcome:
    """Try `send` up to `attempts` times, doubling the pause; the last error (`describe`d) when all fail. A
    `Refused` delivery is not tried again."""
    error = None
    for attempt in range(1, attempts + 1):
        try:
            send()
            return Outcome(True, attempt)
        except Refused as exc:
            return Outcome(False, attempt, describe(exc), refused=True, too_large=isinstance(exc, TooLarge))
        except Exception as exc:  # any failure of one delivery is recorded, never raised into the load
            error = describe(exc)
            if attempt < attempts:
                sleep(pause_s * 2 ** (attempt - 1))
    return Outcome(False, attempts, error)
