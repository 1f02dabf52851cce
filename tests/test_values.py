"""Narrowing frontmatter values (`planner.tree.values`): what counts as a number, a yes/no, a list of text."""

from __future__ import annotations

from planner.tree.values import as_bool, as_int, as_text_list


def test_a_whole_number_may_be_written_as_text() -> None:
    assert [as_int(value) for value in (3, "03", " 7 ", "3.5", "three", None, ["1"])] == [
        3, 3, 7, None, None, None, None]


def test_yes_and_no_read_as_booleans_and_nothing_else_does() -> None:
    assert [as_bool(value) for value in ("true", "Yes", "FALSE", "no", "on", None)] == [
        True, True, False, False, None, None]


def test_one_text_or_null_is_a_list_and_mappings_in_a_list_become_text() -> None:
    assert as_text_list("a.py") == ("a.py",)
    assert as_text_list("  ") == ()
    assert as_text_list(None) == ()
    assert as_text_list(["a", None, {"phase": "01", "provides": "x"}]) == ("a", "phase: 01, provides: x")
    assert as_text_list({"a": "b"}) is None
