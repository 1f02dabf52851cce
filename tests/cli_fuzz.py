"""Random planning trees and configs, hostile entries among them, run through the real `plan` CLI.

Used by `tests/test_fuzz_cli.py` (a bounded run) and `bench/fuzz_cli.py` (as long as asked).
Each case is a fresh tree from a seed; each command runs in a child process capped at 1 GB of
address space and 60 s of CPU, killed after a wall-clock timeout. An escape is an exit code
other than 0-3, a traceback or internal error, a timeout, a resource kill, or a file created
outside the case's folder.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_BYTES = 1 << 30
CPU_SECONDS = 60

PLAN_KEYS = ["phase", "plan", "type", "status", "wave", "depends_on", "requires", "files_modified",
             "targets", "must_haves", "started", "completed", "base_commit", "closes", "title"]
HOSTILE_SCALARS = ["", "~", "null", "07", "1e400", "9" * 5000, "9999-12-31T23:59:59-23:59", "&a [*a]",
                   "*nowhere", "'unterminated", "{", "[", "\u2028", "---", "\x00", "coverage >= 500",
                   "tests.failed == nan", "!!python/object:os.system", "<<: *a"]
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
CONFIG_VALUES = [None, 5, [1, 2], ["a\x00b"], "", "true", {"x": 1}, ["python", "-c", "pass"], "python -c pass",
                 10**40, 1.5, True, []]


@dataclass
class Outcome:
    argv: tuple[str, ...]
    code: int
    problem: str = ""


@dataclass
class Case:
    seed: int
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def escapes(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.problem]


def _scalar(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(HOSTILE_SCALARS)
    return "".join(rng.choice("abc01 -:#&*[]{}'\"\t") for _ in range(rng.randint(0, 12)))


def _frontmatter(rng: random.Random, keys: list[str]) -> bytes:
    lines = []
    if rng.random() < 0.1:
        lines.append(ALIAS_BOMB.rstrip("\n"))
    for key in rng.sample(keys, rng.randint(0, len(keys))):
        value = _scalar(rng)
        if rng.random() < 0.3:
            lines.append(f"{key}:\n" + "".join(f"  - {_scalar(rng)}\n" for _ in range(rng.randint(0, 3))).rstrip("\n"))
        elif key == "targets" and rng.random() < 0.2:
            lines.append("targets: *j" if lines and lines[0].startswith("a: &a") else "targets: [coverage >= 1]")
        else:
            lines.append(f"{key}: {value}")
    text = "---\n" + "\n".join(lines) + ("\n---\n" if rng.random() < 0.9 else "\n") + "# Body\n"
    data = text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.1:
        data += b"\xff\xfe bad bytes\n"
    if rng.random() < 0.1:
        data = data.replace(b"\n", b"\r\n")
    if rng.random() < 0.05:
        data = b"\xef\xbb\xbf" + data
    return data


def _odd_entry(rng: random.Random, path: Path) -> None:
    """Put something that is not a plain file at `path`."""
    kind = rng.choice(["fifo", "dev_zero", "folder", "dangling", "loop", "outside_link"])
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero" and Path("/dev/zero").exists():
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(path.parent / "nowhere-at-all")
    elif kind == "loop":
        partner = path.with_name(path.name + ".loop")
        path.symlink_to(partner)
        partner.symlink_to(path)
    else:
        path.symlink_to("/etc/hostname" if Path("/etc/hostname").exists() else "/dev/null")


def build_tree(seed: int, folder: Path) -> Path:
    """A random project under `folder/project`; returns its root."""
    rng = random.Random(seed)
    root = folder / "project"
    planning = root / ".planning"
    (planning / "phases").mkdir(parents=True)
    config: dict[str, object] = {}
    if rng.random() < 0.7:
        config = {"planner": {key: rng.choice(CONFIG_VALUES) for key in
                              rng.sample(["test_command", "coverage_report", "junit_report", "groups"],
                                         rng.randint(0, 3))}}
    config_bytes = json.dumps(config).encode()
    if rng.random() < 0.05:
        config_bytes = b'{"planner": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    (planning / "config.json").write_bytes(config_bytes)
    for name in ("STATE.md", "ROADMAP.md"):
        if rng.random() < 0.08:
            _odd_entry(rng, planning / name)
        else:
            (planning / name).write_bytes(_frontmatter(rng, ["status", "current_phase", "progress", "x"]) +
                                          b"\n<!-- planner:begin progress -->\n<!-- planner:end progress -->\n")
    for number in range(1, rng.randint(1, 3) + 1):
        phase = planning / "phases" / f"{number:02d}-phase-{number}"
        phase.mkdir()
        (phase / f"{number:02d}-GOAL.md").write_bytes(_frontmatter(rng, ["title", "goal", "targets"]))
        for part in range(1, rng.randint(0, 3) + 1):
            name = f"{number:02d}-{part:02d}-PLAN.md"
            if rng.random() < 0.1:
                _odd_entry(rng, phase / name)
            else:
                (phase / name).write_bytes(_frontmatter(rng, PLAN_KEYS))
        if rng.random() < 0.2:
            _odd_entry(rng, phase / f"{number:02d}-99-PLAN.md")
    if rng.random() < 0.1:
        cache = planning / ".cache"
        (cache.symlink_to(folder / "outside") if rng.random() < 0.5 else
         (cache.mkdir(), (cache / "planner.lock").symlink_to(folder / "outside" / "lock")))
    if rng.random() < 0.3:
        (root / "coverage.json").write_text(json.dumps({"meta": {"format": 3}, "files": {
            rng.choice(["a.py", "a\x00b.py", "../x.py"]): {
                "summary": {"num_statements": rng.choice([1, -1, 10**30]), "covered_lines": rng.choice([0, 1, 5])},
                "executed_lines": [], "missing_lines": rng.choice([[], [0], [1]])}}}))
    return root


def commands(rng: random.Random) -> list[tuple[str, ...]]:
    pool = [("status",), ("status", "--json"), ("check", "--no-git"), ("new", "1"), ("start", "01-01"),
            ("measure", "--coverage", "coverage.json"), ("render", "--check")]
    return rng.sample(pool, rng.randint(2, 4))


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _outside_listing(folder: Path) -> set[str]:
    outside = folder / "outside"
    return {entry.name for entry in outside.iterdir()} if outside.is_dir() else set()


def run_case(seed: int, *, timeout: float = 60) -> Case:
    """Build tree `seed` in a temporary folder, run a few commands on it, and judge each."""
    case = Case(seed)
    rng = random.Random(seed ^ 0x5EED)
    folder = Path(tempfile.mkdtemp(prefix="plan-cli-fuzz-"))
    try:
        (folder / "outside").mkdir()
        root = build_tree(seed, folder)
        for argv in commands(rng):
            case.outcomes.append(_run(root, argv, timeout))
            if _outside_listing(folder):
                outside = sorted(_outside_listing(folder))
                case.outcomes.append(Outcome(argv, -1, f"wrote outside the project: {outside}"))
                break
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return case


def _run(root: Path, argv: tuple[str, ...], timeout: float) -> Outcome:
    try:
        result = subprocess.run([sys.executable, "-m", "planner", *argv, "--root", str(root)], cwd=root,
                                capture_output=True, text=True, errors="replace", timeout=timeout,
                                preexec_fn=_limits, stdin=subprocess.DEVNULL, check=False,
                                env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        return Outcome(argv, -1, f"timed out after {timeout:g} s (a hang)")
    problem = ""
    if result.returncode not in (0, 1, 2, 3):
        problem = f"exit code {result.returncode} (killed by a limit, or an internal error)"
    elif "Traceback" in result.stderr or "internal error" in result.stderr:
        problem = "traceback or internal error: " + result.stderr.strip().splitlines()[-1][:200]
    elif result.returncode == 2 and len([line for line in result.stderr.splitlines()
                                         if not line.startswith(("plan: warning", "warning:"))]) != 1:
        problem = "an error that is not one line: " + result.stderr[:200]
    return Outcome(argv, result.returncode, problem)
