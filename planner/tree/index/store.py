"""The planning index's file: what it stores, how a value is encoded, and the SQLite file itself.

`.planning/.cache/index.sqlite` holds three tables: `planner_index` (format and parser
fingerprint), `documents` (path relative to `.planning/`, stamp, encoded document) and
`project` (signature of the whole tree, pickled Project). `planner.tree.index.session` decides what to
read and write; this module only encodes, decodes, reads and writes.

Stored values are pickles read by an unpickler that can build only planner's model types, so a
planted index cannot run code; anything it cannot decode raises `IndexCorrupt`. Every write is
a whole new file renamed over the old one, so a killed or concurrent writer leaves one complete
index or the other.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PosixPath, PurePath, WindowsPath
from typing import Any

import planner
from planner.model import Project
from planner.tree.frontmatter import Diagnostic, Document
from planner.tree.index.scan import file_stamp

INDEX_FORMAT = "3"  # bump when the stored shape changes
CACHE_DIR = ".cache"
INDEX_FILE = "index.sqlite"
BUSY_TIMEOUT_S = 0.5
# Modules whose code decides what a file parses to: editing one (an editable install) rebuilds.
# Dotted names, so that moving a module keeps the fingerprint honest.
PARSER_MODULES = (
    "planner.tree.frontmatter",
    "planner.tree.tolerant_yaml",
    "planner.tree.plain_yaml",
    "planner.tree.reader",
    "planner.tree.schema",
    "planner.tree.filenames",
    "planner.ids",
    "planner.model",
    "planner.tree.markdown",
    "planner.tree.index.session",
    "planner.tree.index.store",
)
_SCHEMA = (
    "CREATE TABLE planner_index (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE documents (path TEXT PRIMARY KEY, stamp TEXT NOT NULL, parsed BLOB NOT NULL)",
    "CREATE TABLE project (signature TEXT NOT NULL, model BLOB NOT NULL)",
)
_ALLOWED_GLOBALS = frozenset({
    ("planner.tree.index.store", "_path"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
    ("planner.model", "Project"), ("planner.model", "Phase"), ("planner.model", "Plan"),
    ("planner.model", "Gap"), ("planner.model", "Config"), ("planner.model", "KeyFiles"),
    ("planner.ids", "PhaseNumber"), ("planner.ids", "PlanId"), ("planner.tree.frontmatter", "Diagnostic"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
})

Rows = dict[str, tuple[str, bytes]]  # path relative to `.planning/` -> (stamp, encoded document)


class IndexCorrupt(Exception):
    """The index file is not one planner wrote, or is damaged: rebuild it."""


class IndexRestart(Exception):
    """A damaged entry was met mid-load: what came from the index so far is not trusted either."""


# ---------------------------------------------------------------- encoding values


def _path(text: str) -> Path:
    """A stored path, made from a cached parent: three to five times faster than parsing its text."""
    parent, _, name = text.rpartition("/")
    if not parent or not name:
        return Path(text)
    folder = _FOLDERS.get(parent)
    if folder is None:
        folder = _FOLDERS[parent] = Path(parent)
    child = getattr(folder, "_make_child_relpath", None)  # CPython's unparsed join for one name
    return child(name) if child is not None and name not in (".", "..") else folder / name


_FOLDERS: dict[str, Path] = {}


def _reduce_path(path: PurePath) -> tuple[Any, tuple[str]]:
    return _path, (str(path),)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise IndexCorrupt(f"index holds a foreign object ({module}.{name})")
        return super().find_class(module, name)


def pickle_model(value: Any) -> bytes:
    """`value` pickled with paths stored as text (rebuilt by `_path`)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {PosixPath: _reduce_path, WindowsPath: _reduce_path}
    pickler.dump(value)
    return buffer.getvalue()


def unpickle(blob: bytes, *, second: bool = False) -> Any:
    """The first pickle in `blob`; with `second`, (the first, the one after it or None)."""
    try:
        stream = io.BytesIO(blob)
        unpickler = _ModelUnpickler(stream)
        first = unpickler.load()
        if not second:
            return first
        return first, (unpickler.load() if stream.tell() < len(blob) else None)
    except IndexCorrupt:
        raise
    except Exception as error:  # noqa: BLE001 - damage shows as any error: EOF, bad opcode, bad arguments
        raise IndexCorrupt(f"index entry is damaged ({type(error).__name__})") from None
    finally:
        _FOLDERS.clear()


def _keeps_body(document: Document) -> bool:
    """Bodies someone reads: the reader's (no frontmatter) and `plan check`'s (SUMMARY, VERIFICATION).

    The others (plans, context, research) are most of the bytes and nobody reads them from here.
    """
    if not document.has_frontmatter:
        return True
    name = document.path.name.upper()
    return "SUMMARY" in name or "VERIFICATION" in name


def encode_document(document: Document) -> bytes:
    """The parsed document but its path: one pickle, then the body as a second where `_keeps_body`.

    The reader needs only the first (it reads a body only where there is no frontmatter), so a
    load for `plan status` never decodes the bodies kept for `plan check`.
    """
    body = None if document.has_frontmatter else document.body
    diagnostics = [(d.line, d.code, d.message) for d in document.diagnostics]
    head = pickle.dumps((document.meta, document.has_frontmatter, document.frontmatter_text, body,
                         document.body_line, document.line_ending, document.had_bom, diagnostics),
                        protocol=pickle.HIGHEST_PROTOCOL)
    if body is None and _keeps_body(document):
        return head + pickle.dumps(document.body, protocol=pickle.HIGHEST_PROTOCOL)
    return head


def decode_document(path: Path, blob: bytes, *, with_body: bool) -> tuple[Document, bool]:
    """The stored document, and whether it has its body (always without frontmatter; else only
    `with_body` and when `_keeps_body` stored it: the reader needs no body beside frontmatter)."""
    value, stored_body = unpickle(blob, second=True) if with_body else (unpickle(blob), None)
    return _document(path, value, stored_body)


def decode_trusted(path: Path, blob: bytes, *, with_body: bool) -> tuple[Document, bool]:
    """As `decode_document`, for bytes this process's own worker encoded a moment ago: the C
    unpickler without the allow-list (nothing here came from the index file)."""
    if not with_body:
        return _document(path, pickle.loads(blob), None)  # from our forked child, not the file
    stream = io.BytesIO(blob)
    value = pickle.load(stream)  # from our forked child, not the file
    return _document(path, value, pickle.load(stream) if stream.tell() < len(blob) else None)


def _document(path: Path, value: Any, stored_body: Any) -> tuple[Document, bool]:
    try:
        meta, has_frontmatter, frontmatter_text, body, body_line, line_ending, had_bom, diagnostics = value
        checks = (isinstance(meta, dict), isinstance(has_frontmatter, bool), isinstance(frontmatter_text, str),
                  isinstance(body, str) if not has_frontmatter else body is None,
                  stored_body is None or isinstance(stored_body, str),
                  isinstance(body_line, int), isinstance(line_ending, str), isinstance(had_bom, bool),
                  isinstance(diagnostics, list))
        if not all(checks):
            raise TypeError
        found = tuple(Diagnostic(path, line, str(code), str(message)) for line, code, message in diagnostics)
    except (TypeError, ValueError):
        raise IndexCorrupt("index entry has the wrong shape") from None
    body = body if body is not None else stored_body
    document = Document(path, meta, body or "", has_frontmatter, frontmatter_text, body_line, line_ending,
                        had_bom, found)
    return document, body is not None


class IndexedDocuments(Mapping[Path, Document]):
    """Documents parsed during the load, and the index's stored ones (decoded on first use)."""

    def __init__(self, parsed: dict[Path, Document], stored: Mapping[str, bytes], planning_dir: Path) -> None:
        self._parsed = parsed
        self._stored = stored  # path relative to `.planning/` -> encoded document with an unchanged stamp
        self._planning_dir = planning_dir
        self._prefix = str(planning_dir) + os.sep

    def __getitem__(self, path: Path) -> Document:
        document = self._parsed.get(path)
        if document is not None:
            return document
        text = str(path)
        blob = self._stored.get(text[len(self._prefix):]) if text.startswith(self._prefix) else None
        if blob is None:
            raise KeyError(path)
        try:
            document, whole = decode_document(path, blob, with_body=True)
        except IndexCorrupt:
            raise KeyError(path) from None  # a damaged entry: the caller reads the file itself
        if not whole:
            raise KeyError(path)  # stored without its body: the caller reads the file itself
        self._parsed[path] = document
        return document

    def __iter__(self) -> Iterator[Path]:
        """Every path it can serve: stored documents are decoded to know (nothing iterates in `check`)."""
        servable = list(self._parsed)
        for key in list(self._stored):
            path = self._planning_dir / key
            if path not in self._parsed and self.get(path) is not None:
                servable.append(path)
        yield from servable

    def __len__(self) -> int:
        return sum(1 for _ in self)


# ---------------------------------------------------------------- the SQLite file


_FINGERPRINT: list[str] = []


def fingerprint() -> str:
    """planner's version and the size and mtime of each module that shapes the parsed model."""
    if not _FINGERPRINT:
        top = Path(planner.__file__).parent.parent
        parts = [planner.__version__]
        for module in PARSER_MODULES:
            source = top.joinpath(*module.split(".")).with_suffix(".py")
            if not source.is_file():
                source = source.with_suffix("") / "__init__.py"
            parts.append(file_stamp(source).rsplit(":", 2)[0])
        _FINGERPRINT.append("|".join(parts))
    return _FINGERPRINT[0]


@dataclass
class StoredIndex:
    """What an index file holds for one load: the project when its signature matched, the rows."""

    current: bool = False  # written by this planner version and parser
    model: Project | None = None
    rows: Rows = field(default_factory=dict)


def read_index(index_path: Path, signature: str, *, rows_on_hit: bool) -> StoredIndex:
    """The index at `index_path`: its Project when stored under `signature`; its document rows
    when the project missed, or with `rows_on_hit`. Raises IndexCorrupt and sqlite3 errors."""
    with contextlib.closing(sqlite3.connect(index_path, timeout=BUSY_TIMEOUT_S)) as db:
        values = dict(db.execute("SELECT key, value FROM planner_index"))
        if (str(values.get("format")), str(values.get("fingerprint"))) != (INDEX_FORMAT, fingerprint()):
            return StoredIndex()
        found = db.execute("SELECT signature, model FROM project").fetchone()
        stored = StoredIndex(current=True)
        if found is not None and found[0] == signature:
            stored.model = unpickle(found[1])
            if not isinstance(stored.model, Project):
                raise IndexCorrupt("index holds something other than a project")
        if stored.model is None or rows_on_hit:  # the warm `status` path reads no row
            stored.rows = _rows(db)
        return stored


def _rows(db: sqlite3.Connection) -> Rows:
    return {path: (stamp, parsed) for path, stamp, parsed in db.execute("SELECT path, stamp, parsed FROM documents")}


def read_rows(index_path: Path) -> Rows:
    """Every document row of the index at `index_path` (one this planner wrote, else IndexCorrupt)."""
    with contextlib.closing(sqlite3.connect(index_path, timeout=BUSY_TIMEOUT_S)) as db:
        values = dict(db.execute("SELECT key, value FROM planner_index"))
        if (str(values.get("format")), str(values.get("fingerprint"))) != (INDEX_FORMAT, fingerprint()):
            raise IndexCorrupt("index was rewritten by another planner meanwhile")
        return _rows(db)


def cache_dir(planning_dir: Path) -> Path:
    """`.planning/.cache/`, created with a `.gitignore` that ignores the folder itself.

    The folder and the `.gitignore` go through `safeio`: a `.cache` or `.gitignore` that is a
    symbolic link (dangling or not) is refused, never followed out of the project."""
    from planner.storage.atomic import ensure_inside
    from planner.storage.safeio import open_own, own_path

    folder = planning_dir / CACHE_DIR
    ensure_inside(folder / INDEX_FILE, planning_dir)
    if not os.path.lexists(folder) and os.stat(planning_dir).st_mode & 0o222 == 0:
        # A folder marked read-only is left alone even when we could write (root, shared corpora).
        raise PermissionError(f"{planning_dir} is marked read-only")
    own_path(planning_dir, CACHE_DIR, INDEX_FILE)
    with open_own(planning_dir, CACHE_DIR, ".gitignore") as ignore:
        if os.fstat(ignore.fileno()).st_size == 0:
            ignore.write(b"# written by planner: everything here is a cache, safe to delete\n*\n")
    return folder


def _remove_abandoned(target: Path) -> None:
    """Temp files of writers killed mid-write (an hour old: a live writer takes seconds)."""
    cutoff = time.time() - 3600
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(f".{target.name}.") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)


def write_index(target: Path, rows: Rows, signature: str, model: bytes | None) -> None:
    """A whole new index file, built beside the old one and renamed over it."""
    import tempfile

    _remove_abandoned(target)
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        with contextlib.closing(sqlite3.connect(temp_name, isolation_level=None)) as db:
            db.execute("PRAGMA page_size = 65536")  # rows of a few kB, a project of megabytes: fewest overflow pages
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("BEGIN")
            for statement in _SCHEMA:
                db.execute(statement)
            db.executemany("INSERT INTO planner_index VALUES (?, ?)",
                           [("format", INDEX_FORMAT), ("fingerprint", fingerprint())])
            db.executemany("INSERT INTO documents VALUES (?, ?, ?)",
                           [(path, stamp, parsed) for path, (stamp, parsed) in rows.items()])
            if model is not None:
                db.execute("INSERT INTO project VALUES (?, ?)", (signature, model))
            db.execute("COMMIT")
        for leftover in ("-journal", "-wal", "-shm"):  # an old journal must never replay onto the new file
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(target) + leftover)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
