"""The line-based reader for frontmatter YAML rejects: what GSD's own parser accepts comes through."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from planner.tree.tolerant_yaml import parse_tolerant, scalar, unquote


def test_list_without_brackets_is_a_list() -> None:
    assert parse_tolerant('contains: "a", "b"') == {"contains": ["a", "b"]}


def test_backslash_in_double_quotes_is_kept_as_written() -> None:
    assert parse_tolerant('pattern: "\\.ts$"') == {"pattern": "\\.ts$"}


def test_unquoted_at_value_is_text() -> None:
    assert parse_tolerant("package: @scope/pkg") == {"package": "@scope/pkg"}


def test_colon_space_inside_a_value_stays_in_the_value() -> None:
    assert parse_tolerant("truth: database.ts contains: max: 20") == {"truth": "database.ts contains: max: 20"}


def test_markdown_inside_the_block_is_skipped() -> None:
    block = "plan: 01\n# One-liner\nSome prose without a colon\nstatus: done"
    assert parse_tolerant(block) == {"plan": "01", "status": "done"}


def test_inline_list_with_quoted_comma() -> None:
    assert parse_tolerant('tags: [a, "b, c", d]') == {"tags": ["a", "b, c", "d"]}


def test_inline_mapping() -> None:
    assert parse_tolerant("metrics: {duration: 7min, tasks: }") == {"metrics": {"duration": "7min", "tasks": None}}


def test_dash_list_of_scalars() -> None:
    assert parse_tolerant("tags:\n  - one\n  - two") == {"tags": ["one", "two"]}


def test_dash_list_at_the_key_indent() -> None:
    assert parse_tolerant("tags:\n- one\n- two\nwave: 1") == {"tags": ["one", "two"], "wave": "1"}


def test_nested_mappings_by_indent() -> None:
    block = "tech-stack:\n  added:\n    - pytest\n  patterns:\n    - tdd\nwave: 2"
    assert parse_tolerant(block) == {"tech-stack": {"added": ["pytest"], "patterns": ["tdd"]}, "wave": "2"}


def test_list_of_small_mappings() -> None:
    block = "artifacts:\n  - path: a.py\n    provides: x\n  - path: b.py\n    min_lines: 30"
    assert parse_tolerant(block) == {"artifacts": [{"path": "a.py", "provides": "x"},
                                                   {"path": "b.py", "min_lines": "30"}]}


def test_quoted_colon_in_list_item_mapping_value() -> None:
    block = 'key_links:\n  - from: a.ts\n    pattern: "max: 20"'
    assert parse_tolerant(block) == {"key_links": [{"from": "a.ts", "pattern": "max: 20"}]}


def test_literal_block_scalar() -> None:
    assert parse_tolerant("notes: |\n  one\n  two\nwave: 1") == {"notes": "one\ntwo", "wave": "1"}


def test_folded_block_scalar() -> None:
    assert parse_tolerant("notes: >\n  one\n  two") == {"notes": "one two"}


def test_explicit_nulls_and_empty_values_are_none() -> None:
    assert parse_tolerant("a: ~\nb: null\nc:") == {"a": None, "b": None, "c": None}


def test_yaml_11_words_stay_text() -> None:
    assert parse_tolerant("on: yes\nplan: 07\nv: 1.10") == {"on": "yes", "plan": "07", "v": "1.10"}


def test_comment_lines_are_ignored() -> None:
    assert parse_tolerant("# a comment\nplan: 01") == {"plan": "01"}


def test_one_layer_of_quotes_is_removed() -> None:
    assert unquote("'\"x\"'") == '"x"'


def test_scalar_of_mismatched_quotes_is_kept() -> None:
    assert scalar("\"abc'") == "\"abc'"


@given(st.text(max_size=300))
def test_never_raises_and_always_gives_a_mapping(block: str) -> None:
    assert isinstance(parse_tolerant(block), dict)


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_values = st.one_of(_words, st.lists(_words, min_size=1, max_size=4),
                    st.dictionaries(_words.filter(lambda w: w[0].isalpha()), _words, min_size=1, max_size=3))


@given(st.dictionaries(_words.filter(lambda w: w[0].isalpha()), _values, max_size=6))
def test_agrees_with_yaml_on_plain_block_documents(meta: dict[str, object]) -> None:
    block = yaml.safe_dump(meta, default_flow_style=False, sort_keys=False)
    text_meta = yaml.load(block, Loader=yaml.BaseLoader)  # every scalar as text, as the tolerant reader keeps them
    assert parse_tolerant(block) == (text_meta or {})
