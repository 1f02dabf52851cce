"""A fast exact reader for the plain block YAML most frontmatter is written in.

PyYAML composes a node object (with its marks) for every value before planner builds the value:
most of a cold load. Frontmatter as GSD and planner write it uses a small part of YAML (block
mappings and sequences, plain or simply quoted text, one-line flow lists, comments on lines of their
own or after a value), which this module reads line by line. Anything outside that part raises
NotPlain and the caller uses PyYAML, so the two agree on every block this module answers
(tests/test_plain_yaml.py compares them on generated blocks): every plain scalar is text, except
the null words.
"""

from __future__ import annotations

import re

_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
# One line of block YAML: its indent, a sequence dash (with the spaces after it), a `key:` (with the
# spaces after it), and the rest. `findall` cuts a whole block into these in C, one per line. Every
# part is possessive: no part can give back what it took and still match (what follows always does,
# and a shorter key is followed by a key character, not `:`), so it never backtracks, 20% sooner.
_LINE = re.compile(r"^( *+)(- ++|-$)?+(?:([A-Za-z_][A-Za-z0-9_-]*+):(?: ++|$))?+(.*+)$", re.MULTILINE)
# Characters YAML reads as anything but plain text in a line, or not at all (outside them, PyYAML):
# the C0 controls but the line break, DEL, the C1 controls, U+2028-U+2029, surrogates, U+FEFF and
# U+FFFE-U+FFFF. Looked for in the block's UTF-8 bytes: a byte below 0x20 (or 0x7F), or one of the
# encodings below, each of which UTF-8 spells only for that character. A class of those characters
# in a `str` regex takes 7 ms to compile, in every process that meets a non-ASCII block.
_ALLOWED_BYTES = b"\n" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_UNUSUAL_UTF8 = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "/": "/"}
MAX_DEPTH = 50
MAX_TEXT = 50_000  # under this, a block cannot expand to the 100,000 values PyYAML's path refuses

Token = tuple[int, str, str, str, int]  # indent, dash, key, rest (no spaces around it), line number


class NotPlain(Exception):
    """The block uses YAML this reader leaves to PyYAML."""


def load_plain(text: str) -> tuple[dict[str, object], list[tuple[str, int]]]:
    """(mapping, duplicate keys with their 0-based lines) of a plain block; NotPlain otherwise."""
    if len(text) > MAX_TEXT or "\t" in text or _unusual(text):
        raise NotPlain
    lines = _LINE.findall(text)
    if "#" in text:  # GSD's templates write `# Metrics` lines between keys, and notes after values
        lines = [(spaces, dash, key, _without_comment(rest)) for spaces, dash, key, rest in lines]
    tokens = [(len(spaces), dash, key, rest.rstrip(" ") if rest[-1:] == " " else rest, number)
              for number, (spaces, dash, key, rest) in enumerate(lines) if dash or key or rest]
    if not tokens or tokens[0][0] != 0:
        raise NotPlain
    reader = _Reader(tokens)
    value = reader.mapping(0, 1)
    if reader.at < len(tokens):
        raise NotPlain
    return value, reader.duplicates


def _without_comment(rest: str) -> str:
    """A line's text after its indent, dash and key, without a comment: `#` at its start, or after
    a blank outside quotes (`- "a"  # why`, `done # later`); a `#` inside a word or quotes is text."""
    if "#" not in rest:
        return rest
    if rest[0] == "#":
        return ""
    first = rest[0]
    if first in "\"'":
        end = _closing_quote(rest)
        tail = rest[end + 1 :]
        if not tail.strip(" "):
            return rest
        if tail[0] == " " and tail.lstrip(" ")[0] == "#":
            return rest[: end + 1]
        raise NotPlain  # text after a closing quote: PyYAML says what it is
    if first in "[{":
        raise NotPlain  # a comment after a flow collection is left to PyYAML
    cut = rest.find(" #")
    return rest if cut < 0 else rest[:cut].rstrip(" ")


def _closing_quote(text: str) -> int:
    """The index of the quote that closes the quoted scalar `text` starts with (NotPlain: none)."""
    if text[0] == "'":
        at = 1
        while (at := text.find("'", at)) >= 0:
            if text[at + 1 : at + 2] != "'":
                return at
            at += 2  # '' is a quote inside the text
        raise NotPlain
    at = 1
    while at < len(text):
        if text[at] == "\\":
            at += 2
        elif text[at] == '"':
            return at
        else:
            at += 1
    raise NotPlain


def _unusual(text: str) -> bool:
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ALLOWED_BYTES))  # a control character
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return bool(data.translate(None, _ALLOWED_BYTES)) or _UNUSUAL_UTF8.search(data) is not None


class _Reader:
    """Recursive descent over the block's non-blank lines (`Token`s)."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.count = len(tokens)
        self.at = 0
        self.duplicates: list[tuple[str, int]] = []

    def node(self, indent: int, depth: int) -> dict[str, object] | list[object]:
        """The block node whose first line (the current one) starts at column `indent`."""
        if self.tokens[self.at][1]:
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> dict[str, object]:
        if depth > MAX_DEPTH:
            raise NotPlain
        tokens, count = self.tokens, self.count
        result: dict[str, object] = {}
        while self.at < count:
            at = self.at
            column, dash, key, rest, number = tokens[at]
            if column != indent:
                if column > indent:
                    raise NotPlain  # a continued plain scalar, or broken indentation
                return result
            if dash:
                return result  # the next item of a sequence this mapping sits in
            if not key:
                if rest[0] == "-":
                    return result
                raise NotPlain
            if key in _NULL_WORDS:
                raise NotPlain
            if key in result:
                self.duplicates.append((key, number))
            self.at = at + 1
            if not rest:
                result[key] = self.nested(indent, depth + 1, in_mapping=True)
            # plain text, as `_plain` takes it (tested here, not called: this runs for every value)
            elif rest[0] not in _PLAIN_START and ": " not in rest and rest[-1] != ":":
                result[key] = None if rest in _NULL_WORDS else rest
            else:
                result[key] = _inline(rest)
        return result

    def sequence(self, indent: int, depth: int) -> list[object]:
        if depth > MAX_DEPTH:
            raise NotPlain
        tokens, count = self.tokens, self.count
        result: list[object] = []
        while self.at < count:
            at = self.at
            column, dash, key, rest, number = tokens[at]
            if column != indent:
                if column > indent:
                    raise NotPlain
                return result
            if not dash:
                return result  # a key of the mapping this sequence is the value of
            if key or rest == "-" or rest.startswith("- "):
                # `- key: value` or `- - x`: a node starting at this column of this line, read as a
                # line of its own there
                inner = (column + len(dash), "", key, rest, number)
                if not key:
                    _, inner_dash, inner_key, inner_rest = _LINE.findall(rest)[0]
                    inner = (column + len(dash), inner_dash, inner_key, inner_rest, number)
                tokens[at] = inner
                result.append(self.node(inner[0], depth + 1))
            elif not rest:
                self.at = at + 1
                result.append(self.nested(indent, depth + 1, in_mapping=False))
            else:
                self.at = at + 1
                plain = rest[0] not in _PLAIN_START and ": " not in rest and rest[-1] != ":"  # as in `mapping`
                result.append((None if rest in _NULL_WORDS else rest) if plain else _inline(rest))
        return result

    def nested(self, indent: int, depth: int, *, in_mapping: bool) -> dict[str, object] | list[object] | None:
        """The value after `key:` or a bare `-`: a block below (or a sequence at the key's own
        column, in a mapping), else null."""
        at = self.at
        if at >= self.count:
            return None
        below, dash = self.tokens[at][0], self.tokens[at][1]
        if below > indent:
            return self.node(below, depth)
        if in_mapping and below == indent and dash:
            return self.sequence(indent, depth)
        return None


def _inline(text: str) -> str | list[str | None] | dict[str, object] | None:
    """A value written on its key's (or dash's) line."""
    first = text[0]
    if first == '"':
        return _double_quoted(text)
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
