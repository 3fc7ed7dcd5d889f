"""The channels on their own: credentials from the environment, webhook failures retried with the URL kept secret."""

from __future__ import annotations

from dataclasses import replace

from jeugdmonitor.alerts import channels
from jeugdmonitor.config import SmtpConfig
from tests.alerts.servers import SmtpServer, WebhookServer, free_port


def test_smtp_credentials_come_from_the_environment_and_stay_out_of_repr():
    smtp = channels.smtp_settings(
        SmtpConfig(host="relay.example"), {"JEUGDMONITOR_SMTP_USER": "monitor", "JEUGDMONITOR_SMTP_PASSWORD": "geheim"}
    )
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
        url = f"{hooks.url}/fail/T000/B000/token123?sig=s1gn4ture"
        outcome = channels.with_retries(
            lambda: channels.post_webhook(url, {"text": "x"}, 5), attempts=3, pause_s=0, sleep=lambda s: None
        )
    assert (outcome.ok, outcome.attempts, len(hooks.posts)) == (False, 3, 3)
    assert outcome.error == "RuntimeError: webhook antwoordde 500"
    assert channels.target_label("slack", url) == hooks.url  # scheme, host and port: no path, no query


def test_a_webhook_that_cannot_be_reached_is_recorded_without_its_token():
    """requests names the path and query in its message ("Max retries exceeded with url: /hook/...?sig=..."):
    the recorded error keeps the exception type and the host."""
    url = f"http://127.0.0.1:{free_port()}/hook/T000/token123?sig=s1gn4ture&x=1"  # nothing listens there
    refused = channels.with_retries(lambda: channels.post_webhook(url, {}, 2), attempts=1, pause_s=0)
    assert not refused.ok
    assert refused.error == f"ConnectionError ({url.split('/hook')[0]})"
    no_scheme = channels.with_retries(
        lambda: channels.post_webhook("hooks.example/T000/token123", {}, 2), attempts=1, pause_s=0
    )
    assert no_scheme.error == "MissingSchema"  # requests' message would quote the whole URL


def test_a_plain_text_smtp_password_is_refused_without_connecting():
    with SmtpServer(login=True) as server:
        smtp = channels.SmtpSettings(
            "127.0.0.1",
            server.port,
            starttls=False,
            sender="monitor@regio.nl",
            timeout_s=5,
            user="monitor",
            password="s3cret",
        )
        outcome = channels.with_retries(
            lambda: channels.send_email(smtp, "data@regio.example", "s", "b"),
            attempts=3,
            pause_s=0,
            sleep=lambda s: None,
        )
    assert (outcome.ok, outcome.attempts) == (False, 1)  # a refusal is not retried
    assert "onversleuteld" in outcome.error and "allow_plaintext_password" in outcome.error
    assert server.logins == [] and server.messages == []


def test_a_plain_text_smtp_password_goes_when_explicitly_allowed(caplog):
    config = SmtpConfig(host="127.0.0.1", starttls=False, allow_plaintext_password=True)
    with SmtpServer(login=True) as server:
        smtp = replace(
            channels.smtp_settings(
                config, {"JEUGDMONITOR_SMTP_USER": "monitor", "JEUGDMONITOR_SMTP_PASSWORD": "s3cret"}
            ),
            port=server.port,
        )
        channels.send_email(smtp, "data@regio.example", "s", "b")
    assert server.logins == [("monitor", "s3cret")] and len(server.messages) == 1
    assert "without TLS" in caplog.text and "s3cret" not in caplog.text
