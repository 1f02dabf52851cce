"""Per-task detail in a SUMMARY, and commit links from the origin remote (no network, ever)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CliRunner
from gitrepo import GitRepo

from planner.evidence.commit_links import commit_url_prefix, link_range

TASKS = """
## Tasks

<task type="auto">
  <name>Task 1: Parse expressions</name>
</task>

<task type="auto">
  <name>Task 2: Evaluate the tree</name>
</task>

<task type="auto">
  <name>Task 3: Document the grammar</name>
</task>
"""


@pytest.fixture
def closed(tmp_path: Path, cli: CliRunner) -> tuple[GitRepo, str, dict[str, str]]:
    """A plan with three tasks and four commits (one names none); closed; (repo, SUMMARY, hashes)."""
    repo = GitRepo.create(tmp_path / "project")
    repo.commit("chore: start", files={"README.md": "calc\n"})
    root = str(repo.path)
    assert cli("init", root).exit_code == 0
    assert cli("phase", "add", "Core", "--root", root).exit_code == 0
    assert cli("new", "1", "--title", "Parser", "--root", root).exit_code == 0
    plan = repo.path / ".planning/phases/01-core/01-01-PLAN.md"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(re.sub(r"## Tasks\n.*?</task>\n", TASKS.lstrip("\n"), text, flags=re.DOTALL),
                    encoding="utf-8")
    repo.commit("docs: plan the parser")  # no plan named: not one of the plan's commits
    hashes = {
        "task1": repo.commit("feat(01-01): Task 1 tokenizer", files={"calc/lex.py": "a = 1\nb = 2\n",
                                                                     "calc/__init__.py": ""}),
        "task2": repo.commit("feat(01-01): evaluate the tree of nodes",
                             files={"calc/eval.py": "x = 1\n", "calc/lex.py": "a = 1\n"}),
        "both": repo.commit("fix(01-01): task 1 and task 2 share a helper",
                            files={"calc/util.py": "u = 1\nv = 2\nw = 3\n"}),
        "none": repo.commit("refactor(01-01): tidy", files={"calc/eval.py": "x = 2\n"}),
    }
    result = cli("close", "01-01", "--root", root)
    assert result.exit_code == 0, result.stderr
    summary = (repo.path / ".planning/phases/01-core/01-01-SUMMARY.md").read_text(encoding="utf-8")
    return repo, summary, hashes


def numstat(repo: GitRepo, commits: list[str]) -> tuple[set[str], int, int]:
    files, added, removed = set(), 0, 0
    for commit in commits:
        for line in repo.git("show", "--numstat", "--format=", commit).splitlines():
            plus, minus, path = line.split("\t")
            files.add(path)
            added, removed = added + int(plus), removed + int(minus)
    return files, added, removed


def task_rows(summary: str) -> dict[int, list[str]]:
    rows = {}
    for line in summary.splitlines():
        match = re.match(r"^\| (\d)\. [^|]+ \|(.*)\|$", line)
        if match:
            rows[int(match[1])] = [cell.strip() for cell in match[2].split("|")]
    return rows


def test_each_task_row_matches_git_show_numstat(closed: tuple[GitRepo, str, dict[str, str]]) -> None:
    repo, summary, hashes = closed
    rows = task_rows(summary)
    expected = {1: [hashes["task1"], hashes["both"]], 2: [hashes["task2"], hashes["both"]], 3: []}
    assert set(rows) == {1, 2, 3}
    for number, commits in expected.items():
        shown_commits, shown_files, shown_lines = rows[number]
        files, added, removed = numstat(repo, commits)
        assert shown_lines == f"+{added}/-{removed}"
        assert set(re.findall(r"`([^`]+)`", shown_files)) == files
        shown = re.findall(r"`([0-9a-f]{7,})`", shown_commits)
        assert len(shown) == len(commits)
        assert all(commit.startswith(short) for commit, short in zip(commits, shown, strict=True))
    assert rows[3] == ["none", "none", "+0/-0"]


def test_a_commit_that_names_no_task_is_listed_apart(closed: tuple[GitRepo, str, dict[str, str]]) -> None:
    _, summary, hashes = closed
    assert hashes["none"][:7] in summary
    apart = next(line for line in summary.splitlines() if line.startswith("Commits that name no task:"))
    assert "refactor(01-01): tidy" in apart and "Task 1" not in apart
    assert apart.count("`") == 2  # exactly one commit


def test_close_json_carries_the_same_task_detail(closed: tuple[GitRepo, str, dict[str, str]],
                                                cli: CliRunner) -> None:
    repo, _, hashes = closed
    document = json.loads(cli("close", "01-01", "--dry-run", "--json", "--root", str(repo.path)).stdout)
    detail = document["facts"]["task_detail"]
    assert [row["number"] for row in detail["tasks"]] == [1, 2, 3]
    assert [c["hash"] for c in detail["tasks"][0]["commits"]] == [hashes["task1"], hashes["both"]]
    assert [c["hash"] for c in detail["unassigned"]] == [hashes["none"]]
    assert document["facts"]["links"]["commit"] is None  # no origin remote


def test_no_remote_means_no_links(closed: tuple[GitRepo, str, dict[str, str]]) -> None:
    _, summary, _ = closed
    assert "](https://" not in summary


@pytest.mark.parametrize("remote", ["https://github.com/acme/calc.git", "git@github.com:acme/calc.git",
                                    "ssh://git@github.com/acme/calc"])
def test_github_origin_links_every_commit(closed: tuple[GitRepo, str, dict[str, str]], cli: CliRunner,
                                          remote: str) -> None:
    repo, _, hashes = closed
    repo.git("remote", "add", "origin", remote)
    assert cli("close", "01-01", "--root", str(repo.path)).exit_code == 0
    summary = (repo.path / ".planning/phases/01-core/01-01-SUMMARY.md").read_text(encoding="utf-8")
    for commit in hashes.values():
        assert f"](https://github.com/acme/calc/commit/{commit})" in summary
    commits_region = summary.split("<!-- planner:begin commits -->")[1].split("<!-- planner:end commits -->")[0]
    bare = re.findall(r"(?<!\[)`[0-9a-f]{7,12}`(?!\])", commits_region)
    assert bare == []  # every hash shown there is a link
    assert cli("render", "--check", "--root", str(repo.path)).exit_code == 0


@pytest.mark.parametrize(("remote", "prefix"), [
    ("https://github.com/acme/calc.git", "https://github.com/acme/calc/commit/"),
    ("https://user:s3cret@github.com/acme/calc.git", "https://github.com/acme/calc/commit/"),
    ("git@github.com:acme/calc.git", "https://github.com/acme/calc/commit/"),
    ("ssh://git@ssh.github.com:443/acme/calc.git", "https://github.com/acme/calc/commit/"),
    ("https://gitlab.com/group/sub/calc.git", "https://gitlab.com/group/sub/calc/-/commit/"),
    ("git@gitlab.com:group/calc.git", "https://gitlab.com/group/calc/-/commit/"),
    ("https://bitbucket.org/team/calc.git", "https://bitbucket.org/team/calc/commits/"),
    ("git@bitbucket.org:team/calc.git", "https://bitbucket.org/team/calc/commits/"),
    ("https://git.example.com/acme/calc.git", None),
    ("/srv/git/calc.git", None),
    ("file:///srv/git/calc.git", None),
    ("https://github.com/acme", None),
    ("https://github.com/acme/calc/extra", None),
    ("https://github.com/acme/../calc", None),
    ("", None),
])
def test_remote_urls_give_commit_pages(remote: str, prefix: str | None) -> None:
    assert commit_url_prefix(remote) == prefix


def test_a_range_links_both_ends_except_root() -> None:
    assert link_range("abc1234..def5678", "https://github.com/a/b/commit/") == (
        "[`abc1234`](https://github.com/a/b/commit/abc1234)..[`def5678`](https://github.com/a/b/commit/def5678)")
    assert link_range("(root)..def5678", "P/") == "`(root)`..[`def5678`](P/def5678)"
    assert link_range("abc..def", None) == "abc..def"



def test_handoff_links_its_snapshot_commit_on_gitlab(demo_copy: Path, cli: CliRunner) -> None:
    root = demo_copy
    handoff = root / ".planning/phases/01-calculator-core/01-HANDOFF.md"
    assert "](https://" not in handoff.read_text(encoding="utf-8")
    GitRepo(root).git("remote", "add", "origin", "git@gitlab.com:acme/tools/calc.git")
    assert cli("handoff", "1", "--root", str(root)).exit_code == 0
    text = handoff.read_text(encoding="utf-8")
    match = re.search(r"commit \[`([0-9a-f]{12})`\]"
                      r"\(https://gitlab.com/acme/tools/calc/-/commit/([0-9a-f]{40})\)", text)
    assert match is not None and match[2].startswith(match[1])
    assert GitRepo(root).git("cat-file", "-t", match[2]) == "commit"
