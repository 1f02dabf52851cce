"""The recommended plans of a handoff, computed from a phase's open gaps and the evidence.

Plans are built in priority order, each on the counts left by the plans before it, so their
impacts add up: failure clusters that block measurement, then the other clusters (tests fixed
per cluster), then coverage work (points of its target per statement covered). Nothing is
guessed: what cannot be computed is listed as such, with the reason. `compute_report` gives the
recommendations, the path to target and what could not be computed as plain data; the impact
arithmetic is `planner.target_path`, the document and `--scaffold` are `planner.handoff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from planner import impact as arith
from planner.clusters import FailureCluster
from planner.errors import InputError
from planner.frontmatter import read_document
from planner.model import Phase, Project
from planner.snapshot import Snapshot
from planner.target_path import (
    TEST_METRICS,
    Ledger,
    Work,
    fresh_ledger,
    goal_of,
    moves_of,
    path_row,
    recommendation_of,
    selected_files,
    status_of,
    value_now,
)
from planner.targets import Target, format_number, parse_target

FILES_PER_PLAN = 3  # coverage work per plan: a reviewable change
FILES_PER_TARGET = 9  # coverage work per target; beyond it the path says what is still short
_BLOCKING_TYPES = frozenset({"ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError"})
NO_CONTEXTS = ("the snapshot has no per-test coverage contexts "
               "(run pytest with --cov-context=test, then `plan measure`)")


def compute_report(project: Project, phase: Phase, snapshot: Snapshot, earlier: Snapshot | None,
                   *, files_per_plan: int = FILES_PER_PLAN,
                   files_per_target: int = FILES_PER_TARGET) -> dict[str, Any]:
    """Recommendations, path to target and what could not be computed, as plain data; coverage
    work is cut into plans of `files_per_plan` files, at most `files_per_target` per target."""
    gaps = _open_gaps(phase)
    state = fresh_ledger(snapshot, project.config.groups, phase.id)
    targets = _path_targets(phase, gaps, state)
    for gap in gaps:
        if gap["kind"] not in ("target", "cluster"):
            state.notes.append({"what": f"gap {gap['id']} ({gap['truth'] or gap['source'] or 'no text'})",
                                "why": "not a target or a failure cluster: it needs a person, planner "
                                       "has no arithmetic for it"})
    works = _cluster_works(gaps, targets, state, earlier)
    works += _coverage_works(targets, state, files_per_plan, files_per_target)
    initial = fresh_ledger(snapshot, project.config.groups, phase.id)  # counts before any plan
    initial.selections, initial.index = state.selections, state.index
    moves = [moves_of(work, targets, initial) for work in works]
    recommendations = [recommendation_of(rank, work, plan_moves, initial)
                       for rank, (work, plan_moves) in enumerate(zip(works, moves, strict=True), start=1)]
    path = [path_row(target, gap, moves, works, initial) for target, gap in targets]
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


def _path_targets(phase: Phase, gaps: list[dict[str, str]],
                  state: Ledger) -> list[tuple[Target, str | None]]:
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


# ---------------------------------------------------------------------------------- clusters


def _cluster_works(gaps: list[dict[str, str]], targets: list[tuple[Target, str | None]],
                   state: Ledger, earlier: Snapshot | None) -> list[Work]:
    snapshot = state.snapshot
    own = {gap["source"]: gap["id"] for gap in gaps if gap["kind"] == "cluster"}
    present = {cluster.signature for cluster in snapshot.clusters}
    for signature, gap_id in sorted(own.items()):
        if signature not in present:
            state.notes.append({"what": f"gap {gap_id}", "why": "its failure cluster is not in the "
                                f"latest snapshot; `plan verify {state.phase_id}` will close it"})
    test_targets_open = any(t.metric in TEST_METRICS and status_of(t, value_now(t, state)) == "FAIL"
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
                  outcomes: Mapping[str, str], state: Ledger, earlier: Snapshot | None) -> Work:
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
    return Work(
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


def _restore(tests: frozenset[str], state: Ledger, earlier: Snapshot | None) -> tuple[dict[str, int], str]:
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


def _at_risk(tests: frozenset[str], state: Ledger) -> str | None:
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


def _coverage_works(targets: list[tuple[Target, str | None]], state: Ledger,
                    per_plan: int, per_target: int) -> list[Work]:
    wanted = []
    for target, gap_id in targets:
        if gap_id is None:
            continue
        value = value_now(target, state)
        if target.metric == "coverage" and target.op in (">=", ">"):
            if status_of(target, value) == "FAIL":
                statements = sum(f.statements for f in selected_files(target, state))
                wanted.append((statements, str(target), target, gap_id))
        elif target.metric not in TEST_METRICS:
            state.notes.append({"what": f"`{target}` (gap {gap_id})", "why": "planner computes impacts "
                                "for coverage >= / > targets and test outcome targets only"})
    works: list[Work] = []
    for statements, _, target, gap_id in sorted(wanted, key=lambda item: (item[0], item[1])):
        works += _coverage_target_works(target, gap_id, statements, state, per_plan, per_target)
    return works


def _coverage_target_works(target: Target, gap_id: str, statements: int, state: Ledger,
                           per_plan: int, per_target: int) -> list[Work]:
    goal = goal_of(target)
    chosen_files = selected_files(target, state)
    covered = sum(f.covered for f in chosen_files)
    needed = arith.statements_to_reach(statements, covered, goal)
    raises, short = arith.choose_raises(chosen_files, goal, needed, per_target)
    if short:
        state.notes.append({"what": f"`{target}`", "why": f"the top {len(raises)} file(s) leave "
                            f"{short} statement(s) short; the path to target shows it"})
    works = []
    for group in arith.chunks(raises, per_plan):
        works.append(_coverage_work(target, gap_id, goal, statements, group, state))
    for item in raises:
        state.files[item.file.path] = arith.FileCounts(item.file.path, item.file.statements,
                                                       item.file.covered + item.to_cover)
    return works


def _coverage_work(target: Target, gap_id: str, goal: Fraction, statements: int,
                   group: tuple[arith.FileRaise, ...], state: Ledger) -> Work:
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
    return Work(
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


def _covering_test_files(group: tuple[arith.FileRaise, ...], state: Ledger) -> list[str]:
    found: set[str] = set()
    for item in group:
        for ids in state.snapshot.contexts.get(item.file.path, {}).values():
            found.update(t.split("::")[0] for t in ids if "::" in t)
    return sorted(found)
