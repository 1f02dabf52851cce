"""`plan measure`: read coverage and test reports (or run the tests first), store a snapshot.

The story: read every report (a report that fails to read stops everything, so no snapshot is
written from it), hash the measured source files, note HEAD and whether the tree is dirty,
collect warnings (stale report, missing files), then write `.planning/metrics/snapshots/<id>.json`.
Failing tests are data: they are recorded, never raised.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import EnvironmentProblem, InputError
from planner.evidence.git_worktree import GitState, working_state
from planner.evidence.reports.detect import MAX_REPORT_BYTES
from planner.evidence.reports.numbers import totals_by_file
from planner.evidence.snapshot import (
    FailedTest,
    FileMetrics,
    ReportSource,
    RunRecord,
    Snapshot,
    TestResults,
    snapshot_id,
)
from planner.evidence.snapshot.headline import format_summary, snapshot_summary
from planner.evidence.snapshot.store import save_snapshot
from planner.model import Project

if TYPE_CHECKING:
    from planner.evidence.clusters import FailureCluster
    from planner.evidence.reports.types import CoverageReport, TestReport

__all__ = [
    "MeasureResult", "OutputCallback", "format_summary", "measure", "run_tests", "snapshot_summary",
    "take_snapshot", "test_command",
]

OutputCallback = Callable[[str], None]

# pytest's exit codes other than 0 (all passed) and 1 (some failed): the run itself went wrong.
_PYTEST_EXIT = {
    2: "interrupted",
    3: "internal error",
    4: "usage error (bad command line options)",
    5: "no tests were collected",
}
# what a shell's exit code says when it could not start the program at all
_CANNOT_RUN = {126: "found but not executable", 127: "command not found"}
_HASH_WORKERS = 4


@dataclass(frozen=True)
class MeasureResult:
    """What `plan measure` did: the snapshot, where it was written, what to tell the user."""

    snapshot: Snapshot
    path: Path
    warnings: tuple[str, ...]


# ------------------------------------------------------------------------------------ use case


def measure(
    project: Project,
    *,
    coverage: Path | None = None,
    junit: Path | None = None,
    run: bool = False,
    on_output: OutputCallback | None = None,
) -> MeasureResult:
    """Run the tests if asked, read the reports, store a snapshot; failing tests are data.

    A config.json that reading commands read around (diagnostic TREE004, defaults used) stops
    measuring: its test command and report paths are what would be run and read."""
    _refuse_broken_config(project)
    record = None
    if run:
        record, coverage, junit = run_tests(project, on_output, coverage=coverage, junit=junit)
    elif coverage is None and junit is None:
        coverage, junit = _configured_reports(project)
    snapshot = take_snapshot(project, coverage, junit, run=record)
    path = save_snapshot(project, snapshot)
    return MeasureResult(snapshot, path, snapshot.warnings)


def _refuse_broken_config(project: Project) -> None:
    for diagnostic in project.diagnostics:
        if diagnostic.code == "TREE004":
            raise InputError(diagnostic.message.removesuffix("; planner's defaults are used"),
                             diagnostic.path, diagnostic.line)


def _configured_reports(project: Project) -> tuple[Path | None, Path | None]:
    """The configured report paths that exist; InputError when there is nothing to read."""
    found = [
        path if path is not None and path.is_file() else None
        for path in (_configured(project, project.config.coverage_report),
                     _configured(project, project.config.junit_report))
    ]
    if found == [None, None]:
        raise InputError(
            "nothing to measure: no report at the configured paths "
            f"({project.config.coverage_report}, {project.config.junit_report}); "
            "pass --coverage FILE / --junit FILE, or --run to run the tests"
        )
    return found[0], found[1]


def _configured(project: Project, setting: str) -> Path | None:
    return project.root / setting if setting.strip() else None


# ------------------------------------------------------------------------------------ snapshot


def take_snapshot(
    project: Project,
    coverage: Path | None = None,
    junit: Path | None = None,
    *,
    run: RunRecord | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """A snapshot of the given reports (not stored). InputError when a report cannot be read."""
    from planner.evidence.reports import read_coverage, read_junit

    if coverage is None and junit is None:
        raise InputError("nothing to measure: give a coverage report, a JUnit report or both")
    taken_at = (now or datetime.now(UTC)).astimezone(UTC)
    with ThreadPoolExecutor(_HASH_WORKERS) as pool:
        # hashing the report files overlaps with parsing them (hashlib releases the GIL)
        digests = {p: pool.submit(_file_sha256, p) for p in (coverage, junit) if p is not None}
        cov = read_coverage(coverage, project.root) if coverage is not None else None
        tests = read_junit(junit, project.root) if junit is not None else None
        files = _file_metrics(pool, project.root, cov) if cov is not None else {}
        git = working_state(project.root)
        sources = tuple(
            _source(project, kind, report, digests[report.source].result())
            for kind, report in (("coverage", cov), ("junit", tests)) if report is not None
        )
    warnings = _warnings(project, cov, tests, files, sources, git)
    return Snapshot(
        id=snapshot_id(taken_at, git.commit),
        taken_at=taken_at,
        commit=git.commit,
        dirty=git.dirty,
        sources=sources,
        files=files,
        contexts=_contexts(cov) if cov is not None else {},
        has_branches=cov.has_branches if cov is not None else False,
        tests=_test_results(tests) if tests is not None else None,
        clusters=_clusters(tests) if tests is not None else (),
        run=run,
        warnings=tuple(warnings) + (_run_warnings(run) if run is not None else ()),
    )


def _file_sha256(path: Path) -> str | None:
    """sha256 of the regular file at `path`; None for anything else (a device, a FIFO, a loop of
    links, a NUL in the name) or past MAX_REPORT_BYTES: a file that is not one is not hashed."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError):
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_REPORT_BYTES:
            return None
        digest, total = hashlib.sha256(), 0
        while chunk := handle.read(1 << 20):
            total += len(chunk)
            if total > MAX_REPORT_BYTES:
                return None
            digest.update(chunk)
        return digest.hexdigest()


def _file_metrics(
    pool: ThreadPoolExecutor, root: Path, report: CoverageReport
) -> dict[str, FileMetrics]:
    def digest(path: str) -> str | None:
        if os.path.isabs(path) or path.startswith("../"):  # outside the project: not ours to hash
            return None
        return _file_sha256(root / path)

    paths = list(report.files)
    hashes = pool.map(digest, paths, chunksize=64)
    result = {}
    for path, sha in zip(paths, hashes, strict=True):
        item = report.files[path]
        result[path] = FileMetrics(sha, item.statements, item.covered, item.missing_lines,
                                   item.branches, item.covered_branches)
    return result


def _contexts(report: CoverageReport) -> dict[str, Mapping[int, tuple[str, ...]]]:
    return {path: item.contexts for path, item in report.files.items() if item.contexts}


def _test_results(report: TestReport) -> TestResults:
    failures = tuple(
        FailedTest(case.id, case.file, case.outcome, case.error_type, case.message)
        for case in report.failures
    )
    by_file = {suite.name: suite.totals for suite in totals_by_file(report.cases)}
    return TestResults(report.totals, by_file, failures)


def _clusters(report: TestReport) -> tuple[FailureCluster, ...]:
    from planner.evidence.clusters import cluster_failures

    return tuple(cluster_failures(report))


def _source(project: Project, kind: str, report: CoverageReport | TestReport, sha256: str | None) -> ReportSource:
    path: Path = report.source
    try:
        mtime = path.stat().st_mtime
    except OSError:
        sha256 = None
    if sha256 is None:
        raise InputError("report vanished while it was read: rerun", path=path)
    try:
        shown = path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        shown = str(path.resolve())
    generated = report.generated_at.isoformat() if report.generated_at is not None else None
    return ReportSource("coverage" if kind == "coverage" else "junit", report.format, shown,
                        sha256, _utc_text(mtime), generated)


def _utc_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


# ------------------------------------------------------------------------------------ warnings


def _warnings(
    project: Project,
    cov: CoverageReport | None,
    tests: TestReport | None,
    files: Mapping[str, FileMetrics],
    sources: Iterable[ReportSource],
    git: GitState,
) -> list[str]:
    warnings: list[str] = []
    for report in (cov, tests):
        if report is not None:
            warnings.extend(f"{report.source.name}: {w}" for w in report.warnings)
    missing = sorted(path for path, item in files.items() if item.sha256 is None)
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        warnings.append(
            f"{len(missing)} of {len(files)} measured files are not in the project, recorded "
            f"without sha256: {shown}"
        )
    if git.committed_at is not None:
        warnings.extend(_stale_warnings(sources, git.committed_at))
    return warnings


def _stale_warnings(sources: Iterable[ReportSource], committed_at: datetime) -> list[str]:
    found = []
    for source in sources:
        made = _report_time(source)
        if made < committed_at:
            found.append(
                f"{source.path}: {source.kind} report written {made.isoformat(timespec='seconds')}, "
                f"before the last commit ({committed_at.isoformat(timespec='seconds')}): it may "
                "not measure the committed code; rerun the tests"
            )
    return found


def _report_time(source: ReportSource) -> datetime:
    """When a report was written: its own timestamp (local time unless it says), else its mtime."""
    if source.generated_at is not None:
        stamp = datetime.fromisoformat(source.generated_at)
        return stamp if stamp.tzinfo is not None else stamp.astimezone()
    return datetime.fromisoformat(source.mtime)


def _run_warnings(run: RunRecord) -> tuple[str, ...]:
    if run.exit_code in (0, 1):
        return ()
    meaning = _PYTEST_EXIT.get(run.exit_code, "not a test outcome")
    if run.exit_code < 0:
        meaning = f"killed by signal {-run.exit_code}"
    warning = (f"test command exited with code {run.exit_code} ({meaning}): the reports may be "
               "incomplete")
    return (warning,)


# ------------------------------------------------------------------------------------ running


def test_command(project: Project) -> tuple[str, ...]:
    """The configured test command, or planner's default (pytest writing both reports)."""
    if project.config.test_command:
        return project.config.test_command
    from planner.tree.config_file import DEFAULT_CONFIG

    return tuple(DEFAULT_CONFIG["planner"]["test_command"])


def run_tests(
    project: Project,
    on_output: OutputCallback | None = None,
    *,
    coverage: Path | None = None,
    junit: Path | None = None,
) -> tuple[RunRecord, Path | None, Path | None]:
    """Run the test command in the project root, streaming its output lines to `on_output`.

    Returns how it ended and the reports it wrote (the configured paths unless given). A
    non-zero exit is data; a missing command is EnvironmentProblem; a report the run did not
    (re)write is InputError, so stale data is never snapshotted.
    """
    command = test_command(project)
    expected = [
        coverage or _configured(project, project.config.coverage_report),
        junit or _configured(project, project.config.junit_report),
    ]
    before = {path: _stamp(path) for path in expected if path is not None}
    started = time.monotonic()
    exit_code = _stream(command, project.root, on_output)
    record = RunRecord(command, exit_code, round(time.monotonic() - started, 3))
    for path, stamp in before.items():
        after = _stamp(path)
        if after is None or after == stamp:
            if exit_code in _CANNOT_RUN:
                raise EnvironmentProblem(
                    f"the test command could not run a program (exit {exit_code}: "
                    f"{_CANNOT_RUN[exit_code]}); check planner.test_command in .planning/config.json"
                )
            what = "did not write" if after is None else "did not rewrite"
            raise InputError(
                f"the test command {what} this report (exit code {exit_code}); check "
                "planner.test_command and the report paths in .planning/config.json",
                path=path,
            )
    return record, expected[0], expected[1]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _stream(command: tuple[str, ...], cwd: Path, on_output: OutputCallback | None) -> int:
    """Run `command`, pass each output line on; its exit code (negative: killed by a signal)."""
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace", bufsize=1, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # progress as it happens, not at exit
        )
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"test command not found: {command[0]!r}; install it or set planner.test_command "
            "in .planning/config.json"
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot run the test command {command[0]!r}: {exc}") from None
    with process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                if on_output is not None:
                    on_output(line.rstrip("\r\n"))
        except BaseException:
            process.kill()
            raise
    return process.returncode
