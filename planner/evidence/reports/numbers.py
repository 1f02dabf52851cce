"""Every coverage percentage and test total is computed here, once, so all reports agree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar

from planner.evidence.reports.types import CoverageReport, SuiteTotals, TestCase, TestTotals

Selected = TypeVar("Selected")


@dataclass(frozen=True)
class Numbers:
    """Statement and branch counts of one file or a group; percentages derive from the counts."""

    statements: int = 0
    covered: int = 0
    branches: int = 0
    covered_branches: int = 0

    @property
    def missing(self) -> int:
        """Statements not run."""
        return self.statements - self.covered

    @property
    def percent(self) -> float:
        """Statement coverage in percent (100.0 when there is nothing to cover, like coverage.py)."""
        return _ratio(self.covered, self.statements)

    @property
    def branch_percent(self) -> float | None:
        """Branch coverage in percent, None when there are no branches."""
        if self.branches == 0:
            return None
        return _ratio(self.covered_branches, self.branches)

    @property
    def combined_percent(self) -> float:
        """coverage.py's `percent_covered`: statements and branches counted together."""
        return _ratio(self.covered + self.covered_branches, self.statements + self.branches)

    def __add__(self, other: Numbers) -> Numbers:
        return Numbers(
            self.statements + other.statements,
            self.covered + other.covered,
            self.branches + other.branches,
            self.covered_branches + other.covered_branches,
        )


def _ratio(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole > 0 else 100.0


class CoverageCounts(Protocol):
    """Anything with a file's four counts: a report's FileCoverage, a snapshot's FileMetrics."""

    @property
    def statements(self) -> int: ...
    @property
    def covered(self) -> int: ...
    @property
    def branches(self) -> int: ...
    @property
    def covered_branches(self) -> int: ...


def file_numbers(file: CoverageCounts) -> Numbers:
    """The counts of one file."""
    return Numbers(file.statements, file.covered, file.branches, file.covered_branches)


def sum_numbers(files: Iterable[CoverageCounts]) -> Numbers:
    """Statement-weighted totals of files (a sum of counts, never a mean of percentages)."""
    statements = covered = branches = covered_branches = 0
    for f in files:
        statements += f.statements
        covered += f.covered
        branches += f.branches
        covered_branches += f.covered_branches
    return Numbers(statements, covered, branches, covered_branches)


def coverage_numbers(
    report: CoverageReport, selector: str | Sequence[str] | None = None
) -> Numbers:
    """Totals of a report: overall (None), one file (its repo-relative path, zero counts when
    absent) or the files matching any of a list of glob patterns (fnmatch on the POSIX path)."""
    return sum_numbers(select_files(report.files, selector))


def select_files(files: Mapping[str, Selected], selection: str | Sequence[str] | None) -> list[Selected]:
    """The one file selector: every file (None), one file by its repository-relative path (a
    text; none when absent) or the files matching any of a sequence of glob patterns (fnmatch on
    the POSIX path). Reports, snapshots and the handoff's arithmetic all select with it."""
    if selection is None:
        return list(files.values())
    if isinstance(selection, str):
        return [files[selection]] if selection in files else []
    patterns = tuple(selection)
    return [f for path, f in files.items() if any(fnmatchcase(path, p) for p in patterns)]


def count_outcomes(cases: Iterable[TestCase]) -> TestTotals:
    """Totals counted from cases; duration is the sum of known case times."""
    counts = dict.fromkeys(("passed", "failed", "error", "skipped", "xfail", "xpass"), 0)
    total = 0
    duration: float | None = None
    for case in cases:
        total += 1
        counts[case.outcome] += 1
        if case.duration is not None:
            duration = (duration or 0.0) + case.duration
    return TestTotals(
        total=total,
        passed=counts["passed"],
        failed=counts["failed"],
        errors=counts["error"],
        skipped=counts["skipped"],
        xfail=counts["xfail"],
        xpass=counts["xpass"],
        duration=round(duration, 6) if duration is not None else None,
    )


def totals_by_file(cases: Iterable[TestCase]) -> tuple[SuiteTotals, ...]:
    """Totals per test file, sorted by file; cases without a file are grouped by suite name."""
    groups: dict[tuple[str, bool], list[TestCase]] = {}
    for case in cases:
        key = (case.file, True) if case.file is not None else (case.suite, False)
        groups.setdefault(key, []).append(case)
    return tuple(
        SuiteTotals(name=name, totals=count_outcomes(group), file=name if is_file else None)
        for (name, is_file), group in sorted(groups.items())
    )
