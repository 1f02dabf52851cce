"""`plan check` through the planning index: the same findings, with unchanged documents served from it."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from planner.check import Finding, check_root, run_checks
from planner.tree.frontmatter import read_document
from planner.tree.index.session import INDEX_FILE, load_project_documents, load_project_indexed

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
CORPUS_ROOTS = ("helix-staking", "posthog-vscode", "ancode", "atom-nested", "atom-nested/backend",
                "atom-nested/frontend-nextjs", "atom-nested/mobile")
OLD_NS = 1_600_000_000 * 10**9  # written long ago: outside the index's racy window

PLAN = "---\nphase: {phase}\nplan: '{part}'\ntype: execute\n---\n\n# Plan {part}\n"
SUMMARY = ("---\nphase: {phase}\nplan: '{part}'\nduration: 30min\n---\n\n# Summary\n\n## Performance\n"
           "- **Duration:** {duration}\n- **Started:** 2026-01-05T10:00:00Z\n- **Completed:** {completed}\n")
ON_TIME = {"duration": "30min", "completed": "2026-01-05T10:30:00Z"}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(OLD_NS, OLD_NS))


def _tree(root: Path) -> Path:
    """Two phases of two plans, each with a SUMMARY whose times are in its body; 02-02 claims a wrong duration."""
    _write(root / ".planning" / "ROADMAP.md", "# Roadmap\n")
    for phase in ("01-core", "02-reader"):
        for part in ("01", "02"):
            folder = root / ".planning" / "phases" / phase
            _write(folder / f"{phase[:2]}-{part}-PLAN.md", PLAN.format(phase=phase, part=part))
            times = {"duration": "2h", "completed": ON_TIME["completed"]} if (phase, part) == ("02-reader", "02") \
                else ON_TIME
            _write(folder / f"{phase[:2]}-{part}-SUMMARY.md", SUMMARY.format(phase=phase, part=part, **times))
    return root


def _markdown_count(root: Path) -> int:
    return sum(1 for _ in (root / ".planning").rglob("*.md"))


def _copy_corpus(name: str, tmp_path: Path) -> Path:
    source = CORPORA / name
    if not (source / ".planning").is_dir():
        pytest.skip(f"../shared/corpora/{name} not present: {source}")
    target = tmp_path / name.replace("/", "-")
    shutil.copytree(source, target, symlinks=True)  # copy2 keeps mtimes: the files look long written
    for folder, _, _ in os.walk(target):
        os.chmod(folder, 0o755)  # the corpora are read-only, and a read-only .planning/ is never indexed
    return target


def _codes_at(findings: tuple[Finding, ...], path: str) -> set[str]:
    return {finding.code for finding in findings if finding.path == path}


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_corpus_findings_are_identical_without_index_cold_and_warm(tmp_path: Path, name: str) -> None:
    root = _copy_corpus(name, tmp_path)
    plain = check_root(root, use_index=False)
    cold = check_root(root)
    warm = check_root(root)
    assert cold.index is not None and cold.index.saved
    assert warm.index is not None and warm.index.project_hit and warm.index.misses == 0
    assert plain.findings == cold.findings == warm.findings
    assert plain.documents_checked == cold.documents_checked == warm.documents_checked


def test_corpus_documents_from_the_index_equal_the_parsed_files(tmp_path: Path) -> None:
    root = _copy_corpus("ancode", tmp_path)
    load_project_documents(root)
    project, documents, stats = load_project_documents(root)
    assert stats.project_hit
    checked = [path for plan in project.plans for path in plan.summary_paths]
    checked += [phase.verification_path for phase in project.phases if phase.verification_path is not None]
    assert checked and set(checked) <= set(documents)
    assert all(documents[path] == read_document(path) for path in documents)


def test_plan_stored_without_its_body_is_left_to_the_caller(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    load_project_indexed(root)
    _, documents, _ = load_project_documents(root)
    plan = root / ".planning" / "phases" / "01-core" / "01-01-PLAN.md"
    assert documents.get(plan) is None and plan not in set(documents)


def test_documents_parsed_by_the_load_are_all_served(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    _, documents, stats = load_project_documents(root)
    assert stats.misses == _markdown_count(root) == len(documents)


def test_warm_check_parses_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path)
    first = check_root(root, git=False)

    def no_parsing(path: Path) -> None:
        raise AssertionError(f"{path} was parsed")

    monkeypatch.setattr("planner.tree.index.session.read_document", no_parsing)
    monkeypatch.setattr("planner.check.summary_claims.read_document", no_parsing)
    second = check_root(root, git=False)
    assert second.index is not None and second.index.project_hit
    assert second.findings == first.findings


def test_body_claims_of_unchanged_summaries_come_from_the_index(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    check_root(root, git=False)
    warm = check_root(root, git=False)
    assert "TIM302" in _codes_at(warm.findings, ".planning/phases/02-reader/02-02-SUMMARY.md")


def test_edited_summary_shows_its_new_problem_and_the_rest_come_from_the_index(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    check_root(root, git=False)
    edited = root / ".planning" / "phases" / "01-core" / "01-02-SUMMARY.md"
    _write(edited, SUMMARY.format(phase="01-core", part="02", duration="30min", completed="2026-01-05T09:30:00Z"))
    after = check_root(root, git=False)
    assert after.index is not None
    assert (after.index.misses, after.index.hits) == (1, _markdown_count(root) - 1)
    assert "TIM301" in _codes_at(after.findings, ".planning/phases/01-core/01-02-SUMMARY.md")
    assert after.findings == check_root(root, git=False, use_index=False).findings


def test_index_written_by_status_serves_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path)
    expected = check_root(root, git=False, use_index=False).findings
    load_project_indexed(root)
    monkeypatch.setattr("planner.tree.index.session.read_document", lambda path: pytest.fail(f"{path} was parsed"))
    report = check_root(root, git=False)
    assert report.index is not None and report.index.project_hit
    assert report.findings == expected


def test_status_after_check_still_comes_whole_from_the_index(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    check_root(root, git=False)
    _, stats = load_project_indexed(root)
    assert stats.project_hit and not stats.saved


def test_damaged_stored_document_is_read_from_its_file(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    expected = check_root(root, git=False, use_index=False).findings
    check_root(root, git=False)
    with sqlite3.connect(root / ".planning" / ".cache" / INDEX_FILE) as db:
        db.execute("UPDATE documents SET parsed = ? WHERE path LIKE '%02-02-SUMMARY.md'", (b"\x80\x05garbage",))
    db.close()
    report = check_root(root, git=False)
    assert report.index is not None and report.index.project_hit
    assert report.findings == expected


def test_path_outside_the_tree_is_not_in_the_documents(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "elsewhere.md"
    _write(outside, "# Not planning\n")
    load_project_indexed(root)
    _, documents, _ = load_project_documents(root)
    assert documents.get(outside) is None
    with pytest.raises(KeyError):
        documents[outside]


def test_documents_without_the_index_are_every_file_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    project, documents, _ = load_project_documents(root, use_index=False)
    assert len(documents) == _markdown_count(root)
    assert not (root / ".planning" / ".cache").exists()
    assert run_checks(project, git=False, documents=documents).findings == \
        check_root(root, git=False, use_index=False).findings


@pytest.mark.parametrize("name", ["ancode", "atom-nested"])
def test_corpus_findings_are_identical_when_workers_parse(tmp_path: Path, name: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.served_phases
    import planner.tree.index.workers

    root = _copy_corpus(name, tmp_path)
    plain = check_root(root, use_index=False, git=False)
    monkeypatch.setattr(planner.tree.index.served_phases, "PARALLEL_FROM", 2)
    monkeypatch.setattr(planner.tree.index.workers, "CHUNK_FILES", 3)
    project, documents, stats = load_project_documents(root, workers=3)
    assert stats.misses > 0
    assert run_checks(project, git=False, documents=documents).findings == plain.findings
    assert all(documents[path] == read_document(path) for path in documents)
