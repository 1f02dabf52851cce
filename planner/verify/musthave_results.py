"""The results of checking must-haves, and their shapes for VERIFICATION.md and for gaps.

Statuses follow the GSD verifier's words; NEEDS A PERSON counts in a score's total, never among
the verified. `planner.verify.musthaves` does the checking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.tree.frontmatter import Diagnostic

EXISTS, STUB, MISSING = "EXISTS + SUBSTANTIVE", "STUB", "MISSING"
WIRED, NOT_WIRED, BAD_PATTERN = "WIRED", "NOT WIRED", "NOT WIRED (bad pattern)"
VERIFIED, FAILED = "VERIFIED", "FAILED"
NEEDS_PERSON = "NEEDS A PERSON"
_VERIFIED_STATUSES = frozenset({EXISTS, WIRED, VERIFIED})


@dataclass(frozen=True)
class ArtifactResult:
    """One `artifacts` entry: EXISTS + SUBSTANTIVE, STUB (reasons say which check failed), MISSING."""

    path: str
    status: str
    reasons: tuple[str, ...] = ()  # why it is not EXISTS + SUBSTANTIVE
    evidence: tuple[str, ...] = ()  # what was found, with file:line where there is one
    provides: str = ""
    plan_line: int | None = None


@dataclass(frozen=True)
class KeyLinkResult:
    """One `key_links` entry: WIRED with the (file, line) of the first match, or NOT WIRED and why."""

    from_path: str
    to: str
    via: str
    pattern: str
    status: str
    evidence: tuple[str, int] | None = None
    reason: str = ""
    plan_line: int | None = None


@dataclass(frozen=True)
class TruthResult:
    """One `truths` entry: VERIFIED / FAILED for `FILE contains 'TEXT'`, else NEEDS A PERSON."""

    text: str
    status: str
    evidence: str = ""
    plan_line: int | None = None


@dataclass(frozen=True)
class MustHaveReport:
    """Every must-have of one plan, checked, plus findings about the plan's own text."""

    plan_id: str
    plan_path: Path | None
    truths: tuple[TruthResult, ...] = ()
    artifacts: tuple[ArtifactResult, ...] = ()
    key_links: tuple[KeyLinkResult, ...] = ()
    findings: tuple[Diagnostic, ...] = field(default=())

    @property
    def score(self) -> tuple[int, int]:
        """(verified, total) over all must-haves; NEEDS A PERSON counts as not verified."""
        items: list[TruthResult | ArtifactResult | KeyLinkResult] = [*self.truths, *self.artifacts, *self.key_links]
        statuses = [item.status for item in items]
        return sum(status in _VERIFIED_STATUSES for status in statuses), len(statuses)


# ---------------------------------------------------------------- for VERIFICATION.md and gaps


def verification_rows(report: MustHaveReport) -> dict[str, list[dict[str, str]]]:
    """Rows for the Observable Truths, Required Artifacts and Key Link Verification tables."""
    truths = [{"#": str(number), "truth": truth.text, "status": truth.status, "evidence": truth.evidence}
              for number, truth in enumerate(report.truths, start=1)]
    artifacts = [{"artifact": artifact.path, "expected": artifact.provides, "status": artifact.status,
                  "details": "; ".join(artifact.reasons + artifact.evidence)} for artifact in report.artifacts]
    links = [{"from": link.from_path, "to": link.to, "via": link.via, "status": link.status,
              "details": _link_details(link)} for link in report.key_links]
    return {"truths": truths, "artifacts": artifacts, "key_links": links}


def _link_details(link: KeyLinkResult) -> str:
    where = f"`{link.pattern}` at {link.evidence[0]}:{link.evidence[1]}" if link.evidence else ""
    return "; ".join(part for part in (where, link.reason) if part)


def unmet_as_gaps(report: MustHaveReport) -> list[dict[str, Any]]:
    """GSD gap entries for each unmet must-have (FAILED, STUB, MISSING, NOT WIRED); ids are stable."""
    gaps: list[dict[str, Any]] = []
    for truth in report.truths:
        if truth.status == FAILED:
            gaps.append(_gap(report.plan_id, "truth", truth.text, truth.text, truth.evidence, [], [truth.evidence]))
    for artifact in report.artifacts:
        if artifact.status in (STUB, MISSING):
            claim = f"{artifact.path} provides {artifact.provides}" if artifact.provides else f"{artifact.path} exists"
            gaps.append(_gap(report.plan_id, "artifact", artifact.path, claim, f"{artifact.status}: "
                             + "; ".join(artifact.reasons), [artifact.path], list(artifact.reasons)))
    for link in report.key_links:
        if link.status in (NOT_WIRED, BAD_PATTERN):
            claim = f"{link.from_path} is wired to {link.to}" + (f" via {link.via}" if link.via else "")
            gaps.append(_gap(report.plan_id, "link", f"{link.from_path}|{link.to}|{link.pattern}", claim,
                             f"{link.status}: {link.reason}", [link.from_path], [f"pattern {link.pattern!r}"]))
    return gaps


def _gap(plan_id: str, kind: str, key: str, truth: str, reason: str, artifacts: list[str],
         missing: list[str]) -> dict[str, Any]:
    digest = hashlib.sha1(f"{kind}\0{key}".encode()).hexdigest()[:6]
    return {"id": f"{plan_id}-{kind}-{digest}", "truth": truth, "status": "failed", "reason": reason,
            "artifacts": artifacts, "missing": missing}
