"""What a VERIFICATION prints, typed: the phase, its targets, gaps, must-haves and plans.

Fields are named as the keys `verification.md.j2` and `plan verify --json` read
(`planner.render.plain` flattens them in declaration order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from planner.facts.diagrams import Diagrams
from planner.facts.types import CoverageFacts, JudgedGroups, PlanTargetRow, SourceRow, TargetRow, TestsFacts
from planner.model import GapStatus, PlanOutcome, PlanStatus
from planner.verify.musthave_results import MustHaveRows

GapKind = Literal["target", "cluster", "musthave"]
GapValue = str | int | None  # a target's displayed value, a cluster's count, nothing for a must-have
VerificationStatus = Literal["passed", "gaps_found", "human_needed"]


@dataclass(frozen=True, slots=True)
class VerificationGap:
    """A gap: what opened it (`source`), in words (`truth`), where it stands and who closed it."""

    id: str
    kind: GapKind
    source: str
    truth: str
    status: GapStatus
    value: GapValue
    closed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhaseInfo:
    id: str
    title: str
    goal: str
    folder: str


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A plan of the phase as the VERIFICATION lists it."""

    id: str
    title: str
    status: PlanStatus
    outcome: PlanOutcome | None  # None until it is closed
    note: str


@dataclass(frozen=True, slots=True)
class VerificationFacts:
    """Everything a VERIFICATION says: the one object its body, its frontmatter and
    `plan verify --json` come from."""

    phase: PhaseInfo
    status: VerificationStatus
    verified: str
    measured: bool
    re_verification: bool
    targets: tuple[TargetRow, ...]
    targets_passed: int
    plan_targets: tuple[PlanTargetRow, ...]
    tests: TestsFacts | None
    coverage: CoverageFacts | None
    gaps: tuple[VerificationGap, ...]
    sources: tuple[SourceRow, ...]
    plans: tuple[PlanEntry, ...]
    diagrams: Diagrams
    must_haves: MustHaveRows
    score: str | None  # `2/3 must-haves verified`; None when no plan states must-haves
    groups: JudgedGroups  # the config's file groups its targets name, recorded with the evidence

    @property
    def unresolved(self) -> tuple[VerificationGap, ...]:
        """The gaps still open or partial."""
        return tuple(gap for gap in self.gaps if gap.status != "closed")
