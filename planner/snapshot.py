"""Measurement snapshots: what was measured, when, at which commit; stored under `.planning/metrics/`.

A snapshot is plain data that round-trips through JSON exactly: `snapshot_from_json(
snapshot_to_json(s)) == s`. SUMMARY, VERIFICATION and HANDOFF numbers are computed from it, so
every number they show can be traced to one stored file. Derived numbers (percentages, pass rate)
are written beside the counts for readers of the JSON, and recomputed from the counts on load.

A snapshot file that cannot be read is an InputError naming it, never skipped: skipping would
silently change which snapshot is "previous" and so every delta. The JSON form itself is
`planner.snapshot_json`; its public names are importable from here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from planner.clusters import FailureCluster
from planner.errors import InputError
from planner.model import Project
from planner.reports.numbers import Numbers, file_numbers, sum_numbers
from planner.reports.types import TestTotals

if TYPE_CHECKING:
    from planner.snapshot_json import snapshot_from_json, snapshot_to_dict, snapshot_to_json

__all__ = [
    "SCHEMA_VERSION", "SNAPSHOTS_DIR", "FailedTest", "FileMetrics", "ReportKind", "ReportSource",
    "RunRecord", "Snapshot", "SnapshotRef", "TestResults", "latest_snapshot", "list_snapshots",
    "load_snapshot", "parse_snapshot_id", "previous_snapshot", "save_snapshot",
    "snapshot_at_or_before", "snapshot_by_id", "snapshot_from_json", "snapshot_id", "snapshot_to_dict",
    "snapshot_to_json", "snapshots_dir",
]

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
        return file_numbers(self)


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
        return sum_numbers(chosen)  # counts, never percentages


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
    from planner.snapshot_json import snapshot_to_json
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
    from planner.snapshot_json import snapshot_from_json

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


def snapshot_by_id(project: Project, ident: str) -> Snapshot:
    """The snapshot stored as `<ident>.json`; InputError naming it when it is absent, because a
    document pinned to it can no longer be rebuilt (snapshots are meant to be committed)."""
    if parse_snapshot_id(ident) is None:
        raise InputError(f"{ident!r} is not a snapshot id")
    path = snapshots_dir(project) / f"{ident}.json"
    if not path.is_file():
        raise InputError(f"snapshot {ident} is missing: documents built from it cannot be rebuilt; "
                         "commit .planning/metrics/snapshots/ with the documents", path=path)
    return load_snapshot(path)


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


# The JSON form moved to planner.snapshot_json; its public names stay importable from here. Loaded
# on first use: snapshot_json imports this module, so importing it here at load time would cycle.
_JSON_NAMES = frozenset({"snapshot_from_json", "snapshot_to_dict", "snapshot_to_json"})


def __getattr__(name: str) -> object:
    if name in _JSON_NAMES:
        from planner import snapshot_json

        return getattr(snapshot_json, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
