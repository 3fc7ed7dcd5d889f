"""The monitor flow end to end on a small inbox, through a real (temporary) Prefect server."""

import shutil
from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas.warehouse import meta_load_run, stg_jw323_prestatie
from prefect.artifacts import Artifact
from sqlalchemy import func, select

from jeugdmonitor.warehouse import make_engine

GOLDEN = Path(__file__).parents[1] / "fixtures" / "ijw" / "jw323_credit_correction.xml"
JW301 = Path(__file__).parents[1] / "fixtures" / "ijw" / "jw301_snapshot.xml"


def write_config(folder: Path, warehouse_url: str, gemeenten: tuple[str, ...] = ("GM0546",)) -> Path:
    config = folder / "jeugdmonitor.toml"
    codes = ", ".join(f'"{g}"' for g in gemeenten)
    config.write_text(f"""
[region]
naam = "Testregio"
gemeenten = [{codes}]
bestand = "demo"
[paths]
data_dir = "data"
ijw_inbox = "inbox/ijw"
jgt_inbox = "inbox/jgt"
cbs_inbox = "inbox/cbs"
[warehouse]
url = "{warehouse_url}"
[privacy]
key_file = "data/pseudonym.key"
create_key_file = true
""")
    return config


@pytest.fixture
def region_folder(tmp_path):
    inbox = tmp_path / "inbox" / "ijw" / "2025-05"
    inbox.mkdir(parents=True)
    shutil.copy(GOLDEN, inbox / "JW323_12345678_0546_DCL202505007.xml")
    shutil.copy(JW301, inbox / "JW301_0546_12345678_T202503001.xml")
    (inbox / "JW323_broken.xml").write_bytes(GOLDEN.read_bytes()[:2000])
    return tmp_path


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_monitor_flow_loads_then_changes_nothing_on_a_rerun(region_folder, backend, request):
    url = (
        f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    config = write_config(region_folder, url)

    first = monitor(str(config))
    assert first.to_dict()["files"] == {"loaded": 2, "rejected": 1, "skipped": 0, "refused_before": 0, "pending": 0}
    assert first.to_dict()["rows"] == {"read": 5, "loaded": 4, "quarantined": 1}
    assert first.reasons() == {"bsn_invalid": 1, "not_well_formed": 1}
    # the credit's debet (P2025-000301) was declared before this inbox began: loaded, reported as a warning
    assert first.warnings() == {"credit_unknown_debet": 1}
    assert (region_folder / "data" / "pseudonym.key").exists()

    second = monitor(str(config))
    # the refused file is skipped as refused before, not as loaded before (`jeugdmonitor reprocess` tries it again)
    assert second.to_dict()["files"] == {"loaded": 0, "rejected": 0, "skipped": 2, "refused_before": 1, "pending": 0}
    assert second.rows_loaded == 0

    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(stg_jw323_prestatie)).scalar_one() == 3
        runs = conn.execute(
            select(meta_load_run.c.run_id, meta_load_run.c.status, meta_load_run.c.rows_loaded).order_by(
                meta_load_run.c.started_at
            )
        ).all()
    engine.dispose()
    assert [(r.status, r.rows_loaded) for r in runs] == [("completed", 4), ("completed", 0)]
    assert runs[0].run_id != runs[1].run_id


def test_each_run_publishes_a_summary_artifact_without_personal_data(region_folder):
    config = write_config(region_folder, f"sqlite:///{region_folder / 'wh.sqlite'}")
    run = monitor(str(config))

    summary, quarantine = (Artifact.get(key) for key in ("jeugdmonitor-run-summary", "jeugdmonitor-quarantine"))
    assert str(summary.flow_run_id) == str(quarantine.flow_run_id) == run.run_id
    assert "| rows quarantined | 1 |" in summary.data
    assert "| rows loaded | 4 |" in summary.data
    for artifact in (summary, quarantine):
        text = str(artifact.data)
        assert "999900006" not in text and "999900007" not in text


def test_a_dead_smtp_server_never_fails_the_load(region_folder):
    from jeugdmonitor.schemas.warehouse import meta_alert_delivery

    from tests.alerts.servers import free_port

    url = f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}"
    config = write_config(region_folder, url)
    config.write_text(
        config.read_text()
        + f"""
[alerts]
pogingen = 2
wachttijd_s = 0
[alerts.smtp]
host = "127.0.0.1"
port = {free_port()}
starttls = false
[[alerts.ontvangers]]
naam = "Databeheer"
rol = "data"
email = "data@regio.example"
"""
    )
    summary = monitor(str(config))
    assert summary.to_dict()["files"]["loaded"] == 2
    assert (summary.alerts.alerts >= 1, summary.alerts.sent, summary.alerts.failed) == (True, 0, 1)
    assert "| alert digests failed | 1 |" in summary.render_markdown()
    assert "Databeheer (email, data@regio.example): ConnectionRefusedError" in summary.render_markdown()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(meta_load_run.c.status)).scalars().all() == ["completed"]
        assert conn.execute(select(meta_alert_delivery.c.status, meta_alert_delivery.c.pogingen)).all() == [
            ("failed", 2)
        ]
    assert (region_folder / "data" / "data-docs" / "index.html").exists()  # GX judged the JW323 of this run
    assert Artifact.get("jeugdmonitor-run-summary").data.count("alert digests failed") == 1


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_secrets_stay_out_of_logs_records_and_the_summary(region_folder, backend, request, caplog, monkeypatch):
    """A webhook with its token in path and query that cannot be reached, an SMTP login that would go in plain
    text, and on PostgreSQL a password in the warehouse URL's query string: the run completes, both deliveries are
    recorded as failed, and no secret is in a log line, the warehouse or the summary artifact."""
    import logging

    from jeugdmonitor.schemas.warehouse import meta_alert_delivery, meta_alert_history, meta_load_run

    from tests.alerts.servers import SmtpServer, free_port

    url = (
        f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url") + "&password=s3cret"
    )
    monkeypatch.setenv("JEUGDMONITOR_SMTP_USER", "monitor")
    monkeypatch.setenv("JEUGDMONITOR_SMTP_PASSWORD", "smtp-s3cret")
    monkeypatch.setenv("HOOK_URL", f"http://127.0.0.1:{free_port()}/webhookb2/T0KEN-IN-PATH?sig=S1GNATURE")
    config = write_config(region_folder, url)
    with SmtpServer(login=True) as smtp:
        config.write_text(
            config.read_text()
            + f"""
[alerts]
pogingen = 2
wachttijd_s = 0
[alerts.smtp]
host = "127.0.0.1"
port = {smtp.port}
starttls = false
[[alerts.ontvangers]]
naam = "Databeheer"
rol = "data"
email = "data@regio.example"
webhook_env = "HOOK_URL"
"""
        )
        caplog.set_level(logging.DEBUG, logger="jeugdmonitor")
        summary = monitor(str(config))
    assert smtp.logins == [] and smtp.messages == []  # the password never left
    assert (summary.alerts.sent, summary.alerts.failed) == (0, 2)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(meta_load_run.c.status)).scalars().all() == ["completed"]
        deliveries = conn.execute(select(meta_alert_delivery)).mappings().all()
        history = conn.execute(select(meta_alert_history)).mappings().all()
    engine.dispose()
    assert sorted((d["kanaal"], d["status"]) for d in deliveries) == [("email", "failed"), ("teams", "failed")]
    assert any("allow_plaintext_password" in d["fout"] for d in deliveries)
    stored = [str(dict(row)) for row in [*deliveries, *history]]
    shown = [summary.render_text(), Artifact.get("jeugdmonitor-run-summary").data, caplog.text]
    assert "Databeheer (teams, http://127.0.0.1:" in shown[1] and "Databeheer (teams, http://127.0.0.1:" in caplog.text
    for text in stored + shown:
        for secret in ("T0KEN-IN-PATH", "S1GNATURE", "smtp-s3cret", "s3cret"):
            assert secret not in text, (secret, text)


def test_the_long_steps_report_their_progress_through_the_run_logger(region_folder, caplog):
    """Each long step closes with its progress line in the flow run's logs (what the Prefect UI shows), counts
    only: no file name."""
    import logging

    caplog.set_level(logging.INFO)
    monitor(str(write_config(region_folder, f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}")))
    lines = {r.getMessage().split(":")[0]: r for r in caplog.records if " done: " in r.getMessage()}
    assert lines["iJw ingest done"].getMessage().startswith("iJw ingest done: 3/3 files")
    assert lines["JGT ingest done"].getMessage().startswith("JGT ingest done: 0/0 files")
    assert lines["marts done"].getMessage().startswith("marts done: 1/1 gemeenten")
    assert all(r.name.startswith("prefect.task_runs") for r in lines.values())
    assert not any("JW323" in r.getMessage() for r in lines.values())
