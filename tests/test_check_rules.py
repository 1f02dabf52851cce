"""plan check rules: a minimal failing and a minimal passing document for each (tests/fixtures/check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.check import (
    CODES,
    CheckReport,
    Finding,
    check_report_to_dict,
    exit_code,
    format_findings,
    run_checks,
)
from planner.tree.reader import load_project

FIXTURES = Path(__file__).parent / "fixtures" / "check"
SUMMARY_CODES = ["CLM210", "TIM301", "TIM302", "TIM303", "NUM401", "NUM402", "NUM403", "NUM404",
                 "STA501", "STA502", "LNT103"]
PLAN = "---\nphase: 01-core\nplan: 01\ntype: execute\n---\n# Plan\n"


def make_tree(root: Path, summary: str | None = None, plan: str = PLAN, state: str | None = None,
              roadmap: str | None = None) -> Path:
    phase = root / ".planning" / "phases" / "01-core"
    phase.mkdir(parents=True)
    (phase / "01-01-PLAN.md").write_text(plan, encoding="utf-8")
    if summary is not None:
        (phase / "01-01-SUMMARY.md").write_text(summary, encoding="utf-8")
    if state is not None:
        (root / ".planning" / "STATE.md").write_text(state, encoding="utf-8")
    if roadmap is not None:
        (root / ".planning" / "ROADMAP.md").write_text(roadmap, encoding="utf-8")
    return root


def codes(root: Path) -> list[str]:
    return [finding.code for finding in run_checks(load_project(root), git=False).findings]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("code", SUMMARY_CODES)
def test_summary_rule_flags_its_failing_fixture(tmp_path: Path, code: str) -> None:
    assert code in codes(make_tree(tmp_path, fixture(f"summary/{code}-fail.md")))


@pytest.mark.parametrize("code", SUMMARY_CODES)
def test_summary_rule_passes_its_passing_fixture(tmp_path: Path, code: str) -> None:
    found = codes(make_tree(tmp_path, fixture(f"summary/{code}-pass.md")))
    assert [c for c in found if c != "GIT200"] == []


@pytest.mark.parametrize("code", ["DOC601", "DOC602", "DOC603", "DOC604"])
def test_state_rule_flags_its_failing_fixture(tmp_path: Path, code: str) -> None:
    tree = make_tree(tmp_path, "# Summary\n", state=fixture(f"state/{code}-fail.md"))
    assert code in codes(tree)


def test_state_that_matches_the_files_passes(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, "# Summary\n", state=fixture("state/pass.md"))
    assert [c for c in codes(tree) if c != "GIT200"] == []


def test_state_percent_by_gsd_phase_definition_is_accepted(tmp_path: Path) -> None:
    state = fixture("state/pass.md").replace("completed_plans: 1", "completed_plans: 0")
    state = state.replace("total_plans: 1", "total_plans: 2")
    tree = make_tree(tmp_path, "# Summary\n", state=state)
    assert "DOC602" not in codes(tree)


def test_roadmap_unchecked_plan_with_summary_is_flagged(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, "# Summary\n", roadmap=fixture("roadmap/DOC605-fail.md"))
    assert "DOC605" in codes(tree)


def test_roadmap_checked_plan_with_summary_passes(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, "# Summary\n", roadmap=fixture("roadmap/pass.md"))
    assert "DOC605" not in codes(tree)


def test_roadmap_checkbox_under_another_phase_title_is_not_matched(tmp_path: Path) -> None:
    roadmap = fixture("roadmap/DOC605-fail.md").replace("Phase 1: Core", "Phase 1: Billing Dashboard")
    assert "DOC605" not in codes(make_tree(tmp_path, "# Summary\n", roadmap=roadmap))


def test_unknown_plan_key_warns_at_its_line(tmp_path: Path) -> None:
    plan = PLAN.replace("type: execute\n", "type: execute\nflavour: spicy\n")
    report = run_checks(load_project(make_tree(tmp_path, plan=plan)), git=False)
    found = [f for f in report.findings if f.code == "LNT101"]
    assert [(f.line, f.severity) for f in found] == [(5, "warning")]


def test_known_gsd_plan_keys_do_not_warn(tmp_path: Path) -> None:
    plan = PLAN.replace("type: execute\n", "type: execute\nautonomous: true\nrequirements: [A-1]\n")
    assert "LNT101" not in codes(make_tree(tmp_path, plan=plan))


def test_wrong_type_in_plan_is_an_error(tmp_path: Path) -> None:
    plan = PLAN.replace("type: execute\n", "type: execute\nwave: soon\n")
    report = run_checks(load_project(make_tree(tmp_path, plan=plan)), git=False)
    assert [(f.code, f.severity, f.line) for f in report.findings if f.code == "SCH001"] == [
        ("SCH001", "error", 5)]


def test_invalid_yaml_is_a_warning_not_an_error(tmp_path: Path) -> None:
    plan = PLAN.replace("type: execute\n", 'type: execute\ncontains: "a", "b"\n')
    report = run_checks(load_project(make_tree(tmp_path, plan=plan)), git=False)
    assert {f.severity for f in report.findings if f.code == "FM001"} == {"warning"}


def test_same_plan_id_in_two_folders_is_an_error(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    other = tree / ".planning" / "phases" / "01-again"
    other.mkdir()
    (other / "01-01-PLAN.md").write_text(PLAN, encoding="utf-8")
    assert codes(tree).count("LNT102") == 1


def test_depends_on_a_missing_plan_warns(tmp_path: Path) -> None:
    plan = PLAN.replace("type: execute\n", "type: execute\ndepends_on: [\"01-09\"]\n")
    assert "LNT103" in codes(make_tree(tmp_path, plan=plan))


def test_dependency_cycle_is_reported_once(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, plan=PLAN.replace("type: execute\n", "type: execute\ndepends_on: [\"01-02\"]\n"))
    second = PLAN.replace("plan: 01", "plan: 02").replace("type: execute\n", "type: execute\ndepends_on: [\"01-01\"]\n")
    (tree / ".planning" / "phases" / "01-core" / "01-02-PLAN.md").write_text(second, encoding="utf-8")
    found = [f for f in run_checks(load_project(tree), git=False).findings if f.code == "LNT104"]
    assert [f.message for f in found] == ["dependency cycle: 01-01 -> 01-02 -> 01-01"]


def test_acyclic_dependencies_pass(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    second = PLAN.replace("plan: 01", "plan: 02").replace("type: execute\n", "type: execute\ndepends_on: [\"01-01\"]\n")
    (tree / ".planning" / "phases" / "01-core" / "01-02-PLAN.md").write_text(second, encoding="utf-8")
    assert "LNT104" not in codes(tree)


def test_duration_estimate_within_a_factor_of_two_is_not_checked(tmp_path: Path) -> None:
    summary = fixture("summary/TIM302-fail.md").replace("45min", "~10 min")
    assert "TIM302" not in codes(make_tree(tmp_path, summary))
    far = fixture("summary/TIM302-fail.md").replace("45min", "~45 min")  # 7m40s by the timestamps
    assert "TIM302" in codes(make_tree(tmp_path / "far", far))


def test_finding_points_at_the_line_of_the_claim(tmp_path: Path) -> None:
    report = run_checks(load_project(make_tree(tmp_path, fixture("summary/TIM301-fail.md"))), git=False)
    found = [f for f in report.findings if f.code == "TIM301"]
    assert [(f.path, f.line) for f in found] == [(".planning/phases/01-core/01-01-SUMMARY.md", 5)]


def test_no_git_leaves_one_info_finding(tmp_path: Path) -> None:
    report = run_checks(load_project(make_tree(tmp_path, "# Summary\n")), git=False)
    assert [(f.code, f.severity) for f in report.findings] == [("GIT200", "info")]


def test_outside_a_repository_git_rules_are_skipped_with_one_info(tmp_path: Path) -> None:
    report = run_checks(load_project(make_tree(tmp_path, "# Summary\n")), git=True)
    assert [f.code for f in report.findings] == ["GIT200"]
    assert not report.git_used


def report_of(*severities: str) -> CheckReport:
    findings = tuple(Finding("a.md", 1, "X", s, "m") for s in severities)  # type: ignore[arg-type]
    return CheckReport(Path("/p"), findings)


def test_exit_code_is_one_with_an_error() -> None:
    assert exit_code(report_of("error"), strict=False) == 1


def test_exit_code_ignores_warnings_unless_strict() -> None:
    assert (exit_code(report_of("warning", "info"), strict=False),
            exit_code(report_of("warning"), strict=True)) == (0, 1)


def test_exit_code_is_zero_with_only_info_even_when_strict() -> None:
    assert exit_code(report_of("info"), strict=True) == 0


def test_json_form_is_stable_and_serialisable(tmp_path: Path) -> None:
    report = run_checks(load_project(make_tree(tmp_path, fixture("summary/NUM403-fail.md"))), git=False)
    data = json.loads(json.dumps(check_report_to_dict(report)))
    assert data["schema_version"] == 1
    assert set(data["findings"][0]) == {"path", "line", "code", "severity", "message"}
    assert data["summary"]["error"] == 2


def test_human_format_is_path_line_severity_code_message() -> None:
    lines = format_findings(report_of("error"))
    assert lines == ["a.md:1: error X m", "0 documents checked: 1 error, 0 warnings, 0 infos"]


def test_every_registered_code_is_documented() -> None:
    table = (Path(__file__).resolve().parents[1] / "docs" / "check-codes.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in table] == []
