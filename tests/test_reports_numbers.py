"""Numbers: every percentage computed once, statement-weighted, rounded like coverage.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.evidence.reports import (
    CoverageReport,
    FileCoverage,
    Numbers,
    TestTotals,
    coverage_numbers,
    format_percent,
    sum_numbers,
)


def _file(
    path: str, statements: int, covered: int, branches: int = 0, taken: int = 0
) -> FileCoverage:
    return FileCoverage(
        path=path,
        statements=statements,
        covered=covered,
        missing_lines=(),
        branches=branches,
        covered_branches=taken,
    )


REPORT = CoverageReport(
    format="test",
    source=Path("c.json"),
    has_branches=True,
    files={
        "src/app/big.py": _file("src/app/big.py", 1000, 900, 10, 5),
        "src/app/tiny.py": _file("src/app/tiny.py", 1, 0),
        "tests/test_big.py": _file("tests/test_big.py", 50, 50),
    },
)


def test_overall_is_statement_weighted_not_a_mean_of_percentages() -> None:
    numbers = coverage_numbers(REPORT)
    assert numbers.percent == pytest.approx(100 * 950 / 1051)


def test_group_by_glob_patterns() -> None:
    numbers = coverage_numbers(REPORT, ["src/app/*.py"])
    assert (numbers.statements, numbers.covered) == (1001, 900)


def test_group_with_several_patterns_counts_each_file_once() -> None:
    numbers = coverage_numbers(REPORT, ["src/*", "src/app/big.py"])
    assert numbers.statements == 1001


def test_single_file_selector() -> None:
    assert coverage_numbers(REPORT, "src/app/tiny.py").percent == 0.0


def test_unknown_file_selector_has_no_statements() -> None:
    assert coverage_numbers(REPORT, "nope.py") == Numbers()


def test_branch_percent_is_none_without_branches() -> None:
    assert coverage_numbers(REPORT, ["tests/*"]).branch_percent is None
    assert coverage_numbers(REPORT).branch_percent == 50.0


def test_nothing_to_cover_is_100_percent_like_coverage_py() -> None:
    assert Numbers().percent == 100.0


def test_missing_is_statements_minus_covered() -> None:
    assert Numbers(10, 7).missing == 3


def test_sum_numbers_adds_counts() -> None:
    assert sum_numbers(REPORT.files.values()) == Numbers(1051, 950, 10, 5)


@pytest.mark.parametrize(
    ("percent", "digits", "shown"),
    [
        (99.9, 0, "99"),
        (0.2, 0, "1"),
        (100.0, 0, "100"),
        (0.0, 0, "0"),
        (84.848, 0, "85"),
        (84.848, 2, "84.85"),
        (99.996, 2, "99.99"),
        (None, 0, "n/a"),
    ],
)
def test_format_percent_examples(percent: float | None, digits: int, shown: str) -> None:
    assert format_percent(percent, digits) == shown


@given(covered=st.integers(0, 5000), extra=st.integers(0, 5000), digits=st.integers(0, 4))
def test_format_percent_matches_coverage_py_display(covered: int, extra: int, digits: int) -> None:
    from coverage.results import display_covered

    statements = covered + extra
    percent = Numbers(statements, covered).percent
    assert format_percent(percent, digits) == display_covered(percent, digits)


def test_pass_rate_definition() -> None:
    totals = TestTotals(total=10, passed=6, failed=1, errors=1, skipped=1, xfail=1)
    assert totals.pass_rate == 75.0
