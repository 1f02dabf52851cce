"""Every git query planner makes: a plan's commits and files, claimed hashes, HEAD, shallowness,
the working tree's state.

History is read in bulk: one `git log` with a custom format and `-z`, parsed by
`planner.commits` (which holds the commit model and everything about commits that needs no git).
gitpython is imported inside the functions that
need it, so commands that never touch git do not pay for it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from planner.commits import (
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
    slugged_scope,
    without_planning_files,
)
from planner.errors import GitProblem, InputError

if TYPE_CHECKING:
    from git import Repo

__all__ = [
    "GitState", "HistoryIndex", "IndexedCommit", "find_plan_commits", "head_commit", "is_shallow",
    "path_existed_at", "plan_key", "read_history", "repo_root", "verify_hashes", "working_state",
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
_HASH = re.compile(r"[0-9a-fA-F]{4,64}")


@dataclass(frozen=True)
class GitState:
    """HEAD, its commit time and whether tracked files differ from it (None: no git here)."""

    commit: str | None = None
    committed_at: datetime | None = None
    dirty: bool | None = None


class _CommandFailed(GitProblem):
    """git ran and exited non-zero (as opposed to git missing)."""


# ---------------------------------------------------------------- running git


def _open(root: Path) -> Repo:
    try:
        import git
    except ModuleNotFoundError as exc:
        if exc.name != "git":
            raise
        raise GitProblem("gitpython is not installed: reinstall planner") from None
    except ImportError:
        raise GitProblem(
            "git is not installed or not on PATH: install git "
            "(or set GIT_PYTHON_GIT_EXECUTABLE to its full path)"
        ) from None
    try:
        return git.Repo(root, search_parent_directories=True)
    except git.NoSuchPathError:
        raise GitProblem("folder does not exist", path=root) from None
    except git.InvalidGitRepositoryError:
        raise GitProblem(
            "not a git repository (nor any parent): run `git init` there or point planner at "
            "the project's repository",
            path=root,
        ) from None
    except OSError as exc:
        raise GitProblem(f"cannot open the repository: {exc.strerror or exc}", path=root) from None


def _git(repo: Repo, *args: str, stdin: bytes | None = None) -> bytes:
    """Run one git command in `repo`; its stdout as bytes, or GitProblem with git's own reason."""
    command = [repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", *_CONFIG, *args]
    if stdin is None:
        return _execute(repo, command, None)
    with tempfile.TemporaryFile() as feed:
        feed.write(stdin)
        feed.seek(0)
        return _execute(repo, command, feed)


def _execute(repo: Repo, command: list[str], feed: BinaryIO | None) -> bytes:
    from git.exc import GitCommandError, GitCommandNotFound

    try:
        output = repo.git.execute(
            command, istream=feed, stdout_as_string=False, strip_newline_in_stdout=False
        )
    except GitCommandNotFound:
        raise GitProblem("git is not installed or not on PATH: install git") from None
    except GitCommandError as exc:
        verb = command[len(_CONFIG) + 1]
        raise _CommandFailed(f"git {verb} failed: {_reason(exc.stderr)}") from None
    return output


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
        except _CommandFailed:
            return None


def is_shallow(root: Path) -> bool:
    """True in a shallow clone, where history is cut and older commits cannot be seen."""
    with _open(root) as repo:
        return bool(_shallow_boundary(repo))


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


def path_existed_at(root: Path, commit: str, paths: Iterable[str]) -> set[str]:
    """Which of `paths` were files (or links, submodules) in `commit`'s tree, in one git call."""
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
    it are left out unless `keep_late` keeps them: a summary describes the plan up to its
    completion, not the commit that records the summary itself. With `planning_prefix` (the
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
        except _CommandFailed:
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
            commits = [commit for commit in commits
                       if commit.author_time < until or (keep_late is not None and keep_late(commit))]
        bookkeeping: list[Commit] = []
        if planning_prefix:
            # git keeps whole seconds: a bookkeeping commit in the second of completion (the
            # SUMMARY's own) cannot be told to precede it, so only earlier seconds count.
            cut = until.replace(microsecond=0) if until is not None else None
            bookkeeping = [c for c in commits if is_bookkeeping(c, planning_prefix)
                           and (cut is None or c.author_time < cut)]
            commits = [without_planning_files(c, planning_prefix) for c in commits
                       if not is_bookkeeping(c, planning_prefix)]
        evidence = _evidence(repo, plan_id, method, commits, base_commit, boundary, notes)
        return replace(evidence, bookkeeping=tuple(bookkeeping)) if bookkeeping else evidence


def _range_commits(repo: Repo, plan_id: str, base: str | None, since: datetime | None,
                   notes: list[str]) -> tuple[Method, list[Commit]]:
    if base is None:
        notes.append(f"no commit names plan {plan_id} and no base commit was recorded")
        return "none", []
    resolved = _resolve(repo, [f"{base}^{{commit}}"])[0] if _HASH.fullmatch(base) else None
    if resolved is None:
        notes.append(f"recorded base commit {base} is not in this repository "
                     "(history rewritten, or a shallow clone)")
        return "none", []
    try:
        _git(repo, "merge-base", "--is-ancestor", resolved, "HEAD")
    except _CommandFailed:
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
              if not _HASH.fullmatch(c.strip())}
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


# ---------------------------------------------------------------- the working tree


def working_state(root: Path) -> GitState:
    """HEAD, its commit time and dirtiness of tracked files under `root` outside its `.planning/`;
    an empty GitState outside a repository or without git (a snapshot is still worth taking)."""
    head = _plain_git(root, "log", "-1", "--format=%H%x00%cI")
    if head is None or "\0" not in head:
        inside = _plain_git(root, "rev-parse", "--is-inside-work-tree")
        dirty = _dirty(root) if inside is not None and inside.strip() == "true" else None
        return GitState(None, None, dirty)
    commit, when = head.strip().split("\0")
    return GitState(commit, datetime.fromisoformat(when), _dirty(root))


def _dirty(root: Path) -> bool | None:
    changes = _plain_git(root, "status", "--porcelain", "--untracked-files=no", "--", ".",
                         ":(exclude).planning")
    return None if changes is None else bool(changes.strip())


def _plain_git(root: Path, *args: str) -> str | None:
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


# ---------------------------------------------------------------- the whole history, read once

# `--no-renames`: rename detection reads blobs, and a partial clone or a lost blob must not stop
# the read; `--name-status` (the
# letters of `--raw`) without `--numstat` needs trees only. A rename shows as a delete and an add.
_HISTORY = (
    "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--name-status", "--no-renames", "--no-ext-diff",
    "--no-textconv", "--diff-merges=first-parent", "--topo-order",
)
_HISTORY_NO_FILES = ("log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--topo-order")
_SCOPE_TOKENS = re.compile(r"^[A-Za-z]+\(([^()]*)\)!?:")
_GAP_TOKEN = re.compile(r"(\d+[A-Za-z]?(?:\.\d+)*)-(?:.*?-)?(GAP(?:[_-]?CLOSURE)?[-_]?\d+[A-Za-z]?)",
                        re.IGNORECASE)
_PLAIN_TOKEN = re.compile(r"(\d+[A-Za-z]?(?:\.\d+)*)-(?:.*?-)?(\d+[A-Za-z]?)")


def plan_key(token: str) -> str | None:
    """Every spelling of a plan id reduced to one key: `012-03` and `12-03` -> `12-03`;
    `12-GAP_CLOSURE-04`, `12-GAPCLOSURE-04`, `12-tier-1-push-GAP-04` -> `12-GAP-04`;
    `04-90-percent-target-02` -> `04-02`; `phase-08-02` -> `08-02`. None when the token names no plan."""
    from planner.ids import PlanId

    token = re.sub(r"^(?:phase|plan)[-_ ]?", "", token.strip().strip("`*"), flags=re.IGNORECASE)
    found = _GAP_TOKEN.fullmatch(token) or _PLAIN_TOKEN.fullmatch(token)
    if found is None:
        return None
    try:
        return str(PlanId.parse(f"{found[1]}-{found[2]}"))
    except InputError:
        return None


def _message_keys(subject: str, trailers: str) -> tuple[str, ...]:
    tokens = [t for value in trailers.split("\x1d") for t in re.split(r"[,\s]+", value) if t]
    if not tokens:
        scope = _SCOPE_TOKENS.match(subject)
        tokens = [t.strip() for t in scope[1].split(",")] if scope else []
    keys = (plan_key(token) for token in tokens)
    return tuple(dict.fromkeys(key for key in keys if key is not None))


@dataclass(frozen=True)
class IndexedCommit:
    """A commit as the history index holds it: position 0 is the oldest."""

    hash: str
    position: int  # -1: a commit of the repository that is not in HEAD's history
    author_time: datetime
    subject: str
    plans: tuple[str, ...]  # plan keys (see plan_key) the message names
    planning_only: bool  # every path it touched is a planning document (a bookkeeping commit)
    adds_summary: bool = False  # it adds a SUMMARY file: it records a plan's end, not its start


@dataclass(frozen=True)
class PathEvent:
    position: int
    status: str  # A, M, D, T


@dataclass(frozen=True)
class HashLookup:
    """What a claimed hash is: a commit of HEAD's history, another object, or nothing."""

    commit: IndexedCommit | None
    reason: str | None = None  # why there is no commit


class HistoryIndex:
    """HEAD's whole history, read with one `git log --raw` and one `git ls-tree`, indexed by
    commit hash, by every spelling of every plan id, and by path. Every GIT rule answers from it."""

    def __init__(self, commits: list[IndexedCommit], events: dict[str, list[PathEvent]] | None,
                 head_paths: frozenset[str], shallow: bool, others: dict[str, str] | None = None,
                 notes: tuple[str, ...] = (), elsewhere: Sequence[IndexedCommit] = ()) -> None:
        self.commits = commits
        self.events = events  # None: the history's files could not be read (notes say why)
        self.head_paths = head_paths
        self.shallow = shallow
        self.notes = notes
        self._others = others or {}  # claimed hash -> reason, for hashes not in HEAD's history
        self._sorted = sorted(commit.hash for commit in [*commits, *elsewhere])
        self._by_hash = {commit.hash: commit for commit in [*commits, *elsewhere]}
        by_plan: dict[str, list[IndexedCommit]] = {}
        for commit in commits:
            for key in commit.plans:
                by_plan.setdefault(key, []).append(commit)
        self._by_plan = by_plan
        self._head_dirs: frozenset[str] | None = None
        self._names_head: dict[str, list[str]] | None = None
        self._names_dirs: dict[str, list[str]] | None = None
        self._names_events: dict[str, list[str]] | None = None

    def lookup(self, claimed: str) -> HashLookup:
        """The commit a full or abbreviated hash names (HEAD's history only)."""
        import bisect

        prefix = claimed.strip().lower()
        if not _HASH.fullmatch(prefix):
            return HashLookup(None, "not a commit hash")
        at = bisect.bisect_left(self._sorted, prefix)
        matches: list[str] = []
        while at < len(self._sorted) and self._sorted[at].startswith(prefix) and len(matches) < 2:
            matches.append(self._sorted[at])
            at += 1
        if len(matches) == 1:
            return HashLookup(self._by_hash[matches[0]])
        if matches:
            return HashLookup(None, "ambiguous: several commits start with it")
        return HashLookup(None, self._others.get(claimed, "no such commit in this repository"))

    def plan_commits(self, key: str) -> list[IndexedCommit]:
        """Commits naming the plan under any spelling of its id, oldest first."""
        return self._by_plan.get(key, [])

    def existed_before(self, path: str, position: int) -> bool | None:
        """Whether `path` was in the tree just before the commit at `position` (None: unknown)."""
        if self.events is None:
            return None
        state = False
        for event in self.events.get(path, ()):
            if event.position >= position:
                break
            state = event.status != "D"
        return state

    def at_head(self, path: str) -> bool:
        """A file or folder at HEAD, also when written relative to a sub-folder (`core/x.py`)."""
        stripped = path.rstrip("/")
        if stripped in self.head_paths:
            return True
        if self._head_dirs is None:
            self._head_dirs = frozenset(p.rsplit("/", n)[0] for p in self.head_paths
                                        for n in range(1, p.count("/") + 1))
        if stripped in self._head_dirs:
            return True
        return bool(_by_suffix(stripped, self._head_names()) or _by_suffix(stripped, self._dir_names()))

    def deleted_by(self, path: str) -> IndexedCommit | None:
        """The last commit that deleted `path` (also written relative to a sub-folder), if any."""
        if self.events is None:
            return None
        stripped = path.rstrip("/")
        names = [stripped] if stripped in self.events else _by_suffix(stripped, self._event_names())
        found: PathEvent | None = None
        for name in names:
            for event in self.events[name]:
                if event.status == "D" and (found is None or event.position > found.position):
                    found = event
        return self.commits[found.position] if found is not None else None

    def _head_names(self) -> dict[str, list[str]]:
        if self._names_head is None:
            self._names_head = _by_base_name(self.head_paths)
        return self._names_head

    def _dir_names(self) -> dict[str, list[str]]:
        if self._names_dirs is None:
            self._names_dirs = _by_base_name(self._head_dirs or ())
        return self._names_dirs

    def _event_names(self) -> dict[str, list[str]]:
        if self._names_events is None:
            self._names_events = _by_base_name(self.events or ())
        return self._names_events


def _by_base_name(paths: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        found.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    return found


def _by_suffix(path: str, names: dict[str, list[str]]) -> list[str]:
    """Paths that end with `/path` (same base name, same trailing folders)."""
    suffix = "/" + path
    return [p for p in names.get(path.rsplit("/", 1)[-1], ()) if p.endswith(suffix)]


def _run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """One plain git call in `root` (no gitpython): its stdout, or _CommandFailed with git's reason."""
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    try:
        done = subprocess.run([executable, *_CONFIG, *args], cwd=root, input=stdin, capture_output=True,
                              check=False)
    except OSError as error:
        raise GitProblem(f"git could not be run: {error.strerror or error}") from None
    if done.returncode != 0:
        raise _CommandFailed(f"git {args[0]} failed: {_reason(done.stderr.decode('utf-8', 'replace'))}")
    return done.stdout


def _is_planning(path: str) -> bool:
    return ".planning/" in path or path.startswith(".planning")


def _read_history(output: bytes, with_files: bool
                  ) -> tuple[list[IndexedCommit], dict[str, list[PathEvent]]]:
    chunks = output.decode("utf-8", "replace").split("\x1e")[1:]
    chunks.reverse()  # oldest first
    commits: list[IndexedCommit] = []
    events: dict[str, list[PathEvent]] = {}
    for position, chunk in enumerate(chunks):
        header, _, changes = chunk.partition("\0")
        full, _short, _parents, when, trailers, subject = header.split("\x1f", 5)
        fields = changes.lstrip("\n").split("\0") if with_files and changes else []
        letters, paths = fields[0::2], fields[1::2]
        planning_only = bool(paths)
        adds_summary = False
        for letter, path in zip(letters, paths, strict=False):
            if not letter:
                continue
            events.setdefault(path, []).append(PathEvent(position, letter[:1]))
            if planning_only and not _is_planning(path):
                planning_only = False
            if letter[:1] == "A" and "SUMMARY" in path.rsplit("/", 1)[-1].upper():
                adds_summary = True
        commits.append(IndexedCommit(full, position, datetime.fromisoformat(when), subject.rstrip("\n"),
                                     _message_keys(subject, trailers), planning_only, adds_summary))
    return commits, events


def read_history(root: Path, claimed: Iterable[str] = ()) -> HistoryIndex:
    """The history index of the repository holding `root`: one `git log --raw` over HEAD's
    history, one `ls-tree` of HEAD, and (only for claimed hashes that are not in that history)
    one `cat-file --batch-check`. GitProblem when there is no repository or no git."""
    top = repo_root(root)
    notes: list[str] = []
    try:
        output = _run_git(top, *_HISTORY, "HEAD", "--")
        with_files = True
    except _CommandFailed as failed:
        try:
            output = _run_git(top, *_HISTORY_NO_FILES, "HEAD", "--")
        except _CommandFailed:
            return HistoryIndex([], {}, frozenset(), False, notes=("the repository has no commits yet",))
        notes.append(f"the history's files could not be read ({failed.message}): "
                     "file checks against history are skipped")
        with_files = False
    commits, events = _read_history(output, with_files)
    listing = _run_git(top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD")
    head_paths = frozenset(p for p in listing.decode("utf-8", "replace").split("\0") if p)
    shallow = (top / ".git" / "shallow").is_file() or bool(
        _run_git(top, "rev-parse", "--is-shallow-repository").strip() == b"true")
    if shallow:
        notes.append("shallow clone: history is cut, older commits cannot be seen")
    index = HistoryIndex(commits, events if with_files else None, head_paths, shallow, notes=tuple(notes))
    missing = [c for c in dict.fromkeys(claimed) if _HASH.fullmatch(c.strip())
               and index.lookup(c).commit is None and "ambiguous" not in (index.lookup(c).reason or "")]
    others: dict[str, str] = {}
    elsewhere: list[IndexedCommit] = []
    if missing:
        feed = "".join(f"{c.strip().lower()}\n" for c in missing).encode()
        lines = _run_git(top, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=feed
                         ).decode().splitlines()
        found = [line.split()[0] for line in lines if line.endswith(" commit")]
        if found:  # commits of other branches: their messages still say which plan they are
            output = _run_git(top, "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--no-walk=unsorted",
                              "--stdin", stdin="".join(f"{h}\n" for h in found).encode())
            elsewhere = [replace(commit, position=-1) for commit in _read_history(output, False)[0]]
        for claim, line in zip(missing, lines, strict=False):
            if line.endswith(" commit"):
                continue
            if line.endswith(" ambiguous"):
                others[claim] = "ambiguous: several objects start with it"
            elif not line.endswith(" missing"):
                others[claim] = f"names a {line.split()[-1]}, not a commit"
    if others or elsewhere:
        index = HistoryIndex(commits, index.events, head_paths, shallow, others, tuple(notes), elsewhere)
    return index
