"""What the recommended plans do to the targets, computed exactly: the counts they leave, each
plan's impact on each target, and the path to target.

A `Ledger` holds the evidence (the latest snapshot) and the per-file counts as the plans built so
far leave them; a `Work` is one recommended plan. `moves_of` gives what a plan moves each target
by, with the arithmetic in words; `recommendation_of` and `path_row` turn that into the report's
rows. The arithmetic itself (fractions, rounding once) is `planner.handoff.arithmetic`; choosing the plans is
`planner.handoff.recommend`.

`coverage` means what SUMMARY and VERIFICATION mean by it, coverage.py's percent: on a snapshot
with branch data, (covered statements + covered branches) / (statements + branches). Plans cover
statements and hold branches as measured, so covering n statements moves it by n x 100 /
(statements + branches); `line_coverage` is statements alone, `branch_coverage` does not move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from planner.evidence.snapshot import Snapshot
from planner.handoff import arithmetic as arith
from planner.handoff.types import (
    ClosesWith,
    Evidence,
    Impact,
    Note,
    OverallEffect,
    OverallRow,
    PathRow,
    Recommendation,
    RecommendationKind,
    Term,
    WorkCounts,
)
from planner.targets import METRICS, Target, format_number, selector_patterns
from planner.targets.judging import DictLookup, evaluate, format_value

TEST_METRICS = frozenset({"tests.failed", "tests.errors", "tests.passed", "tests.pass_rate", "clusters",
                          "tests.total", "tests.skipped", "tests.xfail"})
COVERAGE_METRICS = frozenset({"coverage", "line_coverage", "branch_coverage", "missing"})
MOVED_BY_STATEMENTS = frozenset({"coverage", "line_coverage", "missing"})  # what covering statements moves
HELD = "branches held as measured"
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class Work:
    """One recommended plan while it is being built."""

    kind: RecommendationKind
    title: str
    priority: str
    gaps: tuple[str, ...]  # gaps it closes by itself
    targets: tuple[str, ...]
    evidence: Evidence
    gained: Mapping[str, int] = field(default_factory=dict)  # statements newly covered per file
    fixed: tuple[int, int, int] = (0, 0, 0)  # failed tests, errored tests, clusters
    blocks: bool = False


@dataclass
class Ledger:
    """The evidence, and the counts as the plans built so far leave them."""

    snapshot: Snapshot
    groups: Mapping[str, tuple[str, ...]]
    phase_id: str
    files: dict[str, arith.FileCounts]
    claimed: dict[str, set[int]] = field(default_factory=dict)  # lines earlier plans restore
    notes: list[Note] = field(default_factory=list)
    selections: dict[str, tuple[str, ...]] = field(default_factory=dict)  # selector -> paths
    index: arith.TestIndex | None = None  # the latest contexts by test, built on first use

    earlier_indexed: tuple[str, arith.TestIndex] | None = None
    labels: dict[str, str] = field(default_factory=dict)  # target -> how the path shows it
    same_target: dict[str, tuple[str, ...]] = field(default_factory=dict)  # gap -> gaps of the same target
    no_contexts: str = ""  # why the snapshot has no per-test contexts, and the fix
    left_out: dict[str, str] = field(default_factory=dict)  # files no plan raises -> why
    root: Path | None = None  # the project, to read sources for lines that can never run
    unreachable: dict[str, int] = field(default_factory=dict)  # path -> missing lines that never run

    def test_index(self) -> arith.TestIndex:
        if self.index is None:
            self.index = arith.index_by_test(self.snapshot.contexts)
        return self.index

    def earlier_index(self, earlier: Snapshot) -> arith.TestIndex:
        if self.earlier_indexed is None or self.earlier_indexed[0] != earlier.id:
            self.earlier_indexed = (earlier.id, arith.index_by_test(earlier.contexts))
        return self.earlier_indexed[1]


# ---------------------------------------------------------------------------------- values


def selected_files(target: Target, state: Ledger) -> list[arith.FileCounts]:
    """The files a target's selector selects, with their counts as the plans so far leave them."""
    key = target.selector or ""
    if key not in state.selections:
        patterns = None if target.selector is None else selector_patterns(target.selector, state.groups)
        state.selections[key] = tuple(f.path for f in arith.select_files(state.files, patterns))
    return [state.files[path] for path in state.selections[key]]


def counts_branches(metric: str, state: Ledger) -> bool:
    """Whether a metric's value counts branches: `coverage` on a snapshot with branch data."""
    return metric == "coverage" and state.snapshot.has_branches


def value_now(target: Target, state: Ledger) -> Fraction | None:
    """The exact value of a target's metric as the plans built so far leave it."""
    snapshot = state.snapshot
    if target.metric in COVERAGE_METRICS:
        chosen = selected_files(target, state)
        statements = sum(f.statements for f in chosen)
        if snapshot.totals is None or statements == 0:
            return None
        if target.metric == "missing":
            return Fraction(sum(f.missing for f in chosen))
        if target.metric == "branch_coverage":
            branches = sum(f.branches for f in chosen)
            if not snapshot.has_branches or branches == 0:
                return None
            return arith.percent(sum(f.covered_branches for f in chosen), branches)
        with_branches = counts_branches(target.metric, state)
        return arith.percent(sum(f.hits(with_branches) for f in chosen),
                             sum(f.weight(with_branches) for f in chosen))
    if target.metric in TEST_METRICS and snapshot.tests is not None:
        return arith.metric_value(snapshot.tests.totals, target.metric, len(snapshot.clusters))
    return None


def status_of(target: Target, value: Fraction | None) -> str:
    """PASS / FAIL / UNMEASURED of a target at an exact value, by the display rule."""
    if value is None:
        return "UNMEASURED"
    lookup = DictLookup({(target.metric, target.selector): float(value)})
    return evaluate(target, lookup).status


def goal_of(target: Target) -> Fraction:
    """The percentage a file is raised to for a coverage target (the next displayable one for >)."""
    goal = Fraction(format_number(target.threshold))
    return goal + Fraction(1, 100) if target.op == ">" else goal


def passes_for(target: Target) -> arith.Passes:
    """Whether a file's percentage meets the target's threshold as the target is judged (its
    displayed value), so a file is raised exactly as far as the judge needs."""
    own = Target(target.metric, None, target.op, target.threshold)
    return lambda value: status_of(own, value) == "PASS"


def shown(metric: str, value: Fraction) -> str:
    """A value as the target is judged and displayed: a percentage strictly between 0 and 100
    never shows as 0.00 or 100.00 (the display rule of `planner.targets.judging`)."""
    if METRICS[metric].unit == "percent":
        return format_value(metric, float(value)).rstrip("%")
    return arith.format_fixed(value, METRICS[metric].precision)


def weight_text(chosen: list[arith.FileCounts], with_branches: bool) -> str:
    """The denominator of a coverage delta, in words: `1000` or `(1000 statements + 200 branches)`."""
    statements = sum(f.statements for f in chosen)
    if not with_branches:
        return str(statements)
    return f"({statements} statements + {sum(f.branches for f in chosen)} branches)"


# ---------------------------------------------------------------------------------- impacts

Move = tuple[Target, "str | None", Fraction, str]  # target, its gap, exact change, arithmetic


def moves_of(work: Work, targets: list[tuple[Target, str | None]], state: Ledger) -> list[Move]:
    """Each target one plan moves, with its gap, the exact change and the arithmetic in words."""
    found = []
    for target, gap_id in targets:
        moved = _delta(work, target, state)
        if moved is not None:
            found.append((target, gap_id, moved[0], moved[1]))
    return found


def _delta(work: Work, target: Target, state: Ledger) -> tuple[Fraction, str] | None:
    """What one plan moves a target by, exactly, and the arithmetic in words."""
    if target.metric in MOVED_BY_STATEMENTS:
        chosen = selected_files(target, state)
        gained = sum(work.gained.get(f.path, 0) for f in chosen)
        if not gained or not chosen:
            return None
        if target.metric == "missing":
            return Fraction(-gained), f"{gained} missing statement(s) covered"
        with_branches = counts_branches(target.metric, state)
        value = arith.points(gained, sum(f.weight(with_branches) for f in chosen))
        held = f", {HELD}" if with_branches else ""
        return value, (f"{gained} statement(s) x 100 / {weight_text(chosen, with_branches)} = "
                       f"{arith.format_fixed(value)} points{held}")
    tests = state.snapshot.tests
    if target.metric not in TEST_METRICS or tests is None or work.kind != "cluster":
        return None
    failed, errors, clusters = work.fixed
    count = len(state.snapshot.clusters)
    now = arith.metric_value(tests.totals, target.metric, count)
    after = arith.metric_value(arith.tests_after_fixing(tests.totals, failed, errors),
                               target.metric, count - clusters)
    if now is None or after is None or after == now:
        return None
    fixed = failed + errors
    if target.metric != "tests.pass_rate":
        return after - now, f"{fixed} test(s) fixed"
    return after - now, (f"{fixed} test(s) x 100 / {tests.totals.judged} judged = "
                         f"{arith.format_fixed(after - now, signed=True)} points")


def _toward(target: Target, current: Fraction, delta: Fraction) -> bool:
    threshold = Fraction(format_number(target.threshold))
    if target.op in (">=", ">"):
        return delta > 0
    if target.op in ("<=", "<"):
        return delta < 0
    return target.op == "==" and (threshold - current) * delta > 0


def recommendation_of(rank: int, work: Work, moves: list[Move], state: Ledger) -> Recommendation:
    """One recommended plan: its impacts, its effect on overall coverage and the gaps it closes by
    itself (`settle_closes` adds the gaps it closes only with other plans)."""
    impacts, closes = [], list(work.gaps)
    for target, gap_id, value, arithmetic in moves:
        impacts.append(Impact(str(target), arithmetic,
                              arith.format_fixed(value, METRICS[target.metric].precision, signed=True)))
        current = value_now(target, state)
        if (gap_id and gap_id not in closes and current is not None and _toward(target, current, value)
                and status_of(target, current + value) == "PASS"):
            closes.append(gap_id)
    return Recommendation(
        rank=rank, kind=work.kind, title=work.title, priority=work.priority, blocks_measurement=work.blocks,
        closes=tuple(closes), closes_with=(), moves_toward=(), targets=work.targets, requires=(),
        evidence=work.evidence, impacts=tuple(impacts), overall=overall_effect(work, state),
        gained=dict(sorted(work.gained.items())),
        work=WorkCounts(statements=sum(work.gained.values()) if work.kind == "coverage" else 0,
                        tests=work.fixed[0] + work.fixed[1]))


def settle_closes(recommendations: Sequence[Recommendation], path: Sequence[PathRow]) -> list[Recommendation]:
    """A gap no plan closes alone: each plan that moves it names the others it needs
    (`closes_with`) when together they reach the target, else says it only moves toward it."""
    settled = list(recommendations)
    for row in path:
        gap_id = row.gap
        if not gap_id or row.status not in ("reachable", "not reachable"):
            continue
        movers = [term.plan for term in row.terms if gap_id not in settled[term.plan - 1].closes]
        if any(gap_id in rec.closes for rec in settled):
            continue
        for rank in movers:
            rec = settled[rank - 1]
            if row.status == "reachable":
                together = ClosesWith(gap_id, tuple(r for r in movers if r != rank))
                settled[rank - 1] = replace(rec, closes_with=(*rec.closes_with, together))
            else:
                settled[rank - 1] = replace(rec, moves_toward=(*rec.moves_toward, gap_id))
    return settled


# ---------------------------------------------------------------------------------- overall


def overall_metrics(state: Ledger) -> list[str]:
    """The overall numbers every recommendation is judged on: coverage, and where branches were
    measured, its two halves."""
    if state.snapshot.totals is None or not state.files:
        return []
    return ["coverage", "line_coverage", "branch_coverage"] if state.snapshot.has_branches else ["coverage"]


def overall_effect(work: Work, state: Ledger) -> tuple[OverallEffect, ...]:
    """What one plan alone does to overall coverage (and branch coverage where measured)."""
    rows = []
    for metric in overall_metrics(state):
        target = Target(metric, None, ">=", 0)
        now = value_now(target, state)
        if now is None:
            continue
        moved = _delta(work, target, state)
        delta, arithmetic = moved if moved is not None else (Fraction(0), (
            f"plans cover statements, {HELD}" if metric == "branch_coverage" else "no statement newly covered"))
        rows.append(OverallEffect(metric, format_value(metric, float(now)), format_value(metric, float(now + delta)),
                                  arith.format_fixed(delta, 2, signed=True), arithmetic))
    return tuple(rows)


def overall_path(moves_by_plan: list[Work], state: Ledger) -> tuple[OverallRow, ...]:
    """Overall coverage (and branch coverage where measured) now, each plan's term, projected."""
    rows = []
    for metric in overall_metrics(state):
        target = Target(metric, None, ">=", 0)
        now = value_now(target, state)
        if now is None:
            continue
        terms = [(rank, moved[0]) for rank, work in enumerate(moves_by_plan, start=1)
                 if (moved := _delta(work, target, state)) is not None]
        projected = now + sum((delta for _, delta in terms), Fraction(0))
        parts = [shown(metric, now)] + [f"{'+' if d >= 0 else '-'} {arith.format_fixed(abs(d))}" for _, d in terms]
        note = f" ({HELD})" if metric != "line_coverage" and state.snapshot.has_branches else ""
        rows.append(OverallRow(metric, format_value(metric, float(now)),
                               tuple(Term(rank, arith.format_fixed(d, 2, signed=True)) for rank, d in terms),
                               format_value(metric, float(projected)),
                               f"{' '.join(parts)} = {shown(metric, projected)}{note}"))
    return tuple(rows)


# ---------------------------------------------------------------------------------- path


def path_row(target: Target, gap_id: str | None, moves: list[list[Move]], works: list[Work],
             state: Ledger) -> PathRow:
    """One phase target: now, each plan's impact, the projection and whether it reaches."""
    current = value_now(target, state)
    row = PathRow(str(target), gap_id, None, (), None, None, None, None, "cannot be computed")
    if current is None:
        return replace(row, short="the latest snapshot does not measure this metric")
    row = replace(row, current=format_value(target.metric, float(current)))
    if status_of(target, current) == "PASS":
        return replace(row, status="met")
    if target.metric not in (*MOVED_BY_STATEMENTS, *TEST_METRICS):
        why = (f"plans cover statements and planner has no arithmetic for covering branches ({HELD})"
               if target.metric == "branch_coverage" else "no impact arithmetic for this metric")
        return replace(row, short=why)
    terms = [(rank, move[2]) for rank, plan_moves in enumerate(moves, start=1) for move in plan_moves
             if move[0] == target]
    precision = METRICS[target.metric].precision
    projected = current + sum((delta for _, delta in terms), Fraction(0))
    reached = status_of(target, projected) == "PASS"
    parts = [shown(target.metric, current)] + [
        f"{'+' if delta >= 0 else '-'} {arith.format_fixed(abs(delta), precision)}" for _, delta in terms]
    relation = target.op if reached else _NEGATED[target.op]
    verdict = "reachable with these plans" if reached else "not reachable with these plans"
    if sum(Fraction(text.replace(" ", "")) for text in parts) != Fraction(shown(target.metric, projected)):
        verdict += " (each term rounded once; the total is the exact sum, rounded)"
    row = replace(
        row, status="reachable" if reached else "not reachable",
        terms=tuple(Term(rank, arith.format_fixed(delta, precision, signed=True)) for rank, delta in terms),
        projected=format_value(target.metric, float(projected)),
        arithmetic=(f"{' '.join(parts)} = {shown(target.metric, projected)} {relation} "
                    f"{shown(target.metric, Fraction(format_number(target.threshold)))}: {verdict}"),
    )
    if target.metric in ("coverage", "line_coverage"):
        counts, short = _coverage_counts(target, works, state, reached)
        return replace(row, counts=counts, short=short)
    if not reached and target.metric in TEST_METRICS and not terms:
        return replace(row, short="fixing failing tests does not move it: the work is for a person (see Not Computed)")
    return row


def _coverage_counts(target: Target, works: list[Work], state: Ledger, reached: bool) -> tuple[str, str | None]:
    """The covered statements now and with each plan, and how far short the target stays."""
    chosen = selected_files(target, state)
    statements, covered = sum(f.statements for f in chosen), sum(f.covered for f in chosen)
    gains = [n for n in (sum(work.gained.get(f.path, 0) for f in chosen) for work in works) if n]
    total = covered + sum(gains)
    counts = f"{' + '.join(str(n) for n in [covered, *gains])} = {total} of {statements} statements covered"
    with_branches = counts_branches(target.metric, state)
    branches, covered_branches = sum(f.branches for f in chosen), sum(f.covered_branches for f in chosen)
    if with_branches:
        counts += f", with {covered_branches} of {branches} branches ({HELD})"
    if reached:
        return counts, None
    short = arith.least_to_pass(statements + (branches if with_branches else 0),
                                total + (covered_branches if with_branches else 0), goal_of(target),
                                passes_for(target))
    never = sum(state.unreachable.get(f.path, 0) for f in chosen)
    coverable = max(statements - total - never, 0)
    if short > coverable:
        held = [f"{never} missing line(s) that can never run here"] if never else []
        if with_branches:
            held.append(f"its uncovered branches ({HELD})")
        if held:
            return counts, (f"covering every statement that can run still leaves it short by "
                            f"{short - coverable}: {' and '.join(held)}")
    return counts, f"{short} more statement(s) needed beyond these plans"


def fresh_ledger(snapshot: Snapshot, groups: Mapping[str, tuple[str, ...]], phase_id: str) -> Ledger:
    """A Ledger with the snapshot's own counts: before any plan."""
    return Ledger(snapshot, groups, phase_id, {
        path: arith.FileCounts(path, item.statements, item.covered,
                               item.branches if snapshot.has_branches else 0,
                               item.covered_branches if snapshot.has_branches else 0)
        for path, item in snapshot.files.items()})
