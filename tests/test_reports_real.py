"""Reports generated for real: coverage.py and pytest run on a tiny package in a tmp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from coverage.results import display_covered

from planner.evidence.reports import read_coverage, read_junit
from planner.evidence.reports.numbers import coverage_numbers

CORE = """\
def classify(n):
    if n < 0:
        return "neg"
    if n == 0:
        return "zero"
    return "pos"


def unused(x):
    if x:
        return 1
    return 2


def never():  # pragma: no cover
    return "excluded"


class Counter:
    def __init__(self):
        self.n = 0

    def inc(self, by=1):
        if by <= 0:
            raise ValueError("by must be positive")
        self.n += by
        return self.n
"""

TESTS = """\
import pytest
from tinypkg.core import Counter, classify


def test_neg():
    assert classify(-1) == "neg"


def test_zero_fails():
    assert classify(0) == "pos"


@pytest.mark.skip(reason="demo skip")
def test_skipped():
    pass


@pytest.mark.xfail(reason="demo xfail")
def test_xfail():
    assert False


@pytest.fixture
def broken():
    raise RuntimeError("fixture setup exploded")


def test_error(broken):
    pass


class TestCounter:
    def test_inc(self):
        assert Counter().inc(2) == 2

    def test_bad(self):
        with pytest.raises(ValueError):
            Counter().inc(0)
"""


def _run(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src"), "COVERAGE_FILE": str(cwd / ".coverage")}
    env.pop("COVERAGE_PROCESS_START", None)
    done = subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode not in (0, 1):  # pytest exits 1 when tests fail, as ours do
        pytest.fail(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _project(root: Path, branch: bool) -> Path:
    (root / "src" / "tinypkg").mkdir(parents=True)
    (root / "src" / "tinypkg" / "__init__.py").write_text("VERSION = 1\n")
    (root / "src" / "tinypkg" / "core.py").write_text(CORE)
    (root / "tests").mkdir()
    (root / "tests" / "test_core.py").write_text(TESTS)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / ".coveragerc").write_text(
        textwrap.dedent(f"""\
        [run]
        branch = {branch}
        source = src
        dynamic_context = test_function
        """)
    )
    run = ["-m", "coverage", "run", "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"]
    _run([*run, "--junitxml=junit.xml", "-o", "junit_family=xunit1"], root)
    _run([*run[3:], "--junitxml=junit2.xml", "-o", "junit_family=xunit2"], root)
    _run(["-m", "coverage", "json", "-o", "coverage.json"], root)
    _run(["-m", "coverage", "json", "--show-contexts", "-o", "contexts.json"], root)
    _run(["-m", "coverage", "xml", "-o", "coverage.xml"], root)
    _run(["-m", "coverage", "lcov", "-o", "coverage.lcov"], root)
    (root / "report.txt").write_text(_run(["-m", "coverage", "report"], root))
    return root


@pytest.fixture(scope="module")
def branch_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("branch"), branch=True)


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("plain"), branch=False)


def _totals(root: Path) -> dict[str, object]:
    totals: dict[str, object] = json.loads((root / "coverage.json").read_text())["totals"]
    return totals


def test_no_branch_overall_matches_coverage_display(plain_run: Path) -> None:
    report = read_coverage(plain_run / "coverage.json", plain_run)
    shown = display_covered(coverage_numbers(report).percent, 0)
    assert shown == _totals(plain_run)["percent_covered_display"]


def test_no_branch_overall_matches_coverage_report_total_line(plain_run: Path) -> None:
    report = read_coverage(plain_run / "coverage.json", plain_run)
    total_line = (plain_run / "report.txt").read_text().strip().splitlines()[-1]
    assert total_line.split()[-1] == display_covered(coverage_numbers(report).percent, 0) + "%"


def test_branch_run_statement_coverage_is_lines_only(branch_run: Path) -> None:
    report = read_coverage(branch_run / "coverage.json", branch_run)
    totals = _totals(branch_run)
    numbers = coverage_numbers(report)
    assert report.has_branches
    assert numbers.percent == 100.0 * totals["covered_lines"] / totals["num_statements"]  # type: ignore[operator]
    assert numbers.percent != totals["percent_covered"]


def test_branch_run_combined_percent_matches_coverage_percent_covered(branch_run: Path) -> None:
    report = read_coverage(branch_run / "coverage.json", branch_run)
    totals = _totals(branch_run)
    assert coverage_numbers(report).combined_percent == pytest.approx(totals["percent_covered"])
    assert display_covered(coverage_numbers(report).combined_percent, 0) == totals["percent_covered_display"]


def test_branch_run_branch_percent_matches_coverage(branch_run: Path) -> None:
    report = read_coverage(branch_run / "coverage.json", branch_run)
    totals = _totals(branch_run)
    assert coverage_numbers(report).branch_percent == pytest.approx(totals["percent_branches_covered"])


@pytest.mark.parametrize("run", ["plain_run", "branch_run"])
def test_json_cobertura_and_lcov_agree_per_file(run: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(run)
    reports = [
        read_coverage(root / name, root)
        for name in ("coverage.json", "coverage.xml", "coverage.lcov")
    ]
    shapes = [
        {
            p: (f.statements, f.covered, f.missing_lines, f.branches, f.covered_branches)
            for p, f in r.files.items()
        }
        for r in reports
    ]
    assert shapes[0] == shapes[1] == shapes[2]
    assert set(shapes[0]) == {"src/tinypkg/__init__.py", "src/tinypkg/core.py"}


def test_real_reports_have_no_warnings(branch_run: Path) -> None:
    for name in ("coverage.json", "coverage.xml", "coverage.lcov"):
        assert read_coverage(branch_run / name, branch_run).warnings == ()
    assert read_junit(branch_run / "junit.xml", branch_run).warnings == ()


def test_contexts_map_lines_to_test_functions(branch_run: Path) -> None:
    report = read_coverage(branch_run / "contexts.json", branch_run)
    contexts = report.files["src/tinypkg/core.py"].contexts
    assert contexts is not None
    assert contexts[3] == ("test_core.test_neg",)  # `return "neg"` ran only under test_neg
    assert all("" not in labels for labels in contexts.values())


def test_contexts_absent_without_show_contexts(branch_run: Path) -> None:
    report = read_coverage(branch_run / "coverage.json", branch_run)
    assert all(f.contexts is None for f in report.files.values())


def test_real_junit_totals(branch_run: Path) -> None:
    totals = read_junit(branch_run / "junit.xml", branch_run).totals
    assert (totals.total, totals.passed, totals.failed, totals.errors) == (7, 3, 1, 1)
    assert (totals.skipped, totals.xfail) == (1, 1)


def test_real_junit_ids_are_pytest_node_ids(branch_run: Path) -> None:
    report = read_junit(branch_run / "junit.xml", branch_run)
    ids = {c.id for c in report.cases}
    assert "tests/test_core.py::TestCounter::test_inc" in ids
    assert "tests/test_core.py::test_zero_fails" in ids


def test_real_xunit1_and_xunit2_agree(branch_run: Path) -> None:
    xunit1 = read_junit(branch_run / "junit.xml", branch_run)
    xunit2 = read_junit(branch_run / "junit2.xml", branch_run)
    assert (xunit1.format, xunit2.format) == ("junit-pytest-xunit1", "junit-pytest-xunit2")
    outcomes = [
        {c.id: (c.outcome, c.file, c.error_type) for c in r.cases} for r in (xunit1, xunit2)
    ]
    assert outcomes[0] == outcomes[1]
