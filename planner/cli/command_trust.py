"""Which test commands the person at this machine has accepted for `plan measure --run`.

A cloned repository's `planner.test_command` is code. The first `--run` of a command, and the
first after it changed, needs consent: `--trust-command`, or a yes at the prompt on a terminal.
Accepted commands are remembered in `.planning/.cache/trusted-commands` (the cache is never
committed, so a clone brings no consent with it), one sha256 of (project folder, command) a line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from planner.errors import InputError
from planner.model import Project

TRUST_FILE = "trusted-commands"


class UntrustedCommand(InputError):
    """`measure --run` of a command not accepted here before; exit 2 without running anything."""


def _digest(project: Project) -> str:
    key = json.dumps([str(project.root.resolve()), list(project.config.test_command)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _accepted(project: Project) -> set[str]:
    from planner.storage.safeio import CACHE, NotReadable, read_bounded

    path = project.planning_dir / CACHE / TRUST_FILE
    try:
        data = read_bounded(path, 1024 * 1024, what="trusted-command list", follow=False)
    except NotReadable:
        return set()
    return set(data.decode("ascii", errors="replace").split())


def is_trusted(project: Project) -> bool:
    """True when this project's current test command was accepted here before."""
    return _digest(project) in _accepted(project)


def trust(project: Project) -> None:
    """Remember the current test command as accepted (planner's own file, never through a link)."""
    from planner.storage.safeio import CACHE, write_own

    lines = sorted(_accepted(project) | {_digest(project)})
    write_own(project.planning_dir, CACHE, TRUST_FILE, data=("\n".join(lines) + "\n").encode("ascii"))


def untrusted(project: Project) -> UntrustedCommand:
    """The error for a command that was not accepted: it names the command and how to accept it."""
    shown = " ".join(project.config.test_command) or "(none)"
    return UntrustedCommand(
        f"planner.test_command is new here or changed since it was last accepted: `{shown}`. "
        "It runs as written, with your rights: read it, then rerun with --trust-command",
        project.planning_dir / "config.json")


def require_consent(project: Project, *, accepted: bool, ask: Callable[[str], bool] | None) -> None:
    """Return when the test command may run (accepted before, `accepted` now, or yes to `ask`);
    UntrustedCommand otherwise. A command accepted now is remembered."""
    if is_trusted(project) or not project.config.test_command:
        return
    if not accepted and ask is not None:
        accepted = ask(" ".join(project.config.test_command))
    if not accepted:
        raise untrusted(project)
    trust(project)
