"""The stat scan the planning index is keyed by: every file the reader reads, and its stamp.

Kept apart from `planner.tree.index.session` (which imports the reader, the model and SQLite) so that the
warm paths (`planner.tree.index.outputs`, through `quick_signature`) can tell whether anything changed
importing only `os`, `stat` and `struct`.
"""

from __future__ import annotations

import os
import stat as stat_module
import struct
from pathlib import Path

try:
    from _blake2 import blake2b as _blake2b  # CPython's own: hashlib would import OpenSSL's bindings too
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b as _blake2b


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_KEYED = struct.Struct("=qqqq")  # size, mtime_ns, ctime_ns, inode

# A record of the walk: a path and the stat of the file there (None: it could not be stat'ed), or
# the stamp of a folder ("dir:...") or of a file that is missing.
Record = tuple[str, "os.stat_result | str | None"]


def scan_tree(planning_dir: Path) -> dict[str, str]:
    """Absolute path -> stamp of every file `load_project` reads (and of each phase folder)."""
    return stamps_of(walk_tree(planning_dir))


def stamps_of(records: list[Record]) -> dict[str, str]:
    """`scan_tree` of a whole walk's records."""
    return {path: value if isinstance(value, str) else _stamp(value) for path, value in records}


def walk_tree(planning_dir: Path, phase_folders: list[os.DirEntry[str]] | None = None, *,
              rest: bool = True) -> list[Record]:
    """Every file `load_project` reads, with its stat, and each phase folder, in listing order.

    `phase_folders`: only these of `phases/`'s folders (a share of its listing); `rest=False`:
    none of the rest of the tree (the top-level files, config, milestones).
    """
    records: list[Record] = []
    root = str(planning_dir)
    if rest:
        for name in ("config.json", os.path.join(".cache", "step-journal.json")):  # the journal: TREE005
            path = os.path.join(root, name)
            records.append((path, _stat(path)))
        _walk_folder(root, records, nested=False)
    _walk_phases(_entries(os.path.join(root, "phases")) if phase_folders is None else phase_folders, records)
    if rest:
        milestones = os.path.join(root, "milestones")
        records.append((milestones, "dir:" if os.path.isdir(milestones) else "missing"))  # the reader looks in it
        for archive in _entries(milestones):  # `milestones/v1.2-phases/NN-slug/`
            if archive.name.startswith("v") and archive.name.endswith("-phases") and _is_dir(archive):
                records.append((archive.path, _folder_stamp(archive)))
                _walk_phases(_entries(archive.path), records)
    return records


def _walk_phases(folders: list[os.DirEntry[str]], records: list[Record]) -> None:
    for folder in folders:
        if _is_dir(folder):
            records.append((folder.path, _folder_stamp(folder)))
            _walk_folder(folder.path, records, nested=True)


def _folder_stamp(folder: os.DirEntry[str]) -> str:
    """A folder's stamp: where it leads when it is a link (the files below it are stamped apart)."""
    return "dir:" + (os.path.realpath(folder.path) if folder.is_symlink() else "")


def _walk_folder(folder: str, records: list[Record], *, nested: bool) -> None:
    """The Markdown files in `folder` (and, with `nested`, in its `plans/`, GSD 1.30+), stat'ed
    through the folder's descriptor: no path is looked up from the root again."""
    try:
        descriptor = os.open(folder, _DIR_FLAGS)
    except OSError:
        return
    try:
        prefix = folder + os.sep
        stat = os.stat
        for name in os.listdir(descriptor):
            if name.endswith(".md"):
                try:
                    records.append((prefix + name, stat(name, dir_fd=descriptor)))
                except OSError:
                    records.append((prefix + name, None))
            elif nested and name == "plans" and _is_folder(name, descriptor):
                records.append((prefix + name, "dir:"))
                _walk_folder(prefix + name, records, nested=False)
    finally:
        os.close(descriptor)


def quick_signature(planning_dir: Path, *keyed_by: str) -> tuple[str, int, list[Record] | None]:
    """(a digest of `keyed_by` and every record of `walk_tree`, the newest mtime among them in ns,
    the records when this process walked them all): what a warm command's kept output is keyed
    by. It builds no stamps. On a large tree, `phases/` is listed once and every other folder of
    the listing is walked by one forked process, which sends back its share's digest. Listing
    order is part of the digest: a folder listed in another order only misses."""
    folders = _entries(os.path.join(planning_dir, "phases"))
    split = len(folders) >= FORK_FROM  # by size alone: the key must not depend on the machine's load
    share = _ForkedShare.start(planning_dir, folders[1::2]) if split else None
    records = walk_tree(planning_dir, folders[0::2] if split else folders)
    digest, newest = _records_digest(records)
    if split:
        received = share.result() if share is not None else None
        if received is None:  # no idle core to fork onto, or the process failed: walked here
            received = _records_digest(walk_tree(planning_dir, folders[1::2], rest=False))
        digest += received[0]
        newest = max(newest, received[1])
    whole = _blake2b(digest_size=32)
    for part in (*keyed_by, os.fspath(planning_dir)):
        encoded = part.encode("utf-8", "surrogateescape")
        whole.update(b"%d:" % len(encoded) + encoded)
    whole.update(digest)
    return whole.hexdigest(), newest, None if split else records


def _records_digest(records: list[Record]) -> tuple[bytes, int]:
    """The digest of records and their newest mtime. Each record is its path, NUL and
    either S and the stat's size, mtime, ctime and inode (32 bytes), ? (not stat'ed) or T and a
    stamp ended by NUL: neither paths nor stamps hold a NUL, so no two walks read alike."""
    parts = []
    newest = 0
    pack = _KEYED.pack
    for path, value in records:
        encoded = path.encode("utf-8", "surrogateescape")
        if isinstance(value, str):
            parts.append(encoded + b"\0T" + value.encode("utf-8", "surrogateescape") + b"\0")
        elif value is None:
            parts.append(encoded + b"\0?")
        else:
            newest = max(newest, value.st_mtime_ns)  # as the index judges a stamp too fresh
            parts.append(encoded + b"\0S" + pack(value.st_size, value.st_mtime_ns, value.st_ctime_ns, value.st_ino))
    digest = _blake2b(digest_size=32)
    digest.update(b"".join(parts))
    return digest.digest(), newest


FORK_FROM = 300  # phase folders from which a forked process pays for its start-up (a few ms)


class _ForkedShare:
    """A forked process walking some phase folders and sending (digest, newest) through a pipe."""

    def __init__(self, planning_dir: Path, folders: list[os.DirEntry[str]]) -> None:
        reading, writing = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            try:
                os.close(reading)
                digest, newest = _records_digest(walk_tree(planning_dir, folders, rest=False))
                os.write(writing, digest + newest.to_bytes(8, "little"))
            finally:
                os._exit(0)
        os.close(writing)
        self.reading = reading

    @classmethod
    def start(cls, planning_dir: Path, folders: list[os.DirEntry[str]]) -> _ForkedShare | None:
        """The share's process, when a second core is idle and forking is safe; else None."""
        from planner.tree.index.cores import can_fork, idle_cores

        if idle_cores() < 2 or not can_fork():
            return None
        try:
            return cls(planning_dir, folders)
        except OSError:
            return None

    def result(self) -> tuple[bytes, int] | None:
        """(digest, newest mtime) of the share, or None when the process failed."""
        try:
            received = os.read(self.reading, 40)
        finally:
            os.close(self.reading)
            os.waitpid(self.pid, 0)
        return (received[:32], int.from_bytes(received[32:], "little")) if len(received) == 40 else None


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
    paths = sorted(stamps)
    digest = _blake2b(digest_size=32)
    for part in ("\0".join(keyed_by), str(project_root.resolve()), "\0".join(paths),
                 "\0".join(map(stamps.__getitem__, paths))):
        encoded = part.encode("utf-8", "surrogateescape")
        digest.update(b"%d:" % len(encoded) + encoded)  # each part with its length: no two read alike
    return digest.hexdigest()


def file_stamp(path: str | Path) -> str:
    """size:mtime_ns:ctime_ns:inode of the file at `path`, or "unreadable"."""
    return _stamp(_stat(path))


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
        return _stamp(entry.stat())
    except OSError:
        return "unreadable"


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _stamp(info: os.stat_result | None) -> str:
    if info is None:
        return "unreadable"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _is_folder(name: str, descriptor: int) -> bool:
    try:
        return stat_module.S_ISDIR(os.stat(name, dir_fd=descriptor).st_mode)
    except OSError:
        return False
