"""Worker processes that share the parsing of changed files with the reader's own process.

Used by `planner.tree.index.session` on a first load (or a new checkout): forking costs a few milliseconds,
parsing thousands of frontmatter blocks costs a second.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import struct
from pathlib import Path
from typing import NoReturn, Self

from planner.tree.frontmatter import Document, read_document
from planner.tree.index.cores import can_fork
from planner.tree.index.encoding import decode_trusted, encode_document

PARALLEL_FROM = 1000  # files to parse from which forked workers pay for their start-up
MAX_WORKERS = 8
PARSE_CHUNK = 50
_NOTICE = struct.Struct("=QQQ")  # chunk number, offset and size of its encoded documents


class Parsers:
    """Forked processes sharing the parsing of changed files with this one.

    The files are cut into chunks in the order the reader asks for them. This process claims a
    chunk when the reader first asks for a file in it and parses it as usual; each worker claims
    the last unclaimed chunk, parses it and sends the encoded documents back (through an
    anonymous file, so a worker never waits for the reader). The reader's own chunks are never
    encoded, sent and decoded, and the split balances itself. Claims are bytes in shared memory,
    taken without a lock: two processes that claim one chunk at the same moment both parse it,
    and the reader uses the copy of the owner it saw, which delivers it (or dies: see `take`).
    With fewer than PARALLEL_FROM files, one worker, no fork, threads running (forking them is
    unsafe), or a worker that dies, `take` returns None and the reader parses in-process.
    """

    def __init__(self, paths: list[str], workers: int) -> None:
        self.chunk_of: dict[str, int] = {}
        self.owner: dict[int, int] = {}  # chunk -> 1 for this process, 2 + n for worker n
        self.ready: dict[str, bytes] = {}
        self.received: set[int] = set()
        self.located: dict[int, tuple[int, int, int]] = {}  # chunk -> (results file, offset, size), not unpacked yet
        self.workers: list[tuple[int, int, int]] = []  # (pid, notice pipe, results file)
        if workers >= 2 and len(paths) >= PARALLEL_FROM and can_fork():
            ordered = sorted(paths, key=lambda path: (-path.count(os.sep), path))  # phases first, as read
            size = max(PARSE_CHUNK, len(ordered) // 1000)  # a worker's notices stay within a pipe's buffer
            chunks = [ordered[start:start + size] for start in range(0, len(ordered), size)]
            self.chunk_of = {path: number for number, chunk in enumerate(chunks) for path in chunk}
            self._start(chunks, min(workers, MAX_WORKERS) - 1)

    def _start(self, chunks: list[list[str]], count: int) -> None:
        # PyYAML and the tolerant reader, which blocks the plain reader declines need, are imported
        # once, here, before the fork: not once in every process
        import planner.tree.strict_yaml
        import planner.tree.tolerant_yaml  # noqa: F401
        self.claims = mmap.mmap(-1, len(chunks))  # shared with the workers: 0 = unclaimed, else owner
        for number in range(count):
            notices = os.pipe()
            results = _anonymous_file()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(notices[0])
                _work(chunks, self.claims, 2 + number, notices[1], results)
            os.close(notices[1])
            self.workers.append((pid, notices[0], results))

    def take(self, path: str, document_path: Path, with_body: bool
             ) -> tuple[tuple[Document, bool], bytes] | None:
        """(the document a worker parsed for `path`, its encoding); None: parse it here."""
        chunk = self.chunk_of.get(path)
        if chunk is None or not self.workers:
            return None
        owner = self.owner.get(chunk)
        if owner is None:
            owner = self.owner[chunk] = self._claim(chunk)
        if owner == 1:
            return None
        while chunk not in self.received and self._receive(owner - 2):
            pass
        if chunk in self.located:  # unpacked when first needed: the reader holds a chunk or two, not all
            results, offset, size = self.located.pop(chunk)
            self.ready.update(pickle.loads(os.pread(results, size, offset)))  # our own child's
        blob = self.ready.pop(path, None)
        if blob is None:  # the worker died, or could not read the file: the reader does it and reports
            return None
        return decode_trusted(document_path, blob, with_body=with_body), blob

    def _claim(self, chunk: int) -> int:
        """Who parses `chunk`: a worker that claimed it, else this process (1), from now on."""
        owner = self.claims[chunk]
        if owner == 0:
            owner = self.claims[chunk] = 1
        return owner

    def _receive(self, worker: int) -> bool:
        """Note where the next chunk worker `worker` finished is; False when it has no more."""
        _, notices, results = self.workers[worker]
        notice = os.read(notices, _NOTICE.size)
        if len(notice) != _NOTICE.size:
            return False
        chunk, offset, size = _NOTICE.unpack(notice)
        self.located[chunk] = (results, offset, size)
        self.received.add(chunk)
        return True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.workers:
            return
        self.claims.seek(0)  # every chunk left is the reader's: the workers stop after their current one
        self.claims.write(bytes(1 if claim == 0 else claim for claim in self.claims[:]))
        for pid, notices, results in self.workers:
            os.close(notices)  # a worker still sending gets a broken pipe and exits
            os.close(results)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.claims.close()
        self.workers = []


def _anonymous_file() -> int:
    """A descriptor of a file with no name, in memory where the platform allows."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("planner-index", os.MFD_CLOEXEC)
    import tempfile

    with tempfile.TemporaryFile() as handle:
        return os.dup(handle.fileno())  # the file lives on, nameless, while the copy is open


def _work(chunks: list[list[str]], claims: mmap.mmap, me: int, notices: int, results: int) -> NoReturn:
    """In a worker: parse the last unclaimed chunk until none is left, then exit without cleanup."""
    code = 0
    try:
        offset = 0
        while (chunk := claims.rfind(b"\0")) >= 0:
            claims[chunk] = me
            encoded = pickle.dumps(_parse_chunk(chunks[chunk]), protocol=pickle.HIGHEST_PROTOCOL)
            written = 0
            while written < len(encoded):
                written += os.pwrite(results, memoryview(encoded)[written:], offset + written)
            os.write(notices, _NOTICE.pack(chunk, offset, len(encoded)))
            offset += len(encoded)
    except BaseException:  # noqa: BLE001 - the reader parses what this worker did not send
        code = 1
    os._exit(code)


def _parse_chunk(paths: list[str]) -> dict[str, bytes]:
    """In a worker: each readable file's encoded document (the reader re-reads the others and reports)."""
    parsed = {}
    for path in paths:
        try:
            parsed[path] = encode_document(read_document(Path(path)))
        except Exception:  # noqa: BLE001, S112 - the reader reads this file itself and raises properly
            continue
    return parsed
