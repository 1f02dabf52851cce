"""Read a Cobertura XML coverage report (coverage.py, jest/istanbul, gcovr)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError
from planner.evidence.reports.linecounts import LineCounts
from planner.evidence.reports.paths import normalise_paths
from planner.evidence.reports.safexml import parse_xml
from planner.evidence.reports.types import CoverageReport, FileCoverage

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

FORMAT = "cobertura"
_CONDITION = re.compile(r"\((\d+)\s*/\s*(\d+)\)")


def read_cobertura(data: bytes, path: Path, repo_root: Path) -> CoverageReport:
    """A CoverageReport from the bytes of a Cobertura XML report."""
    root = parse_xml(data, path)
    if _local(root.tag) != "coverage":
        raise InputError(f"not a Cobertura report: the root element is <{root.tag}>", path=path)
    counts: dict[str, LineCounts] = {}
    has_branches = False
    for cls in root.iter("class"):
        filename = cls.get("filename")
        if not filename:
            raise InputError(
                "a <class> has no filename attribute: not a Cobertura report planner can read",
                path=path,
            )
        file_counts = counts.setdefault(filename, LineCounts())
        lines = cls.find("lines")
        for line in lines.iter("line") if lines is not None else ():
            has_branches |= _add_line(file_counts, line, path)
    bases = _source_bases(root, path)
    normal = normalise_paths(counts.keys(), repo_root, bases=bases)
    files: dict[str, FileCoverage] = {}
    for raw, file_counts in counts.items():
        rel = normal.mapping[raw]
        files.setdefault(rel, file_counts.to_file(rel))
    has_branches |= _int_attr(root, "branches-valid", path) > 0
    return CoverageReport(
        format=FORMAT,
        source=path,
        files=files,
        has_branches=has_branches,
        generated_at=_epoch(root.get("timestamp")),
        warnings=normal.warnings,
    )


def _add_line(counts: LineCounts, line: Element, path: Path) -> bool:
    """Add one <line>; True when it carries branch data."""
    number, hits = _int_attr(line, "number", path), _int_attr(line, "hits", path)
    if number < 1 or hits < 0:
        raise InputError(f"<line number={number} hits={hits}>: a line number below 1 or a negative hit "
                         "count; the report cannot be true", path=path)
    counts.add_line(number, hits)
    if line.get("branch", "false").lower() != "true":
        return False
    match = _CONDITION.search(line.get("condition-coverage", ""))
    if match:
        counts.add_branches(number, int(match.group(1)), int(match.group(2)))
    return True


def _int_attr(element: Element, name: str, path: Path) -> int:
    raw = element.get(name)
    if raw is None:
        return 0
    try:
        return int(float(raw)) if "." in raw or "e" in raw.lower() else int(raw)
    except (ValueError, OverflowError):
        raise InputError(f"<{element.tag} {name}={raw!r}>: not a number", path=path) from None


def _source_bases(root: Element, path: Path) -> list[Path]:
    bases: list[Path] = []
    for source in root.iter("source"):
        text = (source.text or "").strip()
        if not text:
            continue
        candidate = Path(text)
        bases.append(candidate if candidate.is_absolute() else path.parent / candidate)
    return bases


def _epoch(raw: str | None) -> datetime | None:
    """Cobertura timestamps are epoch milliseconds (coverage.py, istanbul) or seconds (gcovr)."""
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        return None
    if value <= 0:
        return None
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
