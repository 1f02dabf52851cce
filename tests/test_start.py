"""plan start: the start time and base commit land in the PLAN; a second start needs --force.

Through the library (`planner.start_plan`, fixed times) and through `plan start` (the real clock).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CliRunner
from gitrepo import git_env
from usecase_repo import at, make_project, measure

from planner import ConflictError, InputError, close_plan, load_project, start_plan


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def _plan(root: Path):  # type: ignore[no-untyped-def]
    return load_project(root).phases[0].plans[0]


def test_start_records_time_head_and_in_progress(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    measure(root, covered=5, statements=10, failed=0, minute=2)  # a baseline: no warning
    started = start_plan(load_project(root), "01-01", now=at(3))
    plan = _plan(root)
    assert (started.started, started.base_commit, started.warnings) == (at(3).isoformat(), repo.head(), ())
    assert (plan.status, plan.started, plan.base_commit) == ("in_progress", at(3).isoformat(), repo.head())


def test_a_second_start_is_refused_and_force_restarts(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    start_plan(load_project(root), "01-01", now=at(3))
    with pytest.raises(ConflictError, match="already started"):
        start_plan(load_project(root), "01-01", now=at(4))
    assert _plan(root).started == at(3).isoformat()
    repo.commit("feat(01-01): more", {"pkg/extra.py": "X = 1\n"}, when=at(5))
    start_plan(load_project(root), "01-01", force=True, now=at(6))
    assert (_plan(root).started, _plan(root).base_commit) == (at(6).isoformat(), repo.head())


def test_a_complete_plan_is_not_started_again_without_force(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    measure(root, covered=5, statements=10, failed=0, minute=2)
    start_plan(load_project(root), "01-01", now=at(3))
    close_plan(load_project(root), "01-01", now=at(9))
    assert _plan(root).status == "complete"
    with pytest.raises(ConflictError):
        start_plan(load_project(root), "01-01", force=False, now=at(10))


def test_start_in_a_repository_without_commits_warns_and_records_no_base(tmp_path: Path) -> None:
    from planner.scaffold import add_phase, init_project, new_plan

    root = tmp_path / "bare"
    root.mkdir()
    from gitrepo import GitRepo

    GitRepo.create(root)
    init_project(root)
    add_phase(load_project(root), "Core")
    new_plan(load_project(root), "1", title="First")
    started = start_plan(load_project(root), "01-01", now=at(1))
    assert started.base_commit is None
    assert "the repository has no commits yet: no base commit recorded" in started.warnings
    assert _plan(root).base_commit is None


def test_an_unknown_plan_is_an_input_error(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    with pytest.raises(InputError, match="no plan 01-09"):
        start_plan(load_project(root), "01-09", now=at(1))


# --- through the CLI ------------------------------------------------------------------------------

PLAN = ".planning/phases/01-core/01-01-PLAN.md"


def test_plan_start_says_when_and_from_which_commit_and_records_both(tmp_path: Path, cli: CliRunner) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    measure(root, covered=5, statements=10, failed=0, minute=2)
    result = cli("start", "01-01", "--root", str(root))
    assert result.exit_code == 0, result.output
    shown = re.fullmatch(r"started 01-01 at (\S+) \(base commit ([0-9a-f]{12})\)\n", result.stdout)
    assert shown is not None, result.stdout
    plan = _plan(root)
    assert (plan.status, plan.started, plan.base_commit) == ("in_progress", shown[1], repo.head())
    assert repo.head().startswith(shown[2])


def test_plan_start_twice_is_refused_in_one_line_and_force_restarts(tmp_path: Path, cli: CliRunner) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    assert cli("start", "01-01", "--root", str(root)).exit_code == 0
    first = _plan(root).started
    refused = cli("start", "01-01", "--root", str(root))
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"plan: error: {PLAN}: plan 01-01 was already started at {first}") and "--force" in line
    assert _plan(root).started == first
    repo.commit("feat(01-01): more", {"pkg/extra.py": "X = 1\n"})
    assert cli("start", "01-01", "--force", "--root", str(root)).exit_code == 0
    assert _plan(root).base_commit == repo.head()


def test_plan_start_of_an_unknown_plan_changes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    before = (root / PLAN).read_bytes()
    result = cli("start", "01-09", "--root", str(root))
    assert (result.exit_code, result.stderr.strip()) == (2, "plan: error: no plan 01-09 in phase 01 (plans: 01-01)")
    assert (root / PLAN).read_bytes() == before
