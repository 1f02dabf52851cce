"""A PLAN draft a team can start from: tasks, files to modify, evidence, expected impact, targets,
`closes:` and `requires:`.

`planner.handoff.drafts` makes one from each recommendation of `plan handoff --scaffold`;
`planner.scaffold.new_plan` writes it (frontmatter fields below, the body through `plan.md.j2`).
Nothing here is guessed: every line comes from the recommendation, which comes from the snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlanTask:
    """One `<task>` of the draft, as `plan.md.j2` prints it."""

    name: str
    files: tuple[str, ...]
    action: str
    verify: str
    done: str


@dataclass(frozen=True)
class PlanDraft:
    """What a scaffolded PLAN says beyond its title, targets and `closes:`."""

    requires: tuple[str, ...] = ()  # plan ids, in priority order
    wave: int = 1  # one more than the latest wave it requires
    files_modified: tuple[str, ...] = ()
    tasks: tuple[PlanTask, ...] = ()
    objective: str = ""
    evidence: tuple[str, ...] = ()  # Markdown lines
    impact: tuple[str, ...] = ()  # Markdown lines
    must_haves: Mapping[str, object] = field(default_factory=dict)

    def frontmatter(self) -> dict[str, object]:
        """The GSD keys a plan needs (`gsd-tools verify plan-structure`), from this draft."""
        return {"wave": self.wave, "depends_on": list(self.requires),
                "files_modified": list(self.files_modified), "autonomous": True,
                "must_haves": dict(self.must_haves)}

    def context(self) -> dict[str, object]:
        """What `plan.md.j2` renders (`planner.render` makes it plain: each task a mapping)."""
        return {"objective": self.objective, "tasks": list(self.tasks),
                "evidence": list(self.evidence), "impact": list(self.impact),
                "requires": list(self.requires)}
