"""A line-based reader for frontmatter that YAML rejects.

It accepts what GSD's own line parser accepts: `key: value` lines, nested mappings by indent,
`- item` lists (of scalars or of small mappings), inline `[a, b]` lists, and values kept as text
with one layer of quotes removed. Unquoted `a: b` inside a value, `"\\."`, `@scope` values and
lists without brackets (`contains: "a", "b"`) all come through as text instead of failing.
"""

from __future__ import annotations

import re

# Possessive quantifiers and a greedy value (trailing blanks stripped in code, see _value_of):
# the lazy `.*?` followed by `\s*$` these replaced took time quadratic in a run of blanks, so a
# single long line of spaces could stall the reader for hours.
_KEY_LINE = re.compile(
    r"^(?P<indent>[ \t]*+)(?P<key>[A-Za-z0-9_][A-Za-z0-9_. -]*+|\"[^\"]++\"|'[^']++')"
    r"\s*+:(?:[ \t]++(?P<value>.*)|\s*+)$"
)
_ITEM_LINE = re.compile(r"^(?P<indent>[ \t]*+)-(?:[ \t]++(?P<value>.*)|\s*+)$")
_QUOTED_LIST = re.compile(r"""^(?:"[^"]*"|'[^']*')(?:\s*,\s*(?:"[^"]*"|'[^']*'))+$""")


def _value_of(match: re.Match[str]) -> str | None:
    """The value group of a key or item line without its trailing blanks (None when absent)."""
    value = match["value"]
    return None if value is None else value.rstrip()


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_inline(body: str) -> list[str]:
    """`a, "b, c", d` -> ['a', 'b, c', 'd']: commas inside quotes do not split."""
    items: list[str] = []
    current: list[str] = []
    quote = ""
    for char in body:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [unquote(item) for item in items if item.strip()]


def scalar(value: str) -> str | list[str] | dict[str, str | None] | None:
    """A value as text, an inline list, or None for an explicit null."""
    stripped = value.strip()
    if stripped in ("", "~", "null", "Null", "NULL"):
        return None
    if stripped.startswith("[") and stripped.endswith("]"):
        return _split_inline(stripped[1:-1])
    if _QUOTED_LIST.match(stripped):
        return _split_inline(stripped)
    if stripped.startswith("{") and stripped.endswith("}"):
        pairs: dict[str, str | None] = {}
        for item in _split_inline(stripped[1:-1]):
            key, _, item_value = item.partition(":")
            pairs[unquote(key)] = unquote(item_value) if item_value.strip() else None
        return pairs
    return unquote(stripped)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def parse_tolerant(block: str) -> dict[str, object]:
    """Best-effort mapping from a frontmatter block; never raises."""
    lines = [line for line in block.split("\n") if line.strip() and not line.lstrip().startswith("#")]
    result, _ = _parse_mapping(lines, 0, 0)
    return result


def _parse_mapping(lines: list[str], start: int, indent: int) -> tuple[dict[str, object], int]:
    mapping: dict[str, object] = {}
    index = start
    while index < len(lines):
        line = lines[index]
        line_indent = _indent_of(line)
        if line_indent < indent:
            break
        match = _KEY_LINE.match(line)
        if match is None or line_indent > indent:
            index += 1  # Markdown or stray text inside the block: skipped, as GSD's parser does
            continue
        key = unquote(match["key"])
        value = _value_of(match)
        if value is not None and value != "|" and value != ">":
            mapping[key] = scalar(value)
            index += 1
            continue
        index += 1
        child_indent = _indent_of(lines[index]) if index < len(lines) else indent
        if index < len(lines) and value in ("|", ">"):
            block_lines = []
            while index < len(lines) and _indent_of(lines[index]) > indent:
                block_lines.append(lines[index].strip())
                index += 1
            mapping[key] = ("\n" if value == "|" else " ").join(block_lines)
        elif index < len(lines) and _ITEM_LINE.match(lines[index]) and child_indent >= indent:
            mapping[key], index = _parse_list(lines, index, child_indent)
        elif index < len(lines) and child_indent > indent:
            mapping[key], index = _parse_mapping(lines, index, child_indent)
        else:
            mapping[key] = None
    return mapping, index


def _parse_list(lines: list[str], start: int, indent: int) -> tuple[list[object], int]:
    items: list[object] = []
    index = start
    while index < len(lines):
        line = lines[index]
        match = _ITEM_LINE.match(line)
        if match is None or _indent_of(line) != indent:
            break
        value = _value_of(match) or ""
        key_match = _KEY_LINE.match(" " * (indent + 2) + value) if value else None
        index += 1
        if key_match and not value.startswith(("\"", "'")):
            # `- path: x` starts a small mapping; its other keys follow, indented past the dash
            item_lines: list[str] = []
            while index < len(lines) and _indent_of(lines[index]) > indent:
                item_lines.append(lines[index])
                index += 1
            child_indent = _indent_of(item_lines[0]) if item_lines else indent + 2
            item, _ = _parse_mapping([" " * child_indent + value, *item_lines], 0, child_indent)
            items.append(item)
        else:
            items.append(scalar(value))
    return items, index
