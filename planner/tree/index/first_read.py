"""Worker processes forked at the very start of a command, on a tree the index does not hold yet.

A cold `plan status` spends its first 60-100 ms importing the reader and stat'ing every file for
the keys of its output cache and its index: one core busy, the other idle. A worker forked before
that reads phase folders from the end of the list meanwhile. It imports what it needs itself, and
stamps each file just before reading it; the load takes a folder it read only when the scan found
the same files with the same stamps (`served_phases.ScannedFolders`), and reads any other itself,
so the index never stores a Project older than the stamps it is stored under.

Only where there is no index file (a first command, or after the cache was removed): with one, the
scan may find the whole project stored, and a worker would read for nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from planner.tree.index.cores import idle_cores
from planner.tree.workstreams import planning_dir_of

if TYPE_CHECKING:  # imported once a worker is to be forked: a warm `plan status` asks only for the index
    from planner.tree.index.workers import Work, Workers

INDEX_PATH = (".cache", "index.sqlite")  # `planner.tree.index.store`'s CACHE_DIR and INDEX_FILE, which imports SQLite


def start(project_root: Path) -> Workers | None:
    """Workers reading the tree's phase folders, for `load_project_indexed(early=...)`; None when
    the tree has an index, fewer than `workers.PARALLEL_FROM` files in its phase folders, or one idle
    core. The caller closes them (`Workers.close`), used or not."""
    planning_dir = planning_dir_of(project_root)
    if os.path.lexists(planning_dir.joinpath(*INDEX_PATH)) or not planning_dir.is_dir():
        return None
    count = idle_cores()
    if count < 2:
        return None
    from planner.tree.index import workers
    from planner.tree.phase_folders import milestone_phase_folders, phase_folders

    folders, _ = phase_folders(planning_dir / "phases")
    folders += [folder for _, folder in milestone_phase_folders(planning_dir)[0]]
    weighted = [(str(folder), _markdown_count(folder)) for folder in folders]
    if sum(files for _, files in weighted) < workers.PARALLEL_FROM:
        return None
    chunks = workers.chunks_of([(folder, files) for folder, files in weighted if files])
    return workers.Workers(chunks, _FolderReader(project_root, time.time_ns()), count)


def _markdown_count(folder: Path) -> int:
    """The Markdown files the reader reads in `folder` (and its `plans/`), as a worker's share weighs them."""
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    count = sum(1 for name in names if name.endswith(".md"))
    return count + (_markdown_count(folder / "plans") if "plans" in names else 0)


class _FolderReader:
    """In a worker: reads chunks of phase folders, importing the reader on the first one."""

    def __init__(self, project_root: Path, started_ns: int) -> None:
        self.project_root, self.started_ns = project_root, started_ns
        self.read: Work | None = None

    def __call__(self, folders: list[str]) -> dict[str, object]:
        if self.read is None:
            from planner.tree.index.session import stamping_reader

            self.read = stamping_reader(self.project_root, self.started_ns)
        return self.read(folders)
