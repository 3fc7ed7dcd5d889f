"""The alerts step end to end on a small world with planted problems, against a real SMTP server and a real HTTP
server: the expected digests in Dutch, nothing new on a second run, one resolution when a problem is fixed, a dead
SMTP server retried and recorded. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from jeugdmonitor.schemas.warehouse import meta_alert_delivery, meta_alert_history
from jeugdmonitor.transforms.marts.inputs import Params
from sqlalchemy import select, text

from jeugdmonitor import marts, meta
from jeugdmonitor.alerts.run import preview, run_alerts
from jeugdmonitor.config import Settings
from jeugdmonitor.discovery import discover
from jeugdmonitor.ijw.ingest import load_files
from tests.alerts.servers import SmtpServer, WebhookServer, free_port
from tests.ijw_builder import jw301, jw305, jw323, load_messages

X, Y = "999900006", "999900018"  # 11-proef valid test BSNs
NAMES = ("Test", "Dr. Test")  # the names the builder writes into the messages
A = "12345678"  # the aanbieder that falls silent

WORLD = {
    # X: ambulant care at aanbieder A from 6 January, declared for January and February, not for March.
    "a/JW301_0546_12345678_x.xml": jw301(
        "TX1", "2025-01-05", X, [{"nummer": 1001, "datum": "2025-01-05", "ingang": "2025-01-06"}]
    ),
    "a/JW305_12345678_0546_x.xml": jw305(
        "SX1", "2025-01-07", X, [{"nummer": 1001, "ingang": "2025-01-06", "begin": "2025-01-06"}]
    ),
    "b/JW323_12345678_0546_jan.xml": jw323(
        "D2501",
        "2025-02-05",
        ("2025-01-01", "2025-01-31"),
        {X: [{"ref": "R-1", "nummer": 1001, "begin": "2025-01-06", "eind": "2025-01-31", "volume": 10}]},
    ),
    "b/JW323_12345678_0546_feb.xml": jw323(
        "D2502",
        "2025-03-05",
        ("2025-02-01", "2025-02-28"),
        {X: [{"ref": "R-2", "nummer": 1001, "begin": "2025-02-01", "eind": "2025-02-28", "volume": 10}]},
    ),
    # Y: a start in March so that the data window reaches March.
    "c/JW301_0546_12345678_y.xml": jw301(
        "TY1", "2025-03-01", Y, [{"nummer": 2001, "datum": "2025-03-01", "ingang": "2025-03-03"}]
    ),
    "c/JW305_12345678_0546_y.xml": jw305(
        "SY1", "2025-03-20", Y, [{"nummer": 2001, "ingang": "2025-03-03", "begin": "2025-03-03"}]
    ),
}
MARCH = {
    "d/JW323_12345678_0546_mar.xml": jw323(
        "D2503",
        "2025-04-21",
        ("2025-03-01", "2025-03-31"),
        {X: [{"ref": "R-3", "nummer": 1001, "begin": "2025-03-01", "eind": "2025-03-31", "volume": 10}]},
    )
}


def settings_for(url: str, tmp_path, smtp_port: int, webhooks: str, **alerts) -> Settings:
    return Settings.model_validate(
        {
            "region": {"naam": "Leidse regio", "gemeenten": ["GM0546", "GM0547"]},
            "warehouse": {"url": url},
            "alerts": {
                "peildatum": "2025-04-20",
                "jgt_export_dag": 0,
                "pogingen": 3,
                "wachttijd_s": 0.01,
                "data_docs_dir": str(tmp_path / "data-docs"),
                "smtp": {"host": "127.0.0.1", "port": smtp_port, "starttls": False, "sender": "monitor@regio.nl"},
                "ontvangers": [
                    {
                        "naam": "Beleid Leiden",
                        "rol": "beleid",
                        "gemeenten": ["GM0546"],
                        "email": "beleid@leiden.example",
                    },
                    {
                        "naam": "Beleid Leiderdorp",
                        "rol": "beleid",
                        "gemeenten": ["GM0547"],
                        "email": "beleid@leiderdorp.example",
                    },
                    {
                        "naam": "Databeheer",
                        "rol": "data",
                        "email": "data@regio.example",
                        "webhook": f"{webhooks}/slack/T000/secret",
                        "webhook_kind": "slack",
                    },
                    {
                        "naam": "Contractbeheer",
                        "rol": "contract",
                        "gemeenten": ["GM0546"],
                        "webhook_env": "TEAMS_URL",
                        "webhook_kind": "teams",
                    },
                ],
                **alerts,
            },
        }
    )


@pytest.fixture
def world(warehouse, tmp_path, pseudonymise):
    """The world loaded and the marts built; then a rejected file in a run of its own, and a doorlooptijd over
    the norm planted in the mart (February and March, Leiden)."""
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    marts.build(
        warehouse,
        marts.BuildSettings(gemeenten=["GM0546", "GM0547"], threshold=1, params=Params(), first_month=date(2025, 1, 1)),
    )
    with warehouse.begin() as conn:
        conn.execute(
            text(
                "update mart_doorlooptijd set aantal = 12, mediaan_dagen = 58 where gemeentecode = 'GM0546'"
                " and team = 'totaal' and maand in ('2025-02-01', '2025-03-01')"
            )
        )
    return warehouse


def load_run(engine, inbox, pseudonymise, files: dict[str, bytes]) -> str:
    for name, data in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    run_id = meta.start_run(engine, "test")
    new, _ = discover(inbox, (".xml",), meta.known_hashes(engine))
    load_files(engine, run_id, new, pseudonymise)
    return run_id


def content(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # SMTP sends CRLF


def rendered_texts(smtp: SmtpServer, hooks: WebhookServer) -> list[str]:
    return [f"{m['Subject']}\n{content(m)}" for m in smtp.messages] + [
        json.dumps(body, ensure_ascii=False) for _, body in hooks.posts
    ]


def assert_no_personal_data(texts: list[str]) -> None:
    for value in texts:
        # nothing BSN-like; the run id (a uuid) is hex and may hold nine digits in a row by chance
        without_run_ids = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<run>", value)
        assert not re.search(r"(?<!\d)\d{9}(?!\d)", without_run_ids), value
        for name in NAMES:
            assert not re.search(rf"\b{re.escape(name)}\b", value), (name, value)


def mail_to(smtp: SmtpServer, address: str):
    found = [m for m in smtp.messages if m["To"] == address]
    assert len(found) == 1, [m["To"] for m in smtp.messages]
    return found[0]


def test_planted_problems_are_sent_once_and_resolved_once(world, warehouse_url, tmp_path, pseudonymise):
    inbox = tmp_path / "inbox"
    broken = WORLD["b/JW323_12345678_0546_feb.xml"][:600]
    run1 = load_run(world, inbox, pseudonymise, {"e/JW323_12345678_0546_kapot.xml": broken})
    env = {}
    with SmtpServer() as smtp, WebhookServer() as hooks:
        env["TEAMS_URL"] = f"{hooks.url}/teams/hook"
        settings = settings_for(warehouse_url, tmp_path, smtp.port, hooks.url)
        report = run_alerts(world, settings, run1, cbs_outcomes=[], environ=env)

        assert (report.sent, report.failed, report.resolved) == (4, 0, 0), report.errors
        assert {m["To"] for m in smtp.messages} == {"beleid@leiden.example", "data@regio.example"}

        beleid = mail_to(smtp, "beleid@leiden.example")
        assert beleid["Subject"] == "Jeugdmonitor Leidse regio: 1 waarschuwing"
        body = content(beleid)
        assert "Beste Beleid Leiden," in body
        assert (
            "1. De mediane doorlooptijd van aanmelding tot start hulp in Leiden (GM0546) ligt 2 maanden op rij "
            "boven de norm van 42 dagen.\n"
            "   Hoe groot: mediaan 58 dagen in maart 2025 (dagen per maand: februari 2025: 58, maart 2025: 58)\n"
            "   Sinds: februari 2025\n"
        ) in body
        # policy staff get the report page, in words without report.base_url (report-contract.md), not SQL
        assert "   Bewijs: zie rapport Leiden, onderdeel Doorlooptijd\n" in body and "select" not in body

        data = mail_to(smtp, "data@regio.example")
        # the rejected file and the missing declaration are about one aanbieder: one item, counts per reason
        assert data["Subject"] == "Jeugdmonitor Leidse regio: 1 fout"
        body = content(data)
        assert (
            "FOUTEN (1)\n\n1. AGB 12345678: bestand afgekeurd: het bestand is geen geldige XML (bijvoorbeeld "
            "afgebroken of in een verkeerde tekenset) (1); geen declaratie over maart 2025 (1).\n"
            "   Hoe groot: 2 meldingen bij Leiden\n"
        ) in body
        # the data role keeps its file references (masked: a name can carry a BSN) and SQL
        assert "Bewijs: bestanden: e/JW###_########_####_kapot.xml; technische details: " in body
        assert "from meta_source_file where file_id in (" in body
        assert "Vraag de aanbieder of de declaratie (JW323) over maart 2025 onderweg is" in body
        html = data.get_body(preferencelist=("html",)).get_content()
        assert "<b>AGB 12345678: bestand afgekeurd" in html
        # the data role always gets every alert with its file references as a CSV
        [attached] = [p for p in data.iter_attachments() if p.get_filename() == "meldingen.csv"]
        rows = attached.get_content().splitlines()
        assert rows[0].startswith("ernst;status;groep;regel;") and len(rows) == 3

        paths = sorted(p for p, _ in hooks.posts)
        assert paths == ["/slack/T000/secret", "/teams/hook"]
        slack = next(b for p, b in hooks.posts if p.startswith("/slack"))
        assert slack["text"] == "Jeugdmonitor Leidse regio: 1 fout"
        assert slack["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": slack["text"]}}
        teams = next(b for p, b in hooks.posts if p.startswith("/teams"))
        # a Teams Workflows webhook takes a message with an Adaptive Card, not a connector MessageCard
        assert teams["type"] == "message"
        [attachment] = teams["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
        [item] = [b for b in card["body"] if b["type"] == "Container"]
        assert item["items"][0]["text"] == ("**Waarschuwing**: AGB 12345678: geen declaratie over maart 2025 (1).")
        facts = {f["title"]: f["value"] for f in item["items"][1]["facts"]}
        assert facts["Bewijs"] == "zie rapport Leiden, onderdeel Datakwaliteit"  # contract managers: no SQL
        # The rejected file counts in the scorecard of its sender, in the month it was loaded (no Dagtekening).
        with world.connect() as conn:
            card = conn.execute(
                text(
                    "select maand, bestanden, bestanden_afgekeurd, declaraties, "
                    "niet_gedeclareerd from mart_aanbieder_scorecard where aanbieder_agb = "
                    f"'{A}' and gemeentecode = 'GM0546' order by maand"
                )
            ).all()
        # Files by Dagtekening (January: X's JW301 + JW305; February: the January declaration; March: the February
        # declaration and Y's JW301 and JW305); declaraties by the month they declare: none yet for March.
        assert [(*tuple(r)[1:4], bool(r[4])) for r in card[:3]] == [(2, 0, 1, False), (1, 0, 1, False), (3, 0, 0, True)]
        assert tuple(card[-1])[1:3] == (1, 1) and str(card[-1][0])[:7] == meta.now().strftime("%Y-%m")
        assert facts["Sinds"] == "maart 2025"
        assert (tmp_path / "data-docs" / "index.html").exists() and report.data_docs

        # A second run with nothing new sends nothing.
        run2 = load_run(world, inbox, pseudonymise, {})
        again = run_alerts(world, settings, run2, cbs_outcomes=[], environ=env)
        assert (again.alerts > 0, again.digests, again.sent) == (True, 0, 0)
        assert len(smtp.messages) == 2 and len(hooks.posts) == 2

        # Aanbieder A declares March: the silent-aanbieder alert is resolved, once, for each who heard of it.
        run3 = load_run(world, inbox, pseudonymise, MARCH)
        fixed = run_alerts(world, settings, run3, cbs_outcomes=[], environ=env)
        assert fixed.failed == 0 and fixed.sent == 3  # data by e-mail and Slack, contract by Teams
        data = [m for m in smtp.messages if m["To"] == "data@regio.example"][-1]
        assert data["Subject"] == "Jeugdmonitor Leidse regio: 1 opgelost"
        assert (
            "OPGELOST (1)\n\n- Aanbieder AGB 12345678 heeft voor Leiden (GM0546) nog niet gedeclareerd over maart "
            "2025, terwijl er actieve toewijzingen zijn. (gemeld op "
        ) in content(data)
        assert "dit is nu opgelost." in content(data)
        run4 = load_run(world, inbox, pseudonymise, {})
        assert run_alerts(world, settings, run4, cbs_outcomes=[], environ=env).sent == 0
        assert_no_personal_data(rendered_texts(smtp, hooks))

    with world.connect() as conn:
        statuses = dict(
            conn.execute(
                select(meta_alert_history.c.alert_key, meta_alert_history.c.status).where(
                    meta_alert_history.c.ontvanger == "Databeheer", meta_alert_history.c.kanaal == "email"
                )
            ).all()
        )
        hooks_recorded = (
            conn.execute(select(meta_alert_delivery.c.doel).where(meta_alert_delivery.c.kanaal == "slack"))
            .scalars()
            .all()
        )
    assert statuses[f"aanbieder_stil:GM0546:{A}"] == "opgelost"
    assert [v for k, v in statuses.items() if k.startswith("bestand_afgekeurd:")] == ["gebeurtenis"]
    assert hooks_recorded and all("secret" not in d for d in hooks_recorded)  # the webhook's token is not kept


def test_a_dead_smtp_server_is_retried_and_recorded_and_the_alerts_wait(world, warehouse_url, tmp_path, pseudonymise):
    run1 = load_run(world, tmp_path / "inbox", pseudonymise, {})
    pauses = []
    with WebhookServer() as hooks:
        settings = settings_for(warehouse_url, tmp_path, free_port(), hooks.url)  # nothing listens there
        report = run_alerts(
            world, settings, run1, cbs_outcomes=[], environ={"TEAMS_URL": f"{hooks.url}/teams"}, sleep=pauses.append
        )
    assert report.failed == 2 and report.sent == 2  # the two e-mails failed, both webhooks went out
    assert pauses == [0.01, 0.02] * 2  # three attempts each, the pause doubling
    assert any("ConnectionRefusedError" in e for e in report.errors)
    with world.connect() as conn:
        failed = conn.execute(
            select(meta_alert_delivery.c.ontvanger, meta_alert_delivery.c.pogingen, meta_alert_delivery.c.fout).where(
                meta_alert_delivery.c.status == "failed"
            )
        ).all()
        told = (
            conn.execute(select(meta_alert_history.c.ontvanger).where(meta_alert_history.c.kanaal == "email"))
            .scalars()
            .all()
        )
    assert sorted(r.ontvanger for r in failed) == ["Beleid Leiden", "Databeheer"]
    assert all(r.pogingen == 3 and "ConnectionRefusedError" in r.fout for r in failed)
    assert told == []  # not told: the next run tries again

    with SmtpServer() as smtp, WebhookServer() as hooks:
        settings = settings_for(warehouse_url, tmp_path, smtp.port, hooks.url)
        run2 = load_run(world, tmp_path / "inbox", pseudonymise, {})
        later = run_alerts(world, settings, run2, cbs_outcomes=[], environ={"TEAMS_URL": f"{hooks.url}/teams"})
    assert later.sent == 2 and {m["To"] for m in smtp.messages} == {"beleid@leiden.example", "data@regio.example"}
    assert hooks.posts == []  # the webhooks were told the first time


def test_preview_shows_the_digests_without_sending_or_writing(world, warehouse_url, tmp_path, pseudonymise):
    load_run(world, tmp_path / "inbox", pseudonymise, {})
    settings = settings_for(warehouse_url, tmp_path, free_port(), "http://127.0.0.1:9")
    rendered, found = preview(world, settings)
    assert len(found) >= 3 and "aanbieder_stil" in {a.rule for a in found}
    assert sorted((r.digest.recipient.naam, r.digest.channel.kind) for r in rendered) == [
        ("Beleid Leiden", "email"),
        ("Contractbeheer", "teams"),
        ("Databeheer", "email"),
        ("Databeheer", "slack"),
    ]
    assert_no_personal_data([r.subject + r.body + json.dumps(r.payload) for r in rendered])
    with world.connect() as conn:
        assert conn.execute(select(meta_alert_history)).all() == []
        assert conn.execute(select(meta_alert_delivery)).all() == []


GIVEN_UP = "Jeugdmonitor: het overzicht voor Contractbeheer via teams kon niet worden bezorgd"


def delivery_statuses(engine, ontvanger: str) -> list[str]:
    d = meta_alert_delivery
    with engine.connect() as conn:
        return list(
            conn.execute(select(d.c.status).where(d.c.ontvanger == ontvanger).order_by(d.c.delivery_id)).scalars()
        )


def test_a_digest_that_keeps_failing_is_given_up_and_reported_once(world, warehouse_url, tmp_path, pseudonymise):
    """A channel that always fails: retried in each run, the alerts wait for the next run, and after
    opgeven_na_runs runs the digest is given up (its alerts count as told) and the data team hears of it once."""
    inbox = tmp_path / "inbox"
    with SmtpServer() as smtp, WebhookServer() as hooks:
        settings = settings_for(warehouse_url, tmp_path, smtp.port, hooks.url, opgeven_na_runs=2)
        env = {"TEAMS_URL": f"{hooks.url}/fail/teams/token"}
        reports = []
        for files in ({}, {}, {}, MARCH):
            run_id = load_run(world, inbox, pseudonymise, files)
            reports.append(run_alerts(world, settings, run_id, cbs_outcomes=[], environ=env, sleep=lambda s: None))
        teams_posts = [p for p, _ in hooks.posts if p.startswith("/fail")]
        notices_by_mail = [m for m in smtp.messages if m["Subject"] == GIVEN_UP]
        notices_by_slack = [b for p, b in hooks.posts if p.startswith("/slack") and GIVEN_UP in b["text"]]

    assert [(r.failed, r.given_up) for r in reports] == [(1, 0), (1, 1), (0, 0), (1, 1)]
    assert reports[2].digests == 0  # given up: not resent in the next run
    # run 4: a resolution for the contract managers; the channel is still broken: given up at once, told no more
    assert delivery_statuses(world, "Contractbeheer") == ["failed", "given_up", "given_up"]
    assert len(teams_posts) == 3 * 3  # three attempts in each of the three runs that had something to send
    assert len(notices_by_mail) == 1 and len(notices_by_slack) == 1
    [notice] = notices_by_mail
    body = content(notice)
    assert "in 2 runs op rij niet aangekomen, ook niet na 3 pogingen" in body
    assert "RuntimeError: webhook antwoordde 500" in body and "token" not in body  # the URL's secret stays out


def test_a_payload_the_channel_refuses_as_too_big_is_not_retried(world, warehouse_url, tmp_path, pseudonymise):
    """HTTP 413: the same payload would be refused at every attempt and in every run; it is given up at once."""
    with SmtpServer() as smtp, WebhookServer(max_bytes=600) as hooks:
        settings = settings_for(warehouse_url, tmp_path, smtp.port, hooks.url)
        run_id = load_run(world, tmp_path / "inbox", pseudonymise, {})
        report = run_alerts(
            world, settings, run_id, cbs_outcomes=[], environ={"TEAMS_URL": f"{hooks.url}/teams"}, sleep=lambda s: 0
        )
    assert report.given_up == 2  # the Slack and the Teams digest: both bigger than 600 bytes
    assert any("te groot (413" in e for e in report.errors)
    assert len([p for p, _ in hooks.posts if p == "/teams"]) == 1  # one attempt only
    assert [m["Subject"] for m in smtp.messages].count(GIVEN_UP) == 1
    assert delivery_statuses(world, "Contractbeheer") == ["given_up"]
