"""What a HANDOFF says, typed: recommended plans with their evidence and impacts, the path to
target, and what could not be computed.

Fields are named as the keys `handoff.md.j2` and `plan handoff --json` read (`planner.render.plain`
flattens them in declaration order). Numbers are computed exactly in `planner.handoff.arithmetic`
and arrive here already rounded once, as the display strings the document prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from planner.model import GapStatus
from planner.render import PLAIN_KEY

RecommendationKind = Literal["cluster", "coverage"]
PathStatus = Literal["met", "reachable", "not reachable", "cannot be computed"]


@dataclass(frozen=True, slots=True)
class Note:
    """Something that could not be computed, and why."""

    what: str
    why: str


@dataclass(frozen=True, slots=True)
class PhaseRef:
    id: str
    title: str
    folder: str


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """The snapshot the handoff is computed from."""

    id: str
    taken_at: str
    commit: str | None
    contexts: bool  # whether it records which tests ran which lines
    branches: bool


@dataclass(frozen=True, slots=True)
class OpenGap:
    """An open or partial gap of the phase's VERIFICATION."""

    id: str
    kind: str  # target | cluster | musthave, as the VERIFICATION records it
    source: str
    status: GapStatus
    truth: str
    plan: str | None  # the plan whose missed target opened it
    planned_by: tuple[str, ...]  # plans of later phases, not closed yet, that name it in `closes:`


@dataclass(frozen=True, slots=True)
class ClosedGap:
    id: str
    truth: str
    closed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One plan's share of a projection: `#2 +1.25`."""

    plan: int
    delta: str


@dataclass(frozen=True, slots=True)
class Impact:
    """What one plan moves one target by, and the arithmetic in words."""

    target: str
    arithmetic: str
    delta: str


@dataclass(frozen=True, slots=True)
class OverallEffect:
    """What one plan alone does to an overall number (coverage and its halves)."""

    metric: str
    now: str
    after: str
    delta: str
    arithmetic: str


@dataclass(frozen=True, slots=True)
class OverallRow:
    """An overall number now, each plan's term, and the projection with every plan."""

    metric: str
    current: str
    terms: tuple[Term, ...]
    projected: str
    arithmetic: str


@dataclass(frozen=True, slots=True)
class ClosesWith:
    """A gap a plan closes only together with other plans (by rank)."""

    gap: str
    with_: tuple[int, ...] = field(metadata={PLAIN_KEY: "with"})


@dataclass(frozen=True, slots=True)
class WorkCounts:
    statements: int  # statements to cover (coverage work)
    tests: int  # tests to fix (cluster work)


@dataclass(frozen=True, slots=True)
class ClusterEvidence:
    """Why a failure cluster is worth a plan: its tests, what fixing them restores, what is at risk."""

    signature: str
    error_type: str | None
    count: int
    failed: int
    errors: int
    examples: tuple[str, ...]
    sample_message: str | None
    restore: str
    at_risk: str | None
    test_files: tuple[str, ...]
    source_files: tuple[str, ...]
    sources_note: str | None


@dataclass(frozen=True, slots=True)
class FileRow:
    """One file a coverage plan raises: its counts, before and after, and the points it adds."""

    path: str
    statements: int
    covered: int
    missing: int
    branches: int
    covered_branches: int
    before: str
    after: str
    to_cover: int
    reaches: bool
    missing_lines: str
    points: str
    overall_points: str
    arithmetic: str
    overall_arithmetic: str


@dataclass(frozen=True, slots=True)
class CoverageEvidence:
    """Which files a coverage plan raises toward which target, and how far."""

    target: str
    metric: str
    goal: str  # the percentage each file is raised to; "" for a `missing` target
    goal_note: str
    files: tuple[FileRow, ...]
    selection_statements: int
    unit: str
    branches: bool
    test_files: tuple[str, ...]
    tests_note: str | None


Evidence = ClusterEvidence | CoverageEvidence


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended plan."""

    rank: int
    kind: RecommendationKind
    title: str
    priority: str
    blocks_measurement: bool
    closes: tuple[str, ...]  # gaps it closes by itself
    closes_with: tuple[ClosesWith, ...]
    moves_toward: tuple[str, ...]  # gaps it moves without closing
    targets: tuple[str, ...]
    requires: tuple[str, ...]  # `plan N`, in priority order
    evidence: Evidence
    impacts: tuple[Impact, ...]
    overall: tuple[OverallEffect, ...]
    gained: Mapping[str, int]  # statements newly covered per file
    work: WorkCounts

    @property
    def gaps_closed(self) -> tuple[str, ...]:
        """The gaps it closes, alone or together with other plans."""
        return (*self.closes, *(item.gap for item in self.closes_with))


@dataclass(frozen=True, slots=True)
class PathRow:
    """One target: now, each plan's impact, the projection and whether it is reached."""

    target: str
    gap: str | None
    current: str | None
    terms: tuple[Term, ...]
    projected: str | None
    arithmetic: str | None
    counts: str | None
    short: str | None
    status: PathStatus
    note: str = ""  # how the path shows the target: ` (missed by plan 01-02)`


@dataclass(frozen=True, slots=True)
class HandoffReport:
    """The one computed object `NN-HANDOFF.md`, its frontmatter and `plan handoff --json` come from."""

    phase: PhaseRef
    snapshot: SnapshotInfo
    earlier_snapshot: str | None  # the earlier snapshot whose contexts say what fixes restore
    gaps: tuple[OpenGap, ...]
    closed_gaps: tuple[ClosedGap, ...]
    recommendations: tuple[Recommendation, ...]
    path_to_target: tuple[PathRow, ...]
    overall: tuple[OverallRow, ...]
    reachable: bool | None  # None: some target cannot be computed, or the phase has none
    not_computed: tuple[Note, ...]
    links: Mapping[str, str | None]  # the repository's commit page prefix, when known

    @property
    def addressed_gaps(self) -> set[str]:
        """The gaps the recommendations close, alone or together."""
        return {gap for rec in self.recommendations for gap in rec.gaps_closed}
