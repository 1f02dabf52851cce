"""`plan demo`: build a small example project and run the real cycle on it.

A git repository, a tiny Python package with tests (one failing on purpose), a phase with a goal
and two plans; then new, start, commits, measure --run, close, verify and handoff, with real git,
real pytest and real coverage. Nothing is mocked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.errors import ConflictError, GitProblem

Step = Callable[[str], None]

_PACKAGE = {
    "calc/__init__.py": '"""A tiny calculator, the subject of the planner demo."""\n',
    "calc/arith.py": (
        "def add(a: float, b: float) -> float:\n    return a + b\n\n\n"
        "def subtract(a: float, b: float) -> float:\n    return a - b\n\n\n"
        "def divide(a: float, b: float) -> float:\n"
        "    if b == 0:\n        raise ZeroDivisionError('division by zero')\n    return a / b\n"
    ),
    "tests/test_arith.py": (
        "from calc.arith import add, divide, subtract\n\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_subtract():\n    assert subtract(5, 3) == 2\n\n\n"
        "def test_divide():\n    assert divide(6, 3) == 2\n"
    ),
}
_PARSER = {
    "calc/parse.py": (
        "from calc.arith import add, divide, subtract\n\n"
        "OPERATORS = {'+': add, '-': subtract, '/': divide}\n\n\n"
        "def evaluate(text: str) -> float:\n"
        "    left, operator, right = text.split()\n"
        "    if operator not in OPERATORS:\n"
        "        raise ValueError(f'unknown operator {operator!r}')\n"
        "    return OPERATORS[operator](float(left), float(right))\n\n\n"
        "def evaluate_all(lines: list[str]) -> list[float]:\n"
        "    results = []\n"
        "    for line in lines:\n"
        "        if line.strip():\n"
        "            results.append(evaluate(line))\n"
        "    return results\n"
    ),
    "tests/test_parse.py": (
        "import pytest\n\nfrom calc.parse import evaluate\n\n\n"
        "def test_evaluate_add():\n    assert evaluate('2 + 3') == 5\n\n\n"
        "def test_evaluate_unknown_operator():\n"
        "    with pytest.raises(ValueError):\n        evaluate('2 * 3')\n\n\n"
        "def test_evaluate_divide_by_zero_is_a_value_error():\n"
        "    # Fails on purpose: the demo's plan 01-02 misses its target and the handoff says why.\n"
        "    with pytest.raises(ValueError):\n        evaluate('1 / 0')\n"
    ),
}


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    documents: tuple[tuple[str, Path], ...]


def _git(directory: Path, *args: str) -> None:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "planner demo", "GIT_AUTHOR_EMAIL": "demo@planner.invalid",
                   "GIT_COMMITTER_NAME": "planner demo", "GIT_COMMITTER_EMAIL": "demo@planner.invalid"}
    try:
        subprocess.run(["git", *args], cwd=directory, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise GitProblem("git is not installed: the demo needs it") from None
    except subprocess.CalledProcessError as error:
        raise GitProblem(f"git {' '.join(args)} failed: {error.stderr.strip()}") from None


def _write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _commit(directory: Path, message: str) -> None:
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", message)


def prepare_directory(target: Path | None) -> Path:
    if target is None:
        return Path(tempfile.mkdtemp(prefix="planner-demo-"))
    if target.exists() and any(target.iterdir()):
        raise ConflictError(f"{target} is not empty; the demo builds its project in a new or empty folder", target)
    target.mkdir(parents=True, exist_ok=True)
    return target.resolve()


def _configure(directory: Path) -> None:
    config_path = directory / ".planning" / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["planner"]["test_command"] = [
        # bare --cov: coverage.py's own configuration (.coveragerc: source, branch) decides
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--cov",
        "--cov-context=test", "--cov-report=json:.planning/metrics/coverage.json",
        "--junitxml=.planning/metrics/junit.xml",
    ]
    config["planner"]["groups"] = {"core": ["calc/arith.py"]}
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _carry_out(directory: Path, plan_id: str, files: dict[str, str], message: str) -> None:
    """One plan's real cycle: start, commit its work, run the tests under coverage, close."""
    from planner.close import close_plan
    from planner.measure import measure
    from planner.start import start_plan
    from planner.tree.reader import load_project

    start_plan(load_project(directory), plan_id)
    _commit(directory, f"docs({plan_id}): start")
    _write(directory, files)
    _commit(directory, message)
    measure(load_project(directory), run=True)
    close_plan(load_project(directory), plan_id)
    _commit(directory, f"docs({plan_id}): summary")


_MULTIPLY = {
    "calc/arith.py": _PACKAGE["calc/arith.py"] + "\n\ndef multiply(a: float, b: float) -> float:\n    return a * b\n",
    "tests/test_arith.py": _PACKAGE["tests/test_arith.py"].replace("add, divide, subtract",
                                                                   "add, divide, multiply, subtract")
    + "\n\ndef test_multiply():\n    assert multiply(2, 3) == 6\n\n\n"
    "def test_divide_by_zero():\n    import pytest\n\n    with pytest.raises(ZeroDivisionError):\n"
    "        divide(1, 0)\n",
}


def run_demo(target: Path | None = None, step: Step | None = None) -> DemoResult:
    """Build the example project and run new, start, measure, close, verify and handoff on it."""
    from planner.handoff import handoff_phase
    from planner.tree.reader import load_project
    from planner.verify import verify_phase

    say = step or (lambda _message: None)
    directory = prepare_directory(target)
    _create_repository(directory)
    say("created a git repository with a tiny calculator package")
    _plan_phase_one(directory)
    say("planned phase 01 with plans 01-01 and 01-02")
    say("measured the starting point: the baseline of plan 01-01")
    _carry_out(directory, "01-01", _MULTIPLY, "feat(01-01): multiply, and test division by zero")
    say("plan 01-01: started, committed, measured with pytest and coverage, closed")
    _carry_out(directory, "01-02", _PARSER, "feat(01-02): parse and evaluate expressions")
    say("plan 01-02: started, committed, measured (one test fails on purpose), closed")

    verify_phase(load_project(directory), "1")
    handoff = handoff_phase(load_project(directory), "1")
    _commit(directory, "docs(01): verification and handoff")
    say("phase 01: verified and handed off")

    phase = load_project(directory).phases[0]
    documents = [(f"{plan.id} summary", path) for plan in phase.plans for path in plan.summary_paths]
    if phase.verification_path is not None:
        documents.append(("01 verification", phase.verification_path))
    documents.append(("01 handoff", handoff.document.path))
    return DemoResult(directory, tuple(documents))


def _create_repository(directory: Path) -> None:
    """The calculator package, its coverage configuration and a planning folder, committed."""
    from planner.scaffold import init_project

    _git(directory, "init", "-q", "-b", "main")
    # The project's coverage configuration, as coverage.py reads it: what to measure, branches,
    # and per-test contexts in the JSON report (the handoff needs them).
    (directory / ".coveragerc").write_text("[run]\nsource = calc\nbranch = True\n\n[json]\nshow_contexts = True\n",
                                           encoding="utf-8")
    (directory / ".gitignore").write_text(".coverage\n__pycache__/\n.planning/.cache/\n", encoding="utf-8")
    _write(directory, _PACKAGE)
    init_project(directory)
    _configure(directory)
    _commit(directory, "chore: calculator package and planning folder")


def _plan_phase_one(directory: Path) -> None:
    """Phase 1 with its two plans, committed, and the baseline snapshot they start from."""
    from planner.measure import measure
    from planner.scaffold import add_phase, new_plan
    from planner.tree.reader import load_project

    add_phase(load_project(directory), "Calculator core", goal="Arithmetic and parsing work and are tested",
              targets=["coverage >= 90", "tests.failed == 0"])
    new_plan(load_project(directory), "1", title="Arithmetic operations", targets=["coverage[core] >= 90"])
    new_plan(load_project(directory), "1", title="Expression parser", targets=["tests.failed == 0"])
    _commit(directory, "docs(01): plan phase 1 with two plans")
    measure(load_project(directory), run=True)
    _commit(directory, "docs(01): baseline snapshot")
