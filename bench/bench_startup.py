"""Benchmark: start-up of `plan --version` and `plan status` (one phase) against bare `python -c pass`.

    .venv/bin/python bench/bench_startup.py [--runs 15]

Candidates run the installed entry point `.venv/bin/plan`; the baseline is the same interpreter
(`sys.executable -c pass`). Goals: --version <= 5x; status <= 10x (a one-phase project).
All run with bytecode cached under bench/out/pycache (timing.bench_environment), as every bench
script measures start-up: without it each run would compile planner's sources again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import bench_environment, command, measure, report

PLAN = str(Path(sys.executable).with_name("plan"))


def one_phase_project(folder: Path) -> Path:
    for argv in (["init", str(folder)], ["phase", "add", "First", "--root", str(folder)],
                 ["new", "1", "--root", str(folder)]):
        subprocess.run([PLAN, *argv], check=True, stdout=subprocess.DEVNULL, env=bench_environment())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plan-startup-") as folder:
        root = str(one_phase_project(Path(folder)))
        medians = measure({
            "python": command(sys.executable, "-c", "pass"),
            "version": command(PLAN, "--version"),
            "status": command(PLAN, "status", "--root", root),
        }, runs=args.runs)
    passed = report("plan --version", medians["version"], medians["python"], 5)
    passed &= report("plan status (1 phase)", medians["status"], medians["python"], 10)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
