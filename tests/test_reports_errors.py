"""Bad input: every reader fails with one InputError naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.evidence.reports import read_coverage, read_junit

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"

GOOD_JSON = json.dumps(
    {
        "meta": {"format": 3, "branch_coverage": False},
        "files": {
            "a.py": {"summary": {"num_statements": 1, "covered_lines": 1}, "missing_lines": []}
        },
    }
)


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_truncated_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "coverage.json", GOOD_JSON[:60])
    with pytest.raises(InputError) as caught:
        read_coverage(path, tmp_path)
    assert caught.value.path == path
    assert caught.value.line == 1 and caught.value.column is not None
    assert "truncated" in caught.value.message


@pytest.mark.parametrize(("content", "reason"), [
    (b'{"meta": {"format": 3}, "files": {"\xff.py": {}}}', "UnicodeDecodeError"),
    (b'{"meta": {"format": 3}, "totals": ' + b"1" * 5000 + b"}", "ValueError"),  # past int's digit limit
], ids=["not_utf8", "five_thousand_digits"])
def test_json_that_decodes_to_nothing_is_an_unreadable_report(tmp_path: Path, content: bytes, reason: str) -> None:
    path = _write(tmp_path, "coverage.json", content)
    with pytest.raises(InputError) as caught:
        read_coverage(path, tmp_path)
    assert (caught.value.path, caught.value.message) == (path, f"unreadable JSON ({reason}): is this a report?")


def test_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURES / "cobertura-jest.xml").read_text()
    path = _write(tmp_path, "coverage.xml", text[: len(text) // 2])
    with pytest.raises(InputError) as caught:
        read_coverage(path, tmp_path)
    assert caught.value.path == path and caught.value.line is not None


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="entities"):
        read_junit(FIXTURES / "billion-laughs.xml", tmp_path)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="entities or external") as caught:
        read_coverage(FIXTURES / "xxe-cobertura.xml", tmp_path)
    assert caught.value.path == FIXTURES / "xxe-cobertura.xml"


def test_junit_named_json_is_refused_as_coverage(tmp_path: Path) -> None:
    path = _write(tmp_path, "coverage.json", (FIXTURES / "junit-go.xml").read_text())
    with pytest.raises(InputError, match="JUnit XML test report"):
        read_coverage(path, tmp_path)


def test_istanbul_json_is_recognised_and_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Istanbul"):
        read_coverage(FIXTURES / "istanbul-coverage-final.json", tmp_path)


def test_other_coverage_json_format_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.json", json.dumps({"meta": {"format": 2}, "files": {}}))
    with pytest.raises(InputError, match="format 2"):
        read_coverage(path, tmp_path)


def test_json_array_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a coverage.py JSON report"):
        read_coverage(_write(tmp_path, "c.json", "[1, 2]"), tmp_path)


def test_malformed_file_entry_is_an_input_error(tmp_path: Path) -> None:
    document = json.loads(GOOD_JSON)
    del document["files"]["a.py"]["summary"]["covered_lines"]
    path = _write(tmp_path, "c.json", json.dumps(document))
    with pytest.raises(InputError, match="malformed entry for 'a.py'"):
        read_coverage(path, tmp_path)


def test_coverage_report_given_as_junit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Cobertura"):
        read_junit(FIXTURES / "cobertura-jest.xml", tmp_path)


def test_content_decides_and_a_misleading_name_earns_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "coverage.xml", GOOD_JSON)
    report = read_coverage(path, tmp_path)
    assert report.format == "coverage.py-json"
    assert "name suggests XML" in report.warnings[0]


def test_report_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "coverage.json", GOOD_JSON)
    with pytest.raises(InputError, match="over the 10-byte limit"):
        read_coverage(path, tmp_path, max_bytes=10)


@pytest.mark.parametrize("content", ["", "  \n"])
def test_empty_report_is_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(InputError, match="empty"):
        read_coverage(_write(tmp_path, "c.json", content), tmp_path)


def test_missing_report_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_junit(tmp_path / "nope.xml", tmp_path)


def test_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        read_coverage(tmp_path, tmp_path)


def test_lcov_without_end_of_record_is_truncated(tmp_path: Path) -> None:
    path = _write(tmp_path, "lcov.info", "SF:a.py\nDA:1,1\n")
    with pytest.raises(InputError, match="truncated"):
        read_coverage(path, tmp_path)


def test_lcov_bad_line_names_its_line_number(tmp_path: Path) -> None:
    path = _write(tmp_path, "lcov.info", "SF:a.py\nDA:1,1\nDA:x,y\nend_of_record\n")
    with pytest.raises(InputError) as caught:
        read_coverage(path, tmp_path)
    assert caught.value.line == 3


def test_plain_text_is_not_a_coverage_report(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no report format"):
        read_coverage(_write(tmp_path, "notes.txt", "hello world\n"), tmp_path)


def test_junit_with_non_numeric_time_keeps_duration_unknown(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "j.xml", '<testsuite name="s"><testcase name="t" time="n/a"/></testsuite>'
    )
    assert read_junit(path, tmp_path).cases[0].duration is None


def test_cobertura_with_non_numeric_hits_is_an_input_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "c.xml",
        "<coverage><packages><package><classes>"
        '<class filename="a.py"><lines><line number="1" hits="many"/></lines></class>'
        "</classes></package></packages></coverage>",
    )
    with pytest.raises(InputError, match="not a number"):
        read_coverage(path, tmp_path)


_SEEDS = [
    GOOD_JSON,
    (FIXTURES / "jest.lcov").read_text(),
    (FIXTURES / "cobertura-gcovr.xml").read_text(),
    (FIXTURES / "junit-go.xml").read_text(),
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(_SEEDS), cut=st.integers(0, 4000), junk=st.text(max_size=20))
def test_mangled_reports_raise_only_input_error(
    tmp_path: Path, seed: str, cut: int, junk: str
) -> None:
    mangled = seed[: cut % (len(seed) + 1)] + junk + seed[cut % (len(seed) + 1) :][: cut % 7]
    path = _write(tmp_path, "report", mangled)
    for reader in (read_coverage, read_junit):
        try:
            reader(path, tmp_path)
        except InputError:
            pass


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_input_error(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "report.bin", data)
    for reader in (read_coverage, read_junit):
        try:
            reader(path, tmp_path)
        except InputError:
            pass
