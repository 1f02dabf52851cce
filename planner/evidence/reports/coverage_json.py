"""Read a coverage.py JSON report (format 3, with or without branch data and contexts)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import cast

from planner.errors import InputError
from planner.evidence.reports.numbers import sum_numbers
from planner.evidence.reports.paths import normalise_paths
from planner.evidence.reports.types import CoverageReport, FileCoverage

FORMAT = "coverage.py-json"
_PHASES = ("|run", "|setup", "|teardown")  # pytest-cov context suffixes


def load_json(data: bytes, path: Path) -> object:
    """Parsed JSON; InputError with line and column when it is invalid or truncated."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON ({exc.msg}): regenerate the report",
            path=path,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:  # ValueError: a 5,000-digit number
        raise InputError(
            f"unreadable JSON ({type(exc).__name__}): is this a report?", path=path
        ) from None


def describe_json(document: object) -> str:
    """What a JSON document that is not a coverage.py report looks like, for the error."""
    if not isinstance(document, dict):
        return f"a JSON {type(document).__name__}, not a coverage.py report object"
    meta = document.get("meta")
    if isinstance(meta, dict) and "format" in meta:
        return f"coverage.py JSON format {meta['format']!r}; planner reads format 3 (coverage >= 5)"
    if any(k in document for k in ("testsuites", "tests")) or "summary" in document:
        return "a test-results JSON (pytest-json-report or similar); pass JUnit XML for tests"
    values = list(document.values())[:5]
    if values and all(isinstance(v, dict) and "statementMap" in v for v in values):
        return (
            "an Istanbul/nyc coverage-final.json; write Cobertura or LCOV instead "
            "(e.g. `nyc report --reporter=cobertura`)"
        )
    return "a JSON object without coverage.py's meta.format = 3"


def read_coverage_json(data: bytes, path: Path, repo_root: Path) -> CoverageReport:
    """A CoverageReport from the bytes of a coverage.py JSON report."""
    document = load_json(data, path)
    meta = document.get("meta") if isinstance(document, dict) else None
    files = document.get("files") if isinstance(document, dict) else None
    if not (isinstance(document, dict) and isinstance(meta, dict) and meta.get("format") == 3
            and isinstance(files, dict)):
        raise InputError(
            f"not a coverage.py JSON report: looks like {describe_json(document)}", path=path
        )
    normal = normalise_paths(files.keys(), repo_root, bases=(path.parent,))
    read: dict[str, FileCoverage] = {}
    warnings = list(normal.warnings)
    for raw, entry in files.items():
        rel = normal.mapping[raw]
        if rel in read:
            warnings.append(f"{raw}: a second entry for {rel}; the first one is kept")
            continue
        read[rel] = _file_coverage(rel, entry, path)
    warnings.extend(_totals_warnings(document.get("totals"), read))
    return CoverageReport(
        format=FORMAT,
        source=path,
        files=read,
        has_branches=bool(meta.get("branch_coverage")),
        generated_at=_timestamp(meta.get("timestamp")),
        warnings=tuple(warnings),
    )


def _file_coverage(rel: str, entry: object, path: Path) -> FileCoverage:
    try:
        entry = _object(entry, "summary")
        summary = _object(entry["summary"], "num_statements")
        contexts = entry.get("contexts")
        return FileCoverage(
            path=rel,
            statements=_int(summary["num_statements"]),
            covered=_int(summary["covered_lines"]),
            missing_lines=_ints(entry["missing_lines"]),
            excluded=_int(summary.get("excluded_lines", 0)),
            branches=_int(summary.get("num_branches", 0)),
            covered_branches=_int(summary.get("covered_branches", 0)),
            contexts=_contexts(contexts) if contexts is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise InputError(
            f"malformed entry for {rel!r} in coverage.py JSON ({type(exc).__name__}: {exc}); "
            "regenerate the report",
            path=path,
        ) from None


def _object(value: object, holding: str) -> Mapping[str, object]:
    """`value` as the JSON object it must be (one that holds `holding`, for the message)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a JSON object holding {holding!r}, found {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, found {type(value).__name__}")
    return int(value)


def _ints(value: object) -> tuple[int, ...]:
    """A JSON list of line numbers as ints; the common all-int list is taken whole (the types are
    checked in C, not one call per line: reports list hundreds of thousands)."""
    items = _list(value)
    if set(map(type, items)) <= {int}:
        return tuple(cast("list[int]", items))
    return tuple(_int(line) for line in items)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a JSON list, found {type(value).__name__}")
    return value


def _contexts(raw: object) -> dict[int, tuple[str, ...]]:
    """Line -> test labels; the empty context is dropped and pytest-cov's `|run` suffix removed."""
    if not isinstance(raw, Mapping):
        raise TypeError(f"expected contexts as a JSON object, found {type(raw).__name__}")
    result: dict[int, tuple[str, ...]] = {}
    for line, labels in raw.items():
        tests = tuple(dict.fromkeys(_test_label(lab) for lab in _list(labels) if lab))
        if tests:
            result[_int(line)] = tests
    return result


def _test_label(label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"expected a test context name, found {type(label).__name__}")
    for suffix in _PHASES:
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _totals_warnings(totals: object, files: Mapping[str, FileCoverage]) -> list[str]:
    if not isinstance(totals, dict):
        return []
    ours = sum_numbers(files.values())
    theirs = (totals.get("num_statements"), totals.get("covered_lines"))
    if theirs != (ours.statements, ours.covered):
        return [
            (
                f"the report's totals ({theirs[1]}/{theirs[0]} statements) disagree with the "
                f"sum of its files ({ours.covered}/{ours.statements}); using the files"
            )
        ]
    return []
