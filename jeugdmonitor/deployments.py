"""The deployments of flows/prefect.yaml as Python objects: what `jeugdmonitor serve` serves, with the same
schedules. The file travels in the wheel as package data of jeugdmonitor.flows."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

PREFECT_YAML = files("jeugdmonitor.flows") / "prefect.yaml"


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    entrypoint: str  # flows/ijw.py:ijw_inbox, relative to the checkout (for `prefect deploy`)
    description: str = ""
    parameters: dict = field(default_factory=dict)
    schedules: tuple[dict, ...] = ()

    def load_flow(self):
        path, _, attribute = self.entrypoint.partition(":")
        # flows/ijw.py is the folder of jeugdmonitor.flows: import the installed module, wherever it lives
        module = importlib.import_module("jeugdmonitor." + path.removesuffix(".py").replace("/", "."))
        return getattr(module, attribute)


def read(path: Path | Traversable = PREFECT_YAML) -> list[DeploymentSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        DeploymentSpec(
            d["name"],
            d["entrypoint"],
            d.get("description", ""),
            dict(d.get("parameters") or {}),
            tuple(d.get("schedules") or ()),
        )
        for d in data["deployments"]
    ]


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
        out.append(
            flow.to_deployment(name=spec.name, description=spec.description, parameters=parameters, schedules=schedules)
        )
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
