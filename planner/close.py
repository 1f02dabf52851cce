"""`plan close PLAN`: measure the plan and write its SUMMARY from evidence.

The outcome is derived: COMPLETE when every target passed, TARGETS MISSED when the plan was
executed but missed some (the misses become gaps of its phase), SUPERSEDED when other plans
replace it. The plan's own status, STATE.md and ROADMAP.md are updated in the same locked step.

Closing is idempotent: when a SUMMARY planner wrote already exists and nothing new happened to
the plan since (no new commit names it, it was not restarted), the SUMMARY rebuilt from the
evidence it records is byte for byte the file, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from planner import __version__
from planner.clock import now_utc, parse_time
from planner.errors import InputError
from planner.facts.plan import gather
from planner.facts.progress import check_refreshable, refresh_documents
from planner.facts.types import JudgedGroups, PlanFacts, SnapshotPins, recorded_groups
from planner.model import Phase, Plan, Project
from planner.render import plain, render
from planner.tree.documents import PendingWrite, commit_write, prepare
from planner.tree.edit import read_for_edit, set_keys
from planner.tree.frontmatter import read_document
from planner.tree.index.session import reload_project
from planner.tree.reader import plan_frontmatter
from planner.tree.writer import atomic_write, project_lock


@dataclass(frozen=True)
class CloseResult:
    plan_id: str
    facts: PlanFacts
    summary: PendingWrite
    written: bool
    unchanged: bool = False  # closed before, and nothing new since: nothing was written


@dataclass(frozen=True)
class RecordedSummary:
    """What a SUMMARY planner wrote says about the evidence it was built from."""

    completed: dt.datetime
    pins: SnapshotPins | None
    superseded_by: tuple[str, ...]
    groups: JudgedGroups  # the file groups its targets were judged on; empty when it records none


def summary_path(phase: Phase, plan: Plan) -> Path:
    if plan.summary_paths:
        return plan.summary_paths[0]
    return phase.directory / f"{plan.id}-SUMMARY.md"


def recorded_summary(path: Path) -> RecordedSummary | None:
    """The evidence a generated SUMMARY records; None for a missing or hand-written file."""
    if not path.is_file():
        return None
    meta = read_document(path).meta
    if not str(meta.get("generated_by", "")).startswith("planner"):
        return None
    completed = parse_time(str(meta.get("completed") or ""))
    if completed is None:
        return None
    evidence = meta.get("evidence")
    superseded = meta.get("superseded_by")
    return RecordedSummary(completed, SnapshotPins.from_evidence(evidence),
                           tuple(str(p) for p in superseded) if isinstance(superseded, list) else (),
                           recorded_groups(evidence))


def summary_meta(facts: PlanFacts, plan: Plan, tech_stack: object = None) -> dict[str, object]:
    """SUMMARY frontmatter, GSD key names where GSD has one, from the same facts as the body
    (`tech_stack`: the PLAN's own `tech-stack`, carried over as written)."""
    git = facts.git
    meta: dict[str, object] = {
        "phase": facts.plan.phase,
        "plan": facts.plan.part,
        "subsystem": plan.subsystem,
        "tags": list(plan.tags),
        "requires": list(plan.requires),
        "provides": list(plan.provides),
        "affects": list(plan.affects),
        # GSD: a SUMMARY says the plan was executed; whether its targets were met is `outcome`.
        "status": "superseded" if facts.plan_outcome == "superseded" else "complete",
        "outcome": facts.plan_outcome,
        "tech-stack": tech_stack or {"added": [], "patterns": []},
        "key-files": {"created": list(git.created), "modified": list(git.modified)},
        "duration": facts.performance.duration,
        "duration_seconds": facts.performance.duration_seconds,
        "duration_source": facts.performance.duration_source,
        "started": facts.performance.started,
        "completed": facts.performance.completed,
        "metrics": _metrics(facts),
        "evidence": {
            "snapshots": facts.pins.as_dict(),
            "git": {"method": git.method, "range": git.full_range,
                    "commits": [commit.hash for commit in git.commits],
                    "bookkeeping": [commit.hash for commit in git.bookkeeping]},
            **({"groups": plain(facts.groups)} if facts.groups else {}),
            "sources": plain(facts.sources),
            "self_check": "passed" if facts.self_check.passed else "failed",
        },
        "generated_by": f"planner {__version__}",
    }
    if facts.superseded_by:
        meta["superseded_by"] = list(facts.superseded_by)
    return meta


def _metrics(facts: PlanFacts) -> dict[str, object]:
    """The SUMMARY's `metrics`: coverage, tests and each target's value, as the body shows them."""
    metrics: dict[str, object] = {}
    coverage = facts.coverage
    if coverage:
        metrics["coverage"] = coverage.percent
        metrics["line_coverage"] = coverage.line_percent
        metrics["statements"] = coverage.statements
        metrics["covered_statements"] = coverage.covered
        if coverage.branch_percent:
            metrics["branch_coverage"] = coverage.branch_percent
            metrics["branches"] = coverage.branches
            metrics["covered_branches"] = coverage.covered_branches
    tests = facts.tests
    if tests:
        metrics["tests"] = {"total": tests.total, "passed": tests.passed, "failed": tests.failed,
                            "errors": tests.errors, "skipped": tests.skipped, "pass_rate": tests.pass_rate}
        metrics["failure_clusters"] = len(tests.clusters)
    metrics["targets"] = [{"target": row.expression, "status": row.status, "value": row.after}
                          for row in facts.targets]
    return metrics


def build_summary(project: Project, phase: Phase, plan: Plan, now: dt.datetime,
                  pins: SnapshotPins | None = None,
                  superseded_by: tuple[str, ...] = ()) -> tuple[PlanFacts, PendingWrite]:
    """The facts and the SUMMARY text they give, without writing anything."""
    facts = gather(project, phase, plan, now=now, pins=pins, superseded_by=superseded_by)
    body = render("summary.md.j2", facts, planning_dir=project.planning_dir)
    tech_stack = plan_frontmatter(plan).get("tech-stack")
    return facts, prepare(summary_path(phase, plan), summary_meta(facts, plan, tech_stack), body)


def close_plan(project: Project, reference: str, *, dry_run: bool = False,
               now: dt.datetime | None = None, superseded_by: tuple[str, ...] = ()) -> CloseResult:
    """Write the plan's SUMMARY (unless dry_run) and update its status, STATE.md and ROADMAP.md.

    Every read and the completion time are taken under the lock, so a concurrent `plan start`
    cannot land between them."""
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase, plan = project.find_plan(reference)
        _check_superseding(project, plan, superseded_by)
        unchanged = _unchanged_since_close(project, phase, plan, superseded_by)
        if unchanged is not None:
            facts, pending = unchanged
            return CloseResult(str(plan.id), facts, pending, False, unchanged=True)
        facts, pending = build_summary(project, phase, plan, now or now_utc(), superseded_by=superseded_by)
        if dry_run:
            return CloseResult(str(plan.id), facts, pending, False)
        check_refreshable(project)
        written = commit_write(pending, project.planning_dir)
        _record_status(project, plan, facts)
        refresh_documents(reload_project(project.root), f"plan {plan.id} closed: {facts.status}")
    return CloseResult(str(plan.id), facts, pending, written)


def _unchanged_since_close(project: Project, phase: Phase, plan: Plan,
                           superseded_by: tuple[str, ...]) -> tuple[PlanFacts, PendingWrite] | None:
    """The recorded SUMMARY rebuilt from its own evidence, when that is the file as it stands;
    None when the plan must be closed anew. A snapshot taken after completion is not new evidence
    about a closed plan (it measures later work); a new commit that names the plan is, and so is
    `plan start --force`, which reopens it."""
    recorded = recorded_summary(summary_path(phase, plan))
    if recorded is None or recorded.pins is None or not plan.closed:
        return None
    if superseded_by and set(superseded_by) != set(recorded.superseded_by):
        return None
    try:
        facts, pending = build_summary(project.with_groups(recorded.groups), phase, plan, recorded.completed,
                                       recorded.pins, recorded.superseded_by)
    except InputError:
        return None  # its evidence is gone: close anew from what there is now
    return (facts, pending) if not pending.changed else None


def _check_superseding(project: Project, plan: Plan, superseded_by: tuple[str, ...]) -> None:
    known = {str(other.id) for other in project.plans}
    for other in superseded_by:
        if other == str(plan.id):
            raise InputError(f"plan {plan.id} cannot supersede itself", plan.plan_path)
        if other not in known:
            raise InputError(f"--superseded-by {other}: no such plan (plans: {', '.join(sorted(known))})",
                             plan.plan_path)


def _record_status(project: Project, plan: Plan, facts: PlanFacts) -> None:
    """The PLAN says it is closed, how (outcome), when, and by whom it was superseded."""
    if plan.plan_path is None:
        return
    updates: dict[str, object] = {
        "status": "superseded" if facts.plan_outcome == "superseded" else "complete",
        "outcome": facts.plan_outcome,
        "completed": facts.completed_at,
    }
    if facts.superseded_by:
        updates["superseded_by"] = list(facts.superseded_by)
    raw = read_for_edit(plan.plan_path)
    new = set_keys(raw, updates, path=plan.plan_path)
    if new != raw:
        atomic_write(plan.plan_path, new, planning_dir=project.planning_dir, overwrite=True)
