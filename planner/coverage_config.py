"""The project's own coverage.py configuration, read by coverage.py itself, and what planner
needs from it: branch measurement (so `coverage` counts branches, as coverage.py's TOTAL does)
and per-test contexts in the JSON report (so the handoff can name the tests that run a line)."""

from __future__ import annotations

from pathlib import Path

# coverage.py's own search order; `.coveragerc` uses bare section names, the others prefixes.
_FILES = ((".coveragerc", True), ("setup.cfg", False), ("tox.ini", False), ("pyproject.toml", False))


def coverage_advice(root: Path) -> list[str]:
    """What to add to the project's coverage configuration, one line each; empty when nothing."""
    try:
        from coverage.config import CoverageConfig
    except ImportError:
        return ["coverage.py is not installed: `plan measure --run` needs pytest-cov and coverage"]
    config = CoverageConfig()
    found = None
    for name, ours in _FILES:
        path = root / name
        try:
            if path.is_file() and config.from_file(str(path), lambda _message: None, our_file=ours):
                found = name
                break
        except Exception as error:  # noqa: BLE001  (coverage.py's ConfigError, or a TOML/INI syntax error)
            return [f"{name}: coverage.py cannot read its configuration ({error})"]
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
