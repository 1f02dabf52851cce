"""The project's own coverage.py configuration, read by coverage.py itself, and what planner
needs from it: branch measurement (so `coverage` counts branches, as coverage.py's TOTAL does),
per-test contexts in the JSON report (so the handoff can name the tests that run a line), and
the `[run] omit` patterns (so the handoff never recommends covering a file coverage.py leaves out)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coverage.config import CoverageConfig

# coverage.py's own search order; `.coveragerc` uses bare section names, the others prefixes.
_FILES = ((".coveragerc", True), ("setup.cfg", False), ("tox.ini", False), ("pyproject.toml", False))


def _load(root: Path) -> tuple[CoverageConfig | None, str | None, str | None]:
    """coverage.py's configuration of the project and the file it came from; the configuration is
    None exactly when it could not be read, and the third item says why."""
    try:
        from coverage.config import CoverageConfig
    except ImportError:
        return None, None, "coverage.py is not installed: `plan measure --run` needs pytest-cov and coverage"
    config = CoverageConfig()
    for name, ours in _FILES:
        path = root / name
        try:
            if path.is_file() and config.from_file(str(path), lambda _message: None, our_file=ours):
                return config, name, None
        except Exception as error:  # noqa: BLE001  (coverage.py's ConfigError, or a TOML/INI syntax error)
            return None, name, f"{name}: coverage.py cannot read its configuration ({error})"
    return config, None, None


def coverage_advice(root: Path) -> list[str]:
    """What to add to the project's coverage configuration, one line each; empty when nothing."""
    config, found, problem = _load(root)
    if config is None:
        return [problem] if problem else []
    where = found or "pyproject.toml"
    section = "[tool.coverage.{}]" if where == "pyproject.toml" else (
        "[{}]" if where == ".coveragerc" else "[coverage:{}]")
    value = "true" if where == "pyproject.toml" else "True"
    advice = []
    if not config.branch:
        advice.append(f"{where}: add `{section.format('run')} branch = {value}` so coverage counts branches "
                      "as coverage.py's TOTAL does")
    if not config.json_show_contexts:
        advice.append(f"{where}: add `{section.format('json')} show_contexts = {value}` so the JSON report "
                      "keeps per-test contexts (the handoff names the tests that run each line)")
    return advice


@dataclass(frozen=True)
class OmitRules:
    """The `[run] omit` patterns and the file they come from (None: no configuration found)."""

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
    # start with a wildcard or a slash stay as written
    if pattern.startswith(("*", "/")):
        return pattern
    return (root / pattern).as_posix()


def omit_rules(root: Path) -> OmitRules:
    """The omit rules of the project at `root`, from the file coverage.py would read."""
    config, found, problem = _load(root)
    if config is None:
        return OmitRules(source=found, problem=problem)
    return OmitRules(tuple(str(p) for p in config.run_omit or ()), found)
