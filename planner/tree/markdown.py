"""Facts people write in Markdown bodies instead of frontmatter."""

from __future__ import annotations

import re

_BOLD_FIELD = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<key>[^*:]{1,60}?):?\*\*:?\s*(?P<value>.+?)\s*$")


def field_key(label: str) -> str:
    """`Files Modified` -> `files_modified`."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


_HEADER_END = re.compile(r"^(?:#{2,6}\s|<[A-Za-z]|```|---\s*$)")


def header_block(body: str) -> str:
    """The lines of a body before its first section (`## `), XML-like block (`<task>`), code fence or
    rule: where a document without frontmatter states its own fields (`**Status:** ...`)."""
    lines = []
    for line in body.split("\n"):
        if _HEADER_END.match(line):
            break
        lines.append(line)
    return "\n".join(lines)


def bold_metadata(body: str) -> dict[str, str]:
    """`**Key:** value` lines as a mapping (first occurrence wins), keys in snake case."""
    found: dict[str, str] = {}
    for line in body.split("\n"):
        match = _BOLD_FIELD.match(line)
        if match:
            found.setdefault(field_key(match["key"]), match["value"])
    return found

