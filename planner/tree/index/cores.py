"""Whether to fork, and onto how many cores: asked by the scan and the load's workers alike, so it
imports only `os` (the warm paths that ask must stay light)."""

from __future__ import annotations

import os
import sys


def can_fork() -> bool:
    """Fork is there, and no other thread runs (a forked copy of its locks could never be released)."""
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1)


def available_cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def idle_cores() -> int:
    """CPUs this process may run on that other work leaves idle, at least 1: the tasks running or
    waiting to run right now (Linux's /proc/loadavg), this process apart; elsewhere the 1-minute
    load average, as `make --load-average` reads it. Not the average where the count is there: it
    still holds planner's own commands of the last minute, and a script running plan again and
    again would stop forking onto a core that is idle. A worker forked onto a busy machine parses
    nothing sooner; it only adds its start-up and copied memory to the same CPU time."""
    cores = available_cores()
    others = _running_elsewhere()
    if others is not None:
        return max(1, min(cores, cores - others))
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this platform: trust the core count
        return cores
    return max(1, min(cores, int(cores - load + 0.5) + 1))


def _running_elsewhere() -> int | None:
    """Tasks running or runnable now besides this process (None: the platform does not say)."""
    try:
        with open("/proc/loadavg", "rb") as handle:  # `0.95 1.34 1.08 1/110 26347`: 1 running, this one
            running = int(handle.read().split()[3].split(b"/")[0])
    except (OSError, IndexError, ValueError):
        return None
    return max(0, running - 1)
