"""Per-task detail for a SUMMARY: each task of the PLAN with its commits, files and lines.

The rule that ties a commit to a task is the one `plan_facts.task_commits` states: the commit's
subject says `Task N` (N is the task's number in the PLAN, counted from 1), or contains the task's
name (without its `Task N:` prefix, case-insensitive, when that name is at least 8 characters).
A commit that matches several tasks counts for each; a commit that matches none is listed apart.
Lines are git's `--numstat` insertions and deletions summed over the task's commits (binary
files count no lines); files are every path those commits touched, renamed files by new name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.evidence.commits import Commit
from planner.facts.types import SummaryLinks, TaskCommit, TaskDetail, TaskDetailRow, TaskRow


def _commit_row(commit: Commit, prefix: str | None) -> TaskCommit:
    return TaskCommit(commit.hash, commit.short_hash, commit.subject, commit.insertions, commit.deletions,
                      f"{prefix}{commit.hash}" if prefix else None)


def task_detail(tasks: Sequence[TaskRow], commits: Sequence[Commit], commit_prefix: str | None = None) -> TaskDetail:
    """Each task (`task_commits` rows, whose `commits` index into `commits`) with its commits, the
    files they touched and the lines they added and removed; and the commits that name no task."""
    rows: list[TaskDetailRow] = []
    claimed: set[int] = set()
    for task in tasks:
        mine = [commits[index] for index in task.commits]
        claimed.update(task.commits)
        rows.append(TaskDetailRow(
            number=task.number, name=task.name,
            commits=tuple(_commit_row(commit, commit_prefix) for commit in mine),
            files=tuple(sorted({change.path for commit in mine for change in commit.files})),
            insertions=sum(commit.insertions for commit in mine),
            deletions=sum(commit.deletions for commit in mine),
        ))
    unassigned = tuple(_commit_row(commit, commit_prefix) for index, commit in enumerate(commits)
                       if index not in claimed)
    return TaskDetail(tuple(rows), unassigned if rows else ())


def summary_detail(root: Path, tasks: Sequence[TaskRow], commits: Sequence[Commit],
                   git_range: str | None) -> tuple[SummaryLinks, TaskDetail]:
    """The SUMMARY's `links` (commit page prefix, linked range) and `task_detail`."""
    from planner.evidence.commit_links import link_range, repository_links

    prefix = repository_links(root)["commit"]
    return SummaryLinks(prefix, link_range(git_range, prefix)), task_detail(tasks, commits, prefix)
