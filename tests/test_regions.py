"""Generated regions: planner rewrites what is between its markers and keeps every other byte."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.tree.regions import find_regions, merge, wrap

FRESH = wrap("progress", "new numbers") + "\n"


def test_merge_replaces_only_the_region_content() -> None:
    existing = "# Roadmap\nhand notes\n" + wrap("progress", "old numbers") + "\nmore notes\n"
    assert merge(existing, FRESH) == "# Roadmap\nhand notes\n" + wrap("progress", "new numbers") + "\nmore notes\n"


def test_merge_twice_is_the_same_as_once() -> None:
    existing = "top\n" + wrap("progress", "old") + "\nbottom\n"
    once = merge(existing, FRESH)
    assert merge(once, FRESH) == once


def test_region_missing_from_the_document_is_appended() -> None:
    assert merge("# Hand written\n", FRESH) == "# Hand written\n\n" + wrap("progress", "new numbers") + "\n"


def test_region_only_in_the_document_is_left_alone() -> None:
    existing = wrap("mine", "keep me") + "\n"
    merged = merge(existing, FRESH)
    start, end = find_regions(merged)["mine"]
    assert merged.startswith(existing) and merged[start:end] == "keep me\n"


def test_several_regions_are_each_replaced() -> None:
    existing = f"a\n{wrap('one', '1')}\nb\n{wrap('two', '2')}\nc\n"
    fresh = f"{wrap('two', 'II')}\n{wrap('one', 'I')}\n"
    assert merge(existing, fresh) == f"a\n{wrap('one', 'I')}\nb\n{wrap('two', 'II')}\nc\n"


def test_crlf_document_keeps_its_line_endings_and_its_region() -> None:
    existing = "a\r\n" + wrap("progress", "old").replace("\n", "\r\n") + "\r\nz\r\n"
    merged = merge(existing, FRESH)
    assert merged == "a\r\n" + wrap("progress", "new numbers").replace("\n", "\r\n") + "\r\nz\r\n"


def test_empty_region_is_found() -> None:
    text = "<!-- planner:begin x -->\n<!-- planner:end x -->\n"
    start, end = find_regions(text)["x"]
    assert start == end


def test_nested_begin_is_an_input_error_with_line() -> None:
    with pytest.raises(InputError) as caught:
        find_regions("<!-- planner:begin a -->\ntext\n<!-- planner:begin b -->\n")
    assert caught.value.line == 3


def test_end_without_begin_is_an_input_error() -> None:
    with pytest.raises(InputError):
        find_regions("<!-- planner:end a -->\n")


def test_unclosed_region_is_an_input_error() -> None:
    with pytest.raises(InputError, match="never closed"):
        find_regions("<!-- planner:begin a -->\ntext\n")


def test_marker_inside_a_line_of_prose_is_not_a_marker() -> None:
    assert find_regions("see `<!-- planner:begin a -->` in the docs\n") == {}


def test_markers_after_an_unclosed_fence_are_examples_not_regions() -> None:
    assert find_regions("```\n" + wrap("r", "x") + "\n") == {}


# Prose that opens no code fence: markers after an unclosed ``` are examples (the test above).
_prose = st.text(alphabet=st.characters(blacklist_characters="<>\r`~"), max_size=60)


@given(_prose, _prose, _prose, _prose)
def test_text_outside_markers_survives_any_merge(before: str, old: str, after: str, new: str) -> None:
    existing = f"{before}\n{wrap('r', old)}\n{after}"
    merged = merge(existing, wrap("r", new))
    assert merged.startswith(f"{before}\n<!-- planner:begin r -->\n")
    assert merged.endswith(f"<!-- planner:end r -->\n{after}")
    start, end = find_regions(merged)["r"]
    assert merged[start:end] == new.rstrip() + "\n"
