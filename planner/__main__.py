"""Entry point for `plan` and `python -m planner`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.tree.index.workers import Workers

FAST_FLAGS = {"status": frozenset({"--json", "--pretty"}),
              "check": frozenset({"--json", "--pretty", "--strict", "--no-git"})}


def entry() -> None:
    """The `plan` command (and `python -m planner`): `main`, then its exit code.

    A read command answered without Typer (`_fast_path`) ends with `os._exit` once its output is
    flushed. The interpreter's own teardown would free, one by one, what a large tree's load left
    (20-35 ms of a cold `plan status` on a 3k-file tree), and the command has nothing left to do:
    its caches are written and its worker processes waited for. Everything else exits as usual."""
    code = None if sys.argv[1:] in (["--version"], ["-V"]) else _fast_path(sys.argv[1:])
    if code is None:
        sys.exit(main())
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: Python's own exit reports it as it always does
        sys.exit(code)
    import os

    os._exit(code)


def main() -> int:
    """Run `plan` with `sys.argv`; the exit code (for callers that go on afterwards, such as tests)."""
    # `plan --version` answers before Typer is imported: start-up is measured against bare Python.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from planner import __version__

        sys.stdout.write(f"plan {__version__}\n")
        return 0
    fast = _fast_path(sys.argv[1:])
    if fast is not None:
        return fast
    from planner.cli.commands import run

    return run(sys.argv[1:])


def _parse(command: str, args: list[str]) -> tuple[set[str], Path | None, list[str]] | None:
    """Flags, --root and positional arguments of a read command; None: something only the full
    CLI handles (help, an unknown option, a misspelling), so the CLI parses and reports it."""
    flags: set[str] = set()
    root: Path | None = None
    positional: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg in FAST_FLAGS[command]:
            flags.add(arg)
        elif arg == "--root":
            value = next(rest, None)
            if value is None or root is not None:
                return None
            root = Path(value)
        elif arg.startswith("--root=") and root is None:
            root = Path(arg.removeprefix("--root="))
        elif arg.startswith("-") or arg == "":
            return None
        else:
            positional.append(arg)
    return flags, root, positional


def _fast_path(argv: list[str]) -> int | None:
    """`plan status` and `plan check` without Typer (~60 ms of imports); None: the CLI does it."""
    if not argv or argv[0] not in FAST_FLAGS:
        return None
    import os

    if os.environ.get("GSD_WORKSTREAM"):  # a workstream's own root: the full CLI resolves it
        return None
    parsed = _parse(argv[0], argv[1:])
    if parsed is None:
        return None
    flags, root, positional = parsed
    if argv[0] == "status" and len(positional) <= 1:
        return _guarded(lambda: _status(flags, root, positional[0] if positional else None))
    if argv[0] == "check" and not positional and "--json" not in flags and sys.stderr.isatty():
        return None  # a person at a terminal: the full CLI, which can show a progress bar
    if argv[0] == "check" and not positional:
        return _guarded(lambda: _check(flags, root))
    return None


def _guarded(command: Callable[[], int]) -> int:
    """Run a fast command with the CLI's error handling: one line and the documented exit code."""
    from planner.errors import EXIT_INTERNAL, PlannerError

    try:
        return command()
    except PlannerError as error:
        sys.stderr.write(f"plan: error: {error.describe(_ROOT[0] or Path.cwd())}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("plan: interrupted\n")
        return 130
    except Exception as error:  # noqa: BLE001  (a bug: one line for people; --debug goes through the CLI)
        sys.stderr.write(f"plan: internal error: {type(error).__name__}: {error} "
                         "(a bug in planner; rerun with --debug for the traceback and report it)\n")
        return EXIT_INTERNAL


_ROOT: list[Path | None] = [None]  # the project root once found, for error messages


def _status(flags: set[str], root: Path | None, phase: str | None) -> int:
    import gc

    gc.disable()  # a short read-only command: collecting among a million young objects is waste
    from planner.tree.index import aside, first_read
    from planner.tree.project_root import find_project_root

    project_root = _ROOT[0] = find_project_root(root=root)
    # on a tree with no index yet, a worker reads phase folders while this process imports and scans
    early = first_read.start(project_root)
    try:
        return _status_of(project_root, flags, phase, early)
    finally:
        if early is not None:
            early.close()
        aside.wait()  # the index, written by a forked copy, is in place when `plan status` returns


def _status_of(project_root: Path, flags: set[str], phase: str | None, early: Workers | None) -> int:
    from planner.cli.console import colour_enabled, status_table, to_json
    from planner.tree.index.outputs import OutputCache

    if "--json" in flags:
        pretty = "--pretty" in flags or bool(sys.stdout.isatty())
        shape = "pretty" if pretty else "compact"
    else:
        shape = "table-colour" if colour_enabled() else "table"
    cache = OutputCache(project_root, f"status-{shape}", phase or "")
    stored = cache.get()
    if stored is not None:  # the tree as it was when this output was computed: print it again
        sys.stdout.flush()
        sys.stdout.buffer.write(stored)
        return 0
    from planner.tree.index.session import load_project_indexed

    # planner.status is imported while worker processes read (its ~10 ms of imports off the serial
    # start); the index is written by a forked copy while this process computes the output
    project, stats = load_project_indexed(project_root, scanned=cache.scanned(), remember=False,
                                          meanwhile=_import_status, save_aside=True, early=early)
    from planner.status import project_status

    for warning in stats.warnings:
        sys.stderr.write(f"plan: warning: {warning}\n")
    phases = None
    if phase is not None:
        phases = (project.find_phase(phase),)
    document = project_status(project, phases)
    del project, phases  # a 24,000-document model: its memory goes to the output
    text = to_json(document, pretty=shape == "pretty") if "--json" in flags else status_table(document)
    del document
    output = (text + "\n").encode("utf-8", "surrogateescape")
    del text
    sys.stdout.flush()
    sys.stdout.buffer.write(output)
    if not stats.warnings:
        cache.put(output)
    return 0


def _import_status() -> None:
    import planner.status  # noqa: F401


def _check(flags: set[str], root: Path | None) -> int:
    from planner.tree.project_root import find_project_root

    project_root = _ROOT[0] = find_project_root(root=root)
    pretty = "--pretty" in flags or bool(sys.stdout.isatty())
    shape = ("pretty" if pretty else "compact") if "--json" in flags else "text"
    from planner.tree.index.outputs import OutputCache
    from planner.tree.index.scan import folder_signature, planning_neighbours

    # check reads the files the index stamps, the snapshots SUMMARYs pin, the planning roots
    # beside this one (DOC603) and, with git, the repository's refs: with all of them unchanged,
    # its output is the one kept
    no_git = "--no-git" in flags
    refs = None
    if not no_git:
        from planner.check.git_history import refs_state

        refs = refs_state(project_root)  # None outside a repository: git's findings say why, not kept
    cache = None
    if no_git or refs is not None:
        snapshots = folder_signature(project_root / ".planning" / "metrics" / "snapshots")
        cache = OutputCache(project_root, f"check-{shape}" + ("" if no_git else "-git"),
                            "strict" if "--strict" in flags else "", snapshots, planning_neighbours(project_root),
                            refs or "")
        stored = cache.get()
        kept_code, _, text = (stored or b"").partition(b"\n")
        if stored is not None and kept_code.isdigit():
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            return int(kept_code)
    from planner.check import check_report_to_dict, check_root, exit_code, format_findings
    from planner.cli.console import to_json

    report = check_root(project_root, git="--no-git" not in flags)
    warnings = report.index.warnings if report.index else ()
    for warning in warnings:
        sys.stderr.write(f"plan: warning: {warning}\n")
    if "--json" in flags:
        output = to_json(check_report_to_dict(report), pretty=pretty) + "\n"
    else:
        output = "\n".join(format_findings(report)) + "\n"
    sys.stdout.write(output)
    code = exit_code(report, "--strict" in flags)
    if cache is not None and not warnings:
        cache.put(f"{code}\n{output}".encode("utf-8", "surrogateescape"))
    return code


if __name__ == "__main__":
    entry()
