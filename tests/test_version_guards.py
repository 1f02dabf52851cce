"""Lines that can never run under the interpreter in use, and the handoff leaving them out."""

from __future__ import annotations

import hashlib
from pathlib import Path

from planner.handoff.version_guards import guard_value, unreachable_lines

SOURCE = """import sys
from typing import TYPE_CHECKING

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

if TYPE_CHECKING:
    from os import PathLike

if sys.version_info[:2] < (3, 9):
    OLD = True

if len(sys.argv) > 3:
    MANY = True
"""


def test_the_branch_a_version_guard_does_not_take_never_runs() -> None:
    assert unreachable_lines(SOURCE, (3, 12, 0, "final", 0)) == {7, 10, 13}


def test_under_an_old_interpreter_the_other_branch_never_runs() -> None:
    assert unreachable_lines(SOURCE, (3, 8, 10, "final", 0)) == {5, 10}


def test_guards_planner_cannot_decide_are_left_alone() -> None:
    import ast

    test = ast.parse("len(sys.argv) > 3", mode="eval").body
    assert guard_value(test, (3, 12)) is None
    assert unreachable_lines("if platform() == 'win32':\n    x = 1\n") == set()


def test_source_that_does_not_parse_gives_no_lines() -> None:
    assert unreachable_lines("if (:\n") == set()


def test_the_handoff_does_not_ask_to_cover_lines_that_never_run(tmp_path: Path) -> None:
    from test_handoff import _snapshot, make_project, report_of

    from planner.evidence.snapshot import FileMetrics

    body = "".join(f"x{n} = {n}\n" for n in range(6))
    source = f"import sys\nif sys.version_info < (3, 0):\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n{body}"
    root = tmp_path / "p"
    (root / "src").mkdir(parents=True)
    (root / "src" / "g.py").write_text(source, encoding="utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()
    # 12 statements, lines 1-2 and 7-12 covered; the 4 guarded lines 3-6 are missing
    files = {"src/g.py": FileMetrics(digest, 12, 8, (3, 4, 5, 6))}
    make_project(root, _snapshot(files=files, clusters=()), targets=["coverage >= 90"])
    report = report_of(root)
    assert report["recommendations"] == []
    assert report["path_to_target"][0]["short"] == ("covering every statement that can run still leaves it "
                                                    "short by 3: 4 missing line(s) that can never run here")
    assert any(note["what"] == "4 missing line(s) of `src/g.py`" and "never run under Python" in note["why"]
               for note in report["not_computed"])
