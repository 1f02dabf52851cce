"""JUnit XML: pytest xunit1/xunit2, nested suites, jest-junit and go-junit-report."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.evidence.reports import read_junit
from planner.evidence.reports.numbers import totals_by_file

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"../shared/samples/{name} not present: shared samples are not checked out")
    return path


@pytest.mark.parametrize("name", ["junit.xml", "junit-xunit1-logging-all.xml"])
def test_pytest_sample_totals(tmp_path: Path, name: str) -> None:
    totals = read_junit(_sample(name), tmp_path).totals
    assert (totals.total, totals.passed, totals.failed, totals.errors) == (14, 8, 2, 2)
    assert (totals.skipped, totals.xfail, totals.xpass) == (1, 1, 0)


def test_xunit1_and_xunit2_are_told_apart(tmp_path: Path) -> None:
    assert read_junit(_sample("junit.xml"), tmp_path).format == "junit-pytest-xunit2"
    xunit1 = read_junit(_sample("junit-xunit1-logging-all.xml"), tmp_path)
    assert xunit1.format == "junit-pytest-xunit1"


@pytest.mark.parametrize("name", ["junit.xml", "junit-xunit1-logging-all.xml"])
def test_pytest_classname_becomes_file_and_node_id(tmp_path: Path, name: str) -> None:
    cases = {c.name: c for c in read_junit(_sample(name), tmp_path).cases}
    assert cases["test_inc"].file == "tests/test_core.py"
    assert cases["test_inc"].id == "tests/test_core.py::TestCounter::test_inc"
    assert cases["test_param[1-neg]"].id == "tests/test_core.py::test_param[1-neg]"


def test_pytest_xfail_is_not_a_skip(tmp_path: Path) -> None:
    cases = {c.name: c for c in read_junit(_sample("junit.xml"), tmp_path).cases}
    assert cases["test_xfail"].outcome == "xfail"
    assert cases["test_skipped"].outcome == "skipped"


def test_strict_xpass_counts_as_failed(tmp_path: Path) -> None:
    cases = {c.name: c for c in read_junit(_sample("junit.xml"), tmp_path).cases}
    assert cases["test_xpass_strict"].outcome == "failed"
    assert cases["test_xpass_strict"].error_type == "XPASS(strict)"


def test_failure_message_type_and_details(tmp_path: Path) -> None:
    cases = {c.name: c for c in read_junit(_sample("junit.xml"), tmp_path).cases}
    failed = cases["test_param[1-neg]"]
    assert failed.error_type == "AssertionError"
    assert failed.message is not None and failed.message.startswith("AssertionError: assert")
    assert failed.details is not None and failed.details.endswith("17: AssertionError")


def test_setup_error_type_comes_from_crash_line(tmp_path: Path) -> None:
    cases = {c.name: c for c in read_junit(_sample("junit.xml"), tmp_path).cases}
    assert cases["test_error"].outcome == "error"
    assert cases["test_error"].error_type == "RuntimeError"


def test_pass_rate_leaves_out_skips_and_xfails(tmp_path: Path) -> None:
    totals = read_junit(_sample("junit.xml"), tmp_path).totals
    assert totals.pass_rate == pytest.approx(8 * 100 / 12)


def test_pass_rate_is_none_when_nothing_was_judged(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text('<testsuite name="s"><testcase name="t"><skipped/></testcase></testsuite>')
    assert read_junit(path, tmp_path).totals.pass_rate is None


def test_durations_sum_case_times(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-nested.xml", tmp_path)
    assert report.totals.duration == 0.75


def test_nested_suites_are_each_counted_once(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-nested.xml", tmp_path)
    assert report.totals.total == 3
    by_name = {s.name: s.totals for s in report.suites}
    assert by_name["outer.inner-a"].errors == 1
    assert by_name["outer"].total == 0 and by_name["outer.inner-b"].passed == 1


def test_declared_error_type_is_kept(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-nested.xml", tmp_path)
    error = report.failures[0]
    assert error.error_type == "java.lang.IllegalStateException"
    assert error.message == "state was 3" and error.id == "A::two"


def test_generated_at_is_the_earliest_suite_timestamp(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-nested.xml", tmp_path)
    assert report.generated_at is not None and report.generated_at.hour == 9


def test_jest_junit_outcomes_files_and_messages(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-jest.xml", tmp_path)
    assert report.format == "junit-jest"
    totals = report.totals
    assert (totals.total, totals.passed, totals.failed, totals.skipped) == (4, 1, 2, 1)
    failed = report.failures[0]
    assert failed.file == "src/__tests__/sum.test.js"
    assert failed.id == "src/__tests__/sum.test.js::sum handles strings"
    assert failed.message == "Error: expect(received).toBe(expected) // Object.is equality"
    assert failed.error_type == "Error"
    assert report.failures[1].error_type == "TypeError"


def test_jest_totals_by_file(tmp_path: Path) -> None:
    by_file = {
        s.name: s.totals for s in totals_by_file(read_junit(FIXTURES / "junit-jest.xml", tmp_path).cases)
    }
    assert by_file["src/__tests__/sum.test.js"].failed == 1
    assert by_file["src/__tests__/util.test.js"].total == 1


def test_go_junit_report_suites_and_messages(tmp_path: Path) -> None:
    report = read_junit(FIXTURES / "junit-go.xml", tmp_path)
    assert report.format == "junit-go"
    assert [s.name for s in report.suites] == ["example.com/app/store", "example.com/app/web"]
    assert report.totals.failed == 2 and report.totals.skipped == 1
    failed = report.failures[0]
    assert failed.id == "example.com/app/store::TestGet" and failed.file is None
    assert failed.details == "store_test.go:21: expected 3 items, got 4"


def test_suite_declaring_another_count_earns_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text('<testsuite name="s" tests="5"><testcase name="t"/></testsuite>')
    report = read_junit(path, tmp_path)
    assert report.totals.total == 1
    assert any("declares tests=5" in w for w in report.warnings)


def test_classname_resolves_to_existing_test_file(tmp_path: Path) -> None:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_a.py").write_text("")
    path = tmp_path / "j.xml"
    path.write_text(
        '<testsuites name="pytest tests"><testsuite name="pytest">'
        '<testcase classname="tests.unit.test_a.TestX.TestInner" name="test_y"/>'
        "</testsuite></testsuites>"
    )
    case = read_junit(path, tmp_path).cases[0]
    assert case.id == "tests/unit/test_a.py::TestX::TestInner::test_y"
    assert read_junit(path, tmp_path).warnings == ()
