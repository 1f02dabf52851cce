"""`plan close PLAN`: measure the plan and write its SUMMARY from evidence.

The status is derived: COMPLETE only when every target passed. The plan's own status, STATE.md
and ROADMAP.md are updated in the same locked step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from planner import __version__
from planner.documents import PendingWrite, commit_write, prepare
from planner.edit import read_for_edit, set_keys
from planner.index import reload_project
from planner.model import Phase, Plan, Project
from planner.plan_facts import PlanFacts, gather
from planner.progress import check_refreshable, refresh_documents
from planner.render import render
from planner.scaffold import resolve_plan
from planner.start import now_utc
from planner.writer import atomic_write, project_lock


@dataclass(frozen=True)
class CloseResult:
    plan_id: str
    facts: PlanFacts
    summary: PendingWrite
    written: bool


def summary_path(phase: Phase, plan: Plan) -> Any:
    if plan.summary_paths:
        return plan.summary_paths[0]
    return phase.directory / f"{plan.id}-SUMMARY.md"


def summary_meta(facts: PlanFacts, plan: Plan) -> dict[str, Any]:
    """SUMMARY frontmatter, GSD key names where GSD has one, from the same facts as the body."""
    context = facts.context
    performance, git = context["performance"], context["git"]
    metrics: dict[str, Any] = {}
    if context["coverage"]:
        coverage = context["coverage"]
        metrics["coverage"] = coverage["percent"]
        metrics["statements"] = coverage["statements"]
        metrics["covered_statements"] = coverage["covered"]
        if coverage["branch_percent"]:
            metrics["branch_coverage"] = coverage["branch_percent"]
    if context["tests"]:
        tests = context["tests"]
        metrics["tests"] = {key: tests[key] for key in ("total", "passed", "failed", "errors", "skipped")}
        metrics["tests"]["pass_rate"] = tests["pass_rate"]
        metrics["failure_clusters"] = len(tests["clusters"])
    metrics["targets"] = [{"target": row["expression"], "status": row["status"], "value": row["after"]}
                          for row in context["targets"]]
    return {
        "phase": context["plan"]["phase"],
        "plan": context["plan"]["part"],
        "subsystem": plan.subsystem,
        "tags": list(plan.tags),
        "requires": list(plan.requires),
        "provides": list(plan.provides),
        "affects": list(plan.affects),
        "status": facts.status.lower(),
        "tech-stack": plan.extra.get("tech-stack") or {"added": [], "patterns": []},
        "key-files": {"created": git["created"], "modified": git["modified"]},
        "duration": performance["duration"],
        "duration_seconds": performance["duration_seconds"],
        "duration_source": performance["duration_source"],
        "started": performance["started"],
        "completed": performance["completed"],
        "metrics": metrics,
        "evidence": {
            "git": {"method": git["method"], "range": git["range"],
                    "commits": [commit["hash"] for commit in git["commits"]]},
            "sources": context["sources"],
            "self_check": "passed" if context["self_check"]["passed"] else "failed",
        },
        "generated_by": f"planner {__version__}",
    }


def build_summary(project: Project, phase: Phase, plan: Plan, now: dt.datetime) -> tuple[PlanFacts, PendingWrite]:
    """The facts and the SUMMARY text they give, without writing anything."""
    facts = gather(project, phase, plan, now=now)
    body = render("summary.md.j2", facts.context, planning_dir=project.planning_dir)
    return facts, prepare(summary_path(phase, plan), summary_meta(facts, plan), body)


def close_plan(project: Project, reference: str, *, dry_run: bool = False,
               now: dt.datetime | None = None) -> CloseResult:
    """Write the plan's SUMMARY (unless dry_run) and update its status, STATE.md and ROADMAP.md."""
    moment = now or now_utc()
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase, plan = resolve_plan(project, reference)
        facts, pending = build_summary(project, phase, plan, moment)
        if dry_run:
            return CloseResult(str(plan.id), facts, pending, False)
        check_refreshable(project)
        written = commit_write(pending, project.planning_dir)
        _record_status(project, plan, facts)
        refresh_documents(reload_project(project.root), f"plan {plan.id} closed: {facts.status}")
    return CloseResult(str(plan.id), facts, pending, written)


def _record_status(project: Project, plan: Plan, facts: PlanFacts) -> None:
    if plan.plan_path is None:
        return
    updates: dict[str, Any] = {"status": "complete" if facts.all_targets_passed else "in_progress"}
    if facts.all_targets_passed:
        updates["completed"] = facts.completed_at
    raw = read_for_edit(plan.plan_path)
    new = set_keys(raw, updates, path=plan.plan_path)
    if new != raw:
        atomic_write(plan.plan_path, new, planning_dir=project.planning_dir, overwrite=True)

