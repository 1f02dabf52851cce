"""Facts people write in Markdown bodies instead of frontmatter."""

from __future__ import annotations

import re

_BOLD_FIELD = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<key>[^*:]{1,60}?):?\*\*:?\s*(?P<value>.+?)\s*$")


def field_key(label: str) -> str:
    """`Files Modified` -> `files_modified`."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def bold_metadata(body: str) -> dict[str, str]:
    """`**Key:** value` lines as a mapping (first occurrence wins), keys in snake case."""
    found: dict[str, str] = {}
    for line in body.split("\n"):
        match = _BOLD_FIELD.match(line)
        if match:
            found.setdefault(field_key(match["key"]), match["value"])
    return found

