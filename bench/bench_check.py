"""Benchmark `plan check` on a generated tree of 3,000 documents (git calls excluded).

    .venv/bin/python bench/bench_check.py [--documents 3000] [--repeat 5] [--out /tmp/bench_check]

Prints the median of reading the tree (the baseline, `load_project`), of reading plus checking
(`check_root(..., git=False)`), and their ratio, twice: cold (`.planning/.cache` removed before
each run: every SUMMARY read and checked) and warm (the tree settled, as a person's later run
finds it: per-document claims and findings kept). The caches trust a file only once its stamp is
older than the 2 s racy window, so the warm runs start after it; timed right after the tree is
written they would measure neither. The goal: check under 2 s for 3,000 documents, cold.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

PLAN = """---
phase: {phase_dir}
plan: "{plan:02d}"
type: execute
wave: 1
depends_on: [{depends}]
files_modified: [src/m{phase}_{plan}.py]
autonomous: true
---
# Plan {phase:02d}-{plan:02d}

<task>Do the thing</task>
"""

SUMMARY = """---
phase: {phase_dir}
plan: "{plan:02d}"
subsystem: core
requires:
  - phase: {phase_dir}
    plan: "01"
    provides: base
key-files:
  created:
    - src/m{phase}_{plan}.py
  modified:
    - src/common.py
duration: 7min
completed: 2026-01-05
---
# Phase {phase} Plan {plan} Summary

**One bold outcome line.**

## Performance

- **Duration:** 7min
- **Started:** 2026-01-05T10:00:00Z
- **Completed:** 2026-01-05T10:07:40Z
- **Tasks:** 2

## Task Commits

1. **Task 1: first** - `abc{phase:02d}{plan:02d}f` (feat)
2. **Task 2: second** - `def{phase:02d}{plan:02d}a` (test)

## Results

Tests: 40 passed, 2 failed, 42 total; pass rate 95.2% (40/42); coverage 28.3% (283/1000)

| File | Statements | Covered | Coverage % |
|------|------------|---------|------------|
| a.py | 200 | 150 | 75.0% |
| b.py | 800 | 133 | 16.6% |
| **Total** | **1000** | **283** | **28.3%** |

| Criteria | Target | Achieved | Status |
|----------|--------|----------|--------|
| Coverage | 25% | 28.3% | ✅ Met |

## Deviations from Plan

None - plan executed exactly as written.
"""


def generate(root: Path, documents: int) -> Path:
    """A planning tree of `documents` Markdown files: PLAN + SUMMARY pairs, 5 plans a phase."""
    if root.exists():
        shutil.rmtree(root)
    phases = root / ".planning" / "phases"
    pairs = documents // 2
    for index in range(pairs):
        phase, plan = index // 5 + 1, index % 5 + 1
        phase_dir = f"{phase:02d}-phase-{phase}"
        folder = phases / phase_dir
        folder.mkdir(parents=True, exist_ok=True)
        depends = f'"{phase:02d}-{plan - 1:02d}"' if plan > 1 else ""
        values = {"phase": phase, "plan": plan, "phase_dir": phase_dir, "depends": depends}
        (folder / f"{phase:02d}-{plan:02d}-PLAN.md").write_text(PLAN.format(**values), encoding="utf-8")
        (folder / f"{phase:02d}-{plan:02d}-SUMMARY.md").write_text(SUMMARY.format(**values), encoding="utf-8")
    state = ("---\nprogress:\n  total_phases: {p}\n  completed_phases: {p}\n  total_plans: {n}\n"
             "  completed_plans: {n}\n  percent: 100\n---\n# State\n\nProgress: [██████████] 100%\n")
    (root / ".planning" / "STATE.md").write_text(state.format(p=(pairs + 4) // 5, n=pairs), encoding="utf-8")
    return root


def median_seconds(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_check"))
    options = parser.parse_args()

    from planner.check import check_root, run_checks
    from planner.tree.reader import load_project

    root = generate(options.out, options.documents)
    files = sum(1 for _ in root.glob(".planning/**/*.md"))
    cache = root / ".planning" / ".cache"

    def cold(action):  # type: ignore[no-untyped-def]
        def run() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            action()
        return run

    baseline = median_seconds(cold(lambda: load_project(root)), options.repeat)
    checked = median_seconds(cold(lambda: check_root(root, git=False)), options.repeat)
    time.sleep(2.1)  # the racy window: files younger than it are never trusted from a cache
    check_root(root, git=False)  # the run that fills the caches
    warm = median_seconds(lambda: check_root(root, git=False), options.repeat)
    report = run_checks(load_project(root), git=False)
    print(f"tree: {files} documents in {root}")
    print(f"findings: {report.by_code()}")
    print(f"read only (baseline, load_project): median {baseline:.3f} s over {options.repeat} runs")
    print(f"read + check, cold (check_root, git=False): median {checked:.3f} s over {options.repeat} runs")
    print(f"ratio check/read: {checked / baseline:.2f}x; check alone ~{checked - baseline:.3f} s")
    print(f"read + check, warm (settled tree, caches kept): median {warm:.3f} s, ratio {warm / baseline:.2f}x")
    print(f"goal < 2 s for 3,000 documents, cold: {'met' if checked < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
