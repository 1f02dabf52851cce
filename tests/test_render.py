"""plan render: generated documents rebuilt from the evidence they record, stay fresh through what
happens after them (moves, config edits, later work on other plans), and are rewritten in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import GitRepo, git_env
from usecase_repo import at, make_project, measure

from planner.close import close_plan
from planner.start import start_plan
from planner.tree.edit import set_keys
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project
from planner.verify import verify_phase

PHASE = Path(".planning/phases/01-core")
SUMMARY = PHASE / "01-01-SUMMARY.md"
VERIFICATION = PHASE / "01-VERIFICATION.md"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


def _set_groups(root: Path, groups: dict[str, list[str]]) -> None:
    path = root / ".planning" / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["planner"]["groups"] = groups
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _closed_and_verified(tmp_path: Path, *, scope: str = "feat(01-01)") -> tuple[Path, GitRepo]:
    """Plan 01-01 with a group target, its work committed (under `scope`), measured, closed;
    phase 1 verified on a group target too."""
    root, repo = make_project(tmp_path / "p", ["coverage[core] >= 50"])
    _set_groups(root, {"core": ["pkg/core.py"]})
    plan = root / PHASE / "01-01-PLAN.md"
    plan.write_text(set_keys(plan.read_text(encoding="utf-8"), {"targets": ["coverage[core] >= 50"]}, path=plan),
                    encoding="utf-8")
    start_plan(load_project(root), "01-01", now=at(1))
    repo.commit(f"{scope}: multiply", {"pkg/mul.py": "def mul(a, b):\n    return a * b\n"}, when=at(5))
    measure(root, covered=6, statements=10, failed=0, minute=6)
    close_plan(load_project(root), "01-01", now=at(9))
    verify_phase(load_project(root), "1", now=at(10))
    return root, repo


def test_documents_record_the_groups_their_targets_were_judged_on(tmp_path: Path) -> None:
    root, _ = _closed_and_verified(tmp_path)
    for document in (SUMMARY, VERIFICATION):
        assert read_document(root / document).meta["evidence"]["groups"] == {"core": ["pkg/core.py"]}


def test_a_group_redefined_later_leaves_the_documents_fresh(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = _closed_and_verified(tmp_path)
    _set_groups(root, {"core": ["src/elsewhere/*.py"]})  # today's core would be UNMEASURED
    result = cli("render", "--check", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 of 2 generated document(s) stale")


def test_moving_a_created_file_later_leaves_the_self_check_passed(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, repo = _closed_and_verified(tmp_path)
    repo.commit("refactor: a home for the arithmetic", renames={"pkg/mul.py": "pkg/arith/mul.py"}, when=at(20))
    result = cli("render", "--check", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert read_document(root / SUMMARY).meta["evidence"]["self_check"] == "passed"


def test_later_work_on_other_plans_does_not_join_a_plan_found_by_its_range(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, repo = _closed_and_verified(tmp_path, scope="feat")  # no commit names 01-01: base..HEAD
    assert read_document(root / SUMMARY).meta["evidence"]["git"]["method"] == "range"
    repo.commit("feat: division, long after 01-01 closed", {"pkg/div.py": "x = 1\n"}, when=at(30))
    result = cli("render", "--check", "--root", str(root))
    assert result.exit_code == 0, result.output


def test_a_new_commit_naming_the_plan_still_makes_it_stale(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, repo = _closed_and_verified(tmp_path)
    repo.commit("fix(01-01): one more case", {"pkg/mul.py": "def mul(a, b):\n    return b * a\n"}, when=at(30))
    result = cli("render", "--check", "--root", str(root))
    assert result.exit_code == 1
    assert f"stale: {SUMMARY.as_posix()}" in result.output


def _change_the_summary_template(root: Path) -> None:
    templates = root / ".planning" / "templates"
    templates.mkdir(exist_ok=True)
    from planner.render import builtin_templates_dir

    text = (builtin_templates_dir() / "summary.md.j2").read_text(encoding="utf-8")
    (templates / "summary.md.j2").write_text(text.replace("- **Duration:**", "- **Time taken:**"),
                                            encoding="utf-8")


def test_render_rewrites_a_stale_document_and_keeps_what_people_wrote(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = _closed_and_verified(tmp_path)
    summary = root / SUMMARY
    summary.write_text(summary.read_text(encoding="utf-8") + "\nA note of mine, below the regions.\n",
                       encoding="utf-8")
    _change_the_summary_template(root)
    result = cli("render", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert f"rewrote {SUMMARY.as_posix()}" in result.output
    text = summary.read_text(encoding="utf-8")
    assert "- **Time taken:**" in text
    assert text.endswith("\nA note of mine, below the regions.\n")
    assert cli("render", "--check", "--root", str(root)).exit_code == 0


def test_render_dry_run_and_diff_write_nothing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = _closed_and_verified(tmp_path)
    _change_the_summary_template(root)
    before = (root / SUMMARY).read_bytes()
    dry = cli("render", "--dry-run", "--root", str(root))
    assert dry.exit_code == 0 and f"would rewrite {SUMMARY.as_posix()}" in dry.output
    diff = cli("render", "--diff", "--root", str(root))
    assert diff.exit_code == 0 and "+- **Time taken:**" in diff.output
    assert (root / SUMMARY).read_bytes() == before


def test_render_refuses_when_a_document_cannot_be_rebuilt_and_writes_nothing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root, _ = _closed_and_verified(tmp_path)
    _change_the_summary_template(root)
    latest = read_document(root / SUMMARY).meta["evidence"]["snapshots"]["latest"]
    (root / ".planning" / "metrics" / "snapshots" / f"{latest}.json").unlink()
    before = {path: path.read_bytes() for path in (root / ".planning").rglob("*.md")}
    result = cli("render", "--root", str(root))
    assert result.exit_code == 2
    assert f"snapshot {latest} is missing" in result.output
    assert {path: path.read_bytes() for path in (root / ".planning").rglob("*.md")} == before


def test_a_summary_written_before_pinning_is_rebuilt_from_the_snapshot_its_sources_name(tmp_path: Path) -> None:
    root, _ = _closed_and_verified(tmp_path)
    summary = root / SUMMARY
    evidence = read_document(summary).meta["evidence"]
    latest = evidence["snapshots"]["latest"]
    # what planner wrote before it pinned snapshots: the ids only among the sources
    unpinned = {key: value for key, value in evidence.items() if key != "snapshots"}
    summary.write_text(set_keys(summary.read_text(encoding="utf-8"), {"evidence": unpinned}, path=summary),
                       encoding="utf-8")
    measure(root, covered=1, statements=10, failed=3, minute=40)  # a later, very different snapshot
    from planner.render_check import render_documents

    render_documents(load_project(root))
    assert read_document(summary).meta["evidence"]["snapshots"]["latest"] == latest
    assert read_document(summary).meta["metrics"]["coverage"] == "60.00%"
