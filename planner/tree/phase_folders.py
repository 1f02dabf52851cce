"""Which folders of a planning tree hold phases: `phases/NN-slug/`, and the archived ones in
`milestones/vX.Y-phases/NN-slug/`, in the order the reader reads them.

Light (it imports `os` and `pathlib` only): the planning index lists the folders to share with
worker processes before the reader is imported. `planner.tree.reader` reports the links it skips.
"""

from __future__ import annotations

import os
from pathlib import Path


def phase_folders(phases_dir: Path) -> tuple[list[Path], list[Path]]:
    """(the phase folders in `phases_dir`, each real folder once; the symbolic links to a folder
    already listed, skipped)."""
    if not phases_dir.is_dir():
        return [], []
    entries = sorted((entry for entry in os.scandir(phases_dir) if entry.is_dir()),
                     key=lambda e: (e.is_symlink(), e.name))
    real_phases = os.path.realpath(phases_dir)  # a folder that is no link is this plus its name
    seen: set[str] = set()
    folders: list[Path] = []
    skipped: list[Path] = []
    for entry in entries:
        real = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real_phases, entry.name)
        if real in seen:
            skipped.append(Path(entry.path))
            continue
        seen.add(real)
        folders.append(Path(entry.path))
    return folders, skipped


def milestone_phase_folders(planning_dir: Path) -> tuple[list[tuple[str, Path]], list[Path]]:
    """((milestone, folder) of each archived phase: `milestones/v1.2-phases/03-api/` is ("v1.2",
    ...); the symbolic links skipped, as `phase_folders`)."""
    found: list[tuple[str, Path]] = []
    archives, skipped = phase_folders(planning_dir / "milestones")
    for archive in archives:
        if archive.name.startswith("v") and archive.name.endswith("-phases"):
            folders, links = phase_folders(archive)
            found.extend((archive.name[: -len("-phases")], folder) for folder in folders)
            skipped += links
    return found, skipped
