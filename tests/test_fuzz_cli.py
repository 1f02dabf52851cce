"""The CLI on random hostile trees and configs, under memory, CPU and time limits (bounded run).

A longer run: `python bench/fuzz_cli.py --seconds 600`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_fuzz import run_case

BUDGET_SECONDS = 20.0  # the in-suite share; each case is a few child processes
MIN_CASES = 3


def test_cli_survives_random_hostile_trees() -> None:
    started, tried, escapes = time.monotonic(), 0, []
    seed = 0
    while tried < MIN_CASES or time.monotonic() - started < BUDGET_SECONDS:
        case = run_case(seed)
        tried += 1
        escapes.extend((case.seed, outcome) for outcome in case.escapes)
        seed += 1
    assert not escapes, f"{len(escapes)} escape(s) in {tried} trees: {escapes[:5]}"
