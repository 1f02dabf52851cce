"""Status contradictions: a document that says COMPLETE or PASS while its own table says it missed."""

from __future__ import annotations

import re

from planner.check.findings import Finding, make
from planner.summary_claims import SummaryClaims, Table, TableRow

_TARGET_HEADER = re.compile(r"target|goal|criteri|threshold|expected|required|truth|must.have|success",
                            re.IGNORECASE)
_VERDICT_HEADER = re.compile(r"status|result|met\b|achieved|outcome|verdict|pass", re.IGNORECASE)
_FAILED = re.compile(r"❌|✗|✘|\b(?:fail(?:ed|s)?|missed|not met|not achieved|not verified|below target)\b",
                     re.IGNORECASE)
_COMPLETE = re.compile(r"^\W*(?:complete[d]?|pass(?:ed)?|success(?:ful)?|done|verified|achieved|all passed)\W*$",
                       re.IGNORECASE)
_MISSED_STATUS = re.compile(r"\b(?:partial|fail(?:ed)?|incomplete|gaps[_ ]found|not met|missed)\b",
                            re.IGNORECASE)


def failed_targets(tables: tuple[Table, ...]) -> list[TableRow]:
    """Rows of target tables whose verdict column says the target was missed."""
    rows = []
    for table in tables:
        if not any(_TARGET_HEADER.search(header) for header in table.header):
            continue
        verdicts = [i for i, header in enumerate(table.header) if _VERDICT_HEADER.search(header)
                    and not _TARGET_HEADER.search(header)]
        for row in table.rows:
            if any(i < len(row.cells) and _FAILED.search(row.cells[i]) for i in verdicts):
                rows.append(row)
    return rows


def check_status(rel: str, claims: SummaryClaims) -> list[Finding]:
    """STA501 complete-with-a-failed-target; STA502 'Deviations: None' beside a missed goal."""
    missed = failed_targets(claims.tables)
    status = claims.status
    findings = []
    if status is not None and missed and _COMPLETE.match(status.value):
        findings.append(make(rel, status.line, "STA501",
                             f"status '{status.value}' but the table row on line {missed[0].line} "
                             f"shows a missed target ({_row_text(missed[0])})"))
    deviations = claims.deviations_none
    if deviations is not None:
        if missed:
            findings.append(make(rel, deviations.line, "STA502",
                                 f"no deviations claimed, but the target on line {missed[0].line} "
                                 "was missed"))
        elif status is not None and _MISSED_STATUS.search(status.value):
            findings.append(make(rel, deviations.line, "STA502",
                                 f"no deviations claimed, but the status on line {status.line} is "
                                 f"'{status.value}'"))
    return findings


def _row_text(row: TableRow) -> str:
    text = " | ".join(cell for cell in row.cells if cell)
    return text if len(text) <= 80 else text[:77] + "..."
