"""The split modules: old import paths still work, new modules import on their own, git stays in
gitlog.py, and the working-tree state is read for the planning root's own folder."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepo import GitRepo, git_env

from planner import commits, gitlog, handoff, recommend, snapshot, snapshot_json, target_results
from planner import targets as targets_module
from planner.gitlog import GitState, working_state
from planner.reports.numbers import Numbers, sum_numbers
from planner.snapshot import FileMetrics, Snapshot

PACKAGE = Path(__file__).resolve().parents[1] / "planner"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


# ------------------------------------------------------------------------ old import paths


@pytest.mark.parametrize("name", ["DictLookup", "MetricLookup", "TargetResult", "displayed_value",
                                  "evaluate", "evaluate_all", "format_delta", "format_value"])
def test_judging_names_are_still_importable_from_targets(name: str) -> None:
    assert getattr(targets_module, name) is getattr(target_results, name)


@pytest.mark.parametrize("name", ["snapshot_to_json", "snapshot_to_dict", "snapshot_from_json"])
def test_json_names_are_still_importable_from_snapshot(name: str) -> None:
    assert getattr(snapshot, name) is getattr(snapshot_json, name)


@pytest.mark.parametrize("name", ["Commit", "Duration", "FileChange", "HashStatus", "PlanEvidence",
                                  "plan_duration", "plan_ids_in_message"])
def test_commit_names_are_still_importable_from_gitlog(name: str) -> None:
    assert getattr(gitlog, name) is getattr(commits, name)


def test_compute_report_is_still_importable_from_handoff() -> None:
    assert handoff.compute_report is recommend.compute_report


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = targets_module.no_such_name  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = snapshot.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", ["planner.target_results", "planner.snapshot_json",
                                    "planner.commits", "planner.recommend",
                                    "planner.target_path", "planner.snapshot_report"])
def test_new_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_no_module_but_gitlog_queries_git() -> None:
    # demo.py builds an example repository (it writes history, it does not read evidence)
    runs_git = re.compile(r"""\[\s*["']git["']\s*,|^\s*(import git\b|from git\b)|GIT_PYTHON_GIT_EXECUTABLE["']\)""",
                          re.MULTILINE)
    offenders = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
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
