"""The run summary: what a run saw, loaded and quarantined. Printed by the CLI and published as a Prefect artifact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jeugdmonitor.meta import FileTally
from jeugdmonitor.redact import masked_url
from jeugdmonitor.stages import StageClock

if TYPE_CHECKING:
    from jeugdmonitor.alerts.run import AlertReport
    from jeugdmonitor.cbs.ingest import TableOutcome
    from jeugdmonitor.marts.settings import BuildReport

_FILE_STATUSES = ("loaded", "rejected", "skipped", "refused_before", "pending")
# What a reprocess did with the files it judged again (jeugdmonitor.reprocess), shown when it did any.
_REPROCESS_LINES = {
    "reloaded": "files judged again: rows loaded",
    "unchanged": "files judged again: nothing new loaded",
    "changed": "files changed in the inbox (not judged again)",
    "gone": "files gone from the inbox (not judged again)",
    "key_changed": "files loaded with another key (not judged again)",
}
_REFUSED_BEFORE = "eerder geweigerd — `jeugdmonitor reprocess` probeert opnieuw"

_CBS_STATUS = {
    "loaded": "loaded",
    "unchanged": "unchanged",
    "stale": "STALE: last good data in use",
    "failed": "FAILED: last good data in use",
}
COMPLETED, WITH_PROBLEMS = "completed", "with_problems"  # meta_load_run.status of a run that got to its end


@dataclass
class RunSummary:
    run_id: str
    warehouse: str  # the warehouse URL; kept with its password and secret query parameters masked
    results: FileTally = field(default_factory=FileTally)  # steps add their FileResults: summary.results += [...]
    cbs: list[TableOutcome] = field(default_factory=list)  # one per CBS table
    marts: BuildReport | None = None
    alerts: AlertReport | None = None  # None when alerts are off
    stages: StageClock = field(default_factory=StageClock)
    resolved: int = 0  # quarantine rows closed by judging them again (jeugdmonitor reprocess)
    notes: list[str] = field(default_factory=list)  # files that could not be judged again, one Dutch line each
    # steps that failed (the run went on with the others), one line each: "<step>: <what went wrong>"
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # masked here, so that no caller can put a password into the CLI output or the Prefect artifact
        self.warehouse = masked_url(self.warehouse)

    def count(self, status: str) -> int:
        return self.results.files[status]

    @property
    def rows_read(self) -> int:
        return self.results.rows_read

    @property
    def rows_loaded(self) -> int:
        return self.results.rows_loaded

    @property
    def rows_quarantined(self) -> int:
        return self.results.rows_quarantined

    def reasons(self) -> Counter[str]:
        """Quarantined rows and rejected files by reason code."""
        return self.results.reasons

    def warnings(self) -> Counter[str]:
        """Loaded rows that broke a warn rule, by reason code."""
        return self.results.warnings

    def pending_types(self) -> Counter[str]:
        return self.results.pending_types

    @property
    def cbs_failed(self) -> list[TableOutcome]:
        return [o for o in self.cbs if o.status == "failed"]

    @property
    def cbs_retries(self) -> int:
        return sum(o.retries for o in self.cbs)

    @property
    def status(self) -> str:
        """completed, or with_problems when a step failed or a CBS table could not be loaded as configured (CBS
        being unreachable is not a problem of the run: the next one tries again, and the alerts say so)."""
        return WITH_PROBLEMS if self.problems or self.cbs_failed else COMPLETED

    def problem_message(self) -> str | None:
        """For meta_load_run.message: the failed steps and CBS tables, one line."""
        parts = self.problems + [f"CBS {o.table_id}: failed" for o in self.cbs_failed]
        return "; ".join(parts) or None

    def closing_line(self) -> str:
        """The run's last log line: every figure labelled."""
        files = ", ".join(f"{s} {self.count(s):,}" for s in ("loaded", "rejected", "skipped", "pending"))
        text = (
            f"run {self.run_id} {self.status.replace('_', ' ')}: files {files}; rows read {self.rows_read:,}, "
            f"loaded {self.rows_loaded:,}, quarantined {self.rows_quarantined:,}"
        )
        if self.cbs:
            tables = Counter(o.status for o in self.cbs)
            text += "; CBS tables " + ", ".join(f"{s} {n}" for s, n in sorted(tables.items()))
            text += f", requests retried {self.cbs_retries}"
        if self.marts is not None:
            text += f"; mart rows {sum(self.marts.rows.values()):,}"
        if self.problems:
            text += "; problems: " + "; ".join(self.problems)
        return text

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "warehouse": self.warehouse,
            "status": self.status,
            "problems": list(self.problems),
            "files": {s: self.count(s) for s in (*_FILE_STATUSES, *self._reprocess_statuses())},
            "resolved": self.resolved,
            "rows": {"read": self.rows_read, "loaded": self.rows_loaded, "quarantined": self.rows_quarantined},
            "reasons": dict(sorted(self.reasons().items())),
            "warnings": dict(sorted(self.warnings().items())),
            "pending_types": dict(sorted(self.pending_types().items())),
            "cbs": [
                {
                    "table_id": o.table_id,
                    "purpose": o.purpose,
                    "status": o.status,
                    "modified": o.modified,
                    "melding": o.melding,
                    "retries": o.retries,
                }
                for o in self.cbs
            ],
            "cbs_retries": self.cbs_retries,
            "alerts": None if self.alerts is None else self.alerts.to_dict(),
            "stages": self.stages.figures(),
        }

    def lines(self) -> list[tuple[str, str]]:
        rows = [
            ("status", "completed with problems" if self.status == WITH_PROBLEMS else "completed"),
            ("files new and loaded", f"{self.count('loaded'):,}"),
            ("files rejected (quarantined whole)", f"{self.count('rejected'):,}"),
            ("files skipped (loaded before)", f"{self.count('skipped'):,}"),
            ("files skipped (refused before)", f"{self.count('refused_before'):,}"),
            ("rows read", f"{self.rows_read:,}"),
            ("rows loaded", f"{self.rows_loaded:,}"),
            ("rows quarantined", f"{self.rows_quarantined:,}"),
        ]
        rows += [(_REPROCESS_LINES[status], f"{self.count(status):,}") for status in self._reprocess_statuses()]
        if self.resolved or self._reprocess_statuses():
            rows.append(("quarantine rows resolved", f"{self.resolved:,}"))
        for reason, n in sorted(self.reasons().items()):
            rows.append((f"  quarantine reason {reason}", f"{n:,}"))
        for reason, n in sorted(self.warnings().items()):
            rows.append((f"  loaded with warning {reason}", f"{n:,}"))
        for message_type, n in sorted(self.pending_types().items()):
            rows.append((f"files waiting for a {message_type} loader", f"{n:,}"))
        for outcome in self.cbs:
            rows.append(
                (f"CBS {outcome.table_id} ({outcome.purpose})", _CBS_STATUS.get(outcome.status, outcome.status))
            )
        if self.cbs:
            rows.append(("CBS requests retried", f"{self.cbs_retries:,}"))
        if self.marts is not None:
            rows.append(("marts rebuilt for gemeenten", f"{self.marts.gemeenten:,}"))
            rows.append(("mart rows written", f"{sum(self.marts.rows.values()):,}"))
        if self.alerts is not None:
            rows.append(("alerts found", f"{self.alerts.alerts:,}"))
            rows.append(("alert digests sent", f"{self.alerts.sent:,}"))
            rows.append(("alert digests failed", f"{self.alerts.failed:,}"))
            if self.alerts.given_up:  # failed alerts.opgeven_na_runs runs in a row: the data team was told once
                rows.append(("alert digests given up", f"{self.alerts.given_up:,}"))
            rows.append(("alerts resolved", f"{self.alerts.resolved:,}"))
        return rows

    def figure_rows(self) -> list[dict]:
        """The run's figures as rows (for the table artifact and meta_run_figure): what, detail, number."""
        rows: list[dict] = [
            {"wat": "files", "detail": status, "aantal": self.count(status)}
            for status in (*_FILE_STATUSES, *self._reprocess_statuses())
        ]
        if self.resolved:
            rows.append({"wat": "quarantine", "detail": "resolved", "aantal": self.resolved})
        rows += [
            {"wat": "rows", "detail": what, "aantal": n}
            for what, n in (
                ("read", self.rows_read),
                ("loaded", self.rows_loaded),
                ("quarantined", self.rows_quarantined),
            )
        ]
        rows += [{"wat": "quarantined by reason", "detail": k, "aantal": n} for k, n in sorted(self.reasons().items())]
        rows += [{"wat": "expectation warnings", "detail": k, "aantal": n} for k, n in sorted(self.warnings().items())]
        rows += [
            {"wat": "cbs table", "detail": f"{o.table_id} {o.status}"[:64], "aantal": o.rows_inserted + o.rows_updated}
            for o in self.cbs
        ]
        if self.cbs:
            rows.append({"wat": "cbs requests", "detail": "retried", "aantal": self.cbs_retries})
        if self.problems:
            rows.append({"wat": "problems", "detail": "steps failed", "aantal": len(self.problems)})
        if self.marts is not None:
            rows += [{"wat": "mart rows", "detail": name, "aantal": n} for name, n in sorted(self.marts.rows.items())]
        if self.alerts is not None:
            rows += [
                {"wat": "alerts", "detail": what, "aantal": getattr(self.alerts, what)}
                for what in ("alerts", "sent", "failed", "resolved")
            ]
        for stage, figures in self.stages.figures().items():
            rows += [
                {"wat": "stage ms", "detail": stage, "aantal": round(figures["seconds"] * 1000)},
                {"wat": "stage rows", "detail": stage, "aantal": figures["rows"]},
            ]
        return rows

    def _reprocess_statuses(self) -> list[str]:
        return [status for status in _REPROCESS_LINES if self.count(status)]

    def file_meldingen(self) -> list[str]:
        """Files skipped as refused before, and files a reprocess could not judge again, in Dutch."""
        refused = self.count("refused_before")
        skipped = [f"{refused:,} bestand(en) overgeslagen: {_REFUSED_BEFORE}."] if refused else []
        return skipped + self.notes

    def alert_meldingen(self) -> list[str]:
        """Deliveries that failed and parts of the alerts step that did not work, in Dutch."""
        return [] if self.alerts is None else list(self.alerts.errors)

    def cbs_meldingen(self) -> list[str]:
        """The Dutch sentences about CBS tables that need attention (failed, stale data in use, discontinued), and
        the retries it took."""
        meldingen = [o.melding for o in self.cbs if o.status in ("stale", "failed") or o.discontinued]
        if self.cbs_retries:
            meldingen.append(
                f"CBS: {self.cbs_retries} herhaalde verzoeken (CBS antwoordde niet meteen; zie de waarschuwingen "
                "in de log)."
            )
        return meldingen

    def problem_meldingen(self) -> list[str]:
        """The failed steps, in Dutch: the run went on with the others."""
        return [
            f"Stap mislukt, de andere stappen zijn wel uitgevoerd: {problem}. Wat deze stap zou laden, laadt de "
            "volgende run."
            for problem in self.problems
        ]

    def render_text(self) -> str:
        width = max(len(label) for label, _ in self.lines())
        body = "\n".join(f"  {label:<{width}}  {value:>12}" for label, value in self.lines())
        meldingen = self.problem_meldingen() + self.file_meldingen() + self.cbs_meldingen() + self.alert_meldingen()
        notes = "".join(f"\n  ! {melding}" for melding in meldingen)
        return f"Run {self.run_id}\n  warehouse: {self.warehouse}\n{body}{notes}"

    def render_markdown(self) -> str:
        table = "\n".join(f"| {label.strip()} | {value} |" for label, value in self.lines())
        notes = "".join(f"\n- {melding}" for melding in self.cbs_meldingen())
        files = "".join(f"\n- {melding}" for melding in self.file_meldingen())
        alerts = "".join(f"\n- {melding}" for melding in self.alert_meldingen())
        problems = "".join(f"\n- {melding}" for melding in self.problem_meldingen())
        docs = getattr(self.alerts, "data_docs", None)
        return (
            f"# jeugdmonitor run\n\nWarehouse: `{self.warehouse}`\n\n| what | count |\n|---|---:|\n{table}\n"
            + (f"\n## Problemen\n{problems}\n" if problems else "")
            + (f"\n## Bestanden\n{files}\n" if files else "")
            + (f"\n## CBS\n{notes}\n" if notes else "")
            + (f"\n## Alerts\n{alerts}\n" if alerts else "")
            + (f"\nGX Data Docs: `{docs}`\n" if docs else "")
        )
