"""Before/after: one plan command timed with two or more copies of the package, runs interleaved.

    git archive <rev> planner templates | tar -x -C /tmp/before     # a copy of an older planner
    .venv/bin/python bench/ab.py /tmp/atom3k --runs 15 --cold /tmp/before .
    .venv/bin/python bench/ab.py bench/out/tree-150x10 --command check --cold /tmp/before .

Each copy runs as `python -c "<import planner from COPY>" ...` in a process of its own, one copy
after the other in every round (so a noisy minute falls on all of them alike), with
`.planning/.cache` removed before each run when `--cold`. Prints, per copy, the medians of wall
time, CPU time (this process and its workers) and peak memory, and the ratio of each copy's wall
median to the first's. Not run by `bench/run.py`: it needs the copies to compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

from bench_peers import Run, run_once
from timing import bench_environment

# As the `plan` command runs (`entry`, where a copy has it; older ones: `main` and the usual exit)
_RUN_COPY = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['plan'] + sys.argv[2:]; "
             "import planner.__main__ as cli; entry = getattr(cli, 'entry', None); "
             "entry() if entry else sys.exit(cli.main())")
COMMANDS = {"status": ["status", "--json"], "check": ["check", "--no-git", "--json"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree", help="a folder holding .planning/")
    parser.add_argument("copies", nargs="+", help="folders holding a planner/ package to compare")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--command", choices=sorted(COMMANDS), default="status")
    parser.add_argument("--cold", action="store_true", help="remove .planning/.cache before each run")
    options = parser.parse_args()
    tree = Path(options.tree).resolve()
    copies = [str(Path(copy).resolve()) for copy in options.copies]
    env = bench_environment()
    argv = [*COMMANDS[options.command], "--root", str(tree)]
    runs: dict[str, list[Run]] = {copy: [] for copy in copies}
    for round_number in range(options.runs + 1):  # round 0 compiles and warms the file cache
        for copy in copies:
            if options.cold:
                shutil.rmtree(tree / ".planning" / ".cache", ignore_errors=True)
            run = run_once([sys.executable, "-c", _RUN_COPY, copy, *argv], env)
            if round_number:
                runs[copy].append(run)
    first = statistics.median(run.seconds for run in runs[copies[0]])
    print(f"{options.command} {'cold' if options.cold else 'warm'} on {tree}, {options.runs} runs, "
          f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    for copy in copies:
        wall = statistics.median(run.seconds for run in runs[copy])
        cpu = statistics.median(run.cpu for run in runs[copy])
        memory = statistics.median(run.max_rss_mb for run in runs[copy])
        print(f"{copy}: wall {wall:.3f} s, cpu {cpu:.3f} s, peak {memory:.0f} MB, wall ratio {wall / first:.2f}")


if __name__ == "__main__":
    main()
