"""A repository's files cannot crash, hang or exhaust planner, nor lead it outside the project.

Each case runs the real CLI: in-process (`cli`) where the input cannot hang, in a child process
capped at 1 GB of memory and killed after a timeout where it could (a FIFO, `/dev/zero`). Every
failure is one line naming the file (and line where there is one), with exit code 2; reading
commands report what they could not read and carry on.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Pristine

from planner.tree.reader import load_project

TIMEOUT = 60  # generous for a loaded machine: a hang is minutes, a fixed case is a second


def one_phase_one_plan(root: Path) -> None:
    """Phase 1 (goal `g`, target coverage >= 1) with plan 01-01; no git."""
    from planner.scaffold import add_phase, init_project, new_plan

    root.mkdir()
    init_project(root)
    add_phase(load_project(root), "One", goal="g", targets=["coverage >= 1"])
    new_plan(load_project(root), "1")


@pytest.fixture
def project(pristine: Pristine, tmp_path: Path) -> Path:
    return pristine.copy(one_phase_one_plan, tmp_path / "project")


def _phase(project: Path) -> Path:
    return next((project / ".planning" / "phases").iterdir())


def _plan(project: Path) -> Path:
    return next(_phase(project).glob("*-PLAN.md"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink() and ".cache" not in path.parts}


def _one_line_error(stderr: str, shown: str, line: int | None = None) -> None:
    lines = [text for text in stderr.splitlines() if not text.startswith("plan: warning:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    where = f"{shown}:{line}:" if line is not None else f"{shown}"
    assert where in lines[0], stderr


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _run(project: Path, *argv: str, render_seconds: float | None = None) -> subprocess.CompletedProcess[str]:
    """`plan ARGV --root PROJECT` in a child capped at 1 GB; a hang fails the test by its timeout.

    `render_seconds` replaces the render time budget (planner.render.RENDER_SECONDS) in the child,
    so a test of the budget does not wait out the real one."""
    entry = ["-m", "planner"] if render_seconds is None else [
        "-c", (f"import sys, planner.render; planner.render.RENDER_SECONDS = {render_seconds!r}; "
               "from planner.__main__ import main; sys.argv[0] = 'plan'; sys.exit(main())")]
    return subprocess.run([sys.executable, *entry, *argv, "--root", str(project)], capture_output=True,
                          text=True, timeout=TIMEOUT, preexec_fn=_limited, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


# --- config.json ------------------------------------------------------------------------------

BAD_CONFIGS = {
    "null": b'{"planner": {"test_command": null}}',
    "number": b'{"planner": {"test_command": 5}}',
    "list_of_numbers": b'{"planner": {"test_command": [1, 2]}}',
    "nul_in_argument": b'{"planner": {"test_command": ["pytest", "a\\u0000b"]}}',
    "five_thousand_digits": b'{"planner": {"test_command": ' + b"1" * 5000 + b"}}",
    "deep_nesting": b'{"planner": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "invalid_utf8": b'{"planner": {"test_command": "\xff\xfe"}}',
    "nan": b'{"planner": {"test_command": NaN}}',
    "groups_of_numbers": b'{"planner": {"groups": {"core": [1]}}}',
    "report_path_null": b'{"planner": {"coverage_report": null}}',
}


@pytest.mark.parametrize("content", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
@pytest.mark.parametrize("command", [("status",), ("measure", "--run")])
def test_bad_config_is_one_line_naming_the_file(cli, project: Path, content: bytes,  # type: ignore[no-untyped-def]
                                                command: tuple[str, ...]) -> None:
    (project / ".planning" / "config.json").write_bytes(content)
    result = cli(*command, "--root", str(project))
    if command == ("status",):  # a reading command reads on with the defaults and says why
        assert result.exit_code == 0, result.stderr
        listed = json.loads(cli("status", "--json", "--root", str(project)).stdout)["diagnostics"]
        assert [(d["path"], d["code"]) for d in listed] == [(".planning/config.json", "TREE004")]
        return
    assert result.exit_code == 2, result.stderr
    _one_line_error(result.stderr, ".planning/config.json")


def test_config_type_error_names_the_line(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / ".planning" / "config.json").write_text('{\n  "planner": {\n    "test_command": null\n  }\n}\n')
    result = cli("measure", "--run", "--root", str(project))
    assert result.exit_code == 2
    _one_line_error(result.stderr, ".planning/config.json", 3)
    listed = json.loads(cli("status", "--json", "--root", str(project)).stdout)["diagnostics"]
    assert listed[0]["line"] == 3


# --- planning documents a writer must rewrite ---------------------------------------------------

@pytest.mark.parametrize("name", ["PLAN", "ROADMAP"])
@pytest.mark.parametrize("command", ["start", "new", "close"])
def test_invalid_utf8_in_a_document_to_rewrite_is_kept_byte_for_byte_or_refused(  # type: ignore[no-untyped-def]
        cli, project: Path, name: str, command: str) -> None:
    path = _plan(project) if name == "PLAN" else project / ".planning" / "ROADMAP.md"
    path.write_bytes(path.read_bytes() + b"\nhand-written \xff\xfe line\n")
    before = path.read_bytes()
    argv = {"start": ("start", "01-01"), "new": ("new", "1"), "close": ("close", "01-01")}[command]
    result = cli(*argv, "--root", str(project))
    assert result.exit_code in (0, 2, 3), result.stderr  # 3: close outside a git repository
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert b"hand-written \xff\xfe line\n" in path.read_bytes()
    else:
        assert path.read_bytes() == before


def test_invalid_utf8_in_verification_is_no_crash_for_verify(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    path = _phase(project) / "01-VERIFICATION.md"
    path.write_bytes(b"---\nphase: 1\n---\n\xff\xfe\n")
    result = cli("verify", "1", "--root", str(project))
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "internal error" not in result.stderr
    assert b"\xff\xfe" in path.read_bytes()


def test_time_past_the_utc_range_is_no_time(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(project)
    plan.write_text(plan.read_text().replace("---\n", "---\nstarted: 9999-12-31T23:59:59-23:59\n"
                                             "completed: 0001-01-01T00:00:00+23:59\n", 1))
    for argv in (("status",), ("check", "--no-git"), ("status", "--json")):
        result = cli(*argv, "--root", str(project))
        assert result.exit_code in (0, 1), result.stderr
        assert "internal error" not in result.stderr


# --- entries of a phase folder that are not files ----------------------------------------------

def _odd_entry(folder: Path, kind: str) -> Path:
    path = folder / "01-02-PLAN.md"
    if kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(folder / "nowhere.md")
    elif kind == "loop":
        path.symlink_to(folder / "loop.md")
        (folder / "loop.md").symlink_to(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("kind", ["folder", "dangling", "loop", "fifo", "dev_zero"])
@pytest.mark.parametrize("command", [("status",), ("check", "--no-git"), ("status", "--json")])
def test_phase_entry_that_is_no_file_is_reported_and_the_rest_read(project: Path, kind: str,
                                                                   command: tuple[str, ...]) -> None:
    if kind == "dev_zero" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    _odd_entry(_phase(project), kind)
    result = _run(project, *command)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if command == ("status", "--json"):
        document = json.loads(result.stdout)
        assert "01-01" in [plan["id"] for phase in document["phases"] for plan in phase["plans"]]
        assert any("01-02-PLAN.md" in json.dumps(item) for item in document["diagnostics"])
    if command[0] == "check":
        assert "01-02-PLAN.md" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
@pytest.mark.parametrize("name", ["STATE.md", "ROADMAP.md"])
def test_shared_document_that_is_no_file_is_refused_by_writers(project: Path, kind: str, name: str) -> None:
    path = project / ".planning" / name
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    before = _snapshot(project)
    result = _run(project, "new", "1")
    assert result.returncode == 2, result.stderr
    _one_line_error(result.stderr, f".planning/{name}")
    assert "not a regular file" in result.stderr or "symbolic link" in result.stderr
    if kind == "fifo":
        assert _snapshot(project).keys() - before.keys() <= {".planning/phases/01-one/01-02-PLAN.md"}


def test_one_gigabyte_plan_is_refused_by_start_with_its_size(project: Path) -> None:
    with _plan(project).open("ab") as handle:
        handle.truncate(1 << 30)
    result = _run(project, "start", "01-01")
    assert result.returncode == 2, result.stderr
    _one_line_error(result.stderr, ".planning/phases/01-one/01-01-PLAN.md")
    assert "1,073,741,824 bytes" in result.stderr


# --- YAML that expands or refers to itself ---------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))


def test_alias_bomb_in_goal_targets_does_not_hang_status(project: Path) -> None:
    goal = next(_phase(project).glob("*-GOAL.md"))
    goal.write_text(f"---\n{ALIAS_BOMB}targets: *j\n---\n# Goal\n")
    for argv in (("status", "--json"), ("check", "--no-git")):
        result = _run(project, *argv)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
    document = json.loads(_run(project, "status", "--json").stdout)
    assert any("alias" in json.dumps(item) for item in document["diagnostics"])


def test_recursive_alias_in_a_plan_is_a_diagnostic(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(project)
    plan.write_text(plan.read_text().replace("---\n", "---\nloop: &a [*a]\n", 1))
    result = cli("check", "--no-git", "--root", str(project))
    assert "internal error" not in result.stderr
    assert "recursive alias" in result.stdout


# --- reports ------------------------------------------------------------------------------------

def _coverage(project: Path, files: str) -> Path:
    path = project / "coverage.json"
    path.write_text('{"meta": {"format": 3, "version": "7.4"}, "files": ' + files + ', "totals": {}}')
    return path


def _entry(statements: str, covered: str, missing: str = "[]") -> str:
    return ('{"a.py": {"summary": {"num_statements": ' + statements + ', "covered_lines": ' + covered
            + '}, "executed_lines": [], "missing_lines": ' + missing + '}}')


IMPOSSIBLE_COVERAGE = {
    "five_hundred_percent": _entry("1", "5"),
    "negative_statements": _entry("-3", "-1"),
    "ten_to_the_400": _entry("1" + "0" * 400, "1"),
    "float_overflow": _entry("1", "1e400"),
    "line_zero": _entry("2", "1", "[0]"),
    "nul_in_path": _entry("1", "1").replace('"a.py"', '"a\\u0000b.py"'),
}


@pytest.mark.parametrize("files", IMPOSSIBLE_COVERAGE.values(), ids=IMPOSSIBLE_COVERAGE.keys())
def test_impossible_coverage_is_refused_naming_the_report(cli, project: Path, files: str) -> None:  # type: ignore[no-untyped-def]
    report = _coverage(project, files)
    result = cli("measure", "--coverage", str(report), "--root", str(project))
    assert result.exit_code == 2, result.stderr
    _one_line_error(result.stderr, "coverage.json")
    assert not list((project / ".planning" / "metrics").glob("snapshots/*.json"))


@pytest.mark.parametrize("time", ["nan", "inf", "-1"])
def test_impossible_test_time_is_refused(cli, project: Path, time: str) -> None:  # type: ignore[no-untyped-def]
    report = project / "junit.xml"
    report.write_text(f'<testsuites><testsuite name="s" tests="1" time="{time}">'
                      f'<testcase name="t" classname="c" time="{time}"/></testsuite></testsuites>')
    result = cli("measure", "--junit", str(report), "--json", "--root", str(project))
    assert result.exit_code == 2, result.stderr
    _one_line_error(result.stderr, "junit.xml")
    assert "NaN" not in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "loop", "dangling"])
def test_report_that_is_no_file_is_refused_without_hashing_it(project: Path, kind: str) -> None:
    report = project / "junit.xml"
    if kind == "fifo":
        os.mkfifo(report)
    elif kind == "dev_zero":
        report.symlink_to("/dev/zero")
    elif kind == "loop":
        report.symlink_to(project / "other.xml")
        (project / "other.xml").symlink_to(report)
    else:
        report.symlink_to(project / "nowhere.xml")
    result = _run(project, "measure", "--junit", str(report))
    assert result.returncode == 2, result.stderr
    _one_line_error(result.stderr, "junit.xml")


def test_committed_source_that_is_a_device_is_not_hashed(project: Path) -> None:
    (project / "a.py").symlink_to("/dev/zero")
    report = _coverage(project, _entry("1", "1"))
    result = _run(project, "measure", "--coverage", str(report), "--json")
    assert result.returncode in (0, 3), result.stderr  # 3: not a git repository
    assert "Traceback" not in result.stderr


def test_long_failure_messages_are_masked_in_linear_time(project: Path) -> None:
    shapes = ["/" * 200_000, "a-" * 100_000, "x" * 200_000, "0x" * 100_000]
    cases = "".join(f'<testcase name="t{i}" classname="c"><failure message="{shape}">{shape}</failure></testcase>'
                    for i, shape in enumerate(shapes))
    report = project / "junit.xml"
    report.write_text(f'<testsuites><testsuite name="s" tests="{len(shapes)}">{cases}</testsuite></testsuites>')
    result = _run(project, "measure", "--junit", str(report))  # quadratic masks: hours
    assert "Traceback" not in result.stderr


# --- planner's own files --------------------------------------------------------------------

@pytest.mark.parametrize("entry", [".cache", ".cache/.gitignore", ".cache/planner.lock"])
@pytest.mark.parametrize("dangling", [False, True])
def test_cache_entry_that_is_a_link_is_refused_and_nothing_is_written_outside(  # type: ignore[no-untyped-def]
        cli, project: Path, tmp_path: Path, entry: str, dangling: bool) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    cache = project / ".planning" / ".cache"
    if cache.exists():
        import shutil

        shutil.rmtree(cache)
    link = project / ".planning" / entry
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(outside / ("nowhere" if dangling else "") if entry == ".cache" else outside / "x")
    for argv in (("status",), ("new", "1")):
        result = cli(*argv, "--root", str(project))
        assert "internal error" not in result.stderr
        if argv[0] == "new" and entry != ".cache/.gitignore":  # the index alone uses it: read without it
            assert result.exit_code == 2, result.stderr
            _one_line_error(result.stderr, f".planning/{entry}")
    assert list(outside.iterdir()) == []


def test_hard_linked_template_is_refused(cli, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("planner-canary-hardlink\n")
    templates = project / ".planning" / "templates"
    templates.mkdir()
    os.link(secret, templates / "plan.md.j2")
    result = cli("new", "1", "--root", str(project))
    assert result.exit_code == 2
    _one_line_error(result.stderr, ".planning/templates/plan.md.j2")
    assert not any("planner-canary-hardlink" in path.read_text(errors="replace")
                   for path in (project / ".planning").rglob("*.md") if path.is_file())


def test_error_about_a_link_loop_prints_one_line(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "l1.json").symlink_to(project / "l2.json")
    (project / "l2.json").symlink_to(project / "l1.json")
    result = cli("measure", "--coverage", str(project / "l1.json"), "--root", str(project))
    assert result.exit_code == 2
    _one_line_error(result.stderr, "l1.json")


# --- templates on a budget ------------------------------------------------------------------

TEMPLATE_BOMBS = {
    "percent_width": "{{ '%0999999999d' % 1 }}",
    "percent_star": "{{ '%*d' % (999999999, 1) }}",
    "center": "{{ 'x' | center(999999999) }}",
    "indent": "{{ ('x\n' * 1000) | indent(999999) }}",
    "chained_replace": "{{ 'xxxxxxxxxx'" + " | replace('x', 'xxxxxxxxxx')" * 9 + " }}",
    "slice": "{{ ('x' * 1000) | slice(999999999) | list | length }}",
    "nested_loops_printing": "{% for a in 'x' * 999 %}{% for b in 'x' * 999 %}{% for c in 'x' * 999 %}"
                             "y{% endfor %}{% endfor %}{% endfor %}",
    "join": "{% set s = 'x' * 999999 %}{{ [s, s, s, s, s, s, s, s, s, s] | join(s) }}",
    "format_filter": "{{ '%*d' | format(999999999, 1) }}",
    "truncate": "{{ 'x' | truncate(999999999) }}",
}


@pytest.mark.parametrize("payload", TEMPLATE_BOMBS.values(), ids=TEMPLATE_BOMBS.keys())
def test_template_that_would_build_a_huge_document_is_refused(project: Path, payload: str) -> None:
    templates = project / ".planning" / "templates"
    templates.mkdir()
    (templates / "plan.md.j2").write_text(payload + "\n")
    before = _snapshot(project)
    result = _run(project, "new", "1")
    assert result.returncode == 2, result.stderr
    _one_line_error(result.stderr, ".planning/templates/plan.md.j2")
    assert "ran out of memory" not in result.stderr  # refused by the budget, not by the 1 GB cap
    assert _snapshot(project) == before


def test_template_looping_silently_for_ever_is_stopped_by_the_time_budget(project: Path) -> None:
    templates = project / ".planning" / "templates"
    templates.mkdir()
    (templates / "plan.md.j2").write_text("{% for a in 'x' * 9999 %}{% for b in 'x' * 9999 %}"
                                          "{% for c in 'x' * 9999 %}{% endfor %}{% endfor %}{% endfor %}\n")
    result = _run(project, "new", "1", render_seconds=0.5)
    assert result.returncode == 2, result.stderr
    _one_line_error(result.stderr, ".planning/templates/plan.md.j2")
    assert "rendering took over 0.5 seconds; refused" in result.stderr
    assert not (_phase(project) / "01-02-PLAN.md").exists()


# --- a test command is code: consent before its first run ------------------------------------

def _command_config(project: Path, marker: str) -> None:
    command = [sys.executable, "-c", f"open({marker!r}, 'w').close()"]
    (project / ".planning" / "config.json").write_text(json.dumps({"planner": {"test_command": command}}))


def test_new_test_command_is_not_run_without_consent(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    _command_config(project, "ran-1")
    result = cli("measure", "--run", "--root", str(project))
    assert result.exit_code == 2, result.stderr
    _one_line_error(result.stderr, ".planning/config.json")
    assert "--trust-command" in result.stderr
    assert not (project / "ran-1").exists()


def test_accepted_test_command_runs_again_until_it_changes(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    _command_config(project, "ran-1")
    cli("measure", "--run", "--trust-command", "--root", str(project))
    assert (project / "ran-1").exists()  # it ran (writing no report is the test command's failure)
    (project / "ran-1").unlink()
    cli("measure", "--run", "--root", str(project))
    assert (project / "ran-1").exists()
    _command_config(project, "ran-2")
    result = cli("measure", "--run", "--root", str(project))
    assert result.exit_code == 2 and "changed" in result.stderr
    assert not (project / "ran-2").exists()


def test_trust_list_that_is_a_link_is_not_followed(cli, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from planner.cli.command_trust import _digest

    _command_config(project, "ran-1")
    forged = tmp_path / "forged"
    forged.write_text(_digest(load_project(project)) + "\n")
    cache = project / ".planning" / ".cache"
    cache.mkdir(exist_ok=True)
    (cache / "trusted-commands").symlink_to(forged)
    result = cli("measure", "--run", "--root", str(project))
    assert result.exit_code == 2
    assert not (project / "ran-1").exists()


IMPOSSIBLE_LINE_REPORTS = {
    "cobertura_negative_hits": ("coverage.xml", ('<?xml version="1.0"?><coverage line-rate="5"><packages>'
                                '<package name="a">'
                                '<classes><class name="a" filename="a.py"><lines><line number="1" hits="-4"/></lines>'
                                "</class></classes></package></packages></coverage>"), None),
    "lcov_line_below_one": ("coverage.info", "SF:a.py\nDA:1,1\nDA:-2,1\nend_of_record\n", 3),
}


@pytest.mark.parametrize("name, content, line", IMPOSSIBLE_LINE_REPORTS.values(), ids=IMPOSSIBLE_LINE_REPORTS.keys())
def test_impossible_line_counts_are_refused(cli, project: Path, name: str, content: str,  # type: ignore[no-untyped-def]
                                            line: int | None) -> None:
    (project / name).write_text(content)
    result = cli("measure", "--coverage", str(project / name), "--root", str(project))
    assert result.exit_code == 2, result.stderr
    _one_line_error(result.stderr, name, line)
