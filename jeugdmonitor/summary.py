"""The run summary: what a run saw, loaded and quarantined. Printed by the CLI and published as a Prefect artifact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from jeugdmonitor.meta import FileResult


@dataclass
class RunSummary:
    run_id: str
    warehouse: str  # URL with the password hidden
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.results)

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.results)

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.results)

    def reasons(self) -> Counter[str]:
        """Quarantined rows and rejected files by reason code."""
        total: Counter[str] = Counter()
        for result in self.results:
            total.update(result.reasons)
        return total

    def warnings(self) -> Counter[str]:
        """Loaded rows that broke a warn rule, by reason code."""
        total: Counter[str] = Counter()
        for result in self.results:
            total.update(result.warnings)
        return total

    def pending_types(self) -> Counter[str]:
        return Counter(r.message_type or "?" for r in self.results if r.status == "pending")

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "warehouse": self.warehouse,
            "files": {s: self.count(s) for s in ("loaded", "rejected", "skipped", "pending")},
            "rows": {"read": self.rows_read, "loaded": self.rows_loaded, "quarantined": self.rows_quarantined},
            "reasons": dict(sorted(self.reasons().items())),
            "warnings": dict(sorted(self.warnings().items())),
            "pending_types": dict(sorted(self.pending_types().items())),
        }

    def lines(self) -> list[tuple[str, str]]:
        rows = [
            ("files new and loaded", f"{self.count('loaded'):,}"),
            ("files rejected (quarantined whole)", f"{self.count('rejected'):,}"),
            ("files skipped (loaded before)", f"{self.count('skipped'):,}"),
            ("rows read", f"{self.rows_read:,}"),
            ("rows loaded", f"{self.rows_loaded:,}"),
            ("rows quarantined", f"{self.rows_quarantined:,}"),
        ]
        for reason, n in sorted(self.reasons().items()):
            rows.append((f"  quarantine reason {reason}", f"{n:,}"))
        for reason, n in sorted(self.warnings().items()):
            rows.append((f"  loaded with warning {reason}", f"{n:,}"))
        for message_type, n in sorted(self.pending_types().items()):
            rows.append((f"files waiting for a {message_type} loader", f"{n:,}"))
        return rows

    def render_text(self) -> str:
        width = max(len(label) for label, _ in self.lines())
        body = "\n".join(f"  {label:<{width}}  {value:>12}" for label, value in self.lines())
        return f"Run {self.run_id}\n  warehouse: {self.warehouse}\n{body}"

    def render_markdown(self) -> str:
        table = "\n".join(f"| {label.strip()} | {value} |" for label, value in self.lines())
        return f"# jeugdmonitor run\n\nWarehouse: `{self.warehouse}`\n\n| what | count |\n|---|---:|\n{table}\n"
