"""Mermaid diagrams GitHub renders: plan dependencies, plan timing, coverage over snapshots."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from planner.model import Phase

_UNSAFE_LABEL = re.compile(r'["`<>{}\[\]|]')


def _node(plan_id: str) -> str:
    return "p_" + re.sub(r"[^A-Za-z0-9]", "_", plan_id)


def _label(text: str) -> str:
    return _UNSAFE_LABEL.sub("", text)[:60]


def dependency_graph(phases: Sequence[Phase]) -> str | None:
    """`graph LR` of plans and the plans they require / depend on; None when nothing depends."""
    plans = {str(plan.id): plan for phase in phases for plan in phase.plans}
    edges = []
    for plan_id, plan in plans.items():
        for needed in (*plan.depends_on, *plan.requires):
            if needed in plans:
                edges.append((needed, plan_id))
    if not edges:
        return None
    lines = ["graph LR"]
    for plan_id, plan in plans.items():
        title = f"{plan_id} {plan.title}".strip()
        lines.append(f'  {_node(plan_id)}["{_label(title)}"]')
    lines.extend(f"  {_node(a)} --> {_node(b)}" for a, b in sorted(set(edges)))
    return "\n".join(lines)


def _utc(text: str | None) -> dt.datetime | None:
    from planner.clock import parse_time

    moment = parse_time(text)
    return moment.astimezone(dt.UTC) if moment else None


def gantt(phases: Sequence[Phase]) -> str | None:
    """A Gantt of plans that recorded a start (and completion), by phase, in UTC; None without any."""
    sections = []
    for phase in phases:
        rows = []
        for plan in phase.plans:
            start, end = _utc(plan.started), _utc(plan.completed)
            if start is None:
                continue
            state = "done" if plan.closed else "active"
            finish = end.strftime("%Y-%m-%d %H:%M") if end else "1m"
            rows.append(f"  {_label(str(plan.id))} :{state}, {_node(str(plan.id))}, "
                        f"{start.strftime('%Y-%m-%d %H:%M')}, {finish}")
        if rows:
            sections.append(f"  section Phase {phase.id}")
            sections.extend(rows)
    if not sections:
        return None
    return "\n".join(["gantt", "  title Plan timing (UTC)", "  dateFormat YYYY-MM-DD HH:mm",
                      "  axisFormat %m-%d %H:%M", *sections])


def coverage_chart(points: Sequence[tuple[str, float]]) -> str | None:
    """An `xychart-beta` line of coverage per snapshot; None with fewer than one point."""
    if not points:
        return None
    labels = ", ".join(f'"{_label(label)}"' for label, _ in points)
    values = ", ".join(f"{value:.2f}" for _, value in points)
    return "\n".join(["xychart-beta", '  title "Coverage per snapshot (%)"', f"  x-axis [{labels}]",
                      '  y-axis "coverage %" 0 --> 100', f"  line [{values}]"])


def fenced(diagram: str | None) -> str | None:
    return f"```mermaid\n{diagram}\n```" if diagram else None


@dataclass(frozen=True, slots=True)
class Diagrams:
    """The fenced Mermaid diagrams a ROADMAP or VERIFICATION shows; None where there is nothing to draw."""

    dependencies: str | None
    gantt: str | None
    coverage: str | None


def diagram_context(phases: Sequence[Phase], coverage_points: Sequence[tuple[str, float]] = ()) -> Diagrams:
    return Diagrams(
        dependencies=fenced(dependency_graph(phases)),
        gantt=fenced(gantt(phases)),
        coverage=fenced(coverage_chart(coverage_points)),
    )
