"""Work a read command hands to a forked copy of itself, so that it goes on meanwhile.

`plan status` on a tree the index does not hold yet writes the index (pickling the Project and
storing it: 15-20 ms on a 3k-document tree) while it computes and prints its own output from the
same Project, on the second core. The command waits for that process before it exits (`wait`), so
the index is in place when `plan` returns, as if it had been written in-process.

The forked copy only writes the new index file and renames it into place, as the command itself
would; one that fails or is killed leaves the old index (or none), which the next load rebuilds.
Without a second idle core, with threads running (forking them is unsafe) or without fork, the
work is done in-process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from planner.tree.index.cores import can_fork, idle_cores

_RUNNING: list[int] = []  # pids of forked copies not waited for yet


def run_aside(work: Callable[[], object]) -> None:
    """`work()` in a forked copy of this process when a second core is idle; else here and now."""
    if not can_fork() or idle_cores() < 2:
        work()
        return
    try:
        pid = os.fork()
    except OSError:
        work()
        return
    if pid == 0:  # the copy: never returns, and never flushes the command's buffered output
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - a cache not written: the next load rebuilds it
            code = 1
        os._exit(code)
    _RUNNING.append(pid)


def wait() -> None:
    """Wait for every forked copy `run_aside` started."""
    while _RUNNING:
        with contextlib.suppress(ChildProcessError, InterruptedError):
            os.waitpid(_RUNNING.pop(), 0)
