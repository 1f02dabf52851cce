"""Change a few top-level frontmatter keys of a document in place, keeping every other byte.

Re-dumping a whole frontmatter block would drop comments, quoting, scalars such as `07` and key
order that people chose; this replaces only the lines of the keys being set, found from where
YAML itself says each value begins and ends. Line endings, a BOM and bytes that are not UTF-8
(read as surrogate escapes) are kept. Where an edit cannot be made safely (an unclosed block, a
value spanning lines YAML cannot delimit), it is refused with the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError
from planner.tree.frontmatter import BOM, MAX_DOCUMENT_BYTES, dump_yaml, load_yaml_text, top_level_key

if TYPE_CHECKING:
    import yaml

_OPEN = re.compile(r"---[ \t]*\r?\n?")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*\r?\n?")
_COMMENT_OR_BLANK = re.compile(r"[ \t]*(?:#.*)?\r?\n?")
_TAIL_COMMENT = re.compile(r"[ \t]+#[^\r\n]*")
_BLOCK_SCALAR = re.compile(r":[ \t]*[|>][0-9+-]*$")
_EMPTY_WITH_COMMENT = re.compile(r"[ \t]*:([ \t]+#[^\r\n]*)$")
_YAML_ONLY_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def lines_of(text: str) -> list[str]:
    """`text` cut after each "\\n", every line keeping its own ending (only "\\n" ends a line)."""
    lines = [line + "\n" for line in text.split("\n")]
    last = lines.pop()[:-1]
    if last:
        lines.append(last)
    return lines


@dataclass(frozen=True)
class _Block:
    """Where the frontmatter is in a document's lines: fences at `open` and `close` (None: absent)."""

    lines: list[str]
    open: int | None
    close: int | None
    ending: str


def _locate(text: str, path: Path | None) -> _Block:
    lines = lines_of(text)
    if lines and lines[0].startswith("---") and "\r" in lines[0].rstrip("\r\n"):
        raise InputError("this file ends lines with a bare CR (old Mac style); planner edits only LF or "
                         "CRLF files in place: convert it first", path, 1)
    ending = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if not lines or not _OPEN.fullmatch(lines[0]):
        return _Block(lines, None, None, ending)
    for index in range(1, len(lines)):
        if _CLOSE.fullmatch(lines[index]):
            return _Block(lines, 0, index, ending)
    raise InputError("frontmatter block is never closed (no '---' line after the first); "
                     "fix it before planner edits this file", path, 1)


def split_head(raw: str) -> tuple[str, str]:
    """(BOM and frontmatter block with its fences, the body after it), exactly as in `raw`."""
    had_bom = raw.startswith(BOM)
    text = raw[1:] if had_bom else raw
    try:
        block = _locate(text, None)
    except InputError:
        return "", raw
    if block.close is None:
        return (BOM if had_bom else ""), text
    head = "".join(block.lines[: block.close + 1])
    return (BOM if had_bom else "") + head, text[len(head):]


def set_keys(raw: str, updates: Mapping[str, object], *, path: Path | None = None) -> str:
    """`raw` with each key of `updates` set (replaced where present, appended otherwise).

    Every line that is not the line of a key being set stays as it was, byte for byte.
    """
    if not updates:
        return raw
    had_bom = raw.startswith(BOM)
    text = raw[1:] if had_bom else raw
    block = _locate(text, path)
    rendered = {key: dump_yaml({key: value}).rstrip("\n").split("\n") for key, value in updates.items()}
    if block.open is None or block.close is None:
        added = [line for key in updates for line in rendered[key]]
        head = "".join(f"{line}{block.ending}" for line in ["---", *added, "---"])
        return (BOM if had_bom else "") + head + text
    inner = block.lines[1 : block.close]
    edited = _edit_block(inner, rendered, block.ending, path)
    _check_edit(inner, edited, updates, rendered, path)
    return (BOM if had_bom else "") + "".join([block.lines[0], *edited, *block.lines[block.close:]])


def _edit_block(inner: list[str], rendered: dict[str, list[str]], ending: str, path: Path | None) -> list[str]:
    spans = _key_spans(inner, set(rendered), path)
    result = list(inner)
    for key, start, stop, tail in sorted(spans, key=lambda span: -span[1]):
        new_lines = list(rendered[key])
        following = next((line for line in inner[stop:] if line.strip()), "")
        if _BLOCK_SCALAR.search(new_lines[0]) and following[:1] in (" ", "\t"):
            new_lines = _double_quoted(key, new_lines)  # an indented line after it would join a literal block
        if tail and len(new_lines) == 1:
            new_lines[0] += tail  # a comment written after the old value stays after the new one
        result[start:stop] = [f"{line}{ending}" for line in new_lines]
    present = {span[0] for span in spans}
    for key, lines in rendered.items():
        if key not in present:
            result.extend(f"{line}{ending}" for line in lines)
    return result


def _double_quoted(key: str, lines: list[str]) -> list[str]:
    import yaml

    value = _mapping_of("\n".join(lines) + "\n")[key]
    return [yaml.safe_dump({key: value}, default_style='"', allow_unicode=True, width=10**9)
            .rstrip("\n").replace(f'"{key}":', f"{key}:", 1)]


def _key_spans(inner: list[str], keys: set[str], path: Path | None) -> list[tuple[str, int, int, str]]:
    """(key, first line, line after the last, comment after the value) of each key to replace."""
    block_text = "".join(inner)
    if any(mark in block_text.replace("\r\n", "\n") for mark in _YAML_ONLY_BREAKS):
        raise InputError("frontmatter contains a line break other than LF or CRLF (CR, NEL or U+2028/9); "
                         "planner will not edit it in place", path, 2)
    if any("\udc80" <= char <= "\udcff" for char in block_text):
        line = next(i for i, text in enumerate(inner) if any("\udc80" <= c <= "\udcff" for c in text))
        raise InputError("frontmatter has bytes that are not UTF-8; planner will not edit it in place",
                         path, line + 2)
    import yaml

    try:
        root = _compose(block_text.replace("\r\n", "\n"))
    except yaml.YAMLError as error:
        return _line_spans(inner, keys, path, error)
    except RecursionError:
        raise InputError("frontmatter is nested too deeply for planner to edit it in place", path, 2) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise InputError("frontmatter is not a block mapping of keys; planner will not edit it in place", path, 2)
    try:
        return _spans_of(root, inner, keys)
    except RecursionError:
        raise InputError("frontmatter is nested too deeply for planner to edit it in place", path, 2) from None


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of `text`, by libyaml where PyYAML has it (a 700-line block: 3 ms, not 34);
    where libyaml refuses the text, PyYAML's own reading decides (and names the error)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if loader is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _spans_of(root: yaml.MappingNode, inner: list[str], keys: set[str]) -> list[tuple[str, int, int, str]]:
    import yaml

    spans = []
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value not in keys:
            continue
        start = key_node.start_mark.line
        end_line, end_column = _value_end(value_node)
        stop = end_line + 1 if end_column > 0 else end_line
        stop = max(stop, start + 1)
        while stop > start + 1 and _COMMENT_OR_BLANK.fullmatch(inner[stop - 1]):
            stop -= 1  # blank lines and comments after the value belong to the next key
        tail = ""
        if end_line == stop - 1 and end_column > 0:
            found = _TAIL_COMMENT.match(inner[end_line].rstrip("\r\n"), end_column)
            tail = found.group() if found and found.end() == len(inner[end_line].rstrip("\r\n")) else ""
        elif _is_empty(value_node):  # `key:  # note`: the note follows the colon
            found = _EMPTY_WITH_COMMENT.match(inner[start].rstrip("\r\n"), key_node.end_mark.column)
            tail = found.group(1) if found else ""
        spans.append((key_node.value, start, stop, tail))
    return spans


def _is_empty(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style  # C loader: style ""


def _value_end(node: yaml.Node) -> tuple[int, int]:
    """(line, column) where a value's own text ends: its last item's, for a block collection."""
    import yaml

    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _value_end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _value_end(node.value[-1][1])
    if _is_empty(node):
        return node.start_mark.line, 0  # an empty value: only the key's own line
    return node.end_mark.line, node.end_mark.column


def _line_spans(inner: list[str], keys: set[str], path: Path | None,
                error: Exception) -> list[tuple[str, int, int, str]]:
    """Spans in a block YAML rejects: only keys on one line of their own can be replaced safely."""
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 2})" if mark is not None else ""
    spans = []
    for index, line in enumerate(inner):
        key = top_level_key(line.rstrip("\r\n"))
        if key not in keys:
            continue
        following = inner[index + 1] if index + 1 < len(inner) else ""
        if following[:1] in (" ", "\t") and following.strip() or following.startswith("- "):
            raise InputError(f"frontmatter is not valid YAML{where} and '{key}' spans several lines; "
                             "fix the YAML before planner edits this file", path, index + 2)
        spans.append((key, index, index + 1, ""))
    return spans


def _check_edit(inner: list[str], edited: list[str], updates: Mapping[str, object], rendered: dict[str, list[str]],
                path: Path | None) -> None:
    """Refuse an edit whose block does not read back as the old keys with the new values (as
    `rendered`, each key's dumped lines, reads: a block mapping dumps key by key)."""
    import yaml

    def meta_of(lines: list[str]) -> object:
        return load_yaml_text("".join(lines).replace("\r\n", "\n"))[0]

    try:
        before = meta_of(inner)
    except (yaml.YAMLError, RecursionError, ValueError):
        return  # invalid before: only single-line keys were replaced, nothing else was touched
    try:
        after = meta_of(edited)
        expected = _mapping_of("".join(f"{line}\n" for key in updates for line in rendered[key]))
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        problem = getattr(error, "problem", None) or (str(error).splitlines() or [type(error).__name__])[0]
        raise InputError(f"setting {', '.join(updates)} would break this file's frontmatter ({problem}); "
                         "planner left it as it was", path, 2) from None
    before_keys = set(before) if isinstance(before, dict) else set()
    if not isinstance(after, dict) or not before_keys | set(updates) == set(after) or any(
            after[key] != expected[key] for key in updates):
        raise InputError(f"cannot set {', '.join(updates)} in place without changing other keys; "
                         "planner left the file as it was", path, 2)


def _mapping_of(text: str) -> dict[str, object]:
    """What YAML lines dumped from a mapping (`dump_yaml`, key by key) read back as."""
    value = load_yaml_text(text)[0]
    return value if isinstance(value, dict) else {}


def read_for_edit(path: Path) -> str:
    """The text of a document planner is about to rewrite, bytes that are not UTF-8 kept as escapes.

    Refuses files too big to be a planning document and files that are not regular (a FIFO, a link
    to a device): read once through `safeio`. `atomic_write` writes the escapes back as the same bytes.
    """
    from planner.storage.safeio import read_bounded

    data = read_bounded(path, MAX_DOCUMENT_BYTES, what="planning document (planner will not rewrite it)")
    return data.decode("utf-8", errors="surrogateescape")
