"""`plan verify PHASE`: evaluate the phase goal on the latest snapshot, open and close gaps.

Gaps have stable ids derived from what opened them (a target expression, a failure cluster's
signature, a must-have), so the same problem keeps its id from one verification to the next
(`planner.verify.gaps`). Everything the VERIFICATION says is one `VerificationFacts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from planner import __version__
from planner.clock import iso, now_utc, parse_time
from planner.evidence.snapshot import Snapshot
from planner.facts.diagrams import diagram_context
from planner.facts.measured import coverage_facts, latest_and_previous, source_facts, target_rows, tests_facts
from planner.facts.progress import check_refreshable, plan_outcome_note, refresh_documents
from planner.facts.types import JudgedGroups, PlanTargetRow, SnapshotPins, groups_judged, recorded_groups
from planner.model import Phase, Project
from planner.render import plain, render
from planner.targets.sources import goal_path, targets_in
from planner.tree.documents import PendingWrite, commit_write, prepare
from planner.tree.frontmatter import read_document
from planner.tree.index.session import reload_project
from planner.tree.writer import project_lock
from planner.verify.gaps import Baseline, Failing, RecordedGap, phase_gaps, previous_gaps, verification_path
from planner.verify.musthave_results import MustHaveRows
from planner.verify.types import PhaseInfo, PlanEntry, VerificationFacts, VerificationStatus


@dataclass(frozen=True)
class VerifyResult:
    phase_id: str
    facts: VerificationFacts
    document: PendingWrite
    written: bool

    @property
    def status(self) -> VerificationStatus:
        """passed | gaps_found | human_needed"""
        return self.facts.status


def _must_have_facts(project: Project, phase: Phase) -> tuple[MustHaveRows, str | None, Failing]:
    """Must-haves of the phase's plans checked against the project tree: table rows, score, failures."""
    from planner.tree.frontmatter import read_document
    from planner.verify.musthave_results import unmet_as_gaps, verification_rows
    from planner.verify.musthaves import check_must_haves

    rows = MustHaveRows()
    verified = total = 0
    failures: dict[str, tuple[None, str]] = {}
    for plan in phase.plans:
        document = read_document(plan.plan_path) if plan.plan_path is not None else None
        must_haves = document.meta.get("must_haves") if document is not None else None
        if not isinstance(must_haves, dict) or not must_haves:
            continue
        report = check_must_haves(plan, project.root, document)
        rows += verification_rows(report)
        done, count = report.score
        verified, total = verified + done, total + count
        for gap in unmet_as_gaps(report):
            failures[gap.id] = (None, f"{gap.truth} ({gap.reason})")
    score = f"{verified}/{total} must-haves verified" if total else None
    return rows, score, failures


def _coverage_points(project: Project, phase: Phase, latest: Snapshot | None) -> list[tuple[str, float]]:
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
    groups: JudgedGroups  # the file groups its targets were judged on; empty when it records none


def recorded_verification(path: Path) -> RecordedVerification | None:
    """The time and snapshots a generated VERIFICATION records; None for a missing or
    hand-written file (one planner did not generate, or with no readable `verified` time)."""
    if not path.is_file():
        return None
    meta = read_document(path).meta
    verified = parse_time(str(meta.get("verified") or ""))
    if not str(meta.get("generated_by", "")).startswith("planner") or verified is None:
        return None
    evidence = meta.get("evidence")
    return RecordedVerification(verified, SnapshotPins.from_evidence(evidence), recorded_groups(evidence))


def _missed_plan_targets(project: Project, phase: Phase, latest: Snapshot | None,
                         previous: Snapshot | None) -> tuple[PlanTargetRow, ...]:
    """Target rows of the plans that closed with missed targets, judged on the phase's snapshot:
    a plan's misses are the phase's gaps until a later measurement meets them."""
    return tuple(PlanTargetRow.of(row, str(plan.id)) for plan in phase.plans if plan.missed_targets
                 for row in target_rows(targets_in(plan.plan_path, plan.targets), latest, previous, None, project))


def _named_closers(project: Project) -> dict[str, tuple[str, ...]]:
    """Gap id -> the plans, in any phase, whose `closes:` names it."""
    named: dict[str, tuple[str, ...]] = {}
    for plan in project.plans:
        for closed in plan.closes:
            named[closed] = (*named.get(closed, ()), str(plan.id))
    return named


def build_verification(project: Project, phase: Phase, now: dt.datetime,
                       pins: SnapshotPins | None = None) -> tuple[VerificationFacts, PendingWrite]:
    """The VERIFICATION's facts and text at `now`, from the pinned snapshots when given."""
    latest, previous_snap = latest_and_previous(project, pins)
    targets = target_rows(targets_in(goal_path(phase.directory), phase.targets), latest, previous_snap, None, project)
    plan_targets = _missed_plan_targets(project, phase, latest, previous_snap)
    tests = tests_facts(latest)
    previous, previous_time = previous_gaps(phase, now)
    must_haves, score, failures = _must_have_facts(project, phase)
    gaps = phase_gaps(phase, targets + plan_targets, tests, failures,
                      Baseline(previous, previous_time, _named_closers(project)))
    status: VerificationStatus = ("gaps_found" if any(gap.status != "closed" for gap in gaps)
                                  else "passed" if latest is not None else "human_needed")
    facts = VerificationFacts(
        phase=PhaseInfo(phase.id, phase.title, phase.goal, phase.directory.name),
        status=status, verified=iso(now), measured=latest is not None,
        re_verification=bool(previous) or previous_time is not None,
        targets=targets, targets_passed=sum(1 for row in targets if row.passed), plan_targets=plan_targets,
        tests=tests, coverage=coverage_facts(latest), gaps=gaps, sources=source_facts(latest, "latest"),
        plans=tuple(PlanEntry(str(p.id), p.title, p.status, p.outcome if p.closed else None, plan_outcome_note(p))
                    for p in phase.plans),
        diagrams=diagram_context([phase], _coverage_points(project, phase, latest)),
        must_haves=must_haves, score=score,
        groups=groups_judged(targets + plan_targets, project.config.groups),
    )
    meta = _verification_meta(facts, phase, previous, previous_time, (latest, previous_snap))
    body = render("verification.md.j2", facts, planning_dir=project.planning_dir)
    return facts, prepare(verification_path(phase), meta, body)


def _verification_meta(facts: VerificationFacts, phase: Phase, previous: dict[str, RecordedGap],
                       previous_time: dt.datetime | None,
                       snapshots: tuple[Snapshot | None, Snapshot | None]) -> dict[str, object]:
    """The VERIFICATION's frontmatter, GSD key names where GSD has one, from the same facts as its body."""
    gaps = facts.gaps
    counts: dict[str, object] = {state: sum(1 for gap in gaps if gap.status == state)
                                 for state in ("open", "partial", "closed")}
    targets_met = f"{facts.targets_passed}/{len(facts.targets)}"
    latest, previous_snap = snapshots
    return {
        "phase": phase.directory.name, "verified": facts.verified, "status": facts.status,
        "score": facts.score or f"{targets_met} targets met",
        "targets_met": targets_met, "re_verification": facts.re_verification,
        "gap_closure_status": {**counts, "closed_by": {g.id: list(g.closed_by) for g in gaps if g.closed_by}},
        "gaps": plain(gaps),
        "baseline": {"verified": iso(previous_time) if previous_time else None,
                     "gaps": [gap.entry for gap in previous.values()]},
        "evidence": {"snapshots": {"latest": latest.id if latest is not None else None,
                                   "previous": previous_snap.id if previous_snap is not None else None},
                     **({"groups": plain(facts.groups)} if facts.groups else {}),
                     "sources": plain(facts.sources)},
        "generated_by": f"planner {__version__}",
    }


def verify_phase(project: Project, reference: str, *, dry_run: bool = False,
                 now: dt.datetime | None = None) -> VerifyResult:
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase = project.find_phase(reference)
        facts, pending = build_verification(project, phase, now or now_utc())
        if dry_run:
            return VerifyResult(phase.id, facts, pending, False)
        check_refreshable(project)
        written = commit_write(pending, project.planning_dir)
        refresh_documents(reload_project(project.root), f"phase {phase.id} verified: {facts.status}")
    return VerifyResult(phase.id, facts, pending, written)
