"""Phase folders a load gets without reading them in its own process.

Two kinds, both answered through the reader's `known_phase` hook (`planner.tree.reader.load_project`):
- after a command's own write, the phases of this process's last load whose files are unchanged
  (`unchanged_phases`);
- on a first load, the folders forked worker processes read beside the reader (`folder_chunks` says
  which, `planner.tree.index.workers` forks them, a worker sends a `FolderRead` for each folder).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from planner.model import Phase, Project
from planner.tree.frontmatter import Diagnostic, Document
from planner.tree.index.workers import PARALLEL_FROM, chunks_of

if TYPE_CHECKING:  # the reader is imported only when files must be read
    from planner.tree.reader import KnownPhase

Row = tuple[str, str, bytes]  # (index key, stamp, encoded document)


class Reading(Protocol):
    """What a load's reading keeps count of (`planner.tree.index.session._Session`): a worker
    starts it afresh for each folder and sends it back in a FolderRead; the reader adds it to its own."""

    collected: list[Row] | None  # in a worker: the rows it parsed, for the reader to store
    own_stamps: dict[str, str] | None  # in a worker forked before the scan: the stamps it took itself
    seen: set[str]
    hits: int
    misses: int
    storable: bool

    def read(self, path: Path) -> Document: ...


class FolderRead(NamedTuple):
    """What a worker sends back for one phase folder: the Phase, and what reading it did."""

    phase: Phase
    diagnostics: tuple[Diagnostic, ...]
    rows: list[Row]  # parsed and not too recent: for the index
    seen: set[str]  # index keys of every file read
    hits: int
    misses: int
    storable: bool
    stamped: dict[str, str] | None = None  # from a worker forked before the scan: each file's stamp,
    # taken before the worker read it (`first_read`); the reader takes the folder only as scanned


def folder_chunks(planning_dir: Path, stale: list[str], workers: int) -> list[list[str]]:
    """The phase folders (archived ones too) holding `stale` files, cut into chunks for worker
    processes, when there are PARALLEL_FROM such files and more than one process; else none."""
    if len(stale) < PARALLEL_FROM or workers < 2:
        return []
    from planner.tree.reader import milestone_phase_directories, phase_directories

    ignored: list[Diagnostic] = []  # the reader reports them
    folders = [str(folder) for folder in phase_directories(planning_dir / "phases", ignored)]
    folders += [str(folder) for _, folder in milestone_phase_directories(planning_dir, ignored)]
    counts = dict.fromkeys(folders, 0)
    for path in stale:
        folder = _phase_folder(path, counts)
        if folder is not None:
            counts[folder] += 1
    # PyYAML (~20 ms of imports) is not imported here before the fork: a process imports it when it
    # first meets a block the plain reader declines, and on most trees none does
    return chunks_of([(folder, count) for folder, count in counts.items() if count])


def _phase_folder(path: str, folders: Container[str]) -> str | None:
    """The folder of `folders` that holds the file at `path`, directly or in its `plans/` (GSD 1.30+)."""
    folder = os.path.dirname(path)
    if folder in folders:
        return folder
    folder = os.path.dirname(folder)
    return folder if folder in folders else None


def read_folders(reading: Reading, folders: list[str]) -> dict[str, object]:
    """In a worker (a fork of the reader's session): each folder's FolderRead, read as the reader
    would (a folder that fails is left out: the reader reads it again and reports)."""
    from planner.tree.reader import read_phase

    done: dict[str, object] = {}
    for folder in folders:
        reading.collected, reading.seen = [], set()
        reading.hits = reading.misses = 0
        reading.storable = True
        if reading.own_stamps is not None:
            reading.own_stamps = {}
        diagnostics: list[Diagnostic] = []
        try:
            phase = read_phase(Path(folder), reading.read, diagnostics)
        except Exception:  # noqa: BLE001, S112 - the reader reads this folder itself and raises properly
            continue
        done[folder] = FolderRead(phase, tuple(diagnostics), reading.collected, reading.seen, reading.hits,
                                  reading.misses, reading.storable, reading.own_stamps)
    return done


class ScannedFolders:
    """The scan's stamps of the Markdown files in each of some phase folders (grouped when first
    asked for): what a folder read by a worker forked before the scan (`first_read`) must match."""

    def __init__(self, stamps: dict[str, str], folders: Container[str]) -> None:
        self.stamps, self.folders = stamps, folders
        self.grouped: dict[str, dict[str, str]] | None = None

    def agree(self, folder: str, stamped: dict[str, str]) -> bool:
        """Whether the worker read the folder's files as the scan found them: the same files, each
        with the stamp the scan gave it. A file changed after the worker stamped it was stamped anew
        by the scan, so the Project stored is never older than its stamps; a folder that fails this
        is read by the reader."""
        if self.grouped is None:
            self.grouped = files_by_folder(self.stamps, self.folders)
        scanned = self.grouped.get(folder, {})
        return len(stamped) == len(scanned) and all(scanned.get(path) == stamp for path, stamp in stamped.items())


def stale_paths(stamps: dict[str, str], rows: Mapping[str, tuple[str, bytes]], prefix: str,
                before: dict[str, str]) -> list[str]:
    """Documents whose stamp is unlike both their stored row's (`rows`, keyed by path without
    `prefix`) and `before`'s (the stamps of a Project whose unchanged phases are reused): the ones
    that must be parsed."""
    stale = []
    for path, stamp in stamps.items():
        if path.endswith(".md") and before.get(path) != stamp:
            row = rows.get(path.removeprefix(prefix))
            if row is None or row[0] != stamp:
                stale.append(path)
    return stale


def count_in(reading: Reading, done: FolderRead) -> None:
    """Add what a worker's reading of one folder did to the reader's own (its rows apart)."""
    reading.seen |= done.seen
    reading.hits += done.hits
    reading.misses += done.misses
    reading.storable = reading.storable and done.storable


def unchanged_phases(recent: Project, before: dict[str, str], now: dict[str, str],
                     reused: Callable[[list[str]], None]) -> KnownPhase:
    """The hook answering, for a folder, the Phase of `recent` (loaded from stamps `before`) when
    the folder and every file in it (its `plans/` too) has the same stamp `now`: after a command's
    own write, all but a folder or two. `reused` is told the paths of each folder's files reused."""
    phases = {str(phase.directory): phase for phase in recent.phases}
    now_by_folder, before_by_folder = files_by_folder(now, phases), files_by_folder(before, phases)

    def known(directory: Path) -> tuple[Phase, tuple[Diagnostic, ...]] | None:
        key = str(directory)
        phase = phases.get(key)
        files = now_by_folder.get(key, {})
        if phase is None or now.get(key) != before.get(key) or files != before_by_folder.get(key, {}):
            return None
        reused(list(files))
        inside = key + os.sep  # its files' diagnostics, and the folder's own (TREE003: no phase number)
        return phase, tuple(d for d in recent.diagnostics if str(d.path).startswith(inside) or str(d.path) == key)

    return known


def files_by_folder(stamps: dict[str, str], folders: Container[str]) -> dict[str, dict[str, str]]:
    """Stamps of the Markdown files in each of `folders` (with its `plans/`)."""
    grouped: dict[str, dict[str, str]] = {}
    for path, stamp in stamps.items():
        if path.endswith(".md") and (folder := _phase_folder(path, folders)) is not None:
            grouped.setdefault(folder, {})[path] = stamp
    return grouped
