"""plan verify: gaps open, partially close, close and stay closed; must-haves judged inside it.

Through the library (`planner.verify_phase`, fixed times) and through `plan verify` (the real clock).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliRunner
from gitrepo import git_env
from usecase_repo import at, make_project, measure, write_reports

from planner import close_plan, load_project, start_plan, verify_phase
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document
from planner.verify.types import VerificationFacts, VerificationGap

VERIFICATION = Path(".planning") / "phases" / "01-core" / "01-VERIFICATION.md"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def _gap(facts: VerificationFacts, source: str) -> VerificationGap:
    return next(gap for gap in facts.gaps if gap.source == source)


def _close_plan_between(root: Path, start_minute: int, close_minute: int) -> None:
    start_plan(load_project(root), "01-01", now=at(start_minute))
    close_plan(load_project(root), "01-01", now=at(close_minute))


def test_a_missed_target_opens_a_gap(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    result = verify_phase(load_project(root), "1", now=at(11))
    assert result.status == "gaps_found"
    gap = _gap(result.facts, "coverage >= 90")
    assert (gap.status, gap.closed_by) == ("open", ())
    written = read_document(root / ".planning" / "phases" / "01-core" / "01-VERIFICATION.md").meta
    assert [g["id"] for g in written["gaps"]] == [gap.id]


def test_a_gap_that_improved_but_still_misses_is_partial_and_credits_the_plan(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    first = _gap(verify_phase(load_project(root), "1", now=at(11)).facts, "coverage >= 90")
    _close_plan_between(root, 12, 20)
    measure(root, covered=8, statements=10, failed=0, minute=21)
    second = verify_phase(load_project(root), "1", now=at(22))
    gap = _gap(second.facts, "coverage >= 90")
    assert gap.id == first.id
    assert (gap.status, gap.closed_by) == ("partial", ("01-01",))
    assert second.status == "gaps_found"


def test_a_gap_that_does_not_improve_stays_open(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    verify_phase(load_project(root), "1", now=at(11))
    measure(root, covered=4, statements=10, failed=0, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).facts, "coverage >= 90")
    assert gap.status == "open"


def test_a_closed_gap_stays_closed_and_keeps_its_closing_plan(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=1, minute=10)
    opened = _gap(verify_phase(load_project(root), "1", now=at(11)).facts, "tests.failed == 0")
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=0, minute=21)
    closed = verify_phase(load_project(root), "1", now=at(22))
    assert closed.status == "passed"
    gap = _gap(closed.facts, "tests.failed == 0")
    assert (gap.id, gap.status, gap.closed_by) == (opened.id, "closed", ("01-01",))
    measure(root, covered=5, statements=10, failed=0, minute=30)
    again = verify_phase(load_project(root), "1", now=at(31))
    kept = _gap(again.facts, "tests.failed == 0")
    assert (kept.status, kept.closed_by) == ("closed", ("01-01",))
    assert again.status == "passed"


def test_a_passing_target_with_no_history_opens_no_gap(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    result = verify_phase(load_project(root), "1", now=at(11))
    assert (result.status, result.facts.gaps) == ("passed", ())


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
    rows = result.facts.must_haves
    assert [(row.artifact, row.status) for row in rows.artifacts] == [
        ("pkg/core.py", "EXISTS + SUBSTANTIVE"), ("pkg/missing.py", "MISSING")]
    assert [row.status for row in rows.truths] == ["VERIFIED"]
    assert result.facts.score == "2/3 must-haves verified"
    assert [gap.kind for gap in result.facts.gaps] == ["musthave"]
    assert result.status == "gaps_found"


def test_a_must_have_gap_closes_when_the_artifact_appears(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    _add_must_haves(root, {"artifacts": [{"path": "pkg/div.py", "provides": "division"}]})
    measure(root, covered=5, statements=10, failed=0, minute=10)
    first = verify_phase(load_project(root), "1", now=at(11))
    (opened,) = first.facts.gaps
    repo.commit("feat(01-01): divide", {"pkg/div.py": "def div(a, b):\n    return a / b\n"}, when=at(15))
    second = verify_phase(load_project(root), "1", now=at(16))
    (closed,) = second.facts.gaps
    assert (closed.id, closed.status) == (opened.id, "closed")
    assert second.status == "passed"


def test_a_target_where_lower_is_better_that_improved_but_still_misses_is_partial(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=3, minute=10)
    first = _gap(verify_phase(load_project(root), "1", now=at(11)).facts, "tests.failed == 0")
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=1, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).facts, "tests.failed == 0")
    assert (gap.id, gap.status, gap.closed_by, gap.value) == (first.id, "partial", ("01-01",), "1")


def test_a_target_that_moved_away_from_its_threshold_stays_open(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["tests.failed == 0"])
    measure(root, covered=5, statements=10, failed=1, minute=10)
    verify_phase(load_project(root), "1", now=at(11))
    _close_plan_between(root, 12, 20)
    measure(root, covered=5, statements=10, failed=2, minute=21)
    gap = _gap(verify_phase(load_project(root), "1", now=at(22)).facts, "tests.failed == 0")
    assert (gap.status, gap.closed_by) == ("open", ())


def test_a_closed_gap_whose_target_fails_again_reopens_without_a_closing_plan(tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    measure(root, covered=5, statements=10, failed=0, minute=10)
    opened = _gap(verify_phase(load_project(root), "1", now=at(11)).facts, "coverage >= 90")
    _close_plan_between(root, 12, 20)
    measure(root, covered=10, statements=10, failed=0, minute=21)
    assert _gap(verify_phase(load_project(root), "1", now=at(22)).facts, "coverage >= 90").status == "closed"
    measure(root, covered=8, statements=10, failed=0, minute=30)  # 80%: nearer 90 than the 100% that closed it
    result = verify_phase(load_project(root), "1", now=at(31))
    gap = _gap(result.facts, "coverage >= 90")
    assert (gap.id, gap.status, gap.closed_by) == (opened.id, "open", ())
    assert result.status == "gaps_found"


def _must_haves_of_every_kind(root: Path) -> None:
    _add_must_haves(root, {
        "artifacts": [{"path": "pkg/core.py", "provides": "arithmetic"},
                      {"path": "pkg/div.py", "provides": "division"}],
        "key_links": [{"from": "pkg/core.py", "to": "sub", "via": "def", "pattern": "def sub"},
                      {"from": "pkg/core.py", "to": "mul", "via": "def", "pattern": "def mul"}],
        "truths": ["pkg/core.py contains 'def add'", "pkg/core.py contains 'def div'", "The arithmetic reads well"],
    })


def test_the_verification_judges_artifacts_key_links_and_truths_and_opens_a_gap_for_each_failure(
        tmp_path: Path) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 50"])
    _must_haves_of_every_kind(root)
    measure(root, covered=5, statements=10, failed=0, minute=10)
    verify_phase(load_project(root), "1", now=at(11))
    document = read_document(root / VERIFICATION)
    # "NEEDS A PERSON" is neither verified nor a gap: 3 of 7 verified, 3 failures
    assert document.meta["score"] == "3/7 must-haves verified"
    assert document.meta["status"] == "gaps_found"
    assert sorted(gap["truth"] for gap in document.meta["gaps"] if gap["kind"] == "musthave") == [
        "pkg/core.py contains 'def div' (pkg/core.py does not contain 'def div')",
        "pkg/core.py is wired to mul via def (NOT WIRED: pattern not found in pkg/core.py)",
        "pkg/div.py provides division (MISSING: pkg/div.py is not in p)",
    ]
    rows = [line for line in document.body.splitlines() if line.startswith("| 01-01 |")]
    assert rows == [
        "| 01-01 | 1 | pkg/core.py contains 'def add' | VERIFIED | pkg/core.py:1 |",
        "| 01-01 | 2 | pkg/core.py contains 'def div' | FAILED | pkg/core.py does not contain 'def div' |",
        "| 01-01 | 3 | The arithmetic reads well | NEEDS A PERSON | not of the form FILE contains 'TEXT' |",
        "| 01-01 | `pkg/core.py` | arithmetic | EXISTS + SUBSTANTIVE | pkg/core.py exists |",
        "| 01-01 | `pkg/div.py` | division | MISSING | pkg/div.py is not in p |",
        "| 01-01 | `pkg/core.py` | sub | def | WIRED | `def sub` at pkg/core.py:5 |",
        "| 01-01 | `pkg/core.py` | mul | def | NOT WIRED | pattern not found in pkg/core.py |",
    ]
    sections = [line for line in document.body.splitlines() if line.startswith("### ")]
    assert sections == ["### Observable Truths", "### Required Artifacts", "### Key Link Verification"]


def test_must_have_gaps_close_when_the_work_lands_and_the_phase_passes(tmp_path: Path) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 50"])
    _must_haves_of_every_kind(root)
    measure(root, covered=5, statements=10, failed=0, minute=10)
    opened = {gap.id for gap in verify_phase(load_project(root), "1", now=at(11)).facts.gaps}
    repo.commit("feat(01-01): multiply and divide", {
        "pkg/core.py": CORE_WITH_MUL_AND_DIV, "pkg/div.py": "from pkg.core import div\n"}, when=at(15))
    result = verify_phase(load_project(root), "1", now=at(16))
    assert {gap.id: gap.status for gap in result.facts.gaps} == dict.fromkeys(opened, "closed")
    assert (result.status, result.facts.score) == ("passed", "6/7 must-haves verified")


CORE_WITH_MUL_AND_DIV = ("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n\n\n"
                         "def mul(a, b):\n    return a * b\n\n\ndef div(a, b):\n    return a / b\n")


# --- through the CLI ------------------------------------------------------------------------------


def _verify_json(cli: CliRunner, root: Path) -> dict[str, object]:
    result = cli("verify", "1", "--json", "--root", str(root))
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _work_on_the_plan(cli: CliRunner, root: Path, repo: object, covered: int, failed: int) -> None:
    """plan start, a commit of the plan's work, plan measure, plan close: one plan's cycle."""
    assert cli("start", "01-01", "--root", str(root)).exit_code == 0
    repo.commit("feat(01-01): multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"})  # type: ignore[attr-defined]
    assert cli("measure", *write_reports(root, covered, 10, failed), "--root", str(root)).exit_code == 0
    assert cli("close", "01-01", "--root", str(root)).exit_code == 0


def test_plan_verify_writes_the_verification_and_says_how_many_gaps_remain(tmp_path: Path, cli: CliRunner) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90", "tests.failed == 0"])
    assert cli("measure", *write_reports(root, 5, 10, 1), "--root", str(root)).exit_code == 0
    result = cli("verify", "1", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {VERIFICATION.as_posix()}",
                                          "status: gaps_found (3 open or partial gap(s))"]
    meta = read_document(root / VERIFICATION).meta
    assert (meta["status"], meta["targets_met"], meta["gap_closure_status"]["open"]) == ("gaps_found", "0/2", "3")


def test_plan_verify_dry_run_prints_the_document_and_writes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    root, _ = make_project(tmp_path / "p", ["coverage >= 90"])
    assert cli("measure", *write_reports(root, 5, 10, 0), "--root", str(root)).exit_code == 0
    result = cli("verify", "1", "--dry-run", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "status: gaps_found" in result.stdout and "# Phase 01: Core Verification" in result.stdout
    assert not (root / VERIFICATION).exists()


def test_plan_verify_credits_the_plan_that_partly_closed_a_gap(tmp_path: Path, cli: CliRunner) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 90"])
    assert cli("measure", *write_reports(root, 5, 10, 0), "--root", str(root)).exit_code == 0
    (opened,) = _verify_json(cli, root)["facts"]["gaps"]  # type: ignore[index]
    _work_on_the_plan(cli, root, repo, covered=8, failed=0)
    (gap,) = _verify_json(cli, root)["facts"]["gaps"]  # type: ignore[index]
    assert (gap["id"], gap["status"], gap["closed_by"], gap["value"]) == (opened["id"], "partial", ["01-01"], "80.00%")
    meta = read_document(root / VERIFICATION).meta
    assert meta["gap_closure_status"] == {"open": "0", "partial": "1", "closed": "0",
                                          "closed_by": {opened["id"]: ["01-01"]}}
    assert f"| {opened['id']} | target | coverage >= 90: 80.00%, short by 10.00% | partial | 01-01 |" in read_document(
        root / VERIFICATION).body


def test_plan_verify_keeps_a_closed_gap_closed_while_later_evidence_still_meets_it(
        tmp_path: Path, cli: CliRunner) -> None:
    root, repo = make_project(tmp_path / "p", ["coverage >= 90"])
    assert cli("measure", *write_reports(root, 5, 10, 0), "--root", str(root)).exit_code == 0
    (opened,) = _verify_json(cli, root)["facts"]["gaps"]  # type: ignore[index]
    _work_on_the_plan(cli, root, repo, covered=9, failed=0)
    (closed,) = _verify_json(cli, root)["facts"]["gaps"]  # type: ignore[index]
    assert (closed["id"], closed["status"], closed["closed_by"]) == (opened["id"], "closed", ["01-01"])
    for covered in (10, 9):  # later snapshots, better and then back to the closing value: still met
        assert cli("measure", *write_reports(root, covered, 10, 0), "--root", str(root)).exit_code == 0
        document = _verify_json(cli, root)
        (kept,) = document["facts"]["gaps"]  # type: ignore[index]
        assert (document["status"], kept["status"], kept["closed_by"]) == ("passed", "closed", ["01-01"])
    meta = read_document(root / VERIFICATION).meta
    assert (meta["status"], meta["re_verification"], meta["gap_closure_status"]["closed"]) == ("passed", "true", "1")
