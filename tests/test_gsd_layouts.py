"""The layouts GSD 1.30-1.42 writes, each in a small tree read with exact counts (issue 17)."""

from __future__ import annotations

import json

import pytest
from conftest import CliRunner, TreeWriter

from planner.status import project_status
from planner.tree import workstreams
from planner.tree.reader import load_project

PHASES = ".planning/phases"


def test_nested_plans_folder_with_every_spelling_and_derivatives_skipped(make_tree: TreeWriter) -> None:
    nested = f"{PHASES}/03-api/plans"
    project = load_project(make_tree({
        f"{nested}/PLAN-01.md": "", f"{nested}/SUMMARY-01.md": "",
        f"{nested}/03-PLAN-02-routes.md": "", f"{nested}/03-SUMMARY-02-routes.md": "",
        f"{nested}/PLAN-03.md": "",
        f"{nested}/PLAN-01-OUTLINE.md": "", f"{nested}/PLAN-03.pre-bounce.md": "",
        f"{PHASES}/03-api/03-CONTEXT.md": "",
    }))
    (phase,) = project.phases
    assert [(str(p.id), p.status, len(p.summary_paths)) for p in phase.plans] == [
        ("03-01", "complete", 1), ("03-02", "complete", 1), ("03-03", "planned", 0)]
    assert sorted(path.name for path in phase.documents) == [
        "03-CONTEXT.md", "PLAN-01-OUTLINE.md", "PLAN-03.pre-bounce.md"]


def test_root_slug_layout_reads_plan_numbers(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({
        f"{PHASES}/05-db/5-PLAN-01-setup-database.md": "", f"{PHASES}/05-db/5-PLAN-02-migrate.md": "",
        f"{PHASES}/05-db/05-01-SUMMARY.md": "", f"{PHASES}/05-db/05-01-PLAN-OUTLINE.md": "",
    }))
    assert [(str(p.id), p.variant, p.status) for p in project.plans] == [
        ("05-01", "setup-database", "complete"), ("05-02", "migrate", "planned")]


def test_project_code_folders_give_plain_phase_and_plan_ids(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({
        ".planning/config.json": json.dumps({"project_code": "ABC"}),
        f"{PHASES}/ABC-01-setup/ABC-01-01-PLAN.md": "", f"{PHASES}/ABC-01-setup/ABC-01-01-SUMMARY.md": "",
        f"{PHASES}/ABC-01-setup/01-02-PLAN.md": "",
        f"{PHASES}/ABC-02.1-spike/ABC-02.1-01-PLAN.md": "",
    }))
    assert project.config.project_code == "ABC"
    assert [(phase.id, phase.prefix) for phase in project.phases] == [("01", "ABC"), ("02.1", "ABC")]
    assert [str(plan.id) for plan in project.plans] == ["01-01", "01-02", "02.1-01"]
    assert project.plans[0].status == "complete"


def test_project_code_is_kept_for_new_phase_folders(make_tree: TreeWriter, cli: CliRunner) -> None:
    root = make_tree({".planning/config.json": json.dumps({"project_code": "ABC"}),
                      f"{PHASES}/ABC-01-setup/ABC-01-01-PLAN.md": ""})
    result = cli("phase", "add", "Spike work", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (root / PHASES).iterdir()) == ["ABC-01-setup", "ABC-02-spike-work"]
    result = cli("new", "2", "--title", "First", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert [str(plan.id) for plan in load_project(root).plans] == ["01-01", "02-01"]


def test_letter_suffix_keeps_its_case(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({f"{PHASES}/16c-polish/16c-01-PLAN.md": "",
                                      f"{PHASES}/16-base/16-01-PLAN.md": ""}))
    assert [phase.id for phase in project.phases] == ["16", "16c"]
    assert [str(plan.id) for plan in project.plans] == ["16-01", "16c-01"]


def test_unparsable_phase_name_is_kept_as_written_with_a_diagnostic(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({f"{PHASES}/backlog-ideas/notes.md": "",
                                      f"{PHASES}/01-a/01-01-PLAN.md": ""}))
    assert [phase.id for phase in project.phases] == ["01", "backlog-ideas"]
    assert [(d.path.name, d.code) for d in project.diagnostics] == [("backlog-ideas", "TREE003")]


def test_summaries_that_name_no_plan_are_phase_documents(make_tree: TreeWriter) -> None:
    folder = f"{PHASES}/07-docs"
    project = load_project(make_tree({
        f"{folder}/07-01-PLAN.md": "", f"{folder}/07-01-SUMMARY.md": "",
        f"{folder}/PHASE7-SESSION-SUMMARY.md": "", f"{folder}/TASK-02-SUMMARY.md": "",
    }))
    (phase,) = project.phases
    assert [str(plan.id) for plan in phase.plans] == ["07-01"]
    assert sorted(path.name for path in phase.documents) == ["PHASE7-SESSION-SUMMARY.md", "TASK-02-SUMMARY.md"]
    status = project_status(project)
    assert (status["counts"]["plans"], status["counts"]["summaries"]) == (1, 1)
    assert (status["gsd"]["plans"], status["gsd"]["summaries"]) == (1, 3)  # GSD counts every -SUMMARY.md
    assert [(d["what"], d["path"].rsplit("/", 1)[1], d["delta"]) for d in status["gsd_differences"]] == [
        ("summaries", "PHASE7-SESSION-SUMMARY.md", -1), ("summaries", "TASK-02-SUMMARY.md", -1)]


# --- a SUMMARY decides that a plan was executed ---------------------------------------------------

TASK_TEMPLATE = """# Plan 01: Parser

**Wave:** 1

## Tasks

<task>
**Status**: [PASS / FAIL]
</task>

---
**Status:** complete
"""


def test_status_line_in_a_task_or_footer_is_not_the_plans_status(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({f"{PHASES}/01-x/01-01-PLAN.md": TASK_TEMPLATE}))
    (plan,) = project.plans
    assert plan.status == "planned"
    assert not [d for d in project.diagnostics if "status" in d.message.lower()]


def test_header_block_status_is_read(make_tree: TreeWriter) -> None:
    text = "# Plan 01\n\n**Status:** In Progress\n\n## Tasks\n\n- one\n"
    (plan,) = load_project(make_tree({f"{PHASES}/01-x/01-01-PLAN.md": text})).plans
    assert plan.status == "in_progress"


def test_summary_wins_over_a_written_status(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({
        f"{PHASES}/01-x/01-01-PLAN.md": "# Plan 01\n\n**Status:** In Progress\n\n## Tasks\n",
        f"{PHASES}/01-x/01-01-SUMMARY.md": "",
        f"{PHASES}/01-x/01-02-PLAN.md": "---\nphase: 01-x\nplan: '02'\nstatus: planned\n---\n# Plan\n",
        f"{PHASES}/01-x/01-02-SUMMARY.md": "",
        f"{PHASES}/01-x/01-03-PLAN.md": TASK_TEMPLATE,
        f"{PHASES}/01-x/01-03-SUMMARY.md": "",
    }))
    assert [(str(plan.id), plan.status) for plan in project.plans] == [
        ("01-01", "complete"), ("01-02", "complete"), ("01-03", "complete")]


def test_summary_with_no_plan_is_counted_and_the_difference_explained(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({f"{PHASES}/02-y/02-01-PLAN.md": "", f"{PHASES}/02-y/02-01-SUMMARY.md": "",
                                      f"{PHASES}/02-y/02-02-SUMMARY.md": ""}))
    status = project_status(project)
    assert (status["counts"]["plans"], status["counts"]["plan_files"], status["counts"]["summaries"]) == (2, 1, 2)
    assert (status["gsd"]["plans"], status["gsd"]["summaries"], status["gsd"]["percent"]) == (1, 2, 100)
    (difference,) = status["gsd_differences"]  # both say 100%: no percent difference
    assert (difference["what"], difference["delta"]) == ("plans", 1)
    assert difference["path"] == ".planning/phases/02-y/02-02-SUMMARY.md"
    assert "SUMMARY with no PLAN" in difference["reason"]


def test_percent_difference_names_plans_with_a_summary_still_in_progress(make_tree: TreeWriter) -> None:
    in_progress = "---\nphase: 04-z\nplan: '{part}'\nstatus: in_progress\n---\n# Plan\n"
    project = load_project(make_tree({
        f"{PHASES}/04-z/04-01-PLAN.md": in_progress.format(part="01"), f"{PHASES}/04-z/04-01-SUMMARY.md": "",
        f"{PHASES}/04-z/04-02-PLAN.md": "", f"{PHASES}/04-z/04-03-PLAN.md": "",
    }))
    status = project_status(project)
    assert (status["progress"]["percent"], status["gsd"]["percent"]) == (0, 33)
    (difference,) = status["gsd_differences"]
    assert (difference["what"], difference["delta"]) == ("percent", -33)
    assert difference["reason"].endswith("not closed for planner (its PLAN says so): 04-01 (in_progress)")


def test_index_sees_files_added_to_a_nested_plans_folder(make_tree: TreeWriter) -> None:
    from planner.tree.index.session import load_project_indexed

    root = make_tree({f"{PHASES}/03-api/plans/PLAN-01.md": ""})
    assert [str(p.id) for p in load_project_indexed(root)[0].plans] == ["03-01"]
    (root / PHASES / "03-api/plans/SUMMARY-01.md").write_text("", encoding="utf-8")
    (root / PHASES / "03-api/plans/PLAN-02.md").write_text("", encoding="utf-8")
    project, _ = load_project_indexed(root)
    assert [(str(p.id), p.status) for p in project.plans] == [("03-01", "complete"), ("03-02", "planned")]


# --- milestones ----------------------------------------------------------------------------------

MILESTONE_TREE = {
    ".planning/STATE.md": "---\nmilestone: v1.2\n---\n# Project State\n",
    f"{PHASES}/05-search/05-01-PLAN.md": "",
    ".planning/milestones/v1.0-phases/01-setup/01-01-PLAN.md": "",
    ".planning/milestones/v1.0-phases/01-setup/01-01-SUMMARY.md": "",
    ".planning/milestones/v1.1-phases/03-api/03-01-PLAN.md": "",
    ".planning/milestones/v1.1-phases/03-api/03-01-SUMMARY.md": "",
    ".planning/milestones/v1.1-phases/04-ui/04-01-PLAN.md": "",
    ".planning/milestones/v1.1-ROADMAP.md": "# Roadmap v1.1\n",
}


def test_status_shows_the_current_milestone_and_lists_the_archived_ones(make_tree: TreeWriter) -> None:
    project = load_project(make_tree(MILESTONE_TREE))
    assert project.milestone == "v1.2"
    assert [(phase.milestone, phase.id) for phase in project.archived_phases] == [
        ("v1.0", "01"), ("v1.1", "03"), ("v1.1", "04")]
    status = project_status(project)
    assert status["milestone"] == "v1.2"
    assert [(phase["milestone"], phase["id"]) for phase in status["phases"]] == [("v1.2", "05")]
    assert (status["counts"]["phases"], status["counts"]["plans"]) == (1, 1)
    assert status["archived_milestones"] == [
        {"milestone": "v1.0", "phases": 1, "plans": 1, "summaries": 1, "shown": False},
        {"milestone": "v1.1", "phases": 2, "plans": 2, "summaries": 1, "shown": False}]


def test_all_milestones_adds_the_archived_phases(make_tree: TreeWriter, cli: CliRunner) -> None:
    root = make_tree(MILESTONE_TREE)
    result = cli("status", "--all-milestones", "--json", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    status = json.loads(result.stdout)
    assert [(phase["milestone"], phase["id"]) for phase in status["phases"]] == [
        ("v1.0", "01"), ("v1.1", "03"), ("v1.1", "04"), ("v1.2", "05")]
    assert (status["counts"]["phases"], status["counts"]["plans"], status["counts"]["summaries"]) == (4, 4, 2)
    assert status["progress"]["percent"] == 50
    assert (status["gsd"]["phases"], status["gsd"]["plans"]) == (1, 1)  # GSD's progress reads phases/ only
    assert all(entry["shown"] for entry in status["archived_milestones"])
    table = cli("status", "--all-milestones", "--root", str(root)).stdout
    assert "v1.1/03" in table and "\n05 " in table


def test_index_sees_a_phase_archived_into_a_milestone(make_tree: TreeWriter) -> None:
    from planner.tree.index.session import load_project_indexed

    root = make_tree(MILESTONE_TREE)
    assert len(load_project_indexed(root)[0].archived_phases) == 3
    (root / ".planning/milestones/v1.1-phases/04-ui/04-01-SUMMARY.md").write_text("", encoding="utf-8")
    project, _ = load_project_indexed(root)
    assert [len(plan.summary_paths) for phase in project.archived_phases for plan in phase.plans] == [1, 1, 1]


# --- ROADMAP phases with no folder yet ------------------------------------------------------------

ROADMAP = """# Roadmap

- [x] **Phase 1: Setup** - the base
- [ ] **Phase 2: Search** - find things

## Phase Details

### Phase 1: Setup
**Goal**: The base works

### Phase 2: Search (INSERTED)
**Goal**: Users find things

<details>
### Phase 0: Shipped long ago
</details>
"""


def test_roadmap_phases_with_no_folder_count_as_planned_phases(make_tree: TreeWriter) -> None:
    project = load_project(make_tree({".planning/ROADMAP.md": ROADMAP, f"{PHASES}/01-setup/01-01-PLAN.md": ""}))
    assert [phase.id for phase in project.phases] == ["01"]
    assert [(phase.id, phase.title, phase.goal) for phase in project.listed_phases] == [
        ("02", "Search", "Users find things")]
    status = project_status(project)
    assert [(phase["id"], phase["folder"], phase["status"]) for phase in status["phases"]] == [
        ("01", ".planning/phases/01-setup", "not started"), ("02", None, "planned")]
    assert (status["counts"]["phases"], status["counts"]["phase_folders"], status["progress"]["total_phases"]) == (
        2, 1, 2)
    assert status["gsd"]["phases"] == 1
    (difference,) = status["gsd_differences"]
    assert (difference["what"], difference["delta"], difference["path"]) == ("phases", 1, ".planning/ROADMAP.md")


def test_first_plan_of_a_roadmap_only_phase_creates_its_folder(make_tree: TreeWriter, cli: CliRunner) -> None:
    root = make_tree({".planning/ROADMAP.md": ROADMAP, f"{PHASES}/01-setup/01-01-PLAN.md": ""})
    result = cli("new", "2", "--title", "Index", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert (root / PHASES / "02-search" / "02-01-PLAN.md").is_file()
    project = load_project(root)
    assert ([phase.id for phase in project.phases], project.listed_phases) == (["01", "02"], ())


def test_a_roadmap_with_its_own_phase_headings_gets_no_second_heading_per_phase(
        make_tree: TreeWriter, cli: CliRunner) -> None:
    with_region = ROADMAP + "\n<!-- planner:begin phases -->\n<!-- planner:end phases -->\n"
    root = make_tree({".planning/ROADMAP.md": with_region, f"{PHASES}/01-setup/01-01-PLAN.md": ""})
    assert cli("new", "1", "--title", "More", "--root", str(root)).exit_code == 0
    text = (root / ".planning/ROADMAP.md").read_text(encoding="utf-8")
    assert text.startswith(ROADMAP)  # the hand-written part is kept word for word
    assert "planner:begin phases" in text and "planner:begin details" not in text
    assert text.count("### Phase 1: Setup") == 1 and "### Phase 01" not in text


# --- workstreams ---------------------------------------------------------------------------------

WORKSTREAMS = {
    ".planning/config.json": json.dumps({"project_code": "RT", "planner": {
        "coverage_report": "root-coverage.json", "junit_report": "root-junit.xml"}}),
    f"{PHASES}/RT-01-root/RT-01-01-PLAN.md": "",
    ".planning/workstreams/api/config.json": json.dumps({"planner": {"junit_report": "api-junit.xml"}}),
    ".planning/workstreams/api/STATE.md": "# Project State\n",
    ".planning/workstreams/api/phases/RT-01-routes/RT-01-01-PLAN.md": "",
    ".planning/workstreams/api/phases/RT-01-routes/RT-01-01-SUMMARY.md": "",
    ".planning/workstreams/api/phases/RT-02-auth/RT-02-01-PLAN.md": "",
}


def test_a_workstream_is_a_planning_root_whose_config_inherits_the_roots(
        make_tree: TreeWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(WORKSTREAMS)
    assert [str(plan.id) for plan in load_project(root).plans] == ["01-01"]
    monkeypatch.setattr(workstreams, "_chosen", ["api"])
    project = load_project(root)
    assert project.planning_dir == root / ".planning" / "workstreams" / "api"
    assert [(str(plan.id), plan.status) for plan in project.plans] == [("01-01", "complete"), ("02-01", "planned")]
    assert (project.config.project_code, project.config.coverage_report, project.config.junit_report) == (
        "RT", "root-coverage.json", "api-junit.xml")


def test_workstream_option_and_environment_variable_choose_the_same_root(
        make_tree: TreeWriter, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(WORKSTREAMS)
    by_option = cli("--workstream", "api", "status", "--json", "--root", str(root))
    assert by_option.exit_code == 0, by_option.stderr
    assert json.loads(by_option.stdout)["counts"]["plans"] == 2
    assert json.loads(cli("status", "--json", "--root", str(root)).stdout)["counts"]["plans"] == 1  # one command
    monkeypatch.setenv("GSD_WORKSTREAM", "api")
    by_variable = cli("status", "--json", "--root", str(root))
    assert json.loads(by_variable.stdout) == json.loads(by_option.stdout)
    missing = cli("--workstream", "web", "status", "--root", str(root))
    assert missing.exit_code == 3 and missing.stderr.count("\n") == 1 and "no workstream 'web'" in missing.stderr
    bad = cli("--workstream", "../api", "status", "--root", str(root))
    assert bad.exit_code == 2 and "not a workstream name" in bad.stderr


def test_writing_commands_write_into_the_chosen_workstream(make_tree: TreeWriter, cli: CliRunner) -> None:
    root = make_tree(WORKSTREAMS)
    assert cli("--workstream", "web", "init", str(root)).exit_code == 0
    web = root / ".planning" / "workstreams" / "web"
    assert json.loads((web / "config.json").read_text(encoding="utf-8")) == {}  # everything inherited
    assert (web / "PROJECT.md").is_file() and (web / "ROADMAP.md").is_file()
    assert cli("--workstream", "web", "phase", "add", "Pages", "--root", str(root)).exit_code == 0
    assert cli("--workstream", "web", "new", "1", "--title", "Home", "--root", str(root)).exit_code == 0
    assert (web / "phases" / "RT-01-pages" / "01-01-PLAN.md").is_file()
    assert sorted(p.name for p in (root / PHASES).iterdir()) == ["RT-01-root"]  # the root is untouched
