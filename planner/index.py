"""An index of the planning tree, so that repeated commands re-read only the files that changed.

Kept in `.planning/.cache/index.sqlite` (the folder ignores itself with its own `.gitignore`).
Two layers, both checked against a fresh stat of every file the reader reads:

- documents: what was parsed from each file (the body of SUMMARY and VERIFICATION files in a
  second pickle that only `plan check` decodes), keyed by its path (relative to `.planning/`) and
  a stamp of size, mtime_ns, ctime_ns and inode (an edit that keeps the size still changes ctime,
  and an atomic rename changes the inode);
- project: the whole built Project, keyed by a signature of every path and stamp, the project
  root and the parser's own source files. A warm command with no change reads only this.

Every write is a whole new file renamed over the old one, so a killed or concurrent writer
leaves one complete index or the other. The index is a cache, never a source of truth: missing, from another planner version or parser,
corrupt or foreign -> rebuilt (corrupt and foreign with a warning the CLI prints); an unwritable
tree is read without it. Files modified within the last RACY_NS of the read are not stored,
because a second edit within the file system's timestamp granularity would keep the same stamp.
Stored values are pickles read by an unpickler that can build only planner's model types, so a
planted index cannot run code.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import pickle
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PosixPath, PurePath, WindowsPath
from typing import Any, Self

import planner
from planner.errors import PlannerError
from planner.frontmatter import Diagnostic, Document, read_document
from planner.model import Project

PLANNING = ".planning"  # planner.reader.PLANNING, which is imported only when files must be read

INDEX_FORMAT = "2"  # bump when the stored shape changes
CACHE_DIR = ".cache"
INDEX_FILE = "index.sqlite"
RACY_NS = 2_000_000_000
BUSY_TIMEOUT_S = 0.5
PARALLEL_FROM = 1000  # files to parse from which forked workers pay for their start-up
MAX_WORKERS = 8
PARSE_CHUNK = 100
# Modules whose code decides what a file parses to: editing one (an editable install) rebuilds.
_PARSER_MODULES = ("frontmatter", "tolerant_yaml", "reader", "schema", "filenames", "ids", "model",
                   "markdown", "index")
_SCHEMA = (
    "CREATE TABLE planner_index (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE documents (path TEXT PRIMARY KEY, stamp TEXT NOT NULL, parsed BLOB NOT NULL)",
    "CREATE TABLE project (signature TEXT NOT NULL, model BLOB NOT NULL)",
)
_ALLOWED_GLOBALS = frozenset({
    ("planner.index", "_path"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
    ("planner.model", "Project"), ("planner.model", "Phase"), ("planner.model", "Plan"),
    ("planner.model", "Gap"), ("planner.model", "Config"), ("planner.model", "KeyFiles"),
    ("planner.ids", "PhaseNumber"), ("planner.ids", "PlanId"), ("planner.frontmatter", "Diagnostic"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
})


@dataclass(frozen=True)
class IndexStats:
    """What the index did for one load: documents served from it, re-read, and what to tell people."""

    hits: int = 0
    misses: int = 0
    rebuilt: bool = False
    warnings: tuple[str, ...] = ()
    project_hit: bool = False  # the whole model came from the index: no document was read
    saved: bool = False  # the index was written (False on a read-only tree or when nothing changed)


class IndexCorrupt(Exception):
    """The index file is not one planner wrote, or is damaged: rebuild it."""


class _Restart(Exception):
    """A damaged entry was met mid-load: what came from the index so far is not trusted either."""


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


def _pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {PosixPath: _reduce_path, WindowsPath: _reduce_path}
    pickler.dump(value)
    return buffer.getvalue()


def _unpickle(blob: bytes, *, second: bool = False) -> Any:
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


def load_project_indexed(project_root: Path, *, use_index: bool = True,
                         workers: int | None = None) -> tuple[Project, IndexStats]:
    """The Project `load_project` reads, served from the index where files are unchanged.

    When PARALLEL_FROM or more files must be parsed (a first run, a new checkout), they are
    parsed by `workers` forked processes (default: one per available core); 1 parses in-process.
    """
    if not use_index:
        from planner.reader import load_project

        return load_project(project_root), IndexStats()
    session = _Session(project_root, workers=_available_cores() if workers is None else workers)
    with _no_collection():
        project = session.load()
    return project, session.stats()


def load_project_documents(project_root: Path, *, use_index: bool = True, workers: int | None = None
                           ) -> tuple[Project, Mapping[Path, Document], IndexStats]:
    """The Project, as `load_project_indexed`, and the documents `plan check` reads, parsed once.

    The mapping holds every document parsed by this load, and every SUMMARY and VERIFICATION
    (and document without frontmatter) the index holds unchanged, decoded when first asked for.
    A path it lacks (a PLAN served from the index without its body, a path outside the tree)
    raises KeyError: read that file itself.
    """
    if not use_index:
        from planner.reader import load_project

        parsed: dict[Path, Document] = {}
        project = load_project(project_root, document_reader=_Keeper(parsed))
        return project, parsed, IndexStats()
    session = _Session(project_root, workers=_available_cores() if workers is None else workers,
                       keep_documents=True)
    with _no_collection():
        project = session.load()
    return project, session.documents(), session.stats()


class _Keeper:
    """A document reader that keeps what it parsed."""

    def __init__(self, parsed: dict[Path, Document]) -> None:
        self.parsed = parsed

    def __call__(self, path: Path) -> Document:
        document = self.parsed[path] = read_document(path)
        return document


class IndexedDocuments(Mapping[Path, Document]):
    """Documents parsed during the load, and the index's stored ones (decoded on first use)."""

    def __init__(self, parsed: dict[Path, Document], stored: dict[str, bytes], planning_dir: Path) -> None:
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
            document, whole = _decode_document(path, blob, with_body=True)
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


@dataclass
class _Session:
    """One load through the index: scan, look up, read what changed, write back."""

    project_root: Path
    workers: int = 1
    planning_dir: Path = field(init=False)
    index_path: Path = field(init=False)
    started_ns: int = field(default_factory=time.time_ns)
    stamps: dict[str, str] = field(default_factory=dict)  # absolute path -> stamp, from the scan
    rows: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # relative path -> stored row
    fresh: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # rows to write
    parsers: _Parsers | None = None  # worker processes parsing the changed files ahead of the reader
    keep_documents: bool = False  # keep every document for the caller (`plan check`)
    parsed: dict[Path, Document] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0
    rebuild: bool = False
    storable: bool = True  # every file read was in the scan and none was modified too recently
    project_hit: bool = False
    saved: bool = False
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.planning_dir = self.project_root / PLANNING
        self.index_path = self.planning_dir / CACHE_DIR / INDEX_FILE

    def stats(self) -> IndexStats:
        return IndexStats(self.hits, self.misses, self.rebuild, tuple(self.warnings), self.project_hit,
                          self.saved)

    def documents(self) -> IndexedDocuments:
        """What was parsed this load, and each stored document whose file is unchanged."""
        stored = {}
        for path, stamp in self.stamps.items():
            if path.endswith(".md"):
                key = self._relative(path)
                row = self.rows.get(key)
                if row is not None and row[0] == stamp and not self._racy(stamp):
                    stored[key] = row[1]
        return IndexedDocuments(self.parsed, stored, self.planning_dir)

    def load(self) -> Project:
        self.stamps = scan_tree(self.planning_dir)
        signature = self._signature()
        stored = self._open(signature)
        if isinstance(stored, Project):
            self.project_hit = True
            self.hits = sum(1 for path in self.stamps if path.endswith(".md"))
            return stored
        from planner.reader import load_project

        with _Parsers(self._stale_paths(), self.workers) as self.parsers:
            try:
                project = load_project(self.project_root, document_reader=self.read)
            except _Restart:
                self.hits = self.misses = 0
                self.seen.clear()
                self.parsed.clear()
                project = load_project(self.project_root, document_reader=self.read)
        self._save(project, signature)
        return project

    def read(self, path: Path) -> Document:
        """The document at `path`: from the index when its stamp is unchanged, else parsed."""
        absolute = str(path)
        key = self._relative(absolute)
        stamp = self.stamps.get(absolute)
        if stamp is None:
            self.storable = False
            stamp = _stamp(path)
        self.seen.add(key)
        row = self.rows.get(key)
        if row is not None and row[0] == stamp and not self._racy(stamp):
            try:
                document, whole = _decode_document(path, row[1], with_body=self.keep_documents)
            except IndexCorrupt as error:
                self._damaged(str(error))
                raise _Restart from None
            else:
                self.hits += 1
                return self._kept(path, document, whole)
        self.misses += 1
        blob = self.parsers.take(absolute) if self.parsers is not None else None
        document, whole = ((read_document(path), True) if blob is None
                           else _decode_document(path, blob, with_body=self.keep_documents))
        if self._racy(stamp):
            self.storable = False
        else:
            self.fresh[key] = (stamp, _encode_document(document) if blob is None else blob)
        return self._kept(path, document, whole)

    def _kept(self, path: Path, document: Document, whole: bool) -> Document:
        """`document`, kept for the caller when asked to and it has its body."""
        if self.keep_documents and whole:
            self.parsed[path] = document
        return document

    def _stale_paths(self) -> list[str]:
        """Documents whose stored stamp is missing or different: the ones that must be parsed."""
        stale = []
        for path, stamp in self.stamps.items():
            if path.endswith(".md"):
                row = self.rows.get(self._relative(path))
                if row is None or row[0] != stamp:
                    stale.append(path)
        return stale

    def _relative(self, absolute: str) -> str:
        prefix = str(self.planning_dir) + os.sep
        return absolute.removeprefix(prefix)

    def _racy(self, stamp: str) -> bool:
        """Too recent to trust (or not stamped at all: a file that could not be stat'ed)."""
        parts = stamp.split(":")
        return len(parts) != 4 or int(parts[1]) > self.started_ns - RACY_NS

    def _damaged(self, reason: str) -> None:
        if not self.rebuild:
            self.warnings.append(f"{self._shown()}: {reason}; rebuilt it from the planning files")
        self.rebuild = True
        self.rows = {}

    def _shown(self) -> str:
        return f"{PLANNING}/{CACHE_DIR}/{INDEX_FILE}"

    def _signature(self) -> str:
        """Every path and stamp read, compared whole: no hash to collide, and cheaper to import."""
        entries = [f"{self._relative(path)}\0{self.stamps[path]}" for path in sorted(self.stamps)]
        return "\n".join([str(self.project_root.resolve()), *entries])

    def _open(self, signature: str) -> Project | None:
        """The stored Project for `signature`, else None; the document rows are loaded on a miss,
        and on a hit too when documents are kept for the caller."""
        if not self.index_path.exists():
            self.rebuild = True
            return None
        if self.index_path.is_symlink():  # never write through a link someone put in our place
            self._damaged("a symbolic link, not planner's file")
            return None
        try:
            with contextlib.closing(sqlite3.connect(self.index_path, timeout=BUSY_TIMEOUT_S)) as db:
                if _index_version(db) != (INDEX_FORMAT, _fingerprint()):
                    self.rebuild = True  # another planner version or parser: not a problem to report
                    return None
                found = db.execute("SELECT signature, model FROM project").fetchone()
                model = None
                if found is not None and found[0] == signature:
                    model = _unpickle(found[1])
                    if not isinstance(model, Project):
                        raise IndexCorrupt("index holds something other than a project")
                if model is None or self.keep_documents:  # the warm `status` path reads no row
                    self.rows = {path: (stamp, parsed) for path, stamp, parsed in
                                 db.execute("SELECT path, stamp, parsed FROM documents")}
                return model
        except IndexCorrupt as error:
            self._damaged(str(error))
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                self.storable = False  # another planner is writing it: read without it this time
                return None
            self._damaged(f"not a planner index ({error})")
        except sqlite3.DatabaseError as error:
            self._damaged(f"damaged or not a database ({error})")
        return None

    def _save(self, project: Project, signature: str) -> None:
        """A whole new index file renamed over the old: a kill leaves the old one or the new one."""
        unchanged = {key: row for key, row in self.rows.items() if key in self.seen and key not in self.fresh}
        if not self.fresh and len(unchanged) == len(self.rows) and not self.rebuild and not self.storable:
            return
        model = _pickle(project) if self.storable else None
        try:
            if self.rebuild and self.index_path.is_symlink():
                self.index_path.unlink()  # the link only: what it points to is not ours
            cache_dir = _cache_dir(self.planning_dir)
            _write_new_index(cache_dir / INDEX_FILE, {**unchanged, **self.fresh}, signature, model)
            self.saved = True
        except (OSError, sqlite3.Error, PlannerError) as error:  # a cache that can't be written is skipped
            if self.rebuild and self.index_path.exists() and self.warnings:
                self.warnings.append(f"{self._shown()} could not be rewritten ({error}); read without it")


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Parsers:
    """Forked processes parsing changed files in the order the reader asks for them.

    The reader builds the model from early folders while workers parse later ones. With fewer
    than PARALLEL_FROM files, one core, no fork, or a pool that breaks, `take` returns None and
    the reader parses in-process as usual.
    """

    def __init__(self, paths: list[str], workers: int) -> None:
        self.pending = set(paths) if workers >= 2 and len(paths) >= PARALLEL_FROM else set()
        self.ready: dict[str, bytes] = {}
        self.pool: Any = None
        self.results: Iterator[list[tuple[str, bytes]]] = iter(())
        if self.pending:
            self._start(sorted(paths), min(workers, MAX_WORKERS))

    def _start(self, paths: list[str], count: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(count, mp_context=context)
            chunks = [paths[start:start + PARSE_CHUNK] for start in range(0, len(paths), PARSE_CHUNK)]
            self.results = self.pool.map(_parse_chunk, chunks)
        except (ValueError, OSError):  # no fork on this platform, or no process to be had
            self.pending.clear()

    def take(self, path: str) -> bytes | None:
        """The encoded document parsed for `path`, waiting for its chunk; None to parse it here."""
        if path not in self.pending:
            return None
        self.pending.discard(path)
        while path not in self.ready:
            try:
                self.ready.update(next(self.results))
            except Exception:  # noqa: BLE001 - finished, or a worker died: parse the rest in-process
                self.pending.clear()
                return None
        return self.ready.pop(path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _parse_chunk(paths: list[str]) -> list[tuple[str, bytes]]:
    """In a worker: each readable file's encoded document (the parent re-reads the others and reports)."""
    parsed = []
    for path in paths:
        try:
            parsed.append((path, _encode_document(read_document(Path(path)))))
        except Exception:  # noqa: BLE001, S112 - the parent reads this file itself and raises properly
            continue
    return parsed


def scan_tree(planning_dir: Path) -> dict[str, str]:
    """Absolute path -> stamp of every file `load_project` reads (and of each phase folder)."""
    stamps: dict[str, str] = {}
    root = str(planning_dir)
    for name in ("config.json",):
        path = os.path.join(root, name)
        stamps[path] = _stamp(Path(path)) or "missing"
    for entry in _entries(root):
        if entry.name.endswith(".md"):
            stamps[entry.path] = _entry_stamp(entry)
    for folder in _entries(os.path.join(root, "phases")):
        if not _is_dir(folder):
            continue
        stamps[folder.path] = "dir:" + (os.path.realpath(folder.path) if folder.is_symlink() else "")
        for entry in _entries(folder.path):
            if entry.name.endswith(".md"):
                stamps[entry.path] = _entry_stamp(entry)
    return stamps


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _entry_stamp(entry: os.DirEntry[str]) -> str:
    try:
        info = entry.stat()
    except OSError:
        return "unreadable"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _stamp(path: Path) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "unreadable"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


_FINGERPRINT: list[str] = []


def _fingerprint() -> str:
    """planner's version and the size and mtime of each module that shapes the parsed model."""
    if not _FINGERPRINT:
        package = Path(planner.__file__).parent
        parts = [planner.__version__]
        for module in _PARSER_MODULES:
            parts.append(_stamp(package / f"{module}.py").rsplit(":", 2)[0])
        _FINGERPRINT.append("|".join(parts))
    return _FINGERPRINT[0]


def _index_version(db: sqlite3.Connection) -> tuple[str, str]:
    values = dict(db.execute("SELECT key, value FROM planner_index"))
    return str(values.get("format")), str(values.get("fingerprint"))


def _keeps_body(document: Document) -> bool:
    """Bodies someone reads: the reader's (no frontmatter) and `plan check`'s (SUMMARY, VERIFICATION).

    The others (plans, context, research) are most of the bytes and nobody reads them from here.
    """
    if not document.has_frontmatter:
        return True
    name = document.path.name.upper()
    return "SUMMARY" in name or "VERIFICATION" in name


def _encode_document(document: Document) -> bytes:
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


def _decode_document(path: Path, blob: bytes, *, with_body: bool) -> tuple[Document, bool]:
    """The stored document, and whether it has its body (always without frontmatter; else only
    `with_body` and when `_keeps_body` stored it: the reader needs no body beside frontmatter)."""
    value, stored_body = _unpickle(blob, second=True) if with_body else (_unpickle(blob), None)
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


def _cache_dir(planning_dir: Path) -> Path:
    """`.planning/.cache/`, created with a `.gitignore` that ignores the folder itself."""
    from planner.writer import ensure_inside

    cache_dir = planning_dir / CACHE_DIR
    ensure_inside(cache_dir / INDEX_FILE, planning_dir)
    if not cache_dir.exists() and os.stat(planning_dir).st_mode & 0o222 == 0:
        # A folder marked read-only is left alone even when we could write (root, shared corpora).
        raise PermissionError(f"{planning_dir} is marked read-only")
    cache_dir.mkdir(exist_ok=True)
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by planner: everything here is a cache, safe to delete\n*\n",
                          encoding="utf-8")
    return cache_dir


def _remove_abandoned(target: Path) -> None:
    """Temp files of writers killed mid-write (an hour old: a live writer takes seconds)."""
    cutoff = time.time() - 3600
    for entry in _entries(str(target.parent)):
        if entry.name.startswith(f".{target.name}.") and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)


def _write_new_index(target: Path, rows: dict[str, tuple[str, bytes]], signature: str,
                     model: bytes | None) -> None:
    """A whole new index file, built beside the old one and renamed over it."""
    import tempfile

    _remove_abandoned(target)
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        with contextlib.closing(sqlite3.connect(temp_name, isolation_level=None)) as db:
            db.execute("PRAGMA page_size = 16384")  # rows of a few kB: fewer overflow pages
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("BEGIN")
            for statement in _SCHEMA:
                db.execute(statement)
            db.executemany("INSERT INTO planner_index VALUES (?, ?)",
                           [("format", INDEX_FORMAT), ("fingerprint", _fingerprint())])
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
