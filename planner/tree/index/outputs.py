"""Whole outputs of read commands, kept beside the planning index for a tree that has not changed.

`plan status` prints a function of the loaded Project only, and the Project is a function of the
files the planning index stamps (`planner.tree.index.scan`). So its output is kept in
`.planning/.cache/out-<name>`, under a key made of the same scan signature the index keys the
Project by, the arguments, the project root, and the size and mtime of every planner module (an
edited or upgraded planner misses). A warm command with no change stats the tree, compares one
key and writes the stored text: no SQLite, no unpickling, no encoding.

Like the index it is only a cache: any doubt (a key that differs, a file that is not a regular
file planner wrote, a tree modified within RACY_NS of the scan, an unwritable folder) means the
command computes its output as usual.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

import planner
from planner.tree.index.scan import scan_tree, tree_signature

RACY_NS = 2_000_000_000  # as planner.tree.index.session: a second edit within the timestamp granularity
MAX_BYTES = 256 * 1024 * 1024
_CODE: list[str] = []


def code_fingerprint() -> str:
    """planner's version and the size and mtime of every module in the package."""
    if not _CODE:
        package = Path(planner.__file__).parent
        parts = [planner.__version__]
        for folder, _, names in sorted(os.walk(package)):
            for name in sorted(names):
                if name.endswith((".py", ".j2")):
                    with contextlib.suppress(OSError):
                        info = os.stat(os.path.join(folder, name))
                        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
        _CODE.append("|".join(parts))
    return _CODE[0]


class OutputCache:
    """One command's stored output for the tree as scanned now (scanned when this is made)."""

    def __init__(self, project_root: Path, name: str, *arguments: str) -> None:
        self.started_ns = time.time_ns()
        self.folder = project_root / ".planning" / ".cache"
        self.path = self.folder / f"out-{name}"
        self.stamps = stamps = scan_tree(project_root / ".planning")  # a load on a miss uses it too
        self._trusted: bool | None = None
        self.key = tree_signature(project_root, stamps, code_fingerprint(), str(project_root), *arguments
                                  ).encode("ascii")

    def get(self) -> bytes | None:
        """The stored output for this key, else None (never through a linked cache folder)."""
        if os.path.islink(self.folder):
            return None
        try:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return None
            head = stream.read(len(self.key) + 1)
            if head != self.key + b"\n":
                return None
            return stream.read()

    @property
    def trusted(self) -> bool:
        """No file of the scan is too fresh to trust (asked only on a miss: a hit needs no answer)."""
        if self._trusted is None:
            self._trusted = all(_settled(stamp, self.started_ns) for stamp in self.stamps.values())
        return self._trusted

    def release_scan(self) -> None:
        """Drop the scan (a 24,000-document tree's is megabytes), keeping what `put` needs of it."""
        _ = self.trusted
        self.stamps = {}

    def put(self, output: bytes) -> None:
        """Store `output` under the key (atomically), unless the tree is too fresh to trust."""
        if not self.trusted or len(output) > MAX_BYTES:
            return
        from planner.storage.safeio import temp_beside
        from planner.tree.index.store import cache_dir

        try:
            folder = cache_dir(self.folder.parent)
            if folder.is_symlink():
                return
            descriptor, temp = temp_beside(folder / self.path.name)
            try:
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(self.key + b"\n" + output)
                os.replace(temp, self.path)  # replaces a link planted there, never writes through it
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except Exception:  # noqa: BLE001  (a cache that cannot be written is skipped, as the index)
            return


def _settled(stamp: str, started_ns: int) -> bool:
    """A file stamp old enough to trust; a folder's, or a file's that could not be stat'ed, has no
    time to doubt (what the reader makes of such a file is the same on every run)."""
    parts = stamp.split(":")
    return len(parts) != 4 or int(parts[1]) <= started_ns - RACY_NS
