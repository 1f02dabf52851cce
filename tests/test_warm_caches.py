"""The warm paths' caches stay true: one changed byte in one document shows at every layer.

Layers: the kept output of `plan status` (`.planning/.cache/out-status-*`), the pickled project
and the document rows of the index, and the claims and one-document findings `plan check` keeps
(`.planning/.cache/check.pickle`). Files are dated long ago (outside the racy window) and put
back to the same mtime after each edit, so only the stamp's ctime and content tell the change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.check import check_root
from planner.check.cache import CACHE_FILE, CheckCache

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
OLD_NS = 1_600_000_000 * 10**9

PLAN = "---\nphase: 01-setup\nplan: '01'\ntitle: Plan one A\nstatus: planned \n---\n\n# Plan\n"
SUMMARY = """---
phase: 01-setup
plan: '01'
duration: 5min
---

# Summary

Tests: 40 passed, 2 failed, 42 total; pass rate 95.2% (40/42)
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    os.utime(path, ns=(OLD_NS, OLD_NS))


def _edit_one_byte(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (same length) and put the mtime back: only ctime and bytes differ."""
    assert len(old.encode()) == len(new.encode())
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    _write(path, text.replace(old, new))


def _tree(root: Path) -> Path:
    _write(root / ".planning" / "ROADMAP.md", "# Roadmap\n")
    _write(root / ".planning" / "phases" / "01-setup" / "01-01-PLAN.md", PLAN)
    _write(root / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md", SUMMARY)
    return root


def _plan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point's code path (`python -m planner`, fast paths included)."""
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR",)}
    return subprocess.run([sys.executable, "-m", "planner", *args, "--root", str(root)], capture_output=True,
                          text=True, env={**env, "NO_COLOR": "1"}, check=False)


def _title(root: Path, *extra: str) -> str:
    result = _plan(root, "status", "--json", *extra)
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["phases"][0]["plans"][0]["title"])


def test_status_output_is_kept_and_served_until_one_byte_changes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    # a SUMMARY says the plan was executed whatever its status line says (GSD's reading): without
    # one, the PLAN's own status decides, so one changed byte in it changes the table
    (root / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md").unlink()
    assert _title(root) == "Plan one A"
    kept = root / ".planning" / ".cache" / "out-status-compact"
    assert kept.is_file()
    written = kept.stat().st_mtime_ns
    assert _title(root) == "Plan one A"
    assert kept.stat().st_mtime_ns == written  # served, not computed and written again
    _edit_one_byte(root / ".planning" / "phases" / "01-setup" / "01-01-PLAN.md", "one A", "one B")
    assert _title(root) == "Plan one B"
    assert _title(root) == "Plan one B"  # and the newly kept output says so too
    table = _plan(root, "status")
    assert table.returncode == 0 and "0/1" in table.stdout
    _edit_one_byte(root / ".planning" / "phases" / "01-setup" / "01-01-PLAN.md", "planned ", "complete")
    table = _plan(root, "status")
    assert "1/1" in table.stdout and "0/1" not in table.stdout


def test_kept_status_is_served_without_loading_the_model_or_the_index(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _plan(root, "status", "--json").returncode == 0  # computed and kept
    code = ("import sys; sys.argv = ['plan', 'status', '--json', '--root', sys.argv[1]]; "
            "from planner.__main__ import main; code = main(); sys.stdout.flush(); "
            "print(' '.join(sys.modules), file=sys.stderr); sys.exit(code)")
    served = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert json.loads(served.stdout)["counts"]["plans"] == 1
    assert not {"planner.model", "planner.tree.reader", "sqlite3", "pickle", "yaml",
                "planner.tree.index.workers"} & set(served.stderr.split())


def test_pretty_and_compact_are_the_same_document(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    compact = _plan(root, "status", "--json").stdout
    pretty = _plan(root, "status", "--json", "--pretty").stdout
    assert "\n  " in pretty and compact.count("\n") == 1
    assert json.loads(compact) == json.loads(pretty)
    assert _plan(root, "status", "--json", "--pretty").stdout == pretty  # the kept one is the same text


def _codes(root: Path) -> list[str]:
    result = _plan(root, "check", "--no-git", "--json")
    assert result.returncode in (0, 1), result.stderr
    return [finding["code"] for finding in json.loads(result.stdout)["findings"]]


def test_check_keeps_findings_per_document_until_one_byte_changes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    summary = root / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md"
    assert not any(code.startswith("NUM") for code in _codes(root))
    assert (root / ".planning" / ".cache" / CACHE_FILE).is_file()
    _edit_one_byte(summary, "95.2%", "95.7%")  # 40/42 is 95.2%, not 95.7%
    assert any(code.startswith("NUM") for code in _codes(root))
    assert any(code.startswith("NUM") for code in _codes(root))  # kept: still found when served
    _edit_one_byte(summary, "95.7%", "95.2%")
    assert not any(code.startswith("NUM") for code in _codes(root))


def test_kept_claims_are_served_and_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    first = check_root(root, git=False)
    cache = CheckCache(root / ".planning")
    assert len(cache.rows) == 1
    second = check_root(root, git=False)
    assert second.findings == first.findings
    (root / ".planning" / ".cache" / CACHE_FILE).write_bytes(b"\x80\x05not a pickle")
    assert CheckCache(root / ".planning").rows == {}
    assert check_root(root, git=False).findings == first.findings
    assert len(CheckCache(root / ".planning").rows) == 1  # rewritten


def test_a_link_in_place_of_a_kept_output_is_never_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    first = _plan(root, "status", "--json").stdout
    kept = root / ".planning" / ".cache" / "out-status-compact"
    elsewhere = tmp_path / "planted"
    elsewhere.write_bytes(kept.read_bytes().split(b"\n", 1)[0] + b"\n{\"planted\": true}\n")
    kept.unlink()
    kept.symlink_to(elsewhere)
    assert _plan(root, "status", "--json").stdout == first
    assert b"planted" in elsewhere.read_bytes()  # the link was replaced, not written through


@pytest.mark.parametrize("name", ["helix-staking", "posthog-vscode", "ancode", "atom-nested/backend"])
def test_kept_check_results_equal_a_fresh_check_on_real_trees(name: str, tmp_path: Path) -> None:
    import shutil

    source = CORPORA / name
    if not source.is_dir():
        pytest.skip(f"corpus {source} is absent (../shared/corpora)")
    root = tmp_path / "tree"
    shutil.copytree(source / ".planning", root / ".planning", symlinks=True)
    for folder, _, files in os.walk(root / ".planning"):
        os.chmod(folder, 0o755)
        for file in files:
            path = os.path.join(folder, file)
            if not os.path.islink(path):
                os.utime(path, ns=(OLD_NS, OLD_NS))
    fresh = check_root(root, git=False, use_index=False)
    check_root(root, git=False)
    warm = check_root(root, git=False)
    assert len(CheckCache(root / ".planning").rows) > 0
    assert warm.findings == fresh.findings


def test_phases_reused_after_a_write_equal_a_fresh_read(tmp_path: Path) -> None:
    from planner.status import project_status
    from planner.tree.index.session import load_project_indexed, reload_project
    from planner.tree.reader import load_project

    root = _tree(tmp_path)
    _write(root / ".planning" / "phases" / "02-more" / "02-01-PLAN.md",
           PLAN.replace("01-setup", "02-more").replace("Plan one A", "Plan two A"))
    _write(root / ".planning" / "phases" / "02-more" / "02-02-PLAN.md", "---\nphase: [unclosed\n---\n# Bad\n")
    first, _ = load_project_indexed(root)
    assert reload_project(root) is first  # nothing changed: this process's Project again
    _edit_one_byte(root / ".planning" / "phases" / "01-setup" / "01-01-PLAN.md", "one A", "one Z")
    again = reload_project(root)
    fresh = load_project(root)
    assert project_status(again) == project_status(fresh)
    assert again.diagnostics == fresh.diagnostics and again.diagnostics  # the bad file's, kept in order
    assert again.phases[1] is first.phases[1]  # the untouched folder was not read again
    assert again.phases[0].plans[0].title == "Plan one Z"
    assert load_project_indexed(root, workers=1)[1].misses == 0  # the index kept every row


def test_edit_inside_a_nested_plans_folder_is_seen_after_a_write(tmp_path: Path) -> None:
    from planner.tree.index.session import load_project_indexed, reload_project
    from planner.tree.reader import load_project

    root = _tree(tmp_path)
    nested = root / ".planning" / "phases" / "02-more" / "plans" / "PLAN-01.md"  # GSD 1.30+
    _write(nested, PLAN.replace("01-setup", "02-more").replace("Plan one A", "Plan two A"))
    first, _ = load_project_indexed(root)
    assert first.phases[1].plans[0].title == "Plan two A"
    _edit_one_byte(nested, "two A", "two Z")  # the phase folder's own files are unchanged
    again = reload_project(root)
    assert again.phases[1].plans[0].title == "Plan two Z"
    assert again == load_project(root)


_AUDITED = """
import os, sys
seen = []
def hook(event, args):
    if event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        seen.append(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
sys.argv = ["plan", "check", "--no-git", "--json", "--root", sys.argv[1]]
from planner.__main__ import main
main()
sys.stderr.write("\\n".join(seen))
"""


def test_check_without_git_reads_only_what_the_index_stamps(tmp_path: Path) -> None:
    """Its kept output (`out-check-*`) is keyed by the scan and by `metrics/snapshots/` (which
    NUM407 reads for SUMMARYs that pin snapshots): a rule that read any other file (or listed
    another folder) would make it stale. This fails the day one does."""
    from planner.tree.index.scan import scan_tree

    root = _tree(tmp_path)
    # counts above the files: DOC603 looks beside the tree for where the rest may be (a monorepo's roots)
    _write(root / ".planning" / "STATE.md", "---\nstatus: executing\nprogress:\n  total_plans: 9\n---\n# State\n")
    _write(root / "backend" / ".planning" / "STATE.md", "# State\n")
    _write(root / ".planning" / "config.json", '{"planner": {}}\n')
    _write(root / ".planning" / "phases" / "01-setup" / "01-VERIFICATION.md", "---\nstatus: passed\n---\n# V\n")
    _write(root / ".planning" / "todos" / "later.md", "# Later\n")
    _write(root / ".planning" / "metrics" / "snapshots" / "s.json", "{}\n")
    _write(root / "src" / "app.py", "x = 1\n")
    done = subprocess.run([sys.executable, "-c", _AUDITED, str(root)], capture_output=True, text=True,
                          check=False)
    inside = {path for path in done.stderr.splitlines() if path.startswith(str(root))}
    planning = root / ".planning"
    snapshots = planning / "metrics" / "snapshots"
    allowed = set(scan_tree(planning)) | {str(root), str(planning), str(planning / "phases"), str(snapshots)}
    allowed |= {str(path) for path in snapshots.iterdir()}
    allowed |= {str(path) for path in (root, *root.iterdir()) if path.is_dir()}  # planning_neighbours lists them
    allowed |= {str(planning / "workstreams"), str(planning / "milestones")}
    cache = str(planning / ".cache")
    strays = sorted(path for path in inside if path not in allowed and not path.startswith(cache))
    assert inside and strays == []


def test_check_output_kept_without_git_follows_one_byte(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    summary = root / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md"
    clean = _plan(root, "check", "--no-git")
    assert (root / ".planning" / ".cache" / "out-check-text").is_file()
    assert _plan(root, "check", "--no-git").stdout == clean.stdout
    _edit_one_byte(summary, "95.2%", "95.7%")
    flagged = _plan(root, "check", "--no-git")
    assert "NUM4" in flagged.stdout and "NUM4" not in clean.stdout
    again = _plan(root, "check", "--no-git")
    assert (again.stdout, again.returncode) == (flagged.stdout, flagged.returncode)


def test_a_linked_cache_folder_is_never_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    first = _plan(root, "status", "--json").stdout
    cache = root / ".planning" / ".cache"
    planted = tmp_path / "planted-cache"
    cache.rename(planted)
    for kept in planted.glob("out-status-*"):
        kept.write_bytes(kept.read_bytes().split(b"\n", 1)[0] + b"\n{\"planted\": true}\n")
    cache.symlink_to(planted)
    assert _plan(root, "status", "--json").stdout == first


def test_git_rules_on_kept_claims_find_what_they_find_on_fresh_ones(tmp_path: Path) -> None:
    """The rules across documents and against git see kept claims as they see fresh ones."""
    sys.path.insert(0, str(Path(__file__).parent))
    from gitrepo import GitRepo

    repo = GitRepo.create(tmp_path / "repo")
    real = repo.commit("feat(01-01): work", files={"src/a.py": "x = 1\n"})
    text = SUMMARY.replace("duration: 5min\n", "duration: 5min\nkey-files:\n  created: [src/a.py, src/gone.py]\n")
    text += f"\n## Task Commits\n\n1. **Task 1: work** - `{real[:7]}` (feat)\n2. **Task 2: more** - `abcdef1` (feat)\n"
    repo.commit("docs(01-01): summary", files={".planning/phases/01-setup/01-01-PLAN.md": PLAN,
                                               ".planning/phases/01-setup/01-01-SUMMARY.md": text})
    for path in (repo.path / ".planning").rglob("*.md"):
        os.utime(path, ns=(OLD_NS, OLD_NS))
    fresh = check_root(repo.path, use_index=False)
    check_root(repo.path)
    warm = check_root(repo.path)
    assert len(CheckCache(repo.path / ".planning").rows) == 1
    assert any(finding.code.startswith("GIT2") and finding.code != "GIT200" for finding in fresh.findings)
    assert warm.findings == fresh.findings


def _repository(tmp_path: Path):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).parent))
    from gitrepo import GitRepo

    repo = GitRepo.create(tmp_path / "repo")
    real = repo.commit("feat(01-01): work", files={"src/a.py": "x = 1\n"})
    text = SUMMARY.replace("duration: 5min\n", "duration: 5min\nkey-files:\n  created: [src/a.py]\n")
    text += f"\n## Task Commits\n\n1. **Task 1: work** - `{real[:7]}` (feat)\n"
    repo.commit("docs(01-01): summary", files={".planning/phases/01-setup/01-01-PLAN.md": PLAN,
                                               ".planning/phases/01-setup/01-01-SUMMARY.md": text})
    for path in (repo.path / ".planning").rglob("*.md"):
        os.utime(path, ns=(OLD_NS, OLD_NS))
    return repo


def test_check_output_kept_with_git_follows_a_new_commit(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    clean = _plan(repo.path, "check")
    assert (repo.path / ".planning" / ".cache" / "out-check-text-git").is_file()
    assert _plan(repo.path, "check").stdout == clean.stdout and "GIT204" not in clean.stdout
    repo.commit("chore: drop a.py", deletes=["src/a.py"])  # HEAD moves: the kept output is another key's
    assert "GIT204" in _plan(repo.path, "check").stdout


def test_git_findings_are_kept_until_the_refs_or_a_document_change(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.check import git_history

    repo = _repository(tmp_path)
    first = check_root(repo.path)
    assert (repo.path / ".planning" / ".cache" / "git.pickle").is_file()
    reads: list[Path] = []
    real_read = git_history.read_history
    monkeypatch.setattr(git_history, "read_history", lambda root, claimed=(): reads.append(root) or real_read(root,
                                                                                                         claimed))
    assert check_root(repo.path).findings == first.findings and reads == []
    repo.commit("chore: drop a.py", deletes=["src/a.py"])
    assert any(f.code == "GIT204" for f in check_root(repo.path).findings) and len(reads) == 1
    summary = repo.path / ".planning" / "phases" / "01-setup" / "01-01-SUMMARY.md"
    _edit_one_byte(summary, "95.2%", "95.7%")
    check_root(repo.path)
    assert len(reads) == 2


def test_kept_check_output_follows_a_planning_root_added_below(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    _write(root / ".planning" / "STATE.md", "---\nprogress:\n  total_plans: 9\n---\n# State\n")
    alone = _plan(root, "check", "--no-git").stdout
    assert "warning DOC603" in alone and _plan(root, "check", "--no-git").stdout == alone
    (root / "backend" / ".planning").mkdir(parents=True)  # a monorepo's package: the STATE may count its plans
    assert "info DOC603" in _plan(root, "check", "--no-git").stdout


_IN_PROCESS = ("import sys; sys.argv = ['plan', *sys.argv[1:]]; from planner.__main__ import main; code = main(); "
               "sys.stdout.flush(); sys.exit(code)")


@pytest.mark.parametrize("argv", [("status", "--json"), ("status",), ("check", "--no-git", "--json"),
                                  ("check", "--no-git", "--strict")])
def test_fast_command_exits_with_the_code_and_the_whole_output_of_main(tmp_path: Path,
                                                                        argv: tuple[str, ...]) -> None:
    """`plan` ends a fast read command with os._exit after flushing: nothing of it may be lost. On a
    real tree with findings (a nonzero code) and an output larger than a pipe's buffer when one is there."""
    source = CORPORA / "atom-nested" / ".planning"
    if source.is_dir():
        shutil.copytree(source, tmp_path / ".planning", symlinks=True)
        for folder, _, _ in os.walk(tmp_path):
            os.chmod(folder, 0o755)  # the corpus is read-only: the copy must take the caches
    else:
        _tree(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"} | {"NO_COLOR": "1"}
    command = [*argv, "--root", str(tmp_path)]
    entry = subprocess.run([sys.executable, "-m", "planner", *command], capture_output=True, env=env, check=False)
    shutil.rmtree(tmp_path / ".planning" / ".cache")  # the same work again, not the kept output
    called = subprocess.run([sys.executable, "-c", _IN_PROCESS, *command], capture_output=True, env=env, check=False)
    assert (entry.returncode, entry.stdout) == (called.returncode, called.stdout)
    assert entry.stdout.endswith(b"\n") and (entry.returncode != 0 or argv[0] == "status" or not source.is_dir())
