"""One locked step's writes: all of them or none.

`writer.project_lock` opens a step; `writer.atomic_write` and `writer.make_directory` report here
before they touch a file or create a folder. The first time a step touches a file, its old bytes
(or its absence) go to a journal in `.planning/.cache/` before the file changes. When the step
raises, every file is put back and every folder it created is removed; when the step completes,
the journal is deleted. A step that was killed leaves its journal behind, and the next step to
take the lock puts the files back first, so a killed command leaves nothing half-done either.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from planner.storage.atomic import ensure_inside, replace_file
from planner.storage.safeio import JOURNAL


@dataclass
class _Step:
    planning_dir: Path
    originals: dict[Path, bytes | None] = field(default_factory=dict)
    written: dict[Path, list[str]] = field(default_factory=dict)  # sha256 of each version the step writes
    created_dirs: list[Path] = field(default_factory=list)

    @property
    def journal(self) -> Path:
        return self.planning_dir / ".cache" / JOURNAL

    def save(self) -> None:
        files = [{"path": _relative(path, self.planning_dir), "written": self.written.get(path, []),
                  "original": None if data is None else base64.b64encode(data).decode("ascii")}
                 for path, data in self.originals.items()]
        dirs = [_relative(path, self.planning_dir) for path in self.created_dirs]
        _replace(self.journal, json.dumps({"files": files, "dirs": dirs}).encode("utf-8"))

    def undo(self) -> None:
        for path, data in reversed(self.originals.items()):
            with contextlib.suppress(OSError):
                if data is None:
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
                else:
                    replace_file(ensure_inside(path, self.planning_dir), data,
                                 mode=path.stat().st_mode & 0o777 if path.exists() else 0o644)
        for folder in reversed(self.created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: a folder someone filled since is kept

    def finish(self) -> None:
        if self.originals or self.created_dirs:
            with contextlib.suppress(FileNotFoundError):
                self.journal.unlink()


_CURRENT: contextvars.ContextVar[_Step | None] = contextvars.ContextVar("planner_step", default=None)


def _relative(path: Path, planning_dir: Path) -> str:
    return path.relative_to(planning_dir).as_posix()


def _replace(path: Path, data: bytes) -> None:
    """Write `data` through a fresh temp file and a rename, never through a link (no fsync: the
    journal guards against a killed process, whose written pages the kernel keeps, not a power cut)."""
    replace_file(ensure_inside(path, path.parent.parent), data, durable=False)


def active(planning_dir: Path) -> bool:
    """True inside a step of this project (the lock is held by this process)."""
    current = _CURRENT.get()
    return current is not None and current.planning_dir == planning_dir.resolve()


@contextlib.contextmanager
def step(planning_dir: Path) -> Iterator[None]:
    """Run the block as one step: a failure puts back everything it wrote."""
    base = planning_dir.resolve()
    recover(base)
    current = _Step(base)
    token = _CURRENT.set(current)
    try:
        yield
    except BaseException:
        current.undo()
        current.finish()
        raise
    else:
        current.finish()
    finally:
        _CURRENT.reset(token)


def _inside_step(target: Path) -> _Step | None:
    current = _CURRENT.get()
    if current is None:
        return None
    resolved = target.parent.resolve() / target.name
    if current.planning_dir not in resolved.parents or resolved == current.journal:
        return None
    return current


def before_write(target: Path, data: bytes) -> None:
    """Keep `target`'s old bytes (or that it did not exist) before the step first changes it, and
    which bytes it is about to get (so a recovery never undoes an edit made after the step)."""
    current = _inside_step(target)
    if current is None:
        return
    resolved = target.parent.resolve() / target.name
    if resolved not in current.originals:
        _note_new_folders(current, resolved.parent)
        current.originals[resolved] = resolved.read_bytes() if resolved.is_file() else None
    current.written.setdefault(resolved, []).append(hashlib.sha256(data).hexdigest())
    current.save()


def before_mkdir(folder: Path) -> None:
    """Note the folders a step is about to create, so a failed step removes them again."""
    current = _inside_step(folder / "x")
    if current is not None and _note_new_folders(current, folder.resolve()):
        current.save()


def _note_new_folders(current: _Step, folder: Path) -> bool:
    missing = []
    while not folder.exists() and current.planning_dir in folder.parents:
        missing.append(folder)
        folder = folder.parent
    current.created_dirs.extend(reversed(missing))
    return bool(missing)


def _changed_since(path: Path, written: object) -> bool:
    """True when `path` holds neither nothing nor what the killed step was writing to it."""
    if not path.is_file() or path.is_symlink():
        return False
    return not isinstance(written, list) or hashlib.sha256(path.read_bytes()).hexdigest() not in written


def recover(planning_dir: Path) -> None:
    """Put back what a killed step wrote, from the journal it left (call with the lock held)."""
    journal = planning_dir / ".cache" / JOURNAL
    if not journal.is_file() or journal.is_symlink():
        return
    try:
        recorded = json.loads(journal.read_bytes())
        killed = _Step(planning_dir)
        for entry in recorded["files"]:
            original = entry["original"]
            path = planning_dir / str(entry["path"])
            if _changed_since(path, entry.get("written")):
                continue  # edited after the killed step: that edit is kept
            killed.originals[path] = None if original is None else base64.b64decode(original)
        killed.created_dirs = [planning_dir / str(name) for name in recorded["dirs"]]
    except (ValueError, KeyError, TypeError):
        journal.unlink()  # not a journal planner wrote: nothing to put back from it
        return
    for path in [*killed.originals, *killed.created_dirs]:
        if planning_dir.resolve() not in (path.parent.resolve() / path.name).parents:
            journal.unlink()
            return
    killed.undo()
    journal.unlink()
