"""Time as planner records it: UTC, to the millisecond (the precision of snapshot ids).

A plan's start, a SUMMARY's completion and a snapshot id must be comparable exactly: a snapshot
taken a fraction of a second before `plan start` is that plan's baseline, so no recorded time may
be coarser than a snapshot id. (And `alarm`: a real-time limit on a block, for the renderer and tests.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def now_utc() -> dt.datetime:
    """The current UTC time, cut to whole milliseconds."""
    moment = dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def iso(moment: dt.datetime) -> str:
    """`2026-12-02T03:34:44.115+00:00`; whole seconds keep the short form `...:44+00:00`."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec)


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO-8601 time with its offset; None for missing, naive or unreadable text."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
        if moment.tzinfo is None:
            return None
        moment.astimezone(dt.UTC)  # `9999-12-31T23:59:59-23:59` is past the last UTC time there is
    except (ValueError, OverflowError):
        return None
    return moment


@contextmanager
def alarm(seconds: float, expire: Callable[[], None]) -> Iterator[None]:
    """`expire()` called inside the block once it has run `seconds` of real time (SIGALRM: the main
    thread only, where it may raise to end the block); the previous handler is put back after."""
    import signal

    def handler(signum: int, frame: object) -> None:
        expire()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
