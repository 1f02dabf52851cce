"""`plan start PLAN`: record when work began and at which commit, and mark the plan in progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from planner.clock import iso, now_utc
from planner.errors import ConflictError, GitProblem, InputError
from planner.facts.progress import check_refreshable, refresh_documents
from planner.model import Project
from planner.tree.edit import read_for_edit, set_keys
from planner.tree.index.session import reload_project
from planner.tree.writer import atomic_write, project_lock


@dataclass(frozen=True)
class Started:
    plan_id: str
    path: Path
    started: str
    base_commit: str | None
    warnings: tuple[str, ...]
    baseline: str | None = None


def start_plan(project: Project, reference: str, *, force: bool = False, now: dt.datetime | None = None) -> Started:
    """Set `started`, `base_commit` and `status: in_progress` in the plan's frontmatter."""
    from planner.evidence import gitlog

    warnings: list[str] = []
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        _, plan = project.find_plan(reference)
        if plan.plan_path is None:
            raise InputError(f"plan {plan.id} has no PLAN file to record its start in")
        if plan.started and not force:
            raise ConflictError(f"plan {plan.id} was already started at {plan.started}; pass --force to restart it",
                                plan.plan_path)
        if plan.closed and not force:
            raise ConflictError(f"plan {plan.id} is {plan.status}; pass --force to start it again", plan.plan_path)
        try:
            base = gitlog.head_commit(project.root)
            if base is None:
                warnings.append("the repository has no commits yet: no base commit recorded")
        except GitProblem as problem:
            base = None
            warnings.append(f"{problem.message}: no base commit recorded")
        moment = now or now_utc()
        started = iso(moment)
        baseline = _baseline(project, moment)
        if baseline is None:
            warnings.append("no snapshot was taken before this start: the SUMMARY's Before column "
                            "will read n/a (run `plan measure` before `plan start` for a baseline)")
        updates: dict[str, object] = {"status": "in_progress", "started": started,
                                      "baseline": baseline or None}
        if base:
            updates["base_commit"] = base
        check_refreshable(project)
        raw = read_for_edit(plan.plan_path)
        atomic_write(plan.plan_path, set_keys(raw, updates, path=plan.plan_path),
                     planning_dir=project.planning_dir, overwrite=True)
        refresh_documents(reload_project(project.root), f"plan {plan.id} started")
    return Started(str(plan.id), plan.plan_path, started, base, tuple(warnings), baseline)


def _baseline(project: Project, moment: dt.datetime) -> str | None:
    """The id of the newest snapshot taken at or before `moment`: what "Before" will mean."""
    from planner.evidence.snapshot.store import list_snapshots

    earlier = [ref.id for ref in list_snapshots(project) if ref.taken_at <= moment]
    return earlier[-1] if earlier else None
