"""plan verify: gaps open, partially close, close and stay closed; must-haves judged inside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import git_env
from usecase_repo import at, make_project, measure

from planner.close import close_plan
from planner.start import start_plan
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project
from planner.verify import verify_phase


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def _gap(result_context: dict[str, object], source: str) -> dict[str, object]:
    gaps = result_context["gaps"]
    assert isinstance(gaps, list)
    return next(gap for gap in gaps if gap["source"] == source)


def _close_plan_between(root: Path, start_minute: int, close_minute: int) -> None:
    start_plan(load_project(root), "01-01", now=at(start_minute))
    close_plan(load_project(root), "01-01", now=at(close_minute))


def test_a_missed_target_opens_a_gap(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    result = verify_phase(load_project(root), "1", now=at(11))
    assert result.status == "gaps_found"
    gap = _gap(result.context, "coverage >= 90")
    assert (gap["status"], gap["closed_by"]) == ("open", [])
    written = read_document(root / ".planning" / "phases" / "01-core" / "01-VERIFICATION.md").meta
    assert [g["id"] for g in written["gaps"]] == [gap["id"]]


def test_a_gap_that_improved_but_still_misses_is_partial_and_credits_the_plan(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    first = _gap(verify_phase(load_project(root), "1", now=at(11)).context, "coverage >= 90")
    _close_plan_between(root, 12, 20)
    measure(root, covered=8, statements=10, failed=0, minute=21)
    second = verify_phase(load_project(root), "1", now=at(22))
    gap = _gap(second.context, "coverage >= 90")
    assert gap["id"] == first["id"]
    assert (gap["status"], gap["closed_by"]) == ("partial", ["01-01"])
    assert second.status == "gaps_found"


def test_a_gap_that_does_not_improve_stays_open(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    verify_phase(load_project(root), "1", now=at(11))
    measure(root, covered=4, statements=10, failed=0, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).context, "coverage >= 90")
    assert gap["status"] == "open"


def test_a_closed_gap_stays_closed_and_keeps_its_closing_plan(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=1, minute=10)
    opened = _gap(verify_phase(load_project(root), "1", now=at(11)).context, "tests.failed == 0")
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=0, minute=21)
    closed = verify_phase(load_project(root), "1", now=at(22))
    assert closed.status == "passed"
    gap = _gap(closed.context, "tests.failed == 0")
    assert (gap["id"], gap["status"], gap["closed_by"]) == (opened["id"], "closed", ["01-01"])
    measure(root, covered=5, statements=10, failed=0, minute=30)
    again = verify_phase(load_project(root), "1", now=at(31))
    kept = _gap(again.context, "tests.failed == 0")
    assert (kept["status"], kept["closed_by"]) == ("closed", ["01-01"])
    assert again.status == "passed"


def test_a_passing_target_with_no_history_opens_no_gap(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    result = verify_phase(load_project(root), "1", now=at(11))
    assert (result.status, result.context["gaps"]) == ("passed", [])


def _add_must_haves(root: Path, must_haves: dict[str, object]) -> None:
    plan = root / ".planning" / "phases" / "01-core" / "01-01-PLAN.md"
    plan.write_text(set_keys(plan.read_text(encoding="utf-8"), {"must_haves": must_haves}, path=plan),
                    encoding="utf-8")


def test_verify_judges_the_plans_must_haves_and_opens_a_gap_for_a_missing_artifact(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    _add_must_haves(root, {"artifacts": [{"path": "pkg/core.py", "provides": "arithmetic"},
                                         {"path": "pkg/missing.py", "provides": "division"}],
                           "truths": ["pkg/core.py contains 'def sub'"]})
    measure(root, covered=5, statements=10, failed=0, minute=10)
    result = verify_phase(load_project(root), "1", now=at(11))
    rows = result.context["must_haves"]
    assert isinstance(rows, dict)
    assert [(row["artifact"], row["status"]) for row in rows["artifacts"]] == [
        ("pkg/core.py", "EXISTS + SUBSTANTIVE"), ("pkg/missing.py", "MISSING")]
    assert [row["status"] for row in rows["truths"]] == ["VERIFIED"]
    assert result.context["score"] == "2/3 must-haves verified"
    assert [gap["kind"] for gap in result.context["gaps"]] == ["musthave"]
    assert result.status == "gaps_found"


def test_a_must_have_gap_closes_when_the_artifact_appears(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    _add_must_haves(root, {"artifacts": [{"path": "pkg/div.py", "provides": "division"}]})
    measure(root, covered=5, statements=10, failed=0, minute=10)
    first = verify_phase(load_project(root), "1", now=at(11))
    (opened,) = first.context["gaps"]
    repo.commit("feat(01-01): divide", {"pkg/div.py": "def div(a, b):\n    return a / b\n"}, when=at(15))
    second = verify_phase(load_project(root), "1", now=at(16))
    (closed,) = second.context["gaps"]
    assert (closed["id"], closed["status"]) == (opened["id"], "closed")
    assert second.status == "passed"


def test_a_target_where_lower_is_better_that_improved_but_still_misses_is_partial(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=3, minute=10)
    first = _gap(verify_phase(load_project(root), "1", now=at(11)).context, "tests.failed == 0")
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=1, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).context, "tests.failed == 0")
    assert (gap["id"], gap["status"], gap["closed_by"], gap["value"]) == (first["id"], "partial", ["01-01"], "1")


def test_a_target_that_moved_away_from_its_threshold_stays_open(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=1, minute=10)
    verify_phase(load_project(root), "1", now=at(11))
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=2, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).context, "tests.failed == 0")
    assert (gap["status"], gap["closed_by"]) == ("open", [])
