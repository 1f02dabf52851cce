"""Reading trees other people wrote: each oddity from ../shared/corpora/README.md in a small tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TreeWriter

from planner.errors import ProjectNotFound
from planner.ids import PhaseNumber, PlanId
from planner.model import Config, Project
from planner.tree.frontmatter import Diagnostic, parse_document
from planner.tree.reader import find_project_root, load_project, plan_frontmatter
from planner.tree.schema import PLAN_FIELDS, plan_from_document

PHASES = ".planning/phases"


def load(make_tree: TreeWriter, files: dict[str, str | bytes]) -> Project:
    return load_project(make_tree(files))


def phase_ids(project: Project) -> list[str]:
    return [phase.id for phase in project.phases]


def plan_ids(project: Project) -> list[str]:
    return [str(plan.id) for plan in project.plans]


def the_plan(make_tree: TreeWriter, text: str | bytes, name: str = "01-01-PLAN.md"):  # type: ignore[no-untyped-def]
    project = load(make_tree, {f"{PHASES}/01-x/{name}": text})
    (plan,) = project.plans
    return plan, project


def codes(project: Project) -> list[str]:
    return [diagnostic.code for diagnostic in project.diagnostics]


# --- folders ---------------------------------------------------------------------------------

def test_mixed_zero_padding_reads_the_same_number(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/75-a/75-01-PLAN.md": "", f"{PHASES}/075-b/075-01-PLAN.md": ""})
    assert phase_ids(project) == ["75", "75"]
    assert [phase.directory.name for phase in project.phases] == ["075-b", "75-a"]


def test_decimal_and_dash_decimal_phases_sort_between_integers(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/{name}/x.md": "" for name in
                               ("10-c", "09-1-hotfix", "08.5-inserted", "08-base", "09-next")})
    assert phase_ids(project) == ["08", "08.5", "09", "09.1", "10"]


def test_letter_suffixes_are_separate_phases(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/253b-y/253b-01-PLAN.md": "", f"{PHASES}/253a-x/253a-01-PLAN.md": ""})
    assert plan_ids(project) == ["253a-01", "253b-01"]


def test_slug_starting_with_digits_is_read_as_slug(make_tree: TreeWriter) -> None:
    folder = "08-80-percent-coverage-push"
    project = load(make_tree, {f"{PHASES}/{folder}/{folder}-01-PLAN.md": "",
                               f"{PHASES}/{folder}/{folder}-01-SUMMARY.md": ""})
    assert plan_ids(project) == ["08-01"] and project.plans[0].status == "complete"


def test_folder_with_no_number_is_listed_last(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/backlog/ideas.md": "", f"{PHASES}/01-start/01-01-PLAN.md": ""})
    assert phase_ids(project) == ["01", "backlog"]
    assert project.phases[1].number is None


def test_one_number_used_by_two_folders_keeps_both(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/03-old/03-01-PLAN.md": "", f"{PHASES}/03-new/03-01-PLAN.md": ""})
    assert [phase.directory.name for phase in project.phases] == ["03-new", "03-old"]
    assert len(project.plans) == 2


def test_symbolic_link_to_a_phase_folder_is_not_counted_twice(make_tree: TreeWriter) -> None:
    root = make_tree({f"{PHASES}/03-real/03-01-PLAN.md": "", f"{PHASES}/03-real/03-01-SUMMARY.md": ""})
    os.symlink("03-real", root / PHASES / "04-link")
    project = load_project(root)
    assert [phase.directory.name for phase in project.phases] == ["03-real"]
    assert len(project.plans) == 1 and "TREE001" in codes(project)


def test_link_sorting_before_its_target_still_reads_the_real_folder(make_tree: TreeWriter) -> None:
    root = make_tree({f"{PHASES}/09-real/09-01-PLAN.md": ""})
    os.symlink("09-real", root / PHASES / "01-alias")
    assert [phase.directory.name for phase in load_project(root).phases] == ["09-real"]


def test_dangling_symbolic_link_is_skipped(make_tree: TreeWriter) -> None:
    root = make_tree({f"{PHASES}/01-a/01-01-PLAN.md": ""})
    os.symlink("nowhere", root / PHASES / "02-gone")
    assert phase_ids(load_project(root)) == ["01"]


# --- files -----------------------------------------------------------------------------------

def test_slug_named_plan_and_summary_pair_up(make_tree: TreeWriter) -> None:
    folder = "01-foundation-infrastructure"
    project = load(make_tree, {f"{PHASES}/{folder}/{folder}-01-PLAN.md": "",
                               f"{PHASES}/{folder}/{folder}-01-SUMMARY.md": ""})
    (plan,) = project.plans
    assert (str(plan.id), len(plan.summary_paths), plan.status) == ("01-01", 1, "complete")


@pytest.mark.parametrize("name", [
    "12-tier-1-coverage-push-GAP-03-SUMMARY.md", "12-GAP-03-SUMMARY.md", "12-GAP_CLOSURE-03-SUMMARY.md",
    "12-GAPCLOSURE-03-SUMMARY.md",
])
def test_every_gap_summary_spelling_gives_a_gap_closure_plan(make_tree: TreeWriter, name: str) -> None:
    project = load(make_tree, {f"{PHASES}/12-tier-1-coverage-push/{name}": ""})
    (plan,) = project.plans
    assert (str(plan.id), plan.is_gap_closure) == ("12-GAP-03", True)


def test_gap_closure_plan_file_spelling_is_a_gap_plan(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/134-wave/134-08-GAP_CLOSURE_PLAN.md": ""})
    (plan,) = project.plans
    assert plan.is_gap_closure and plan.type == "gap_closure"


def test_gap_closure_true_in_frontmatter_makes_a_gap_plan(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, "---\nplan: 04\ngap_closure: true\n---\n", "01-04-PLAN.md")
    assert plan.type == "gap_closure"


def test_plan_without_frontmatter_reads_bold_metadata(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, "# Plan 01\n\n**Status:** Completed\n**Wave:** 2\n**Subsystem:** api\n")
    assert (plan.status, plan.wave, plan.subsystem) == ("complete", 2, "api")


def test_summary_without_frontmatter_completes_its_plan(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/01-x/01-01-PLAN.md": "---\nplan: 01\n---\n",
                               f"{PHASES}/01-x/01-01-SUMMARY.md": "# Summary\n**Duration:** 7min\n"})
    assert project.plans[0].status == "complete"


@pytest.mark.parametrize("key", ["key_files", "key-files"])
def test_both_key_styles_read_key_files(make_tree: TreeWriter, key: str) -> None:
    plan, _ = the_plan(make_tree, f"---\n{key}:\n  created: [a.py]\n  modified: [b.py]\n---\n")
    assert (plan.key_files.created, plan.key_files.modified) == (("a.py",), ("b.py",))


def test_root_markdown_named_summary_is_not_a_plan_summary(make_tree: TreeWriter) -> None:
    project = load(make_tree, {".planning/PROJECT-SUMMARY.md": "# x", ".planning/SUMMARY.md": "# y",
                               f"{PHASES}/01-x/01-01-PLAN.md": ""})
    assert [len(plan.summary_paths) for plan in project.plans] == [0]
    assert {p.name for p in project.root_documents} == {"PROJECT-SUMMARY.md", "SUMMARY.md"}


def test_phase_summary_is_a_phase_document_not_a_plan(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/304-x/304-PHASE-SUMMARY.md": "", f"{PHASES}/304-x/304-SUMMARY.md": ""})
    assert project.plans == () and len(project.phases[0].documents) == 2


def test_summary_without_plan_file_is_a_complete_plan(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/06-x/06-x-04-SUMMARY.md": ""})
    (plan,) = project.plans
    assert (str(plan.id), plan.plan_path, plan.status) == ("06-04", None, "complete")


# --- frontmatter YAML rejects ------------------------------------------------------------------

def test_invalid_yaml_is_read_tolerantly_with_file_and_line(make_tree: TreeWriter) -> None:
    text = "---\nplan: 01\ntitle: Wire it\nmust_haves:\n  truths:\n    - db.ts contains: max: 20\n---\n"
    plan, project = the_plan(make_tree, text)
    assert plan.title == "Wire it"
    (diagnostic,) = project.diagnostics
    assert (diagnostic.path.name, diagnostic.code, diagnostic.line) == ("01-01-PLAN.md", "FM001", 6)
    assert "not valid YAML" in diagnostic.message


def test_unclosed_block_is_read_up_to_the_first_heading(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, "---\nplan: 01\ntitle: T\n\n# One-liner\ntext\n")
    assert plan.title == "T" and codes(project) == ["FM003"]


# --- byte-level trouble ------------------------------------------------------------------------

def test_utf8_bom_before_frontmatter(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, "\ufeff---\ntitle: With BOM\n---\n".encode())
    assert plan.title == "With BOM" and project.diagnostics == ()


def test_crlf_line_endings(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, b"---\r\ntitle: Windows\r\ntags: [a, b]\r\n---\r\n# Body\r\n")
    assert (plan.title, plan.tags) == ("Windows", ("a", "b"))


def test_duplicate_keys_use_the_last_with_a_diagnostic(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, "---\ntitle: first\ntitle: second\n---\n")
    assert plan.title == "second" and codes(project) == ["FM004"]
    assert project.diagnostics[0].line == 3


def test_frontmatter_that_is_a_list(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, "---\n- a\n- b\n---\n")
    assert plan.title == "" and codes(project) == ["FM002"]


def test_frontmatter_that_is_a_scalar(make_tree: TreeWriter) -> None:
    _, project = the_plan(make_tree, "---\njust words\n---\n")
    assert codes(project) == ["FM002"]


def test_key_named_on_is_kept_as_an_unknown_key(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, "---\non: push\ntitle: x\n---\n")
    assert plan.unknown_keys == ("on",) and plan_frontmatter(plan) == {"on": "push", "title": "x"}


def test_invalid_utf8_is_reported_not_fatal(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, b"---\ntitle: caf\xe9\n---\n")
    assert plan.title == "caf\ufffd" and codes(project) == ["FM005"]


# --- YAML 1.1 surprises ------------------------------------------------------------------------

def test_plan_07_and_plan_08_give_the_same_kind_of_id(make_tree: TreeWriter) -> None:
    project = load(make_tree, {f"{PHASES}/01-x/01-07-PLAN.md": "---\nplan: 07\nwave: 07\n---\n",
                               f"{PHASES}/01-x/01-08-PLAN.md": "---\nplan: 08\nwave: 08\n---\n"})
    assert plan_ids(project) == ["01-07", "01-08"]
    assert [plan.wave for plan in project.plans] == [7, 8]


@pytest.mark.parametrize("word", ["on", "yes", "no", "off", "true"])
def test_yaml_11_booleans_stay_text(make_tree: TreeWriter, word: str) -> None:
    plan, _ = the_plan(make_tree, f"---\ntitle: {word}\ntags: [{word}]\n---\n")
    assert (plan.title, plan.tags) == (word, (word,))


def test_one_point_ten_is_not_one_point_one(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, "---\ntitle: 1.10\ntags: [1.10]\n---\n")
    assert (plan.title, plan.tags) == ("1.10", ("1.10",))


def test_timestamp_keeps_its_time_zone(make_tree: TreeWriter) -> None:
    plan, _ = the_plan(make_tree, "---\nstarted: 2024-05-01T10:30:00+02:00\ncompleted: 2024-05-01\n---\n")
    assert (plan.started, plan.completed) == ("2024-05-01T10:30:00+02:00", "2024-05-01")


def test_wrong_type_is_a_diagnostic_with_the_key_line(make_tree: TreeWriter) -> None:
    plan, project = the_plan(make_tree, "---\ntitle: x\nwave: soon\n---\n")
    assert plan.wave is None
    (diagnostic,) = project.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("SCH001", 3)


def test_each_wrong_field_is_a_diagnostic_in_the_schema_order_and_keeps_its_default(make_tree: TreeWriter) -> None:
    text = ("---\nmust_haves: [a]\nsuperseded_by: {a: b}\noutcome: late\nstarted: [x]\nkey-files: 3\n"
            "tags: {a: b}\nwave: soon\nstatus: whenever\ntitle: {a: b}\ntype: spike\n---\n")
    plan, project = the_plan(make_tree, text)
    assert [d.message for d in project.diagnostics] == [
        "'type' should be one of execute, gap_closure, tdd, fix", "'title' should be text",
        "'status' should be one of planned, in_progress, complete, superseded", "'wave' should be a whole number",
        "'tags' should be a list of text", "'key_files' should be a mapping with 'created' and 'modified' lists",
        "'started' should be text", "'outcome' should be one of met, missed, superseded",
        "'superseded_by' should be a list of text", "'must_haves' should be a mapping"]
    assert (plan.type, plan.title, plan.status, plan.wave, plan.tags, plan.started, plan.outcome) == (
        "execute", "", "planned", None, (), None, None)


WRONG_BY_KIND = {"list": ("{a: b}", "a list of text"), "int": ("soon", "a whole number"), "text": ("[x]", "text"),
                 "timestamp": ("[x]", "text"), "mapping": ("[a]", "a mapping"),
                 "key_files": ("3", "a mapping with 'created' and 'modified' lists")}


@pytest.mark.parametrize("key", [key for key, spec in PLAN_FIELDS.items()
                                 if spec.kind != "bool" and key not in ("phase", "plan")])
def test_the_reader_reads_each_field_as_its_kind_in_the_schema_table(key: str) -> None:
    spec = PLAN_FIELDS[key]
    written, expected = WRONG_BY_KIND.get(spec.kind, ("nonsense", "one of " + ", ".join(spec.choices)))
    out: list[Diagnostic] = []
    plan_from_document(parse_document(Path("01-01-PLAN.md"), f"---\n{key}: {written}\n---\n"),
                       PlanId(PhaseNumber(1), "01"), out)
    assert [(d.code, d.message) for d in out] == [("SCH001", f"'{key}' should be {expected}")]


@pytest.mark.parametrize(("written", "type_"), [("gap_closure: true", "gap_closure"), ("gap_closure: no", "execute"),
                                               ("gap_closure: yes\ntype: tdd", "tdd")])
def test_gap_closure_true_makes_a_plan_without_a_type_a_gap_closure(make_tree: TreeWriter, written: str,
                                                                   type_: str) -> None:
    plan, _ = the_plan(make_tree, f"---\n{written}\nowner: me\n---\n")
    assert (plan.type, plan.unknown_keys) == (type_, ("owner",))  # gap_closure is read, not unknown


# --- the project around the tree ---------------------------------------------------------------

def test_no_planning_folder_is_project_not_found(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound):
        find_project_root(root=tmp_path)


def test_root_may_name_the_planning_folder_itself(make_tree: TreeWriter) -> None:
    root = make_tree({})
    assert find_project_root(root=root / ".planning") == root.resolve()


def test_project_root_is_found_from_a_subfolder(make_tree: TreeWriter) -> None:
    root = make_tree({"src/pkg/a.py": ""})
    assert find_project_root(start=root / "src" / "pkg") == root.resolve()


def test_invalid_config_json_is_a_diagnostic_with_line_and_reading_goes_on(make_tree: TreeWriter) -> None:
    root = make_tree({".planning/config.json": "{\n  \"planner\": {,}\n}\n",
                      f"{PHASES}/01-x/01-01-PLAN.md": ""})
    project = load_project(root)
    (diagnostic,) = [d for d in project.diagnostics if d.code == "TREE004"]
    assert (diagnostic.path.name, diagnostic.line) == ("config.json", 2)
    assert project.config == Config() and plan_ids(project) == ["01-01"]


def test_empty_tree_reads_as_no_phases(make_tree: TreeWriter) -> None:
    assert load_project(make_tree({})).phases == ()


def test_a_goal_target_written_as_one_text_is_one_target(make_tree: TreeWriter) -> None:
    project = load(make_tree, {".planning/phases/01-core/01-GOAL.md": "---\ntargets: coverage >= 80\n---\n# Goal\n"})
    assert project.phases[0].targets == ("coverage >= 80",)


def test_a_gap_closed_by_one_plan_written_as_text_is_that_plan(make_tree: TreeWriter) -> None:
    from planner.verify.gaps import RecordedGap

    gap = RecordedGap.read({"id": "coverage", "status": "closed", "closed_by": "01-02"})
    assert gap.closed_by == ("01-02",)
