"""Generated regions: the parts of a document planner owns, between markers.

Everything outside the markers belongs to people and is kept word for word on every rewrite.
"""

from __future__ import annotations

import re

from planner.errors import InputError

_MARKER = re.compile(r"^<!-- planner:(?P<edge>begin|end) (?P<name>[a-z0-9_-]+) -->[ \t]*\r?$", re.MULTILINE)


def begin(name: str) -> str:
    return f"<!-- planner:begin {name} -->"


def end(name: str) -> str:
    return f"<!-- planner:end {name} -->"


def wrap(name: str, content: str) -> str:
    """A region ready to place in a document."""
    return f"{begin(name)}\n{content.rstrip()}\n{end(name)}"


def find_regions(text: str) -> dict[str, tuple[int, int]]:
    """name -> (start of content, end of content) offsets; raises on unbalanced markers."""
    regions: dict[str, tuple[int, int]] = {}
    open_name: str | None = None
    open_at = 0
    for match in _MARKER.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match["edge"] == "begin":
            if open_name is not None:
                raise InputError(f"region '{match['name']}' begins inside region '{open_name}'", line=line)
            open_name, open_at = match["name"], match.end() + 1
        else:
            if open_name != match["name"]:
                raise InputError(f"end of region '{match['name']}' without its begin marker", line=line)
            regions[match["name"]] = (min(open_at, match.start()), match.start())
            open_name = None
    if open_name is not None:
        raise InputError(f"region '{open_name}' is never closed (missing '{end(open_name)}')")
    return regions


def region_text(text: str, name: str) -> str | None:
    found = find_regions(text).get(name)
    return None if found is None else text[found[0] : found[1]]


def merge(existing: str, fresh: str) -> str:
    """`existing` with each of its regions replaced by the same region of `fresh`.

    Regions that `fresh` has and `existing` lacks are appended at the end, so nothing new is lost;
    regions that only `existing` has are left as they are.
    """
    if "\r\n" in existing:  # keep a Windows file's line endings: merge as LF, convert back
        merged = merge(existing.replace("\r\n", "\n"), fresh.replace("\r\n", "\n"))
        return merged.replace("\n", "\r\n")
    old_regions = find_regions(existing)
    new_regions = find_regions(fresh)
    result = existing
    for name, (start, stop) in sorted(old_regions.items(), key=lambda item: -item[1][0]):
        if name in new_regions:
            new_start, new_stop = new_regions[name]
            result = result[:start] + fresh[new_start:new_stop] + result[stop:]
    missing = [name for name in new_regions if name not in old_regions]
    for name in missing:
        new_start, new_stop = new_regions[name]
        result = result.rstrip("\n") + "\n\n" + wrap(name, fresh[new_start:new_stop]) + "\n"
    return result
