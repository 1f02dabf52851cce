"""A PLAN draft a team can start from: one recommendation of `plan handoff` turned into tasks,
files to modify, its evidence, its expected impact, targets, `closes:` and `requires:`.

`draft_of` builds it from the report data of one recommendation; `planner.scaffold.new_plan`
writes it (frontmatter fields below, the body through `plan.md.j2`). Nothing here is guessed:
every line comes from the recommendation, which comes from the snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlanDraft:
    """What a scaffolded PLAN says beyond its title, targets and `closes:`."""

    requires: tuple[str, ...] = ()  # plan ids, in priority order
    wave: int = 1  # one more than the latest wave it requires
    files_modified: tuple[str, ...] = ()
    tasks: tuple[Mapping[str, Any], ...] = ()  # name, files, action, verify, done
    objective: str = ""
    evidence: tuple[str, ...] = ()  # Markdown lines
    impact: tuple[str, ...] = ()  # Markdown lines
    must_haves: Mapping[str, Any] = field(default_factory=dict)

    def frontmatter(self) -> dict[str, Any]:
        """The GSD keys a plan needs (`gsd-tools verify plan-structure`), from this draft."""
        return {"wave": self.wave, "depends_on": list(self.requires),
                "files_modified": list(self.files_modified), "autonomous": True,
                "must_haves": dict(self.must_haves)}

    def context(self) -> dict[str, Any]:
        """What `plan.md.j2` renders."""
        return {"objective": self.objective, "tasks": [dict(task) for task in self.tasks],
                "evidence": list(self.evidence), "impact": list(self.impact),
                "requires": list(self.requires)}


def draft_of(rec: Mapping[str, Any], plan_ids: Mapping[int, str], waves: Mapping[str, int],
             handoff_name: str) -> PlanDraft:
    """The draft of one recommendation; `plan_ids` maps every recommendation's rank to the id of
    its plan and `waves` the plans already drafted to their waves."""
    requires = tuple(plan_ids[int(text.split()[-1])] for text in rec["requires"]
                     if int(text.split()[-1]) in plan_ids)
    wave = 1 + max((waves.get(plan, 1) for plan in requires), default=0)
    if rec["kind"] == "cluster":
        tasks, files, evidence = _cluster_parts(rec)
    else:
        tasks, files, evidence = _coverage_parts(rec)
    closes = ", ".join(rec["closes"]) or "-"
    together = [f"{item['gap']} (with {', '.join(plan_ids.get(r, f'#{r}') for r in item['with'])})"
                for item in rec["closes_with"]]
    objective = (f"{rec['title']}, as recommended (#{rec['rank']}) in {handoff_name}. Priority: "
                 f"{rec['priority']}. Closes: {closes}"
                 + (f"; together with other plans: {'; '.join(together)}" if together else "")
                 + (f"; moves toward, without closing: {', '.join(rec['moves_toward'])}" if rec["moves_toward"] else "")
                 + ".")
    impact = [f"- `{item['target']}`: {item['delta']} ({item['arithmetic']})" for item in rec["impacts"]]
    impact += [f"- overall `{item['metric']}`: {item['now']} -> {item['after']}, {item['delta']} "
               f"({item['arithmetic']})" for item in rec["overall"]]
    artifacts = [{"path": path, "provides": "code or tests this plan changes (from the handoff's evidence)"}
                 for path in files]
    return PlanDraft(requires=requires, wave=wave, files_modified=tuple(files), tasks=tuple(tasks), objective=objective,
                     evidence=tuple(evidence), impact=tuple(impact or ["- none on the targets that can be computed"]),
                     must_haves={"truths": [], "artifacts": artifacts, "key_links": []})


def _cluster_parts(rec: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    evidence = rec["evidence"]
    files = [*evidence["test_files"], *evidence["source_files"]]
    examples = evidence["examples"]
    sample = f" (for example: {evidence['sample_message']})" if evidence.get("sample_message") else ""
    targets = ", ".join(f"`{t}`" for t in rec["targets"]) or "the tests pass"
    task = {
        "name": f"Remove the cause of `{evidence['signature']}`",
        "files": files,
        "action": (f"{evidence['count']} test(s) ({evidence['failed']} failed, {evidence['errors']} in error) "
                   f"share this cause{sample}. Run {', '.join(f'`{e}`' for e in examples)}, find the one "
                   "cause, fix it in the code (or in the tests, if they assert the wrong thing); do not "
                   "skip or delete the tests."),
        "verify": f"`python -m pytest {' '.join(examples)}` passes; then `plan measure`",
        "done": f"{targets} on the new snapshot",
    }
    lines = [f"- {evidence['count']} test(s) share `{evidence['signature']}`; examples: "
             + ", ".join(f"`{e}`" for e in examples),
             f"- tests: {', '.join(evidence['test_files']) or 'not recorded in the test report'}",
             f"- sources: {', '.join(evidence['source_files']) or evidence['sources_note'] or 'none recorded'}",
             f"- coverage this fix restores: {evidence['restore']}"]
    if evidence.get("at_risk"):
        lines.append(f"- at risk: {evidence['at_risk']}")
    return [task], files, lines


def _coverage_parts(rec: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    evidence = rec["evidence"]
    tests = list(evidence["test_files"])
    tasks = []
    for row, target in zip(evidence["files"], rec["targets"], strict=True):
        where = f" (missing lines: {row['missing_lines']})" if row.get("missing_lines") else ""
        tasks.append({
            "name": f"Cover {row['to_cover']} more statement(s) of {row['path']}",
            "files": [row["path"], *tests],
            "action": (f"Write tests that run {row['to_cover']} of the {row['missing']} statements of "
                       f"`{row['path']}` no test runs now{where}; {row['before']}% -> {row['after']}%."),
            "verify": "`plan measure`, then `plan status`",
            "done": f"`{target}` holds on the new snapshot ({row['path']} at {row['after']}% or more)",
        })
    branches = evidence.get("branches")
    head = "| File | Statements | Covered | Missing |" + (" Branches | Covered branches |" if branches else "")
    rule = "|------|-----------:|--------:|--------:|" + ("---------:|-----------------:|" if branches else "")
    table = [head + " Now | After | To cover | Points | Overall |",
             rule + "----:|------:|---------:|-------:|--------:|"]
    for row in evidence["files"]:
        extra = f" {row['branches']} | {row['covered_branches']} |" if branches else ""
        table.append(f"| `{row['path']}` | {row['statements']} | {row['covered']} | {row['missing']} |{extra} "
                     f"{row['before']}% | {row['after']}% | {row['to_cover']} | {row['points']} | "
                     f"{row['overall_points']} |")
    lines = [f"Toward `{evidence['target']}`: {evidence['goal_note']}.", "", *table, "",
             f"- tests that run these files: {', '.join(tests) or evidence['tests_note'] or 'none yet'}"]
    return tasks, [row["path"] for row in evidence["files"]] + tests, lines
