"""Shared fixtures: the real corpora beside the project, a CLI runner, small trees on disk."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests take their example counts from a profile, never from the clock: no deadline (a
# loaded machine is not a failure). `default` is the plain `pytest` run; `--hypothesis-profile=stress`
# (the stress step of .ci/run) searches ten times as far. Both draw the same examples every run, so a
# run that lands is a run anyone can repeat; `--hypothesis-profile=explore` draws new ones each time
# (run it to look for bugs, and pin what it finds as a plain test).
settings.register_profile("default", max_examples=100, deadline=None, derandomize=True)
settings.register_profile("stress", max_examples=1000, deadline=None, derandomize=True)
settings.register_profile("explore", max_examples=1000, deadline=None)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SAMPLES = SHARED / "samples"

# Every planning root in the corpora (atom-nested holds four).
CORPUS_ROOTS = (
    "helix-staking",
    "posthog-vscode",
    "ancode",
    "atom-nested",
    "atom-nested/backend",
    "atom-nested/frontend-nextjs",
    "atom-nested/mobile",
)


@pytest.fixture
def corpora() -> Path:
    """../shared/corpora beside the project root; the test is skipped when it is absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"../shared/corpora not present: expected the real planning trees at {CORPORA}")
    return CORPORA


@pytest.fixture
def samples() -> Path:
    """../shared/samples beside the project root; the test is skipped when it is absent."""
    if not SAMPLES.is_dir():
        pytest.skip(f"../shared/samples not present: expected report samples at {SAMPLES}")
    return SAMPLES


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first: what a person at a terminal reads."""
        return self.stdout + self.stderr


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run `plan ARGV...` through `planner.cli.commands.run`, the real entry point, capturing both streams.

    `cwd=` runs it from that folder. NO_COLOR is set so output is plain text.
    """
    from planner.cli.commands import cli_state, run

    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*argv: str, cwd: Path | None = None) -> CliResult:
        capsys.readouterr()
        cli_state.update({"debug": False, "root": None})
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = run(list(argv))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


TreeWriter = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_tree(tmp_path: Path) -> TreeWriter:
    """Write `{relative path: text or bytes}` under tmp_path/project and return that folder.

    Text is written byte for byte (no newline translation), so CRLF and BOMs survive.
    """

    def write(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "project"
        (root / ".planning" / "phases").mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(data)
        return root

    return write


@contextmanager
def no_hang(seconds: float = 60.0) -> Iterator[None]:
    """Fail the test when the block is still running after `seconds`: a hang turned into a failure
    (a quadratic scan of megabytes runs for hours), never a claim about speed, which bench/ measures.

    A real-time alarm, so only in the main thread (where pytest and its xdist workers run tests), and
    never around a template render: planner.render's own time budget uses the same alarm (planner.clock.alarm)."""
    from planner.clock import alarm

    def expire() -> None:
        pytest.fail(f"still running after {seconds:g} s: a hang")

    with alarm(seconds, expire):
        yield


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run the test from tmp_path (for commands that look for a project upwards)."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


# --- built once per session, handed out as private copies ------------------------------------------


def copy_tree(source: Path, destination: Path) -> Path:
    """A private copy of a built project, its git repository included, for a test to change."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


@dataclass
class Pristine:
    """Projects built once per session (per xdist worker) by a builder, copied for each test.

    `pristine.copy(two_plan_project, tmp_path / "repo")` builds on first use with
    `two_plan_project(path)` into a session folder, then copies; a builder must make the same
    project wherever it is built (planning documents hold no absolute path of their root)."""

    folder: Path
    built: dict[str, Path] = field(default_factory=dict)

    def copy(self, builder: Callable[[Path], object], destination: Path) -> Path:
        key = f"{builder.__module__}.{builder.__qualname__}"
        if key not in self.built:
            source = self.folder / str(len(self.built)) / destination.name
            source.parent.mkdir(parents=True)
            builder(source)
            self.built[key] = source
        return copy_tree(self.built[key], destination)


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    return Pristine(tmp_path_factory.mktemp("pristine"))


@dataclass(frozen=True)
class DemoBuild:
    """The example project `plan demo DIR` built, and what it printed."""

    directory: Path  # read it; a test that runs a command on it takes `demo_copy`
    printed: str  # with DIR shown as README shows it: /tmp/planner-demo


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """`plan demo DIR` through the real entry point, once per session: it runs pytest under
    coverage three times, seconds that every test reading the demo would otherwise pay again."""
    from planner.cli.commands import cli_state, run

    directory = tmp_path_factory.mktemp("demo") / "example"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_COLOR", "1")
        cli_state.update({"debug": False, "root": None})
        with redirect_stdout(stdout), redirect_stderr(stderr):
            code = run(["demo", str(directory)])
        cli_state.update({"debug": False, "root": None})
    assert code == 0, stderr.getvalue()
    return DemoBuild(directory, stdout.getvalue().replace(str(directory), "/tmp/planner-demo"))


@pytest.fixture
def demo_copy(demo_build: DemoBuild, tmp_path: Path) -> Path:
    """A private copy of the demo project (repository and all), for a test that changes it."""
    return copy_tree(demo_build.directory, tmp_path / "demo")


# Whole files that belong to the stress set (`-m stress`); a single test can also be marked
# `@pytest.mark.stress` where it is written.
STRESS_FILES = frozenset({"test_crash_safety.py", "test_concurrency.py", "test_fuzz.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in STRESS_FILES:
            item.add_marker(pytest.mark.stress)
