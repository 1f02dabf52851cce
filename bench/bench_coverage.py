"""Benchmark: read a ~40 MB coverage.py JSON report (5,000 files, branch data) with
`planner.evidence.reports.read_coverage` against a bare `json.load` of the same file, in the same run.

Goal: read_coverage median <= 1.5x json.load median.
Run: .venv/bin/python bench/bench_coverage.py [--files 5000] [--runs 7]
Generated data goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def _summary(
    statements: int, covered: int, excluded: int, branches: int, taken: int, partial: int
) -> dict[str, Any]:
    pc_lines = 100.0 * covered / statements if statements else 100.0
    pc_branches = 100.0 * taken / branches if branches else 100.0
    total = statements + branches
    pc = 100.0 * (covered + taken) / total if total else 100.0
    return {
        "covered_lines": covered,
        "num_statements": statements,
        "percent_covered": pc,
        "percent_covered_display": f"{pc:.0f}",
        "missing_lines": statements - covered,
        "excluded_lines": excluded,
        "percent_statements_covered": pc_lines,
        "percent_statements_covered_display": f"{pc_lines:.0f}",
        "num_branches": branches,
        "num_partial_branches": partial,
        "covered_branches": taken,
        "missing_branches": branches - taken,
        "percent_branches_covered": pc_branches,
        "percent_branches_covered_display": f"{pc_branches:.0f}",
    }


def _region(rng: random.Random, lines: list[int]) -> dict[str, Any]:
    missing = sorted(rng.sample(lines, len(lines) // 5))
    executed = sorted(set(lines) - set(missing))
    branch_lines = lines[::6]
    executed_branches = [[ln, ln + 1] for ln in branch_lines] + [
        [ln, ln + 3] for ln in branch_lines[::2]
    ]
    missing_branches = [[ln, -1] for ln in branch_lines[1::2]]
    nb = len(executed_branches) + len(missing_branches)
    return {
        "executed_lines": executed,
        "summary": _summary(
            len(lines), len(executed), 1, nb, len(executed_branches), len(missing_branches)
        ),
        "missing_lines": missing,
        "excluded_lines": [lines[-1] + 2],
        "executed_branches": executed_branches,
        "missing_branches": missing_branches,
    }


def _file_entry(rng: random.Random) -> dict[str, Any]:
    lines = sorted(rng.sample(range(1, 400), 142))
    entry = _region(rng, lines)
    chunks = [lines[i : i + 26] for i in range(0, len(lines), 26)]
    entry["functions"] = {
        f"func_{i}": _region(rng, chunk) | {"start_line": chunk[0]}
        for i, chunk in enumerate(chunks)
    }
    entry["classes"] = {"": _region(rng, lines) | {"start_line": 1}}
    return entry


def generate(path: Path, repo: Path, files: int) -> None:
    """Write a coverage.py format-3 JSON report of `files` files, and those files under repo/."""
    rng = random.Random(1234)
    entries = {}
    for i in range(files):
        name = f"src/pkg{i // 100:02d}/module_{i:04d}.py"
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).touch()
        entries[name] = _file_entry(rng)
    document = {
        "meta": {
            "format": 3,
            "version": "7.17.4",
            "timestamp": "2026-11-24T10:00:00",
            "branch_coverage": True,
            "show_contexts": False,
        },
        "files": entries,
        "totals": _summary(0, 0, 0, 0, 0, 0),
    }
    totals = [e["summary"] for e in entries.values()]
    document["totals"] = _summary(
        sum(t["num_statements"] for t in totals),
        sum(t["covered_lines"] for t in totals),
        sum(t["excluded_lines"] for t in totals),
        sum(t["num_branches"] for t in totals),
        sum(t["covered_branches"] for t in totals),
        sum(t["num_partial_branches"] for t in totals),
    )
    path.write_text(json.dumps(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from planner.evidence.reports import read_coverage
    from planner.evidence.reports.numbers import coverage_numbers

    report_path = OUT / f"coverage-{args.files}.json"
    repo = OUT / f"repo-{args.files}"
    if not report_path.exists():
        generate(report_path, repo, args.files)
    size_mb = report_path.stat().st_size / 1e6
    baseline: list[float] = []
    ours: list[float] = []
    for _ in range(args.runs):  # interleaved so drift hits both alike
        start = time.perf_counter()
        with report_path.open("rb") as handle:
            json.load(handle)
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = read_coverage(report_path, repo)
        ours.append(time.perf_counter() - start)
    assert len(report.files) == args.files and not report.warnings, report.warnings
    base_median, our_median = statistics.median(baseline), statistics.median(ours)
    print(f"report: {report_path.name} ({size_mb:.1f} MB, {args.files} files), runs={args.runs}")
    print(f"json.load      median {base_median * 1000:8.1f} ms")
    print(f"read_coverage  median {our_median * 1000:8.1f} ms")
    print(
        f"ratio {our_median / base_median:.2f}x (goal <= 1.50x); "
        f"overall {coverage_numbers(report).percent:.2f}% statements"
    )


if __name__ == "__main__":
    main()
