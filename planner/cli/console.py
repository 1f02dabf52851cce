"""Text output for people: aligned tables and colour that honours NO_COLOR and pipes."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # a warm `plan status` prints stored bytes: it imports neither typing nor json
    from collections.abc import Sequence
    from typing import Any

_STYLES = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}
_STATUS_STYLE = {
    "complete": "green", "passed": "green", "PASS": "green", "closed": "green",
    "in_progress": "yellow", "in progress": "yellow", "partial": "yellow", "gaps_found": "red",
    "FAIL": "red", "open": "red", "error": "red", "warning": "yellow", "UNMEASURED": "yellow",
}


def colour_enabled(stream: Any = None) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def style(text: str, name: str, *, enabled: bool | None = None) -> str:
    if not (colour_enabled() if enabled is None else enabled) or name not in _STYLES:
        return text
    return f"\033[{_STYLES[name]}m{text}\033[0m"


def status_style(text: str) -> str:
    name = _STATUS_STYLE.get(text)
    return style(text, name) if name else text


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, status_column: int | None = None) -> str:
    """A plain aligned table; the status column (if any) is coloured after alignment."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = ["  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    for row in cells:
        padded = []
        for index, cell in enumerate(row):
            text = cell.ljust(widths[index])
            if index == status_column:
                text = status_style(cell) + " " * (widths[index] - len(cell))
            padded.append(text)
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def to_json(document: Any, *, pretty: bool | None = None, stream: Any = None) -> str:
    """Stable JSON: sorted keys, UTF-8 kept readable.

    Compact (no spaces, through json's C encoder: an indent forces the pure-Python one, 3-4x
    slower on megabytes of status) unless `pretty`, which defaults to whether `stream` (stdout)
    is a terminal: people get two-space indents, pipes and programs get the fast form."""
    import json

    if pretty is None:
        stream = stream or sys.stdout
        pretty = bool(getattr(stream, "isatty", lambda: False)())
    if pretty:
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return json.dumps(document, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def status_table(document: dict[str, Any]) -> str:
    """The `plan status` table and its progress line, from the status document."""
    rows = []
    for phase in document["phases"]:
        done = sum(1 for plan in phase["plans"] if plan["status"] in ("complete", "superseded"))
        open_gaps = sum(1 for gap in phase["gaps"] if gap["status"] != "closed")
        archived = phase.get("milestone") != document.get("milestone")
        shown_id = f"{phase['milestone']}/{phase['id']}" if archived else phase["id"]
        rows.append([shown_id, phase["title"][:48], f"{done}/{len(phase['plans'])}", open_gaps, phase["status"]])
    progress = document["progress"]
    lines = [table(["Phase", "Title", "Plans", "Open gaps", "Status"], rows, status_column=4)] if rows else [
        "No phases yet: plan phase add \"Title\" --goal \"...\""]
    lines.append("")
    lines.append(style(
        f"Progress: {progress['completed_plans']}/{progress['total_plans']} plans complete "
        f"({progress['percent']}%), {progress['completed_phases']}/{progress['total_phases']} phases", "bold"))
    if document["diagnostics"]:
        lines.append(f"{len(document['diagnostics'])} file(s) read with problems: run `plan check` for details")
    return "\n".join(lines)
