"""Reading what a SUMMARY claims (planner.check.summary_claims), in both key styles and in the body."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from planner.check.claim_text import read_tables
from planner.check.summary_claims import claims_of
from planner.check.timing import parse_duration, parse_stamp
from planner.tree.frontmatter import parse_document


def claims(text: str):  # type: ignore[no-untyped-def]
    return claims_of(parse_document(Path("s.md"), text))


def test_key_files_in_dash_style_with_lines() -> None:
    found = claims("---\nkey-files:\n  created:\n    - src/a.py\n  modified:\n    - src/b.py\n---\n")
    assert ([(c.value, c.line) for c in found.created], [(c.value, c.line) for c in found.modified]) == (
        [("src/a.py", 4)], [("src/b.py", 6)])


def test_key_files_in_underscore_style() -> None:
    found = claims("---\nkey_files:\n  created: [src/a.py]\n---\n")
    assert [c.value for c in found.created] == ["src/a.py"]


def test_metrics_duration_seconds_is_read() -> None:
    found = claims("---\nmetrics:\n  duration_seconds: 420\n---\n")
    assert (found.duration_seconds.value, found.duration_seconds.line) == ("420", 3)  # type: ignore[union-attr]


def test_task_commit_hashes_with_their_lines() -> None:
    text = "# S\n\n## Task Commits\n\n1. **Task 1: x** - `abc1234` (feat)\n2. **Task 2: y** - `def5678`\n"
    assert [(c.value, c.line) for c in claims(text).commits] == [("abc1234", 5), ("def5678", 6)]


def test_hashes_outside_task_commits_are_not_claims() -> None:
    assert claims("# S\n\nThe value `abcdef12` is a colour.\n").commits == ()


def test_bold_commit_line_is_a_claim() -> None:
    assert [c.value for c in claims("# S\n\n**Commit:** `9148ce0` - feat(state)\n").commits] == ["9148ce0"]


def test_bold_file_lists_in_the_body() -> None:
    text = "# S\n\n**Files Created:**\n- `src/new.rs`\n\n**Files Modified:**\n- `src/lib.rs`\n"
    found = claims(text)
    assert ([c.value for c in found.created], [c.value for c in found.modified]) == (["src/new.rs"], ["src/lib.rs"])


def test_combined_section_uses_sub_labels_not_verbs() -> None:
    text = ("# S\n\n## Files Created/Modified\n\n**Created:**\n- `a.py` - new\n\n**Modified:**\n"
            "- `b.py` - Added a constant\n")
    found = claims(text)
    assert ([c.value for c in found.created], [c.value for c in found.modified]) == (["a.py"], ["b.py"])


def test_combined_section_without_labels_reads_each_items_own_words() -> None:
    text = "# S\n\n## Files Created/Modified\n- `a.py` - Added GENERATE to Commands\n- `b.py` - Created the parser\n"
    found = claims(text)
    assert ([c.value for c in found.created], [c.value for c in found.modified]) == (["b.py"], ["a.py"])


def test_body_performance_times_win_over_frontmatter_date() -> None:
    text = ("---\ncompleted: 2026-03-30\n---\n# S\n\n## Performance\n\n- **Duration:** 3 min\n"
            "- **Started:** 2026-03-30T16:16:24Z\n- **Completed:** 2026-03-30T16:19:00Z\n")
    found = claims(text)
    assert (found.started.line, found.completed.value) == (9, "2026-03-30T16:19:00Z")  # type: ignore[union-attr]


def test_deviations_none_under_its_heading() -> None:
    found = claims("# S\n\n## Deviations from Plan\n\nNone - plan executed exactly as written.\n")
    assert found.deviations_none is not None and found.deviations_none.line == 5


def test_deviations_with_content_are_not_none() -> None:
    assert claims("# S\n\n## Deviations from Plan\n\n1. Changed the parser\n\nNone of that mattered.\n"
                  ).deviations_none is None


def test_requires_in_gsd_mapping_form_is_a_plan_reference() -> None:
    text = '---\nrequires:\n  - phase: 02-auth\n    plan: "01"\n    provides: x\n---\n'
    assert [(c.value, c.line) for c in claims(text).references] == [("02-01", 4)]


def test_tables_inside_code_fences_are_ignored() -> None:
    assert read_tables(["```", "| a | b |", "|---|---|", "| 1 | 2 |", "```"], 1) == []


def test_table_rows_keep_their_file_lines() -> None:
    table = read_tables(["x", "| a | b |", "|---|---|", "| 1 | 2 |"], 10)[0]
    assert (table.line, table.header, [(r.line, r.cells) for r in table.rows]) == (
        11, ("a", "b"), [(13, ("1", "2"))])


def test_duration_forms() -> None:
    assert [parse_duration(t) for t in ("7min", "1h 15m", "2 hours", "~8.5 min", "17 min (1056 seconds)")] == [
        (420, 60), (4500, 60), (7200, 3600), None, (1020, 60)]


def test_stamp_zones() -> None:
    stamps = [parse_stamp(t) for t in ("2026-01-05 10:00 UTC", "2026-01-05T10:00:00+02:00", "2026-01-05")]
    assert [(s.zone, s.moment is None) for s in stamps if s] == [("utc", False), ("+02:00", False), ("", True)]


@given(st.lists(st.sampled_from([*"-|*`#:\n abc01/.%()[]xX✅❌", "**Files Created:**", "## Task Commits",
                                 "`abc1234`", "- `src/a.py` - new\n", "---\n"]), max_size=80).map("".join))
def test_reader_never_fails_and_lines_stay_in_the_file(text: str) -> None:
    found = claims(text)
    count = len(text.split("\n"))
    for claim in (*found.commits, *found.created, *found.modified, *found.references):
        assert 1 <= claim.line <= count + 1


def test_the_base_of_a_commit_range_is_not_a_claimed_commit() -> None:
    from planner.check.summary_claims import line_hashes

    line = "Found by trailer, range 62d69e47b3b6..3e3323c08395."
    assert line_hashes(line, loose=True) == ["3e3323c08395"]  # git's A..B excludes A
    assert line_hashes("commits `62d69e4` and `3e3323c`", loose=True) == ["62d69e4", "3e3323c"]


def test_an_items_own_words_override_the_list_it_sits_in() -> None:
    text = ("# S\n\n## Files Created\n\n- `a.py` (modified)\n- `b.py` - Updated the parser\n- `c.py`\n\n"
            "## Files Modified\n\n- `d.py` (new)\n- `e.py`\n")
    found = claims(text)
    assert ([c.value for c in found.created], [c.value for c in found.modified]) == (
        ["c.py", "d.py"], ["a.py", "b.py", "e.py"])


def test_self_check_items_are_files_said_to_exist_unless_they_say_missing() -> None:
    text = "# S\n\n## Self-Check: PASSED\n\n- FOUND: src/a.py\n- ✅ src/b.py\n- MISSING: src/c.py (deleted)\n"
    assert [(c.value, c.line) for c in claims(text).found] == [("src/a.py", 5), ("src/b.py", 6)]
