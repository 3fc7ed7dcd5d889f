"""Judging a load batch: one GX suite over the rows of its files, its findings turned into what loads.

The same for every source (iJw JW323, JGT, CBS), as docs/validation.md ("Judging a batch") states it:
- a `fail` finding of scope `file` refuses the file whole, named by the first such rule of the suite;
- a `fail` finding of scope `row` quarantines the row (unless its file is refused), named by the first rule of
  the suite it breaks;
- a `warn` finding loads the row and is recorded per file (meta_validation_result), counting only rows that load;
- `rows_evaluated` of a file is the number of its rows the suite was run on: every row of the file in the judged
  frame, the ones the suite itself quarantines included (lines unreadable at parse time never reach the suite).

A source keeps two things of its own: the frame (its check columns, one row per line, and which file each row is
from) and the hook that turns a failed row into its Rejection (where its line, key and shown value are). Whole
arrays, no Python per row: only the rows a finding names are visited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jeugdmonitor.loading import ParsedFile
from jeugdmonitor.transforms.reasons import Rejection, rejection
from jeugdmonitor.validation import FileWarning, Finding, Outcome, validator


@dataclass(frozen=True)
class Verdict:
    """What a suite's findings mean for a batch whose frame row i is from file `keys[i]`."""

    keys: np.ndarray  # the file (its index in the batch) of each row
    refused: dict[int, Finding]  # file -> the file-scope fail that refuses it
    failed: dict[int, Finding]  # row -> the first row fail it broke, in row order; rows of refused files left out
    warnings: list[FileWarning]
    loads: np.ndarray  # per row: it loads (not failed, its file not refused)

    def failed_by_file(self) -> dict[int, list[tuple[int, Finding]]]:
        """The failed rows per file, in row order: (row, the finding that failed it)."""
        out: dict[int, list[tuple[int, Finding]]] = {}
        for row, finding in self.failed.items():
            out.setdefault(int(self.keys[row]), []).append((row, finding))
        return out


def judge(frame: pd.DataFrame, keys: Sequence[int] | np.ndarray | pd.Series, suite: str) -> Verdict:
    """Run `suite` over `frame` (default RangeIndex: GX names rows by their label) and judge its findings."""
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise ValueError("judge needs a frame with a default RangeIndex")
    return verdict(validator().validate(frame, suite), np.asarray(keys, dtype="int64"))


def verdict(outcome: Outcome, keys: np.ndarray) -> Verdict:
    """The findings of `outcome` for a frame whose row i is from file keys[i]."""
    refused: dict[int, Finding] = {}
    failed: dict[int, Finding] = {}
    for finding in (f for f in outcome.findings if f.severity == "fail"):
        if finding.scope == "file":
            for key in np.unique(keys[list(finding.rows)]):
                refused.setdefault(int(key), finding)
        else:
            for row in finding.rows:
                failed.setdefault(int(row), finding)  # the first rule broken names the reason
    loads = ~np.isin(keys, list(refused)) if refused else np.ones(len(keys), dtype=bool)
    failed = {row: finding for row, finding in sorted(failed.items()) if loads[row]}
    loads[list(failed)] = False
    evaluated = np.bincount(keys) if len(keys) else np.zeros(0, dtype="int64")
    warnings: list[FileWarning] = []
    for finding in (f for f in outcome.findings if f.severity != "fail"):
        rows = np.fromiter(finding.rows, dtype="int64", count=len(finding.rows))
        files, counts = np.unique(keys[rows[loads[rows]]], return_counts=True)
        warnings += [
            FileWarning(int(key), finding, int(evaluated[key]), int(n)) for key, n in zip(files, counts, strict=True)
        ]
    return Verdict(keys, refused, failed, warnings, loads)


def apply_to_files(
    files: list[ParsedFile], verdict: Verdict, positions: np.ndarray, rejected: Callable[[Any, Finding], Rejection]
) -> None:
    """Carry out `verdict` on the parsed files it judged (changed in place; frame row i is row positions[i] of
    files[verdict.keys[i]]): refused files lose their rows, failed rows move to their file's rejections, which
    stay in line order. `rejected` is the source's hook: the Rejection of a file's row for the finding."""
    for key, finding in verdict.refused.items():
        parsed = files[key]
        parsed.refused = rejection(finding.reason_code, field=finding.field, detail=finding.rule)
        parsed.rows, parsed.rejections = [], []
    for key, failed in verdict.failed_by_file().items():
        parsed = files[key]
        dropped = {int(positions[row]): finding for row, finding in failed}
        added = [rejected(parsed.rows[position], finding) for position, finding in dropped.items()]
        parsed.rows = [r for i, r in enumerate(parsed.rows) if i not in dropped]
        parsed.rejections = sorted([*parsed.rejections, *added], key=lambda r: r.line or 0)
