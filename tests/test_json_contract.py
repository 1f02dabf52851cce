"""What `--json` promises across releases (README, "JSON output"): every document carries
`schema_version`, and at schema_version 1 no key a consumer may rely on disappears. New keys are
allowed; the recorded key paths in tests/golden/json_keys/ must all still be there.

Regenerate the recorded paths with PLANNER_REGENERATE_GOLDEN=1 only when schema_version is raised.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

GOLDEN = Path(__file__).parent / "golden" / "json_keys"
REGENERATE = os.environ.get("PLANNER_REGENERATE_GOLDEN") == "1"

COMMANDS = {
    "status": ["status", "--json"],
    "check": ["check", "--json"],
    "measure": ["measure", "--json"],
    "close": ["close", "01-01", "--json", "--dry-run"],
    "verify": ["verify", "1", "--json", "--dry-run"],
    "handoff": ["handoff", "1", "--json", "--dry-run"],
}


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value: `phases[].plans[].id`; list items merged under `[]`."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, prefix + "[]") for item in value)) if value else set()
    return set()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_keeps_every_recorded_key_and_says_its_schema_version(name: str, demo_copy: Path,
                                                                    cli: CliRunner) -> None:
    shown = cli(*COMMANDS[name], "--root", str(demo_copy))
    assert shown.exit_code in (0, 1), shown.stderr  # 1: targets missed / findings, still a document
    document = json.loads(shown.stdout)
    assert document["schema_version"] == 1
    paths = key_paths(document)
    golden = GOLDEN / f"{name}.txt"
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text("\n".join(sorted(paths)) + "\n", encoding="utf-8")
    recorded = set(golden.read_text(encoding="utf-8").split())
    assert recorded - paths == set(), f"keys gone from `plan {' '.join(COMMANDS[name])}`"
