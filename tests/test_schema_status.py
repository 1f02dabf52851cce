"""Status words people write map onto planned / in_progress / complete, or are reported."""

import pytest

from planner.tree.schema import normalise_status


@pytest.mark.parametrize(("written", "status"), [
    ("complete", "complete"), ("Completed", "complete"), ("✅ DONE", "complete"),
    ("Complete - all tests pass", "complete"), ("PLANNING (no code changes)", "planned"),
    ("✅ READY TO START", "planned"), ("PENDING", "planned"), ("In Progress", "in_progress"),
    ("executing", "in_progress"),
])
def test_known_status_words(written: str, status: str) -> None:
    assert normalise_status(written) == status


@pytest.mark.parametrize("written", ["weird", "", "blocked on review", "50%"])
def test_unknown_status_words_are_not_guessed(written: str) -> None:
    assert normalise_status(written) is None
