"""A fast exact reader for the plain block YAML most frontmatter is written in.

PyYAML composes a node object (with its marks) for every value before planner builds the value:
most of a cold load. Frontmatter as GSD and planner write it uses a small part of YAML (block
mappings and sequences, plain or simply quoted text, one-line flow lists), which this module reads
line by line. Anything outside that part raises NotPlain and the caller uses PyYAML, so the two
agree on every block this module answers (tests/test_plain_yaml.py compares them on generated
blocks): every plain scalar is text, except the null words.
"""

from __future__ import annotations

import re
from typing import Any

_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
# Characters YAML reads as anything but plain text in a line, or not at all: outside this set, PyYAML.
_UNUSUAL = re.compile("[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "/": "/"}
MAX_DEPTH = 50
MAX_TEXT = 50_000  # under this, a block cannot expand to the 100,000 values PyYAML's path refuses


class NotPlain(Exception):
    """The block uses YAML this reader leaves to PyYAML."""


def load_plain(text: str) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """(mapping, duplicate keys with their 0-based lines) of a plain block; NotPlain otherwise."""
    if len(text) > MAX_TEXT or "#" in text or "\t" in text or _UNUSUAL.search(text):
        raise NotPlain
    reader = _Reader(text.split("\n"))
    if not reader.contents or reader.indents[0] != 0:
        raise NotPlain
    value = reader.mapping(0, 1)
    if reader.at < len(reader.contents):
        raise NotPlain
    return value, reader.duplicates


class _Reader:
    """The block's non-blank lines as (line number, indent, content without the spaces around it)."""

    def __init__(self, lines: list[str]) -> None:
        self.numbers: list[int] = []
        self.indents: list[int] = []
        self.contents: list[str] = []
        for number, line in enumerate(lines):
            content = line.strip(" ")
            if content:
                self.numbers.append(number)
                self.indents.append(len(line) - len(line.lstrip(" ")))
                self.contents.append(content)
        self.at = 0
        self.duplicates: list[tuple[str, int]] = []

    def node(self, indent: int, depth: int) -> Any:
        """The block node whose first line (the current one) starts at column `indent`."""
        content = self.contents[self.at]
        if content == "-" or content.startswith("- "):
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise NotPlain
        indents, contents = self.indents, self.contents
        count = len(contents)
        result: dict[str, Any] = {}
        while self.at < count:
            at = self.at
            if indents[at] != indent:
                if indents[at] > indent:
                    raise NotPlain  # a continued plain scalar, or broken indentation
                return result
            content = contents[at]
            match = _KEY.match(content)
            if match is None:
                if content[0] == "-":
                    return result  # the next item of a sequence this mapping sits in
                raise NotPlain
            key = match[1]
            if key in _NULL_WORDS:
                raise NotPlain
            if key in result:
                self.duplicates.append((key, self.numbers[at]))
            rest = content[match.end():]
            self.at = at + 1
            result[key] = self.inline(rest) if rest else self.nested(indent, depth + 1, in_mapping=True)
        return result

    def sequence(self, indent: int, depth: int) -> list[Any]:
        if depth > MAX_DEPTH:
            raise NotPlain
        indents, contents = self.indents, self.contents
        count = len(contents)
        result: list[Any] = []
        while self.at < count:
            at = self.at
            if indents[at] != indent:
                if indents[at] > indent:
                    raise NotPlain
                return result
            content = contents[at]
            if content == "-":
                self.at = at + 1
                result.append(self.nested(indent, depth + 1, in_mapping=False))
            elif content.startswith("- "):
                rest = content[2:].lstrip(" ")
                if rest.startswith("- ") or rest == "-" or _KEY.match(rest):
                    # `- key: value` or `- - x`: a node starting at this column of this line
                    column = indent + len(content) - len(rest)
                    indents[at], contents[at] = column, rest
                    result.append(self.node(column, depth + 1))
                else:
                    self.at = at + 1
                    result.append(self.inline(rest))
            else:
                return result  # a key of the mapping this sequence is the value of
        return result

    def nested(self, indent: int, depth: int, *, in_mapping: bool) -> Any:
        """The value after `key:` or a bare `-`: a block below (or a sequence at the key's own
        column, in a mapping), else null."""
        at = self.at
        if at >= len(self.contents):
            return None
        below = self.indents[at]
        if below > indent:
            return self.node(below, depth)
        content = self.contents[at]
        if in_mapping and below == indent and (content == "-" or content.startswith("- ")):
            return self.sequence(indent, depth)
        return None

    def inline(self, text: str) -> Any:
        """A value written on its key's (or dash's) line."""
        first = text[0]
        if first == "[":
            if not text.endswith("]"):
                raise NotPlain
            inner = text[1:-1].strip(" ")
            if not inner:
                return []
            return [_flow_item(part.strip(" ")) for part in inner.split(",")]
        if first == "{":
            if text[1:-1].strip(" ") or not text.endswith("}"):
                raise NotPlain
            return {}
        if first == '"':
            return _double_quoted(text)
        if first == "'":
            return _single_quoted(text)
        return _plain(text)


def _plain(text: str) -> str | None:
    if text[0] in _PLAIN_START or ": " in text or text.endswith(":"):
        raise NotPlain
    return None if text in _NULL_WORDS else text


def _flow_item(text: str) -> str | None:
    if not text:
        raise NotPlain
    if text[0] == '"':
        return _double_quoted(text)
    if text[0] == "'":
        return _single_quoted(text)
    if "[" in text or "]" in text or "{" in text or "}" in text or ":" in text:
        raise NotPlain
    return _plain(text)


def _double_quoted(text: str) -> str:
    if len(text) < 2 or not text.endswith('"'):
        raise NotPlain
    inner = text[1:-1]
    if "\\" not in inner:
        if '"' in inner:
            raise NotPlain
        return inner
    parts = []
    index = 0
    while index < len(inner):
        char = inner[index]
        if char == '"':
            raise NotPlain
        if char == "\\":
            if index + 1 >= len(inner):
                raise NotPlain
            escaped = _SIMPLE_ESCAPES.get(inner[index + 1])
            if escaped is None:
                raise NotPlain
            parts.append(escaped)
            index += 2
            continue
        parts.append(char)
        index += 1
    return "".join(parts)


def _single_quoted(text: str) -> str:
    if len(text) < 2 or not text.endswith("'"):
        raise NotPlain
    inner = text[1:-1]
    if "'" in inner.replace("''", ""):
        raise NotPlain
    return inner.replace("''", "'")
