"""STATE.md and ROADMAP.md against themselves and against the plan files.

A STATE percent is accepted under any definition the GSD tools use (plans done over plans, phases
done over phases, the lower of the two), computed from the document's own counts, rounded or
truncated; only a percent that fits none of them is an error.
"""

from __future__ import annotations

import re
from collections import Counter

from planner.check.findings import Finding, make
from planner.errors import InputError
from planner.facts.progress import measure_progress
from planner.ids import PlanId, plan_key
from planner.model import Plan, Project
from planner.tree.frontmatter import Document, read_document
from planner.tree.values import as_int

_BAR = re.compile(r"(?P<bar>[█▓■●]*[░▒□○]*)\]?\s*\(?(?P<percent>\d{1,3}(?:\.\d+)?)\s*%")
_CHECKBOX = re.compile(r"^\s*[-*]\s+\[(?P<mark>[ xX])\]\s+(?:\*\*)?(?:Plan\s+)?"
                       r"(?P<token>(?P<phase>\d+[A-Za-z]?(?:\.\d+)*)-(?P<part>(?:GAP-)?\d+[A-Za-z]?)"
                       r"(?:-PLAN(?:\.md)?)?(?=$|[\s:*—–-])[\w.-]*)")
_PHASE_TITLE = re.compile(r"Phase\s+(?P<number>\d+[A-Za-z]?(?:\.\d+)*)\s*[:.\-—–]\s*(?P<title>[^*\n]+)")
_WORD = re.compile(r"[a-z0-9]{4,}")
_COUNT_KEYS = ("total_phases", "completed_phases", "total_plans", "completed_plans")


def check_progress_documents(project: Project) -> list[Finding]:
    findings: list[Finding] = []
    state = project.planning_dir / "STATE.md"
    if state.is_file():
        document = read_document(state)
        rel = project.relative(state)
        findings.extend(_state_counts(project, rel, document))
        findings.extend(_bars(rel, document))
    roadmap = project.planning_dir / "ROADMAP.md"
    if roadmap.is_file():
        document = read_document(roadmap)
        findings.extend(_bars(project.relative(roadmap), document))
        findings.extend(_checkboxes(project, project.relative(roadmap), document))
    return findings


def _key_line(document: Document, key: str, after: int) -> int:
    for offset, text in enumerate(document.frontmatter_text.split("\n")):
        if offset + 2 > after and text.strip().startswith(f"{key}:"):
            return offset + 2
    return after


def _state_counts(project: Project, rel: str, document: Document) -> list[Finding]:
    progress = document.meta.get("progress")
    if not isinstance(progress, dict):
        return []
    anchor = document.line_of("progress") or 1
    counts = {key: as_int(progress.get(key)) for key in _COUNT_KEYS}
    findings = []
    for kind in ("phases", "plans"):
        done, total = counts[f"completed_{kind}"], counts[f"total_{kind}"]
        if done is not None and total is not None and done > total:
            findings.append(make(rel, _key_line(document, f"completed_{kind}", anchor), "DOC601",
                                 f"completed_{kind} is {done} but total_{kind} is {total}"))
    percent = as_int(progress.get("percent"))
    if percent is not None:
        accepted = _accepted_percents(counts)
        if accepted and percent not in accepted:
            findings.append(make(rel, _key_line(document, "percent", anchor), "DOC602",
                                 f"percent is {percent} but the counts above give "
                                 f"{' or '.join(str(p) for p in sorted(accepted))}"))
    findings.extend(_against_files(project, rel, document, counts, anchor))
    return findings


def _accepted_percents(counts: dict[str, int | None]) -> set[int]:
    fractions = []
    for kind in ("plans", "phases"):
        done, total = counts[f"completed_{kind}"], counts[f"total_{kind}"]
        if done is not None and total:
            fractions.append(min(done, total) / total)
    if len(fractions) == 2:
        fractions.append(min(fractions))
    accepted = set()
    for fraction in fractions:
        exact = fraction * 100
        accepted.update({int(exact), round(exact), min(100, int(exact) + 1) if exact % 1 else int(exact)})
    return accepted


_ROADMAP_PHASE = re.compile(r"^\s*(?:#{2,4}\s+|[-*]\s+\[[ xX]\]\s+(?:\*\*)?)Phase\s+"
                            r"(?P<number>\d+[A-Za-z]?(?:\.\d+)*)\b", re.IGNORECASE | re.MULTILINE)


def _roadmap_phases(project: Project) -> list[str]:
    """Phase numbers the ROADMAP.md lists (headings or checklist items), as phase keys."""
    from planner.ids import PhaseNumber

    roadmap = project.planning_dir / "ROADMAP.md"
    if not roadmap.is_file():
        return []
    found: dict[str, None] = {}
    for match in _ROADMAP_PHASE.finditer(read_document(roadmap).body):
        try:
            found[str(PhaseNumber.parse(match["number"]))] = None
        except InputError:
            continue
    return list(found)


def _readings(project: Project) -> dict[str, dict[str, int]]:
    """Every count a STATE.md may mean, by what it counts: all phase folders, the phases its
    ROADMAP lists (the milestone it describes), and for `total_phases` the ROADMAP's phases with
    no folder yet too."""
    readings: dict[str, dict[str, int]] = {key: {} for key in _COUNT_KEYS}
    every = measure_progress(project.phases).as_dict()
    for key in _COUNT_KEYS:
        readings[key]["all folders"] = every[key]
    listed = _roadmap_phases(project)
    if listed:
        mine = tuple(phase for phase in project.phases if phase.number is not None and str(phase.number) in listed)
        subset = measure_progress(mine).as_dict()
        for key in _COUNT_KEYS:
            readings[key]["the ROADMAP's phases"] = subset[key]
        readings["total_phases"]["the ROADMAP's phases with a folder"] = subset["total_phases"]
        readings["total_phases"]["the ROADMAP's phases"] = len(listed)
    return readings


def _shown(key: str, count: int, readings: dict[str, int]) -> str:
    """`completed_phases 12 (files: 31 in all folders, 11 in the ROADMAP's phases)`."""
    values = list(dict.fromkeys(readings.values()))
    if len(values) == 1:
        return f"{key} {count} (files: {values[0]})"
    return f"{key} {count} (files: " + ", ".join(f"{value} in {label}" for label, value in readings.items()) + ")"


def _against_files(project: Project, rel: str, document: Document, counts: dict[str, int | None],
                   anchor: int) -> list[Finding]:
    """DOC603 as GSD reads a STATE: a count below what the files show is stale (GSD rebuilds it
    from the files); a count above them is a curated aggregate GSD keeps (#3242), right when there
    is somewhere else for the extra to be: archived milestones, workstreams, the planning roots of a
    monorepo below this one, ROADMAP phases with no folder here. Then it is an info saying where."""
    readings = _readings(project)
    stale: list[str] = []
    beyond: list[str] = []
    for key in _COUNT_KEYS:
        count = counts[key]
        if count is None or count in readings[key].values():
            continue
        (stale if count < min(readings[key].values()) else beyond).append(_shown(key, count, readings[key]))
    findings = []
    if stale:
        findings.append(make(rel, anchor, "DOC603", "progress counts fewer than the plan files show: "
                             + ", ".join(stale)))
    if beyond:
        elsewhere = _elsewhere(project, [item.split()[0] for item in beyond])
        if elsewhere is None:
            findings.append(make(rel, anchor, "DOC603", "progress disagrees with the plan files: " + ", ".join(beyond)))
        else:
            findings.append(make(rel, anchor, "DOC603", "progress counts more than the plan files here show "
                                 "for it (" + ", ".join(beyond) + f"): a curated count over {elsewhere}, "
                                 "which GSD keeps", severity="info"))
    return findings


def _elsewhere(project: Project, keys: list[str]) -> str | None:
    """Where work a STATE counts may be that this root's phase folders do not hold, or None."""
    from planner.tree.index.scan import nested_planning_roots, planning_neighbours

    held = planning_neighbours(project.root).split("\n")  # what the kept output of check is keyed by
    places = []
    if "milestones" in held:
        places.append("archived milestones (milestones/)")
    if "workstreams" in held:
        places.append("workstreams (workstreams/)")
    nested = nested_planning_roots(project.root)
    if nested:
        places.append("the planning roots below this one (" + ", ".join(nested[:3])
                      + (", ..." if len(nested) > 3 else "") + ")")
    if any(key != "total_phases" for key in keys):  # a phase with no folder adds plans, not phases
        folders = {str(phase.number) for phase in project.phases if phase.number is not None}
        missing = [number for number in _roadmap_phases(project) if number not in folders]
        if missing:
            places.append(f"ROADMAP phases with no folder here ({', '.join(missing[:5])}"
                          + (", ..." if len(missing) > 5 else "") + ")")
    return " and ".join(places) if places else None


def _bars(rel: str, document: Document) -> list[Finding]:
    findings = []
    lines = document.body.split("\n")
    for offset, text in enumerate(lines):
        for match in _BAR.finditer(text):
            bar = match["bar"]
            if len(bar) < 5:
                continue
            filled = sum(1 for char in bar if char in "█▓■●")
            expected = float(match["percent"]) * len(bar) / 100
            if abs(filled - expected) > 1:
                findings.append(make(rel, document.body_line + offset, "DOC604",
                                     f"progress bar shows {filled} of {len(bar)} cells filled "
                                     f"but says {match['percent']}%"))
    return findings


def _checkboxes(project: Project, rel: str, document: Document) -> list[Finding]:
    plans = {str(plan.id): plan for plan in project.plans}
    seen = Counter(str(plan.id) for plan in project.plans)
    findings = []
    context: tuple[str, set[str]] | None = None  # the phase the ROADMAP is talking about
    for offset, text in enumerate(document.body.split("\n")):
        title = _PHASE_TITLE.search(text) if text.lstrip().startswith(("#", "-", "*")) else None
        if title:
            context = (title["number"], set(_WORD.findall(title["title"].lower())))
        match = _CHECKBOX.match(text)
        if match is None:
            continue
        try:
            # `08-80-percent-push-29-PLAN.md` names plan 08-29; `01-02-auth` plan 01-02
            key = plan_key(match["token"]) or str(PlanId.parse(f"{match['phase']}-{match['part']}"))
        except InputError:
            continue
        named = plans.get(key)
        if named is None or seen[key] != 1 or not _same_phase(named, context):
            continue  # unknown or ambiguous: lint reports ambiguity, and an unknown plan is no claim
        checked = match["mark"] != " "
        # The model's status: a plan's own `status:` where it has one, else "has a SUMMARY" (GSD).
        done = named.closed
        if checked != done:
            said = "checked as done" if checked else "not checked"
            if checked:
                fact = "has no SUMMARY" if not named.has_summary else f"its status is {named.status}"
            else:
                fact = f"is complete ({named.summary_paths[0].name})" if named.has_summary else "is complete"
            findings.append(make(rel, document.body_line + offset, "DOC605",
                                 f"plan {key} is {said} but {fact}"))
    return findings


def _same_phase(plan: Plan, context: tuple[str, set[str]] | None) -> bool:
    """False when the ROADMAP's phase title shares no word with the plan's folder name: the
    same number then names another phase (numbers get reused across milestones)."""
    if context is None or plan.plan_path is None and not plan.summary_paths:
        return True
    number, words = context
    path = plan.plan_path or plan.summary_paths[0]
    try:
        if str(PlanId.parse(f"{number}-01").phase) != str(plan.id.phase):
            return True
    except InputError:
        return True
    folder_words = set(_WORD.findall(path.parent.name.lower()))
    if not words or not folder_words:
        return True
    return 2 * len(words & folder_words) > min(len(words), len(folder_words))
