"""Status contradictions: a document that says COMPLETE or PASS while its own table says it missed."""

from __future__ import annotations

import re

from planner.check.claim_text import Table, TableRow
from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims

_TARGET_HEADER = re.compile(r"target|goal|criteri|threshold|expected|required|truth|must.have|success",
                            re.IGNORECASE)
_VERDICT_HEADER = re.compile(r"status|result|met\b|achieved|outcome|verdict|pass", re.IGNORECASE)
_FAILED = re.compile(r"❌|✗|✘|\b(?:fail(?:ed|s)?|missed|not met|not achieved|not verified|below target)\b",
                     re.IGNORECASE)
_COMPLETE = re.compile(r"^\W*(?:complete[d]?|pass(?:ed)?|success(?:ful)?|done|verified|achieved|all passed)\W*$",
                       re.IGNORECASE)
_EXECUTED_ONLY = re.compile(r"^\W*(?:complete[d]?|done)\W*$", re.IGNORECASE)  # executed, not "met"
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
    # `outcome: missed` beside `status: complete` says "executed, targets missed" (GSD keeps the
    # two claims apart): no contradiction
    says_missed = claims.outcome is not None and claims.outcome.value.lower() in ("missed", "superseded")
    if status is not None and missed and _COMPLETE.match(status.value) and not says_missed:
        if _EXECUTED_ONLY.match(status.value):  # GSD: a plan is executed (complete) whether or not it met its targets
            findings.append(make(rel, status.line, "STA501",
                                 f"status '{status.value}' says executed, and the table row on line "
                                 f"{missed[0].line} shows a missed target ({_row_text(missed[0])}): "
                                 "executed, not met (allowed; `outcome: missed` says so)", severity="info"))
        else:
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


# ---------------------------------------------------------------- a row against its own numbers

_ACTUAL_HEADER = re.compile(r"actual|achieved|result|measured|current|final|value|got|after|coverage|score",
                            re.IGNORECASE)
_STRICT_TARGET_HEADER = re.compile(r"target|goal|threshold|required|expected|minimum|min\b", re.IGNORECASE)
_VERDICT_CELL_PASS = re.compile(r"✅|✓|✔|\b(?:pass(?:ed|es)?|met|achieved|exceeded|ok)\b", re.IGNORECASE)
_VERDICT_CELL_FAIL = re.compile(r"❌|✗|✘|\b(?:fail(?:ed|s)?|not met|missed|not achieved|below)\b", re.IGNORECASE)
_BOUND = re.compile(r"^[*_\s]*(?P<op>>=|≥|>|<=|≤|<|~|≈)?\s*(?P<number>\d+(?:\.\d+)?)\s*"
                    r"(?P<unit>%|ms|s|sec|secs|seconds|min|mins|minutes|h|hrs|hours|x|mb|kb|gb)?\s*(?P<plus>\+)?"
                    r"[*_\s]*(?:\((?:min|minimum)\))?[*_\s]*$", re.IGNORECASE)


def _bound(cell: str) -> tuple[str, float, str] | None:
    """(operator, number, unit) of `40%`, `>= 80%`, `50%+`, `<60s`; None otherwise (`~6s` too)."""
    match = _BOUND.match(cell)
    if match is None or match["op"] in ("~", "≈"):
        return None
    unit = (match["unit"] or "").lower()
    # a bare time is a budget (at most), a bare number or percent a floor (at least)
    op = {"≥": ">=", "≤": "<=", None: "<=" if unit and unit not in ("%", "x") else ">="}.get(
        match["op"], match["op"])
    if match["plus"]:
        op = ">="
    return op, float(match["number"]), unit


def row_verdicts(rel: str, claims: SummaryClaims) -> list[Finding]:
    """NUM405: a row whose PASS / FAIL contradicts its own value against its own target."""
    findings = []
    for table in claims.tables:
        headers = [header.strip("* ").strip() for header in table.header]
        targets = [i for i, h in enumerate(headers) if _STRICT_TARGET_HEADER.search(h)]
        actuals = [i for i, h in enumerate(headers) if _ACTUAL_HEADER.search(h) and i not in targets]
        verdicts = [i for i, h in enumerate(headers) if _VERDICT_HEADER.search(h) and i not in targets]
        if len(targets) != 1 or not actuals or not verdicts:
            continue
        target_at = targets[0]
        for row in table.rows:
            cells = row.cells
            target = _bound(cells[target_at]) if target_at < len(cells) else None
            if target is None:
                continue
            actual_at = next((i for i in actuals if i < len(cells) and i not in verdicts
                              and _bound(cells[i]) is not None), None)
            verdict_at = next((i for i in verdicts if i < len(cells) and i != actual_at
                               and (_VERDICT_CELL_PASS.search(cells[i]) or _VERDICT_CELL_FAIL.search(cells[i]))),
                              None)
            if actual_at is None or verdict_at is None:
                continue
            actual = _bound(cells[actual_at])
            assert actual is not None
            if _BOUND.match(cells[actual_at])["op"] or actual[2] != target[2]:  # type: ignore[index]
                continue  # `< 3` as a value, or a percent against a count: not comparable
            op, wanted, _ = target
            value = actual[1]
            met = {">=": value >= wanted, ">": value > wanted, "<=": value <= wanted, "<": value < wanted}[op]
            says_fail = bool(_VERDICT_CELL_FAIL.search(cells[verdict_at]))
            says_pass = bool(_VERDICT_CELL_PASS.search(cells[verdict_at])) and not says_fail
            if (says_pass and not met) or (says_fail and met):
                findings.append(make(rel, row.line, "NUM405",
                                     f"'{cells[verdict_at]}' but {cells[actual_at]} against the target "
                                     f"{cells[target_at]} is {'met' if met else 'missed'}"))
    return findings


# ---------------------------------------------------------------- a status against the document's own verdict

_STATUS_LINE = re.compile(
    r"^\W*(?:\*\*)?(?P<label>(?:plan |phase |overall |final |execution )?(?:status|result|outcome|verdict|"
    r"goal(?: status)?|goal achievement|success criteria))(?:\*\*)?\s*[:|]\s*(?:\*\*)?\s*(?P<value>[^\n|]{1,60})",
    re.IGNORECASE)
_POSITIVE = re.compile(r"^\W*(?:complete[d]?|passed|pass|achieved|success(?:ful)?|met|done|verified)\b",
                       re.IGNORECASE)
_NEGATIVE = re.compile(r"^\W*(?:not achieved|not met|fail(?:ed|s)?|missed|incomplete|not complete[d]?|"
                       r"gaps[_ ]found)\b", re.IGNORECASE)


def _subject_of(label: str) -> str:
    label = label.lower()
    return "goal" if "goal" in label or "criteria" in label else "status"


_PART_HEADING = re.compile(r"\b(?:issue|task|deviation|problem|risk|blocker|item|bug|test|file|step|"
                           r"wave|plan \d|previous|history|known|next)\b", re.IGNORECASE)


def _about_the_document(claims: SummaryClaims, line: int) -> bool:
    """A status line speaks for the document unless it sits under a `###` heading or under a
    heading about one part (an issue, a task, a file, a deviation)."""
    heading = claims.heading_above(line)
    if heading is None:
        return True
    marks = len(claims.lines[heading.line - 1]) - len(claims.lines[heading.line - 1].lstrip("#"))
    return marks <= 2 and not _PART_HEADING.search(heading.value)


def status_against_verdict(rel: str, claims: SummaryClaims) -> list[Finding]:
    """STA503: COMPLETE / PASSED beside the same document's NOT ACHIEVED / FAIL. An error when both
    speak of the same thing (two statuses); an info when the plan is done but its goal is not met
    (GSD allows a plan to be executed while the phase goal is missed)."""
    said: list[tuple[int, str, str, bool]] = []  # (line, subject, value, positive)
    if claims.status is not None and (_POSITIVE.match(claims.status.value) or _NEGATIVE.match(claims.status.value)):
        said.append((claims.status.line, "status", claims.status.value,
                     _NEGATIVE.match(claims.status.value) is None))
    for number, text in enumerate(claims.lines, start=1):
        if number < claims.body_line or "|" in text.strip()[:1]:
            continue
        match = _STATUS_LINE.match(text)
        if match is None or not _about_the_document(claims, number):
            continue
        value = match["value"].strip().strip("*").strip()
        if _NEGATIVE.match(value):
            said.append((number, _subject_of(match["label"]), value, False))
        elif _POSITIVE.match(value):
            said.append((number, _subject_of(match["label"]), value, True))
    positives = [s for s in said if s[3]]
    negatives = [s for s in said if not s[3]]
    if not positives or not negatives:
        return []
    findings = []
    for line, subject, value, _ in negatives:
        same = next((p for p in positives if p[1] == subject), None)
        if same is not None:
            findings.append(make(rel, line, "STA503",
                                 f"{subject} '{value}' here, but '{same[2]}' on line {same[0]}"))
        elif subject == "goal":
            other = positives[0]
            findings.append(make(rel, line, "STA503",
                                 f"goal '{value}' while the plan's status on line {other[0]} is "
                                 f"'{other[2]}': executed, goal not met (allowed, but say so)",
                                 severity="info"))
    return findings
