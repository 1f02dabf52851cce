"""The whole history of a repository, read once per `plan check`: every commit indexed by hash
prefix, by every spelling of every plan id it names, and by the paths it touched; HEAD's tree
listing for existence checks. Reads trees only (never a blob), so a partial clone or a lost blob
does not stop it. The git calls go through `planner.evidence.gitlog.run_git`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from planner.errors import GitProblem
from planner.evidence.commits import LOG_FORMAT
from planner.evidence.gitlog import HASH_PATTERN, CommandFailed, repo_root, run_git
from planner.ids import plan_key_and_slug

# `--no-renames`: rename detection reads blobs, and a partial clone or a lost blob must not stop
# the read; `--name-status` (the letters of `--raw`) without `--numstat` needs trees only.
# A rename shows as a delete and an add.
_HISTORY = (
    "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--name-status", "--no-renames", "--no-ext-diff",
    "--no-textconv", "--diff-merges=first-parent", "--topo-order",
)
_HISTORY_NO_FILES = ("log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--topo-order")
_SCOPE_TOKENS = re.compile(r"^[A-Za-z]+\(([^()]*)\)!?:")


def _message_keys(subject: str, trailers: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(plan keys, the slug each was written with) of a message's `Plan:` trailers, else its scope."""
    tokens = [t for value in trailers.split("\x1d") for t in re.split(r"[,\s]+", value) if t]
    if not tokens:
        scope = _SCOPE_TOKENS.match(subject)
        tokens = [t.strip() for t in scope[1].split(",")] if scope else []
    named: dict[str, str] = {}
    for token in tokens:
        found = plan_key_and_slug(token)
        if found is not None:
            named.setdefault(*found)
    return tuple(named), tuple(named.values())


def _shares_a_word(slug: str, folder_slug: str) -> bool:
    words = {word for word in re.split(r"[-_]", folder_slug.lower()) if len(word) >= 3}
    return any(word in words for word in re.split(r"[-_]", slug) if len(word) >= 3)


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
    slugs: tuple[str, ...] = ()  # the slug each of `plans` was written with (`local-agent`), or ''

    def names_folder(self, key: str, folder_slug: str) -> bool:
        """False when the message names plan `key` with a slug of another phase folder: phase
        numbers are reused across milestones (`02-local-agent-02` is not `02-core-invariants` 02)."""
        slug = self.slugs[self.plans.index(key)] if key in self.plans and len(self.slugs) == len(self.plans) else ""
        return not slug or not folder_slug or _shares_a_word(slug, folder_slug)


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
        if not HASH_PATTERN.fullmatch(prefix):
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

    def plan_commits(self, key: str, folder_slug: str = "") -> list[IndexedCommit]:
        """Commits naming the plan under any spelling of its id, oldest first; given the plan's
        folder slug, not those whose message names the id with another folder's slug."""
        return [commit for commit in self._by_plan.get(key, []) if commit.names_folder(key, folder_slug)]

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

    def moved_to(self, path: str, deleting: IndexedCommit) -> str | None:
        """Where `deleting` moved `path`: the one file of the same name it added (git reads a move
        as a delete and an add when renames are not detected), or None."""
        if self.events is None:
            return None
        base = path.rstrip("/").rsplit("/", 1)[-1]
        added = [name for name in self._event_names().get(base, ())
                 if any(event.position == deleting.position and event.status == "A" for event in self.events[name])]
        return added[0] if len(added) == 1 else None

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
        plans, slugs = _message_keys(subject, trailers)
        commits.append(IndexedCommit(full, position, datetime.fromisoformat(when), subject.rstrip("\n"),
                                     plans, planning_only, adds_summary, slugs))
    return commits, events


def refs_state(root: Path) -> str | None:
    """One digest of where `root` sits in its repository and of HEAD and every ref (one
    `git rev-parse`): what every answer about the history depends on. None outside a repository,
    before the first commit, or when git cannot be run."""
    import hashlib

    try:
        state = run_git(root, "rev-parse", "--show-prefix", "--is-shallow-repository", "HEAD", "--all")
    except GitProblem:
        return None
    return hashlib.sha256(state).hexdigest()


def read_history(root: Path, claimed: Iterable[str] = ()) -> HistoryIndex:
    """The history index of the repository holding `root`: one `git log --raw` over HEAD's
    history, one `ls-tree` of HEAD, and (only for claimed hashes that are not in that history)
    one `cat-file --batch-check`. GitProblem when there is no repository or no git."""
    top = repo_root(root)
    notes: list[str] = []
    try:
        output = run_git(top, *_HISTORY, "HEAD", "--")
        with_files = True
    except CommandFailed as failed:
        try:
            output = run_git(top, *_HISTORY_NO_FILES, "HEAD", "--")
        except CommandFailed:
            return HistoryIndex([], {}, frozenset(), False, notes=("the repository has no commits yet",))
        notes.append(f"the history's files could not be read ({failed.message}): "
                     "file checks against history are skipped")
        with_files = False
    commits, events = _read_history(output, with_files)
    listing = run_git(top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD")
    head_paths = frozenset(p for p in listing.decode("utf-8", "replace").split("\0") if p)
    shallow = (top / ".git" / "shallow").is_file() or bool(
        run_git(top, "rev-parse", "--is-shallow-repository").strip() == b"true")
    if shallow:
        notes.append("shallow clone: history is cut, older commits cannot be seen")
    index = HistoryIndex(commits, events if with_files else None, head_paths, shallow, notes=tuple(notes))
    missing = [c for c in dict.fromkeys(claimed) if HASH_PATTERN.fullmatch(c.strip())
               and index.lookup(c).commit is None and "ambiguous" not in (index.lookup(c).reason or "")]
    others: dict[str, str] = {}
    elsewhere: list[IndexedCommit] = []
    if missing:
        feed = "".join(f"{c.strip().lower()}\n" for c in missing).encode()
        lines = run_git(top, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=feed
                         ).decode().splitlines()
        found = [line.split()[0] for line in lines if line.endswith(" commit")]
        if found:  # commits of other branches: their messages still say which plan they are
            output = run_git(top, "log", "--encoding=UTF-8", LOG_FORMAT, "-z", "--no-walk=unsorted",
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


