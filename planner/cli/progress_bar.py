"""A progress bar for long runs, on stderr, only where a person watches it.

Shown when the stream is a terminal, the run has taken more than `delay` seconds, and neither
`NO_COLOR` (https://no-color.org) nor `CI` is set; never on a pipe or a file, so logs and
machine-read output stay clean. The bar is transient: it is erased when the run ends.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

Advance = Callable[[int, int], None]  # (steps done, steps in all)

DELAY_SECONDS = 1.0


def bar_allowed(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """True when `stream` is a terminal and neither NO_COLOR nor CI asks for plain output."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("CI", "").lower() not in {"", "0", "false"}:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress_bar(label: str, *, enabled: bool = True, stream: TextIO | None = None,
                 delay: float | None = None, clock: Callable[[], float] = time.monotonic,
                 ) -> Iterator[Advance | None]:
    """Yields a callback `advance(done, total)`, or None when no bar may be shown at all."""
    out = stream if stream is not None else sys.stderr
    if not (enabled and bar_allowed(out)):
        yield None
        return
    wait = DELAY_SECONDS if delay is None else delay
    started = clock()
    state: dict[str, Any] = {"progress": None, "task": None}

    def advance(done: int, total: int) -> None:
        if state["progress"] is None:
            if clock() - started <= wait:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                                console=Console(file=out, force_terminal=True), transient=True)
            progress.start()
            state["progress"], state["task"] = progress, progress.add_task(label, total=total)
        state["progress"].update(state["task"], completed=done, total=total)

    try:
        yield advance
    finally:
        if state["progress"] is not None:
            state["progress"].stop()
