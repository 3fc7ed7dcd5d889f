"""A failure in one source leaves the others, their marts and the summary intact; the run ends "completed with
problems"; a failed step or a failed run sends one notice to the data engineers; a new region's first, empty run
completes (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

from jeugdmonitor.flows import tasks
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas.warehouse import meta_load_run, stg_jw323_prestatie
from sqlalchemy import func, select

from jeugdmonitor.warehouse import make_engine
from tests.alerts.servers import WebhookServer
from tests.flows.test_monitor_flow import region_folder, write_config  # noqa: F401 (the fixture)

BSN = "999900006"  # a BSN of the golden file: it must not travel in any message


def with_data_webhook(config: Path, url: str) -> Path:
    config.write_text(
        config.read_text()
        + f"""
[alerts]
pogingen = 1
wachttijd_s = 0
[[alerts.ontvangers]]
naam = "Databeheer"
rol = "data"
webhook = "{url}/hook"
webhook_kind = "slack"
"""
    )
    return config


def notices(server: WebhookServer) -> list[str]:
    """The texts of the run notices among everything the webhook received (the alert digests go there too)."""
    return [body["text"] for _, body in server.posts if body.get("text", "").startswith("Jeugdmonitor: de run")]


def runs(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            select(meta_load_run.c.status, meta_load_run.c.message, meta_load_run.c.rows_loaded).order_by(
                meta_load_run.c.started_at
            )
        ).all()
        jw323 = conn.execute(select(func.count()).select_from(stg_jw323_prestatie)).scalar_one()
    engine.dispose()
    return [*found, jw323]


def test_a_failed_source_step_leaves_the_other_loads_and_their_marts_and_says_so_once(region_folder, monkeypatch):  # noqa: F811
    url = f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}"

    def broken(settings, run_id):
        raise KeyError(f"regel met BSN {BSN}")  # not our exception type: its message must not travel

    monkeypatch.setattr(tasks, "ingest_jgt_task", broken)
    with WebhookServer() as hooks:
        config = with_data_webhook(write_config(region_folder, url), hooks.url)
        state = monitor(str(config), return_state=True)
        sent = notices(hooks)
    summary = state.result()

    assert state.is_completed() and state.name == "Completed with problems"
    assert summary.status == "with_problems"
    assert summary.to_dict()["files"]["loaded"] == 2, "the iJw files still load"
    assert summary.marts is not None and sum(summary.marts.rows.values()) > 0, "and their marts are built"
    text = summary.render_text()
    assert "completed with problems" in text and "Stap mislukt" in text and "JGT: KeyError in" in text
    (status, message, rows_loaded), jw323 = runs(url)[0], runs(url)[1]
    assert (status, rows_loaded, jw323) == ("with_problems", 4, 3)
    assert message.startswith("JGT: KeyError in jeugdmonitor.") and BSN not in message

    assert len(sent) == 1, "one notice for the run"
    assert "is afgerond met problemen" in sent[0] and "Wat wel is geladen: 2 bestanden, 4 regels" in sent[0]
    assert "JGT: KeyError in" in sent[0]
    assert BSN not in sent[0] and "Traceback" not in sent[0]


def test_a_run_that_fails_before_its_steps_sends_one_notice_with_the_reason(region_folder):  # noqa: F811
    url = f"sqlite:///{region_folder / 'data' / 'warehouse.sqlite'}"
    with WebhookServer() as hooks:
        config = with_data_webhook(write_config(region_folder, url), hooks.url)
        # the pseudonymisation key is gone and may not be made: the run cannot start
        config.write_text(config.read_text().replace("create_key_file = true", "create_key_file = false"))
        state = monitor(str(config), return_state=True)
        sent = notices(hooks)
    assert state.is_failed()
    assert len(sent) == 1
    assert "de run monitor is mislukt" in sent[0]
    assert "Wat wel is geladen: niets" in sent[0]
    assert "Traceback" not in sent[0]


def test_the_first_run_of_an_empty_region_completes(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}"
    config = write_config(tmp_path, url)
    for inbox in ("ijw", "jgt", "cbs"):
        (tmp_path / "inbox" / inbox).mkdir(parents=True)
    state = monitor(str(config), return_state=True)
    summary = state.result()
    assert state.is_completed() and state.name == "Completed"
    assert summary.status == "completed" and summary.problems == []
    assert summary.alerts is not None and summary.alerts.errors == [], "the alerts step works on an empty warehouse"
    assert runs(url)[0][0] == "completed"
    assert json.loads(json.dumps(summary.to_dict()))["files"]["loaded"] == 0
