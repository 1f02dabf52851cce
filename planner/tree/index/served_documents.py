"""The documents a load serves `plan check` beside its Project (`load_project_documents` in
`planner.tree.index.session`): those it parsed, and the index's rows of files unchanged since they
were stored, decoded when first asked for (`IndexedDocuments`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from planner.tree.frontmatter import Document
from planner.tree.index.encoding import IndexCorrupt, IndexedDocuments, LazyRows
from planner.tree.index.store import Rows, read_rows


class LoadedTree(Protocol):
    """What a load (`planner.tree.index.session._Session`) knows when its caller asks for documents."""

    project_hit: bool
    rows: Rows
    parsed: dict[Path, Document]
    delivered: dict[str, bytes]  # rows workers parsed
    stamps: dict[str, str]
    prefix: str
    planning_dir: Path
    index_path: Path

    def racy(self, stamp: str) -> bool: ...


def served_documents(load: LoadedTree) -> IndexedDocuments:
    """What was parsed by the load, and each stored document whose file is unchanged (after a
    whole-project hit, the rows are read from the index only when a document is first asked for:
    `plan check` with its own per-document cache asks for none)."""
    if load.project_hit and not load.rows:
        return IndexedDocuments(load.parsed, LazyRows(lambda: _unchanged_rows(load, _stored_rows(load))),
                                load.planning_dir)
    return IndexedDocuments(load.parsed, _unchanged_rows(load, load.rows) | load.delivered, load.planning_dir)


def _stored_rows(load: LoadedTree) -> Rows:
    """The index file's rows, read now (after a whole-project hit); none when it cannot be read."""
    try:
        load.rows = read_rows(load.index_path)
    except (IndexCorrupt, sqlite3.Error):
        load.rows = {}  # the caller reads the files itself
    return load.rows


def _unchanged_rows(load: LoadedTree, rows: Rows) -> dict[str, bytes]:
    stored = {}
    for path, stamp in load.stamps.items():
        if path.endswith(".md"):
            key = path.removeprefix(load.prefix)
            row = rows.get(key)
            if row is not None and row[0] == stamp and not load.racy(stamp):
                stored[key] = row[1]
    return stored
