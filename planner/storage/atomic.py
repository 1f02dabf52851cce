"""The two primitives every write stands on: a path that stays inside the planning folder, and
a whole-file replace through a temp file and a rename. No journal here: planner.storage.transaction
records what a step writes and uses these to put it back."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from planner.errors import InputError
from planner.storage.safeio import temp_beside


def ensure_inside(path: Path, planning_dir: Path) -> Path:
    """`path` if it and every folder on the way stay inside `planning_dir` once links are followed."""
    base = planning_dir.resolve()
    parent = path.parent.resolve()
    if parent != base and base not in parent.parents:
        raise InputError(f"refusing to write outside {planning_dir}: {path} leads to {parent}", path)
    if path.is_symlink():
        raise InputError("refusing to write through a symbolic link", path)
    return parent / path.name


def replace_file(target: Path, payload: bytes, *, mode: int = 0o644, durable: bool = True) -> None:
    """Write `payload` to a temp file beside `target`, then rename it over: all or nothing.
    `durable` fsyncs the file and its folder (a power cut, not only a killed process)."""
    descriptor, temp_name = temp_beside(target)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_directory(target.parent)


def _fsync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
