"""The PLAN draft of one recommendation, for `plan handoff --scaffold`: its tasks, files, evidence,
expected impact, wave and `requires:`, each line from the recommendation's own numbers."""

from __future__ import annotations

from collections.abc import Mapping

from planner.handoff.types import ClusterEvidence, CoverageEvidence, Recommendation
from planner.tree.plan_draft import PlanDraft, PlanTask


def draft_of(rec: Recommendation, plan_ids: Mapping[int, str], waves: Mapping[str, int],
             handoff_name: str) -> PlanDraft:
    """The draft of one recommendation; `plan_ids` maps every recommendation's rank to the id of
    its plan and `waves` the plans already drafted to their waves."""
    requires = tuple(plan_ids[int(text.split()[-1])] for text in rec.requires
                     if int(text.split()[-1]) in plan_ids)
    wave = 1 + max((waves.get(plan, 1) for plan in requires), default=0)
    if isinstance(rec.evidence, ClusterEvidence):
        tasks, files, evidence = _cluster_parts(rec.evidence, rec.targets)
    else:
        tasks, files, evidence = _coverage_parts(rec.evidence, rec.targets)
    closes = ", ".join(rec.closes) or "-"
    together = [f"{item.gap} (with {', '.join(plan_ids.get(r, f'#{r}') for r in item.with_)})"
                for item in rec.closes_with]
    objective = (f"{rec.title}, as recommended (#{rec.rank}) in {handoff_name}. Priority: "
                 f"{rec.priority}. Closes: {closes}"
                 + (f"; together with other plans: {'; '.join(together)}" if together else "")
                 + (f"; moves toward, without closing: {', '.join(rec.moves_toward)}" if rec.moves_toward else "")
                 + ".")
    impact = [f"- `{item.target}`: {item.delta} ({item.arithmetic})" for item in rec.impacts]
    impact += [f"- overall `{item.metric}`: {item.now} -> {item.after}, {item.delta} "
               f"({item.arithmetic})" for item in rec.overall]
    artifacts = [{"path": path, "provides": "code or tests this plan changes (from the handoff's evidence)"}
                 for path in files]
    return PlanDraft(requires=requires, wave=wave, files_modified=tuple(files), tasks=tuple(tasks), objective=objective,
                     evidence=tuple(evidence), impact=tuple(impact or ["- none on the targets that can be computed"]),
                     must_haves={"truths": [], "artifacts": artifacts, "key_links": []})


Parts = tuple[list[PlanTask], list[str], list[str]]  # tasks, files to modify, evidence lines


def _cluster_parts(evidence: ClusterEvidence, targets: tuple[str, ...]) -> Parts:
    files = [*evidence.test_files, *evidence.source_files]
    examples = evidence.examples
    sample = f" (for example: {evidence.sample_message})" if evidence.sample_message else ""
    done = ", ".join(f"`{t}`" for t in targets) or "the tests pass"
    task = PlanTask(
        name=f"Remove the cause of `{evidence.signature}`",
        files=tuple(files),
        action=(f"{evidence.count} test(s) ({evidence.failed} failed, {evidence.errors} in error) "
                f"share this cause{sample}. Run {', '.join(f'`{e}`' for e in examples)}, find the one "
                "cause, fix it in the code (or in the tests, if they assert the wrong thing); do not "
                "skip or delete the tests."),
        verify=f"`python -m pytest {' '.join(examples)}` passes; then `plan measure`",
        done=f"{done} on the new snapshot",
    )
    lines = [f"- {evidence.count} test(s) share `{evidence.signature}`; examples: "
             + ", ".join(f"`{e}`" for e in examples),
             f"- tests: {', '.join(evidence.test_files) or 'not recorded in the test report'}",
             f"- sources: {', '.join(evidence.source_files) or evidence.sources_note or 'none recorded'}",
             f"- coverage this fix restores: {evidence.restore}"]
    if evidence.at_risk:
        lines.append(f"- at risk: {evidence.at_risk}")
    return [task], files, lines


def _coverage_parts(evidence: CoverageEvidence, targets: tuple[str, ...]) -> Parts:
    tests = list(evidence.test_files)
    tasks = []
    for row, target in zip(evidence.files, targets, strict=True):
        where = f" (missing lines: {row.missing_lines})" if row.missing_lines else ""
        tasks.append(PlanTask(
            name=f"Cover {row.to_cover} more statement(s) of {row.path}",
            files=(row.path, *tests),
            action=(f"Write tests that run {row.to_cover} of the {row.missing} statements of "
                    f"`{row.path}` no test runs now{where}; {row.before}% -> {row.after}%."),
            verify="`plan measure`, then `plan status`",
            done=f"`{target}` holds on the new snapshot ({row.path} at {row.after}% or more)",
        ))
    branches = evidence.branches
    head = "| File | Statements | Covered | Missing |" + (" Branches | Covered branches |" if branches else "")
    rule = "|------|-----------:|--------:|--------:|" + ("---------:|-----------------:|" if branches else "")
    table = [head + " Now | After | To cover | Points | Overall |",
             rule + "----:|------:|---------:|-------:|--------:|"]
    for row in evidence.files:
        extra = f" {row.branches} | {row.covered_branches} |" if branches else ""
        table.append(f"| `{row.path}` | {row.statements} | {row.covered} | {row.missing} |{extra} "
                     f"{row.before}% | {row.after}% | {row.to_cover} | {row.points} | "
                     f"{row.overall_points} |")
    lines = [f"Toward `{evidence.target}`: {evidence.goal_note}.", "", *table, "",
             f"- tests that run these files: {', '.join(tests) or evidence.tests_note or 'none yet'}"]
    return tasks, [row.path for row in evidence.files] + tests, lines
