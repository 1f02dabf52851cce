"""The Markdown pieces planning claims are read from, as they are written by people: a claim
(a value and the line it was written on), pipe tables, and items of file lists ("Files
Created/Modified", Self-Check), whose own words may override the list they sit in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.+)$")
_BACKTICKED = re.compile(r"`([^`]+)`")
_PATH_LIKE = re.compile(r"^[\w@.~+-][\w@.~+/-]*(?:\.[\w]+|/)$|^[\w.-]+/[\w@.~+/-]+$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Claim:
    """A value as written and the 1-based file line it was written on."""

    value: str
    line: int


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A Markdown pipe table: its header cells and rows, each row with its file line."""

    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass
class PartClaims:
    """What one part of a document (its frontmatter or its body) claims, gathered line by line."""

    commits: list[Claim] = field(default_factory=list)
    created: list[Claim] = field(default_factory=list)
    modified: list[Claim] = field(default_factory=list)
    found: list[Claim] = field(default_factory=list)  # paths a Self-Check section says exist
    headings: list[Claim] = field(default_factory=list)
    # claims made once, by name: duration, duration_seconds, started, completed, status, outcome, deviations_none
    said: dict[str, Claim] = field(default_factory=dict)

    def files(self, kind: str) -> list[Claim]:
        """The list of `kind` files (`created`, else `modified`)."""
        return self.created if kind == "created" else self.modified


def self_check_mode(section: str) -> str | None:
    """A Self-Check section lists files as `FOUND: path` lines: neither created nor modified."""
    return "found" if section.startswith(("self-check", "self check")) else None


def next_file_mode(mode: str | None, text: str, bold: dict[str, str]) -> str | None:
    """Which file list the line is in after reading it (None: not in one)."""
    if bold:
        key = next(iter(bold)).replace("_", " ")
        if mode is not None and mode.startswith("both") and key in ("created", "new", "modified",
                                                                    "updated", "changed"):
            return "both:" + ("created" if key in ("created", "new") else "modified")
        if _BULLET.match(text) and mode is not None and not key.startswith("files"):
            return mode  # a bullet with a bold path inside a list
        return list_mode(key)
    if mode is not None and text.strip() and not _BULLET.match(text) and not text.startswith(" "):
        return None if not mode.startswith("both") else mode
    return mode


def list_mode(label: str) -> str | None:
    label = label.lower().strip(" :")
    if not label.startswith("files") and label not in ("created", "modified"):
        return None
    has_created = "created" in label or "new" in label.split()
    has_modified = "modified" in label or "changed" in label or "updated" in label
    if has_created and has_modified:
        return "both"
    if has_created:
        return "created"
    if has_modified:
        return "modified"
    return None


_CHECK_MARK = re.compile(r"^(?:\[[ xX]\]\s*)?(?:[✅✓✔☑]\s*)?(?:(?:FOUND|EXISTS?|OK|VERIFIED|PRESENT)\b:?\s*)?",
                         re.IGNORECASE)


def take_file(found: PartClaims, text: str, mode: str, number: int) -> None:
    bullet = _BULLET.match(text)
    if bullet is None or text.startswith("    "):
        return
    item = _CHECK_MARK.sub("", bullet["text"], count=1) if mode == "found" else bullet["text"]
    path = path_of(item)
    if path is None:
        return
    if mode == "found":
        if not re.search(r"\b(?:missing|not found|deleted|removed|gone|absent)\b", item, re.IGNORECASE):
            found.found.append(Claim(path, number))
        return
    kind: str | None
    if mode.startswith("both"):
        # a sub-label (`**Created:**`) decides; otherwise the item's own words may
        kind = mode.split(":", 1)[1] if ":" in mode else described_kind(item, None)
        if kind is None:
            return
    else:
        kind = described_kind(item, mode)
    if kind is not None:
        found.files(kind).append(Claim(path, number))


_SAYS_CREATED = re.compile(r"^\(?(?:new|created?)\b(?![ -](?:and\b|tests? for|methods?|functions?|fields?))",
                           re.IGNORECASE)
_SAYS_MODIFIED = re.compile(r"^\(?(?:modified|updated|changed|extended|edited|amended|added\s+\S)",
                            re.IGNORECASE)
# "`server.py` - Create and wire the retry queue": an imperative that describes a change made in
# the file, not the file's creation.
_DESCRIBES_CHANGE = re.compile(
    r"^(?:Create|Add|Wire|Implement|Update|Extend|Fix|Refactor|Replace|Remove|Register|Hook|"
    r"Integrate|Expose|Export|Move|Rename|Inject|Append|Insert|Include|Enable|Switch)\s+\S")


def described_kind(item: str, listed: str | None) -> str | None:
    """Whether a file list item says it was created or modified: its own words ("(new)",
    "Updated", "- Create and wire ...") override the list it sits in (`listed`)."""
    tail = re.sub(r"^`[^`]*`|^\*\*[^*]*\*\*|^\S+", "", item.strip())
    tail = tail.strip().lstrip("-:—–").strip()
    if _SAYS_MODIFIED.match(tail):
        return "modified"
    if _SAYS_CREATED.match(tail):
        return "created"
    if listed == "created" and _DESCRIBES_CHANGE.match(tail):
        return "modified"
    return listed


def path_of(item: str) -> str | None:
    """The file path a list item names: its first backticked token, else its first word."""
    quoted = _BACKTICKED.search(item)
    candidate = quoted[1] if quoted else re.split(r"\s+[-—–:(]\s*|\s+", item.strip(), maxsplit=1)[0]
    candidate = candidate.strip().strip("*").rstrip(":,")
    if " " in candidate or "://" in candidate or not _PATH_LIKE.match(candidate):
        return None
    if not re.search(r"[A-Za-z_]", candidate):
        return None  # `5/10`, `1.2.3`: a fraction or a version, not a file
    return candidate


def _cells(text: str) -> tuple[str, ...]:
    inner = text.strip()
    inner = inner.removeprefix("|")
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return tuple(cell.strip() for cell in re.split(r"(?<!\\)\|", inner))


def read_tables(lines: list[str], first_line: int) -> list[Table]:
    """Every pipe table in `lines` (file line `first_line` onwards), outside code fences."""
    tables: list[Table] = []
    in_fence = False
    index = 0
    while index < len(lines):
        text = lines[index]
        if "|" not in text and "`" not in text and "~" not in text:
            index += 1
            continue
        if text.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if (not in_fence and "|" in text and index + 1 < len(lines)
                and _TABLE_SEPARATOR.match(lines[index + 1]) and "|" in lines[index + 1]):
            header = _cells(text)
            rows: list[TableRow] = []
            row_index = index + 2
            while row_index < len(lines) and lines[row_index].strip().startswith("|"):
                rows.append(TableRow(first_line + row_index, _cells(lines[row_index])))
                row_index += 1
            tables.append(Table(first_line + index, header, tuple(rows)))
            index = row_index
            continue
        index += 1
    return tables
