"""`plan verify PHASE`: evaluate the phase goal on the latest snapshot, open and close gaps.

Gaps have stable ids derived from what opened them (a target expression, a failure cluster's
signature, a must-have), so the same problem keeps its id from one verification to the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner import __version__
from planner.clock import iso, now_utc, parse_time
from planner.facts.diagrams import diagram_context
from planner.facts.measured import (
    SnapshotPins,
    coverage_facts,
    latest_and_previous,
    source_facts,
    target_rows,
    tests_facts,
)
from planner.facts.progress import check_refreshable, plan_outcome_note, refresh_documents
from planner.model import Phase, Project
from planner.render import render
from planner.targets.sources import goal_path, targets_in
from planner.tree.documents import PendingWrite, commit_write, prepare
from planner.tree.frontmatter import read_document
from planner.tree.index.session import reload_project
from planner.tree.writer import project_lock


@dataclass(frozen=True)
class VerifyResult:
    phase_id: str
    status: str  # passed | gaps_found
    context: dict[str, Any]
    document: PendingWrite
    written: bool


def gap_id(phase: Phase, kind: str, source: str) -> str:
    digest = hashlib.sha1(f"{kind}:{source}".encode()).hexdigest()[:6]
    return f"G{phase.id}-{kind[0]}{digest}"


def verification_path(phase: Phase) -> Any:
    return phase.verification_path or phase.directory / f"{phase.id}-VERIFICATION.md"


def _previous(phase: Phase, now: dt.datetime) -> tuple[dict[str, dict[str, Any]], dt.datetime | None]:
    """The verification this one compares with: the existing file, or (when re-rendering the very
    same verification, as `plan render --check` does) the baseline that file itself recorded."""
    path = verification_path(phase)
    if not path.exists():
        return {}, None
    meta = read_document(path).meta
    if parse_time(str(meta.get("verified") or "")) == now and isinstance(meta.get("baseline"), dict):
        meta = meta["baseline"]
    gaps = {str(g.get("id")): g for g in meta.get("gaps") or [] if isinstance(g, dict) and g.get("id")}
    return gaps, parse_time(str(meta.get("verified") or ""))


@dataclass(frozen=True)
class _Baseline:
    """What this verification compares with, and which plans anywhere say they close which gap."""

    previous: dict[str, dict[str, Any]]
    since: dt.datetime | None
    named_closers: dict[str, list[str]]


def _closers(phase: Phase, gap: str, baseline: _Baseline) -> list[str]:
    """Plans (in any phase: handoff scaffolds them into the next) that name the gap in `closes`,
    else this phase's plans completed since the last verification."""
    if baseline.named_closers.get(gap):
        return baseline.named_closers[gap]
    return [str(plan.id) for plan in phase.plans
            if plan.closed and baseline.since is not None
            and (completed := parse_time(plan.completed)) is not None and completed > baseline.since]


def _number(text: Any) -> float | None:
    try:
        return float(str(text).rstrip("%s").replace(",", ""))
    except ValueError:
        return None


def _improved(kind: str, old: dict[str, Any] | None, value: Any, goal: str | None) -> bool:
    """Whether a gap that still fails came nearer to closing since the last verification: fewer
    failing tests in a cluster; for a target (`goal`: its "OP THRESHOLD", e.g. "== 0", ">= 90.00%")
    a value nearer the threshold, whichever side it must reach. A closed gap that fails again has
    regressed: it reopens."""
    if old is None or old.get("status") == "closed":
        return False
    before, now = _number(old.get("value")), _number(value)
    if before is None or now is None:
        return False
    if kind == "cluster":
        return now < before
    threshold = _number(goal.split(" ", 1)[1]) if goal and " " in goal else None
    if threshold is None:
        return False
    return abs(now - threshold) < abs(before - threshold)


def _gap(phase: Phase, kind: str, source: str, value: Any, failing: bool, title: str,
         baseline: _Baseline, goal: str | None = None) -> dict[str, Any] | None:
    identifier = gap_id(phase, kind, source)
    old = baseline.previous.get(identifier)
    if failing:
        status = "partial" if _improved(kind, old, value, goal) else "open"
        closed_by = _closers(phase, identifier, baseline) if status == "partial" else []
    elif old is not None and old.get("status") != "closed":
        status, closed_by = "closed", _closers(phase, identifier, baseline)
    elif old is not None:
        status, closed_by = "closed", list(old.get("closed_by") or [])
    else:
        return None
    return {"id": identifier, "kind": kind, "source": source, "truth": title, "status": status,
            "value": value, "closed_by": closed_by}


def _gaps(phase: Phase, targets: list[dict[str, Any]], tests: dict[str, Any] | None,
          must_have_failures: dict[str, tuple[Any, str]],
          baseline: _Baseline) -> list[dict[str, Any]]:
    gaps = []
    for row in targets:
        gap = _gap(phase, "target", row["expression"], row["after"], row["status"] != "PASS",
                   f"{row['expression']}: {row['detail']}", baseline, row["target"])
        if gap:
            gaps.append(gap)
    clusters = {c["signature"]: (c["count"], f"{c['count']} failing test(s): {c['signature']}")
                for c in (tests or {}).get("clusters", [])}
    gaps.extend(_recurring(phase, "cluster", clusters, baseline))
    gaps.extend(_recurring(phase, "musthave", must_have_failures, baseline))
    return gaps


def _recurring(phase: Phase, kind: str, failing: dict[str, tuple[Any, str]],
               baseline: _Baseline) -> list[dict[str, Any]]:
    """Gaps for problems found now, and closed gaps for ones found before that are gone."""
    gaps = []
    sources = set(failing) | {str(g.get("source")) for g in baseline.previous.values() if g.get("kind") == kind}
    for source in sorted(sources):
        value, title = failing.get(source, (0, f"resolved: {source}"))
        if source not in failing:
            old = baseline.previous.get(gap_id(phase, kind, source))
            title = str(old.get("truth")) if old else title
        gap = _gap(phase, kind, source, value, source in failing, title, baseline)
        if gap:
            gaps.append(gap)
    return gaps


def _must_have_facts(project: Project, phase: Phase) -> dict[str, Any]:
    """Must-haves of the phase's plans checked against the project tree: table rows, score, failures."""
    from planner.verify.musthave_results import unmet_as_gaps, verification_rows
    from planner.verify.musthaves import check_must_haves

    rows: dict[str, list[dict[str, str]]] = {"truths": [], "artifacts": [], "key_links": []}
    verified = total = 0
    failures: dict[str, tuple[Any, str]] = {}
    for plan in phase.plans:
        if not plan.must_haves:
            continue
        report = check_must_haves(plan, project.root)
        for kind, plan_rows in verification_rows(report).items():
            rows[kind].extend({**row, "plan": str(plan.id)} for row in plan_rows)
        done, count = report.score
        verified, total = verified + done, total + count
        for gap in unmet_as_gaps(report):
            failures[str(gap["id"])] = (None, f"{gap['truth']} ({gap['reason']})")
    score = f"{verified}/{total} must-haves verified" if total else None
    return {"rows": rows, "score": score, "failures": failures}


def _coverage_points(project: Project, phase: Phase, latest: Any) -> list[tuple[str, float]]:
    """Coverage (coverage.py's percent) of the snapshots since the phase began, up to `latest`."""
    from planner.evidence.snapshot.store import list_snapshots, load_snapshot

    starts = [t for plan in phase.plans if (t := parse_time(plan.started)) is not None]
    since = min(starts) if starts else None
    points = []
    for ref in list_snapshots(project):
        if (since is not None and ref.taken_at < since) or latest is None or ref.id > latest.id:
            continue
        snapshot = load_snapshot(ref.path)
        if snapshot.totals is not None and snapshot.totals.statements:
            points.append((ref.taken_at.strftime("%m-%d %H:%M"), snapshot.totals.combined_percent))
    return points[-20:]


@dataclass(frozen=True)
class RecordedVerification:
    """What a VERIFICATION planner wrote says it was built from."""

    verified: dt.datetime
    pins: SnapshotPins | None  # None: written before planner pinned its snapshots


def recorded_verification(path: Path) -> RecordedVerification | None:
    """The time and snapshots a generated VERIFICATION records; None for a missing or
    hand-written file (one planner did not generate, or with no readable `verified` time)."""
    if not path.is_file():
        return None
    meta = read_document(path).meta
    verified = parse_time(str(meta.get("verified") or ""))
    if not str(meta.get("generated_by", "")).startswith("planner") or verified is None:
        return None
    return RecordedVerification(verified, SnapshotPins.from_evidence(meta.get("evidence")))


def _missed_plan_targets(project: Project, phase: Phase, latest: Any, previous: Any) -> list[dict[str, Any]]:
    """Target rows of the plans that closed with missed targets, judged on the phase's snapshot:
    a plan's misses are the phase's gaps until a later measurement meets them."""
    rows = []
    for plan in phase.plans:
        if not plan.missed_targets:
            continue
        for row in target_rows(targets_in(plan.plan_path, plan.targets), latest, previous, None, project):
            rows.append({**row, "plan": str(plan.id), "expression": f"{plan.id}: {row['expression']}"})
    return rows


def build_verification(project: Project, phase: Phase, now: dt.datetime,
                       pins: SnapshotPins | None = None) -> tuple[dict[str, Any], PendingWrite]:
    """The VERIFICATION's facts and text at `now`, from the pinned snapshots when given."""
    latest, previous_snap = latest_and_previous(project, pins)
    targets = target_rows(targets_in(goal_path(phase.directory), phase.targets), latest, previous_snap, None, project)
    plan_targets = _missed_plan_targets(project, phase, latest, previous_snap)
    tests = tests_facts(latest)
    previous_gaps, previous_time = _previous(phase, now)
    must_haves = _must_have_facts(project, phase)
    named: dict[str, list[str]] = {}
    for plan in project.plans:
        for closed in plan.closes:
            named.setdefault(closed, []).append(str(plan.id))
    gaps = _gaps(phase, targets + plan_targets, tests, must_haves["failures"],
                 _Baseline(previous_gaps, previous_time, named))
    unresolved = [gap for gap in gaps if gap["status"] != "closed"]
    status = "gaps_found" if unresolved else ("passed" if latest is not None else "human_needed")
    passed_targets = sum(1 for row in targets if row["status"] == "PASS")
    context = {
        "phase": {"id": phase.id, "title": phase.title, "goal": phase.goal, "folder": phase.directory.name},
        "status": status, "verified": iso(now), "measured": latest is not None,
        "re_verification": bool(previous_gaps) or previous_time is not None,
        "targets": targets, "targets_passed": passed_targets, "plan_targets": plan_targets,
        "tests": tests, "coverage": coverage_facts(latest),
        "gaps": gaps, "sources": source_facts(project, latest, "latest"),
        "plans": [{"id": str(p.id), "title": p.title, "status": p.status,
                   "outcome": p.outcome if p.closed else None,
                   "note": plan_outcome_note(p)} for p in phase.plans],
        "diagrams": diagram_context([phase], _coverage_points(project, phase, latest)),
        "must_haves": must_haves["rows"], "score": must_haves["score"],
    }
    counts = {state: sum(1 for gap in gaps if gap["status"] == state) for state in ("open", "partial", "closed")}
    meta = {
        "phase": phase.directory.name, "verified": iso(now), "status": status,
        "score": must_haves["score"] or f"{passed_targets}/{len(targets)} targets met",
        "targets_met": f"{passed_targets}/{len(targets)}", "re_verification": context["re_verification"],
        "gap_closure_status": {**counts, "closed_by": {g["id"]: g["closed_by"] for g in gaps if g["closed_by"]}},
        "gaps": [{key: gap[key] for key in ("id", "kind", "source", "truth", "status", "value", "closed_by")}
                 for gap in gaps],
        "baseline": {"verified": iso(previous_time) if previous_time else None,
                     "gaps": list(previous_gaps.values())},
        "evidence": {"snapshots": {"latest": latest.id if latest is not None else None,
                                   "previous": previous_snap.id if previous_snap is not None else None},
                     "sources": context["sources"]},
        "generated_by": f"planner {__version__}",
    }
    body = render("verification.md.j2", context, planning_dir=project.planning_dir)
    return context, prepare(verification_path(phase), meta, body)


def verify_phase(project: Project, reference: str, *, dry_run: bool = False,
                 now: dt.datetime | None = None) -> VerifyResult:
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase = project.find_phase(reference)
        context, pending = build_verification(project, phase, now or now_utc())
        if dry_run:
            return VerifyResult(phase.id, context["status"], context, pending, False)
        check_refreshable(project)
        written = commit_write(pending, project.planning_dir)
        refresh_documents(reload_project(project.root), f"phase {phase.id} verified: {context['status']}")
    return VerifyResult(phase.id, context["status"], context, pending, written)
