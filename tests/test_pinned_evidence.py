"""Documents that stay true: pinned evidence, an exact `render --check`, idempotent `close`,
coverage as coverage.py counts it, and plan outcomes that keep "executed" apart from "met"."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DemoBuild

from planner.tree.frontmatter import read_document

PHASE = ".planning/phases/01-calculator-core"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t.invalid"}


@pytest.fixture()
def demo(demo_build: DemoBuild, tmp_path: Path) -> Path:
    """A private clone of the demo repository (what was committed, nothing else), so each test may change it."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(demo_build.directory), str(clone)], check=True)
    return clone


def _git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def _tree_bytes(directory: Path) -> dict[str, bytes]:
    planning = directory / ".planning"
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(planning.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


def test_render_check_passes_on_the_demo_and_in_a_fresh_clone(demo_copy: Path, demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for directory in (demo_copy, demo):
        result = cli("render", "--check", "--root", str(directory))
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith("0 of 3 generated document(s) stale")


def test_snapshots_are_committed_with_the_documents(demo: Path) -> None:
    pins = read_document(demo / PHASE / "01-01-SUMMARY.md").meta["evidence"]["snapshots"]
    tracked = _git(demo, "ls-files", ".planning/metrics/snapshots").split()
    assert f".planning/metrics/snapshots/{pins['latest']}.json" in tracked
    assert f".planning/metrics/snapshots/{pins['baseline']}.json" in tracked


def test_a_later_measurement_leaves_the_first_summary_fresh(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # 01-02 was measured after 01-01 closed: a newer snapshot changes nothing in 01-01's document
    assert cli("measure", "--run", "--trust-command", "--root", str(demo)).exit_code == 0
    result = cli("render", "--check", "--root", str(demo))
    assert result.exit_code == 0, result.output


def test_a_new_commit_naming_the_plan_makes_its_summary_stale(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (demo / "calc" / "arith.py").write_text("# more work\n", encoding="utf-8")
    _git(demo, "commit", "-qam", "fix(01-01): more work after the summary")
    result = cli("render", "--check", "--root", str(demo))
    assert result.exit_code == 1
    assert "stale: .planning/phases/01-calculator-core/01-01-SUMMARY.md" in result.output
    assert "01-02-SUMMARY.md" not in result.output.split("---")[0]


def test_a_commit_of_planning_files_only_does_not_make_a_summary_stale(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with (demo / PHASE / "01-01-SUMMARY.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA note a person added below the regions.\n")
    _git(demo, "commit", "-qam", "docs(01-01): a note")
    assert cli("render", "--check", "--root", str(demo)).exit_code == 0


def test_a_missing_snapshot_is_reported_not_crashed_on(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pins = read_document(demo / PHASE / "01-01-SUMMARY.md").meta["evidence"]["snapshots"]
    (demo / ".planning" / "metrics" / "snapshots" / f"{pins['latest']}.json").unlink()
    result = cli("render", "--check", "--root", str(demo))
    assert result.exit_code == 1
    assert f"cannot be rebuilt: snapshot {pins['latest']} is missing" in result.output


def test_an_edited_snapshot_makes_its_documents_stale(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pins = read_document(demo / PHASE / "01-02-SUMMARY.md").meta["evidence"]["snapshots"]
    path = demo / ".planning" / "metrics" / "snapshots" / f"{pins['latest']}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["tests"]["totals"]["failed"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli("render", "--check", "--root", str(demo))
    assert result.exit_code == 1
    assert "01-02-SUMMARY.md" in result.output


def test_close_twice_writes_nothing_the_second_time(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = _tree_bytes(demo)
    result = cli("close", "01-02", "--root", str(demo))
    assert result.exit_code == 0, result.output
    assert "unchanged .planning/phases/01-calculator-core/01-02-SUMMARY.md" in result.output
    assert _tree_bytes(demo) == before
    again = cli("close", "01-01", "--json", "--root", str(demo))
    assert json.loads(again.output)["unchanged"] is True
    assert _tree_bytes(demo) == before


def test_a_later_snapshot_alone_does_not_reclose_a_plan(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("measure", "--run", "--trust-command", "--root", str(demo)).exit_code == 0
    before = _tree_bytes(demo)
    assert "unchanged" in cli("close", "01-01", "--root", str(demo)).output
    assert _tree_bytes(demo) == before


def test_close_after_new_work_on_the_plan_writes_a_new_summary(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with (demo / "calc" / "parse.py").open("a", encoding="utf-8") as handle:
        handle.write("# reworked\n")
    _git(demo, "commit", "-qam", "fix(01-02): rework")
    assert cli("measure", "--run", "--trust-command", "--root", str(demo)).exit_code == 0
    result = cli("close", "01-02", "--root", str(demo))
    assert result.exit_code == 0
    assert "wrote .planning/phases/01-calculator-core/01-02-SUMMARY.md" in result.output
    meta = read_document(demo / PHASE / "01-02-SUMMARY.md").meta
    assert len(meta["evidence"]["git"]["commits"]) == 2


def test_bookkeeping_commits_and_planning_files_are_not_the_plans_work(demo: Path) -> None:
    meta = read_document(demo / PHASE / "01-02-SUMMARY.md").meta
    subjects = {h: _git(demo, "log", "-1", "--format=%s", h).strip() for h in meta["evidence"]["git"]["commits"]}
    assert list(subjects.values()) == ["feat(01-02): parse and evaluate expressions"]
    bookkeeping = [_git(demo, "log", "-1", "--format=%s", h).strip() for h in meta["evidence"]["git"]["bookkeeping"]]
    assert bookkeeping == ["docs(01-02): start"]
    files = meta["key-files"]["created"] + meta["key-files"]["modified"]
    assert files == ["calc/parse.py", "tests/test_parse.py"]
    assert not any(path.startswith(".planning/") for path in files)
    body = (demo / PHASE / "01-02-SUMMARY.md").read_text(encoding="utf-8")
    assert "- **Files:** 2 created, 0 modified, 0 deleted" in body


def test_full_hashes_pin_the_range(demo: Path) -> None:
    git = read_document(demo / PHASE / "01-02-SUMMARY.md").meta["evidence"]["git"]
    start, end = git["range"].split("..")
    assert re.fullmatch(r"[0-9a-f]{40}", start) and end == git["commits"][-1]


def test_start_records_the_baseline_snapshot_to_the_millisecond(demo: Path) -> None:
    plan = read_document(demo / PHASE / "01-02-PLAN.md").meta
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+00:00", plan["started"])
    snapshots = sorted(p.stem for p in (demo / ".planning/metrics/snapshots").glob("*.json"))
    assert plan["baseline"] == snapshots[1]  # the one 01-01 was closed on, taken just before the start
    summary = read_document(demo / PHASE / "01-02-SUMMARY.md").meta
    assert summary["evidence"]["snapshots"]["baseline"] == plan["baseline"]
    body = (demo / PHASE / "01-02-SUMMARY.md").read_text(encoding="utf-8")
    assert "| `tests.failed == 0` | 0 | 1 | == 0 | FAIL |" in body


def test_before_is_na_only_without_a_snapshot_and_the_document_says_why(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "p"
    root.mkdir()
    _git_init(root)
    assert cli("init", str(root)).exit_code == 0
    assert cli("phase", "add", "Core", "--root", str(root)).exit_code == 0
    assert cli("new", "1", "--target", "tests.failed == 0", "--root", str(root)).exit_code == 0
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "chore: plan")
    started = cli("start", "01-01", "--root", str(root))
    assert "no snapshot was taken before this start" in started.output
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuite tests="1" failures="0"><testcase classname="t" name="a"/></testsuite>',
                     encoding="utf-8")
    assert cli("measure", "--junit", str(junit), "--root", str(root)).exit_code == 0
    assert cli("close", "01-01", "--root", str(root)).exit_code == 0
    body = (root / ".planning/phases/01-core/01-01-SUMMARY.md").read_text(encoding="utf-8")
    assert "| `tests.failed == 0` | n/a | 0 | == 0 | PASS |" in body
    assert "No snapshot was taken before this plan started, so Before reads n/a" in body


def _git_init(root: Path) -> None:
    _git(root, "init", "-q", "-b", "main")


def test_missed_targets_close_the_plan_and_become_gaps(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    plan = read_document(demo / PHASE / "01-02-PLAN.md").meta
    assert (plan["status"], plan["outcome"]) == ("complete", "missed")
    status = json.loads(cli("status", "--json", "--root", str(demo)).output)
    entry = next(p for p in status["phases"][0]["plans"] if p["id"] == "01-02")
    assert (entry["status"], entry["outcome"], entry["note"]) == ("complete", "missed", "closed with missed targets")
    assert status["phases"][0]["status"] == "complete, targets missed"
    roadmap = (demo / ".planning" / "ROADMAP.md").read_text(encoding="utf-8")
    assert "- [x] 01-02-PLAN.md -- Expression parser (closed with missed targets)" in roadmap
    gaps = read_document(demo / PHASE / "01-VERIFICATION.md").meta["gaps"]
    assert any(g["source"] == "01-02: tests.failed == 0" and g["status"] == "open" for g in gaps)


def test_close_superseded_by_names_the_plans_that_replace_it(demo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("new", "1", "--title", "Parser, again", "--root", str(demo)).exit_code == 0
    result = cli("close", "01-02", "--superseded-by", "01-03", "--root", str(demo))
    assert result.exit_code == 0, result.output
    assert "SUPERSEDED by 01-03" in result.output
    plan = read_document(demo / PHASE / "01-02-PLAN.md").meta
    assert (plan["status"], plan["superseded_by"]) == ("superseded", ["01-03"])
    roadmap = (demo / ".planning" / "ROADMAP.md").read_text(encoding="utf-8")
    assert "- [x] 01-02-PLAN.md -- Expression parser (superseded by 01-03)" in roadmap
    unknown = cli("close", "01-01", "--superseded-by", "01-09", "--root", str(demo))
    assert unknown.exit_code == 2 and "no such plan" in unknown.output


def test_coverage_is_coverage_py_total_and_respects_the_projects_configuration(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "core.py").write_text(
        "def sign(x):\n    if x > 0:\n        return 1\n    if x < 0:\n        return -1\n    return 0\n\n\n"
        "def never():\n    return 'not run'\n", encoding="utf-8")
    (root / "pkg" / "generated.py").write_text("def skipped():\n    return 1\n", encoding="utf-8")
    (root / "tests" / "test_core.py").write_text(
        "from pkg.core import sign\n\n\ndef test_positive():\n    assert sign(3) == 1\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.coverage.run]\nsource = ["pkg"]\nbranch = true\nomit = ["pkg/generated.py"]\n', encoding="utf-8")
    _git_init(root)
    assert cli("init", str(root)).exit_code == 0
    config_path = root / ".planning" / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["planner"]["test_command"][0] = sys.executable
    config_path.write_text(json.dumps(config), encoding="utf-8")
    result = cli("measure", "--run", "--trust-command", "--json", "--root", str(root))
    assert result.exit_code == 0, result.output
    snapshot_file = max((root / ".planning/metrics/snapshots").glob("*.json"))
    files = json.loads(snapshot_file.read_text(encoding="utf-8"))["files"]
    assert sorted(files) == ["pkg/__init__.py", "pkg/core.py"]  # source kept, omit respected, no tests/
    report = subprocess.run([sys.executable, "-m", "coverage", "report", "--precision=2"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    total = report.strip().splitlines()[-1].split()[-1]
    from planner.evidence.snapshot.store import load_snapshot
    from planner.facts.measured import coverage_facts

    facts = coverage_facts(load_snapshot(snapshot_file))
    assert facts is not None and facts.percent == total
    assert facts.line_percent != total  # branches count: statement coverage alone differs


def _readme() -> str:
    return (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_tour_is_what_the_demo_prints(demo_build: DemoBuild) -> None:
    block = _readme().split("<!-- demo-output -->", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert block == demo_build.printed


def test_readme_excerpts_are_in_the_demos_documents(demo_build: DemoBuild) -> None:
    excerpts = re.findall(r"<!-- demo-excerpt (\S+) -->\n```markdown\n(.*?)```", _readme(), re.DOTALL)
    assert excerpts, "README shows no demo excerpt"
    for name, text in excerpts:
        document = (demo_build.directory / PHASE / name).read_text(encoding="utf-8").splitlines()
        for line in text.splitlines():
            assert not line or line in document, f"README line not in the demo's {name}: {line}"


def test_init_says_to_commit_snapshots_and_how_to_turn_on_branches_and_contexts(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text('[tool.coverage.run]\nsource = ["pkg"]\n', encoding="utf-8")
    result = cli("init", str(tmp_path))
    assert result.exit_code == 0
    assert "commit .planning/ with its metrics/snapshots/" in result.output
    assert "pyproject.toml: add `[tool.coverage.run] branch = true`" in result.output
    assert "pyproject.toml: add `[tool.coverage.json] show_contexts = true`" in result.output
    assert (tmp_path / ".planning" / ".gitignore").read_text(encoding="utf-8") == ".cache/\n"
    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / ".coveragerc").write_text("[run]\nbranch = True\n[json]\nshow_contexts = True\n", encoding="utf-8")
    quiet = cli("init", str(configured))
    assert "coverage:" not in quiet.output


def test_the_demo_passes_its_own_checker(demo_copy: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # `status: complete` with `outcome: missed` says "executed, targets missed": no STA501; the
    # coverage lines name coverage.py's percent beside the counts it comes from: no NUM403
    result = cli("check", "--root", str(demo_copy))
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
