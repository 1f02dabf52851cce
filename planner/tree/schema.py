"""The PLAN frontmatter schema: one table that types the model, validates files and
generates the published JSON Schema (`docs/plan.schema.json`, via `plan schema`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.ids import PlanId
from planner.model import PLAN_OUTCOMES, PLAN_STATUSES, PLAN_TYPES, KeyFiles, Plan
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
_STATUS_WORDS = {
    "planned": ("planned", "pending", "todo", "to do", "ready", "ready to start", "not started", "planning",
                "draft", "proposed", "queued"),
    "in_progress": ("in_progress", "in progress", "in-progress", "started", "executing", "active", "wip",
                    "ongoing"),
    "complete": ("complete", "completed", "done", "finished", "passed", "shipped", "closed"),
    "superseded": ("superseded", "replaced", "obsolete"),
}


def normalise_status(text: str) -> str | None:
    """`✅ READY TO START` -> planned, `Completed` -> complete; None when the word is unknown."""
    without_asides = re.sub(r"\([^)]*\)|\s[-–—:].*$", "", text.lower())  # `PLANNING (no code changes)`
    words = "".join(char for char in without_asides if char.isalnum() or char in " _-").strip()
    for status, synonyms in _STATUS_WORDS.items():
        if words in synonyms:
            return status
    return None


def _as_key_files(value: Any) -> KeyFiles | None:
    if isinstance(value, list):
        return KeyFiles(modified=as_text_list(value) or ())
    if isinstance(value, dict):
        created, modified = as_text_list(value.get("created")), as_text_list(value.get("modified"))
        if created is None or modified is None:
            return None
        return KeyFiles(created, modified)
    return KeyFiles() if value is None else None


def _wrong(document: Document, key: str, expected: str, out: list[Diagnostic]) -> None:
    out.append(Diagnostic(document.path, document.line_of(key), "SCH001", f"'{key}' should be {expected}"))


_CONVERTERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "list": (as_text_list, "a list of text"),
    "int": (as_int, "a whole number"),
    "key_files": (_as_key_files, "a mapping with 'created' and 'modified' lists"),
}


def plan_from_document(document: Document, plan_id: PlanId, out: list[Diagnostic]) -> Plan:
    """The Plan a PLAN document describes; wrong types become diagnostics and defaults."""
    return Plan(**plan_fields(document, plan_id, out))


def plan_fields(document: Document, plan_id: PlanId, out: list[Diagnostic]) -> dict[str, Any]:
    """The keyword arguments of the Plan a PLAN document describes (`plan_from_document`), for a
    reader that adds its own before making the Plan once."""
    meta = document.meta
    value_of: dict[str, Any] = {}
    for key, spec in PLAN_FIELDS.items():
        for name in (key, *spec.aliases):
            if name in meta:
                value_of[key] = meta[name]
                break
    converters = _CONVERTERS
    fields: dict[str, Any] = {}
    for key, raw in value_of.items():
        spec = PLAN_FIELDS[key]
        if raw is None or key in ("phase", "plan"):
            continue
        if spec.kind in converters:
            convert, expected = converters[spec.kind]
            converted = convert(raw)
            if converted is None:
                _wrong(document, key, expected, out)
                continue
            fields[key] = converted
        elif key == "status":
            status = normalise_status(str(raw))
            if status is None:
                _wrong(document, key, "one of " + ", ".join(spec.choices), out)
                continue
            fields[key] = status
        elif spec.kind == "enum":
            if str(raw) not in spec.choices:
                _wrong(document, key, "one of " + ", ".join(spec.choices), out)
                continue
            fields[key] = str(raw)
        elif spec.kind == "mapping":
            if not isinstance(raw, dict):
                _wrong(document, key, "a mapping", out)
                continue
            fields[key] = _shared(raw)
        elif spec.kind in ("text", "timestamp"):
            if isinstance(raw, (dict, list)):
                _wrong(document, key, "text", out)
                continue
            fields[key] = str(raw)
    if as_bool(meta.get("gap_closure")) and "type" not in fields:
        fields["type"] = "gap_closure"
    fields["extra"] = {sys.intern(key): _shared(value) for key, value in meta.items()
                       if key not in value_of and not _is_alias(key)}
    fields["id"], fields["plan_path"] = plan_id, document.path
    return fields


def _shared(value: Any) -> Any:
    """`value` with its keys and text interned: the model holds thousands of plans whose
    must_haves and other keys repeat the same words and paths, and the index pickles (and every
    command unpickles) one copy of each instead of one per plan. (Text leaves are interned in
    place, without a call each: most of the values are text.)"""
    intern = sys.intern
    if isinstance(value, dict):
        return {intern(key) if type(key) is str else key: intern(item) if type(item) is str else _shared(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [intern(item) if type(item) is str else _shared(item) for item in value]
    if isinstance(value, str):
        return intern(value)
    return value


_ALIASES = frozenset({alias for spec in PLAN_FIELDS.values() for alias in spec.aliases} | {"gap_closure"})


def _is_alias(key: str) -> bool:
    return key in _ALIASES


def unknown_plan_keys(meta: dict[str, Any]) -> list[str]:
    known = set(PLAN_FIELDS) | KNOWN_FOREIGN_PLAN_KEYS
    known |= {alias for spec in PLAN_FIELDS.values() for alias in spec.aliases}
    return [key for key in meta if key not in known]


def plan_to_meta(plan: Plan, phase_dir_name: str) -> dict[str, Any]:
    """Frontmatter for a plan, keys in the schema's order; empty values left out."""
    meta: dict[str, Any] = {"phase": phase_dir_name, "plan": plan.id.part, "type": plan.type}
    if plan.is_gap_closure:
        meta["gap_closure"] = True
    values: dict[str, Any] = {
        "title": plan.title, "status": plan.status, "wave": plan.wave, "subsystem": plan.subsystem,
        "tags": list(plan.tags), "requires": list(plan.requires), "provides": list(plan.provides),
        "affects": list(plan.affects), "depends_on": list(plan.depends_on),
        "key_files": {"created": list(plan.key_files.created), "modified": list(plan.key_files.modified)}
        if plan.key_files.created or plan.key_files.modified else None,
        "targets": list(plan.targets), "tasks": list(plan.tasks), "closes": list(plan.closes),
        "started": plan.started, "completed": plan.completed, "base_commit": plan.base_commit,
        "baseline": plan.baseline, "outcome": plan.outcome, "superseded_by": list(plan.superseded_by),
        "must_haves": plan.must_haves,
    }
    for key in PLAN_FIELDS:
        value = values.get(key)
        if key in values and value not in (None, "", [], {}):
            meta[key] = value
    meta.update(plan.extra)
    return meta


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for PLAN frontmatter, generated from PLAN_FIELDS."""
    kinds: dict[str, dict[str, Any]] = {
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
    properties: dict[str, Any] = {}
    for key, spec in PLAN_FIELDS.items():
        entry: dict[str, Any] = {"enum": list(spec.choices)} if spec.kind == "enum" else dict(kinds[spec.kind])
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

