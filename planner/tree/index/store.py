"""The planning index's file: what it stores, and the SQLite file itself.

`.planning/.cache/index.sqlite` holds four tables: `planner_index` (format and parser
fingerprint), `documents` (path relative to `.planning/`, stamp, encoded document), `project`
(signature of the whole tree, pickled Project) and `built_from` (the stamp of every file that
Project was read from, pickled). `planner.tree.index.session` decides what to
read and write; `planner.tree.index.encoding` encodes and decodes the values; this module reads
and writes the file.

Every write is a whole new file, filled while the load goes on (`IndexWriter`: a cold load never
holds every encoded document at once, nor the whole pickled project: it is stored in parts of
MODEL_PART bytes as it is pickled, and read back through them) and renamed over the old one, so
a killed or concurrent writer leaves one complete index or the other.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import planner
from planner.model import Project
from planner.tree.index.encoding import IndexCorrupt, dump_project, load_project, pickle_model, unpickle
from planner.tree.index.scan import file_stamp

INDEX_FORMAT = "6"  # bump when the stored shape changes (5: the project in parts; 6: and its stamps)
CACHE_DIR = ".cache"
INDEX_FILE = "index.sqlite"
BUSY_TIMEOUT_S = 0.5
MODEL_PART = 1 << 18  # bytes of the pickled project per row (the first row also holds the signature)
# Modules whose code decides what a file parses to: editing one (an editable install) rebuilds.
# Dotted names, so that moving a module keeps the fingerprint honest.
PARSER_MODULES = (
    "planner.tree.frontmatter",
    "planner.tree.strict_yaml",
    "planner.tree.tolerant_yaml",
    "planner.tree.plain_yaml",
    "planner.tree.reader",
    "planner.tree.schema",
    "planner.tree.values",
    "planner.tree.filenames",
    "planner.ids",
    "planner.model",
    "planner.tree.markdown",
    "planner.tree.index.session",
    "planner.tree.index.store",
    "planner.tree.index.encoding",
)
_SCHEMA = (
    "CREATE TABLE planner_index (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE documents (path TEXT PRIMARY KEY, stamp TEXT NOT NULL, parsed BLOB NOT NULL)",
    "CREATE TABLE project (signature TEXT NOT NULL, part INTEGER PRIMARY KEY, model BLOB NOT NULL)",
    "CREATE TABLE built_from (stamps BLOB NOT NULL)",
)
Rows = dict[str, tuple[str, bytes]]  # path relative to `.planning/` -> (stamp, encoded document)


class IndexRestart(Exception):
    """A damaged entry was met mid-load: what came from the index so far is not trusted either."""


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
    previous: tuple[Project, dict[str, str]] | None = None  # on a miss: the stored Project, its stamps


def read_index(index_path: Path, signature: str, *, rows_on_hit: bool, previous: bool = False) -> StoredIndex:
    """The index at `index_path`: its Project when stored under `signature`; its document rows
    when the project missed, or with `rows_on_hit`; on a miss with `previous`, the Project it
    holds for another signature and the stamps it was read from (its unchanged phase folders serve
    the load). Raises IndexCorrupt and sqlite3 errors."""
    with contextlib.closing(sqlite3.connect(index_path, timeout=BUSY_TIMEOUT_S)) as db:
        values = dict(db.execute("SELECT key, value FROM planner_index"))
        if (str(values.get("format")), str(values.get("fingerprint"))) != (INDEX_FORMAT, fingerprint()):
            return StoredIndex()
        found = db.execute("SELECT signature FROM project ORDER BY part LIMIT 1").fetchone()
        stored = StoredIndex(current=True)
        if found is not None and found[0] == signature:
            stored.model = load_project(_Parts(db.execute("SELECT model FROM project ORDER BY part")))
        elif found is not None and previous and (stamps := _built_from(db)) is not None:
            stored.previous = load_project(_Parts(db.execute("SELECT model FROM project ORDER BY part"))), stamps
        if stored.model is None or rows_on_hit:  # the warm `status` path reads no row
            stored.rows = _rows(db)
        return stored


class IndexBusy(Exception):
    """Another planner is writing the index: read without it this time."""


class IndexDamaged(Exception):
    """The index file is not one to read (a link, damaged, foreign): rebuild it, and say why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_index(planning_dir: Path, signature: str, *, previous: bool) -> StoredIndex | None:
    """`read_index` of the planning folder's index file, without document rows on a hit; None when
    there is none. IndexDamaged: a file to rebuild; IndexBusy: one another planner is writing."""
    index_path = planning_dir / CACHE_DIR / INDEX_FILE
    if not index_path.exists():
        return None
    if index_path.is_symlink():  # never write through a link someone put in our place
        raise IndexDamaged("a symbolic link, not planner's file")
    from planner.errors import PlannerError
    from planner.storage.safeio import own_path

    try:  # nor read one through a `.cache` that is a link out of the project
        own_path(planning_dir, CACHE_DIR, INDEX_FILE, create_folders=False)
    except PlannerError as error:
        raise IndexDamaged(error.message) from None
    try:
        return read_index(index_path, signature, rows_on_hit=False, previous=previous)
    except IndexCorrupt as error:
        raise IndexDamaged(str(error)) from None
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise IndexBusy from None
        raise IndexDamaged(f"not a planner index ({error})") from None
    except sqlite3.DatabaseError as error:
        raise IndexDamaged(f"damaged or not a database ({error})") from None


def _built_from(db: sqlite3.Connection) -> dict[str, str] | None:
    found = db.execute("SELECT stamps FROM built_from").fetchone()
    if found is None:
        return None
    stamps, _ = unpickle(found[0])
    if not (isinstance(stamps, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in stamps.items())):
        raise IndexCorrupt("index holds stamps of the wrong shape")
    return stamps


class _Parts:
    """The parts of the pickled project as one stream, for the unpickler (one part in memory)."""

    def __init__(self, parts: Iterator[tuple[bytes]]) -> None:
        self._parts = parts
        self._part = memoryview(b"")

    def _next(self) -> bool:
        for (part,) in self._parts:
            if not isinstance(part, bytes):
                raise IndexCorrupt("index holds a project part that is not bytes")
            self._part = memoryview(part)
            return True
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:
        target = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(target) and (self._part or self._next()):
            taken = self._part[: len(target) - filled]
            target[filled: filled + len(taken)] = taken
            self._part = self._part[len(taken):]
            filled += len(taken)
        return filled

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            chunks = [bytes(self._part)]
            while self._next():
                chunks.append(bytes(self._part))
            self._part = memoryview(b"")
            return b"".join(chunks)
        buffer = bytearray(size)
        return bytes(buffer[: self.readinto(buffer)])

    def readline(self) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n") and (self._part or self._next()):
            end = bytes(self._part[:4096]).find(b"\n")
            taken = self._part[: end + 1] if end >= 0 else self._part[:4096]
            line += taken
            self._part = self._part[len(taken):]
        return bytes(line)


class _PartWriter:
    """Rows of the project table, MODEL_PART bytes each, written as the pickler hands bytes over."""

    def __init__(self, db: sqlite3.Connection, signature: str) -> None:
        self.db, self.signature = db, signature
        self.buffer = bytearray()
        self.part = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.buffer += data
        while len(self.buffer) >= MODEL_PART:
            self._insert(bytes(self.buffer[:MODEL_PART]))
            del self.buffer[:MODEL_PART]
        return len(data)

    def flush(self) -> None:
        """The last, shorter part."""
        if self.buffer or self.part == 0:
            self._insert(bytes(self.buffer))
            self.buffer = bytearray()

    def _insert(self, part: bytes) -> None:
        signature = "" if self.part else self.signature  # compared on the first row only
        self.db.execute("INSERT INTO project VALUES (?, ?, ?)", (signature, self.part, part))
        self.part += 1


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


def keep_in_cache(planning_dir: Path, name: str, payload: Callable[[], bytes]) -> None:
    """Replace `.planning/.cache/NAME` whole with `payload()` (a temp file renamed over it, never
    through a link). A cache that cannot be made or written is skipped: nothing else changes."""
    from planner.storage.safeio import temp_beside

    try:
        folder = cache_dir(planning_dir)
        if folder.is_symlink():
            return
        blob = payload()
        descriptor, temp = temp_beside(folder / name)
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(blob)
            os.replace(temp, folder / name)  # replaces a link planted there, never writes through it
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except Exception:  # noqa: BLE001  (a cache that cannot be written is skipped)
        return


def _remove_abandoned(target: Path) -> None:
    """Temp files of writers killed mid-write (an hour old: a live writer takes seconds)."""
    cutoff = time.time() - 3600
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(f".{target.name}.") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)


def write_index(target: Path, rows: Rows, signature: str, model: Project | None,
                built_from: dict[str, str] | None = None) -> None:
    """A whole new index file, built beside the old one and renamed over it."""
    IndexWriter(target).commit(rows, signature, model, built_from)


class IndexWriter:
    """A new index file beside `target`, filled row by row as a load reads documents (in batches:
    a cold load of 24,000 documents holds a few hundred encoded rows, not all of them), then
    given the project and renamed over `target` by `commit`; `discard` removes it."""

    BATCH = 256

    def __init__(self, target: Path) -> None:
        from planner.storage.safeio import temp_beside

        _remove_abandoned(target)
        descriptor, self.temp = temp_beside(target)
        os.close(descriptor)
        self.target = target
        self.pending: list[tuple[str, str, bytes]] = []
        try:
            self.db: sqlite3.Connection | None = sqlite3.connect(self.temp, isolation_level=None)
            self.db.execute("PRAGMA page_size = 65536")  # rows of kBs, a project of MBs: fewest overflow pages
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute("PRAGMA journal_mode = OFF")
            self.db.execute("BEGIN")
            for statement in _SCHEMA:
                self.db.execute(statement)
            self.db.executemany("INSERT INTO planner_index VALUES (?, ?)",
                                [("format", INDEX_FORMAT), ("fingerprint", fingerprint())])
        except BaseException:
            self.discard()
            raise

    def add(self, path: str, stamp: str, parsed: bytes) -> None:
        """One document row (the last one given for a path is kept)."""
        self.pending.append((path, stamp, parsed))
        if len(self.pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.db is not None and self.pending:
            self.db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)", self.pending)
        self.pending = []

    def commit(self, rows: Rows, signature: str, model: Project | None,
               built_from: dict[str, str] | None = None) -> None:
        """Add `rows` (unchanged documents kept from the old index) and the project (pickled into
        parts as it goes) with `built_from`, the stamps it was read from, and put the file in place
        of `target`."""
        try:
            for path, (stamp, parsed) in rows.items():
                self.add(path, stamp, parsed)
            self._flush()
            assert self.db is not None
            if model is not None:
                parts = _PartWriter(self.db, signature)
                dump_project(model, parts)
                parts.flush()
                if built_from is not None:
                    self.db.execute("INSERT INTO built_from VALUES (?)", (pickle_model(built_from),))
            self.db.execute("COMMIT")
            self.db.close()
            self.db = None
            for leftover in ("-journal", "-wal", "-shm"):  # an old journal must never replay onto the new file
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(str(self.target) + leftover)
            os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Close and remove the new file (the old index stays as it was)."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
        self.pending = []
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)
