"""An alert: what one rule found about one subject, with the Dutch sentences a digest shows."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

SEVERITIES = ("fail", "warn", "info")  # digest order
ROLES = ("beleid", "data", "contract")


@dataclass(frozen=True)
class Alert:
    rule: str
    severity: str  # fail | warn | info
    subject: str  # what the rule is about, e.g. "GM0546:75100012"; with the rule it is the dedup key
    gemeentecode: str | None  # None: a delivery problem that belongs to no single gemeente
    audience: tuple[str, ...]  # roles that get it: beleid, data, contract
    wat: str  # what happened
    hoe_groot: str  # how big
    sinds: str  # since when
    wat_te_doen: str  # what to check
    bewijs: str  # the technical evidence for the data role: an SQL query, file references, an original error text
    # An event (a file rejected in this run) is told once and never "resolved"; a condition (a silent aanbieder)
    # is resolved when it is gone, and the recipients hear that once.
    resolvable: bool = True
    # For grouping a digest (transforms/alerts/compose.py): the aanbieder (AGB code) it is about, and what it counts
    # per reason in plain Dutch, e.g. (("geen declaratie", 1),) or (("bestand afgekeurd: leeg", 3),).
    aanbieder: str | None = None
    redenen: tuple[tuple[str, int], ...] = ()
    # The section of the gemeente's report page (report-contract.md) where people who do not read SQL see the figure.
    onderdeel: str | None = None

    @property
    def size(self) -> int:
        """How much the alert stands for (files, lines, problems): a digest puts the biggest first."""
        return sum(n for _, n in self.redenen) or 1

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}"

    @property
    def fingerprint(self) -> str:
        """What the alert says: when a figure in it changes, the fingerprint does, and the alert is sent again."""
        said = json.dumps([self.rule, self.severity, self.wat, self.hoe_groot, self.sinds], ensure_ascii=False)
        return hashlib.sha256(said.encode()).hexdigest()[:16]

    def as_row(self) -> dict:
        return {
            "key": self.key,
            "rule": self.rule,
            "severity": self.severity,
            "gemeentecode": self.gemeentecode,
            "audience": ",".join(self.audience),
            "wat": self.wat,
            "hoe_groot": self.hoe_groot,
            "sinds": self.sinds,
            "wat_te_doen": self.wat_te_doen,
            "bewijs": self.bewijs,
            "aanbieder": self.aanbieder,
            "fingerprint": self.fingerprint,
        }
