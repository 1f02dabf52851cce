"""The PLAN frontmatter schema: one table of the fields (kind, aliases, description) that the
published JSON Schema is generated from (`docs/plan.schema.json`, via `plan schema`), and the
reader that narrows a PLAN's frontmatter to a Plan's typed fields by it (tests/test_reader.py
reads every field of the table as its kind).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Required, TypedDict, TypeVar

from planner.ids import PlanId
from planner.model import (
    PLAN_OUTCOMES,
    PLAN_STATUSES,
    PLAN_TYPES,
    KeyFiles,
    Plan,
    PlanOutcome,
    PlanStatus,
    PlanType,
)
from planner.tree.frontmatter import Diagnostic, Document
from planner.tree.values import as_bool, as_int, as_text_list


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # text | list | int | bool | timestamp | enum | mapping | key_files
    description: str
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


PLAN_FIELDS: dict[str, FieldSpec] = {
    "phase": FieldSpec("text", "Phase folder name (GSD style, e.g. `12-tier-1-coverage-push`) or number."),
    "plan": FieldSpec("text", "Plan part of the id: `03`, `GAP-01`."),
    "type": FieldSpec("enum", "Kind of plan.", choices=PLAN_TYPES),
    "title": FieldSpec("text", "One-line title."),
    "status": FieldSpec("enum", "Where the plan is.", choices=PLAN_STATUSES),
    "gap_closure": FieldSpec("bool", "True for plans that close verification gaps (read by GSD tools)."),
    "wave": FieldSpec("int", "Execution wave."),
    "subsystem": FieldSpec("text", "Area of the code the plan works in."),
    "tags": FieldSpec("list", "Free-form tags."),
    "requires": FieldSpec("list", "Plan ids or capabilities this plan needs first."),
    "provides": FieldSpec("list", "Capabilities this plan delivers."),
    "affects": FieldSpec("list", "Plan ids or areas this plan changes for others."),
    "depends_on": FieldSpec("list", "Plan ids that must be complete first (GSD)."),
    "key_files": FieldSpec("key_files", "Files created and modified.", aliases=("key-files",)),
    "targets": FieldSpec("list", "Target expressions, e.g. `coverage >= 28`."),
    "tasks": FieldSpec("list", "Task names."),
    "closes": FieldSpec("list", "Gap ids this plan closes."),
    "started": FieldSpec("timestamp", "When work started (ISO-8601 with UTC offset)."),
    "completed": FieldSpec("timestamp", "When the plan was completed."),
    "base_commit": FieldSpec("text", "HEAD when the plan started: the start of its git range."),
    "baseline": FieldSpec("text", "Id of the latest snapshot at the start: the SUMMARY's Before column."),
    "outcome": FieldSpec("enum", "How a closed plan ended: targets met, targets missed, or superseded.",
                         choices=PLAN_OUTCOMES),
    "superseded_by": FieldSpec("list", "Plan ids that replaced this plan (`plan close --superseded-by`)."),
    "must_haves": FieldSpec("mapping", "truths / artifacts / key_links that must hold when done (GSD)."),
}
# Keys GSD and other tools write that planner reads around without warning.
KNOWN_FOREIGN_PLAN_KEYS = frozenset(
    {"files_modified", "autonomous", "requirements", "user_setup", "objective", "depends-on", "name",
     "description", "priority", "estimated_time", "duration", "created", "updated", "gap_source"}
)
_STATUS_WORDS: dict[PlanStatus, tuple[str, ...]] = {
    "planned": ("planned", "pending", "todo", "to do", "ready", "ready to start", "not started", "planning",
                "draft", "proposed", "queued"),
    "in_progress": ("in_progress", "in progress", "in-progress", "started", "executing", "active", "wip",
                    "ongoing"),
    "complete": ("complete", "completed", "done", "finished", "passed", "shipped", "closed"),
    "superseded": ("superseded", "replaced", "obsolete"),
}


def normalise_status(text: str) -> PlanStatus | None:
    """`✅ READY TO START` -> planned, `Completed` -> complete; None when the word is unknown."""
    without_asides = re.sub(r"\([^)]*\)|\s[-–—:].*$", "", text.lower())  # `PLANNING (no code changes)`
    words = "".join(char for char in without_asides if char.isalnum() or char in " _-").strip()
    for status, synonyms in _STATUS_WORDS.items():
        if words in synonyms:
            return status
    return None


class PlanFields(TypedDict, total=False):
    """The keyword arguments of a Plan as a reader gathers them, to make the Plan once: `Plan(**fields)`."""

    id: Required[PlanId]
    title: str
    type: PlanType
    status: PlanStatus
    subsystem: str
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    affects: tuple[str, ...]
    depends_on: tuple[str, ...]
    key_files: KeyFiles
    targets: tuple[str, ...]
    tasks: tuple[str, ...]
    closes: tuple[str, ...]
    started: str | None
    completed: str | None
    base_commit: str | None
    baseline: str | None
    outcome: PlanOutcome | None
    superseded_by: tuple[str, ...]
    wave: int | None
    unknown_keys: tuple[str, ...]
    plan_path: Path | None
    summary_paths: tuple[Path, ...]
    variant: str


def plan_from_document(document: Document, plan_id: PlanId, out: list[Diagnostic]) -> Plan:
    """The Plan a PLAN document describes; wrong types become diagnostics and defaults."""
    return Plan(**plan_fields(document, plan_id, out))


def plan_fields(document: Document, plan_id: PlanId, out: list[Diagnostic]) -> PlanFields:
    """The keyword arguments of the Plan a PLAN document describes (`plan_from_document`), for a
    reader that adds its own before making the Plan once. A value of the wrong type is an SCH001
    diagnostic in `out`, and its field keeps the Plan's default."""
    read = _FieldReader(document, out)
    # A dict display is evaluated in order: the diagnostics come in the order of PLAN_FIELDS.
    fields: PlanFields = {
        "id": plan_id, "type": read.plan_type(), "title": read.text("title") or "", "status": read.status(),
        "wave": read.whole_number("wave"), "subsystem": read.text("subsystem") or "",
        "tags": read.texts("tags"), "requires": read.texts("requires"), "provides": read.texts("provides"),
        "affects": read.texts("affects"), "depends_on": read.texts("depends_on"), "key_files": read.key_files(),
        "targets": read.texts("targets"), "tasks": read.texts("tasks"), "closes": read.texts("closes"),
        "started": read.text("started"), "completed": read.text("completed"),
        "base_commit": read.text("base_commit"), "baseline": read.text("baseline"),
        "outcome": read.choice("outcome", PLAN_OUTCOMES), "superseded_by": read.texts("superseded_by"),
        "plan_path": document.path,
    }
    read.mapping("must_haves")  # checked only: its value stays in the file, for `plan verify`
    fields["unknown_keys"] = tuple(unknown_plan_keys(document.meta))
    return fields


_Choice = TypeVar("_Choice", bound=str)
_NO_KEY_FILES = KeyFiles()  # one shared default, as the Plan's own: the index pickles it once


class _FieldReader:
    """The PLAN_FIELDS of one document's frontmatter, each narrowed to its field's type: an absent
    or null value gives the field's default, a value of the wrong type that and an SCH001 diagnostic."""

    def __init__(self, document: Document, out: list[Diagnostic]) -> None:
        self.document, self.meta, self.out = document, document.meta, out

    def _wrong(self, key: str, expected: str) -> None:
        self.out.append(Diagnostic(self.document.path, self.document.line_of(key), "SCH001",
                                   f"'{key}' should be {expected}"))

    def text(self, key: str) -> str | None:
        raw = self.meta.get(key)
        if raw is None:
            return None
        if isinstance(raw, (dict, list)):
            self._wrong(key, "text")
            return None
        return str(raw)

    def texts(self, key: str) -> tuple[str, ...]:
        raw = self.meta.get(key)
        found = as_text_list(raw)
        if found is None:
            self._wrong(key, "a list of text")
            return ()
        return found

    def whole_number(self, key: str) -> int | None:
        raw = self.meta.get(key)
        if raw is None:
            return None
        number = as_int(raw)
        if number is None:
            self._wrong(key, "a whole number")
        return number

    def choice(self, key: str, choices: tuple[_Choice, ...]) -> _Choice | None:
        raw = self.meta.get(key)
        if raw is None:
            return None
        text = str(raw)
        for choice in choices:
            if choice == text:
                return choice
        self._wrong(key, "one of " + ", ".join(choices))
        return None

    def plan_type(self) -> PlanType:
        written = self.choice("type", PLAN_TYPES)
        if written is None and as_bool(self.meta.get("gap_closure")):
            return "gap_closure"
        return written or "execute"

    def status(self) -> PlanStatus:
        raw = self.meta.get("status")
        if raw is None:
            return "planned"
        status = normalise_status(str(raw))
        if status is None:
            self._wrong("status", "one of " + ", ".join(PLAN_STATUSES))
            return "planned"
        return status

    def key_files(self) -> KeyFiles:
        meta = self.meta
        raw = meta["key_files"] if "key_files" in meta else meta.get("key-files")  # the first name written
        if raw is None:
            return _NO_KEY_FILES
        if isinstance(raw, list):
            return KeyFiles(modified=as_text_list(raw) or ())
        if isinstance(raw, dict):
            created, modified = as_text_list(raw.get("created")), as_text_list(raw.get("modified"))
            if created is not None and modified is not None:
                return KeyFiles(created, modified)
        self._wrong("key_files", "a mapping with 'created' and 'modified' lists")
        return _NO_KEY_FILES

    def mapping(self, key: str) -> None:
        """SCH001 unless the value is a mapping (or absent)."""
        raw = self.meta.get(key)
        if raw is not None and not isinstance(raw, dict):
            self._wrong(key, "a mapping")


# Every key a PLAN's frontmatter may hold without a warning: planner's fields and their other
# spellings, `gap_closure` (read as the plan's type) and the keys GSD and others write.
_KNOWN_PLAN_KEYS = (frozenset(PLAN_FIELDS) | KNOWN_FOREIGN_PLAN_KEYS | {"gap_closure"}
                    | {alias for spec in PLAN_FIELDS.values() for alias in spec.aliases})


def unknown_plan_keys(meta: Mapping[str, object]) -> list[str]:
    """The keys of a PLAN's frontmatter that neither planner nor GSD defines, in the order written."""
    return [key for key in meta if key not in _KNOWN_PLAN_KEYS]


def plan_to_meta(plan: Plan, phase_dir_name: str) -> dict[str, object]:
    """Frontmatter for a plan, keys in the schema's order; empty values left out. The model holds
    no `must_haves` and no values of other keys: a new plan's come from its draft (`plan_draft`)."""
    meta: dict[str, object] = {"phase": phase_dir_name, "plan": plan.id.part, "type": plan.type}
    if plan.is_gap_closure:
        meta["gap_closure"] = True
    values: dict[str, object] = {
        "title": plan.title, "status": plan.status, "wave": plan.wave, "subsystem": plan.subsystem,
        "tags": list(plan.tags), "requires": list(plan.requires), "provides": list(plan.provides),
        "affects": list(plan.affects), "depends_on": list(plan.depends_on),
        "key_files": {"created": list(plan.key_files.created), "modified": list(plan.key_files.modified)}
        if plan.key_files.created or plan.key_files.modified else None,
        "targets": list(plan.targets), "tasks": list(plan.tasks), "closes": list(plan.closes),
        "started": plan.started, "completed": plan.completed, "base_commit": plan.base_commit,
        "baseline": plan.baseline, "outcome": plan.outcome, "superseded_by": list(plan.superseded_by),
    }
    for key in PLAN_FIELDS:
        value = values.get(key)
        if key in values and value not in (None, "", [], {}):
            meta[key] = value
    return meta


def json_schema() -> dict[str, object]:
    """A JSON Schema (draft 2020-12) for PLAN frontmatter, generated from PLAN_FIELDS."""
    kinds: dict[str, dict[str, object]] = {
        "text": {"type": ["string", "number"]},
        "list": {"type": "array", "items": {"type": ["string", "object"]}},
        "int": {"type": ["integer", "string"], "pattern": r"^\d+$"},
        "bool": {"type": ["boolean", "string"]},
        "timestamp": {"type": "string", "format": "date-time"},
        "mapping": {"type": "object"},
        "key_files": {"type": "object", "properties": {
            "created": {"type": "array", "items": {"type": "string"}},
            "modified": {"type": "array", "items": {"type": "string"}}}},
    }
    properties: dict[str, object] = {}
    for key, spec in PLAN_FIELDS.items():
        entry: dict[str, object] = {"enum": list(spec.choices)} if spec.kind == "enum" else dict(kinds[spec.kind])
        entry["description"] = spec.description
        properties[key] = entry
        for alias in spec.aliases:
            properties[alias] = {"$ref": f"#/properties/{key}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://planner.invalid/schema/plan.schema.json",
        "title": "planner PLAN frontmatter",
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
    }

