"""Change a few top-level frontmatter keys of a document in place, keeping every other byte.

Re-dumping a whole frontmatter block would drop comments, quoting and key order that people
chose; this edits only the lines of the keys being set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.frontmatter import BOM, MAX_DOCUMENT_BYTES, dump_yaml, split

_TOP_LEVEL = re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*:")


def set_keys(raw: str, updates: dict[str, Any], *, path: Path | None = None) -> str:
    """`raw` with each key of `updates` set (replaced where present, appended otherwise)."""
    had_bom = raw.startswith(BOM)
    text = raw[1:] if had_bom else raw
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    block, body, _, closed = split(text)
    if block is None:
        block, body = "", text
    elif not closed:
        raise InputError("frontmatter block is never closed; fix it before planner edits this file", path, 1)
    lines = block.split("\n") if block else []
    if lines and lines[-1] == "":
        lines.pop()
    for key, value in updates.items():
        rendered = dump_yaml({key: value}).rstrip("\n").split("\n")
        start = next((i for i, line in enumerate(lines) if (m := _TOP_LEVEL.match(line)) and m["key"] == key), None)
        if start is None:
            lines.extend(rendered)
            continue
        stop = start + 1
        while stop < len(lines) and (lines[stop].startswith((" ", "\t", "- ")) or not lines[stop].strip()):
            stop += 1
        lines[start:stop] = rendered
    result = "---\n" + "\n".join(lines) + "\n---\n" + body
    if crlf:
        result = result.replace("\n", "\r\n")
    return (BOM if had_bom else "") + result


def read_for_edit(path: Path) -> str:
    """The text of a document planner is about to rewrite; refuses files too big to be one, files
    that are not regular (a FIFO, a link to a device) and text that is not UTF-8 (naming its line)."""
    from planner.safeio import decode_utf8, read_bounded

    data = read_bounded(path, MAX_DOCUMENT_BYTES, what="planning document (planner will not rewrite it)")
    return decode_utf8(data, path, "planning document")
