"""Lint: what the reader diagnosed, unknown PLAN keys, duplicate plan ids, the dependency graph."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims
from planner.errors import InputError
from planner.ids import plan_key
from planner.model import Plan, Project
from planner.tree.frontmatter import read_document
from planner.tree.schema import unknown_plan_keys


def diagnostic_findings(project: Project) -> list[Finding]:
    """The reader's diagnostics (FM*, SCH*, TREE*) as findings, with the registry's severities."""
    findings = []
    for diagnostic in project.diagnostics:
        if (diagnostic.code == "SCH001" and diagnostic.path.is_file()
                and not read_document(diagnostic.path).has_frontmatter):
            continue  # `**Priority**: 2 (after setup)` in a body is prose, not a typed value
        line = diagnostic.line if diagnostic.line or diagnostic.path.is_dir() else 1
        findings.append(make(project.relative(diagnostic.path), line, diagnostic.code, diagnostic.message))
    return findings


def unknown_keys(project: Project) -> list[Finding]:
    """LNT101 for each PLAN frontmatter key that neither planner nor GSD defines."""
    findings = []
    for plan in project.plans:
        if plan.plan_path is None or not plan.unknown_keys:
            continue
        document = read_document(plan.plan_path)
        if not document.has_frontmatter:
            continue  # metadata read from bold lines: not frontmatter, no schema to hold it to
        for key in unknown_plan_keys(document.meta):
            findings.append(make(project.relative(plan.plan_path), document.line_of(key) or 1, "LNT101",
                                 f"unknown PLAN key '{key}': not in planner's schema or GSD's"))
    return findings


def bad_targets(project: Project) -> list[Finding]:
    """LNT105 for each target expression in a PLAN or GOAL file that does not parse."""
    from planner.targets.sources import goal_path, targets_in

    sources = [(plan.plan_path, list(plan.targets)) for plan in project.plans if plan.targets]
    sources += [(goal_path(phase.directory), list(phase.targets)) for phase in project.phases if phase.targets]
    findings = []
    for path, texts in sources:
        try:
            targets_in(path, texts)
        except InputError as error:  # the parser stops at a file's first bad expression
            where = error.path if error.path is not None else path
            findings.append(make(project.relative(where) if where else "?", error.line or 1, "LNT105",
                                 f"target expression: {error.message}"))
    return findings


def _plan_file(plan: Plan) -> Path | None:
    return plan.plan_path or (plan.summary_paths[0] if plan.summary_paths else None)


def duplicate_ids(project: Project) -> list[Finding]:
    """LNT102 for every plan whose id an earlier plan of the same root already has."""
    first: dict[str, Plan] = {}
    findings = []
    for plan in project.plans:
        key = str(plan.id)
        if key not in first:
            first[key] = plan
            continue
        path, other = _plan_file(plan), _plan_file(first[key])
        if path is None:
            continue
        where = project.relative(other.parent) if other is not None else "another folder"
        findings.append(make(project.relative(path), 1, "LNT102",
                             f"plan id {key} is also used in {where}: commands naming {key} are ambiguous"))
    return findings


_SLUGGED = re.compile(r"^(?P<phase>[^-]+)-(?P<slug>.+)-(?:GAP(?:[_-]?CLOSURE)?[-_]?)?\d+[A-Za-z]?"
                      r"(?:-PLAN(?:\.md)?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class _FolderNames:
    """The phase folders' names as a dependency entry may spell a phase: each whole name and each
    start of one up to a dash (`311-coverage` of `311-coverage-wave-4`), and each slug."""

    phases: frozenset[str]
    slugs: frozenset[str]

    @classmethod
    def of(cls, folders: Iterable[str]) -> _FolderNames:
        phases: set[str] = set()
        slugs: set[str] = set()
        for folder in folders:
            parts = folder.split("-")
            phases.update("-".join(parts[:end]) for end in range(1, len(parts) + 1))
            if len(parts) > 1:
                slugs.add(folder.split("-", 1)[1])
        return cls(frozenset(phases), frozenset(slugs))


def _plan_reference(text: str, folders: _FolderNames) -> str | None:
    """The plan a dependency entry names, or None when it names a phase (`311-coverage-wave-4`, a
    folder's name or the start of one) or nothing. A slug holding digits names a plan only when it
    is the slug of one of the phase folders (`08-80-percent-coverage-push-23` is plan 08-23)."""
    token = text.strip()
    if token in folders.phases:
        return None
    key = plan_key(token)
    slugged = _SLUGGED.match(token)
    if key is None or slugged is None or not re.search(r"\d", slugged["slug"]):
        return key
    return key if slugged["slug"] in folders.slugs else None


def dangling_references(project: Project, summaries: Iterable[tuple[Plan, str, SummaryClaims]]
                        ) -> list[Finding]:
    """LNT103 for requires / affects / depends_on entries that name a plan the root does not have."""
    known = {str(plan.id) for plan in project.plans}
    folders = _FolderNames.of(phase.directory.name for phase in project.phases)
    findings = []
    for plan in project.plans:
        if plan.plan_path is None:
            continue
        rel = project.relative(plan.plan_path)
        document = None
        for reference in plan.depends_on:
            target = _plan_reference(reference, folders)
            if target is not None and target not in known:
                document = document or read_document(plan.plan_path)
                findings.append(make(rel, document.line_of("depends_on") or 1, "LNT103",
                                     f"depends_on names plan {target}, which has no PLAN or SUMMARY here"))
    for _, rel, claims in summaries:
        for claim in claims.references:
            target = _plan_reference(claim.value, folders)
            if target is not None and target not in known:
                findings.append(make(rel, claim.line, "LNT103",
                                     f"names plan {target} as a dependency, but there is no such plan here"))
    return findings


def cycles(project: Project) -> list[Finding]:
    """LNT104 once per dependency cycle among plans' depends_on, at the first plan of the cycle."""
    edges: dict[str, list[str]] = defaultdict(list)
    plans = {str(plan.id): plan for plan in project.plans}
    for key, plan in plans.items():
        for reference in plan.depends_on:
            target = plan_key(reference)
            if target in plans and target != key:
                edges[key].append(target)
    findings = []
    reported: set[frozenset[str]] = set()
    for cycle in _find_cycles(edges):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        start = plans[cycle[0]]
        path = _plan_file(start)
        if path is None:
            continue
        line = read_document(path).line_of("depends_on") or 1
        chain = " -> ".join([*cycle, cycle[0]])
        findings.append(make(project.relative(path), line, "LNT104", f"dependency cycle: {chain}"))
    return findings


def _find_cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Cycles found by iterative depth-first search, each rotated to start at its least id."""
    state: dict[str, int] = {}
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in state:
            continue
        stack: list[str] = [root]
        pending: list[list[str]] = [list(edges.get(root, ()))]
        state[root] = 1
        while stack:
            if not pending[-1]:
                state[stack.pop()] = 2
                pending.pop()
                continue
            target = pending[-1].pop()
            if state.get(target) == 1:
                cycle = stack[stack.index(target):]
                low = cycle.index(min(cycle))
                found.append(cycle[low:] + cycle[:low])
            elif target not in state:
                state[target] = 1
                stack.append(target)
                pending.append(list(edges.get(target, ())))
    return found
