"""README and `--help` cannot drift from the CLI: every command and option is in both.

The commands and options are read from the Typer app itself (its Click command tree), so a new
option fails here until `plan COMMAND --help` shows it and README's command table names it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from planner.cli.commands import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
# Options README describes once for every command, in the paragraph above the table.
SHARED_OPTIONS = {"--root", "--json", "--pretty", "--dry-run", "--diff", "--help"}


def _commands() -> dict[str, Any]:
    """Every leaf command by its full name (`phase add`), from the Typer app's command tree."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = command

    walk(root, "")
    return found


COMMANDS = _commands()


def _long_options(command: Any) -> list[str]:
    return sorted(opt for param in command.params if param.param_type_name == "option"
                  for opt in param.opts + param.secondary_opts if opt.startswith("--"))


def _table_rows() -> dict[str, str]:
    """README's command table: the command's words (`phase add`) -> its whole row."""
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `plan ((?:[a-z]+ ?)+)", line)
        if match:
            rows[match.group(1).strip()] = line
    return rows


def _help(*words: str) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_has_the_commands_readme_documents() -> None:
    assert sorted(_table_rows()) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_listed_in_plan_help(name: str) -> None:
    *group, leaf = name.split()
    assert re.search(rf"^\s*[│|]?\s*{leaf}\b", _help(*group), re.MULTILINE), f"{name} not in help"


@pytest.mark.parametrize(("name", "option"), [(name, option) for name, command in sorted(COMMANDS.items())
                                               for option in _long_options(command)])
def test_every_option_is_in_the_command_help_and_readme(name: str, option: str) -> None:
    assert option in _help(*name.split()), f"{option} missing from `plan {name} --help`"
    if option not in SHARED_OPTIONS:
        assert option in _table_rows()[name], f"{option} missing from README's row for `plan {name}`"


def test_shared_options_are_described_above_the_table() -> None:
    section = README.split("## Commands", 1)[1].split("| Command |", 1)[0]
    for option in sorted(SHARED_OPTIONS - {"--help"}):
        assert f"`{option}" in section, option


def test_every_top_level_option_is_in_plan_help_and_readme() -> None:
    top = typer.main.get_command(app)
    text = _help()
    for option in _long_options(top):
        assert option in text, option
        assert option in README, f"{option} is not in README"
