"""plan init, plan phase add, plan new: the library calls behind them, one behaviour per test.

Through the library (`planner.init_project`, `add_phase`, `new_plan`) and through the CLI; the
commands' everyday messages and errors are in test_cli_foundation.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliRunner

from planner import ConflictError, InputError, add_phase, init_project, load_project, new_plan
from planner.tree.frontmatter import read_document


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


# --- through the CLI ------------------------------------------------------------------------------


def _planning_files(root: Path) -> dict[str, bytes]:
    planning = root / ".planning"
    return {path.relative_to(planning).as_posix(): path.read_bytes() for path in sorted(planning.rglob("*"))
            if path.is_file() and ".cache" not in path.parts}


def test_the_cli_writes_the_tree_the_library_writes(tmp_path: Path, cli: CliRunner) -> None:
    library, command_line = tmp_path / "library" / "proj", tmp_path / "cli" / "proj"
    library.mkdir(parents=True)
    command_line.mkdir(parents=True)
    init_project(library)
    add_phase(load_project(library), "Core", goal="It works", targets=["coverage >= 80"])
    new_plan(load_project(library), "1", title="First", targets=["tests.failed == 0"])
    new_plan(load_project(library), "1", title="Fix", gap=True, closes=["G01-t123456"], requires=["01-01"])
    root = ["--root", str(command_line)]
    for argv in (["init", str(command_line)],
                 ["phase", "add", "Core", "--goal", "It works", "--target", "coverage >= 80", *root],
                 ["new", "1", "--title", "First", "--target", "tests.failed == 0", *root],
                 ["new", "1", "--title", "Fix", "--gap", "--closes", "G01-t123456", "--requires", "01-01", *root]):
        assert cli(*argv).exit_code == 0, argv
    written, expected = _planning_files(command_line), _planning_files(library)
    assert sorted(written) == [".gitignore", "PROJECT.md", "ROADMAP.md", "STATE.md", "config.json",
                               "phases/01-core/01-01-PLAN.md", "phases/01-core/01-GAP-01-PLAN.md",
                               "phases/01-core/01-GOAL.md"]
    # byte for byte, but STATE.md's body, which dates the last activity: its frontmatter then
    state = ".planning/STATE.md"
    assert read_document(command_line / state).meta == read_document(library / state).meta
    assert written | {"STATE.md": b""} == expected | {"STATE.md": b""}


def test_plan_new_with_a_bad_target_writes_no_plan(tmp_path: Path, cli: CliRunner) -> None:
    assert cli("init", str(tmp_path)).exit_code == 0
    assert cli("phase", "add", "Core", "--root", str(tmp_path)).exit_code == 0
    before = _planning_files(tmp_path)
    result = cli("new", "1", "--target", "coverage >>= 80", "--root", str(tmp_path))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert _planning_files(tmp_path) == before


def test_plan_init_a_second_time_is_refused_and_changes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    assert cli("init", str(tmp_path)).exit_code == 0
    before = _planning_files(tmp_path)
    assert cli("init", str(tmp_path)).exit_code == 2
    assert _planning_files(tmp_path) == before
