"""`.planning/config.json` read and checked: every value planner uses has the type it needs.

A cloned repository's config is input like any other (and its `test_command` is code that
`plan measure --run` runs): a wrong type, a NUL in an argument, a 5,000-digit number, deep
nesting, invalid UTF-8 or a FIFO in its place is one InputError naming the file, never a crash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

from planner.errors import InputError
from planner.model import Config

MAX_CONFIG_BYTES = 1024 * 1024
# what `plan init` writes; its test command is also the one `measure --run` uses when none is set
DEFAULT_CONFIG = {
    "planner": {
        "test_command": [
            # bare --cov: the project's own coverage configuration (source, omit, branch) decides
            "python", "-m", "pytest", "--cov", "--cov-context=test",
            "--cov-report=json:.planning/metrics/coverage.json", "--junitxml=.planning/metrics/junit.xml",
        ],
        "coverage_report": ".planning/metrics/coverage.json",
        "junit_report": ".planning/metrics/junit.xml",
        "groups": {},
    }
}


def read_config(planning_dir: Path, inherit_from: Path | None = None) -> Config:
    """planner's settings from `config.json` (its `planner` section); defaults when absent.

    A workstream's config inherits `inherit_from`'s (the root `.planning/`): its own keys win,
    inside the `planner` section too."""
    path = planning_dir / "config.json"
    data, text = _load(path)
    if inherit_from is not None:
        parent, _ = _load(inherit_from / "config.json")
        if isinstance(parent, dict) and isinstance(data, dict):
            own, inherited = data.get("planner"), parent.get("planner")
            data = {**parent, **data}
            if isinstance(own, dict) and isinstance(inherited, dict):
                data["planner"] = {**inherited, **own}
    if not data:
        return Config()
    section = data.get("planner", {}) if isinstance(data, dict) else {}
    if not isinstance(section, dict):
        raise InputError("the 'planner' section of config.json must be an object", path, _line_of(text, "planner"))
    code = data.get("project_code") if isinstance(data, dict) else None
    return Config(
        project_code=code.strip() if isinstance(code, str) else "",
        test_command=_command(section.get("test_command", ()), path, text),
        coverage_report=_text(section, "coverage_report", Config.coverage_report, path, text),
        junit_report=_text(section, "junit_report", Config.junit_report, path, text),
        groups=_groups(section.get("groups", {}), path, text),
    )


def _load(path: Path) -> tuple[object, str]:
    """The parsed JSON of a config file and its text; ({}, "") when there is none."""
    import os

    from planner.storage.safeio import decode_utf8, read_bounded

    if not os.path.lexists(path):
        return {}, ""
    text = decode_utf8(read_bounded(path, MAX_CONFIG_BYTES, what="config"), path, "config")
    return _parse(text.removeprefix("\ufeff"), path), text


def _parse(text: str, path: Path) -> object:
    def refuse(name: str) -> NoReturn:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise InputError(f"config is not valid JSON: {error.msg}", path, error.lineno, error.colno) from None
    except RecursionError:
        raise InputError("config is nested too deeply to be a config", path) from None
    except ValueError as error:  # a number of over 4,300 digits, NaN, Infinity
        raise InputError(f"config is not usable JSON: {str(error).split(';')[0]}", path) from None


def _line_of(text: str, key: str) -> int | None:
    index = text.find(f'"{key}"')
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _command(value: object, path: Path, text: str) -> tuple[str, ...]:
    line = _line_of(text, "test_command")
    if isinstance(value, str):
        parts = value.split()
    elif isinstance(value, (list, tuple)) and all(isinstance(part, str) for part in value):
        parts = list(value)
    else:
        raise InputError("'planner.test_command' must be a string or a list of strings "
                         f"(the command and its arguments), not {_kind(value)}", path, line)
    if any("\0" in part for part in parts):
        raise InputError("'planner.test_command' holds a NUL character", path, line)
    if value != () and (not parts or not parts[0]):
        raise InputError("'planner.test_command' is empty: give the command to run", path, line)
    return tuple(parts)


def _text(section: dict[str, object], key: str, default: str, path: Path, text: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or "\0" in value:
        raise InputError(f"'planner.{key}' must be a path as a string, not {_kind(value)}", path, _line_of(text, key))
    return value


def _groups(value: object, path: Path, text: str) -> dict[str, tuple[str, ...]]:
    line = _line_of(text, "groups")
    if not isinstance(value, dict):
        raise InputError("'planner.groups' must map group names to lists of glob patterns", path, line)
    groups = {}
    for name, patterns in value.items():
        listed = patterns if isinstance(patterns, list) else [patterns]
        if not all(isinstance(pattern, str) and "\0" not in pattern for pattern in listed):
            raise InputError(f"'planner.groups.{name}' must be a glob pattern or a list of them", path, line)
        groups[str(name)] = tuple(listed)
    return groups


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list holding something other than strings"
    if isinstance(value, dict):
        return "an object"
    return "a string with a NUL character" if isinstance(value, str) else type(value).__name__
