"""The `--json` documents of plan close, plan verify and plan handoff, built in one place.

Each is the computed object the document was rendered from plus what was written, flattened to
plain data for `console.to_json`. The CLI prints them; it builds none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.render import plain_record

if TYPE_CHECKING:
    from planner.close import CloseResult
    from planner.handoff import HandoffResult
    from planner.model import Project
    from planner.verify import VerifyResult

SCHEMA_VERSION = 1


def close_json(result: CloseResult) -> dict[str, Any]:
    """`plan close --json`: the plan, its derived status and outcome, every fact of its SUMMARY,
    and whether it was written (or left unchanged: nothing new since it was closed)."""
    return {"schema_version": SCHEMA_VERSION, "plan": result.plan_id, "status": result.facts.status,
            "outcome": result.facts.plan_outcome, "facts": plain_record(result.facts),
            "written": result.written, "unchanged": result.unchanged}


def verify_json(result: VerifyResult) -> dict[str, Any]:
    """`plan verify --json`: the phase, its status, every fact of its VERIFICATION, written?"""
    return {"schema_version": SCHEMA_VERSION, "phase": result.phase_id, "status": result.status,
            "facts": plain_record(result.facts), "written": result.written}


def handoff_json(result: HandoffResult, project: Project) -> dict[str, Any]:
    """`plan handoff --json`: the computed report plus what was written and created."""
    return {**plain_record(result.report), "schema_version": SCHEMA_VERSION,
            "path": project.relative(result.document.path), "written": result.written,
            "created": [project.relative(path) for path in result.created]}
