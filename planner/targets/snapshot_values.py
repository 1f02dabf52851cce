"""Target metrics read from a snapshot: `planner.targets.MetricLookup` over stored measurements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from planner.evidence.reports.numbers import Numbers
from planner.evidence.snapshot import Snapshot
from planner.targets import TEST_COUNT_FIELDS, selector_patterns


@dataclass(frozen=True)
class SnapshotMetrics:
    """Values of target metrics in one snapshot; `groups` are the config's named file groups.

    None (UNMEASURED) when the snapshot lacks what the metric needs: no coverage report, no test
    report, or a selection with no statements (never 100% of nothing).
    """

    snapshot: Snapshot
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def value(self, metric: str, selector: str | None) -> float | None:
        """The measured value of `metric` over `selector`, or None when not measured."""
        if metric in ("coverage", "line_coverage", "branch_coverage", "missing"):
            return self._coverage(metric, selector)
        tests = self.snapshot.tests
        if tests is None:
            return None
        totals = tests.totals
        if metric in TEST_COUNT_FIELDS:
            return float(getattr(totals, TEST_COUNT_FIELDS[metric]))
        if metric == "tests.pass_rate":
            return totals.pass_rate
        if metric == "tests.duration":
            return totals.duration
        if metric == "clusters":
            return float(len(self.snapshot.clusters))
        return None

    def numbers(self, selector: str | None) -> Numbers | None:
        """The counts a coverage metric is computed from; None without coverage or statements."""
        if self.snapshot.totals is None:
            return None
        chosen = self.snapshot.numbers(
            selector_patterns(selector, self.groups) if selector is not None else None
        )
        return chosen if chosen.statements > 0 else None

    def _coverage(self, metric: str, selector: str | None) -> float | None:
        numbers = self.numbers(selector)
        if numbers is None:
            return None
        if metric == "coverage":
            return numbers.combined_percent if self.snapshot.has_branches else numbers.percent
        if metric == "line_coverage":
            return numbers.percent
        if metric == "missing":
            return float(numbers.missing)
        return numbers.branch_percent if self.snapshot.has_branches else None
