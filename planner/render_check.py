"""`plan render --check`: is any generated document out of date with its own evidence?

Each generated document is rebuilt from what it records: the time it was written and the
snapshots it was built from (pinned by id), with git asked again for the plan's commits up to
that time. It is stale only when that evidence changed: a new commit that names the plan after
completion, a snapshot that was edited or is missing, a changed template. Snapshots taken since,
and commits that only touch planning files, change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planner.errors import InputError
from planner.model import Project


@dataclass(frozen=True)
class StaleDocument:
    path: Path
    diff: str
    reason: str = "its evidence changed since it was written"


def stale_documents(project: Project) -> tuple[list[StaleDocument], int]:
    """(stale documents with their diffs, number of generated documents checked)."""
    from planner.close import build_summary, recorded_summary
    from planner.verify import build_verification, recorded_verification

    stale: list[StaleDocument] = []
    checked = 0
    for phase in project.phases:
        for plan in phase.plans:
            for path in plan.summary_paths:
                recorded = recorded_summary(path)
                if recorded is None:
                    continue
                checked += 1
                try:
                    _, pending = build_summary(project, phase, plan, recorded.completed, recorded.pins,
                                               recorded.superseded_by)
                except InputError as error:
                    stale.append(StaleDocument(path, "", f"cannot be rebuilt: {error.message}"))
                    continue
                if pending.changed:
                    stale.append(StaleDocument(path, pending.diff(project.relative(path))))
        if phase.verification_path is not None:
            written = recorded_verification(phase.verification_path)
            if written is None:
                continue
            checked += 1
            try:
                _, verification = build_verification(project, phase, written.verified, written.pins)
            except InputError as error:
                stale.append(StaleDocument(phase.verification_path, "", f"cannot be rebuilt: {error.message}"))
                continue
            if verification.changed:
                stale.append(StaleDocument(phase.verification_path,
                                           verification.diff(project.relative(phase.verification_path))))
    return stale, checked
