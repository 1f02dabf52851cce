"""Target expressions in frontmatter: errors point at file, line and column; plan check reports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import check_root
from planner.errors import InputError
from planner.targets.sources import targets_in

PLAN = """---
phase: 01-core
plan: '01'
targets:
  - coverage >= 28
  - tests.failed => 0
---

# 01-01
"""


def test_a_bad_target_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "01-01-PLAN.md"
    path.write_text(PLAN, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        targets_in(path, ["coverage >= 28", "tests.failed => 0"])
    assert (caught.value.path, caught.value.line, caught.value.column) == (path, 6, 18)
    assert "did you mean '>='" in caught.value.message


def test_good_targets_parse(tmp_path: Path) -> None:
    path = tmp_path / "01-01-PLAN.md"
    path.write_text(PLAN.replace("=> 0", "== 0"), encoding="utf-8")
    assert [str(t) for t in targets_in(path, ["coverage >= 28", "tests.failed == 0"])] == [
        "coverage >= 28", "tests.failed == 0"]


@pytest.mark.parametrize("bad", [True, False])
def test_plan_check_reports_a_bad_target_as_lnt105(make_tree, bad: bool) -> None:  # type: ignore[no-untyped-def]
    text = PLAN if bad else PLAN.replace("=> 0", "== 0")
    root = make_tree({".planning/phases/01-core/01-01-PLAN.md": text})
    found = [f for f in check_root(root, git=False).findings if f.code == "LNT105"]
    if bad:
        assert [(f.path, f.line, f.severity) for f in found] == [
            (".planning/phases/01-core/01-01-PLAN.md", 6, "error")]
    else:
        assert found == []
