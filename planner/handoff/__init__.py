"""`plan handoff PHASE`: recommended next plans, computed from the phase's gaps and the evidence.

Input: the open and partial gaps of the phase's VERIFICATION, the latest snapshot (coverage per
file, failure clusters, per-test contexts when recorded) and the phase targets. Output:
`NN-HANDOFF.md` and the same numbers as JSON, both from one computed report.

The recommendations, their impacts and the path to target are computed by `planner.handoff.recommend`;
this module is the use case: which snapshots, the document, `--json`, and `--scaffold`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planner import __version__
from planner.errors import ConflictError, InputError
from planner.evidence.snapshot import Snapshot
from planner.handoff.drafts import draft_of
from planner.handoff.recommend import FILES_PER_PLAN, FILES_PER_TARGET, NO_CONTEXTS, compute_report
from planner.handoff.types import HandoffReport
from planner.ids import PlanId, next_plan_part
from planner.model import Phase, Project
from planner.render import render
from planner.scaffold import add_phase, new_plan
from planner.tree.documents import PendingWrite, commit_write, prepare
from planner.tree.index.session import reload_project
from planner.tree.writer import project_lock

__all__ = [
    "EARLIER_SNAPSHOTS_SEARCHED", "FILES_PER_PLAN", "FILES_PER_TARGET", "NO_CONTEXTS",
    "HandoffResult", "build_handoff", "compute_report", "handoff_path",
    "handoff_phase", "scaffold_next_phase",
]

EARLIER_SNAPSHOTS_SEARCHED = 10


@dataclass(frozen=True)
class HandoffResult:
    """What `plan handoff` computed and wrote."""

    phase_id: str
    report: HandoffReport  # the one computed object: the document and --json both come from it
    document: PendingWrite
    written: bool
    created: tuple[Path, ...] = ()


def handoff_path(phase: Phase) -> Path:
    """`phases/NN-slug/NN-HANDOFF.md`."""
    return phase.directory / f"{phase.id}-HANDOFF.md"


def handoff_phase(project: Project, reference: str, *, scaffold: bool = False,
                  dry_run: bool = False) -> HandoffResult:
    """Compute the handoff of a phase, write `NN-HANDOFF.md` (unless `dry_run`) and, with
    `scaffold`, create the next phase with one PLAN draft per recommendation."""
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase = project.find_phase(reference)
        report, pending = build_handoff(project, phase)
        if scaffold:
            _refuse_second_scaffold(project, phase, report)
        written = False if dry_run else commit_write(pending, project.planning_dir)
        created: tuple[Path, ...] = ()
        if scaffold and not dry_run:  # in the same locked step: the handoff and its plans, or nothing
            created = scaffold_next_phase(project, phase, report)
    return HandoffResult(phase.id, report, pending, written, created)


def build_handoff(project: Project, phase: Phase) -> tuple[HandoffReport, PendingWrite]:
    """The computed report and the document it renders to (nothing written)."""
    from planner.evidence.snapshot.store import latest_snapshot

    snapshot = latest_snapshot(project)
    if snapshot is None:
        raise InputError("no measurement yet: run `plan measure` first; the handoff is computed "
                         "from the latest snapshot", project.planning_dir)
    report = compute_report(project, phase, snapshot, _earlier_with_contexts(project, snapshot),
                            files_per_plan=FILES_PER_PLAN, files_per_target=FILES_PER_TARGET)
    meta: dict[str, object] = {"phase": phase.directory.name, "generated_by": f"planner {__version__}",
                               "snapshot": snapshot.id, "recommendations": len(report.recommendations),
                               "reachable": report.reachable, "gaps_addressed": sorted(report.addressed_gaps)}
    body = render("handoff.md.j2", report, planning_dir=project.planning_dir)
    return report, prepare(handoff_path(phase), meta, body)


def _earlier_with_contexts(project: Project, latest: Snapshot) -> Snapshot | None:
    from planner.evidence.snapshot.store import list_snapshots, load_snapshot

    older = [ref for ref in list_snapshots(project) if ref.id < latest.id]
    for ref in reversed(older[-EARLIER_SNAPSHOTS_SEARCHED:]):
        found = load_snapshot(ref.path)
        if found.contexts:
            return found
    return None


# ---------------------------------------------------------------------------------- scaffold


def _plans_closing(project: Project, phase: Phase, gap_ids: set[str]) -> list[str]:
    return [str(plan.id) for other in project.phases if other.directory != phase.directory
            for plan in other.plans if gap_ids & set(plan.closes)]


def _refuse_second_scaffold(project: Project, phase: Phase, report: HandoffReport) -> None:
    if not report.recommendations:
        raise InputError(f"nothing to scaffold: the handoff of phase {phase.id} recommends no plan")
    existing = _plans_closing(project, phase, report.addressed_gaps)
    if existing:
        raise ConflictError(f"plans {', '.join(existing)} already close gaps of phase {phase.id}: the "
                            "handoff was scaffolded before; planner will not create them twice",
                            handoff_path(phase))


def scaffold_next_phase(project: Project, phase: Phase, report: HandoffReport) -> tuple[Path, ...]:
    """The next phase, with one PLAN draft per recommendation: tasks, files, evidence, impact,
    targets, `closes:` (the gaps it closes alone or together with others) and `requires:`."""
    _refuse_second_scaffold(reload_project(project.root), phase, report)
    open_targets = [row.target for row in report.path_to_target if row.status != "met"]
    created = add_phase(reload_project(project.root), f"{phase.title} follow-up",
                        goal=f"Close the gaps phase {phase.id} left open, as computed in "
                             f"{handoff_path(phase).name}", targets=open_targets)
    assert created.phase is not None and created.phase.number is not None
    paths = list(created.paths[:1])
    parts: list[str] = []
    for _ in report.recommendations:
        parts.append(next_plan_part(parts, gap=False))
    plan_ids = {rec.rank: str(PlanId(created.phase.number, part))
                for rec, part in zip(report.recommendations, parts, strict=True)}
    waves: dict[str, int] = {}
    for rec in report.recommendations:
        draft = draft_of(rec, plan_ids, waves, handoff_path(phase).name)
        plan = new_plan(reload_project(project.root), created.phase.directory.name, title=rec.title,
                        requires=list(draft.requires), targets=list(rec.targets), closes=list(rec.gaps_closed),
                        draft=draft)
        assert plan.plan is not None and str(plan.plan.id) == plan_ids[rec.rank]
        waves[str(plan.plan.id)] = draft.wave
        paths.append(plan.paths[0])
    return tuple(paths)
