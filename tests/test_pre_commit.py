"""`.pre-commit-hooks.yaml`, exercised with `pre-commit try-repo` on a scratch repository.

pre-commit clones this checkout at its HEAD commit (`--ref`: uncommitted changes are not in it)
and builds the hooks' virtual environment with pip, from whatever package index pip is configured
for; when that cannot be reached the tests skip with pre-commit's reason. try-repo builds that
environment afresh on every call (seconds with a local package index, a minute or more without),
so one call runs both hooks on one tree, and it is in the `integration` set that `.ci/run` runs
apart (`python -m pytest -m integration`): nothing in the test can make pip's build shorter.
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


def try_repo(repo: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo THIS_CHECKOUT --all-files` in `repo`: every hook of the manifest."""
    env = git_env({"PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True,
                          check=True).stdout.strip()
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT),
                           "--ref", head, "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0 and any(sign in done.stdout + done.stderr for sign in OFFLINE_SIGNS):
        pytest.skip(f"pre-commit could not build the hook environment offline: {done.stdout[-400:]}")
    return done


def scratch(path: Path, summary: str) -> Path:
    repo = GitRepo.create(path)
    repo.commit("docs: plan", files={f"{PHASE}/01-01-PLAN.md": PLAN, f"{PHASE}/01-01-SUMMARY.md": summary})
    return path


def hook_lines(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """{hook name: Passed | Failed} from pre-commit's status lines."""
    found = {}
    for line in done.stdout.splitlines():
        for verdict in ("Passed", "Failed"):
            if line.endswith(verdict) and "..." in line:
                found[line.split("...")[0].rstrip(".")] = verdict
    return found


@pytest.mark.integration
def test_hooks_pass_and_fail_on_a_tree_with_a_warning(tmp_path: Path) -> None:
    """One run shows both: plan-check lets a warning through, plan-check-strict fails on it."""
    assert shutil.which("git")
    repo = scratch(tmp_path / "warned", (FIXTURES / "TIM302-fail.md").read_text(encoding="utf-8"))
    done = try_repo(repo)
    assert hook_lines(done) == {"plan check": "Passed", "plan check (warnings fail)": "Failed"}, done.stdout
    assert done.returncode == 1 and f"{PHASE}/01-01-SUMMARY.md" in done.stdout and "TIM302" in done.stdout
