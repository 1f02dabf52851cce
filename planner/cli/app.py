"""The `plan` Typer app itself: its options, the state one command runs in, and the small
endings every command shares (loading the project, `wrote PATH`, a document's JSON or preview).
The commands are in `planner.cli.commands`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planner import __version__
from planner.cli.console import to_json

if TYPE_CHECKING:
    from planner.model import Project
    from planner.tree.documents import PendingWrite

app = typer.Typer(
    name="plan",
    help="Keep a project's .planning/ documents true: written from git, coverage and test evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
)
phase_app = typer.Typer(help="Add phases (next number, or a decimal phase inserted after N).", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(phase_app, name="phase")

cli_state: dict[str, Any] = {"debug": False, "root": None}

RootOption = Annotated[
    Path | None,
    typer.Option("--root",
                 help="Project folder holding .planning/ (default: nearest one above the working directory)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a stable JSON document instead of a table.")]
PrettyOption = Annotated[bool, typer.Option("--pretty", help="Indent the JSON (the default on a terminal; "
                                                             "pipes get compact JSON).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    workstream: Annotated[str | None, typer.Option(
        "--workstream",
        help="Work in .planning/workstreams/NAME/ (default: the GSD_WORKSTREAM environment variable, else .planning/).",
    )] = None,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """planner: summaries, verifications and handoffs written from evidence."""
    cli_state["debug"] = debug
    from planner.tree.workstreams import choose

    choose(workstream)


def load_root(root: Path | None) -> Project:
    """The project at `root` (or the nearest one above the working directory), through the index."""
    from planner.tree.index.session import load_project_indexed
    from planner.tree.reader import find_project_root

    project_root = find_project_root(root=root)
    cli_state["root"] = project_root
    project, stats = load_project_indexed(project_root)
    for warning in stats.warnings:
        sys.stderr.write(f"plan: warning: {warning}\n")
    return project


def note_unmanaged(project: Project) -> None:
    """Say which ROADMAP.md / STATE.md a writer left alone because they have no planner markers."""
    from planner.facts.progress import unmanaged_documents

    for path in unmanaged_documents(project.planning_dir):
        sys.stderr.write(f"plan: note: {project.relative(path)} has no planner markers (written by hand?); "
                         "left as it is\n")


def echo_written(project_root: Path, paths: tuple[Path, ...]) -> None:
    from planner.model import shown_path

    for path in paths:
        typer.echo(f"wrote {shown_path(path, project_root)}")


def report_document(project: Project, pending: PendingWrite, written: bool, json_document: dict[str, Any] | None,
                    *, dry_run: bool, diff: bool, pretty: bool = False) -> bool:
    """The common ending of close, verify and handoff: JSON, the preview, or `wrote PATH`.

    True when that is all the command prints; False when it goes on with its own summary lines."""
    shown = project.relative(pending.path)
    if json_document is not None:
        typer.echo(to_json(json_document, pretty=pretty or None))
    elif diff:
        typer.echo(pending.diff(shown) or f"{shown}: no change")
    elif dry_run:
        typer.echo(pending.printable_text, nl=False)
    else:
        typer.echo(f"{'wrote' if written else 'unchanged'} {shown}")
        return False
    return True


DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the document instead of writing it.")]
DiffOption = Annotated[bool, typer.Option("--diff", help="Show what would change, write nothing.")]
