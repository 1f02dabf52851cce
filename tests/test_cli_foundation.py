"""`plan init`, `plan phase add`, `plan new`, `plan status` through the real entry point:
exit codes (0 ok, 2 bad input, 3 no project), one-line errors, nothing written outside the tree,
and no heavy imports on the fast paths.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CliResult, CliRunner


def assert_one_line_error(result: CliResult, code: int) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("plan: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def project(tmp_path: Path, cli: CliRunner) -> Path:
    """A project made by `plan init`, with phase 1 and its first plan."""
    assert cli("init", str(tmp_path)).exit_code == 0
    assert cli("phase", "add", "Foundation", "--goal", "It builds", "--root", str(tmp_path)).exit_code == 0
    assert cli("new", "1", "--title", "First plan", "--root", str(tmp_path)).exit_code == 0
    return tmp_path


def status(cli: CliRunner, root: Path) -> dict:  # type: ignore[type-arg]
    result = cli("status", "--json", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_init_creates_the_planning_files(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("init", str(tmp_path))
    assert result.exit_code == 0
    for name in ("config.json", "ROADMAP.md", "STATE.md"):
        assert (tmp_path / ".planning" / name).is_file()
    assert "wrote .planning/ROADMAP.md" in result.stdout


def test_init_defaults_to_the_working_directory(tmp_path: Path, cli: CliRunner) -> None:
    assert cli("init", cwd=tmp_path).exit_code == 0
    assert (tmp_path / ".planning" / "phases").is_dir()


def test_second_init_refuses_and_changes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", str(tmp_path))
    roadmap = (tmp_path / ".planning" / "ROADMAP.md").read_bytes()
    result = cli("init", str(tmp_path))
    assert_one_line_error(result, 2)
    assert "already exists" in result.stderr
    assert (tmp_path / ".planning" / "ROADMAP.md").read_bytes() == roadmap


def test_init_in_a_missing_folder_is_bad_input(tmp_path: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("init", str(tmp_path / "nope")), 2)


def test_phase_add_creates_numbered_folder_with_goal(project: Path) -> None:
    folder = project / ".planning" / "phases" / "01-foundation"
    assert (folder / "01-GOAL.md").is_file()


def test_second_phase_takes_the_next_number(project: Path, cli: CliRunner) -> None:
    assert cli("phase", "add", "Second", "--root", str(project)).exit_code == 0
    assert (project / ".planning" / "phases" / "02-second").is_dir()


def test_phase_inserted_after_one_is_decimal(project: Path, cli: CliRunner) -> None:
    assert cli("phase", "add", "Urgent", "--insert-after", "1", "--root", str(project)).exit_code == 0
    assert [phase["id"] for phase in status(cli, project)["phases"]] == ["01", "01.1"]


def test_insert_after_a_missing_phase_is_bad_input(project: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("phase", "add", "X", "--insert-after", "7", "--root", str(project)), 2)


def test_phase_with_invalid_target_is_bad_input(project: Path, cli: CliRunner) -> None:
    result = cli("phase", "add", "X", "--target", "coverage >= lots", "--root", str(project))
    assert_one_line_error(result, 2)
    assert not (project / ".planning" / "phases" / "02-x").exists()


def test_new_writes_the_next_plan_with_clean_frontmatter(project: Path) -> None:
    text = (project / ".planning" / "phases" / "01-foundation" / "01-01-PLAN.md").read_text()
    assert text.startswith("---\nphase: 01-foundation\nplan: '01'\ntype: execute\ntitle: First plan\n")


def test_new_twice_allocates_01_then_02(project: Path, cli: CliRunner) -> None:
    assert cli("new", "1", "--root", str(project)).exit_code == 0
    assert [plan["id"] for plan in status(cli, project)["phases"][0]["plans"]] == ["01-01", "01-02"]


def test_new_gap_plan_gets_a_gap_id(project: Path, cli: CliRunner) -> None:
    assert cli("new", "1", "--gap", "--root", str(project)).exit_code == 0
    plans = status(cli, project)["phases"][0]["plans"]
    assert [(p["id"], p["type"]) for p in plans] == [("01-01", "execute"), ("01-GAP-01", "gap_closure")]


def test_new_in_a_phase_that_does_not_exist_is_bad_input(project: Path, cli: CliRunner) -> None:
    result = cli("new", "9", "--root", str(project))
    assert_one_line_error(result, 2)
    assert "no phase 09" in result.stderr


def test_new_with_a_phase_that_is_not_a_number_is_bad_input(project: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("new", "../..", "--root", str(project)), 2)


def test_title_that_climbs_folders_stays_inside_the_phase(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", str(tmp_path))
    assert cli("phase", "add", "../../x", "--root", str(tmp_path)).exit_code == 0
    assert cli("new", "1", "--title", "../../y", "--root", str(tmp_path)).exit_code == 0
    phases = tmp_path / ".planning" / "phases"
    assert sorted(p.relative_to(phases).as_posix() for p in phases.rglob("*.md")) == [
        "01-x/01-01-PLAN.md", "01-x/01-GOAL.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".planning"]


def test_status_with_root_that_has_no_planning_folder_is_exit_3(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("status", "--root", str(tmp_path))
    assert_one_line_error(result, 3)
    assert "no .planning/ folder" in result.stderr


def test_status_outside_any_project_is_exit_3(tmp_path: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("status", cwd=tmp_path), 3)


def test_phase_add_without_project_is_exit_3(tmp_path: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("phase", "add", "X", "--root", str(tmp_path)), 3)


def test_status_json_counts_what_was_scaffolded(project: Path, cli: CliRunner) -> None:
    document = status(cli, project)
    assert document["counts"] == {"phases": 1, "phase_folders": 1, "plans": 1, "plan_files": 1, "summaries": 0,
                                  "open_gaps": 0}
    assert document["progress"]["percent"] == 0


def test_status_finds_the_project_from_a_subfolder(project: Path, cli: CliRunner) -> None:
    (project / "src").mkdir()
    result = cli("status", "--json", cwd=project / "src")
    assert result.exit_code == 0 and json.loads(result.stdout)["counts"]["phases"] == 1


def test_status_of_one_phase(project: Path, cli: CliRunner) -> None:
    result = cli("status", "1", "--json", "--root", str(project))
    assert [phase["id"] for phase in json.loads(result.stdout)["phases"]] == ["01"]


def test_status_of_a_missing_phase_is_bad_input(project: Path, cli: CliRunner) -> None:
    assert_one_line_error(cli("status", "4", "--root", str(project)), 2)


def test_status_table_shows_progress(project: Path, cli: CliRunner) -> None:
    result = cli("status", "--root", str(project))
    assert result.exit_code == 0 and "Progress: 0/1 plans complete (0%)" in result.stdout


def test_unknown_option_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("status", "--no-such-option")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_version_through_the_cli(cli: CliRunner) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("plan ")


# --- start-up: heavy libraries only where used -------------------------------------------------

_PROBE = """
import sys
sys.argv = ["plan", *sys.argv[1:]]
from planner.__main__ import main
code = main()
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"git", "jinja2", "typer", "click", "yaml"})
sys.stderr.write("\\nHEAVY:" + ",".join(heavy) + "\\n")
sys.exit(code)
"""


def imported_heavy(*argv: str) -> set[str]:
    completed = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True,
                               timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    line = completed.stderr.rsplit("HEAVY:", 1)[1].strip()
    return set(line.split(",")) - {""}


def test_version_imports_no_heavy_library() -> None:
    assert imported_heavy("--version") == set()


def test_status_imports_neither_git_nor_jinja2(project: Path) -> None:
    assert imported_heavy("status", "--json", "--root", str(project)).isdisjoint({"git", "jinja2"})


def test_version_importtime_lists_no_heavy_module() -> None:
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "planner", "--version"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0 and completed.stdout.startswith("plan ")
    modules = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in completed.stderr.splitlines()}
    assert modules.isdisjoint({"git", "jinja2", "typer", "click", "yaml"})


def test_title_starting_with_one_digit_keeps_the_phase_number(project: Path, cli: CliRunner) -> None:
    assert cli("phase", "add", "3 tier rollout", "--root", str(project)).exit_code == 0
    assert [phase["id"] for phase in status(cli, project)["phases"]] == ["01", "02"]
