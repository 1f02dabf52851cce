"""SIGKILL the writing commands at random moments: every file is afterwards its old or its new version.

A reference run that completes gives the new version of each file; then each trial restores the
old `.planning/`, starts the command as a real process and kills it after a seeded random delay.
Timestamps, dates and numbers are masked before comparing with the reference run, which happened
a few seconds earlier (durations differ); the old version must match byte for byte.
Set PLANNER_KILLS to run more kills (the default keeps the file under a minute on two cores).
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import two_plan_project

from planner.tree.reader import load_project

# Each writing command, run from the same starting tree. `plan close` and `plan verify` join here
# once they exist (the starting tree has plan 01-02 started for them).
COMMANDS: list[list[str]] = [["new", "1"], ["start", "01-01"]]
if importlib.util.find_spec("planner.close") is not None:
    COMMANDS.append(["close", "01-02"])
if importlib.util.find_spec("planner.verify") is not None:
    COMMANDS.append(["verify", "1"])

KILLS = int(os.environ.get("PLANNER_KILLS", "104"))  # in all, shared among COMMANDS: at least 100 by default
WORKERS = 2
_TEMP_FILE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")  # atomic_write's `.NAME.xxxxxxxx.tmp`
_NUMBERS = re.compile(r"\d+")
_TIMES = re.compile(r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?)?")


def plan(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *argv, "--root", str(root)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=60, check=False)


def build_project(root: Path) -> Path:
    """A git repository with a phase of two plans, the second started."""
    return two_plan_project(root)


def snapshot(planning_dir: Path) -> dict[str, bytes]:
    return {path.relative_to(planning_dir).as_posix(): path.read_bytes()
            for path in sorted(planning_dir.rglob("*")) if path.is_file()}


def masked(data: bytes) -> bytes:
    """Times, dates and numbers masked: a complete run a few seconds later writes other durations.
    A torn or truncated file still differs, in its length and its words."""
    text = _TIMES.sub("T", data.decode("utf-8", errors="replace"))
    return _NUMBERS.sub("0", text).encode("utf-8")


@dataclass
class Outcome:
    new_files: int
    old_files: int
    temp_files: int


def check_tree(planning_dir: Path, old: dict[str, bytes], new: dict[str, bytes]) -> Outcome:
    """Assert every file is byte-identical (times masked) to its old or its new version."""
    now = snapshot(planning_dir)
    counts = Counter[str]()
    for name, data in now.items():
        if name.startswith(".cache/") and name != ".cache/planner.lock":
            continue  # the index is a cache; its own crash safety is tested in tests/test_index.py
        if _TEMP_FILE.match(Path(name).name) or name == ".cache/planner.lock":
            counts["temp"] += _TEMP_FILE.match(Path(name).name) is not None
            continue
        assert name in old or name in new, f"unexpected file {name} after a kill"
        assert data, f"{name} is empty after a kill"
        if name in old and data == old[name] and (name not in new or masked(data) == masked(new[name])):
            continue  # a file the command does not change
        if name in old and data == old[name]:
            counts["old"] += 1
        elif name in new and masked(data) == masked(new[name]):
            counts["new"] += 1
        else:
            pytest.fail(f"{name} is neither its old nor its new version after a kill:\n{data[:400]!r}")
    for name in old:
        assert name in now or name not in new, f"{name} vanished after a kill"
    return Outcome(counts["new"], counts["old"], counts["temp"])


def assert_reader_ignores_temp_files(root: Path) -> None:
    project = load_project(root)
    read = [str(d.path) for d in project.diagnostics] + [str(p) for p in project.root_documents]
    read += [str(p) for phase in project.phases for p in phase.documents]
    read += [str(plan.plan_path) for phase in project.phases for plan in phase.plans]
    assert not [path for path in read if path.endswith(".tmp")]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("crash") / "pristine")


def _reference(pristine: Path, workdir: Path, argv: list[str]) -> tuple[dict[str, bytes], float]:
    """The new version of every file, and how long complete runs take side by side (as the trials run)."""
    roots = [workdir / f"reference{index}" for index in range(WORKERS)]
    for root in roots:
        shutil.copytree(pristine, root, symlinks=True)
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "planner", *argv, "--root", str(root)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for root in roots]
    for process in processes:
        _, error = process.communicate(timeout=60)
        assert process.returncode == 0, error
    return snapshot(roots[0] / ".planning"), time.perf_counter() - started


def _restore(pristine: Path, root: Path) -> None:
    if not root.exists():
        shutil.copytree(pristine, root, symlinks=True)
        return
    shutil.rmtree(root / ".planning")
    shutil.copytree(pristine / ".planning", root / ".planning", symlinks=True)


def _delay(rng: random.Random, duration: float) -> float:
    # A third of the kills anywhere in the run, the rest around its end, where the writes are.
    if rng.random() < 0.33:
        return rng.uniform(0.0, duration)
    return rng.uniform(0.6 * duration, duration * 1.05)


def run_kills(pristine: Path, workdir: Path, argv: list[str], kills: int, seed: int) -> Counter[str]:
    """Kill `plan ARGV` `kills` times; returns counts of how the trees were left."""
    old = snapshot(pristine / ".planning")
    new, duration = _reference(pristine, workdir, argv)
    changed = {name for name, data in new.items() if name not in old or masked(old[name]) != masked(data)}
    rng = random.Random(seed)
    figures = Counter[str](duration_ms=int(duration * 1000))
    roots = [workdir / f"worker{index}" for index in range(WORKERS)]
    while figures["kills"] < kills and figures["trials"] < kills * 5:
        processes = []
        for root in roots:
            _restore(pristine, root)
            command = [sys.executable, "-m", "planner", *argv, "--root", str(root)]
            processes.append((root, subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                                     stderr=subprocess.DEVNULL)))
        time.sleep(_delay(rng, duration))
        for root, process in processes:
            process.send_signal(signal.SIGKILL)
            code = process.wait(timeout=30)
            figures["trials"] += 1
            figures["kills" if code == -signal.SIGKILL else "completed"] += 1
            outcome = check_tree(root / ".planning", old, new)
            figures["all_old" if outcome.new_files == 0 else
                    "all_new" if outcome.new_files == len(changed) else "mixed"] += 1
            figures["temp_files_left"] += outcome.temp_files
            if outcome.temp_files:
                assert_reader_ignores_temp_files(root)
            # The machine is shared, so run times drift: keep the kill window on the writes.
            duration *= 0.85 if code != -signal.SIGKILL else (1.04 if outcome.new_files == 0 else 1.0)
    return figures


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(argv) for argv in COMMANDS])
def test_sigkill_leaves_every_file_old_or_new(pristine: Path, tmp_path: Path, argv: list[str]) -> None:
    kills = -(-KILLS // len(COMMANDS))
    figures = run_kills(pristine, tmp_path, argv, kills, seed=sum(map(ord, " ".join(argv))))
    print(f"\nplan {' '.join(argv)}: {dict(figures)}")
    assert figures["kills"] >= kills
    assert figures["all_old"] > 0  # some kills landed before any write ...
    assert figures["all_new"] + figures["mixed"] > 0  # ... and some after one: the window was covered


def test_a_killed_command_can_be_run_again(pristine: Path, tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(pristine, root, symlinks=True)
    process = subprocess.Popen([sys.executable, "-m", "planner", "new", "1", "--root", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.15)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    result = plan(root, "new", "1")
    assert result.returncode == 0, result.stderr
    assert plan(root, "status", "--json").returncode == 0
