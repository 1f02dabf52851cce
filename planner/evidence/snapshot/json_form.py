"""Snapshots as stored JSON: `snapshot_to_json` / `snapshot_to_dict` and `snapshot_from_json`.

The one job here is the file format of `.planning/metrics/snapshots/<id>.json`: writing a
Snapshot as sorted, compact JSON with derived percentages beside the counts (for readers of the
file), and reading it back with every field type-checked, so that `snapshot_from_json(
snapshot_to_json(s)) == s` and a corrupt file is an InputError naming it and the field at fault.
The Snapshot model and where snapshots are stored are `planner.evidence.snapshot`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import cast

from planner.errors import InputError
from planner.evidence.clusters import FailureCluster
from planner.evidence.reports.numbers import Numbers
from planner.evidence.reports.types import TestTotals
from planner.evidence.snapshot import (
    SCHEMA_VERSION,
    FailedTest,
    FileMetrics,
    ReportSource,
    RunRecord,
    Snapshot,
    TestResults,
)


def snapshot_to_json(snapshot: Snapshot) -> str:
    """The stored form: one JSON object, keys sorted, ending in a newline."""
    import json

    return json.dumps(snapshot_to_dict(snapshot), sort_keys=True, separators=(",", ":")) + "\n"


def snapshot_to_dict(snapshot: Snapshot) -> dict[str, object]:
    """The snapshot as JSON-ready data, derived percentages included."""
    totals = snapshot.totals
    tests = snapshot.tests
    return {
        "schema": SCHEMA_VERSION,
        "id": snapshot.id,
        "taken_at": snapshot.taken_at.isoformat(),
        "commit": snapshot.commit,
        "dirty": snapshot.dirty,
        "sources": [vars(source) for source in snapshot.sources],
        "totals": _numbers_dict(totals) if totals is not None else None,
        "has_branches": snapshot.has_branches,
        "files": {
            path: {**vars(item), "missing_lines": list(item.missing_lines)}
            for path, item in snapshot.files.items()
        },
        "contexts": {
            path: {str(line): list(ids) for line, ids in lines.items()}
            for path, lines in snapshot.contexts.items()
        },
        "tests": None if tests is None else {
            "totals": _totals_dict(tests.totals),
            "by_file": {name: _totals_dict(t) for name, t in tests.by_file.items()},
            "failures": [vars(failure) for failure in tests.failures],
        },
        "clusters": [
            {**vars(c), "test_ids": list(c.test_ids), "example_ids": list(c.example_ids),
             "files": list(c.files)}
            for c in snapshot.clusters
        ],
        "run": None if snapshot.run is None else {**vars(snapshot.run),
                                                  "command": list(snapshot.run.command)},
        "warnings": list(snapshot.warnings),
    }


def _numbers_dict(numbers: Numbers) -> dict[str, object]:
    return {
        "statements": numbers.statements,
        "covered": numbers.covered,
        "missing": numbers.missing,
        "branches": numbers.branches,
        "covered_branches": numbers.covered_branches,
        "percent": numbers.percent if numbers.statements else None,
        "branch_percent": numbers.branch_percent,
        "combined_percent": numbers.combined_percent,
    }


def _totals_dict(totals: TestTotals) -> dict[str, object]:
    return {**vars(totals), "pass_rate": totals.pass_rate}


class _Fields:
    """Typed access to one JSON object of a stored snapshot; InputError naming the file if wrong."""

    def __init__(self, raw: object, where: str, path: Path | None) -> None:
        self.path, self.where = path, where
        if not isinstance(raw, dict):
            raise self.error("should be an object")
        self.raw: dict[str, object] = raw

    def error(self, problem: str, key: str = "") -> InputError:
        at = f"{self.where}.{key}" if key else self.where
        return InputError(f"corrupt snapshot: {at} {problem}; delete or restore the file", self.path)

    def get(self, key: str, kind: type | tuple[type, ...], optional: bool = False) -> object:
        value = self.raw.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(f"is missing or not {getattr(kind, '__name__', kind)}", key)
        return value

    def text(self, key: str) -> str:
        return str(self.get(key, str))

    def maybe_text(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.text(key)

    def int(self, key: str) -> int:
        return cast(int, self.get(key, int))

    def texts(self, key: str) -> tuple[str, ...]:
        items = self.get(key, list)
        assert isinstance(items, list)
        if not all(isinstance(item, str) for item in items):
            raise self.error("should hold only texts", key)
        return tuple(items)

    def child(self, key: str) -> _Fields:
        return _Fields(self.raw.get(key), f"{self.where}.{key}", self.path)


def snapshot_from_json(text: str, path: Path | None = None) -> Snapshot:
    """A Snapshot from its stored JSON; InputError (naming `path`) when it is not one."""
    import json

    try:
        top = _Fields(json.loads(text, parse_constant=_refuse_constant), "snapshot", path)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON, NaN, a 5,000-digit number
        raise InputError(
            f"corrupt snapshot: not valid JSON ({exc}); delete or restore the file", path
        ) from None
    if top.raw.get("schema") != SCHEMA_VERSION:
        raise top.error(f"has schema {top.raw.get('schema')!r}; this planner reads {SCHEMA_VERSION}")
    try:
        taken_at = datetime.fromisoformat(top.text("taken_at"))
    except ValueError:
        raise top.error("is not an ISO-8601 time", "taken_at") from None
    tests = None if top.raw.get("tests") is None else _tests(top.child("tests"))
    run = None if top.raw.get("run") is None else _run(top.child("run"))
    dirty = top.get("dirty", bool, optional=True)
    return Snapshot(
        id=top.text("id"),
        taken_at=taken_at,
        commit=top.maybe_text("commit"),
        dirty=None if dirty is None else bool(dirty),
        sources=tuple(_source(_Fields(s, "snapshot.sources[]", path)) for s in _list(top, "sources")),
        files={name: _file(top.child("files").child(name)) for name in _keys(top, "files")},
        contexts={name: _lines(top.child("contexts").child(name)) for name in _keys(top, "contexts")},
        has_branches=bool(top.get("has_branches", bool)),
        tests=tests,
        clusters=tuple(_cluster(_Fields(c, "snapshot.clusters[]", path)) for c in _list(top, "clusters")),
        run=run,
        warnings=top.texts("warnings"),
    )


def _list(fields: _Fields, key: str) -> list[object]:
    value = fields.get(key, list)
    assert isinstance(value, list)
    return value


def _keys(fields: _Fields, key: str) -> list[str]:
    return list(fields.child(key).raw)


def _source(f: _Fields) -> ReportSource:
    kind = f.text("kind")
    if kind not in ("coverage", "junit"):
        raise f.error("should be coverage or junit", "kind")
    return ReportSource("coverage" if kind == "coverage" else "junit", f.text("format"),
                        f.text("path"), f.text("sha256"), f.text("mtime"),
                        f.maybe_text("generated_at"))


def _file(f: _Fields) -> FileMetrics:
    missing = _list(f, "missing_lines")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in missing):
        raise f.error("should hold only line numbers", "missing_lines")
    return FileMetrics(f.maybe_text("sha256"), f.int("statements"), f.int("covered"),
                       tuple(missing),  # type: ignore[arg-type]  # checked just above
                       f.int("branches"), f.int("covered_branches"))


def _lines(f: _Fields) -> dict[int, tuple[str, ...]]:
    try:
        return {int(line): f.texts(line) for line in f.raw}
    except ValueError:
        raise f.error("should be keyed by line numbers") from None


def _totals(f: _Fields) -> TestTotals:
    duration = f.get("duration", (int, float), optional=True)
    counts = {key: f.int(key) for key in ("total", "passed", "failed", "errors", "skipped",
                                          "xfail", "xpass")}
    return TestTotals(**counts, duration=None if duration is None else float(duration))  # type: ignore[arg-type]


def _tests(f: _Fields) -> TestResults:
    by_file = f.child("by_file")
    failures = tuple(
        FailedTest(g.text("id"), g.maybe_text("file"), g.text("outcome"),
                   g.maybe_text("error_type"), g.maybe_text("message"))
        for g in (_Fields(item, f"{f.where}.failures[]", f.path) for item in _list(f, "failures"))
    )
    return TestResults(_totals(f.child("totals")),
                       {name: _totals(by_file.child(name)) for name in by_file.raw}, failures)


def _cluster(f: _Fields) -> FailureCluster:
    return FailureCluster(f.text("signature"), f.maybe_text("error_type"), f.int("count"),
                          f.texts("test_ids"), f.texts("example_ids"), f.texts("files"),
                          f.maybe_text("sample_message"))


def _run(f: _Fields) -> RunRecord:
    seconds = f.get("seconds", (int, float))
    assert isinstance(seconds, (int, float))
    return RunRecord(f.texts("command"), f.int("exit_code"), float(seconds))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a snapshot can hold")
