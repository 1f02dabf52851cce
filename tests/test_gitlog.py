"""The git evidence layer, on throwaway repositories with real commits."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitrepo import GitRepo, git_env
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import EXIT_ENVIRONMENT, GitProblem, InputError
from planner.evidence import commits
from planner.evidence.commits import Commit, Duration, plan_duration, plan_ids_in_message
from planner.evidence.gitlog import (
    find_plan_commits,
    head_commit,
    repo_root,
    verify_hashes,
)


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """planner's own git calls ignore the developer's git configuration too."""
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)


@pytest.fixture()
def repo(tmp_path: Path) -> GitRepo:
    git_repo = GitRepo.create(tmp_path / "project")
    git_repo.commit("chore: start", files={"README.md": "hello\n", "old.txt": "old\n"})
    return git_repo


def subjects(evidence: commits.PlanEvidence) -> list[str]:
    return [commit.subject for commit in evidence.commits]


# ---------------------------------------------------------------- finding a plan's commits


def test_scope_finds_plan_commits_oldest_first(repo: GitRepo) -> None:
    repo.commit("feat(12-03): first", files={"a.py": "1\n"})
    repo.commit("chore: unrelated", files={"b.py": "1\n"})
    repo.commit("test(12-03): second", files={"a.py": "2\n"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert evidence.method == "scope"
    assert subjects(evidence) == ["feat(12-03): first", "test(12-03): second"]


def test_trailer_finds_plan_commits(repo: GitRepo) -> None:
    repo.commit("add the parser\n\nLonger text.\n\nPlan: 12-03", files={"a.py": "1\n"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert evidence.method == "trailer"
    assert subjects(evidence) == ["add the parser"]


def test_several_plan_trailers_each_count(repo: GitRepo) -> None:
    repo.commit("shared work\n\nPlan: 12-03\nPlan: 12-04", files={"a.py": "1\n"})
    assert subjects(find_plan_commits(repo.path, "12-04")) == ["shared work"]


def test_trailer_naming_another_plan_overrides_the_scope(repo: GitRepo) -> None:
    repo.commit("feat(12-03): moved work\n\nPlan: 12-04", files={"a.py": "1\n"})
    assert find_plan_commits(repo.path, "12-03").commits == ()


def test_scope_may_list_several_plans(repo: GitRepo) -> None:
    repo.commit("fix(12-03, 12-04)!: both", files={"a.py": "1\n"})
    assert subjects(find_plan_commits(repo.path, "12-04")) == ["fix(12-03, 12-04)!: both"]


@pytest.mark.parametrize(
    "subject",
    [
        "feat(12-030): x",
        "feat(112-03): x",
        "feat(12-03a): x",
        "feat: 12-03 in the subject",
        "feat(api): x (12-03)",
    ],
)
def test_scope_match_is_exact_on_the_plan_id(repo: GitRepo, subject: str) -> None:
    repo.commit(subject, files={"a.py": "1\n"})
    assert find_plan_commits(repo.path, "12-03").method == "none"


def test_plan_id_mentioned_only_in_the_body_does_not_count(repo: GitRepo) -> None:
    repo.commit("chore: tidy\n\nfollow-up to 12-03\nPlan-ish: 12-03 here", files={"a.py": "1\n"})
    assert find_plan_commits(repo.path, "12-03").commits == ()


def test_gap_plan_scope_matches_whatever_the_case(repo: GitRepo) -> None:
    repo.commit("docs(12-gap-03): close the gap", files={"a.md": "1\n"})
    assert len(find_plan_commits(repo.path, "12-GAP-03").commits) == 1


@pytest.mark.parametrize(
    ("plan_id", "scope"),
    [
        ("12-GAP-03", "12-tier-1-coverage-push-GAP-03"),
        ("12-03", "12-tier-1-coverage-push-03"),
    ],
)
def test_slugged_scope_matches_with_the_folder_slug(
    repo: GitRepo, plan_id: str, scope: str
) -> None:
    repo.commit(f"feat({scope}): work", files={"a.py": "1\n"})
    for slug in ("12-tier-1-coverage-push", "tier-1-coverage-push"):
        evidence = find_plan_commits(repo.path, plan_id, slug=slug)
        assert subjects(evidence) == [f"feat({scope}): work"]


def test_slugged_scope_of_another_folder_does_not_match(repo: GitRepo) -> None:
    repo.commit("feat(12-other-work-03): x", files={"a.py": "1\n"})
    assert find_plan_commits(repo.path, "12-03", slug="12-tier-1").commits == ()


def test_decimal_phase_plan_is_found_and_its_dot_is_literal(repo: GitRepo) -> None:
    repo.commit("feat(08.1-02): decimal", files={"a.py": "1\n"})
    repo.commit("feat(0811-02): not it", files={"b.py": "1\n"})
    assert subjects(find_plan_commits(repo.path, "08.1-02")) == ["feat(08.1-02): decimal"]


def test_range_from_base_is_used_when_no_commit_names_the_plan(repo: GitRepo) -> None:
    base = repo.head()
    repo.commit("work one", files={"a.py": "1\n"})
    repo.commit("feat(12-04): someone else's plan", files={"b.py": "1\n"})
    repo.commit("work two", files={"a.py": "2\n"})
    evidence = find_plan_commits(repo.path, "12-03", base_commit=base)
    assert evidence.method == "range"
    assert subjects(evidence) == ["work one", "work two"]
    assert evidence.created == ("a.py",)


def test_abbreviated_base_commit_is_accepted(repo: GitRepo) -> None:
    base = repo.head()
    repo.commit("work", files={"a.py": "1\n"})
    assert subjects(find_plan_commits(repo.path, "12-03", base_commit=base[:8])) == ["work"]


def test_without_names_or_base_the_method_is_none(repo: GitRepo) -> None:
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.method, evidence.commits) == ("none", ())
    assert "no commit names plan 12-03" in evidence.notes[0]


def test_recorded_base_that_does_not_exist_is_a_note(repo: GitRepo) -> None:
    evidence = find_plan_commits(repo.path, "12-03", base_commit="deadbeef" * 5)
    assert evidence.method == "none"
    assert "is not in this repository" in evidence.notes[0]


def test_recorded_base_that_is_not_an_ancestor_is_a_note(repo: GitRepo) -> None:
    repo.branch("side")
    side = repo.commit("side work", files={"s.py": "1\n"})
    repo.switch("main")
    evidence = find_plan_commits(repo.path, "12-03", base_commit=side)
    assert "not an ancestor of HEAD" in evidence.notes[0]


def test_since_leaves_out_older_commits(repo: GitRepo) -> None:
    repo.commit("feat(12-03): old", when="2023-01-01T00:00:00+00:00")
    repo.commit("feat(12-03): new", when="2024-06-01T00:00:00+00:00")
    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert subjects(find_plan_commits(repo.path, "12-03", since=since)) == ["feat(12-03): new"]


@pytest.mark.parametrize("bad", ["", "12 03", "--all", "12-03\n"])
def test_malformed_plan_id_is_an_input_error(repo: GitRepo, bad: str) -> None:
    with pytest.raises(InputError, match="plan id"):
        find_plan_commits(repo.path, bad)


def test_folder_slug_with_underscores_and_capitals_is_accepted(repo: GitRepo) -> None:
    repo.commit("docs(134-GAP_Closure-08): x", files={"a.md": "1\n"})
    assert len(find_plan_commits(repo.path, "134-08", slug="134-GAP_Closure").commits) == 1


def test_slug_that_cannot_be_in_a_scope_is_an_input_error(repo: GitRepo) -> None:
    with pytest.raises(InputError, match="slug"):
        find_plan_commits(repo.path, "12-03", slug="a,b")


def test_since_without_offset_is_an_input_error(repo: GitRepo) -> None:
    with pytest.raises(InputError, match="UTC offset"):
        find_plan_commits(repo.path, "12-03", since=datetime(2024, 1, 1))


# ---------------------------------------------------------------- files and lines


def test_commit_records_hash_subject_time_and_line_counts(repo: GitRepo) -> None:
    full = repo.commit("feat(12-03): x", files={"a.py": "1\n2\n"}, when="2024-05-01T10:30:00+02:00")
    commit = find_plan_commits(repo.path, "12-03").commits[0]
    assert (commit.hash, commit.subject) == (full, "feat(12-03): x")
    assert full.startswith(commit.short_hash) and len(commit.short_hash) >= 7
    assert commit.author_time == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert (commit.insertions, commit.deletions) == (2, 0)


def test_file_added_then_modified_within_the_plan_is_created_only(repo: GitRepo) -> None:
    repo.commit("feat(12-03): add", files={"new.py": "1\n"})
    repo.commit("feat(12-03): grow", files={"new.py": "1\n2\n"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.created, evidence.modified) == (("new.py",), ())


def test_file_that_existed_before_is_modified_whatever_the_diff_letter(repo: GitRepo) -> None:
    repo.commit("feat(12-03): drop", deletes=["old.txt"])
    repo.commit("feat(12-03): bring back", files={"old.txt": "new\n"})  # diff letter A
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.created, evidence.modified, evidence.deleted) == ((), ("old.txt",), ())


def test_deleted_file_is_listed_as_deleted(repo: GitRepo) -> None:
    repo.commit("feat(12-03): drop", deletes=["old.txt"])
    assert find_plan_commits(repo.path, "12-03").deleted == ("old.txt",)


def test_file_created_and_deleted_within_the_plan_is_in_no_list(repo: GitRepo) -> None:
    repo.commit("feat(12-03): scratch", files={"tmp.txt": "x\n"})
    repo.commit("feat(12-03): clean", deletes=["tmp.txt"])
    evidence = find_plan_commits(repo.path, "12-03")
    assert evidence.created == evidence.modified == evidence.deleted == ()


def test_rename_is_detected_and_reported_as_a_pair(repo: GitRepo) -> None:
    repo.commit("refactor(12-03): move", renames={"old.txt": "src/moved.txt"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert evidence.commits[0].files[0].status == "R"
    assert evidence.renamed == (("old.txt", "src/moved.txt"),)
    assert evidence.created == evidence.deleted == ()


def test_renames_in_a_chain_collapse_to_one_pair(repo: GitRepo) -> None:
    repo.commit("refactor(12-03): one", renames={"old.txt": "mid.txt"})
    repo.commit("refactor(12-03): two", renames={"mid.txt": "final.txt"})
    assert find_plan_commits(repo.path, "12-03").renamed == (("old.txt", "final.txt"),)


def test_binary_file_has_no_line_counts(repo: GitRepo) -> None:
    repo.commit("feat(12-03): image", files={"logo.png": b"\x89PNG\x00\x01\x02"})
    change = find_plan_commits(repo.path, "12-03").commits[0].files[0]
    assert (change.path, change.insertions, change.deletions) == ("logo.png", None, None)


def test_paths_with_spaces_and_non_ascii_survive(repo: GitRepo) -> None:
    odd = ["docs/read me.md", "données/été.txt", "tab\there.txt", ":colon.txt", "新しい.py"]
    repo.commit("feat(12-03): odd names", files={path: "x\n" for path in odd})
    repo.commit("feat(12-03): rename odd", renames={"docs/read me.md": "docs/lis moi.md"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert set(evidence.created) == {*odd[1:], "docs/lis moi.md"}
    assert evidence.insertions == 5


def test_totals_add_up_over_the_plans_commits(repo: GitRepo) -> None:
    repo.commit("feat(12-03): a", files={"a.py": "1\n2\n3\n"})
    repo.commit("feat(12-03): b", files={"a.py": "1\n"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.insertions, evidence.deletions) == (3, 2)


def test_first_commit_of_history_makes_everything_created(tmp_path: Path) -> None:
    fresh = GitRepo.create(tmp_path / "fresh")
    fresh.commit("feat(01-01): scaffold", files={"a.py": "1\n", "b/c.py": "2\n"})
    assert find_plan_commits(fresh.path, "01-01").created == ("a.py", "b/c.py")


def test_a_file_instead_of_a_folder_is_a_git_problem(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(GitProblem, match="not a git repository"):
        head_commit(tmp_path / "plain.txt")


def test_a_newline_in_a_path_does_not_confuse_created_and_modified(repo: GitRepo) -> None:
    repo.commit("odd", files={"two\nlines.txt": "x\n"})
    repo.commit("feat(12-03): both", files={"two\nlines.txt": "y\n", "x": "new\n"})
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.created, evidence.modified) == (("x",), ("two\nlines.txt",))


# ---------------------------------------------------------------- merges and detached HEAD


def _merged_feature(repo: GitRepo) -> str:
    base = repo.head()
    repo.branch("feature")
    repo.commit("work a", files={"a.py": "1\n"})
    repo.commit("work b", files={"b.py": "1\n2\n"})
    repo.switch("main")
    repo.commit("main work", files={"m.py": "1\n"})
    repo.merge("feature")
    return base


def test_merge_commit_changes_are_not_counted_twice_in_a_range(repo: GitRepo) -> None:
    base = _merged_feature(repo)
    evidence = find_plan_commits(repo.path, "12-03", base_commit=base)
    assert len(evidence.commits) == 4 and evidence.commits[-1].is_merge
    assert evidence.created == ("a.py", "b.py", "m.py")
    assert evidence.insertions == 4


def test_merge_commit_shows_what_it_brought_in_against_its_first_parent(repo: GitRepo) -> None:
    base = _merged_feature(repo)
    merge = find_plan_commits(repo.path, "12-03", base_commit=base).commits[-1]
    assert sorted(change.path for change in merge.files) == ["a.py", "b.py"]


def test_merge_commit_named_alone_counts_its_changes(repo: GitRepo) -> None:
    repo.branch("feature")
    repo.commit("work a", files={"a.py": "1\n"})
    repo.switch("main")
    repo.commit("main work", files={"m.py": "1\n"})
    repo.merge("feature", message="feat(12-03): merge feature")
    evidence = find_plan_commits(repo.path, "12-03")
    assert (evidence.created, evidence.insertions) == (("a.py",), 1)


def test_detached_head_is_searched_like_a_branch(repo: GitRepo) -> None:
    target = repo.commit("feat(12-03): x", files={"a.py": "1\n"})
    repo.commit("later", files={"b.py": "1\n"})
    repo.detach(target)
    assert head_commit(repo.path) == target
    assert subjects(find_plan_commits(repo.path, "12-03")) == ["feat(12-03): x"]


# ---------------------------------------------------------------- the repository itself


def test_not_a_repository_is_a_git_problem(tmp_path: Path) -> None:
    with pytest.raises(GitProblem, match="not a git repository") as caught:
        find_plan_commits(tmp_path, "12-03")
    assert caught.value.exit_code == EXIT_ENVIRONMENT


def test_missing_folder_is_a_git_problem(tmp_path: Path) -> None:
    with pytest.raises(GitProblem, match="does not exist"):
        head_commit(tmp_path / "nowhere")


def test_repo_root_is_found_from_a_subfolder(repo: GitRepo) -> None:
    (repo.path / "deep" / "er").mkdir(parents=True)
    assert repo_root(repo.path / "deep" / "er") == repo.path


def test_empty_repository_has_no_head_and_no_evidence(tmp_path: Path) -> None:
    empty = GitRepo.create(tmp_path / "empty")
    assert head_commit(empty.path) is None
    evidence = find_plan_commits(empty.path, "12-03", base_commit="abcdef12")
    assert (evidence.method, evidence.commits) == ("none", ())
    assert evidence.notes == ("the repository has no commits yet",)
    assert verify_hashes(empty.path, ["abcdef12"])["abcdef12"].exists is False


def test_shallow_clone_says_history_is_cut(repo: GitRepo, tmp_path: Path) -> None:
    for number in range(3):
        repo.commit(f"feat(12-03): step {number}", files={"a.py": f"{number}\n"})
    clone = repo.clone(tmp_path / "clone", depth=2)
    evidence = find_plan_commits(clone.path, "12-03")
    assert evidence.shallow
    assert any("history is cut at" in note for note in evidence.notes)
    assert len(evidence.commits) == 2


def test_full_clone_is_not_shallow(repo: GitRepo) -> None:
    assert find_plan_commits(repo.path, "12-03").shallow is False


def test_git_not_installed_is_a_git_problem_at_import(repo: GitRepo) -> None:
    script = (
        "from pathlib import Path\nfrom planner.errors import GitProblem\n"
        "from planner.evidence.gitlog import head_commit\n"
        "try:\n    head_commit(Path('.'))\nexcept GitProblem as exc:\n    print(exc)\n"
    )
    env = {**os.environ, "GIT_PYTHON_GIT_EXECUTABLE": "/nonexistent/git"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "git is not installed" in done.stdout
    assert "Traceback" not in done.stderr


def test_git_vanishing_from_path_is_a_git_problem(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    head_commit(repo.path)  # git found
    monkeypatch.delenv("GIT_PYTHON_GIT_EXECUTABLE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(GitProblem, match="git is not installed"):
        head_commit(repo.path)


def test_importing_gitlog_does_not_import_gitpython() -> None:
    script = "import sys, planner.evidence.gitlog; print('git' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- checking claimed hashes


def test_verify_hashes_reports_existence_and_plans(repo: GitRepo) -> None:
    named = repo.commit("feat(12-03): x", files={"a.py": "1\n"})
    other = repo.commit("untagged", files={"b.py": "1\n"})
    status = verify_hashes(repo.path, [named[:7], other, "0" * 40])
    assert status[named[:7]] == commits.HashStatus(True, named, ("12-03",))
    assert status[other] == commits.HashStatus(True, other, ())
    assert status["0" * 40].exists is False
    assert status["0" * 40].reason == "no such commit in this repository"


def test_verify_hashes_prefers_trailers_and_reduces_slugged_scopes(repo: GitRepo) -> None:
    slugged = repo.commit("feat(12-tier-1-GAP-03): x", files={"a.py": "1\n"})
    trailered = repo.commit("feat(12-03): y\n\nPlan: 12-05", files={"b.py": "1\n"})
    status = verify_hashes(repo.path, [slugged, trailered])
    assert (status[slugged].plans, status[trailered].plans) == (("12-GAP-03",), ("12-05",))


@pytest.mark.parametrize("claim", ["HEAD", "--all", "main", "abc", "xyz1234", ""])
def test_verify_hashes_rejects_what_is_not_a_hash(repo: GitRepo, claim: str) -> None:
    assert verify_hashes(repo.path, [claim])[claim] == commits.HashStatus(
        False, reason="not a commit hash"
    )


def test_verify_hashes_says_a_blob_hash_is_no_commit(repo: GitRepo) -> None:
    blob = repo.git("rev-parse", "HEAD:README.md")
    assert verify_hashes(repo.path, [blob])[blob].exists is False


def test_verify_hashes_says_when_a_short_hash_is_ambiguous(tmp_path: Path) -> None:
    many = GitRepo.create(tmp_path / "many")
    stream = "".join(
        f"commit refs/heads/main\ncommitter T <t@x> {1700000000 + n} +0000\ndata 4\nc{n:03d}\n\n"
        for n in range(700)
    )
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=many.path,
        input=stream.encode(),
        env=git_env(),
        check=True,
    )
    hashes = many.git("log", "--format=%H", "main").split()
    seen: dict[str, str] = {}
    prefix = next(h[:4] for h in hashes if seen.setdefault(h[:4], h) != h)
    assert verify_hashes(many.path, [prefix])[prefix].reason == (
        "ambiguous: several objects start with it"
    )


def test_verify_hashes_with_no_claims_is_empty(tmp_path: Path) -> None:
    assert verify_hashes(tmp_path, []) == {}


# ---------------------------------------------------------------- duration


def _evidence_with_times(*times: datetime) -> commits.PlanEvidence:
    made = tuple(Commit(f"{n:040x}", f"{n:07x}", "s", when) for n, when in enumerate(times))
    return commits.PlanEvidence("12-03", "scope", made)


T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_duration_runs_from_recorded_start_to_completion() -> None:
    duration = plan_duration(T0, T0 + timedelta(minutes=75), _evidence_with_times(T0))
    assert (duration.source, duration.seconds, duration.human()) == ("recorded", 4500, "1h 15m")


def test_duration_without_recorded_start_runs_first_to_last_commit() -> None:
    evidence = _evidence_with_times(T0, T0 + timedelta(minutes=7))
    duration = plan_duration(None, T0 + timedelta(hours=5), evidence)
    assert (duration.source, duration.human()) == ("commits", "7min")


def test_duration_with_recorded_start_and_no_completion_ends_at_last_commit() -> None:
    duration = plan_duration(T0, None, _evidence_with_times(T0 + timedelta(hours=2)))
    assert (duration.source, duration.human()) == ("recorded", "2h")


def test_duration_without_start_or_commits_is_none() -> None:
    assert plan_duration(None, None, _evidence_with_times()) == Duration(0, "none")


def test_completion_before_start_keeps_its_sign() -> None:
    assert plan_duration(T0, T0 - timedelta(minutes=5)).human() == "-5min"


def test_duration_refuses_times_without_offset() -> None:
    with pytest.raises(InputError, match="UTC offset"):
        plan_duration(datetime(2024, 1, 1), None)


# ---------------------------------------------------------------- parsers (property-based)

PHASES = st.from_regex(r"\d{1,3}[A-Z]?(\.\d)?", fullmatch=True)
PARTS = st.from_regex(r"(GAP-)?\d{1,3}", fullmatch=True)
SLUGS = st.from_regex(r"[a-z][a-z0-9]*(-[a-z0-9]+){0,4}", fullmatch=True)


@given(phase=PHASES, part=PARTS, slug=SLUGS)
def test_slugged_scope_reduces_to_its_plan_id(phase: str, part: str, slug: str) -> None:
    _, scope = plan_ids_in_message(f"feat({phase}-{slug}-{part}): x")
    assert scope == (f"{phase}-{part}",)


@given(subject=st.text(), trailer=st.text())
def test_message_parsing_never_raises(subject: str, trailer: str) -> None:
    plan_ids_in_message(subject, [trailer])


PATHS = st.text(
    st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=20
)


@given(
    changes=st.lists(
        st.tuples(st.sampled_from("AMDRT"), PATHS, PATHS, st.none() | st.integers(0, 999)),
        max_size=6,
        unique_by=lambda change: change[1],
    )
)
def test_log_parser_reads_any_paths_back(changes: list[tuple[str, str, str, int | None]]) -> None:
    raw, numstat = [], []
    for letter, path, old, count in changes:
        shown = "-" if count is None else str(count)
        if letter == "R":
            raw += [":100644 100644 aaaaaaa bbbbbbb R090", old, path]
            numstat += [f"{shown}\t{shown}\t", old, path]
        else:
            raw += [f":100644 100644 aaaaaaa bbbbbbb {letter}", path]
            numstat.append(f"{shown}\t{shown}\t{path}")
    header = "\x1e" + "\x1f".join(["f" * 40, "fffffff", "", "2024-01-01T00:00:00+00:00", "", "s"])
    output = "\0".join([header, "\n" + raw[0], *raw[1:], *numstat, ""]) if raw else header + "\0"
    (commit,) = commits.parse_log(output.encode())
    read = [(c.status, c.path, c.old_path, c.insertions) for c in commit.files]
    assert read == [
        (letter, path, old if letter == "R" else None, count)
        for letter, path, old, count in changes
    ]
