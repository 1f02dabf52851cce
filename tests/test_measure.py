"""`plan measure`: snapshots from real coverage.py and pytest runs, from samples, from bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from coverage.results import display_covered
from gitrepo import GitRepo, git_env

from planner.errors import EnvironmentProblem, InputError
from planner.evidence.git_worktree import working_state as git_state
from planner.evidence.snapshot.store import list_snapshots, load_snapshot
from planner.measure import (
    MeasureResult,
    format_summary,
    measure,
    snapshot_summary,
    take_snapshot,
)
from planner.model import Project
from planner.scaffold import init_project
from planner.targets.snapshot_values import SnapshotMetrics
from planner.tree.reader import load_project

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "samples"
ATOM_PLAN_COVERAGE = (
    SHARED / "corpora/atom-nested/backend/.planning/phases/192-coverage-push-22-28/192-11-coverage.json"
)

CORE = '''\
def sign(number):
    if number > 0:
        return "pos"
    if number < 0:
        return "neg"
    return "zero"


def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return high
    return value


def never_called():
    first = 1
    second = 2
    return first + second
'''
TESTS = '''\
from tinypkg.core import clamp, sign


def test_positive():
    assert sign(3) == "pos"


def test_zero():
    assert sign(0) == "zero"


def test_clamp_low():
    assert clamp(-5, 0, 10) == 0


def test_clamp_high_is_wrong():
    assert clamp(50, 0, 10) == 11
'''
COVERAGERC = """\
[run]
branch = True
source = src
dynamic_context = test_function
[report]
precision = {precision}
"""
# coverage.py runs pytest, then writes its JSON report whatever pytest's exit code was
RUNNER = (
    '"$0" -m coverage run -m pytest -q -p no:cacheprovider --junitxml=.planning/metrics/junit.xml; '
    'status=$?; "$0" -m coverage json -q --show-contexts -o .planning/metrics/coverage.json; '
    "exit $status"
)


def _write_config(root: Path, command: list[str]) -> None:
    config = root / ".planning/config.json"
    document = json.loads(config.read_text())
    document["planner"]["test_command"] = command
    config.write_text(json.dumps(document))


def make_tiny_project(root: Path, precision: int = 0) -> GitRepo:
    """A git repository with a tiny package, its tests (one failing) and `.planning/`."""
    repo = GitRepo.create(root)
    files = {
        "src/tinypkg/__init__.py": '"""tiny"""\nVERSION = "1"\n',
        "src/tinypkg/core.py": CORE,
        "tests/test_core.py": TESTS,
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        ".coveragerc": COVERAGERC.format(precision=precision),
    }
    init_project(root)
    _write_config(root, ["sh", "-c", RUNNER, sys.executable])
    repo.commit("chore: tiny package", files=files)
    return repo


@dataclass(frozen=True)
class RealRun:
    project: Project
    result: MeasureResult
    lines: list[str]
    coverage_json: dict[str, Any]
    report_total: str


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    root = tmp_path_factory.mktemp("tiny")
    make_tiny_project(root, precision=2)
    project = load_project(root)
    lines: list[str] = []
    result = measure(project, run=True, on_output=lines.append)
    document = json.loads((root / ".planning/metrics/coverage.json").read_text())
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "report"], cwd=root, capture_output=True, text=True,
        check=True,
    ).stdout
    total = re.search(r"^TOTAL\s.*?(\S+)%$", report, re.MULTILINE)
    assert total is not None, report
    return RealRun(project, result, lines, document, total.group(1))


# ------------------------------------------------------------------------ real runs


def test_overall_coverage_equals_coverage_py_statement_total(real_run: RealRun) -> None:
    totals = real_run.result.snapshot.totals
    shown = real_run.coverage_json["totals"]["percent_statements_covered_display"]
    assert display_covered(totals.percent, 2) == shown
    assert totals.statements == real_run.coverage_json["totals"]["num_statements"]


def test_combined_coverage_equals_coverage_report_total_as_printed(real_run: RealRun) -> None:
    totals = real_run.result.snapshot.totals
    assert display_covered(totals.combined_percent, 2) == real_run.report_total
    assert real_run.report_total == real_run.coverage_json["totals"]["percent_covered_display"]


def test_branch_coverage_equals_coverage_py_branch_total(real_run: RealRun) -> None:
    totals = real_run.result.snapshot.totals
    expected = real_run.coverage_json["totals"]["percent_branches_covered_display"]
    assert display_covered(totals.branch_percent, 2) == expected


def test_failing_test_is_recorded_not_raised(real_run: RealRun) -> None:
    snapshot = real_run.result.snapshot
    assert snapshot.tests.totals.failed == 1
    assert snapshot.tests.totals.passed == 3
    assert [f.id for f in snapshot.tests.failures] == ["tests/test_core.py::test_clamp_high_is_wrong"]
    assert snapshot.run.exit_code == 1
    assert len(snapshot.clusters) == 1


def test_exit_code_of_failing_tests_earns_no_warning(real_run: RealRun) -> None:
    assert not any("exited with code" in w for w in real_run.result.warnings)


def test_test_output_is_streamed_line_by_line(real_run: RealRun) -> None:
    assert any("1 failed, 3 passed" in line for line in real_run.lines)
    assert all("\n" not in line for line in real_run.lines)


def test_snapshot_records_head_commit_and_clean_tree(real_run: RealRun) -> None:
    snapshot = real_run.result.snapshot
    head = GitRepo(real_run.project.root).head()
    assert snapshot.commit == head
    assert snapshot.id.endswith("-" + head[:7])
    assert snapshot.dirty is False


def test_measured_files_carry_sha256_of_their_content(real_run: RealRun) -> None:
    import hashlib

    files = real_run.result.snapshot.files
    expected = hashlib.sha256(CORE.encode()).hexdigest()
    assert files["src/tinypkg/core.py"].sha256 == expected
    assert files["src/tinypkg/core.py"].missing_lines == (5, 14, 18, 19, 20)


def test_contexts_name_the_tests_that_ran_a_line(real_run: RealRun) -> None:
    contexts = real_run.result.snapshot.contexts["src/tinypkg/core.py"]
    assert contexts[3] == ("test_core.test_positive",)


def test_stored_snapshot_equals_the_returned_one(real_run: RealRun) -> None:
    result = real_run.result
    assert load_snapshot(result.path) == result.snapshot


def test_report_sources_are_relative_with_sha256(real_run: RealRun) -> None:
    sources = real_run.result.snapshot.sources
    assert [(s.kind, s.path) for s in sources] == [
        ("coverage", ".planning/metrics/coverage.json"),
        ("junit", ".planning/metrics/junit.xml"),
    ]
    assert all(len(s.sha256) == 64 for s in sources)


def test_target_metrics_from_real_snapshot(real_run: RealRun) -> None:
    lookup = SnapshotMetrics(real_run.result.snapshot, {"core": ("src/tinypkg/core.py",)})
    assert lookup.value("missing", "core") == 5.0
    assert lookup.value("tests.failed", None) == 1.0
    assert lookup.value("clusters", None) == 1.0


def test_summary_json_has_coverage_and_tests(real_run: RealRun) -> None:
    summary = snapshot_summary(real_run.result.snapshot)
    json.dumps(summary)
    assert summary["tests"]["failed"] == 1
    assert summary["coverage"]["statements"] == real_run.coverage_json["totals"]["num_statements"]


def test_text_summary_names_coverage_tests_and_clusters(real_run: RealRun) -> None:
    text = format_summary(real_run.result.snapshot)
    assert "3 passed, 1 failed" in text
    assert "failure clusters 1" in text
    assert "branch coverage" in text


def test_default_precision_total_matches_coverage_report(tmp_path: Path) -> None:
    make_tiny_project(tmp_path, precision=0)
    result = measure(load_project(tmp_path), run=True)
    report = subprocess.run([sys.executable, "-m", "coverage", "report"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    total = re.search(r"^TOTAL\s.*?(\S+)%$", report, re.MULTILINE)
    assert total is not None
    assert display_covered(result.snapshot.totals.combined_percent, 0) == total.group(1)  # type: ignore[union-attr]


def test_measure_headline_coverage_is_coverage_reports_total(tmp_path: Path) -> None:
    make_tiny_project(tmp_path, precision=2)
    result = measure(load_project(tmp_path), run=True)
    report = subprocess.run([sys.executable, "-m", "coverage", "report"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    total = re.search(r"^TOTAL\s.*?(\S+)%$", report, re.MULTILINE)
    assert total is not None
    headline = re.search(r"^coverage\s+(\S+)%", format_summary(result.snapshot), re.MULTILINE)
    assert headline is not None and headline.group(1) == total.group(1)


# ------------------------------------------------------------------------ --run problems


def _plain_project(root: Path, command: list[str] | None = None) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    init_project(root)
    if command is not None:
        _write_config(root, command)
    return load_project(root)


def test_missing_test_command_is_an_environment_problem(tmp_path: Path) -> None:
    project = _plain_project(tmp_path, ["no-such-test-runner-xyz"])
    with pytest.raises(EnvironmentProblem, match="not found"):
        measure(project, run=True)
    assert list_snapshots(project) == []


def test_run_that_writes_no_report_is_an_error_and_writes_no_snapshot(tmp_path: Path) -> None:
    project = _plain_project(tmp_path, [sys.executable, "-c", "print('hello')"])
    with pytest.raises(InputError, match="did not write"):
        measure(project, run=True)
    assert list_snapshots(project) == []


def test_run_that_leaves_an_old_report_untouched_is_an_error(tmp_path: Path) -> None:
    project = _plain_project(tmp_path, [sys.executable, "-c", "pass"])
    metrics = tmp_path / ".planning/metrics"
    metrics.mkdir(parents=True, exist_ok=True)
    (metrics / "coverage.json").write_bytes((SAMPLES / "coverage.json").read_bytes()
                                            if SAMPLES.is_dir() else b"{}")
    (metrics / "junit.xml").write_text('<testsuite name="x" tests="0"/>')
    with pytest.raises(InputError, match="did not rewrite"):
        measure(project, run=True)
    assert list_snapshots(project) == []


def test_no_tests_collected_exit_code_is_a_warning(tmp_path: Path) -> None:
    script = (
        "import pathlib, sys; m = pathlib.Path('.planning/metrics'); m.mkdir(exist_ok=True); "
        "(m / 'junit.xml').write_text('<testsuites><testsuite name=\"pytest\" tests=\"0\"/>"
        "</testsuites>'); sys.exit(5)"
    )
    _plain_project(tmp_path, [sys.executable, "-c", script])
    config = json.loads((tmp_path / ".planning/config.json").read_text())
    config["planner"]["coverage_report"] = ""  # this project measures tests only
    (tmp_path / ".planning/config.json").write_text(json.dumps(config))
    result = measure(load_project(tmp_path), run=True)
    assert result.snapshot.run is not None and result.snapshot.run.exit_code == 5
    assert any("no tests were collected" in w for w in result.warnings)
    assert result.path.is_file()


# ------------------------------------------------------------------------ bad reports


def _bad_report(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuite name="x"><testcase name="&lol3;"/></testsuite>
"""


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("coverage", "coverage.json", b'{"meta": {"format": 3}, "files": {"a.py": {"summ'),
        ("coverage", "coverage.json", b"this is not json"),
        ("coverage", "coverage.json", b'{"meta": {"format": 2}, "files": {}}'),
        ("junit", "junit.xml", b'<testsuite name="x"><testcase name="a">'),
        ("junit", "junit.xml", BILLION_LAUGHS),
        ("junit", "junit.json", b'{"meta": {"format": 3}, "files": {}, "totals": {}}'),
        ("coverage", "coverage.xml", b'<testsuite name="x"><testcase name="a"/></testsuite>'),
        ("coverage", "coverage.json", b""),
    ],
    ids=["truncated-json", "not-json", "old-format", "truncated-xml", "entity-expansion",
         "coverage-given-as-junit", "junit-given-as-coverage", "empty"],
)
def test_bad_report_raises_and_writes_no_snapshot(
    tmp_path: Path, kind: str, name: str, content: bytes
) -> None:
    project = _plain_project(tmp_path / "project")
    report = _bad_report(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        measure(project, **{kind: report})  # type: ignore[arg-type]
    assert caught.value.path is not None and caught.value.path.name == name
    assert list_snapshots(project) == []
    assert not (project.planning_dir / "metrics/snapshots").exists()


def test_good_coverage_with_bad_junit_writes_no_snapshot(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    project = _plain_project(tmp_path / "project")
    junit = _bad_report(tmp_path, "junit.xml", b"<testsuite")
    with pytest.raises(InputError):
        measure(project, coverage=SAMPLES / "coverage.json", junit=junit)
    assert list_snapshots(project) == []


def test_nothing_to_measure_is_an_input_error(tmp_path: Path) -> None:
    project = _plain_project(tmp_path)
    with pytest.raises(InputError, match="nothing to measure"):
        measure(project)


def test_configured_reports_are_read_when_none_is_given(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    project = _plain_project(tmp_path)
    (tmp_path / ".planning/metrics").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".planning/metrics/junit.xml").write_bytes((SAMPLES / "junit.xml").read_bytes())
    result = measure(project)
    assert result.snapshot.tests is not None and result.snapshot.totals is None


# ------------------------------------------------------------------------ warnings and git


def _coverage_report(root: Path, files: dict[str, tuple[int, int]], stamp: datetime) -> Path:
    """A minimal coverage.py JSON report: path -> (statements, covered)."""
    entries = {
        path: {
            "executed_lines": list(range(1, covered + 1)),
            "missing_lines": list(range(covered + 1, statements + 1)),
            "excluded_lines": [],
            "summary": {"num_statements": statements, "covered_lines": covered,
                        "missing_lines": statements - covered, "excluded_lines": 0},
        }
        for path, (statements, covered) in files.items()
    }
    document = {"meta": {"format": 3, "version": "7.17.4", "timestamp": stamp.isoformat(),
                         "branch_coverage": False, "show_contexts": False},
                "files": entries}
    path = root / "coverage.json"
    path.write_text(json.dumps(document))
    return path


def test_report_older_than_last_commit_is_a_warning(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    future = datetime.now(UTC) + timedelta(days=2)
    repo.commit("feat: code", files={"a.py": "x = 1\n"}, when=future)
    project = _plain_project(tmp_path)
    report = _coverage_report(tmp_path, {"a.py": (1, 1)}, datetime.now(UTC))
    snapshot = take_snapshot(project, coverage=report)
    assert any("before the last commit" in w for w in snapshot.warnings)


def test_fresh_report_earns_no_staleness_warning(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    repo.commit("feat: code", files={"a.py": "x = 1\n"})
    project = _plain_project(tmp_path)
    report = _coverage_report(tmp_path, {"a.py": (1, 1)}, datetime.now(UTC))
    snapshot = take_snapshot(project, coverage=report)
    assert not any("before the last commit" in w for w in snapshot.warnings)


def test_report_path_matching_no_file_is_recorded_without_hash_and_warned(tmp_path: Path) -> None:
    project = _plain_project(tmp_path)
    (tmp_path / "a.py").write_text("x = 1\n")
    report = _coverage_report(tmp_path, {"a.py": (1, 1), "gone.py": (4, 2)}, datetime.now(UTC))
    snapshot = take_snapshot(project, coverage=report)
    assert snapshot.files["gone.py"].sha256 is None
    assert snapshot.files["a.py"].sha256 is not None
    assert any("gone.py" in w and "without sha256" in w for w in snapshot.warnings)


def test_uncommitted_change_marks_snapshot_dirty(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    repo.commit("feat: code", files={"a.py": "x = 1\n"})
    (tmp_path / "a.py").write_text("x = 2\n")
    assert git_state(tmp_path).dirty is True


def test_planning_changes_do_not_make_a_tree_dirty(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path)
    init_project(tmp_path)
    repo.commit("feat: code", files={"a.py": "x = 1\n"})
    (tmp_path / ".planning/STATE.md").write_text("changed\n")
    assert git_state(tmp_path).dirty is False


def test_outside_git_commit_and_dirty_are_none(tmp_path: Path) -> None:
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True, check=False,
                      env=git_env()).returncode == 0:
        pytest.skip("tmp_path lies inside a git repository")
    state = git_state(tmp_path)
    assert (state.commit, state.dirty) == (None, None)


def test_empty_repository_has_no_commit_but_knows_dirtiness(tmp_path: Path) -> None:
    GitRepo.create(tmp_path)
    state = git_state(tmp_path)
    assert state.commit is None and state.dirty is False


# ------------------------------------------------------------------------ shared samples


def test_sample_coverage_totals_match_the_report_totals(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    for name in ("coverage.json", "coverage-nobranch-contexts.json"):
        totals = json.loads((SAMPLES / name).read_text())["totals"]
        snapshot = take_snapshot(_plain_project(tmp_path / name), coverage=SAMPLES / name)
        numbers = snapshot.totals
        assert numbers is not None
        assert (numbers.statements, numbers.covered) == (totals["num_statements"],
                                                         totals["covered_lines"])
        assert display_covered(numbers.combined_percent, 0) == totals["percent_covered_display"]


def test_sample_contexts_are_kept(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    snapshot = take_snapshot(_plain_project(tmp_path),
                             coverage=SAMPLES / "coverage-nobranch-contexts.json")
    assert snapshot.contexts
    assert all(ids for lines in snapshot.contexts.values() for ids in lines.values())


def test_sample_junit_failures_become_clusters(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    snapshot = take_snapshot(_plain_project(tmp_path),
                             junit=SAMPLES / "junit-xunit1-logging-all.xml")
    assert snapshot.tests is not None
    failing = snapshot.tests.totals.failed + snapshot.tests.totals.errors
    assert sum(c.count for c in snapshot.clusters) == failing == len(snapshot.tests.failures)


def test_atom_per_plan_coverage_totals_match(tmp_path: Path) -> None:
    if not ATOM_PLAN_COVERAGE.is_file():
        pytest.skip("../shared/corpora/atom-nested not present: its per-plan coverage JSON is needed")
    totals = json.loads(ATOM_PLAN_COVERAGE.read_text())["totals"]
    snapshot = take_snapshot(_plain_project(tmp_path), coverage=ATOM_PLAN_COVERAGE)
    numbers = snapshot.totals
    assert numbers is not None
    assert display_covered(numbers.percent, 0) == totals["percent_statements_covered_display"]
    assert display_covered(numbers.branch_percent, 0) == totals["percent_branches_covered_display"]
    assert display_covered(numbers.combined_percent, 0) == totals["percent_covered_display"]


def test_snapshots_taken_in_a_row_sort_in_order(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: sample reports are needed")
    project = _plain_project(tmp_path)
    first = measure(project, junit=SAMPLES / "junit.xml")
    time.sleep(0.002)
    second = measure(project, junit=SAMPLES / "junit.xml")
    assert [ref.id for ref in list_snapshots(project)] == [first.snapshot.id, second.snapshot.id]
    assert os.path.basename(second.path) == second.snapshot.id + ".json"


def test_shell_command_not_found_is_an_environment_problem(tmp_path: Path) -> None:
    project = _plain_project(tmp_path, ["sh", "-c", "no-such-test-runner-xyz --all"])
    with pytest.raises(EnvironmentProblem, match="command not found"):
        measure(project, run=True)
    assert list_snapshots(project) == []
