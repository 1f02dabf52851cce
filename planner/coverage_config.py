"""What the project's coverage.py configuration leaves out of measurement: its `[run] omit`
patterns, read the way coverage.py finds its configuration file.

coverage.py reads `.coveragerc` when it exists, else the first of `setup.cfg`, `tox.ini` (sections
`[coverage:run]`) and `pyproject.toml` (`[tool.coverage.run]`) that has coverage settings. A
file an omit pattern matches is not recommended for coverage work even when an older snapshot
still measured it. Unreadable configuration gives no patterns and says why.
"""

from __future__ import annotations

import configparser
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

_MAX_BYTES = 1_000_000  # a coverage configuration is small; anything larger is not one


@dataclass(frozen=True)
class OmitRules:
    """The omit patterns and the file they come from (None: no configuration found)."""

    patterns: tuple[str, ...] = ()
    source: str | None = None
    problem: str | None = None  # why the configuration could not be read

    def omits(self, root: Path, path: str) -> bool:
        """Whether coverage.py would leave `path` (relative to `root`) out of measurement."""
        absolute = (root / path).as_posix()
        return any(fnmatchcase(path, pattern) or fnmatchcase(absolute, _absolute(root, pattern))
                   for pattern in self.patterns)


def _absolute(root: Path, pattern: str) -> str:
    # coverage.py makes a relative pattern absolute against the current directory; patterns that
    # start with a wildcard stay as written
    if pattern.startswith(("*", "/")):
        return pattern
    return (root / pattern).as_posix()


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for line in value.splitlines() for part in line.split(",") if part.strip())


def _read_text(path: Path) -> str | None:
    if not path.is_file() or path.stat().st_size > _MAX_BYTES:
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def _ini(path: Path, section: str, *, required: bool) -> OmitRules | None:
    text = _read_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as error:
        return OmitRules(source=path.name, problem=f"{path.name} does not parse: {error.message}")
    if not required and not any(name.startswith("coverage:") for name in parser.sections()):
        return None
    patterns = _split(parser.get(section, "omit", fallback=""))
    return OmitRules(patterns, path.name)


def _pyproject(path: Path) -> OmitRules | None:
    text = _read_text(path)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return OmitRules(source=path.name, problem=f"{path.name} does not parse: {error}")
    coverage = data.get("tool", {}).get("coverage") if isinstance(data.get("tool"), dict) else None
    if not isinstance(coverage, dict):
        return None
    run = coverage.get("run")
    omit = run.get("omit", []) if isinstance(run, dict) else []
    patterns = tuple(str(p) for p in omit) if isinstance(omit, list) else _split(str(omit))
    return OmitRules(patterns, path.name)


def omit_rules(root: Path) -> OmitRules:
    """The omit rules of the project at `root`, from the file coverage.py would read."""
    found = _ini(root / ".coveragerc", "run", required=True)
    if found is not None:
        return found
    for name in ("setup.cfg", "tox.ini"):
        found = _ini(root / name, "coverage:run", required=False)
        if found is not None:
            return found
    return _pyproject(root / "pyproject.toml") or OmitRules()
