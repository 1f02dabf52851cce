"""Worker processes that share a first load's reading of the phase folders with the reader's process.

Used by `planner.tree.index.session` on a first load (or a new checkout): forking costs a few milliseconds,
reading thousands of documents and building their plans costs a second.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
from collections.abc import Callable
from typing import NoReturn, Self

from planner.tree.index.cores import can_fork

# `planner.tree.index.encoding` (the model and its ~30 ms of imports) is imported where results are
# pickled and unpickled: a cold load forks its workers before it imports the reader

MAX_WORKERS = 8
PARALLEL_FROM = 1000  # files to read from which forked workers pay for their start-up
CHUNK_FILES = 50  # files to a chunk: small enough that the processes finish together
_NOTICE = struct.Struct("=QQQ")  # chunk number, offset and size of its pickled results

Work = Callable[[list[str]], dict[str, object]]  # keys of one chunk -> result of each key done


def chunks_of(weighted: list[tuple[str, int]]) -> list[list[str]]:
    """Keys, in order, cut into runs that weigh CHUNK_FILES or more (the last may weigh less)."""
    size = max(CHUNK_FILES, sum(weight for _, weight in weighted) // 1000)  # notices stay within a pipe's buffer
    chunks: list[list[str]] = []
    current: list[str] = []
    weight = 0
    for key, files in weighted:
        current.append(key)
        weight += files
        if weight >= size:
            chunks.append(current)
            current, weight = [], 0
    if current:
        chunks.append(current)
    return chunks


class Workers:
    """Forked processes sharing chunks of work with this one.

    The chunks come in the order the reader asks for their keys. This process claims a chunk when
    the reader first asks for a key in it, and does that work itself (`take` returns None); each
    worker claims the last unclaimed chunk, runs `work` on it and sends the results back, pickled,
    through an anonymous file (so a worker never waits for the reader). The reader's own chunks are
    never pickled, sent and read back, and the split balances itself. Claims are bytes in shared
    memory, taken without a lock: two processes that claim one chunk at the same moment both do
    it, and the reader uses the copy of the owner it saw, which delivers it (or dies: see `take`).
    With fewer than two chunks or workers, no fork, threads running (forking them is unsafe), or a
    worker that dies, `take` returns None and the reader does the work in-process.
    """

    def __init__(self, chunks: list[list[str]], work: Work, workers: int) -> None:
        self.chunk_of = {key: number for number, chunk in enumerate(chunks) for key in chunk}
        self.owner: dict[int, int] = {}  # chunk -> 1 for this process, 2 + n for worker n
        self.ready: dict[str, object] = {}
        self.received: set[int] = set()
        self.located: dict[int, tuple[int, int, int]] = {}  # chunk -> (results file, offset, size), not read yet
        self.workers: list[tuple[int, int, int]] = []  # (pid, notice pipe, results file)
        if workers >= 2 and len(chunks) >= 2 and can_fork():
            self._start(chunks, work, min(workers, MAX_WORKERS) - 1)

    def _start(self, chunks: list[list[str]], work: Work, count: int) -> None:
        self.claims = mmap.mmap(-1, len(chunks))  # shared with the workers: 0 = unclaimed, else owner
        for number in range(count):
            notices = os.pipe()
            results = _anonymous_file()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(notices[0])
                _work(chunks, work, self.claims, 2 + number, notices[1], results)
            os.close(notices[1])
            self.workers.append((pid, notices[0], results))

    def take(self, key: str) -> object | None:
        """What a worker did for `key`; None: do it here (a chunk of this process's, or one a worker
        did not deliver)."""
        chunk = self.chunk_of.get(key)
        if chunk is None or not self.workers:
            return None
        owner = self.owner.get(chunk)
        if owner is None:
            owner = self.owner[chunk] = self._claim(chunk)
        if owner == 1:
            return None
        while chunk not in self.received and self._receive(owner - 2):
            pass
        if chunk in self.located:  # read when first needed: the reader holds a chunk or two, not all
            from planner.tree.index.encoding import load_trusted

            results, offset, size = self.located.pop(chunk)
            delivered = load_trusted(os.pread(results, size, offset))  # our own child's
            if isinstance(delivered, dict):
                self.ready.update(delivered)
        return self.ready.pop(key, None)

    def _claim(self, chunk: int) -> int:
        """Who does `chunk`: a worker that claimed it, else this process (1), from now on."""
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
        self.close()

    def close(self) -> None:
        """Stop the workers (each after its current chunk) and wait for them; again: nothing."""
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


def _work(chunks: list[list[str]], work: Work, claims: mmap.mmap, me: int, notices: int, results: int) -> NoReturn:
    """In a worker: do the last unclaimed chunk until none is left, then exit without cleanup."""
    code = 0
    try:
        from planner.tree.index.encoding import pickle_model

        offset = 0
        while (chunk := claims.rfind(b"\0")) >= 0:
            claims[chunk] = me
            encoded = pickle_model(work(chunks[chunk]))
            written = 0
            while written < len(encoded):
                written += os.pwrite(results, memoryview(encoded)[written:], offset + written)
            os.write(notices, _NOTICE.pack(chunk, offset, len(encoded)))
            offset += len(encoded)
    except BaseException:  # noqa: BLE001 - the reader does what this worker did not send
        code = 1
    os._exit(code)
