"""Great Expectations suites as JSON, one per staging dataset. Each expectation carries `meta.severity`
(`fail`: the row is quarantined, or the whole file for `meta.scope = "file"`; `warn`: it loads and is reported)
and `meta.reason_code` (see transforms/reasons.py for the Dutch text)."""

from __future__ import annotations

import json
from pathlib import Path

SUITES = Path(__file__).parent


def suite_path(name: str) -> Path:
    return SUITES / f"{name}.json"


def load_suite_json(name: str) -> dict:
    return json.loads(suite_path(name).read_text(encoding="utf-8"))


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES.glob("*.json"))
