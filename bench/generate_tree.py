"""Generate a large, realistic GSD planning tree for benchmarks.

    .venv/bin/python bench/generate_tree.py [--phases 300] [--plans 10] [--out bench/out/tree-300x10]

Every phase gets NN-CONTEXT.md, NN-VERIFICATION.md and, per plan, NN-MM-PLAN.md and (for the
first 80% of phases) NN-MM-SUMMARY.md, with frontmatter shaped like the GSD tools write it
(must_haves with truths / artifacts / key_links; dependency graph, tech-stack, key-files, metrics).
Some phases are decimal (every 25th) so ids are not all simple. Deterministic: same tree every run.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
WORDS = ("auth", "billing", "search", "ingest", "export", "cache", "audit", "sync", "report", "api")


def _phase_name(index: int) -> str:
    number = f"{index:02d}.1" if index % 25 == 24 else f"{index + 1:02d}"  # 24.1 follows phase 24
    return f"{number}-{WORDS[index % len(WORDS)]}-{WORDS[(index * 7) % len(WORDS)]}-work"


def plan_text(folder: str, phase: str, plan: int) -> str:
    word = WORDS[plan % len(WORDS)]
    return f"""---
phase: {folder}
plan: {plan:02d}
type: execute
wave: {plan % 3 + 1}
depends_on: [{f'"{phase}-{plan - 1:02d}"' if plan > 1 else ''}]
files_modified:
  - src/{word}/service.py
  - src/{word}/models.py
  - tests/test_{word}_{plan}.py
autonomous: true
requirements: [{word.upper()}-{plan:02d}, CORE-{plan + 10}]
user_setup: []
must_haves:
  truths:
    - "src/{word}/service.py contains 'def handle_{word}'"
    - "Calling /{word} with a bad token returns 401"
    - "The {word} job finishes within 30 seconds for 10,000 rows"
  artifacts:
    - path: src/{word}/service.py
      provides: "{word} service with retries"
      min_lines: 80
      exports: [handle_{word}, {word.capitalize()}Error]
    - path: tests/test_{word}_{plan}.py
      provides: "tests for the {word} service"
      contains: "def test_{word}"
  key_links:
    - from: src/api/routes.py
      to: src/{word}/service.py
      via: "import and call"
      pattern: "handle_{word}\\\\("
---

<objective>
Make {word} reliable: retries, clear errors, tests for each failure mode.
</objective>

<tasks>
<task type="auto">
  <name>Task 1: {word} service</name>
  <files>src/{word}/service.py</files>
  <action>Implement handle_{word} with bounded retries.</action>
  <verify>pytest tests/test_{word}_{plan}.py</verify>
</task>
</tasks>
"""


def summary_text(folder: str, phase: str, plan: int) -> str:
    word = WORDS[plan % len(WORDS)]
    return f"""---
phase: {folder}
plan: {plan:02d}
subsystem: {word}
tags: [{word}, retries, testing]
requires:
  - phase: {phase}
    provides: "{word} models"
provides:
  - "{word} service with retries"
affects: [api, reporting]
tech-stack:
  added: [tenacity]
  patterns: ["retry with backoff", "typed errors"]
key-files:
  created: [src/{word}/service.py, tests/test_{word}_{plan}.py]
  modified: [src/api/routes.py]
key-decisions:
  - "Retry at most 3 times: the upstream rate-limits at 5/s"
patterns-established:
  - "Errors carry the request id"
requirements-completed: [{word.upper()}-{plan:02d}]
duration: {plan + 4}min
completed: 2026-03-{plan % 28 + 1:02d}
---

# Phase {phase} Plan {plan:02d}: {word} service Summary

**{word} service with retries and typed errors**

## Performance
- **Duration:** {plan + 4} min
- **Tasks:** 2
- **Files modified:** 3

## Task Commits
1. **Task 1: {word} service** - `abc{plan:04d}` (feat)
"""


def generate(root: Path, phases: int = 300, plans: int = 10) -> Path:
    """Write the tree under `root` (replacing it); returns root."""
    if root.exists():
        shutil.rmtree(root)
    planning = root / ".planning"
    (planning / "phases").mkdir(parents=True)
    (planning / "config.json").write_text('{"planner": {}}\n')
    (planning / "PROJECT.md").write_text("# Project\n\nA generated project for benchmarks.\n")
    (planning / "ROADMAP.md").write_text("# Roadmap\n" + "".join(
        f"\n### Phase {_phase_name(i).split('-')[0]}\n- [ ] plans\n" for i in range(phases)))
    (planning / "STATE.md").write_text("---\ngsd_state_version: 1.0\nstatus: executing\n---\n# State\n")
    for index in range(phases):
        folder = _phase_name(index)
        phase = folder.split("-")[0]
        directory = planning / "phases" / folder
        directory.mkdir()
        (directory / f"{phase}-CONTEXT.md").write_text(f"# Phase {phase} context\n\nDecisions go here.\n")
        (directory / f"{phase}-VERIFICATION.md").write_text(
            f"---\nphase: {folder}\nverified: 2026-03-01T10:00:00Z\nstatus: passed\nscore: 3/3\n---\n# Verified\n")
        for plan in range(1, plans + 1):
            (directory / f"{phase}-{plan:02d}-PLAN.md").write_text(plan_text(folder, phase, plan))
            if index < phases * 8 // 10:
                (directory / f"{phase}-{plan:02d}-SUMMARY.md").write_text(summary_text(folder, phase, plan))
    return root


def ensure(phases: int = 300, plans: int = 10) -> Path:
    """The standard tree under bench/out/, generated once and reused."""
    root = OUT / f"tree-{phases}x{plans}"
    marker = root / ".planning" / ".generated"
    if not marker.exists():
        generate(root, phases, plans)
        marker.write_text("ok\n")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", type=int, default=300)
    parser.add_argument("--plans", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    root = generate(args.out, args.phases, args.plans) if args.out else ensure(args.phases, args.plans)
    files = sum(1 for _ in (root / ".planning").rglob("*.md"))
    print(f"{files} Markdown files under {root}")


if __name__ == "__main__":
    main()
