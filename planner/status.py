"""`plan status`: phases, their plans, progress and open gaps, for people and for machines."""

from __future__ import annotations

from typing import Any

from planner.gsd_compat import gsd_view
from planner.model import Phase, Project
from planner.progress import measure_progress, phase_status

STATUS_SCHEMA_VERSION = 1


def project_status(project: Project, phases: tuple[Phase, ...] | None = None) -> dict[str, Any]:
    """The status document: stable keys, paths relative to the project root."""
    shown = project.phases if phases is None else phases
    progress = measure_progress(shown)
    gsd, gsd_differences = gsd_view(project, shown)
    return {
        "schema_version": STATUS_SCHEMA_VERSION,
        "root": project.root.as_posix(),
        "progress": progress.as_dict(),
        "counts": {
            "phases": len(shown),
            "plans": sum(len(phase.plans) for phase in shown),
            "plan_files": sum(1 for phase in shown for plan in phase.plans if plan.plan_path is not None),
            "summaries": sum(len(plan.summary_paths) for phase in shown for plan in phase.plans),
            "open_gaps": sum(1 for phase in shown for gap in phase.gaps if gap.status != "closed"),
        },
        "phases": [_phase_entry(project, phase) for phase in shown],
        "gsd": gsd,  # how GSD's own `progress json` counts the same phases
        "gsd_differences": gsd_differences,  # each file counted differently, and why
        "diagnostics": [
            {"path": project.relative(d.path), "line": d.line, "code": d.code, "message": d.message}
            for d in project.diagnostics
        ],
    }


def _phase_entry(project: Project, phase: Phase) -> dict[str, Any]:
    return {
        "id": phase.id,
        "folder": project.relative(phase.directory),
        "title": phase.title,
        "goal": phase.goal,
        "targets": list(phase.targets),
        "status": phase_status(phase),
        "verification": phase.verification_status,
        "plans": [
            {
                "id": str(plan.id),
                "title": plan.title,
                "type": plan.type,
                "status": plan.status,
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
