"""Splitting and parsing frontmatter: strict YAML with text scalars, tolerant fallback, byte trouble."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from planner.tree.frontmatter import _closing_line, compose, dump_yaml, load_yaml_text, parse_document, read_document

PATH = Path("01-01-PLAN.md")


def parse(raw: str):  # type: ignore[no-untyped-def]
    return parse_document(PATH, raw)


def codes(raw: str) -> list[tuple[int | None, str]]:
    return [(d.line, d.code) for d in parse(raw).diagnostics]


def test_frontmatter_and_body_are_split() -> None:
    document = parse("---\ntitle: x\n---\n# Body\n")
    assert (document.meta, document.body, document.body_line) == ({"title": "x"}, "# Body\n", 4)


def test_file_without_frontmatter_is_all_body() -> None:
    document = parse("# Plan\n**Status:** done\n")
    assert (document.has_frontmatter, document.meta, document.body) == (False, {}, "# Plan\n**Status:** done\n")


def test_horizontal_rule_later_in_the_body_is_not_frontmatter() -> None:
    assert not parse("# Title\n\n---\na: b\n---\n").has_frontmatter


def test_empty_frontmatter_is_an_empty_mapping() -> None:
    document = parse("---\n---\nbody")
    assert (document.meta, document.body, document.diagnostics) == ({}, "body", ())


def test_utf8_bom_is_dropped_and_remembered() -> None:
    document = parse("\ufeff---\nplan: 01\n---\nbody\n")
    assert (document.meta, document.had_bom) == ({"plan": "01"}, True)


def test_crlf_line_endings_parse_like_lf() -> None:
    document = parse("---\r\nplan: 01\r\ntitle: x\r\n---\r\nbody\r\n")
    assert (document.meta, document.body, document.line_ending) == ({"plan": "01", "title": "x"}, "body\n", "\r\n")


def test_bom_and_crlf_together() -> None:
    assert parse("\ufeff---\r\nplan: 02\r\n---\r\n").meta == {"plan": "02"}


def test_duplicate_key_keeps_last_value_with_diagnostic_on_its_line() -> None:
    raw = "---\nplan: 01\ntitle: a\ntitle: b\n---\n"
    assert (parse(raw).meta["title"], codes(raw)) == ("b", [(4, "FM004")])


def test_frontmatter_that_is_a_list_is_ignored_with_diagnostic() -> None:
    raw = "---\n- a\n- b\n---\n"
    assert (parse(raw).meta, codes(raw)) == ({}, [(2, "FM002")])


def test_frontmatter_that_is_a_scalar_is_ignored_with_diagnostic() -> None:
    raw = "---\njust text\n---\n"
    assert (parse(raw).meta, codes(raw)) == ({}, [(2, "FM002")])


def test_key_on_stays_the_text_on() -> None:
    assert parse("---\non: push\n---\n").meta == {"on": "push"}


@pytest.mark.parametrize("written", ["yes", "no", "on", "off", "true", "True", "07", "08", "1.10", "0x1F", "1e3",
                                     "2024-01-02", "2024-01-02T03:04:05+02:00", "12:30", ".inf"])
def test_plain_scalars_stay_text_as_written(written: str) -> None:
    assert parse(f"---\nvalue: {written}\n---\n").meta == {"value": written}


def test_plan_07_and_08_are_the_same_kind_of_value() -> None:
    meta = parse("---\na: 07\nb: 08\n---\n").meta
    assert (type(meta["a"]), type(meta["b"])) == (str, str)


def test_timestamp_keeps_its_time_zone() -> None:
    assert parse("---\ncompleted: 2024-05-01T10:30:00+02:00\n---\n").meta["completed"].endswith("+02:00")


def test_null_stays_none() -> None:
    assert parse("---\na: null\nb: ~\nc:\n---\n").meta == {"a": None, "b": None, "c": None}


def test_quoted_text_is_unquoted() -> None:
    assert parse("---\na: 'yes'\nb: \"07\"\n---\n").meta == {"a": "yes", "b": "07"}


def test_nested_structures_keep_text_leaves() -> None:
    raw = ("---\nmust_haves:\n  truths:\n    - \"x contains 'y'\"\n  artifacts:\n    - path: a.py\n"
           "      min_lines: 30\n---\n")
    assert parse(raw).meta["must_haves"] == {"truths": ["x contains 'y'"],
                                             "artifacts": [{"path": "a.py", "min_lines": "30"}]}


def test_invalid_yaml_falls_back_to_line_reading_with_diagnostic() -> None:
    raw = "---\nplan: 01\ncontains: \"a\", \"b\"\n---\nbody"
    document = parse(raw)
    assert document.meta == {"plan": "01", "contains": ["a", "b"]}
    assert [(d.line, d.code) for d in document.diagnostics] == [(3, "FM001")]


def test_yaml_diagnostic_says_what_was_wrong() -> None:
    (diagnostic,) = parse("---\nkey: \"\\.\"\n---\n").diagnostics
    assert "not valid YAML" in diagnostic.message and diagnostic.path == PATH


def test_yaml_error_at_end_of_stream_points_inside_the_block() -> None:
    assert codes("---\na: 1\nb: [x\n---\n") == [(3, "FM001")]


def test_unquoted_at_sign_value_is_kept() -> None:
    assert parse("---\npackage: @scope/name\n---\n").meta == {"package": "@scope/name"}


def test_unclosed_block_ends_at_first_heading() -> None:
    document = parse("---\nplan: 01\nstatus: done\n\n# One-liner\ntext\n")
    assert document.meta == {"plan": "01", "status": "done"}
    assert document.body.startswith("# One-liner") and document.body_line == 5
    assert [(d.line, d.code) for d in document.diagnostics] == [(1, "FM003")]


def test_unclosed_block_with_no_markdown_after_it_is_all_frontmatter() -> None:
    document = parse("---\nplan: 01\nstatus: done\n")
    assert (document.meta, document.body) == ({"plan": "01", "status": "done"}, "")
    assert [(d.line, d.code) for d in document.diagnostics] == [(1, "FM003")]


def test_line_of_finds_top_level_key() -> None:
    assert parse("---\nplan: 01\ntags:\n  - a\nwave: 2\n---\n").line_of("wave") == 5


def test_line_of_missing_key_is_none() -> None:
    assert parse("---\nplan: 01\n---\n").line_of("wave") is None


def test_read_document_reports_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    document = read_document(path)
    assert document.meta == {"title": "caf\ufffd"}
    assert [d.code for d in document.diagnostics] == ["FM005"]


def test_dumped_yaml_keeps_key_order() -> None:
    assert dump_yaml({"z": "1", "a": "2", "m": "3"}).split("\n")[:3] == ["z: '1'", "a: '2'", "m: '3'"]


def test_dumped_yaml_is_block_style_without_aliases() -> None:
    shared = ["x"]
    text = dump_yaml({"a": shared, "b": shared})
    assert "&" not in text and "*" not in text and "[" not in text


@pytest.mark.parametrize("awkward", ["on", "yes", "07", "1.10", "null", ": ", "#", "@x", "- x", "'", '"', "é"])
def test_awkward_text_is_quoted_so_it_reads_back_as_text(awkward: str) -> None:
    assert parse(compose({"value": awkward}, "")).meta == {"value": awkward}


def test_dumped_yaml_is_readable_by_plain_safe_load() -> None:
    meta = {"plan": "07", "tags": ["a", "b"], "key_files": {"created": ["x.py"]}, "gap_closure": True}
    assert yaml.safe_load(dump_yaml(meta)) == meta


def test_compose_writes_fenced_block_then_body() -> None:
    assert compose({"plan": "01"}, "\n# Body\n") == "---\nplan: '01'\n---\n\n# Body\n"


@given(st.text(max_size=200))
def test_parse_never_raises(raw: str) -> None:
    parse(raw)


@given(st.text(max_size=120))
def test_parse_never_raises_on_any_block(block: str) -> None:
    document = parse(f"---\n{block}\n---\nbody")
    assert isinstance(document.meta, dict)


@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=5))
def test_text_mapping_round_trips_through_the_text_loader(meta: dict[str, str]) -> None:
    value, duplicates = load_yaml_text(dump_yaml(meta) or "{}")
    assert (value, duplicates) == (meta, [])


_leaves = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["on", "07", "1.10", "~", "null", ""]))
_trees = st.recursive(_leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)), max_leaves=20)


def _constructor_value(text: str) -> object:
    from planner.tree.strict_yaml import TextLoader

    loader = TextLoader(text)
    loader.duplicate_keys = []
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@given(_trees, st.sampled_from([None, True, False]))
def test_fast_builder_agrees_with_pyyaml_constructor(tree: object, flow: bool | None) -> None:
    text = yaml.safe_dump(tree, default_flow_style=flow, allow_unicode=True)
    assert load_yaml_text(text)[0] == _constructor_value(text)


def test_alias_shares_the_anchored_value() -> None:
    value, _ = load_yaml_text("a: &x [1, 2]\nb: *x\n")
    assert value == {"a": ["1", "2"], "b": ["1", "2"]}


def test_explicit_tag_is_still_honoured() -> None:
    assert load_yaml_text("a: !!str 07\nb: !!int 07\n")[0] == {"a": "07", "b": 7}


def test_recursive_alias_is_refused_without_hanging() -> None:
    from planner.tree.yaml_bounds import YamlTooBig

    with pytest.raises(YamlTooBig, match="recursive alias"):
        load_yaml_text("a: &x [1, *x]\n")


_CLOSE_LINE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)  # the rule `_closing_line` keeps by str.find


@given(st.lists(st.sampled_from(["---", "...", "--- ", "...\t", "----", "-- -", " ---", "a", "", "x: 1", ".. .",
                                 "--- x", "---\t \t"]), min_size=1, max_size=8))
def test_closing_line_is_found_where_the_regex_finds_it(lines: list[str]) -> None:
    text = "---\n" + "\n".join(lines)
    match = _CLOSE_LINE.search(text, 4)
    assert _closing_line(text, 3) == ((match.start(), match.end()) if match else None)
