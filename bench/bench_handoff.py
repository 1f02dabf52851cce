"""Benchmark: computing a handoff on a large snapshot, against verifying the same phase.

    .venv/bin/python bench/bench_handoff.py [--files 5000] [--context-files 1000] [--runs 5]

Builds a project under /tmp with one snapshot of N measured files (statement counts 20-800,
coverage 0-100%), per-test contexts for the first --context-files files (30 lines each), 40
failure clusters of 1-25 tests, a group of a tenth of the files, and a phase with three targets;
`plan verify` writes the gaps. Then times, in this process, medians of --runs:

- baseline: `build_verification` (what `plan verify --dry-run` computes on the same snapshot);
- handoff: `build_handoff` (what `plan handoff --dry-run` computes).
Both load the snapshot from disk each run, so the ratio is the cost of the recommendations.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from planner.evidence.clusters import FailureCluster
from planner.evidence.reports.types import TestTotals
from planner.evidence.snapshot import FailedTest, FileMetrics, ReportSource, Snapshot, TestResults, snapshot_id
from planner.evidence.snapshot.store import save_snapshot
from planner.handoff import build_handoff
from planner.scaffold import add_phase, init_project
from planner.tree.reader import load_project
from planner.verify import build_verification, verify_phase

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _snapshot(files: int, context_files: int, rng: random.Random) -> Snapshot:
    measured, contexts = {}, {}
    for index in range(files):
        path = f"src/pkg{index // 100}/mod{index}.py"
        statements = rng.randint(20, 800)
        covered = rng.randint(0, statements)
        measured[path] = FileMetrics(f"{index:064x}", statements, covered,
                                     tuple(range(covered + 1, statements + 1)))
        if index < context_files:
            contexts[path] = {line: (f"tests/test_{index % 300}.py::test_{line % 7}",)
                              for line in range(1, min(covered, 30) + 1)}
    failures, clusters = [], []
    for number in range(40):
        ids = tuple(sorted(f"tests/test_{number}.py::test_{k}" for k in range(rng.randint(1, 25))))
        kind = "ImportError" if number < 2 else "AssertionError"
        failures += [FailedTest(i, f"tests/test_{number}.py", "failed", kind, f"case {number}") for i in ids]
        clusters.append(FailureCluster(f"{kind}: case {number} <n>", kind, len(ids), ids, ids[:3],
                                       (f"tests/test_{number}.py",), f"case {number}"))
    failed = len(failures)
    source = ReportSource("coverage", "coverage.py-json", "coverage.json", "0" * 64, T0.isoformat(), None)
    return Snapshot(snapshot_id(T0, "f" * 40), T0, "f" * 40, False, (source,), measured, contexts,
                    tests=TestResults(TestTotals(failed + 4000, 4000, failed), {}, tuple(failures)),
                    clusters=tuple(clusters))


def _project(folder: Path, files: int, context_files: int) -> Path:
    init_project(folder)
    config = folder / ".planning" / "config.json"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["planner"]["groups"] = {"core": [f"src/pkg{n}/*" for n in range(max(files // 1000, 1))]}
    config.write_text(json.dumps(data), encoding="utf-8")
    add_phase(load_project(folder), "Big push", targets=["coverage >= 80", "coverage[core] >= 90",
                                                         "tests.failed == 0"])
    save_snapshot(load_project(folder), _snapshot(files, context_files, random.Random(7)))
    verify_phase(load_project(folder), "1", now=T0)
    return folder


def _median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--context-files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-handoff-"))
    try:
        _project(folder, options.files, options.context_files)
        project = load_project(folder)
        phase = project.phases[0]
        baseline = _median(lambda: build_verification(project, phase, T0), options.runs)
        handoff = _median(lambda: build_handoff(project, phase), options.runs)
        report = build_handoff(project, phase)[0]
        print(f"files={options.files} context_files={options.context_files} runs={options.runs} "
              f"recommendations={len(report.recommendations)}")
        print(f"baseline build_verification: median {baseline * 1000:.1f} ms")
        print(f"build_handoff:               median {handoff * 1000:.1f} ms  ratio {handoff / baseline:.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
