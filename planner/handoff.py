"""`plan handoff PHASE`: recommended next plans, computed from the phase's gaps and the evidence.

Input: the open and partial gaps of the phase's VERIFICATION, the latest snapshot (coverage per
file, failure clusters, per-test contexts when recorded) and the phase targets. Output:
`NN-HANDOFF.md` and the same numbers as JSON, both from one computed report.

Plans are built in priority order, each on the counts left by the plans before it, so their
impacts add up: failure clusters that block measurement, then the other clusters (tests fixed
per cluster), then coverage work (points of its target per statement covered). Nothing is
guessed: what cannot be computed is listed as such, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from planner import __version__
from planner import impact as arith
from planner.clusters import FailureCluster
from planner.documents import PendingWrite, commit_write, prepare
from planner.errors import ConflictError, InputError
from planner.frontmatter import read_document
from planner.model import Phase, Project
from planner.reader import load_project
from planner.render import render
from planner.scaffold import add_phase, new_plan, resolve_phase
from planner.snapshot import Snapshot
from planner.targets import (
    METRICS,
    DictLookup,
    Target,
    evaluate,
    format_number,
    format_value,
    parse_target,
    selector_patterns,
)
from planner.writer import project_lock

SCHEMA_VERSION = 1
FILES_PER_PLAN = 3  # coverage work per plan: a reviewable change
FILES_PER_TARGET = 9  # coverage work per target; beyond it the path says what is still short
EARLIER_SNAPSHOTS_SEARCHED = 10
_BLOCKING_TYPES = frozenset({"ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError"})
_TEST_METRICS = frozenset({"tests.failed", "tests.errors", "tests.passed", "tests.pass_rate", "clusters"})
NO_CONTEXTS = ("the snapshot has no per-test coverage contexts "
               "(run pytest with --cov-context=test, then `plan measure`)")
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class HandoffResult:
    """What `plan handoff` computed and wrote."""

    phase_id: str
    report: dict[str, Any]  # the one computed object: the document and --json both come from it
    document: PendingWrite
    written: bool
    created: tuple[Path, ...] = ()


@dataclass(frozen=True)
class _Work:
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
class _State:
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


def handoff_path(phase: Phase) -> Path:
    """`phases/NN-slug/NN-HANDOFF.md`."""
    return phase.directory / f"{phase.id}-HANDOFF.md"


def handoff_phase(project: Project, reference: str, *, scaffold: bool = False,
                  dry_run: bool = False) -> HandoffResult:
    """Compute the handoff of a phase, write `NN-HANDOFF.md` (unless `dry_run`) and, with
    `scaffold`, create the next phase with one PLAN draft per recommendation."""
    with project_lock(project.planning_dir):
        project = load_project(project.root)
        phase = resolve_phase(project, reference)
        report, pending = build_handoff(project, phase)
        if scaffold:
            _refuse_second_scaffold(project, phase, report)
        written = False if dry_run else commit_write(pending, project.planning_dir)
    created: tuple[Path, ...] = ()
    if scaffold and not dry_run:
        created = scaffold_next_phase(project, phase, report)
    return HandoffResult(phase.id, report, pending, written, created)


def handoff_to_dict(result: HandoffResult, project: Project) -> dict[str, Any]:
    """The `--json` document: the computed report plus what was written."""
    return {**result.report, "schema_version": SCHEMA_VERSION,
            "path": project.relative(result.document.path), "written": result.written,
            "created": [project.relative(path) for path in result.created]}


def build_handoff(project: Project, phase: Phase) -> tuple[dict[str, Any], PendingWrite]:
    """The computed report and the document it renders to (nothing written)."""
    from planner.snapshot import latest_snapshot

    snapshot = latest_snapshot(project)
    if snapshot is None:
        raise InputError("no measurement yet: run `plan measure` first; the handoff is computed "
                         "from the latest snapshot", project.planning_dir)
    report = compute_report(project, phase, snapshot, _earlier_with_contexts(project, snapshot))
    meta = {"phase": phase.directory.name, "generated_by": f"planner {__version__}",
            "snapshot": snapshot.id, "recommendations": len(report["recommendations"]),
            "reachable": report["reachable"],
            "gaps_addressed": sorted({gap for rec in report["recommendations"] for gap in rec["closes"]})}
    body = render("handoff.md.j2", report, planning_dir=project.planning_dir)
    return report, prepare(handoff_path(phase), meta, body)


def compute_report(project: Project, phase: Phase, snapshot: Snapshot,
                   earlier: Snapshot | None) -> dict[str, Any]:
    """Recommendations, path to target and what could not be computed, as plain data."""
    gaps = _open_gaps(phase)
    state = _fresh_state(snapshot, project.config.groups, phase.id)
    targets = _path_targets(phase, gaps, state)
    for gap in gaps:
        if gap["kind"] not in ("target", "cluster"):
            state.notes.append({"what": f"gap {gap['id']} ({gap['truth'] or gap['source'] or 'no text'})",
                                "why": "not a target or a failure cluster: it needs a person, planner "
                                       "has no arithmetic for it"})
    works = _cluster_works(gaps, targets, state, earlier)
    works += _coverage_works(targets, state)
    initial = _fresh_state(snapshot, project.config.groups, phase.id)  # counts before any plan
    initial.selections, initial.index = state.selections, state.index
    moves = [_moves(work, targets, initial) for work in works]
    recommendations = [_recommendation(rank, work, plan_moves, initial)
                       for rank, (work, plan_moves) in enumerate(zip(works, moves, strict=True), start=1)]
    path = [_path_row(target, gap, moves, works, initial) for target, gap in targets]
    open_rows = [row for row in path if row["status"] != "met"]
    reachable = (None if not path else False if any(row["status"] == "not reachable" for row in open_rows)
                 else None if any(row["status"] == "cannot be computed" for row in open_rows) else True)
    for row in path:
        if row["status"] == "met" and row["gap"]:
            state.notes.append({"what": f"gap {row['gap']}", "why": f"`{row['target']}` is met on the "
                                f"latest snapshot; `plan verify {phase.id}` will close the gap"})
    return {
        "phase": {"id": phase.id, "title": phase.title, "folder": phase.directory.name},
        "snapshot": {"id": snapshot.id, "taken_at": snapshot.taken_at.isoformat(),
                     "commit": snapshot.commit, "contexts": bool(snapshot.contexts)},
        "earlier_snapshot": earlier.id if earlier is not None else None,
        "gaps": gaps, "recommendations": recommendations, "path_to_target": path,
        "reachable": reachable, "not_computed": state.notes,
    }


# ---------------------------------------------------------------------------------- inputs


def _open_gaps(phase: Phase) -> list[dict[str, str]]:
    if phase.verification_path is None:
        raise InputError(f"phase {phase.id} has no VERIFICATION yet: run `plan verify {phase.id}` "
                         "first; the handoff works from its gaps", phase.directory)
    raw = read_document(phase.verification_path).meta.get("gaps")
    kinds = {str(item.get("id")): str(item.get("kind") or "") for item in raw or []
             if isinstance(item, dict)} if isinstance(raw, list) else {}
    return [{"id": gap.id, "kind": kinds.get(gap.id) or "musthave", "source": gap.source,
             "status": gap.status, "truth": gap.title}
            for gap in phase.gaps if gap.status != "closed"]


def _earlier_with_contexts(project: Project, latest: Snapshot) -> Snapshot | None:
    from planner.snapshot import list_snapshots, load_snapshot

    older = [ref for ref in list_snapshots(project) if ref.id < latest.id]
    for ref in reversed(older[-EARLIER_SNAPSHOTS_SEARCHED:]):
        found = load_snapshot(ref.path)
        if found.contexts:
            return found
    return None


def _path_targets(phase: Phase, gaps: list[dict[str, str]],
                  state: _State) -> list[tuple[Target, str | None]]:
    """The phase targets, then targets only a gap names; each with its open gap id, if any."""
    by_expression: dict[str, str] = {}
    for gap in gaps:
        if gap["kind"] == "target":
            try:
                by_expression[str(parse_target(gap["source"]))] = gap["id"]
            except InputError as error:
                state.notes.append({"what": f"gap {gap['id']}", "why": f"its target does not parse: "
                                    f"{error.message}"})
    chosen: dict[str, Target] = {}
    for text in phase.targets:
        try:
            target = parse_target(text, path=phase.directory)
        except InputError as error:
            state.notes.append({"what": f"phase target {text!r}", "why": error.message})
            continue
        chosen.setdefault(str(target), target)
    for expression in by_expression:
        chosen.setdefault(expression, parse_target(expression))
    return [(target, by_expression.get(key)) for key, target in chosen.items()]


# ---------------------------------------------------------------------------------- values


def _selection(target: Target, state: _State) -> list[arith.FileCounts]:
    key = target.selector or ""
    if key not in state.selections:
        patterns = None if target.selector is None else selector_patterns(target.selector, state.groups)
        state.selections[key] = tuple(f.path for f in arith.select_files(state.files, patterns))
    return [state.files[path] for path in state.selections[key]]


def _current(target: Target, state: _State) -> Fraction | None:
    """The exact value of a target's metric as the plans built so far leave it."""
    snapshot = state.snapshot
    if target.metric == "coverage":
        chosen = _selection(target, state)
        statements = sum(f.statements for f in chosen)
        if snapshot.totals is None or statements == 0:
            return None
        return arith.percent(sum(f.covered for f in chosen), statements)
    if target.metric in _TEST_METRICS and snapshot.tests is not None:
        return arith.metric_value(snapshot.tests.totals, target.metric, len(snapshot.clusters))
    return None


def _status(target: Target, value: Fraction | None) -> str:
    if value is None:
        return "UNMEASURED"
    lookup = DictLookup({(target.metric, target.selector): float(value)})
    return evaluate(target, lookup).status


def _goal(target: Target) -> Fraction:
    """The percentage a file is raised to for a coverage target (the next displayable one for >)."""
    goal = Fraction(format_number(target.threshold))
    return goal + Fraction(1, 100) if target.op == ">" else goal


def _show(metric: str, value: Fraction) -> str:
    return arith.format_fixed(value, METRICS[metric].precision)


# ---------------------------------------------------------------------------------- clusters


def _cluster_works(gaps: list[dict[str, str]], targets: list[tuple[Target, str | None]],
                   state: _State, earlier: Snapshot | None) -> list[_Work]:
    snapshot = state.snapshot
    own = {gap["source"]: gap["id"] for gap in gaps if gap["kind"] == "cluster"}
    present = {cluster.signature for cluster in snapshot.clusters}
    for signature, gap_id in sorted(own.items()):
        if signature not in present:
            state.notes.append({"what": f"gap {gap_id}", "why": "its failure cluster is not in the "
                                f"latest snapshot; `plan verify {state.phase_id}` will close it"})
    test_targets_open = any(t.metric in _TEST_METRICS and _status(t, _current(t, state)) == "FAIL"
                            for t, _ in targets)
    chosen = [c for c in snapshot.clusters if c.signature in own or test_targets_open]
    outcomes = {f.id: f.outcome for f in snapshot.tests.failures} if snapshot.tests else {}
    blocking = {c.signature: _blocking(c, outcomes) for c in chosen}
    chosen.sort(key=lambda c: (blocking[c.signature] is None, -c.count, c.signature))
    return [_cluster_work(c, own.get(c.signature), blocking[c.signature], outcomes, state, earlier)
            for c in chosen]


def _blocking(cluster: FailureCluster, outcomes: Mapping[str, str]) -> str | None:
    """Why a cluster keeps code from being measured, or None when it does not."""
    kind = (cluster.error_type or "").rsplit(".", 1)[-1]
    text = f"{cluster.signature} {cluster.sample_message or ''}".lower()
    if kind in _BLOCKING_TYPES:
        return f"{kind}: the tests cannot be imported, so they never run and the code they exercise goes unmeasured"
    if "collect" in text:
        return "errors during collection: the tests never run and the code they exercise goes unmeasured"
    if cluster.test_ids and all(outcomes.get(t) == "error" for t in cluster.test_ids):
        return "errors outside the test bodies (setup): the tests never run their code, so it goes unmeasured"
    return None


def _cluster_work(cluster: FailureCluster, gap_id: str | None, blocks: str | None,
                  outcomes: Mapping[str, str], state: _State, earlier: Snapshot | None) -> _Work:
    tests = frozenset(cluster.test_ids)
    errors = sum(1 for t in cluster.test_ids if outcomes.get(t) == "error")
    failed = len(cluster.test_ids) - errors
    gained, restore = _restore(tests, state, earlier)
    totals = state.snapshot.tests.totals if state.snapshot.tests else None
    targets = []
    if totals is not None and failed:
        targets.append(f"tests.failed <= {max(totals.failed - failed, 0)}")
    if totals is not None and errors:
        targets.append(f"tests.errors <= {max(totals.errors - errors, 0)}")
    test_files = list(cluster.files) or sorted({t.split("::")[0] for t in cluster.test_ids if "::" in t})
    run = arith.lines_run_by(state.snapshot.contexts, tests, state.test_index())
    sources = sorted(set(run) | set(gained), key=lambda p: (-(run.get(p, 0) + gained.get(p, 0)), p))
    risk = _at_risk(tests, state)
    kind = cluster.error_type or "Failure"
    return _Work(
        kind="cluster", title=f"Fix {len(cluster.test_ids)} failing test(s): {kind}",
        priority=(f"blocks measurement: {blocks}" if blocks else
                  f"{len(cluster.test_ids)} failing test(s) fixed by removing one cause"),
        gaps=(gap_id,) if gap_id else (), targets=tuple(targets), gained=gained,
        fixed=(failed, errors, 1), blocks=blocks is not None,
        evidence={"signature": cluster.signature, "error_type": cluster.error_type,
                  "count": len(cluster.test_ids), "failed": failed, "errors": errors,
                  "examples": list(cluster.example_ids), "sample_message": cluster.sample_message,
                  "restore": restore, "at_risk": risk, "test_files": test_files,
                  "source_files": sources,
                  "sources_note": None if state.snapshot.contexts else
                  f"which source files these tests run cannot be known: {NO_CONTEXTS}"},
    )


def _restore(tests: frozenset[str], state: _State, earlier: Snapshot | None) -> tuple[dict[str, int], str]:
    """Statements fixing the cluster restores (from an earlier snapshot's contexts), and the text."""
    latest = state.snapshot
    if earlier is None:
        reason = NO_CONTEXTS if not latest.contexts else (
            "no earlier snapshot has per-test contexts, so which of today's missing lines these "
            "tests used to run is not recorded (lines after the point of failure never ran now)")
        return {}, f"cannot be computed: {reason}"
    if not any(t in tests for lines in earlier.contexts.values() for ids in lines.values() for t in ids):
        return {}, f"cannot be computed: snapshot {earlier.id} has contexts but none names these tests"
    same = {path: frozenset(item.missing_lines) for path, item in latest.files.items()
            if item.sha256 is not None and path in earlier.contexts
            and path in earlier.files and earlier.files[path].sha256 == item.sha256}
    found = arith.restorable(same, earlier.contexts, tests, state.earlier_index(earlier))
    gained: dict[str, int] = {}
    for path, lines in found.items():
        fresh = set(lines) - state.claimed.get(path, set())
        if fresh:
            state.claimed.setdefault(path, set()).update(fresh)
            gained[path] = len(fresh)
            counts = state.files[path]
            state.files[path] = arith.FileCounts(path, counts.statements,
                                                 min(counts.statements, counts.covered + len(fresh)))
    total = sum(gained.values())
    return gained, (f"{total} statement(s) in {len(gained)} file(s): lines missing now that these tests "
                    f"ran in snapshot {earlier.id}, in files whose content is unchanged")


def _at_risk(tests: frozenset[str], state: _State) -> str | None:
    contexts = state.snapshot.contexts
    if not contexts:
        return None
    only = arith.only_covered_by(contexts, tests, state.test_index())
    count = sum(only.values())
    overall = sum(f.statements for f in state.files.values())
    return (f"{count} statement(s) in {len(only)} file(s) are covered only by these failing tests "
            f"({arith.format_fixed(arith.points(count, overall))} points of overall coverage): "
            "measured from failing tests, and lost if the tests are deleted or skipped rather than fixed")


# ---------------------------------------------------------------------------------- coverage


def _coverage_works(targets: list[tuple[Target, str | None]], state: _State) -> list[_Work]:
    wanted = []
    for target, gap_id in targets:
        if gap_id is None:
            continue
        value = _current(target, state)
        if target.metric == "coverage" and target.op in (">=", ">"):
            if _status(target, value) == "FAIL":
                statements = sum(f.statements for f in _selection(target, state))
                wanted.append((statements, str(target), target, gap_id))
        elif target.metric not in _TEST_METRICS:
            state.notes.append({"what": f"`{target}` (gap {gap_id})", "why": "planner computes impacts "
                                "for coverage >= / > targets and test outcome targets only"})
    works: list[_Work] = []
    for statements, _, target, gap_id in sorted(wanted, key=lambda item: (item[0], item[1])):
        works += _coverage_target_works(target, gap_id, statements, state)
    return works


def _coverage_target_works(target: Target, gap_id: str, statements: int, state: _State) -> list[_Work]:
    goal = _goal(target)
    chosen_files = _selection(target, state)
    covered = sum(f.covered for f in chosen_files)
    needed = arith.statements_to_reach(statements, covered, goal)
    raises, short = arith.choose_raises(chosen_files, goal, needed, FILES_PER_TARGET)
    if short:
        state.notes.append({"what": f"`{target}`", "why": f"the top {len(raises)} file(s) leave "
                            f"{short} statement(s) short; the path to target shows it"})
    works = []
    for group in arith.chunks(raises, FILES_PER_PLAN):
        works.append(_coverage_work(target, gap_id, goal, statements, group, state))
    for item in raises:
        state.files[item.file.path] = arith.FileCounts(item.file.path, item.file.statements,
                                                       item.file.covered + item.to_cover)
    return works


def _coverage_work(target: Target, gap_id: str, goal: Fraction, statements: int,
                   group: tuple[arith.FileRaise, ...], state: _State) -> _Work:
    goal_text = arith.format_fixed(goal)
    rows = []
    for item in group:
        before, after = arith.format_fixed(item.file.percent), arith.format_fixed(item.percent_after)
        gain = arith.format_fixed(item.points(statements))
        rows.append({
            "path": item.file.path, "statements": item.file.statements, "covered": item.file.covered,
            "missing": item.file.missing, "before": before, "after": after, "to_cover": item.to_cover,
            "points": gain,
            "arithmetic": f"({after} - {before}) x {item.file.statements} / {statements} = {gain} points",
        })
    names = ", ".join(Path(item.file.path).name for item in group)
    tests = _covering_test_files(group, state)
    return _Work(
        kind="coverage", title=f"Raise coverage of {names} to {goal_text}%",
        priority=(f"{arith.format_fixed(arith.points(1, statements), 4)} points of `{target}` per "
                  f"statement covered ({statements} statements in the selection)"),
        gaps=(gap_id,),
        targets=tuple(f"coverage[{item.file.path}] >= {format_number(float(goal))}" for item in group),
        gained={item.file.path: item.to_cover for item in group},
        evidence={"target": str(target), "goal": goal_text,
                  "goal_note": f"each file raised to the target's {goal_text}%, not to 100%",
                  "files": rows, "selection_statements": statements,
                  "test_files": tests,
                  "tests_note": None if state.snapshot.contexts else
                  f"which tests exercise these files cannot be known: {NO_CONTEXTS}"},
    )


def _covering_test_files(group: tuple[arith.FileRaise, ...], state: _State) -> list[str]:
    found: set[str] = set()
    for item in group:
        for ids in state.snapshot.contexts.get(item.file.path, {}).values():
            found.update(t.split("::")[0] for t in ids if "::" in t)
    return sorted(found)


# ---------------------------------------------------------------------------------- report

_Move = tuple[Target, "str | None", Fraction, str]  # target, its gap, exact change, arithmetic


def _moves(work: _Work, targets: list[tuple[Target, str | None]], state: _State) -> list[_Move]:
    found = []
    for target, gap_id in targets:
        moved = _delta(work, target, state)
        if moved is not None:
            found.append((target, gap_id, moved[0], moved[1]))
    return found


def _delta(work: _Work, target: Target, state: _State) -> tuple[Fraction, str] | None:
    """What one plan moves a target by, exactly, and the arithmetic in words."""
    if target.metric == "coverage":
        chosen = _selection(target, state)
        statements = sum(f.statements for f in chosen)
        gained = sum(work.gained.get(f.path, 0) for f in chosen)
        if not gained or not statements:
            return None
        value = arith.points(gained, statements)
        return value, f"{gained} statement(s) x 100 / {statements} = {arith.format_fixed(value)} points"
    tests = state.snapshot.tests
    if target.metric not in _TEST_METRICS or tests is None or work.kind != "cluster":
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


def _recommendation(rank: int, work: _Work, moves: list[_Move], state: _State) -> dict[str, Any]:
    impacts, closes = [], list(work.gaps)
    for target, gap_id, value, arithmetic in moves:
        impacts.append({"target": str(target), "arithmetic": arithmetic,
                        "delta": arith.format_fixed(value, METRICS[target.metric].precision, signed=True)})
        current = _current(target, state)
        if gap_id and gap_id not in closes and current is not None and _toward(target, current, value):
            closes.append(gap_id)
    return {"rank": rank, "kind": work.kind, "title": work.title, "priority": work.priority,
            "blocks_measurement": work.blocks, "closes": closes, "targets": list(work.targets),
            "evidence": work.evidence, "impacts": impacts, "gained": dict(sorted(work.gained.items())),
            "work": {"statements": sum(work.gained.values()) if work.kind == "coverage" else 0,
                     "tests": work.fixed[0] + work.fixed[1]}}


def _path_row(target: Target, gap_id: str | None, moves: list[list[_Move]], works: list[_Work],
              state: _State) -> dict[str, Any]:
    """One phase target: now, each plan's impact, the projection and whether it reaches."""
    current = _current(target, state)
    row: dict[str, Any] = {"target": str(target), "gap": gap_id, "current": None, "terms": [],
                           "projected": None, "arithmetic": None, "counts": None, "short": None}
    if current is None:
        return {**row, "status": "cannot be computed",
                "short": "the latest snapshot does not measure this metric"}
    row["current"] = format_value(target.metric, float(current))
    if _status(target, current) == "PASS":
        return {**row, "status": "met"}
    if target.metric not in ("coverage", *_TEST_METRICS):
        return {**row, "status": "cannot be computed", "short": "no impact arithmetic for this metric"}
    terms = [(rank, move[2]) for rank, plan_moves in enumerate(moves, start=1) for move in plan_moves
             if move[0] == target]
    projected = current + sum((delta for _, delta in terms), Fraction(0))
    reached = _status(target, projected) == "PASS"
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


def _coverage_counts(target: Target, works: list[_Work], state: _State, reached: bool) -> dict[str, Any]:
    chosen = _selection(target, state)
    statements, covered = sum(f.statements for f in chosen), sum(f.covered for f in chosen)
    gains = [n for n in (sum(work.gained.get(f.path, 0) for f in chosen) for work in works) if n]
    total = covered + sum(gains)
    short = arith.statements_to_reach(statements, total, _goal(target))
    return {"counts": f"{' + '.join(str(n) for n in [covered, *gains])} = {total} of {statements} "
                      "statements covered",
            "short": None if reached else f"{short} more statement(s) needed beyond these plans"}


def _fresh_state(snapshot: Snapshot, groups: Mapping[str, tuple[str, ...]], phase_id: str) -> _State:
    return _State(snapshot, groups, phase_id, {
        path: arith.FileCounts(path, item.statements, item.covered) for path, item in snapshot.files.items()})


# ---------------------------------------------------------------------------------- scaffold


def _plans_closing(project: Project, phase: Phase, gap_ids: set[str]) -> list[str]:
    return [str(plan.id) for other in project.phases if other.directory != phase.directory
            for plan in other.plans if gap_ids & set(plan.closes)]


def _refuse_second_scaffold(project: Project, phase: Phase, report: dict[str, Any]) -> None:
    recommendations = report["recommendations"]
    if not recommendations:
        raise InputError(f"nothing to scaffold: the handoff of phase {phase.id} recommends no plan")
    gap_ids = {gap for rec in recommendations for gap in rec["closes"]}
    existing = _plans_closing(project, phase, gap_ids)
    if existing:
        raise ConflictError(f"plans {', '.join(existing)} already close gaps of phase {phase.id}: the "
                            "handoff was scaffolded before; planner will not create them twice",
                            handoff_path(phase))


def scaffold_next_phase(project: Project, phase: Phase, report: dict[str, Any]) -> tuple[Path, ...]:
    """The next phase, with one PLAN draft per recommendation (targets and `closes:` filled in)."""
    _refuse_second_scaffold(load_project(project.root), phase, report)
    open_targets = [row["target"] for row in report["path_to_target"] if row["status"] != "met"]
    created = add_phase(load_project(project.root), f"{phase.title} follow-up",
                        goal=f"Close the gaps phase {phase.id} left open, as computed in "
                             f"{handoff_path(phase).name}", targets=open_targets)
    assert created.phase is not None and created.phase.number is not None
    paths = list(created.paths[:1])
    for rec in report["recommendations"]:
        plan = new_plan(load_project(project.root), created.phase.directory.name, title=rec["title"],
                        targets=rec["targets"], closes=rec["closes"])
        paths.append(plan.paths[0])
    return tuple(paths)
