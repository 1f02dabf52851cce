"""The results of checking must-haves, and their shapes for VERIFICATION.md and for gaps.

Statuses follow the GSD verifier's words; NEEDS A PERSON counts in a score's total, never among
the verified. `planner.verify.musthaves` does the checking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from planner.render import PLAIN_KEY
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


@dataclass(frozen=True, slots=True)
class TruthRow:
    """A row of the Observable Truths table."""

    number: str = field(metadata={PLAIN_KEY: "#"})
    truth: str
    status: str
    evidence: str
    plan: str


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    """A row of the Required Artifacts table."""

    artifact: str
    expected: str
    status: str
    details: str
    plan: str


@dataclass(frozen=True, slots=True)
class KeyLinkRow:
    """A row of the Key Link Verification table."""

    from_path: str = field(metadata={PLAIN_KEY: "from"})
    to: str
    via: str
    status: str
    details: str
    plan: str


@dataclass(frozen=True, slots=True)
class MustHaveRows:
    """The three must-have tables of a VERIFICATION, each row naming its plan."""

    truths: tuple[TruthRow, ...] = ()
    artifacts: tuple[ArtifactRow, ...] = ()
    key_links: tuple[KeyLinkRow, ...] = ()

    def __add__(self, other: MustHaveRows) -> MustHaveRows:
        return MustHaveRows(self.truths + other.truths, self.artifacts + other.artifacts,
                            self.key_links + other.key_links)


@dataclass(frozen=True, slots=True)
class UnmetMustHave:
    """A GSD gap entry for one unmet must-have; its id is stable (plan, kind and what it names)."""

    id: str
    truth: str
    status: str  # failed
    reason: str
    artifacts: tuple[str, ...]
    missing: tuple[str, ...]


def verification_rows(report: MustHaveReport) -> MustHaveRows:
    """Rows for the Observable Truths, Required Artifacts and Key Link Verification tables."""
    plan = report.plan_id
    truths = tuple(TruthRow(str(number), truth.text, truth.status, truth.evidence, plan)
                   for number, truth in enumerate(report.truths, start=1))
    artifacts = tuple(ArtifactRow(artifact.path, artifact.provides, artifact.status,
                                  "; ".join(artifact.reasons + artifact.evidence), plan)
                      for artifact in report.artifacts)
    links = tuple(KeyLinkRow(link.from_path, link.to, link.via, link.status, _link_details(link), plan)
                  for link in report.key_links)
    return MustHaveRows(truths, artifacts, links)


def _link_details(link: KeyLinkResult) -> str:
    where = f"`{link.pattern}` at {link.evidence[0]}:{link.evidence[1]}" if link.evidence else ""
    return "; ".join(part for part in (where, link.reason) if part)


def unmet_as_gaps(report: MustHaveReport) -> list[UnmetMustHave]:
    """GSD gap entries for each unmet must-have (FAILED, STUB, MISSING, NOT WIRED); ids are stable."""
    gaps: list[UnmetMustHave] = []
    for truth in report.truths:
        if truth.status == FAILED:
            gaps.append(_gap(report.plan_id, "truth", truth.text, truth.text, truth.evidence, (), (truth.evidence,)))
    for artifact in report.artifacts:
        if artifact.status in (STUB, MISSING):
            claim = f"{artifact.path} provides {artifact.provides}" if artifact.provides else f"{artifact.path} exists"
            gaps.append(_gap(report.plan_id, "artifact", artifact.path, claim, f"{artifact.status}: "
                             + "; ".join(artifact.reasons), (artifact.path,), artifact.reasons))
    for link in report.key_links:
        if link.status in (NOT_WIRED, BAD_PATTERN):
            claim = f"{link.from_path} is wired to {link.to}" + (f" via {link.via}" if link.via else "")
            gaps.append(_gap(report.plan_id, "link", f"{link.from_path}|{link.to}|{link.pattern}", claim,
                             f"{link.status}: {link.reason}", (link.from_path,), (f"pattern {link.pattern!r}",)))
    return gaps


def _gap(plan_id: str, kind: str, key: str, truth: str, reason: str, artifacts: tuple[str, ...],
         missing: tuple[str, ...]) -> UnmetMustHave:
    digest = hashlib.sha1(f"{kind}\0{key}".encode()).hexdigest()[:6]
    return UnmetMustHave(f"{plan_id}-{kind}-{digest}", truth, "failed", reason, artifacts, missing)
