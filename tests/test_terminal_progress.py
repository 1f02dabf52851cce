"""The progress bar of long runs: on a terminal, after the delay, never with NO_COLOR, CI or a pipe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import CliRunner

from planner.cli.progress_bar import bar_allowed, progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "CI", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def run(stream: io.StringIO, *, enabled: bool = True, seconds: float = 2.0) -> str:
    clock = Clock()
    with progress_bar("checking", enabled=enabled, stream=stream, clock=clock) as advance:
        for done in range(1, 4):
            clock.now = seconds * done / 3
            if advance is not None:
                advance(done, 3)
    return stream.getvalue()


def test_bar_is_drawn_on_a_terminal_once_the_run_passes_a_second() -> None:
    shown = run(Terminal())
    assert "checking" in shown and "3/3" in shown


def test_no_bar_for_a_run_under_a_second() -> None:
    assert run(Terminal(), seconds=0.9) == ""


def test_no_bar_when_the_stream_is_not_a_terminal() -> None:
    assert run(io.StringIO()) == ""


def test_no_bar_when_the_command_turned_it_off() -> None:
    assert run(Terminal(), enabled=False) == ""


@pytest.mark.parametrize("variable", [("NO_COLOR", "1"), ("CI", "true")])
def test_no_bar_under_no_color_or_ci(monkeypatch: pytest.MonkeyPatch, variable: tuple[str, str]) -> None:
    monkeypatch.setenv(*variable)
    assert run(Terminal()) == ""


def test_ci_set_to_false_still_allows_the_bar() -> None:
    assert bar_allowed(Terminal(), {"CI": "false"}) is True


@pytest.mark.parametrize(("option", "drawn"), [("text", True), ("json", False)])
def test_check_draws_its_bar_on_a_terminal_except_for_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, drawn: bool) -> None:
    """stderr is a terminal and the delay is passed: text draws the bar, --json never does.

    The terminal is the in-memory one above, not a pseudo-terminal: the kernel hands a pty's output
    to the reading side asynchronously, so a read right after the command could see part of it."""
    import sys

    from planner.cli.commands import cli_state
    from planner.cli.commands import run as run_cli

    (tmp_path / ".planning" / "phases").mkdir(parents=True)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr("planner.cli.progress_bar.DELAY_SECONDS", -1.0)
    cli_state.update({"debug": False, "root": None})
    argv = ["check", "--no-git", "--root", str(tmp_path)] + (["--json"] if option == "json" else [])
    assert run_cli(argv) == 0
    assert ("checking" in terminal.getvalue()) is drawn


def test_measure_run_streams_the_runner_output_to_stderr_and_keeps_json_on_stdout(
        tmp_path: Path, cli: CliRunner) -> None:
    import json

    from test_measure import make_tiny_project

    make_tiny_project(tmp_path)
    result = cli("measure", "--run", "--trust-command", "--json", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # nothing but the JSON document on stdout
    assert document["tests"]["failed"] == 1
    assert "failed" in result.stderr and "passed" in result.stderr  # pytest's own closing line
