"""`plan check`: planning documents against the files, against git, and against themselves.

`run_checks(project)` gives one sorted list of findings: the reader's diagnostics, lint, claims
in every SUMMARY (and VERIFICATION) reconciled with git and with each other, arithmetic, status
contradictions, and STATE.md / ROADMAP.md progress against the plan files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from planner.check import arithmetic, claims, contradictions, lint, progress_docs, recorded, restated, timing
from planner.check.findings import CODES, SEVERITIES, Finding, Severity, make
from planner.check.summary_claims import SummaryClaims, read_claims
from planner.errors import EXIT_FINDINGS, EXIT_OK
from planner.model import Plan, Project
from planner.tree.frontmatter import Document

if TYPE_CHECKING:
    from planner.check.cache import CheckCache
    from planner.tree.index.session import IndexStats

__all__ = ["CODES", "CheckReport", "Finding", "check_report_to_dict", "check_root", "exit_code",
           "format_findings", "run_checks"]

SCHEMA_VERSION = 1
Progress = Callable[[int, int], None]  # (steps done, steps in all)


@dataclass(frozen=True)
class CheckReport:
    """Every finding of one run, sorted by file, line and code."""

    root: Path
    findings: tuple[Finding, ...]
    documents_checked: int = 0
    git_used: bool = False
    index: IndexStats | None = field(default=None, compare=False)  # what the planning index did

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(finding.code for finding in self.findings).items()))


def _claims(path: Path, rel: str, cache: Mapping[Path, Document] | None, kept: CheckCache | None
            ) -> SummaryClaims:
    if kept is None:
        return read_claims(path, cache)
    return kept.claims(path, rel, cache, document_findings)


def _documents(project: Project, cache: Mapping[Path, Document] | None, kept: CheckCache | None = None
               ) -> list[tuple[Plan, str, SummaryClaims]]:
    """(plan, relative path, claims) for every SUMMARY of every plan."""
    found = []
    for plan in project.plans:
        for path in plan.summary_paths:
            rel = project.relative(path)
            found.append((plan, rel, _claims(path, rel, cache, kept)))
    return found


def _phase_summaries(project: Project, cache: Mapping[Path, Document] | None, kept: CheckCache | None = None
                     ) -> list[tuple[claims.Subject, SummaryClaims]]:
    """Phase-level SUMMARY files (`12-SUMMARY.md`, `12-PHASE-SUMMARY.md`): about the phase."""
    found = []
    for phase in project.phases:
        if phase.number is None:
            continue
        for path in phase.documents:
            if path.suffix.lower() == ".md" and "SUMMARY" in path.name.upper():
                rel = project.relative(path)
                found.append((claims.Subject(rel, str(phase.number), None), _claims(path, rel, cache, kept)))
    return found


def _verifications(project: Project, cache: Mapping[Path, Document] | None, kept: CheckCache | None = None
                   ) -> list[tuple[str, SummaryClaims]]:
    return [(rel, _claims(phase.verification_path, rel, cache, kept))
            for phase in project.phases if phase.verification_path is not None
            for rel in (project.relative(phase.verification_path),)]


def document_findings(rel: str, doc_claims: SummaryClaims) -> list[Finding]:
    """The rules that look at one document alone (what `planner.check.cache` keeps per file)."""
    return [*claims.created_and_modified(rel, doc_claims), *timing.check_times(rel, doc_claims),
            *arithmetic.check_numbers(rel, doc_claims), *arithmetic.check_breakdowns(rel, doc_claims),
            *restated.check_restated(rel, doc_claims),
            *contradictions.check_status(rel, doc_claims), *contradictions.row_verdicts(rel, doc_claims),
            *contradictions.status_against_verdict(rel, doc_claims)]


def check_root(root: Path, *, git: bool = True, use_index: bool = True,
               progress: Progress | None = None) -> CheckReport:
    """Load the planning root at `root` and check it: documents unchanged since the last run come
    from the planning index (`.planning/.cache/`), the others are parsed, each once."""
    from planner.check.cache import CheckCache
    from planner.tree.index.session import load_project_documents

    project, documents, stats = load_project_documents(root, use_index=use_index)
    kept = CheckCache(project.planning_dir) if use_index else None
    report = run_checks(project, git=git, documents=documents, kept=kept, progress=progress)
    if kept is not None:
        kept.save()
    return replace(report, index=stats)


def run_checks(project: Project, *, git: bool = True,
               documents: Mapping[Path, Document] | None = None, kept: CheckCache | None = None,
               progress: Progress | None = None) -> CheckReport:
    """All findings for a loaded project; git rules only when `git` and the root is in a repository.

    `documents` (e.g. from `load_project_documents`) saves parsing files twice; `kept` serves
    the claims and one-document findings of files unchanged since the last run. `progress(done,
    total)` is told after each document and after the git rules."""
    findings: list[Finding] = lint.diagnostic_findings(project)
    findings += lint.unknown_keys(project)
    findings += lint.duplicate_ids(project)
    summaries = _documents(project, documents, kept)
    findings += lint.dangling_references(project, summaries)
    findings += lint.cycles(project)
    findings += lint.bad_targets(project)
    phase_summaries = _phase_summaries(project, documents, kept)
    checked = ([(rel, doc_claims) for _, rel, doc_claims in summaries]
               + [(subject.rel, doc_claims) for subject, doc_claims in phase_summaries]
               + _verifications(project, documents, kept))
    steps = len(checked) + 1
    for done, (rel, doc_claims) in enumerate(checked, start=1):
        if progress is not None:
            progress(done, steps)
        findings += document_findings(rel, doc_claims) if kept is None else kept.findings_of(rel)
    findings += progress_docs.check_progress_documents(project)
    findings += recorded.check_recorded(project, summaries, documents)
    git_used = False
    if git:
        subjects = [(claims.Subject(rel, str(plan.id.phase), str(plan.id)), doc_claims)
                    for plan, rel, doc_claims in summaries] + phase_summaries
        findings += _git_findings(project, subjects, kept)
        git_used = not any(finding.code == "GIT200" and finding.message.startswith("git checks skipped")
                           for finding in findings)
    else:
        findings.append(Finding(project.relative(project.planning_dir), None, "GIT200", "info",
                                "git checks skipped: --no-git"))
    if progress is not None:
        progress(steps, steps)
    unique = sorted(set(findings), key=Finding.sort_key)
    return CheckReport(project.root, tuple(unique), len(checked), git_used)


def _git_findings(project: Project, subjects: list[tuple[claims.Subject, SummaryClaims]],
                  kept: CheckCache | None = None) -> list[Finding]:
    """Every GIT rule from one read of the history (see planner.check.git_history.read_history),
    or, when neither the repository's refs nor a document changed since, the last run's (git_cache)."""
    from planner.check import git_cache

    stamps = {subject.rel: kept.stamps[subject.rel] for subject, _ in subjects
              if kept is not None and subject.rel in kept.stamps}
    key = git_cache.state_key(project.root, stamps) if kept is not None and len(stamps) == len(subjects) else None
    if key is not None and (served := git_cache.load(project.planning_dir, key)) is not None:
        return served
    index = claims.read_index(project, subjects)
    if isinstance(index, Finding):
        return [index]
    where = project.relative(project.planning_dir)
    found = [make(where, None, "GIT200", f"git: {note}") for note in index.notes]
    prefix = claims.prefix_of(project)
    for subject, doc_claims in subjects:
        found += claims.document_git_findings(subject, doc_claims, index, prefix)
    if key is not None and kept is not None:
        git_cache.save(project.planning_dir, key, stamps, kept.started_ns, found)
    return found


def exit_code(report: CheckReport, strict: bool) -> int:
    """1 when there is an error (or, with `strict`, a warning); 0 otherwise."""
    if report.count("error") or (strict and report.count("warning")):
        return EXIT_FINDINGS
    return EXIT_OK


def check_report_to_dict(report: CheckReport) -> dict[str, object]:
    """The stable JSON form of a report (`schema_version` changes only when keys do)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "root": report.root.as_posix(),
        "documents_checked": report.documents_checked,
        "git_used": report.git_used,
        "summary": {severity: report.count(severity) for severity in SEVERITIES},
        "by_code": report.by_code(),
        "findings": [
            {"path": f.path, "line": f.line, "code": f.code, "severity": f.severity, "message": f.message}
            for f in report.findings
        ],
    }


def format_findings(report: CheckReport) -> list[str]:
    """One line per finding, `path:line: severity CODE message`, then a closing count line."""
    lines = []
    for finding in report.findings:
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        lines.append(f"{where}: {finding.severity} {finding.code} {finding.message}")
    counts = ", ".join(f"{report.count(s)} {s}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES)
    lines.append(f"{report.documents_checked} documents checked: {counts}")
    return lines
