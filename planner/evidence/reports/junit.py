"""Read JUnit XML test reports: pytest (xunit1, xunit2), nested testsuites, jest-junit, go-junit-report."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError
from planner.evidence.reports.numbers import count_outcomes
from planner.evidence.reports.paths import normalise_paths
from planner.evidence.reports.safexml import parse_xml
from planner.evidence.reports.testfiles import classname_to_file, pytest_id
from planner.evidence.reports.types import Outcome, SuiteTotals, TestCase, TestReport

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# pytest's crash line closing a traceback: "tests/test_x.py:17: AssertionError"
_CRASH_LINE = re.compile(r"^\S+:\d+: ([A-Za-z_][\w.]*)\s*$", re.MULTILINE)
_TYPE_PREFIX = re.compile(
    r"(?:^|[\s\"'(])((?:[A-Za-z_][\w.]*)?(?:Error|Exception|Exit|Interrupt|"
    r"Warning|Failure|Timeout|Violation)):",
    re.MULTILINE,
)


@dataclass(frozen=True)
class _RawCase:
    case: TestCase
    raw_file: str | None


def read_junit_xml(data: bytes, path: Path, repo_root: Path) -> TestReport:
    """A TestReport from the bytes of a JUnit XML report; totals are counted from the cases."""
    root = parse_xml(data, path)
    tag = _local(root.tag)
    if tag not in ("testsuites", "testsuite"):
        raise InputError(f"not a JUnit report: the root element is <{tag}>", path=path)
    flavour = _flavour(root)
    raw_cases: list[_RawCase] = []
    suites: list[tuple[str, datetime | None, int, int]] = []  # name, timestamp, first, end
    warnings: list[str] = []
    for suite in _suites(root):
        first = len(raw_cases)
        name = suite.get("name") or root.get("name") or "tests"
        for element in suite:
            if _local(element.tag) == "testcase":
                raw_cases.append(_read_case(element, name, flavour, repo_root))
        suites.append((name, _timestamp(suite.get("timestamp")), first, len(raw_cases)))
        warnings.extend(_attribute_warnings(suite, name, raw_cases[first:]))
    cases, path_warnings = _with_files(raw_cases, repo_root, path, flavour)
    warnings.extend(path_warnings)
    suite_totals = tuple(
        SuiteTotals(name=name, totals=count_outcomes(cases[first:end]), timestamp=stamp)
        for name, stamp, first, end in suites
    )
    stamps = [s.timestamp for s in suite_totals if s.timestamp is not None]
    return TestReport(
        format=f"junit-{flavour}" if flavour else "junit",
        source=path,
        suites=suite_totals,
        cases=tuple(cases),
        totals=count_outcomes(cases),
        generated_at=_timestamp(root.get("timestamp")) or (min(stamps) if stamps else None),
        warnings=tuple(warnings),
    )


def _suites(root: Element) -> list[Element]:
    """Every testsuite element, depth first, including the root when it is one."""
    found = [root] if _local(root.tag) == "testsuite" else []
    found.extend(e for e in root.iter() if e is not root and _local(e.tag) == "testsuite")
    if not found and any(_local(e.tag) == "testcase" for e in root):
        found = [root]
    return found


def _flavour(root: Element) -> str:
    name = (root.get("name") or "").lower()
    suites = [root] if _local(root.tag) == "testsuite" else list(root.iter("testsuite"))
    if name.startswith("pytest") or any(s.get("name") == "pytest" for s in suites):
        xunit1 = any(
            c.get("file") is not None or c.get("line") is not None for c in root.iter("testcase")
        )
        return "pytest-xunit1" if xunit1 else "pytest-xunit2"
    if "jest" in name:
        return "jest"
    if any(p.get("name") == "go.version" for p in root.iter("property")):
        return "go"
    return ""


def _read_case(element: Element, suite: str, flavour: str, repo_root: Path) -> _RawCase:
    name = element.get("name") or ""
    classname = element.get("classname") or ""
    outcome, message, error_type, details = _outcome(element)
    raw_file = element.get("file")
    if raw_file is None and flavour.startswith("pytest") and classname:
        raw_file = classname_to_file(classname, repo_root)
    case = TestCase(
        id=_plain_id(classname, name),
        suite=suite,
        classname=classname,
        name=name,
        file=None,
        outcome=outcome,
        duration=_float(element.get("time")),
        message=message,
        error_type=error_type,
        details=details,
    )
    return _RawCase(case, raw_file)


def _outcome(element: Element) -> tuple[Outcome, str | None, str | None, str | None]:
    """Outcome, message, error type and details of a testcase from its child elements."""
    for child in element:
        kind = _local(child.tag)
        if kind not in ("failure", "error", "skipped"):
            continue
        details = (child.text or "").strip() or None
        message = child.get("message") or _first_line(details)
        if kind == "skipped":
            xfail = "xfail" in (child.get("type") or "") or (message or "").lower().startswith(
                ("xfail", "expected test failure")
            )
            return ("xfail" if xfail else "skipped"), message, None, details
        outcome: Outcome = "failed" if kind == "failure" else "error"
        return outcome, message, _error_type(child.get("type"), message, details), details
    return "passed", None, None, None


def _error_type(declared: str | None, message: str | None, details: str | None) -> str | None:
    if (message or "").startswith("[XPASS(strict)]"):
        return "XPASS(strict)"
    if declared and declared.strip() and not declared.startswith("pytest."):
        return declared.strip()
    crash = _CRASH_LINE.findall(details or "")
    if crash:
        return str(crash[-1])
    match = _TYPE_PREFIX.search(message or "") or _TYPE_PREFIX.search(details or "")
    return match.group(1) if match else None


def _with_files(
    raw_cases: list[_RawCase], repo_root: Path, path: Path, flavour: str
) -> tuple[list[TestCase], tuple[str, ...]]:
    raws = [r.raw_file for r in raw_cases if r.raw_file]
    if not raws:
        return [r.case for r in raw_cases], ()
    normal = normalise_paths(raws, repo_root, bases=(path.parent,))
    cases = []
    for raw in raw_cases:
        if not raw.raw_file:
            cases.append(raw.case)
            continue
        file = normal.mapping[raw.raw_file]
        case_id = (
            pytest_id(file, raw.case.classname, raw.case.name)
            if flavour.startswith("pytest")
            else f"{file}::{raw.case.name}"
        )
        cases.append(replace(raw.case, file=file, id=case_id))
    warnings = tuple(w.replace("paths in the report", "test file paths") for w in normal.warnings)
    return cases, warnings


def _attribute_warnings(suite: Element, name: str, cases: list[_RawCase]) -> list[str]:
    declared = suite.get("tests")
    if declared is None or any(_local(e.tag) == "testsuite" for e in suite):
        return []
    try:
        count = int(declared)
    except ValueError:
        return [f"suite {name!r}: tests={declared!r} is not a number"]
    if count != len(cases):
        return [
            (
                f"suite {name!r} declares tests={count} but holds {len(cases)} testcases; "
                "counted the testcases (truncated or hand-edited report?)"
            )
        ]
    return []


def _plain_id(classname: str, name: str) -> str:
    if classname and classname != name:
        return f"{classname}::{name}"
    return name


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    return next((line.strip() for line in text.splitlines() if line.strip()), None)


def _float(raw: str | None) -> float | None:
    try:
        return float(raw.replace(",", "")) if raw else None
    except ValueError:
        return None


def _timestamp(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
