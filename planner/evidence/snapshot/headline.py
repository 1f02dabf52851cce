"""A snapshot for people and for `--json`: its headline numbers, as data and as a few lines.

Presentation only: what `plan measure` prints after storing a snapshot. The numbers come from
the snapshot's stored form (`planner.evidence.snapshot.json_form`) and the target formatting rules
(`planner.targets.judging`), so what is shown is what was stored.
"""

from __future__ import annotations

from planner.evidence.snapshot import Snapshot

SUMMARY_SCHEMA_VERSION = 1  # of `plan measure --json`; the stored snapshot has its own `schema`


def snapshot_summary(snapshot: Snapshot) -> dict[str, object]:
    """The headline numbers of a snapshot as JSON-ready data (`plan measure --json`)."""
    from planner.evidence.snapshot.json_form import snapshot_to_dict

    stored = snapshot_to_dict(snapshot)
    tests = stored["tests"]
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "id": snapshot.id,
        "taken_at": stored["taken_at"],
        "commit": snapshot.commit,
        "dirty": snapshot.dirty,
        "sources": stored["sources"],
        "coverage": stored["totals"],
        "files_measured": len(snapshot.files),
        "tests": tests["totals"] if isinstance(tests, dict) else None,
        "clusters": [
            {"signature": c.signature, "count": c.count, "examples": list(c.example_ids)}
            for c in snapshot.clusters
        ],
        "run": stored["run"],
        "warnings": list(snapshot.warnings),
    }


def format_summary(snapshot: Snapshot) -> str:
    """A few lines for people: coverage (coverage.py's percent), its line and branch parts, tests, clusters."""
    from planner.targets.judging import format_value

    commit = snapshot.commit[:7] if snapshot.commit else "no commit"
    lines = [f"snapshot {snapshot.id} ({commit}{', uncommitted changes' if snapshot.dirty else ''})"]
    totals = snapshot.totals
    if totals is not None and totals.statements:
        # "coverage" is coverage.py's TOTAL: statements and branches together when branches exist
        counted = (f"{totals.covered + totals.covered_branches}/{totals.statements + totals.branches} "
                   "statements and branches" if totals.branches else f"{totals.covered}/{totals.statements} statements")
        lines.append(f"coverage         {format_value('coverage', totals.combined_percent)} ({counted}, "
                     f"{len(snapshot.files)} files)")
        if totals.branches:
            lines.append(f"line coverage    {format_value('line_coverage', totals.percent)}"
                         f" ({totals.covered}/{totals.statements} statements)")
        if totals.branch_percent is not None:
            lines.append(f"branch coverage  {format_value('branch_coverage', totals.branch_percent)}"
                         f" ({totals.covered_branches}/{totals.branches} branches)")
    elif totals is not None:
        lines.append(f"coverage         n/a (no statements, {len(snapshot.files)} files)")
    if snapshot.tests is not None:
        t = snapshot.tests.totals
        rate = format_value("tests.pass_rate", t.pass_rate) if t.pass_rate is not None else "n/a"
        lines.append(f"tests            {t.judged_passed} passed, {t.failed} failed, "
                     f"{t.errors} errors, {t.skipped + t.xfail} skipped of {t.total} ({rate})")
        lines.append(f"failure clusters {len(snapshot.clusters)}")
        lines.extend(f"  {c.count:>4} x {c.signature}" for c in snapshot.clusters[:5])
    if snapshot.run is not None:
        lines.append(f"test command     exit {snapshot.run.exit_code} in {snapshot.run.seconds:.1f}s")
    return "\n".join(lines)
