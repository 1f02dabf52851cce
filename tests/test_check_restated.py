"""NUM408: the same quantity stated twice with different values. Failing documents are the shapes
issue 16 names; passing ones are the real shapes (atom's planning history) where a restatement is
about something else and the rule must stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import run_checks
from planner.tree.reader import load_project

FRONT = "---\nphase: 01-core\nplan: 01\n---\n# Phase 1 Plan 1 Summary\n\n"
COMMITS = "## Task Commits\n\n1. **Task 1** - `a1b2c3d` (feat)\n2. **Task 2** - `b2c3d4e` (test)\n" \
          "3. **Task 3** - `c3d4e5f` (fix)\n\n"


def num408(root: Path, body: str) -> list[int | None]:
    phase = root / ".planning" / "phases" / "01-core"
    phase.mkdir(parents=True)
    (phase / "01-01-PLAN.md").write_text("---\nphase: 01-core\nplan: 01\n---\n# Plan\n", encoding="utf-8")
    (phase / "01-01-SUMMARY.md").write_text(FRONT + body, encoding="utf-8")
    return [f.line for f in run_checks(load_project(root), git=False).findings if f.code == "NUM408"]


@pytest.mark.parametrize(("body", "wrong"), [
    (COMMITS + "**Plan metadata:** 2 commits, no metadata commit\n", True),  # issue 16's shape
    (COMMITS + "**Plan metadata:** 3 commits\n", False),
    (COMMITS + "**Plan metadata:** 4 commits (3 tasks + metadata commit)\n", False),
    (COMMITS.replace("(fix)", "(docs: complete plan)") + "**Total:** 2 commits\n", False),  # the docs commit
    (COMMITS + "**Total:** 4 commits (including a fix)\n", False),  # says what the list lacks
    (COMMITS + "**Total:** 7 atomic commits (6 feature, 1 test)\n", True),
    ("## Commits\n\n**Plan 01 (2 commits):**\n- `a1b2c3d`\n- `b2c3d4e`\n\n**Plan 02 (1 commit):**\n- `c3d4e5f`\n",
     False),  # a label heading its own list
    (("## Commits\n\n| Hash | Plan |\n|---|---|\n| `a1b2c3d` | 01 |\n| `a1b2c3d` | 02 |\n| `c3d4e5f` | 03 |\n\n"
     "**Total Commits:** 3 commits across 3 plans\n"), False),  # one hash written twice in a table
    ("## Accomplishments\n\n- 5 commits made\n\n" + COMMITS, False),  # not in the section listing them
    (COMMITS + "- ⏳ Task 4 commit (pending)\n", False),
])
def test_a_commit_count_against_the_commits_its_section_lists(tmp_path: Path, body: str, wrong: bool) -> None:
    assert bool(num408(tmp_path, body)) is wrong


@pytest.mark.parametrize(("body", "wrong"), [
    ("**19 tests fail in the integration suite.**\n\n## Results\n\n- **Tests:** 136 passed, 14 failed\n", True),
    ("**14 tests fail in the integration suite.**\n\n## Results\n\n- **Tests:** 136 passed, 14 failed\n", False),
    # about one file, a moment, or a symptom: not the document's figure
    ("**Done.**\n\n## Results\n\n- **Tests:** 136 passed, 14 failed\n\n### test_api.py\n\n- **Tests:** 19 failing\n",
     False),
    ("**Done.**\n\n- **Tests:** 136 passed, 14 failed\n- **Result:** 19 failing before the fix\n", False),
    ("**Done.**\n\n- **Symptom:** 34 tests failing with IntegrityError\n- **Tests:** 4 passed, 10 failed\n", False),
    # counts that disagree among themselves give no one figure to hold to
    ("**19 tests fail.**\n\n- **Tests:** 136 passed, 14 failed\n- **Results:** 130 passed, 20 failed\n", False),
])
def test_failing_tests_stated_against_the_documents_own_counts(tmp_path: Path, body: str, wrong: bool) -> None:
    assert bool(num408(tmp_path, body)) is wrong


@pytest.mark.parametrize(("body", "wrong"), [
    (("## Outlook\n\n- **Expected coverage gain:** 10.5-14.0%\n- **Risk:** low\n"
     "- **Expected coverage gain:** 11-16%\n"), True),  # issue 16's shape
    ("## Outlook\n\n- **Expected coverage gain:** 10.5-14.0%\n- **Expected coverage gain:** 10.5-14%\n", False),
    (("## Waves\n\n**Phase 296**: wave 4\n- **Result**: 38.6-39.1% coverage\n\n**Phase 297**: wave 5\n"
     "- **Result**: 39.8-40.6% coverage\n"), False),  # one label per item of a list
    ("## Gaps\n\n- **Impact:** +10-15% coverage\n- **Impact:** +3-5% coverage\n- **Impact:** +5-8% coverage\n",
     False),
])
def test_a_range_restated_under_the_same_label(tmp_path: Path, body: str, wrong: bool) -> None:
    assert bool(num408(tmp_path, body)) is wrong


def test_the_finding_points_at_the_restatement(tmp_path: Path) -> None:
    body = COMMITS + "**Plan metadata:** 2 commits, no metadata commit\n"
    assert num408(tmp_path, body) == [FRONT.count("\n") + body.count("\n")]
