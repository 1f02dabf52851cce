"""Time as planner records it: UTC, to the millisecond (the precision of snapshot ids).

A plan's start, a SUMMARY's completion and a snapshot id must be comparable exactly: a snapshot
taken a fraction of a second before `plan start` is that plan's baseline, so no recorded time may
be coarser than a snapshot id.
"""

from __future__ import annotations

import datetime as dt


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
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
