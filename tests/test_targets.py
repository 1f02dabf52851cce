"""The target expression language: parsing, canonical form, errors with columns, evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.targets import (
    METRICS,
    OPERATORS,
    Target,
    format_number,
    parse_target,
    parse_targets,
    selector_patterns,
)
from planner.targets.judging import (
    DictLookup,
    TargetResult,
    displayed_value,
    evaluate,
    evaluate_all,
    format_delta,
    format_value,
)


def syntax_error(text: str, **where: object) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_target(text, **where)  # type: ignore[arg-type]
    return caught.value


def lookup(**values: float) -> DictLookup:
    """`coverage=26.5` or `tests__failed=3` (double underscore for the dot)."""
    return DictLookup({(name.replace("__", "."), None): v for name, v in values.items()})


# --- parsing: what is accepted ---------------------------------------------------------------


def test_parses_metric_operator_and_threshold() -> None:
    assert parse_target("coverage >= 28") == Target("coverage", None, ">=", 28.0)


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator_parses(op: str) -> None:
    assert parse_target(f"tests.failed {op} 3").op == op


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_metric_parses(metric: str) -> None:
    assert parse_target(f"{metric} >= 1").metric == metric


@pytest.mark.parametrize(
    "selector",
    ["backend/core/models.py", "tier1", "src/**/*.py", "src/[ab]?.py", "my dir/a-b_c.py", "pkg/"],
)
def test_selector_is_kept_verbatim(selector: str) -> None:
    assert parse_target(f"coverage[{selector}] >= 50").selector == selector


def test_selector_may_hold_nested_brackets() -> None:
    assert parse_target("coverage[a/[[x]]/b] >= 1").selector == "a/[[x]]/b"


def test_blanks_around_selector_are_dropped() -> None:
    assert parse_target("coverage[ \ttier1  ] >= 50").selector == "tier1"


@pytest.mark.parametrize("metric", ["coverage", "branch_coverage", "missing"])
def test_selector_is_allowed_on_coverage_like_metrics(metric: str) -> None:
    assert parse_target(f"{metric}[a.py] <= 5").selector == "a.py"


@pytest.mark.parametrize(
    "text",
    [
        "coverage>=28",
        "  coverage >= 28  ",
        "coverage\t>=\t28",
        "coverage [x] >= 28",
        "coverage >=28 %",
        "coverage>=28%",
    ],
)
def test_blank_variants_parse_alike(text: str) -> None:
    expected = "coverage[x] >= 28" if "[x]" in text else "coverage >= 28"
    assert str(parse_target(text)) == expected


def test_percent_suffix_does_not_change_the_target() -> None:
    assert parse_target("tests.pass_rate >= 100%") == parse_target("tests.pass_rate >= 100")


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("tests.duration <= 1.5", 1.5),
        ("tests.duration > -2", -2.0),
        ("tests.failed < +3", 3.0),
        ("coverage >= .5", 0.5),
        ("coverage >= 27.125", 27.125),
        ("tests.total >= 007", 7.0),
    ],
)
def test_signed_and_decimal_thresholds(text: str, threshold: float) -> None:
    assert parse_target(text).threshold == threshold


def test_source_text_is_kept_but_not_compared() -> None:
    target = parse_target("coverage>=28%")
    assert target.text == "coverage>=28%"
    assert target == Target("coverage", None, ">=", 28)


def test_canonical_form_omits_percent_and_trailing_zeros() -> None:
    assert str(parse_target("coverage[ tier1 ]>=50.50%")) == "coverage[tier1] >= 50.5"


def test_canonical_number_has_no_exponent() -> None:
    assert format_number(1e-7) == "0.0000001"
    assert format_number(1e16) == "10000000000000000"
    assert format_number(-0.0) == "0"


def test_target_built_in_code_gets_canonical_text() -> None:
    assert Target("tests.failed", None, "==", 0).text == "tests.failed == 0"


def test_target_built_in_code_is_checked() -> None:
    with pytest.raises(InputError, match="takes no"):
        Target("tests.failed", "x", "==", 0)


@pytest.mark.parametrize(
    ("metric", "selector", "op", "threshold", "words"),
    [
        ("lines", None, ">=", 1, "unknown metric"),
        ("coverage", None, "=>", 1, "unknown comparison"),
        ("coverage", "", ">=", 1, "bad selector"),
        ("coverage", " a", ">=", 1, "bad selector"),
        ("coverage", "a]b[", ">=", 1, "bad selector"),
        ("coverage", None, ">=", float("inf"), "finite"),
        ("coverage", None, ">=", "28", "must be a number"),
        ("coverage", None, ">=", True, "number"),
        ("coverage", None, ">=", 100.5, "between 0 and 100"),
    ],
)
def test_target_built_in_code_rejects_bad_parts(
    metric: str, selector: str | None, op: str, threshold: float, words: str
) -> None:
    with pytest.raises(InputError, match=words):
        Target(metric, selector, op, threshold)


# --- parsing: errors and their columns -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("coverage => 28", 10, "found '=>'"),
        ("coverage = 28", 10, "did you mean '=='"),
        ("coverage 28", 10, "expected a comparison operator"),
        ("coverage", 9, "found the end of the text"),
        ("coverage[x] 28", 13, "after 'coverage[x]'"),
        ("coverag >= 28", 1, "did you mean 'coverage'"),
        (">= 28", 1, "expected a metric name"),
        ("", 1, "empty target"),
        ("   ", 1, "empty target"),
        ("tests.failed[x] == 0", 13, "takes no [selector]"),
        ("coverage[] >= 1", 9, "empty selector"),
        ("coverage[ ] >= 1", 9, "empty selector"),
        ("coverage[a/[b] >= 1", 9, "unclosed '['"),
        ("[x] >= 1", 1, "found '[x]'"),
        ("coverage >= [x]", 13, "found '[x]'"),
        ("coverage >= abc", 13, "expected a number after '>='"),
        ("coverage >=", 12, "found the end of the text"),
        ("coverage >= 1.2.3", 13, "malformed number"),
        ("coverage >= 1.", 13, "malformed number"),
        ("coverage >= 28 and tests.failed == 0", 16, "unexpected 'and'"),
        ("coverage >= 28]", 15, "unexpected ']'"),
        ("coverage >= 1e5", 14, "unexpected 'e5'"),
        ("coverage >= 101", 13, "between 0 and 100"),
        ("tests.pass_rate >= -1", 20, "between 0 and 100"),
        ("tests.failed >= 5%", 18, "'%' only follows a percentage"),
        ("coverage >= 28 %%", 17, "unexpected '%'"),
        ("coverage >= 9" + "9" * 400, 13, "too large"),
    ],
)
def test_syntax_error_names_its_column(text: str, column: int, words: str) -> None:
    error = syntax_error(text)
    assert error.column == column
    assert words in error.message


def test_unknown_metric_lists_the_known_ones() -> None:
    message = syntax_error("lines >= 3").message
    assert "unknown metric 'lines'" in message
    assert all(name in message for name in METRICS)


def test_wrong_case_metric_suggests_the_right_one() -> None:
    assert "did you mean 'coverage'" in syntax_error("Coverage >= 3").message


def test_error_names_file_line_and_offset_column() -> None:
    error = syntax_error("coverage => 28", path=Path("01-PLAN.md"), line=7, column_offset=4)
    assert (error.path, error.line, error.column) == (Path("01-PLAN.md"), 7, 14)
    assert str(error).startswith("01-PLAN.md:7:14: expected a comparison operator")


def test_non_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="must be text"):
        parse_target(28)  # type: ignore[arg-type]


# --- parse_targets: frontmatter lists --------------------------------------------------------

PLAN_LINES = ["---", "targets:", "  - coverage >= 28", "  - tests.failed => 0", "---"]


def test_frontmatter_list_parses_in_order() -> None:
    targets = parse_targets(["coverage >= 28", "tests.failed == 0"])
    assert [str(t) for t in targets] == ["coverage >= 28", "tests.failed == 0"]


def test_non_text_item_names_file_and_line() -> None:
    with pytest.raises(InputError, match="target 2 must be text") as caught:
        parse_targets(
            ["coverage >= 28", {"coverage": 28}], path=Path("p.md"), line_of=lambda i: 3 + i
        )
    assert (caught.value.path, caught.value.line) == (Path("p.md"), 4)


def test_item_error_column_points_into_the_file() -> None:
    with pytest.raises(InputError) as caught:
        parse_targets(
            ["coverage >= 28", "tests.failed => 0"],
            path=Path("p.md"),
            line_of=lambda i: 3 + i,
            source_lines=PLAN_LINES,
        )
    assert (caught.value.line, caught.value.column) == (4, 18)


def test_item_not_found_on_its_line_gives_no_column_but_says_where() -> None:
    with pytest.raises(InputError) as caught:
        parse_targets(
            ["tests.failed => 0"], path=Path("p.md"), line_of=lambda i: 1, source_lines=PLAN_LINES
        )
    assert (caught.value.line, caught.value.column) == (1, None)
    assert "at character 14 of 'tests.failed => 0'" in caught.value.message


def test_targets_that_are_not_a_list_are_an_input_error() -> None:
    with pytest.raises(InputError, match="must be a list"):
        parse_targets("coverage >= 28")


# --- evaluation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "passes_at_28", "passes_at_30"),
    [
        (">=", True, True),
        (">", False, True),
        ("<=", True, False),
        ("<", False, False),
        ("==", True, False),
        ("!=", False, True),
    ],
)
def test_every_operator_evaluates(op: str, passes_at_28: bool, passes_at_30: bool) -> None:
    target = parse_target(f"coverage {op} 28")
    assert evaluate(target, lookup(coverage=28)).passed is passes_at_28
    assert evaluate(target, lookup(coverage=30)).passed is passes_at_30


def test_fail_reports_value_and_shortfall() -> None:
    result = evaluate(parse_target("coverage >= 28"), lookup(coverage=26.5))
    assert (result.status, result.value, result.shortfall) == ("FAIL", 26.5, 1.5)


def test_pass_has_no_shortfall() -> None:
    assert evaluate(parse_target("coverage >= 28"), lookup(coverage=30)).shortfall is None


@pytest.mark.parametrize(
    ("text", "value", "shortfall"),
    [
        ("tests.failed == 0", 3, 3.0),
        ("tests.failed < 2", 5, 4.0),
        ("tests.failed <= 2", 5, 3.0),
        ("tests.total > 10", 10, 1.0),
        ("tests.failed != 0", 0, 1.0),
        ("coverage > 28", 28, 0.01),
        ("coverage >= 27.555", 27.5, 0.06),
        ("tests.duration < 2", 2.5, 0.501),
    ],
)
def test_shortfall_is_distance_to_nearest_displayable_pass(
    text: str, value: float, shortfall: float
) -> None:
    target = parse_target(text)
    result = evaluate(target, DictLookup({(target.metric, None): value}))
    assert result.status == "FAIL"
    assert result.shortfall == shortfall


def test_unmeasured_is_not_pass() -> None:
    result = evaluate(parse_target("coverage[tier1] >= 50"), lookup(coverage=90))
    assert (result.status, result.value, result.passed) == ("UNMEASURED", None, False)


def test_nan_counts_as_unmeasured() -> None:
    assert evaluate(parse_target("coverage >= 1"), lookup(coverage=float("nan"))).status == (
        "UNMEASURED"
    )


def test_selector_is_passed_to_the_lookup() -> None:
    measure = DictLookup({("coverage", "tier1"): 55.0, ("coverage", None): 10.0})
    assert evaluate(parse_target("coverage[tier1] >= 50"), measure).status == "PASS"


def test_deltas_against_previous_and_start() -> None:
    result = evaluate(
        parse_target("coverage >= 28"),
        lookup(coverage=26.5),
        previous=lookup(coverage=25.25),
        start=lookup(coverage=30),
    )
    assert (result.delta_previous, result.delta_start) == (1.25, -3.5)


def test_delta_is_none_when_the_other_snapshot_lacks_the_metric() -> None:
    result = evaluate(
        parse_target("coverage >= 28"), lookup(coverage=26.5), previous=lookup(tests__failed=0)
    )
    assert (result.delta_previous, result.delta_start) == (None, None)


def test_delta_is_the_difference_of_displayed_values() -> None:
    # 27.504 shows as 27.50 and 26.256 as 26.26: the delta shown is 1.24, not 27.504 - 26.256.
    result = evaluate(
        parse_target("coverage >= 28"), lookup(coverage=27.504), previous=lookup(coverage=26.256)
    )
    assert result.delta_previous == 1.24


def test_comparison_uses_the_displayed_value() -> None:
    result = evaluate(parse_target("coverage >= 28"), lookup(coverage=27.996))
    assert (result.status, format_value("coverage", result.value or 0)) == ("PASS", "28.00%")


def test_almost_full_coverage_never_shows_or_passes_as_100() -> None:
    result = evaluate(parse_target("coverage >= 100"), lookup(coverage=99.999))
    assert (result.status, result.value, result.shortfall) == ("FAIL", 99.99, 0.01)


def test_tiny_coverage_never_shows_as_zero() -> None:
    assert displayed_value("coverage", 0.0001) == 0.01
    assert evaluate(parse_target("coverage > 0"), lookup(coverage=0.0001)).passed


def test_formatting_by_unit() -> None:
    assert format_value("coverage", 27.5) == "27.50%"
    assert format_value("tests.failed", 3) == "3"
    assert format_value("tests.duration", 1.25) == "1.250s"
    assert format_delta("coverage", 1.2) == "+1.20"
    assert format_delta("tests.failed", -2) == "-2"


def test_result_describes_itself_in_one_line() -> None:
    result = evaluate(
        parse_target("coverage >= 28"), lookup(coverage=26.5), previous=lookup(coverage=26)
    )
    assert result.describe() == "FAIL coverage >= 28: 26.50% (short by 1.50; +0.50 since previous)"


def test_passing_result_without_snapshots_describes_itself() -> None:
    result = evaluate(parse_target("tests.failed == 0"), lookup(tests__failed=0))
    assert result.describe() == "PASS tests.failed == 0: 0"


def test_unmeasured_result_describes_itself() -> None:
    result = TargetResult(parse_target("clusters <= 2"), "UNMEASURED", None)
    assert result.describe() == "UNMEASURED clusters <= 2: not measured"


def test_evaluate_all_keeps_order() -> None:
    targets = parse_targets(["tests.failed == 0", "coverage >= 28"])
    results = evaluate_all(targets, lookup(coverage=30, tests__failed=1))
    assert [r.status for r in results] == ["FAIL", "PASS"]


# --- selectors -------------------------------------------------------------------------------


def test_group_selector_gives_its_patterns() -> None:
    assert selector_patterns("tier1", {"tier1": ["a.py", "core/*"]}) == ("a.py", "core/*")


def test_glob_selector_gives_one_pattern() -> None:
    assert selector_patterns("src/*.py", {}) == ("src/*.py",)


def test_folder_selector_selects_everything_below() -> None:
    assert selector_patterns("backend/core/", {}) == ("backend/core/*",)


def test_path_selector_is_one_file() -> None:
    assert selector_patterns("backend/core/models.py", {}) == "backend/core/models.py"


# --- properties ------------------------------------------------------------------------------

_SELECTOR_CHARS = st.characters(exclude_characters="[]", exclude_categories=["Cs"])


@st.composite
def targets(draw: st.DrawFn) -> Target:
    metric = METRICS[draw(st.sampled_from(sorted(METRICS)))]
    selector = None
    if metric.takes_selector and draw(st.booleans()):
        inner = draw(st.text(_SELECTOR_CHARS, min_size=1, max_size=20)).strip(" \t")
        selector = (inner or "x") + draw(st.sampled_from(["", "/[ab]*.py", "[[c]]"]))
    if metric.unit == "percent":
        threshold = draw(st.floats(0, 100))
    else:
        threshold = draw(st.floats(allow_nan=False, allow_infinity=False))
    return Target(metric.name, selector, draw(st.sampled_from(OPERATORS)), threshold)


@given(targets())
def test_canonical_form_round_trips(target: Target) -> None:
    assert parse_target(str(target)) == target


@given(targets(), st.sampled_from(["", " ", "\t", "  "]), st.booleans())
def test_blanks_and_percent_do_not_change_the_parse(target: Target, blank: str, pct: bool) -> None:
    where = f"{blank}[{blank}{target.selector}{blank}]" if target.selector is not None else ""
    suffix = f"{blank}%" if pct and METRICS[target.metric].unit == "percent" else ""
    text = (
        f"{blank}{target.metric}{where}{blank}{target.op}{blank}"
        f"{format_number(target.threshold)}{suffix}{blank}"
    )
    assert parse_target(text) == target


_PIECES = st.sampled_from(
    [
        "coverage",
        "tests.failed",
        "tests.pass_rate",
        "[",
        "]",
        "tier1",
        ">=",
        "=",
        "<",
        "!",
        "28",
        "-1.5",
        ".",
        "%",
        " ",
        "\t",
        "\n",
        "é",
        "1e5",
        "__",
        "\x00",
    ]
)


@given(
    st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=12).map("".join)), st.integers(0, 10)
)
def test_any_text_parses_or_raises_input_error_with_a_column(text: str, offset: int) -> None:
    try:
        target = parse_target(text, line=1, column_offset=offset)
    except InputError as error:
        assert error.column is not None
        assert offset + 1 <= error.column <= offset + len(text) + 1
    else:
        assert parse_target(str(target)) == target


@given(targets(), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_evaluation_status_agrees_with_the_shortfall(
    target: Target, now: float, before: float
) -> None:
    result = evaluate(
        target,
        DictLookup({(target.metric, target.selector): now}),
        previous=DictLookup({(target.metric, target.selector): before}),
    )
    assert result.status in ("PASS", "FAIL")
    assert (result.shortfall is None) == (result.status == "PASS")
    if result.shortfall is not None:
        assert result.shortfall > 0
