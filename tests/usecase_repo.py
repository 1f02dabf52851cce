"""A small real project for the use-case tests: a git repository, one phase, reports on disk.

Not a test module: test_close.py, test_verify.py and test_start.py build on it. The library calls
take fixed times (`at(minute)`); a test through the CLI runs on the real clock from start to end
(`plan measure` with the options `write_reports` returns), so its times keep their order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from gitrepo import GitRepo

from planner.evidence.snapshot.store import save_snapshot
from planner.measure import take_snapshot
from planner.model import Project
from planner.scaffold import add_phase, init_project, new_plan
from planner.tree.reader import load_project

CORE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


def at(minute: int) -> datetime:
    """A fixed time on 2024-01-01, so documents and ids do not depend on the clock."""
    return datetime(2024, 1, 1, 9, minute, tzinfo=UTC)


def coverage_json(covered: int, statements: int) -> str:
    """A coverage.py JSON report of pkg/core.py with `covered` of `statements` lines run."""
    executed = list(range(1, covered + 1))
    missing = list(range(covered + 1, statements + 1))
    entry = {"executed_lines": executed, "missing_lines": missing, "excluded_lines": [],
             "summary": {"covered_lines": covered, "num_statements": statements,
                         "percent_covered": 100.0 * covered / statements, "missing_lines": len(missing),
                         "excluded_lines": 0}}
    return json.dumps({"meta": {"format": 3, "version": "7.4.0", "timestamp": "2024-01-01T09:30:00",
                                "branch_coverage": False, "show_contexts": False},
                       "files": {"pkg/core.py": entry}, "totals": entry["summary"]})


def junit_xml(failed: int, total: int = 3) -> str:
    """A pytest JUnit report with `failed` of `total` tests failing (one signature)."""
    cases = "".join(
        f'<testcase classname="tests.test_core" name="test_{n}" time="0.01">'
        + ('<failure message="assert 6 == 7">E   assert 6 == 7</failure>' if n < failed else "")
        + "</testcase>" for n in range(total))
    return (f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" '
            f'failures="{failed}" skipped="0" tests="{total}" time="0.05">{cases}</testsuite></testsuites>')


def make_project(path: Path, targets: list[str]) -> tuple[Path, GitRepo]:
    """A repository with a package, `.planning/` with phase 1 (goal `targets`) and plan 01-01."""
    repo = GitRepo.create(path)
    repo.write(".gitignore", ".planning/\nreports/\n")
    repo.commit("chore: package", {"pkg/__init__.py": "", "pkg/core.py": CORE}, when=at(0))
    init_project(repo.path)
    add_phase(load_project(repo.path), "Core", goal="Core arithmetic is tested", targets=targets)
    new_plan(load_project(repo.path), "1", title="Arithmetic")
    (repo.path / "reports").mkdir()
    return repo.path, repo


def write_reports(root: Path, covered: int, statements: int, failed: int) -> list[str]:
    """Write reports/coverage.json and reports/junit.xml; the `plan measure` options that read them."""
    (root / "reports" / "coverage.json").write_text(coverage_json(covered, statements), encoding="utf-8")
    (root / "reports" / "junit.xml").write_text(junit_xml(failed), encoding="utf-8")
    return ["--coverage", str(root / "reports" / "coverage.json"), "--junit", str(root / "reports" / "junit.xml")]


def measure(root: Path, covered: int, statements: int, failed: int, minute: int) -> Project:
    """Write both reports and store a snapshot taken at `minute`; the reloaded project."""
    write_reports(root, covered, statements, failed)
    project = load_project(root)
    snapshot = take_snapshot(project, root / "reports" / "coverage.json", root / "reports" / "junit.xml",
                             now=at(minute))
    save_snapshot(project, snapshot)
    return load_project(root)
