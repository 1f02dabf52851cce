"""Numbers add up: totals against parts, rates against counts, percentages against fractions.

A stated percentage with k decimals agrees when it is within 10^-k of the exact value, so both
rounding and truncation pass: `27/40 (67.5%)` and `2/3 (66%)` agree, `2/3 (70%)` does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from planner.check.claim_text import Table
from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims

_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)(?![\d.]|,\d)"
_INT = r"(?<![\d.,/])" + _NUM
_PCT = r"(\d+(?:\.\d+)?)\s*%"
_PCT_THEN_FRACTION = re.compile(_PCT + r"\s*\(\s*" + _INT + r"\s*/\s*" + _NUM)
_FRACTION_THEN_PCT = re.compile(_INT + r"\s*/\s*" + _NUM + r"(?:\s+[A-Za-z]+){0,3}\s*,?\s*\(\s*" + _PCT + r"\s*\)")
_ARROW = r"\s*(?:->|→|=>|⇒|to)\s*"
# "20% -> 25% (4/20 -> 5/20)": the percentages and the fractions pair in order.
_PAIRED = re.compile(_PCT + _ARROW + _PCT + r"\s*\(\s*" + _INT + r"\s*/\s*" + _NUM + r"(?:\s+[A-Za-z]+)?"
                     + _ARROW + _INT + r"\s*/\s*" + _NUM)
_RANGE_BEFORE = re.compile(r"(\d+(?:\.\d+)?)\s*%?\s*[-–—]\s*$")
_MISSED_WORDS = re.compile(r"^[^)]*\b(?:missing|missed|uncovered|not covered|untested|remaining|failing|failed)\b",
                           re.IGNORECASE)
_COUNT = re.compile(_INT + r"\s+(passed|passing|failed|failing|skipped|errors?|xfailed|xpassed)\b",
                    re.IGNORECASE)
_TOTAL = re.compile(_INT + r"\s+total\b", re.IGNORECASE)
_STRICT_LIST = re.compile(r"^\W*\d[\d,]*\s+\w+(?:\s*,\s*\d[\d,]*\s+\w+)*\s*,?\s*(?:and\s+)?\d[\d,]*\s+total\b",
                          re.IGNORECASE)
_PASS_RATE = re.compile(r"pass(?:ing)?[ -]rate\W{0,6}" + _PCT, re.IGNORECASE)
_TOTAL_ROW = re.compile(r"^(?:total|overall|sum|all|combined)\b", re.IGNORECASE)
_PERCENT_HEADER = re.compile(r"%|percent|coverage|rate|avg|average|mean|median|ratio|pp\b", re.IGNORECASE)
_ID_HEADER = re.compile(r"^(?:#|id|no\.?|phase|plan|wave|task|line|step|priority|rank|order)$", re.IGNORECASE)
_NUMBER_CELL = re.compile(r"^[*_\s]*([+-]?\d{1,3}(?:,\d{3})+|[+-]?\d+(?:\.\d+)?)\s*(%?)[*_\s]*$")
# (numerator header, denominator header, percentage header) pairs that tables use.
_COLUMN_PAIRS = (
    (re.compile(r"^covered(?: lines| statements)?$|^hit$", re.IGNORECASE),
     re.compile(r"^(?:lines|statements|stmts|total lines|executable lines|total statements)$", re.IGNORECASE),
     re.compile(r"coverage|cov %|^%$|percent", re.IGNORECASE)),
    (re.compile(r"^(?:passing|passed|pass)(?: tests)?$", re.IGNORECASE),
     re.compile(r"^(?:tests|total|total tests|test count|count)$", re.IGNORECASE),
     re.compile(r"pass rate|pass %|^rate$|^%$", re.IGNORECASE)),
)


def _number(text: str) -> tuple[float, int] | None:
    """(value, decimals) of a numeric table cell such as `**84.04%**` or `1,234`."""
    if re.search(r"[^*]\*\s*$|†|‡", text) or "~" in text:  # a footnote or an estimate, not the figure
        return None
    match = _NUMBER_CELL.match(text)
    if match is None:
        return None
    digits = match[1].replace(",", "")
    return float(digits), len(digits.partition(".")[2])


def _agrees(stated: float, decimals: int, exact: float) -> bool:
    return bool(abs(stated - exact) <= 10.0 ** -decimals + 1e-9)


def _percent_of(numerator: int, denominator: int) -> float:
    return numerator * 100 / denominator


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def check_numbers(rel: str, claims: SummaryClaims) -> list[Finding]:
    """NUM401-NUM404 over the document's prose lines and tables."""
    findings: list[Finding] = []
    for number, text in _prose_lines(claims):
        if "%" in text and "/" in text:
            findings.extend(_fractions(rel, number, text))
        lowered = text.lower()
        if "total" in lowered:
            findings.extend(_count_total(rel, number, text))
        if "rate" in lowered and "%" in text:
            findings.extend(_pass_rate(rel, number, text))
    for table in claims.tables:
        findings.extend(_table_totals(rel, table))
        findings.extend(_table_fractions(rel, table))
        findings.extend(_weighted_average(rel, table))
    return findings


def _prose_lines(claims: SummaryClaims) -> Iterator[tuple[int, str]]:
    in_fence = False
    for number, text in enumerate(claims.lines, start=1):
        if text.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and number >= claims.body_line and not text.lstrip().startswith("|"):
            yield number, text


def _fractions(rel: str, number: int, text: str) -> list[Finding]:
    """Each percentage beside its fraction; a range (`30-40% (9/31)`) holds it, a missed fraction
    (`40% (60/150 lines missing)`) is the complement, paired changes (`20% -> 25% (4/20 -> 5/20)`)
    pair in order."""
    findings = []
    pairs: list[tuple[str, str, str, str | None, bool]] = []
    taken: list[tuple[int, int]] = []
    for m in _PAIRED.finditer(text):
        pairs += [(m[1], m[3], m[4], None, False), (m[2], m[5], m[6], None, False)]
        taken.append(m.span())
    for m in _PCT_THEN_FRACTION.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        before = _RANGE_BEFORE.search(text[:m.start()])
        missed = bool(_MISSED_WORDS.match(text[m.end():]))
        pairs.append((m[1], m[2], m[3], before[1] if before else None, missed))
    for m in _FRACTION_THEN_PCT.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        missed = bool(_MISSED_WORDS.match(text[m.end(2):m.start(3)]))
        pairs.append((m[3], m[1], m[2], None, missed))
    for percent_text, top, bottom, low, missed in pairs:
        numerator, denominator = int(top.replace(",", "")), int(bottom.replace(",", ""))
        if denominator == 0:
            continue
        exact = _percent_of(numerator, denominator)
        decimals = len(percent_text.partition(".")[2])
        stated = float(percent_text)
        if _agrees(stated, decimals, exact) or (missed and _agrees(stated, decimals, 100 - exact)):
            continue
        if low is not None and float(low) - 10.0 ** -decimals <= exact <= stated + 10.0 ** -decimals:
            continue
        shown = f"{low}-{percent_text}" if low is not None else percent_text
        findings.append(make(rel, number, "NUM403",
                             f"{shown}% stated for {top}/{bottom}, which is {_fmt(exact)}%"))
    return findings


def _counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in _COUNT.finditer(text):
        word = match[2].lower()
        kind = ("passed" if word.startswith("pass") else "failed" if word.startswith("fail")
                else "errors" if word.startswith("error") else word)
        counts[kind] = counts.get(kind, 0) + int(match[1].replace(",", ""))
    return counts


def _count_total(rel: str, number: int, text: str) -> list[Finding]:
    totals = _TOTAL.findall(text)
    counts = _counts(text)
    if len(totals) != 1 or len(counts) < 2:
        return []
    total, parts = int(totals[0].replace(",", "")), sum(counts.values())
    listed = " + ".join(f"{value} {kind}" for kind, value in counts.items())
    # A list like "40 passed, 2 failed, 42 total" must add up; elsewhere only an impossible sum counts.
    if parts > total or (parts != total and _STRICT_LIST.search(text)):
        return [make(rel, number, "NUM401", f"{listed} = {parts}, but the total says {total}")]
    return []


def _pass_rate(rel: str, number: int, text: str) -> list[Finding]:
    rate = _PASS_RATE.search(text)
    counts = _counts(text)
    if rate is None or "passed" not in counts or _PCT_THEN_FRACTION.search(text[rate.start():]):
        return []
    totals = [int(t.replace(",", "")) for t in _TOTAL.findall(text)]
    denominators = set(totals) | {counts["passed"] + counts.get("failed", 0) + counts.get("errors", 0),
                                  sum(counts.values())}
    if len(counts) < 2 and not totals:
        return []
    stated, decimals = float(rate[1]), len(rate[1].partition(".")[2])
    if any(d and _agrees(stated, decimals, _percent_of(counts["passed"], d)) for d in denominators):
        return []
    shown = max(d for d in denominators)
    return [make(rel, number, "NUM402", f"pass rate {rate[1]}% but {counts['passed']} passed of "
                 f"{shown} is {_fmt(_percent_of(counts['passed'], shown))}%")]


def _column(table: Table, pattern: re.Pattern[str]) -> int | None:
    for index, header in enumerate(table.header):
        if pattern.search(header.strip("* ").strip()):
            return index
    return None


def _cell(cells: tuple[str, ...], index: int | None) -> tuple[float, int] | None:
    if index is None or index >= len(cells):
        return None
    return _number(cells[index])


def _split_total(table: Table) -> tuple[list[tuple[int, tuple[str, ...]]], tuple[int, tuple[str, ...]]] | None:
    rows = [(row.line, row.cells) for row in table.rows]
    if len(rows) < 3:
        return None
    first_cells = [cells[0].strip("*_ ") if cells else "" for _, cells in rows]
    flagged = [i for i, cell in enumerate(first_cells) if _TOTAL_ROW.match(cell)]
    if flagged != [len(rows) - 1]:
        return None
    return rows[:-1], rows[-1]


def _table_totals(rel: str, table: Table) -> list[Finding]:
    split = _split_total(table)
    if split is None:
        return []
    parts, (line, total_cells) = split
    findings = []
    for index, header in enumerate(table.header):
        if index == 0 or _PERCENT_HEADER.search(header) or _ID_HEADER.match(header.strip("* ")):
            continue
        total = _cell(total_cells, index)
        values = [_cell(cells, index) for _, cells in parts]
        if total is None or total[1] or any(v is None or v[1] for v in values):
            continue
        if "%" in total_cells[index] or any("%" in cells[index] for _, cells in parts):
            continue
        added = sum(v[0] for v in values if v is not None)
        if added != total[0]:
            findings.append(make(rel, line, "NUM401",
                                 f"'{header.strip('* ')}' total is {_fmt(total[0])}, "
                                 f"but the rows above add up to {_fmt(added)}"))
    return findings


def _table_fractions(rel: str, table: Table) -> list[Finding]:
    findings = []
    for top_re, bottom_re, pct_re in _COLUMN_PAIRS:
        top, bottom, pct = _column(table, top_re), _column(table, bottom_re), _column(table, pct_re)
        if top is None or bottom is None or pct is None or len({top, bottom, pct}) < 3:
            continue
        for row in table.rows:
            values = _cell(row.cells, top), _cell(row.cells, bottom), _cell(row.cells, pct)
            if any(v is None for v in values) or values[1] is None or values[1][0] == 0:
                continue
            numerator, _, stated = values
            assert numerator is not None and stated is not None
            exact = numerator[0] * 100 / values[1][0]
            # a "Covered" column that holds the missed lines still agrees with its percentage
            if not _agrees(stated[0], stated[1], exact) and not _agrees(stated[0], stated[1], 100 - exact):
                findings.append(make(rel, row.line, "NUM403",
                                     f"{_fmt(numerator[0])}/{_fmt(values[1][0])} is {_fmt(exact)}%, "
                                     f"not {_fmt(stated[0])}%"))
    return findings


_BRANCHES = re.compile(r"^(?:branch(?:es)?|total branches)$", re.IGNORECASE)


def _weighted_average(rel: str, table: Table) -> list[Finding]:
    """An overall coverage row against the mean of the rows above it, weighted as coverage.py
    weighs: statements, plus branches when the table gives both. Only a percentage column (its
    cells written with `%`) is read, and only when the rows add up to the total's weight."""
    top_re, weight_re, pct_re = _COLUMN_PAIRS[0]
    weight, pct = _column(table, weight_re), _column(table, pct_re)
    if weight is None or pct is None or weight == pct or _column(table, top_re) is not None:
        return []
    branches = _column(table, _BRANCHES)
    split = _split_total(table)
    if split is None:
        return []
    parts, (line, total_cells) = split
    if pct >= len(total_cells) or "%" not in total_cells[pct]:
        return []

    def weight_of(cells: tuple[str, ...]) -> float | None:
        value = _cell(cells, weight)
        if value is None:
            return None
        extra = _cell(cells, branches) if branches is not None else None
        return value[0] + (extra[0] if extra is not None else 0.0)

    pairs = [(weight_of(cells), _cell(cells, pct)) for _, cells in parts]
    stated = _cell(total_cells, pct)
    if stated is None or any(w is None or p is None for w, p in pairs):
        return []
    weights = [w for w, _ in pairs if w is not None]
    if sum(weights) <= 0:
        return []
    total_weight = weight_of(total_cells)
    if total_weight is not None and abs(total_weight - sum(weights)) > 0.5:
        return []  # the rows are a selection, not the whole the total is about
    exact = sum(w * p[0] for w, p in pairs if w is not None and p is not None) / sum(weights)
    row_rounding = max(0.5 * 10 ** -p[1] for _, p in pairs if p is not None)
    if abs(stated[0] - exact) <= 10 ** -stated[1] + row_rounding + 1e-9:
        return []
    by = table.header[weight].strip("* ") + (f" + {table.header[branches].strip('* ')}" if branches is not None else "")
    return [make(rel, line, "NUM404", f"overall {_fmt(stated[0])}% but the rows weighted by '{by}' "
                 f"give {_fmt(exact)}%")]


# ---------------------------------------------------------------- parts against parts

# "120 (50 unit + 70 integration)", "12 failing (3 + 4 + 7)": a figure and its itemised breakdown.
_BREAKDOWN = re.compile(r"(?<![\w.,/-])" + _NUM + r"(?:\s+[A-Za-z][\w-]*){0,2}\s*\(\s*"
                        r"(?P<parts>\d[\d,]*(?:\s+[A-Za-z][\w-]*)?"
                        r"(?:\s*\+\s*\d[\d,]*(?:\s+[A-Za-z][\w-]*)?)+)\s*\)")
_PART = re.compile(r"(\d[\d,]*)(?:\s+([A-Za-z][\w-]*))?")
# "Unit: 48/52", "**Integration tests:** 66/68 passing", "- Unit tests - 48/52"
_CATEGORY_LINE = re.compile(r"^\W*(?P<name>[A-Za-z][\w-]*)(?:\s+tests?)?\W{0,4}[:\-—–]\W{0,4}\s*"
                            r"(?P<top>\d[\d,]*)\s*/\s*(?P<bottom>\d[\d,]*)\b")


def check_breakdowns(rel: str, claims: SummaryClaims) -> list[Finding]:
    """NUM406: a breakdown that does not add up to its figure, or a category of it that another
    line of the same document counts differently ("50 unit" beside "Unit: 48/52")."""
    findings: list[Finding] = []
    categories: dict[str, tuple[int, int]] = {}  # name -> (count, line)
    lines = list(_prose_lines(claims))
    for number, text in lines:
        if "(" not in text or "+" not in text:
            continue
        for match in _BREAKDOWN.finditer(text):
            total = int(match[1].replace(",", ""))
            parts = [(int(m[1].replace(",", "")), (m[2] or "").lower()) for m in _PART.finditer(match["parts"])]
            added = sum(value for value, _ in parts)
            if added != total:
                listed = " + ".join(str(value) for value, _ in parts)
                findings.append(make(rel, number, "NUM406", f"{total} is broken down as {listed} = {added}"))
                continue
            for value, name in parts:
                if name and not name.startswith(("test", "file", "case", "item", "new", "more")):
                    categories.setdefault(name.rstrip("s"), (value, number))
    if not categories:
        return findings
    for number, text in lines:
        counted = _CATEGORY_LINE.match(text.replace("**", ""))
        if counted is None:
            continue
        name = counted["name"].lower().rstrip("s")
        if name not in categories:
            continue
        stated, where = categories[name]
        bottom = int(counted["bottom"].replace(",", ""))
        if bottom != stated and number != where:
            findings.append(make(rel, number, "NUM406",
                                 f"{counted['name']} counts {bottom} here, but line {where} breaks the "
                                 f"total down with {stated} {name}"))
    return findings
