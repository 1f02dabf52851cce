"""plan check over every real tree in ../shared/corpora: no crash, every finding points inside a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import run_checks
from planner.tree.reader import load_project

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def planning_roots() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    return sorted(path.parent for path in CORPORA.glob("**/.planning") if path.is_dir())


@pytest.fixture(params=planning_roots() or [None], ids=lambda p: p.relative_to(CORPORA).as_posix() if p else "absent")
def root(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.skip(f"../shared/corpora not present: {CORPORA}")
    return request.param  # type: ignore[no-any-return]


def test_every_finding_has_an_existing_path_and_a_line_inside_it(root: Path) -> None:
    report = run_checks(load_project(root), git=True)
    for finding in report.findings:
        path = root / finding.path
        assert path.exists(), finding
        if finding.line is not None:
            assert path.is_file(), finding
            assert 1 <= finding.line <= len(path.read_text(encoding="utf-8", errors="replace").split("\n")), finding


def test_no_git_history_gives_one_info_not_a_flood(root: Path) -> None:
    report = run_checks(load_project(root), git=True)
    assert [f.code for f in report.findings if f.code.startswith("GIT")] == ["GIT200"]


def test_posthog_state_percent_zero_with_everything_done_is_found() -> None:
    root = CORPORA / "posthog-vscode"
    if not root.is_dir():
        pytest.skip(f"../shared/corpora/posthog-vscode not present: {root}")
    report = run_checks(load_project(root), git=False)
    assert [(f.path, f.line) for f in report.findings if f.code == "DOC602"] == [(".planning/STATE.md", 14)]
