"""The recommended plans of a handoff, computed from a phase's open gaps and the evidence.

Plans are built in priority order, each on the counts left by the plans before it, so their
impacts add up: failure clusters that block measurement, then the other clusters (tests fixed
per cluster), then coverage work (points of its target per statement covered). Nothing is
guessed: what cannot be computed is listed as such, with the reason. `compute_report` gives the
recommendations, the path to target and what could not be computed as one `HandoffReport`
(`planner.handoff.types`); the impact arithmetic is `planner.handoff.projection`, coverage work
`planner.handoff.coverage_work`, the document and `--scaffold` are `planner.handoff` (drafts:
`planner.handoff.drafts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from planner.errors import InputError
from planner.evidence.clusters import FailureCluster
from planner.evidence.snapshot import Snapshot
from planner.handoff import arithmetic as arith
from planner.handoff.coverage_work import coverage_works, left_out_files
from planner.handoff.projection import (
    TEST_METRICS,
    Ledger,
    Work,
    fresh_ledger,
    moves_of,
    overall_path,
    path_row,
    recommendation_of,
    settle_closes,
    status_of,
    value_now,
)
from planner.handoff.types import (
    ClosedGap,
    ClosesWith,
    ClusterEvidence,
    CoverageEvidence,
    HandoffReport,
    Note,
    OpenGap,
    PathRow,
    PhaseRef,
    Recommendation,
    SnapshotInfo,
)
from planner.model import Phase, Project
from planner.targets import Target, format_number, parse_target
from planner.tree.frontmatter import read_document

FILES_PER_PLAN = 3  # coverage work per plan: a reviewable change
FILES_PER_TARGET = 9  # coverage work per target; beyond it the path says what is still short
_BLOCKING_TYPES = frozenset({"ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError"})
NO_CONTEXTS = ("the coverage report holds no per-test contexts: recording them takes "
               "--cov-context=test (the default test command passes it), and coverage.py writes "
               "them to its JSON report only with `show_contexts = true` under `[json]` in "
               ".coveragerc (`[tool.coverage.json]` in pyproject.toml); set it, then `plan measure`")


def no_contexts_reason(command: tuple[str, ...]) -> str:
    """Why a snapshot has no per-test contexts, and the real fix, for this test command."""
    if not command or any(part.startswith("--cov-context") for part in command):
        return NO_CONTEXTS
    return ("the coverage report holds no per-test contexts: add --cov-context=test to "
            "planner.test_command in .planning/config.json, and `show_contexts = true` under "
            "`[json]` in .coveragerc (`[tool.coverage.json]` in pyproject.toml), then `plan measure`")


def compute_report(project: Project, phase: Phase, snapshot: Snapshot, earlier: Snapshot | None,
                   *, files_per_plan: int = FILES_PER_PLAN,
                   files_per_target: int = FILES_PER_TARGET) -> HandoffReport:
    """Recommendations, path to target and what could not be computed; coverage work is cut into
    plans of `files_per_plan` files, at most `files_per_target` per target."""
    from planner.evidence.commit_links import repository_links

    gaps, closed = _open_gaps(project, phase)
    state = fresh_ledger(snapshot, project.config.groups, phase.id)
    state.no_contexts = no_contexts_reason(_test_command(project))
    state.left_out = left_out_files(project, snapshot, state)
    state.root = project.root
    targets = _path_targets(phase, gaps, state)
    state.notes.extend(Note(f"gap {gap.id} ({gap.truth or gap.source or 'no text'})",
                            "not a target or a failure cluster: it needs a person, planner has no arithmetic for it")
                       for gap in gaps if gap.kind not in ("target", "cluster"))
    works = _cluster_works(gaps, targets, state, earlier)
    works += coverage_works(targets, state, files_per_plan, files_per_target)
    initial = fresh_ledger(snapshot, project.config.groups, phase.id)  # counts before any plan
    initial.selections, initial.index = state.selections, state.index
    initial.unreachable = state.unreachable
    moves = [moves_of(work, targets, initial) for work in works]
    path = tuple(replace(row, note=f" ({state.labels[row.target]})" if state.labels.get(row.target) else "")
                 for row in (path_row(target, gap, moves, works, initial) for target, gap in targets))
    recommendations = settle_closes([recommendation_of(rank, work, plan_moves, initial) for rank, (work, plan_moves)
                                     in enumerate(zip(works, moves, strict=True), start=1)], path)
    recommendations = _order_requires(_carry_same_target_gaps(recommendations, state))
    _note_unplanned(path, state)
    return HandoffReport(
        phase=PhaseRef(phase.id, phase.title, phase.directory.name),
        snapshot=SnapshotInfo(snapshot.id, snapshot.taken_at.isoformat(), snapshot.commit, bool(snapshot.contexts),
                              snapshot.has_branches),
        earlier_snapshot=earlier.id if earlier is not None else None,
        gaps=gaps, closed_gaps=closed, recommendations=tuple(recommendations), path_to_target=path,
        overall=overall_path(works, initial), reachable=_reachable(path), not_computed=tuple(state.notes),
        links=repository_links(project.root),
    )


def _reachable(path: Sequence[PathRow]) -> bool | None:
    """Whether every open target is reachable with the plans; None when one cannot be computed."""
    open_rows = [row for row in path if row.status != "met"]
    if not path:
        return None
    if any(row.status == "not reachable" for row in open_rows):
        return False
    return None if any(row.status == "cannot be computed" for row in open_rows) else True


def _test_command(project: Project) -> tuple[str, ...]:
    if project.config.test_command:
        return tuple(project.config.test_command)
    from planner.tree.config_file import DEFAULT_CONFIG

    return tuple(DEFAULT_CONFIG["planner"]["test_command"])


def _carry_same_target_gaps(recommendations: Sequence[Recommendation], state: Ledger) -> list[Recommendation]:
    """A gap opened by the same target as another (a phase target a plan also missed) is closed
    by the same plans."""
    carried = []
    for rec in recommendations:
        closes = list(rec.closes)
        for gap_id in rec.closes:
            closes.extend(g for g in state.same_target.get(gap_id, ()) if g not in closes)
        together = list(rec.closes_with)
        for item in together:  # grows as it goes: an added gap may carry others
            for extra in state.same_target.get(item.gap, ()):
                if all(other.gap != extra for other in together):
                    together.append(ClosesWith(extra, item.with_))
        carried.append(replace(rec, closes=tuple(closes), closes_with=tuple(together)))
    return carried


def _order_requires(recommendations: Sequence[Recommendation]) -> list[Recommendation]:
    """`requires:` in priority order: a plan after one that blocks measurement needs it first;
    coverage work on a target needs the earlier plans on the same target."""
    blocking = [f"plan {rec.rank}" for rec in recommendations if rec.blocks_measurement]
    seen: dict[str, list[int]] = {}
    ordered = []
    for rec in recommendations:
        before = [] if rec.blocks_measurement else list(blocking)
        if isinstance(rec.evidence, CoverageEvidence):
            target = rec.evidence.target
            before += [f"plan {rank}" for rank in seen.get(target, [])]
            seen.setdefault(target, []).append(rec.rank)
        ordered.append(replace(rec, requires=tuple(before)))
    return ordered


def _note_unplanned(path: Sequence[PathRow], state: Ledger) -> None:
    """Every unmet target that no recommendation moves goes to Not Computed, with the reason."""
    for row in path:
        gap = f" (gap {row.gap})" if row.gap else ""
        if row.status == "met" and row.gap:
            state.notes.append(Note(f"gap {row.gap}", f"`{row.target}`{row.note} is met on the latest snapshot; "
                                    f"`plan verify {state.phase_id}` will close the gap"))
        elif row.status == "cannot be computed":
            state.notes.append(Note(f"`{row.target}`{row.note}{gap}", row.short or ""))
        elif row.status == "not reachable" and not row.terms:
            state.notes.append(Note(f"`{row.target}`{row.note}{gap}", _why_no_plan(row)))


def _why_no_plan(row: PathRow) -> str:
    target = parse_target(row.target)
    if target.metric in ("tests.total", "tests.passed"):
        return (f"{row.current} now: reaching {format_number(target.threshold)} takes new tests, and "
                "which tests to write is for a person; fixing failing tests adds none")
    return row.short or "no recommended plan moves it"


# ---------------------------------------------------------------------------------- inputs


def _open_gaps(project: Project, phase: Phase) -> tuple[tuple[OpenGap, ...], tuple[ClosedGap, ...]]:
    """The open and partial gaps of the phase's VERIFICATION, each with the plans of later phases
    that name it in `closes:` and are not closed yet (those that are closed show in the
    VERIFICATION's `closed_by` once re-verified); and the closed ones with the plans that closed
    them (the handoff recommends only what is still open)."""
    if phase.verification_path is None:
        raise InputError(f"phase {phase.id} has no VERIFICATION yet: run `plan verify {phase.id}` "
                         "first; the handoff works from its gaps", phase.directory)
    raw: object = read_document(phase.verification_path).meta.get("gaps")
    kinds = {str(item.get("id")): str(item.get("kind") or "") for item in raw
             if isinstance(item, Mapping)} if isinstance(raw, list) else {}
    plans = {str(plan.id) for plan in phase.plans}
    open_gaps = tuple(OpenGap(gap.id, kinds.get(gap.id) or "musthave", gap.source, gap.status, gap.title,
                              _plan_of(gap.source, plans), _planned_by(project, phase, gap.id))
                      for gap in phase.gaps if gap.status != "closed")
    closed = tuple(ClosedGap(gap.id, gap.title, gap.closed_by) for gap in phase.gaps if gap.status == "closed")
    return open_gaps, closed


def _planned_by(project: Project, phase: Phase, gap_id: str) -> tuple[str, ...]:
    return tuple(str(plan.id) for other in project.phases if other.directory != phase.directory
                 for plan in other.plans if gap_id in plan.closes and not plan.closed)


def _plan_of(source: str, plans: set[str]) -> str | None:
    """The plan a missed plan target's gap names (`01-02: tests.total >= 200`), else None."""
    head, sep, _ = source.partition(": ")
    return head if sep and head in plans else None


def _gap_expression(gap: OpenGap) -> str:
    return gap.source.partition(": ")[2] if gap.plan else gap.source


def _path_targets(phase: Phase, gaps: Sequence[OpenGap], state: Ledger) -> list[tuple[Target, str | None]]:
    """The phase targets, then targets only a gap names (those the phase's closed plans missed);
    each with its open gap id, if any."""
    by_expression: dict[str, list[str]] = {}
    for gap in gaps:
        if gap.kind == "target":
            try:
                expression = str(parse_target(_gap_expression(gap)))
            except InputError as error:
                state.notes.append(Note(f"gap {gap.id}", f"its target does not parse: {error.message}"))
                continue
            by_expression.setdefault(expression, []).append(gap.id)
            if gap.plan:
                state.labels.setdefault(expression, f"missed by plan {gap.plan}")
    chosen: dict[str, Target] = {}
    for text in phase.targets:
        try:
            target = parse_target(text, path=phase.directory)
        except InputError as error:
            state.notes.append(Note(f"phase target {text!r}", error.message))
            continue
        chosen.setdefault(str(target), target)
        if str(target) in state.labels:  # a phase target that a plan also missed
            state.labels[str(target)] = "also " + state.labels[str(target)]
    for expression in by_expression:
        chosen.setdefault(expression, parse_target(expression))
    for ids in by_expression.values():
        if len(ids) > 1:
            state.same_target[ids[0]] = tuple(ids[1:])
    return [(target, by_expression[key][0] if key in by_expression else None) for key, target in chosen.items()]


# ---------------------------------------------------------------------------------- clusters


def _cluster_works(gaps: Sequence[OpenGap], targets: list[tuple[Target, str | None]],
                   state: Ledger, earlier: Snapshot | None) -> list[Work]:
    snapshot = state.snapshot
    own = {gap.source: gap.id for gap in gaps if gap.kind == "cluster"}
    present = {cluster.signature for cluster in snapshot.clusters}
    for signature, gap_id in sorted(own.items()):
        if signature not in present:
            state.notes.append(Note(f"gap {gap_id}", "its failure cluster is not in the latest snapshot; "
                                    f"`plan verify {state.phase_id}` will close it"))
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
    test_files = cluster.files or tuple(sorted({t.split("::")[0] for t in cluster.test_ids if "::" in t}))
    run = arith.lines_run_by(state.snapshot.contexts, tests, state.test_index())
    sources = tuple(sorted(set(run) | set(gained), key=lambda p: (-(run.get(p, 0) + gained.get(p, 0)), p)))
    risk = _at_risk(tests, state)
    return Work(
        kind="cluster", title=_cluster_title(cluster, test_files, blocks is not None),
        priority=(f"blocks measurement: {blocks}" if blocks else
                  f"{len(cluster.test_ids)} failing test(s) fixed by removing one cause"),
        gaps=(gap_id,) if gap_id else (), targets=tuple(targets), gained=gained,
        fixed=(failed, errors, 1), blocks=blocks is not None,
        evidence=ClusterEvidence(
            signature=cluster.signature, error_type=cluster.error_type, count=len(cluster.test_ids), failed=failed,
            errors=errors, examples=cluster.example_ids, sample_message=cluster.sample_message, restore=restore,
            at_risk=risk, test_files=test_files, source_files=sources,
            sources_note=None if state.snapshot.contexts else
            f"which source files these tests run cannot be known: {state.no_contexts}"),
    )


def _cluster_title(cluster: FailureCluster, test_files: tuple[str, ...], blocks: bool) -> str:
    """Names the work: which tests, where, and the cause they share."""
    count = len(cluster.test_ids)
    where = ", ".join(Path(path).name for path in test_files[:3]) + (" and others" if len(test_files) > 3 else "")
    place = f" in {where}" if where else ""
    cause = cluster.signature if len(cluster.signature) <= 72 else cluster.signature[:71] + "…"
    if blocks:
        return f"Make {count} test(s){place} run again: {cause}"
    return f"Fix {count} test(s){place} failing with {cause}"


def _restore(tests: frozenset[str], state: Ledger, earlier: Snapshot | None) -> tuple[dict[str, int], str]:
    """Statements fixing the cluster restores (from an earlier snapshot's contexts), and the text."""
    latest = state.snapshot
    if earlier is None:
        reason = state.no_contexts if not latest.contexts else (
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
            state.files[path] = counts.with_covered(counts.covered + len(fresh))
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
