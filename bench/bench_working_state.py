"""Benchmark: `git_worktree.working_state` (HEAD, its commit time, dirtiness: what `plan measure` asks
git) against the `git_state` measure.py had before every git call moved to gitlog.py, and against
the same queries through gitpython's `repo.git`, the way the rest of gitlog.py runs git.

    .venv/bin/python bench/bench_working_state.py [--runs 15] [--files 2000]

A fresh interpreter per call (what one `plan measure` pays, imports included), then warm calls
in this process; baselines are measured in the same run. It is why working_state runs git
without gitpython. The repository is generated under bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import command, measure, report

OUT = Path(__file__).resolve().parent / "out"

# The old implementation, verbatim in behaviour: three `git` subprocesses at most.
OLD = """
import subprocess, sys
from datetime import datetime
def git(root, *args):
    done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True,
                          text=True, errors="replace", stdin=subprocess.DEVNULL, check=False)
    return done.stdout if done.returncode == 0 else None
def dirty(root):
    changes = git(root, "status", "--porcelain", "--untracked-files=no", "--", ".",
                  ":(exclude).planning")
    return None if changes is None else bool(changes.strip())
def git_state(root):
    head = git(root, "log", "-1", "--format=%H%x00%cI")
    if head is None or "\\0" not in head:
        inside = git(root, "rev-parse", "--is-inside-work-tree")
        return (None, None, dirty(root) if inside is not None and inside.strip() == "true" else None)
    commit, when = head.strip().split("\\0")
    return (commit, datetime.fromisoformat(when), dirty(root))
"""

# The same queries through gitpython, as the rest of gitlog.py runs git.
GITPYTHON = """
from datetime import datetime
def gitpython_state(root):
    import git
    with git.Repo(root, search_parent_directories=True) as repo:
        head = repo.git.execute(["git", "log", "-1", "--format=%H%x00%cI"])
        changes = repo.git.execute(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                    ".", ":(exclude).planning"])
    commit, when = head.strip().split("\\0")
    return (commit, datetime.fromisoformat(when), bool(changes.strip()))
"""


def make_repo(root: Path, files: int) -> None:
    if (root / ".git").is_dir():
        return
    root.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        folder = root / "src" / f"pkg{n % 40}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{n}.py").write_text(f"x = {n}\n" * 20)
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for argv in (["init", "-q"], ["add", "-A"], [*env, "commit", "-qm", "bench"]):
        subprocess.run(["git", *argv], cwd=root, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    root = OUT / f"working-state-{args.files}"
    make_repo(root, args.files)
    (root / "src/pkg0/m0.py").write_text("changed = True\n")  # dirty, so status does real work

    # each fresh interpreter first loads what measure.py imports anyway, so only the git part differs
    prelude = "import planner.measure\n"
    new_cold = prelude + "from pathlib import Path\nfrom planner.evidence.git_worktree import working_state\n" \
        f"working_state(Path({str(root)!r}))"
    cold = measure({"new": command(sys.executable, "-c", new_cold),
                    "old": command(sys.executable, "-c", prelude + OLD + f"git_state({str(root)!r})"),
                    "gitpython": command(sys.executable, "-c", prelude + GITPYTHON
                                         + f"gitpython_state({str(root)!r})")},
                   runs=args.runs)
    report("fresh interpreter: working_state vs measure.py's old git_state", cold["new"], cold["old"],
           goal=1.2)
    report("fresh interpreter: working_state vs through gitpython", cold["new"], cold["gitpython"])

    from planner.evidence.git_worktree import working_state

    namespace: dict[str, object] = {}
    exec(OLD + GITPYTHON, namespace)  # noqa: S102  # the baselines' code, defined above in this file
    old_state, gitpython_state = namespace["git_state"], namespace["gitpython_state"]
    assert callable(old_state) and callable(gitpython_state)
    new_state = working_state(root)
    assert (new_state.commit, new_state.committed_at, new_state.dirty) == old_state(root)
    assert old_state(root) == gitpython_state(root)
    warm = measure({"new": lambda: working_state(root), "old": lambda: old_state(root),
                    "gitpython": lambda: gitpython_state(root)}, runs=args.runs)
    report("warm call: working_state vs measure.py's old git_state", warm["new"], warm["old"],
           goal=1.2)
    report("warm call: working_state vs through gitpython", warm["new"], warm["gitpython"])

if __name__ == "__main__":
    main()
