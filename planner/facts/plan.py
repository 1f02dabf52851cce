"""Everything measured about one plan, gathered once: the single source of every number a
SUMMARY shows in its frontmatter, its body and `--json`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from planner.clock import iso, parse_time
from planner.evidence.commits import Commit, Duration, Method, PlanEvidence
from planner.facts.measured import measurement_facts, plan_snapshots
from planner.facts.types import (
    BookkeepingRow,
    CommitRow,
    GitFacts,
    Performance,
    PlanFacts,
    PlanInfo,
    SelfCheck,
    SelfCheckItem,
    SnapshotPins,
    SummaryStatus,
    TargetRow,
    TaskRow,
    groups_judged,
)
from planner.model import Phase, Plan, Project

_TASK_NAME = re.compile(r"<name>\s*(?P<name>.*?)\s*</name>", re.DOTALL)
_PLACEHOLDER_TASK = re.compile(r"(?:task\s*\d*\s*[:.-]?)?", re.IGNORECASE)  # the template's empty `Task 1:`
_TASK_NUMBER = re.compile(r"task\s*(?P<number>\d+)", re.IGNORECASE)


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


def task_commits(tasks: Sequence[str], subjects: Sequence[str]) -> tuple[TaskRow, ...]:
    """Which commit subjects mention each task (`Task 2` or its name): the stated rule, not a guess."""
    rows = []
    for number, name in enumerate(tasks, start=1):
        bare = re.sub(r"^task\s*\d+\s*[:.-]\s*", "", name, flags=re.IGNORECASE).strip().lower()
        matched = []
        for index, subject in enumerate(subjects):
            numbers = {int(m["number"]) for m in _TASK_NUMBER.finditer(subject)}
            if number in numbers or (len(bare) >= 8 and bare in subject.lower()):
                matched.append(index)
        rows.append(TaskRow(number, name, tuple(matched)))
    return tuple(rows)


def gather(project: Project, phase: Phase, plan: Plan, *, now: dt.datetime,
           pins: SnapshotPins | None = None, superseded_by: tuple[str, ...] = ()) -> PlanFacts:
    """Collect git evidence, snapshots and target results for `plan`, completed at `now`.

    `plan close` passes the current time; `plan render --check` and a repeated `plan close` pass
    the completion time and the snapshots (`pins`) the SUMMARY recorded, so the same evidence
    gives the same document: commits made after it that only touch planning files (such as the
    one that commits the SUMMARY) and snapshots taken since do not change it."""
    from planner.evidence.commits import plan_duration
    from planner.facts.task_detail import summary_detail

    started = parse_time(plan.started)
    completed = now
    evidence, notes = _plan_evidence(project, phase, plan, completed)
    duration = plan_duration(started, completed if started else None, evidence)
    commits = evidence.commits if evidence else ()
    tasks = task_commits(plan_tasks(plan), [commit.subject for commit in commits])
    snapshots = plan_snapshots(project, plan, started, pins)
    measurements = measurement_facts(project, plan, snapshots)
    all_passed = all(row.passed for row in measurements.targets)
    status: SummaryStatus = "SUPERSEDED" if superseded_by else ("COMPLETE" if all_passed else "TARGETS MISSED")
    git = _git_facts(evidence, notes)
    links, detail = summary_detail(project.root, tasks, commits, git.range)
    return PlanFacts(
        plan=_plan_info(phase, plan),
        status=status,
        outcome=_outcome_line(status, measurements.targets, len(commits), superseded_by),
        superseded_by=superseded_by,
        performance=_performance(duration, completed, tasks, git),
        git=git,
        tasks=tasks,
        targets=measurements.targets,
        tests=measurements.tests,
        coverage=measurements.coverage,
        sources=measurements.sources,
        baseline_note=measurements.baseline_note,
        snapshots=snapshots.pins,
        groups=groups_judged(measurements.targets, project.config.groups),
        deviations=_deviations(measurements.targets, tasks),
        self_check=_self_check(project, evidence),
        links=links,
        task_detail=detail,
    )


def _plan_evidence(project: Project, phase: Phase, plan: Plan,
                   completed: dt.datetime) -> tuple[PlanEvidence | None, tuple[str, ...]]:
    """What git says the plan did up to `completed`, and the notes about how it was found."""
    from planner.errors import GitProblem
    from planner.evidence import gitlog

    try:
        evidence = gitlog.find_plan_commits(project.root, str(plan.id), slug=phase.slug or None,
                                            base_commit=plan.base_commit, until=completed,
                                            keep_late=_touches_more_than(project),
                                            planning_prefix=planning_prefix(project))
    except GitProblem as problem:
        return None, (f"no git evidence: {problem.message}",)
    return evidence, evidence.notes


def _plan_info(phase: Phase, plan: Plan) -> PlanInfo:
    return PlanInfo(id=str(plan.id), title=plan.title, phase=phase.directory.name, phase_id=phase.id,
                    part=plan.id.part, subsystem=plan.subsystem, tags=plan.tags, requires=plan.requires,
                    provides=plan.provides, affects=plan.affects, type=plan.type)


_DURATION_SOURCES = {"recorded": "from the recorded start to completion",
                     "commits": "from the first to the last commit (no start was recorded)",
                     "none": "no start recorded and no commits found"}


def _performance(duration: Duration, completed: dt.datetime, tasks: Sequence[TaskRow], git: GitFacts) -> Performance:
    measured = duration.source != "none"
    return Performance(
        duration=duration.human() if measured else "unknown",
        duration_seconds=duration.seconds if measured else None,
        duration_source=_DURATION_SOURCES[duration.source],
        started=iso(duration.start) if duration.source == "recorded" and duration.start else None,
        completed=iso(completed),
        tasks=len(tasks),
        tasks_with_commit=sum(1 for task in tasks if task.commits),
        files=git.files_changed,
        files_created=len(git.created),
        files_modified=len(git.modified),
        files_deleted=len(git.deleted),
    )


def _deviations(targets: Sequence[TargetRow], tasks: Sequence[TaskRow]) -> tuple[str, ...]:
    """Targets not met and tasks no commit names: where the plan went otherwise than planned."""
    missed = [f"Target {'not measured' if row.status == 'UNMEASURED' else 'missed'}: {row.expression} ({row.detail})"
              for row in targets if not row.passed]
    unnamed = [f"Task {task.number} ({task.name}) has no commit that names it" for task in tasks if not task.commits]
    return (*missed, *unnamed)


def planning_prefix(project: Project) -> str:
    """The planning folder relative to the repository root, with a trailing `/`."""
    from planner.evidence import gitlog

    try:
        top = gitlog.repo_root(project.root)
        return project.planning_dir.resolve().relative_to(top.resolve()).as_posix() + "/"
    except Exception:  # noqa: BLE001  (no repository, or the folder lies outside it)
        return ".planning/"


def _touches_more_than(project: Project) -> Callable[[Commit], bool]:
    """Keeps a commit made after completion when it changes files outside `.planning/`: more work
    on the plan, which makes its SUMMARY stale (a commit of the SUMMARY alone does not)."""
    prefix = planning_prefix(project)
    return lambda commit: any(not change.path.startswith(prefix) for change in commit.files)


def _outcome_line(status: SummaryStatus, targets: Sequence[TargetRow], commits: int,
                  superseded_by: tuple[str, ...] = ()) -> str:
    if superseded_by:
        return (f"SUPERSEDED by {', '.join(superseded_by)}: this plan was closed without meeting "
                f"its goal here; {commits} commit(s) found.")
    if not targets:
        return f"{status}: no targets were set for this plan; {commits} commit(s) found."
    failed = [row for row in targets if not row.passed]
    if not failed:
        return f"COMPLETE: all {len(targets)} target(s) passed; {commits} commit(s)."
    missed = "; ".join(f"{row.expression} ({row.detail})" for row in failed)
    return (f"TARGETS MISSED: executed, but {len(failed)} of {len(targets)} target(s) not met: "
            f"{missed}.")


SHORT_HASH = 12  # fixed, not git's `%h`: that one grows a digit after a repack or in a clone


def commit_method(commit: Commit, fallback: Method) -> Method:
    """How one commit was tied to the plan: its `Plan:` trailer, its scope, or the plan's range."""
    if commit.trailer_plans:
        return "trailer"
    return "scope" if commit.scope_plans else fallback


def _git_facts(evidence: PlanEvidence | None, notes: tuple[str, ...]) -> GitFacts:
    if evidence is None:
        return GitFacts(method="none", methods=(), mixed=False, range=None, full_range=None, commits=(),
                        bookkeeping=(), created=(), modified=(), deleted=(), renamed=(), insertions=0,
                        deletions=0, notes=notes)
    first, last = evidence.first_commit, evidence.last_commit
    git_range = full_range = None
    if first is not None and last is not None:
        start = first.parents[0] if first.parents else "(root)"
        full_range = f"{start}..{last.hash}"
        git_range = f"{start[:SHORT_HASH]}..{last.hash[:SHORT_HASH]}"
    rows = tuple(CommitRow(c.hash, c.hash[:SHORT_HASH], c.subject, c.author_time.isoformat(), c.insertions,
                           c.deletions, commit_method(c, evidence.method)) for c in evidence.commits)
    methods = tuple(sorted({row.method for row in rows}))
    return GitFacts(
        method=evidence.method, methods=methods, mixed=len(methods) > 1, range=git_range, full_range=full_range,
        commits=rows,
        bookkeeping=tuple(BookkeepingRow(c.hash, c.hash[:SHORT_HASH], c.subject) for c in evidence.bookkeeping),
        created=evidence.created, modified=evidence.modified, deleted=evidence.deleted, renamed=evidence.renamed,
        insertions=evidence.insertions, deletions=evidence.deletions, notes=notes,
    )


def _self_check(project: Project, evidence: PlanEvidence | None) -> SelfCheck:
    """Every listed file is in the tree of the plan's last commit (deleted ones excepted) and every
    listed commit is in the repository. Asked of git, not of the working tree, so the answer is the
    same in a fresh clone and after later plans move or delete the files."""
    from planner.evidence import gitlog

    items: list[SelfCheckItem] = []
    if evidence is not None:
        listed = (*evidence.created, *evidence.modified)
        last = evidence.last_commit
        present = gitlog.files_at(project.root, last.hash, listed) if last is not None and listed else set()
        items.extend(SelfCheckItem(f"file {path} exists", path in present) for path in listed)
        hashes = [commit.hash for commit in evidence.commits]
        statuses = gitlog.verify_hashes(project.root, hashes) if hashes else {}
        for commit in evidence.commits:
            items.append(SelfCheckItem(f"commit {commit.hash[:SHORT_HASH]} is in the repository",
                                       statuses[commit.hash].exists))
    failed = sum(1 for item in items if not item.ok)
    return SelfCheck(passed=not failed, checked=len(items), failed=failed, checks=tuple(items))
