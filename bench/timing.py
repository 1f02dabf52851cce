"""Shared timing helpers for bench scripts: medians of interleaved runs and one result line.

    from timing import command, measure, report

    medians = measure({"plan": command(PLAN, "status", "--json"), "baseline": command(PY, "-c", "pass")}, runs=7)
    report("status", medians["plan"], medians["baseline"], goal=1.5)

Runs are interleaved (a, b, a, b, ...) so drift in machine load hits every candidate alike.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Mapping

Runnable = Callable[[], object]


def command(*argv: str, cwd: str | None = None) -> Runnable:
    """A callable running `argv` to completion with output discarded; a failing command raises."""

    def run() -> None:
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)

    return run


def measure(candidates: Mapping[str, Runnable], runs: int = 7, warmup: int = 1) -> dict[str, float]:
    """Median wall-clock seconds of each candidate over `runs` interleaved rounds (after `warmup`)."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for round_number in range(warmup + runs):
        for name, candidate in candidates.items():
            start = time.perf_counter()
            candidate()
            elapsed = time.perf_counter() - start
            if round_number >= warmup:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(name: str, median: float, baseline: float, goal: float | None = None) -> bool:
    """Print `name: median X s, baseline Y s, ratio Z (goal <= G) PASS/FAIL`; True unless it failed."""
    ratio = median / baseline if baseline > 0 else float("inf")
    if goal is None:
        verdict, passed = "(no goal)", True
    else:
        passed = ratio <= goal
        verdict = f"(goal <= {goal:g}) {'PASS' if passed else 'FAIL'}"
    print(f"{name}: median {median:.4f} s, baseline {baseline:.4f} s, ratio {ratio:.2f} {verdict}", flush=True)
    return passed
