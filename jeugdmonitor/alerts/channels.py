"""Delivering a rendered digest: e-mail over SMTP (STARTTLS) and webhooks (Teams, Slack), with retries.

Credentials come from the environment or a Prefect Secret block, never from the config file. Webhook URLs carry
their own secret token, so they never appear in the delivery record or an error message: only their host does.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests

from jeugdmonitor.config import SmtpConfig


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    sender: str
    timeout_s: float
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # the password must not end up in logs or tracebacks
        return f"SmtpSettings({self.host}:{self.port}, starttls={self.starttls}, user={self.user!r})"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    attempts: int
    error: str | None = None


def smtp_settings(config: SmtpConfig, environ: dict[str, str] | None = None) -> SmtpSettings:
    env = os.environ if environ is None else environ
    password = env.get(config.password_env) or None
    if password is None and config.password_block:
        from prefect.blocks.system import Secret  # only deployments that use blocks pay for the import

        password = Secret.load(config.password_block).get()
    return SmtpSettings(host=config.host, port=config.port, starttls=config.starttls, sender=config.sender,
                        timeout_s=config.timeout_s, user=env.get(config.user_env) or None, password=password)


def send_email(smtp: SmtpSettings, to: str, subject: str, body: str) -> None:
    if not smtp.host:
        raise RuntimeError("geen SMTP-server ingesteld (alerts.smtp.host)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message.set_content(body, charset="utf-8")
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.user:
            server.login(smtp.user, smtp.password or "")
        server.send_message(message)


def post_webhook(url: str, payload: dict, timeout_s: float) -> None:
    response = requests.post(url, json=payload, timeout=timeout_s)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook antwoordde {response.status_code}")


def target_label(kind: str, target: str) -> str:
    """What the delivery record may show of a target: the e-mail address, or the webhook's scheme and host."""
    if kind == "email":
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "(geen geldige URL)"


def with_retries(send: Callable[[], None], attempts: int, pause_s: float, secret: str = "",
                 sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Try `send` up to `attempts` times, doubling the pause; the last error (secret removed) when all fail."""
    error = None
    for attempt in range(1, attempts + 1):
        try:
            send()
            return Outcome(True, attempt)
        except Exception as exc:  # any failure of one delivery is recorded, never raised into the load
            error = f"{type(exc).__name__}: {exc}"
            if secret:
                # requests names the URL, or only its path ("url: /hook/<token>"): both are the secret
                path = urlsplit(secret).path
                error = error.replace(secret, "<webhook>")
                error = error.replace(path, "/<geheim>") if len(path) > 1 else error
            if attempt < attempts:
                sleep(pause_s * 2 ** (attempt - 1))
    return Outcome(False, attempts, error)
