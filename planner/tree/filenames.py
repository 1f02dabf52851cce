"""What a file or folder name in a planning tree says: phase number, plan part, document kind.

Real trees name the same thing many ways (see ../shared/corpora/README.md); this module is the
one place that knows them, so the reader and the checker agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from planner.errors import InputError
from planner.ids import PhaseNumber, normalise_plan_part

_PHASE_DIR = re.compile(
    r"^(?P<prefix>[A-Z]{1,6}-)?(?P<number>\d+[A-Za-z]?(?:\.\d+)*)"
    r"(?:-(?P<dash_decimal>\d)(?=-|$))?(?:-(?P<slug>.+))?$"
)
_PLAN_KINDS = ("PLAN-SUMMARY", "FIX-SUMMARY", "SUMMARY", "FIX-PLAN", "PLAN", "FIX")
_KIND_AT_END = re.compile(
    r"(?:^|[-_])(?P<kind>PLAN-SUMMARY|FIX-SUMMARY|SUMMARY|FIX-PLAN|PLAN|FIX|VERIFICATION|CONTEXT|"
    r"RESEARCH|VALIDATION|UAT|ISSUES|GOAL|HANDOFF)$"
)
# `217-PLAN-02`, `PLAN-01`, `5-PLAN-01-setup-database`, `SUMMARY-01`, `03-SUMMARY-01-api` (GSD 1.30+)
_KIND_NUMBERED = re.compile(
    r"^(?:(?P<prefix>.*?)[-_])?(?P<kind>PLAN|SUMMARY)[-_](?P<number>\d+[A-Za-z]?)(?:[-_](?P<slug>.+))?$"
)
# Derivatives GSD writes beside real plans (`01-01-PLAN-OUTLINE.md`, `PLAN-01.pre-bounce.md`): not plans.
_DERIVATIVE = re.compile(r"(?:-OUTLINE|\.pre-bounce)\.md$", re.IGNORECASE)
_CODE_PREFIX = re.compile(r"^[A-Z]{1,6}-(?=\d)")
_LEADING_PHASE = re.compile(r"^(?P<number>\d+[A-Za-z]?(?:\.\d+)*)(?:-|$)")
_PLAN_TOKEN = re.compile(
    r"^(?P<part>GAP(?:[_-]?CLOSURE)?[-_]?\d+|\d+[A-Za-z0-9]*|WAVE[-_]?\d+[A-Za-z]?)(?:[-_](?P<rest>.*))?$",
    re.IGNORECASE,
)

_GAP_WORD = re.compile(r"GAP(?:[_-]?CLOSURE)?", re.IGNORECASE)

DocumentKind = Literal["plan", "summary", "verification", "goal", "phase_doc", "other"]


@dataclass(frozen=True)
class PhaseDirName:
    number: PhaseNumber | None
    slug: str
    prefix: str = ""


@dataclass(frozen=True)
class FileRole:
    """What one file in a phase folder is."""

    kind: DocumentKind
    label: str  # the kind word as written: PLAN, SUMMARY, FIX, CONTEXT, ...
    plan_part: str | None = None  # None for phase-level documents
    gap: bool = False
    variant: str = ""  # text after the plan number (`TRIGGER-INTERCEPTOR`), kept to tell files apart


def parse_phase_dir(name: str) -> PhaseDirName:
    """`08.1-game-theory` -> 8.1; `09-1-x` -> 9.1; `08-80-percent-x` -> 8; `CK-01-x` -> 1."""
    match = _PHASE_DIR.match(name)
    if match is None:
        return PhaseDirName(None, name)
    number_text = match["number"]
    if match["dash_decimal"]:
        number_text = f"{number_text}.{match['dash_decimal']}"
    return PhaseDirName(PhaseNumber.parse(number_text), match["slug"] or "", (match["prefix"] or "").rstrip("-"))


def classify(file_name: str, dir_name: str) -> FileRole:
    """The role of a Markdown file inside the phase folder `dir_name`."""
    if _DERIVATIVE.search(file_name):
        return FileRole("other", "")
    stem = file_name[:-3] if file_name.lower().endswith(".md") else file_name
    numbered = _KIND_NUMBERED.match(stem)
    if numbered:  # `217-PLAN-02`, `PLAN-01`, `5-PLAN-01-setup-database`, `SUMMARY-01-setup`
        slug = numbered["slug"] or ""
        is_summary = numbered["kind"] == "SUMMARY" or slug == "SUMMARY" or slug.endswith(("-SUMMARY", "_SUMMARY"))
        if is_summary and numbered["kind"] == "PLAN":
            slug = slug[: -len("SUMMARY")].rstrip("-_")
        label = "SUMMARY" if is_summary else "PLAN"
        return FileRole("summary" if is_summary else "plan", label, normalise_plan_part(numbered["number"]),
                        variant=slug)
    kind_match = _KIND_AT_END.search(stem)
    if kind_match is None:
        return FileRole("other", "")
    label = kind_match["kind"]
    remainder = _strip_phase_prefix(stem[: kind_match.start()], dir_name)
    gap = "GAP" in remainder.upper()
    if label in _PLAN_KINDS:
        part, variant = _plan_part(remainder)
        if label.startswith("FIX"):  # a fix plan is a plan of its own beside the one it fixes
            part = f"{part}-FIX" if part else "FIX"
        kind: DocumentKind = "summary" if label.endswith("SUMMARY") else "plan"
        return FileRole(kind, label, part, gap or part.startswith("GAP-"), variant)
    if label == "VERIFICATION":
        return FileRole("verification", label, _plan_part(remainder)[0] if remainder else None)
    if label == "GOAL" and not remainder:
        return FileRole("goal", label)
    return FileRole("phase_doc", label)


def reconcile_part(role: FileRole, written: object) -> FileRole:
    """The role with the plan part the document's own `plan:` names, when the file name's slug
    holds digits: `04-90-percent-target-02-PLAN.md` outside its folder reads as part 90, but its
    `plan: 02` and the name's last number say plan 02."""
    if role.kind not in ("plan", "summary") or not role.variant or written is None or isinstance(written, bool):
        return role
    try:
        part = normalise_plan_part(str(written))
    except InputError:
        return role
    head, _, last = role.variant.rpartition("-")
    if part == role.plan_part or not last.isdigit() or normalise_plan_part(last) != part:
        return role
    return FileRole(role.kind, role.label, part, role.gap, f"{role.plan_part}-{head}" if head else role.plan_part or "")


def _strip_phase_prefix(prefix: str, dir_name: str) -> str:
    if prefix == dir_name:
        return ""
    if prefix.startswith(dir_name + "-"):
        return prefix[len(dir_name) + 1 :]
    if _CODE_PREFIX.match(dir_name):  # project_code folders (`ABC-01-setup`): `ABC-01-02-PLAN.md` is 01-02
        prefix = _CODE_PREFIX.sub("", prefix, count=1)
    match = _LEADING_PHASE.match(prefix)
    if match:
        return prefix[match.end() :]
    return prefix


def _plan_part(remainder: str) -> tuple[str, str]:
    """(normalised plan part, variant) of what follows the phase in a file name."""
    if not remainder:
        return "", ""
    match = _PLAN_TOKEN.match(remainder)
    if match is None:
        return remainder, ""
    rest = match["rest"] or ""
    part = normalise_plan_part(match["part"])
    if part.isdigit() or part.startswith("GAP-"):
        gap_rest = _GAP_WORD.fullmatch(rest)
        return part, "" if gap_rest else rest
    return part, rest


def names_a_plan(part: str) -> bool:
    """Whether a plan part read from a SUMMARY's name names a plan (`03`, `GAP-01`, `08A`, `WAVE1`,
    `03-FIX`), rather than being words about the phase (`TASK-02`, `PHASE7-SESSION`)."""
    base = part.removesuffix("-FIX")
    return bool(_PLAN_PART_NAME.match(base))


_PLAN_PART_NAME = re.compile(r"^(?:GAP-)?\d+[A-Za-z0-9]*$|^WAVE[-_]?\d+[A-Za-z]?$", re.IGNORECASE)
