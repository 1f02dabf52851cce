"""plan init, plan phase add, plan new: the library calls behind them, one behaviour per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import ConflictError, InputError
from planner.scaffold import add_phase, init_project, new_plan
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project


@pytest.fixture
def root(tmp_path: Path) -> Path:
    init_project(tmp_path)
    return tmp_path


def test_init_creates_roadmap_state_and_config_and_refuses_a_second_time(tmp_path: Path) -> None:
    created = init_project(tmp_path)
    assert sorted(path.name for path in created.paths if path.is_file()) == ["PROJECT.md", "ROADMAP.md", "STATE.md",
                                                                              "config.json"]
    before = (tmp_path / ".planning" / "STATE.md").read_bytes()
    with pytest.raises(ConflictError):
        init_project(tmp_path)
    assert (tmp_path / ".planning" / "STATE.md").read_bytes() == before


def test_phases_are_numbered_in_order_with_their_goal_and_targets(root: Path) -> None:
    add_phase(load_project(root), "Core", goal="It works", targets=["coverage >= 80"])
    add_phase(load_project(root), "Polish")
    project = load_project(root)
    assert [(str(p.id), p.directory.name) for p in project.phases] == [("01", "01-core"), ("02", "02-polish")]
    goal = read_document(root / ".planning" / "phases" / "01-core" / "01-GOAL.md").meta
    assert (goal["goal"], goal["targets"]) == ("It works", ["coverage >= 80"])


def test_a_phase_inserted_after_another_gets_a_decimal_number(root: Path) -> None:
    add_phase(load_project(root), "Core")
    add_phase(load_project(root), "Polish")
    add_phase(load_project(root), "Hotfix", insert_after="1")
    assert [str(p.id) for p in load_project(root).phases] == ["01", "01.1", "02"]


def test_a_bad_target_is_refused_before_anything_is_written(root: Path) -> None:
    with pytest.raises(InputError):
        add_phase(load_project(root), "Core", targets=["coverage >>= 80"])
    assert not (root / ".planning" / "phases" / "01-core").exists()


def test_new_plans_take_the_next_free_id_and_gap_plans_their_own_series(root: Path) -> None:
    add_phase(load_project(root), "Core")
    new_plan(load_project(root), "1", title="First")
    new_plan(load_project(root), "1", title="Second", requires=["01-01"])
    new_plan(load_project(root), "1", title="Fix", gap=True, closes=["G01-t123456"])
    plans = load_project(root).phases[0].plans
    assert [str(plan.id) for plan in plans] == ["01-01", "01-02", "01-GAP-01"]
    assert (plans[2].is_gap_closure, plans[2].closes, plans[1].requires) == (True, ("G01-t123456",), ("01-01",))


def test_a_plan_in_an_unknown_phase_is_an_input_error(root: Path) -> None:
    with pytest.raises(InputError, match="no phase"):
        new_plan(load_project(root), "7", title="Nowhere")
