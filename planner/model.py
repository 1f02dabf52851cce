"""The planning model: plain typed objects that every command reads and writes.

Parsing happens at the edge (reader.py, schema.py); everything here is already well typed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from planner.errors import InputError
from planner.ids import PhaseNumber, PlanId
from planner.tree.frontmatter import Diagnostic

PlanStatus = Literal["planned", "in_progress", "complete", "superseded"]
# How a closed plan ended: executed with its targets met, executed with targets missed (the misses
# become gaps of its phase), or replaced by other plans. "Executed" and "targets met" are two claims.
PlanOutcome = Literal["met", "missed", "superseded"]
PlanType = Literal["execute", "gap_closure", "tdd", "fix"]
GapStatus = Literal["open", "partial", "closed"]
PLAN_STATUSES: tuple[PlanStatus, ...] = ("planned", "in_progress", "complete", "superseded")
PLAN_OUTCOMES: tuple[PlanOutcome, ...] = ("met", "missed", "superseded")
PLAN_TYPES: tuple[PlanType, ...] = ("execute", "gap_closure", "tdd", "fix")


@dataclass(frozen=True)
class KeyFiles:
    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """One plan: what its PLAN frontmatter says, plus where its files are."""

    id: PlanId
    title: str = ""
    type: PlanType = "execute"
    status: PlanStatus = "planned"
    subsystem: str = ""
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    affects: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    key_files: KeyFiles = KeyFiles()
    targets: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    closes: tuple[str, ...] = ()
    started: str | None = None  # ISO-8601 text as written: time zones are never guessed
    completed: str | None = None
    base_commit: str | None = None
    baseline: str | None = None  # id of the snapshot that was latest when the plan started
    outcome: PlanOutcome | None = None
    superseded_by: tuple[str, ...] = ()
    wave: int | None = None
    # Frontmatter keys neither planner nor GSD defines (`plan check` reports them). The values of
    # such keys, and `must_haves`, stay in the PLAN file: `planner.tree.reader.plan_frontmatter` reads them
    # for the commands that use them, and a load does not carry them through its caches.
    unknown_keys: tuple[str, ...] = ()
    plan_path: Path | None = field(default=None, compare=False)
    summary_paths: tuple[Path, ...] = field(default=(), compare=False)
    variant: str = field(default="", compare=False)

    @property
    def is_gap_closure(self) -> bool:
        return self.type == "gap_closure" or self.id.is_gap

    @property
    def has_summary(self) -> bool:
        return bool(self.summary_paths)

    @property
    def closed(self) -> bool:
        """Done with, one way or another: executed (targets met or not) or superseded."""
        return self.status in ("complete", "superseded")

    @property
    def missed_targets(self) -> bool:
        return self.closed and self.outcome == "missed"


@dataclass(frozen=True)
class Gap:
    """Something a verification found missing, with the plans that closed it."""

    id: str
    phase: str
    title: str
    status: GapStatus = "open"
    source: str = ""  # the target expression, cluster signature or must-have that opened it
    closed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """One phase folder."""

    number: PhaseNumber | None
    slug: str
    directory: Path
    prefix: str = ""  # a project_code prefix of the folder name (`ABC` of `ABC-01-setup`)
    milestone: str = ""  # `v1.2` for a phase archived in `milestones/v1.2-phases/`; "" for phases/
    listed_only: bool = False  # named in ROADMAP.md (`### Phase N: Title`) with no folder yet
    title: str = ""
    goal: str = ""
    targets: tuple[str, ...] = ()
    plans: tuple[Plan, ...] = ()
    gaps: tuple[Gap, ...] = ()
    verification_path: Path | None = None
    verification_status: str | None = None
    documents: tuple[Path, ...] = ()  # every other Markdown file of the phase

    @property
    def id(self) -> str:
        return str(self.number) if self.number is not None else self.directory.name

    @property
    def complete(self) -> bool:
        return bool(self.plans) and all(plan.closed for plan in self.plans)

    def plan(self, part: str) -> Plan | None:
        for plan in self.plans:
            if plan.id.part == part:
                return plan
        return None


@dataclass(frozen=True)
class Config:
    """planner's settings, kept under the `planner` key of `.planning/config.json`."""

    project_code: str = ""  # GSD's top-level `project_code`: new phase folders are `CODE-NN-slug`
    test_command: tuple[str, ...] = ()
    coverage_report: str = ".planning/metrics/coverage.json"
    junit_report: str = ".planning/metrics/junit.xml"
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Project:
    """A planning root and everything read from it."""

    root: Path  # the folder that holds `.planning/`
    planning_dir: Path
    config: Config
    phases: tuple[Phase, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    root_documents: tuple[Path, ...] = ()
    milestone: str = ""  # the milestone STATE.md is about (its `milestone:`), "" when it names none
    archived_phases: tuple[Phase, ...] = ()  # phases of finished milestones, `milestones/v*-phases/*/`
    listed_phases: tuple[Phase, ...] = ()  # phases ROADMAP.md names that have no folder yet (planned)

    @property
    def plans(self) -> tuple[Plan, ...]:
        return tuple(plan for phase in self.phases for plan in phase.plans)

    def with_groups(self, groups: Mapping[str, tuple[str, ...]]) -> Project:
        """This project judging targets on `groups` where the config names the same group: a
        document rebuilt from its record uses the file groups it was judged on, whatever the
        config says of them since."""
        if not groups:
            return self
        return replace(self, config=replace(self.config, groups={**self.config.groups, **groups}))

    def phases_numbered(self, number: PhaseNumber) -> tuple[Phase, ...]:
        return tuple(phase for phase in self.phases if phase.number == number)

    def find_phase(self, reference: str, *, listed: bool = False) -> Phase:
        """The one phase that `reference` (a number like `8`, `08.1`, or a folder name) names; with
        `listed`, also a phase ROADMAP.md names that has no folder yet."""
        folder_matches = [phase for phase in self.phases if phase.directory.name == reference]
        if folder_matches:
            return folder_matches[0]
        try:
            number = PhaseNumber.parse(reference)
        except InputError:
            raise InputError(f"no phase '{reference}' (give a phase number such as 3 or 08.1)") from None
        matches = self.phases_numbered(number)
        if not matches and listed:
            matches = tuple(phase for phase in self.listed_phases if phase.number == number)
        if not matches:
            known = ", ".join(phase.id for phase in self.phases) or "none yet"
            raise InputError(f"no phase {number} in this project (phases: {known})")
        if len(matches) > 1:
            names = ", ".join(phase.directory.name for phase in matches)
            raise InputError(f"phase {number} is used by several folders ({names}); name the folder instead")
        return matches[0]

    def find_plan(self, reference: str) -> tuple[Phase, Plan]:
        """The phase and plan a plan id like `12-03` or `12-GAP-01` names."""
        plan_id = PlanId.parse(reference)
        phase = self.find_phase(str(plan_id.phase))
        plan = phase.plan(plan_id.part)
        if plan is None:
            known = ", ".join(str(p.id) for p in phase.plans) or "none yet"
            raise InputError(f"no plan {plan_id} in phase {phase.id} (plans: {known})")
        return phase, plan

    def relative(self, path: Path) -> str:
        """A path as shown to people: relative to the project root, POSIX separators."""
        return shown_path(path, self.root)


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` (POSIX separators) when it lies inside, else as given."""
    text, prefix = str(path), str(root)
    if os.sep == "/" and text.startswith(prefix + "/"):  # the common case without pathlib's parsing
        return text[len(prefix) + 1:]
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()
