"""Coverage readers on hand-made fixtures, the shared samples and the atom-nested corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.evidence.reports import read_coverage
from planner.evidence.reports.numbers import coverage_numbers

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "samples"
ATOM = SHARED / "corpora" / "atom-nested"


def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"../shared/samples/{name} not present: shared samples are not checked out")
    return path


def _repo_with(tmp_path: Path, *files: str) -> Path:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    return tmp_path


# --- coverage.py JSON: the shared samples -------------------------------------------------


def test_branch_sample_keeps_statement_and_branch_coverage_apart(tmp_path: Path) -> None:
    report = read_coverage(_sample("coverage.json"), tmp_path)
    numbers = coverage_numbers(report)
    assert (numbers.statements, numbers.covered) == (25, 21)
    assert numbers.percent == 84.0  # percent_statements_covered, not percent_covered (84.85)
    assert (numbers.branches, numbers.covered_branches) == (8, 7)


def test_branch_sample_combined_percent_equals_coverage_percent_covered(tmp_path: Path) -> None:
    document = json.loads(_sample("coverage.json").read_text())
    report = read_coverage(_sample("coverage.json"), tmp_path)
    assert coverage_numbers(report).combined_percent == pytest.approx(document["totals"]["percent_covered"])


def test_sample_missing_and_excluded_lines_are_kept(tmp_path: Path) -> None:
    core = read_coverage(_sample("coverage.json"), tmp_path).files["src/tinypkg/core.py"]
    assert core.missing_lines == (10, 11, 29, 34)
    assert core.excluded == 2


def test_contexts_sample_maps_lines_to_tests(tmp_path: Path) -> None:
    report = read_coverage(_sample("coverage-nobranch-contexts.json"), tmp_path)
    contexts = report.files["src/tinypkg/core.py"].contexts
    assert contexts is not None
    assert contexts[24] == ("test_core.TestCounter.test_bad",)
    assert 1 not in contexts  # only the empty "no test" context ran line 1


def test_sample_timestamp_is_read(tmp_path: Path) -> None:
    report = read_coverage(_sample("coverage.json"), tmp_path)
    assert report.generated_at is not None and report.generated_at.year == 2026


def test_paths_that_match_no_file_earn_one_warning(tmp_path: Path) -> None:
    report = read_coverage(_sample("coverage.json"), tmp_path)
    assert len(report.warnings) == 1
    assert "2 of 2 paths" in report.warnings[0] and "match no file" in report.warnings[0]


def test_paths_that_exist_earn_no_warning(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "src/tinypkg/__init__.py", "src/tinypkg/core.py")
    assert read_coverage(_sample("coverage.json"), repo).warnings == ()


def test_atom_nested_plan_coverage_reads_with_its_totals() -> None:
    found = sorted(ATOM.rglob("*-coverage.json")) if ATOM.exists() else []
    if not found:
        pytest.skip("../shared/corpora/atom-nested not present: corpus not checked out")
    document = json.loads(found[0].read_text())
    report = read_coverage(found[0], ATOM)
    totals = document["totals"]
    numbers = coverage_numbers(report)
    assert (numbers.statements, numbers.covered) == (
        totals["num_statements"],
        totals["covered_lines"],
    )
    assert numbers.branch_percent == pytest.approx(totals["percent_branches_covered"])
    assert report.has_branches


# --- coverage.py JSON: paths ---------------------------------------------------------------


def _write_json(path: Path, files: dict[str, dict[str, object]]) -> Path:
    entries = {
        name: {
            "summary": {"num_statements": 2, "covered_lines": 1, "excluded_lines": 0},
            "missing_lines": [2],
            "executed_lines": [1],
            "excluded_lines": [],
        }
        | extra
        for name, extra in files.items()
    }
    document = {"meta": {"format": 3, "branch_coverage": False}, "files": entries}
    path.write_text(json.dumps(document))
    return path


def test_absolute_paths_become_repo_relative(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path / "repo", "pkg/a.py")
    report_path = _write_json(tmp_path / "cov.json", {str(repo / "pkg" / "a.py"): {}})
    assert list(read_coverage(report_path, repo).files) == ["pkg/a.py"]


def test_relative_paths_resolve_against_the_report_directory(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "backend/core/a.py")
    report_path = _write_json(tmp_path / "backend" / "coverage.json", {"core/a.py": {}})
    report = read_coverage(report_path, repo)
    assert list(report.files) == ["backend/core/a.py"]
    assert report.warnings == ()


def test_windows_separators_become_posix(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "pkg/a.py")
    report = read_coverage(_write_json(tmp_path / "c.json", {"pkg\\a.py": {}}), repo)
    assert list(report.files) == ["pkg/a.py"]


def test_path_outside_repo_is_kept_with_a_warning(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path / "repo", "a.py")
    report = read_coverage(_write_json(tmp_path / "c.json", {"/elsewhere/lib/b.py": {}}), repo)
    assert list(report.files) == ["/elsewhere/lib/b.py"]
    assert any("outside the repository" in w for w in report.warnings)


def test_report_totals_that_disagree_with_files_earn_a_warning(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "a.py")
    path = _write_json(tmp_path / "c.json", {"a.py": {}})
    document = json.loads(path.read_text())
    document["totals"] = {"num_statements": 99, "covered_lines": 1}
    path.write_text(json.dumps(document))
    assert any("disagree" in w for w in read_coverage(path, repo).warnings)


# --- Cobertura and LCOV fixtures -----------------------------------------------------------


def test_jest_cobertura_joins_source_root_and_filename(tmp_path: Path) -> None:
    report = read_coverage(FIXTURES / "cobertura-jest.xml", "/ci/workspace/webapp")
    assert set(report.files) == {"src/sum.js", "src/util.js"}


def test_jest_cobertura_counts_lines_and_branches() -> None:
    report = read_coverage(FIXTURES / "cobertura-jest.xml", "/ci/workspace/webapp")
    sum_js = report.files["src/sum.js"]
    assert (sum_js.statements, sum_js.covered, sum_js.missing_lines) == (4, 3, (3,))
    numbers = coverage_numbers(report)
    assert (numbers.statements, numbers.covered, numbers.branches, numbers.covered_branches) == (
        7,
        5,
        4,
        2,
    )
    assert report.has_branches and report.format == "cobertura"


def test_cobertura_millisecond_timestamp_is_read() -> None:
    report = read_coverage(FIXTURES / "cobertura-jest.xml", "/ci/workspace/webapp")
    assert report.generated_at is not None and report.generated_at.year == 2024


def test_gcovr_cobertura_with_dot_source_resolves_against_repo(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "lib/math.cpp")
    report = read_coverage(FIXTURES / "cobertura-gcovr.xml", repo)
    math = report.files["lib/math.cpp"]
    assert (math.statements, math.covered, math.branches, math.covered_branches) == (5, 4, 4, 2)
    assert report.warnings == ()


def test_jest_lcov_agrees_with_jest_cobertura(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, "src/sum.js", "src/util.js")
    lcov = read_coverage(FIXTURES / "jest.lcov", repo)
    cobertura = read_coverage(FIXTURES / "cobertura-jest.xml", "/ci/workspace/webapp")
    assert coverage_numbers(lcov) == coverage_numbers(cobertura)
    assert lcov.files["src/util.js"].missing_lines == (4,)


def test_lcov_repeated_record_for_a_file_is_merged(tmp_path: Path) -> None:
    path = tmp_path / "merged.info"
    path.write_text(
        "SF:a.py\nDA:1,0\nDA:2,1\nBRDA:2,0,0,0\nend_of_record\n"
        "SF:a.py\nDA:1,4\nBRDA:2,0,0,1\nend_of_record\n"
    )
    f = read_coverage(path, tmp_path).files["a.py"]
    assert (f.statements, f.covered, f.branches, f.covered_branches) == (2, 2, 1, 1)
