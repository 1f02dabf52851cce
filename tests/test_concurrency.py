"""Eight processes writing one project at once: the file lock keeps every update."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project

PROCESSES = 8


def _start_together(root: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Launch every command before waiting for any, so they race for the lock."""
    env = {**os.environ, "NO_COLOR": "1"}
    running = [subprocess.Popen([sys.executable, "-m", "planner", *argv, "--root", str(root)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for argv in commands]
    results = []
    for argv, process in zip(commands, running):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, process.returncode, out, err))
    return results


def _status(root: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-m", "planner", "status", "--json", "--root", str(root)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


@pytest.fixture
def phase_of_eight(tmp_path: Path) -> Path:
    from planner.scaffold import add_phase, init_project, new_plan

    init_project(tmp_path)
    add_phase(load_project(tmp_path), "Race", goal="no update lost")
    for _ in range(PROCESSES):
        new_plan(load_project(tmp_path), "1")
    return tmp_path


def test_eight_concurrent_starts_all_land_in_plans_state_and_roadmap(phase_of_eight: Path) -> None:
    plan_ids = [f"01-{number:02d}" for number in range(1, PROCESSES + 1)]
    results = _start_together(phase_of_eight, [["start", plan_id] for plan_id in plan_ids])
    assert [result.returncode for result in results] == [0] * PROCESSES, [r.stderr for r in results]
    project = load_project(phase_of_eight)
    assert [plan.status for plan in project.phases[0].plans] == ["in_progress"] * PROCESSES
    status = _status(phase_of_eight)
    assert status["progress"]["in_progress_plans"] == PROCESSES  # type: ignore[index]
    state = read_document(phase_of_eight / ".planning" / "STATE.md")
    assert state.meta["status"] == "in progress"
    assert state.meta["progress"]["total_plans"] == str(PROCESSES)
    roadmap = (phase_of_eight / ".planning" / "ROADMAP.md").read_text(encoding="utf-8")
    assert all(f"{plan_id}-PLAN.md" in roadmap for plan_id in plan_ids)


def test_eight_concurrent_new_plans_get_eight_distinct_ids(tmp_path: Path) -> None:
    from planner.scaffold import add_phase, init_project

    init_project(tmp_path)
    add_phase(load_project(tmp_path), "Race")
    results = _start_together(tmp_path, [["new", "1", "--title", f"Racer {n}"] for n in range(PROCESSES)])
    assert [result.returncode for result in results] == [0] * PROCESSES, [r.stderr for r in results]
    plans = load_project(tmp_path).phases[0].plans
    assert [str(plan.id) for plan in plans] == [f"01-{n:02d}" for n in range(1, PROCESSES + 1)]
    assert sorted(plan.title for plan in plans) == sorted(f"Racer {n}" for n in range(PROCESSES))
    state = read_document(tmp_path / ".planning" / "STATE.md")
    assert state.meta["progress"]["total_plans"] == str(PROCESSES)
    roadmap = (tmp_path / ".planning" / "ROADMAP.md").read_text(encoding="utf-8")
    assert all(f"Racer {n}" in roadmap for n in range(PROCESSES))


def test_concurrent_runs_leave_no_temp_files(phase_of_eight: Path) -> None:
    _start_together(phase_of_eight, [["start", f"01-{n:02d}"] for n in range(1, PROCESSES + 1)])
    leftovers = [path for path in (phase_of_eight / ".planning").rglob("*.tmp")]
    assert leftovers == []
