"""The channels on their own: credentials from the environment, webhook failures retried with the URL kept secret."""

from __future__ import annotations

from jeugdmonitor.alerts import channels
from jeugdmonitor.config import SmtpConfig
from tests.alerts.servers import SmtpServer, WebhookServer


def test_smtp_credentials_come_from_the_environment_and_stay_out_of_repr():
    smtp = channels.smtp_settings(SmtpConfig(host="relay.example"), {"JEUGDMONITOR_SMTP_USER": "monitor",
                                                                      "JEUGDMONITOR_SMTP_PASSWORD": "geheim"})
    assert (smtp.user, smtp.password, smtp.starttls, smtp.port) == ("monitor", "geheim", True, 587)
    assert "geheim" not in repr(smtp)


def test_an_email_reaches_a_real_smtp_server_in_utf8():
    with SmtpServer() as server:
        smtp = channels.SmtpSettings("127.0.0.1", server.port, starttls=False, sender="monitor@regio.nl", timeout_s=5)
        channels.send_email(smtp, "beleid@leiden.example", "Jeugdmonitor: 1 waarschuwing", "Prognose € 21.000.000\n")
    [message] = server.messages
    assert (message["From"], message["To"]) == ("monitor@regio.nl", "beleid@leiden.example")
    assert message.get_content().replace("\r\n", "\n") == "Prognose € 21.000.000\n"


def test_a_failing_webhook_is_retried_and_its_url_never_shown():
    with WebhookServer() as hooks:
        url = f"{hooks.url}/fail/T000/B000/token123"
        outcome = channels.with_retries(lambda: channels.post_webhook(url, {"text": "x"}, 5), attempts=3,
                                        pause_s=0, secret=url, sleep=lambda s: None)
    assert (outcome.ok, outcome.attempts, len(hooks.posts)) == (False, 3, 3)
    assert outcome.error == "RuntimeError: webhook antwoordde 500"
    assert channels.target_label("slack", url) == f"{hooks.url}/…"
    refused = channels.with_retries(lambda: channels.post_webhook("http://127.0.0.1:9/hook/token123", {}, 2),
                                    attempts=1, pause_s=0, secret="http://127.0.0.1:9/hook/token123")
    assert not refused.ok and "token123" not in refused.error
