"""How GSD's own tools count a tree, beside planner's reading: the `gsd` block of `plan status --json`.

GSD's `progress json` (gsd-tools 1.42.3, `commands.cjs` cmdProgressRender) lists every folder of
`phases/`, counts the files directly inside each one whose name ends in `-PLAN.md` (or is `PLAN.md`)
as plans and those ending in `-SUMMARY.md` (or `SUMMARY.md`) as summaries, and gives
percent = round(summaries / plans * 100), at most 100. planner reads names more closely (nested
`plans/`, `PLAN-01` spellings, derivatives, summaries that name no plan), so the two can differ; each
difference is listed with the file it comes from and why planner reads it as it does, and the
differences add up exactly: planner's count = GSD's count + the sum of the `delta`s.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

from planner.facts.progress import measure_progress
from planner.model import Phase, Plan, Project
from planner.tree.filenames import classify

GSD_VERSION = "1.42.3"  # the release these rules were read from; .ci/run fetches the same one
# A count planner makes differently: what (phases, plans, summaries, percent), path, delta, reason.
Difference: TypeAlias = dict[str, str | int | None]


def _is_gsd_plan(name: str) -> bool:
    return name.endswith("-PLAN.md") or name == "PLAN.md"


def _is_gsd_summary(name: str) -> bool:
    return name.endswith("-SUMMARY.md") or name == "SUMMARY.md"


def _listing(directory: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in os.scandir(directory) if entry.is_file())
    except OSError:
        return []


def gsd_view(project: Project, phases: tuple[Phase, ...]) -> tuple[dict[str, str | int], list[Difference]]:
    """(GSD's counts of these phases, the differences from planner's counts with their reasons)."""
    gsd_plans = gsd_summaries = 0
    differences: list[Difference] = []
    for phase in phases:
        if phase.listed_only:
            differences.append({
                "what": "phases", "path": project.relative(project.planning_dir / "ROADMAP.md"), "delta": 1,
                "reason": (f"Phase {phase.id}: {phase.title} is named in ROADMAP.md with no folder yet: planner "
                           "counts it as a planned phase, as GSD's `roadmap analyze` does; `progress json` "
                           "counts folders only")})
            continue
        names = _listing(phase.directory)
        plan_names = {name for name in names if _is_gsd_plan(name)}
        summary_names = {name for name in names if _is_gsd_summary(name)}
        gsd_plans += len(plan_names)
        gsd_summaries += len(summary_names)
        differences.extend(_phase_differences(project, phase, plan_names, summary_names))
    gsd_percent = min(100, _js_round(gsd_summaries * 100 / gsd_plans)) if gsd_plans else 0
    gsd: dict[str, str | int] = {
        "tool": f"gsd-tools {GSD_VERSION} progress json",
        "phases": sum(1 for phase in phases if not phase.listed_only),
        "plans": gsd_plans,
        "summaries": gsd_summaries,
        "percent": gsd_percent,
    }
    progress = measure_progress(phases)
    if progress.percent != gsd_percent:
        reason = (f"planner: {progress.completed_plans} closed of {progress.total_plans} plans, rounded down "
                  f"= {progress.percent}%; GSD: {gsd_summaries} summaries over {gsd_plans} plan files, rounded "
                  f"to nearest and at most 100 = {gsd_percent}%")
        unfinished = [f"{plan.id} ({plan.status})" for phase in phases for plan in phase.plans
                      if plan.summary_paths and not plan.closed]
        if unfinished:
            reason += "; with a SUMMARY but not closed for planner (its PLAN says so): " + ", ".join(unfinished)
        differences.append({"what": "percent", "path": None, "delta": progress.percent - gsd_percent,
                            "reason": reason})
    return gsd, differences


def _js_round(value: float) -> int:
    """JavaScript's Math.round: halves go up (Python's round goes to even)."""
    return int(value + 0.5)


def _phase_differences(project: Project, phase: Phase, plan_names: set[str],
                       summary_names: set[str]) -> list[Difference]:
    found: list[Difference] = []

    def add(what: str, path: Path, delta: int, reason: str) -> None:
        found.append({"what": what, "path": project.relative(path), "delta": delta, "reason": reason})

    # Compared by name within the phase folder: thousands of Path objects built and hashed per
    # status on a large tree otherwise (most of `plan status` at 24,000 documents).
    folder = str(phase.directory)
    planner_plan_names = {name for plan in phase.plans if (name := _name_in(plan.plan_path, folder))}
    for name in sorted(plan_names - planner_plan_names):
        add("plans", phase.directory / name, -1, _why_not_a_plan(name, phase))
    for plan in phase.plans:
        if plan.plan_path is None:
            shown = ", ".join(path.name for path in plan.summary_paths)
            add("plans", plan.summary_paths[0], 1,
                f"a SUMMARY with no PLAN ({shown}): planner counts plan {plan.id} as a plan, executed; "
                "GSD counts the summary over no plan file")
        elif _name_in(plan.plan_path, folder) not in plan_names:
            add("plans", plan.plan_path, 1, _why_planner_reads(plan.plan_path, phase, plan, "PLAN"))
    planner_summary_names = {name for plan in phase.plans for path in plan.summary_paths
                             if (name := _name_in(path, folder))}
    for name in sorted(summary_names - planner_summary_names):
        add("summaries", phase.directory / name, -1,
            "names no plan of this phase: planner reads it as a document about the phase "
            "(like 02-SUMMARY.md or TASK-02-SUMMARY.md), not as a plan's summary")
    for plan in phase.plans:
        for path in plan.summary_paths:
            if _name_in(path, folder) not in summary_names:
                add("summaries", path, 1, _why_planner_reads(path, phase, plan, "SUMMARY"))
    return found


def _name_in(path: Path | None, folder: str) -> str:
    """The file name of `path` when it lies directly in `folder`, else "" (no file name is empty)."""
    if path is None:
        return ""
    parent, _, name = str(path).rpartition(os.sep)
    return name if parent == folder else ""


def _why_not_a_plan(name: str, phase: Phase) -> str:
    role = classify(name, phase.directory.name)
    if role.kind == "plan":
        return (f"a second PLAN file for plan part '{role.plan_part}' (TREE002): planner counts the plan "
                "once, GSD counts each file")
    if role.kind == "summary":
        return "its name ends in -PLAN.md but says SUMMARY first; planner reads it as a summary"
    return "a derivative or a document whose name ends in -PLAN.md; planner counts no plan for it"


def _why_planner_reads(path: Path, phase: Phase, plan: Plan, kind: str) -> str:
    if path.parent != phase.directory:
        return (f"in the nested plans/ folder (GSD 1.30+ layout): {kind} of plan {plan.id}; GSD's "
                "`progress json` looks only in the phase folder (its `roadmap analyze` reads plans/)")
    return (f"{path.name} is the {kind} of plan {plan.id} by its name; GSD's `progress json` counts only "
            f"names ending in -{kind}.md")
