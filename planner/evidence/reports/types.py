"""The typed results of reading coverage and test reports: frozen dataclasses, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Literal

Outcome = Literal["passed", "failed", "error", "skipped", "xfail", "xpass"]


@dataclass(frozen=True)
class FileCoverage:
    """Coverage of one source file, its path repository-relative POSIX when it lies in the repo.

    `contexts` maps a line number to the test contexts that ran it (coverage.py `--show-contexts`);
    None when the report carries no contexts. The empty "no test" context is dropped.
    """

    path: str
    statements: int
    covered: int
    missing_lines: tuple[int, ...]
    excluded: int = 0
    branches: int = 0
    covered_branches: int = 0
    contexts: Mapping[int, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class CoverageReport:
    """A coverage report read into files keyed by repository-relative POSIX path."""

    format: str
    source: Path
    files: Mapping[str, FileCoverage]
    has_branches: bool
    generated_at: datetime | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestCase:
    """One test case; `id` is pytest-style (`tests/test_x.py::TestY::test_z`) where derivable."""

    __test__ = False  # not a pytest test class

    id: str
    suite: str
    classname: str
    name: str
    file: str | None
    outcome: Outcome
    duration: float | None = None
    message: str | None = None
    error_type: str | None = None
    details: str | None = None


@dataclass(frozen=True)
class TestTotals:
    """Counts of test outcomes and the summed duration (None when no case had a time)."""

    __test__ = False

    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    xfail: int = 0
    xpass: int = 0
    duration: float | None = None

    @property
    def pass_fraction(self) -> Fraction | None:
        """The share of judged tests that passed, exact, or None when no test was judged.

        Defined once, here: (passed + xpass) / (total - skipped - xfail), where skipped and xfail
        together are what JUnit counts as "skipped"; failures and errors count against. The
        outcome counts are disjoint: total is their sum.
        """
        return Fraction(self.judged_passed, self.judged) if self.judged > 0 else None

    @property
    def pass_rate(self) -> float | None:
        """`pass_fraction` as a percentage (the `tests.pass_rate` metric)."""
        passed = self.pass_fraction
        return float(100 * passed) if passed is not None else None

    @property
    def judged(self) -> int:
        """Tests that ran to a verdict: all but the skipped and the expected failures."""
        return self.total - self.skipped - self.xfail

    @property
    def judged_passed(self) -> int:
        """Judged tests that passed, unexpected passes included."""
        return self.passed + self.xpass


@dataclass(frozen=True)
class SuiteTotals:
    """Totals of one `<testsuite>` (or one test file), counted from its cases."""

    __test__ = False

    name: str
    totals: TestTotals
    file: str | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True)
class TestReport:
    """A JUnit XML report: suites, every case, and totals counted from the cases."""

    __test__ = False

    format: str
    source: Path
    suites: tuple[SuiteTotals, ...]
    cases: tuple[TestCase, ...]
    totals: TestTotals
    generated_at: datetime | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> tuple[TestCase, ...]:
        """Cases that failed or errored, in report order."""
        return tuple(c for c in self.cases if c.outcome in ("failed", "error"))
