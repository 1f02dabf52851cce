"""Generated regions: the parts of a document planner owns, between markers.

Everything outside the markers belongs to people and is kept byte for byte on every rewrite:
line endings, a BOM and any bytes that are not UTF-8 (carried as surrogate escapes) included.
A marker inside a fenced code block is an example, not a marker.
"""

from __future__ import annotations

import re

from planner.errors import InputError

_MARKER = re.compile(r"<!-- planner:(?P<edge>begin|end) (?P<name>[a-z0-9_-]+) -->[ \t]*\r?$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")


def begin(name: str) -> str:
    return f"<!-- planner:begin {name} -->"


def end(name: str) -> str:
    return f"<!-- planner:end {name} -->"


def wrap(name: str, content: str) -> str:
    """A region ready to place in a document."""
    return f"{begin(name)}\n{content.rstrip()}\n{end(name)}"


def _marker_lines(text: str) -> list[tuple[re.Match[str], int, int]]:
    """(match, offset, 1-based line) of each real marker: outside regions, fenced code is skipped.

    Inside a region the content is planner's own, so only its end marker is looked for there.
    """
    found: list[tuple[re.Match[str], int, int]] = []
    fence: str | None = None
    in_region = False
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        bare = line.rstrip("\r\n")
        marker = _MARKER.match(bare) if bare.startswith("<!--") else None
        if fence is None and marker:
            found.append((marker, offset, number))
            in_region = marker["edge"] == "begin"
        elif not in_region and (opening := _FENCE.match(bare)):
            if fence is None:
                if not (opening["fence"][0] == "`" and "`" in opening["info"]):
                    fence = opening["fence"]
            elif opening["fence"][0] == fence[0] and len(opening["fence"]) >= len(fence) \
                    and not opening["info"].strip():
                fence = None
        offset += len(line)
    return found


def find_regions(text: str) -> dict[str, tuple[int, int]]:
    """name -> (start of content, end of content) offsets; raises on unbalanced markers."""
    regions: dict[str, tuple[int, int]] = {}
    open_name: str | None = None
    open_at = open_line = 0
    for match, offset, line in _marker_lines(text):
        if match["edge"] == "begin":
            if open_name is not None:
                raise InputError(f"region '{match['name']}' begins inside region '{open_name}'", line=line)
            if match["name"] in regions:
                raise InputError(f"region '{match['name']}' appears twice; keep one", line=line)
            open_name, open_line = match["name"], line
            line_end = text.find("\n", offset)
            open_at = len(text) if line_end < 0 else line_end + 1
        else:
            if open_name != match["name"]:
                raise InputError(f"end of region '{match['name']}' without its begin marker", line=line)
            regions[match["name"]] = (min(open_at, offset), offset)
            open_name = None
    if open_name is not None:
        raise InputError(f"region '{open_name}' is never closed (missing '{end(open_name)}')", line=open_line)
    return regions


def line_ending(text: str) -> str:
    """The line ending a document uses: that of its first line ("\\n" when it has none)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def merge(existing: str, fresh: str) -> str:
    """`existing` with each of its regions replaced by the same region of `fresh`.

    Only the bytes between markers change: the new content takes the line ending of the line
    that opens its region. Regions that `fresh` has and `existing` lacks are appended at the end,
    so nothing new is lost; regions that only `existing` has are left as they are.
    """
    old_regions = find_regions(existing)
    fresh = fresh.replace("\r\n", "\n")
    new_regions = find_regions(fresh)
    result = existing
    for name, (start, stop) in sorted(old_regions.items(), key=lambda item: -item[1][0]):
        if name in new_regions:
            new_start, new_stop = new_regions[name]
            ending = "\r\n" if existing[:start].endswith("\r\n") else "\n"
            result = result[:start] + fresh[new_start:new_stop].replace("\n", ending) + result[stop:]
    missing = [name for name in new_regions if name not in old_regions]
    ending = line_ending(existing)
    for name in missing:
        new_start, new_stop = new_regions[name]
        tail = result.rstrip("\r\n")
        block = wrap(name, fresh[new_start:new_stop]).replace("\n", ending)
        result = tail + (ending * 2 if tail else "") + block + ending
    return result
