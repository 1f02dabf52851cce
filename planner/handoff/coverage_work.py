"""Coverage work of a handoff: which files to raise, how far, in plans of a few files each.

Each coverage target the phase misses (`coverage`, `line_coverage` >= / >, `missing` <= / <) gets
the least statements that meet it as it is judged, from the files with the most to cover; files
the coverage configuration omits and lines that can never run here are left out, and the notes
say so. The arithmetic is `planner.handoff.arithmetic`; what a plan moves is `planner.handoff.projection`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from pathlib import Path

from planner.evidence.snapshot import Snapshot
from planner.handoff import arithmetic as arith
from planner.handoff.projection import (
    HELD,
    Ledger,
    Work,
    counts_branches,
    goal_of,
    passes_for,
    selected_files,
    shown,
    status_of,
    value_now,
    weight_text,
)
from planner.handoff.types import CoverageEvidence, FileRow, Note
from planner.handoff.version_guards import interpreter, unreachable_lines
from planner.model import Project
from planner.targets import Target, format_number

_MAX_SOURCE_BYTES = 2_000_000  # larger files are not read for version guards


def left_out_files(project: Project, snapshot: Snapshot, state: Ledger) -> dict[str, str]:
    """Measured files no plan should raise, each with the reason: those the coverage
    configuration omits (a snapshot taken before the configuration changed still has them)."""
    from planner.evidence.coverage_config import omit_rules

    rules = omit_rules(project.root)
    if rules.problem:
        state.notes.append(Note("the coverage configuration", f"{rules.problem}; no file "
                            "was left out for it"))
    return {path: f"omitted by `[run] omit` in {rules.source}" for path in snapshot.files
            if rules.patterns and rules.omits(project.root, path)}





def coverage_works(targets: list[tuple[Target, str | None]], state: Ledger,
                    per_plan: int, per_target: int) -> list[Work]:
    wanted = []
    for target, gap_id in targets:
        if gap_id is None or status_of(target, value_now(target, state)) != "FAIL":
            continue
        raising = target.metric in ("coverage", "line_coverage") and target.op in (">=", ">")
        if raising or (target.metric == "missing" and target.op in ("<=", "<")):
            with_branches = counts_branches(target.metric, state)
            weight = sum(f.weight(with_branches) for f in selected_files(target, state))
            wanted.append((weight, str(target), target, gap_id))
    works: list[Work] = []
    for weight, _, target, gap_id in sorted(wanted, key=lambda item: (item[0], item[1])):
        works += _coverage_target_works(target, gap_id, weight, state, per_plan, per_target)
    return works


def _coverage_target_works(target: Target, gap_id: str, weight: int, state: Ledger,
                           per_plan: int, per_target: int) -> list[Work]:
    selection = selected_files(target, state)
    chosen_files = [replace(f, unreachable=_never_run(f.path, state, target))
                    for f in selection if f.path not in state.left_out]
    for file in selection:
        if file.path in state.left_out and file.missing:
            state.notes.append(Note(f"`{file.path}` toward `{target}`", (
                f"not recommended: {state.left_out[file.path]}; its {file.missing} missing statement(s) "
                "still count in this snapshot's numbers until the next `plan measure`")))
    if target.metric == "missing":
        missing = sum(f.missing for f in selection)
        limit = int(target.threshold) if target.threshold == int(target.threshold) else math.floor(target.threshold)
        if target.op == "<" and limit == target.threshold:
            limit -= 1
        raises, short = arith.cover_missing(chosen_files, missing - max(limit, 0), per_target)
    else:
        with_branches = counts_branches(target.metric, state)
        passes = passes_for(target)
        needed = arith.least_to_pass(weight, sum(f.hits(with_branches) for f in selection),
                                     goal_of(target), passes)
        available = sum(f.coverable for f in chosen_files)
        if needed > available:
            state.notes.append(Note(f"`{target}`", (
                f"covering all {available} missing statement(s) still leaves it short: its uncovered "
                f"branches ({HELD}) need {needed - available} more covered, which planner has no "
                "arithmetic for")))
            needed = available
        raises, short = arith.choose_raises(chosen_files, goal_of(target), needed, per_target,
                                            with_branches=with_branches, passes=passes)
        for item in raises:
            if not item.reaches:
                state.notes.append(Note(f"`{item.file.path}` toward `{target}`", (
                    f"covering all its statements leaves it at {shown(target.metric, item.percent_after)}%: "
                    f"its uncovered branches ({HELD}) keep it below {shown(target.metric, item.goal)}%")))
    if short:
        state.notes.append(Note(f"`{target}`", f"the top {len(raises)} file(s) leave "
                            f"{short} statement(s) short; the path to target shows it"))
    works = [_coverage_work(target, gap_id, weight, group, state) for group in arith.chunks(raises, per_plan)]
    for item in raises:
        state.files[item.file.path] = item.file.with_covered(item.file.covered + item.to_cover)
    return works


def _never_run(path: str, state: Ledger, target: Target) -> int:
    """Missing statements of `path` that can never run under the interpreter in use (noted once)."""
    if path not in state.unreachable:
        state.unreachable[path] = count = _count_never_run(path, state)
        if count:
            state.notes.append(Note(f"{count} missing line(s) of `{path}`", (
                f"never run under {interpreter()} (version guards, TYPE_CHECKING): not counted as work "
                f"toward `{target}`, though they count in the snapshot's numbers")))
    return state.unreachable[path]


def _count_never_run(path: str, state: Ledger) -> int:
    item = state.snapshot.files.get(path)
    if state.root is None or item is None or not item.missing_lines or item.sha256 is None:
        return 0
    source = state.root / path
    try:
        if not source.is_file() or source.stat().st_size > _MAX_SOURCE_BYTES:
            return 0
        data = source.read_bytes()
    except OSError:
        return 0
    if hashlib.sha256(data).hexdigest() != item.sha256:  # changed since measured: lines may differ
        return 0
    return len(unreachable_lines(data.decode("utf-8", errors="replace")) & set(item.missing_lines))


def _file_row(item: arith.FileRaise, target: Target, weight: int, overall: int, missing_lines: str) -> FileRow:
    metric = "line_coverage" if target.metric == "missing" else target.metric
    before, after = shown(metric, item.percent_before), shown(metric, item.percent_after)
    file_weight = item.file.weight(item.with_branches)
    gain, overall_gain = arith.format_fixed(item.points(weight)), arith.format_fixed(item.points(overall))
    return FileRow(
        path=item.file.path, statements=item.file.statements, covered=item.file.covered,
        missing=item.file.missing, branches=item.file.branches,
        covered_branches=item.file.covered_branches, before=before, after=after,
        to_cover=item.to_cover, reaches=item.reaches, missing_lines=missing_lines,
        points=gain, overall_points=overall_gain,
        arithmetic=(f"{item.to_cover} missing statement(s) covered" if target.metric == "missing" else
                    f"({after} - {before}) x {file_weight} / {weight} = {gain} points"),
        overall_arithmetic=f"{item.to_cover} statement(s) x 100 / {overall} = {overall_gain} points",
    )


def _line_ranges(state: Ledger, path: str) -> str:
    """The file's missing lines as measured, as ranges: `12-18, 40, 52-60`."""
    item = state.snapshot.files.get(path)
    lines = sorted(item.missing_lines) if item is not None else []
    ranges: list[list[int]] = []
    for line in lines:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _file_target(item: arith.FileRaise, target: Target) -> str:
    """The plan's own target for one file: the goal as judged, or as far as statements go."""
    if target.metric == "missing":
        return f"missing[{item.file.path}] <= {item.file.missing - item.to_cover}"
    if item.reaches:
        return f"{target.metric}[{item.file.path}] {target.op} {format_number(target.threshold)}"
    return f"{target.metric}[{item.file.path}] >= {shown(target.metric, item.percent_after)}"


def _coverage_title(group: tuple[arith.FileRaise, ...], target: Target) -> str:
    if target.metric == "missing":
        count = sum(item.to_cover for item in group)
        names = ", ".join(Path(item.file.path).name for item in group)
        return f"Cover {count} missing statement(s) in {names}"
    metric = target.metric
    word = "line coverage" if metric == "line_coverage" else "coverage"
    afters = [shown(metric, item.percent_after) for item in group]
    if len(set(afters)) == 1:
        return f"Raise {word} of {', '.join(Path(i.file.path).name for i in group)} to {afters[0]}%"
    each = (f"{Path(i.file.path).name} to {a}%" for i, a in zip(group, afters, strict=True))
    return f"Raise {word} of " + ", ".join(each)


def _coverage_work(target: Target, gap_id: str, weight: int, group: tuple[arith.FileRaise, ...],
                   state: Ledger) -> Work:
    overall = sum(f.weight(state.snapshot.has_branches) for f in state.files.values())
    rows = tuple(_file_row(item, target, weight, overall, _line_ranges(state, item.file.path)) for item in group)
    tests = _covering_test_files(group, state)
    with_branches = counts_branches(target.metric, state)
    unit = "unit" if with_branches else "statement"
    if target.metric == "missing":
        goal_text, goal_note = "", "each file's missing statements covered, most first"
        priority = f"1 missing statement of `{target}` per statement covered"
    else:
        goal_text = shown(target.metric, goal_of(target))
        goal_note = (f"each file raised to the least coverage that meets `{target}` as it is judged "
                     f"(its value rounded to 2 places), not to 100%")
        if with_branches:
            goal_note += f"; coverage counts statements and branches together, {HELD}"
        priority = (f"{arith.format_fixed(arith.points(1, weight), 4)} points of `{target}` per "
                    f"statement covered ({weight_text(selected_files(target, state), with_branches)}"
                    f"{'' if with_branches else ' statements'} in the selection)")
    return Work(
        kind="coverage", title=_coverage_title(group, target), priority=priority,
        gaps=(), targets=tuple(_file_target(item, target) for item in group),
        gained={item.file.path: item.to_cover for item in group},
        evidence=CoverageEvidence(
            target=str(target), metric=target.metric, goal=goal_text, goal_note=goal_note, files=rows,
            selection_statements=weight, unit=unit, branches=with_branches, test_files=tests,
            tests_note=None if state.snapshot.contexts else
            f"which tests exercise these files cannot be known: {state.no_contexts}"),
    )


def _covering_test_files(group: tuple[arith.FileRaise, ...], state: Ledger) -> tuple[str, ...]:
    found: set[str] = set()
    for item in group:
        for ids in state.snapshot.contexts.get(item.file.path, {}).values():
            found.update(t.split("::")[0] for t in ids if "::" in t)
    return tuple(sorted(found))
