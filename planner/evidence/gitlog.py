"""Every git query planner makes: a plan's commits and files, claimed hashes, HEAD, shallowness,
the working tree's state.

History is read in bulk: one `git log` with a custom format and `-z`, parsed by
`planner.evidence.commits` (which holds the commit model and everything about commits that needs no git).
Every query is a plain `git` subprocess: opening a repository through gitpython cost more than
the queries of a whole `plan close` (its import alone is about 0.3 s); GIT_PYTHON_GIT_EXECUTABLE
still names the git to run.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Self

from planner.errors import GitProblem, InputError
from planner.evidence.commits import (
    LOG_FORMAT,
    Commit,
    HashStatus,
    Method,
    PlanEvidence,
    check_plan_id,
    classify_paths,
    counted_commits,
    final_states,
    is_bookkeeping,
    naming_method,
    parse_log,
    records_a_summary,
    slugged_scope,
    without_planning_files,
)

__all__ = [
    "HASH_PATTERN", "CommandFailed", "files_at", "find_plan_commits", "head_commit",
    "plain_git", "repo_root", "run_git", "verify_hashes",
]

# Settings that make output independent of the user's configuration.
_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=false")
_LOG = (
    "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--raw", "--numstat", "--find-renames",
    "--no-ext-diff", "--no-textconv",
    # A merge diffed against its first parent shows what the merge brought in, once; the default
    # shows no files for merges and `-m` repeats them once per parent.
    "--diff-merges=first-parent",
)
HASH_PATTERN = re.compile(r"[0-9a-fA-F]{4,64}")


class CommandFailed(GitProblem):
    """git ran and exited non-zero (as opposed to git missing)."""


# ---------------------------------------------------------------- running git


@dataclass(frozen=True)
class Repo:
    """An opened repository: where git runs, its common git folder, the git executable."""

    working_tree_dir: str | None  # None: a bare repository
    common_dir: str
    executable: str

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        return None


_GIT_MISSING = "git is not installed or not on PATH: install git (or set GIT_PYTHON_GIT_EXECUTABLE to its full path)"


def _environment() -> dict[str, str]:
    """git's messages in English (as gitpython ran it), whatever the user's locale."""
    return {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}


def _open(root: Path) -> Repo:
    if not root.exists():
        raise GitProblem("folder does not exist", path=root)
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    where = root if root.is_dir() else root.parent
    try:
        done = subprocess.run([executable, *_CONFIG, "rev-parse", "--is-bare-repository", "--absolute-git-dir",
                               "--git-common-dir", "--show-cdup"], cwd=where, capture_output=True,
                              stdin=subprocess.DEVNULL, env=_environment(), check=False)
    except OSError:
        raise GitProblem(_GIT_MISSING) from None
    stderr = done.stderr.decode("utf-8", "replace")
    lines = done.stdout.decode("utf-8", "surrogateescape").split("\n")
    inside_git_dir = done.returncode != 0 and len(lines) >= 3 and "work tree" in stderr
    if not inside_git_dir and (done.returncode != 0 or len(lines) < 4):
        if "not a git repository" in stderr:
            raise GitProblem(
                "not a git repository (nor any parent): run `git init` there or point planner at "
                "the project's repository",
                path=root,
            )
        raise GitProblem(f"cannot open the repository: {_reason(stderr)}", path=root)
    bare, git_dir, common = lines[0], lines[1], lines[2]
    common_dir = os.path.normpath(os.path.join(where, common))
    if bare == "true":
        working = None
    elif inside_git_dir:  # in the .git folder itself: its parent is the working tree
        working = os.path.dirname(git_dir)
    else:
        working = os.path.normpath(os.path.join(os.path.realpath(where), lines[3]))
    return Repo(working, common_dir, executable)


def _git(repo: Repo, *args: str, stdin: bytes | None = None) -> bytes:
    """Run one git command in `repo`; its stdout as bytes, or GitProblem with git's own reason."""
    command = [repo.executable, *_CONFIG, *args]
    if stdin is None:
        return _execute(repo, command, None)
    import tempfile  # only for a command fed a list on stdin (`cat-file --batch-check`)

    with tempfile.TemporaryFile() as feed:
        feed.write(stdin)
        feed.seek(0)
        return _execute(repo, command, feed)


def _execute(repo: Repo, command: list[str], feed: BinaryIO | None) -> bytes:
    try:
        done = subprocess.run(command, cwd=repo.working_tree_dir or repo.common_dir, capture_output=True,
                              stdin=feed if feed is not None else subprocess.DEVNULL, env=_environment(),
                              check=False)
    except OSError:
        raise GitProblem("git is not installed or not on PATH: install git") from None
    if done.returncode != 0:
        verb = command[len(_CONFIG) + 1]
        raise CommandFailed(f"git {verb} failed: {_reason(done.stderr.decode('utf-8', 'replace'))}")
    return done.stdout


def _reason(stderr: str) -> str:
    found = re.search(r"(?:fatal|error): ([^\n]*)", stderr)
    return found.group(1).rstrip("'") if found else (stderr.strip() or "no message")


def _shallow_boundary(repo: Repo) -> tuple[str, ...]:
    shallow_file = Path(repo.common_dir) / "shallow"
    if not shallow_file.is_file():
        return ()
    return tuple(line.strip() for line in shallow_file.read_text().splitlines() if line.strip())


def repo_root(path: Path) -> Path:
    """The top folder of the working tree that holds `path`; GitProblem when there is none."""
    with _open(path) as repo:
        if repo.working_tree_dir is None:
            raise GitProblem("bare repository: planner needs a working tree", path=path)
        return Path(repo.working_tree_dir)


def head_commit(root: Path) -> str | None:
    """The full hash HEAD points at (detached or not); None in a repository with no commits."""
    with _open(root) as repo:
        try:
            return _git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
        except CommandFailed:
            return None


def _batch_check(repo: Repo, revisions: Sequence[str]) -> list[str]:
    """`git cat-file --batch-check` in one call: per revision `<object name> <type>`, or
    `<revision> missing` / `<revision> ambiguous`."""
    if not revisions:
        return []
    feed = "".join(f"{rev}\n" for rev in revisions).encode()
    output = _git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=feed)
    return output.decode().splitlines()


def _resolve(repo: Repo, revisions: Sequence[str]) -> list[str | None]:
    """Each revision's object name, or None when there is no single such object."""
    lines = _batch_check(repo, revisions)
    return [None if line.endswith((" missing", " ambiguous")) else line.split()[0]
            for line in lines]


def files_at(root: Path, commit: str, paths: Iterable[str]) -> set[str]:
    """Which of `paths` (repository-relative) are in `commit`'s tree, in one git call: an answer
    that is the same in any clone and at any later time, unlike the working tree's."""
    if commit.startswith("-"):
        raise InputError(f"{commit!r} is not a commit")
    with _open(root) as repo:
        return _existed_at(repo, commit, paths)


def _existed_at(repo: Repo, commit: str, paths: Iterable[str]) -> set[str]:
    wanted = sorted(set(paths))
    if any("\n" in path for path in wanted):  # cat-file reads one name per line: list the tree
        listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit)
        return set(wanted) & set(listing.decode("utf-8", "replace").split("\0"))
    found = _resolve(repo, [f"{commit}:{path}" for path in wanted])
    return {path for path, name in zip(wanted, found, strict=True) if name is not None}


# ---------------------------------------------------------------- a plan's commits


def _since_args(since: datetime | None) -> list[str]:
    if since is None:
        return []
    if since.tzinfo is None:
        raise InputError(f"time {since.isoformat()} has no UTC offset: give one (e.g. +00:00)")
    return [f"--since={since.isoformat()}"]


def _grep_args(plan_id: str, slug_token: str | None) -> list[str]:
    # git greps subject and body alike, so this only narrows; _naming_method decides.
    patterns = [plan_id] + ([slug_token] if slug_token else [])
    args = ["--fixed-strings", *(f"--grep={pattern}" for pattern in patterns)]
    if any(char.isalpha() for char in "".join(patterns)):
        args.append("--regexp-ignore-case")
    return args


def find_plan_commits(
    root: Path,
    plan_id: str,
    slug: str | None = None,
    base_commit: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    keep_late: Callable[[Commit], bool] | None = None,
    planning_prefix: str | None = None,
) -> PlanEvidence:
    """The plan's commits and their net effect on files, found by trailer, scope, else range.

    Each commit counts for the plan if its `Plan:` trailers name it or, without trailers, its
    conventional-commit scope does. Only when no commit names the plan is `base_commit..HEAD`
    used, leaving out commits that name other plans. With `until`, commits authored at or after
    it are left out unless they name the plan and `keep_late` keeps them: a summary describes the
    plan up to its completion, not the commit that records the summary itself. With `planning_prefix` (the
    planning folder, relative to the repository, ending in `/`), commits that changed only files
    under it are bookkeeping, listed apart, and its files are never the plan's files.
    """
    slug_token = slugged_scope(check_plan_id(plan_id), slug)
    with _open(root) as repo:
        boundary = _shallow_boundary(repo)
        notes = [f"shallow clone: history is cut at {boundary[0][:12]}"] if boundary else []
        try:
            found = parse_log(_git(repo, *_LOG, *_grep_args(plan_id, slug_token),
                                    *_since_args(since), "HEAD", "--"))
        except CommandFailed:
            if _resolve(repo, ["HEAD^{commit}"]) != [None]:
                raise
            notes.append("the repository has no commits yet")
            return PlanEvidence(plan_id, "none", base_commit=base_commit,
                                shallow=bool(boundary), notes=tuple(notes))
        methods = {c.hash: naming_method(c, plan_id, slug_token) for c in found}
        commits = [c for c in reversed(found) if methods[c.hash]]
        method: Method = "trailer" if "trailer" in methods.values() else "scope"
        if not commits:
            method, commits = _range_commits(repo, plan_id, base_commit, since, notes)
        if until is not None:
            _since_args(until)  # the same check: a time without an offset is refused
            # a late commit counts only when it names the plan: one the range found merely came
            # after it, and a closed plan does not own the work done after it
            late_kept = keep_late if method != "range" else None
            commits = [commit for commit in commits
                       if commit.author_time < until or (late_kept is not None and late_kept(commit))]
        bookkeeping: list[Commit] = []
        if planning_prefix:
            # git keeps whole seconds, so a bookkeeping commit in the second of completion cannot be
            # told by time to precede it; one that records a SUMMARY is the summary's own commit,
            # made after `close` wrote it. Any other (a start commit a second before) counts.
            cut = until.replace(microsecond=0) if until is not None else None
            bookkeeping = [c for c in commits if is_bookkeeping(c, planning_prefix)
                           and (cut is None or c.author_time < cut or not records_a_summary(c))]
            commits = [without_planning_files(c, planning_prefix) for c in commits
                       if not is_bookkeeping(c, planning_prefix)]
        evidence = _evidence(repo, plan_id, method, commits, base_commit, boundary, notes)
        return replace(evidence, bookkeeping=tuple(bookkeeping)) if bookkeeping else evidence


def _range_commits(repo: Repo, plan_id: str, base: str | None, since: datetime | None,
                   notes: list[str]) -> tuple[Method, list[Commit]]:
    if base is None:
        notes.append(f"no commit names plan {plan_id} and no base commit was recorded")
        return "none", []
    resolved = _resolve(repo, [f"{base}^{{commit}}"])[0] if HASH_PATTERN.fullmatch(base) else None
    if resolved is None:
        notes.append(f"recorded base commit {base} is not in this repository "
                     "(history rewritten, or a shallow clone)")
        return "none", []
    try:
        _git(repo, "merge-base", "--is-ancestor", resolved, "HEAD")
    except CommandFailed:
        notes.append(f"recorded base commit {base} is not an ancestor of HEAD "
                     "(history rewritten?)")
        return "none", []
    found = parse_log(_git(repo, *_LOG, *_since_args(since), f"{resolved}..HEAD", "--"))
    key = plan_id.upper()
    if not found:
        notes.append(f"no commits since the recorded base commit {base}")
    mine = [c for c in reversed(found) if not c.plans or key in {p.upper() for p in c.plans}]
    return "range", mine


def _evidence(repo: Repo, plan_id: str, method: Method, commits: list[Commit], base: str | None,
              boundary: tuple[str, ...], notes: list[str]) -> PlanEvidence:
    counted = counted_commits(commits)
    alive, origin = final_states(counted)
    before = commits[0].parents[0] if commits and commits[0].parents else None
    if commits and before is None and commits[0].hash in boundary:
        notes.append("the plan's first commit is at the shallow cut: "
                     "files listed as created may have existed before it")
    existed = _existed_at(repo, before, set(alive) | set(origin.values())) if before else set()
    created, modified, deleted, renamed = classify_paths(alive, origin, existed)
    return PlanEvidence(
        plan_id=plan_id, method=method if commits else "none", commits=tuple(commits),
        created=created, modified=modified, deleted=deleted, renamed=renamed,
        insertions=sum(c.insertions for c in counted), deletions=sum(c.deletions for c in counted),
        base_commit=base, shallow=bool(boundary), notes=tuple(notes),
    )


# ---------------------------------------------------------------- checking claims


def verify_hashes(root: Path, hashes: Iterable[str]) -> dict[str, HashStatus]:
    """For each claimed hash, full or abbreviated: is it a commit here, and which plans it names."""
    claims = list(dict.fromkeys(hashes))
    result = {c: HashStatus(False, reason="not a commit hash") for c in claims
              if not HASH_PATTERN.fullmatch(c.strip())}
    wanted = [c for c in claims if c not in result]
    if not wanted:
        return result
    with _open(root) as repo:
        # `h^{commit}` finds a commit even where blobs share its prefix; plain `h` tells an
        # ambiguous prefix from an absent one.
        names = [c.strip().lower() for c in wanted]
        lines = _batch_check(repo, [rev for n in names for rev in (f"{n}^{{commit}}", n)])
        commits = {claim: line.split()[0] for claim, line in zip(wanted, lines[::2], strict=True)
                   if line.endswith(" commit")}
        by_hash: dict[str, Commit] = {}
        if commits:
            feed = "".join(f"{h}\n" for h in commits.values()).encode()
            output = _git(repo, "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--no-walk=unsorted",
                          "--stdin", stdin=feed)
            by_hash = {c.hash: c for c in parse_log(output)}
    for claim, plain in zip(wanted, lines[1::2], strict=True):
        if claim in commits:
            full = commits[claim]
            result[claim] = HashStatus(True, full, by_hash[full].plans if full in by_hash else ())
        elif plain.endswith(" ambiguous"):
            result[claim] = HashStatus(False, reason="ambiguous: several objects start with it")
        elif plain.endswith(" missing"):
            result[claim] = HashStatus(False, reason="no such commit in this repository")
        else:
            result[claim] = HashStatus(False, reason=f"names a {plain.split()[-1]}, not a commit")
    return result


def plain_git(root: Path, *args: str) -> str | None:
    """git's output run in `root` (pathspecs are relative to it), None when git fails or is
    missing. No gitpython here: `plan measure` asks only this, and importing gitpython costs it
    more than the queries do (bench/bench_working_state.py)."""
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    try:
        done = subprocess.run(
            [executable, *_CONFIG, *args], cwd=root, capture_output=True, text=True,
            errors="replace", stdin=subprocess.DEVNULL, check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """One plain git call in `root` (no gitpython): its stdout, or CommandFailed with git's reason."""
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    try:
        done = subprocess.run([executable, *_CONFIG, *args], cwd=root, input=stdin, capture_output=True,
                              check=False)
    except OSError as error:
        raise GitProblem(f"git could not be run: {error.strerror or error}") from None
    if done.returncode != 0:
        raise CommandFailed(f"git {args[0]} failed: {_reason(done.stderr.decode('utf-8', 'replace'))}")
    return done.stdout
