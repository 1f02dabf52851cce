"""An index of the planning tree, so that repeated commands re-read only what changed.

Kept in `.planning/.cache/index.sqlite` (the folder ignores itself with its own `.gitignore`;
`planner.tree.index.store` writes it, `planner.tree.index.encoding` encodes what it holds). Two
layers, both checked against a fresh stat of every file the reader reads (a stamp of size,
mtime_ns, ctime_ns and inode: an edit that keeps the size still changes ctime, and an atomic
rename changes the inode):

- project: the whole built Project, keyed by a signature of every path and stamp and the root (the
  parser's own modules key the whole index), with the stamps it was read from. A warm command
  with no change reads only this; after a change, each phase folder whose files all keep their
  stamps comes from it as it is, and only the other folders and the root documents are read;
- documents: what `plan check`'s loads parsed from each file (the body of SUMMARY and
  VERIFICATION files in a second pickle that only `plan check` decodes), keyed by its path
  (relative to `.planning/`) and stamp. Other loads write none: encoding and storing a row per
  document was a seventh of a cold load, for rows only `plan check` reads.

The index is a cache, never a source of truth: missing, from another planner version or parser,
corrupt or foreign -> rebuilt (corrupt and foreign with a warning the CLI prints); an unwritable
tree is read without it. Files modified within the last RACY_NS of the read are not stored (a
second edit within the file system's timestamp granularity would keep the same stamp).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import PlannerError
from planner.model import Phase, Project
from planner.tree.frontmatter import Diagnostic, Document, read_document
from planner.tree.index import served_phases
from planner.tree.index.aside import run_aside
from planner.tree.index.cores import idle_cores
from planner.tree.index.encoding import IndexCorrupt, decode_document, encode_document
from planner.tree.index.scan import file_stamp, scan_tree, tree_signature
from planner.tree.index.served_documents import served_documents
from planner.tree.index.store import (
    CACHE_DIR,
    INDEX_FILE,
    IndexBusy,
    IndexDamaged,
    IndexRestart,
    IndexWriter,
    Rows,
    cache_dir,
    open_index,
)
from planner.tree.index.workers import Workers

if TYPE_CHECKING:  # the reader is imported only when files must be read
    from planner.tree.reader import KnownPhase

__all__ = ["INDEX_FILE", "IndexStats", "load_project_documents", "load_project_indexed", "scan_tree"]

PLANNING = ".planning"  # planner.tree.reader.PLANNING, which is imported only when files must be read
RACY_NS = 2_000_000_000
_SHOWN = f"{PLANNING}/{CACHE_DIR}/{INDEX_FILE}"  # the index file, as messages name it


@dataclass(frozen=True)
class IndexStats:
    """What the index did for one load: documents served from it, re-read, and what to tell people."""

    hits: int = 0
    misses: int = 0
    rebuilt: bool = False
    warnings: tuple[str, ...] = ()
    project_hit: bool = False  # the whole model came from the index: no document was read
    saved: bool = False  # the index was written (False on a read-only tree, when nothing changed, or aside)


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Cyclic GC paused while thousands of objects are built: it would walk them all, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# project root -> (signature, Project, stamps) of this process's last load whose stamps could be trusted
_RECENT: dict[str, tuple[str, Project, dict[str, str]]] = {}


def reload_project(project_root: Path) -> Project:
    """The project as it is on disk now, files unchanged since the last load served from the index.

    For the use cases that re-read the tree under the project lock and again after writing: the
    command's first load has already reported any index warnings. When the tree's scan is the one
    this process loaded last (nothing changed since), that Project is the answer: no index read."""
    session = _Session(project_root, workers=idle_cores(), reuse_recent=True)
    with _no_collection():
        return session.load()


def load_project_indexed(project_root: Path, *, use_index: bool = True, workers: int | None = None,
                         scanned: tuple[dict[str, str], int] | None = None, remember: bool = True,
                         meanwhile: Callable[[], object] | None = None, save_aside: bool = False,
                         early: Workers | None = None) -> tuple[Project, IndexStats]:
    """The Project `load_project` reads, served from the index where files are unchanged; with
    `workers.PARALLEL_FROM` or more files to parse, `workers` processes (default: one per idle core,
    this one included) share the phase folders. `scanned`: a caller's `scan_tree` and its start (ns);
    `remember=False`: not kept for `reload_project`; `meanwhile`: the caller's own preparation (imports),
    run once the workers read (when files are read), taking from this process's share of the folders;
    `save_aside`: the index is written by a forked copy while the caller goes on, and the caller calls
    `planner.tree.index.aside.wait()` before it exits; `early`: workers `first_read.start` forked
    before the scan, used on a load that reads the whole tree (the caller closes them)."""
    if not use_index:
        from planner.tree.reader import load_project

        return load_project(project_root), IndexStats()
    session = _Session(project_root, workers=idle_cores() if workers is None else workers, remember=remember,
                       meanwhile=meanwhile, save_aside=save_aside, early=early)
    if scanned is not None:
        session.stamps, session.started_ns = scanned
    with _no_collection():
        project = session.load()
    return project, session.stats()


def load_project_documents(project_root: Path, *, use_index: bool = True, workers: int | None = None
                           ) -> tuple[Project, Mapping[Path, Document], IndexStats]:
    """The Project, as `load_project_indexed`, and the documents `plan check` reads, parsed once.

    The mapping holds every document parsed by this load, and every SUMMARY and VERIFICATION
    (and document without frontmatter) the index holds unchanged or a worker process parsed,
    decoded when first asked for. A path it lacks (a PLAN served from the index or a worker without
    its body, a file a worker found modified too recently to store, a path outside the tree)
    raises KeyError: read that file itself."""
    if not use_index:
        from planner.tree.reader import load_project

        parsed: dict[Path, Document] = {}
        project = load_project(project_root, document_reader=lambda path: parsed.setdefault(path, read_document(path)))
        return project, parsed, IndexStats()
    session = _Session(project_root, workers=idle_cores() if workers is None else workers, keep_documents=True)
    with _no_collection():
        project = session.load()
    return project, served_documents(session), session.stats()


def stamping_reader(project_root: Path, started_ns: int) -> Callable[[list[str]], dict[str, object]]:
    """In a worker forked before the scan (`planner.tree.index.first_read`): what reads its chunks
    of phase folders, stamping each file just before reading it."""
    return _Session(project_root, own_stamps={}, started_ns=started_ns)._read_folders


@dataclass
class _Session:
    """One load through the index: scan, look up, read what changed, write back."""

    project_root: Path
    workers: int = 1
    keep_documents: bool = False  # keep every document for the caller (`plan check`)
    reuse_recent: bool = False  # this process's last Project (or its unchanged phases) will do
    remember: bool = True  # keep the Project for this process's `reload_project`
    meanwhile: Callable[[], object] | None = None  # the caller's work, done once the workers have started
    save_aside: bool = False  # the index written by a forked copy (`planner.tree.index.aside`)
    early: Workers | None = None  # workers forked before the scan (`planner.tree.index.first_read`)
    own_stamps: dict[str, str] | None = None  # in such a worker: each file stamped just before it is read
    scanned: served_phases.ScannedFolders | None = None  # what folders read by the early workers must match
    store_rows: bool = field(init=False)  # rows are written for `plan check` only, which keeps documents
    previous: tuple[Project, dict[str, str]] | None = None  # the index's Project for other stamps, and those
    known: KnownPhase | None = None  # the phases of `previous` (or of this process's last load) unchanged
    planning_dir: Path = field(init=False)
    index_path: Path = field(init=False)
    prefix: str = field(init=False)  # the planning folder's path and a separator: cut to make keys
    started_ns: int = field(default_factory=time.time_ns)
    stamps: dict[str, str] = field(default_factory=dict)  # absolute path -> stamp, from the scan
    rows: Rows = field(default_factory=dict)  # relative path -> stored row
    fresh: set[str] = field(default_factory=set)  # rows parsed this load, handed to `writer` as they come
    writer: IndexWriter | None = None  # the new index file, made when the first row is parsed
    write_error: Exception | None = None  # why it could not be made (a read-only tree)
    helpers: Workers | None = None  # worker processes reading phase folders beside the reader
    collected: list[served_phases.Row] | None = None  # in a worker: the rows it parsed, for the reader
    parsed: dict[Path, Document] = field(default_factory=dict)
    delivered: dict[str, bytes] = field(default_factory=dict)  # rows workers parsed, for `documents`
    seen: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0
    rebuild: bool = False
    storable: bool = True  # every file read was in the scan and none was modified too recently
    project_hit: bool = False
    saved: bool = False
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from planner.tree.workstreams import planning_dir_of

        self.planning_dir = planning_dir_of(self.project_root)
        self.index_path = self.planning_dir / CACHE_DIR / INDEX_FILE
        self.prefix = str(self.planning_dir) + os.sep
        self.store_rows = self.keep_documents

    def stats(self) -> IndexStats:
        return IndexStats(self.hits, self.misses, self.rebuild, tuple(self.warnings), self.project_hit, self.saved)

    def load(self) -> Project:
        self.stamps = self.stamps or scan_tree(self.planning_dir)
        if self.planning_dir != self.project_root / PLANNING:  # a workstream inherits the root config
            inherited = os.path.join(self.project_root, PLANNING, "config.json")
            self.stamps[inherited] = file_stamp(inherited) or "missing"
        signature = tree_signature(self.project_root, self.stamps)  # every path and stamp read
        recent = _RECENT.get(str(self.project_root))
        if self.reuse_recent and recent is not None and recent[0] == signature:
            self.project_hit = True
            return recent[1]
        stored = self._open(signature)
        if stored is not None:
            self.project_hit = True
            self.hits = sum(1 for path in self.stamps if path.endswith(".md"))
            if self.remember:
                _RECENT[str(self.project_root)] = (signature, stored, self.stamps)
            return stored
        from planner.tree.reader import load_project

        # a Project, and the stamps it was read from, whose unchanged phase folders this load reuses
        # (not `plan check`'s, which wants every document)
        before = None if self.keep_documents else self.previous
        if self.reuse_recent and recent is not None and not self.rebuild and not self.keep_documents:
            before = recent[1], recent[2]
        if before is not None:
            self.known = served_phases.unchanged_phases(*before, self.stamps, self._reused)
        try:
            with self._helpers(before) as self.helpers:
                if self.meanwhile is not None:
                    self.meanwhile()
                try:
                    project = load_project(self.project_root, document_reader=self.read, known_phase=self._served)
                except IndexRestart:
                    self.hits = self.misses = 0
                    self.seen.clear()
                    self.parsed.clear()
                    project = load_project(self.project_root, document_reader=self.read)
            if self.save_aside and self.writer is None and not self.warnings:  # nothing it could report
                run_aside(lambda: self._save(project, signature))
            else:
                self._save(project, signature)
        finally:
            self._discard()
        if self.storable and self.remember:
            _RECENT[str(self.project_root)] = (signature, project, self.stamps)
        return project

    def _helpers(self, before: tuple[Project, dict[str, str]] | None) -> Workers:
        """Workers for the phase folders this load reads: the early ones on a whole read, else new ones."""
        if self.early is not None and before is None and not self.keep_documents and not self.rows:
            self.scanned = served_phases.ScannedFolders(self.stamps, self.early.chunk_of)
            return self.early
        stale = served_phases.stale_paths(self.stamps, self.rows, self.prefix, before[1] if before else {})
        chunks = served_phases.folder_chunks(self.planning_dir, stale, self.workers)
        return Workers(chunks, self._read_folders, self.workers)

    def read(self, path: Path) -> Document:
        """The document at `path`: from the index when its stamp is unchanged, else parsed."""
        absolute = str(path)
        key = absolute.removeprefix(self.prefix)
        stamp = self.stamps.get(absolute)
        if stamp is None:
            stamp = file_stamp(path)
            if self.own_stamps is None:
                self.storable = False
            else:
                self.own_stamps[absolute] = stamp
        self.seen.add(key)
        row = self.rows.get(key)
        if row is not None and row[0] == stamp and not self.racy(stamp):
            try:
                document, whole = decode_document(path, row[1], with_body=self.keep_documents)
            except IndexCorrupt as error:
                self._damaged(str(error))
                raise IndexRestart from None
            else:
                self.hits += 1
                return self._kept(path, document, whole)
        self.misses += 1
        document = read_document(path)
        if self.racy(stamp):
            self.storable = False
        elif not self.store_rows:
            pass  # a load for `plan check` stores rows; the others, the Project and its stamps
        elif self.collected is not None:
            self.collected.append((key, stamp, encode_document(document)))
        elif (writer := self._writer()) is not None:
            self.fresh.add(key)
            writer.add(key, stamp, encode_document(document))
        return self._kept(path, document, True)

    def _read_folders(self, folders: list[str]) -> dict[str, object]:
        """In a worker: `read_folders` of this session's fork, which has no workers of its own and
        keeps no documents (it sends rows; the reader decodes the ones its caller asks for)."""
        self.helpers, self.keep_documents = None, False
        return served_phases.read_folders(self, folders)

    def _served(self, directory: Path) -> tuple[Phase, tuple[Diagnostic, ...]] | None:
        """The Phase in `directory` unchanged since an earlier load, or read by a worker (its rows
        handed to the index writer); None: read it here."""
        if self.known is not None and (reused := self.known(directory)) is not None:
            return reused
        done = self.helpers.take(str(directory)) if self.helpers is not None else None
        if not isinstance(done, served_phases.FolderRead):
            return None
        if done.stamped is not None:  # read by a worker forked before the scan
            if self.scanned is None or not self.scanned.agree(str(directory), done.stamped):
                return None
            self.storable = self.storable and not any(map(self.racy, done.stamped.values()))
        if done.rows and (writer := self._writer()) is not None:
            for key, stamp, blob in done.rows:
                self.fresh.add(key)
                writer.add(key, stamp, blob)
        if self.keep_documents:  # decoded, bodies and all, when the caller asks for one
            self.delivered.update((key, blob) for key, _, blob in done.rows)
        served_phases.count_in(self, done)
        return done.phase, done.diagnostics

    def _reused(self, paths: list[str]) -> None:
        """Files of a phase reused from this process's last load: their rows stay in the index."""
        self.seen.update(path.removeprefix(self.prefix) for path in paths)
        self.hits += len(paths)

    def _writer(self) -> IndexWriter | None:
        """The new index file rows go to, made on first use; None when it cannot be made."""
        if self.writer is None and self.write_error is None:
            try:
                if self.rebuild and self.index_path.is_symlink():
                    self.index_path.unlink()  # the link only: what it points to is not ours
                self.writer = IndexWriter(cache_dir(self.planning_dir) / INDEX_FILE)
            except (OSError, sqlite3.Error, PlannerError) as error:  # a cache that can't be written is skipped
                self.write_error = error
        return self.writer

    def _kept(self, path: Path, document: Document, whole: bool) -> Document:
        """`document`, kept for the caller when asked to and it has its body."""
        if self.keep_documents and whole:
            self.parsed[path] = document
        return document

    def racy(self, stamp: str) -> bool:
        """Too recent to trust (or not stamped at all: a file that could not be stat'ed)."""
        parts = stamp.split(":")
        return len(parts) != 4 or int(parts[1]) > self.started_ns - RACY_NS

    def _damaged(self, reason: str) -> None:
        if not self.rebuild:
            self.warnings.append(f"{_SHOWN}: {reason}; rebuilt it from the planning files")
        self.rebuild = True
        self.rows = {}

    def _open(self, signature: str) -> Project | None:
        """The stored Project for `signature`, else None; the document rows are loaded on a miss,
        and on a hit too when documents are kept for the caller."""
        try:
            stored = open_index(self.planning_dir, signature, previous=not self.keep_documents)
        except IndexBusy:
            self.storable = False  # another planner is writing it: read without it this time
            return None
        except IndexDamaged as error:
            self._damaged(error.reason)
            return None
        self.rebuild = stored is None or not stored.current  # none, or another planner version or parser
        if stored is None:
            return None
        self.rows, self.previous = stored.rows, stored.previous
        return stored.model

    def _save(self, project: Project, signature: str) -> None:
        """The new index file (rows parsed this load are in it already) given the unchanged rows
        and the project, and renamed over the old: a kill leaves the old one or the new one."""
        unchanged = {key: row for key, row in self.rows.items() if key in self.seen and key not in self.fresh}
        if not self.fresh and len(unchanged) == len(self.rows) and not self.rebuild and not self.storable:
            return
        model = project if self.storable else None
        writer, self.writer = self._writer(), None
        try:
            if writer is None:
                raise self.write_error or OSError("index not written")
            writer.commit(unchanged, signature, model, self.stamps if model is not None else None)
            self.saved = True
        except (OSError, sqlite3.Error, PlannerError) as error:  # a cache that can't be written is skipped
            if self.rebuild and self.index_path.exists() and self.warnings:
                self.warnings.append(f"{_SHOWN} could not be rewritten ({error}); read without it")

    def _discard(self) -> None:
        """Remove a new index file a load did not get to commit."""
        if self.writer is not None:
            self.writer.discard()
            self.writer = None
