"""What `plan check` reports: one Finding per problem, and the registry of stable codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem: the file (relative to the project root), its 1-based line, a code, a message."""

    path: str
    line: int | None
    code: str
    severity: Severity
    message: str

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line or 0, self.code, self.message)


@dataclass(frozen=True)
class CodeInfo:
    severity: Severity
    summary: str


# The registry: codes never change meaning once published. Families: FM/SCH/TREE come from the
# reader, LNT1xx lint, GIT2xx claims against git, CLM2xx claims against each other, TIM3xx
# timestamps, NUM4xx arithmetic, STA5xx status contradictions, DOC6xx STATE.md and ROADMAP.md.
CODES: dict[str, CodeInfo] = {
    "FM001": CodeInfo("warning", "frontmatter is not valid YAML; it was read line by line"),
    "FM002": CodeInfo("warning", "frontmatter is a list or a single value, not a mapping"),
    "FM003": CodeInfo("warning", "frontmatter block is never closed"),
    "FM004": CodeInfo("warning", "duplicate frontmatter key; the last value is used"),
    "FM005": CodeInfo("warning", "file is not valid UTF-8"),
    "SCH001": CodeInfo("error", "a PLAN frontmatter value has the wrong type"),
    "TREE001": CodeInfo("info", "symbolic link to a phase folder already read"),
    "TREE002": CodeInfo("warning", "a second PLAN file for the same plan part"),
    "TREE003": CodeInfo("info", "a phase folder name has no phase number; the phase is kept as written"),
    "TREE004": CodeInfo("warning", "config.json could not be read; planner's defaults are used"),
    "TREE005": CodeInfo("warning", "a write step was interrupted; its files may be half-done until the next write"),
    "LNT101": CodeInfo("warning", "unknown key in PLAN frontmatter"),
    "LNT102": CodeInfo("error", "plan id used by more than one plan in the planning root"),
    "LNT103": CodeInfo("warning", "depends_on / requires / affects names a plan that does not exist"),
    "LNT104": CodeInfo("error", "plans depend on each other in a cycle"),
    "LNT105": CodeInfo("error", "a target expression in a PLAN or GOAL file does not parse"),
    "GIT200": CodeInfo("info", "git checks skipped, and why"),
    "GIT201": CodeInfo("warning", "a claimed commit hash is not in the repository"),
    "GIT202": CodeInfo("error", "a claimed commit names a different plan"),
    "GIT203": CodeInfo("error", "a file claimed as created existed before the plan's first commit"),
    "GIT204": CodeInfo("warning", "a claimed file is not at HEAD and no commit deleted it "
                       "(an info naming the commit when one did)"),
    "CLM210": CodeInfo("error", "the same path is listed as both created and modified"),
    "TIM301": CodeInfo("error", "completed is before started"),
    "TIM302": CodeInfo("warning", "stated duration disagrees with the start and end times"),
    "TIM303": CodeInfo("warning", "a time labelled UTC beside times with another UTC offset"),
    "TIM304": CodeInfo("warning", "completed is before the plan's last claimed commit"),
    "TIM305": CodeInfo("warning", "started is after the plan's first claimed commit"),
    "TIM306": CodeInfo("warning", "the frontmatter's completed date disagrees with the body's"),
    "NUM401": CodeInfo("error", "a total is not the sum of its parts"),
    "NUM402": CodeInfo("error", "a pass rate disagrees with its passed and failed counts"),
    "NUM403": CodeInfo("error", "a percentage disagrees with its fraction"),
    "NUM404": CodeInfo("error", "an overall percentage is not the weighted average of its table"),
    "NUM405": CodeInfo("error", "a table row's PASS / FAIL contradicts its own value and target"),
    "NUM406": CodeInfo("error", "a breakdown disagrees with its figure or with a category count elsewhere "
                       "in the same document"),
    "NUM407": CodeInfo("error", "a SUMMARY planner wrote disagrees with its own body or with the snapshot it pins"),
    "NUM408": CodeInfo("error", "the same quantity stated twice in one document with different values"),
    "STA501": CodeInfo("error", "a PASS / ACHIEVED status beside a failed target in the same document "
                       "(an info when it says only COMPLETE: executed, not met)"),
    "STA502": CodeInfo("warning", "'Deviations: None' beside a missed goal"),
    "STA503": CodeInfo("error", "a COMPLETE / PASSED status beside the same document's NOT ACHIEVED / FAIL "
                       "(an info when the plan is done but its goal is not)"),
    "DOC601": CodeInfo("error", "STATE.md counts more completed than total"),
    "DOC602": CodeInfo("error", "STATE.md percent agrees with none of its own counts"),
    "DOC603": CodeInfo("warning", "STATE.md counts disagree with the plan files"),
    "DOC604": CodeInfo("warning", "a progress bar disagrees with the percentage beside it"),
    "DOC605": CodeInfo("warning", "a ROADMAP.md plan checkbox disagrees with the plan's SUMMARY"),
}


def make(path: str, line: int | None, code: str, message: str,
         severity: Severity | None = None) -> Finding:
    """A finding with the registry's severity for `code` (unless one is given)."""
    info = CODES.get(code)
    chosen: Severity = severity or (info.severity if info else "warning")
    return Finding(path, line, code, chosen, message)
