"""plan close: the SUMMARY's status is derived from the targets; the plan, STATE and ROADMAP follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import git_env
from usecase_repo import at, make_project, measure

from planner.close import close_plan
from planner.start import start_plan
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def _with_plan_targets(root: Path, targets: list[str]) -> None:
    plan = root / ".planning" / "phases" / "01-core" / "01-01-PLAN.md"
    plan.write_text(set_keys(plan.read_text(encoding="utf-8"), {"targets": targets}, path=plan), encoding="utf-8")


def _summary(root: Path) -> Path:
    return root / ".planning" / "phases" / "01-core" / "01-01-SUMMARY.md"


def test_close_with_every_target_met_is_complete(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    _with_plan_targets(root, ["tests.failed == 0"])
    start_plan(load_project(root), "01-01", now=at(1))
    repo.commit("feat(01-01): multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"}, when=at(5))
    measure(root, covered=5, statements=10, failed=0, minute=6)
    result = close_plan(load_project(root), "01-01", now=at(9))
    assert result.written
    meta = read_document(_summary(root)).meta
    assert (meta["status"], meta["outcome"]) == ("complete", "met")
    assert meta["key-files"] == {"created": ["pkg/mul.py"], "modified": []}
    assert load_project(root).phases[0].plans[0].status == "complete"


def test_close_with_a_missed_target_records_the_miss_and_says_by_how_much(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    _with_plan_targets(root, ["tests.failed == 0"])
    start_plan(load_project(root), "01-01", now=at(1))
    measure(root, covered=5, statements=10, failed=1, minute=6)
    close_plan(load_project(root), "01-01", now=at(9))
    document = read_document(_summary(root))
    assert (document.meta["status"], document.meta["outcome"]) == ("complete", "missed")
    assert "**TARGETS MISSED: executed, but 1 of 1 target(s) not met: tests.failed == 0 (1, short by 1).**" \
        in document.body


def test_close_dry_run_writes_nothing(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    start_plan(load_project(root), "01-01", now=at(1))
    measure(root, covered=5, statements=10, failed=0, minute=6)
    before = {path: path.read_bytes() for path in (root / ".planning").rglob("*.md")}
    result = close_plan(load_project(root), "01-01", dry_run=True, now=at(9))
    assert not result.written
    assert "status: complete" in result.summary.new_text
    assert {path: path.read_bytes() for path in (root / ".planning").rglob("*.md")} == before
    assert not _summary(root).exists()
