"""The stat scan the planning index is keyed by: every file the reader reads, and its stamp.

Kept apart from `planner.tree.index.session` (which imports the reader, the model and SQLite) so that the
warm paths (`planner.tree.index.outputs`) can tell whether anything changed importing only `os`.
"""

from __future__ import annotations

import os
from pathlib import Path


def scan_tree(planning_dir: Path) -> dict[str, str]:
    """Absolute path -> stamp of every file `load_project` reads (and of each phase folder)."""
    stamps: dict[str, str] = {}
    root = str(planning_dir)
    for name in ("config.json", os.path.join(".cache", "step-journal.json")):  # the journal: TREE005
        path = os.path.join(root, name)
        stamps[path] = file_stamp(path) or "missing"
    for entry in _entries(root):
        if entry.name.endswith(".md"):
            stamps[entry.path] = _entry_stamp(entry)
    _scan_phases(os.path.join(root, "phases"), stamps)
    milestones = os.path.join(root, "milestones")
    stamps[milestones] = "dir:" if os.path.isdir(milestones) else "missing"  # the reader looks in it
    for archive in _entries(milestones):  # `milestones/v1.2-phases/NN-slug/`
        if archive.name.startswith("v") and archive.name.endswith("-phases") and _is_dir(archive):
            stamps[archive.path] = "dir:" + (os.path.realpath(archive.path) if archive.is_symlink() else "")
            _scan_phases(archive.path, stamps)
    return stamps


def _scan_phases(phases_dir: str, stamps: dict[str, str]) -> None:
    for folder in _entries(phases_dir):
        if not _is_dir(folder):
            continue
        stamps[folder.path] = "dir:" + (os.path.realpath(folder.path) if folder.is_symlink() else "")
        for entry in _entries(folder.path):
            if entry.name.endswith(".md"):
                stamps[entry.path] = _entry_stamp(entry)
            elif entry.name == "plans" and _is_dir(entry):  # GSD 1.30+ nested plans/ folder
                stamps[entry.path] = "dir:"
                for nested in _entries(entry.path):
                    if nested.name.endswith(".md"):
                        stamps[nested.path] = _entry_stamp(nested)


def folder_signature(folder: Path) -> str:
    """The name and stamp of every file in `folder` (not below it): `metrics/snapshots/`, which
    `plan check` reads for the SUMMARYs that pin snapshots, and the index does not stamp."""
    return "\n".join(f"{entry.name}\0{_entry_stamp(entry)}" for entry in sorted(_entries(str(folder)),
                                                                           key=lambda entry: entry.name))


_NOT_PACKAGES = {"node_modules", "vendor", "dist", "build", "target"}


def nested_planning_roots(project_root: Path) -> list[str]:
    """Planning roots of a monorepo below this project (`backend/.planning`, `packages/x/.planning`),
    two folders deep at most, relative to the project root, in name order."""
    found: list[str] = []
    level = [str(project_root)]
    for depth in range(2):
        below = []
        for folder in level:
            for entry in sorted(_entries(folder), key=lambda entry: entry.name):
                if entry.name.startswith(".") or entry.name in _NOT_PACKAGES or entry.is_symlink():
                    continue
                if not _is_dir(entry):
                    continue
                if os.path.isdir(os.path.join(entry.path, ".planning")):
                    found.append(os.path.relpath(os.path.join(entry.path, ".planning"), project_root))
                if depth == 0:
                    below.append(entry.path)
        level = below
    return found


def planning_neighbours(project_root: Path) -> str:
    """What `plan check` reads beside the scanned tree to place a STATE.md's counts (DOC603): the
    planning roots below this one, and whether `workstreams/` and `milestones/` hold anything."""
    planning = project_root / ".planning"
    held = [name for name in ("workstreams", "milestones") if _entries(str(planning / name))]
    return "\n".join([*nested_planning_roots(project_root), *held])


def tree_signature(project_root: Path, stamps: dict[str, str], *keyed_by: str) -> str:
    """A digest (BLAKE2b, 256 bits) of `keyed_by`, the resolved project root, and every path and
    stamp of a scan: what the index and the output caches key by. Kept as a digest, not the text
    (2.4 MB at 24,000 documents, held through a whole load). Paths and stamps are joined by NUL,
    which neither can hold, each list in one call: no string is built per file."""
    try:
        from _blake2 import blake2b  # CPython's own: hashlib would import OpenSSL's bindings too
    except ImportError:  # pragma: no cover - another Python
        from hashlib import blake2b
    paths = sorted(stamps)
    digest = blake2b(digest_size=32)
    for part in ("\0".join(keyed_by), str(project_root.resolve()), "\0".join(paths),
                 "\0".join(map(stamps.__getitem__, paths))):
        encoded = part.encode("utf-8", "surrogateescape")
        digest.update(b"%d:" % len(encoded) + encoded)  # each part with its length: no two read alike
    return digest.hexdigest()


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


def stamps_by_folder(stamps: dict[str, str]) -> dict[str, dict[str, str]]:
    """Stamps of Markdown files grouped by the folder that holds them."""
    grouped: dict[str, dict[str, str]] = {}
    for path, stamp in stamps.items():
        if path.endswith(".md"):
            grouped.setdefault(os.path.dirname(path), {})[path] = stamp
    return grouped
