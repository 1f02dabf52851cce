"""Entry point for `plan` and `python -m planner`."""

from __future__ import annotations

import sys


def main() -> int:
    # `plan --version` answers before Typer is imported: start-up is measured against bare Python.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from planner import __version__

        sys.stdout.write(f"plan {__version__}\n")
        return 0
    if sys.argv[1:2] == ["status"]:
        code = _fast_status(sys.argv[2:])
        if code is not None:
            return code
    from planner.cli import run

    return run(sys.argv[1:])


def _fast_status(args: list[str]) -> int | None:
    """`plan status --json [--root DIR]` without Typer (~70 ms of imports); None: the CLI does it."""
    import gc
    from pathlib import Path

    rest = [arg for arg in args if arg != "--json"]
    root = None
    if len(rest) == 2 and rest[0] == "--root":
        root, rest = Path(rest[1]), []
    if rest or "--json" not in args:
        return None
    gc.disable()  # a short read-only command: collecting among a million young objects is waste
    from planner.console import to_json
    from planner.errors import PlannerError
    from planner.index import load_project_indexed
    from planner.reader import find_project_root
    from planner.status import project_status

    project_root = None
    try:
        project_root = find_project_root(root=root)
        project, stats = load_project_indexed(project_root)
    except PlannerError as error:
        sys.stderr.write(f"plan: error: {error.describe(project_root or Path.cwd())}\n")
        return error.exit_code
    for warning in stats.warnings:
        sys.stderr.write(f"plan: warning: {warning}\n")
    sys.stdout.write(to_json(project_status(project)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
