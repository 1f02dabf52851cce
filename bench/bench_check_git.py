"""Benchmark `plan check` with git against `plan check --no-git` on a large generated repository.

    .venv/bin/python bench/bench_check_git.py [--plans 1400] [--commits-per-plan 6] [--runs 5]

Generates once under bench/out/ (with `git fast-import`) a repository of about 8,000 commits:
1,400 plans in 70 phases, each plan 5 or 6 commits `feat(NN-MM): ...` that create its module and
change its phase's shared file, then one commit adding the `.planning/` tree whose 1,400
SUMMARY files claim those commits (real hashes, a few spelled with other id paddings), the
created and modified files, start and end times (one in 50 also claims a hash that is not
there). Then runs both commands interleaved and prints
median wall and CPU seconds and the ratio. Goal: git / no-git <= 3 (the issue's figure before
the history index was about 30x).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import OUT, bench_environment, command, measure_usage

PLAN_BIN = str(Path(sys.executable).with_name("plan"))
ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
PLANS_PER_PHASE = 20
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

PLAN = """---
phase: {phase:02d}-phase-{phase}
plan: "{plan:02d}"
type: execute
wave: 1
depends_on: []
files_modified: [src/p{phase}/m{plan}.py, src/common_{phase}.py]
autonomous: true
---
# Plan {phase:02d}-{plan:02d}

<task>Build module {plan} of phase {phase}</task>
"""

SUMMARY = """---
phase: {phase:02d}-phase-{phase}
plan: "{plan:02d}"
subsystem: core
key-files:
  created:
    - src/p{phase}/m{plan}.py
  modified:
    - src/common_{phase}.py
duration: {minutes}min
completed: {completed_day}
---
# Phase {phase} Plan {plan} Summary

**Module {plan} of phase {phase}, built and tested.**

## Performance

- **Duration:** {minutes}min
- **Started:** {started}
- **Completed:** {completed}
- **Tasks:** {tasks}

## Task Commits

{commits}

## Files Created/Modified

- `src/p{phase}/m{plan}.py` - new module
- `src/common_{phase}.py` - Updated the registry

## Results

Tests: 40 passed, 2 failed, 42 total; pass rate 95.2% (40/42)

## Deviations from Plan

None - plan executed exactly as written.
"""


def _blob(path: str, text: str) -> bytes:
    data = text.encode()
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _commit(mark: int, when: datetime, message: str, changes: bytes, parent: str | None = None) -> bytes:
    stamp = int(when.timestamp())
    body = message.encode()
    return (b"commit refs/heads/main\n" + f"mark :{mark}\n".encode()
            + f"author Bench <b@x> {stamp} +0000\ncommitter Bench <b@x> {stamp} +0000\n".encode()
            + f"data {len(body)}\n".encode() + body + b"\n"
            + (f"from {parent}\n".encode() if parent else b"") + changes + b"\n")


def _plans(count: int) -> list[tuple[int, int]]:
    return [(1 + index // PLANS_PER_PHASE, 1 + index % PLANS_PER_PHASE) for index in range(count)]


def _code_stream(plans: list[tuple[int, int]], per_plan: int) -> tuple[bytes, dict[tuple[int, int], list[int]]]:
    parts, marks, mark = [], {}, 0
    for number, (phase, plan) in enumerate(plans):
        mine = []
        count = per_plan - (number % 4 == 0)
        for step in range(count):
            mark += 1
            when = EPOCH + timedelta(minutes=10 * mark)
            # spellings differ: `feat(07-03)`, `feat(007-03)`, `feat(07-3)`
            plan_id = (f"{phase:02d}-{plan:02d}", f"{phase:03d}-{plan:02d}", f"{phase:02d}-{plan}")[step % 3]
            changes = _blob(f"src/p{phase}/m{plan}.py", f"value = {step}\n")
            changes += _blob(f"src/common_{phase}.py", f"last = {mark}\n")
            parts.append(_commit(mark, when, f"feat({plan_id}): step {step}", changes))
            mine.append(mark)
        marks[(phase, plan)] = mine
    return b"".join(parts), marks


def _planning_stream(plans: list[tuple[int, int]], marks: dict[tuple[int, int], list[int]],
                     hashes: dict[int, str], last_mark: int) -> bytes:
    changes = b""
    for phase, plan in plans:
        mine = marks[(phase, plan)]
        start = EPOCH + timedelta(minutes=10 * mine[0])
        end = EPOCH + timedelta(minutes=10 * mine[-1] + 5)
        claimed = [hashes[m][:8] for m in mine]
        if (phase * PLANS_PER_PHASE + plan) % 50 == 0:
            claimed.append("deadbee1")  # a hash that is not in the repository: GIT201
        commits = "\n".join(f"{n}. **Task {n}: step** - `{h}` (feat)" for n, h in enumerate(claimed, start=1))
        folder = f".planning/phases/{phase:02d}-phase-{phase}"
        changes += _blob(f"{folder}/{phase:02d}-{plan:02d}-PLAN.md", PLAN.format(phase=phase, plan=plan))
        changes += _blob(f"{folder}/{phase:02d}-{plan:02d}-SUMMARY.md", SUMMARY.format(
            phase=phase, plan=plan, minutes=round((end - start).total_seconds() / 60),
            completed_day=end.date().isoformat(), started=start.isoformat().replace("+00:00", "Z"),
            completed=end.isoformat().replace("+00:00", "Z"), tasks=len(mine), commits=commits))
    changes += _blob(".planning/PROJECT.md", "# Bench project\n")
    when = EPOCH + timedelta(minutes=10 * (last_mark + 1))
    return _commit(last_mark + 1, when, "docs: planning tree", changes, parent="refs/heads/main^0")


def ensure_repository(plan_count: int, per_plan: int) -> Path:
    """The generated repository with a checked-out work tree, built on first use."""
    root = OUT / f"check-git-{plan_count}x{per_plan}"
    marker = root / ".git" / "planner-bench-complete"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "--initial-branch=main"], cwd=root, env=ENV, check=True)
    plans = _plans(plan_count)
    stream, marks = _code_stream(plans, per_plan)
    marks_file = root / ".git" / "bench-marks"
    subprocess.run(["git", "fast-import", "--quiet", f"--export-marks={marks_file}"], cwd=root, input=stream,
                   env=ENV, check=True)
    hashes = {int(mark[1:]): full for mark, full in
              (line.split() for line in marks_file.read_text().splitlines())}
    last = max(hashes)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=_planning_stream(plans, marks, hashes, last),
                   env=ENV, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, env=ENV, check=True)
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, env=ENV, capture_output=True,
                           text=True, check=True).stdout.strip()
    print(f"generated {count} commits, {plan_count} summaries in {time.perf_counter() - started:.1f}s "
          f"under {root}", flush=True)
    marker.write_text("ok\n")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1400)
    parser.add_argument("--commits-per-plan", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    root = ensure_repository(options.plans, options.commits_per_plan)
    env = bench_environment(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    # The planning index is warm in both (the first, untimed run writes it): what differs is git.
    with_git = command(PLAN_BIN, "check", "--root", str(root), env=env)
    no_git = command(PLAN_BIN, "check", "--no-git", "--root", str(root), env=env)
    found = subprocess.run([PLAN_BIN, "check", "--root", str(root)], env=env, capture_output=True, text=True,
                           check=False).stdout.splitlines()
    print("with git: " + (found[-1] if found else "(no output)"))
    medians = measure_usage({"git": with_git, "no-git": no_git}, runs=options.runs)
    (git_wall, git_cpu), (plain_wall, plain_cpu) = medians["git"], medians["no-git"]
    print(f"plan check          : median wall {git_wall:.2f} s, CPU {git_cpu:.2f} s")
    print(f"plan check --no-git : median wall {plain_wall:.2f} s, CPU {plain_cpu:.2f} s")
    ratio_wall, ratio_cpu = git_wall / plain_wall, git_cpu / plain_cpu
    verdict = "PASS" if min(ratio_wall, ratio_cpu) <= 3 else "FAIL"
    print(f"ratio git / no-git: wall {ratio_wall:.2f}x, CPU {ratio_cpu:.2f}x (goal <= 3x) {verdict}")


if __name__ == "__main__":
    main()
