"""Everything measured about one plan, gathered once: the single source of every number a
SUMMARY shows in its frontmatter, its body and `--json`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from planner.model import Phase, Plan, Project

_TASK_NAME = re.compile(r"<name>\s*(?P<name>.*?)\s*</name>", re.DOTALL)
_PLACEHOLDER_TASK = re.compile(r"(?:task\s*\d*\s*[:.-]?)?", re.IGNORECASE)  # the template's empty `Task 1:`
_TASK_NUMBER = re.compile(r"task\s*(?P<number>\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class PlanFacts:
    """The measured facts of a plan, as plain data ready for a template or JSON."""

    context: dict[str, Any]
    status: str  # COMPLETE | INCOMPLETE
    all_targets_passed: bool
    completed_at: str


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO-8601 time with its offset; None for missing, naive or unreadable text."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
        if moment.tzinfo is None:
            return None
        moment.astimezone(dt.UTC)  # `9999-12-31T23:59:59-23:59` is past the last UTC time there is
    except (ValueError, OverflowError):
        return None
    return moment


def plan_tasks(plan: Plan) -> list[str]:
    """Task names: the frontmatter `tasks` list, else the `<name>` of each `<task>` block."""
    if plan.tasks:
        return list(plan.tasks)
    if plan.plan_path is None or not plan.plan_path.is_file():
        return []
    from planner.frontmatter import MAX_DOCUMENT_BYTES
    from planner.safeio import NotReadable, read_bounded

    try:
        body = read_bounded(plan.plan_path, MAX_DOCUMENT_BYTES).decode("utf-8", errors="replace")
    except NotReadable:  # a FIFO or device in place of the PLAN: the reader already reported it
        return []
    names = [re.sub(r"\s+", " ", match["name"]).strip() for match in _TASK_NAME.finditer(body)]
    return [name for name in names if not _PLACEHOLDER_TASK.fullmatch(name)]


def task_commits(tasks: list[str], subjects: list[str]) -> list[dict[str, Any]]:
    """Which commit subjects mention each task (`Task 2` or its name): the stated rule, not a guess."""
    rows = []
    for number, name in enumerate(tasks, start=1):
        bare = re.sub(r"^task\s*\d+\s*[:.-]\s*", "", name, flags=re.IGNORECASE).strip().lower()
        matched = []
        for index, subject in enumerate(subjects):
            numbers = {int(m["number"]) for m in _TASK_NUMBER.finditer(subject)}
            if number in numbers or (len(bare) >= 8 and bare in subject.lower()):
                matched.append(index)
        rows.append({"number": number, "name": name, "commits": matched})
    return rows


def gather(project: Project, phase: Phase, plan: Plan, *, now: dt.datetime) -> PlanFacts:
    """Collect git evidence, snapshots and target results for `plan`, completed at `now`.

    `plan close` passes the current time; `plan render --check` passes the completion time the
    SUMMARY recorded, so commits made after it (such as the one that commits the SUMMARY) do
    not make the document stale."""
    from planner import gitlog
    from planner.errors import GitProblem
    from planner.facts_metrics import measurement_facts

    started = parse_time(plan.started)
    completed = now
    notes: list[str] = []
    try:
        evidence = gitlog.find_plan_commits(project.root, str(plan.id), slug=phase.slug or None,
                                            base_commit=plan.base_commit, until=completed,
                                            keep_late=_touches_more_than(project))
        notes.extend(evidence.notes)
    except GitProblem as problem:
        evidence = None
        notes.append(f"no git evidence: {problem.message}")
    duration = gitlog.plan_duration(started, completed if started else None, evidence)
    commits = list(evidence.commits) if evidence else []
    tasks = task_commits(plan_tasks(plan), [commit.subject for commit in commits])
    measurements = measurement_facts(project, plan, started)
    self_check = _self_check(project, evidence)
    deviations = [f"Target {'not measured' if row['status'] == 'UNMEASURED' else 'missed'}: "
                  f"{row['expression']} ({row['detail']})"
                  for row in measurements["targets"] if row["status"] != "PASS"]
    deviations += [f"Task {task['number']} ({task['name']}) has no commit that names it"
                   for task in tasks if not task["commits"]]
    all_passed = all(row["status"] == "PASS" for row in measurements["targets"])
    status = "COMPLETE" if all_passed else "INCOMPLETE"
    context = {
        "plan": {
            "id": str(plan.id), "title": plan.title, "phase": phase.directory.name, "phase_id": phase.id,
            "part": plan.id.part, "subsystem": plan.subsystem, "tags": list(plan.tags),
            "requires": list(plan.requires), "provides": list(plan.provides), "affects": list(plan.affects),
            "type": plan.type,
        },
        "status": status,
        "outcome": _outcome_line(status, measurements["targets"], len(commits)),
        "performance": {
            "duration": duration.human() if duration.source != "none" else "unknown",
            "duration_seconds": duration.seconds if duration.source != "none" else None,
            "duration_source": {"recorded": "from the recorded start to completion",
                                "commits": "from the first to the last commit (no start was recorded)",
                                "none": "no start recorded and no commits found"}[duration.source],
            "started": duration.start.isoformat() if duration.start else None,
            "completed": completed.isoformat(),
            "tasks": len(tasks),
            "tasks_with_commit": sum(1 for task in tasks if task["commits"]),
            "files": len(evidence.created + evidence.modified + evidence.deleted) if evidence else 0,
        },
        "git": _git_facts(evidence, commits, notes),
        "tasks": tasks,
        "targets": measurements["targets"],
        "tests": measurements["tests"],
        "coverage": measurements["coverage"],
        "sources": measurements["sources"],
        "deviations": deviations,
        "self_check": self_check,
    }
    return PlanFacts(context, status, all_passed, completed.isoformat())


def _touches_more_than(project: Project) -> Any:
    """Keeps a commit made after completion when it changes files outside `.planning/`: more work
    on the plan, which makes its SUMMARY stale (a commit of the SUMMARY alone does not)."""
    from planner import gitlog

    try:
        top = gitlog.repo_root(project.root)
        prefix = project.planning_dir.resolve().relative_to(top.resolve()).as_posix() + "/"
    except Exception:  # noqa: BLE001  (no repository: nothing to keep or drop)
        prefix = ".planning/"
    return lambda commit: any(not change.path.startswith(prefix) for change in commit.files)


def _outcome_line(status: str, targets: list[dict[str, Any]], commits: int) -> str:
    if not targets:
        return f"{status}: no targets were set for this plan; {commits} commit(s) found."
    failed = [row for row in targets if row["status"] != "PASS"]
    if not failed:
        return f"COMPLETE: all {len(targets)} target(s) passed; {commits} commit(s)."
    missed = "; ".join(f"{row['expression']} ({row['detail']})" for row in failed)
    return f"INCOMPLETE: {len(failed)} of {len(targets)} target(s) not met: {missed}."


def _git_facts(evidence: Any, commits: list[Any], notes: list[str]) -> dict[str, Any]:
    if evidence is None:
        return {"method": "none", "range": None, "commits": [], "created": [], "modified": [],
                "deleted": [], "renamed": [], "insertions": 0, "deletions": 0, "notes": notes}
    first, last = evidence.first_commit, evidence.last_commit
    git_range = None
    if first is not None and last is not None:
        start = first.parents[0][:12] if first.parents else "(root)"
        git_range = f"{start}..{last.hash[:12]}"
    return {
        "method": evidence.method,
        "range": git_range,
        "commits": [{"hash": c.hash, "short": c.short_hash, "subject": c.subject,
                     "time": c.author_time.isoformat(), "insertions": c.insertions, "deletions": c.deletions}
                    for c in commits],
        "created": list(evidence.created), "modified": list(evidence.modified),
        "deleted": list(evidence.deleted), "renamed": [list(pair) for pair in evidence.renamed],
        "insertions": evidence.insertions, "deletions": evidence.deletions, "notes": notes,
    }


def _self_check(project: Project, evidence: Any) -> dict[str, Any]:
    """Every listed file exists now (deleted ones excepted) and every listed commit is in the repository."""
    from planner import gitlog

    items = []
    if evidence is not None:
        for path in (*evidence.created, *evidence.modified):
            present = (project.root / path).exists()
            items.append({"check": f"file {path} exists", "ok": present})
        hashes = [commit.hash for commit in evidence.commits]
        statuses = gitlog.verify_hashes(project.root, hashes) if hashes else {}
        for commit in evidence.commits:
            items.append({"check": f"commit {commit.short_hash} is in the repository",
                          "ok": statuses[commit.hash].exists})
    failed = [item for item in items if not item["ok"]]
    return {"passed": not failed, "checked": len(items), "failed": len(failed), "checks": items}

