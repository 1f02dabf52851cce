"""NUM407: a SUMMARY planner wrote, against its own recorded evidence.

`plan close` writes each number once into the frontmatter (`metrics`, `key-files`, `evidence`) and
once into the body, from one computed object, and pins the snapshots it measured from
(`evidence.snapshots`). So the frontmatter must say what the body says, and what the pinned
snapshots give when the same facts are computed from them again (`planner.facts.measured`). A
difference means a hand edit or a changed snapshot: the document contradicts its own evidence.
Only documents with `generated_by: planner` are read; a pinned snapshot that is gone is an info.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims
from planner.errors import InputError
from planner.model import Plan, Project
from planner.tree.frontmatter import Document, read_document

if TYPE_CHECKING:
    from planner.evidence.snapshot import Snapshot

_TESTS = re.compile(r"^\s*-\s*\*\*Total:\*\*\s*(?P<total>\d+)\s*\((?P<passed>\d+) passed, (?P<failed>\d+) failed, "
                    r"(?P<errors>\d+) errors?, (?P<skipped>\d+) skipped")
_PASS_RATE = re.compile(r"^\s*-\s*\*\*Pass rate:\*\*\s*(?P<rate>\S+)")
_COVERAGE = re.compile(r"^Coverage: (?P<coverage>\d+(?:\.\d+)?%)")
_COVERAGE_PARTS = (
    ("line_coverage", re.compile(r"line coverage (\d+(?:\.\d+)?%)")),
    ("branch_coverage", re.compile(r"branch coverage (\d+(?:\.\d+)?%)")),
)
_STATEMENTS = re.compile(r"\((?P<covered>\d+)/(?P<statements>\d+) statements\b")
_BRANCHES = re.compile(r"\((?P<covered>\d+)/(?P<branches>\d+) branches\)")
_FILES = re.compile(r"^\s*-\s*\*\*Files:\*\*\s*(?P<created>\d+) created, (?P<modified>\d+) modified")
_OUTCOME_COMMITS = re.compile(r"(?P<count>\d+) commit\(s\)")
_OUTCOME_TARGETS = re.compile(r"all (?P<all>\d+) target\(s\) passed|(?P<failed>\d+) of (?P<of>\d+) target\(s\) not met")
_COMMIT_ITEM = re.compile(r"^\d+\.\s+\[?`[0-9a-f]{7,40}`")
_SELF_CHECK = re.compile(r"^(?P<verdict>PASSED|FAILED): \d+/\d+ checks hold")
_REGION = re.compile(r"^<!-- planner:(?P<edge>begin|end) (?P<name>[\w-]+) -->")
_SCALAR = re.compile(r"^\s*-\s*\*\*(?P<key>Duration|Started|Completed):\*\*\s*(?P<value>.+?)\s*$")


def is_generated(claims: SummaryClaims) -> bool:
    """Whether planner wrote the document (its frontmatter says `generated_by: planner ...`)."""
    return any(line.startswith("generated_by:") and "planner" in line for line in claims.lines[:claims.body_line])


def check_recorded(project: Project, summaries: Iterable[tuple[Plan, str, SummaryClaims]],
                   documents: Mapping[Path, Document] | None = None) -> list[Finding]:
    """NUM407 for every SUMMARY planner wrote: frontmatter against body, then against its snapshots."""
    findings: list[Finding] = []
    for _, rel, claims in summaries:
        if not is_generated(claims):
            continue
        document = (documents or {}).get(claims.path) or read_document(claims.path)
        where = _Lines(claims)
        findings += against_body(rel, document.meta, where)
        findings += against_snapshots(project, rel, document.meta, where)
    return findings


class _Lines:
    """Where a frontmatter key or a body line of one document is."""

    def __init__(self, claims: SummaryClaims) -> None:
        self.lines = claims.lines
        self.body_line = claims.body_line
        self.tables = claims.tables

    def key(self, *path: str) -> int:
        """The line of a nested frontmatter key (`metrics`, `tests`, `failed`) or of a list item
        holding a value (`- target: coverage >= 80`), else the line of its parent."""
        line, indent = 1, -1
        for key in path:
            for number in range(line + 1, self.body_line):
                text = self.lines[number - 1]
                depth = len(text) - len(text.lstrip())
                if (text.lstrip(" -").startswith(f"{key}:") and depth > indent) or (
                        depth >= indent and text.lstrip().startswith("- ") and text.rstrip().endswith(key)):
                    line, indent = number, depth
                    break
            else:
                return line
        return line

    def body(self) -> Iterator[tuple[int, str, str]]:
        """(line, text, region) for each line inside a region planner writes (`outcome`, `tests`...)."""
        region = ""
        for number in range(self.body_line, len(self.lines) + 1):
            text = self.lines[number - 1]
            marker = _REGION.match(text)
            if marker is not None:
                region = marker["name"] if marker["edge"] == "begin" else ""
            elif region:
                yield number, text, region


def _mapping(value: object) -> Mapping[str, object]:
    """A frontmatter value read as a mapping (empty when it is none)."""
    return value if isinstance(value, dict) else {}


def _targets(metrics: Mapping[str, object]) -> list[Mapping[str, object]]:
    listed = metrics.get("targets")
    return [row for row in listed if isinstance(row, dict)] if isinstance(listed, list) else []


def _same(recorded: object, stated: object) -> bool:
    return str(recorded).strip() == str(stated).strip()


def _differs(rel: str, where: _Lines, path: tuple[str, ...], recorded: object, stated: object, source: str,
             label: str | None = None) -> list[Finding]:
    if recorded is None or _same(recorded, stated):
        return []
    return [make(rel, where.key(*path), "NUM407", f"frontmatter {label or '.'.join(path)} is {recorded}, but "
                 f"{source} says {stated}")]


def against_body(rel: str, meta: Mapping[str, object], where: _Lines) -> list[Finding]:
    """The frontmatter's numbers against the same numbers in the body planner wrote beside them."""
    metrics = _mapping(meta.get("metrics"))
    tests = _mapping(metrics.get("tests"))
    evidence = _mapping(meta.get("evidence"))
    key_files = _mapping(meta.get("key-files"))
    commits = _mapping(evidence.get("git")).get("commits")
    targets = _targets(metrics)
    found: list[Finding] = []
    commit_items = 0
    for number, text, region in where.body():
        body = f"the body (line {number})"
        if match := _TESTS.match(text):
            for key in ("total", "passed", "failed", "errors", "skipped"):
                found += _differs(rel, where, ("metrics", "tests", key), tests.get(key), match[key], body)
        elif match := _PASS_RATE.match(text):
            found += _differs(rel, where, ("metrics", "tests", "pass_rate"), tests.get("pass_rate"), match["rate"],
                              body)
        elif match := _COVERAGE.match(text):
            found += _coverage_line(rel, where, metrics, text, match["coverage"], body)
        elif match := _FILES.match(text):
            for kind in ("created", "modified"):
                listed = key_files.get(kind)
                if isinstance(listed, list):
                    found += _differs(rel, where, ("key-files", kind), len(listed), match[kind], body)
        elif match := _SCALAR.match(text):
            key = match["key"].lower()
            value = match["value"].split(" (", 1)[0] if key == "duration" else match["value"]
            if meta.get(key) is not None and not value.startswith("not recorded"):
                found += _differs(rel, where, (key,), meta.get(key), value, body)
        elif text.startswith("**") and (counted := _OUTCOME_COMMITS.search(text)) and isinstance(commits, list):
            found += _differs(rel, where, ("evidence", "git", "commits"), f"{len(commits)} commit(s)",
                              counted[0], body)
            found += _outcome_targets(rel, where, targets, text, body)
        elif region == "commits" and _COMMIT_ITEM.match(text):
            commit_items += 1
        elif match := _SELF_CHECK.match(text):
            said = "passed" if match["verdict"] == "PASSED" else "failed"
            found += _differs(rel, where, ("evidence", "self_check"), evidence.get("self_check"), said, body)
    if isinstance(commits, list) and commit_items:
        found += _differs(rel, where, ("evidence", "git", "commits"), f"{len(commits)} commit(s)",
                          f"{commit_items} commit(s)", "the Task Commits list")
    return found + _results_table(rel, where, targets)


def _coverage_line(rel: str, where: _Lines, metrics: Mapping[str, object], text: str, percent: str, body: str
                   ) -> list[Finding]:
    found = _differs(rel, where, ("metrics", "coverage"), metrics.get("coverage"), percent, body)
    for key, pattern in _COVERAGE_PARTS:
        if (match := pattern.search(text)) is not None:
            found += _differs(rel, where, ("metrics", key), metrics.get(key), match[1], body)
    if (counted := _STATEMENTS.search(text)) is not None:
        found += _differs(rel, where, ("metrics", "statements"), metrics.get("statements"), counted["statements"], body)
        found += _differs(rel, where, ("metrics", "covered_statements"), metrics.get("covered_statements"),
                          counted["covered"], body)
    if (counted := _BRANCHES.search(text)) is not None:
        found += _differs(rel, where, ("metrics", "branches"), metrics.get("branches"), counted["branches"], body)
        found += _differs(rel, where, ("metrics", "covered_branches"), metrics.get("covered_branches"),
                          counted["covered"], body)
    return found


def _outcome_targets(rel: str, where: _Lines, targets: list[Mapping[str, object]], text: str, body: str
                     ) -> list[Finding]:
    counted = _OUTCOME_TARGETS.search(text)
    if counted is None:
        return []
    failing = sum(1 for row in targets if str(row.get("status")) != "PASS")
    if counted["all"] is not None:
        recorded, stated = f"{len(targets)} target(s), {failing} not met", f"all {counted['all']} passed"
        wrong = failing != 0 or len(targets) != int(counted["all"])
    else:
        recorded, stated = (f"{failing} of {len(targets)} target(s) not met",
                            f"{counted['failed']} of {counted['of']} target(s) not met")
        wrong = recorded != stated
    if not wrong:
        return []
    return [make(rel, where.key("metrics", "targets"), "NUM407",
                 f"frontmatter metrics.targets has {recorded}, but {body} says {stated}")]


def _results_table(rel: str, where: _Lines, targets: list[Mapping[str, object]]) -> list[Finding]:
    """Each target's After value and Status in the Results table against `metrics.targets`."""
    recorded = {str(row.get("target")): row for row in targets}
    found: list[Finding] = []
    for table in where.tables:
        header = [cell.strip("* ").lower() for cell in table.header]
        if "after" not in header or "status" not in header:
            continue
        after, status = header.index("after"), header.index("status")
        for row in table.rows:
            if len(row.cells) <= max(after, status):
                continue
            expression = row.cells[0].strip().strip("`")
            own = recorded.get(expression)
            if own is None:
                continue
            body = f"the Results table (line {row.line})"
            path = ("metrics", "targets", expression)
            found += _differs(rel, where, path, own.get("value"), row.cells[after], body,
                              f"value of target `{expression}`")
            found += _differs(rel, where, path, own.get("status"), row.cells[status], body,
                              f"status of target `{expression}`")
    return found


# ---------------------------------------------------------------- against the pinned snapshots


def against_snapshots(project: Project, rel: str, meta: Mapping[str, object], where: _Lines) -> list[Finding]:
    """The frontmatter's numbers against the same facts computed again from the snapshots it pins
    (targets judged on the file groups it records)."""
    from planner.evidence.snapshot.store import snapshot_by_id
    from planner.facts.types import SnapshotPins, recorded_groups

    evidence = meta.get("evidence")
    pins = SnapshotPins.from_evidence(evidence)
    if pins is None or pins.latest is None:
        return []
    try:
        latest, baseline, previous = (snapshot_by_id(project, ident) if ident else None
                                      for ident in (pins.latest, pins.baseline, pins.previous))
    except InputError as error:
        return [make(rel, where.key("evidence", "snapshots"), "NUM407",
                     f"its numbers cannot be checked against their evidence: {error.message}", severity="info")]
    source = f"snapshot {pins.latest}"
    metrics = _mapping(meta.get("metrics"))
    found: list[Finding] = []
    coverage = _coverage_values(latest)
    for key, value in coverage.items():
        if key in metrics:
            found += _differs(rel, where, ("metrics", key), metrics[key], value, source)
    tests = _mapping(metrics.get("tests"))
    measured = _test_values(latest)
    for key in ("total", "passed", "failed", "errors", "skipped", "pass_rate"):
        if key in tests and key in measured:
            found += _differs(rel, where, ("metrics", "tests", key), tests[key], measured[key], source)
    if "failure_clusters" in metrics and "clusters" in measured:
        found += _differs(rel, where, ("metrics", "failure_clusters"), metrics["failure_clusters"],
                          measured["clusters"], source)
    judged = project.with_groups(recorded_groups(evidence))
    return found + _targets_again(judged, rel, where, metrics, (latest, previous, baseline), source)


def _coverage_values(snapshot: Snapshot | None) -> dict[str, object]:
    """The SUMMARY's coverage keys, as close writes them, computed from `snapshot`."""
    from planner.facts.measured import coverage_facts

    coverage = coverage_facts(snapshot)
    if coverage is None:
        return {}
    return {"coverage": coverage.percent, "line_coverage": coverage.line_percent,
            "statements": coverage.statements, "covered_statements": coverage.covered,
            "branch_coverage": coverage.branch_percent, "branches": coverage.branches,
            "covered_branches": coverage.covered_branches}


def _test_values(snapshot: Snapshot | None) -> dict[str, object]:
    """The SUMMARY's test keys (and the number of failure clusters), computed from `snapshot`."""
    from planner.facts.measured import tests_facts

    tests = tests_facts(snapshot)
    if tests is None:
        return {}
    return {"total": tests.total, "passed": tests.passed, "failed": tests.failed, "errors": tests.errors,
            "skipped": tests.skipped, "pass_rate": tests.pass_rate, "clusters": len(tests.clusters)}


def _targets_again(project: Project, rel: str, where: _Lines, metrics: Mapping[str, object],
                   snapshots: tuple[Snapshot | None, Snapshot | None, Snapshot | None],
                   source: str) -> list[Finding]:
    from planner.facts.measured import target_rows
    from planner.targets import parse_target

    found: list[Finding] = []
    for row in _targets(metrics):
        try:
            target = parse_target(str(row.get("target")))
        except InputError:
            continue
        again = target_rows([target], snapshots[0], snapshots[1], snapshots[2], project)[0]
        path = ("metrics", "targets", str(row.get("target")))
        found += _differs(rel, where, path, row.get("value"), again.after, source, f"value of target `{target}`")
        found += _differs(rel, where, path, row.get("status"), again.status, source, f"status of target `{target}`")
    return found
