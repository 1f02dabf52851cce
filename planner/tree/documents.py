"""Generated documents: compose frontmatter and rendered body, merge into what exists, diff, write.

One path for real runs, `--dry-run` and `--diff`, so a preview is exactly what would be written.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.errors import InputError
from planner.tree import regions
from planner.tree.edit import read_for_edit, set_keys, split_head
from planner.tree.frontmatter import compose
from planner.tree.writer import atomic_write


@dataclass(frozen=True)
class PendingWrite:
    """A document planner is about to write: where, what is there now, what would be there."""

    path: Path
    old_text: str | None
    new_text: str

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    @property
    def printable_text(self) -> str:
        """The new text as it can be printed: bytes that are not UTF-8 shown as U+FFFD."""
        return _printable(self.new_text)

    def diff(self, shown_path: str) -> str:
        old = _printable(self.old_text or "").splitlines(keepends=True)
        new = self.printable_text.splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, f"a/{shown_path}", f"b/{shown_path}"))


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def prepare(path: Path, meta: Mapping[str, object], body: str) -> PendingWrite:
    """The new text of a generated document, keeping everything people wrote outside the regions.

    Frontmatter keys planner generates are set in place; every other byte (keys people added,
    comments, quoting, line endings, a BOM) stays as it was.
    """
    if path.is_symlink():
        raise InputError("refusing to write through a symbolic link", path)
    if not path.exists():
        return PendingWrite(path, None, compose(meta, body if body.startswith("\n") else "\n" + body))
    old_text = read_for_edit(path)
    head, old_body = split_head(old_text)
    try:
        if not regions.find_regions(old_body):
            raise InputError("this file has no planner regions (written by hand?); planner will not replace it. "
                             "Move it aside or add the markers", path)
        merged_body = regions.merge(old_body, body)
    except InputError as error:
        if error.path is not None:
            raise
        line = error.line + head.count("\n") if error.line else None
        raise InputError(f"cannot update generated regions: {error.message}", path, line) from None
    return PendingWrite(path, old_text, set_keys(head + merged_body, meta, path=path))


def commit_write(pending: PendingWrite, planning_dir: Path) -> bool:
    """Write if anything changed; True when the file was written."""
    if not pending.changed:
        return False
    atomic_write(pending.path, pending.new_text, planning_dir=planning_dir, overwrite=True)
    return True
