"""Nothing a person wrote is lost or changed by a writing command, and a failed command writes nothing.

Every case runs the real CLI: the exit code, the one-line message naming the file, and for a
failure every file of `.planning/` (the index cache aside) byte for byte as it was before.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CliResult, CliRunner, Pristine
from gitrepo import two_plan_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.tree.edit import set_keys
from planner.tree.frontmatter import dump_yaml, parse_document
from planner.tree.reader import load_project

ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


@pytest.fixture
def project(pristine: Pristine, tmp_path: Path) -> Path:
    """A repository with phase 1 of two plans (01-01 not started, 01-02 started), committed."""
    return pristine.copy(two_plan_project, tmp_path / "repo")


def files(root: Path) -> dict[str, bytes]:
    """Every file of `.planning/` but the index cache and the lock, by relative path."""
    planning = root / ".planning"
    return {path.relative_to(planning).as_posix(): path.read_bytes() for path in sorted(planning.rglob("*"))
            if path.is_file() and not path.relative_to(planning).as_posix().startswith(".cache/")}


PHASE = ".planning/phases/01-one"
WRITERS = [["new", "1"], ["phase", "add", "Two"], ["start", "01-01"], ["close", "01-02"], ["verify", "1"]]


def run(cli: CliRunner, root: Path, *argv: str) -> CliResult:
    return cli(*argv, "--root", str(root))


def assert_refused(cli: CliRunner, root: Path, argv: list[str], shown: str) -> CliResult:
    """`plan ARGV` exits 2 with one line naming `shown`, and every file is as it was."""
    before = files(root)
    result = run(cli, root, *argv)
    assert result.exit_code == 2, (argv, result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and shown in lines[0], lines
    assert "Traceback" not in result.stderr
    assert files(root) == before, f"plan {' '.join(argv)} failed but changed files"
    return result


# --- a failed command writes nothing -------------------------------------------------------------


@pytest.mark.parametrize("argv", WRITERS, ids=" ".join)
def test_deleted_roadmap_marker_fails_with_the_path_and_writes_nothing(cli: CliRunner, project: Path,
                                                                        argv: list[str]) -> None:
    roadmap = project / ".planning/ROADMAP.md"
    roadmap.write_text(roadmap.read_text().replace("<!-- planner:end phases -->\n", ""))
    result = assert_refused(cli, project, argv, ".planning/ROADMAP.md:")
    assert "begins inside region 'phases'" in result.stderr


def test_state_whose_frontmatter_an_edit_would_break_is_refused_in_one_line(cli: CliRunner, project: Path) -> None:
    # found by the CLI fuzz test (seed 104): YAML's message for the edited block spans four lines
    state = project / ".planning/STATE.md"
    state.write_text("---\nstatus: \nprogress:\n  - ~\n  - #]* &{b}}\n---\n# Project State\n\n"
                     "<!-- planner:begin progress -->\n<!-- planner:end progress -->\n")
    result = assert_refused(cli, project, ["new", "1"], ".planning/STATE.md:2:")
    assert "would break this file's frontmatter (did not find expected key); planner left it as it was" in result.stderr


def test_retrying_a_failed_new_adds_no_plan(cli: CliRunner, project: Path) -> None:
    roadmap = project / ".planning/ROADMAP.md"
    roadmap.write_text(roadmap.read_text().replace("<!-- planner:end phases -->\n", ""))
    for _ in range(3):
        assert_refused(cli, project, ["new", "1"], "ROADMAP.md")
    assert sorted(path.name for path in (project / PHASE).glob("*-PLAN.md")) == ["01-01-PLAN.md", "01-02-PLAN.md"]


@pytest.mark.parametrize("argv", WRITERS, ids=" ".join)
def test_unclosed_state_frontmatter_fails_with_the_path_and_writes_nothing(cli: CliRunner, project: Path,
                                                                            argv: list[str]) -> None:
    state = project / ".planning/STATE.md"
    state.write_text(state.read_text().replace("---\n# Project State", "# Project State", 1))
    assert_refused(cli, project, argv, ".planning/STATE.md:1")


def test_plan_whose_status_spans_lines_in_invalid_yaml_is_refused_not_cut(cli: CliRunner, project: Path) -> None:
    plan = project / PHASE / "01-01-PLAN.md"
    text = plan.read_text()
    plan.write_text(text.replace("status: planned\n", "status: planned\n  hand note under status\nbad: [\n", 1))
    assert_refused(cli, project, ["start", "01-01"], f"{PHASE}/01-01-PLAN.md:")


def test_close_whose_plan_cannot_be_edited_writes_no_summary(cli: CliRunner, project: Path) -> None:
    plan = project / PHASE / "01-02-PLAN.md"
    plan.write_text(plan.read_text().replace("status: in_progress\n", "status: in_progress\n  my note\nbad: [\n", 1))
    assert_refused(cli, project, ["close", "01-02"], f"{PHASE}/01-02-PLAN.md:")
    assert not (project / PHASE / "01-02-SUMMARY.md").exists()


def test_state_with_a_recursive_alias_is_updated_and_keeps_the_alias(cli: CliRunner, project: Path) -> None:
    state = project / ".planning/STATE.md"
    state.write_text(state.read_text().replace("---\n", "---\nloop: &a [*a]  # mine\n", 1))
    result = run(cli, project, "new", "1")
    if result.exit_code == 0:
        assert "loop: &a [*a]  # mine\n" in state.read_text()
    else:  # a YAML bound refusing the alias must refuse before any write
        assert result.exit_code == 2 and "STATE.md" in result.stderr
        assert not (project / PHASE / "01-03-PLAN.md").exists()


def test_failure_after_the_first_write_puts_every_file_back(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.scaffold import new_plan
    from planner.tree import documents

    before = files(project)
    real = documents.commit_write
    calls = []

    def failing_second(pending: documents.PendingWrite, planning_dir: Path) -> bool:
        calls.append(pending.path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(pending, planning_dir)

    monkeypatch.setattr(documents, "commit_write", failing_second)
    with pytest.raises(OSError):
        new_plan(load_project(project), "1", title="Third")
    assert calls == ["ROADMAP.md", "STATE.md"]
    assert files(project) == before
    assert not (project / ".planning/.cache/step-journal.json").exists()


_KILL_AFTER_FIRST_DOCUMENT = """
import os, sys
from planner.tree import documents
real = documents.commit_write
def kill(pending, planning_dir):
    real(pending, planning_dir)
    os._exit(9)
documents.commit_write = kill
from planner.cli.commands import run
sys.exit(run(sys.argv[1:]))
"""


def test_a_killed_step_is_put_back_by_the_next_writer(project: Path, tmp_path: Path) -> None:
    before = files(project)
    killed = subprocess.run([sys.executable, "-c", _KILL_AFTER_FIRST_DOCUMENT, "new", "1", "--root", str(project)],
                            capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert killed.returncode == 9, killed.stderr
    assert files(project) != before  # the plan and ROADMAP.md were written, STATE.md not
    again = subprocess.run([sys.executable, "-m", "planner", "new", "1", "--root", str(project)],
                           capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert again.returncode == 0, again.stderr
    assert sorted(path.name for path in (project / PHASE).glob("*-PLAN.md")) == [
        "01-01-PLAN.md", "01-02-PLAN.md", "01-03-PLAN.md"]
    state = (project / ".planning/STATE.md").read_text()
    assert "total_plans: 3" in state
    assert not (project / ".planning/.cache/step-journal.json").exists()


def _status_codes(project: Path) -> list[str]:
    shown = subprocess.run([sys.executable, "-m", "planner", "status", "--json", "--root", str(project)],
                           capture_output=True, text=True, env=ENV, timeout=60, check=True)
    return [diagnostic["code"] for diagnostic in json.loads(shown.stdout)["diagnostics"]]


def test_readers_say_a_step_was_interrupted_until_a_writer_puts_it_back(project: Path) -> None:
    assert "TREE005" not in _status_codes(project)  # also warms the output cache
    killed = subprocess.run([sys.executable, "-c", _KILL_AFTER_FIRST_DOCUMENT, "new", "1", "--root", str(project)],
                            capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert killed.returncode == 9, killed.stderr
    assert _status_codes(project).count("TREE005") == 1
    again = subprocess.run([sys.executable, "-m", "planner", "new", "1", "--root", str(project)],
                           capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert again.returncode == 0, again.stderr
    assert "TREE005" not in _status_codes(project)


def test_failed_init_leaves_no_planning_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner import scaffold
    from planner.errors import InputError

    def broken(*_: object) -> list[Path]:
        raise InputError("template broke", tmp_path / "x.j2", 3)

    monkeypatch.setattr(scaffold, "refresh_documents", broken)
    with pytest.raises(InputError):
        scaffold.init_project(tmp_path)
    assert not (tmp_path / ".planning").exists()


# --- frontmatter people wrote ---------------------------------------------------------------------


def test_start_keeps_comments_odd_scalars_quoting_and_order(cli: CliRunner, project: Path) -> None:
    plan = project / PHASE / "01-01-PLAN.md"
    text = plan.read_text()
    hand = "reviewer: bob  # checked\nwave: 07\n\n# a note of mine\nodd: 'single'   \n"
    plan.write_text(text.replace("status: planned\n", f"{hand}status: planned  # set by planner\n", 1))
    assert run(cli, project, "start", "01-01").exit_code == 0
    edited = plan.read_text()
    assert f"{hand}status: in_progress  # set by planner\n" in edited
    assert edited.replace("status: in_progress  # set by planner\n", "") .startswith(
        text.split("status: planned\n")[0] + hand)


def test_close_keeps_hand_keys_and_comments_of_an_existing_summary(cli: CliRunner, project: Path) -> None:
    assert run(cli, project, "close", "01-02").exit_code == 0
    summary = project / PHASE / "01-02-SUMMARY.md"
    text = summary.read_text().replace("---\n", "---\nreviewed_by: ann  # by hand\nround: 07\n", 1)
    summary.write_text(text)
    assert run(cli, project, "close", "01-02").exit_code == 0
    assert summary.read_text().startswith("---\nreviewed_by: ann  # by hand\nround: 07\n")


# --- line endings, BOM, bytes that are not UTF-8 ---------------------------------------------------------


def _as_crlf_with_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("argv", WRITERS, ids=" ".join)
def test_crlf_and_bom_survive_every_writer(cli: CliRunner, project: Path, argv: list[str]) -> None:
    for name in ("ROADMAP.md", "STATE.md"):
        _as_crlf_with_bom(project / ".planning" / name)
    for plan in (project / PHASE).glob("*-PLAN.md"):
        _as_crlf_with_bom(plan)
    result = run(cli, project, *argv)
    assert result.exit_code == 0, result
    for name in ("ROADMAP.md", "STATE.md", "phases/01-one/01-01-PLAN.md", "phases/01-one/01-02-PLAN.md"):
        data = (project / ".planning" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1, name
        assert b"\n" not in data.replace(b"\r\n", b""), f"{name} has LF line endings after plan {argv}"


def test_bytes_that_are_not_utf8_outside_regions_survive(cli: CliRunner, project: Path) -> None:
    roadmap = project / ".planning/ROADMAP.md"
    roadmap.write_bytes(roadmap.read_bytes() + b"\nlatin-1 notes: caf\xe9 \xff\xfe\n")
    plan = project / PHASE / "01-01-PLAN.md"
    plan.write_bytes(plan.read_bytes() + b"\nbody in cp1252: \x93quoted\x94\n")
    assert run(cli, project, "start", "01-01").exit_code == 0
    assert roadmap.read_bytes().endswith(b"\nlatin-1 notes: caf\xe9 \xff\xfe\n")
    assert plan.read_bytes().endswith(b"\nbody in cp1252: \x93quoted\x94\n")


def test_bytes_that_are_not_utf8_in_frontmatter_refuse_the_edit(cli: CliRunner, project: Path) -> None:
    plan = project / PHASE / "01-01-PLAN.md"
    plan.write_bytes(plan.read_bytes().replace(b"---\n", b"---\nowner: caf\xe9\n", 1))
    assert_refused(cli, project, ["start", "01-01"], f"{PHASE}/01-01-PLAN.md:2")


def test_mixed_line_endings_are_each_kept(cli: CliRunner, project: Path) -> None:
    roadmap = project / ".planning/ROADMAP.md"
    roadmap.write_bytes(b"# Mine\r\nwindows line\r\n" + roadmap.read_bytes() + b"unix tail\n")
    assert run(cli, project, "new", "1").exit_code == 0
    data = roadmap.read_bytes()
    assert data.startswith(b"# Mine\r\nwindows line\r\n") and data.endswith(b"unix tail\n")


# --- markers in code, files without markers --------------------------------------------------------------


def test_markers_inside_a_fenced_block_are_an_example_not_a_region(cli: CliRunner, project: Path) -> None:
    roadmap = project / ".planning/ROADMAP.md"
    example = ("\n## How regions look\n\n```markdown\n<!-- planner:begin phases -->\nmy example\n"
               "<!-- planner:end phases -->\n```\n")
    roadmap.write_text(roadmap.read_text() + example)
    assert run(cli, project, "new", "1").exit_code == 0
    text = roadmap.read_text()
    assert text.endswith(example)
    assert "01-03" in text.split("## How regions look")[0]


def test_hand_written_state_without_markers_is_never_rewritten(cli: CliRunner, project: Path) -> None:
    state = project / ".planning/STATE.md"
    state.write_text("# State\n\nWe are halfway, says Ann.\n")
    result = run(cli, project, "new", "1")
    assert result.exit_code == 0, result
    assert state.read_text() == "# State\n\nWe are halfway, says Ann.\n"
    assert "wrote .planning/STATE.md" not in result.stdout
    assert ".planning/STATE.md has no planner markers" in result.stderr
    assert (project / PHASE / "01-03-PLAN.md").exists()


# --- edits of planner-owned keys on random hand-written frontmatter ---------------------------------------


OWNED = ["status", "started", "base_commit"]
_HAND_KEYS = ["reviewer", "wave", "status_note", "'quoted key'", "x-y", "depends_on", "notes"]
_ODD_VALUES = ["07", "'07'", '"double"', "on", "1.10", "2024-01-01", "~", "null", "", "plain words",
               "'single'   ", "[a, 07]", "{a: 1, b: on}", "!!str 08", "|\n  block 07\n  lines",
               ">-\n  folded\n  text", "\n  - one\n  - 07", "\n- top\n- level", "\n  nested: 07\n  deeper:\n    x: y"]
_TAILS = ["", "", "  # checked", "   # wide comment"]
_NEW_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["07", "on", "null", "- x", "a: b", "#c", "x\ny", ""]))


def _value_lines(value: str, tail: str) -> list[str]:
    first, *rest = value.split("\n")
    head = f"{first}{tail}" if not rest and first else first
    return [head, *rest] if rest else [head]


@st.composite
def hand_frontmatter(draw: st.DrawFn) -> tuple[list[tuple[str, str | None, list[str], str]], str, bool, str]:
    """Entries (kind, key, lines, tail) of a block people wrote, its line ending, a BOM, a body."""
    entries: list[tuple[str, str | None, list[str], str]] = []
    hand_keys = draw(st.lists(st.sampled_from(_HAND_KEYS), unique=True, max_size=5))
    owned_keys = draw(st.lists(st.sampled_from(OWNED), unique=True, max_size=3))
    keys = draw(st.permutations([("hand", key) for key in hand_keys] + [("owned", key) for key in owned_keys]))
    for kind, key in keys:
        for _ in range(draw(st.integers(0, 2))):
            entries.append(draw(st.sampled_from([("blank", None, [""], ""), ("comment", None, ["# by hand: 07"], ""),
                                                 ("comment", None, ["  # indented note"], "")])))
        value = draw(st.sampled_from(_ODD_VALUES))
        tail = draw(st.sampled_from(_TAILS)) if "\n" not in value and value.strip() == value else ""
        first, *rest = (value or "").split("\n")
        lines = [f"{key}: {first}".rstrip(" ") if not first.endswith("   ") else f"{key}: {first}", *rest]
        if tail:
            lines[0] += tail
        entries.append((kind, key, lines, tail))
    if draw(st.booleans()):
        entries.append(("comment", None, ["# closing words"], ""))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    body = draw(st.text(max_size=80).filter(lambda text: "\r" not in text))
    return entries, ending, draw(st.booleans()), body


def _assemble(entries: list[tuple[str, str | None, list[str], str]], ending: str, bom: bool, body: str) -> str:
    block = "".join(f"{line}{ending}" for _, _, lines, _ in entries for line in lines)
    return ("\ufeff" if bom else "") + f"---{ending}{block}---{ending}" + body.replace("\n", ending)


def _expected_pattern(entries: list[tuple[str, str | None, list[str], str]], updates: dict[str, str],
                      ending: str, bom: bool, body: str) -> re.Pattern[str]:
    """The edited document: every byte people wrote as it was; each key set, any lines, where it was
    (a comment after a one-line value kept after it), or appended at the end of the block."""
    parts = [re.escape(("\ufeff" if bom else "") + f"---{ending}")]
    for kind, key, lines, tail in entries:
        if kind == "owned" and key in updates:
            comment = f"(?:{re.escape(tail)})?" if tail else ""
            parts.append(f"{re.escape(str(key))}:(?:[^\r\n]*?){comment}{re.escape(ending)}"
                         f"(?:[ \t][^\r\n]*{re.escape(ending)}|- [^\r\n]*{re.escape(ending)}|{re.escape(ending)})*")
        else:
            parts.append(re.escape("".join(f"{line}{ending}" for line in lines)))
    present = {key for kind, key, _, _ in entries if kind == "owned"}
    for key in updates:
        if key not in present:
            parts.append(f"{re.escape(key)}:.*?")
    parts.append(re.escape(f"---{ending}" + body.replace("\n", ending)))
    return re.compile("".join(parts), re.DOTALL)


def test_a_value_of_several_lines_before_an_indented_comment_is_set_double_quoted() -> None:
    # a literal block (`|`) would swallow the indented comment that follows it
    raw = "---\nstatus: planned\n  # my note\nwave: 1\n---\nbody\n"
    edited = set_keys(raw, {"status": "line one\nline two"}, path=Path("01-01-PLAN.md"))
    assert edited == '---\nstatus: "line one\\nline two"\n  # my note\nwave: 1\n---\nbody\n'
    assert parse_document(Path("01-01-PLAN.md"), edited).meta == {"status": "line one\nline two", "wave": "1"}


def test_a_note_after_an_empty_key_stays_after_the_value_set_there() -> None:
    edited = set_keys("---\nstatus:  # to fill in\nwave: 1\n---\nbody\n", {"status": "complete"},
                      path=Path("01-01-PLAN.md"))
    assert edited == "---\nstatus: complete  # to fill in\nwave: 1\n---\nbody\n"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hand_frontmatter(), st.dictionaries(st.sampled_from(OWNED), _NEW_VALUES, min_size=1, max_size=3))
def test_setting_owned_keys_leaves_every_other_byte_unchanged(
        written: tuple[list[tuple[str, str | None, list[str], str]], str, bool, str], updates: dict[str, str]) -> None:
    entries, ending, bom, body = written
    raw = _assemble(entries, ending, bom, body)
    edited = set_keys(raw, updates, path=Path("01-01-PLAN.md"))
    assert _expected_pattern(entries, updates, ending, bom, body).fullmatch(edited), (raw, edited)
    meta = parse_document(Path("01-01-PLAN.md"), edited).meta
    for key, value in updates.items():
        assert meta[key] == value
    for kind, key, lines, tail in entries:
        if kind == "owned" and key in updates and tail and "\n" not in dump_yaml({key: updates[key]}).rstrip("\n"):
            assert tail in edited  # the comment people wrote after a planner value stays


def test_preview_of_a_document_with_bytes_that_are_not_utf8_prints(cli: CliRunner, project: Path) -> None:
    assert run(cli, project, "close", "01-02").exit_code == 0
    summary = project / PHASE / "01-02-SUMMARY.md"
    summary.write_bytes(summary.read_bytes() + b"\nnotes: caf\xe9\n")
    before = files(project)
    for flag in ("--dry-run", "--diff"):
        result = run(cli, project, "close", "01-02", flag)
        assert result.exit_code == 0, result
        assert files(project) == before
    assert "caf\ufffd" in run(cli, project, "close", "01-02", "--dry-run").stdout
    assert run(cli, project, "close", "01-02").exit_code == 0
    assert summary.read_bytes().endswith(b"\nnotes: caf\xe9\n")


_HAND_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n<`~-\x85\u2028\u2029") | \
    st.sampled_from(["\udce9", "\udcff", "\udc93"])  # bytes that are not UTF-8, as read


@settings(suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.text(_HAND_CHARS, max_size=20), max_size=4),
       after=st.lists(st.text(_HAND_CHARS, max_size=20), max_size=4),
       old=st.text(_HAND_CHARS, max_size=20), new=st.text(_HAND_CHARS, min_size=1, max_size=20),
       ending=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_regenerating_a_document_keeps_every_byte_outside_its_region_and_owned_keys(
        tmp_path: Path, before: list[str], after: list[str], old: str, new: str, ending: str, bom: bool) -> None:
    from planner.tree.documents import commit_write, prepare
    from planner.tree.regions import wrap

    def document(status: str, content: str) -> bytes:
        lines = ["---", "reviewer: bob  # checked", "wave: 07", f"status: {status}", "---", *before,
                 "<!-- planner:begin r -->", content, "<!-- planner:end r -->", *after]
        text = ("\ufeff" if bom else "") + "".join(f"{line}{ending}" for line in lines)
        return text.encode("utf-8", errors="surrogateescape")

    path = tmp_path / "planning" / "01-01-SUMMARY.md"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(document("old", old))
    pending = prepare(path, {"status": "new"}, wrap("r", new) + "\n")
    commit_write(pending, path.parent)
    assert path.read_bytes() == document("new", new.rstrip())


def test_recovery_keeps_an_edit_made_after_the_killed_step(project: Path) -> None:
    killed = subprocess.run([sys.executable, "-c", _KILL_AFTER_FIRST_DOCUMENT, "new", "1", "--root", str(project)],
                            capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert killed.returncode == 9, killed.stderr
    roadmap = project / ".planning/ROADMAP.md"
    edited = roadmap.read_text() + "\nA note I added after the crash.\n"
    roadmap.write_text(edited)
    again = subprocess.run([sys.executable, "-m", "planner", "start", "01-01", "--root", str(project)],
                           capture_output=True, text=True, env=ENV, timeout=60, check=False)
    assert again.returncode == 0, again.stderr
    assert roadmap.read_text().endswith("\nA note I added after the crash.\n")
    assert not (project / PHASE / "01-03-PLAN.md").exists()  # the killed step's plan was taken back


def test_plan_with_bare_cr_line_endings_is_refused_not_given_a_second_block(cli: CliRunner, project: Path) -> None:
    plan = project / PHASE / "01-01-PLAN.md"
    plan.write_bytes(plan.read_bytes().replace(b"\n", b"\r"))
    assert_refused(cli, project, ["start", "01-01"], f"{PHASE}/01-01-PLAN.md:1")


_BLOCK_LINES = st.sampled_from([
    "a: 1", "b:", "  - x", "  -", "- y", "  c: 2", "  d:", "    - z", "a: 'q'", 'b: "x y"', "c: [1, 2]", "d: {}",
    "e: |", "  lit", "f: >-", "  folded", "# c", "", "  # c2", "g: 1 # t", "h:  # n", "  - k: v", "    m:", "i: ~",
    "j: 'multi", "  line'", 'k: "a', '  b"', "l: &x 1", "m: *x", "n: !!str 5", "? complex", ": v", "o: a b",
    "  continued", "p:", "  - - nested", "  - [a, b]", "q: -1", "r: 'it''s'", "s: x: y", "t: é ü # ç",
    'u: "日本" # x', "v: 🚀 go", "  - ñ"])


@settings(max_examples=3 * settings.default.max_examples)
@given(st.lists(_BLOCK_LINES, min_size=1, max_size=10))
def test_libyaml_finds_the_key_spans_pyyaml_finds(lines: list[str]) -> None:
    """Spans come from libyaml's node marks (ten times faster on a large block): they must be the
    pure-Python reader's, line and column, wherever both read the block."""
    import yaml

    from planner.tree.edit import _spans_of

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml: spans come from the pure-Python reader only")
    inner = [line + "\n" for line in lines]
    keys = set("abcdefghijklmnopqrstuv")
    found = []
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        try:
            root = yaml.compose("".join(inner), Loader=loader)
        except yaml.YAMLError:
            return  # an invalid block: PyYAML's own reading decides (`edit._compose`)
        shape_ok = isinstance(root, yaml.MappingNode) and not root.flow_style
        found.append(_spans_of(root, inner, keys) if shape_ok else None)
    assert found[0] == found[1]
