"""GSD's own tools (`gsd-tools.cjs` from the npm package get-shit-done-cc), for interop tests.

.ci/run fetches the pinned release into `.gsd/` at the project root; PLANNER_GSD_TOOLS may name
another copy of `gsd-tools.cjs`. Tests that need it skip with a reason when node or the file is absent.

    from gsd_tools import gsd
    health = gsd(root, "validate", "health")
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

GSD_VERSION = "1.42.3"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TOOLS = (PROJECT_ROOT / ".gsd" / f"get-shit-done-cc-{GSD_VERSION}" / "package" / "get-shit-done" / "bin"
                 / "gsd-tools.cjs")


def gsd_tools() -> tuple[str, Path]:
    """(node, gsd-tools.cjs), or the test is skipped with the reason."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: GSD's tools (gsd-tools.cjs) cannot run")
    tools = Path(os.environ.get("PLANNER_GSD_TOOLS") or DEFAULT_TOOLS)
    if not tools.is_file():
        pytest.skip(f"GSD {GSD_VERSION} not found at {tools}: run .ci/run (it fetches it with "
                    "`npm pack get-shit-done-cc`) or set PLANNER_GSD_TOOLS to a gsd-tools.cjs")
    return node, tools


def gsd(root: Path, *verb: str, workstream: str | None = None) -> Any:
    """Run `gsd-tools.cjs VERB... --cwd ROOT` and return its JSON, with no GSD_* variables set but
    GSD_WORKSTREAM when `workstream` is given."""
    node, tools = gsd_tools()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GSD_")}
    if workstream is not None:
        env["GSD_WORKSTREAM"] = workstream
    result = subprocess.run([node, str(tools), *verb, "--cwd", str(root)], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, f"gsd-tools {' '.join(verb)} failed: {result.stderr}"
    return json.loads(result.stdout)
