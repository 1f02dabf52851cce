"""How the planning index encodes what it stores: documents and the Project, as pickles.

Stored values are pickles read by an unpickler that can build only planner's model types, so a
planted index cannot run code; anything it cannot decode raises `IndexCorrupt`. Paths are stored
as text and rebuilt from cached parents. `planner.tree.index.store` keeps them in the SQLite file.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path, PosixPath, PurePath, WindowsPath
from typing import TYPE_CHECKING, Protocol

from planner.model import Phase, Project
from planner.tree.frontmatter import Diagnostic, Document

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# The classes a pickled model may hold; anything else in a cache file is foreign and refused.
MODEL_CLASSES = frozenset({
    ("planner.tree.index.encoding", "_path"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
    ("planner.model", "Project"), ("planner.model", "Phase"), ("planner.model", "Plan"),
    ("planner.model", "Gap"), ("planner.model", "Config"), ("planner.model", "KeyFiles"),
    ("planner.ids", "PhaseNumber"), ("planner.ids", "PlanId"), ("planner.tree.frontmatter", "Diagnostic"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
})


class IndexCorrupt(Exception):
    """The index file is not one planner wrote, or is damaged: rebuild it."""


class Readable(Protocol):
    """What an unpickler reads from: a file, a BytesIO, the index's project parts."""

    def read(self, size: int, /) -> bytes: ...

    def readline(self) -> bytes: ...


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


def _reduce_path(path: PurePath) -> tuple[Callable[[str], Path], tuple[str]]:
    return _path, (str(path),)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in MODEL_CLASSES:
            raise IndexCorrupt(f"index holds a foreign object ({module}.{name})")
        return super().find_class(module, name)


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, stream: Readable, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(stream)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"foreign object {module}.{name}")
        return super().find_class(module, name)


def unpickle_with(blob: bytes, allowed: frozenset[tuple[str, str]]) -> object:
    """The value `pickle_model` wrote into `blob`, holding only the classes in `allowed`
    (pickle.UnpicklingError otherwise): for other caches that store model objects."""
    try:
        return _RestrictedUnpickler(io.BytesIO(blob), allowed).load()
    finally:
        _FOLDERS.clear()


def pickle_model(value: object) -> bytes:
    """`value` pickled with paths stored as text (rebuilt by `_path`)."""
    buffer = io.BytesIO()
    _pickler(buffer).dump(value)
    return buffer.getvalue()


def _pickler(stream: SupportsWrite[bytes]) -> pickle.Pickler:
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {PosixPath: _reduce_path, WindowsPath: _reduce_path}
    return pickler


PHASES_PER_PICKLE = 64


def dump_project(project: Project, stream: SupportsWrite[bytes]) -> None:
    """`project` pickled into `stream` as a head (the project without its phases and their count)
    then its phases, PHASES_PER_PICKLE to a pickle: the pickler keeps a table entry for every
    object it wrote, so one pickle of a 24,000-document project holds 15 MB while it is written."""
    pickler = _pickler(stream)
    phases = project.phases + project.archived_phases
    pickler.dump((replace(project, phases=(), archived_phases=()), len(project.phases), len(phases)))
    for start in range(0, len(phases), PHASES_PER_PICKLE):
        pickler.clear_memo()
        pickler.dump(phases[start:start + PHASES_PER_PICKLE])


def load_project(stream: Readable) -> Project:
    """The project `dump_project` wrote into `stream`; IndexCorrupt when it is not one."""
    try:
        head, current, count = _ModelUnpickler(stream).load()
        if not (isinstance(head, Project) and isinstance(current, int) and isinstance(count, int)):
            raise IndexCorrupt("index holds something other than a project")
        phases: list[Phase] = []
        while len(phases) < count:
            group = _ModelUnpickler(stream).load()  # a new memo for each, as the pickler's was cleared
            if not (isinstance(group, tuple) and group and all(isinstance(phase, Phase) for phase in group)):
                raise IndexCorrupt("index holds something other than a project's phases")
            phases.extend(group)
        if len(phases) != count:
            raise IndexCorrupt("index holds something other than a project's phases")
        return replace(head, phases=tuple(phases[:current]), archived_phases=tuple(phases[current:]))
    except IndexCorrupt:
        raise
    except Exception as error:  # noqa: BLE001 - damage shows as any error: EOF, bad opcode, bad arguments
        raise IndexCorrupt(f"index entry is damaged ({type(error).__name__})") from None
    finally:
        _FOLDERS.clear()


def unpickle(blob: bytes, *, second: bool = False) -> tuple[object, object | None]:
    """(the first pickle in `blob`, the one after it: with `second` and when there is one, else None)."""
    try:
        stream = io.BytesIO(blob)
        unpickler = _ModelUnpickler(stream)
        first = unpickler.load()
        if not second:
            return first, None
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
    return _document(path, *unpickle(blob, second=with_body))


def load_trusted(blob: bytes) -> object:
    """What `pickle_model` wrote into `blob` in this process's own forked worker a moment ago: the C
    unpickler without the allow-list (nothing here came from the index file)."""
    try:
        return pickle.loads(blob)
    finally:
        _FOLDERS.clear()


def _document(path: Path, value: object, stored_body: object) -> tuple[Document, bool]:
    try:
        if not isinstance(value, tuple) or not (stored_body is None or isinstance(stored_body, str)):
            raise TypeError
        meta, has_frontmatter, frontmatter_text, body, body_line, line_ending, had_bom, diagnostics = value
        checks = (isinstance(meta, dict), isinstance(has_frontmatter, bool), isinstance(frontmatter_text, str),
                  isinstance(body, str) if not has_frontmatter else body is None, isinstance(body_line, int),
                  isinstance(line_ending, str), isinstance(had_bom, bool), isinstance(diagnostics, list))
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
        self._stored = stored  # path relative to `.planning/` -> encoded document (a dict is this mapping's own)
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
        if isinstance(self._stored, dict):  # a copy of the rows, this mapping's own: the blob is done with
            del self._stored[text[len(self._prefix):]]
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


class LazyRows(Mapping[str, bytes]):
    """Stored documents read by `load` on first use (a `plan check` with its own cache asks for none)."""

    def __init__(self, load: Callable[[], dict[str, bytes]]) -> None:
        self._load = load
        self._rows: dict[str, bytes] | None = None

    def _loaded(self) -> dict[str, bytes]:
        if self._rows is None:
            self._rows = self._load()
        return self._rows

    def __getitem__(self, key: str) -> bytes:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())
