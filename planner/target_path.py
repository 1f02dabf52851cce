"""What the recommended plans do to the targets, computed exactly: the counts they leave, each
plan's impact on each target, and the path to target.

A `Ledger` holds the evidence (the latest snapshot) and the per-file counts as the plans built so
far leave them; a `Work` is one recommended plan. `moves_of` gives what a plan moves each target
by, with the arithmetic in words; `recommendation_of` and `path_row` turn that into the report's
rows. The arithmetic itself (fractions, rounding once) is `planner.impact`; choosing the plans is
`planner.recommend`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from planner import impact as arith
from planner.snapshot import Snapshot
from planner.target_results import DictLookup, evaluate, format_value
from planner.targets import METRICS, Target, format_number, selector_patterns

TEST_METRICS = frozenset({"tests.failed", "tests.errors", "tests.passed", "tests.pass_rate", "clusters"})
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class Work:
    """One recommended plan while it is being built."""

    kind: str  # cluster | coverage
    title: str
    priority: str
    gaps: tuple[str, ...]  # gaps it closes by itself
    targets: tuple[str, ...]
    gained: Mapping[str, int] = field(default_factory=dict)  # statements newly covered per file
    fixed: tuple[int, int, int] = (0, 0, 0)  # failed tests, errored tests, clusters
    blocks: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ledger:
    """The evidence, and the counts as the plans built so far leave them."""

    snapshot: Snapshot
    groups: Mapping[str, tuple[str, ...]]
    phase_id: str
    files: dict[str, arith.FileCounts]
    claimed: dict[str, set[int]] = field(default_factory=dict)  # lines earlier plans restore
    notes: list[dict[str, str]] = field(default_factory=list)
    selections: dict[str, tuple[str, ...]] = field(default_factory=dict)  # selector -> paths
    index: arith.TestIndex | None = None  # the latest contexts by test, built on first use

    earlier_indexed: tuple[str, arith.TestIndex] | None = None

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


def value_now(target: Target, state: Ledger) -> Fraction | None:
    """The exact value of a target's metric as the plans built so far leave it."""
    snapshot = state.snapshot
    if target.metric == "coverage":
        chosen = selected_files(target, state)
        statements = sum(f.statements for f in chosen)
        if snapshot.totals is None or statements == 0:
            return None
        return arith.percent(sum(f.covered for f in chosen), statements)
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


def _show(metric: str, value: Fraction) -> str:
    return arith.format_fixed(value, METRICS[metric].precision)


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
    if target.metric == "coverage":
        chosen = selected_files(target, state)
        statements = sum(f.statements for f in chosen)
        gained = sum(work.gained.get(f.path, 0) for f in chosen)
        if not gained or not statements:
            return None
        value = arith.points(gained, statements)
        return value, f"{gained} statement(s) x 100 / {statements} = {arith.format_fixed(value)} points"
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
    judged = tests.totals.total - tests.totals.skipped - tests.totals.xfail
    return after - now, (f"{fixed} test(s) x 100 / {judged} judged = "
                         f"{arith.format_fixed(after - now, signed=True)} points")


def _toward(target: Target, current: Fraction, delta: Fraction) -> bool:
    threshold = Fraction(format_number(target.threshold))
    if target.op in (">=", ">"):
        return delta > 0
    if target.op in ("<=", "<"):
        return delta < 0
    return target.op == "==" and (threshold - current) * delta > 0


def recommendation_of(rank: int, work: Work, moves: list[Move], state: Ledger) -> dict[str, Any]:
    """One recommended plan as report data: its impacts and the gaps it closes."""
    impacts, closes = [], list(work.gaps)
    for target, gap_id, value, arithmetic in moves:
        impacts.append({"target": str(target), "arithmetic": arithmetic,
                        "delta": arith.format_fixed(value, METRICS[target.metric].precision, signed=True)})
        current = value_now(target, state)
        if gap_id and gap_id not in closes and current is not None and _toward(target, current, value):
            closes.append(gap_id)
    return {"rank": rank, "kind": work.kind, "title": work.title, "priority": work.priority,
            "blocks_measurement": work.blocks, "closes": closes, "targets": list(work.targets),
            "evidence": work.evidence, "impacts": impacts, "gained": dict(sorted(work.gained.items())),
            "work": {"statements": sum(work.gained.values()) if work.kind == "coverage" else 0,
                     "tests": work.fixed[0] + work.fixed[1]}}


def path_row(target: Target, gap_id: str | None, moves: list[list[Move]], works: list[Work],
              state: Ledger) -> dict[str, Any]:
    """One phase target: now, each plan's impact, the projection and whether it reaches."""
    current = value_now(target, state)
    row: dict[str, Any] = {"target": str(target), "gap": gap_id, "current": None, "terms": [],
                           "projected": None, "arithmetic": None, "counts": None, "short": None}
    if current is None:
        return {**row, "status": "cannot be computed",
                "short": "the latest snapshot does not measure this metric"}
    row["current"] = format_value(target.metric, float(current))
    if status_of(target, current) == "PASS":
        return {**row, "status": "met"}
    if target.metric not in ("coverage", *TEST_METRICS):
        return {**row, "status": "cannot be computed", "short": "no impact arithmetic for this metric"}
    terms = [(rank, move[2]) for rank, plan_moves in enumerate(moves, start=1) for move in plan_moves
             if move[0] == target]
    projected = current + sum((delta for _, delta in terms), Fraction(0))
    reached = status_of(target, projected) == "PASS"
    shown = [_show(target.metric, current)] + [
        f"{'+' if delta >= 0 else '-'} {_show(target.metric, abs(delta))}" for _, delta in terms]
    relation = target.op if reached else _NEGATED[target.op]
    verdict = "reachable with these plans" if reached else "not reachable with these plans"
    if sum(Fraction(text.replace(" ", "")) for text in shown) != Fraction(_show(target.metric, projected)):
        verdict += " (each term rounded once; the total is the exact sum, rounded)"
    row.update({
        "status": "reachable" if reached else "not reachable",
        "terms": [{"plan": rank, "delta": arith.format_fixed(delta, METRICS[target.metric].precision, signed=True)}
                  for rank, delta in terms],
        "projected": format_value(target.metric, float(projected)),
        "arithmetic": (f"{' '.join(shown)} = {_show(target.metric, projected)} {relation} "
                       f"{_show(target.metric, Fraction(format_number(target.threshold)))}: {verdict}"),
    })
    if target.metric == "coverage":
        row.update(_coverage_counts(target, works, state, reached))
    return row


def _coverage_counts(target: Target, works: list[Work], state: Ledger, reached: bool) -> dict[str, Any]:
    chosen = selected_files(target, state)
    statements, covered = sum(f.statements for f in chosen), sum(f.covered for f in chosen)
    gains = [n for n in (sum(work.gained.get(f.path, 0) for f in chosen) for work in works) if n]
    total = covered + sum(gains)
    short = arith.statements_to_reach(statements, total, goal_of(target))
    return {"counts": f"{' + '.join(str(n) for n in [covered, *gains])} = {total} of {statements} "
                      "statements covered",
            "short": None if reached else f"{short} more statement(s) needed beyond these plans"}


def fresh_ledger(snapshot: Snapshot, groups: Mapping[str, tuple[str, ...]], phase_id: str) -> Ledger:
    """A Ledger with the snapshot's own counts: before any plan."""
    return Ledger(snapshot, groups, phase_id, {
        path: arith.FileCounts(path, item.statements, item.covered) for path, item in snapshot.files.items()})
