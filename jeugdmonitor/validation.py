"""Running the Great Expectations suites of expectations/ on DataFrames.

One ephemeral GX context per process, built on first use (importing GX costs seconds, and most runs validate
many batches): suites are read from the JSON files, never from a GX project folder, so concurrent runs write no
GX state. Results come back as Findings: which rule, which severity and scope, which rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from jeugdmonitor.expectations import load_suite_json


@dataclass(frozen=True)
class Finding:
    """One expectation that did not hold."""

    suite: str
    reason_code: str
    severity: str  # fail | warn
    scope: str  # row | file
    field: str | None
    rule: str
    rows: tuple = ()  # index labels of the frame rows that broke it
    unexpected_count: int = 0


@dataclass
class FileWarning:
    """Lines of one file (by its index in a batch) that loaded although they broke a warn rule."""

    file_index: int
    finding: Finding
    rows_evaluated: int
    rows_unexpected: int


@dataclass
class Outcome:
    suite: str
    evaluated: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.findings


# What result_format COMPLETE adds to SUMMARY: a list as long as the unexpected rows.
_FULL_LISTS = ("unexpected_list", "unexpected_index_list", "unexpected_index_query")
# What SUMMARY itself holds of the rows: their values, which Data Docs would show to everyone who opens them.
_VALUE_LISTS = ("partial_unexpected_list", "partial_unexpected_counts", "partial_unexpected_index_list")


class Validator:
    """Validates frames against named suites; holds the GX context and one validation definition per suite."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._batch = (
            self.context.data_sources.add_pandas("jeugdmonitor")
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole")
        )
        self._definitions: dict = {}
        self._meta: dict[str, list[dict]] = {}
        self._columns: dict[str, set[str] | None] = {}

    @property
    def _store(self):
        return self.context.validation_results_store

    def _slim_stored(self, keys_before: set) -> None:
        """GX keeps every result in the context's store (for the run's Data Docs, jeugdmonitor.alerts.data_docs),
        with the index of every unexpected row: over a national year's batches that grew by gigabytes. The
        stored copy keeps the counts only, not even GX's partial lists of values (a date of birth, a value from a
        shifted cell): Data Docs show how many rows broke a rule, the quarantine shows which (masked)."""
        for key in set(self._store.list_keys()) - keys_before:
            stored = self._store.get(key)
            for item in stored.results:
                for name in _FULL_LISTS + _VALUE_LISTS:
                    (item.result or {}).pop(name, None)
            self._store.set(key, stored)

    def _definition(self, name: str):
        if name not in self._definitions:
            from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

            spec = load_suite_json(name)
            self._columns[name] = _suite_columns(spec)
            expectations = [
                ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})).to_domain_obj()
                for e in spec["expectations"]
            ]
            suite = self.context.suites.add(
                self._gx.ExpectationSuite(name=name, expectations=expectations, meta=spec.get("meta", {}))
            )
            self._definitions[name] = self.context.validation_definitions.add(
                self._gx.ValidationDefinition(name=f"{name}-whole-frame", data=self._batch, suite=suite)
            )
        return self._definitions[name]

    def validate(self, frame: pd.DataFrame, suite: str) -> Outcome:
        outcome = Outcome(suite, len(frame))
        if frame.empty:
            return outcome
        keys_before = set(self._store.list_keys())
        definition = self._definition(suite)
        if (columns := self._columns[suite]) is not None:
            # Only the columns the suite reads: GX's per-batch work grows with the frame it is handed.
            frame = frame[[c for c in frame.columns if c in columns]]
        result = definition.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"})
        self._slim_stored(keys_before)
        for item in result.results:
            if item.success:
                continue
            meta = item.expectation_config.meta or {}
            details = item.result or {}
            outcome.findings.append(
                Finding(
                    suite=suite,
                    reason_code=meta.get("reason_code", item.expectation_config.type),
                    severity=meta.get("severity", "fail"),
                    scope=meta.get("scope", "row"),
                    field=meta.get("field"),
                    rule=meta.get("rule", ""),
                    rows=tuple(details.get("unexpected_index_list") or ()),
                    unexpected_count=int(details.get("unexpected_count") or 0),
                )
            )
        return outcome


def _suite_columns(spec: dict) -> set[str] | None:
    """The columns a suite reads when every expectation is about one column (None otherwise: a table-level
    expectation may look at all of them)."""
    expectations = spec["expectations"]
    if all(e["type"].startswith("expect_column_") and "column" in e["kwargs"] for e in expectations):
        return {e["kwargs"]["column"] for e in expectations}
    return None


@cache
def validator() -> Validator:
    return Validator()
