"""plan close: the SUMMARY's status is derived from the targets; the plan, STATE and ROADMAP follow.

Through the library (`planner.close_plan`, fixed times) and through `plan close` (the real clock).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliRunner
from gitrepo import git_env
from usecase_repo import at, make_project, measure, write_reports

from planner import close_plan, load_project, start_plan
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document


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


def test_close_carries_the_plans_own_tech_stack_into_the_summary(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    plan = root / ".planning" / "phases" / "01-core" / "01-01-PLAN.md"
    stack = {"added": ["pytest"], "patterns": ["tdd"]}
    plan.write_text(set_keys(plan.read_text(encoding="utf-8"), {"tech-stack": stack}, path=plan), encoding="utf-8")
    start_plan(load_project(root), "01-01", now=at(1))
    measure(root, covered=5, statements=10, failed=0, minute=6)
    close_plan(load_project(root), "01-01", now=at(9))
    assert read_document(_summary(root)).meta["tech-stack"] == stack  # GSD's key, kept in the PLAN file


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


# --- through the CLI ------------------------------------------------------------------------------


def _started_with_work(cli: CliRunner, tmp_path: Path, failed: int) -> Path:
    """Plan 01-01 (target tests.failed == 0) started by `plan start`, a commit of its work, measured."""
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    _with_plan_targets(root, ["tests.failed == 0"])
    assert cli("start", "01-01", "--root", str(root)).exit_code == 0
    repo.commit("feat(01-01): multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"})
    assert cli("measure", *write_reports(root, 5, 10, failed), "--root", str(root)).exit_code == 0
    return root


def test_plan_close_writes_the_summary_the_json_describes(tmp_path: Path, cli: CliRunner) -> None:
    root = _started_with_work(cli, tmp_path, failed=0)
    result = cli("close", "01-01", "--json", "--root", str(root))
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["plan"], shown["status"], shown["outcome"], shown["written"]) == ("01-01", "COMPLETE", "met", True)
    meta = read_document(_summary(root)).meta
    assert (meta["status"], meta["outcome"], meta["key-files"]["created"]) == ("complete", "met", ["pkg/mul.py"])
    assert meta["metrics"]["coverage"] == shown["facts"]["coverage"]["percent"] == "50.00%"
    assert [commit["subject"] for commit in shown["facts"]["git"]["commits"]] == ["feat(01-01): multiply"]
    assert load_project(root).phases[0].plans[0].status == "complete"


def test_plan_close_with_a_missed_target_says_so_and_still_closes_the_plan(tmp_path: Path, cli: CliRunner) -> None:
    root = _started_with_work(cli, tmp_path, failed=1)
    result = cli("close", "01-01", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "wrote .planning/phases/01-core/01-01-SUMMARY.md"
    assert "not met: tests.failed == 0 (1, short by 1)" in result.stdout
    plan = load_project(root).phases[0].plans[0]
    assert (plan.status, plan.outcome) == ("complete", "missed")


def test_plan_close_twice_writes_nothing_the_second_time(tmp_path: Path, cli: CliRunner) -> None:
    root = _started_with_work(cli, tmp_path, failed=0)
    assert cli("close", "01-01", "--root", str(root)).exit_code == 0
    before = _summary(root).read_bytes()
    again = cli("close", "01-01", "--json", "--root", str(root))
    assert (json.loads(again.stdout)["written"], json.loads(again.stdout)["unchanged"]) == (False, True)
    assert _summary(root).read_bytes() == before


def test_plan_close_of_an_unknown_plan_is_one_line_and_exit_2(tmp_path: Path, cli: CliRunner) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    result = cli("close", "01-09", "--root", str(root))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["plan: error: no plan 01-09 in phase 01 (plans: 01-01)"]


def test_a_plan_closed_without_a_recorded_start_says_so_and_passes_its_own_checker(tmp_path: Path) -> None:
    from planner.check import check_root

    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    repo.commit("feat(01-01): multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"}, when=at(5))
    repo.commit("feat(01-01): divide", {"pkg/div.py": "def div(a, b):\n    return a / b\n"}, when=at(8))
    measure(root, covered=5, statements=10, failed=0, minute=9)
    close_plan(load_project(root), "01-01", now=at(40))
    document = read_document(_summary(root))
    assert (document.meta["started"], document.meta["duration"]) == (None, "3min")
    assert "- **Started:** not recorded" in document.body
    timing = [f for f in check_root(root, git=False).findings if f.code.startswith("TIM")]
    assert timing == []
