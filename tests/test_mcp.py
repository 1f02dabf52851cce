"""`plan mcp`: the MCP server driven over stdio by the official SDK's own client."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

pytest.importorskip("mcp", reason="plan mcp needs the optional extra planner[mcp]")

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

EXPECTED_TOOLS = {"status", "check", "measure", "start", "close", "verify", "handoff", "new_plan",
                  "render_check"}


@pytest.fixture
def project(demo_copy: Path) -> Path:
    """The demo project: a real repository with plans, summaries and a verification."""
    return demo_copy


def plan_json(cli: CliRunner, root: Path, *argv: str) -> Any:
    return json.loads(cli(*argv, "--json", "--root", str(root)).stdout)


def session(root: Path, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """Start `plan mcp --root ROOT`, list its tools, make the calls; (tools, results)."""
    server = StdioServerParameters(command=sys.executable, args=["-m", "planner", "mcp", "--root", str(root)],
                                   cwd=str(root))

    async def talk() -> tuple[list[Any], list[Any]]:
        async with Client(server) as client:
            tools = (await client.list_tools()).tools
            results = [await client.call_tool(name, arguments) for name, arguments in calls]
            return tools, results

    return anyio.run(talk)


def text_of(result: Any) -> str:
    return "".join(part.text for part in result.content if getattr(part, "type", "") == "text")


def test_server_lists_planner_tools_and_answers_status_and_check(project: Path, cli: CliRunner) -> None:
    tools, (status, check, strict) = session(project, [
        ("status", {}), ("check", {"no_git": True}), ("check", {"strict": True})])
    assert EXPECTED_TOOLS <= {tool.name for tool in tools}
    schemas = {tool.name: tool.input_schema for tool in tools}
    assert "no_git" in schemas["check"]["properties"]
    assert not status.is_error and not check.is_error and not strict.is_error
    assert json.loads(text_of(status)) == plan_json(cli, project, "status")
    assert json.loads(text_of(check)) == plan_json(cli, project, "check", "--no-git")
    assert json.loads(text_of(status))["progress"]["total_plans"] == 2


def test_bad_input_comes_back_as_a_tool_error(project: Path) -> None:
    _, (unknown_phase, unknown_plan) = session(project, [
        ("status", {"phase": "99"}), ("close", {"plan": "01-09", "dry_run": True})])
    assert unknown_phase.is_error and "99" in text_of(unknown_phase)
    assert unknown_plan.is_error and "01-09" in text_of(unknown_plan)


def test_a_tool_without_a_project_is_a_tool_error(tmp_path: Path) -> None:
    _, (status,) = session(tmp_path, [("status", {"root": str(tmp_path)})])
    assert status.is_error and ".planning" in text_of(status)


def test_a_writing_tool_writes_through_the_cli(tmp_path: Path, cli: CliRunner) -> None:
    for argv in (["init", str(tmp_path)], ["phase", "add", "Core", "--root", str(tmp_path)]):
        assert cli(*argv).exit_code == 0
    _, (created, status) = session(tmp_path, [("new_plan", {"phase": "1", "title": "Parser"}),
                                              ("status", {})])
    written = json.loads(text_of(created))["written"]
    assert written[0] == ".planning/phases/01-core/01-01-PLAN.md"
    assert all((tmp_path / path).is_file() for path in written)
    assert json.loads(text_of(status))["progress"]["total_plans"] == 1
