"""Benchmark: `plan status --json` over 300 phases / 3,000 plans (6,003 Markdown files).

    .venv/bin/python bench/bench_status.py [--runs 7] [--phases 300] [--plans 10]

Baseline: a separate Python process that reads every Markdown file status reads (`.planning/*.md`
and `.planning/phases/*/*.md`) and parses each frontmatter block with PyYAML's C safe loader,
nothing else. Both sides are whole processes, so both pay interpreter start-up.
The candidate is the installed entry point, `.venv/bin/plan`. Goal: ratio <= 1.5.
Both run with bytecode cached under bench/out/pycache (timing.bench_environment), as every bench
script measures start-up; the first (warm-up) run compiles it and builds the planning index.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_tree import ensure
from timing import command, measure, report

PLAN = str(Path(sys.executable).with_name("plan"))
GOAL = 1.5

BASELINE = """
import sys, yaml
from pathlib import Path
planning = Path(sys.argv[1]) / ".planning"
count = 0
for path in [*planning.glob("*.md"), *planning.glob("phases/*/*.md")]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\\n"):
        end = text.find("\\n---\\n", 3)
        if end > 0:
            yaml.load(text[4:end + 1], Loader=yaml.CSafeLoader)
            count += 1
print(count)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--phases", type=int, default=300)
    parser.add_argument("--plans", type=int, default=10)
    args = parser.parse_args()
    root = str(ensure(args.phases, args.plans))
    medians = measure({
        "baseline": command(sys.executable, "-c", BASELINE, root),
        "status": command(PLAN, "status", "--json", "--root", root),
    }, runs=args.runs)
    passed = report(f"status --json ({args.phases} phases, {args.phases * args.plans} plans)",
                    medians["status"], medians["baseline"], GOAL)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
