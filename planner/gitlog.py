"""Every git query planner makes: a plan's commits and files, claimed hashes, HEAD, shallowness.

History is read in bulk: one `git log` with a custom format and `-z`, parsed here. gitpython is
imported inside the functions that need it, so commands that never touch git do not pay for it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, cast

from planner.errors import GitProblem, InputError

if TYPE_CHECKING:
    from git import Repo

__all__ = [
    "Commit", "Duration", "FileChange", "HashStatus", "PlanEvidence", "find_plan_commits",
    "head_commit", "is_shallow", "path_existed_at", "plan_duration", "plan_ids_in_message",
    "repo_root", "verify_hashes",
]

ChangeStatus = Literal["A", "M", "D", "R", "C", "T"]
Method = Literal["trailer", "scope", "range", "none"]

# Settings that make output independent of the user's configuration.
_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=false")
# \x1e opens a commit; \x1f separates fields; the subject is last, so nothing in it can shift them.
_FORMAT = (
    "--format=%x1e%H%x1f%h%x1f%P%x1f%aI%x1f%(trailers:key=Plan,valueonly,separator=%x1d)%x1f%s"
)
_LOG = (
    "log", "--encoding=UTF-8", _FORMAT, "-z", "--raw", "--numstat", "--find-renames",
    "--no-ext-diff", "--no-textconv",
    # A merge diffed against its first parent shows what the merge brought in, once; the default
    # shows no files for merges and `-m` repeats them once per parent.
    "--diff-merges=first-parent",
)
_HASH = re.compile(r"[0-9a-fA-F]{4,64}")
_ID = re.compile(r"[A-Za-z0-9][\w.-]*")
_SCOPE = re.compile(r"[A-Za-z]+\(([^()]*)\)!?:")
# A plan id inside a token, slug allowed between phase and plan part: 12-03, 08.1-02, 12-GAP-03,
# 12-tier-1-coverage-push-GAP-03. The lazy middle lets `GAP-` stay with the plan part.
_PLAN_TOKEN = re.compile(
    r"(\d+[A-Za-z]?(?:\.\d+)*)-(?:.*?-)?((?:GAP-)?\d+[A-Za-z]?)", re.IGNORECASE
)


@dataclass(frozen=True)
class FileChange:
    """One path a commit touched; `insertions`/`deletions` are None for binary files."""

    status: ChangeStatus
    path: str
    old_path: str | None = None
    insertions: int | None = None
    deletions: int | None = None


@dataclass(frozen=True)
class Commit:
    """A commit as planner sees it: identity, time, the plans it names and the files it changed."""

    hash: str
    short_hash: str
    subject: str
    author_time: datetime
    parents: tuple[str, ...] = ()
    files: tuple[FileChange, ...] = ()
    trailer_plans: tuple[str, ...] = ()
    scope_plans: tuple[str, ...] = ()

    @property
    def insertions(self) -> int:
        return sum(change.insertions or 0 for change in self.files)

    @property
    def deletions(self) -> int:
        return sum(change.deletions or 0 for change in self.files)

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def plans(self) -> tuple[str, ...]:
        """The plans this commit names: `Plan:` trailers win over the subject's scope."""
        return self.trailer_plans or self.scope_plans


@dataclass(frozen=True)
class PlanEvidence:
    """What git says a plan did: its commits (oldest first) and the net effect on files."""

    plan_id: str
    method: Method
    commits: tuple[Commit, ...] = ()
    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    insertions: int = 0
    deletions: int = 0
    base_commit: str | None = None
    shallow: bool = False
    notes: tuple[str, ...] = ()

    @property
    def first_commit(self) -> Commit | None:
        return self.commits[0] if self.commits else None

    @property
    def last_commit(self) -> Commit | None:
        return self.commits[-1] if self.commits else None


@dataclass(frozen=True)
class HashStatus:
    """Whether a claimed hash names a commit here, its full hash, and the plans the commit names."""

    exists: bool
    full_hash: str | None = None
    plans: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class Duration:
    """How long a plan took and where the figure came from."""

    seconds: int
    source: Literal["recorded", "commits", "none"]
    start: datetime | None = None
    end: datetime | None = None

    def human(self) -> str:
        """`7min`, `1h 15m`, `2h`; a negative duration keeps its sign so checkers can flag it."""
        sign = "-" if self.seconds < 0 else ""
        hours, minutes = divmod(round(abs(self.seconds) / 60), 60)
        if hours == 0:
            return f"{sign}{minutes}min"
        return f"{sign}{hours}h {minutes}m" if minutes else f"{sign}{hours}h"


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


# ---------------------------------------------------------------- reading git log -z


def _plan_id_of(token: str) -> str | None:
    """`12-tier-1-coverage-push-GAP-03` -> `12-GAP-03`; None when the token names no plan."""
    found = _PLAN_TOKEN.fullmatch(token.strip())
    if found is None:
        return None
    part = found.group(2)
    return f"{found.group(1)}-{part.upper() if part[:4].upper() == 'GAP-' else part}"


def _scope_tokens(subject: str) -> tuple[str, ...]:
    found = _SCOPE.match(subject)
    if found is None:
        return ()
    return tuple(token.strip() for token in found.group(1).split(",") if token.strip())


def plan_ids_in_message(
    subject: str, trailers: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(trailer plans, scope plans) a commit names, slugged scopes reduced to plan ids."""
    from_trailers = [t for value in trailers for t in re.split(r"[,\s]+", value) if t]
    from_scope = [_plan_id_of(token) for token in _scope_tokens(subject)]
    return (
        tuple(dict.fromkeys(_plan_id_of(t) or t for t in from_trailers)),
        tuple(dict.fromkeys(p for p in from_scope if p is not None)),
    )


def _header(text: str) -> Commit:
    full, short, parents, when, trailers, subject = text.split("\x1f", 5)
    trailer_plans, scope_plans = plan_ids_in_message(subject, trailers.split("\x1d"))
    return Commit(
        hash=full, short_hash=short, subject=subject,
        author_time=datetime.fromisoformat(when), parents=tuple(parents.split()),
        trailer_plans=trailer_plans, scope_plans=scope_plans,
    )


def _count(text: str) -> int | None:
    return None if text == "-" else int(text)


def _finish(head: Commit, raw: list[tuple[str, str, str | None]],
            stats: dict[str, tuple[str, str]], into: list[Commit]) -> None:
    files = []
    for letter, path, old in raw:
        added, removed = stats.get(path, ("-", "-"))
        status = cast(ChangeStatus, letter if letter in "AMDRCT" else "M")
        files.append(FileChange(status, path, old, _count(added), _count(removed)))
    into.append(replace(head, files=tuple(files)))


def _parse_log(output: bytes) -> list[Commit]:
    """Commits from `git log -z --raw --numstat` with planner's format, in git's order.

    Fields are NUL-separated; paths are read by position, so spaces, tabs, newlines or leading
    colons in a path cannot be mistaken for structure.
    """
    tokens = output.decode("utf-8", "replace").split("\0")
    commits: list[Commit] = []
    head: Commit | None = None
    raw: list[tuple[str, str, str | None]] = []
    stats: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        if token.startswith("\x1e"):
            if head is not None:
                _finish(head, raw, stats, commits)
            head, raw, stats, i = _header(token[1:]), [], {}, i + 1
        elif token.startswith(":"):
            letter = token.rsplit(" ", 1)[-1][:1]
            if letter in ("R", "C"):
                raw.append((letter, tokens[i + 2], tokens[i + 1]))
                i += 3
            else:
                raw.append((letter, tokens[i + 1], None))
                i += 2
        elif token:
            added, removed, path = token.split("\t", 2)
            if path:
                i += 1
            else:  # a rename: old and new path follow as their own fields
                path, i = tokens[i + 2], i + 3
            stats[path] = (added, removed)
        else:
            i += 1
    if head is not None:
        _finish(head, raw, stats, commits)
    return commits


# ---------------------------------------------------------------- a plan's commits


def _check_id(plan_id: str) -> str:
    if not _ID.fullmatch(plan_id):
        raise InputError(f"plan id {plan_id!r} is not valid: use letters, digits, '.', '_' and "
                         "'-', like 12-03")
    return plan_id


def _slug_token(plan_id: str, slug: str | None) -> str | None:
    """The slugged scope `12-tier-1-coverage-push-GAP-03` for plan `12-GAP-03` in that folder."""
    if not slug:
        return None
    if re.search(r"[\x00-\x1f,()]", slug):
        raise InputError(f"slug {slug!r} cannot appear in a commit scope: "
                         "use the phase folder name")
    phase, _, part = plan_id.partition("-")
    folder = slug if slug.startswith(f"{phase}-") else f"{phase}-{slug}"
    return f"{folder}-{part}"


def _naming_method(commit: Commit, plan_id: str, slug_token: str | None) -> Method | None:
    """How `commit` names the plan, if it does. Trailers, when present, decide alone."""
    wanted = {plan_id.upper()} | ({slug_token.upper()} if slug_token else set())
    if commit.trailer_plans:
        return "trailer" if plan_id.upper() in {t.upper() for t in commit.trailer_plans} else None
    tokens = {token.upper() for token in _scope_tokens(commit.subject)}
    return "scope" if tokens & wanted else None


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
) -> PlanEvidence:
    """The plan's commits and their net effect on files, found by trailer, scope, else range.

    Each commit counts for the plan if its `Plan:` trailers name it or, without trailers, its
    conventional-commit scope does. Only when no commit names the plan is `base_commit..HEAD`
    used, leaving out commits that name other plans.
    """
    slug_token = _slug_token(_check_id(plan_id), slug)
    with _open(root) as repo:
        boundary = _shallow_boundary(repo)
        notes = [f"shallow clone: history is cut at {boundary[0][:12]}"] if boundary else []
        try:
            found = _parse_log(_git(repo, *_LOG, *_grep_args(plan_id, slug_token),
                                    *_since_args(since), "HEAD", "--"))
        except _CommandFailed:
            if _resolve(repo, ["HEAD^{commit}"]) != [None]:
                raise
            notes.append("the repository has no commits yet")
            return PlanEvidence(plan_id, "none", base_commit=base_commit,
                                shallow=bool(boundary), notes=tuple(notes))
        methods = {c.hash: _naming_method(c, plan_id, slug_token) for c in found}
        commits = [c for c in reversed(found) if methods[c.hash]]
        method: Method = "trailer" if "trailer" in methods.values() else "scope"
        if not commits:
            method, commits = _range_commits(repo, plan_id, base_commit, since, notes)
        return _evidence(repo, plan_id, method, commits, base_commit, boundary, notes)


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
    found = _parse_log(_git(repo, *_LOG, *_since_args(since), f"{resolved}..HEAD", "--"))
    key = plan_id.upper()
    if not found:
        notes.append(f"no commits since the recorded base commit {base}")
    mine = [c for c in reversed(found) if not c.plans or key in {p.upper() for p in c.plans}]
    return "range", mine


def _counted(commits: Sequence[Commit]) -> list[Commit]:
    """Commits whose changes count: a merge of a tip that is itself listed adds nothing new."""
    hashes = {c.hash for c in commits}
    return [c for c in commits if not (c.is_merge and any(p in hashes for p in c.parents[1:]))]


def _final_states(commits: Sequence[Commit]) -> tuple[dict[str, bool], dict[str, str]]:
    """Each touched path -> whether it exists after the plan; renamed path -> where it came from."""
    alive: dict[str, bool] = {}
    origin: dict[str, str] = {}
    for commit in commits:
        for change in commit.files:
            if change.status == "R" and change.old_path is not None:
                alive[change.old_path] = False
                origin[change.path] = origin.pop(change.old_path, change.old_path)
            alive[change.path] = change.status != "D"
    return alive, origin


def _evidence(repo: Repo, plan_id: str, method: Method, commits: list[Commit], base: str | None,
              boundary: tuple[str, ...], notes: list[str]) -> PlanEvidence:
    counted = _counted(commits)
    alive, origin = _final_states(counted)
    before = commits[0].parents[0] if commits and commits[0].parents else None
    if commits and before is None and commits[0].hash in boundary:
        notes.append("the plan's first commit is at the shallow cut: "
                     "files listed as created may have existed before it")
    existed = _existed_at(repo, before, set(alive) | set(origin.values())) if before else set()
    created, modified, deleted, renamed = _classify(alive, origin, existed)
    return PlanEvidence(
        plan_id=plan_id, method=method if commits else "none", commits=tuple(commits),
        created=created, modified=modified, deleted=deleted, renamed=renamed,
        insertions=sum(c.insertions for c in counted), deletions=sum(c.deletions for c in counted),
        base_commit=base, shallow=bool(boundary), notes=tuple(notes),
    )


def _classify(alive: dict[str, bool], origin: dict[str, str], existed: set[str]) -> tuple[
        tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(created, modified, deleted, renamed) by whether each path existed before the plan."""
    renamed = sorted(
        (old, new) for new, old in origin.items()
        if alive.get(new) and not alive.get(old) and old in existed and new not in existed
    )
    moved_to, moved_from = {new for _, new in renamed}, {old for old, _ in renamed}
    created = [p for p, on in alive.items() if on and p not in existed and p not in moved_to]
    modified = [p for p, on in alive.items() if on and p in existed]
    deleted = [p for p, on in alive.items() if not on and p in existed and p not in moved_from]
    return tuple(sorted(created)), tuple(sorted(modified)), tuple(sorted(deleted)), tuple(renamed)


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
            output = _git(repo, "log", "--encoding=UTF-8", _FORMAT, "-z", "--no-walk=unsorted",
                          "--stdin", stdin=feed)
            by_hash = {c.hash: c for c in _parse_log(output)}
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


# ---------------------------------------------------------------- duration


def plan_duration(started: datetime | None, completed: datetime | None,
                  evidence: PlanEvidence | None = None) -> Duration:
    """Recorded start to completion when a start was recorded; else first to last commit."""
    for moment in (started, completed):
        if moment is not None and moment.tzinfo is None:
            raise InputError(f"time {moment.isoformat()} has no UTC offset: give one (e.g. +00:00)")
    last = evidence.last_commit if evidence else None
    if started is not None:
        end = completed or (last.author_time if last else None)
        if end is None:
            return Duration(0, "none", started, None)
        return Duration(round((end - started).total_seconds()), "recorded", started, end)
    first = evidence.first_commit if evidence else None
    if first is None or last is None:
        return Duration(0, "none")
    start, end = first.author_time, last.author_time
    return Duration(round((end - start).total_seconds()), "commits", start, end)
