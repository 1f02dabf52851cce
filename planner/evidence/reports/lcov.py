"""Read an LCOV tracefile (coverage.py `coverage lcov`, jest, c8, geninfo)."""

from __future__ import annotations

from pathlib import Path

from planner.errors import InputError
from planner.evidence.reports.linecounts import LineCounts
from planner.evidence.reports.paths import normalise_paths
from planner.evidence.reports.types import CoverageReport, FileCoverage

FORMAT = "lcov"
# Records that carry no per-line data we keep; accepted and ignored.
_IGNORED = frozenset(
    {
        "TN",
        "VER",
        "FN",
        "FNDA",
        "FNF",
        "FNH",
        "FNL",
        "FNA",
        "LF",
        "LH",
        "BRF",
        "BRH",
        "MDA",
        "MF",
        "MH",
    }
)


def read_lcov(data: bytes, path: Path, repo_root: Path) -> CoverageReport:
    """A CoverageReport from the bytes of an LCOV tracefile."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"LCOV file is not UTF-8 (byte {exc.start})", path=path) from None
    counts = _parse(text, path)
    normal = normalise_paths(counts.keys(), repo_root, bases=(path.parent,))
    files: dict[str, FileCoverage] = {}
    has_branches = False
    for raw, file_counts in counts.items():
        rel = normal.mapping[raw]
        has_branches |= bool(file_counts.arms)
        files.setdefault(rel, file_counts.to_file(rel))
    return CoverageReport(
        format=FORMAT,
        source=path,
        files=files,
        has_branches=has_branches,
        generated_at=None,
        warnings=normal.warnings,
    )


def _parse(text: str, path: Path) -> dict[str, LineCounts]:
    counts: dict[str, LineCounts] = {}
    current: LineCounts | None = None
    current_name = ""
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line == "end_of_record":
            current = None
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise InputError(f"not an LCOV line: {line[:60]!r}", path=path, line=number)
        if key == "SF":
            current_name = value.strip()
            current = counts.setdefault(current_name, LineCounts())
        elif key in ("DA", "BRDA"):
            if current is None:
                raise InputError(
                    f"{key} outside a record (no SF: line before it)", path=path, line=number
                )
            _record(current, key, value, path, number)
        elif key not in _IGNORED:
            raise InputError(
                f"unknown LCOV record {key!r}: is this an LCOV file?", path=path, line=number
            )
    if current is not None:
        raise InputError(
            f"the record for {current_name!r} has no end_of_record: the file looks truncated",
            path=path,
        )
    return counts


def _record(counts: LineCounts, key: str, value: str, path: Path, number: int) -> None:
    fields = value.split(",")
    try:
        if key == "DA":
            if int(fields[0]) < 1:
                raise ValueError("not a line number")
            counts.add_line(int(fields[0]), max(0, int(float(fields[1]))))
            return
        line, taken = int(fields[0]), fields[3].strip()
        if line < 1:
            raise ValueError("not a line number")
        covered = taken != "-" and float(taken) > 0
    except (IndexError, ValueError, OverflowError):
        raise InputError(f"malformed {key} line: {value[:60]!r}", path=path, line=number) from None
    counts.add_arm(line, f"{fields[1]},{fields[2]}", covered)
