"""planner: keeps a project's planning documents true.

The library behind the `plan` command. Every command is one call on a loaded project:

    import planner
    project = planner.load_project(planner.find_project_root())
    planner.start_plan(project, "01-01")                  # plan start
    planner.measure_project(project, run=True)            # plan measure --run
    planner.close_plan(project, "01-01")                  # plan close (writes the SUMMARY)
    planner.verify_phase(planner.load_project(project.root), "1")   # plan verify
    planner.handoff_phase(planner.load_project(project.root), "1")  # plan handoff
    report = planner.check_root(project.root)             # plan check
    planner.project_status(project)                       # plan status --json, as data

Reading:   find_project_root, load_project; the model: Project, Phase, Plan, Gap.
Writing:   init_project, add_phase, new_plan, start_plan, measure_project, close_plan, verify_phase,
           handoff_phase; each takes `dry_run=True` where the command takes `--dry-run`.
Checking:  check_root, run_checks, stale_documents (plan render --check), project_status.
Targets:   parse_target, evaluate. Reports: read_coverage, read_junit. Schema: json_schema.
Errors:    PlannerError and its kinds InputError, ConflictError, EnvironmentProblem,
           ProjectNotFound, GitProblem; each carries the exit code `plan` uses.

Names load on first use, so `import planner` costs no git, Jinja or Typer import.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing's own costs 3 ms to import, and `plan status` starts here

__version__ = "0.1.0"

# public name -> the module that defines it. A public name never equals a submodule's name:
# importing planner.measure binds the module to `planner.measure`, so the function is
# `measure_project` (planner.measure.measure).
_RENAMED = {"measure_project": "measure"}
_API = {
    "find_project_root": "planner.tree.project_root",
    "load_project": "planner.tree.reader",
    "Project": "planner.model",
    "Phase": "planner.model",
    "Plan": "planner.model",
    "Gap": "planner.model",
    "init_project": "planner.scaffold",
    "add_phase": "planner.scaffold",
    "new_plan": "planner.scaffold",
    "start_plan": "planner.start",
    "measure_project": "planner.measure",
    "close_plan": "planner.close",
    "verify_phase": "planner.verify",
    "handoff_phase": "planner.handoff",
    "check_root": "planner.check",
    "run_checks": "planner.check",
    "stale_documents": "planner.render_check",
    "project_status": "planner.status",
    "parse_target": "planner.targets",
    "evaluate": "planner.targets.judging",
    "read_coverage": "planner.evidence.reports",
    "read_junit": "planner.evidence.reports",
    "json_schema": "planner.tree.schema",
    "PlannerError": "planner.errors",
    "InputError": "planner.errors",
    "ConflictError": "planner.errors",
    "EnvironmentProblem": "planner.errors",
    "ProjectNotFound": "planner.errors",
    "GitProblem": "planner.errors",
}

__all__ = [
    "ConflictError", "EnvironmentProblem", "Gap", "GitProblem", "InputError", "Phase", "Plan",
    "PlannerError", "Project", "ProjectNotFound", "__version__", "add_phase", "check_root",
    "close_plan", "evaluate", "find_project_root", "handoff_phase", "init_project", "json_schema",
    "load_project", "measure_project", "new_plan", "parse_target", "project_status", "read_coverage",
    "read_junit", "run_checks", "stale_documents", "start_plan", "verify_phase",
]

if TYPE_CHECKING:
    from planner.check import check_root, run_checks
    from planner.close import close_plan
    from planner.errors import (
        ConflictError,
        EnvironmentProblem,
        GitProblem,
        InputError,
        PlannerError,
        ProjectNotFound,
    )
    from planner.evidence.reports import read_coverage, read_junit
    from planner.handoff import handoff_phase
    from planner.measure import measure as measure_project
    from planner.model import Gap, Phase, Plan, Project
    from planner.render_check import stale_documents
    from planner.scaffold import add_phase, init_project, new_plan
    from planner.start import start_plan
    from planner.status import project_status
    from planner.targets import parse_target
    from planner.targets.judging import evaluate
    from planner.tree.project_root import find_project_root
    from planner.tree.reader import load_project
    from planner.tree.schema import json_schema
    from planner.verify import verify_phase


def __getattr__(name: str) -> object:
    """The public API, imported on first use (module `__getattr__`, PEP 562); the imports above, for
    type checkers only, give each name its type."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
