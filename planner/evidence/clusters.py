"""Failing tests grouped by what went wrong: one cluster per normalised error signature.

A signature is the exception type plus its message with everything that varies between
occurrences masked (numbers, hex addresses, uuids, quoted values, dotted names such as
`table.column`, file paths), so 27 `IntegrityError: UNIQUE constraint failed: <name>` failures on
different tables are one cluster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from planner.evidence.reports.types import TestCase, TestReport

EXAMPLES = 3
_MAX_SIGNATURE = 200
_GENERIC_MESSAGES = frozenset({"", "failed", "failure", "error", "errored"})
_PYTEST_PHASE = re.compile(r'^failed on (?:setup|teardown|call) with "(.*)"$', re.DOTALL)
_PYTEST_E_LINE = re.compile(r"^E\s+(\S.*)$", re.MULTILINE)

# Order matters: specific shapes before the generic number mask.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
    ),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<addr>"),
    # Each mask starts only where a token starts (a lookbehind, not a bare `\b` or nothing): a
    # pattern tried at every offset of a long run of word characters is quadratic (1 MB: minutes).
    (re.compile(r"(?<![\w.~/\\-])(?:[A-Za-z]:)?(?:[\w.~-]*[/\\])+[\w.-]+(?::\d+)*"), "<path>"),
    (re.compile(r"(?<![\w-])\w[\w-]*\.[A-Za-z]{1,5}(?::\d+)+"), "<path>"),  # file.go:21
    (re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`[^`\n]*`"), "<str>"),
    (re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\b"), "<name>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<hex>"),
    (re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:]\d+)*(?:[eE][-+]?\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)


@dataclass(frozen=True)
class FailureCluster:
    """Failing tests that share one error signature."""

    signature: str
    error_type: str | None
    count: int
    test_ids: tuple[str, ...]  # sorted, all of them
    example_ids: tuple[str, ...]  # the first EXAMPLES of test_ids
    files: tuple[str, ...]  # test files involved, sorted
    sample_message: str | None  # the message of the first example, unmasked


def mask_message(message: str) -> str:
    """`message` with the parts that vary between occurrences replaced by placeholders."""
    masked = message
    for pattern, placeholder in _MASKS:
        masked = pattern.sub(placeholder, masked)
    return masked.strip()[:_MAX_SIGNATURE]


def failure_message(case: TestCase) -> str:
    """The one line that says what went wrong: the message, unwrapped from pytest's
    "failed on setup with ..." and without a leading exception type."""
    text = _first_line(case.message)
    if text.lower() in _GENERIC_MESSAGES:
        lines = _PYTEST_E_LINE.findall(case.details or "")
        text = lines[0].strip() if lines else _first_line(case.details)
    phase = _PYTEST_PHASE.match(text)
    if phase:
        text = phase.group(1)
    return _strip_type(text, case.error_type)


def signature(case: TestCase) -> str:
    """The normalised error signature of a failing case: `Type: masked message`."""
    masked = mask_message(failure_message(case))
    kind = case.error_type or "Failure"
    return f"{kind}: {masked}" if masked else kind


def cluster_failures(report: TestReport | Iterable[TestCase]) -> list[FailureCluster]:
    """Clusters of the failed and errored cases, largest first, then by signature."""
    cases = report.cases if isinstance(report, TestReport) else tuple(report)
    groups: dict[str, list[TestCase]] = {}
    for case in cases:
        if case.outcome in ("failed", "error"):
            groups.setdefault(signature(case), []).append(case)
    clusters = [_cluster(sig, members) for sig, members in groups.items()]
    clusters.sort(key=lambda c: (-c.count, c.signature))
    return clusters


def _cluster(sig: str, members: list[TestCase]) -> FailureCluster:
    members = sorted(members, key=lambda c: c.id)
    types = sorted({c.error_type for c in members if c.error_type})
    return FailureCluster(
        signature=sig,
        error_type=types[0] if types else None,
        count=len(members),
        test_ids=tuple(c.id for c in members),
        example_ids=tuple(c.id for c in members[:EXAMPLES]),
        files=tuple(sorted({c.file for c in members if c.file})),
        sample_message=failure_message(members[0]) or None,
    )


def _first_line(text: str | None) -> str:
    if not text:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _strip_type(text: str, error_type: str | None) -> str:
    """Drop a leading `Type:` or `module.Type:` that repeats the error type."""
    if error_type == "XPASS(strict)":
        return text.removeprefix("[XPASS(strict)]").strip()
    if not error_type:
        return text
    short = error_type.rsplit(".", 1)[-1]
    head, sep, rest = text.partition(":")
    if sep and head.strip().rsplit(".", 1)[-1] == short and " " not in head.strip():
        return rest.strip()
    return text
