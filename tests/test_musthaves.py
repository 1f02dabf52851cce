"""Must-haves checked against a fixture repository: one test per status and per odd input shape."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.ids import PlanId
from planner.model import Plan
from planner.render import plain
from planner.tree.frontmatter import Document, read_document
from planner.tree.reader import load_project
from planner.tree.schema import plan_from_document
from planner.verify import musthave_results, textscan
from planner.verify.musthave_results import (
    BAD_PATTERN,
    EXISTS,
    FAILED,
    MISSING,
    NEEDS_PERSON,
    NOT_WIRED,
    STUB,
    VERIFIED,
    WIRED,
    MustHaveReport,
    UnmetMustHave,
    unmet_as_gaps,
    verification_rows,
)
from planner.verify.musthaves import check_must_haves


def _project_reports(project: Any, repo_root: Path) -> dict[str, MustHaveReport]:
    """A report for each plan that states must-haves, keyed by plan id (as verify checks them)."""
    reports: dict[str, MustHaveReport] = {}
    for plan in project.plans:
        document = read_document(plan.plan_path) if plan.plan_path else None
        if not (document and document.meta.get("must_haves")):
            continue
        key = str(plan.id) if str(plan.id) not in reports else f"{plan.id}{plan.variant or '+'}"
        reports[key] = check_must_haves(plan, repo_root, document)
    return reports


def _status_counts(reports: Any) -> dict[str, dict[str, int]]:
    """How many truths, artifacts and key links ended in each status, over many reports."""
    counts: dict[str, Counter[str]] = {"truths": Counter(), "artifacts": Counter(), "key_links": Counter()}
    for report in reports:
        counts["truths"].update(truth.status for truth in report.truths)
        counts["artifacts"].update(artifact.status for artifact in report.artifacts)
        counts["key_links"].update(link.status for link in report.key_links)
    return {kind: dict(sorted(counter.items())) for kind, counter in counts.items()}


CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

SOURCE_FILES = {
    "src/db.py": "import os\nfrom typing import TYPE_CHECKING\n\nPOOL_SIZE = 20\n\n\ndef connect():\n"
                 "    return os.environ\n\n\nclass Database:\n    max = 20\n\nif TYPE_CHECKING:\n"
                 "    Alias = int\n",
    "src/stub.py": "def connect():\n    pass\n",
    "src/broken.py": "def connect(:\n    pass\nclass Database:\n    pass\n",
    "web/api.ts": "import { db } from './db';\n\nexport async function fetchStats() {\n  return db;\n}\n"
                  "export const api = { fetchStats };\nconst helper = 1;\nexport { helper as renamed, other };\n"
                  "export default Router;\n",
    "prog/math.rs": "use crate::constants;\n\npub fn calculate_bonus(x: u64) -> u64 {\n    x\n}\n"
                    "pub(crate) struct Tier;\n",
    "config/database.ts": "export const pool = { max: 20 };\n",
    "docs/notes.md": "first line\n\nsecond line\n",
}


def make_repo(root: Path) -> Path:
    for relative, text in SOURCE_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_plan(folder: Path, must_haves_yaml: str, plan_id: str = "03-02") -> tuple[Plan, Document]:
    """A PLAN file whose frontmatter holds `must_haves_yaml` (indented under `must_haves:`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{plan_id}-PLAN.md"
    path.write_text(f"---\nphase: 03-x\nplan: {plan_id.split('-')[1]}\nmust_haves:\n{must_haves_yaml}---\n\nBody\n",
                    encoding="utf-8")
    document = read_document(path)
    return plan_from_document(document, PlanId.parse(plan_id), []), document


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def check(repo: Path, yaml_text: str) -> MustHaveReport:
    plan, document = write_plan(repo.parent / "plans", yaml_text)
    return check_must_haves(plan, repo, document)


def artifact(repo: Path, body: str) -> musthave_results.ArtifactResult:
    return check(repo, "  artifacts:\n" + body).artifacts[0]


def link(repo: Path, body: str) -> musthave_results.KeyLinkResult:
    return check(repo, "  key_links:\n" + body).key_links[0]


def truth(repo: Path, text: str) -> musthave_results.TruthResult:
    return check(repo, f"  truths:\n    - {text}\n").truths[0]


# ---------------------------------------------------------------- artifacts


@pytest.mark.parametrize(("item", "line"), [
    ('"A clean API for everyone"', 6),  # prose: the finding points at its own line
    ("{provides: nothing}", 4),  # a mapping without a path: not found as written, so at must_haves:
], ids=["prose", "mapping_without_path"])
def test_artifact_that_names_no_file_needs_a_person_and_says_so_on_its_line(repo: Path, item: str, line: int) -> None:
    report = check(repo, f"  artifacts:\n    - {item}\n")
    (result,) = report.artifacts
    assert (result.status, result.reasons, result.plan_line) == (NEEDS_PERSON, ("names no file path",), line)
    assert [(finding.line, finding.code) for finding in report.findings] == [(line, "MH003")]
    assert report.findings[0].message.endswith("names no path; not checked")


def test_artifact_meeting_every_check_exists_and_is_substantive(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      provides: "pool"\n      min_lines: "5"\n'
                            '      contains: "POOL_SIZE"\n      exports: [connect, Database]\n')
    assert result.status == EXISTS
    assert "contains 'POOL_SIZE' at src/db.py:4" in result.evidence
    assert any("defines Database at src/db.py:11" in line for line in result.evidence)


def test_absent_artifact_is_missing(repo: Path) -> None:
    result = artifact(repo, "    - path: src/nowhere.py\n      provides: x\n")
    assert result.status == MISSING
    assert result.reasons == ("src/nowhere.py is not in repo",)


def test_artifact_with_too_few_lines_is_a_stub_saying_so(repo: Path) -> None:
    result = artifact(repo, '    - path: src/stub.py\n      min_lines: "40"\n')
    assert result.status == STUB
    assert result.reasons == ("has 2 non-blank lines, fewer than min_lines 40",)


def test_artifact_lacking_its_contains_text_is_a_stub(repo: Path) -> None:
    result = artifact(repo, '    - path: src/stub.py\n      contains: "POOL_SIZE"\n')
    assert (result.status, result.reasons) == (STUB, ("does not contain 'POOL_SIZE'",))


def test_every_text_of_a_contains_list_must_be_present(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      contains: ["POOL_SIZE", "absent text"]\n')
    assert result.reasons == ("does not contain 'absent text'",)


def test_artifact_missing_an_export_is_a_stub_naming_the_method(repo: Path) -> None:
    result = artifact(repo, "    - path: src/stub.py\n      exports: [Database]\n")
    assert result.status == STUB
    expected = "does not define Database (looked with Python ast: top-level def, class, assignment or import)"
    assert result.reasons == (expected,)


def test_exports_written_as_comma_text_are_split(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      exports: "connect, POOL_SIZE"\n')
    assert result.status == EXISTS
    assert len([line for line in result.evidence if line.startswith("defines")]) == 2


def test_python_names_under_type_checking_and_imports_count_as_defined(repo: Path) -> None:
    result = artifact(repo, "    - path: src/db.py\n      exports: [Alias, os]\n")
    assert result.status == EXISTS


def test_python_method_is_not_a_top_level_export(repo: Path) -> None:
    result = artifact(repo, "    - path: src/db.py\n      exports: [max]\n")
    assert result.status == STUB


def test_unparsable_python_falls_back_to_a_stated_regular_expression(repo: Path) -> None:
    result = artifact(repo, "    - path: src/broken.py\n      exports: [Database]\n")
    assert result.status == EXISTS
    assert result.evidence[0].endswith("(regular expression for generic definition forms, the file not being "
                                       "valid Python)")


@pytest.mark.parametrize("name", ["fetchStats", "api", "renamed", "other", "Router"])
def test_typescript_export_forms_are_found(repo: Path, name: str) -> None:
    result = artifact(repo, f"    - path: web/api.ts\n      exports: [{name}]\n")
    assert result.status == EXISTS
    assert "JavaScript/TypeScript export forms" in result.evidence[0]


def test_typescript_non_exported_const_is_not_an_export(repo: Path) -> None:
    assert artifact(repo, "    - path: web/api.ts\n      exports: [helper]\n").status == STUB


def test_rust_pub_items_are_exports(repo: Path) -> None:
    result = artifact(repo, "    - path: prog/math.rs\n      exports: [calculate_bonus, Tier]\n")
    assert result.status == EXISTS


def test_unreadable_min_lines_needs_a_person_rather_than_passing(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      min_lines: "lots"\n')
    assert (result.status, result.reasons) == (NEEDS_PERSON, ("min_lines 'lots' is not a number",))


def test_path_leaving_the_root_is_refused_with_a_finding(repo: Path) -> None:
    report = check(repo, "  artifacts:\n    - path: ../../etc/passwd\n")
    assert report.artifacts[0].status == NEEDS_PERSON
    assert "leaves the repository root" in report.artifacts[0].reasons[0]
    finding = report.findings[0]
    assert (finding.code, finding.line, finding.path.name) == ("MH004", 6, "03-02-PLAN.md")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlink_out_of_the_root_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret\n")
    (repo / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert artifact(repo, "    - path: link.txt\n      contains: secret\n").status == NEEDS_PERSON


def test_folder_artifact_without_content_checks_exists(repo: Path) -> None:
    result = artifact(repo, "    - path: src/\n      provides: sources\n")
    assert (result.status, result.evidence) == (EXISTS, ("src/ is a folder",))


def test_artifact_written_as_text_with_line_count_is_checked(repo: Path) -> None:
    result = artifact(repo, "    - src/stub.py (200+ lines)\n")
    assert (result.path, result.status) == ("src/stub.py", STUB)


def test_contains_not_pattern_present_makes_a_stub(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      contains_not: "POOL_SIZE|nothing"\n')
    assert result.status == STUB
    assert result.reasons == ("contains 'POOL_SIZE|nothing' (contains_not) at src/db.py:4",)


def test_keys_planner_cannot_check_are_named_in_the_evidence(repo: Path) -> None:
    result = artifact(repo, '    - path: src/db.py\n      coverage_target: "80%"\n')
    assert result.status == EXISTS
    assert "not checked: coverage_target=80%" in result.evidence


def test_file_larger_than_the_cap_is_read_in_part_and_says_so(repo: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textscan, "MAX_READ_BYTES", 10)
    result = artifact(repo, '    - path: src/db.py\n      contains: "import"\n')
    assert result.status == EXISTS
    assert any("only the first" in line for line in result.evidence)


# ---------------------------------------------------------------- key links


def test_matching_pattern_is_wired_with_file_and_line(repo: Path) -> None:
    result = link(repo, '    - from: web/api.ts\n      to: web/db.ts\n      via: import\n'
                        '      pattern: "import.*from.*db"\n')
    assert (result.status, result.evidence) == (WIRED, ("web/api.ts", 1))


def test_pattern_absent_from_the_file_is_not_wired(repo: Path) -> None:
    result = link(repo, '    - from: web/api.ts\n      to: x\n      pattern: "useQuery"\n')
    assert (result.status, result.reason) == (NOT_WIRED, "pattern not found in web/api.ts")


def test_link_from_a_missing_file_is_not_wired(repo: Path) -> None:
    result = link(repo, '    - from: web/none.ts\n      to: x\n      pattern: "x"\n')
    assert (result.status, result.reason) == (NOT_WIRED, "web/none.ts is not in repo")


def test_bad_pattern_is_a_finding_with_plan_file_and_line(repo: Path) -> None:
    report = check(repo, '  key_links:\n    - from: prog/math.rs\n      to: x\n      pattern: "emit!(Bonus"\n')
    assert report.key_links[0].status == BAD_PATTERN
    finding = report.findings[0]
    assert (finding.code, finding.line, finding.path.name) == ("MH005", 8, "03-02-PLAN.md")


def test_bad_pattern_reports_where_it_occurs_as_plain_text(repo: Path) -> None:
    result = link(repo, '    - from: prog/math.rs\n      to: x\n      pattern: "calculate_bonus(x"\n')
    assert result.reason.endswith("taken as plain text it occurs at prog/math.rs:3")


def test_javascript_named_group_is_translated(repo: Path) -> None:
    result = link(repo, '    - from: prog/math.rs\n      to: x\n      pattern: "pub fn (?<name>\\\\w+)"\n')
    assert result.status == WIRED


def test_javascript_slash_delimited_pattern_with_flags_is_honoured(repo: Path) -> None:
    result = link(repo, '    - from: prog/math.rs\n      to: x\n      pattern: "/PUB FN/i"\n')
    assert (result.status, result.evidence) == (WIRED, ("prog/math.rs", 3))


def test_catastrophic_pattern_ends_within_the_timeout(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textscan, "PATTERN_TIMEOUT_SECONDS", 0.5)
    (repo / "evil.txt").write_text("a" * 60 + "!\n")
    result = link(repo, '    - from: evil.txt\n      to: x\n      pattern: "^(a+)+$"\n')
    assert result.status == BAD_PATTERN
    assert "catastrophic backtracking" in result.reason


def test_link_without_a_target_is_judged_by_its_pattern_in_its_source(repo: Path) -> None:
    result = link(repo, '    - from: src/db.py\n      pattern: "POOL_SIZE"\n')
    assert (result.to, result.status, result.evidence) == ("", WIRED, ("src/db.py", 4))


def test_risky_pattern_that_matches_is_still_wired(repo: Path) -> None:
    result = link(repo, '    - from: docs/notes.md\n      to: x\n      pattern: "(\\\\w+\\\\s?)+line"\n')
    assert (result.status, result.evidence) == (WIRED, ("docs/notes.md", 1))


def test_link_without_pattern_needs_a_person(repo: Path) -> None:
    result = link(repo, "    - from: web/api.ts\n      to: /api/stats\n      via: fetch\n")
    assert (result.status, result.reason) == (NEEDS_PERSON, "no pattern to check")


def test_link_written_as_prose_needs_a_person(repo: Path) -> None:
    assert link(repo, '    - "Coverage data: metrics/coverage.json"\n').status == NEEDS_PERSON


def test_wired_link_notes_a_missing_target_file(repo: Path) -> None:
    result = link(repo, '    - from: web/api.ts\n      to: web/db.ts\n      pattern: "db"\n')
    assert result.reason == "note: 'to' web/db.ts is not in repo"


# ---------------------------------------------------------------- truths


@pytest.mark.parametrize("text", ["\"config/database.ts contains 'max: 20'\"",
                                  "'config/database.ts contains \"max: 20\"'",
                                  "\"`config/database.ts` contains `max: 20`\""])
def test_contains_truth_is_verified_with_file_and_line(repo: Path, text: str) -> None:
    result = truth(repo, text)
    assert (result.status, result.evidence) == (VERIFIED, "config/database.ts:1")


def test_contains_truth_with_absent_text_fails(repo: Path) -> None:
    result = truth(repo, "\"config/database.ts contains 'max: 30'\"")
    assert (result.status, result.evidence) == (FAILED, "config/database.ts does not contain 'max: 30'")


def test_contains_truth_about_a_missing_file_fails(repo: Path) -> None:
    assert truth(repo, "\"src/none.ts contains 'x'\"").status == FAILED


def test_contains_truth_outside_the_root_needs_a_person_and_is_a_finding(repo: Path) -> None:
    report = check(repo, "  truths:\n    - \"../../etc/passwd contains 'root'\"\n")
    assert report.truths[0].status == NEEDS_PERSON
    assert report.findings[0].code == "MH004"


def test_bare_file_name_is_found_through_the_plans_artifacts(repo: Path) -> None:
    report = check(repo, "  truths:\n    - \"database.ts contains 'max: 20'\"\n"
                         "  artifacts:\n    - path: config/database.ts\n")
    assert (report.truths[0].status, report.truths[0].evidence) == (VERIFIED, "config/database.ts:1")


def test_does_not_contain_truth_is_checked(repo: Path) -> None:
    assert truth(repo, "\"src/db.py does not contain 'eval('\"").status == VERIFIED
    assert truth(repo, "\"src/db.py does not contain 'POOL_SIZE'\"").status == FAILED


@pytest.mark.parametrize("text", ["All existing tests pass", "package.json contains no contributions for x",
                                  "\"a.ts contains 'x' and 'y'\""])
def test_other_truths_need_a_person(repo: Path, text: str) -> None:
    assert truth(repo, text).status == NEEDS_PERSON


def test_truth_that_yaml_read_as_a_mapping_keeps_its_text(repo: Path) -> None:
    result = truth(repo, "Tests cover critical paths: agents, workflows")
    assert (result.text, result.status) == ("Tests cover critical paths: agents, workflows", NEEDS_PERSON)


# ---------------------------------------------------------------- odd shapes


def test_must_haves_written_as_a_list_are_read_as_truths_with_a_finding(repo: Path) -> None:
    report = check(repo, "  - \"src/db.py contains 'POOL_SIZE'\"\n  - Everything works\n")
    assert [t.status for t in report.truths] == [VERIFIED, NEEDS_PERSON]
    assert report.findings[0].code == "MH001" and report.findings[0].line == 4


def test_single_artifact_written_without_a_dash_is_checked(repo: Path) -> None:
    report = check(repo, "  artifacts:\n    path: src/db.py\n")
    assert [a.status for a in report.artifacts] == [EXISTS]


def test_unknown_must_haves_key_is_a_finding(repo: Path) -> None:
    report = check(repo, "  notes: [a]\n")
    assert report.findings[0].code == "MH002"


def test_plan_without_must_haves_scores_zero_of_zero(repo: Path) -> None:
    plan = Plan(id=PlanId.parse("01-01"))
    report = check_must_haves(plan, repo)
    assert report.score == (0, 0)


def test_missing_repository_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        check_must_haves(Plan(id=PlanId.parse("01-01")), tmp_path / "absent")


def test_tolerant_reader_output_is_checked(repo: Path) -> None:
    # `contains: "a", "b"` is not YAML; the tolerant reader gives a list of two texts
    report = check(repo, '  artifacts:\n    - path: src/db.py\n      contains: "POOL_SIZE", "connect"\n'
                         "      bad: [\n")
    assert report.artifacts[0].status == EXISTS


# ---------------------------------------------------------------- score, rows, gaps


def test_score_counts_needs_a_person_in_the_total_only(repo: Path) -> None:
    report = check(repo, "  truths:\n    - Works\n    - \"src/db.py contains 'POOL_SIZE'\"\n"
                         "  artifacts:\n    - path: src/none.py\n")
    assert report.score == (1, 3)


def test_rows_carry_evidence_for_each_table(repo: Path) -> None:
    report = check(repo, "  truths:\n    - Works\n  artifacts:\n    - path: src/db.py\n      provides: db\n"
                         "  key_links:\n    - from: web/api.ts\n      to: t\n      via: v\n      pattern: api\n")
    rows = verification_rows(report)
    assert plain(rows.truths[0]) == {"#": "1", "truth": "Works", "status": NEEDS_PERSON,
                                     "evidence": "not of the form FILE contains 'TEXT'", "plan": "03-02"}
    assert plain(rows.artifacts[0]) == {"artifact": "src/db.py", "expected": "db", "status": EXISTS,
                                        "details": "src/db.py exists", "plan": "03-02"}
    assert rows.key_links[0].details == "`api` at web/api.ts:6"


def test_unmet_must_haves_become_gaps_with_stable_ids(repo: Path) -> None:
    yaml_text = ("  truths:\n    - Works\n    - \"src/db.py contains 'nope'\"\n  artifacts:\n"
                 "    - path: src/none.py\n    - path: src/db.py\n  key_links:\n"
                 "    - from: web/api.ts\n      to: t\n      pattern: zzz\n")
    gaps = unmet_as_gaps(check(repo, yaml_text))
    assert [gap.id.split("-")[2] for gap in gaps] == ["truth", "artifact", "link"]
    assert [gap.id for gap in gaps] == [gap.id for gap in unmet_as_gaps(check(repo, yaml_text))]
    assert gaps[1] == UnmetMustHave(gaps[1].id, "src/none.py exists", "failed", "MISSING: src/none.py is not in repo",
                                    ("src/none.py",), ("src/none.py is not in repo",))


def test_status_counts_add_up_over_reports(repo: Path) -> None:
    report = check(repo, "  truths:\n    - Works\n  artifacts:\n    - path: src/none.py\n")
    assert _status_counts([report, report]) == {"truths": {NEEDS_PERSON: 2}, "artifacts": {MISSING: 2},
                                               "key_links": {}}


def test_project_reports_only_plans_with_must_haves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    phase = repo / ".planning" / "phases" / "03-x"
    write_plan(phase, "  truths:\n    - \"src/db.py contains 'POOL_SIZE'\"\n", "03-01")
    (phase / "03-02-PLAN.md").write_text("---\nphase: 03-x\nplan: 02\n---\nNo must-haves\n")
    reports = _project_reports(load_project(repo), repo)
    assert list(reports) == ["03-01"]
    assert reports["03-01"].score == (1, 1)


# ---------------------------------------------------------------- never crash


_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
_SHAPES: Any = st.recursive(
    st.none() | _TEXT | st.sampled_from(["src/db.py", "../x", "/etc/passwd", "(", "[a-", "40", "src/"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["truths", "artifacts", "key_links", "path", "from", "to", "pattern", "contains",
                         "exports", "min_lines", "contains_not", "provides"]) | _TEXT, inner, max_size=5),
    max_leaves=12,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(must_haves=_SHAPES)
def test_any_must_haves_shape_gives_a_report_not_an_exception(repo: Path, must_haves: Any) -> None:
    path = repo / "01-01-PLAN.md"
    report = check_must_haves(Plan(id=PlanId.parse("01-01"), plan_path=path), repo,
                              Document(path, {"must_haves": must_haves}, "", True))
    verified, total = report.score
    assert 0 <= verified <= total
    unmet_as_gaps(report)
    verification_rows(report)


_YAML_PIECES = st.sampled_from(["  ", "    ", "- ", "truths:", "artifacts:", "key_links:", "path: ", "from: ",
                                "pattern: ", "contains: ", "exports: ", "min_lines: ", "src/db.py", "'", '"', "[",
                                "]", "(", ": ", ", ", "x", "\n", "\t", "#", "{", "}", "`", "contains", "../"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_YAML_PIECES, max_size=40))
def test_any_frontmatter_text_under_must_haves_gives_a_report(repo: Path, pieces: list[str]) -> None:
    report = check(repo, "  " + "".join(pieces).replace("---", "") + "\n")
    assert report.score[0] <= report.score[1]


@given(pattern=st.text(max_size=20))
def test_any_pattern_compiles_or_gives_its_error(pattern: str) -> None:
    compiled = textscan.compile_pattern(pattern)
    assert isinstance(compiled, str) or compiled.pattern is not None


# ---------------------------------------------------------------- real corpora


def _corpus(name: str) -> Path:
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip(f"../shared/corpora/{name} not present: run beside the shared corpora")
    return root


def test_helix_staking_must_haves_are_checked_against_its_own_tree() -> None:
    root = _corpus("helix-staking")
    reports = _project_reports(load_project(root), root)
    counts = _status_counts(reports.values())
    assert len(reports) == 48
    assert counts["artifacts"] == {MISSING: 148}  # only .planning/ is in the corpus: no source files
    assert counts["key_links"] == {NEEDS_PERSON: 4, NOT_WIRED: 90, BAD_PATTERN: 1}
    assert counts["truths"] == {NEEDS_PERSON: 291}
    [finding] = [finding for report in reports.values() for finding in report.findings]
    assert (finding.path.name, finding.line, finding.code) == ("08.1-04-PLAN.md", 36, "MH005")


@pytest.mark.parametrize("name, planning", [("posthog-vscode", "."), ("ancode", "."), ("atom-nested", "."),
                                            ("atom-nested", "backend")])
def test_other_corpora_are_checked_without_errors(name: str, planning: str) -> None:
    root = _corpus(name)
    reports = _project_reports(load_project(root / planning), root)
    assert reports
    assert all(report.score[1] > 0 for report in reports.values())
