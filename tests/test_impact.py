"""The handoff arithmetic: statements to cover, points, ranking, contexts, test totals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from planner.evidence.reports.types import TestTotals
from planner.handoff import arithmetic as impact
from planner.handoff.arithmetic import FileCounts

A = FileCounts("src/a.py", 200, 60)
B = FileCounts("src/b.py", 100, 20)
C = FileCounts("src/c.py", 50, 50)
D = FileCounts("src/d.py", 650, 130)


def test_raising_a_file_covers_the_statements_up_to_the_goal() -> None:
    assert impact.raise_file(D, Fraction(40)).to_cover == 130


def test_raising_a_file_rounds_the_statement_count_up() -> None:
    # 33% of 10 statements is 3.3: a fourth statement is needed to reach it
    assert impact.raise_file(FileCounts("x.py", 10, 0), Fraction(33)).to_cover == 4


def test_a_file_already_at_the_goal_needs_no_work() -> None:
    assert impact.raise_file(C, Fraction(40)).to_cover == 0


def test_points_of_a_raise_follow_the_formula_of_the_issue() -> None:
    raised = impact.raise_file(D, Fraction(40))
    formula = (raised.percent_after - D.percent) * D.statements / 1000
    assert raised.points(1000) == formula == Fraction(13)


def test_points_are_exact_fractions_until_displayed() -> None:
    assert impact.points(70, 300) == Fraction(70, 3)
    assert impact.format_fixed(impact.points(70, 300)) == "23.33"


def test_points_of_an_empty_selection_are_zero() -> None:
    assert impact.points(5, 0) == 0


def test_percent_of_nothing_is_a_hundred_like_coverage_py() -> None:
    assert impact.percent(0, 0) == 100


def test_files_rank_by_statements_to_cover_then_missing_then_path() -> None:
    ranked = impact.rank_files([A, B, C, D], Fraction(40))
    assert [r.file.path for r in ranked] == ["src/d.py", "src/a.py", "src/b.py"]


def test_choose_raises_stops_once_the_need_is_met() -> None:
    chosen, short = impact.choose_raises([A, B, C, D], Fraction(40), 140, limit=9)
    assert [r.file.path for r in chosen] == ["src/d.py", "src/a.py"]
    assert short == 0


def test_choose_raises_reports_what_the_limit_leaves_short() -> None:
    chosen, short = impact.choose_raises([A, B, C, D], Fraction(40), 170, limit=2)
    assert len(chosen) == 2
    assert short == 20


def test_chunks_bound_the_files_per_plan() -> None:
    raises = impact.rank_files([A, B, D], Fraction(90))
    assert [len(group) for group in impact.chunks(raises, 2)] == [2, 1]


def test_select_files_by_path_glob_or_everything() -> None:
    files = {f.path: f for f in (D, A, C)}
    assert [f.path for f in impact.select_files(files, None)] == ["src/a.py", "src/c.py", "src/d.py"]
    assert impact.select_files(files, "src/c.py") == [C]
    assert impact.select_files(files, "src/nope.py") == []
    assert [f.path for f in impact.select_files(files, ("src/[ad].py",))] == ["src/a.py", "src/d.py"]


def test_lines_covered_only_by_a_cluster_are_counted() -> None:
    contexts: impact.Contexts = {"src/a.py": {1: ("t::a",), 2: ("t::a", "t::ok"), 3: ("t::b",)},
                                 "src/b.py": {1: ("t::ok",)}}
    assert impact.only_covered_by(contexts, frozenset({"t::a", "t::b"})) == {"src/a.py": 2}


def test_lines_run_by_any_test_of_a_cluster_are_counted() -> None:
    contexts = {"src/a.py": {1: ("t::a",), 2: ("t::a", "t::ok"), 3: ("t::ok",)}}
    assert impact.lines_run_by(contexts, frozenset({"t::a"})) == {"src/a.py": 2}


def test_restorable_lines_are_missing_now_and_ran_under_the_tests_before() -> None:
    earlier = {"src/a.py": {4: ("t::a",), 5: ("t::ok",), 6: ("t::a", "t::ok")}}
    found = impact.restorable({"src/a.py": {4, 5, 6, 7}}, earlier, frozenset({"t::a"}))
    assert found == {"src/a.py": (4, 6)}


def test_fixing_tests_moves_them_to_passed() -> None:
    totals = TestTotals(total=50, passed=45, failed=3, errors=2)
    after = impact.tests_after_fixing(totals, failed=3, errors=1)
    assert (after.passed, after.failed, after.errors, after.total) == (49, 0, 1, 50)


def test_pass_rate_counts_judged_tests_only() -> None:
    totals = TestTotals(total=50, passed=40, failed=5, errors=0, skipped=5)
    assert impact.metric_value(totals, "tests.pass_rate", 1) == Fraction(40 * 100, 45)


def test_metric_value_of_an_unknown_metric_is_none() -> None:
    assert impact.metric_value(TestTotals(), "coverage", 0) is None


def test_format_fixed_rounds_half_to_even_once() -> None:
    assert impact.format_fixed(Fraction(1, 8)) == "0.12"
    assert impact.format_fixed(Fraction(3, 8)) == "0.38"
    assert impact.format_fixed(Fraction(-3), 0, signed=True) == "-3"
    assert impact.format_fixed(Fraction(0), signed=True) == "+0.00"


@given(statements=st.integers(1, 5000), covered_share=st.fractions(0, 1),
       goal=st.fractions(0, 100).map(lambda f: f.limit_denominator(100)))
def test_statements_to_reach_is_the_least_count_that_reaches_the_goal(
        statements: int, covered_share: Fraction, goal: Fraction) -> None:
    covered = int(covered_share * statements)
    needed = impact.statements_to_reach(statements, covered, goal)
    assert impact.percent(covered + needed, statements) >= goal or covered + needed > statements
    if needed > 0:
        assert impact.percent(covered + needed - 1, statements) < goal


@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 500)), min_size=1, max_size=8),
       st.integers(0, 100))
def test_raising_every_file_below_the_goal_reaches_it_overall(
        counts: list[tuple[int, int]], goal: int) -> None:
    files = [FileCounts(f"f{i}.py", s, min(c, s)) for i, (s, c) in enumerate(counts)]
    statements = sum(f.statements for f in files)
    gained = sum(r.to_cover for r in impact.rank_files(files, Fraction(goal)))
    covered = sum(f.covered for f in files)
    assert impact.percent(covered + gained, statements) >= goal
    assert sum(impact.points(r.to_cover, statements) for r in impact.rank_files(files, Fraction(goal))) \
        == impact.percent(covered + gained, statements) - impact.percent(covered, statements)
