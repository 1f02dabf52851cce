"""Per-line hit and branch counts gathered from line-oriented formats (Cobertura, LCOV)."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.evidence.reports.types import FileCoverage


@dataclass
class LineCounts:
    """Hits per line and branch outcomes per line of one file, merged over repeated records."""

    hits: dict[int, int] = field(default_factory=dict)
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)  # line -> (covered, total)
    arms: dict[tuple[int, str], bool] = field(default_factory=dict)  # (line, arm id) -> taken

    def add_line(self, line: int, hits: int) -> None:
        """Record hits on a line; a line seen twice keeps the larger count."""
        self.hits[line] = max(hits, self.hits.get(line, 0))

    def add_branches(self, line: int, covered: int, total: int) -> None:
        """Record branch outcomes of a line; seen twice, keep the better-covered record."""
        old = self.branches.get(line)
        if old is None or (covered, total) > old:
            self.branches[line] = (covered, total)

    def add_arm(self, line: int, arm: str, taken: bool) -> None:
        """Record one branch arm (LCOV BRDA); an arm seen twice is taken if either record took it."""
        self.arms[(line, arm)] = taken or self.arms.get((line, arm), False)

    def to_file(self, path: str) -> FileCoverage:
        """The FileCoverage these counts make."""
        missing = tuple(sorted(line for line, hits in self.hits.items() if hits == 0))
        return FileCoverage(
            path=path,
            statements=len(self.hits),
            covered=len(self.hits) - len(missing),
            missing_lines=missing,
            branches=sum(total for _, total in self.branches.values()) + len(self.arms),
            covered_branches=sum(covered for covered, _ in self.branches.values())
            + sum(self.arms.values()),
        )
