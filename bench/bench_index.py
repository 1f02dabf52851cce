"""Benchmark: `plan status --json` with the planning index, against reading every file's frontmatter.

    .venv/bin/python bench/bench_index.py [--documents 6000] [--runs 7] [--keep]

Generates a GSD-shaped tree of N Markdown documents under bench/out/index-tree-N (about 520
phase folders of plans, summaries, a verification and a context file each; 5% of the documents
keep their metadata in bold `**Key:** value` lines, 1% have frontmatter YAML rejects), then
times whole processes, interpreter start-up included, medians of --runs interleaved rounds
(timing.measure_usage: wall and CPU, the CPU of worker processes included):

- baseline: python walks the tree, reads each .md file and runs yaml.load(CSafeLoader) on its
  frontmatter (the issue's "0.86 s on 3,116 files" measurement);
- cold: `plan status --json` with no index (it builds one);   goal <= 1.2x baseline
- warm: `plan status --json` with an up-to-date index;        goal <= 0.2x baseline
- one edit: `plan status --json` after one CONTEXT file changed (read again, index rewritten);
- `plan check --no-git` (as `check_root(git=False)`) without the index, cold and warm;
- `plan --version` against bare `python3 -c pass`;            goal <= 5x
- `plan status` (--json, and the table) on a one-phase project against `python3 -c pass`.

Run it from a folder other than the project root to measure another copy of planner through
PYTHONPATH (`python -m` puts the working directory first on the path). Bytecode is written under
bench/out/pycache, as an installed package has it (timing.bench_environment, shared by every
bench script: the environment may say not to write any).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import OUT, Runnable, bench_environment, command, measure_usage

PYTHON = sys.executable
PLAN_COMMAND = [PYTHON, "-m", "planner"]
OLD_NS = 1_600_000_000 * 10**9  # generated files look written long ago, as in a real tree

BASELINE = r"""
import os, sys, yaml
loader = yaml.CSafeLoader
count = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            text = handle.read()
        if text.startswith("---\n"):
            end = text.find("\n---", 3)
            if end > 0:
                try:
                    yaml.load(text[4:end], Loader=loader)
                except yaml.YAMLError:
                    pass
        count += 1
print(count)
"""

_PROSE = (
    "The reader walks every phase folder and maps each file to the model. Problems become "
    "diagnostics instead of failures, so a half-written tree still answers. "
)


def _plan(phase: str, part: str, rng: random.Random) -> str:
    files = "\n".join(f"  - src/module_{rng.randrange(400)}/file_{i}.py" for i in range(rng.randrange(3, 8)))
    truths = "\n".join(f'    - "Behaviour {i} of plan {part} holds when the reader sees a changed file"'
                       for i in range(6))
    artifacts = "\n".join(f"    - path: src/module_{i}/file_{i}.py\n      provides: \"capability {i} of the plan\"\n"
                           f"      contains: \"def function_{i}\"\n      min_lines: {rng.randrange(20, 200)}"
                           for i in range(4))
    links = "\n".join(f"    - from: src/a_{i}.py\n      to: src/b_{i}.py\n      via: \"import of b_{i}\"\n"
                       f"      pattern: \"from b_{i} import\"" for i in range(3))
    return (
        f"---\nphase: {phase}\nplan: {part}\ntype: execute\nwave: {rng.randrange(1, 4)}\n"
        f"depends_on: []\nfiles_modified:\n{files}\nautonomous: true\nstatus: "
        f"{rng.choice(['planned', 'complete', 'in_progress', 'complete'])}\n"
        f"requirements: [REQ-{rng.randrange(99)}, REQ-{rng.randrange(99)}]\n"
        f"must_haves:\n  truths:\n{truths}\n  artifacts:\n{artifacts}\n  key_links:\n{links}\n"
        f"---\n\n<objective>\nDo plan {part} of {phase}.\n</objective>\n\n" + _PROSE * rng.randrange(20, 60)
    )


def _summary(phase: str, part: str, rng: random.Random) -> str:
    decisions = "\n".join(f'  - "Decision {i}: keep the reader tolerant, because real trees are messy"'
                           for i in range(rng.randrange(3, 7)))
    created = "\n".join(f"    - src/module_{part}/created_{i}.py" for i in range(rng.randrange(2, 6)))
    modified = "\n".join(f"    - src/module_{i}/modified_{i}.py" for i in range(rng.randrange(2, 6)))
    return (
        f"---\nphase: {phase}\nplan: {part}\nsubsystem: core\ntags: [reader, index, sqlite, cache]\n"
        f"requires:\n  - phase: 01-foundation\n    provides: model\n  - phase: 02-reader\n    provides: tree walk\n"
        f"provides:\n  - indexed reads\n  - warm status under 0.3 s\naffects: [status, check]\n"
        f"tech-stack:\n  added: []\n  patterns: [sqlite, atomic rename]\nkey-files:\n  created:\n{created}\n"
        f"  modified:\n{modified}\nkey-decisions:\n{decisions}\n"
        f"patterns-established:\n  - \"Index keyed by path, size and mtime\"\n"
        f"requirements-completed: [REQ-{rng.randrange(99)}]\n"
        f"duration: {rng.randrange(3, 90)}min\ncompleted: 2025-0{rng.randrange(1, 9)}-1{rng.randrange(9)}\n"
        f"---\n\n# Phase {phase} Plan {part}: Summary\n\n" + _PROSE * rng.randrange(30, 90)
    )


def _bold(phase: str, part: str, rng: random.Random) -> str:
    return (f"# Plan {part} summary\n\n**Phase:** {phase}\n**Plan:** {part}\n**Status:** Complete\n"
            f"**Completed:** 2025-03-0{rng.randrange(1, 9)}\n\n" + _PROSE * rng.randrange(5, 20))


def _broken(phase: str, part: str, rng: random.Random) -> str:
    return (f"---\nphase: {phase}\nplan: {part}\ncontains: \"a\", \"b\"\nstatus: complete\n---\n\n"
            + _PROSE * rng.randrange(5, 20))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(OLD_NS, OLD_NS))


def _document(kind: str, phase: str, part: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return _bold(phase, part, rng)
    if roll < 0.06:
        return _broken(phase, part, rng)
    return (_plan if kind == "PLAN" else _summary)(phase, part, rng)


def generate_tree(root: Path, documents: int, seed: int = 11) -> Path:
    """A project folder holding `.planning/` with exactly `documents` Markdown files."""
    rng = random.Random(seed)
    planning = root / ".planning"
    phases_dir = planning / "phases"
    phases_dir.mkdir(parents=True)
    _write(planning / "ROADMAP.md", "# Roadmap\n\n" + _PROSE * 20)
    _write(planning / "STATE.md", "---\ngsd_state_version: 1.0\nstatus: executing\n---\n\n# State\n")
    (planning / "config.json").write_text("{}\n", encoding="utf-8")
    written, number = 2, 0
    while written < documents:
        number += 1
        phase = f"{number:02d}-phase-{number}-work"
        folder = phases_dir / phase
        folder.mkdir()
        extras = [("CONTEXT", f"# Phase {number} context\n\n" + _PROSE * 8),
                  ("VERIFICATION", f"---\nphase: {phase}\nstatus: passed\nscore: 5/5\n---\n\n" + _PROSE * 6)]
        for kind, text in extras:
            if written < documents:
                _write(folder / f"{number:02d}-{kind}.md", text)
                written += 1
        for plan in range(1, rng.randrange(4, 6) + 1):
            part = f"{plan:02d}"
            for kind in ("PLAN", "SUMMARY"):
                if written < documents:
                    _write(folder / f"{number:02d}-{part}-{kind}.md", _document(kind, phase, part, rng))
                    written += 1
    return root


def _line(label: str, measured: tuple[float, float], against: tuple[float, float] | None = None,
          goal: float = 0.0) -> None:
    text = f"  {label:42s} {measured[0] * 1000:7.1f} ms / {measured[1] * 1000:7.1f} ms"
    if against is not None:
        wall, cpu = measured[0] / against[0], measured[1] / against[1]
        text += f"   ratio {wall:.2f} / {cpu:.2f}"
        if goal:
            verdicts = ["PASS" if ratio <= goal else "FAIL" for ratio in (wall, cpu)]
            text += f"  goal <= {goal}  {verdicts[0]} / {verdicts[1]}"
    print(text)


CHECK = ("import sys; from pathlib import Path; from planner.check import check_report_to_dict, check_root; "
         "from planner.cli.console import to_json; "
         "print(to_json(check_report_to_dict(check_root(Path(sys.argv[1]), git=False, "
         "use_index=sys.argv[2] == 'index'))))")

EDIT = ("import os, sys; path = sys.argv[1]; text = open(path, encoding='utf-8').read(); "
        "text = text[:-1] if text.endswith('  ') else text + ' '; open(path, 'w', encoding='utf-8').write(text); "
        f"os.utime(path, ns=({OLD_NS}, {OLD_NS}))")


def _checks(tree: Path, runs: int, env: dict[str, str], drop_index: Runnable) -> dict[str, tuple[float, float]]:
    """check_root without the index, cold (building it) and warm; their outputs must agree."""
    plain = [PYTHON, "-c", CHECK, str(tree), "plain"]
    indexed = [PYTHON, "-c", CHECK, str(tree), "index"]
    outputs = {subprocess.run(command, check=True, env=env, capture_output=True, text=True).stdout
               for command in (plain, indexed, indexed)}
    print(f"check output identical without the index, cold and warm: {len(outputs) == 1}")
    return measure_usage({"without": command(*plain, env=env), "cold": command(*indexed, env=env),
                          "warm": command(*indexed, env=env)}, runs, prepare={"cold": drop_index})


def _same_output(status: list[str], tree: Path, env: dict[str, str]) -> bool:
    """`plan status --json` (through the index) prints what a plain read of every file gives."""
    plain = ("import sys; from pathlib import Path; from planner.tree.reader import load_project; "
             "from planner.status import project_status; from planner.cli.console import to_json; "
             "print(to_json(project_status(load_project(Path(sys.argv[1])))))")
    indexed = subprocess.run(status, check=True, env=env, capture_output=True, text=True).stdout
    read = subprocess.run([PYTHON, "-c", plain, str(tree)], check=True, env=env, capture_output=True, text=True)
    return indexed == read.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the generated tree if present")
    parser.add_argument("--check", action=argparse.BooleanOptionalAction, default=True,
                        help="also time check_root with and without the index")
    options = parser.parse_args()
    tree = OUT / f"index-tree-{options.documents}"
    if tree.exists() and not options.keep:
        shutil.rmtree(tree)
    if not tree.exists():
        started = time.perf_counter()
        generate_tree(tree, options.documents)
        print(f"generated {options.documents} documents in {time.perf_counter() - started:.1f} s: {tree}")
    env = bench_environment()  # bytecode under bench/out/pycache, as every bench script measures start-up
    where = subprocess.run([PYTHON, "-c", "import planner; print(planner.__file__)"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"measuring the planner at {where}")
    cache = tree / ".planning" / ".cache"
    status = [*PLAN_COMMAND, "status", "--json", "--root", str(tree)]
    drop_index = command(PYTHON, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)", env=env)
    edited = next((tree / ".planning" / "phases").glob("*/*-CONTEXT.md"))
    # Interleaved rounds (baseline, cold, warm, one edit, ...): load on the shared machine hits all alike.
    # Warm follows the cold run that built the index; the edit makes the next run re-read one file.
    tree_runs = measure_usage({"baseline": command(PYTHON, "-c", BASELINE, str(tree), env=env),
                               "cold": command(*status, env=env), "warm": command(*status, env=env),
                               "one_edit": command(*status, env=env)}, options.runs,
                              prepare={"cold": drop_index,
                                       "one_edit": command(PYTHON, "-c", EDIT, str(edited), env=env)})
    checks = _checks(tree, options.runs, env, drop_index) if options.check else {}
    small = OUT / "index-tree-one-phase"
    if not small.exists():
        generate_tree(small, 6)
    small_json = [*PLAN_COMMAND, "status", "--json", "--root", str(small)]
    start_up = measure_usage({"bare": command(PYTHON, "-c", "pass", env=env),
                              "version": command(*PLAN_COMMAND, "--version", env=env),
                              "json": command(*small_json, env=env),
                              "table": command(*PLAN_COMMAND, "status", "--root", str(small), env=env)}, options.runs)
    print(f"warm output identical to a read without the index: {_same_output(status, tree, env)}")
    print(f"documents: {options.documents}, runs: {options.runs}, medians (wall / CPU):")
    baseline = tree_runs["baseline"]
    _line("baseline (read + CSafeLoader every file)", baseline)
    _line("plan status --json, cold (no index)", tree_runs["cold"], baseline, 1.2)
    _line("plan status --json, warm (index)", tree_runs["warm"], baseline, 0.2)
    _line("plan status --json, one file edited", tree_runs["one_edit"], baseline)
    if checks:
        _line("check --no-git, without the index", checks["without"])
        _line("check --no-git, cold (builds the index)", checks["cold"], checks["without"])
        _line("check --no-git, warm (index)", checks["warm"], checks["without"])
    _line("python -c pass", start_up["bare"])
    _line("plan --version", start_up["version"], start_up["bare"], 5.0)
    _line("plan status --json, one-phase project", start_up["json"], start_up["bare"], 0.0)
    _line("plan status (table), one-phase project", start_up["table"], start_up["bare"], 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
