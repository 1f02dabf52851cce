"""Measurement snapshots: what was measured, when, at which commit; stored under `.planning/metrics/`.

A snapshot is plain data that round-trips through JSON exactly: `snapshot_from_json(
snapshot_to_json(s)) == s`. SUMMARY, VERIFICATION and HANDOFF numbers are computed from it, so
every number they show can be traced to one stored file. Derived numbers (percentages, pass rate)
are written beside the counts for readers of the JSON, and recomputed from the counts on load.

A snapshot file that cannot be read is an InputError naming it, never skipped: skipping would
silently change which snapshot is "previous" and so every delta. The JSON form is
`planner.evidence.snapshot.json_form`; storing, listing and loading snapshots is `planner.evidence.snapshot.store`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from planner.evidence.clusters import FailureCluster
from planner.evidence.reports.numbers import Numbers, file_numbers, select_files, sum_numbers
from planner.evidence.reports.types import TestTotals

__all__ = [
    "SCHEMA_VERSION", "SNAPSHOTS_DIR", "FailedTest", "FileMetrics", "ReportKind", "ReportSource",
    "RunRecord", "Snapshot", "SnapshotRef", "TestResults", "parse_snapshot_id", "snapshot_id",
]

SCHEMA_VERSION = 1
SNAPSHOTS_DIR = ("metrics", "snapshots")  # under the planning folder
_ID = re.compile(r"(\d{8}T\d{9})Z(?:-([0-9a-f]{7,40}))?")
_HEX = re.compile(r"[0-9a-fA-F]{4,64}")

ReportKind = Literal["coverage", "junit"]


@dataclass(frozen=True)
class ReportSource:
    """One report a snapshot was read from."""

    kind: ReportKind
    format: str
    path: str  # relative to the project root (POSIX) when inside it, else absolute
    sha256: str
    mtime: str  # ISO-8601 UTC
    generated_at: str | None  # as the report states it (coverage.py writes local time)


@dataclass(frozen=True)
class FileMetrics:
    """Coverage of one measured source file, and the sha256 of its content (None: file missing)."""

    sha256: str | None
    statements: int
    covered: int
    missing_lines: tuple[int, ...]
    branches: int = 0
    covered_branches: int = 0

    def numbers(self) -> Numbers:
        """The counts as Numbers, where every percentage is computed."""
        return file_numbers(self)


@dataclass(frozen=True)
class FailedTest:
    """A failed or errored test case."""

    id: str
    file: str | None
    outcome: str  # failed | error
    error_type: str | None
    message: str | None


@dataclass(frozen=True)
class TestResults:
    """Test outcomes: totals, totals per test file, the failing cases."""

    __test__ = False

    totals: TestTotals
    by_file: Mapping[str, TestTotals] = field(default_factory=dict, hash=False)
    failures: tuple[FailedTest, ...] = ()


@dataclass(frozen=True)
class RunRecord:
    """The test command `plan measure --run` ran, and how it ended."""

    command: tuple[str, ...]
    exit_code: int
    seconds: float


@dataclass(frozen=True)
class Snapshot:
    """One measurement. `totals` is None without a coverage report, `tests` None without JUnit."""

    id: str
    taken_at: datetime  # UTC
    commit: str | None
    dirty: bool | None  # None outside git
    sources: tuple[ReportSource, ...] = ()
    files: Mapping[str, FileMetrics] = field(default_factory=dict, hash=False)
    contexts: Mapping[str, Mapping[int, tuple[str, ...]]] = field(default_factory=dict, hash=False)
    has_branches: bool = False
    tests: TestResults | None = None
    clusters: tuple[FailureCluster, ...] = ()
    run: RunRecord | None = None
    warnings: tuple[str, ...] = ()

    @property
    def totals(self) -> Numbers | None:
        """Statement-weighted totals of every measured file; None when coverage was not measured."""
        if not any(source.kind == "coverage" for source in self.sources):
            return None
        return self.numbers()

    def numbers(self, selector: str | Sequence[str] | None = None) -> Numbers:
        """Counts of all files (None), one file (a path) or the files matching glob patterns."""
        return sum_numbers(select_files(self.files, selector))  # counts, never percentages


@dataclass(frozen=True)
class SnapshotRef:
    """A stored snapshot, known by its file name alone (cheap to list)."""

    id: str
    path: Path
    taken_at: datetime
    short_commit: str | None


# ------------------------------------------------------------------------------------ ids


def snapshot_id(taken_at: datetime, commit: str | None) -> str:
    """`20261124T231502123Z-1a2b3c4`: UTC time to the millisecond, then the short commit."""
    moment = taken_at.astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"
    return f"{stamp}-{commit[:7].lower()}" if commit else stamp


def parse_snapshot_id(text: str) -> tuple[datetime, str | None] | None:
    """The time and short commit an id names; None when it is no snapshot id."""
    match = _ID.fullmatch(text)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group(1)[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.replace(microsecond=int(match.group(1)[15:]) * 1000), match.group(2)
