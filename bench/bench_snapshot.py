"""Benchmark: a ~40 MB coverage.py JSON report (5,000 files, branch data) read into a Snapshot
with `planner.measure.take_snapshot`, against a bare `json.load` of the same file, same run.

The whole path is timed: reading and checking the report, sha256 of the report and of every one
of the 5,000 source files (generated too, ~12 KB each, so hashing is real work), HEAD and
`git status`, and building the Snapshot. Storing it (`save_snapshot`) is timed separately.

Goal: take_snapshot median <= 1.5x json.load median.
Run: .venv/bin/python bench/bench_snapshot.py [--files 5000] [--runs 7]
Generated data goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def _summary(statements: int, covered: int, branches: int, taken: int) -> dict[str, Any]:
    pc_lines = 100.0 * covered / statements if statements else 100.0
    total = statements + branches
    pc = 100.0 * (covered + taken) / total if total else 100.0
    return {
        "covered_lines": covered, "num_statements": statements, "percent_covered": pc,
        "percent_covered_display": f"{pc:.0f}", "missing_lines": statements - covered,
        "excluded_lines": 1, "percent_statements_covered": pc_lines,
        "percent_statements_covered_display": f"{pc_lines:.0f}", "num_branches": branches,
        "num_partial_branches": 1, "covered_branches": taken, "missing_branches": branches - taken,
    }


def _region(rng: random.Random, lines: list[int]) -> dict[str, Any]:
    missing = sorted(rng.sample(lines, len(lines) // 5))
    executed = sorted(set(lines) - set(missing))
    arms = lines[::6]
    executed_branches = [[ln, ln + 1] for ln in arms] + [[ln, ln + 3] for ln in arms[::2]]
    missing_branches = [[ln, -1] for ln in arms[1::2]]
    branches = len(executed_branches) + len(missing_branches)
    return {
        "executed_lines": executed,
        "summary": _summary(len(lines), len(executed), branches, len(executed_branches)),
        "missing_lines": missing, "excluded_lines": [lines[-1] + 2],
        "executed_branches": executed_branches, "missing_branches": missing_branches,
    }


def _entry(rng: random.Random) -> dict[str, Any]:
    lines = sorted(rng.sample(range(1, 400), 142))
    entry = _region(rng, lines)
    chunks = [lines[i : i + 26] for i in range(0, len(lines), 26)]
    entry["functions"] = {f"func_{i}": _region(rng, c) | {"start_line": c[0]}
                          for i, c in enumerate(chunks)}
    entry["classes"] = {"": _region(rng, lines) | {"start_line": 1}}
    return entry


def generate(root: Path, files: int) -> Path:
    """A project under `root` with `files` source files and a coverage.py JSON report of them."""
    from planner.scaffold import init_project

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    init_project(root)
    rng = random.Random(1234)
    entries = {}
    for i in range(files):
        name = f"src/pkg{i // 100:02d}/module_{i:04d}.py"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("".join(f"value_{n} = compute({n}, {i})  # line {n}\n"
                                         for n in range(400)))
        entries[name] = _entry(rng)
    sums = [e["summary"] for e in entries.values()]
    document = {
        "meta": {"format": 3, "version": "7.17.4", "timestamp": "2026-11-24T10:00:00",
                 "branch_coverage": True, "show_contexts": False},
        "files": entries,
        "totals": _summary(*(sum(s[k] for s in sums) for k in (
            "num_statements", "covered_lines", "num_branches", "covered_branches"))),
    }
    report = root / "coverage.json"
    report.write_text(json.dumps(document))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from planner.evidence.snapshot.json_form import snapshot_to_json
    from planner.measure import take_snapshot
    from planner.tree.reader import load_project

    root = OUT / f"snapshot-project-{args.files}"
    report = root / "coverage.json"
    if not report.exists():
        generate(root, args.files)
    project = load_project(root)
    baseline: list[float] = []
    ours: list[float] = []
    for _ in range(args.runs):  # interleaved so drift hits both alike
        start = time.perf_counter()
        with report.open("rb") as handle:
            json.load(handle)
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        snapshot = take_snapshot(project, coverage=report)
        ours.append(time.perf_counter() - start)
    assert len(snapshot.files) == args.files
    assert all(item.sha256 for item in snapshot.files.values())
    start = time.perf_counter()
    stored = snapshot_to_json(snapshot)
    write_time = time.perf_counter() - start
    base, mine = statistics.median(baseline), statistics.median(ours)
    totals = snapshot.totals
    assert totals is not None
    print(f"report: {report.relative_to(OUT)} ({report.stat().st_size / 1e6:.1f} MB, "
          f"{args.files} files + {args.files} source files hashed), runs={args.runs}")
    print(f"json.load       median {base * 1000:8.1f} ms")
    print(f"take_snapshot   median {mine * 1000:8.1f} ms")
    print(f"ratio {mine / base:.2f}x (goal <= 1.50x); overall {totals.percent:.2f}% statements")
    print(f"snapshot_to_json {write_time * 1000:.1f} ms for {len(stored) / 1e6:.1f} MB (not in ratio)")


if __name__ == "__main__":
    main()
