"""Read a report file within a size limit and tell its format by content, not by name."""

from __future__ import annotations

import re
from pathlib import Path

from planner.errors import InputError

MAX_REPORT_BYTES = 512 * 1024 * 1024  # refuse larger inputs rather than exhaust memory
_SNIFF_BYTES = 64 * 1024

COVERAGE_JSON = "coverage-json"
COBERTURA = "cobertura"
LCOV = "lcov"
JUNIT = "junit"
JSON_OTHER = "json"
UNKNOWN = "unknown"

DESCRIPTIONS = {
    COVERAGE_JSON: "a coverage.py JSON report",
    COBERTURA: "a Cobertura XML coverage report",
    LCOV: "an LCOV coverage report",
    JUNIT: "a JUnit XML test report",
    JSON_OTHER: "a JSON file",
    UNKNOWN: "no report format planner knows",
}

# What a file name suggests; the content decides, the name only earns a warning.
_NAME_HINTS = {".json": "JSON", ".xml": "XML", ".info": "LCOV", ".lcov": "LCOV"}
_FAMILY = {
    COVERAGE_JSON: "JSON",
    JSON_OTHER: "JSON",
    COBERTURA: "XML",
    JUNIT: "XML",
    LCOV: "LCOV",
}

_XML_PROLOGUE = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>|\s)*", re.DOTALL
)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_LCOV_LINE = re.compile(rb"^(?:TN|SF|DA|LF|LH|FN|FNDA|FNF|FNH|BRDA|BRF|BRH|VER):", re.MULTILINE)


def read_report_bytes(path: Path, limit: int = MAX_REPORT_BYTES) -> bytes:
    """The bytes of a report; InputError when missing, unreadable, not a regular file, empty or
    over `limit` bytes. Opened once and checked on the open file: a FIFO or device never blocks."""
    from planner.storage.safeio import read_bounded

    data = read_bounded(path, limit, what="report")
    if not data.strip():
        raise InputError("report file is empty: rerun the tool that writes it", path=path)
    return data


def sniff_format(data: bytes) -> str:
    """The format the content looks like: one of the constants above."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        if re.search(rb'"meta"\s*:\s*\{[^{}]*"format"\s*:\s*3\b', head):
            return COVERAGE_JSON
        return JSON_OTHER
    if head[:1] == b"<":
        prologue = _XML_PROLOGUE.match(head)
        root = _XML_ROOT.match(head, prologue.end() if prologue else 0)
        if root is None:
            return UNKNOWN
        tag = root.group(1).split(b":")[-1]
        if tag == b"coverage":
            return COBERTURA
        if tag in (b"testsuites", b"testsuite"):
            return JUNIT
        return UNKNOWN
    if _LCOV_LINE.search(head):
        return LCOV
    return UNKNOWN


def name_mismatch(path: Path, detected: str) -> str | None:
    """A warning when the file name suggests another format than the content has."""
    suggested = _NAME_HINTS.get(path.suffix.lower())
    actual = _FAMILY.get(detected)
    if suggested is None or actual is None or suggested == actual:
        return None
    return (
        f"{path.name}: the name suggests {suggested} but the content is "
        f"{DESCRIPTIONS[detected]}; read by content"
    )
