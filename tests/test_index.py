"""The planning index: changed files are re-read, the rest come from `.planning/.cache/index.sqlite`."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.model import Project
from planner.status import project_status
from planner.tree.frontmatter import Document, read_document
from planner.tree.index.encoding import _path
from planner.tree.index.session import INDEX_FILE, IndexStats, load_project_indexed, scan_tree
from planner.tree.reader import load_project

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
CORPUS_ROOTS = ("helix-staking", "posthog-vscode", "ancode", "atom-nested", "atom-nested/backend",
                "atom-nested/frontend-nextjs", "atom-nested/mobile")
OLD_NS = 1_600_000_000 * 10**9  # files written long ago: outside the racy window

PLAN = "---\nphase: {phase}\nplan: '{part}'\ntitle: {title}\nstatus: {status}\n---\n\n# Plan\n"
SUMMARY = "---\nphase: {phase}\nplan: '{part}'\nduration: 5min\n---\n\n# Summary\n"


def _write(path: Path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _tree(root: Path) -> Path:
    """Two phases, five plan documents, one summary, a bold-metadata plan and a root document."""
    phases = root / ".planning" / "phases"
    _write(root / ".planning" / "ROADMAP.md", "# Roadmap\n")
    for phase, parts in (("01-setup", ("01", "02")), ("02-reader", ("01", "02"))):
        for part in parts:
            _write(phases / phase / f"{phase[:2]}-{part}-PLAN.md",
                   PLAN.format(phase=phase, part=part, title=f"Plan {phase[:2]}-{part}", status="planned"))
    _write(phases / "01-setup" / "01-01-SUMMARY.md", SUMMARY.format(phase="01-setup", part="01"))
    _write(phases / "02-reader" / "02-03-PLAN.md", "# Plan 3\n\n**Status:** Complete\n**Title:** Bold one\n")
    return root


def _index(root: Path) -> Path:
    return root / ".planning" / ".cache" / INDEX_FILE


def _status(project: Project) -> dict[str, object]:
    return project_status(project)


def _plan_status(project: Project, plan_id: str) -> str:
    return next(plan.status for plan in project.plans if str(plan.id) == plan_id)


def test_first_load_reads_every_file_and_builds_the_index(tmp_path: Path) -> None:
    _tree(tmp_path)
    _, stats = load_project_indexed(tmp_path)
    assert (stats.hits, stats.misses, stats.saved) == (0, 7, True)
    assert _index(tmp_path).is_file()


def test_unchanged_tree_comes_whole_from_the_index(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    _, stats = load_project_indexed(tmp_path)
    assert stats == IndexStats(hits=7, misses=0, project_hit=True)


def test_indexed_project_equals_the_read_one(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    project, _ = load_project_indexed(tmp_path)
    assert _status(project) == _status(load_project(tmp_path))
    assert project.diagnostics == load_project(tmp_path).diagnostics


def test_edited_file_rereads_its_phase_folder_and_the_other_phases_come_from_the_index(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    plan = tmp_path / ".planning/phases/02-reader/02-01-PLAN.md"
    _write(plan, PLAN.format(phase="02-reader", part="01", title="Edited", status="complete"), OLD_NS + 10**9)
    project, stats = load_project_indexed(tmp_path)
    # 01-setup's three files come with its Phase from the stored project; 02-reader's three and
    # ROADMAP.md are read again
    assert (stats.hits, stats.misses, stats.project_hit) == (3, 4, False)
    assert project == load_project(tmp_path)
    assert _plan_status(project, "02-01") == "complete"


def test_only_a_load_for_check_stores_a_row_per_document(tmp_path: Path) -> None:
    from planner.tree.index.session import load_project_documents

    _tree(tmp_path)
    load_project_indexed(tmp_path)
    with sqlite3.connect(_index(tmp_path)) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM built_from").fetchone() == (1,)
    shutil.rmtree(tmp_path / ".planning" / ".cache")
    load_project_documents(tmp_path)  # (after a status, a check is served by its project, and parses nothing)
    with sqlite3.connect(_index(tmp_path)) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (7,)


def test_tree_changed_all_over_is_shared_with_workers_and_reuses_nothing_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _worker_tree(tmp_path)
    _share_with_workers(monkeypatch)
    load_project_indexed(tmp_path, workers=2)
    for path in (tmp_path / ".planning").rglob("*.md"):  # a checkout of another branch, say
        path.write_text(path.read_text(encoding="utf-8").replace("Plan ", "Planned "), encoding="utf-8")
        os.utime(path, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    project, stats = load_project_indexed(tmp_path, workers=2)
    assert stats.misses == 12 and stats.hits == 0
    assert project == load_project(tmp_path)


def test_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    plan = tmp_path / ".planning/phases/01-setup/01-02-PLAN.md"
    text = plan.read_text(encoding="utf-8")
    edited = text.replace("status: planned", "status: started")
    assert len(edited) == len(text)
    with open(plan, "r+", encoding="utf-8") as handle:  # in place: same inode, same size
        handle.write(edited)
    os.utime(plan, ns=(OLD_NS, OLD_NS))  # and the old mtime back: only ctime tells
    project, stats = load_project_indexed(tmp_path)
    assert stats.misses == 4  # its phase folder's three files and ROADMAP.md
    assert _plan_status(project, "01-02") == "in_progress"


def test_change_is_seen_by_the_load_after_it_too(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    plan = tmp_path / ".planning/phases/02-reader/02-02-PLAN.md"
    _write(plan, PLAN.format(phase="02-reader", part="02", title="Edited", status="complete"), OLD_NS + 10**9)
    load_project_indexed(tmp_path)
    project, stats = load_project_indexed(tmp_path)
    assert stats.project_hit
    assert _plan_status(project, "02-02") == "complete"


def test_deleted_file_is_gone_from_the_model(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    (tmp_path / ".planning/phases/01-setup/01-02-PLAN.md").unlink()
    project, stats = load_project_indexed(tmp_path)
    assert "01-02" not in {str(plan.id) for plan in project.plans}
    assert (stats.hits, stats.misses) == (3, 3)


def test_new_file_appears_in_the_model(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    _write(tmp_path / ".planning/phases/01-setup/01-03-PLAN.md",
           PLAN.format(phase="01-setup", part="03", title="New", status="planned"))
    project, stats = load_project_indexed(tmp_path)
    assert "01-03" in {str(plan.id) for plan in project.plans}
    assert (stats.hits, stats.misses) == (3, 5)


def test_new_phase_folder_appears_even_when_empty(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    (tmp_path / ".planning/phases/03-empty").mkdir()
    project, _ = load_project_indexed(tmp_path)
    assert [phase.id for phase in project.phases] == ["01", "02", "03"]


def test_file_written_just_now_is_not_stored(tmp_path: Path) -> None:
    _tree(tmp_path)
    _write(tmp_path / ".planning/phases/01-setup/01-03-PLAN.md",
           PLAN.format(phase="01-setup", part="03", title="Fresh", status="planned"),
           mtime_ns=os.stat(tmp_path).st_mtime_ns)
    load_project_indexed(tmp_path)
    _, stats = load_project_indexed(tmp_path)
    # a same-tick second edit would keep its stamp: no project was stored, every file is read again
    assert (stats.misses, stats.project_hit) == (8, False)


@pytest.mark.parametrize("content", [b"this is not a database\n" * 40, b"", b"SQLite format 3\x00" + b"\x07" * 90],
                         ids=["text", "empty", "bad-header"])
def test_corrupt_index_is_rebuilt_with_a_warning(tmp_path: Path, content: bytes) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    _index(tmp_path).write_bytes(content)
    project, stats = load_project_indexed(tmp_path)
    assert stats.rebuilt and stats.misses == 7
    assert len(stats.warnings) == 1 and INDEX_FILE in stats.warnings[0]
    assert _status(project) == _status(load_project(tmp_path))
    assert load_project_indexed(tmp_path)[1].project_hit


def test_truncated_index_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    index = _index(tmp_path)
    index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
    project, stats = load_project_indexed(tmp_path)
    assert stats.rebuilt and stats.warnings
    assert _status(project) == _status(load_project(tmp_path))


def test_foreign_sqlite_database_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    _tree(tmp_path)
    index = _index(tmp_path)
    index.parent.mkdir(parents=True)
    with sqlite3.connect(index) as db:
        db.execute("CREATE TABLE songs (title TEXT)")
    _, stats = load_project_indexed(tmp_path)
    assert stats.rebuilt and "not a planner index" in stats.warnings[0]
    assert load_project_indexed(tmp_path)[1] == IndexStats(hits=7, project_hit=True)


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_planted_pickle_is_refused_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    with sqlite3.connect(_index(tmp_path)) as db:
        db.execute("UPDATE project SET model = ?", (pickle.dumps(_Exploit()),))
    monkeypatch.chdir(tmp_path)
    project, stats = load_project_indexed(tmp_path)
    assert not (tmp_path / "pwned").exists()
    assert "foreign object" in stats.warnings[0]
    assert _status(project) == _status(load_project(tmp_path))


def test_damaged_document_entry_distrusts_the_whole_index(tmp_path: Path) -> None:
    from planner.tree.index.session import load_project_documents

    _tree(tmp_path)
    load_project_documents(tmp_path)  # `plan check`'s load stores a row per document
    with sqlite3.connect(_index(tmp_path)) as db:
        db.execute("DELETE FROM project")
        db.execute("UPDATE documents SET parsed = ? WHERE path LIKE '%02-02-PLAN.md'", (b"\x80\x05garbage",))
    project, stats = load_project_indexed(tmp_path)
    assert (stats.hits, stats.misses, stats.rebuilt) == (0, 7, True)
    assert len(stats.warnings) == 1
    assert _status(project) == _status(load_project(tmp_path))


def test_index_of_another_version_is_rebuilt_without_warning(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    with sqlite3.connect(_index(tmp_path)) as db:
        db.execute("UPDATE planner_index SET value = '0' WHERE key = 'format'")
    _, stats = load_project_indexed(tmp_path)
    assert (stats.rebuilt, stats.warnings, stats.misses) == (True, (), 7)


def test_deleted_index_is_rebuilt(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    shutil.rmtree(tmp_path / ".planning" / ".cache")
    _, stats = load_project_indexed(tmp_path)
    assert stats.misses == 7 and _index(tmp_path).is_file()


def test_unwritable_cache_folder_loads_without_the_index(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".planning" / ".cache").write_text("a file where the folder should be", encoding="utf-8")
    project, stats = load_project_indexed(tmp_path)
    assert (stats.saved, stats.warnings) == (False, ())
    assert _status(project) == _status(load_project(tmp_path))


def test_folder_marked_read_only_is_not_written(tmp_path: Path) -> None:
    _tree(tmp_path)
    planning = tmp_path / ".planning"
    planning.chmod(0o555)
    try:
        _, stats = load_project_indexed(tmp_path)
    finally:
        planning.chmod(0o755)
    assert not stats.saved and not (planning / ".cache").exists()


def test_locked_index_is_read_around(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    (tmp_path / ".planning/phases/01-setup/01-02-PLAN.md").unlink()
    holder = sqlite3.connect(_index(tmp_path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        project, stats = load_project_indexed(tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "01-02" not in {str(plan.id) for plan in project.plans}
    assert stats.warnings == ()


def test_cache_folder_ignores_itself_in_git(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    ignore = tmp_path / ".planning" / ".cache" / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_moved_tree_reports_its_new_paths(tmp_path: Path) -> None:
    _tree(tmp_path / "a")
    load_project_indexed(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    project, stats = load_project_indexed(tmp_path / "b")
    assert not stats.project_hit
    assert all(tmp_path / "b" in plan.plan_path.parents for plan in project.plans if plan.plan_path)


def test_without_index_nothing_is_written(tmp_path: Path) -> None:
    _tree(tmp_path)
    _, stats = load_project_indexed(tmp_path, use_index=False)
    assert stats == IndexStats() and not (tmp_path / ".planning" / ".cache").exists()


def test_scan_lists_what_the_reader_reads(tmp_path: Path) -> None:
    _tree(tmp_path)
    _write(tmp_path / ".planning" / "phases" / "01-setup" / "notes.txt", "not markdown")
    stamps = scan_tree(tmp_path / ".planning")
    names = {Path(path).name for path in stamps}
    assert "notes.txt" not in names and {"ROADMAP.md", "01-01-SUMMARY.md", "config.json"} <= names


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_corpus_status_is_identical_through_the_index(tmp_path: Path, name: str) -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"../shared/corpora not present: expected real planning trees at {CORPORA}")
    source = CORPORA / name / ".planning"
    if not source.is_dir():
        pytest.skip(f"../shared/corpora/{name} not present")
    shutil.copytree(source, tmp_path / ".planning", symlinks=True)  # the corpora are read-only: work on a copy
    for folder, _, files in os.walk(tmp_path):
        os.chmod(folder, 0o755)  # the copy keeps the corpus's read-only marks, which the index honours
        for file_name in files:
            os.utime(os.path.join(folder, file_name), ns=(OLD_NS, OLD_NS), follow_symlinks=False)
    from planner.tree.index.session import load_project_documents

    expected = _status(load_project(tmp_path))
    cold, _, cold_stats = load_project_documents(tmp_path)  # `plan check`'s load: a row per document
    with sqlite3.connect(_index(tmp_path)) as db:
        db.execute("DELETE FROM project")  # so the next load goes through the document layer
    from_documents, document_stats = load_project_indexed(tmp_path)
    warm, warm_stats = load_project_indexed(tmp_path)
    assert cold_stats.misses > 0 and document_stats.misses == 0 and warm_stats.project_hit
    assert _status(cold) == _status(from_documents) == _status(warm) == expected
    touched = min((tmp_path / ".planning").rglob("*.md"))
    os.utime(touched, ns=(OLD_NS + 10**9, OLD_NS + 10**9))  # one file's stamp changes
    reused, reused_stats = load_project_indexed(tmp_path)  # its folder read again, the other phases reused
    assert not reused_stats.project_hit and _status(reused) == expected


def _share_with_workers(monkeypatch: pytest.MonkeyPatch, files_to_a_chunk: int = 1) -> None:
    """Workers from two stale files on, each phase folder (of at least `files_to_a_chunk` files) a chunk."""
    import planner.tree.index.served_phases
    import planner.tree.index.workers

    monkeypatch.setattr(planner.tree.index.served_phases, "PARALLEL_FROM", 2)
    monkeypatch.setattr(planner.tree.index.workers, "CHUNK_FILES", files_to_a_chunk)


def _worker_tree(root: Path) -> Path:
    """`_tree`, and what else a phase folder's reading reports: a nested `plans/` folder, an
    archived phase, broken frontmatter in a phase and at the root, a second PLAN for one part."""
    _tree(root)
    planning = root / ".planning"
    _write(planning / "phases" / "03-nested" / "plans" / "PLAN-01.md",
           PLAN.format(phase="03-nested", part="01", title="Nested", status="planned"))
    _write(planning / "phases" / "03-nested" / "03-RESEARCH.md", "---\nkey: [unclosed\n---\n# Research\n")
    _write(planning / "phases" / "03-nested" / "03-01-PLAN.md",
           PLAN.format(phase="03-nested", part="01", title="Twice", status="planned"))
    archived = planning / "milestones" / "v1.0-phases" / "00-start"
    _write(archived / "00-01-PLAN.md", PLAN.format(phase="00-start", part="01", title="Old", status="complete"))
    _write(planning / "STATE.md", "---\nmilestone: v2.0\nmilestone: v2.1\n---\n# State\n")
    return root


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_corpus_read_by_worker_processes_is_the_project_read_in_one(tmp_path: Path, name: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if not (CORPORA / name / ".planning").is_dir():
        pytest.skip(f"../shared/corpora/{name} not present: expected a real planning tree at {CORPORA / name}")
    shutil.copytree(CORPORA / name / ".planning", tmp_path / ".planning", symlinks=True)
    for folder, _, files in os.walk(tmp_path):
        os.chmod(folder, 0o755)  # the copy keeps the corpus's read-only marks, which the index honours
        for file_name in files:
            os.utime(os.path.join(folder, file_name), ns=(OLD_NS, OLD_NS), follow_symlinks=False)
    _share_with_workers(monkeypatch, files_to_a_chunk=3)
    project, stats = load_project_indexed(tmp_path, workers=3)
    assert stats.misses > 0 and stats.saved
    assert project == load_project(tmp_path)  # phases, plans, archived phases and diagnostics in order


def test_phase_folders_read_by_worker_processes_give_the_same_project(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _worker_tree(tmp_path)
    expected = load_project(tmp_path)
    assert {d.code for d in expected.diagnostics} >= {"FM001", "FM004", "TREE002"}
    _share_with_workers(monkeypatch)
    project, stats = load_project_indexed(tmp_path, workers=2)
    assert stats.misses == 12 and stats.saved
    assert project == expected  # the phases, archived ones too, and the diagnostics in the reader's order
    again, stats = load_project_indexed(tmp_path, workers=2)
    assert stats.project_hit and again == expected


def test_phase_folders_a_worker_read_are_used_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.session
    import planner.tree.index.workers
    from planner.tree.index.session import load_project_documents

    _worker_tree(tmp_path)
    expected = load_project(tmp_path)
    _share_with_workers(monkeypatch)
    monkeypatch.setattr(planner.tree.index.workers.Workers, "_claim", lambda self, chunk: 2)  # all to the worker
    reader_pid = os.getpid()
    real_read = planner.tree.index.session.read_document

    def read_in_workers_only(path: Path) -> Document:
        if os.getpid() == reader_pid and "phases" in path.parts:
            pytest.fail(f"{path} parsed by the reader")
        return real_read(path)

    monkeypatch.setattr(planner.tree.index.session, "read_document", read_in_workers_only)
    project, _, stats = load_project_documents(tmp_path, workers=2)  # `plan check`'s: rows are stored
    assert stats.misses == 12 and stats.saved and project == expected
    with sqlite3.connect(_index(tmp_path)) as db:  # every row the worker parsed is in the index
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (12,)


def test_documents_a_worker_read_are_kept_with_their_bodies(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.tree.index.session import load_project_documents

    _worker_tree(tmp_path)
    _share_with_workers(monkeypatch)
    project, documents, stats = load_project_documents(tmp_path, workers=2)
    summary = tmp_path / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md"
    assert stats.misses == 12 and project == load_project(tmp_path)
    assert documents[summary] == read_document(summary) and documents[summary].body


def test_document_a_worker_found_too_recent_is_left_for_the_caller_to_read(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.workers
    from planner.tree.index.session import load_project_documents

    _worker_tree(tmp_path)
    summary = tmp_path / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md"
    os.utime(summary)  # modified now: too recent for its row to be trusted, so none is stored
    _share_with_workers(monkeypatch)
    monkeypatch.setattr(planner.tree.index.workers.Workers, "_claim", lambda self, chunk: 2)  # all to the worker
    project, documents, stats = load_project_documents(tmp_path, workers=2)
    assert stats.misses == 12 and project == load_project(tmp_path)
    plan = tmp_path / ".planning" / "phases" / "01-setup" / "01-02-PLAN.md"
    assert summary not in documents and plan not in documents  # KeyError: the caller reads the file itself
    bold_plan = tmp_path / ".planning" / "phases" / "02-reader" / "02-03-PLAN.md"  # no frontmatter
    assert documents[bold_plan] == read_document(bold_plan)


def test_failing_workers_leave_the_reading_to_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.session

    _worker_tree(tmp_path)
    _share_with_workers(monkeypatch)
    monkeypatch.setattr(planner.tree.index.session._Session, "_read_folders", lambda self, folders: {})
    project, stats = load_project_indexed(tmp_path, workers=2)
    assert stats.misses == 12 and project == load_project(tmp_path)


def test_worker_that_dies_leaves_its_folders_to_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.session

    def die(self: object, folders: list[str]) -> dict[str, object]:
        raise MemoryError

    _worker_tree(tmp_path)
    _share_with_workers(monkeypatch)
    monkeypatch.setattr(planner.tree.index.session._Session, "_read_folders", die)
    project, stats = load_project_indexed(tmp_path, workers=3)
    assert stats.misses == 12 and project == load_project(tmp_path)


def test_folders_cut_into_chunks_of_enough_files_in_the_reading_order() -> None:
    from planner.tree.index.workers import chunks_of

    weighted = [("a", 30), ("b", 30), ("c", 10), ("d", 60), ("e", 5)]
    assert chunks_of(weighted) == [["a", "b"], ["c", "d"], ["e"]]
    assert chunks_of([]) == []


def test_reader_error_mid_load_still_ends_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.workers
    import planner.tree.reader
    from planner.errors import InputError

    def fail(*args: object) -> None:  # a broken config.json is only a diagnostic now: fail a phase instead
        raise InputError("unreadable phase")

    _tree(tmp_path)
    monkeypatch.setattr(planner.tree.reader, "read_phase", fail)
    _share_with_workers(monkeypatch)
    with pytest.raises(InputError):
        load_project_indexed(tmp_path, workers=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left running or unreaped


def test_reader_error_mid_load_leaves_the_old_index_and_no_half_written_one(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.reader
    from planner.errors import InputError

    _tree(tmp_path)
    load_project_indexed(tmp_path)
    before = _index(tmp_path).read_bytes()
    for plan in (tmp_path / ".planning" / "phases" / "01-setup" / "01-02-PLAN.md",
                 tmp_path / ".planning" / "phases" / "02-reader" / "02-01-PLAN.md"):  # both folders read again
        _write(plan, plan.read_text(encoding="utf-8").replace("planned", "complete"))
    real_read_phase = planner.tree.reader.read_phase
    calls: list[Path] = []

    def fail_second(directory: Path, *args: object) -> object:
        calls.append(directory)
        if len(calls) == 2:
            raise InputError("unreadable phase")
        return real_read_phase(directory, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(planner.tree.reader, "read_phase", fail_second)
    with pytest.raises(InputError):
        load_project_indexed(tmp_path)
    assert _index(tmp_path).read_bytes() == before
    assert [p.name for p in _index(tmp_path).parent.iterdir() if p.name.endswith(".tmp")] == []


def test_index_written_in_many_batches_holds_every_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.tree.index.store import IndexWriter

    monkeypatch.setattr(IndexWriter, "BATCH", 2)
    from planner.tree.index.session import load_project_documents

    _tree(tmp_path)
    first, _, _ = load_project_documents(tmp_path)  # `plan check`'s load stores a row per document
    with sqlite3.connect(_index(tmp_path)) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (7,)
    again, stats = load_project_indexed(tmp_path)
    assert (again, stats.hits, stats.misses) == (first, 7, 0)


def test_project_stored_in_many_parts_and_pickles_comes_back_equal(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.tree.index.encoding
    import planner.tree.index.store

    monkeypatch.setattr(planner.tree.index.encoding, "PHASES_PER_PICKLE", 1)  # a pickle per phase
    monkeypatch.setattr(planner.tree.index.store, "MODEL_PART", 100)  # pickles cut across rows
    _tree(tmp_path)
    archived = tmp_path / ".planning" / "milestones" / "v1.0-phases" / "00-start"
    _write(archived / "00-01-PLAN.md", PLAN.format(phase="00-start", part="01", title="Old", status="complete"))
    first, _ = load_project_indexed(tmp_path)
    with sqlite3.connect(_index(tmp_path)) as db:
        assert db.execute("SELECT count(*) FROM project").fetchone()[0] > 10
    again, stats = load_project_indexed(tmp_path)
    assert stats.project_hit and again == first and len(again.archived_phases) == 1


@pytest.mark.parametrize(("running", "expected"), [(1, 4), (2, 3), (4, 1), (9, 1)])
def test_workers_are_forked_only_onto_idle_cores(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, running: int,
                                                  expected: int) -> None:
    from planner.tree.index import cores

    monkeypatch.setattr(cores, "available_cores", lambda: 4)
    monkeypatch.setattr(cores.os, "getloadavg", lambda: pytest.fail("the running count is there"))
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"3.90 3.20 2.00 {running}/412 26347\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *args: real_open(loadavg if path == "/proc/loadavg" else path,
                                                                        *args))
    assert cores.idle_cores() == expected  # this process, and the cores other work leaves idle now


@pytest.mark.parametrize(("load", "expected"), [(0.2, 4), (1.0, 4), (2.6, 2), (3.6, 1), (9.0, 1)])
def test_without_a_running_count_the_load_average_decides(monkeypatch: pytest.MonkeyPatch, load: float,
                                                         expected: int) -> None:
    from planner.tree.index import cores

    monkeypatch.setattr(cores, "available_cores", lambda: 4)
    monkeypatch.setattr(cores, "_running_elsewhere", lambda: None)  # not Linux
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (load, load, load))
    assert cores.idle_cores() == expected


def test_running_thread_keeps_the_parsing_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading


    _tree(tmp_path)
    _share_with_workers(monkeypatch)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside a running thread"))
    release = threading.Event()
    waiter = threading.Thread(target=release.wait)
    waiter.start()
    try:
        project, stats = load_project_indexed(tmp_path, workers=2)
    finally:
        release.set()
        waiter.join()
    assert stats.misses == 7 and _status(project) == _status(load_project(tmp_path))


def test_markdown_listing_is_what_sorted_glob_gives(tmp_path: Path) -> None:
    from planner.tree.reader import _markdown_files

    for name in ("b.md", "A.md", ".hidden.md", ".md", "x.MD", "notes.txt", "a b.md", "z.md.bak", "é.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere")
    listed = _markdown_files(tmp_path)
    assert [path for _, path in listed] == sorted(tmp_path.glob("*.md"))
    assert all(path.name == name for name, path in listed)
    assert _markdown_files(tmp_path / "missing") == []


@given(st.lists(st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0xD7FF, blacklist_characters="/"),
                        min_size=1, max_size=8), min_size=0, max_size=5), st.booleans())
def test_stored_paths_come_back_equal(parts: list[str], absolute: bool) -> None:
    path = Path("/" if absolute else ".", *parts)
    assert _path(str(path)) == path and str(_path(str(path))) == str(path)


def test_index_replaced_by_a_link_is_rebuilt_not_written_through(tmp_path: Path) -> None:
    _tree(tmp_path / "project")
    load_project_indexed(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere.sqlite"
    _index(tmp_path / "project").rename(elsewhere)
    _index(tmp_path / "project").symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    _, stats = load_project_indexed(tmp_path / "project")
    assert stats.warnings and elsewhere.read_bytes() == before
    assert not _index(tmp_path / "project").is_symlink()


_KILLED_WRITER = """
import os, sys
from pathlib import Path
from planner.tree.index.session import load_project_indexed
root = Path(sys.argv[1])
plan = root / ".planning/phases/01-setup/01-01-PLAN.md"
for round in range(10_000):
    plan.write_text(plan.read_text(encoding="utf-8") + "x" * (round % 7), encoding="utf-8")
    os.utime(plan, ns=(1_600_000_000 * 10**9 + round, 1_600_000_000 * 10**9 + round))
    load_project_indexed(root, workers=1)
"""


@pytest.mark.stress  # kills a writer at random moments: crash safety, slow and load-dependent
def test_writer_killed_at_any_moment_leaves_an_index_that_is_never_wrong(tmp_path: Path) -> None:
    import random
    import signal
    import subprocess
    import sys
    import time

    _tree(tmp_path)
    rng = random.Random(7)
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)])
        # the kill must land while it writes, however slow start-up is on a loaded machine
        deadline = time.monotonic() + 60
        while not (tmp_path / ".planning/.cache" / INDEX_FILE).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        cache = tmp_path / ".planning/.cache"  # absent when the kill came before the writer made it
        leftovers = [p.name for p in (cache.iterdir() if cache.is_dir() else ())
                     if p.name not in (INDEX_FILE, ".gitignore") and not p.name.endswith(".tmp")]
        assert leftovers == []
        project, stats = load_project_indexed(tmp_path, workers=1)
        assert stats.warnings == ()
        assert _status(project) == _status(load_project(tmp_path))


# ---------------------------------------------------------------- start-up and reading costs
# (read_document's buffer and the lazy imports are here because they exist for the indexed paths)

def _modules_after(code: str) -> set[str]:
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                           capture_output=True, text=True, check=True).stdout
    return set(shown.split())


def test_warm_indexed_load_imports_neither_yaml_nor_jinja(tmp_path: Path) -> None:
    _tree(tmp_path)
    load_project_indexed(tmp_path)
    modules = _modules_after("from pathlib import Path; from planner.tree.index.session import load_project_indexed; "
                             "from planner.status import project_status; "
                             f"project, stats = load_project_indexed(Path({str(tmp_path)!r})); "
                             "assert stats.project_hit; project_status(project)")
    assert not {"yaml", "jinja2", "planner.render"} & modules


def test_parsing_a_document_imports_yaml_when_first_needed(tmp_path: Path) -> None:
    _write(tmp_path / "PLAN.md", "---\nphase: &p 01\nagain: *p\n---\n# Plan\n")
    modules = _modules_after("from pathlib import Path; from planner.tree.frontmatter import read_document; "
                             f"assert read_document(Path({str(tmp_path / 'PLAN.md')!r})).meta == "
                             "{'phase': '01', 'again': '01'}")
    assert "yaml" in modules


def test_plain_frontmatter_is_parsed_without_importing_yaml(tmp_path: Path) -> None:
    _write(tmp_path / "PLAN.md", "---\nphase: 01\n---\n# Plan\n")
    modules = _modules_after("from pathlib import Path; from planner.tree.frontmatter import read_document; "
                             f"assert read_document(Path({str(tmp_path / 'PLAN.md')!r})).meta == {{'phase': '01'}}")
    assert "yaml" not in modules


def test_meanwhile_runs_once_in_this_process_while_workers_read_and_not_on_a_warm_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _worker_tree(tmp_path)
    _share_with_workers(monkeypatch)
    calls: list[int] = []
    cold, cold_stats = load_project_indexed(tmp_path, workers=2, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()] and cold_stats.misses
    warm, warm_stats = load_project_indexed(tmp_path, workers=2, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()] and warm_stats.project_hit  # nothing read: nothing to overlap
    assert _status(warm) == _status(cold) == _status(load_project(tmp_path))


def test_load_shared_with_workers_imports_no_yaml_for_plain_frontmatter(tmp_path: Path) -> None:
    _tree(tmp_path)
    modules = _modules_after(
        "from pathlib import Path; import planner.tree.index.served_phases as served, planner.tree.index.workers as w; "
        "served.PARALLEL_FROM = 2; w.CHUNK_FILES = 1; "
        "from planner.tree.index.session import load_project_indexed; "
        f"project, stats = load_project_indexed(Path({str(tmp_path)!r}), workers=2); "
        "assert stats.misses and len(project.phases) == 2")
    assert "yaml" not in modules  # imported before the fork, it cost every cold load ~20 ms for nothing


def test_small_file_is_read_without_a_limit_sized_buffer(tmp_path: Path) -> None:
    import tracemalloc

    from planner.tree.frontmatter import read_document

    path = tmp_path / "01-01-PLAN.md"
    _write(path, PLAN.format(phase="01-setup", part="01", title="Small", status="planned"))
    read_document(path)  # PyYAML's loader is built on first use: not part of what a read costs
    tracemalloc.start()
    try:
        read_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024


def test_file_one_byte_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    from planner.tree.frontmatter import MAX_DOCUMENT_BYTES, read_document

    path = tmp_path / "01-01-PLAN.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    document = read_document(path)
    assert [d.code for d in document.diagnostics] == ["FM006"]
    assert f"{MAX_DOCUMENT_BYTES + 1:,} bytes" in document.diagnostics[0].message


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    from planner.tree.frontmatter import MAX_DOCUMENT_BYTES, read_document

    path = tmp_path / "01-01-PLAN.md"
    path.write_bytes(b"# Plan\n" + b"x" * (MAX_DOCUMENT_BYTES - 7))
    document = read_document(path)
    assert document.diagnostics == () and len(document.body) == MAX_DOCUMENT_BYTES


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_endless_file_reporting_size_zero_is_read_only_to_the_limit(tmp_path: Path) -> None:
    from planner.tree.frontmatter import read_document

    link = tmp_path / "01-01-PLAN.md"
    link.symlink_to("/dev/zero")
    assert [d.code for d in read_document(link).diagnostics] == ["FM006"]


@given(st.text(max_size=300), st.sampled_from(["01-01-SUMMARY.md", "01-VERIFICATION.md", "01-01-PLAN.md"]))
def test_stored_document_comes_back_equal_with_its_body_where_kept(text: str, name: str) -> None:
    from planner.tree.frontmatter import parse_document
    from planner.tree.index.encoding import decode_document, encode_document

    document = parse_document(Path("/p/.planning/phases/01-a") / name, text)
    blob = encode_document(document)
    served, whole = decode_document(document.path, blob, with_body=True)
    kept = "PLAN" not in name or not document.has_frontmatter
    assert whole == kept
    assert served == (document if kept else dataclasses.replace(document, body=""))
    assert decode_document(document.path, blob, with_body=False)[1] == (not document.has_frontmatter)


def test_phase_reused_after_an_edit_elsewhere_keeps_its_folders_own_diagnostic(tmp_path: Path) -> None:
    _tree(tmp_path)
    _write(tmp_path / ".planning/phases/research-notes/NOTES.md", "# Notes\n")  # TREE003: no phase number
    load_project_indexed(tmp_path)
    plan = tmp_path / ".planning/phases/02-reader/02-01-PLAN.md"
    _write(plan, PLAN.format(phase="02-reader", part="01", title="Edited", status="complete"), OLD_NS + 10**9)
    project, stats = load_project_indexed(tmp_path)
    assert stats.hits and "TREE003" in {d.code for d in project.diagnostics}
    assert project == load_project(tmp_path)
