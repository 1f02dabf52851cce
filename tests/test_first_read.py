"""A first `plan status` forks its worker before the scan and writes the index aside: same output,
and a folder changed after the worker read it is read again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planner.cli.console import to_json
from planner.status import project_status
from planner.tree.index.served_phases import ScannedFolders
from planner.tree.reader import load_project

OLD_NS = 1_600_000_000 * 10**9  # written long ago: outside the racy window, so the index stores it
PLAN = "---\nphase: {phase}\nplan: '{part}'\ntitle: Plan {part}\nstatus: {status}\n---\n\n# Plan\n"

# In a process of its own (no test runner threads: it forks), with workers from two files on and
# a second core taken as idle; every folder a worker read before the scan is reported on stderr
_SHARED = (
    "import sys; from pathlib import Path\n"
    "import planner.tree.index.workers as w, planner.tree.index.first_read as f, planner.tree.index.aside as a\n"
    "import planner.tree.index.served_phases as s\n"
    "w.PARALLEL_FROM = 2; w.CHUNK_FILES = 1; f.idle_cores = a.idle_cores = lambda: 2\n"
    "agree = s.ScannedFolders.agree\n"
    "def told(self, folder, stamped):\n"
    "    taken = agree(self, folder, stamped)\n"
    "    sys.stderr.write(f'{Path(folder).name} {taken}\\n')\n"
    "    return taken\n"
    "s.ScannedFolders.agree = told\n"
)


def _write(path: Path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _tree(root: Path, phases: int = 6) -> Path:
    for number in range(1, phases + 1):
        folder = root / ".planning" / "phases" / f"{number:02d}-phase"
        for part in ("01", "02"):
            _write(folder / f"{number:02d}-{part}-PLAN.md", PLAN.format(phase=f"{number:02d}", part=part,
                                                                        status="planned"))
    _write(root / ".planning" / "ROADMAP.md", "# Roadmap\n")
    return root


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _SHARED + code], capture_output=True, text=True, check=True)


def _taken(stderr: str) -> dict[str, bool]:
    return {name: verdict == "True" for name, verdict in (line.split() for line in stderr.splitlines())}


def test_first_status_shares_folders_read_before_the_scan_and_prints_what_one_process_prints(tmp_path: Path) -> None:
    _tree(tmp_path)
    status = ("import planner.__main__ as m\n"
              f"sys.argv = ['plan', 'status', '--json', '--root', {str(tmp_path)!r}]\n"
              "sys.exit(m.main())\n")
    first = _run(status)
    assert any(_taken(first.stderr).values())  # the early worker delivered, and its folders were taken
    expected = to_json(project_status(load_project(tmp_path)), pretty=False) + "\n"
    assert json.loads(first.stdout) == json.loads(expected)
    index = tmp_path / ".planning" / ".cache" / "index.sqlite"
    assert index.is_file()  # written aside, and in place once `plan status` returned
    for output in (tmp_path / ".planning" / ".cache").glob("out-*"):
        output.unlink()
    second = _run(status)  # the whole project from the index: no worker, no file read
    assert second.stdout == first.stdout and _taken(second.stderr) == {}
    index.unlink()  # an output kept without an index: printed as kept, the early worker stopped
    third = _run(status)
    assert third.stdout == first.stdout


def test_folder_changed_after_the_early_worker_read_it_is_read_again(tmp_path: Path) -> None:
    _tree(tmp_path)
    edited = tmp_path / ".planning" / "phases" / "06-phase" / "06-01-PLAN.md"  # the worker starts at the end
    code = (
        "import time\n"
        "from planner.tree.index.session import load_project_indexed\n"
        f"root = Path({str(tmp_path)!r})\n"
        "early = f.start(root)\n"
        "while 0 in early.claims[:]: time.sleep(0.01)  # every folder claimed by the worker\n"
        "time.sleep(0.5)  # and read\n"
        f"Path({str(edited)!r}).write_text(Path({str(edited)!r}).read_text().replace('planned', 'complete'))\n"
        "project, stats = load_project_indexed(root, early=early)\n"
        "early.close()\n"
        "print(next(plan.status for plan in project.plans if str(plan.id) == '06-01'))\n"
    )
    run = _run(code)
    taken = _taken(run.stderr)
    assert taken["06-phase"] is False and taken["01-phase"] is True
    assert run.stdout.strip() == "complete"


def test_scanned_folder_agrees_only_with_the_same_files_and_stamps() -> None:
    stamps = {"/p/phases/01-a": "dir:", "/p/phases/01-a/01-01-PLAN.md": "1:2:3:4",
              "/p/phases/01-a/plans/PLAN-02.md": "5:6:7:8", "/p/phases/02-b/02-01-PLAN.md": "9:9:9:9"}
    scanned = ScannedFolders(stamps, {"/p/phases/01-a", "/p/phases/02-b", "/p/phases/03-c"})
    read = {"/p/phases/01-a/01-01-PLAN.md": "1:2:3:4", "/p/phases/01-a/plans/PLAN-02.md": "5:6:7:8"}
    assert scanned.agree("/p/phases/01-a", read)
    assert not scanned.agree("/p/phases/01-a", {**read, "/p/phases/01-a/01-01-PLAN.md": "1:2:3:5"})  # changed since
    assert not scanned.agree("/p/phases/01-a", {"/p/phases/01-a/01-01-PLAN.md": "1:2:3:4"})  # a file added since
    assert not scanned.agree("/p/phases/01-a", {**read, "/p/phases/01-a/01-03-PLAN.md": "1:1:1:1"})  # one gone
    assert scanned.agree("/p/phases/03-c", {})  # a folder with no Markdown files, as the scan found it


def test_the_index_file_looked_for_is_the_one_the_store_writes() -> None:
    from planner.tree.index.first_read import INDEX_PATH
    from planner.tree.index.store import CACHE_DIR, INDEX_FILE

    assert INDEX_PATH == (CACHE_DIR, INDEX_FILE)
