"""flows/prefect.yaml: every entry point imports as a flow, schedules are cron in Europe/Amsterdam with unique
slugs, and `serve` builds the same deployments from it."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule

from jeugdmonitor.deployments import PREFECT_YAML, read, to_deployments

EXPECTED = {"ijw-inbox", "jgt-inbox", "cbs-tabellen", "maandafsluiting", "rapport", "monitor", "reprocess", "backfill"}


def test_every_deployment_has_an_importable_flow_entry_point():
    specs = read()
    assert {s.name for s in specs} == EXPECTED
    for spec in specs:
        flow = spec.load_flow()
        assert isinstance(flow, Flow), spec.entrypoint
        assert "config_path" in flow.parameters.properties, spec.name


def test_schedules_are_amsterdam_cron_with_their_own_slugs():
    raw = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    schedules = [s for d in raw["deployments"] for s in d.get("schedules") or []]
    assert len(schedules) == 5
    assert all(s["timezone"] == "Europe/Amsterdam" for s in schedules)
    for s in schedules:
        CronSchedule(cron=s["cron"], timezone=s["timezone"])  # raises on an invalid cron string
    slugs = [s["slug"] for s in schedules]
    assert len(set(slugs)) == len(slugs) and all(slugs)
    at = {
        d["name"]: tuple(int(x) for x in reversed(d["schedules"][0]["cron"].split()[:2]))
        for d in raw["deployments"]
        if d.get("schedules")
    }
    assert at["ijw-inbox"] < at["jgt-inbox"], "iJw first: JGT exports are linked to toewijzingen in the chain mart"
    assert at["maandafsluiting"] < at["rapport"], "the report after the monthly close has rebuilt the marts"


def test_serve_builds_the_deployments_with_their_schedules_and_the_config(tmp_path):
    deployments = to_deployments(read(), str(tmp_path / "jeugdmonitor.toml"))
    by_name = {d.name: d for d in deployments}
    assert set(by_name) == EXPECTED
    ijw = by_name["ijw-inbox"]
    assert [s.slug for s in ijw.schedules] == ["ijw-inbox-dagelijks-0515"]
    assert ijw.schedules[0].schedule.timezone == "Europe/Amsterdam"
    assert ijw.parameters["config_path"].endswith("jeugdmonitor.toml")
    assert by_name["backfill"].parameters["van"] == "2025-01"


def test_prefect_deploy_finds_every_entry_point_from_the_checkout():
    """`prefect deploy --prefect-file flows/prefect.yaml` from the checkout finds the entry points there."""
    root = Path(__file__).resolve().parents[1]
    for spec in read():
        path, _, name = spec.entrypoint.partition(":")
        assert (root / path).is_file(), spec.entrypoint
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), spec.entrypoint


def test_every_deployed_flow_sends_the_failure_notice_when_it_fails_or_crashes():
    from jeugdmonitor.flows.run import notify_failure

    for spec in read():
        flow = spec.load_flow()
        assert notify_failure in flow.on_failure_hooks, spec.name
        assert notify_failure in flow.on_crashed_hooks, spec.name
