"""Claims against each other and against git: hashes exist and belong, created files were new."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.check.findings import Finding, make
from planner.errors import GitProblem, InputError, PlannerError
from planner.ids import PlanId
from planner.model import Plan, Project
from planner.summary_claims import Claim, SummaryClaims

SummaryItem = tuple[Plan, str, SummaryClaims]


def _clean(path: str) -> str:
    return path.removeprefix("./")


def created_and_modified(rel: str, claims: SummaryClaims) -> list[Finding]:
    """CLM210 for each path listed both as created and as modified."""
    created = {_clean(claim.value): claim for claim in claims.created}
    findings = []
    for claim in claims.modified:
        first = created.get(_clean(claim.value))
        if first is not None:
            findings.append(make(rel, claim.line, "CLM210",
                                 f"{claim.value} is listed as modified here and as created on line "
                                 f"{first.line}: it can only be one"))
    return findings


def git_findings(project: Project, summaries: Sequence[SummaryItem]) -> list[Finding]:
    """GIT2xx findings, or one GIT200 info saying why git was not consulted."""
    from planner import gitlog

    try:
        repo_root = gitlog.repo_root(project.root)
    except GitProblem as problem:
        return [make(project.relative(project.planning_dir), None, "GIT200",
                     f"git checks skipped: {problem.message}")]
    try:
        return _against_git(project, repo_root, summaries)
    except GitProblem as problem:
        return [make(project.relative(project.planning_dir), None, "GIT200",
                     f"git checks stopped: {problem.message}")]


def _same_plan(plan: Plan, named: Sequence[str]) -> bool:
    wanted = str(plan.id)
    for text in named:
        try:
            if str(PlanId.parse(text)) == wanted:
                return True
        except InputError:
            continue
    return False


def _against_git(project: Project, repo_root: Path, summaries: Sequence[SummaryItem]) -> list[Finding]:
    from planner import gitlog

    hashes = [claim.value for _, _, claims in summaries for claim in claims.commits]
    statuses = gitlog.verify_hashes(repo_root, hashes) if hashes else {}
    findings: list[Finding] = []
    prefix = _prefix(project.root, repo_root)
    for plan, rel, claims in summaries:
        verified: list[str] = []
        for claim in claims.commits:
            status = statuses.get(claim.value)
            if status is None:
                continue
            if not status.exists:
                findings.append(make(rel, claim.line, "GIT201",
                                     f"commit {claim.value} not found ({status.reason}); "
                                     "history may have been rewritten"))
            elif status.plans and not _same_plan(plan, status.plans):
                findings.append(make(rel, claim.line, "GIT202",
                                     f"commit {claim.value} names plan {', '.join(status.plans)}, "
                                     f"not {plan.id}"))
            else:
                verified.append(status.full_hash or claim.value)
        if claims.created:
            findings.extend(_created_before(project, repo_root, plan, rel, claims.created, verified, prefix))
    return findings


def _prefix(project_root: Path, repo_root: Path) -> str:
    try:
        relative = project_root.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


def _created_before(project: Project, repo_root: Path, plan: Plan, rel: str,
                    created: Sequence[Claim], verified: list[str], prefix: str) -> list[Finding]:
    """GIT203: created paths that existed in the tree just before the plan's first commit."""
    from planner import gitlog

    try:
        evidence = gitlog.find_plan_commits(repo_root, str(plan.id), base_commit=plan.base_commit)
    except PlannerError:
        evidence = None
    first = evidence.first_commit if evidence is not None else None
    starts = [first.hash] if first is not None else verified
    if not starts:
        return []
    candidates = {_clean(claim.value) for claim in created}
    names = candidates | {prefix + path for path in candidates}
    existed: set[str] | None = None
    for start in starts:
        found = gitlog.path_existed_at(repo_root, f"{start}^", names)
        existed = found if existed is None else existed & found
    existed = existed or set()
    findings = []
    for claim in created:
        path = _clean(claim.value)
        if path in existed or prefix + path in existed:
            findings.append(make(rel, claim.line, "GIT203",
                                 f"{claim.value} is listed as created but existed before the plan's "
                                 f"first commit {starts[0][:7]}"))
    return findings
