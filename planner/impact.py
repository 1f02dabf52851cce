"""The arithmetic of `plan handoff`: statements to cover, points gained, tests fixed. Pure functions.

Every number is computed exactly on integer counts (`fractions.Fraction`) and rounded once, for
display, half to even. Raising file F from p% to t% moves the coverage of a selection by
(t - p) x statements(F) / statements(selection) points; since t% of a file is a whole number of
statements, raising F "to t%" means covering ceil(t x statements(F) / 100) - covered(F) more
statements, and the gain is exactly that count x 100 / statements(selection).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from fractions import Fraction

from planner.reports.numbers import select_files as _select
from planner.reports.types import TestTotals

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class FileCounts:
    """Statement counts of one measured file."""

    path: str
    statements: int
    covered: int

    @property
    def missing(self) -> int:
        """Statements not run: the missing-statement weight of the file."""
        return self.statements - self.covered

    @property
    def percent(self) -> Fraction:
        """Coverage of the file in percent, exact."""
        return percent(self.covered, self.statements)


@dataclass(frozen=True)
class FileRaise:
    """Raising one file to `goal` percent; `to_cover` statements is the unit of work."""

    file: FileCounts
    goal: Fraction
    to_cover: int

    @property
    def percent_after(self) -> Fraction:
        """The file's coverage once `to_cover` more statements run (at least `goal`)."""
        return percent(self.file.covered + self.to_cover, self.file.statements)

    def points(self, selection_statements: int) -> Fraction:
        """Percentage points the raise adds to a selection of `selection_statements` statements."""
        return points(self.to_cover, selection_statements)


def percent(covered: int, statements: int) -> Fraction:
    """covered / statements in percent; 100 when there is nothing to cover (as coverage.py)."""
    return Fraction(100 * covered, statements) if statements > 0 else HUNDRED


def points(statements_covered: int, selection_statements: int) -> Fraction:
    """Percentage points that covering `statements_covered` more statements adds to a selection."""
    if selection_statements <= 0:
        return Fraction(0)
    return Fraction(100 * statements_covered, selection_statements)


def statements_to_reach(statements: int, covered: int, goal: Fraction) -> int:
    """More statements to cover so that covered / statements >= goal percent (0 when already so)."""
    return max(0, math.ceil(goal * statements / HUNDRED) - covered)


def raise_file(file: FileCounts, goal: Fraction) -> FileRaise:
    """The work of raising `file` to `goal` percent."""
    return FileRaise(file, goal, statements_to_reach(file.statements, file.covered, goal))


def rank_files(files: Iterable[FileCounts], goal: Fraction) -> list[FileRaise]:
    """Files below `goal`, ranked by statements to cover, then missing statements, then path."""
    raises = [raise_file(file, goal) for file in files]
    wanted = [item for item in raises if item.to_cover > 0]
    return sorted(wanted, key=lambda r: (-r.to_cover, -r.file.missing, r.file.path))


def choose_raises(files: Iterable[FileCounts], goal: Fraction, needed: int,
                  limit: int) -> tuple[tuple[FileRaise, ...], int]:
    """The top-ranked raises (at most `limit`) until `needed` statements are covered, and the
    statements still short after them (0 when they suffice)."""
    chosen: list[FileRaise] = []
    total = 0
    for item in rank_files(files, goal):
        if total >= needed or len(chosen) >= limit:
            break
        chosen.append(item)
        total += item.to_cover
    return tuple(chosen), max(0, needed - total)


def chunks(items: Sequence[FileRaise], size: int) -> list[tuple[FileRaise, ...]]:
    """`items` cut into consecutive groups of at most `size`."""
    return [tuple(items[start:start + size]) for start in range(0, len(items), max(size, 1))]


def select_files(files: Mapping[str, FileCounts],
                 selection: str | Sequence[str] | None) -> list[FileCounts]:
    """The files a selection names (`planner.reports.numbers.select_files`), sorted by path."""
    return sorted(_select(files, selection), key=lambda f: f.path)


Contexts = Mapping[str, Mapping[int, Sequence[str]]]  # path -> line -> ids of the tests that ran it
TestIndex = Mapping[str, Sequence[tuple[str, int]]]  # test id -> the (path, line) pairs it ran


def index_by_test(contexts: Contexts) -> dict[str, list[tuple[str, int]]]:
    """Contexts turned around: for each test, the lines it ran (built once, read per cluster)."""
    index: dict[str, list[tuple[str, int]]] = {}
    for path, lines in contexts.items():
        for line, ids in lines.items():
            for test in ids:
                index.setdefault(test, []).append((path, line))
    return index


def _lines_of(tests: frozenset[str], index: TestIndex) -> set[tuple[str, int]]:
    return {pair for test in tests for pair in index.get(test, ())}


def _per_file(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path, _ in sorted(pairs):
        counts[path] = counts.get(path, 0) + 1
    return counts


def only_covered_by(contexts: Contexts, tests: frozenset[str],
                    index: TestIndex | None = None) -> dict[str, int]:
    """Per file, the lines whose every covering test is one of `tests` (files with none left out)."""
    pairs = _lines_of(tests, index if index is not None else index_by_test(contexts))
    return _per_file((path, line) for path, line in pairs
                     if all(t in tests for t in contexts[path][line]))


def lines_run_by(contexts: Contexts, tests: frozenset[str],
                 index: TestIndex | None = None) -> dict[str, int]:
    """Per file, the lines any of `tests` ran (files with none left out)."""
    return _per_file(_lines_of(tests, index if index is not None else index_by_test(contexts)))


def restorable(missing: Mapping[str, AbstractSet[int]], earlier_contexts: Contexts,
               tests: frozenset[str], index: TestIndex | None = None) -> dict[str, tuple[int, ...]]:
    """Per file, the lines missing now that one of `tests` ran in an earlier measurement.

    The caller passes only files whose content is the same in both measurements, so a line
    number names the same statement in both; `index` is `index_by_test(earlier_contexts)`.
    """
    pairs = _lines_of(tests, index if index is not None else index_by_test(earlier_contexts))
    found: dict[str, list[int]] = {}
    for path, line in sorted(pairs):
        if line in missing.get(path, ()):
            found.setdefault(path, []).append(line)
    return {path: tuple(lines) for path, lines in found.items()}


def tests_after_fixing(totals: TestTotals, failed: int, errors: int) -> TestTotals:
    """The totals once `failed` failing and `errors` erroring tests pass."""
    failed, errors = min(failed, totals.failed), min(errors, totals.errors)
    return replace(totals, failed=totals.failed - failed, errors=totals.errors - errors,
                   passed=totals.passed + failed + errors)


def metric_value(totals: TestTotals, metric: str, clusters: int) -> Fraction | None:
    """The exact value of a test metric (`tests.failed`, `tests.pass_rate`, `clusters`...)."""
    if metric == "clusters":
        return Fraction(clusters)
    if metric == "tests.pass_rate":
        judged = totals.total - totals.skipped - totals.xfail
        return Fraction(100 * (totals.passed + totals.xpass), judged) if judged > 0 else None
    field = {"tests.failed": "failed", "tests.errors": "errors", "tests.passed": "passed",
             "tests.total": "total", "tests.skipped": "skipped", "tests.xfail": "xfail"}.get(metric)
    return Fraction(getattr(totals, field)) if field is not None else None



def format_fixed(value: Fraction, places: int = 2, *, signed: bool = False) -> str:
    """`value` rounded once (half to even) to `places` decimals: `13.00`, `+0.25`, `-3`."""
    scaled = round(value * 10**places)
    sign = "-" if scaled < 0 else ("+" if signed else "")
    whole, fraction = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"
