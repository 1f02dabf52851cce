"""Failure clusters: failing tests grouped by a normalised error signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.evidence.clusters import cluster_failures, mask_message, signature
from planner.evidence.reports import TestCase, read_junit
from planner.evidence.reports.types import Outcome

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
TABLES = ["users", "orders", "invoices", "sessions", "api_keys", "teams", "tags", "notes", "audit"]


def _failed(
    test_id: str,
    message: str,
    error_type: str | None = "IntegrityError",
    outcome: Outcome = "failed",
    file: str | None = "tests/test_db.py",
) -> TestCase:
    return TestCase(
        id=test_id,
        suite="s",
        classname="c",
        name=test_id,
        file=file,
        outcome=outcome,
        message=message,
        error_type=error_type,
    )


def _integrity_failures(count: int) -> list[TestCase]:
    return [
        _failed(
            f"tests/test_db.py::test_{i:02d}",
            f"sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint "
            f"failed: {TABLES[i % len(TABLES)]}.id_{i}",
        )
        for i in range(count)
    ]


def test_unique_constraint_failures_on_different_tables_are_one_cluster() -> None:
    clusters = cluster_failures(_integrity_failures(27))
    assert len(clusters) == 1
    assert clusters[0].count == 27
    assert clusters[0].signature == "IntegrityError: (<name>) UNIQUE constraint failed: <name>"


def test_cluster_lists_all_ids_sorted_and_three_examples() -> None:
    cluster = cluster_failures(reversed(_integrity_failures(5)))[0]
    assert cluster.test_ids == tuple(sorted(cluster.test_ids)) and len(cluster.test_ids) == 5
    assert cluster.example_ids == cluster.test_ids[:3]
    assert cluster.files == ("tests/test_db.py",)


def test_clusters_sorted_by_count_then_signature() -> None:
    cases = [
        *_integrity_failures(3),
        _failed("t::b", "boom 1", "ValueError"),
        _failed("t::a", "at 0x7f3a2b9c", "KeyError"),
    ]
    assert [(c.count, c.error_type) for c in cluster_failures(cases)] == [
        (3, "IntegrityError"),
        (1, "KeyError"),
        (1, "ValueError"),
    ]


def test_passed_and_skipped_cases_are_not_clustered() -> None:
    cases = [_failed("t::a", "x", outcome="passed"), _failed("t::b", "x", outcome="skipped")]
    assert cluster_failures(cases) == []


def test_errors_and_failures_with_one_signature_share_a_cluster() -> None:
    cases = [
        _failed("t::a", "boom 3", "RuntimeError", "error"),
        _failed("t::b", "boom 4", "RuntimeError", "failed"),
    ]
    assert cluster_failures(cases)[0].count == 2


def test_pytest_setup_wrapper_is_unwrapped() -> None:
    case = _failed(
        "t::a",
        'failed on setup with "RuntimeError: fixture setup exploded"',
        "RuntimeError",
        "error",
    )
    assert signature(case) == "RuntimeError: fixture setup exploded"


def test_generic_go_message_falls_back_to_details(tmp_path: Path) -> None:
    clusters = cluster_failures(read_junit(FIXTURES / "junit-go.xml", tmp_path))
    assert len(clusters) == 1 and clusters[0].count == 2
    assert clusters[0].signature == "Failure: <path>: expected <n> items, got <n>"


def test_jest_failures_cluster_by_message(tmp_path: Path) -> None:
    clusters = cluster_failures(read_junit(FIXTURES / "junit-jest.xml", tmp_path))
    assert {c.error_type for c in clusters} == {"Error", "TypeError"}


def test_shared_sample_clusters_are_deterministic(tmp_path: Path) -> None:
    sample = SAMPLES / "junit.xml"
    if not sample.exists():
        pytest.skip("../shared/samples/junit.xml not present: shared samples are not checked out")
    report = read_junit(sample, tmp_path)
    clusters = cluster_failures(report)
    assert clusters == cluster_failures(report)
    assert [c.signature for c in clusters] == [
        "AssertionError: assert <str> == <str>",
        "RuntimeError: fixture setup exploded",
        "RuntimeError: teardown exploded",
        "XPASS(strict): strict xpass",
    ]


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("<Foo object at 0x7f3a2b9c10>", "<Foo object at <addr>>"),
        ("user 3f2504e0-4f89-11d3-9a0c-0305e82c3301 missing", "user <uuid> missing"),
        ("No such file: /tmp/pytest-12/x.py:12", "No such file: <path>"),
        ("expected 3, got -4.5", "expected <n>, got <n>"),
        ("KeyError: 'user_id'", "KeyError: <str>"),
        ("commit deadbeef0123 not found", "commit <hex> not found"),
        ("timeout   after\n  30s", "timeout after <n>s"),
    ],
)
def test_mask_message_hides_what_varies(message: str, masked: str) -> None:
    assert mask_message(message) == masked


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_messages_differing_only_in_numbers_share_a_signature(a: int, b: int) -> None:
    assert mask_message(f"row {a} of table t failed") == mask_message(f"row {b} of table t failed")


@given(st.text(max_size=300))
def test_mask_message_is_total_and_idempotent(message: str) -> None:
    once = mask_message(message)
    assert len(once) <= 200
    assert mask_message(once) == mask_message(mask_message(once))
