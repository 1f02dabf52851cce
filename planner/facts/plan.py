"""Everything measured about one plan, gathered once: the single source of every number a
SUMMARY shows in its frontmatter, its body and `--json`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from planner.clock import iso, parse_time
from planner.facts.measured import SnapshotPins, measurement_facts, plan_snapshots
from planner.model import Phase, Plan, PlanOutcome, Project

_TASK_NAME = re.compile(r"<name>\s*(?P<name>.*?)\s*</name>", re.DOTALL)
_PLACEHOLDER_TASK = re.compile(r"(?:task\s*\d*\s*[:.-]?)?", re.IGNORECASE)  # the template's empty `Task 1:`
_TASK_NUMBER = re.compile(r"task\s*(?P<number>\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class PlanFacts:
    """The measured facts of a plan, as plain data ready for a template or JSON."""

    context: dict[str, Any]
    status: str  # COMPLETE | TARGETS MISSED | SUPERSEDED: executed and targets met are two claims
    all_targets_passed: bool
    completed_at: str
    pins: SnapshotPins = field(default_factory=SnapshotPins)

    @property
    def outcome(self) -> PlanOutcome:
        if self.status == "SUPERSEDED":
            return "superseded"
        return "met" if self.all_targets_passed else "missed"


def plan_tasks(plan: Plan) -> list[str]:
    """Task names: the frontmatter `tasks` list, else the `<name>` of each `<task>` block."""
    if plan.tasks:
        return list(plan.tasks)
    if plan.plan_path is None or not plan.plan_path.is_file():
        return []
    from planner.storage.safeio import NotReadable, read_bounded
    from planner.tree.frontmatter import MAX_DOCUMENT_BYTES

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


def gather(project: Project, phase: Phase, plan: Plan, *, now: dt.datetime,
           pins: SnapshotPins | None = None, superseded_by: tuple[str, ...] = ()) -> PlanFacts:
    """Collect git evidence, snapshots and target results for `plan`, completed at `now`.

    `plan close` passes the current time; `plan render --check` and a repeated `plan close` pass
    the completion time and the snapshots (`pins`) the SUMMARY recorded, so the same evidence
    gives the same document: commits made after it that only touch planning files (such as the
    one that commits the SUMMARY) and snapshots taken since do not change it."""
    from planner.errors import GitProblem
    from planner.evidence import gitlog
    from planner.evidence.commits import plan_duration
    from planner.facts.task_detail import summary_detail

    started = parse_time(plan.started)
    completed = now
    notes: list[str] = []
    try:
        evidence = gitlog.find_plan_commits(project.root, str(plan.id), slug=phase.slug or None,
                                            base_commit=plan.base_commit, until=completed,
                                            keep_late=_touches_more_than(project),
                                            planning_prefix=planning_prefix(project))
        notes.extend(evidence.notes)
    except GitProblem as problem:
        evidence = None
        notes.append(f"no git evidence: {problem.message}")
    duration = plan_duration(started, completed if started else None, evidence)
    commits = list(evidence.commits) if evidence else []
    tasks = task_commits(plan_tasks(plan), [commit.subject for commit in commits])
    snapshots = plan_snapshots(project, plan, started, pins)
    measurements = measurement_facts(project, plan, snapshots)
    self_check = _self_check(project, evidence)
    deviations = [f"Target {'not measured' if row['status'] == 'UNMEASURED' else 'missed'}: "
                  f"{row['expression']} ({row['detail']})"
                  for row in measurements["targets"] if row["status"] != "PASS"]
    deviations += [f"Task {task['number']} ({task['name']}) has no commit that names it"
                   for task in tasks if not task["commits"]]
    all_passed = all(row["status"] == "PASS" for row in measurements["targets"])
    status = "SUPERSEDED" if superseded_by else ("COMPLETE" if all_passed else "TARGETS MISSED")
    git = _git_facts(evidence, commits, notes)
    context = {
        "plan": {
            "id": str(plan.id), "title": plan.title, "phase": phase.directory.name, "phase_id": phase.id,
            "part": plan.id.part, "subsystem": plan.subsystem, "tags": list(plan.tags),
            "requires": list(plan.requires), "provides": list(plan.provides), "affects": list(plan.affects),
            "type": plan.type,
        },
        "status": status,
        "outcome": _outcome_line(status, measurements["targets"], len(commits), superseded_by),
        "superseded_by": list(superseded_by),
        "performance": {
            "duration": duration.human() if duration.source != "none" else "unknown",
            "duration_seconds": duration.seconds if duration.source != "none" else None,
            "duration_source": {"recorded": "from the recorded start to completion",
                                "commits": "from the first to the last commit (no start was recorded)",
                                "none": "no start recorded and no commits found"}[duration.source],
            "started": iso(duration.start) if duration.start else None,
            "completed": iso(completed),
            "tasks": len(tasks),
            "tasks_with_commit": sum(1 for task in tasks if task["commits"]),
            "files": len(git["created"]) + len(git["modified"]) + len(git["deleted"]),
            "files_created": len(git["created"]),
            "files_modified": len(git["modified"]),
            "files_deleted": len(git["deleted"]),
        },
        "git": git,
        "tasks": tasks,
        "targets": measurements["targets"],
        "tests": measurements["tests"],
        "coverage": measurements["coverage"],
        "sources": measurements["sources"],
        "baseline_note": measurements["baseline_note"],
        "snapshots": snapshots.pins.as_dict(),
        "deviations": deviations,
        "self_check": self_check,
    }
    context.update(summary_detail(project.root, tasks, commits, context["git"]["range"]))
    return PlanFacts(context, status, all_passed, iso(completed), snapshots.pins)


def planning_prefix(project: Project) -> str:
    """The planning folder relative to the repository root, with a trailing `/`."""
    from planner.evidence import gitlog

    try:
        top = gitlog.repo_root(project.root)
        return project.planning_dir.resolve().relative_to(top.resolve()).as_posix() + "/"
    except Exception:  # noqa: BLE001  (no repository, or the folder lies outside it)
        return ".planning/"


def _touches_more_than(project: Project) -> Any:
    """Keeps a commit made after completion when it changes files outside `.planning/`: more work
    on the plan, which makes its SUMMARY stale (a commit of the SUMMARY alone does not)."""
    prefix = planning_prefix(project)
    return lambda commit: any(not change.path.startswith(prefix) for change in commit.files)


def _outcome_line(status: str, targets: list[dict[str, Any]], commits: int,
                  superseded_by: tuple[str, ...] = ()) -> str:
    if superseded_by:
        return (f"SUPERSEDED by {', '.join(superseded_by)}: this plan was closed without meeting "
                f"its goal here; {commits} commit(s) found.")
    if not targets:
        return f"{status}: no targets were set for this plan; {commits} commit(s) found."
    failed = [row for row in targets if row["status"] != "PASS"]
    if not failed:
        return f"COMPLETE: all {len(targets)} target(s) passed; {commits} commit(s)."
    missed = "; ".join(f"{row['expression']} ({row['detail']})" for row in failed)
    return (f"TARGETS MISSED: executed, but {len(failed)} of {len(targets)} target(s) not met: "
            f"{missed}.")


SHORT_HASH = 12  # fixed, not git's `%h`: that one grows a digit after a repack or in a clone


def commit_method(commit: Any, fallback: str) -> str:
    """How one commit was tied to the plan: its `Plan:` trailer, its scope, or the plan's range."""
    if commit.trailer_plans:
        return "trailer"
    return "scope" if commit.scope_plans else fallback


def _git_facts(evidence: Any, commits: list[Any], notes: list[str]) -> dict[str, Any]:
    if evidence is None:
        return {"method": "none", "methods": [], "mixed": False, "range": None, "full_range": None, "commits": [],
                "bookkeeping": [], "created": [], "modified": [], "deleted": [], "renamed": [],
                "insertions": 0, "deletions": 0, "notes": notes}
    first, last = evidence.first_commit, evidence.last_commit
    git_range = full_range = None
    if first is not None and last is not None:
        start = first.parents[0] if first.parents else "(root)"
        full_range = f"{start}..{last.hash}"
        git_range = f"{start[:SHORT_HASH]}..{last.hash[:SHORT_HASH]}"
    fallback = "range" if evidence.method == "range" else evidence.method
    rows = [{"hash": c.hash, "short": c.hash[:SHORT_HASH], "subject": c.subject,
             "time": c.author_time.isoformat(), "insertions": c.insertions, "deletions": c.deletions,
             "method": commit_method(c, fallback)} for c in commits]
    methods = sorted({row["method"] for row in rows})
    return {
        "method": evidence.method,
        "methods": methods,
        "mixed": len(methods) > 1,
        "range": git_range,
        "full_range": full_range,
        "commits": rows,
        "bookkeeping": [{"hash": c.hash, "short": c.hash[:SHORT_HASH], "subject": c.subject}
                        for c in evidence.bookkeeping],
        "created": list(evidence.created), "modified": list(evidence.modified),
        "deleted": list(evidence.deleted), "renamed": [list(pair) for pair in evidence.renamed],
        "insertions": evidence.insertions, "deletions": evidence.deletions, "notes": notes,
    }


def _self_check(project: Project, evidence: Any) -> dict[str, Any]:
    """Every listed file exists now (deleted ones excepted) and every listed commit is in the repository."""
    from planner.evidence import gitlog

    items = []
    if evidence is not None:
        for path in (*evidence.created, *evidence.modified):
            present = (project.root / path).exists()
            items.append({"check": f"file {path} exists", "ok": present})
        hashes = [commit.hash for commit in evidence.commits]
        statuses = gitlog.verify_hashes(project.root, hashes) if hashes else {}
        for commit in evidence.commits:
            items.append({"check": f"commit {commit.hash[:SHORT_HASH]} is in the repository",
                          "ok": statuses[commit.hash].exists})
    failed = [item for item in items if not item["ok"]]
    return {"passed": not failed, "checked": len(items), "failed": len(failed), "checks": items}

