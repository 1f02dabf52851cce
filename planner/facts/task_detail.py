"""Per-task detail for a SUMMARY: each task of the PLAN with its commits, files and lines.

The rule that ties a commit to a task is the one `plan_facts.task_commits` states: the commit's
subject says `Task N` (N is the task's number in the PLAN, counted from 1), or contains the task's
name (without its `Task N:` prefix, case-insensitive, when that name is at least 8 characters).
A commit that matches several tasks counts for each; a commit that matches none is listed apart.
Lines are git's `--numstat` insertions and deletions summed over the task's commits (binary
files count no lines); files are every path those commits touched, renamed files by new name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from planner.evidence.commits import Commit


def _commit_row(commit: Commit, prefix: str | None) -> dict[str, Any]:
    return {"hash": commit.hash, "short": commit.short_hash, "subject": commit.subject,
            "insertions": commit.insertions, "deletions": commit.deletions,
            "url": f"{prefix}{commit.hash}" if prefix else None}


def task_detail(tasks: Sequence[Mapping[str, Any]], commits: Sequence[Commit],
                commit_prefix: str | None = None) -> dict[str, Any]:
    """`{"tasks": [...], "unassigned": [...]}`: `tasks` are `task_commits` rows (their `commits`
    index into `commits`); each gains its commits, files touched and lines added and removed."""
    rows, claimed = [], set()
    for task in tasks:
        mine = [commits[index] for index in task["commits"]]
        claimed.update(task["commits"])
        files = sorted({change.path for commit in mine for change in commit.files})
        rows.append({
            "number": task["number"], "name": task["name"],
            "commits": [_commit_row(commit, commit_prefix) for commit in mine],
            "files": files,
            "insertions": sum(commit.insertions for commit in mine),
            "deletions": sum(commit.deletions for commit in mine),
        })
    unassigned = [_commit_row(commit, commit_prefix) for index, commit in enumerate(commits)
                  if index not in claimed]
    return {"tasks": rows, "unassigned": unassigned if rows else []}


def summary_detail(root: Path, tasks: Sequence[Mapping[str, Any]], commits: Sequence[Commit],
                   git_range: str | None) -> dict[str, Any]:
    """The SUMMARY context's `links` (commit page prefix, linked range) and `task_detail`."""
    from planner.evidence.commit_links import link_range, repository_links

    links: dict[str, str | None] = dict(repository_links(root))
    links["range"] = link_range(git_range, links["commit"])
    return {"links": links, "task_detail": task_detail(tasks, commits, links["commit"])}
