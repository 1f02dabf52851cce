"""Targets judged against measurements: the display rule, `evaluate`, `TargetResult`, formatting.

Comparison rule: **a target is judged on the value as displayed.** Each metric has a display
precision (percentages 2 decimals, seconds 3, counts 0); the measured value is rounded to it
before comparing, and a percentage strictly between 0 and 100 never rounds to 0 or 100 (as in
coverage.py: 99.996 shows and compares as 99.99, so `coverage >= 100` means all covered). So a
result never reads "28.00% FAIL >= 28". Deltas and shortfalls are computed from displayed values,
so the arithmetic a reader sees adds up. The language itself (vocabulary, parsing) is
`planner.targets`, which re-exports every public name here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from planner.targets import METRICS, Status, Target, Unit, metric_spec

_SUFFIX: Mapping[Unit, str] = {"percent": "%", "count": "", "seconds": "s"}


class MetricLookup(Protocol):
    """Where measured numbers come from (a snapshot, a report, a dict)."""

    def value(self, metric: str, selector: str | None) -> float | None:
        """The measured value, or None when it was not measured."""
        ...


@dataclass(frozen=True)
class DictLookup:
    """A MetricLookup over a mapping of (metric, selector) to value: for tests and simple callers."""

    values: Mapping[tuple[str, str | None], float]

    def value(self, metric: str, selector: str | None) -> float | None:
        """The stored value, or None when the pair is absent."""
        return self.values.get((metric, selector))


@dataclass(frozen=True)
class TargetResult:
    """A target judged: status, the displayed value, deltas against the previous and the start
    snapshot (None when either side is unmeasured) and, when FAIL, how far the value must move."""

    target: Target
    status: Status
    value: float | None
    delta_previous: float | None = None
    delta_start: float | None = None
    shortfall: float | None = None

    @property
    def passed(self) -> bool:
        """True only for PASS: an unmeasured target is not met."""
        return self.status == "PASS"

    def describe(self) -> str:
        """One line for people, e.g. `FAIL coverage >= 28: 26.50% (short by 1.50; +0.50 since
        previous)`."""
        head = f"{self.status} {self.target}"
        metric = METRICS[self.target.metric]
        if self.value is None:
            return f"{head}: not measured"
        notes = []
        if self.shortfall is not None:
            notes.append(f"short by {self.shortfall:.{metric.precision}f}")
        for delta, since in ((self.delta_previous, "previous"), (self.delta_start, "start")):
            if delta is not None:
                notes.append(f"{format_delta(self.target.metric, delta)} since {since}")
        tail = f" ({'; '.join(notes)})" if notes else ""
        return f"{head}: {format_value(self.target.metric, self.value)}{tail}"


# --- formatting -------------------------------------------------------------------------------


def displayed_value(metric: str, value: float) -> float:
    """The value rounded as shown, which is also the value compared (see the module docstring)."""
    spec = metric_spec(metric)
    shown = round(value, spec.precision)
    if spec.unit == "percent":
        step = 10.0**-spec.precision
        if 0.0 < value < 100.0:
            shown = min(max(shown, step), round(100.0 - step, spec.precision))
    return shown + 0.0


def format_value(metric: str, value: float) -> str:
    """A measured value with its unit: `27.99%`, `3`, `1.250s`."""
    spec = metric_spec(metric)
    return f"{displayed_value(metric, value):.{spec.precision}f}{_SUFFIX[spec.unit]}"


def format_delta(metric: str, delta: float) -> str:
    """A signed change at the metric's precision: `+1.25`, `-3`, `+0.00`."""
    spec = metric_spec(metric)
    return f"{round(delta, spec.precision) + 0.0:+.{spec.precision}f}"


# --- evaluation -------------------------------------------------------------------------------


def evaluate(
    target: Target,
    measure: MetricLookup,
    previous: MetricLookup | None = None,
    start: MetricLookup | None = None,
) -> TargetResult:
    """The target judged on `measure`, with deltas against `previous` and `start` snapshots.

    Compares the displayed value (module docstring); a value of None (or NaN) is UNMEASURED,
    which is not PASS. The shortfall of a FAIL is how far the displayed value must move to the
    nearest displayable passing value: `coverage >= 28` at 26.50 is short by 1.5,
    `tests.failed == 0` at 3 by 3, `tests.failed < 2` at 5 by 4.
    """
    value = _measured(measure, target)
    if value is None:
        return TargetResult(target, "UNMEASURED", None)
    passed = _compare(value, target.op, target.threshold)
    return TargetResult(
        target,
        "PASS" if passed else "FAIL",
        value,
        delta_previous=_delta(target, value, previous),
        delta_start=_delta(target, value, start),
        shortfall=None if passed else _shortfall(target, value),
    )


def evaluate_all(
    targets: Sequence[Target],
    measure: MetricLookup,
    previous: MetricLookup | None = None,
    start: MetricLookup | None = None,
) -> list[TargetResult]:
    """Each target judged, in order."""
    return [evaluate(target, measure, previous, start) for target in targets]


def _measured(lookup: MetricLookup, target: Target) -> float | None:
    raw = lookup.value(target.metric, target.selector)
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    return displayed_value(target.metric, float(raw))


def _compare(value: float, op: str, threshold: float) -> bool:
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    if op == "<":
        return value < threshold
    if op == "==":
        return value == threshold
    return value != threshold


def _delta(target: Target, value: float, other: MetricLookup | None) -> float | None:
    before = _measured(other, target) if other is not None else None
    if before is None:
        return None
    return float(_exact(value) - _exact(before)) + 0.0


def _shortfall(target: Target, value: float) -> float:
    step = Decimal(1).scaleb(-METRICS[target.metric].precision)
    shown, threshold = _exact(value), _exact(target.threshold)
    low = (threshold / step).to_integral_value(ROUND_FLOOR) * step  # displayable, <= threshold
    high = (threshold / step).to_integral_value(ROUND_CEILING) * step  # displayable, >= threshold
    needed = {
        ">=": high - shown,
        ">": (low + step) - shown,
        "<=": shown - low,
        "<": shown - (high - step),
        "==": abs(shown - threshold),
        "!=": step,
    }[target.op]
    return float(needed)


def _exact(number: float) -> Decimal:
    return Decimal(repr(number))
