"""What a SUMMARY claims, whoever wrote it: commits, files, times, status, and its tables.

Claims are read from frontmatter in both key styles (`key-files` / `key_files`, `duration` /
`metrics.duration_seconds`), from bold `**Key:** value` lines and from the body's sections
(Task Commits, Files Created/Modified, Deviations from Plan). Every claim keeps the file line
where it was written, so a checker can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.check.claim_text import (
    Claim,
    PartClaims,
    Table,
    described_kind,
    list_mode,
    next_file_mode,
    path_of,
    read_tables,
    self_check_mode,
    take_file,
)
from planner.ids import plan_key
from planner.tree.frontmatter import Document, read_document
from planner.tree.markdown import bold_metadata, field_key

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_BARE_HASH = re.compile(r"\b([0-9a-f]{7,40})\b")
_LABEL = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<key>[^*]{1,60}?):?\*\*:?\s*$")
_NONE_WORDS = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?none\b", re.IGNORECASE)


@dataclass(frozen=True)
class SummaryClaims:
    """Everything one SUMMARY (or any planning document) states that can be checked."""

    path: Path
    commits: tuple[Claim, ...] = ()
    created: tuple[Claim, ...] = ()
    modified: tuple[Claim, ...] = ()
    duration: Claim | None = None
    duration_seconds: Claim | None = None
    started: Claim | None = None
    completed: Claim | None = None
    status: Claim | None = None
    outcome: Claim | None = None  # `outcome:` (met / missed / superseded): executed is not met
    deviations_none: Claim | None = None
    found: tuple[Claim, ...] = ()  # paths a Self-Check section says exist
    references: tuple[Claim, ...] = ()  # requires / affects / depends_on entries naming plans
    tables: tuple[Table, ...] = ()
    lines: tuple[str, ...] = ()  # the whole file, LF-split: lines[n - 1] is file line n
    body_line: int = 1
    headings: tuple[Claim, ...] = ()  # every Markdown heading (its title) outside code fences
    completed_front: Claim | None = None  # frontmatter's `completed` where the body also has one
    has_frontmatter: bool = False

    def heading_above(self, line: int) -> Claim | None:
        """The nearest heading at or above file line `line`."""
        found = None
        for heading in self.headings:
            if heading.line > line:
                break
            found = heading
        return found


def read_claims(path: Path, documents: Mapping[Path, Document] | None = None) -> SummaryClaims:
    """The claims of the document at `path` (never fails on content); `documents` may hold it parsed."""
    document = documents.get(path) if documents is not None else None
    return claims_of(document if document is not None else read_document(path))


def claims_of(document: Document) -> SummaryClaims:
    """The claims a parsed document makes, frontmatter first, the body filling what it lacks."""
    lines = _file_lines(document)
    body = lines[document.body_line - 1:]
    front = _frontmatter_claims(document, lines)
    body_claims = _body_claims(body, document.body_line)

    def said(key: str) -> Claim | None:  # the body's word first, then the frontmatter's
        return body_claims.said.get(key) or front.said.get(key)

    tables = tuple(read_tables(body, document.body_line))
    front_completed = front.said.get("completed") if "completed" in body_claims.said else None
    return SummaryClaims(
        path=document.path,
        commits=_unique(body_claims.commits + _table_commits(tables) + front.commits),
        created=_unique(front.created + body_claims.created),
        modified=_unique(front.modified + body_claims.modified),
        duration=said("duration"),
        duration_seconds=said("duration_seconds"),
        started=said("started"),
        completed=said("completed"),
        status=said("status"),
        deviations_none=body_claims.said.get("deviations_none"),
        outcome=front.said.get("outcome"),
        found=_unique(body_claims.found),
        references=tuple(_references(document, lines)),
        tables=tables,
        lines=tuple(lines),
        body_line=document.body_line,
        headings=tuple(body_claims.headings),
        completed_front=front_completed,
        has_frontmatter=document.has_frontmatter,
    )


def _file_lines(document: Document) -> list[str]:
    head = ["---", *document.frontmatter_text.split("\n")] if document.has_frontmatter else []
    head = head[: document.body_line - 1]
    while len(head) < document.body_line - 1:
        head.append("")
    return head + document.body.split("\n")


def _unique(claims: list[Claim]) -> tuple[Claim, ...]:
    seen: dict[str, Claim] = {}
    for claim in claims:
        seen.setdefault(claim.value, claim)
    return tuple(seen.values())


# ---------------------------------------------------------------- frontmatter


def _line_of_item(lines: list[str], item: str, start: int | None, end: int) -> int:
    """The first line at or after `start` (1-based) and before `end` that mentions `item`."""
    first = start or 1
    for number in range(first, min(end, len(lines) + 1)):
        if item in lines[number - 1]:
            return number
    return first


def _key_lines(document: Document) -> dict[str, int]:
    """Top-level frontmatter key -> file line, in one pass (first occurrence wins)."""
    found: dict[str, int] = {}
    for offset, text in enumerate(document.frontmatter_text.split("\n")):
        if text[:1].strip() and text[0] not in "#-" and ":" in text:
            found.setdefault(text.split(":", 1)[0].strip().strip("\"'"), offset + 2)
    return found


def _frontmatter_claims(document: Document, lines: list[str]) -> PartClaims:
    meta: Mapping[str, object] = document.meta
    found = PartClaims()
    if not meta:
        return found
    line_of = _key_lines(document).get
    end = document.body_line
    key_files = meta.get("key-files", meta.get("key_files"))
    key_line = line_of("key-files") or line_of("key_files")
    if isinstance(key_files, dict):
        for kind in ("created", "modified"):
            values = key_files.get(kind)
            for item in values if isinstance(values, list) else []:
                if isinstance(item, dict):  # `- path: x` (with a description beside it)
                    named = item.get("path", item.get("file"))
                    item = str(named) if isinstance(named, str) else ""
                if isinstance(item, str) and item.strip():
                    path = path_of(item)
                    said = described_kind(item, kind)
                    if path and said:
                        found.files(said).append(Claim(path, _line_of_item(lines, path, key_line, end)))
    raw_metrics = meta.get("metrics")
    metrics: Mapping[str, object] = raw_metrics if isinstance(raw_metrics, dict) else {}
    metrics_line = line_of("metrics")
    for key in ("duration", "started", "completed", "duration_seconds"):
        value = meta.get(key)
        line = line_of(key)
        if value is None and key in metrics:
            value = metrics[key]
            line = _line_of_item(lines, f"{key}:", metrics_line, end)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            found.said[key] = Claim(str(value).strip(), line or 1)
    status = meta.get("status")
    if isinstance(status, str) and status.strip():
        found.said["status"] = Claim(status.strip(), line_of("status") or 1)
    outcome = meta.get("outcome")
    if isinstance(outcome, str) and outcome.strip():
        found.said["outcome"] = Claim(outcome.strip(), line_of("outcome") or 1)
    commits = meta.get("commits")
    commit_line = line_of("commits")
    for item in commits if isinstance(commits, list) else []:
        match = _BARE_HASH.search(str(item))
        if match and is_hash_like(match[1], True):
            found.commits.append(Claim(match[1], _line_of_item(lines, match[1], commit_line, end)))
    return found


_LEADING_TOKEN = re.compile(r"^[\w.-]+")  # `03-01: auth`, `04-90-percent-target-02 (coverage)`


def _references(document: Document, lines: list[str]) -> list[Claim]:
    """Plan ids named by `requires`, `affects` and `depends_on` (as `NN-MM`)."""
    found: list[Claim] = []
    line_of = _key_lines(document).get
    for key in ("requires", "affects", "depends_on", "dependency_graph"):
        value = document.meta.get(key)
        line = line_of(key)
        if key == "dependency_graph" and isinstance(value, dict):
            for inner in ("requires", "affects"):
                found.extend(_plan_refs(value.get(inner), lines, line, document.body_line))
        elif key != "dependency_graph":
            found.extend(_plan_refs(value, lines, line, document.body_line))
    return found


def _plan_refs(value: object, lines: list[str], start: int | None, end: int) -> list[Claim]:
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    found = []
    for item in items:
        text = None
        if isinstance(item, str):
            token = _LEADING_TOKEN.match(item.strip())
            text = token[0] if token and plan_key(token[0]) else None
        elif isinstance(item, dict) and item.get("phase") is not None and item.get("plan") is not None:
            phase = re.match(r"\d+[A-Za-z]?(?:\.\d+)*", str(item["phase"]).strip())
            plan = str(item["plan"]).strip()
            text = f"{phase[0]}-{plan}" if phase and re.fullmatch(r"(?:GAP-)?\d+[A-Za-z]?", plan) else None
        if text:
            needle = str(item["plan"]) if isinstance(item, dict) else str(item).strip()
            found.append(Claim(text, _line_of_item(lines, needle, start, end)))
    return found


# ---------------------------------------------------------------- body


_BOLD_KEYS = {"duration": "duration", "started": "started", "start": "started",
              "completed": "completed", "finished": "completed", "status": "status"}


_COMMIT_CONTEXT = re.compile(r"\bcommit|\bhash(?:es)?\b|\bsha\b", re.IGNORECASE)
_QUOTED_HEX = re.compile(r"(?<![\w])(?:`|\*\*)([0-9a-fA-F]{7,40})(?:`|\*\*)(?![\w])")
_LOOSE_HEX = re.compile(r"(?<![\w./#:-])([0-9a-f]{7,40})(?![\w/-])")
_AFTER_COMMIT = re.compile(r"\bcommit(?:ted)?(?: as| in| hash)?:?\s+([0-9a-f]{7,40})\b", re.IGNORECASE)
_COMMIT_LABEL = re.compile(r"\*\*(?:[\w ]*\b)?(?:commits?|hash|sha)\b[^*]*\*\*:?", re.IGNORECASE)


def is_hash_like(text: str, quoted: bool) -> bool:
    """A run of hex that can be a commit hash: not all digits (an epoch, a count, a date), and
    with at least one digit unless it was quoted or bold (`deadbeef` prose is rare, words are not)."""
    if text.isdigit():
        return False
    return quoted or any(char.isdigit() for char in text)


_RANGE_BASE = re.compile(r"(?<![\w])[0-9a-fA-F]{7,40}\.\.(?=[0-9a-fA-F]{7,40}\b)")


def line_hashes(text: str, *, loose: bool) -> list[str]:
    """Hashes on a line: backticked or bold ones always, bare ones only when `loose`. The base of
    a range (`base..last`) is left out: git's `A..B` excludes A, so A is no commit of the plan."""
    text = _RANGE_BASE.sub("", text)
    found = [m[1].lower() for m in _QUOTED_HEX.finditer(text) if is_hash_like(m[1].lower(), True)]
    if loose:
        found += [m[1] for m in _LOOSE_HEX.finditer(text) if is_hash_like(m[1], False)]
    return list(dict.fromkeys(found))


def _table_commits(tables: tuple[Table, ...]) -> list[Claim]:
    """Hashes in the cells of a table column headed Commit / Hash / SHA."""
    found: list[Claim] = []
    for table in tables:
        columns = [i for i, header in enumerate(table.header) if _COMMIT_CONTEXT.search(header)]
        for row in table.rows:
            for column in columns:
                if column < len(row.cells):
                    found.extend(Claim(h, row.line) for h in line_hashes(row.cells[column], loose=True))
    return found


def _body_claims(body: list[str], first_line: int) -> PartClaims:
    found = PartClaims()
    section = ""
    commit_section = False
    file_mode: str | None = None
    in_fence = False
    for offset, text in enumerate(body):
        number = first_line + offset
        if text.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(text)
        if heading:
            section = heading["title"].strip("* ").lower()
            found.headings.append(Claim(heading["title"].strip(), number))
            commit_section = bool(_COMMIT_CONTEXT.search(section))
            file_mode = list_mode(section) or self_check_mode(section)
            continue
        bold = _bold(text) if "**" in text else {}
        for key, value in bold.items():
            _take_bold(found, key, value, number)
        if "|" in text and text.lstrip().startswith("|"):
            pass  # table cells: read with the tables
        elif commit_section:
            found.commits.extend(Claim(h, number) for h in line_hashes(text, loose=True))
        else:
            label = _COMMIT_LABEL.search(text) if "**" in text else None
            if label is not None:
                found.commits.extend(Claim(h, number) for h in line_hashes(text[label.end():], loose=True))
            elif "commit" in text.lower():
                hashes = line_hashes(text, loose=False) + [m[1] for m in _AFTER_COMMIT.finditer(text)
                                                           if is_hash_like(m[1], False)]
                found.commits.extend(Claim(h, number) for h in dict.fromkeys(hashes))
        file_mode = next_file_mode(file_mode, text, bold)
        if file_mode is not None and not bold:
            take_file(found, text, file_mode, number)
        if section.startswith("deviations") and text.strip():
            if _NONE_WORDS.match(text):
                found.said.setdefault("deviations_none", Claim(text.strip(), number))
            section = "(deviations read)"
    return found


def _bold(text: str) -> dict[str, str]:
    """`**Key:** value` as {key: value}; a bare `**Files Created:**` label as {key: ""}."""
    label = _LABEL.match(text)
    if label:
        return {field_key(label["key"]): ""}
    return bold_metadata(text)


def _take_bold(found: PartClaims, key: str, value: str, number: int) -> None:
    target = _BOLD_KEYS.get(key)
    if target and target not in found.said:
        found.said[target] = Claim(value.strip().strip("*").strip(), number)
    if key == "deviations" and _NONE_WORDS.match(value):
        found.said.setdefault("deviations_none", Claim(value.strip(), number))
