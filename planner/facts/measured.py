"""The measured side of a plan's or phase's facts: target results, tests, coverage, sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.evidence.snapshot import Snapshot
from planner.facts.types import (
    ClusterFacts,
    CoverageFacts,
    Measurements,
    ReportSourceRow,
    SnapshotPins,
    SnapshotSourceRow,
    SourceRole,
    SourceRow,
    TargetRow,
    TestsFacts,
)
from planner.model import Plan, Project
from planner.targets import Target
from planner.targets.judging import TargetResult, evaluate, format_delta, format_value
from planner.targets.snapshot_values import SnapshotMetrics
from planner.targets.sources import targets_in


def _lookup(snapshot: Snapshot | None, project: Project) -> SnapshotMetrics | None:
    return SnapshotMetrics(snapshot, project.config.groups) if snapshot is not None else None


def target_rows(targets: list[Target], latest: Snapshot | None, previous: Snapshot | None,
                start: Snapshot | None, project: Project) -> tuple[TargetRow, ...]:
    """One row per target: Before (start snapshot), After (latest), Target, Status, deltas."""
    after, before, earlier = _lookup(latest, project), _lookup(start, project), _lookup(previous, project)
    rows = []
    for target in targets:
        result: TargetResult
        if after is None:
            result = TargetResult(target, "UNMEASURED", None, None, None, None)
        else:
            result = evaluate(target, after, previous=earlier, start=before)
        before_value = before.value(target.metric, target.selector) if before is not None else None
        rows.append(TargetRow(
            expression=str(target),
            metric=target.metric,
            selector=target.selector,
            status=result.status,
            before=format_value(target.metric, before_value) if before_value is not None else "n/a",
            after=format_value(target.metric, result.value) if result.value is not None else "n/a",
            target=f"{target.op} {format_value(target.metric, target.threshold)}",
            delta_start=format_delta(target.metric, result.delta_start) if result.delta_start is not None else None,
            delta_previous=(format_delta(target.metric, result.delta_previous)
                            if result.delta_previous is not None else None),
            detail=_detail(result),
        ))
    return tuple(rows)


def _detail(result: TargetResult) -> str:
    target = result.target
    if result.status == "UNMEASURED":
        return "not measured: no snapshot holds this metric"
    value = format_value(target.metric, result.value) if result.value is not None else "n/a"
    if result.status == "PASS":
        return f"{value} meets {target.op} {format_value(target.metric, target.threshold)}"
    short = format_value(target.metric, result.shortfall) if result.shortfall is not None else "?"
    return f"{value}, short by {short}"


def tests_facts(snapshot: Snapshot | None) -> TestsFacts | None:
    if snapshot is None or snapshot.tests is None:
        return None
    totals = snapshot.tests.totals
    rate = totals.pass_rate
    return TestsFacts(
        total=totals.total, passed=totals.passed, failed=totals.failed, errors=totals.errors,
        skipped=totals.skipped, xfail=totals.xfail, xpass=totals.xpass,
        pass_rate=format_value("tests.pass_rate", rate) if rate is not None else "n/a",
        clusters=tuple(ClusterFacts(cluster.signature, cluster.count, cluster.example_ids, cluster.files,
                                    cluster.error_type) for cluster in snapshot.clusters),
    )


def coverage_facts(snapshot: Snapshot | None) -> CoverageFacts | None:
    if snapshot is None or snapshot.totals is None:
        return None
    numbers = snapshot.totals
    branches = snapshot.has_branches and numbers.branches > 0
    return CoverageFacts(
        # coverage.py's own TOTAL: statements and branches together when branches were measured
        percent=format_value("coverage", numbers.combined_percent),
        line_percent=format_value("line_coverage", numbers.percent),
        statements=numbers.statements,
        covered=numbers.covered,
        missing=numbers.missing,
        branches=numbers.branches if branches else None,
        covered_branches=numbers.covered_branches if branches else None,
        branch_percent=(format_value("branch_coverage", numbers.branch_percent)
                        if branches and numbers.branch_percent is not None else None),
        files=len(snapshot.files),
    )


def source_facts(snapshot: Snapshot | None, role: SourceRole) -> tuple[SourceRow, ...]:
    """The snapshot, then each report it was read from."""
    if snapshot is None:
        return ()
    rows: list[SourceRow] = [SnapshotSourceRow(role, "snapshot", snapshot.id, snapshot.commit,
                                               snapshot.taken_at.isoformat())]
    rows.extend(ReportSourceRow(role, source.kind, source.format, source.path, source.sha256,
                                source.generated_at or source.mtime) for source in snapshot.sources)
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class PlanSnapshots:
    latest: Snapshot | None
    previous: Snapshot | None
    baseline: Snapshot | None

    @property
    def pins(self) -> SnapshotPins:
        return SnapshotPins(*(s.id if s is not None else None for s in (self.latest, self.baseline, self.previous)))


def latest_and_previous(project: Project,
                        pins: SnapshotPins | None = None) -> tuple[Snapshot | None, Snapshot | None]:
    """The latest snapshot and the one before it (deltas): the pinned ones when given."""
    from planner.evidence.snapshot.store import latest_snapshot, previous_snapshot, snapshot_by_id

    if pins is not None:
        return (snapshot_by_id(project, pins.latest) if pins.latest else None,
                snapshot_by_id(project, pins.previous) if pins.previous else None)
    latest = latest_snapshot(project)
    return latest, previous_snapshot(project, before=latest) if latest is not None else None


def plan_snapshots(project: Project, plan: Plan, started: dt.datetime | None,
                   pins: SnapshotPins | None = None) -> PlanSnapshots:
    """The latest snapshot, the one before it (deltas) and the plan's baseline (Before): the
    pinned ones when given, else the latest now and the baseline `plan start` recorded (or the
    newest snapshot at or before the start, for plans started before baselines were recorded)."""
    from planner.evidence.snapshot.store import snapshot_at_or_before, snapshot_by_id

    latest, previous = latest_and_previous(project, pins)
    recorded = pins.baseline if pins is not None else plan.baseline
    baseline: Snapshot | None
    if recorded:
        baseline = snapshot_by_id(project, recorded)
    elif pins is None and started is not None:
        baseline = snapshot_at_or_before(project, started)
    else:
        baseline = None
    return PlanSnapshots(latest, previous, baseline)


def measurement_facts(project: Project, plan: Plan, snapshots: PlanSnapshots) -> Measurements:
    """Targets, tests and coverage of a plan from its latest snapshot and its baseline."""
    latest, start = snapshots.latest, snapshots.baseline
    targets = targets_in(plan.plan_path, plan.targets)
    if start is None:
        baseline_note = ("No snapshot was taken before this plan started, so Before reads n/a"
                         if latest is not None else "Nothing was measured for this plan")
    else:
        baseline_note = f"Before is snapshot {start.id}, the latest when the plan started"
    return Measurements(
        targets=target_rows(targets, latest, snapshots.previous, start, project),
        tests=tests_facts(latest),
        coverage=coverage_facts(latest),
        sources=source_facts(latest, "latest") + source_facts(start, "start"),
        baseline_note=baseline_note,
    )
