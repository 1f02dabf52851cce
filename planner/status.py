"""`plan status`: phases, their plans, progress and open gaps, for people and for machines."""

from __future__ import annotations

from planner.facts.progress import measure_progress, phase_status, plan_outcome_note
from planner.model import Phase, Project
from planner.tree.gsd_compat import gsd_view

STATUS_SCHEMA_VERSION = 1


def project_status(project: Project, phases: tuple[Phase, ...] | None = None, *,
                   all_milestones: bool = False) -> dict[str, object]:
    """The status document: stable keys, paths relative to the project root.

    By default the phases of the current milestone (`phases/`); with `all_milestones`, the archived
    ones of finished milestones (`milestones/v*-phases/`) first."""
    shown = project.phases if phases is None else phases
    if phases is None and project.listed_phases:  # named in ROADMAP.md, no folder yet: planned phases
        shown = tuple(sorted(shown + project.listed_phases, key=lambda phase: (
            phase.number is None, phase.number.sort_key() if phase.number else (), phase.directory.name)))
    if all_milestones and phases is None:
        shown = project.archived_phases + shown
    progress = measure_progress(shown)
    gsd, gsd_differences = gsd_view(project, tuple(phase for phase in shown if not phase.milestone))
    return {
        "schema_version": STATUS_SCHEMA_VERSION,
        "root": project.root.as_posix(),
        "progress": progress.as_dict(),
        "counts": {
            "phases": len(shown),
            "phase_folders": sum(1 for phase in shown if not phase.listed_only),
            "plans": sum(len(phase.plans) for phase in shown),
            "plan_files": sum(1 for phase in shown for plan in phase.plans if plan.plan_path is not None),
            "summaries": sum(len(plan.summary_paths) for phase in shown for plan in phase.plans),
            "open_gaps": sum(1 for phase in shown for gap in phase.gaps if gap.status != "closed"),
        },
        "milestone": project.milestone or None,  # the one STATE.md is about
        "archived_milestones": _archived_milestones(project, shown),
        "phases": [_phase_entry(project, phase) for phase in shown],
        "gsd": gsd,  # how GSD's own `progress json` counts the same phases
        "gsd_differences": gsd_differences,  # each file counted differently, and why
        "diagnostics": [
            {"path": project.relative(d.path), "line": d.line, "code": d.code, "message": d.message}
            for d in project.diagnostics
        ],
    }


def _archived_milestones(project: Project, shown: tuple[Phase, ...]) -> list[dict[str, object]]:
    """Each finished milestone with archived phases: its counts, and whether its phases are shown."""
    names = list(dict.fromkeys(phase.milestone for phase in project.archived_phases))
    entries = []
    for name in names:
        phases = [phase for phase in project.archived_phases if phase.milestone == name]
        entries.append({
            "milestone": name, "phases": len(phases), "plans": sum(len(phase.plans) for phase in phases),
            "summaries": sum(len(plan.summary_paths) for phase in phases for plan in phase.plans),
            "shown": any(phase in shown for phase in phases),
        })
    return entries


def _phase_entry(project: Project, phase: Phase) -> dict[str, object]:
    return {
        "id": phase.id,
        "milestone": phase.milestone or project.milestone or None,
        "folder": None if phase.listed_only else project.relative(phase.directory),
        "title": phase.title,
        "goal": phase.goal,
        "targets": list(phase.targets),
        "status": "planned" if phase.listed_only else phase_status(phase),
        "verification": phase.verification_status,
        "plans": [
            {
                "id": str(plan.id),
                "title": plan.title,
                "type": plan.type,
                "status": plan.status,
                "outcome": plan.outcome if plan.closed else None,
                "note": plan_outcome_note(plan) or None,
                "file": project.relative(plan.plan_path) if plan.plan_path else None,
                "summaries": [project.relative(path) for path in plan.summary_paths],
            }
            for plan in phase.plans
        ],
        "gaps": [
            {"id": gap.id, "title": gap.title, "status": gap.status, "closed_by": list(gap.closed_by)}
            for gap in phase.gaps
        ],
    }
