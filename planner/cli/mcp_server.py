"""`plan mcp`: planner's commands as Model Context Protocol tools, over stdio, for coding agents.

Each tool runs the `plan` command itself (`python -m planner ... --json`) in a child process and
returns the JSON document that command prints, so a tool's answer is `--json`'s answer byte for
byte, and a writing tool takes the same `.planning/.cache/planner.lock` as the CLI does. Bad
input, an unknown id or a missing project comes back as a tool error carrying the CLI's one-line
message. The child never sees the protocol: its stdin is closed and its output is captured.

Needs the optional extra: `pip install "planner[mcp]"`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from planner.errors import EXIT_FINDINGS, EXIT_OK, EnvironmentProblem

INSTRUCTIONS = (
    "planner keeps a project's .planning/ documents true. Read with status and check; record work "
    "with start, measure and close; judge a phase with verify and plan the next with handoff. "
    "Every tool answers with the JSON document of `plan COMMAND --json`."
)


class CommandFailed(Exception):
    """`plan` exited with an error: its one-line message."""


def run_plan(argv: list[str], root: Path | None, *, accept: tuple[int, ...] = (EXIT_OK,)) -> str:
    """Run `plan ARGV [--root ROOT]` in a child process; its stdout, or CommandFailed."""
    command = [sys.executable, "-m", "planner", *argv]
    if root is not None:
        command += ["--root", str(root)]
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", env=env, check=False)
    if done.returncode not in accept:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise CommandFailed(lines[-1] if lines else f"plan {argv[0]} exited with {done.returncode}")
    return done.stdout


def _document(stdout: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(stdout)
    return loaded


def build_server(default_root: Path | None = None) -> Any:
    """The MCP server with one tool per command; `default_root` is used when a call names none."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError as missing:
        raise EnvironmentProblem(
            f"plan mcp needs the MCP SDK ({missing}): pip install \"planner[mcp]\"") from None

    from planner import __version__

    server = MCPServer(name="planner", version=__version__, instructions=INSTRUCTIONS,
                       log_level="WARNING")

    def call(argv: list[str], root: str | None, accept: tuple[int, ...] = (EXIT_OK,)) -> str:
        chosen = Path(root) if root else default_root
        try:
            return run_plan(argv, chosen, accept=accept)
        except CommandFailed as failure:
            raise ToolError(str(failure)) from None

    def flag(name: str, value: bool) -> list[str]:
        return [name] if value else []

    @server.tool()
    def status(phase: str | None = None, root: str | None = None) -> dict[str, Any]:
        """Phases, their plans with status, progress and open gaps (`plan status --json`)."""
        return _document(call(["status", *([phase] if phase else []), "--json"], root))

    @server.tool()
    def check(strict: bool = False, no_git: bool = False, root: str | None = None) -> dict[str, Any]:
        """Every finding of `plan check --json`; findings are data, not a tool error."""
        argv = ["check", "--json", *flag("--strict", strict), *flag("--no-git", no_git)]
        return _document(call(argv, root, accept=(EXIT_OK, EXIT_FINDINGS)))

    @server.tool()
    def measure(coverage: str | None = None, junit: str | None = None, run: bool = False,
                root: str | None = None) -> dict[str, Any]:
        """Store a snapshot of coverage and test results (`plan measure --json`)."""
        argv = ["measure", "--json", *(["--coverage", coverage] if coverage else []),
                *(["--junit", junit] if junit else []), *flag("--run", run)]
        return _document(call(argv, root))

    @server.tool()
    def start(plan: str, force: bool = False, root: str | None = None) -> dict[str, Any]:
        """Record a plan's start time and base commit (`plan start`); its output lines."""
        return {"output": call(["start", plan, *flag("--force", force)], root).splitlines()}

    @server.tool()
    def close(plan: str, dry_run: bool = False, root: str | None = None) -> dict[str, Any]:
        """Write a plan's SUMMARY from git and the latest snapshot (`plan close --json`)."""
        return _document(call(["close", plan, "--json", *flag("--dry-run", dry_run)], root))

    @server.tool()
    def verify(phase: str, dry_run: bool = False, root: str | None = None) -> dict[str, Any]:
        """Judge a phase's goal and write its VERIFICATION (`plan verify --json`)."""
        return _document(call(["verify", phase, "--json", *flag("--dry-run", dry_run)], root))

    @server.tool()
    def handoff(phase: str, dry_run: bool = False, root: str | None = None) -> dict[str, Any]:
        """Recommend the next plans with their computed impact (`plan handoff --json`)."""
        return _document(call(["handoff", phase, "--json", *flag("--dry-run", dry_run)], root))

    @server.tool()
    def new_plan(phase: str, title: str = "", targets: list[str] | None = None,
                 root: str | None = None) -> dict[str, Any]:
        """Scaffold the next free plan in a phase (`plan new`); the paths written."""
        argv = ["new", phase, "--title", title]
        for target in targets or []:
            argv += ["--target", target]
        return {"written": _written(call(argv, root))}

    @server.tool()
    def render_check(root: str | None = None) -> dict[str, Any]:
        """Whether any generated document is stale (`plan render --check`)."""
        stdout = call(["render", "--check"], root, accept=(EXIT_OK, EXIT_FINDINGS))
        lines = stdout.splitlines()  # ends with "N of M generated document(s) stale"
        stale = int(lines[-1].split()[0]) if lines and lines[-1].split()[0].isdigit() else 0
        return {"stale": stale, "output": lines}

    return server


def _written(stdout: str) -> list[str]:
    return [line.removeprefix("wrote ") for line in stdout.splitlines() if line.startswith("wrote ")]


def serve(default_root: Path | None = None) -> None:
    """Serve the tools on stdin/stdout until the client closes the connection."""
    build_server(default_root).run("stdio")
