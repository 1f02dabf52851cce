"""`plan render --check`: is any generated document out of date with its evidence?

Each generated document is rebuilt at the time it recorded (so the clock does not make it
stale) and compared with the file byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planner.frontmatter import read_document
from planner.model import Project
from planner.plan_facts import parse_time


@dataclass(frozen=True)
class StaleDocument:
    path: Path
    diff: str


def _generated(path: Path) -> dict[str, object] | None:
    if not path.is_file():
        return None
    meta = read_document(path).meta
    return meta if str(meta.get("generated_by", "")).startswith("planner") else None


def stale_documents(project: Project) -> tuple[list[StaleDocument], int]:
    """(stale documents with their diffs, number of generated documents checked)."""
    from planner.close import build_summary
    from planner.verify import build_verification

    stale: list[StaleDocument] = []
    checked = 0
    for phase in project.phases:
        for plan in phase.plans:
            for path in plan.summary_paths:
                meta = _generated(path)
                when = parse_time(str(meta.get("completed") or "")) if meta else None
                if meta is None or when is None:
                    continue
                checked += 1
                _, pending = build_summary(project, phase, plan, when)
                if pending.changed:
                    stale.append(StaleDocument(path, pending.diff(project.relative(path))))
        if phase.verification_path is not None:
            meta = _generated(phase.verification_path)
            when = parse_time(str(meta.get("verified") or "")) if meta else None
            if meta is None or when is None:
                continue
            checked += 1
            _, pending = build_verification(project, phase, when)
            if pending.changed:
                stale.append(StaleDocument(phase.verification_path,
                                           pending.diff(project.relative(phase.verification_path))))
    return stale, checked
