"""Every write planner makes: atomic, inside `.planning/`, never over a file without leave."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from planner.errors import ConflictError
from planner.storage import transaction
from planner.storage.atomic import ensure_inside, replace_file

__all__ = ["atomic_write", "make_directory", "project_lock"]


def atomic_write(path: Path, text: str | bytes, *, planning_dir: Path, overwrite: bool = False) -> None:
    """Write the whole file or nothing: a temp file in the same folder, fsync, then rename over.

    Text is written as UTF-8, surrogate escapes (bytes read that were not UTF-8) as the bytes they
    stand for. Inside `project_lock`, the file's old content is kept until the locked step ends,
    so a step that fails later puts it back (see planner.storage.transaction).
    """
    target = ensure_inside(path, planning_dir)
    if target.exists() and not overwrite:
        raise ConflictError(f"{target.name} already exists; pass --force to replace it", path)
    payload = text if isinstance(text, bytes) else text.encode("utf-8", errors="surrogateescape")
    transaction.before_write(target, payload)
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_file(target, payload, mode=target.stat().st_mode & 0o777 if target.exists() else 0o644)


def make_directory(path: Path, *, planning_dir: Path) -> None:
    ensure_inside(path / "x", planning_dir)
    transaction.before_mkdir(path)
    path.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def project_lock(planning_dir: Path) -> Iterator[None]:
    """An exclusive lock for read-modify-write of shared files (STATE.md, ROADMAP.md).

    Everything written while it is held is one step: all of it or none. A step that raises puts
    back every file it wrote; one that was killed is put back when the lock is next taken.
    Taking it again inside the same step (same process) joins that step.
    """
    import fcntl

    from planner.storage.safeio import CACHE, open_own

    if transaction.active(planning_dir):
        yield
        return

    with open_own(planning_dir, CACHE, "planner.lock") as handle:  # never through a link out of the project
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            with transaction.step(planning_dir):
                yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
