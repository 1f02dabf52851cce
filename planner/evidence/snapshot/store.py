"""Stored snapshots: `.planning/metrics/snapshots/<id>.json` written, listed and loaded.

A snapshot file that cannot be read is an InputError naming it, never skipped: skipping would
silently change which snapshot is "previous" and so every delta.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from planner.errors import InputError
from planner.evidence.snapshot import SNAPSHOTS_DIR, Snapshot, SnapshotRef, parse_snapshot_id
from planner.evidence.snapshot.json_form import snapshot_from_json, snapshot_to_json
from planner.model import Project
from planner.tree.writer import atomic_write

_HEX = re.compile(r"[0-9a-fA-F]{4,64}")


def snapshots_dir(project: Project) -> Path:
    """`.planning/metrics/snapshots/` of a project."""
    return project.planning_dir.joinpath(*SNAPSHOTS_DIR)


def save_snapshot(project: Project, snapshot: Snapshot) -> Path:
    """Write `<id>.json` atomically; ConflictError rather than replace an existing snapshot."""
    path = snapshots_dir(project) / f"{snapshot.id}.json"
    atomic_write(path, snapshot_to_json(snapshot), planning_dir=project.planning_dir)
    return path


def load_snapshot(path: Path) -> Snapshot:
    """The snapshot stored in `path`; InputError naming the file when it is missing or corrupt."""
    from planner.evidence.reports.detect import MAX_REPORT_BYTES
    from planner.storage.safeio import decode_utf8, read_bounded

    try:
        text = decode_utf8(read_bounded(path, MAX_REPORT_BYTES, what="snapshot"), path, "snapshot")
    except InputError as error:
        raise InputError(f"cannot read snapshot: {error.message}; delete or restore it", path, error.line) from None
    return snapshot_from_json(text, path)


def list_snapshots(project: Project) -> list[SnapshotRef]:
    """Every stored snapshot, oldest first (ids sort by time). Other files are ignored."""
    folder = snapshots_dir(project)
    if not folder.is_dir():
        return []
    refs = []
    for path in folder.glob("*.json"):
        parsed = parse_snapshot_id(path.stem)
        if parsed is not None and path.is_file():
            refs.append(SnapshotRef(path.stem, path, parsed[0], parsed[1]))
    return sorted(refs, key=lambda ref: ref.id)


def snapshot_by_id(project: Project, ident: str) -> Snapshot:
    """The snapshot stored as `<ident>.json`; InputError naming it when it is absent, because a
    document pinned to it can no longer be rebuilt (snapshots are meant to be committed)."""
    if parse_snapshot_id(ident) is None:
        raise InputError(f"{ident!r} is not a snapshot id")
    path = snapshots_dir(project) / f"{ident}.json"
    if not path.is_file():
        raise InputError(f"snapshot {ident} is missing: documents built from it cannot be rebuilt; "
                         "commit .planning/metrics/snapshots/ with the documents", path=path)
    return load_snapshot(path)


def latest_snapshot(project: Project) -> Snapshot | None:
    """The newest snapshot, or None when none was taken."""
    refs = list_snapshots(project)
    return load_snapshot(refs[-1].path) if refs else None


def previous_snapshot(project: Project, before: Snapshot | str) -> Snapshot | None:
    """The newest snapshot older than `before` (a snapshot or an id), or None."""
    ident = before.id if isinstance(before, Snapshot) else before
    older = [ref for ref in list_snapshots(project) if ref.id < ident]
    return load_snapshot(older[-1].path) if older else None


def snapshot_at_or_before(project: Project, when: datetime | str) -> Snapshot | None:
    """The newest snapshot taken at or before `when`: a time with a UTC offset, an ISO-8601 text
    (a plan's `started`), or a commit hash (the newest snapshot taken at that commit)."""
    refs = list_snapshots(project)
    moment = _as_time(when)
    if moment is None:
        commit = str(when).strip().lower()
        for ref in reversed(refs):
            if ref.short_commit and ref.short_commit.startswith(commit[:7]):
                found = load_snapshot(ref.path)
                if found.commit and found.commit.startswith(commit):
                    return found
        return None
    chosen = [ref for ref in refs if ref.taken_at <= moment]
    return load_snapshot(chosen[-1].path) if chosen else None


def _as_time(when: datetime | str) -> datetime | None:
    if isinstance(when, datetime):
        moment = when
    elif _HEX.fullmatch(when.strip()):
        return None
    else:
        try:
            moment = datetime.fromisoformat(when.strip())
        except ValueError:
            raise InputError(
                f"{when!r} is neither a time (ISO-8601) nor a commit hash"
            ) from None
    if moment.tzinfo is None:
        raise InputError(
            f"time {moment.isoformat()} has no UTC offset: give one (e.g. +00:00)"
        )
    return moment
