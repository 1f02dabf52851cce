"""The CLI on random hostile trees and configs, under memory, CPU and time limits.

Each case is one seed: the same tree and commands on every machine, so an escape is reproduced by
its seed alone. The everyday run tries a few seeds; the stress set (`-m stress`) a hundred more;
`python bench/fuzz_cli.py --seconds 600` as many as fit in the time it is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_fuzz import run_case

# Each case is a few child processes, about half a second: eight everyday, a hundred more in the stress set.
SEEDS = [*range(8), *(pytest.param(seed, marks=pytest.mark.stress) for seed in range(8, 108))]


@pytest.mark.parametrize("seed", SEEDS)
def test_cli_survives_a_random_hostile_tree(seed: int) -> None:
    case = run_case(seed)
    assert case.outcomes, "no command ran"
    assert not case.escapes, f"seed {seed}: {case.escapes}"
