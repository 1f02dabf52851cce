"""Throwaway git repositories with real commits, for tests.

    from gitrepo import GitRepo

    repo = GitRepo.create(tmp_path)
    first = repo.commit("feat(12-03): add parser", files={"src/a b.py": "x = 1\n"})
    repo.commit("fix(12-03): rename", renames={"src/a b.py": "src/b.py"}, deletes=["old.txt"],
                when="2024-05-01T10:30:00+02:00")

Every commit gets a deterministic author and committer date: `when` if given, otherwise one
minute after the previous commit (the first is 2024-01-01T00:00:00+00:00). The user's own git
configuration is ignored, so tests behave the same on every machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2024, 1, 1, tzinfo=UTC)

Content = str | bytes


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment in which git ignores the user's and system configuration."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Test Author",
        GIT_COMMITTER_EMAIL="author@example.com",
    )
    env.update(extra or {})
    return env


class GitRepo:
    """A repository under a tmp folder; methods change files and commit them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = START - timedelta(minutes=1)

    @classmethod
    def create(cls, path: Path, branch: str = "main") -> GitRepo:
        """`git init` in `path` (created if needed) with `branch` as the first branch."""
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo.git("init", "-q", f"--initial-branch={branch}")
        return repo

    @classmethod
    def open(cls, path: Path) -> GitRepo:
        """An existing repository (a copy of a built one); the next commit is dated one minute after HEAD."""
        repo = cls(path)
        repo.clock = datetime.fromisoformat(repo.git("log", "-1", "--format=%cI"))
        return repo

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run git here; its stdout. A failing command fails the test with git's message."""
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=git_env(env), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.decode()}")
        return done.stdout.decode("utf-8", "replace").strip()

    def write(self, relative: str, content: Content) -> Path:
        """Create or overwrite a file (parents made as needed), not yet committed."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(
        self,
        message: str,
        files: Mapping[str, Content] | None = None,
        deletes: Iterable[str] = (),
        renames: Mapping[str, str] | None = None,
        when: datetime | str | None = None,
    ) -> str:
        """Write `files`, delete `deletes`, `git mv` each of `renames`, commit all; the full hash.

        A commit with no changes is allowed (useful for message-only tests).
        """
        for relative, content in (files or {}).items():
            self.write(relative, content)
        for relative in deletes:
            self.git("rm", "-q", "--", relative)
        for old, new in (renames or {}).items():
            (self.path / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", "--", old, new)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=self._dates(when))
        return self.head()

    def _dates(self, when: datetime | str | None) -> dict[str, str]:
        if when is None:
            moment = self.clock + timedelta(minutes=1)
        elif isinstance(when, str):
            moment = datetime.fromisoformat(when)
        else:
            moment = when
        if moment.tzinfo is None:
            raise ValueError("give commit times a UTC offset")
        self.clock = moment
        stamp = moment.isoformat()
        return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def head(self) -> str:
        """The full hash of HEAD."""
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str, start: str = "HEAD") -> None:
        """Create branch `name` at `start` and switch to it."""
        self.git("checkout", "-q", "-b", name, start)

    def switch(self, name: str) -> None:
        """Switch to an existing branch (or, with a hash, detach HEAD there)."""
        self.git("checkout", "-q", name)

    def detach(self, commit: str = "HEAD") -> None:
        """Point HEAD at a commit directly, leaving no branch checked out."""
        self.git("checkout", "-q", "--detach", commit)

    def merge(
        self,
        branch: str,
        message: str | None = None,
        when: datetime | str | None = None,
    ) -> str:
        """Merge `branch` with a merge commit (never fast-forward); the merge's full hash."""
        text = message or f"Merge branch '{branch}'"
        self.git("merge", "-q", "--no-ff", "-m", text, branch, env=self._dates(when))
        return self.head()

    def clone(self, destination: Path, depth: int | None = None) -> GitRepo:
        """A clone of this repository; with `depth`, a shallow one cut after `depth` commits."""
        source = self.path.resolve().as_uri()  # --depth is ignored for plain local paths
        args = [
            "clone",
            "-q",
            *(["--depth", str(depth)] if depth else []),
            source,
            str(destination),
        ]
        GitRepo(destination.parent).git(*args)
        return GitRepo(destination)


def two_plan_project(root: Path) -> Path:
    """A git repository at `root` with phase 1 of two plans (01-01 not started, 01-02 started),
    committed: the project the crash-safety and hand-written-text tests attack."""
    from planner.scaffold import add_phase, init_project, new_plan
    from planner.start import start_plan
    from planner.tree.reader import load_project

    root.mkdir(parents=True)
    environment = git_env()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True, env=environment)
    (root / "app.py").write_text("print('hello')\n")
    init_project(root)
    add_phase(load_project(root), "One", goal="works")
    new_plan(load_project(root), "1", title="First")
    new_plan(load_project(root), "1", title="Second")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True, env=environment)
    subprocess.run(["git", "commit", "-q", "-m", "start"], cwd=root, check=True, capture_output=True,
                   env=environment)
    start_plan(load_project(root), "01-02")
    return root
