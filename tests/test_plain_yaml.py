"""The line-by-line frontmatter reader gives PyYAML's value wherever it answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.tree import frontmatter, strict_yaml
from planner.tree.plain_yaml import NotPlain, _unusual, load_plain

SCALARS = st.sampled_from([
    "text", "07", "on", "null", "~", "Null", "1.10", "2026-03-02", "a: b", "a:", "http://x/y", "it's",
    '"quoted"', '"a\\"b"', '"back\\\\slash"', '"tab\\tx"', '"\\x41"', "'single'", "'it''s'", "''", '""',
    "[a, b]", "[]", "[ ]", '["x", "y,z"]', "[a, 'b']", "[a:b]", "{}", "{a: b}", "- x", "-x", "?x", "&a x",
    "*a", "!tag x", "| x", "> x", "%x", "@x", "`x", "a #c", "x  y", "ü ñ", "a\u2028b", "x ", "[a,,b]",
    "[a, [b]]", "[a, b", '"open', '"#[cfg(test)]"', "a#b", "'x # y'", '"x # y"', '"a" # why', "'it''s' #x",
    '"a"#x', "x # y # z", "# only", "[a] # c", '"q\\" # c"', "'a' #", "#",
])
COMMENTS = st.sampled_from(["", "", "", " # note", "  #x", " #", "#tight"])
KEYS = st.sampled_from(["phase", "plan", "key-files", "must_haves", "a", "b", "null", "y", "on", "_k",
                        "k k", "\"q\"", "01"])
INDENTS = st.sampled_from([0, 0, 1, 2, 2, 4])


@st.composite
def blocks(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = " " * draw(INDENTS)
        shape = draw(st.integers(0, 7))
        key, value = draw(KEYS), draw(SCALARS)
        comment = draw(COMMENTS)
        if shape == 0:
            lines.append(f"{indent}{key}: {value}{comment}")
        elif shape == 1:
            lines.append(f"{indent}{key}:{comment}")
        elif shape == 2:
            lines.append(f"{indent}- {value}{comment}")
        elif shape == 3:
            lines.append(f"{indent}- {key}: {value}")
        elif shape == 4:
            lines.append(f"{indent}-")
        elif shape == 6:
            lines.append(f"{indent}- - {value}")
        elif shape == 7:
            lines.append(f"{indent}- - {key}: {value}")
        elif comment:
            lines.append(f"{indent}{comment.strip()}")  # a comment on a line of its own
        else:
            lines.append(indent)
    return "\n".join(lines) + "\n"


def _pyyaml(text: str) -> object:
    loader = strict_yaml.TextLoader(text)
    try:
        node = loader.get_single_node()
        duplicates: list[tuple[str, int]] = []
        return strict_yaml._build(node, {}, set(), duplicates), duplicates
    finally:
        loader.dispose()


# The plain reader stands in for PyYAML on every cold load: five times the profile's examples.
@settings(max_examples=5 * settings.default.max_examples)
@given(blocks())
def test_plain_reader_agrees_with_pyyaml(text: str) -> None:
    try:
        fast = load_plain(text)
    except NotPlain:
        return
    assert fast == _pyyaml(text)


# Shapes at the edges of what the plain reader takes (found by the property test above, kept here so
# every run goes through them): an item indented past its list, a bare `-`, an unclosed flow list, a
# value YAML reads as an anchor, a stray quote inside single quotes.
EDGES = ["a:\n- x\n   - y\n", "a:\n  -\n  - x\n", "a: [a, b\n", "a: &x y\n", "a: 'it's'\n", "a: ?x\n",
         "- - x\n", "a:\n  - b: c\n    d: e\n", "a: {x\n", "a: [\"x\", 'y''z']\n", "- x\n  y\n", "a: [,]\n"]


@pytest.mark.parametrize("text", EDGES)
def test_plain_reader_agrees_with_pyyaml_or_leaves_it_to_pyyaml_at_its_edges(text: str) -> None:
    try:
        fast = load_plain(text)
    except NotPlain:
        return
    assert fast == _pyyaml(text)


def test_gsd_frontmatter_is_read_line_by_line() -> None:
    block = ("phase: 01-auth\nplan: 01\nwave: 2\ndepends_on: []\nrequirements: [A-01, \"B-02\"]\n"
             "must_haves:\n  truths:\n    - \"x contains 'def f'\"\n  artifacts:\n    - path: src/a.py\n"
             "      min_lines: 80\n  key_links:\n    - from: a\n      pattern: \"f\\\\(\"\nplan: 02\n")
    value, duplicates = load_plain(block)
    assert (value, duplicates) == _pyyaml(block)
    assert value["plan"] == "02" and duplicates == [("plan", 14)]


def test_gsd_summary_comments_are_read_line_by_line() -> None:
    block = ('phase: 166-x\nplan: 01\n\n# Dependency graph\nrequires:\n  - "166-01"  # segmentation\n'
             '  - 166-02 # lifecycle\n# Tech tracking\nkey-files:\n  created:\n    - "a.py"  # 459 lines\n'
             'contains: "#[cfg(test)]"\nnote: issue#12 fixed # later\n')
    value, duplicates = load_plain(block)
    assert (value, duplicates) == _pyyaml(block)
    assert value["requires"] == ["166-01", "166-02"] and value["note"] == "issue#12 fixed"


def test_every_sample_document_reads_the_same_both_ways() -> None:
    shared = Path(__file__).resolve().parent.parent.parent / "shared"
    compared = 0
    for path in sorted(shared.glob("**/*.md")):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").lstrip("\ufeff")
        block = frontmatter.split(text)[0]
        if not block:
            continue
        try:
            fast = load_plain(block)
        except NotPlain:
            continue
        assert fast == _pyyaml(block), path
        compared += 1
    assert compared or not shared.is_dir()


@st.composite
def commented_blocks(draw: st.DrawFn) -> str:
    """Well-formed GSD-like blocks (a mapping, lists and mappings below it) with comments on lines
    of their own and after values: the plain reader answers most of them."""
    lines = []
    for number in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            lines.append(" " * draw(st.sampled_from([0, 2])) + "# " + draw(st.sampled_from(["Metrics", "x: y", "- z"])))
        shape = draw(st.integers(0, 2))
        key = f"k{number}"
        if shape == 0:
            lines.append(f"{key}: {draw(SCALARS)}{draw(COMMENTS)}")
        elif shape == 1:
            lines.append(f"{key}:{draw(COMMENTS)}")
            lines += [f"  - {draw(SCALARS)}{draw(COMMENTS)}" for _ in range(draw(st.integers(1, 3)))]
        else:
            lines.append(f"{key}:")
            lines += [f"  {inner}: {draw(SCALARS)}{draw(COMMENTS)}" for inner in ("a", "b")]
    return "\n".join(lines) + "\n"


@settings(max_examples=5 * settings.default.max_examples)
@given(commented_blocks())
def test_plain_reader_agrees_with_pyyaml_on_commented_blocks(text: str) -> None:
    try:
        fast = load_plain(text)
    except NotPlain:
        return
    assert fast == _pyyaml(text)


# What YAML reads as anything but plain text: outside this class, the block is PyYAML's
_PLAIN_TEXT = re.compile("[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_EDGES = st.sampled_from(["\x00", "\t", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\u2027", "\u2028",
                          "\u2029", "\u202a", "\ud7ff", "\ud800", "\udfff", "\ue000", "\ufefe", "\ufeff",
                          "\uff00", "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0010ffff", "é", "→", "a"])


@settings(max_examples=5 * settings.default.max_examples)
@given(st.lists(st.one_of(st.characters(), _EDGES, st.text(max_size=3)), max_size=12).map("".join))
def test_a_block_is_left_to_pyyaml_exactly_when_it_holds_a_character_yaml_does_not_read_as_text(text: str) -> None:
    assert _unusual(text) is (_PLAIN_TEXT.search(text) is not None)


_BACKTRACKING_LINE = re.compile(r"^( *)(- +|-$)?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +|$))?(.*)$", re.MULTILINE)


@settings(max_examples=5 * settings.default.max_examples)
@given(st.text(alphabet=" -:\n#'\"ab_0Z\t[", max_size=80))
def test_possessive_line_pattern_cuts_every_text_as_the_backtracking_one(text: str) -> None:
    from planner.tree.plain_yaml import _LINE

    assert _LINE.findall(text) == _BACKTRACKING_LINE.findall(text)
