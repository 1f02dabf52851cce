"""The split modules: new modules import on their own, git stays in
gitlog.py, and the working-tree state is read for the planning root's own folder."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepo import GitRepo, git_env

from planner.evidence.git_worktree import GitState, working_state
from planner.evidence.reports.numbers import Numbers, sum_numbers
from planner.evidence.snapshot import FileMetrics, Snapshot

PACKAGE = Path(__file__).resolve().parents[1] / "planner"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("module", ["planner.targets.judging", "planner.evidence.snapshot.json_form",
                                    "planner.evidence.commits", "planner.handoff.recommend",
                                    "planner.handoff.projection", "planner.evidence.snapshot.headline"])
def test_new_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_no_module_but_gitlog_queries_git() -> None:
    # demo.py builds an example repository (it writes history, it does not read evidence)
    runs_git = re.compile(r"""\[\s*["']git["']\s*,|^\s*(import git\b|from git\b)|GIT_PYTHON_GIT_EXECUTABLE["']\)""",
                          re.MULTILINE)
    offenders = sorted(path.name for path in PACKAGE.rglob("*.py")
                       if runs_git.search(path.read_text(encoding="utf-8")))
    assert offenders == ["demo.py", "gitlog.py"]


# ------------------------------------------------------------------------ one sum of counts


def test_snapshot_numbers_are_the_shared_statement_weighted_sum() -> None:
    files = {"a.py": FileMetrics(None, 10, 3, (), 4, 1), "b.py": FileMetrics(None, 30, 30, (), 0, 0)}
    taken = Snapshot("x", datetime.now(UTC), None, None, files=files)
    assert taken.numbers() == sum_numbers(files.values()) == Numbers(40, 33, 4, 1)
    assert taken.numbers(["a*"]) == Numbers(10, 3, 4, 1)


# ------------------------------------------------------------------------ working tree state


def test_working_state_outside_a_repository_is_empty(tmp_path: Path) -> None:
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True, check=False,
                      env=git_env()).returncode == 0:
        pytest.skip("tmp_path lies inside a git repository")
    assert working_state(tmp_path) == GitState()


def test_working_state_reads_head_and_its_commit_time(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    repo.commit("feat: code", files={"a.py": "x = 1\n"})
    state = working_state(tmp_path)
    assert state.commit is not None and len(state.commit) == 40
    assert state.committed_at is not None and state.committed_at.tzinfo is not None
    assert state.dirty is False


def test_change_beside_a_nested_planning_root_does_not_make_it_dirty(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    repo.commit("feat: two apps", files={"backend/a.py": "x = 1\n", "frontend/b.py": "y = 1\n",
                                         "backend/.planning/STATE.md": "state\n"})
    (tmp_path / "frontend/b.py").write_text("y = 2\n")
    (tmp_path / "backend/.planning/STATE.md").write_text("changed\n")
    assert working_state(tmp_path / "backend").dirty is False
    assert working_state(tmp_path).dirty is True


def test_change_inside_a_nested_planning_root_makes_it_dirty(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    repo.commit("feat: two apps", files={"backend [v2]/a.py": "x = 1\n", "frontend/b.py": "y = 1\n"})
    (tmp_path / "backend [v2]/a.py").write_text("x = 2\n")
    assert working_state(tmp_path / "backend [v2]").dirty is True
    assert working_state(tmp_path / "frontend").dirty is False
