"""Targets as written in a document's frontmatter, parsed with the file and line of each item,
so a syntax error points at the place to fix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from planner.targets import Target, parse_target, parse_targets
from planner.tree.frontmatter import read_document, top_level_key

_ITEM = re.compile(r"^\s*-\s")


def targets_in(path: Path | None, texts: Sequence[str], key: str = "targets") -> list[Target]:
    """Parse `texts` (the `key` list of the document at `path`); errors name file, line and column."""
    if path is None or not path.is_file():
        return [parse_target(text, path=path) for text in texts]
    document = read_document(path)
    raw = document.meta.get(key)
    key_line = document.line_of(key)
    if not isinstance(raw, list) or key_line is None:
        return [parse_target(text, path=path, line=key_line) for text in texts]
    lines = ["---", *document.frontmatter_text.split("\n")]  # the text already read, not a second read
    item_lines = _item_lines(lines, key_line)

    def line_of(index: int) -> int | None:
        return item_lines[index] if index < len(item_lines) else key_line

    return parse_targets(raw, path=path, line_of=line_of, source_lines=lines)


def _item_lines(lines: list[str], key_line: int) -> list[int]:
    """1-based lines of the `- item` entries that follow the key on `key_line`."""
    found = []
    for number in range(key_line + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.strip() in ("---", "..."):
            break
        if top_level_key(text) is not None:
            break
        if _ITEM.match(text):
            found.append(number)
    return found


def goal_path(directory: Path) -> Path | None:
    """The phase's GOAL file, where planner keeps a phase's goal and targets."""
    found = sorted(directory.glob("*-GOAL.md"))
    return found[0] if found else None
