"""plan demo: the whole cycle on a real repository; its SUMMARY holds real hashes and coverage.py's total."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import DemoBuild
from coverage.results import display_covered

from planner.tree.frontmatter import read_document


def _summaries(directory: Path) -> list[Path]:
    return sorted(directory.glob(".planning/phases/*/*-SUMMARY.md"))


def _documents(demo: DemoBuild) -> dict[str, Path]:
    """{label: path} from the table of documents `plan demo` prints."""
    table = demo.printed.split("Document ", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return {label.strip(): demo.directory / path for label, path in (row.rsplit("  ", 1) for row in table)}


def test_demo_writes_every_document(demo_build: DemoBuild) -> None:
    documents = _documents(demo_build)
    assert list(documents) == ["01-01 summary", "01-02 summary", "01 verification", "01 handoff"]
    assert all(path.is_file() for path in documents.values())


def test_summary_hashes_exist_in_the_demo_repository(demo_build: DemoBuild) -> None:
    demo = demo_build
    for path in _summaries(demo.directory):
        commits = read_document(path).meta["evidence"]["git"]["commits"]
        assert commits, f"{path.name} lists no commits"
        for commit in commits:
            subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=demo.directory, check=True)


def test_summary_coverage_equals_coverage_py_total(demo_build: DemoBuild) -> None:
    demo = demo_build
    report = json.loads((demo.directory / ".planning" / "metrics" / "coverage.json").read_text(encoding="utf-8"))
    totals = report["totals"]
    latest = _summaries(demo.directory)[-1]  # 01-02 was closed on the last measurement
    ours = read_document(latest).meta["metrics"]["coverage"]
    assert ours == f"{totals['percent_covered']:.2f}%"
    assert display_covered(float(ours.rstrip("%")), 0) == totals["percent_covered_display"]


def test_demo_status_is_derived_from_the_failing_test(demo_build: DemoBuild) -> None:
    second = read_document(_summaries(demo_build.directory)[-1]).meta
    assert second["status"] == "complete"  # executed: GSD's reading of a SUMMARY
    assert second["outcome"] == "missed"  # but its target was not met: a separate claim
    verification = read_document(_documents(demo_build)["01 verification"]).meta
    assert verification["status"] == "gaps_found"


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli("demo", str(tmp_path))
    assert result.exit_code == 2
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"
