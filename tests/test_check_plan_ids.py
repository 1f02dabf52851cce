"""Plan ids as people write them, everywhere `plan check` reads one: a slug may hold digits
(`04-90-percent-target-02` is plan 04-02), a phase name may end in one (`311-coverage-wave-4` is a
phase, not plan 311-04)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gitrepo import GitRepo

from planner.check import run_checks
from planner.ids import plan_key
from planner.tree.reader import load_project

TARGET = "04-90-percent-target"


def plan_text(phase: str, part: str, extra: str = "") -> str:
    return f"---\nphase: {phase}\nplan: {part}\n{extra}---\n# Plan\n"


def tree(root: Path, *, depends_on: str = "", affects: str = "") -> Path:
    target = root / ".planning" / "phases" / TARGET
    other = root / ".planning" / "phases" / "311-coverage-wave-4-guidance"
    target.mkdir(parents=True)
    other.mkdir(parents=True)
    (target / f"{TARGET}-02-PLAN.md").write_text(plan_text(TARGET, "02"), encoding="utf-8")
    (target / f"{TARGET}-02-SUMMARY.md").write_text(plan_text(TARGET, "02"), encoding="utf-8")
    extra = f"depends_on: [{depends_on}]\n" if depends_on else ""
    (other / "311-01-PLAN.md").write_text(plan_text("311-coverage-wave-4-guidance", "01", extra), encoding="utf-8")
    summary = plan_text("311-coverage-wave-4-guidance", "01", f"affects: [{affects}]\n" if affects else "")
    (other / "311-01-SUMMARY.md").write_text(summary, encoding="utf-8")
    return root


def lnt103(root: Path) -> list[str]:
    return [f.message for f in run_checks(load_project(root), git=False).findings if f.code == "LNT103"]


@pytest.mark.parametrize(("token", "key"), [
    ("2026-01-15", None), ("12-1-03", "12.1-03"), ("08-80-31", "08-31"), ("03-01-PLAN.md", "03-01"),
    ("08-80-percent-coverage-push-29", "08-29"), ("08-80-percent-coverage-push", None),
])
def test_plan_key_reads_slugs_with_digits_but_not_dates(token: str, key: str | None) -> None:
    assert plan_key(token) == key


def test_depends_on_a_slugged_id_with_digits_names_its_plan(tmp_path: Path) -> None:
    assert lnt103(tree(tmp_path / "a", depends_on=f"{TARGET}-02")) == []
    assert lnt103(tree(tmp_path / "b", depends_on=f"{TARGET}-05")) == [
        "depends_on names plan 04-05, which has no PLAN or SUMMARY here"]


def test_a_phase_name_ending_in_a_digit_is_no_plan(tmp_path: Path) -> None:
    assert lnt103(tree(tmp_path, affects="311-coverage-wave-4, testing")) == []


def test_reader_takes_the_plan_number_the_document_and_its_name_agree_on(tmp_path: Path) -> None:
    folder = tmp_path / ".planning" / "phases" / "04-ninety"
    folder.mkdir(parents=True)
    (folder / f"{TARGET}-02-PLAN.md").write_text(plan_text("04-ninety", "02"), encoding="utf-8")
    (folder / f"{TARGET}-03-PLAN.md").write_text("# no frontmatter\n", encoding="utf-8")
    assert sorted(str(plan.id) for plan in load_project(tmp_path).plans) == ["04-02", "04-90"]


def test_roadmap_checkbox_with_a_slugged_id_is_compared(tmp_path: Path) -> None:
    root = tree(tmp_path)
    roadmap = f"# Roadmap\n\n### Phase 4: 90 percent target\n\n- [ ] {TARGET}-02-PLAN.md\n"
    (root / ".planning" / "ROADMAP.md").write_text(roadmap, encoding="utf-8")
    report = run_checks(load_project(root), git=False)
    assert [(f.code, f.line) for f in report.findings if f.code == "DOC605"] == [("DOC605", 5)]


def test_recap_heading_with_a_slugged_id_is_about_that_plan(tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "repo")
    folder = f".planning/phases/{TARGET}"
    repo.commit("chore: start", files={f"{folder}/{TARGET}-01-PLAN.md": plan_text(TARGET, "01"),
                                       f"{folder}/{TARGET}-02-PLAN.md": plan_text(TARGET, "02")})
    other = repo.commit(f"feat({TARGET}-02): the other plan", files={"src/two.py": "b\n"})
    summary = plan_text(TARGET, "01") + f"\n## Recap\n\n### {TARGET}-02: the other one\n\n- commit `{other[:7]}`\n"
    repo.write(f"{folder}/{TARGET}-01-SUMMARY.md", summary)
    report = run_checks(load_project(repo.path), git=True)
    assert [(f.code, f.severity) for f in report.findings if f.code == "GIT202"] == [("GIT202", "info")]
