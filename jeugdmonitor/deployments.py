"""The deployments of prefect.yaml as Python objects: what `jeugdmonitor serve` serves, with the same schedules."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    entrypoint: str  # flows/ijw.py:ijw_inbox
    description: str = ""
    parameters: dict = field(default_factory=dict)
    schedules: tuple[dict, ...] = ()

    def load_flow(self):
        path, _, attribute = self.entrypoint.partition(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        return getattr(module, attribute)


def read(path: Path = PREFECT_YAML) -> list[DeploymentSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [DeploymentSpec(d["name"], d["entrypoint"], d.get("description", ""), dict(d.get("parameters") or {}),
                           tuple(d.get("schedules") or ())) for d in data["deployments"]]


def to_deployments(specs: list[DeploymentSpec], config_path: str | None, task_runner=None) -> list:
    """Runner deployments for `prefect.serve`, with the config path as a parameter of every flow."""
    from prefect.schedules import Cron

    out = []
    for spec in specs:
        flow = spec.load_flow()
        if task_runner is not None:
            flow = flow.with_options(task_runner=task_runner)
        schedules = [Cron(s["cron"], timezone=s.get("timezone"), slug=s.get("slug")) for s in spec.schedules]
        parameters = {**spec.parameters, **({"config_path": config_path} if config_path else {})}
        out.append(flow.to_deployment(name=spec.name, description=spec.description, parameters=parameters,
                                      schedules=schedules))
    return out


def task_runner_for(settings):
    """The task runner the configuration asks for: None (Prefect's default) or a DaskTaskRunner on an existing
    cluster (runs.dask_address)."""
    if settings.runs.task_runner != "dask":
        return None
    if not settings.runs.dask_address:
        raise ValueError("runs.task_runner = 'dask' needs runs.dask_address (tcp://scheduler:8786)")
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=settings.runs.dask_address)
