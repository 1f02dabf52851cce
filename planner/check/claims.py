"""Claims against each other and against git: hashes exist and belong, created files were new,
claimed files are still there.

Every git rule is a pure function of one document's claims and the history index
(`planner.check.git_history.HistoryIndex`, read once per run), so a document's findings can be cached.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from planner.check.claim_text import Claim
from planner.check.findings import Finding, make
from planner.check.git_history import HistoryIndex, IndexedCommit
from planner.check.summary_claims import SummaryClaims
from planner.errors import GitProblem
from planner.ids import plan_key
from planner.model import Project

if TYPE_CHECKING:
    from planner.tree.filenames import PhaseDirName


@dataclass(frozen=True)
class Subject:
    """What a document is about: one plan (`plan` set) or a whole phase (`plan` None)."""

    rel: str
    phase: str  # the phase key, e.g. `12` or `08.1`
    plan: str | None  # the plan key, e.g. `12-03`


def _clean(path: str) -> str:
    return path.removeprefix("./")


def created_and_modified(rel: str, claims: SummaryClaims) -> list[Finding]:
    """CLM210 for each path listed both as created and as modified, at both lines."""
    created = {_clean(claim.value): claim for claim in claims.created}
    findings = []
    for claim in claims.modified:
        first = created.get(_clean(claim.value))
        if first is not None:
            findings.append(make(rel, claim.line, "CLM210",
                                 f"{claim.value} is listed as modified here and as created on line "
                                 f"{first.line}: it can only be one"))
            if first.line != claim.line:
                findings.append(make(rel, first.line, "CLM210",
                                     f"{claim.value} is listed as created here and as modified on "
                                     f"line {claim.line}: it can only be one"))
    return findings


def read_index(project: Project, documents: Sequence[tuple[Subject, SummaryClaims]]
               ) -> HistoryIndex | Finding:
    """The history index, or the GIT200 info saying why git is not consulted."""
    from planner.check import git_history

    where = project.relative(project.planning_dir)
    try:
        hashes = [claim.value for _, claims in documents for claim in claims.commits]
        return git_history.read_history(project.root, hashes)
    except GitProblem as problem:
        return make(where, None, "GIT200", f"git checks skipped: {problem.message}")


def prefix_of(project: Project) -> str:
    """The project folder relative to the repository's top ('' when they are the same)."""
    from planner.evidence import gitlog

    try:
        top = gitlog.repo_root(project.root)
        relative = project.root.resolve().relative_to(top.resolve()).as_posix()
    except (GitProblem, ValueError):
        return ""
    return "" if relative == "." else relative + "/"


# ---------------------------------------------------------------- one document against the index

_ELSEWHERE = re.compile(
    r"\b(?:another|other|separate|different|external|sibling|upstream|parent|main)\s+(?:\w+\s+)?"
    r"repo(?:sitory)?\b|\bsub-?module\b|\bin (?:the )?[\w.-]+ repo(?:sitory)?\b|\bforked?\b",
    re.IGNORECASE)
_PLAN_HEADING = re.compile(r"\b(?:plan\s+(?P<part>(?:GAP-)?\d+[A-Za-z]?)\b|(?P<id>\d+[A-Za-z]?(?:\.\d+)*-"
                           r"(?:GAP-)?\d+[A-Za-z]?)(?P<slug>[\w.-]*))", re.IGNORECASE)
_ID_TOKEN = re.compile(r"(?<![\w.])\d+[A-Za-z]?(?:\.\d+)*-[\w.-]*\w")
_PRIOR = re.compile(r"\balready (?:been )?(?:completed|fixed|done|committed|implemented|applied)\b[^.\n]*"
                    r"\b(?:previous|prior|earlier|another|other)\b", re.IGNORECASE)
_SUB_PHASE = re.compile(r"\b(?:sub-?phase|phase)\s+(?P<number>\d+\.\d+)\b", re.IGNORECASE)


def _phase_of(key: str) -> str:
    return key.rsplit("-", 2)[0] if "-GAP-" in key else key.rsplit("-", 1)[0]


def _recap_plan(subject: Subject, claims: SummaryClaims, line: int) -> str | None:
    """The plan a heading above `line` is about, when it is not the document's own plan."""
    heading = claims.heading_above(line)
    if heading is None:
        return None
    found = _PLAN_HEADING.search(heading.value)
    if found is None:
        return None
    if found["id"]:  # `04-90-percent-target-02` is plan 04-02, not 04-90
        key = plan_key(found["id"] + found["slug"]) or plan_key(found["id"])
    else:
        key = plan_key(f"{subject.phase}-{found['part']}")
    return key if key != subject.plan else None


def _explained(subject: Subject, claims: SummaryClaims, claim: Claim, named: Sequence[str]) -> str | None:
    """Why a commit naming another plan may still be right here, or None."""
    text = claims.lines[claim.line - 1] if claim.line <= len(claims.lines) else ""
    if subject.plan is None and any(_phase_of(key) == subject.phase for key in named):
        return None  # a phase summary lists its plans' commits
    recap = _recap_plan(subject, claims, claim.line)
    if recap is not None and recap in named:
        return f"it sits under the heading about plan {recap}"
    on_line = {plan_key(token) for token in _ID_TOKEN.findall(text)}
    for key in named:
        if key in on_line or re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", text) or (
                key.split("-", 1)[1] in text and re.search(r"\bplan\b", text, re.IGNORECASE)):
            return f"the line itself says it belongs to {key}"
    above = claims.heading_above(claim.line)
    sub = _SUB_PHASE.search(text) or _SUB_PHASE.search(above.value if above is not None else "")
    if sub is not None and any(_phase_of(key).startswith(sub["number"].split(".")[0]) for key in named):
        return f"the text places it in phase {sub['number']}"
    if any(_phase_of(key) != subject.phase and _phase_of(key).split(".")[0] == subject.phase.split(".")[0]
           for key in named):
        return "it names a plan of a sub-phase of this phase"
    prior = next((n for n, line in enumerate(claims.lines, start=1) if _PRIOR.search(line)), None)
    if prior is not None:
        return f"line {prior} says the work was committed earlier, by another plan or run"
    return None


def _elsewhere(claims: SummaryClaims, claim: Claim) -> bool:
    text = claims.lines[claim.line - 1] if claim.line <= len(claims.lines) else ""
    heading = claims.heading_above(claim.line)
    return bool(_ELSEWHERE.search(text) or (heading is not None and _ELSEWHERE.search(heading.value)))


def document_git_findings(subject: Subject, claims: SummaryClaims, index: HistoryIndex,
                          prefix: str = "") -> list[Finding]:
    """GIT201-GIT204 and TIM304/TIM305 for one document, from the history index alone."""
    findings: list[Finding] = []
    rel = subject.rel
    mine: list[IndexedCommit] = []
    for claim in claims.commits:
        found = index.lookup(claim.value)
        commit = found.commit
        if commit is None:
            if _elsewhere(claims, claim):
                findings.append(make(rel, claim.line, "GIT201",
                                     f"commit {claim.value} is not in this repository, as the text "
                                     "says it lives in another one", severity="info"))
            else:
                findings.append(make(rel, claim.line, "GIT201",
                                     f"commit {claim.value} not found ({found.reason}); "
                                     "history may have been rewritten"))
            continue
        named = commit.plans
        if not named or (subject.plan is not None and subject.plan in named):
            mine.append(commit)
            continue
        if subject.plan is None and any(_phase_of(key) == subject.phase for key in named):
            continue
        why = _explained(subject, claims, claim, named)
        if why is not None:
            findings.append(make(rel, claim.line, "GIT202",
                                 f"commit {claim.value} names plan {', '.join(named)}, not "
                                 f"{subject.plan or 'this phase'}; not an error: {why}", severity="info"))
        elif _elsewhere(claims, claim):
            findings.append(make(rel, claim.line, "GIT202",
                                 f"commit {claim.value} names plan {', '.join(named)}; the text says "
                                 "the work lives elsewhere", severity="info"))
        else:
            findings.append(make(rel, claim.line, "GIT202",
                                 f"commit {claim.value} names plan {', '.join(named)}, not "
                                 f"{subject.plan or 'a plan of phase ' + subject.phase}"))
    if subject.plan is not None:
        findings += _created_before(subject, claims, index, mine, prefix)
        findings += _timeline(subject, claims, mine)
    findings += _gone_at_head(subject, claims, index, prefix)
    return findings


_REUSE_WINDOW = timedelta(days=3)


def _created_before(subject: Subject, claims: SummaryClaims, index: HistoryIndex,
                    verified: list[IndexedCommit], prefix: str) -> list[Finding]:
    """GIT203: created paths that were in the tree just before the plan's earliest commit."""
    assert subject.plan is not None
    if not claims.created or index.events is None:
        return []
    named = index.plan_commits(subject.plan, _folder_slug(subject.rel))
    if verified:  # a phase number reused by a later milestone: only the commits near the claimed ones
        earliest = min(c.author_time for c in verified) - _REUSE_WINDOW
        named = [c for c in named if c.author_time >= earliest]
    # a commit that adds the SUMMARY records the end: the work came before it, maybe unnamed
    candidates = [c for c in named + verified if c.position >= 0 and not (c.planning_only and c.adds_summary)]
    if not candidates:
        return []
    first = min(candidates, key=lambda commit: commit.position)
    findings = []
    for claim in claims.created:
        path = _clean(claim.value)
        if path.endswith("/") or any(char in path for char in "*?[{"):
            continue
        for name in dict.fromkeys((path, prefix + path)):
            if index.existed_before(name, first.position):
                findings.append(make(subject.rel, claim.line, "GIT203",
                                     f"{claim.value} is listed as created but existed before the "
                                     f"plan's first commit {first.hash[:7]} ({first.subject[:60]})"))
                break
    return findings


def _folder_slug(rel: str) -> str:
    from planner.tree.filenames import parse_phase_dir

    parts = rel.split("/")
    folder = parts[-3] if len(parts) >= 3 and parts[-2] == "plans" else parts[-2] if len(parts) >= 2 else ""
    return _slug_of(folder, parse_phase_dir)


@functools.lru_cache(maxsize=4096)
def _slug_of(folder: str, parse: Callable[[str], PhaseDirName]) -> str:
    """The slug of a phase folder name (`02-core-invariants` -> `core-invariants`), parsed once per folder."""
    return str(parse(folder).slug)


def _gone_at_head(subject: Subject, claims: SummaryClaims, index: HistoryIndex,
                  prefix: str) -> list[Finding]:
    """GIT204: a claimed created / modified file that is not at HEAD (an info when a commit deleted it)."""
    if not index.head_paths:
        return []
    findings = []
    seen: set[str] = set()
    for kind, listed in (("created", claims.created), ("modified", claims.modified), ("found", claims.found)):
        for claim in listed:
            path = _clean(claim.value).split("::", 1)[0]
            path = re.sub(r":\d+(?:-\d+)?$", "", path)
            if (path in seen or any(char in path for char in "*?[{<$")
                    or ".planning/" in path or path.startswith((".planning", "/", "~", "../"))):
                continue
            seen.add(path)
            if index.at_head(prefix + path) or index.at_head(path):
                continue
            deleted = index.deleted_by(prefix + path) or index.deleted_by(path)
            said = {"found": "said to exist"}.get(kind, f"listed as {kind}")
            if deleted is not None:
                moved = index.moved_to(prefix + path, deleted) or index.moved_to(path, deleted)
                what = f"moved it to {moved.removeprefix(prefix)}" if moved else "removed it"
                findings.append(make(subject.rel, claim.line, "GIT204",
                                     f"{claim.value} ({said}) is not at HEAD: commit "
                                     f"{deleted.hash[:7]} {what} ({deleted.subject[:60]})",
                                     severity="info"))
            elif index.events is not None:
                findings.append(make(subject.rel, claim.line, "GIT204",
                                     f"{claim.value} is {said} but is not at HEAD and no commit "
                                     "ever deleted it"))
    return findings


# ---------------------------------------------------------------- the plan's own commits in time

_SLACK = timedelta(minutes=30)


def _timeline(subject: Subject, claims: SummaryClaims, mine: list[IndexedCommit]) -> list[Finding]:
    """TIM304: completed before the last claimed commit; TIM305: started after the first one."""
    from planner.check.timing import parse_stamp

    work = [commit for commit in mine if not commit.planning_only]
    if not work:
        return []
    first = min(work, key=lambda c: c.author_time)
    last = max(work, key=lambda c: c.author_time)
    findings = []
    for claim, code in ((claims.completed, "TIM304"), (claims.started, "TIM305")):
        stamp = parse_stamp(claim.value) if claim is not None else None
        if claim is None or stamp is None:
            continue
        commit = last if code == "TIM304" else first
        when = commit.author_time
        local_only = False
        if stamp.aware and stamp.moment is not None:
            late = when - stamp.moment if code == "TIM304" else stamp.moment - when
            wrong = late > _SLACK
            if wrong and stamp.zone == "utc" and when.utcoffset():
                # the commit's own wall clock written with a Z: right as local time, wrong as UTC
                local = stamp.moment.replace(tzinfo=when.tzinfo)
                local_late = when - local if code == "TIM304" else local - when
                local_only = local_late <= _SLACK
        else:  # a date, or a time with no zone: whole days only, a day of slack for the zone
            days = (when.date() - stamp.day).days if code == "TIM304" else (stamp.day - when.date()).days
            wrong = days > 1
        if wrong:
            verb = "completed" if code == "TIM304" else "started"
            side = "before its last" if code == "TIM304" else "after its first"
            if local_only:
                findings.append(make(subject.rel, claim.line, code,
                                     f"{verb} {claim.value} is {side.split()[0]} claimed commit "
                                     f"{commit.hash[:7]} at {when.isoformat()} as UTC, but fits as that "
                                     "commit's local time: a local time labelled Z?", severity="info"))
            else:
                findings.append(make(subject.rel, claim.line, code,
                                     f"{verb} {claim.value}, {side} claimed commit {commit.hash[:7]} "
                                     f"at {when.isoformat()}"))
    return findings
