"""Phase numbers and plan ids: one value per number however it is spelled."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.ids import (
    PhaseNumber,
    PlanId,
    next_phase_number,
    next_plan_part,
    normalise_plan_part,
    slugify,
)


def test_zero_padding_does_not_change_a_phase_number() -> None:
    assert PhaseNumber.parse("8") == PhaseNumber.parse("08") == PhaseNumber.parse("008")


def test_phase_number_prints_two_digits() -> None:
    assert str(PhaseNumber.parse("8")) == "08"


def test_decimal_phases_sort_between_integers() -> None:
    spelled = ["10", "9", "08.1", "8", "8.2", "12"]
    assert [str(n) for n in sorted(PhaseNumber.parse(s) for s in spelled)] == [
        "08", "08.1", "08.2", "09", "10", "12"]


def test_decimal_minor_ten_sorts_after_two() -> None:
    assert PhaseNumber.parse("8.2") < PhaseNumber.parse("8.10")


def test_one_point_ten_is_not_one_point_one() -> None:
    assert PhaseNumber.parse("1.10") != PhaseNumber.parse("1.1")


def test_letter_suffix_sorts_after_its_integer() -> None:
    assert PhaseNumber.parse("12") < PhaseNumber.parse("12A") < PhaseNumber.parse("13")


def test_letter_suffix_is_case_insensitive() -> None:
    assert PhaseNumber.parse("253a") == PhaseNumber.parse("253A")


def test_nested_decimal_with_letter_parses() -> None:
    assert str(PhaseNumber.parse("12A.1.2")) == "12A.1.2"


@pytest.mark.parametrize("text", ["", "abc", "1..2", "-1", "1.", "8 1"])
def test_bad_phase_number_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        PhaseNumber.parse(text)


def test_plan_id_pads_plan_number() -> None:
    assert str(PlanId.parse("12-3")) == "12-03"


def test_plan_id_with_decimal_phase() -> None:
    plan_id = PlanId.parse("08.1-02")
    assert (str(plan_id.phase), plan_id.part) == ("08.1", "02")


@pytest.mark.parametrize("spelling", ["12-GAP-3", "12-gap-03", "12-GAP_CLOSURE-3", "12-GAPCLOSURE-03",
                                      "12-gap_closure-3", "12-GAP03"])
def test_every_gap_spelling_is_one_gap_id(spelling: str) -> None:
    plan_id = PlanId.parse(spelling)
    assert str(plan_id) == "12-GAP-03"
    assert plan_id.is_gap


def test_ordinary_plan_is_not_a_gap() -> None:
    assert not PlanId.parse("12-03").is_gap


def test_plan_letter_suffix_is_kept() -> None:
    assert PlanId.parse("04-1a").part == "01a"


def test_gap_plans_sort_after_ordinary_plans_of_the_phase() -> None:
    ids = [PlanId.parse(s) for s in ["12-GAP-01", "12-10", "12-02", "11-05"]]
    assert [str(i) for i in sorted(ids, key=PlanId.sort_key)] == ["11-05", "12-02", "12-10", "12-GAP-01"]


@pytest.mark.parametrize("text", ["", "x", "12", "12-", "-1", "ab-01"])
def test_bad_plan_id_is_an_input_error_naming_the_text(text: str) -> None:
    with pytest.raises(InputError) as caught:
        PlanId.parse(text)
    assert f"'{text}'" in str(caught.value)


def test_empty_plan_part_is_an_input_error() -> None:
    with pytest.raises(InputError):
        normalise_plan_part("  ")


def test_next_plan_part_ignores_gap_plans() -> None:
    assert next_plan_part(["01", "02", "GAP-05"], gap=False) == "03"


def test_next_gap_part_counts_only_gap_plans() -> None:
    assert next_plan_part(["01", "02", "GAP-01"], gap=True) == "GAP-02"


def test_first_plan_of_a_phase_is_01() -> None:
    assert next_plan_part([], gap=False) == "01"


def test_next_phase_is_one_past_the_highest() -> None:
    existing = [PhaseNumber.parse(s) for s in ["1", "2", "2.1", "7"]]
    assert str(next_phase_number(existing)) == "08"


def test_inserted_phase_takes_next_free_decimal() -> None:
    existing = [PhaseNumber.parse(s) for s in ["8", "8.1", "8.2", "9"]]
    assert str(next_phase_number(existing, after=PhaseNumber.parse("8"))) == "08.3"


def test_inserting_after_a_decimal_goes_one_level_deeper() -> None:
    existing = [PhaseNumber.parse(s) for s in ["8", "8.1", "8.2"]]
    assert str(next_phase_number(existing, after=PhaseNumber.parse("8.1"))) == "08.1.1"


def test_slug_of_a_path_cannot_climb_out_of_a_folder() -> None:
    assert slugify("../../x") == "x"


def test_slug_keeps_letters_of_accented_words() -> None:
    assert slugify("Ünïcode café") == "unicode-cafe"


def test_slug_of_nothing_usable_is_untitled() -> None:
    assert slugify("日本 !!") == "untitled"


@given(st.text())
def test_slug_is_always_file_name_safe(title: str) -> None:
    slug = slugify(title)
    assert slug and len(slug) <= 48
    assert all(char in "abcdefghijklmnopqrstuvwxyz0123456789-" for char in slug)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


phase_numbers = st.builds(
    PhaseNumber,
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["", "A", "B"]),
    st.lists(st.integers(min_value=1, max_value=30).map(str), max_size=2).map(tuple),
)


@given(phase_numbers)
def test_phase_number_text_parses_back_to_itself(number: PhaseNumber) -> None:
    assert PhaseNumber.parse(str(number)) == number


@given(phase_numbers, st.integers(min_value=1, max_value=150), st.booleans())
def test_plan_id_text_parses_back_to_itself(phase: PhaseNumber, number: int, gap: bool) -> None:
    plan_id = PlanId(phase, f"GAP-{number:02d}" if gap else f"{number:02d}")
    assert PlanId.parse(str(plan_id)) == plan_id


@given(st.text(max_size=20))
def test_plan_id_parse_raises_only_input_errors(text: str) -> None:
    try:
        PlanId.parse(text)
    except InputError:
        pass
