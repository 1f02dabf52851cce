"""Before/after: one plan command timed with two or more copies of the package, runs interleaved.

    git archive <rev> planner templates | tar -x -C /tmp/before     # a copy of an older planner
    .venv/bin/python bench/ab.py /tmp/atom3k --runs 15 --cold /tmp/before .
    .venv/bin/python bench/ab.py bench/out/tree-150x10 --command check --cold /tmp/before .

Each copy runs as `python -c "<import planner from COPY>" ...` in a process of its own, one copy
after the other in every round (so a noisy minute falls on all of them alike), with
`.planning/.cache` removed before each run when `--cold`. Prints, per copy, the medians of wall
time, CPU time (this process and its workers) and peak memory, and the ratio of each copy's wall
median to the first's. With `--gsd`, GSD's own command for the same job (`progress json` for
status, `validate health` for check; found as `bench_peers.py` finds it) runs in every round too,
and each copy's ratio to it is printed: issue 20's ratio, before and after, from one run. Not run by
`bench/run.py`: it needs the copies to compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

from bench_peers import Run, find_gsd, run_once
from timing import bench_environment

# As the `plan` command runs (`entry`, where a copy has it; older ones: `main` and the usual exit)
_RUN_COPY = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['plan'] + sys.argv[2:]; "
             "import planner.__main__ as cli; entry = getattr(cli, 'entry', None); "
             "entry() if entry else sys.exit(cli.main())")
COMMANDS = {"status": ["status", "--json"], "check": ["check", "--no-git", "--json"]}
GSD_COMMANDS = {"status": ["progress", "json"], "check": ["validate", "health"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree", help="a folder holding .planning/")
    parser.add_argument("copies", nargs="+", help="folders holding a planner/ package to compare")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--command", choices=sorted(COMMANDS), default="status")
    parser.add_argument("--cold", action="store_true", help="remove .planning/.cache before each run")
    parser.add_argument("--gsd", action="store_true", help="time GSD's command for the same job too")
    options = parser.parse_args()
    tree = Path(options.tree).resolve()
    copies = [str(Path(copy).resolve()) for copy in options.copies]
    env = bench_environment()
    argv = [*COMMANDS[options.command], "--root", str(tree)]
    gsd = None
    if options.gsd:
        gsd, why = find_gsd()
        if gsd is None:
            raise SystemExit(f"--gsd: {why}")
    runs: dict[str, list[Run]] = {copy: [] for copy in [*copies, "gsd"]}
    for round_number in range(options.runs + 1):  # round 0 compiles and warms the file cache
        for copy in copies:
            if options.cold:
                shutil.rmtree(tree / ".planning" / ".cache", ignore_errors=True)
            run = run_once([sys.executable, "-c", _RUN_COPY, copy, *argv], env)
            if round_number:
                runs[copy].append(run)
        if gsd is not None:
            run = run_once(["node", str(gsd), *GSD_COMMANDS[options.command], "--cwd", str(tree)], env)
            if round_number:
                runs["gsd"].append(run)
    first = statistics.median(run.seconds for run in runs[copies[0]])
    peer = statistics.median(run.seconds for run in runs["gsd"]) if gsd is not None else None
    print(f"{options.command} {'cold' if options.cold else 'warm'} on {tree}, {options.runs} runs, "
          f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if peer is not None:
        print(f"GSD {' '.join(GSD_COMMANDS[options.command])}: wall {peer:.3f} s")
    for copy in copies:
        wall = statistics.median(run.seconds for run in runs[copy])
        cpu = statistics.median(run.cpu for run in runs[copy])
        memory = statistics.median(run.max_rss_mb for run in runs[copy])
        against = f", {wall / peer:.2f}x GSD" if peer is not None else ""
        print(f"{copy}: wall {wall:.3f} s, cpu {cpu:.3f} s, peak {memory:.0f} MB, wall ratio {wall / first:.2f}"
              f"{against}")


if __name__ == "__main__":
    main()
