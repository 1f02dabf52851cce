"""The `plan` command line: parse options, call one core function, print a table or JSON."""

from __future__ import annotations

import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import (
    DiffOption,
    DryRunOption,
    JsonOption,
    PrettyOption,
    RootOption,
    app,
    cli_state,
    echo_written,
    load_root,
    note_unmanaged,
    phase_app,
    report_document,
)
from planner.cli.console import status_table as _status_table
from planner.cli.console import style, table, to_json
from planner.errors import EXIT_INTERNAL, PlannerError

__all__ = ["app", "run"]


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create .planning/ in.")] = Path("."),
) -> None:
    """Create .planning/ with ROADMAP.md, STATE.md and config.json."""
    from planner.evidence.coverage_config import coverage_advice
    from planner.scaffold import init_project

    cli_state["root"] = directory.resolve()
    created = init_project(directory.resolve())
    echo_written(directory.resolve(), created.paths)
    typer.echo("commit .planning/ with its metrics/snapshots/: they are the evidence documents are "
               "rebuilt from (only .cache/ is ignored)")
    for advice in coverage_advice(directory.resolve()):
        typer.echo(f"coverage: {advice}")


@phase_app.command("add")
def phase_add(
    title: Annotated[str, typer.Argument(help="Phase title; the folder is NN-slug of it.")],
    goal: Annotated[str, typer.Option(help="What must be true when the phase is done.")] = "",
    target: Annotated[list[str] | None,
                      typer.Option(help="Target expression, e.g. 'coverage >= 80'. Repeatable.")] = None,
    insert_after: Annotated[str | None, typer.Option(help="Insert a decimal phase after phase N.")] = None,
    root: RootOption = None,
) -> None:
    """Add the next phase (or a decimal phase after N)."""
    from planner.scaffold import add_phase

    project = load_root(root)
    created = add_phase(project, title, goal=goal, targets=target or [], insert_after=insert_after)
    echo_written(project.root, created.paths)
    note_unmanaged(project)


@app.command()
def new(
    phase: Annotated[str, typer.Argument(help="Phase number (3, 08.1) or folder name.")],
    title: Annotated[str, typer.Option(help="Plan title.")] = "",
    gap: Annotated[bool, typer.Option("--gap", help="A gap-closure plan (id NN-GAP-MM).")] = False,
    requires: Annotated[list[str] | None, typer.Option(help="Plan id this plan requires. Repeatable.")] = None,
    target: Annotated[list[str] | None, typer.Option(help="Target expression. Repeatable.")] = None,
    closes: Annotated[list[str] | None, typer.Option(help="Gap id this plan closes. Repeatable.")] = None,
    root: RootOption = None,
) -> None:
    """Scaffold the next free plan in a phase from the plan template."""
    from planner.scaffold import new_plan

    project = load_root(root)
    created = new_plan(project, phase, title=title, gap=gap, requires=requires or [],
                       targets=target or [], closes=closes or [])
    echo_written(project.root, created.paths)
    note_unmanaged(project)


@app.command()
def start(
    plan: Annotated[str, typer.Argument(help="Plan id, e.g. 12-03.")],
    force: Annotated[bool, typer.Option("--force", help="Restart a plan that was already started.")] = False,
    root: RootOption = None,
) -> None:
    """Record the start time and base commit of a plan and mark it in progress."""
    from planner.start import start_plan

    project = load_root(root)
    started = start_plan(project, plan, force=force)
    for warning in started.warnings:
        typer.echo(f"plan: warning: {warning}", err=True)
    base = started.base_commit[:12] if started.base_commit else "none"
    typer.echo(f"started {started.plan_id} at {started.started} (base commit {base})")
    note_unmanaged(project)


@app.command("measure")
def measure_command(
    coverage: Annotated[Path | None, typer.Option(
        "--coverage", help="Coverage report: coverage.py JSON, Cobertura XML or LCOV.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="JUnit XML test report.")] = None,
    run: Annotated[bool, typer.Option(
        "--run", help="Run the configured test command first; failing tests are recorded, not fatal.")] = False,
    trust_command: Annotated[bool, typer.Option(
        "--trust-command", help="Accept a test command that is new here or changed (it runs as written); "
        "without it --run asks on a terminal and exits 2 otherwise.")] = False,
    json_output: JsonOption = False,
    pretty: PrettyOption = False,
    root: RootOption = None,
) -> None:
    """Store a snapshot of coverage and test results under .planning/metrics/snapshots/."""
    from planner.measure import format_summary, measure, snapshot_summary

    project = load_root(root)
    if run:
        from planner.cli.command_trust import require_consent

        ask = (lambda shown: typer.confirm(f"plan: the test command is new here or changed: `{shown}`. Run it?",
                                           err=True)) if sys.stdin.isatty() and sys.stderr.isatty() else None
        require_consent(project, accepted=trust_command, ask=ask)
    progress = (lambda line: typer.echo(line, err=True)) if run else None
    result = measure(project, coverage=coverage, junit=junit, run=run, on_output=progress)
    if json_output:
        typer.echo(to_json({**snapshot_summary(result.snapshot), "path": project.relative(result.path)},
                           pretty=pretty or None))
        return
    typer.echo(format_summary(result.snapshot))
    for warning in result.warnings:
        typer.echo(style(f"warning: {warning}", "yellow"), err=True)
    echo_written(project.root, (result.path,))


@app.command()
def close(
    plan: Annotated[str, typer.Argument(help="Plan id, e.g. 12-03.")],
    superseded_by: Annotated[list[str] | None, typer.Option(
        "--superseded-by", help="Close the plan as replaced by this plan (repeatable).")] = None,
    dry_run: DryRunOption = False,
    diff: DiffOption = False,
    json_output: JsonOption = False,
    pretty: PrettyOption = False,
    root: RootOption = None,
) -> None:
    """Measure a plan from git and the latest snapshot and write its SUMMARY.

    Closed as COMPLETE (targets met), TARGETS MISSED (executed; the misses become gaps of the
    phase) or SUPERSEDED. Run twice with nothing new in between, the second run writes nothing."""
    from planner.cli.result_json import close_json
    from planner.close import close_plan

    project = load_root(root)
    result = close_plan(project, plan, dry_run=dry_run or diff, superseded_by=tuple(superseded_by or ()))
    document = close_json(result) if json_output else None
    if not report_document(project, result.summary, result.written, document, dry_run=dry_run, diff=diff,
                            pretty=pretty):
        if result.unchanged:
            typer.echo("nothing new since the plan was closed: no new commit names it")
        typer.echo(result.facts.outcome)
        note_unmanaged(project)


@app.command()
def verify(
    phase: Annotated[str, typer.Argument(help="Phase number or folder name.")],
    dry_run: DryRunOption = False,
    diff: DiffOption = False,
    json_output: JsonOption = False,
    pretty: PrettyOption = False,
    root: RootOption = None,
) -> None:
    """Judge the phase goal on the latest snapshot, open and close gaps, write VERIFICATION.md."""
    from planner.cli.result_json import verify_json
    from planner.verify import verify_phase

    project = load_root(root)
    result = verify_phase(project, phase, dry_run=dry_run or diff)
    document = verify_json(result) if json_output else None
    if report_document(project, result.document, result.written, document, dry_run=dry_run, diff=diff,
                        pretty=pretty):
        return
    typer.echo(f"status: {result.status} ({len(result.facts.unresolved)} open or partial gap(s))")
    note_unmanaged(project)


@app.command()
def handoff(
    phase: Annotated[str, typer.Argument(help="Phase number or folder name.")],
    scaffold: Annotated[bool, typer.Option(
        "--scaffold", help="Create the next phase with a PLAN per recommendation.")] = False,
    dry_run: DryRunOption = False,
    diff: DiffOption = False,
    json_output: JsonOption = False,
    pretty: PrettyOption = False,
    root: RootOption = None,
) -> None:
    """Recommend the next plans from the gaps and the evidence; write NN-HANDOFF.md."""
    from planner.cli.result_json import handoff_json
    from planner.handoff import handoff_phase

    project = load_root(root)
    result = handoff_phase(project, phase, scaffold=scaffold, dry_run=dry_run or diff)
    document = handoff_json(result, project) if json_output else None
    if report_document(project, result.document, result.written, document, dry_run=dry_run, diff=diff,
                        pretty=pretty):
        return
    echo_written(project.root, result.created)
    typer.echo(f"{len(result.report.recommendations)} recommended plan(s); reachable: {result.report.reachable}")


@app.command("render")
def render_command(
    check: Annotated[bool, typer.Option(
        "--check", help="Exit 1 when a generated document is stale; write nothing.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Name the documents that would be rewritten.")] = False,
    diff: DiffOption = False,
    root: RootOption = None,
) -> None:
    """Rebuild generated SUMMARY and VERIFICATION documents from the evidence they record."""
    from planner.model import shown_path
    from planner.render_check import render_documents

    project = load_root(root)
    result = render_documents(project, dry_run=check or dry_run or diff)
    for document in result.stale:
        shown = shown_path(document.path, project.root)
        if check or diff:
            typer.echo(f"stale: {shown}: {document.reason}")
            if document.diff:
                typer.echo(document.diff)
        elif dry_run:
            typer.echo(f"would rewrite {shown}: {document.reason}")
        elif document.path in result.written:
            typer.echo(f"rewrote {shown}")
    if check or dry_run or diff:
        typer.echo(f"{len(result.stale)} of {result.checked} generated document(s) stale")
    else:
        typer.echo(f"{len(result.written)} of {result.checked} generated document(s) rewritten")
    if check and result.stale:
        raise typer.Exit(1)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


@app.command()
def check(
    json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    output_format: Annotated[CheckFormat, typer.Option(
        "--format", help="text (people), json, github (workflow annotations), sarif (code scanning) "
                         "or junit (one test case per document).")] = CheckFormat.text,
    pretty: PrettyOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Skip the rules that ask git.")] = False,
    root: RootOption = None,
) -> None:
    """Check planning documents against the schema, each other, and git: exit 1 on errors."""
    from planner.check import check_root, exit_code
    from planner.cli.check_formats import render_report
    from planner.cli.progress_bar import progress_bar
    from planner.tree.reader import find_project_root

    chosen = "json" if json_output else output_format.value
    project_root = find_project_root(root=root)
    cli_state["root"] = project_root
    with progress_bar("checking", enabled=chosen != "json") as advance:
        report = check_root(project_root, git=not no_git, progress=advance)
    for warning in report.index.warnings if report.index else ():
        sys.stderr.write(f"plan: warning: {warning}\n")
    printed = render_report(report, chosen, strict=strict, base=Path.cwd(),  # type: ignore[arg-type]
                            pretty=pretty or None)
    if printed:
        typer.echo(printed)  # `github` with nothing found prints nothing, like ruff
    raise typer.Exit(exit_code(report, strict))


@app.command()
def status(
    phase: Annotated[str | None, typer.Argument(help="Only this phase.")] = None,
    all_milestones: Annotated[bool, typer.Option(
        "--all-milestones", help="Also the archived phases of finished milestones (milestones/v*-phases/).",
    )] = False,
    json_output: JsonOption = False,
    pretty: PrettyOption = False,
    root: RootOption = None,
) -> None:
    """Phases of the current milestone, their plans with status, progress and open gaps."""
    from planner.status import project_status

    project = load_root(root)
    phases = (project.find_phase(phase),) if phase else None
    document = project_status(project, phases, all_milestones=all_milestones)
    if json_output:
        typer.echo(to_json(document, pretty=pretty or None))
        return
    typer.echo(_status_table(document))


@app.command()
def demo(
    directory: Annotated[Path | None, typer.Argument(
        help="Empty or new folder for the example (default: a new temporary folder).")] = None,
) -> None:
    """Build an example project and run the whole cycle on it: new, start, measure, close, verify, handoff."""
    from planner.demo import run_demo
    from planner.status import project_status
    from planner.tree.reader import load_project

    result = run_demo(directory, step=lambda message: typer.echo(f"- {message}"))
    cli_state["root"] = result.directory
    typer.echo("")
    typer.echo(f"Example project: {result.directory}")
    rows = [[label, path.relative_to(result.directory).as_posix()] for label, path in result.documents]
    typer.echo(table(["Document", "Path"], rows))
    typer.echo("")
    typer.echo(_status_table(project_status(load_project(result.directory))))
    typer.echo("")
    typer.echo(f"Look around: cd {result.directory} && plan status && plan check")


@app.command()
def schema(json_output: JsonOption = True) -> None:
    """Print the JSON Schema of PLAN frontmatter."""
    from planner.tree.schema import json_schema

    typer.echo(to_json(json_schema(), pretty=True))


@app.command("mcp")
def mcp_command(root: RootOption = None) -> None:
    """Serve planner's commands as Model Context Protocol tools on stdio (needs planner[mcp])."""
    from planner.cli.mcp_server import serve

    serve(root.resolve() if root else None)


def run(argv: list[str]) -> int:
    """Run the app; turn planner's errors into one line and an exit code."""
    try:
        app(args=argv, prog_name="plan")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except PlannerError as error:
        if cli_state["debug"]:
            traceback.print_exc()
        sys.stderr.write(f"plan: error: {error.describe(cli_state['root'] or Path.cwd())}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("plan: interrupted\n")
        return 130
    except Exception as error:  # noqa: BLE001  (a bug: one line for people, the traceback on request)
        if cli_state["debug"]:
            traceback.print_exc()
        sys.stderr.write(f"plan: internal error: {type(error).__name__}: {error} "
                         "(a bug in planner; rerun with --debug for the traceback and report it)\n")
        return EXIT_INTERNAL
    finally:
        from planner.tree.workstreams import choose

        choose(None)  # --workstream holds for this one command
    return 0
