"""Snapshots: exact JSON round trip, ids, storage and lookup, target metrics over a snapshot."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import ConflictError, InputError
from planner.evidence.clusters import FailureCluster
from planner.evidence.reports.types import TestTotals
from planner.evidence.snapshot import (
    FailedTest,
    FileMetrics,
    ReportSource,
    RunRecord,
    Snapshot,
    TestResults,
    parse_snapshot_id,
    snapshot_id,
)
from planner.evidence.snapshot.json_form import snapshot_from_json, snapshot_to_json
from planner.evidence.snapshot.store import (
    latest_snapshot,
    list_snapshots,
    load_snapshot,
    previous_snapshot,
    save_snapshot,
    snapshot_at_or_before,
    snapshots_dir,
)
from planner.model import Project
from planner.scaffold import init_project
from planner.targets import parse_target
from planner.targets.judging import evaluate
from planner.targets.snapshot_values import SnapshotMetrics
from planner.tree.reader import load_project

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
COVERAGE_SOURCE = ReportSource("coverage", "coverage.py-json", "coverage.json", "ab" * 32,
                               "2026-03-01T12:00:00+00:00", "2026-03-01T12:00:00")


def make_snapshot(
    when: datetime = T0,
    commit: str | None = "0123456789abcdef0123456789abcdef01234567",
    files: dict[str, FileMetrics] | None = None,
    tests: TestResults | None = None,
    coverage: bool = True,
    has_branches: bool = False,
) -> Snapshot:
    return Snapshot(
        id=snapshot_id(when, commit),
        taken_at=when,
        commit=commit,
        dirty=False if commit else None,
        sources=(COVERAGE_SOURCE,) if coverage else (),
        files=files if files is not None else {},
        has_branches=has_branches,
        tests=tests,
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    init_project(tmp_path)
    return load_project(tmp_path)


# ------------------------------------------------------------------------ JSON round trip

_text = st.text(max_size=12)
_count = st.integers(min_value=0, max_value=10**6)
_totals = st.builds(
    TestTotals, total=_count, passed=_count, failed=_count, errors=_count, skipped=_count,
    xfail=_count, xpass=_count,
    duration=st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
_files = st.builds(
    FileMetrics,
    sha256=st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
    statements=_count, covered=_count,
    missing_lines=st.lists(st.integers(1, 10**5), max_size=5).map(tuple),
    branches=_count, covered_branches=_count,
)
_snapshots = st.builds(
    Snapshot,
    id=_text,
    taken_at=st.datetimes(timezones=st.just(UTC)),
    commit=st.none() | st.text("0123456789abcdef", min_size=40, max_size=40),
    dirty=st.none() | st.booleans(),
    sources=st.lists(st.builds(ReportSource, kind=st.sampled_from(["coverage", "junit"]),
                               format=_text, path=_text, sha256=_text, mtime=_text,
                               generated_at=st.none() | _text), max_size=2).map(tuple),
    files=st.dictionaries(_text, _files, max_size=3),
    contexts=st.dictionaries(_text, st.dictionaries(st.integers(1, 999),
                                                    st.lists(_text, max_size=2).map(tuple),
                                                    max_size=2), max_size=2),
    has_branches=st.booleans(),
    tests=st.none() | st.builds(
        TestResults, totals=_totals, by_file=st.dictionaries(_text, _totals, max_size=2),
        failures=st.lists(st.builds(FailedTest, id=_text, file=st.none() | _text,
                                    outcome=st.sampled_from(["failed", "error"]),
                                    error_type=st.none() | _text, message=st.none() | _text),
                          max_size=2).map(tuple),
    ),
    clusters=st.lists(st.builds(FailureCluster, signature=_text, error_type=st.none() | _text,
                                count=_count, test_ids=st.lists(_text, max_size=2).map(tuple),
                                example_ids=st.lists(_text, max_size=2).map(tuple),
                                files=st.lists(_text, max_size=2).map(tuple),
                                sample_message=st.none() | _text), max_size=2).map(tuple),
    run=st.none() | st.builds(RunRecord, command=st.lists(_text, min_size=1, max_size=3).map(tuple),
                              exit_code=st.integers(-15, 255),
                              seconds=st.floats(0, 1e5, allow_nan=False)),
    warnings=st.lists(_text, max_size=2).map(tuple),
)


@given(_snapshots)
def test_snapshot_round_trips_through_json_exactly(snapshot: Snapshot) -> None:
    text = snapshot_to_json(snapshot)
    again = snapshot_from_json(text)
    assert again == snapshot
    assert snapshot_to_json(again) == text


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


@given(_snapshots, st.data(), _json_values)
def test_damaged_snapshot_loads_or_raises_input_error_only(
    snapshot: Snapshot, data: st.DataObject, replacement: object
) -> None:
    stored = json.loads(snapshot_to_json(snapshot))
    where = data.draw(st.sampled_from(_paths(stored)[1:]))
    holder = stored
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = replacement
    try:
        snapshot_from_json(json.dumps(stored))
    except InputError as error:
        assert error.message.startswith("corrupt snapshot")


@pytest.mark.parametrize(("where", "value", "said"), [
    (("taken_at",), "yesterday", "snapshot.taken_at is not an ISO-8601 time"),
    (("files", "a.py", "missing_lines"), ["9"], "snapshot.files.a.py.missing_lines should hold only line numbers"),
    (("contexts", "a.py"), {"three": ["t1"]}, "snapshot.contexts.a.py should be keyed by line numbers"),
], ids=["time", "missing_lines", "contexts"])
def test_a_damaged_field_is_an_input_error_naming_it(where: tuple[str, ...], value: object, said: str) -> None:
    snapshot = replace(make_snapshot(files={"a.py": FileMetrics("ab" * 32, 10, 8, (9, 10))}),
                       contexts={"a.py": {3: ("t1",)}})
    stored = json.loads(snapshot_to_json(snapshot))
    holder = stored
    for key in where[:-1]:
        holder = holder[key]
    holder[where[-1]] = value
    with pytest.raises(InputError) as raised:
        snapshot_from_json(json.dumps(stored))
    assert raised.value.message == f"corrupt snapshot: {said}; delete or restore the file"


def test_stored_json_carries_derived_percentages_beside_counts() -> None:
    files = {"a.py": FileMetrics(None, 10, 5, (1, 2, 3, 4, 5), 4, 1)}
    stored = json.loads(snapshot_to_json(make_snapshot(files=files, has_branches=True)))
    assert stored["totals"] == {"statements": 10, "covered": 5, "missing": 5, "branches": 4,
                                "covered_branches": 1, "percent": 50.0, "branch_percent": 25.0,
                                "combined_percent": 6 * 100 / 14}


def test_snapshot_without_coverage_report_has_no_totals() -> None:
    stored = json.loads(snapshot_to_json(make_snapshot(coverage=False)))
    assert stored["totals"] is None


# ------------------------------------------------------------------------ ids


def test_id_is_utc_millisecond_time_then_short_commit() -> None:
    when = datetime(2026, 3, 1, 13, 4, 5, 678901, tzinfo=timezone(timedelta(hours=1)))
    assert snapshot_id(when, "ABCDEF1234567") == "20260301T120405678Z-abcdef1"


def test_id_without_commit_is_the_time_alone() -> None:
    assert snapshot_id(T0, None) == "20260301T120000000Z"


def test_id_parses_back_to_time_and_short_commit() -> None:
    assert parse_snapshot_id("20260301T120405678Z-abcdef1") == (
        datetime(2026, 3, 1, 12, 4, 5, 678000, tzinfo=UTC), "abcdef1")


@pytest.mark.parametrize("text", ["", "latest", "20261301T120000000Z", "20260301T120000000Z-XYZ"])
def test_other_names_are_not_snapshot_ids(text: str) -> None:
    assert parse_snapshot_id(text) is None


def test_ids_sort_in_time_order() -> None:
    times = [T0 + timedelta(milliseconds=n * 997) for n in range(30)]
    ids = [snapshot_id(t, "f" * 40 if n % 2 else "0" * 40) for n, t in enumerate(times)]
    assert sorted(ids) == ids


# ------------------------------------------------------------------------ storage


def test_saved_snapshot_loads_equal(project: Project) -> None:
    snapshot = make_snapshot(files={"a.py": FileMetrics("cd" * 32, 3, 2, (3,))})
    path = save_snapshot(project, snapshot)
    assert path == snapshots_dir(project) / f"{snapshot.id}.json"
    assert load_snapshot(path) == snapshot


def test_save_refuses_to_replace_an_existing_snapshot(project: Project) -> None:
    snapshot = make_snapshot()
    path = save_snapshot(project, snapshot)
    before = path.read_bytes()
    with pytest.raises(ConflictError):
        save_snapshot(project, make_snapshot(files={"b.py": FileMetrics(None, 1, 1, ())}))
    assert path.read_bytes() == before


def test_list_is_sorted_and_ignores_other_files(project: Project) -> None:
    for minutes in (5, 1, 3):
        save_snapshot(project, make_snapshot(T0 + timedelta(minutes=minutes)))
    (snapshots_dir(project) / "notes.json").write_text("{}")
    (snapshots_dir(project) / "README.md").write_text("x")
    refs = list_snapshots(project)
    assert [ref.taken_at for ref in refs] == [T0 + timedelta(minutes=m) for m in (1, 3, 5)]


def test_no_snapshots_folder_lists_nothing(project: Project) -> None:
    assert list_snapshots(project) == []
    assert latest_snapshot(project) is None


def test_latest_and_previous(project: Project) -> None:
    taken = [make_snapshot(T0 + timedelta(minutes=m)) for m in (1, 2, 3)]
    for snapshot in taken:
        save_snapshot(project, snapshot)
    assert latest_snapshot(project) == taken[2]
    assert previous_snapshot(project, before=taken[2]) == taken[1]
    assert previous_snapshot(project, before=taken[0]) is None


def test_start_snapshot_is_the_last_at_or_before_the_plan_start(project: Project) -> None:
    taken = [make_snapshot(T0 + timedelta(minutes=m)) for m in (0, 10, 20)]
    for snapshot in taken:
        save_snapshot(project, snapshot)
    assert snapshot_at_or_before(project, T0 + timedelta(minutes=10)) == taken[1]
    assert snapshot_at_or_before(project, "2026-03-01T13:15:00+01:00") == taken[1]
    assert snapshot_at_or_before(project, "2026-03-01T12:09:59Z") == taken[0]
    assert snapshot_at_or_before(project, T0 - timedelta(seconds=1)) is None


def test_start_time_without_offset_is_refused(project: Project) -> None:
    with pytest.raises(InputError, match="no UTC offset"):
        snapshot_at_or_before(project, "2026-03-01T12:00:00")


def test_snapshot_at_a_commit_is_the_newest_taken_there(project: Project) -> None:
    one, two = "1" * 40, "2" * 40
    taken = [make_snapshot(T0, one), make_snapshot(T0 + timedelta(minutes=1), one),
             make_snapshot(T0 + timedelta(minutes=2), two)]
    for snapshot in taken:
        save_snapshot(project, snapshot)
    assert snapshot_at_or_before(project, one[:10]) == taken[1]
    assert snapshot_at_or_before(project, one[:5]) == taken[1]
    assert snapshot_at_or_before(project, "3" * 40) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": 1, "id": "x"', "not valid JSON"),
        ("[]", "should be an object"),
        ('{"schema": 99}', "schema 99"),
        ("MANGLED", "not valid JSON"),
    ],
)
def test_corrupt_snapshot_is_an_input_error_naming_the_file(
    project: Project, content: str, message: str
) -> None:
    path = save_snapshot(project, make_snapshot())
    path.write_text(content)
    with pytest.raises(InputError, match=message) as caught:
        latest_snapshot(project)
    assert caught.value.path == path


def test_snapshot_with_wrongly_typed_field_names_the_field(project: Project) -> None:
    snapshot = make_snapshot(files={"a.py": FileMetrics(None, 3, 2, (3,))})
    path = save_snapshot(project, snapshot)
    stored = json.loads(path.read_text())
    stored["files"]["a.py"]["statements"] = "three"
    path.write_text(json.dumps(stored))
    with pytest.raises(InputError, match=r"snapshot\.files\.a\.py\.statements"):
        load_snapshot(path)


def test_unreadable_snapshot_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read snapshot"):
        load_snapshot(tmp_path / "20260301T120000000Z.json")


# ------------------------------------------------------------------------ metrics lookup

FILES = {
    "src/big.py": FileMetrics(None, 90, 90, ()),
    "src/small.py": FileMetrics(None, 10, 0, tuple(range(1, 11)), 4, 1),
    "tests/test_x.py": FileMetrics(None, 20, 20, ()),
    "src/empty.py": FileMetrics(None, 0, 0, ()),
}


def lookup(**kwargs: object) -> SnapshotMetrics:
    snapshot = make_snapshot(files=FILES, has_branches=True, **kwargs)  # type: ignore[arg-type]
    return SnapshotMetrics(snapshot, {"core": ("src/big.py", "src/small.py"), "tests": ("tests/*",)})


def test_group_line_coverage_is_statement_weighted_not_a_mean_of_percents() -> None:
    assert lookup().value("line_coverage", "core") == 90.0  # the mean of 100% and 0% would be 50


def test_overall_line_coverage_counts_every_file() -> None:
    assert lookup().value("line_coverage", None) == 110 * 100 / 120


def test_coverage_with_branches_is_coverage_py_percent_statements_and_branches_together() -> None:
    # coverage.py's TOTAL: (90 + 0 + 20 covered statements + 1 covered branch) / (120 + 4)
    assert lookup().value("coverage", None) == (110 + 1) * 100 / (120 + 4)
    assert lookup().value("coverage", "core") == (90 + 1) * 100 / (100 + 4)


def test_coverage_without_branch_data_is_statement_coverage() -> None:
    metrics = SnapshotMetrics(make_snapshot(files=FILES, has_branches=False))
    assert metrics.value("coverage", None) == metrics.value("line_coverage", None) == 110 * 100 / 120


def test_folder_and_glob_selectors() -> None:
    assert lookup().value("line_coverage", "src/") == 90.0
    assert lookup().value("line_coverage", "*/small.py") == 0.0


def test_single_file_selector() -> None:
    assert lookup().value("missing", "src/small.py") == 10.0


def test_selection_without_statements_is_unmeasured_never_100() -> None:
    assert lookup().value("coverage", "src/empty.py") is None
    assert lookup().value("coverage", "nowhere/*") is None
    assert lookup().value("missing", "nowhere/*") is None


def test_branch_coverage_of_files_without_branches_is_unmeasured() -> None:
    assert lookup().value("branch_coverage", "src/big.py") is None
    assert lookup().value("branch_coverage", "core") == 25.0


def test_coverage_metrics_without_coverage_report_are_unmeasured() -> None:
    metrics = SnapshotMetrics(make_snapshot(coverage=False))
    assert metrics.value("coverage", None) is None


def test_test_metrics_come_from_totals() -> None:
    totals = TestTotals(total=10, passed=6, failed=2, errors=1, skipped=1, duration=2.5)
    metrics = lookup(tests=TestResults(totals))
    assert metrics.value("tests.failed", None) == 2.0
    assert metrics.value("tests.pass_rate", None) == 6 * 100 / 9
    assert metrics.value("tests.duration", None) == 2.5
    assert metrics.value("clusters", None) == 0.0


def test_test_metrics_without_test_report_are_unmeasured() -> None:
    assert lookup().value("tests.total", None) is None
    assert lookup().value("clusters", None) is None


def test_target_evaluated_on_snapshot_with_deltas() -> None:
    before = SnapshotMetrics(make_snapshot(files={"src/big.py": FileMetrics(None, 90, 45, ())}),
                             {"core": ("src/big.py", "src/small.py")})
    result = evaluate(parse_target("line_coverage[core] >= 95"), lookup(), previous=before)
    assert (result.status, result.value, result.delta_previous) == ("FAIL", 90.0, 40.0)
    assert result.shortfall == 5.0
