"""Run the CLI fuzz harness (tests/cli_fuzz.py) for as long as asked; print trees, commands, escapes.

    python bench/fuzz_cli.py --seconds 600 [--start-seed 1000]

Exit 1 when any escape was found (a hang, a crash, a resource kill, a write outside the tree).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from cli_fuzz import run_case


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--start-seed", type=int, default=1000)
    options = parser.parse_args()
    started, seed, trees, commands = time.monotonic(), options.start_seed, 0, 0
    codes: Counter[int] = Counter()
    escapes = []
    while time.monotonic() - started < options.seconds:
        case = run_case(seed)
        trees += 1
        commands += len(case.outcomes)
        codes.update(outcome.code for outcome in case.outcomes)
        for outcome in case.escapes:
            escapes.append((seed, outcome))
            print(f"ESCAPE seed={seed} plan {' '.join(outcome.argv)}: {outcome.problem}", flush=True)
        seed += 1
    elapsed = time.monotonic() - started
    print(f"{trees} trees, {commands} commands in {elapsed:.0f} s; exit codes {dict(sorted(codes.items()))}; "
          f"{len(escapes)} escape(s)")
    return 1 if escapes else 0


if __name__ == "__main__":
    raise SystemExit(main())
