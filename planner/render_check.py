"""`plan render`: rebuild every generated document from its own evidence; `--check` only says
which are out of date.

Each generated document is rebuilt from what it records: the time it was written, the snapshots
it was built from (pinned by id) and the file groups its targets named, with git asked again for
the plan's commits up to that time. It is stale only when that evidence changed (a new commit
that names the plan after completion, a snapshot that was edited or is missing) or when planner
writes it differently (a changed template, a newer planner). Snapshots taken since, commits that
only touch planning files and later edits of the config's groups change nothing.

`plan render` writes the rebuilt documents, regions and planner's own frontmatter keys only, in
one locked step; a document that cannot be rebuilt stops it before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from planner.errors import InputError
from planner.model import Phase, Plan, Project
from planner.tree.documents import PendingWrite


@dataclass(frozen=True)
class StaleDocument:
    path: Path
    diff: str
    reason: str = "its evidence changed since it was written"
    rebuilt: PendingWrite | None = None  # None when it cannot be rebuilt (the reason says why)


@dataclass(frozen=True)
class RenderResult:
    stale: tuple[StaleDocument, ...]
    checked: int  # generated documents looked at
    written: tuple[Path, ...]  # empty on a dry run


def stale_documents(project: Project) -> tuple[list[StaleDocument], int]:
    """(stale documents with their diffs, number of generated documents checked)."""
    results = [_rebuilt_summary(project, phase, plan, path)
               for phase in project.phases for plan in phase.plans for path in plan.summary_paths]
    results += [_rebuilt_verification(project, phase, phase.verification_path)
                for phase in project.phases if phase.verification_path is not None]
    generated = [result for result in results if result is not _NOT_GENERATED]
    return [result for result in generated if isinstance(result, StaleDocument)], len(generated)


def render_documents(project: Project, *, dry_run: bool = False) -> RenderResult:
    """Rewrite every stale generated document from its recorded evidence (`plan render`).

    All or nothing: a document that cannot be rebuilt (its snapshot is gone) raises before the
    first write, naming it. With `dry_run`, nothing is written and nothing raises: the stale
    documents, those that cannot be rebuilt among them, are the result (`plan render --check`)."""
    from planner.tree.index.session import reload_project
    from planner.tree.writer import project_lock

    with project_lock(project.planning_dir):
        project = reload_project(project.root)
        stale, checked = stale_documents(project)
        if dry_run:
            return RenderResult(tuple(stale), checked, ())
        for document in stale:
            if document.rebuilt is None:
                raise InputError(f"{document.reason}; nothing was rewritten", document.path)
        written = tuple(document.path for document in stale if _write(document.rebuilt, project))
    return RenderResult(tuple(stale), checked, written)


def _write(rebuilt: PendingWrite | None, project: Project) -> bool:
    from planner.tree.documents import commit_write

    return rebuilt is not None and commit_write(rebuilt, project.planning_dir)


_FRESH: Final = "fresh"  # rebuilt, byte for byte the document
_NOT_GENERATED: Final = "not generated"  # written by hand (or unreadable as planner's): not rebuilt
Rebuilt = StaleDocument | Literal["fresh", "not generated"]


def _rebuilt_summary(project: Project, phase: Phase, plan: Plan, path: Path) -> Rebuilt:
    from planner.close import build_summary, recorded_summary

    recorded = recorded_summary(path)
    if recorded is None:
        return _NOT_GENERATED
    try:
        _, pending = build_summary(project.with_groups(recorded.groups), phase, plan, recorded.completed,
                                   recorded.pins, recorded.superseded_by)
    except InputError as error:
        return StaleDocument(path, "", f"cannot be rebuilt: {error.message}")
    return _if_changed(project, pending)


def _rebuilt_verification(project: Project, phase: Phase, path: Path) -> Rebuilt:
    from planner.verify import build_verification, recorded_verification

    written = recorded_verification(path)
    if written is None:
        return _NOT_GENERATED
    try:
        _, pending = build_verification(project.with_groups(written.groups), phase, written.verified, written.pins)
    except InputError as error:
        return StaleDocument(path, "", f"cannot be rebuilt: {error.message}")
    return _if_changed(project, pending)


def _if_changed(project: Project, pending: PendingWrite) -> Rebuilt:
    if not pending.changed:
        return _FRESH
    return StaleDocument(pending.path, pending.diff(project.relative(pending.path)), rebuilt=pending)
