"""The real trees in ../shared/corpora: every planning root reads, counts match the file names,
and exactly the frontmatter blocks YAML rejects get a diagnostic with a line inside the block.

The expected numbers here are computed from the files with rules of the test's own (plain
regular expressions and `yaml.safe_load`), never with planner's reader or filename parser.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS_ROOTS, CliRunner

_FENCE = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_PLAN_FILE = re.compile(r"(?:^|[-_])PLAN(?:[-_]\d+[A-Za-z]?)?$|-FIX$")
_LEADING_PHASE = re.compile(r"^\d+[A-Za-z]?(?:\.\d+)*(?:-|$)")


def _status(cli: CliRunner, root: Path) -> dict:  # type: ignore[type-arg]
    result = cli("status", "--json", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _phase_folders(root: Path) -> list[Path]:
    """Phase folders, a symbolic link to a folder already seen counted once."""
    phases = root / ".planning" / "phases"
    if not phases.is_dir():
        return []
    real: dict[str, Path] = {}
    for entry in sorted(phases.iterdir(), key=lambda p: (p.is_symlink(), p.name)):
        if entry.is_dir():
            real.setdefault(os.path.realpath(entry), entry)
    return list(real.values())


def _is_plan_file(path: Path) -> bool:
    return _PLAN_FILE.search(path.stem) is not None


def _is_plan_summary(path: Path, folder: Path) -> bool:
    """A SUMMARY belongs to a plan if its PLAN is beside it or its name carries a plan number."""
    stem = path.stem
    if not stem.endswith("SUMMARY"):
        return False
    head = stem[: -len("SUMMARY")].rstrip("-_")
    if (folder / f"{head}-PLAN.md").is_file():
        return True
    if head.endswith("-FIX") and (folder / f"{head}.md").is_file():
        return True
    if head.startswith(folder.name + "-"):
        rest = head[len(folder.name) + 1 :]
    else:
        rest = _LEADING_PHASE.sub("", head, count=1) if _LEADING_PHASE.match(head) else head
    return rest[:1].isdigit()


def _expected_counts(root: Path) -> dict[str, int]:
    folders = _phase_folders(root)
    files = [(folder, path) for folder in folders for path in sorted(folder.glob("*.md"))]
    return {
        "phase_folders": len(folders),
        "plan_files": sum(1 for _, path in files if _is_plan_file(path)),
        "summaries": sum(1 for folder, path in files if _is_plan_summary(path, folder)),
    }


def _frontmatter_blocks(root: Path) -> dict[Path, tuple[int, int] | None]:
    """Files read by status that open with `---`: (first, last) line of the block, None if never closed."""
    planning = root / ".planning"
    paths = sorted(planning.glob("*.md")) + [p for f in _phase_folders(root) for p in sorted(f.glob("*.md"))]
    blocks: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        lines = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
        if not _FENCE.fullmatch(lines[0]):
            continue
        close = next((i for i in range(1, len(lines)) if _CLOSE.fullmatch(lines[i])), None)
        blocks[path] = None if close is None else (2, close)
    return blocks


def _rejected_by_yaml(root: Path) -> dict[Path, tuple[int, int]]:
    rejected = {}
    for path, span in _frontmatter_blocks(root).items():
        if span is None:
            continue
        lines = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
        try:
            yaml.safe_load("\n".join(lines[span[0] - 1 : span[1] - 1]))
        except yaml.YAMLError:
            rejected[path] = span
    return rejected


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_status_json_exits_zero_for_every_planning_root(corpora: Path, cli: CliRunner, name: str) -> None:
    result = cli("status", "--json", "--root", str(corpora / name))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["schema_version"] == 1


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_status_counts_match_counts_from_file_names(corpora: Path, cli: CliRunner, name: str) -> None:
    counts = _status(cli, corpora / name)["counts"]
    shown = {key: counts[key] for key in ("phase_folders", "plan_files", "summaries")}
    assert shown == _expected_counts(corpora / name)


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_every_summary_is_attached_to_a_listed_plan(corpora: Path, cli: CliRunner, name: str) -> None:
    document = _status(cli, corpora / name)
    listed = [s for phase in document["phases"] for plan in phase["plans"] for s in plan["summaries"]]
    assert len(listed) == len(set(listed)) == document["counts"]["summaries"]


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_yaml_rejects_exactly_the_blocks_with_a_yaml_diagnostic(corpora: Path, cli: CliRunner, name: str) -> None:
    root = corpora / name
    rejected = _rejected_by_yaml(root)
    diagnostics = [d for d in _status(cli, root)["diagnostics"] if d["code"] == "FM001"]
    assert sorted(d["path"] for d in diagnostics) == sorted(p.relative_to(root).as_posix() for p in rejected)
    for diagnostic in diagnostics:
        first, last = rejected[root / diagnostic["path"]]
        assert first <= diagnostic["line"] < last, diagnostic


def test_corpora_hold_the_invalid_blocks_their_readme_lists(corpora: Path) -> None:
    posthog = len(_rejected_by_yaml(corpora / "posthog-vscode"))
    atom = sum(len(_rejected_by_yaml(corpora / name)) for name in CORPUS_ROOTS if name.startswith("atom-nested"))
    assert (posthog, atom) == (2, 5)


@pytest.mark.parametrize("name", CORPUS_ROOTS)
def test_unclosed_blocks_get_their_own_diagnostic(corpora: Path, cli: CliRunner, name: str) -> None:
    root = corpora / name
    unclosed = sorted(p.relative_to(root).as_posix() for p, span in _frontmatter_blocks(root).items() if span is None)
    diagnostics = _status(cli, root)["diagnostics"]
    assert sorted(d["path"] for d in diagnostics if d["code"] == "FM003") == unclosed


def test_status_json_through_the_installed_entry_point(corpora: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "planner", "status", "--json", "--root", str(corpora / "helix-staking")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["counts"]["phases"] == len(_phase_folders(corpora / "helix-staking"))


def test_decimal_phases_of_helix_are_ordered_between_integers(corpora: Path, cli: CliRunner) -> None:
    ids = [phase["id"] for phase in _status(cli, corpora / "helix-staking")["phases"]]
    assert ids.index("02") < ids.index("02.1") < ids.index("03")


def test_helix_summaries_without_frontmatter_still_complete_their_plans(corpora: Path, cli: CliRunner) -> None:
    document = _status(cli, corpora / "helix-staking")
    with_summary = [p for ph in document["phases"] for p in ph["plans"] if p["summaries"]]
    assert with_summary and all(plan["status"] == "complete" for plan in with_summary)


def test_yaml_diagnostics_name_file_and_line_in_the_table_output(corpora: Path, cli: CliRunner) -> None:
    result = cli("status", "--root", str(corpora / "posthog-vscode"))
    assert result.exit_code == 0
    assert "read with problems" in result.stdout
