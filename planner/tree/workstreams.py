"""GSD workstreams: `.planning/workstreams/NAME/` is a planning root of its own (ROADMAP, STATE,
phases, a config.json that inherits the root's). One is chosen per command with `plan --workstream
NAME ...` or, as GSD chooses it, the environment variable GSD_WORKSTREAM; none means `.planning/`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from planner.errors import InputError, ProjectNotFound

PLANNING = ".planning"
ENVIRONMENT_VARIABLE = "GSD_WORKSTREAM"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_chosen: list[str | None] = [None]  # the CLI's --workstream for this command; else the environment


def choose(name: str | None) -> None:
    """The workstream this process works in (None: the one GSD_WORKSTREAM names, if any)."""
    _chosen[0] = name


def chosen() -> str | None:
    name = _chosen[0] if _chosen[0] is not None else os.environ.get(ENVIRONMENT_VARIABLE)
    if not name:
        return None
    if not _NAME.match(name) or ".." in name:
        raise InputError(f"'{name}' is not a workstream name (letters, digits, '.', '_' and '-'; no paths)")
    return name


def planning_dir_of(project_root: Path, *, must_exist: bool = True) -> Path:
    """`.planning/`, or `.planning/workstreams/NAME/` when a workstream is chosen."""
    base = project_root / PLANNING
    name = chosen()
    if name is None:
        return base
    directory = base / "workstreams" / name
    if must_exist and not directory.is_dir():
        known = sorted(entry.name for entry in (base / "workstreams").iterdir() if entry.is_dir()) if (
            base / "workstreams").is_dir() else []
        raise ProjectNotFound(f"no workstream '{name}' in {base / 'workstreams'} (workstreams: "
                              f"{', '.join(known) or 'none yet'}; `plan --workstream {name} init` creates it)")
    return directory
