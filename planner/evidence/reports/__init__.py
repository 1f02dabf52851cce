"""Coverage and test reports read into typed, repository-relative results.

`read_coverage` takes coverage.py JSON (format 3), Cobertura XML or LCOV; `read_junit` takes JUnit
XML. The format is told by content, never by name; a name that disagrees earns a warning. Every
failure to read raises InputError naming the file, so no snapshot is made from a bad report.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from planner.errors import InputError
from planner.evidence.reports import detect
from planner.evidence.reports.detect import MAX_REPORT_BYTES
from planner.evidence.reports.numbers import Numbers, coverage_numbers, sum_numbers
from planner.evidence.reports.plausible import check_coverage, check_tests
from planner.evidence.reports.types import CoverageReport, FileCoverage, SuiteTotals, TestCase, TestReport, TestTotals

_R = TypeVar("_R", CoverageReport, TestReport)

__all__ = [
    "MAX_REPORT_BYTES",
    "CoverageReport",
    "FileCoverage",
    "Numbers",
    "SuiteTotals",
    "TestCase",
    "TestReport",
    "TestTotals",
    "coverage_numbers",
    "read_coverage",
    "read_junit",
    "sum_numbers",
]


def read_coverage(
    path: str | Path, repo_root: str | Path, *, max_bytes: int = MAX_REPORT_BYTES
) -> CoverageReport:
    """A CoverageReport from a coverage.py JSON, Cobertura XML or LCOV file, paths made
    relative to `repo_root`. InputError on anything unreadable or not a coverage report."""
    source, root = Path(path), Path(repo_root)
    data = detect.read_report_bytes(source, max_bytes)
    kind = detect.sniff_format(data)
    if kind == detect.COVERAGE_JSON:
        from planner.evidence.reports.coverage_json import read_coverage_json as reader
    elif kind == detect.COBERTURA:
        from planner.evidence.reports.cobertura import read_cobertura as reader
    elif kind == detect.LCOV:
        from planner.evidence.reports.lcov import read_lcov as reader
    elif kind == detect.JSON_OTHER:
        # parse it to say what it is (or where the JSON is broken)
        from planner.evidence.reports.coverage_json import read_coverage_json as reader
    else:
        raise InputError(
            f"not a coverage report: the content is {detect.DESCRIPTIONS[kind]}; planner reads "
            "coverage.py JSON, Cobertura XML and LCOV",
            path=source,
        )
    report = check_coverage(reader(data, source, root))
    return _with_name_warning(report, source, kind)


def read_junit(
    path: str | Path, repo_root: str | Path, *, max_bytes: int = MAX_REPORT_BYTES
) -> TestReport:
    """A TestReport from a JUnit XML file (pytest, jest-junit, go-junit-report and the like).
    InputError on anything unreadable or not a JUnit report."""
    source, root = Path(path), Path(repo_root)
    data = detect.read_report_bytes(source, max_bytes)
    kind = detect.sniff_format(data)
    if kind != detect.JUNIT:
        raise InputError(
            f"not a JUnit XML report: the content is {detect.DESCRIPTIONS[kind]}", path=source
        )
    from planner.evidence.reports.junit import read_junit_xml

    report = check_tests(read_junit_xml(data, source, root))
    return _with_name_warning(report, source, kind)


def _with_name_warning(report: _R, source: Path, kind: str) -> _R:
    warning = detect.name_mismatch(source, kind)
    if warning is None:
        return report
    return replace(report, warnings=(warning, *report.warnings))
