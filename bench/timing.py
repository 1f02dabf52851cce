"""Shared timing helpers for bench scripts: medians of interleaved runs and one result line.

    from timing import command, measure, report

    medians = measure({"plan": command(PLAN, "status", "--json"), "baseline": command(PY, "-c", "pass")}, runs=7)
    report("status", medians["plan"], medians["baseline"], goal=1.5)

Runs are interleaved (a, b, a, b, ...) so drift in machine load hits every candidate alike.
Commands run in `bench_environment()`: bytecode is written and read under bench/out/pycache, as
an installed package has it, even where the environment says not to write any
(PYTHONDONTWRITEBYTECODE); otherwise every start-up figure would include compiling planner.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

Runnable = Callable[[], object]
OUT = Path(__file__).resolve().parent / "out"


def bench_environment(**extra: str) -> dict[str, str]:
    """os.environ for timed commands: bytecode cached under bench/out/pycache, NO_COLOR, and `extra`.

    Every start-up figure of every bench script is measured this way, so they compare. The first
    run of a command compiles (`measure` discards it as the warm-up).
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", PYTHONPYCACHEPREFIX=str(OUT / "pycache"), **extra)
    return env


def command(*argv: str, cwd: str | None = None, env: Mapping[str, str] | None = None) -> Runnable:
    """A callable running `argv` to completion with output discarded; a failing command raises.

    It runs in `bench_environment()` unless `env` is given."""
    environment = dict(env) if env is not None else bench_environment()

    def run() -> None:
        subprocess.run(argv, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       check=True)

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


def measure_usage(candidates: Mapping[str, Runnable], runs: int = 7, warmup: int = 1,
                  prepare: Mapping[str, Runnable] | None = None) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each candidate over `runs` interleaved rounds (after `warmup`).

    CPU is user + system time of the finished child processes (and of the workers they waited
    for): on a shared machine other people's work stretches wall time much more than the CPU a
    process spends. `prepare[name]`, when given, runs untimed just before each run of `name`.
    """
    import resource

    walls: dict[str, list[float]] = {name: [] for name in candidates}
    cpus: dict[str, list[float]] = {name: [] for name in candidates}
    for round_number in range(warmup + runs):
        for name, candidate in candidates.items():
            if prepare is not None and name in prepare:
                prepare[name]()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            candidate()
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if round_number >= warmup:
                walls[name].append(elapsed)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in candidates}
