"""What planner knows about commits without asking git: the model and the text it is read from.

The dataclasses git evidence is given in (FileChange, Commit, PlanEvidence, HashStatus, Duration),
the log format planner asks git for and the parser of its `-z` output, how a commit message names
plans (`Plan:` trailers, conventional-commit scopes, slugged scopes), the classification of a
plan's paths into created / modified / deleted / renamed, and plan durations. Pure functions over
text and data: every git call is in `planner.evidence.gitlog`, which re-exports the public names here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, cast

from planner.errors import InputError

ChangeStatus = Literal["A", "M", "D", "R", "C", "T"]
Method = Literal["trailer", "scope", "range", "none"]

# \x1e opens a commit; \x1f separates fields; the subject is last, so nothing in it can shift them.
LOG_FORMAT = (
    "--format=%x1e%H%x1f%h%x1f%P%x1f%aI%x1f%(trailers:key=Plan,valueonly,separator=%x1d)%x1f%s"
)
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
    bookkeeping: tuple[Commit, ...] = ()  # commits that changed only planning files

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
        """`45s`, `7min`, `1h 15m`, `2h`; a negative duration keeps its sign so checkers can flag it."""
        sign = "-" if self.seconds < 0 else ""
        if abs(self.seconds) < 60:
            return f"{sign}{abs(self.seconds)}s"
        hours, minutes = divmod(round(abs(self.seconds) / 60), 60)
        if hours == 0:
            return f"{sign}{minutes}min"
        return f"{sign}{hours}h {minutes}m" if minutes else f"{sign}{hours}h"


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


def parse_log(output: bytes) -> list[Commit]:
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


def check_plan_id(plan_id: str) -> str:
    """`plan_id` itself when it can name a plan in a commit; InputError otherwise."""
    if not _ID.fullmatch(plan_id):
        raise InputError(f"plan id {plan_id!r} is not valid: use letters, digits, '.', '_' and "
                         "'-', like 12-03")
    return plan_id


def slugged_scope(plan_id: str, slug: str | None) -> str | None:
    """The slugged scope `12-tier-1-coverage-push-GAP-03` for plan `12-GAP-03` in that folder."""
    if not slug:
        return None
    if re.search(r"[\x00-\x1f,()]", slug):
        raise InputError(f"slug {slug!r} cannot appear in a commit scope: "
                         "use the phase folder name")
    phase, _, part = plan_id.partition("-")
    folder = slug if slug.startswith(f"{phase}-") else f"{phase}-{slug}"
    return f"{folder}-{part}"


def naming_method(commit: Commit, plan_id: str, slug_token: str | None) -> Method | None:
    """How `commit` names the plan, if it does. Trailers, when present, decide alone."""
    wanted = {plan_id.upper()} | ({slug_token.upper()} if slug_token else set())
    if commit.trailer_plans:
        return "trailer" if plan_id.upper() in {t.upper() for t in commit.trailer_plans} else None
    tokens = {token.upper() for token in _scope_tokens(commit.subject)}
    return "scope" if tokens & wanted else None


# ---------------------------------------------------------------- a plan's files


def is_bookkeeping(commit: Commit, planning_prefix: str) -> bool:
    """True when every file the commit changed is under the planning folder: planner's own start
    and summary commits, or a person editing plans. Such a commit is not work on the plan."""
    return bool(commit.files) and all(change.path.startswith(planning_prefix) for change in commit.files)


def records_a_summary(commit: Commit) -> bool:
    """True when the commit changed a SUMMARY document (`01-02-SUMMARY.md`, `SUMMARY.md`)."""
    return any(change.path.rsplit("/", 1)[-1].upper().endswith("SUMMARY.MD") for change in commit.files)


def without_planning_files(commit: Commit, planning_prefix: str) -> Commit:
    """The commit with its planning-folder files left out: they are never a plan's key files."""
    kept = tuple(change for change in commit.files if not change.path.startswith(planning_prefix))
    return commit if len(kept) == len(commit.files) else replace(commit, files=kept)


def counted_commits(commits: Sequence[Commit]) -> list[Commit]:
    """Commits whose changes count: a merge of a tip that is itself listed adds nothing new."""
    hashes = {c.hash for c in commits}
    return [c for c in commits if not (c.is_merge and any(p in hashes for p in c.parents[1:]))]


def final_states(commits: Sequence[Commit]) -> tuple[dict[str, bool], dict[str, str]]:
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


def classify_paths(alive: dict[str, bool], origin: dict[str, str], existed: set[str]) -> tuple[
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
