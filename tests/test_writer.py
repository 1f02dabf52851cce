"""Writing: whole file or nothing, inside .planning/ only, never over a file without leave."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from planner.errors import ConflictError, InputError
from planner.storage.atomic import ensure_inside
from planner.tree.writer import atomic_write, make_directory, project_lock


@pytest.fixture
def planning(tmp_path: Path) -> Path:
    folder = tmp_path / ".planning"
    folder.mkdir()
    return folder


def test_write_creates_the_file_with_exact_text(planning: Path) -> None:
    atomic_write(planning / "STATE.md", "é\nline\n", planning_dir=planning)
    assert (planning / "STATE.md").read_bytes() == "é\nline\n".encode()


def test_write_creates_missing_folders_inside(planning: Path) -> None:
    atomic_write(planning / "phases" / "01-x" / "01-01-PLAN.md", "x", planning_dir=planning)
    assert (planning / "phases" / "01-x" / "01-01-PLAN.md").read_text() == "x"


def test_existing_file_is_not_overwritten_without_leave(planning: Path) -> None:
    target = planning / "ROADMAP.md"
    target.write_text("hand written")
    with pytest.raises(ConflictError, match="--force"):
        atomic_write(target, "generated", planning_dir=planning)
    assert target.read_text() == "hand written"


def test_overwrite_replaces_and_keeps_the_file_mode(planning: Path) -> None:
    target = planning / "ROADMAP.md"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write(target, "new", planning_dir=planning, overwrite=True)
    assert (target.read_text(), target.stat().st_mode & 0o777) == ("new", 0o600)


def test_write_outside_the_planning_folder_is_refused(planning: Path) -> None:
    with pytest.raises(InputError, match="outside"):
        atomic_write(planning / ".." / "escape.md", "x", planning_dir=planning)
    assert not (planning.parent / "escape.md").exists()


def test_write_through_a_linked_folder_leading_outside_is_refused(planning: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, planning / "phases")
    with pytest.raises(InputError):
        atomic_write(planning / "phases" / "x.md", "x", planning_dir=planning)
    assert list(outside.iterdir()) == []


def test_write_through_a_symbolic_link_file_is_refused(planning: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("safe")
    os.symlink(victim, planning / "STATE.md")
    with pytest.raises(InputError, match="symbolic link"):
        atomic_write(planning / "STATE.md", "x", planning_dir=planning, overwrite=True)
    assert victim.read_text() == "safe"


def test_failed_write_leaves_old_file_and_no_temp_file(planning: Path) -> None:
    target = planning / "STATE.md"
    target.write_text("old")
    with mock.patch("planner.storage.atomic.os.replace", side_effect=OSError("disk full")), pytest.raises(OSError):
        atomic_write(target, "new", planning_dir=planning, overwrite=True)
    assert target.read_text() == "old"
    assert sorted(p.name for p in planning.iterdir()) == ["STATE.md"]


def test_write_goes_through_a_temp_file_and_rename(planning: Path) -> None:
    target = planning / "STATE.md"
    with mock.patch("planner.storage.atomic.os.replace", wraps=os.replace) as replace:
        atomic_write(target, "x", planning_dir=planning)
    (source, destination), _ = replace.call_args
    assert Path(source).parent == planning and Path(source).name.startswith(".STATE.md.")
    assert Path(destination) == target.resolve()


def test_ensure_inside_accepts_nested_paths(planning: Path) -> None:
    assert ensure_inside(planning / "a" / "b.md", planning) == (planning / "a" / "b.md").resolve()


def test_make_directory_outside_is_refused(planning: Path) -> None:
    with pytest.raises(InputError):
        make_directory(planning.parent / "outside", planning_dir=planning)


def test_project_lock_can_be_taken_again_after_release(planning: Path) -> None:
    with project_lock(planning):
        pass
    with project_lock(planning):
        assert (planning / ".cache" / "planner.lock").exists()
