"""The key warm commands' kept outputs are served by (`quick_signature`): the same tree gives the
same key whether a forked process walked half of it or not, and one changed byte anywhere changes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.tree.index import cores, scan
from planner.tree.index.scan import quick_signature, scan_tree, stamps_of

OLD_NS = 1_600_000_000 * 10**9


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(OLD_NS, OLD_NS))


def _tree(root: Path, phases: int = 8) -> Path:
    planning = root / ".planning"
    _write(planning / "ROADMAP.md", "# Roadmap\n")
    for number in range(1, phases + 1):
        folder = planning / "phases" / f"{number:02d}-phase"
        _write(folder / f"{number:02d}-01-PLAN.md", f"---\nphase: {number:02d}-phase\nplan: '01'\n---\n# Plan\n")
        _write(folder / f"{number:02d}-01-SUMMARY.md", "---\nduration: 5min\n---\n# Summary\n")
    _write(planning / "phases" / "03-phase" / "plans" / "03-02-PLAN.md", "---\nplan: '02'\n---\n# Nested\n")
    return planning


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trees of 4 or more phase folders count as large: half the walk goes to a forked process."""
    monkeypatch.setattr(scan, "FORK_FROM", 4)
    monkeypatch.setattr(cores, "idle_cores", lambda: 2)


def _forked_share_of(planning: Path) -> Path:
    """A phase folder the forked process walks (every other folder of the listing, from the second)."""
    return Path(scan._entries(str(planning / "phases"))[1].path)


def test_a_small_tree_is_walked_here_and_its_records_are_the_scan(tmp_path: Path) -> None:
    planning = _tree(tmp_path, phases=3)
    _, _, records = quick_signature(planning, "status")
    assert records is not None and stamps_of(records) == scan_tree(planning)


@pytest.mark.usefixtures("large")
def test_forked_and_in_process_walks_give_one_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planning = _tree(tmp_path)
    forked: list[scan._ForkedShare | None] = []
    start = scan._ForkedShare.start

    def noted(planning_dir: Path, folders: list[os.DirEntry[str]]) -> scan._ForkedShare | None:
        forked.append(start(planning_dir, folders))
        return forked[-1]

    monkeypatch.setattr(scan._ForkedShare, "start", noted)
    key, newest, records = quick_signature(planning, "status")
    assert forked and forked[0] is not None and records is None
    monkeypatch.setattr(cores, "idle_cores", lambda: 1)  # a busy machine: no fork, the same key
    assert quick_signature(planning, "status")[:2] == (key, newest) and forked[-1] is None
    monkeypatch.setattr(scan._ForkedShare, "result", lambda self: None)  # a process that failed
    monkeypatch.setattr(cores, "idle_cores", lambda: 2)
    assert quick_signature(planning, "status")[:2] == (key, newest)
    assert quick_signature(planning, "check")[0] != key


@pytest.mark.usefixtures("large")
def test_one_byte_in_the_forked_share_changes_the_key(tmp_path: Path) -> None:
    planning = _tree(tmp_path)
    key, newest, _ = quick_signature(planning, "status")
    assert newest == OLD_NS
    summary = next(_forked_share_of(planning).glob("*-SUMMARY.md"))
    _write(summary, summary.read_text(encoding="utf-8").replace("5min", "6min"))  # same size, same mtime
    assert quick_signature(planning, "status")[0] != key


@pytest.mark.usefixtures("large")
def test_a_fresh_file_in_the_forked_share_is_the_newest(tmp_path: Path) -> None:
    planning = _tree(tmp_path)
    plan = next(_forked_share_of(planning).glob("*-PLAN.md"))
    os.utime(plan, ns=(OLD_NS, OLD_NS + 5))
    assert quick_signature(planning, "status")[1] == OLD_NS + 5


@pytest.mark.usefixtures("large")
def test_a_nested_plan_in_either_share_is_keyed(tmp_path: Path) -> None:
    planning = _tree(tmp_path)
    key = quick_signature(planning, "status")[0]
    (planning / "phases" / "03-phase" / "plans" / "03-02-PLAN.md").unlink()
    assert quick_signature(planning, "status")[0] != key
