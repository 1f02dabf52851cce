"""The long fuzz run: every parser of outside input, far past the bounded tests in the suite.

    .venv/bin/python bench/fuzz_long.py --seconds 300            # atheris when installed, else hypothesis
    .venv/bin/python bench/fuzz_long.py --engine hypothesis --seconds 120

Coverage-guided (atheris/libFuzzer) when `atheris` imports; hypothesis with a large budget
otherwise. Each input goes to every target; only planner's error family may escape those that may
raise at all. Prints cases per target, cases per second, and the ratio against a baseline measured
in the same run (a plain `str.split` over the same inputs), then any crash with its input.
Seeds: ../shared/samples and the PLAN files of ../shared/corpora when present.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from planner.errors import PlannerError
from planner.evidence.reports import read_coverage, read_junit
from planner.ids import PhaseNumber, PlanId, normalise_plan_part
from planner.targets import parse_target
from planner.tree.edit import set_keys
from planner.tree.filenames import classify, parse_phase_dir
from planner.tree.frontmatter import parse_document
from planner.tree.regions import merge
from planner.tree.tolerant_yaml import parse_tolerant

WORKDIR = Path(tempfile.mkdtemp(prefix="planner-fuzz-"))
REPORT = WORKDIR / "report.xml"
CASES: Counter[str] = Counter()
CRASHES: list[tuple[str, bytes, str]] = []  # the first input of each kind of escape
KINDS: Counter[str] = Counter()  # target and exception type -> how many inputs hit it


def _may_raise_planner_errors(call: Callable[[], object]) -> None:
    try:
        call()
    except PlannerError:
        pass


def _targets(data: bytes) -> dict[str, Callable[[], object]]:
    text = data.decode("utf-8", errors="replace")
    half = len(text) // 2
    return {
        "parse_document": lambda: parse_document(Path("X-PLAN.md"), text),  # may not raise at all
        "parse_tolerant": lambda: parse_tolerant(text),
        "classify": lambda: (classify(text[:255], text[half:][:255]), parse_phase_dir(text[:255])),
        "ids": lambda: _ids(text[:200]),
        "parse_target": lambda: _may_raise_planner_errors(lambda: parse_target(text[:400])),
        "set_keys": lambda: _may_raise_planner_errors(lambda: set_keys(text, {"status": text[:20]})),
        "regions.merge": lambda: _may_raise_planner_errors(lambda: merge(text[:half], text[half:])),
        "reports": lambda: _reports(data),
    }


def _ids(text: str) -> None:
    for parse in (PhaseNumber.parse, PlanId.parse, normalise_plan_part):
        _may_raise_planner_errors(lambda parse=parse: parse(text))  # type: ignore[misc]


def _reports(data: bytes) -> None:
    REPORT.write_bytes(data)
    _may_raise_planner_errors(lambda: read_coverage(REPORT, WORKDIR))
    _may_raise_planner_errors(lambda: read_junit(REPORT, WORKDIR))


DEADLINE: list[float] = []  # monotonic end of an atheris run; libFuzzer's own exit skips atexit
FINISH: list[Callable[[], None]] = []


def one_input(data: bytes) -> None:
    if DEADLINE and time.monotonic() > DEADLINE[0]:
        for finish in FINISH:
            finish()
        os._exit(1 if CRASHES else 0)
    for name, call in _targets(data).items():
        CASES[name] += 1
        try:
            call()
        except Exception as error:  # noqa: BLE001 - anything here escaped planner's error family: a finding
            kind = f"{name}: {type(error).__name__}"
            KINDS[kind] += 1
            if KINDS[kind] == 1:
                CRASHES.append((name, data, traceback.format_exc(limit=6)))


def seeds() -> list[bytes]:
    found = [b"---\nstatus: planned\n---\n# x\n", b"coverage[src/**] >= 80%", b"12-GAP-03"]
    for folder, pattern in ((SHARED / "samples", "*"), (SHARED / "corpora", "*-PLAN.md")):
        if folder.is_dir():
            found += [path.read_bytes()[:200_000] for path in sorted(folder.rglob(pattern))[:60] if path.is_file()]
    return found


def run_atheris(seconds: int) -> None:
    import atheris

    corpus = WORKDIR / "corpus"
    corpus.mkdir()
    for index, seed in enumerate(seeds()):
        (corpus / f"seed{index}").write_bytes(seed)
    DEADLINE.append(time.monotonic() + seconds)
    argv = [sys.argv[0], f"-max_total_time={seconds + 120}", "-max_len=65536", "-rss_limit_mb=2048",
            "-timeout=10", str(corpus)]
    atheris.instrument_all()
    atheris.Setup(argv, one_input)
    try:
        atheris.Fuzz()
    except SystemExit:
        pass


def run_hypothesis(seconds: int) -> None:
    import random

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seed_inputs = seeds()
    deadline = time.monotonic() + seconds
    mutations = st.tuples(st.sampled_from(seed_inputs), st.integers(0, 2**32), st.binary(max_size=64))

    @settings(max_examples=10**9, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode), mutations))
    def fuzz(case: bytes | tuple[bytes, int, bytes]) -> None:
        if time.monotonic() > deadline:
            raise _Done
        if isinstance(case, tuple):
            seed, salt, insert = case
            rng = random.Random(salt)
            data = bytearray(seed)
            for _ in range(rng.randint(1, 8)):
                at = rng.randint(0, len(data))
                choice = rng.random()
                if choice < 0.4 and data:
                    data[min(at, len(data) - 1)] ^= 1 << rng.randint(0, 7)
                elif choice < 0.6:
                    del data[at:]
                else:
                    data[at:at] = insert
            case = bytes(data)
        one_input(case)

    try:
        fuzz()
    except _Done:
        pass


class _Done(Exception):
    pass


def baseline(inputs: list[bytes], repeats: int = 5) -> float:
    """Median seconds per input of a trivial parse over the same seeds, for the ratio."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for data in inputs:
            data.decode("utf-8", errors="replace").split("\n")
        timings.append((time.perf_counter() - started) / max(len(inputs), 1))
    return statistics.median(timings)


def report(engine: str, base: float, started: float) -> None:
    """Print the figures; runs at exit too, since libFuzzer ends the process itself."""
    elapsed = time.perf_counter() - started
    inputs = max(CASES.values(), default=0)
    per_input = elapsed / max(inputs, 1)
    print(f"engine: {engine}; {elapsed:.0f} s; {inputs:,} inputs, {sum(CASES.values()):,} target calls")
    for name, count in sorted(CASES.items()):
        print(f"  {name:16} {count:>12,} cases")
    print(f"mean per input: {per_input * 1e6:.1f} us; baseline median (split lines): {base * 1e6:.2f} us; "
          f"ratio {per_input / base if base else float('nan'):.0f}x")
    print(f"escapes (exceptions outside planner's error family): {sum(KINDS.values())} inputs, "
          f"{len(KINDS)} kinds: {dict(KINDS)}")
    for name, data, trace in CRASHES[:10]:
        print(f"--- {name}: input {data[:200]!r}\n{trace}")
    shutil.rmtree(WORKDIR, ignore_errors=True)
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    options, _ = parser.parse_known_args()
    engine = options.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    base = baseline(seeds())
    started = time.perf_counter()
    atexit.register(report, engine, base, started)

    def finish() -> None:
        atexit.unregister(report)
        report(engine, base, started)

    FINISH.append(finish)
    (run_atheris if engine == "atheris" else run_hypothesis)(options.seconds)
    return 1 if CRASHES else 0


if __name__ == "__main__":
    sys.exit(main())
