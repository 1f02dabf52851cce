"""Bounded fuzzing of every parser that reads what people or tools wrote.

Nothing may escape these entry points but planner's own error family (and `parse_document`,
`parse_tolerant`, `classify` and `parse_phase_dir` may not raise at all). The long run is
`bench/fuzz_long.py`; this file keeps each property to a few hundred cases.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import no_hang
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError, PlannerError
from planner.ids import PhaseNumber, PlanId, normalise_plan_part
from planner.targets import parse_target
from planner.tree.edit import set_keys
from planner.tree.filenames import classify, parse_phase_dir
from planner.tree.frontmatter import parse_document, split
from planner.tree.regions import find_regions, merge, wrap
from planner.tree.tolerant_yaml import parse_tolerant

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "samples"
CORPORA = SHARED / "corpora"
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the inputs: YAML and Markdown punctuation, markers, ids, odd characters.
_PIECES = [
    "---", "\n", "\r\n", "\r", ": ", ":", "- ", "  ", "\t", "#", "[", "]", "{", "}", ",", "'", '"', "|", ">",
    "&a", "*a", "!!python/object:os.system", "%YAML 1.1", "...", "\ufeff", "\x00", "\u2028", "\x85",
    "status: ", "plan: ", "phase: ", "depends_on:", "<!-- planner:begin x -->", "<!-- planner:end x -->",
    "12-03", "08.1", "GAP-01", "coverage[src/**] >= 80%", "é", "🙂", "\udcff".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"),
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=60).map("".join),
)


def _shared_files(folder: Path, pattern: str, limit: int) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(folder.rglob(pattern))[:limit]


def _corpus_frontmatter() -> list[str]:
    texts = []
    for path in _shared_files(CORPORA, "*-PLAN.md", 400)[::8]:
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


CORPUS_TEXTS = _corpus_frontmatter()
SAMPLE_BYTES = [path.read_bytes() for path in _shared_files(SAMPLES, "*", 20) if path.is_file()]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte flips, truncations, splices and insertions of hostile tokens."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "splice", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, max(len(other) - 1, 0)))
            data[at:at] = other[start : start + draw(st.integers(0, 400))]
        elif op == "insert":
            token = draw(st.sampled_from([
                b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"&a;", b"<!ENTITY e SYSTEM 'file:///etc/passwd'>",
                b"\x00", b"\xff\xfe", b"NaN", b"1e999", b"-1", b"99999999999999999999", b'"', b"{", b"]",
                b"<testcase>", b"</testsuite>", b"SF:", b"DA:1,", b"end_of_record\n", b'"lines": null',
                b'"meta": {"format": 3}', b"<![CDATA[", b"]]>", b"\r\n",
            ]))
            data[at:at] = token
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _only_planner_errors(call: Callable[[], Any]) -> None:
    try:
        call()
    except PlannerError:
        pass


# --- frontmatter and the tolerant reader: never raise ----------------------------------------


@FUZZ
@given(hostile_text)
def test_parse_document_never_raises_on_any_text(text: str) -> None:
    document = parse_document(Path("X-PLAN.md"), text)
    assert isinstance(document.meta, dict)
    assert all(isinstance(key, str) for key in document.meta)


@pytest.mark.skipif(not CORPUS_TEXTS, reason="../shared/corpora not present: no real PLAN files to mutate")
@FUZZ
@given(st.data())
def test_parse_document_never_raises_on_mutated_corpus_plans(data: st.DataObject) -> None:
    seeds = [text.encode("utf-8") for text in CORPUS_TEXTS]
    raw = data.draw(mutated(seeds)).decode("utf-8", errors="replace")
    document = parse_document(Path("X-PLAN.md"), raw)
    assert isinstance(document.meta, dict)


@FUZZ
@given(hostile_text)
def test_parse_tolerant_never_raises_and_gives_a_mapping(text: str) -> None:
    assert isinstance(parse_tolerant(text), dict)


def test_tolerant_reader_reads_values_around_a_long_run_of_blanks() -> None:
    # Was quadratic (lazy `.*?` then `\s*$`): 200 000 blanks took hours. Now milliseconds (bench/).
    blanks = " " * 200_000
    block = f"a: x{blanks}y\nitems:\n  - x{blanks}y\nb{blanks}c\nbad: [\n"
    with no_hang():
        parsed = parse_tolerant(block)
    assert parsed["a"] == f"x{blanks}y"
    assert parsed["items"] == [f"x{blanks}y"]


def test_tolerant_reader_still_strips_trailing_blanks_of_values() -> None:
    assert parse_tolerant("a: x  \t\nb:   \nc:\n  - y \n") == {"a": "x", "b": None, "c": ["y"]}


# --- ids and file names ---------------------------------------------------------------------


@FUZZ
@given(hostile_text)
def test_id_parsers_raise_only_input_error(text: str) -> None:
    for parse in (PhaseNumber.parse, PlanId.parse, normalise_plan_part):
        try:
            parse(text)
        except InputError:
            pass


@FUZZ
@given(st.from_regex(r"\A\d{1,3}[A-Z]?(\.\d{1,2}){0,2}-(GAP-)?\d{1,3}\Z"))
def test_plan_ids_that_parse_print_and_parse_back_the_same(text: str) -> None:
    plan_id = PlanId.parse(text)
    assert PlanId.parse(str(plan_id)) == plan_id


@FUZZ
@given(hostile_text, hostile_text)
def test_file_name_readers_never_raise(file_name: str, dir_name: str) -> None:
    classify(file_name, dir_name)
    parse_phase_dir(dir_name)


# --- target expressions ---------------------------------------------------------------------

_TARGET_PIECES = ["coverage", "branch_coverage", "missing", "tests.pass_rate", "tests.failed", "[", "]",
                  "src/**", " ", ">=", ">", "==", "!=", "<", "80", "-1", "1e400", "nan", ".5", "%", "\t",
                  "\u00a0", "99.999", "[[", "]]"]


@FUZZ
@given(st.one_of(hostile_text, st.lists(st.sampled_from(_TARGET_PIECES), max_size=12).map("".join)))
def test_parse_target_raises_only_input_error_and_round_trips(text: str) -> None:
    try:
        target = parse_target(text)
    except InputError:
        return
    assert parse_target(str(target)) == target


# --- coverage and JUnit readers: only PlannerError escapes ----------------------------------


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


def _read_both(report_dir: Path, data: bytes) -> None:
    from planner.evidence.reports import read_coverage, read_junit

    report = report_dir / "report.xml"
    report.write_bytes(data)
    _only_planner_errors(lambda: read_coverage(report, report_dir))
    _only_planner_errors(lambda: read_junit(report, report_dir))


@FUZZ
@given(st.binary(max_size=600) | hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_report_readers_raise_only_planner_errors_on_any_bytes(report_dir: Path, data: bytes) -> None:
    _read_both(report_dir, data)


@pytest.mark.skipif(not SAMPLE_BYTES, reason="../shared/samples not present: no real reports to mutate")
@FUZZ
@given(st.data())
def test_report_readers_raise_only_planner_errors_on_mutated_samples(report_dir: Path, data: st.DataObject) -> None:
    _read_both(report_dir, data.draw(mutated(SAMPLE_BYTES)))


_XML_SHAPES = st.sampled_from([
    b'<?xml version="1.0"?><testsuites>%s</testsuites>',
    b'<testsuite name="s" tests="1">%s</testsuite>',
    b'<coverage line-rate="0.5"><packages><package><classes>%s</classes></package></packages></coverage>',
])
_XML_INNER = st.lists(st.sampled_from([
    b'<testcase name="t" classname="c" time="0.1"/>', b'<testcase name="t" time="x"/>',
    b'<testcase time="-1e308">', b"<failure message='m'>boom</failure>", b"</testcase>", b"<skipped/>",
    b'<class filename="a.py" line-rate="2"><lines><line number="1" hits="1"/></lines></class>',
    b'<line number="-5" hits="NaN"/>', b'<error type="E"/>', b"&amp;", b"&#0;", b"\xc3", b"<",
    b'<testsuite tests="abc" failures="1e9999">',
]), max_size=10).map(b"".join)


@FUZZ
@given(_XML_SHAPES, _XML_INNER)
def test_report_readers_raise_only_planner_errors_on_xml_shaped_input(
    report_dir: Path, shape: bytes, inner: bytes
) -> None:
    _read_both(report_dir, shape % inner)


# --- in-place edits and generated regions ---------------------------------------------------

_VALUES = st.one_of(
    st.text(max_size=40), st.sampled_from(["null", "07", "on", "1.10", "2024-01-01", "- x", "a: b", "|", "#c"]),
)


@FUZZ
@given(hostile_text, st.dictionaries(st.sampled_from(["status", "started", "base_commit", "x.y"]), _VALUES,
                                     min_size=1, max_size=3))
def test_set_keys_raises_only_input_error(raw: str, updates: dict[str, str]) -> None:
    try:
        set_keys(raw, updates)
    except InputError:
        pass


@FUZZ
@given(st.text(max_size=200).filter(lambda body: not body.startswith("---")),
       st.dictionaries(st.sampled_from(["status", "started", "base_commit"]), _VALUES, min_size=1, max_size=3))
def test_set_keys_sets_each_key_and_keeps_the_body(body: str, updates: dict[str, str]) -> None:
    raw = "---\nphase: 01-x\nplan: '01'\n# a comment people wrote\n---\n" + body
    edited = set_keys(raw, updates)
    document = parse_document(Path("01-01-PLAN.md"), edited)
    for key, value in updates.items():
        assert document.meta[key] == value
    assert document.meta["plan"] == "01"
    assert "# a comment people wrote" in edited
    _, kept_body, _, _ = split(edited.replace("\r\n", "\n"))
    assert kept_body == body.replace("\r\n", "\n")


_HUMAN = st.text(max_size=60).map(lambda text: text.replace("<!--", "<!-"))
_NAMES = st.sampled_from(["a", "b", "progress", "phases"])


@st.composite
def documents_with_regions(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A document of human text and regions; also the human parts, which must survive merges."""
    names = draw(st.lists(_NAMES, unique=True, max_size=3))
    human = [draw(_HUMAN) for _ in range(len(names) + 1)]
    parts = [human[0]]
    for name, text in zip(names, human[1:]):
        parts.append("\n" + wrap(name, draw(_HUMAN)) + "\n" + text)
    return "".join(parts), human


@FUZZ
@given(documents_with_regions(), documents_with_regions())
def test_merge_keeps_every_human_word_of_the_existing_document(
    existing: tuple[str, list[str]], fresh: tuple[str, list[str]]
) -> None:
    text, human = existing
    merged = merge(text, fresh[0])
    for part in human:
        # A CRLF document keeps CRLF: line endings may be made consistent, words may not change.
        assert part.replace("\r", "") in merged.replace("\r", "")
    assert set(find_regions(merged)) == set(find_regions(text)) | set(find_regions(fresh[0]))


@FUZZ
@given(hostile_text, hostile_text)
def test_merge_raises_only_input_error(existing: str, fresh: str) -> None:
    try:
        merge(existing, fresh)
    except InputError:
        pass


def test_regions_marker_scan_finds_no_region_in_a_long_unclosed_marker_line() -> None:
    line = "<!-- planner:begin " + "a" * 2_000_000 + " " * 2_000_000
    with no_hang():
        assert find_regions(line) == {}


def test_frontmatter_line_lookup_finds_no_key_in_a_long_key_line() -> None:
    document = parse_document(Path("X.md"), "---\n" + "k" * 3_000_000 + "\n---\nbody\n")
    with no_hang():
        assert document.line_of("status") is None


@pytest.mark.parametrize("encoding", [b"utf-4", b"utf-32", b"rot13", b"punycode", b"idna"])
def test_xml_declaring_an_unusable_encoding_raises_input_error(report_dir: Path, encoding: bytes) -> None:
    from planner.evidence.reports import read_junit

    report = report_dir / "junit.xml"
    report.write_bytes(b'<?xml version="1.0" encoding="%s"?><testsuites name="\x80"/>' % encoding)
    with pytest.raises(InputError):
        read_junit(report, report_dir)
