"""The one-pass history index (git_history.read_history) and the git rules that answer from it:
a minimal failing and passing document for each shape issue 16 lists."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gitrepo import GitRepo

from planner.check import run_checks
from planner.check.git_history import read_history
from planner.ids import plan_key
from planner.tree.reader import load_project

PLAN = "---\nphase: 01-core\nplan: 01\n---\n# Plan\n"
FOLDER = ".planning/phases/01-core"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.create(tmp_path / "repo")
    repo.commit("chore: start", files={"README.md": "x\n", "src/old.py": "a = 1\n", f"{FOLDER}/01-01-PLAN.md": PLAN})
    return repo


def findings(repo: GitRepo, text: str, name: str = "01-01-SUMMARY.md") -> list[tuple[str, int | None, str]]:
    repo.write(f"{FOLDER}/{name}", text)
    report = run_checks(load_project(repo.path), git=True)
    return [(f.code, f.line, f.severity) for f in report.findings
            if f.code.startswith(("GIT", "TIM")) and f.code != "GIT200"]


def doc(body: str, front: str = "phase: 01-core\nplan: 01\n") -> str:
    return f"---\n{front}---\n# Summary\n\n{body}"


@pytest.mark.parametrize(("token", "key"), [
    ("12-03", "12-03"), ("012-03", "12-03"), ("12-3", "12-03"), ("12-GAP-04", "12-GAP-04"),
    ("12-GAP_CLOSURE-04", "12-GAP-04"), ("12-GAPCLOSURE-04", "12-GAP-04"), ("012-gap-4", "12-GAP-04"),
    ("12-tier-1-coverage-push-GAP-03", "12-GAP-03"), ("04-90-percent-target-02", "04-02"),
    ("08.1-02", "08.1-02"), ("phase-08-02", "08-02"), ("phase-254", None), ("13", None), ("ci", None),
])
def test_plan_key_reduces_every_spelling(token: str, key: str | None) -> None:
    assert plan_key(token) == key


def test_index_reads_history_once_and_answers_by_hash_plan_and_path(repo: GitRepo) -> None:
    a = repo.commit("feat(001-01): add", files={"src/new.py": "b\n"})
    b = repo.commit("fix(01-1): tweak", files={"src/new.py": "c\n"})
    repo.commit("chore: drop", deletes=["src/old.py"])
    index = read_history(repo.path)
    assert [c.hash for c in index.plan_commits("01-01")] == [a, b]
    assert index.lookup(a[:7]).commit is not None and index.lookup("deadbee").commit is None
    first = index.plan_commits("01-01")[0].position
    assert index.existed_before("src/old.py", first) and not index.existed_before("src/new.py", first)
    assert index.at_head("src/new.py") and index.at_head("src") and index.at_head("new.py")
    assert not index.at_head("src/old.py")
    gone = index.deleted_by("src/old.py")
    assert gone is not None and gone.subject == "chore: drop"


def test_index_survives_a_missing_blob(repo: GitRepo) -> None:
    """No blob is read: a lost blob (partial clone) does not stop the index."""
    repo.commit("feat(01-01): big", files={"src/big.bin": "blob that goes missing\n"})
    blob = repo.git("rev-parse", "HEAD:src/big.bin")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    index = read_history(repo.path)
    assert index.events is not None and "src/big.bin" in index.events
    assert index.notes == () and index.at_head("src/big.bin")


# ---------------------------------------------------------------- hashes wherever people write them

@pytest.mark.parametrize("shape", [
    "## Commits\n\n- {h} feat: parser\n",
    "### Commits Verified\n\n- `{h}` - parser\n",
    "## Task Commits\n\n1. **Task 1** - **{h}**\n",
    "## Work\n\n- **Commit:** {h}\n",
    "## Work\n\n| Task | Commit |\n|---|---|\n| parser | {h} |\n",
])
def test_a_missing_hash_is_found_in_every_shape(repo: GitRepo, shape: str) -> None:
    repo.commit("feat(01-01): add", files={"src/new.py": "b\n"})
    assert [c for c, _, _ in findings(repo, doc(shape.format(h="a1b2c3d4")))] == ["GIT201"]


@pytest.mark.parametrize("shape", [
    "## Commits\n\n- {h} feat: parser\n",
    "### Commits Verified\n\n- `{h}` - parser\n",
    "## Task Commits\n\n1. **Task 1** - **{h}**\n",
    "## Work\n\n- **Commit:** {h}\n",
    "## Work\n\n| Task | Commit |\n|---|---|\n| parser | {h} |\n",
])
def test_a_real_hash_passes_in_every_shape(repo: GitRepo, shape: str) -> None:
    mine = repo.commit("feat(01-01): add", files={"src/new.py": "b\n"})
    assert findings(repo, doc(shape.format(h=mine[:8]))) == []


def test_hex_runs_that_are_not_hashes_are_not_claims(repo: GitRepo) -> None:
    text = doc("## Commits\n\n- 2 commits at 1706745600, run 20260105, build abcdefab12 words\n"
               "- **Commit:** 1234567\n")
    found = findings(repo, text)
    assert [(c, line) for c, line, _ in found] == [("GIT201", 9)]  # abcdefab12 alone


def test_phase_summary_may_list_every_plan_of_its_phase(repo: GitRepo) -> None:
    other = repo.commit("feat(01-02): second plan", files={"src/two.py": "b\n"})
    foreign = repo.commit("feat(03-01): another phase", files={"src/three.py": "b\n"})
    text = f"# Phase 1 Summary\n\n## Commits\n\n- `{other[:7]}` plan 2\n- `{foreign[:7]}` more\n"
    assert findings(repo, text, "01-SUMMARY.md") == [("GIT202", 6, "error")]


def test_recap_section_about_another_plan_is_at_most_an_info(repo: GitRepo) -> None:
    other = repo.commit("feat(01-02): second plan", files={"src/two.py": "b\n"})
    text = doc(f"## Recap\n\n### Plan 02: the other one\n\n- commit `{other[:7]}` did its work\n")
    assert findings(repo, text) == [("GIT202", 11, "info")]
    plain = doc(f"## Task Commits\n\n- `{other[:7]}` work\n")
    assert findings(repo, plain) == [("GIT202", 9, "error")]


@pytest.mark.parametrize(("message", "line"), [
    ("feat(01.1-02): in the inserted phase", "- `{h}` (sub-phase 01.1)\n"),  # a sub-phase of this phase
    ("feat(01-02): second plan", "- `{h}` plan 01-02's parser, reused here\n"),  # the line names the plan
    ("feat(01-02): second plan", "- `{h}` parser\n\nThe parser was already committed by the previous plan.\n"),
])
def test_commit_of_another_plan_that_the_text_explains_is_an_info(repo: GitRepo, message: str, line: str) -> None:
    other = repo.commit(message, files={"src/two.py": "b\n"})
    assert findings(repo, doc("## Task Commits\n\n" + line.format(h=other[:7]))) == [("GIT202", 9, "info")]


@pytest.mark.parametrize("name", ["01-SUMMARY.md", "01-PHASE-SUMMARY.md"])
def test_phase_level_summaries_are_read_in_both_spellings(repo: GitRepo, name: str) -> None:
    text = "# Phase 1 Summary\n\n## Commits\n\n- `a1b2c3d4` lost\n"
    assert [c for c, _, _ in findings(repo, text, name)] == ["GIT201"]


def test_commit_said_to_live_in_another_repository_is_an_info(repo: GitRepo) -> None:
    text = doc("## Commits\n\n- `a1b2c3d4` (in the separate frontend repository)\n")
    assert findings(repo, text) == [("GIT201", 9, "info")]


def test_commit_on_another_branch_is_found(repo: GitRepo) -> None:
    repo.branch("side")
    side = repo.commit("feat(01-01): on a branch", files={"src/side.py": "b\n"})
    repo.switch("main")
    assert findings(repo, doc(f"## Task Commits\n\n- `{side[:8]}` work\n")) == []


# ---------------------------------------------------------------- created files

def test_created_file_checked_against_the_earliest_commit_under_any_spelling(repo: GitRepo) -> None:
    repo.commit("feat(001-01): first, padded", files={"src/new.py": "b\n"})
    late = repo.commit("feat(01-01): second", files={"src/new.py": "c\n"})
    text = doc(f"## Task Commits\n\n- `{late[:7]}` work\n",
               "phase: 01-core\nplan: 01\nkey-files:\n  created:\n    - src/new.py\n")
    assert findings(repo, text) == []
    existed = doc(f"## Task Commits\n\n- `{late[:7]}` work\n",
                  "phase: 01-core\nplan: 01\nkey-files:\n  created:\n    - path: src/old.py\n")
    assert findings(repo, existed) == [("GIT203", 6, "error")]


def test_claimed_file_gone_from_head(repo: GitRepo) -> None:
    mine = repo.commit("feat(01-01): add", files={"src/new.py": "b\n", "src/tmp.py": "t\n"})
    repo.commit("chore: remove tmp", deletes=["src/tmp.py"])
    text = doc(f"## Task Commits\n\n- `{mine[:7]}` work\n\n## Files Created/Modified\n\n"
               "- `src/new.py` (new)\n- `src/tmp.py` (new)\n- `src/never.py` (new)\n")
    assert findings(repo, text) == [("GIT204", 14, "info"), ("GIT204", 15, "warning")]


def test_claimed_file_moved_later_says_where_it_went(repo: GitRepo) -> None:
    mine = repo.commit("feat(01-01): add", files={"src/tmp.py": "t\n", "src/other/tmp.py": "o\n"})
    moved = repo.commit("refactor: regroup", files={"src/core/tmp.py": "t\n"}, deletes=["src/tmp.py"])
    repo.write(f"{FOLDER}/01-01-SUMMARY.md",
               doc(f"## Task Commits\n\n- `{mine[:7]}` work\n\n## Files Created/Modified\n\n- `src/tmp.py` (new)\n"))
    report = run_checks(load_project(repo.path), git=True)
    assert [(f.severity, f.message) for f in report.findings if f.code == "GIT204"] == [
        ("info", (f"src/tmp.py (listed as created) is not at HEAD: commit {moved[:7]} moved it to src/core/tmp.py "
                 "(refactor: regroup)"))]


# ---------------------------------------------------------------- times against the claimed commits

def test_completed_before_the_last_claimed_commit(repo: GitRepo) -> None:
    first = repo.commit("feat(01-01): a", files={"src/new.py": "b\n"}, when="2026-01-05T10:00:00+00:00")
    last = repo.commit("feat(01-01): b", files={"src/new.py": "c\n"}, when="2026-01-05T12:00:00+00:00")
    timeline = "- **Started:** {s}\n- **Completed:** {c}\n\n## Task Commits\n\n- `{a}` a\n- `{b}` b\n"
    wrong = timeline.format(s="2026-01-05T09:55:00Z", c="2026-01-05T10:30:00Z", a=first[:7], b=last[:7])
    assert [(c, line) for c, line, _ in findings(repo, doc(wrong))] == [("TIM304", 8)]
    late_start = timeline.format(s="2026-01-05T11:00:00Z", c="2026-01-05T12:10:00Z", a=first[:7], b=last[:7])
    assert [(c, line) for c, line, _ in findings(repo, doc(late_start))] == [("TIM305", 7)]
    right = timeline.format(s="2026-01-05T09:55:00Z", c="2026-01-05T12:10:00Z", a=first[:7], b=last[:7])
    assert findings(repo, doc(right)) == []


def test_a_local_time_labelled_z_is_an_info(repo: GitRepo) -> None:
    last = repo.commit("feat(01-01): b", files={"src/new.py": "c\n"}, when="2026-01-05T14:06:00-05:00")
    text = f"- **Completed:** 2026-01-05T14:25:00Z\n\n## Task Commits\n\n- `{last[:7]}` b\n"
    assert findings(repo, doc(text)) == [("TIM304", 7, "info")]


def test_first_commit_of_a_reused_phase_number_is_the_one_naming_this_folder(repo: GitRepo) -> None:
    # atom: `feat(02-local-agent-02)` names plan 02 of another phase 02 (numbers reused across milestones)
    repo.commit("feat(01-other-work-01): the other phase's plan", files={"src/late.py": "x\n"})
    mine = repo.commit("feat(01-core-01): this plan", files={"src/late.py": "y\n", "src/mine.py": "m\n"})
    text = doc(f"## Task Commits\n\n- `{mine[:7]}` work\n",
               "phase: 01-core\nplan: 01\nkey-files:\n  created:\n    - src/mine.py\n    - src/late.py\n")
    assert findings(repo, text) == [("GIT203", 7, "error")]  # src/late.py, made by the other phase
    found = run_checks(load_project(repo.path), git=True).findings
    assert [f.message.split("first commit ")[1][:7] for f in found if f.code == "GIT203"] == [mine[:7]]
