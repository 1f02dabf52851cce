"""What file and folder names say: every spelling listed in ../shared/corpora/README.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.tree.filenames import classify, parse_phase_dir

DIR = "12-tier-1-coverage-push"


@pytest.mark.parametrize(("name", "number", "slug"), [
    ("08-setup", "08", "setup"),
    ("8-setup", "08", "setup"),
    ("075-x", "75", "x"),
    ("08.1-game-theory", "08.1", "game-theory"),
    ("09-1-hotfix", "09.1", "hotfix"),
    ("253a-first", "253a", "first"),  # a letter keeps its case (GSD writes `16c`)
    ("12A.1.2-deep", "12A.1.2", "deep"),
    ("999.1-backlog-item", "999.1", "backlog-item"),
    ("08-80-percent-coverage-push", "08", "80-percent-coverage-push"),
])
def test_phase_folder_number_and_slug(name: str, number: str, slug: str) -> None:
    parsed = parse_phase_dir(name)
    assert (str(parsed.number), parsed.slug) == (number, slug)


def test_slug_starting_with_digits_is_not_a_plan_number() -> None:
    assert str(parse_phase_dir("08-80-percent-coverage-push").number) == "08"


def test_project_code_prefix_is_kept_apart() -> None:
    parsed = parse_phase_dir("CK-01-checkout")
    assert (str(parsed.number), parsed.prefix, parsed.slug) == ("01", "CK", "checkout")


def test_folder_with_no_number_has_none() -> None:
    parsed = parse_phase_dir("backlog")
    assert (parsed.number, parsed.slug) == (None, "backlog")


@pytest.mark.parametrize(("file_name", "kind", "part"), [
    ("12-03-PLAN.md", "plan", "03"),
    ("12-03-SUMMARY.md", "summary", "03"),
    ("12-3-PLAN.md", "plan", "03"),
    ("12-tier-1-coverage-push-01-PLAN.md", "plan", "01"),
    ("12-tier-1-coverage-push-01-SUMMARY.md", "summary", "01"),
    ("217-PLAN-02.md", "plan", "02"),
    ("12-03-PLAN-SUMMARY.md", "summary", "03"),
    ("12-08A-PLAN.md", "plan", "08A"),
    ("12-01a-PLAN.md", "plan", "01a"),
    ("12-WAVE1A-PLAN.md", "plan", "WAVE1A"),
])
def test_plan_file_spellings(file_name: str, kind: str, part: str) -> None:
    role = classify(file_name, DIR)
    assert (role.kind, role.plan_part) == (kind, part)


@pytest.mark.parametrize("file_name", [
    "12-tier-1-coverage-push-GAP-03-SUMMARY.md",
    "12-GAP-03-SUMMARY.md",
    "12-GAP_CLOSURE-03-SUMMARY.md",
    "12-GAPCLOSURE-03-SUMMARY.md",
    "12-gap-3-SUMMARY.md",
])
def test_gap_summary_spellings_are_one_gap_plan(file_name: str) -> None:
    role = classify(file_name, DIR)
    assert (role.kind, role.plan_part, role.gap) == ("summary", "GAP-03", True)


def test_gap_closure_suffix_marks_an_ordinary_numbered_plan_as_gap() -> None:
    role = classify("134-08-GAP_CLOSURE_PLAN.md", "134-wave")
    assert (role.kind, role.plan_part, role.gap) == ("plan", "08", True)


def test_fix_file_is_a_plan_of_its_own() -> None:
    assert classify("03-claude-settings-03-FIX.md", "03-claude-settings").plan_part == "03-FIX"


def test_fix_summary_pairs_with_the_fix_plan() -> None:
    role = classify("03-claude-settings-03-FIX-SUMMARY.md", "03-claude-settings")
    assert (role.kind, role.plan_part) == ("summary", "03-FIX")


def test_variant_text_after_the_plan_number_is_kept() -> None:
    role = classify("08-80-percent-coverage-push-34-TRIGGER-INTERCEPTOR-SUMMARY.md", "08-80-percent-coverage-push")
    assert (role.plan_part, role.variant) == ("34", "TRIGGER-INTERCEPTOR")


@pytest.mark.parametrize(("file_name", "kind"), [
    ("12-VERIFICATION.md", "verification"),
    ("12-CONTEXT.md", "phase_doc"),
    ("12-RESEARCH.md", "phase_doc"),
    ("12-VALIDATION.md", "phase_doc"),
    ("12-UAT.md", "phase_doc"),
    ("12-GOAL.md", "goal"),
    ("notes.md", "other"),
    ("FLOWCHART-PARSING-VALIDATION.md", "phase_doc"),
])
def test_phase_level_documents(file_name: str, kind: str) -> None:
    role = classify(file_name, DIR)
    assert role.kind == kind and role.plan_part is None


@pytest.mark.parametrize("file_name", ["12-PHASE-SUMMARY.md", "12-SUMMARY.md", "12-PLANNING-SUMMARY.md"])
def test_phase_summaries_carry_no_plan_number(file_name: str) -> None:
    role = classify(file_name, DIR)
    assert not any(char.isdigit() for char in role.plan_part or "")


def test_plan_verification_keeps_its_plan_part() -> None:
    assert classify("04-01-VERIFICATION.md", "04-flox").plan_part == "01"


@given(st.text(max_size=40), st.text(max_size=30))
def test_classify_never_raises(file_name: str, dir_name: str) -> None:
    classify(file_name + ".md", dir_name)


@given(st.text(max_size=40))
def test_parse_phase_dir_never_raises(name: str) -> None:
    parse_phase_dir(name)
