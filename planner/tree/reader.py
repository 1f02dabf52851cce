"""Walk a planning root and map each file to the model, collecting diagnostics on the way."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeAlias

from planner.errors import InputError
from planner.ids import PhaseNumber, PlanId, slugify
from planner.model import Config, Gap, GapStatus, Phase, Plan, Project
from planner.storage.safeio import JOURNAL
from planner.tree import regions
from planner.tree.filenames import FileRole, classify, names_a_plan, parse_phase_dir, reconcile_part
from planner.tree.frontmatter import Diagnostic, Document, read_document
from planner.tree.markdown import bold_metadata, header_block
from planner.tree.phase_folders import milestone_phase_folders, phase_folders

# Re-exported: they live where the warm paths find them without importing the reader.
from planner.tree.project_root import PLANNING as PLANNING  # noqa: PLC0414
from planner.tree.project_root import find_project_root as find_project_root  # noqa: PLC0414
from planner.tree.schema import PlanFields, plan_fields
from planner.tree.values import as_text_list
from planner.tree.workstreams import planning_dir_of


def read_config(planning_dir: Path, inherit_from: Path | None = None) -> Config:
    """planner's settings from `config.json` (checked by `planner.tree.config_file`); a workstream's
    config inherits `inherit_from`'s (the root `.planning/`)."""
    from planner.tree.config_file import read_config as read_checked

    return read_checked(planning_dir, inherit_from)


def plan_frontmatter(plan: Plan) -> dict[str, object]:
    """The frontmatter of the plan's PLAN file as written (`{}` without one): for what the model
    does not carry, `must_haves` and the keys planner does not own (GSD's `tech-stack`)."""
    return read_document(plan.plan_path).meta if plan.plan_path is not None else {}


DocumentReader: TypeAlias = Callable[[Path], Document]
# (the Phase, its diagnostics) of a folder whose files are known unchanged; None: read the folder
KnownPhase: TypeAlias = Callable[[Path], tuple[Phase, tuple[Diagnostic, ...]] | None]


def load_project(project_root: Path, document_reader: DocumentReader | None = None,
                 known_phase: KnownPhase | None = None) -> Project:
    """Read a whole planning tree. Never fails on content: problems become diagnostics.

    `known_phase(directory)`, when given, may answer (Phase, its diagnostics) for a folder whose
    files are known unchanged (the planning index after a write); None: the folder is read."""
    read = document_reader or read_document
    planning_dir = planning_dir_of(project_root)
    diagnostics: list[Diagnostic] = []
    try:
        config = read_config(planning_dir, project_root / PLANNING if planning_dir != project_root / PLANNING else None)
    except InputError as error:  # a broken config.json: read and check on with the defaults
        diagnostics.append(Diagnostic(error.path or planning_dir / "config.json", error.line, "TREE004",
                                      f"{error.message}; planner's defaults are used"))
        config = Config()
    journal = planning_dir / ".cache" / JOURNAL
    if journal.is_file():
        diagnostics.append(Diagnostic(journal, None, "TREE005",
                                      "a write step was interrupted or is under way: the files it touched may be "
                                      "half-done until the next plan command that writes puts them back"))
    root_documents = tuple(path for name, path in _markdown_files(planning_dir) if path.is_file())
    # Read first, their diagnostics reported last: the phase folders are the work the planning
    # index's worker processes can share, so this process does its own part while they start on theirs.
    root_read = [read(path) for path in root_documents]
    phases = [
        _known(known_phase, directory, diagnostics) or read_phase(directory, read, diagnostics)
        for directory in phase_directories(planning_dir / "phases", diagnostics)
    ]
    phases.sort(key=_phase_order)
    archived = [replace(_known(known_phase, directory, diagnostics) or read_phase(directory, read, diagnostics),
                        milestone=milestone)
                for milestone, directory in milestone_phase_directories(planning_dir, diagnostics)]
    archived.sort(key=lambda phase: (_version_key(phase.milestone), _phase_order(phase)))
    milestone = ""
    listed: list[Phase] = []
    for path, document in zip(root_documents, root_read, strict=True):
        diagnostics.extend(document.diagnostics)
        if path.name == "STATE.md":
            milestone = _state_milestone(document)
        elif path.name == "ROADMAP.md":
            listed = _listed_only_phases(document.body, phases, planning_dir, config)
    return Project(project_root, planning_dir, config, tuple(phases),
                   tuple(diagnostics), root_documents, milestone=milestone, archived_phases=tuple(archived),
                   listed_phases=tuple(listed))


_ROADMAP_PHASE = re.compile(r"^#{2,4}[ \t]*Phase[ \t]+(?P<number>\d+[A-Za-z]?(?:\.\d+)*)[ \t]*:[ \t]*(?P<title>[^\n]+)",
                            re.IGNORECASE | re.MULTILINE)
_ROADMAP_GOAL = re.compile(r"\*\*Goal(?::\*\*|\*\*:)[ \t]*(?P<goal>[^\n]+)", re.IGNORECASE)
_SHIPPED = re.compile(r"<details>.*?</details>", re.IGNORECASE | re.DOTALL)


def _listed_only_phases(roadmap: str, phases: list[Phase], planning_dir: Path, config: Config) -> list[Phase]:
    """Phases a ROADMAP names under `### Phase N: Title` (GSD's reading) that have no folder yet.

    Shipped milestones (`<details>` blocks, as GSD strips them) and planner's own regions (written
    from the folders) are not read."""
    text = _SHIPPED.sub("", roadmap)
    try:
        for start, stop in sorted(regions.find_regions(text).values(), reverse=True):
            text = text[:start] + text[stop:]
    except InputError:  # unbalanced markers: `plan check` reports them; read the text as it is
        pass
    known = {phase.number for phase in phases if phase.number is not None}
    matches = list(_ROADMAP_PHASE.finditer(text))
    listed: dict[PhaseNumber, Phase] = {}
    for index, match in enumerate(matches):
        number = PhaseNumber.parse(match["number"])
        if number in known or number in listed:
            continue
        title = re.sub(r"\(INSERTED\)", "", match["title"], flags=re.IGNORECASE).strip().strip("*").strip()
        section = text[match.end(): matches[index + 1].start() if index + 1 < len(matches) else len(text)]
        goal = _ROADMAP_GOAL.search(section)
        code = f"{config.project_code}-" if config.project_code else ""
        listed[number] = Phase(number=number, slug=slugify(title),
                               directory=planning_dir / "phases" / f"{code}{number}-{slugify(title)}",
                               prefix=config.project_code, title=title,
                               goal=goal["goal"].strip() if goal else "", listed_only=True)
    return sorted(listed.values(), key=_phase_order)


def milestone_phase_directories(planning_dir: Path, diagnostics: list[Diagnostic]) -> list[tuple[str, Path]]:
    """(milestone, folder) of each archived phase: `milestones/v1.2-phases/03-api/` is ("v1.2", ...)."""
    found, skipped = milestone_phase_folders(planning_dir)
    _skipped_links(skipped, diagnostics)
    return found


def _version_key(milestone: str) -> tuple[tuple[int, ...], str]:
    parts = milestone.lstrip("v").split(".")
    return (tuple(int(part) for part in parts if part.isdigit()), milestone)


def _state_milestone(document: Document) -> str:
    """The milestone STATE.md is about: GSD's frontmatter `milestone:`, or a `**Milestone:**` line."""
    value = document.meta.get("milestone") if document.has_frontmatter else None
    if value is None:
        value = bold_metadata(document.body).get("milestone")
    return str(value).strip() if value is not None else ""


def _known(known_phase: KnownPhase | None, directory: Path, diagnostics: list[Diagnostic]) -> Phase | None:
    known = known_phase(directory) if known_phase is not None else None
    if known is None:
        return None
    diagnostics.extend(known[1])
    return known[0]


def _phase_order(phase: Phase) -> tuple[int, tuple[int, str, tuple[int, ...]] | tuple[()], str]:
    if phase.number is None:
        return (1, (), phase.directory.name)
    return (0, phase.number.sort_key(), phase.directory.name)


def phase_directories(phases_dir: Path, diagnostics: list[Diagnostic]) -> list[Path]:
    """Phase folders, each real folder once: a symbolic link to a folder already listed is skipped."""
    folders, skipped = phase_folders(phases_dir)
    _skipped_links(skipped, diagnostics)
    return folders


def _skipped_links(links: list[Path], diagnostics: list[Diagnostic]) -> None:
    message = "symbolic link to a phase folder already read; not counted twice"
    diagnostics.extend(Diagnostic(link, None, "TREE001", message) for link in links)


def _markdown_files(directory: Path) -> list[tuple[str, Path]]:
    """(name, path) of each `*.md` entry, as sorted `directory.glob("*.md")` gives them on POSIX, for less:
    a cold load lists hundreds of folders, and pathlib's glob and Path ordering are the slow part."""
    try:
        with os.scandir(directory) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".md"))
    except (PermissionError, FileNotFoundError, NotADirectoryError):  # as glob: nothing to list
        return []
    child = getattr(directory, "_make_child_relpath", None)  # CPython's join of one known-good name
    if child is None:
        return [(name, directory / name) for name in names]
    return [(name, child(name)) for name in names]


@dataclass
class _PlanFiles:
    plan: Document | None = None
    summaries: list[Path] | None = None
    variant: str = ""
    gap: bool = False


def read_phase(directory: Path, read: DocumentReader, diagnostics: list[Diagnostic]) -> Phase:
    """The Phase in `directory`, its files read through `read`, its problems added to `diagnostics`
    (what `load_project` does for each folder, and the planning index's workers for theirs)."""
    dir_name = directory.name
    name = parse_phase_dir(dir_name)
    groups: dict[str, _PlanFiles] = defaultdict(_PlanFiles)
    documents: list[Path] = []
    goal: Document | None = None
    verification: Document | None = None
    phase_summaries: list[tuple[FileRole, Path]] = []
    if name.number is None:
        diagnostics.append(Diagnostic(directory, None, "TREE003",
                                      "phase folder name has no phase number; the phase is kept as written"))
    nested = directory / "plans"  # GSD 1.30+: `plans/PLAN-01.md`, `plans/SUMMARY-01.md`
    files_here = _markdown_files(directory) + (_markdown_files(nested) if nested.is_dir() else [])
    for file_name, path in files_here:
        document = read(path)
        diagnostics.extend(document.diagnostics)
        role = reconcile_part(classify(file_name, dir_name), document.meta.get("plan"))
        if role.kind == "plan" and role.plan_part is not None:
            files = groups[role.plan_part]
            if files.plan is not None:
                message = f"a second PLAN file for plan part '{role.plan_part}'; the first is used"
                diagnostics.append(Diagnostic(path, None, "TREE002", message))
                documents.append(path)
                continue
            files.plan, files.variant, files.gap = document, role.variant, role.gap
        elif role.kind == "summary" and role.plan_part is not None:
            phase_summaries.append((role, path))
        elif role.kind == "goal":
            goal = document
        elif role.kind == "verification" and role.plan_part is None:
            verification = document
        else:
            documents.append(path)
    for role, path in phase_summaries:
        part = role.plan_part or ""
        if part in groups or names_a_plan(part):
            files = groups[part]
            files.summaries = (files.summaries or []) + [path]
        else:
            documents.append(path)  # `138-SUMMARY.md`, `TASK-02-SUMMARY.md`: about the phase, not a plan
    number = name.number
    plans = [_plan_of(number, directory, part, files, diagnostics) for part, files in groups.items()]
    plans.sort(key=lambda plan: plan.id.sort_key())
    goal_meta = goal.meta if goal else {}
    verification_meta = verification.meta if verification else {}
    return Phase(
        number=number,
        slug=name.slug,
        directory=directory,
        prefix=name.prefix,
        title=str(goal_meta.get("title") or name.slug.replace("-", " ")),
        goal=str(goal_meta.get("goal") or ""),
        targets=_texts_of(goal_meta.get("targets")),
        plans=tuple(plans),
        gaps=_gaps_of(verification_meta, number, directory.name),
        verification_path=verification.path if verification else None,
        verification_status=str(verification_meta["status"]) if verification_meta.get("status") else None,
        documents=tuple(documents),
    )


def _texts_of(value: object) -> tuple[str, ...]:
    """Each item of a list as text, nulls left out; one text is a list of one (`targets: coverage
    >= 80` is one target, not one per character); anything else holds no items."""
    return as_text_list(value) or ()


def _plan_of(number: PhaseNumber | None, directory: Path, part: str, files: _PlanFiles,
             diagnostics: list[Diagnostic]) -> Plan:
    plan_id = PlanId(number or PhaseNumber(0), part)
    summaries = tuple(files.summaries or ())
    fields: PlanFields
    if files.plan is None:
        fields = {"id": plan_id, "status": "complete" if summaries else "planned"}
    else:
        document = files.plan
        status_written = document.has_frontmatter and "status" in document.meta
        if not document.has_frontmatter:
            meta: dict[str, object] = dict(bold_metadata(document.body))
            meta.pop("status", None)  # a status is read from the header block only, never a task's template line
            header = bold_metadata(header_block(document.body))
            if "status" in header:
                meta["status"] = header["status"]
            document = replace(document, meta=meta)
        fields = plan_fields(document, plan_id, diagnostics)
        # A SUMMARY decides that a plan was executed: over a hand-written status line, no status at all,
        # or a frontmatter `planned`. A frontmatter `in_progress` stays: the PLAN says work goes on.
        if summaries and (not status_written or fields.get("status", "planned") == "planned"):
            fields["status"] = "complete"
    if files.gap and fields.get("type", "execute") != "gap_closure":
        fields["type"] = "gap_closure"
    fields["summary_paths"], fields["variant"] = summaries, files.variant  # the Plan is made once
    return Plan(**fields)


def _gaps_of(meta: Mapping[str, object], number: PhaseNumber | None, dir_name: str) -> tuple[Gap, ...]:
    """Gaps listed in a VERIFICATION's frontmatter (GSD's `gaps:` list, or ours with ids)."""
    raw = meta.get("gaps")
    if not isinstance(raw, list):
        return ()
    phase = str(number) if number is not None else dir_name
    gaps = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            continue
        status = str(item.get("status") or "open").lower()
        normalised: GapStatus = "closed" if status in ("closed", "resolved", "verified", "passed") else (
            "partial" if status.startswith("partial") else "open")
        gaps.append(Gap(
            id=str(item.get("id") or f"{phase}-G{index:02d}"),
            phase=phase,
            title=str(item.get("truth") or item.get("title") or item.get("reason") or ""),
            status=normalised,
            source=str(item.get("source") or ""),
            closed_by=_texts_of(item.get("closed_by")),
        ))
    return tuple(gaps)
