"""Hostile repositories: planner writes only inside `.planning/`, templates are jailed, XML and
huge inputs are refused with a message instead of a traceback or an exhausted machine."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Pristine, no_hang

from planner.errors import InputError
from planner.tree.frontmatter import read_document
from planner.tree.reader import load_project

CANARY = "planner-canary-7d1f3a"


def _all_bytes_under(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink())


def _listing(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if ".planning" not in path.parts}


def one_phase_one_plan(root: Path) -> None:
    """Phase 1 with plan 01-01; no git."""
    from planner.scaffold import add_phase, init_project, new_plan

    root.mkdir()
    init_project(root)
    add_phase(load_project(root), "One")
    new_plan(load_project(root), "1")


@pytest.fixture
def project(pristine: Pristine, tmp_path: Path) -> Path:
    return pristine.copy(one_phase_one_plan, tmp_path / "project")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "precious.md").write_text(f"{CANARY}\n", encoding="utf-8")
    return folder


# --- nothing written outside .planning/ -----------------------------------------------------


def test_phase_title_with_dot_dot_stays_inside_phases(cli, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = _listing(tmp_path)
    result = cli("phase", "add", "../../x", "--root", str(project))
    assert result.exit_code == 0, result.stderr
    assert (project / ".planning" / "phases" / "02-x").is_dir()
    assert _listing(tmp_path) == before


def test_crafted_plan_title_cannot_inject_frontmatter_or_paths(cli, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    title = "../../../evil\n---\nstatus: complete\nplan: '99'\n{{ 7*7 }}"
    before = _listing(tmp_path)
    result = cli("new", "1", "--title", title, "--root", str(project))
    assert result.exit_code == 0, result.stderr
    written = project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md"
    document = read_document(written)
    assert document.meta["status"] == "planned"
    assert document.meta["plan"] == "02"
    assert document.meta["title"] == title.strip()
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("odd_root", ["missing", "a-file", "/", "project/../outside"])
def test_odd_root_is_refused_without_writing(cli, project: Path, outside: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             odd_root: str) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    root = odd_root if odd_root.startswith("/") else str(tmp_path / odd_root)
    before = _listing(tmp_path)
    result = cli("new", "1", "--root", root)
    assert result.exit_code == 3
    assert "no .planning/ folder" in result.stderr
    assert _listing(tmp_path) == before


def test_root_given_as_the_planning_folder_itself_works(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("new", "1", "--root", str(project / ".planning"))
    assert result.exit_code == 0, result.stderr
    assert (project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md").is_file()


def test_symlinked_phase_folder_pointing_outside_is_refused(cli, project: Path, outside: Path) -> None:  # type: ignore[no-untyped-def]
    (outside / "02-evil").mkdir()
    (project / ".planning" / "phases" / "02-evil").symlink_to(outside / "02-evil")
    result = cli("new", "2", "--root", str(project))
    assert result.exit_code == 2
    assert "refusing to write outside" in result.stderr
    assert list((outside / "02-evil").iterdir()) == []


@pytest.mark.parametrize("name", ["STATE.md", "ROADMAP.md"])
def test_symlinked_shared_document_is_not_written_through(cli, project: Path, outside: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    link = project / ".planning" / name
    link.unlink()
    link.symlink_to(outside / "precious.md")
    result = cli("new", "1", "--root", str(project))
    assert result.exit_code == 2
    assert "symbolic link" in result.stderr
    assert (outside / "precious.md").read_text(encoding="utf-8") == f"{CANARY}\n"


def test_symlinked_plan_file_is_not_written_through_by_start(cli, project: Path, outside: Path) -> None:  # type: ignore[no-untyped-def]
    plan_file = project / ".planning" / "phases" / "01-one" / "01-01-PLAN.md"
    (outside / "precious.md").write_text(plan_file.read_text(encoding="utf-8"), encoding="utf-8")
    before = (outside / "precious.md").read_bytes()
    plan_file.unlink()
    plan_file.symlink_to(outside / "precious.md")
    result = cli("start", "01-01", "--root", str(project))
    assert result.exit_code == 2
    assert (outside / "precious.md").read_bytes() == before


# --- templates from the repository ----------------------------------------------------------

ESCAPES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "cycler_globals": "{{ cycler.__init__.__globals__ }}",
    "template_context": "{{ self._TemplateReference__context }}",
    "lipsum": "{{ lipsum() }}",
    "range": "{{ range(10**9) | list | length }}",
    "attr_filter": "{{ plan | attr('__class__') }}",
    "str_format": "{{ '{0.__class__}'.format(plan) }}",
    "namespace": "{{ namespace.__init__.__globals__ }}",
    "joiner": "{{ joiner.__init__.__globals__.os.environ }}",
    "environ": "{{ environ }}",
    "config": "{{ config.items() }}",
    "import": "{% import 'os' as os %}",
}


def _project_template(project: Path, body: str) -> None:
    templates = project / ".planning" / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "plan.md.j2").write_text("# {{ plan.id }}\n" + body + "\n", encoding="utf-8")


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_template_escape_is_refused_naming_template_and_line(cli, project: Path, payload: str,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_CANARY", CANARY)
    _project_template(project, payload)
    result = cli("new", "1", "--root", str(project))
    assert result.exit_code == 2
    assert "plan.md.j2" in result.stderr
    assert "plan.md.j2:2:" in result.stderr or "template not found" in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert CANARY.encode() not in _all_bytes_under(project)
    assert not (project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md").exists()


def test_template_include_of_an_absolute_path_is_refused(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    _project_template(project, "{% include '/etc/passwd' %}")
    result = cli("new", "1", "--root", str(project))
    assert result.exit_code == 2
    assert "template not found: /etc/passwd" in result.stderr
    assert b"root:" not in _all_bytes_under(project / ".planning")


def test_template_include_error_names_the_line(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    _project_template(project, "{% include '/etc/passwd' %}")
    assert "plan.md.j2:2:" in cli("new", "1", "--root", str(project)).stderr


def test_template_cannot_include_a_symlink_to_a_file_outside(cli, project: Path, outside: Path) -> None:  # type: ignore[no-untyped-def]
    _project_template(project, "{% include 'leak.j2' %}")
    (project / ".planning" / "templates" / "leak.j2").symlink_to(outside / "precious.md")
    result = cli("new", "1", "--root", str(project))
    assert CANARY.encode() not in _all_bytes_under(project / ".planning")
    assert result.exit_code == 2


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


HANG_SECONDS = 60  # a hang is minutes; every case here ends in a fraction of a second


def _run_limited(project: Path, *argv: str) -> tuple[int, str, str]:
    """Run `plan` in a child capped at 1 GB of memory; (exit code, stdout, stderr). A hang fails the test."""
    try:
        result = subprocess.run([sys.executable, "-m", "planner", *argv, "--root", str(project)], capture_output=True,
                                text=True, timeout=HANG_SECONDS, preexec_fn=_limited, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"plan {' '.join(argv)} still running after {HANG_SECONDS} s: a hang")
    return result.returncode, result.stdout, result.stderr


@contextmanager
def _peak_memory() -> Iterator[Callable[[], int]]:
    """The most bytes Python held at once inside the block, above what it held before."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


NOT_READ = 1 << 20  # a refused 1 GB file costs kilobytes; reading any real part of it costs megabytes


RESOURCE_BOMBS = {
    "string_times_huge": "{{ 'x' * 10**9 }}",
    "power_tower": "{{ (plan.id | length) ** 99999999 }}",
    "loop_over_huge_string": "{% for c in plan.title * 100000000 %}x{% endfor %}",
}


@pytest.mark.parametrize("payload", RESOURCE_BOMBS.values(), ids=RESOURCE_BOMBS.keys())
def test_template_resource_bomb_is_refused(project: Path, payload: str) -> None:
    _project_template(project, payload)
    code, _, stderr = _run_limited(project, "new", "1")
    assert code == 2, stderr
    assert "Traceback" not in stderr and ".planning/templates/plan.md.j2" in stderr
    assert not (project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md").exists()


# --- XML readers ----------------------------------------------------------------------------

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10)
                     for i in range(8))
          + b"]>")
XXE = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
DOCUMENTS = {
    "junit_laughs": LAUGHS + b'<testsuites><testsuite name="&i;" tests="1"/></testsuites>',
    "junit_xxe": XXE + b'<testsuites><testsuite name="&x;" tests="1"/></testsuites>',
    "cobertura_laughs": LAUGHS + b'<coverage line-rate="&i;"><packages/></coverage>',
    "cobertura_xxe": XXE + b'<coverage line-rate="1"><sources><source>&x;</source></sources></coverage>',
    "parameter_entity": b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
                        b"<testsuites/>",
}


@pytest.mark.parametrize("content", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_xml_entities_are_refused(tmp_path: Path, content: bytes) -> None:
    from planner.evidence.reports import read_coverage, read_junit

    report = tmp_path / "report.xml"
    report.write_bytes(content)
    reader = read_junit if b"<testsuites" in content else read_coverage
    with pytest.raises(InputError) as raised:
        reader(report, tmp_path)
    assert "root:" not in str(raised.value)


def test_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    from planner.evidence.reports import read_junit

    report = tmp_path / "junit.xml"
    report.write_bytes(b'<?xml version="1.0"?><!DOCTYPE testsuites SYSTEM "file:///etc/passwd">'
                       b'<testsuites><testsuite name="s" tests="1"><testcase name="t"/></testsuite></testsuites>')
    try:
        result = read_junit(report, tmp_path)
    except InputError as error:
        assert "root:" not in str(error)
    else:
        assert "root:" not in repr(result)


# --- huge inputs ----------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


@pytest.mark.parametrize("name", ["coverage.json", "junit.xml"])
def test_one_gigabyte_report_is_refused_by_size_without_reading(tmp_path: Path, name: str) -> None:
    from planner.evidence.reports import read_coverage, read_junit

    report = _sparse(tmp_path / name, 1 << 30)
    reader = read_coverage if name.startswith("coverage") else read_junit
    with _peak_memory() as peak, pytest.raises(InputError, match="limit"):
        reader(report, tmp_path)
    assert peak() < NOT_READ  # reading even a slice of the file would show here


def test_one_gigabyte_plan_file_is_refused_by_size_without_reading(project: Path) -> None:
    huge = _sparse(project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md", 1 << 30)
    with _peak_memory() as peak:
        document = read_document(huge)
        loaded = load_project(project)
    assert peak() < NOT_READ
    assert [d.code for d in document.diagnostics] == ["FM006"]
    assert any(d.code == "FM006" for d in loaded.diagnostics)


def test_status_reports_a_one_gigabyte_plan_without_reading_it(project: Path) -> None:
    # the child is capped at 1 GB of memory: reading the file whole would kill it
    _sparse(project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md", 1 << 30)
    code, stdout, stderr = _run_limited(project, "status", "--json")
    assert code == 0, stderr
    (diagnostic,) = json.loads(stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["path"]) == ("FM006", ".planning/phases/01-one/01-02-PLAN.md")


def test_start_refuses_a_one_gigabyte_plan_with_a_message(project: Path) -> None:
    _sparse(project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md", 1 << 30)
    code, _, stderr = _run_limited(project, "start", "01-02")
    assert code == 2, stderr
    assert "Traceback" not in stderr


def test_ten_megabyte_line_in_a_plan_is_refused_with_a_diagnostic(project: Path) -> None:
    path = project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md"
    path.write_text("---\nstatus: " + "x" * (10 << 20) + "\n---\n", encoding="utf-8")
    document = read_document(path)
    assert document.meta == {}
    assert "limit" in document.diagnostics[0].message


def test_seven_megabyte_broken_line_in_a_plan_still_gives_its_status(project: Path) -> None:
    path = project / ".planning" / "phases" / "01-one" / "01-02-PLAN.md"
    path.write_text("---\nstatus: planned\nnote: a" + " " * (7 << 20) + "b: [\n---\nbody\n", encoding="utf-8")
    with no_hang():  # the tolerant reader was once quadratic in a long line: hours
        document = read_document(path)
    assert document.meta["status"] == "planned"
    assert document.body == "body\n"


def test_ten_megabyte_failure_message_in_junit_is_read_as_one_failure(tmp_path: Path) -> None:
    from planner.evidence.reports import read_junit

    report = tmp_path / "junit.xml"
    message = b"m" * (10 << 20)
    report.write_bytes(b'<?xml version="1.0"?><testsuites><testsuite name="s" tests="1" failures="1">'
                       b'<testcase classname="c" name="t"><failure message="' + message + b'">x</failure>'
                       b"</testcase></testsuite></testsuites>")
    with no_hang():
        result = read_junit(report, tmp_path)
    assert result.totals.failed == 1

