"""Run the benchmarks: every bench/bench_*.py, or the ones named.

    .venv/bin/python bench/run.py                 # all of them
    .venv/bin/python bench/run.py status startup  # bench_status.py and bench_startup.py
    .venv/bin/python bench/run.py --runs 9 status # extra arguments go to each script

Each script prints its own `name: median X s, baseline Y s, ratio Z (goal <= G) PASS/FAIL` lines;
this runner repeats the result lines at the end and exits 1 if any says FAIL (2 if a script broke).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    found = sorted(BENCH.glob("bench_*.py"))
    if not names:
        return found
    wanted = {name.removeprefix("bench_").removesuffix(".py") for name in names}
    chosen = [path for path in found if path.stem.removeprefix("bench_") in wanted]
    missing = wanted - {path.stem.removeprefix("bench_") for path in chosen}
    if missing:
        raise SystemExit(f"no benchmark named {', '.join(sorted(missing))} (have: "
                         f"{', '.join(p.stem.removeprefix('bench_') for p in found)})")
    return chosen


def main(argv: list[str]) -> int:
    names = [arg for arg in argv if not arg.startswith("-")]
    passthrough = [arg for arg in argv if arg.startswith("-")]
    if "--runs" in argv:  # `--runs N`: N is not a script name
        value = argv[argv.index("--runs") + 1]
        names.remove(value)
        passthrough.append(value)
    results: list[str] = []
    broken = []
    for script in scripts(names):
        print(f"== {script.name}", flush=True)
        completed = subprocess.run([sys.executable, str(script), *passthrough], stdout=subprocess.PIPE, text=True,
                                   check=False)
        print(completed.stdout, end="", flush=True)
        results += [line for line in completed.stdout.splitlines() if "ratio" in line]
        if completed.returncode not in (0, 1):
            broken.append(script.name)
    print("\n== summary")
    print("\n".join(results) or "(no results)")
    if broken:
        print(f"broken: {', '.join(broken)}")
        return 2
    return 1 if any(line.endswith("FAIL") for line in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
