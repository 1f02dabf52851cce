"""The stat scan the planning index is keyed by: every file the reader reads, and its stamp.

Kept apart from `planner.index` (which imports the reader, the model and SQLite) so that the
warm paths (`planner.index_outputs`) can tell whether anything changed importing only `os`.
"""

from __future__ import annotations

import os
from pathlib import Path


def scan_tree(planning_dir: Path) -> dict[str, str]:
    """Absolute path -> stamp of every file `load_project` reads (and of each phase folder)."""
    stamps: dict[str, str] = {}
    root = str(planning_dir)
    for name in ("config.json",):
        path = os.path.join(root, name)
        stamps[path] = file_stamp(path) or "missing"
    for entry in _entries(root):
        if entry.name.endswith(".md"):
            stamps[entry.path] = _entry_stamp(entry)
    for folder in _entries(os.path.join(root, "phases")):
        if not _is_dir(folder):
            continue
        stamps[folder.path] = "dir:" + (os.path.realpath(folder.path) if folder.is_symlink() else "")
        for entry in _entries(folder.path):
            if entry.name.endswith(".md"):
                stamps[entry.path] = _entry_stamp(entry)
    return stamps


def tree_signature(project_root: Path, stamps: dict[str, str]) -> str:
    """Every path (relative to `.planning/`) and stamp of a scan, and the resolved project root."""
    prefix = str(project_root / ".planning") + os.sep
    entries = [f"{path.removeprefix(prefix)}\0{stamps[path]}" for path in sorted(stamps)]
    return "\n".join([str(project_root.resolve()), *entries])


def file_stamp(path: str | Path) -> str:
    """size:mtime_ns:ctime_ns:inode of the file at `path`, or "unreadable"."""
    try:
        info = os.stat(path)
    except OSError:
        return "unreadable"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _entry_stamp(entry: os.DirEntry[str]) -> str:
    try:
        info = entry.stat()
    except OSError:
        return "unreadable"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"
