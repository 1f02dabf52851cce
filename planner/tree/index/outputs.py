"""Whole outputs of read commands, kept beside the planning index for a tree that has not changed.

`plan status` prints a function of the loaded Project only, and the Project is a function of the
files the planning index stamps (`planner.tree.index.scan`). So its output is kept in
`.planning/.cache/out-<name>`, under a key made of the stat of every file the index stamps
(`quick_signature`: no stamps are built, and a large tree's stats are shared with one forked
process), the arguments, the project root, and the size and mtime of every planner module (an
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
from planner.tree.index.scan import quick_signature, stamps_of

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
        key, self.newest_ns, self.records = quick_signature(project_root / ".planning", code_fingerprint(),
                                                            str(project_root), *arguments)
        self.key = key.encode("ascii")

    def scanned(self) -> tuple[dict[str, str], int] | None:
        """The scan (`scan_tree`) and its start, for a load on a miss, when this process walked
        the whole tree; then dropped (a 24,000-document tree's is megabytes)."""
        records, self.records = self.records, None
        return None if records is None else (stamps_of(records), self.started_ns)

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
        """No file of the scan was modified within RACY_NS before it: an output computed now is the
        output of the tree the key was made from."""
        return self.newest_ns <= self.started_ns - RACY_NS

    def put(self, output: bytes) -> None:
        """Store `output` under the key (atomically), unless the tree is too fresh to trust."""
        if not self.trusted or len(output) > MAX_BYTES:
            return
        from planner.tree.index.store import keep_in_cache

        keep_in_cache(self.folder.parent, self.path.name, lambda: self.key + b"\n" + output)
