"""`plan init`, `plan phase add`, `plan new`: create planning files from templates."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from planner.errors import ConflictError, InputError
from planner.facts.progress import check_refreshable, refresh_documents
from planner.ids import PhaseNumber, PlanId, next_phase_number, next_plan_part, slugify
from planner.model import Phase, Plan, Project
from planner.render import render
from planner.targets import parse_target
from planner.tree.config_file import DEFAULT_CONFIG
from planner.tree.filenames import parse_phase_dir
from planner.tree.frontmatter import compose
from planner.tree.index.session import reload_project
from planner.tree.plan_draft import PlanDraft
from planner.tree.reader import load_project
from planner.tree.schema import plan_to_meta
from planner.tree.workstreams import planning_dir_of
from planner.tree.writer import atomic_write, make_directory, project_lock


@dataclass(frozen=True)
class Created:
    """What a scaffolding command wrote."""

    paths: tuple[Path, ...]
    phase: Phase | None = None
    plan: Plan | None = None


def init_project(root: Path) -> Created:
    """Create `.planning/` with PROJECT.md, ROADMAP.md, STATE.md, config.json and phases/; refuse if it exists."""
    planning_dir = planning_dir_of(root, must_exist=False)  # a workstream's own root, if one is chosen
    if planning_dir.exists():
        shown = planning_dir.relative_to(root).as_posix()
        raise ConflictError(f"{shown}/ already exists here; planner will not overwrite it", planning_dir)
    if not root.is_dir():
        raise InputError(f"{root} is not a folder", root)
    planning_dir.mkdir(parents=True)
    try:  # all or nothing: a failure removes the folder this call created
        (planning_dir / "phases").mkdir()
        config = planning_dir / "config.json"
        inherited = planning_dir.parent.parent / "config.json" if planning_dir.parent.name == "workstreams" else None
        settings = {} if inherited is not None and inherited.is_file() else DEFAULT_CONFIG  # a workstream inherits
        atomic_write(config, json.dumps(settings, indent=2) + "\n", planning_dir=planning_dir)
        atomic_write(planning_dir / ".gitignore", ".cache/\n", planning_dir=planning_dir)
        project_file = planning_dir / "PROJECT.md"  # GSD's health check wants it; hand-written from here on
        atomic_write(project_file, render("project.md.j2", {"project": {"name": root.resolve().name}},
                                          planning_dir=planning_dir), planning_dir=planning_dir)
        project = load_project(root)
        written = refresh_documents(project, "project initialised")
    except BaseException:
        shutil.rmtree(planning_dir, ignore_errors=True)
        raise
    return Created((config, project_file, *written))


def _validated_targets(targets: list[str]) -> tuple[str, ...]:
    return tuple(str(parse_target(text)) for text in targets)


def add_phase(project: Project, title: str, goal: str = "", targets: list[str] | None = None,
              insert_after: str | None = None) -> Created:
    """A new phase folder `NN-slug` with its GOAL file; a decimal phase when inserting after N."""
    clean_targets = _validated_targets(targets or [])
    if not title.strip():
        raise InputError("a phase needs a title")
    numbers = [phase.number for phase in project.phases if phase.number is not None]
    after = None
    if insert_after is not None:
        after = PhaseNumber.parse(insert_after)
        if after not in numbers:
            raise InputError(f"there is no phase {insert_after} to insert after")
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        numbers = [phase.number for phase in project.phases if phase.number is not None]
        number = next_phase_number(numbers, after=after)
        directory = project.planning_dir / "phases" / phase_folder_name(number, title, project.config.project_code)
        if directory.exists():
            raise ConflictError(f"phase folder {directory.name} already exists", directory)
        check_refreshable(project)
        make_directory(directory, planning_dir=project.planning_dir)
        phase = Phase(number=number, slug=parse_phase_dir(directory.name).slug, directory=directory,
                      prefix=parse_phase_dir(directory.name).prefix, title=title.strip(), goal=goal.strip(),
                      targets=clean_targets)
        goal_path = directory / f"{number}-GOAL.md"
        meta = {"phase": str(number), "title": phase.title, "goal": phase.goal, "targets": list(clean_targets)}
        body = render("goal.md.j2", {"phase": {"id": str(number), "title": phase.title, "goal": phase.goal,
                                               "targets": list(clean_targets)}},
                      planning_dir=project.planning_dir)
        atomic_write(goal_path, compose(meta, "\n" + body), planning_dir=project.planning_dir)
        written = refresh_documents(reload_project(project.root), f"phase {number} added")
    return Created((goal_path, *written), phase=phase)


def phase_folder_name(number: PhaseNumber, title: str, project_code: str = "") -> str:
    """`NN-slug` (`CODE-NN-slug` with a project_code), unless the slug would change the number read
    back (`05-3-tiers` reads as 5.3)."""
    code = f"{project_code}-" if project_code else ""
    name = f"{code}{number}-{slugify(title)}"
    if parse_phase_dir(name).number != number:
        name = f"{code}{number}-phase-{slugify(title)}"
    if parse_phase_dir(name).prefix != project_code:
        raise InputError(f"project_code '{project_code}' in config.json must be 1 to 6 capital letters "
                         "(GSD prefixes phase folders with it: CODE-01-slug)")
    return name


def new_plan(project: Project, phase_reference: str, title: str = "", gap: bool = False,
             requires: list[str] | None = None, targets: list[str] | None = None,
             closes: list[str] | None = None, draft: PlanDraft | None = None) -> Created:
    """The next free plan in a phase, written from the plan template (with `draft`, the tasks,
    files, evidence and impact a handoff computed)."""
    clean_targets = _validated_targets(targets or [])
    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        phase = project.find_phase(phase_reference, listed=True)
        if phase.number is None:
            raise InputError(f"phase folder {phase.directory.name} has no number; plans need one")
        if phase.listed_only:  # named in ROADMAP.md, no folder yet: its first plan creates the folder
            make_directory(phase.directory, planning_dir=project.planning_dir)
        part = next_plan_part([plan.id.part for plan in phase.plans], gap=gap)
        plan = Plan(
            id=PlanId(phase.number, part), title=title.strip() or f"Plan {part}",
            type="gap_closure" if gap else "execute", requires=tuple(requires or ()),
            targets=clean_targets, closes=tuple(closes or ()),
        )
        path = phase.directory / f"{plan.id}-PLAN.md"
        check_refreshable(project)
        meta = {**plan_to_meta(plan, phase.directory.name), **(draft.frontmatter() if draft else {})}
        body = render("plan.md.j2", {"plan": {"id": str(plan.id), "title": plan.title,
                                              "targets": list(plan.targets), "closes": list(plan.closes),
                                              "draft": draft.context() if draft else None}},
                      planning_dir=project.planning_dir)
        atomic_write(path, compose(meta, "\n" + body), planning_dir=project.planning_dir)
        written = refresh_documents(reload_project(project.root), f"plan {plan.id} created")
    return Created((path, *written), phase=phase, plan=plan)
