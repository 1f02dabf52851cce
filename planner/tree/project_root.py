"""Finding the project: the folder holding `.planning/` (what every command does first).

Apart from `planner.tree.reader` so that the warm paths find the root without importing the reader.
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import ProjectNotFound

PLANNING = ".planning"


def find_project_root(start: Path | None = None, root: Path | None = None) -> Path:
    """The folder holding `.planning/`: `root` if given, else the nearest one walking up from `start`."""
    if root is not None:
        candidate = root.expanduser().resolve()
        if candidate.name == PLANNING and candidate.is_dir():
            return candidate.parent
        if (candidate / PLANNING).is_dir():
            return candidate
        raise ProjectNotFound(f"no {PLANNING}/ folder in {root} (run `plan init` there first)")
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PLANNING).is_dir():
            return folder
    raise ProjectNotFound(f"no {PLANNING}/ folder here or in any parent of {here} (run `plan init`, or pass --root)")
