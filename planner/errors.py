"""The one exception family of planner. Each error knows its exit code; only cli.py catches."""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1  # findings, a failed target or gate, a stale document
EXIT_INPUT = 2  # bad input or usage: a file we cannot read, an unknown id, a refused overwrite
EXIT_ENVIRONMENT = 3  # the world around us: git missing, no project found, not a repository
EXIT_INTERNAL = 4  # a bug in planner itself: reported in one line, traceback with --debug


class PlannerError(Exception):
    """Base of every error planner raises on purpose. Carries where the problem is."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column

    def location(self, relative_to: Path | None = None) -> str:
        """`path:line:column` (as much of it as is known), the path relative when possible."""
        if self.path is None:
            return ""
        shown = str(self.path)
        if relative_to is not None:
            shown = _relative(self.path, relative_to) or shown
        parts = [shown]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def describe(self, relative_to: Path | None = None) -> str:
        """The one line the CLI prints."""
        where = self.location(relative_to)
        return f"{where}: {self.message}" if where else self.message

    def __str__(self) -> str:
        return self.describe()


def _relative(path: Path, root: Path) -> str | None:
    """`path` relative to `root`: as written first (the link itself, not where it leads), then
    with links resolved; None when it is outside. A loop of links is no reason to fail here."""
    import os

    for resolve in (False, True):
        try:
            if resolve:
                shown, base = path.resolve(), root.resolve()
            else:
                shown, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
            return shown.relative_to(base).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue
    return None


class InputError(PlannerError):
    """A file, id, option or expression the user gave is wrong."""

    exit_code = EXIT_INPUT


class ConflictError(InputError):
    """Planner refuses to overwrite or destroy something a person wrote."""


class EnvironmentProblem(PlannerError):
    """Something outside the user's input is missing: git, a repository, a project."""

    exit_code = EXIT_ENVIRONMENT


class ProjectNotFound(EnvironmentProblem):
    """No `.planning/` folder was found."""


class GitProblem(EnvironmentProblem):
    """git is missing, the folder is no repository, or history is unusable."""
