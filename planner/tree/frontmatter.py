"""Split, parse and dump Markdown documents with YAML frontmatter.

Parsing is strict first (the plain block YAML most frontmatter is written in read line by line by
`plain_yaml`, the rest by PyYAML's C loader in `strict_yaml`, with YAML 1.1's implicit typing
switched off so `07`, `on`, `1.10` and dates stay text), then tolerant: a line-based reader that
accepts what GSD's own parser accepts, with a diagnostic naming the file and line of what YAML
rejected. Parsed values are text, null, lists and mappings: `object` until a reader narrows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner.storage.safeio import NotReadable, read_bounded
from planner.tree.plain_yaml import NotPlain, load_plain
from planner.tree.yaml_bounds import YamlTooBig

if TYPE_CHECKING:
    import yaml

# PyYAML (~10 ms of imports and regex compiling) is imported when the first document is parsed
# (`planner.tree.strict_yaml`) or dumped, not with this module: a warm `plan status` served from
# the index parses nothing.

BOM = "\ufeff"
_FENCE = re.compile(r"^---[ \t]*$")
_TOP_KEY = re.compile(r"^(?P<key>[^\s#:-][^:]*?|\"[^\"]+\"|'[^']+'):(?:\s|$)")


@dataclass(frozen=True)
class Diagnostic:
    """Something wrong in a file that planner read around instead of failing on."""

    path: Path
    line: int | None
    code: str
    message: str

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Document:
    """A parsed Markdown file: its metadata mapping and its body, with where each came from."""

    path: Path
    meta: dict[str, object]
    body: str
    has_frontmatter: bool
    frontmatter_text: str = ""
    body_line: int = 1  # 1-based line of the file where the body starts
    line_ending: str = "\n"
    had_bom: bool = False
    diagnostics: tuple[Diagnostic, ...] = field(default_factory=tuple)

    def line_of(self, key: str) -> int | None:
        """The file line of a top-level frontmatter key, if it is there."""
        for offset, line in enumerate(self.frontmatter_text.split("\n")):
            if top_level_key(line) == key:
                return offset + 2  # +1 for 1-based, +1 for the opening fence
        return None


def top_level_key(line: str) -> str | None:
    """The key a frontmatter line starts at the top level (`key: ...`), else None."""
    match = _TOP_KEY.match(line)
    return match["key"].strip("\"'") if match else None


_STR_TAG = "tag:yaml.org,2002:str"


def load_yaml_text(text: str) -> tuple[object, list[tuple[str, int]]]:
    """Parse YAML with every plain scalar kept as text; returns the value and duplicate keys (0-based lines).

    YamlTooBig when the block's aliases expand too far, nest too deep or refer to themselves."""
    try:
        return load_plain(text)  # most frontmatter: read line by line, PyYAML never imported
    except NotPlain:
        pass
    from planner.tree.strict_yaml import load_text

    return load_text(text)


def split(text: str) -> tuple[str | None, str, int, bool]:
    """(frontmatter text or None, body, body's first line, closed?) of LF-normalised text."""
    if not text.startswith("---"):
        return None, text, 1, True
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    if not _FENCE.match(first_line):
        return None, text, 1, True
    if first_end < 0:
        return "", "", 2, False
    closing = _closing_line(text, first_end)
    if closing is not None:
        start, stop = closing
        end = text.find("\n", stop)
        body_start = len(text) if end < 0 else end + 1
        body_line = text.count("\n", 0, start) + 2
        return text[first_end + 1 : start], text[body_start:], body_line, True
    rest = text[first_end + 1 :]
    line_number = 2 + rest.count("\n") + (0 if rest.endswith("\n") or not rest else 1)
    return rest, "", line_number, False


def _closing_line(text: str, newline: int) -> tuple[int, int] | None:
    """(start, end without the line break) of the first line after position `newline` (a line
    break) that is `---` or `...` then spaces or tabs only: what a multiline regex for such a line
    finds, by `str.find` (the regex tries every character of the block)."""
    found: tuple[int, int] | None = None
    for fence in ("\n---", "\n..."):
        at = text.find(fence, newline, found[0] if found else len(text))
        while at >= 0:
            stop = at + 4
            while stop < len(text) and text[stop] in " \t":
                stop += 1
            if stop == len(text) or text[stop] == "\n":
                found = (at + 1, stop)
                break
            at = text.find(fence, at + 1, found[0] if found else len(text))
    return found


def parse_document(path: Path, raw: str) -> Document:
    """Parse one Markdown file's text. Never raises for content: problems become diagnostics."""
    had_bom = raw.startswith(BOM)
    text = raw[1:] if had_bom else raw
    line_ending = "\r\n" if "\r\n" in text[:4096] else "\n"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    block, body, body_line, closed = split(text)
    if block is None:
        return Document(path, {}, body, False, "", 1, line_ending, had_bom)
    diagnostics: list[Diagnostic] = []
    if not closed:
        diagnostics.append(Diagnostic(path, 1, "FM003", "frontmatter block opened with '---' is never closed"))
        block, body = _cut_unclosed_block(block)
        body_line = block.count("\n") + 3 if body else body_line
    meta = _parse_block(path, block, diagnostics)
    return Document(path, meta, body, True, block, body_line, line_ending, had_bom, tuple(diagnostics))


def _cut_unclosed_block(block: str) -> tuple[str, str]:
    """An unclosed block ends where Markdown starts (a heading or a blank line before prose)."""
    lines = block.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(("#", "<")):
            return "\n".join(lines[:index]), "\n".join(lines[index:])
    return block, ""


def _parse_block(path: Path, block: str, diagnostics: list[Diagnostic]) -> dict[str, object]:
    try:
        value, duplicates = load_yaml_text(block)
    except YamlTooBig as error:
        diagnostics.append(Diagnostic(path, 2, "FM007", f"frontmatter not read: {error}"))
        return {}
    except Exception as error:
        import yaml  # only here: a block read line by line never imports PyYAML

        if not isinstance(error, yaml.YAMLError):
            raise
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        # YAML often notices the problem only at the end of the stream: keep the line inside the block.
        last_line = block.rstrip("\n").count("\n") + 2
        line = min(mark.line + 2, last_line) if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).split("\n")[0]
        diagnostics.append(
            Diagnostic(path, line, "FM001", f"frontmatter is not valid YAML ({problem}); read it line by line instead")
        )
        from planner.tree.tolerant_yaml import parse_tolerant

        return parse_tolerant(block)
    for key, line in duplicates:
        diagnostics.append(Diagnostic(path, line + 2, "FM004", f"duplicate key '{key}': the last value is used"))
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else "a single value"
        diagnostics.append(Diagnostic(path, 2, "FM002", f"frontmatter is {kind}, not a mapping of keys; ignored"))
        return {}
    return value


MAX_DOCUMENT_BYTES = 8 * 1024 * 1024  # a planning document is prose; past this it is not one


def read_document(path: Path) -> Document:
    """Read and parse a file as UTF-8 (undecodable bytes are replaced and reported).

    A file over MAX_DOCUMENT_BYTES, or one that is not a regular file (a FIFO, a device, a folder
    named `x.md`, a dangling link or a loop of links), is not read at all: an empty document with
    an FM006 diagnostic. It is opened once, checked on the open file and read to the limit only.
    """
    try:
        data = read_bounded(path, MAX_DOCUMENT_BYTES, what="file")
    except NotReadable as error:
        return Document(path, {}, "", False, diagnostics=(Diagnostic(path, None, "FM006", error.message),))
    try:
        raw = data.decode("utf-8")
        bad_encoding = False
    except UnicodeDecodeError:
        raw = data.decode("utf-8", errors="replace")
        bad_encoding = True
    document = parse_document(path, raw)
    if bad_encoding:
        diagnostic = Diagnostic(path, None, "FM005", "file is not valid UTF-8; bad bytes were replaced")
        document = _with_diagnostic(document, diagnostic)
    return document


def _with_diagnostic(document: Document, diagnostic: Diagnostic) -> Document:
    from dataclasses import replace

    return replace(document, diagnostics=document.diagnostics + (diagnostic,))


_UNICODE_BREAKS = frozenset("\r\x85\u2028\u2029")
_CLEAN_DUMPER: list[type[yaml.SafeDumper]] = []


def _clean_dumper() -> type[yaml.SafeDumper]:
    """A SafeDumper writing block style, no aliases, multi-line strings as literal blocks."""
    if _CLEAN_DUMPER:
        return _CLEAN_DUMPER[0]
    import yaml

    class _CleanDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True

    _CleanDumper.add_representer(str, _represent_str)
    _CLEAN_DUMPER.append(_CleanDumper)
    return _CleanDumper


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes NEL and the Unicode line separators raw (then reads them back as breaks):
    # only double quotes escape them.
    # A literal block keeping several trailing newlines ends with a `...` document-end line,
    # which would close the frontmatter early: double quotes carry such text safely.
    if not _UNICODE_BREAKS.isdisjoint(value) or value.endswith("\n\n") or (value and not value.strip()):
        return dumper.represent_scalar(_STR_TAG, value, style='"')
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR_TAG, value, style=style)


def dump_yaml(meta: Mapping[str, object]) -> str:
    """Clean block-style YAML in the mapping's own key order; text that looks typed is quoted."""
    if not meta:
        return ""
    import yaml

    return yaml.dump(meta, Dumper=_clean_dumper(), sort_keys=False, allow_unicode=True, width=100)


def compose(meta: Mapping[str, object], body: str) -> str:
    """A whole document: fenced frontmatter then the body (LF line endings)."""
    return f"---\n{dump_yaml(meta)}---\n{body}"

