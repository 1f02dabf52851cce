"""Progress: the one definition of each count and percentage, and the ROADMAP / STATE regions.

percent = completed plans / all plans, rounded down (100 only when every plan is complete);
a phase is complete when it has plans and all of them are complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError
from planner.facts.diagrams import Diagrams, diagram_context
from planner.model import Phase, Plan, PlanStatus, Project
from planner.tree.frontmatter import compose

if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.tree.documents import PendingWrite

BAR_WIDTH = 10


@dataclass(frozen=True)
class Progress:
    total_phases: int
    completed_phases: int
    total_plans: int
    completed_plans: int
    in_progress_plans: int

    @property
    def percent(self) -> int:
        if self.total_plans == 0:
            return 0
        return self.completed_plans * 100 // self.total_plans

    def as_dict(self) -> dict[str, int]:
        return {
            "total_phases": self.total_phases,
            "completed_phases": self.completed_phases,
            "total_plans": self.total_plans,
            "completed_plans": self.completed_plans,
            "in_progress_plans": self.in_progress_plans,
            "percent": self.percent,
        }


def measure_progress(phases: tuple[Phase, ...]) -> Progress:
    plans = [plan for phase in phases for plan in phase.plans]
    return Progress(
        total_phases=len(phases),
        completed_phases=sum(1 for phase in phases if phase.complete),
        total_plans=len(plans),
        completed_plans=sum(1 for plan in plans if plan.closed),
        in_progress_plans=sum(1 for plan in plans if plan.status == "in_progress"),
    )


def plan_outcome_note(plan: Plan) -> str:
    """What a closed plan's checkbox alone cannot say: targets missed, or superseded by whom."""
    if plan.status == "superseded" or plan.outcome == "superseded":
        return "superseded by " + ", ".join(plan.superseded_by) if plan.superseded_by else "superseded"
    return "closed with missed targets" if plan.missed_targets else ""


def phase_status(phase: Phase) -> str:
    """complete / complete, targets missed / in progress / not started / no plans. Every plan
    closed means the phase was executed; whether its goal was met is the VERIFICATION's verdict."""
    if phase.complete:
        return "complete, targets missed" if any(plan.missed_targets for plan in phase.plans) else "complete"
    if any(plan.status != "planned" for plan in phase.plans):
        return "in progress"
    return "not started" if phase.plans else "no plans"


def plan_file_name(phase: Phase, plan: Plan) -> str:
    if plan.plan_path is not None:
        return plan.plan_path.name
    return f"{plan.id}-PLAN.md"


def _current(project: Project) -> tuple[Phase | None, Plan | None]:
    for phase in project.phases:
        for plan in phase.plans:
            if not plan.closed:
                return phase, plan
    return (project.phases[-1] if project.phases else None), None


@dataclass(frozen=True, slots=True)
class RoadmapPlan:
    file: str
    title: str
    status: PlanStatus
    closed: bool
    note: str


@dataclass(frozen=True, slots=True)
class RoadmapPhase:
    id: str
    title: str
    goal: str
    targets: tuple[str, ...]
    complete: bool
    status: str  # phase_status
    plans_complete: int
    plans: tuple[RoadmapPlan, ...]


@dataclass(frozen=True, slots=True)
class ProjectName:
    name: str


@dataclass(frozen=True, slots=True)
class RoadmapContext:
    """What the ROADMAP's generated regions show."""

    project: ProjectName
    phases: tuple[RoadmapPhase, ...]
    diagrams: Diagrams


@dataclass(frozen=True, slots=True)
class Position:
    phase: str
    plan: str
    status: str  # complete | in progress | not started
    last_activity: str
    bar: str
    index: int  # of the current phase, counted from 1; 0 when there is none


@dataclass(frozen=True, slots=True)
class StateContext:
    """What STATE.md's generated regions show."""

    position: Position
    progress: Mapping[str, int]  # Progress.as_dict(): the counts and the percent


def roadmap_context(project: Project) -> RoadmapContext:
    phases = tuple(RoadmapPhase(
        id=phase.id, title=phase.title, goal=phase.goal, targets=phase.targets, complete=phase.complete,
        status=phase_status(phase), plans_complete=sum(1 for plan in phase.plans if plan.closed),
        plans=tuple(RoadmapPlan(plan_file_name(phase, plan), plan.title, plan.status, plan.closed,
                                plan_outcome_note(plan)) for plan in phase.plans),
    ) for phase in project.phases)
    return RoadmapContext(ProjectName(project.root.name), phases, diagram_context(project.phases))


def state_context(project: Project, activity: str, now: dt.datetime | None = None) -> StateContext:
    progress = measure_progress(project.phases)
    phase, plan = _current(project)
    filled = progress.percent * BAR_WIDTH // 100
    position = Position(
        phase=f"{phase.id} of {len(project.phases)} ({phase.title})" if phase else "none yet",
        plan=(f"{plan.id} ({plan.status.replace('_', ' ')})" if plan else "all plans complete")
        if phase else "none yet",
        status="complete" if progress.total_plans and progress.percent == 100 else (
            "in progress" if progress.completed_plans or progress.in_progress_plans else "not started"),
        last_activity=f"{(now or dt.datetime.now(dt.UTC)).date().isoformat()} -- {activity}",
        bar="█" * filled + "░" * (BAR_WIDTH - filled),
        index=project.phases.index(phase) + 1 if phase is not None else 0,
    )
    return StateContext(position, progress.as_dict())


def refresh_documents(project: Project, activity: str) -> list[Path]:
    """Re-render the generated regions of ROADMAP.md and STATE.md from the model; the paths written.

    Everything is prepared (and every problem raised, with its file and line) before either file
    is written. A file without planner markers was written by hand and is left as it is.
    """
    from planner.tree.documents import commit_write

    pending = prepare_refresh(project, activity)
    return [write.path for write in pending if commit_write(write, project.planning_dir)]


def prepare_refresh(project: Project, activity: str) -> list[PendingWrite]:
    """The new ROADMAP.md and STATE.md (those planner may update), nothing written. A file
    without planner markers is left as it is, so its text is not rendered at all."""
    from planner.render import render  # Jinja's loader: not for `plan status`, which only counts

    roadmap = project.planning_dir / "ROADMAP.md"

    def fresh_roadmap() -> str:
        fresh = render("roadmap.md.j2", roadmap_context(project), planning_dir=project.planning_dir)
        return _without_region(fresh, "details") if _has_own_phase_headings(roadmap) else fresh

    state = project.planning_dir / "STATE.md"
    context = state_context(project, activity)
    position, progress = context.position, context.progress
    state_meta: dict[str, object] = {
        "planner_state_version": 1,
        "current_phase": project.phases[position.index - 1].id if position.index else None,
        "status": position.status,
        "progress": {key: progress[key] for key in
                     ("total_phases", "completed_phases", "total_plans", "completed_plans", "percent")},
    }
    pending = [_merged(roadmap, fresh_roadmap, None),
               _merged(state, lambda: render("state.md.j2", context, planning_dir=project.planning_dir), state_meta)]
    return [write for write in pending if write is not None]


def _has_own_phase_headings(roadmap: Path) -> bool:
    """Whether a ROADMAP lists phases under `### Phase N:` headings of its own (written by GSD or a
    person, outside planner's regions): then planner adds no second heading per phase, which GSD's
    `roadmap analyze` would count twice."""
    import re

    from planner.tree import regions
    from planner.tree.frontmatter import read_document

    if not roadmap.is_file():
        return False
    text = read_document(roadmap).body
    try:
        spans = sorted(regions.find_regions(text).values(), reverse=True)
    except InputError:
        return False
    for start, stop in spans:
        text = text[:start] + text[stop:]
    return re.search(r"^#{2,4}[ \t]*Phase[ \t]+\d", text, re.IGNORECASE | re.MULTILINE) is not None


def _without_region(text: str, name: str) -> str:
    from planner.tree import regions

    found = regions.find_regions(text).get(name)
    if found is None:
        return text
    start = text.rfind("\n", 0, found[0] - 1) + 1  # the begin marker's line
    stop = text.find("\n", found[1]) + 1 or len(text)  # through the end marker's line
    return text[:start] + text[stop:]


def check_refreshable(project: Project) -> None:
    """Raise (file and line) what would stop ROADMAP.md or STATE.md from being refreshed; write nothing.

    Writing commands call it before their first write, so a bad marker or frontmatter block in
    either file stops the command before it has written anything.
    """
    prepare_refresh(project, "checking")


def unmanaged_documents(planning_dir: Path) -> list[Path]:
    """ROADMAP.md and STATE.md files that exist without planner markers: never rewritten."""
    from planner.tree.edit import read_for_edit, split_head
    from planner.tree.regions import find_regions

    found = []
    for name in ("ROADMAP.md", "STATE.md"):
        path = planning_dir / name
        try:
            text = split_head(read_for_edit(path))[1] if path.is_file() else None
            if text is not None and text.strip() and not find_regions(text):
                found.append(path)
        except (OSError, InputError):
            continue
    return found


def _merged(path: Path, rendered: Callable[[], str], meta: dict[str, object] | None) -> PendingWrite | None:
    """The refreshed text of one document (`rendered` gives the new text of its regions); None
    for a file without markers (written by hand)."""
    from planner.tree import regions
    from planner.tree.documents import PendingWrite
    from planner.tree.edit import read_for_edit, set_keys, split_head

    if path.is_symlink():
        raise InputError("refusing to write through a symbolic link", path)
    if not path.exists():
        fresh = rendered()
        return PendingWrite(path, None, compose(meta, fresh) if meta is not None else fresh)
    raw = read_for_edit(path)
    if not raw.strip():
        fresh = rendered()
        return PendingWrite(path, raw, compose(meta, fresh) if meta is not None else fresh)
    head, body = split_head(raw)
    try:
        if not regions.find_regions(body):
            return None
    except InputError as error:
        line = error.line + head.count("\n") if error.line else None
        raise InputError(f"cannot update generated regions: {error.message}", path, line) from None
    fresh = rendered()
    try:
        text = head + regions.merge(body, fresh)
    except InputError as error:
        line = error.line + head.count("\n") if error.line else None
        raise InputError(f"cannot update generated regions: {error.message}", path, line) from None
    if meta is not None:
        text = set_keys(text, meta, path=path)
    return PendingWrite(path, raw, text)
