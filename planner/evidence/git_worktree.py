"""What git says about the working tree and the repository's configuration, for a snapshot and
for links: HEAD, its commit time, whether tracked files changed, the `origin` remote. Local
queries only (never a network call), each through `planner.evidence.gitlog.plain_git`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from planner.evidence.gitlog import plain_git


@dataclass(frozen=True)
class GitState:
    """HEAD, its commit time and whether tracked files differ from it (None: no git here)."""

    commit: str | None = None
    committed_at: datetime | None = None
    dirty: bool | None = None


def working_state(root: Path) -> GitState:
    """HEAD, its commit time and dirtiness of tracked files under `root` outside its `.planning/`;
    an empty GitState outside a repository or without git (a snapshot is still worth taking)."""
    head = plain_git(root, "log", "-1", "--format=%H%x00%cI")
    if head is None or "\0" not in head:
        inside = plain_git(root, "rev-parse", "--is-inside-work-tree")
        dirty = _dirty(root) if inside is not None and inside.strip() == "true" else None
        return GitState(None, None, dirty)
    commit, when = head.strip().split("\0")
    return GitState(commit, datetime.fromisoformat(when), _dirty(root))


def _dirty(root: Path) -> bool | None:
    changes = plain_git(root, "status", "--porcelain", "--untracked-files=no", "--", ".",
                         ":(exclude).planning")
    return None if changes is None else bool(changes.strip())


def origin_url(root: Path) -> str | None:
    """The URL of the `origin` remote from the local configuration (never a network call)."""
    url = plain_git(root, "remote", "get-url", "origin")
    return url.strip() or None if url is not None else None
