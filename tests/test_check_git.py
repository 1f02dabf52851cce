"""plan check's git rules on throwaway repositories (GIT201-GIT203)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gitrepo import GitRepo

from planner.check import run_checks
from planner.tree.reader import load_project

PLAN = "---\nphase: 01-core\nplan: 01\n---\n# Plan\n"


def summary(hashes: list[str], created: list[str] = ()) -> str:  # type: ignore[assignment]
    lines = ["---", "phase: 01-core", "plan: 01", "key-files:", "  created:"]
    lines += [f"    - {path}" for path in created] or ["    []"]
    lines += ["---", "# Summary", "", "## Task Commits", ""]
    lines += [f"{n}. **Task {n}: work** - `{h[:7]}` (feat)" for n, h in enumerate(hashes, start=1)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.create(tmp_path / "repo")
    repo.commit("chore: start", files={"README.md": "x\n", "src/old.py": "a = 1\n",
                                       ".planning/phases/01-core/01-01-PLAN.md": PLAN})
    return repo


def git_codes(repo: GitRepo, text: str) -> list[tuple[str, int | None]]:
    repo.write(".planning/phases/01-core/01-01-SUMMARY.md", text)
    report = run_checks(load_project(repo.path), git=True)
    return [(f.code, f.line) for f in report.findings if f.code.startswith("GIT")]


def test_claimed_commits_of_the_plan_pass(repo: GitRepo) -> None:
    first = repo.commit("feat(01-01): add parser", files={"src/new.py": "b = 2\n"})
    assert git_codes(repo, summary([first], ["src/new.py"])) == []


def test_missing_commit_hash_warns_at_its_line(repo: GitRepo) -> None:
    repo.commit("feat(01-01): add parser", files={"src/new.py": "b = 2\n"})
    assert git_codes(repo, summary(["deadbee"])) == [("GIT201", 12)]


def test_commit_of_another_plan_is_an_error(repo: GitRepo) -> None:
    other = repo.commit("feat(02-03): something else", files={"src/x.py": "c = 3\n"})
    assert git_codes(repo, summary([other])) == [("GIT202", 12)]


def test_commit_naming_the_plan_by_slug_belongs_to_it(repo: GitRepo) -> None:
    mine = repo.commit("feat(01-core-01): add parser", files={"src/new.py": "b = 2\n"})
    assert git_codes(repo, summary([mine])) == []


def test_created_file_that_existed_before_the_plan_is_an_error(repo: GitRepo) -> None:
    first = repo.commit("feat(01-01): touch old", files={"src/old.py": "a = 2\n"})
    found = git_codes(repo, summary([first], ["src/old.py"]))
    assert found == [("GIT203", 6)]


def test_created_file_new_in_the_plan_passes(repo: GitRepo) -> None:
    first = repo.commit("feat(01-01): add", files={"src/new.py": "b = 2\n"})
    second = repo.commit("feat(01-01): extend", files={"src/new.py": "b = 3\n"})
    assert git_codes(repo, summary([first, second], ["src/new.py"])) == []


def test_project_in_a_subfolder_checks_paths_relative_to_it(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "mono")
    repo.commit("chore: start", files={"backend/src/old.py": "a\n",
                                       "backend/.planning/phases/01-core/01-01-PLAN.md": PLAN})
    first = repo.commit("feat(01-01): touch", files={"backend/src/old.py": "b\n"})
    repo.write("backend/.planning/phases/01-core/01-01-SUMMARY.md", summary([first], ["src/old.py"]))
    report = run_checks(load_project(repo.path / "backend"), git=True)
    assert [f.code for f in report.findings if f.code.startswith("GIT")] == ["GIT203"]
