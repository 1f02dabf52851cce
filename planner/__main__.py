"""Entry point for `plan` and `python -m planner`."""

from __future__ import annotations

import sys


def main() -> int:
    # `plan --version` answers before Typer is imported: start-up is measured against bare Python.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from planner import __version__

        sys.stdout.write(f"plan {__version__}\n")
        return 0
    from planner.cli import run

    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
