"""NUM407: a SUMMARY planner wrote against its own evidence (its body, the snapshots it pins).
Each test closes a real plan, then changes one number in one place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import git_env
from usecase_repo import at, make_project, measure

from planner.check import run_checks
from planner.close import close_plan
from planner.start import start_plan
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan closed with one target missed: coverage 5/10, one of three tests failing."""
    mp = pytest.MonkeyPatch()
    for key, value in git_env().items():
        mp.setenv(key, value)
    root, repo = make_project(tmp_path_factory.mktemp("recorded") / "p", ["coverage >= 50"])
    plan = root / ".planning" / "phases" / "01-core" / "01-01-PLAN.md"
    plan.write_text(set_keys(plan.read_text(encoding="utf-8"), {"targets": ["tests.failed == 0", "coverage >= 40"]},
                            path=plan), encoding="utf-8")
    measure(root, covered=4, statements=10, failed=0, minute=0)
    start_plan(load_project(root), "01-01", now=at(1))
    repo.commit("feat(01-01): multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"}, when=at(5))
    measure(root, covered=5, statements=10, failed=1, minute=6)
    close_plan(load_project(root), "01-01", now=at(9))
    mp.undo()
    return root


def summary_of(root: Path) -> Path:
    return root / ".planning" / "phases" / "01-core" / "01-01-SUMMARY.md"


def num407(root: Path, text: str | None = None) -> list[tuple[int | None, str, str]]:
    if text is not None:
        summary_of(root).write_text(text, encoding="utf-8")
    report = run_checks(load_project(root), git=False)
    return [(f.line, f.severity, f.message) for f in report.findings if f.code == "NUM407"]


@pytest.fixture()
def copy(closed: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "p"
    shutil.copytree(closed, target, ignore=shutil.ignore_patterns(".git", ".cache"))
    return target


def test_a_summary_planner_wrote_agrees_with_itself_and_its_snapshots(copy: Path) -> None:
    assert read_document(summary_of(copy)).meta["evidence"]["snapshots"]["latest"]
    assert num407(copy) == []


def test_frontmatter_count_edited_by_hand_contradicts_body_and_snapshot(copy: Path) -> None:
    text = summary_of(copy).read_text(encoding="utf-8").replace("    failed: 1\n", "    failed: 0\n", 1)
    messages = sorted(message for _, severity, message in num407(copy, text) if severity == "error")
    assert [m.split(" says")[0].split(" (line")[0] for m in messages] == [
        "frontmatter metrics.tests.failed is 0, but snapshot " + _pins(copy)["latest"],
        "frontmatter metrics.tests.failed is 0, but the body"]


def test_body_number_edited_by_hand_contradicts_the_frontmatter(copy: Path) -> None:
    text = summary_of(copy).read_text(encoding="utf-8")
    edited = text.replace("- **Pass rate:** 66.67%", "- **Pass rate:** 100.00%")
    assert edited != text
    line = _line(edited, "**Pass rate:**")
    assert [m for _, _, m in num407(copy, edited)] == [
        f"frontmatter metrics.tests.pass_rate is 66.67%, but the body (line {line}) says 100.00%"]


def test_results_table_verdict_edited_against_the_recorded_target(copy: Path) -> None:
    text = summary_of(copy).read_text(encoding="utf-8")
    edited = text.replace("| `tests.failed == 0` | 0 | 1 | == 0 | FAIL |",
                          "| `tests.failed == 0` | 0 | 0 | == 0 | PASS |")
    assert edited != text
    messages = sorted(m.split(", but")[0] for _, _, m in num407(copy, edited))
    assert messages == ["frontmatter status of target `tests.failed == 0` is FAIL",
                        "frontmatter value of target `tests.failed == 0` is 1"]


def test_outcome_line_counting_other_commits(copy: Path) -> None:
    text = summary_of(copy).read_text(encoding="utf-8")
    edited = text.replace("not met: tests.failed == 0", "not met (3 commit(s)): tests.failed == 0")
    assert edited != text
    assert [m.split(", but")[0] for _, _, m in num407(copy, edited)] == [
        "frontmatter evidence.git.commits is 1 commit(s)"]


def test_pinned_snapshot_edited_after_the_summary(copy: Path) -> None:
    pins = read_document(summary_of(copy)).meta["evidence"]["snapshots"]
    path = copy / ".planning" / "metrics" / "snapshots" / f"{pins['latest']}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = data["files"]["pkg/core.py"]
    entry["covered"], entry["missing_lines"] = 6, entry["missing_lines"][1:]
    path.write_text(json.dumps(data), encoding="utf-8")
    found = num407(copy)
    assert found and all(f"snapshot {pins['latest']} says" in message for _, _, message in found)
    assert any(message.startswith("frontmatter metrics.coverage is 50.00%") for _, _, message in found)


def test_pinned_snapshot_gone_is_an_info(copy: Path) -> None:
    pins = read_document(summary_of(copy)).meta["evidence"]["snapshots"]
    (copy / ".planning" / "metrics" / "snapshots" / f"{pins['latest']}.json").unlink()
    assert [(severity, "is missing" in message) for _, severity, message in num407(copy)] == [("info", True)]


def test_a_hand_written_summary_is_not_read(copy: Path) -> None:
    text = summary_of(copy).read_text(encoding="utf-8").replace("generated_by: planner", "generated_by: a person")
    assert num407(copy, text.replace("    failed: 1\n", "    failed: 0\n", 1)) == []


def _pins(root: Path) -> dict[str, str]:
    return dict(read_document(summary_of(root)).meta["evidence"]["snapshots"])


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def test_kept_check_output_follows_an_edited_snapshot(copy: Path) -> None:
    """`plan check --no-git` keeps its whole output while nothing it read changed; a snapshot a
    SUMMARY pins is read, so editing one shows at once."""
    import os
    import subprocess
    import sys

    long_ago = 1_600_000_000 * 10**9
    for path in (copy / ".planning").rglob("*"):
        os.utime(path, ns=(long_ago, long_ago))

    def check() -> str:
        done = subprocess.run([sys.executable, "-m", "planner", "check", "--no-git", "--root", str(copy)],
                              capture_output=True, text=True, check=False)
        return done.stdout

    clean = check()
    assert check() == clean and "NUM407" not in clean
    assert list((copy / ".planning" / ".cache").glob("out-check-*"))
    path = copy / ".planning" / "metrics" / "snapshots" / f"{_pins(copy)['latest']}.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"covered":5', '"covered":6'), encoding="utf-8")
    os.utime(path, ns=(long_ago, long_ago))
    assert "NUM407" in check()
