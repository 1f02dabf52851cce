"""plan close / plan verify: golden SUMMARY and VERIFICATION from a real repository and reports,
hand edits that survive a re-run, template errors and the template sandbox."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Pristine
from gitrepo import GitRepo, git_env

from planner.close import close_plan
from planner.evidence.snapshot.store import save_snapshot
from planner.measure import take_snapshot
from planner.render_check import stale_documents
from planner.scaffold import add_phase, init_project, new_plan
from planner.start import start_plan
from planner.tree.reader import load_project
from planner.verify import verify_phase

GOLDEN = Path(__file__).parent / "golden" / "documents"
REGENERATE = os.environ.get("PLANNER_REGENERATE_GOLDEN") == "1"

CORE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"


def _coverage(covered_core: list[int], missing_core: list[int]) -> str:
    def entry(executed: list[int], missing: list[int]) -> dict[str, object]:
        statements = len(executed) + len(missing)
        return {"executed_lines": executed, "missing_lines": missing, "excluded_lines": [],
                "summary": {"covered_lines": len(executed), "num_statements": statements,
                            "percent_covered": 100.0 * len(executed) / statements if statements else 100.0,
                            "missing_lines": len(missing), "excluded_lines": 0}}
    files = {"pkg/core.py": entry(covered_core, missing_core), "pkg/__init__.py": entry([], [])}
    covered = len(covered_core)
    statements = covered + len(missing_core)
    return json.dumps({
        "meta": {"format": 3, "version": "7.4.0", "timestamp": "2024-01-01T09:30:00", "branch_coverage": False,
                 "show_contexts": False},
        "files": files,
        "totals": {"covered_lines": covered, "num_statements": statements,
                   "percent_covered": 100.0 * covered / statements, "missing_lines": len(missing_core),
                   "excluded_lines": 0},
    })


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="3" time="0.05"
 timestamp="2024-01-01T09:30:00" hostname="ci">
<testcase classname="tests.test_core" name="test_add" time="0.01" />
<testcase classname="tests.test_core" name="test_sub" time="0.01" />
<testcase classname="tests.test_core" name="test_mul" time="0.01">\
<failure message="assert 6 == 7">E   assert 6 == 7</failure></testcase>
</testsuite></testsuites>
"""


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def at(minute: int) -> datetime:
    return datetime(2024, 1, 1, 9, minute, tzinfo=UTC)


@pytest.fixture
def project_repo(pristine: Pristine, tmp_path: Path) -> tuple[Path, GitRepo]:
    """A repository with one phase (goal targets) and one plan, started, with two commits and a snapshot."""
    root = pristine.copy(build_project_repo, tmp_path / "proj")
    return root, GitRepo.open(root)


def build_project_repo(path: Path) -> None:
    repo = GitRepo.create(path)
    # Planning files stay out of history here so commit hashes (and the golden files) do not
    # depend on the dates planner writes into STATE.md.
    repo.write(".gitignore", ".planning/\nreports/\n")
    repo.commit("chore: package", {"pkg/__init__.py": "", "pkg/core.py": "def add(a, b):\n    return a + b\n"},
                when=at(0))
    root = repo.path
    init_project(root)
    add_phase(load_project(root), "Core", goal="Core arithmetic is tested",
              targets=["coverage >= 80", "tests.failed == 0"])
    new_plan(load_project(root), "1", title="Arithmetic", targets=["coverage[pkg/core.py] >= 50", "tests.failed == 0"])
    start_plan(load_project(root), "01-01", now=at(1))
    repo.commit("feat(01-01): subtract", {"pkg/core.py": CORE.split("\n\n\ndef mul")[0] + "\n"}, when=at(5))
    repo.commit("feat(01-01): multiply\n\nPlan: 01-01", {"pkg/core.py": CORE, "tests/test_core.py": "# tests\n"},
                when=at(20))
    reports = root / "reports"
    reports.mkdir()
    (reports / "coverage.json").write_text(_coverage([1, 2, 5, 6, 9], [10]), encoding="utf-8")
    (reports / "junit.xml").write_text(JUNIT, encoding="utf-8")
    project = load_project(root)
    save_snapshot(project, take_snapshot(project, reports / "coverage.json", reports / "junit.xml", now=at(30)))


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not REGENERATE:
            pytest.fail(f"golden file {path} was missing and has been written; run again")
    assert text == path.read_text(encoding="utf-8")


def test_summary_matches_golden(project_repo: tuple[Path, GitRepo]) -> None:
    root, _ = project_repo
    result = close_plan(load_project(root), "01-01", now=at(40))
    _golden("01-01-SUMMARY.md", result.summary.path.read_text(encoding="utf-8"))


def test_verification_matches_golden(project_repo: tuple[Path, GitRepo]) -> None:
    root, _ = project_repo
    close_plan(load_project(root), "01-01", now=at(40))
    result = verify_phase(load_project(root), "1", now=at(45))
    _golden("01-VERIFICATION.md", result.document.path.read_text(encoding="utf-8"))


def test_summary_status_is_derived_from_targets(project_repo: tuple[Path, GitRepo]) -> None:
    root, _ = project_repo
    result = close_plan(load_project(root), "01-01", now=at(40))
    assert result.facts.status == "TARGETS MISSED"
    assert "tests.failed == 0 (1, short by 1)" in result.facts.outcome
    plan = load_project(root).phases[0].plans[0]
    # executed, so closed; that its target was missed is a separate claim, and a gap of the phase
    assert (plan.status, plan.outcome) == ("complete", "missed")


def test_summary_lists_real_commits_and_created_files(project_repo: tuple[Path, GitRepo]) -> None:
    root, repo = project_repo
    result = close_plan(load_project(root), "01-01", now=at(40))
    git = result.facts.git
    assert [commit.subject for commit in git.commits] == ["feat(01-01): subtract", "feat(01-01): multiply"]
    assert git.created == ("tests/test_core.py",)
    assert git.modified == ("pkg/core.py",)  # it existed before the plan's first commit
    assert git.commits[-1].hash == repo.head()
    assert result.facts.self_check.passed


def test_hand_edits_outside_regions_survive_a_second_close(project_repo: tuple[Path, GitRepo]) -> None:
    root, repo = project_repo
    path = close_plan(load_project(root), "01-01", now=at(40)).summary.path
    text = path.read_text(encoding="utf-8")
    text = text.replace("(For people: decisions taken during this plan and why.)",
                        "We chose plain functions over a class: simpler to test.")
    text = text.replace("reviewer: null\n", "")
    text = text.replace("---\n\n# Phase", "reviewer: Ada\n---\n\nA note written by a person.\n\n# Phase", 1)
    path.write_text(text, encoding="utf-8")
    repo.commit("fix(01-01): divide", {"pkg/core.py": CORE + "\n\ndef div(a, b):\n    return a / b\n"}, when=at(50))
    close_plan(load_project(root), "01-01", now=at(55))
    after = path.read_text(encoding="utf-8")
    assert "We chose plain functions over a class: simpler to test." in after
    assert "A note written by a person." in after
    assert "reviewer: Ada" in after
    assert "fix(01-01): divide" in after  # the generated regions were refreshed


def test_close_refuses_to_replace_a_hand_written_summary(project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = project_repo
    summary = root / ".planning" / "phases" / "01-core" / "01-01-SUMMARY.md"
    summary.write_text("# My own summary\n\nWritten by hand.\n", encoding="utf-8")
    result = cli("close", "01-01", "--root", str(root))
    assert result.exit_code == 2
    assert "01-01-SUMMARY.md" in result.stderr and "will not replace" in result.stderr
    assert summary.read_text(encoding="utf-8") == "# My own summary\n\nWritten by hand.\n"


def test_dry_run_and_diff_write_nothing(project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = project_repo
    summary = root / ".planning" / "phases" / "01-core" / "01-01-SUMMARY.md"
    dry = cli("close", "01-01", "--dry-run", "--root", str(root))
    assert dry.exit_code == 0 and "## Task Commits" in dry.stdout
    diff = cli("close", "01-01", "--diff", "--root", str(root))
    assert diff.exit_code == 0 and diff.stdout.startswith("--- a/.planning/phases/01-core/01-01-SUMMARY.md")
    assert not summary.exists()


def test_render_check_finds_a_stale_summary(project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    root, repo = project_repo
    close_plan(load_project(root), "01-01", now=at(40))
    verify_phase(load_project(root), "1", now=at(45))
    assert stale_documents(load_project(root))[0] == []
    assert cli("render", "--check", "--root", str(root)).exit_code == 0
    repo.commit("feat(01-01): one more", {"pkg/extra.py": "X = 1\n"}, when=at(59))
    result = cli("render", "--check", "--root", str(root))
    assert result.exit_code == 1
    assert "+3. `" in result.stdout and "feat(01-01): one more" in result.stdout


def test_verify_opens_gaps_then_closes_them_with_the_closing_plan(project_repo: tuple[Path, GitRepo]) -> None:
    root, _repo = project_repo
    first = verify_phase(load_project(root), "1", now=at(45))
    assert first.status == "gaps_found"
    target_gap = next(g for g in first.facts.gaps if g.source == "tests.failed == 0")
    new_plan(load_project(root), "1", title="Fix mul", gap=True, closes=[target_gap.id])
    project = load_project(root)
    passing = JUNIT.replace('<failure message="assert 6 == 7">E   assert 6 == 7</failure>', "").replace(
        'failures="1"', 'failures="0"')
    (root / "reports" / "junit.xml").write_text(passing, encoding="utf-8")
    (root / "reports" / "coverage.json").write_text(_coverage([1, 2, 5, 6, 9, 10], []), encoding="utf-8")
    save_snapshot(project, take_snapshot(project, root / "reports" / "coverage.json", root / "reports" / "junit.xml",
                                         now=at(50)))
    second = verify_phase(load_project(root), "1", now=at(55))
    gaps = {gap.id: gap for gap in second.facts.gaps}
    assert gaps[target_gap.id].status == "closed"
    assert gaps[target_gap.id].closed_by == ("01-GAP-01",)
    assert second.status == "passed"
    assert second.facts.re_verification is True


def test_broken_project_template_exits_2_naming_template_and_line(project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = project_repo
    templates = root / ".planning" / "templates"
    templates.mkdir()
    (templates / "summary.md.j2").write_text("# {{ plan.title }}\n\n{% if outcome %}\nno end\n", encoding="utf-8")
    result = cli("close", "01-01", "--root", str(root))
    assert result.exit_code == 2
    assert ".planning/templates/summary.md.j2:" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__.__mro__ }}",
    "{{ plan.__class__ }}",
    "{{ plan.items() }}",
    "{{ plan.title.upper() }}",
    "{{ tags.append(1) }}",
    "{{ range(3) }}",
    "{{ lipsum() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../../../etc/passwd' %}",
    "{{ self._TemplateReference__context }}",
])
def test_a_template_cannot_reach_files_environment_or_methods(project_repo: tuple[Path, GitRepo], cli,  # type: ignore[no-untyped-def]
                                                              attack: str) -> None:
    root, _ = project_repo
    templates = root / ".planning" / "templates"
    templates.mkdir()
    (templates / "summary.md.j2").write_text(f"# title\n\n{attack}\n", encoding="utf-8")
    result = cli("close", "01-01", "--dry-run", "--root", str(root))
    assert result.exit_code == 2, result.stdout
    assert "root:" not in result.stdout and "object" not in result.stdout
    assert "summary.md.j2" in result.stderr


def test_template_context_is_plain_data() -> None:
    from planner.render import plain

    with pytest.raises(TypeError):
        plain({"path": Path("/etc/passwd")})
    assert plain({"a": (1, "x", None)}) == {"a": [1, "x", None]}


def test_typed_facts_become_plain_dicts_keyed_as_templates_read_them() -> None:
    from dataclasses import dataclass, field

    from planner.render import PLAIN_KEY, plain, plain_record

    @dataclass(frozen=True, slots=True)
    class Row:
        number: str = field(metadata={PLAIN_KEY: "#"})
        files: tuple[str, ...]

    @dataclass(frozen=True, slots=True)
    class Table:
        rows: tuple[Row, ...]
        note: str | None

    assert plain_record(Table((Row("1", ("a.py",)),), None)) == {"rows": [{"#": "1", "files": ["a.py"]}], "note": None}
    assert list(plain_record(Row("1", ()))) == ["#", "files"]  # the fields' order
    with pytest.raises(TypeError):
        plain(Table((), Path("/etc/passwd")))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        plain_record(("not", "a", "record"))


def test_a_project_template_edited_between_two_renders_of_one_process_is_read_again(tmp_path: Path) -> None:
    """A process keeps one Jinja environment per planning folder (templates compile once per
    command): a template changed meanwhile, by one byte, is still what renders."""
    from planner.render import render

    planning = tmp_path / ".planning"
    template = planning / "templates" / "note.md.j2"
    template.parent.mkdir(parents=True)
    template.write_text("A {{ value }}\n", encoding="utf-8")
    assert render("note.md.j2", {"value": 1}, planning_dir=planning) == "A 1\n"
    template.write_text("B {{ value }}\n", encoding="utf-8")
    assert render("note.md.j2", {"value": 1}, planning_dir=planning) == "B 1\n"


def test_committing_the_summary_does_not_make_it_stale(project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    root, repo = project_repo
    close_plan(load_project(root), "01-01", now=at(40))
    repo.git("add", "-f", ".planning/phases/01-core/01-01-SUMMARY.md")  # .planning/ is ignored here
    stamp = at(41).isoformat()
    repo.git("commit", "-q", "-m", "docs(01-01): summary", env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    assert cli("render", "--check", "--root", str(root)).exit_code == 0
    later = close_plan(load_project(root), "01-01", now=at(50))  # nothing new: the same document
    assert later.unchanged and not later.written
    assert "docs(01-01): summary" not in [c.subject for c in later.facts.git.commits]


def test_bookkeeping_in_the_second_of_completion_counts_unless_it_records_the_summary(
        project_repo: tuple[Path, GitRepo], cli) -> None:  # type: ignore[no-untyped-def]
    # git keeps whole seconds: a start commit and the SUMMARY's own commit may share the second of
    # completion with it, and only the one that records the SUMMARY came after
    root, repo = project_repo
    stamp = at(40).isoformat()
    dated = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    repo.git("add", "-f", ".planning/STATE.md")
    repo.git("commit", "-q", "-m", "docs(01-01): state", env=dated)
    first = close_plan(load_project(root), "01-01", now=at(40) + timedelta(milliseconds=600))
    assert [row.subject for row in first.facts.git.bookkeeping] == ["docs(01-01): state"]
    repo.git("add", "-f", ".planning/phases/01-core/01-01-SUMMARY.md")
    repo.git("commit", "-q", "-m", "docs(01-01): summary", env=dated)
    assert cli("render", "--check", "--root", str(root)).exit_code == 0
    again = close_plan(load_project(root), "01-01", now=at(50))
    assert again.unchanged
    assert [row.subject for row in again.facts.git.bookkeeping] == ["docs(01-01): state"]


def test_a_plan_in_the_next_phase_that_closes_a_gap_is_credited(project_repo: tuple[Path, GitRepo]) -> None:
    root, _ = project_repo
    first = verify_phase(load_project(root), "1", now=at(45))
    target_gap = next(g for g in first.facts.gaps if g.source == "tests.failed == 0")
    add_phase(load_project(root), "Follow-up")
    new_plan(load_project(root), "2", title="Fix mul", closes=[target_gap.id])  # as handoff --scaffold does
    project = load_project(root)
    passing = JUNIT.replace('<failure message="assert 6 == 7">E   assert 6 == 7</failure>', "").replace(
        'failures="1"', 'failures="0"')
    (root / "reports" / "junit.xml").write_text(passing, encoding="utf-8")
    save_snapshot(project, take_snapshot(project, root / "reports" / "coverage.json", root / "reports" / "junit.xml",
                                         now=at(50)))
    second = verify_phase(load_project(root), "1", now=at(55))
    closed = next(g for g in second.facts.gaps if g.id == target_gap.id)
    assert (closed.status, closed.closed_by) == ("closed", ("02-01",))
