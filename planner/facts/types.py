"""The facts a SUMMARY and a VERIFICATION print, typed: frozen dataclasses, nothing else.

Each field is named as the key a template and `--json` read (`planner.render.plain` flattens them
in declaration order), and holds what the document prints: a display string stays a string
(`"71.43%"`, `"n/a"`), a count stays an int, what may be absent is `X | None`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from planner.evidence.commits import Method
from planner.evidence.snapshot import ReportKind
from planner.model import PlanOutcome, PlanType
from planner.targets import Status

SourceRole = Literal["latest", "start"]
SummaryStatus = Literal["COMPLETE", "TARGETS MISSED", "SUPERSEDED"]


# ------------------------------------------------------------------ measured: SUMMARY and VERIFICATION


@dataclass(frozen=True, slots=True)
class SnapshotPins:
    """The snapshots a document was built from, by id. A document records them, and rebuilding it
    from the same ids gives the same numbers, whatever was measured since."""

    latest: str | None = None
    baseline: str | None = None
    previous: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"latest": self.latest, "baseline": self.baseline, "previous": self.previous}

    @classmethod
    def from_evidence(cls, evidence: object) -> SnapshotPins | None:
        """The pins a generated document's `evidence.snapshots` records (or, for one written before
        planner pinned its evidence, the snapshots its `evidence.sources` name); None when neither
        names one."""
        pins = evidence.get("snapshots") if isinstance(evidence, Mapping) else None
        if isinstance(pins, Mapping):
            return cls(*(str(pins[key]) if pins.get(key) else None for key in ("latest", "baseline", "previous")))
        return cls._from_sources(evidence)

    @classmethod
    def _from_sources(cls, evidence: object) -> SnapshotPins | None:
        """Documents written before planner pinned its snapshots list them among their sources
        (`role: latest` and `role: start`, `kind: snapshot`): the same ids, read from there."""
        sources = evidence.get("sources") if isinstance(evidence, Mapping) else None
        if not isinstance(sources, list):
            return None
        ids = {str(row.get("role")): str(row["id"]) for row in sources
               if isinstance(row, Mapping) and row.get("kind") == "snapshot" and row.get("id")}
        if not ids:
            return None
        return cls(ids.get("latest"), ids.get("start"), None)


JudgedGroups = Mapping[str, tuple[str, ...]]  # group name -> its file patterns, as a document was judged on them


def groups_judged(rows: Iterable[TargetRow], groups: JudgedGroups) -> dict[str, tuple[str, ...]]:
    """The config's file groups that `rows` name as selectors (`coverage[core] >= 80`), by name."""
    return {row.selector: tuple(groups[row.selector]) for row in rows
            if row.selector is not None and row.selector in groups}


def recorded_groups(evidence: object) -> dict[str, tuple[str, ...]]:
    """The file groups a generated document records in `evidence.groups`; empty when it records
    none (no target named a group, or it was written before groups were recorded)."""
    groups = evidence.get("groups") if isinstance(evidence, Mapping) else None
    if not isinstance(groups, Mapping):
        return {}
    return {str(name): tuple(str(p) for p in patterns) for name, patterns in groups.items()
            if isinstance(patterns, list) and patterns}


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One target judged on a snapshot: Before (start), After (latest), Target, Status, deltas."""

    expression: str
    metric: str
    selector: str | None
    status: Status
    before: str  # formatted, or "n/a"
    after: str  # formatted, or "n/a"
    target: str  # `>= 80.00%`
    delta_start: str | None
    delta_previous: str | None
    detail: str

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


@dataclass(frozen=True, slots=True)
class PlanTargetRow(TargetRow):
    """A target of a plan that closed with it missed, judged on the phase's snapshot."""

    plan: str

    @classmethod
    def of(cls, row: TargetRow, plan: str) -> PlanTargetRow:
        """`row`, its expression prefixed with the plan (`01-02: tests.failed == 0`)."""
        return cls(f"{plan}: {row.expression}", row.metric, row.selector, row.status, row.before, row.after,
                   row.target, row.delta_start, row.delta_previous, row.detail, plan)


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """One failure cluster: failing tests that share a cause."""

    signature: str
    count: int
    examples: tuple[str, ...]
    files: tuple[str, ...]
    error_type: str | None


@dataclass(frozen=True, slots=True)
class TestsFacts:
    """The test outcomes of a snapshot; `pass_rate` formatted once (or "n/a")."""

    __test__ = False  # not a pytest test class

    total: int
    passed: int
    failed: int
    errors: int
    skipped: int
    xfail: int
    xpass: int
    pass_rate: str
    clusters: tuple[ClusterFacts, ...]


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    """coverage.py's TOTAL of a snapshot (statements and branches together when branches were
    measured), its line and branch halves; the branch ones None without branch data."""

    percent: str
    line_percent: str
    statements: int
    covered: int
    missing: int
    branches: int | None
    covered_branches: int | None
    branch_percent: str | None
    files: int


@dataclass(frozen=True, slots=True)
class SnapshotSourceRow:
    """The snapshot a document was measured from."""

    role: SourceRole
    kind: Literal["snapshot"]
    id: str
    commit: str | None
    taken_at: str


@dataclass(frozen=True, slots=True)
class ReportSourceRow:
    """One report the snapshot was read from."""

    role: SourceRole
    kind: ReportKind
    format: str
    path: str
    sha256: str
    generated_at: str


SourceRow = SnapshotSourceRow | ReportSourceRow


@dataclass(frozen=True, slots=True)
class Measurements:
    """Targets, tests, coverage and sources of a plan: the measured half of its facts."""

    targets: tuple[TargetRow, ...]
    tests: TestsFacts | None
    coverage: CoverageFacts | None
    sources: tuple[SourceRow, ...]
    baseline_note: str


# ------------------------------------------------------------------ SUMMARY


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: str
    title: str
    phase: str  # the phase folder's name
    phase_id: str
    part: str
    subsystem: str
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    affects: tuple[str, ...]
    type: PlanType


@dataclass(frozen=True, slots=True)
class Performance:
    duration: str  # `1h 15m`, or "unknown"
    duration_seconds: int | None
    duration_source: str  # in words
    started: str | None
    completed: str
    tasks: int
    tasks_with_commit: int
    files: int
    files_created: int
    files_modified: int
    files_deleted: int


@dataclass(frozen=True, slots=True)
class CommitRow:
    """A commit of the plan, and how it was tied to the plan."""

    hash: str
    short: str
    subject: str
    time: str
    insertions: int
    deletions: int
    method: Method


@dataclass(frozen=True, slots=True)
class BookkeepingRow:
    """A commit that changed only planning files: listed, not counted as work."""

    hash: str
    short: str
    subject: str


@dataclass(frozen=True, slots=True)
class GitFacts:
    method: Method
    methods: tuple[Method, ...]
    mixed: bool
    range: str | None  # short hashes, for people
    full_range: str | None
    commits: tuple[CommitRow, ...]
    bookkeeping: tuple[BookkeepingRow, ...]
    created: tuple[str, ...]
    modified: tuple[str, ...]
    deleted: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    insertions: int
    deletions: int
    notes: tuple[str, ...]

    @property
    def files_changed(self) -> int:
        return len(self.created) + len(self.modified) + len(self.deleted)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task of the PLAN and the commits (indexes into the plan's commits) that name it."""

    number: int
    name: str
    commits: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SelfCheckItem:
    check: str
    ok: bool


@dataclass(frozen=True, slots=True)
class SelfCheck:
    passed: bool
    checked: int
    failed: int
    checks: tuple[SelfCheckItem, ...]


@dataclass(frozen=True, slots=True)
class TaskCommit:
    hash: str
    short: str
    subject: str
    insertions: int
    deletions: int
    url: str | None


@dataclass(frozen=True, slots=True)
class TaskDetailRow:
    number: int
    name: str
    commits: tuple[TaskCommit, ...]
    files: tuple[str, ...]
    insertions: int
    deletions: int


@dataclass(frozen=True, slots=True)
class TaskDetail:
    tasks: tuple[TaskDetailRow, ...]
    unassigned: tuple[TaskCommit, ...]  # commits that name no task (none when the plan has no tasks)


@dataclass(frozen=True, slots=True)
class SummaryLinks:
    commit: str | None  # the commit page prefix of the repository's host, when known
    range: str | None  # the commit range, linked where it can be


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """Everything measured about a plan: the one object its SUMMARY's frontmatter, its body and
    `plan close --json` all come from."""

    plan: PlanInfo
    status: SummaryStatus  # executed and targets met are two claims
    outcome: str  # the outcome line the SUMMARY opens with
    superseded_by: tuple[str, ...]
    performance: Performance
    git: GitFacts
    tasks: tuple[TaskRow, ...]
    targets: tuple[TargetRow, ...]
    tests: TestsFacts | None
    coverage: CoverageFacts | None
    sources: tuple[SourceRow, ...]
    baseline_note: str
    snapshots: SnapshotPins
    groups: JudgedGroups  # the config's file groups its targets name, recorded with the evidence
    deviations: tuple[str, ...]
    self_check: SelfCheck
    links: SummaryLinks
    task_detail: TaskDetail

    @property
    def all_targets_passed(self) -> bool:
        return all(row.passed for row in self.targets)

    @property
    def plan_outcome(self) -> PlanOutcome:
        """The PLAN's `outcome`: met, missed or superseded."""
        if self.status == "SUPERSEDED":
            return "superseded"
        return "met" if self.all_targets_passed else "missed"

    @property
    def completed_at(self) -> str:
        return self.performance.completed

    @property
    def pins(self) -> SnapshotPins:
        """The snapshots the SUMMARY was built from, by id."""
        return self.snapshots
