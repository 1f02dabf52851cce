"""Measurement snapshots: what was measured, when, at which commit; stored under `.planning/metrics/`.

A snapshot is plain data that round-trips through JSON exactly: `snapshot_from_json(
snapshot_to_json(s)) == s`. SUMMARY, VERIFICATION and HANDOFF numbers are computed from it, so
every number they show can be traced to one stored file. Derived numbers (percentages, pass rate)
are written beside the counts for readers of the JSON, and recomputed from the counts on load.

A snapshot file that cannot be read is an InputError naming it, never skipped: skipping would
silently change which snapshot is "previous" and so every delta.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal, cast

from planner.clusters import FailureCluster
from planner.errors import InputError
from planner.model import Project
from planner.reports.numbers import Numbers
from planner.reports.types import TestTotals

SCHEMA_VERSION = 1
SNAPSHOTS_DIR = ("metrics", "snapshots")  # under the planning folder
_ID = re.compile(r"(\d{8}T\d{9})Z(?:-([0-9a-f]{7,40}))?")
_HEX = re.compile(r"[0-9a-fA-F]{4,64}")

ReportKind = Literal["coverage", "junit"]


@dataclass(frozen=True)
class ReportSource:
    """One report a snapshot was read from."""

    kind: ReportKind
    format: str
    path: str  # relative to the project root (POSIX) when inside it, else absolute
    sha256: str
    mtime: str  # ISO-8601 UTC
    generated_at: str | None  # as the report states it (coverage.py writes local time)


@dataclass(frozen=True)
class FileMetrics:
    """Coverage of one measured source file, and the sha256 of its content (None: file missing)."""

    sha256: str | None
    statements: int
    covered: int
    missing_lines: tuple[int, ...]
    branches: int = 0
    covered_branches: int = 0

    def numbers(self) -> Numbers:
        """The counts as Numbers, where every percentage is computed."""
        return Numbers(self.statements, self.covered, self.branches, self.covered_branches)


@dataclass(frozen=True)
class FailedTest:
    """A failed or errored test case."""

    id: str
    file: str | None
    outcome: str  # failed | error
    error_type: str | None
    message: str | None


@dataclass(frozen=True)
class TestResults:
    """Test outcomes: totals, totals per test file, the failing cases."""

    __test__ = False

    totals: TestTotals
    by_file: Mapping[str, TestTotals] = field(default_factory=dict, hash=False)
    failures: tuple[FailedTest, ...] = ()


@dataclass(frozen=True)
class RunRecord:
    """The test command `plan measure --run` ran, and how it ended."""

    command: tuple[str, ...]
    exit_code: int
    seconds: float


@dataclass(frozen=True)
class Snapshot:
    """One measurement. `totals` is None without a coverage report, `tests` None without JUnit."""

    id: str
    taken_at: datetime  # UTC
    commit: str | None
    dirty: bool | None  # None outside git
    sources: tuple[ReportSource, ...] = ()
    files: Mapping[str, FileMetrics] = field(default_factory=dict, hash=False)
    contexts: Mapping[str, Mapping[int, tuple[str, ...]]] = field(default_factory=dict, hash=False)
    has_branches: bool = False
    tests: TestResults | None = None
    clusters: tuple[FailureCluster, ...] = ()
    run: RunRecord | None = None
    warnings: tuple[str, ...] = ()

    @property
    def totals(self) -> Numbers | None:
        """Statement-weighted totals of every measured file; None when coverage was not measured."""
        if not any(source.kind == "coverage" for source in self.sources):
            return None
        return self.numbers()

    def numbers(self, selector: str | Sequence[str] | None = None) -> Numbers:
        """Counts of all files (None), one file (a path) or the files matching glob patterns."""
        if selector is None:
            chosen: Iterable[FileMetrics] = self.files.values()
        elif isinstance(selector, str):
            chosen = [self.files[selector]] if selector in self.files else []
        else:
            patterns = tuple(selector)
            chosen = [f for p, f in self.files.items() if any(fnmatchcase(p, x) for x in patterns)]
        return sum((item.numbers() for item in chosen), Numbers())  # counts, never percentages


@dataclass(frozen=True)
class SnapshotRef:
    """A stored snapshot, known by its file name alone (cheap to list)."""

    id: str
    path: Path
    taken_at: datetime
    short_commit: str | None


# ------------------------------------------------------------------------------------ ids


def snapshot_id(taken_at: datetime, commit: str | None) -> str:
    """`20261124T231502123Z-1a2b3c4`: UTC time to the millisecond, then the short commit."""
    moment = taken_at.astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"
    return f"{stamp}-{commit[:7].lower()}" if commit else stamp


def parse_snapshot_id(text: str) -> tuple[datetime, str | None] | None:
    """The time and short commit an id names; None when it is no snapshot id."""
    match = _ID.fullmatch(text)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group(1)[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.replace(microsecond=int(match.group(1)[15:]) * 1000), match.group(2)


# ------------------------------------------------------------------------------------ storage


def snapshots_dir(project: Project) -> Path:
    """`.planning/metrics/snapshots/` of a project."""
    return project.planning_dir.joinpath(*SNAPSHOTS_DIR)


def save_snapshot(project: Project, snapshot: Snapshot) -> Path:
    """Write `<id>.json` atomically; ConflictError rather than replace an existing snapshot."""
    from planner.writer import atomic_write

    path = snapshots_dir(project) / f"{snapshot.id}.json"
    atomic_write(path, snapshot_to_json(snapshot), planning_dir=project.planning_dir)
    return path


def load_snapshot(path: Path) -> Snapshot:
    """The snapshot stored in `path`; InputError naming the file when it is missing or corrupt."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read snapshot: {exc}; delete or restore it", path=path) from None
    return snapshot_from_json(text, path)


def list_snapshots(project: Project) -> list[SnapshotRef]:
    """Every stored snapshot, oldest first (ids sort by time). Other files are ignored."""
    folder = snapshots_dir(project)
    if not folder.is_dir():
        return []
    refs = []
    for path in folder.glob("*.json"):
        parsed = parse_snapshot_id(path.stem)
        if parsed is not None and path.is_file():
            refs.append(SnapshotRef(path.stem, path, parsed[0], parsed[1]))
    return sorted(refs, key=lambda ref: ref.id)


def latest_snapshot(project: Project) -> Snapshot | None:
    """The newest snapshot, or None when none was taken."""
    refs = list_snapshots(project)
    return load_snapshot(refs[-1].path) if refs else None


def previous_snapshot(project: Project, before: Snapshot | str) -> Snapshot | None:
    """The newest snapshot older than `before` (a snapshot or an id), or None."""
    ident = before.id if isinstance(before, Snapshot) else before
    older = [ref for ref in list_snapshots(project) if ref.id < ident]
    return load_snapshot(older[-1].path) if older else None


def snapshot_at_or_before(project: Project, when: datetime | str) -> Snapshot | None:
    """The newest snapshot taken at or before `when`: a time with a UTC offset, an ISO-8601 text
    (a plan's `started`), or a commit hash (the newest snapshot taken at that commit)."""
    refs = list_snapshots(project)
    moment = _as_time(when)
    if moment is None:
        commit = str(when).strip().lower()
        for ref in reversed(refs):
            if ref.short_commit and ref.short_commit.startswith(commit[:7]):
                found = load_snapshot(ref.path)
                if found.commit and found.commit.startswith(commit):
                    return found
        return None
    chosen = [ref for ref in refs if ref.taken_at <= moment]
    return load_snapshot(chosen[-1].path) if chosen else None


def _as_time(when: datetime | str) -> datetime | None:
    if isinstance(when, datetime):
        moment = when
    elif _HEX.fullmatch(when.strip()):
        return None
    else:
        try:
            moment = datetime.fromisoformat(when.strip())
        except ValueError:
            raise InputError(
                f"{when!r} is neither a time (ISO-8601) nor a commit hash"
            ) from None
    if moment.tzinfo is None:
        raise InputError(
            f"time {moment.isoformat()} has no UTC offset: give one (e.g. +00:00)"
        )
    return moment


# ------------------------------------------------------------------------------------ JSON


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
        top = _Fields(json.loads(text), "snapshot", path)
    except (json.JSONDecodeError, RecursionError) as exc:
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
