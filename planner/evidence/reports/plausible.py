"""Refuse report values that cannot be true, so no impossible number reaches a snapshot.

A coverage of 500%, a negative count, a line number 0, a NUL in a path or a test time of
`nan` is not evidence: it is a broken or hostile report. Each refusal is an InputError naming
the report and the file entry, before anything is stored.
"""

from __future__ import annotations

import math

from planner.errors import InputError
from planner.evidence.reports.types import CoverageReport, TestReport

MAX_COUNT = 10**9  # more statements, branches or tests than any real project has
MAX_SECONDS = 10.0**7  # a test run of four months


def check_coverage(report: CoverageReport) -> CoverageReport:
    """`report` when every file's numbers can be true; InputError naming the first that cannot."""
    for path, item in report.files.items():
        where = f"coverage entry {path!r}"
        if "\0" in path:
            raise InputError(f"{where} holds a NUL character; regenerate the report",
                             report.source)
        for name, value in (("statements", item.statements), ("covered", item.covered),
                            ("branches", item.branches), ("covered branches", item.covered_branches),
                            ("excluded", item.excluded)):
            if not 0 <= value <= MAX_COUNT:
                raise InputError(f"{where}: {name} is {_shown(value)}, not a count from 0 to {MAX_COUNT:,}; "
                                 "the report cannot be true", report.source)
        if item.covered > item.statements:
            raise InputError(f"{where}: {item.covered} of {item.statements} statements covered "
                             f"(over 100%); the report cannot be true", report.source)
        if item.covered_branches > item.branches:
            raise InputError(f"{where}: {item.covered_branches} of {item.branches} branches covered "
                             f"(over 100%); the report cannot be true", report.source)
        bad_line = next((line for line in item.missing_lines
                         if not isinstance(line, int) or isinstance(line, bool) or not 1 <= line <= MAX_COUNT), None)
        if bad_line is not None:
            raise InputError(f"{where}: missing line {_shown(bad_line)} is not a line number", report.source)
        if len(item.missing_lines) > item.statements:
            raise InputError(f"{where}: {len(item.missing_lines)} missing lines but only {item.statements} "
                             "statements; the report cannot be true", report.source)
    return report


def check_tests(report: TestReport) -> TestReport:
    """`report` when its times are finite and not negative; InputError naming the first that is not."""
    for case in report.cases:
        if case.duration is not None and not 0 <= case.duration <= MAX_SECONDS:
            raise InputError(f"test {case.id!r}: time is {case.duration!r}, not a duration in seconds; "
                             "the report cannot be true", report.source)
    for suite in report.suites:
        duration = suite.totals.duration
        if duration is not None and not 0 <= duration <= MAX_SECONDS:
            raise InputError(f"suite {suite.name!r}: time is {duration!r}, not a duration in seconds; "
                             "the report cannot be true", report.source)
    duration = report.totals.duration
    if duration is not None and not (math.isfinite(duration) and duration >= 0):
        raise InputError(f"report time is {duration!r}, not a duration in seconds", report.source)
    if len(report.cases) > MAX_COUNT:
        raise InputError(f"report holds over {MAX_COUNT:,} test cases", report.source)
    return report


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} digits)"
