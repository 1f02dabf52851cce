"""Benchmark: find one plan's commits and files in a 100,000-commit repository.

    .venv/bin/python bench/bench_git.py [--commits 100000] [--runs 7]

Generates the repository once under bench/out/ with `git fast-import` (about 20 commits belong
to plan 42-07, spread through history, among near-miss ids such as 42-070 and 142-07), then
times `find_plan_commits` against the bare `git log --grep ... --name-status -z` it replaces,
both in this run, and prints the medians and their ratio. Goal: ratio <= 1.3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from planner.evidence.gitlog import find_plan_commits

OUT = Path(__file__).resolve().parent / "out"
PLAN = "42-07"
PLAN_COMMITS = 20
FILES = 2000
ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _subject(number: int, commits: int) -> str:
    if number % (commits // PLAN_COMMITS) == commits // PLAN_COMMITS // 2:
        return f"feat({PLAN}): plan step {number}"
    near_misses = ("feat(42-070): near", "fix(142-07): near", "chore: see 42-07 later")
    if number % 997 == 0:
        return near_misses[number % 3]
    kind = ("feat", "fix", "test", "docs")[number % 4]
    return f"{kind}({number % 60}-{number % 9:02d}): work {number}"


def _stream(commits: int) -> bytes:
    """A fast-import stream: one commit per step, each changing one or two small files."""
    parts = []
    for number in range(commits):
        message = _subject(number, commits).encode()
        path = f"src/pkg{number % 40}/module {number % FILES}.py"
        body = f"value = {number}\n".encode()
        parts.append(
            b"commit refs/heads/main\n"
            + f"author Bench <b@x> {1_600_000_000 + number * 60} +0000\n".encode()
            + f"committer Bench <b@x> {1_600_000_000 + number * 60} +0000\n".encode()
            + f"data {len(message)}\n".encode() + message + b"\n"
            + f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body
            + (f"D src/pkg{number % 40}/module {(number * 7) % FILES}.py\n".encode()
               if number % 501 == 0 else b"")
            + b"\n"
        )
    return b"".join(parts)


def ensure_repository(commits: int) -> Path:
    """The generated repository, built on first use (a marker file says it is complete)."""
    root = OUT / f"git-{commits}"
    marker = root / ".git" / "planner-bench-complete"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--initial-branch=main"], cwd=root, env=ENV, check=True)
    started = time.perf_counter()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=_stream(commits), env=ENV,
                   check=True)
    print(f"generated {commits} commits in {time.perf_counter() - started:.1f}s under {root}")
    marker.write_text("ok\n")
    return root


def bare_git_log(root: Path) -> int:
    """The command planner's query replaces: grep the plan id, list files, NUL-separated."""
    done = subprocess.run(
        ["git", "log", f"--grep={PLAN}", "--fixed-strings", "--name-status", "-z",
         "--find-renames", "--format=%H%x1f%s", "HEAD"],
        cwd=root, env=ENV, capture_output=True, check=True,
    )
    return done.stdout.count(b"\x1f")


def planner_query(root: Path) -> int:
    return len(find_plan_commits(root, PLAN).commits)


def median_seconds(action: object, root: Path, runs: int) -> float:
    assert callable(action)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action(root)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    root = ensure_repository(options.commits)
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("GIT_CONFIG")})
    found, grepped = planner_query(root), bare_git_log(root)  # warm caches, check agreement
    print(f"plan {PLAN}: planner found {found} commits; bare git log --grep printed {grepped}")
    baseline = planner = 0.0
    baselines, planners = [], []
    for _ in range(options.runs):  # interleaved, so both see the same machine load
        baselines.append(median_seconds(bare_git_log, root, 1))
        planners.append(median_seconds(planner_query, root, 1))
    baseline, planner = statistics.median(baselines), statistics.median(planners)
    print(f"bare git log --grep --name-status -z : median {baseline * 1000:8.1f} ms "
          f"({options.runs} runs)")
    print(f"find_plan_commits                    : median {planner * 1000:8.1f} ms "
          f"({options.runs} runs)")
    print(f"ratio {planner / baseline:.2f}x (goal <= 1.30x)")


if __name__ == "__main__":
    main()
