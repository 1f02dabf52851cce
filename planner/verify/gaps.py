"""Gaps from one verification to the next: stable ids, and which are open, partial or closed.

A gap's id is derived from what opened it (a target expression, a failure cluster's signature, a
must-have), so the same problem keeps its id. The previous VERIFICATION's frontmatter is read
back here, at the edge, into `RecordedGap`s; everything after works on typed values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from planner.clock import parse_time
from planner.facts.types import TargetRow, TestsFacts
from planner.model import GapStatus, Phase
from planner.tree.frontmatter import read_document
from planner.tree.values import as_text_list
from planner.verify.types import GapKind, GapValue, VerificationGap

Failing = Mapping[str, tuple[GapValue, str]]  # source -> (value now, the gap's words)


def gap_id(phase: Phase, kind: str, source: str) -> str:
    digest = hashlib.sha1(f"{kind}:{source}".encode()).hexdigest()[:6]
    return f"G{phase.id}-{kind[0]}{digest}"


def verification_path(phase: Phase) -> Path:
    return phase.verification_path or phase.directory / f"{phase.id}-VERIFICATION.md"


@dataclass(frozen=True, slots=True)
class RecordedGap:
    """A gap as an earlier VERIFICATION's frontmatter records it; `entry` is the entry as read,
    kept to be recorded again as this verification's baseline."""

    id: str
    kind: str | None
    source: str
    truth: str
    closed: bool
    value: object
    closed_by: tuple[str, ...]
    entry: Mapping[str, object]

    @classmethod
    def read(cls, entry: Mapping[str, object]) -> RecordedGap:
        kind = entry.get("kind")
        return cls(str(entry.get("id")), kind if isinstance(kind, str) else None, str(entry.get("source")),
                   str(entry.get("truth")), entry.get("status") == "closed", entry.get("value"),
                   as_text_list(entry.get("closed_by")) or (), entry)


@dataclass(frozen=True, slots=True)
class Baseline:
    """What this verification compares with, and which plans anywhere say they close which gap."""

    previous: Mapping[str, RecordedGap]
    since: dt.datetime | None
    named_closers: Mapping[str, tuple[str, ...]]


def previous_gaps(phase: Phase, now: dt.datetime) -> tuple[dict[str, RecordedGap], dt.datetime | None]:
    """The gaps of the verification this one compares with, and its time: the existing file, or
    (when re-rendering the very same verification, as `plan render --check` does) the baseline
    that file itself recorded."""
    path = verification_path(phase)
    if not path.exists():
        return {}, None
    meta: Mapping[str, object] = read_document(path).meta
    baseline = meta.get("baseline")
    if parse_time(str(meta.get("verified") or "")) == now and isinstance(baseline, Mapping):
        meta = baseline
    entries = meta.get("gaps") or ()
    gaps = [RecordedGap.read(entry) for entry in (entries if isinstance(entries, list) else ())
            if isinstance(entry, Mapping) and entry.get("id")]
    return {gap.id: gap for gap in gaps}, parse_time(str(meta.get("verified") or ""))


def _closers(phase: Phase, gap: str, baseline: Baseline) -> tuple[str, ...]:
    """Plans (in any phase: handoff scaffolds them into the next) that name the gap in `closes`,
    else this phase's plans completed since the last verification."""
    if baseline.named_closers.get(gap):
        return baseline.named_closers[gap]
    return tuple(str(plan.id) for plan in phase.plans
                 if plan.closed and baseline.since is not None
                 and (completed := parse_time(plan.completed)) is not None and completed > baseline.since)


def _number(text: object) -> float | None:
    try:
        return float(str(text).rstrip("%s").replace(",", ""))
    except ValueError:
        return None


def _improved(kind: GapKind, old: RecordedGap | None, value: GapValue, goal: str | None) -> bool:
    """Whether a gap that still fails came nearer to closing since the last verification: fewer
    failing tests in a cluster; for a target (`goal`: its "OP THRESHOLD", e.g. "== 0", ">= 90.00%")
    a value nearer the threshold, whichever side it must reach. A closed gap that fails again has
    regressed: it reopens."""
    if old is None or old.closed:
        return False
    before, now = _number(old.value), _number(value)
    if before is None or now is None:
        return False
    if kind == "cluster":
        return now < before
    threshold = _number(goal.split(" ", 1)[1]) if goal and " " in goal else None
    if threshold is None:
        return False
    return abs(now - threshold) < abs(before - threshold)


def _gap(phase: Phase, kind: GapKind, source: str, value: GapValue, failing: bool, title: str,
         baseline: Baseline, goal: str | None = None) -> VerificationGap | None:
    identifier = gap_id(phase, kind, source)
    old = baseline.previous.get(identifier)
    status: GapStatus
    if failing:
        status = "partial" if _improved(kind, old, value, goal) else "open"
        closed_by = _closers(phase, identifier, baseline) if status == "partial" else ()
    elif old is not None and not old.closed:
        status, closed_by = "closed", _closers(phase, identifier, baseline)
    elif old is not None:
        status, closed_by = "closed", old.closed_by
    else:
        return None
    return VerificationGap(identifier, kind, source, title, status, value, closed_by)


def phase_gaps(phase: Phase, targets: Sequence[TargetRow], tests: TestsFacts | None,
               must_have_failures: Failing, baseline: Baseline) -> tuple[VerificationGap, ...]:
    """The gaps of the phase now: missed targets, failure clusters, unmet must-haves; and those
    of the baseline that are gone, closed."""
    gaps = []
    for row in targets:
        gap = _gap(phase, "target", row.expression, row.after, not row.passed,
                   f"{row.expression}: {row.detail}", baseline, row.target)
        if gap:
            gaps.append(gap)
    clusters = {c.signature: (c.count, f"{c.count} failing test(s): {c.signature}")
                for c in (tests.clusters if tests else ())}
    gaps.extend(_recurring(phase, "cluster", clusters, baseline))
    gaps.extend(_recurring(phase, "musthave", must_have_failures, baseline))
    return tuple(gaps)


def _recurring(phase: Phase, kind: GapKind, failing: Failing, baseline: Baseline) -> list[VerificationGap]:
    """Gaps for problems found now, and closed gaps for ones found before that are gone."""
    gaps = []
    sources = set(failing) | {gap.source for gap in baseline.previous.values() if gap.kind == kind}
    for source in sorted(sources):
        value, title = failing.get(source, (0, f"resolved: {source}"))
        if source not in failing:
            old = baseline.previous.get(gap_id(phase, kind, source))
            title = old.truth if old else title
        gap = _gap(phase, kind, source, value, source in failing, title, baseline)
        if gap:
            gaps.append(gap)
    return gaps
