"""The arithmetic of `plan handoff`: statements to cover, points gained, tests fixed. Pure functions.

Every number is computed exactly on integer counts (`fractions.Fraction`) and rounded once, for
display, half to even. Raising file F from p% to t% moves the coverage of a selection by
(t - p) x weight(F) / weight(selection) points; since t% of a file is a whole number of units,
raising F "to t%" means covering ceil(t x weight(F) / 100) - hits(F) more statements (fewer when
the target, judged on its displayed value, passes sooner), and the gain is exactly that count x
100 / weight(selection).

The weight of a file is its statements, plus its branches when the metric counts them
(`coverage` on a snapshot with branch data is coverage.py's percent: statements and branches
together). Plans cover statements; branches are held as measured, so a file whose branches keep
it below a goal is raised as far as its statements go, and says so (`FileRaise.reaches`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from fractions import Fraction

from planner.evidence.reports.numbers import select_files as _select
from planner.evidence.reports.types import TestTotals

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class FileCounts:
    """Statement (and branch) counts of one measured file."""

    path: str
    statements: int
    covered: int
    branches: int = 0
    covered_branches: int = 0
    unreachable: int = 0  # missing statements that can never run here (version guards)

    @property
    def missing(self) -> int:
        """Statements not run: the missing-statement weight of the file."""
        return self.statements - self.covered

    @property
    def coverable(self) -> int:
        """Missing statements a test can run: the most a plan can cover in this file."""
        return max(self.missing - self.unreachable, 0)

    @property
    def percent(self) -> Fraction:
        """Statement coverage of the file in percent, exact."""
        return percent(self.covered, self.statements)

    def weight(self, with_branches: bool) -> int:
        """What the file counts for in a selection: statements, plus branches when counted."""
        return self.statements + (self.branches if with_branches else 0)

    def hits(self, with_branches: bool) -> int:
        """Covered statements, plus covered branches when counted."""
        return self.covered + (self.covered_branches if with_branches else 0)

    def value(self, with_branches: bool) -> Fraction:
        """The file's coverage in percent, exact: coverage.py's percent when branches count."""
        return percent(self.hits(with_branches), self.weight(with_branches))

    def with_covered(self, covered: int) -> FileCounts:
        """The same file with `covered` statements run (branches as measured)."""
        return replace(self, covered=min(self.statements, covered))


Passes = Callable[[Fraction], bool]  # whether a percentage meets the goal, as the target is judged


@dataclass(frozen=True)
class FileRaise:
    """Raising one file to `goal` percent; `to_cover` statements is the unit of work."""

    file: FileCounts
    goal: Fraction
    to_cover: int
    with_branches: bool = False
    reaches: bool = True  # False when its statements alone cannot bring it to the goal (branches held)

    @property
    def percent_before(self) -> Fraction:
        """The file's coverage now, by the metric's rule."""
        return self.file.value(self.with_branches)

    @property
    def percent_after(self) -> Fraction:
        """The file's coverage once `to_cover` more statements run."""
        return percent(self.file.hits(self.with_branches) + self.to_cover, self.file.weight(self.with_branches))

    def points(self, selection_weight: int) -> Fraction:
        """Percentage points the raise adds to a selection of `selection_weight` units."""
        return points(self.to_cover, selection_weight)


def percent(covered: int, statements: int) -> Fraction:
    """covered / statements in percent; 100 when there is nothing to cover (as coverage.py)."""
    return Fraction(100 * covered, statements) if statements > 0 else HUNDRED


def points(statements_covered: int, selection_statements: int) -> Fraction:
    """Percentage points that covering `statements_covered` more statements adds to a selection
    of `selection_statements` units (its statements, plus its branches when they count)."""
    if selection_statements <= 0:
        return Fraction(0)
    return Fraction(100 * statements_covered, selection_statements)


def statements_to_reach(statements: int, covered: int, goal: Fraction) -> int:
    """More statements to cover so that covered / statements >= goal percent (0 when already so)."""
    return max(0, math.ceil(goal * statements / HUNDRED) - covered)


def least_to_pass(weight: int, hits: int, goal: Fraction, passes: Passes | None = None) -> int:
    """More units to cover so that the percentage meets `goal`: exactly (hits / weight >= goal),
    or, with `passes`, as the target judges it (its displayed value), which may need fewer."""
    needed = statements_to_reach(weight, hits, goal)
    if passes is not None:
        while needed > 0 and passes(percent(hits + needed - 1, weight)):
            needed -= 1
    return needed


def raise_file(file: FileCounts, goal: Fraction, *, with_branches: bool = False,
               passes: Passes | None = None) -> FileRaise:
    """The work of raising `file` to `goal` percent (statements only: at most its coverable ones)."""
    needed = least_to_pass(file.weight(with_branches), file.hits(with_branches), goal, passes)
    return FileRaise(file, goal, min(needed, file.coverable), with_branches, needed <= file.coverable)


def rank_files(files: Iterable[FileCounts], goal: Fraction, *, with_branches: bool = False,
               passes: Passes | None = None) -> list[FileRaise]:
    """Files below `goal`, ranked by statements to cover, then missing statements, then path."""
    raises = [raise_file(file, goal, with_branches=with_branches, passes=passes) for file in files]
    wanted = [item for item in raises if item.to_cover > 0]
    return sorted(wanted, key=lambda r: (-r.to_cover, -r.file.missing, r.file.path))


def choose_raises(files: Iterable[FileCounts], goal: Fraction, needed: int, limit: int, *,
                  with_branches: bool = False,
                  passes: Passes | None = None) -> tuple[tuple[FileRaise, ...], int]:
    """The top-ranked raises (at most `limit`) until `needed` statements are covered, and the
    statements still short after them (0 when they suffice)."""
    chosen: list[FileRaise] = []
    total = 0
    for item in rank_files(files, goal, with_branches=with_branches, passes=passes):
        if total >= needed or len(chosen) >= limit:
            break
        chosen.append(item)
        total += item.to_cover
    return tuple(chosen), max(0, needed - total)


def cover_missing(files: Iterable[FileCounts], needed: int, limit: int) -> tuple[tuple[FileRaise, ...], int]:
    """For a `missing <= N` target: files by missing statements, each covered in full until
    `needed` statements are covered (the last one only as far as needed), at most `limit` files;
    and the statements still short."""
    chosen: list[FileRaise] = []
    total = 0
    for file in sorted((f for f in files if f.coverable > 0), key=lambda f: (-f.coverable, f.path)):
        if total >= needed or len(chosen) >= limit:
            break
        count = min(file.coverable, needed - total)
        chosen.append(FileRaise(file, percent(file.covered + count, file.statements), count))
        total += count
    return tuple(chosen), max(0, needed - total)


def chunks(items: Sequence[FileRaise], size: int) -> list[tuple[FileRaise, ...]]:
    """`items` cut into consecutive groups of at most `size`."""
    return [tuple(items[start:start + size]) for start in range(0, len(items), max(size, 1))]


def select_files(files: Mapping[str, FileCounts],
                 selection: str | Sequence[str] | None) -> list[FileCounts]:
    """The files a selection names (`planner.evidence.reports.numbers.select_files`), sorted by path."""
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
        # TestTotals.pass_rate, exactly
        return Fraction(100 * totals.judged_passed, totals.judged) if totals.judged > 0 else None
    field = {"tests.failed": "failed", "tests.errors": "errors", "tests.passed": "passed",
             "tests.total": "total", "tests.skipped": "skipped", "tests.xfail": "xfail"}.get(metric)
    return Fraction(getattr(totals, field)) if field is not None else None



def format_fixed(value: Fraction, places: int = 2, *, signed: bool = False) -> str:
    """`value` rounded once (half to even) to `places` decimals: `13.00`, `+0.25`, `-3`."""
    scaled = round(value * 10**places)
    sign = "-" if scaled < 0 else ("+" if signed else "")
    whole, fraction = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"
