"""NUM408: the same quantity stated twice in one document with different values.

Real SUMMARYs restate numbers all the time about different things (a file's failing tests and
the suite's, a phase's commits and a plan's, this wave's range and the next one's), so a
restatement is compared only where the two are sure to be the same thing:

- commits: "N commits" (`**Commits:** N`, `**Total:** N commits`) in a section about commits,
  against the commits that section lists; a docs / metadata commit may be counted or not, and a
  count above the list that says what the list lacks ("including a fix", "pending") is not read;
- failing tests: "N tests fail" against the document's own counts ("P passed, F failed"), both on
  lines that speak for the whole document (not under a `###` heading, not about one file, not
  before / after, not a condition);
- a range under the same bold label in the same section (`**Expected gain:** 10.5-14.0%`, then
  `**Expected gain:** 11-16%`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims, line_hashes

_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_COMMITS_TITLE = re.compile(r"\bcommits?\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(?:task|wave|plan|phase|step|part|batch|commit|tasks)\s*$", re.IGNORECASE)
_COMMIT_COUNT = re.compile(r"(?<![\w.,/#-])(?P<count>\d+)\s+(?:(?:task|atomic|total|git)\s+)?commits?\b"
                           r"(?!\s*(?:ago|hash|message))", re.IGNORECASE)
_COMMIT_LABEL = re.compile(r"\*\*(?:total\s+)?commits?(?:\s+made)?:?\*\*:?\s*(?P<count>\d+)\b(?!\s*/)", re.IGNORECASE)
_QUOTED_RUN = re.compile(r"(?<![\w])(?:`|\*\*)([0-9a-fA-F]{7,40})(?:`|\*\*)(?![\w])")
_BOOKKEEPING = re.compile(r"\b(?:docs?|metadata|summary|state(?:\.md)?|planning|plan)\b", re.IGNORECASE)
_EXPLAINS_MORE = re.compile(r"\b(?:includ\w*|plus|pending|planned|previous|earlier|prior|session|not (?:\w+ )?listed|"
                            r"unlisted|other|another|metadata)\b|\+", re.IGNORECASE)
_NO_METADATA = re.compile(r"\bno\b[^.;]*\bmetadata\b", re.IGNORECASE)

_FAILING = re.compile(r"(?<![\w.,/#-])(?P<count>\d[\d,]*)\s+(?:tests?\s+fail(?:ing|ed|s)?|failing(?:\s+tests?)?|"
                      r"failed\s+tests?|test\s+failures)\b", re.IGNORECASE)
_COUNTS = re.compile(r"(?<![\w.,/#-])\d[\d,]*\s+passed,\s*(?P<failed>\d[\d,]*)\s+failed\b", re.IGNORECASE)
_SCOPED = re.compile(r"→|->|=>|`|\b\w+\.(?:py|ts|tsx|js|rs|go|java|rb)\b|\b(?:before|after|from|was|were|"
                     r"previous(?:ly)?|initial(?:ly)?|remaining|still|fixed|now|baseline|pre-existing|legacy|when|if|"
                     r"e\.g|example|phase\s+\d|wave|plan\s+\d|run\s+\d|target|expected|would|could)\b", re.IGNORECASE)
# the labels under which a line states the whole document's test figures
_TESTS_LABEL = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?:tests?|test (?:results?|suite|run|status)|results?|"
                          r"failing(?: tests)?|failures|failed(?: tests)?|suite):?\*\*:?\s", re.IGNORECASE)
_BOLD_INTRO = re.compile(r"^\s*(?:\d+[.)]\s+)?\*\*")  # `**Phase 297**: ...`, `**byok_handler.py:**`: a new block

_RANGE_LABEL = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<label>[^*]{3,60}?):?\*\*:?\s*[~≈]?\s*\+?(?P<low>\d+(?:\.\d+)?)\s*%?"
                          r"\s*[-–]\s*(?P<high>\d+(?:\.\d+)?)\s*%")


def check_restated(rel: str, claims: SummaryClaims) -> list[Finding]:
    """NUM408 in one document: commits counted against their list, failing tests against the
    counts, a labelled range against the same label's range."""
    sections = list(_sections(claims))
    return [*_commits(rel, claims, sections), *_failing(rel, claims, sections), *_ranges(rel, claims, sections)]


Section = tuple[int, int, int, str]  # (heading line, end line exclusive, level, title)


def _sections(claims: SummaryClaims) -> Iterator[Section]:
    heads = []
    for heading in claims.headings:
        text = claims.lines[heading.line - 1] if heading.line <= len(claims.lines) else ""
        marks = _HEADING.match(text)
        if marks is not None:
            heads.append((heading.line, len(marks["marks"]), heading.value))
    for index, (line, level, title) in enumerate(heads):
        end = next((other for other, depth, _ in heads[index + 1:] if depth <= level), len(claims.lines) + 1)
        yield line, end, level, title


def _nearest(sections: list[Section], line: int) -> Section | None:
    found = None
    for section in sections:
        if section[0] < line < section[1]:
            found = section  # sections are in file order: the last one holding the line is the innermost
    return found


def _body_lines(claims: SummaryClaims, start: int, end: int) -> Iterator[tuple[int, str]]:
    in_fence = False
    for number in range(max(start, claims.body_line), min(end, len(claims.lines) + 1)):
        text = claims.lines[number - 1]
        if text.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, text


# ---------------------------------------------------------------- commits against their list


def _listed(claims: SummaryClaims, start: int, end: int) -> tuple[dict[str, str], int]:
    """Hashes a section lists, each with the words after it on its line (to tell a docs commit),
    and how many times hashes are written (a table may list one commit twice)."""
    listed: dict[str, str] = {}
    written = 0
    for _, text in _body_lines(claims, start, end):
        found = line_hashes(text, loose=True) + [m[1].lower() for m in _QUOTED_RUN.finditer(text) if m[1].isdigit()]
        written += len(found)
        for value in found:
            after = text[text.lower().find(value) + len(value):]
            listed.setdefault(value[:7], re.split(r"[0-9a-f]{7,40}", after, maxsplit=1)[0])
    return listed, written


def _scope(sections: list[Section], line: int, total: bool) -> Section | None:
    """The section about commits a count speaks for: its own, or for a total the outermost one."""
    inner = _nearest(sections, line)
    if inner is None or not _COMMITS_TITLE.search(inner[3]):
        return None
    if total:
        for section in sections:
            if section[0] <= inner[0] < section[1] and section[2] < inner[2] and _COMMITS_TITLE.search(section[3]):
                return section
    return inner


def _commits(rel: str, claims: SummaryClaims, sections: list[Section]) -> list[Finding]:
    findings = []
    for number, text in _body_lines(claims, claims.body_line, len(claims.lines) + 1):
        if text.startswith(("  ", "\t", "|")) or "commit" not in text.lower() or _HEADING.match(text):
            continue
        if re.fullmatch(r"\s*(?:[-*]\s+)?\*\*[^*]+\*\*:?\s*", text):
            continue  # `**Plan 01 (3 commits):**` heads a list of its own
        counts = [m for m in _COMMIT_COUNT.finditer(text) if not _ORDINAL.search(text[:m.start()])]
        counts += list(_COMMIT_LABEL.finditer(text))
        if not counts or re.search(r"\b(?:pending|planned)\b", text, re.IGNORECASE):
            continue
        scope = _scope(sections, number, bool(re.search(r"\b(?:total|across|all)\b", text, re.IGNORECASE)))
        if scope is None:
            continue
        listed, written = _listed(claims, scope[0] + 1, scope[1])
        if not listed:
            continue
        stated = int(counts[0]["count"])
        bookkeeping = sum(1 for after in listed.values() if _BOOKKEEPING.search(after))
        accepted = {len(listed), len(listed) - bookkeeping, written}
        if "metadata" in text.lower() and not _NO_METADATA.search(text):
            accepted.add(len(listed) + 1)
        section_text = "\n".join(claims.lines[scope[0]:scope[1] - 1])
        if stated in accepted or (stated > len(listed) and _EXPLAINS_MORE.search(section_text)):
            continue
        findings.append(make(rel, number, "NUM408", f"{stated} commit(s) stated here, but the section "
                             f"'{scope[3][:50]}' (line {scope[0]}) lists {len(listed)}"))
    return findings


# ---------------------------------------------------------------- failing tests against the counts


def _speaks_for_the_document(claims: SummaryClaims, sections: list[Section], number: int, text: str) -> bool:
    """A top-level line labelled as the tests' figures (`**Tests:**`, `**Result:**`), or the bold
    one-liner under the title, about no one file, run or moment, not under a `###` heading."""
    if text.startswith((" ", "\t", "|", ">")) or _SCOPED.search(text):
        return False
    inner = _nearest(sections, number)
    if inner is not None and inner[2] > 2:
        return False
    if _TESTS_LABEL.match(text):
        return True
    one_liner = next((n for n, line in _body_lines(claims, claims.body_line, len(claims.lines) + 1)
                      if line.strip() and not _HEADING.match(line)), None)
    return number == one_liner and text.startswith("**")


def _failing(rel: str, claims: SummaryClaims, sections: list[Section]) -> list[Finding]:
    stated: list[tuple[int, int]] = []
    counted: dict[int, int] = {}  # failed -> the line saying it
    for number, text in _body_lines(claims, claims.body_line, len(claims.lines) + 1):
        if "fail" not in text.lower() or not _speaks_for_the_document(claims, sections, number, text):
            continue
        counts = [int(m["failed"].replace(",", "")) for m in _COUNTS.finditer(text)]
        for value in counts:
            counted.setdefault(value, number)
        if not counts:
            stated += [(int(m["count"].replace(",", "")), number) for m in _FAILING.finditer(text)]
    if len(counted) != 1:
        return []  # no counts, or counts that disagree among themselves: not one figure to hold to
    (failed, where), = counted.items()
    return [make(rel, number, "NUM408", f"{value} failing test(s) stated here, but the counts on line {where} "
                 f"give {failed} failed") for value, number in stated if value != failed]


# ---------------------------------------------------------------- a labelled range restated


def _ranges(rel: str, claims: SummaryClaims, sections: list[Section]) -> list[Finding]:
    """Two lines under the same bold label in one block (no heading, no bold intro such as
    `**Phase 297**:` or `**byok_handler.py:**` between them) whose ranges differ."""
    block = 0
    seen: dict[tuple[str, int], tuple[float, float, str, int]] = {}
    counted: dict[tuple[str, int], int] = {}
    ranges: list[tuple[tuple[str, int], float, float, str, int, str]] = []
    for number, text in _body_lines(claims, claims.body_line, len(claims.lines) + 1):
        match = _RANGE_LABEL.match(text) if "%" in text and "**" in text else None
        if _HEADING.match(text) or (match is None and _BOLD_INTRO.match(text)):
            block += 1
            continue
        if match is None or text.startswith(("  ", "\t")):
            continue
        key = (match["label"].strip().lower(), block)
        counted[key] = counted.get(key, 0) + 1
        ranges.append((key, float(match["low"]), float(match["high"]), f"{match['low']}-{match['high']}%", number,
                       match["label"].strip()))
    findings = []
    for key, low, high, shown, number, label in ranges:
        if counted[key] != 2:
            continue  # a label written once per item of a list is about each item
        first = seen.setdefault(key, (low, high, shown, number))
        if first[3] != number and (low, high) != first[:2]:
            findings.append(make(rel, number, "NUM408",
                                 f"'{label}' is {shown} here, but {first[2]} on line {first[3]}"))
    return findings
