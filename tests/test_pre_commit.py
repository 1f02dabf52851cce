"""`.pre-commit-hooks.yaml`, exercised with `pre-commit try-repo` on a scratch repository.

pre-commit clones this checkout at its HEAD commit (named with `--ref`, so the environment is
built once and reused by every call; uncommitted changes are not in it) and builds the hook's own
virtual environment with pip, from whatever package index pip is configured for; when that
cannot be reached the tests skip with pre-commit's reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo, git_env

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "check" / "summary"
PLAN = "---\nphase: 01-core\nplan: 01\ntype: execute\n---\n# Plan\n"
PHASE = ".planning/phases/01-core"
OFFLINE_SIGNS = ("No matching distribution", "Could not find a version", "NewConnectionError",
                 "Temporary failure in name resolution", "Network is unreachable")

pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = git_env({"PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True,
                          check=True).stdout.strip()
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), hook,
                           "--ref", head, "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0 and any(sign in done.stdout + done.stderr for sign in OFFLINE_SIGNS):
        pytest.skip(f"pre-commit could not build the hook environment offline: {done.stdout[-400:]}")
    return done


def scratch(path: Path, summary: str) -> Path:
    repo = GitRepo.create(path)
    repo.commit("docs: plan", files={f"{PHASE}/01-01-PLAN.md": PLAN, f"{PHASE}/01-01-SUMMARY.md": summary})
    return path


def test_hook_passes_on_a_clean_tree(tmp_path: Path, pre_commit_home: Path) -> None:
    assert shutil.which("git")
    repo = scratch(tmp_path / "clean", (FIXTURES / "NUM401-pass.md").read_text(encoding="utf-8"))
    done = try_repo(repo, pre_commit_home, "plan-check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "plan check" in done.stdout and "Passed" in done.stdout


def test_hook_fails_on_an_error_and_names_the_finding(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = scratch(tmp_path / "broken", (FIXTURES / "NUM401-fail.md").read_text(encoding="utf-8"))
    done = try_repo(repo, pre_commit_home, "plan-check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout and f"{PHASE}/01-01-SUMMARY.md:7: error NUM401" in done.stdout


def test_strict_hook_fails_on_a_warning_the_plain_hook_lets_through(tmp_path: Path,
                                                                    pre_commit_home: Path) -> None:
    repo = scratch(tmp_path / "warned", (FIXTURES / "TIM302-fail.md").read_text(encoding="utf-8"))
    assert try_repo(repo, pre_commit_home, "plan-check").returncode == 0
    strict = try_repo(repo, pre_commit_home, "plan-check-strict")
    assert strict.returncode == 1 and "TIM302" in strict.stdout
