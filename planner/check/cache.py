"""What `plan check` found in each document on its own, kept for the next run while the file is unchanged.

The claims a SUMMARY or VERIFICATION makes (`summary_claims.claims_of`) and the findings of the
rules that look at one document alone (CLM210, TIM3xx, NUM4xx, STA5xx) depend only on the file's
bytes and its path. They are kept in `.planning/.cache/check.pickle`, per document, under the
same stamp the planning index keys documents by (size, mtime_ns, ctime_ns, inode) and under the
size and mtime of every planner module (`index_outputs.code_fingerprint`: an edited rule misses).
Rules across documents and against git run every time, on the kept claims.

Each document is kept as a `Row`. Kept claims carry their `lines` (git rules quote them) but not
their path (set when served).
Like the index it is a cache: a file written within RACY_NS of its stamp is
not kept, anything unreadable or foreign is ignored and rewritten, an unwritable tree is checked
without it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from planner.check.findings import Finding
from planner.check.summary_claims import SummaryClaims, read_claims
from planner.tree.frontmatter import Document
from planner.tree.index.encoding import MODEL_CLASSES, pickle_model, unpickle_with
from planner.tree.index.outputs import code_fingerprint
from planner.tree.index.scan import file_stamp
from planner.tree.index.store import keep_in_cache

CACHE_FILE = "check.pickle"
FORMAT = "4"
RACY_NS = 2_000_000_000
MAX_BYTES = 1024 * 1024 * 1024
_ALLOWED = MODEL_CLASSES | {
    ("planner.check.summary_claims", "SummaryClaims"), ("planner.check.claim_text", "Claim"),
    ("planner.check.claim_text", "Table"), ("planner.check.claim_text", "TableRow"),
    ("planner.check.findings", "Finding"), ("planner.check.cache", "Row"),
}
Rules = Callable[[str, SummaryClaims], list[Finding]]


class Row(NamedTuple):
    """What is kept of one document: the stamp it was read under, its path relative to the project,
    its claims (without their path) and its one-document findings."""

    stamp: str
    rel: str
    claims: SummaryClaims
    findings: list[Finding]


def load_kept(blob: bytes, size: int) -> tuple[object, ...] | None:
    """The tuple of `size` items pickled in `blob`, or None when it holds something else; raises
    when `blob` is no pickle or holds a class other than planner's own."""
    stored = unpickle_with(blob, _ALLOWED)
    return stored if isinstance(stored, tuple) and len(stored) == size else None


class CheckCache:
    """Claims and one-document findings per path, from the last run where the file is unchanged."""

    def __init__(self, planning_dir: Path) -> None:
        self.planning_dir = planning_dir
        self.path = planning_dir / ".cache" / CACHE_FILE
        self.started_ns = time.time_ns()
        self.rows: dict[str, object] = {}  # path relative to .planning/ -> a Row, as loaded (checked when used)
        self.fresh: dict[str, Row] = {}
        self.used: set[str] = set()
        self.findings: dict[str, list[Finding]] = {}  # rel -> one-document findings
        self.stamps: dict[str, str] = {}  # rel -> the stamp the document was read under (git.pickle's key)
        self.hits = self.misses = 0
        self._read()

    def _read(self) -> None:
        if os.path.islink(self.path.parent):
            return
        try:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return
            data = stream.read()
        try:
            stored = load_kept(data, 3)
            if stored is None:
                return
            version, fingerprint, rows = stored
            if (version, fingerprint) != (FORMAT, code_fingerprint()) or not isinstance(rows, dict):
                return
        except Exception:  # noqa: BLE001  (damaged or foreign: checked without it, then rewritten)
            return
        self.rows = rows

    def claims(self, path: Path, rel: str, documents: Mapping[Path, Document] | None, rules: Rules
               ) -> SummaryClaims:
        """The claims of the document at `path`, its one-document findings kept for `findings_of`."""
        key = str(path).removeprefix(str(self.planning_dir) + os.sep)
        stamp = file_stamp(path)  # before reading: a later edit shows as another stamp next time
        self.stamps[rel] = stamp
        stored = _row(self.rows.get(key))
        if stored is not None and stored.stamp == stamp and settled(stamp, self.started_ns) and stored.rel == rel:
            self.hits += 1
            self.used.add(key)
            self.findings[rel] = stored.findings
            return replace(stored.claims, path=path)  # kept without it: paths are slow to unpickle
        self.misses += 1
        whole = read_claims(path, documents)
        found = rules(rel, whole)
        kept = replace(whole, path=None)  # type: ignore[arg-type]  # set again when served
        self.findings[rel] = found
        if settled(stamp, self.started_ns) and key.endswith(".md") and not key.startswith(".."):
            self.fresh[key] = Row(stamp, rel, kept, found)
        kept = replace(kept, path=path)
        return kept

    def findings_of(self, rel: str) -> list[Finding]:
        """The one-document findings of the document `claims` was last asked for at `rel`."""
        return self.findings[rel]

    def save(self) -> None:
        """Write the rows this run used or made (a whole new file renamed over the old)."""
        kept = {key: row for key, row in self.rows.items() if key in self.used}
        if not self.fresh and len(kept) == len(self.rows):
            return
        # one pickle: fast to load
        keep_in_cache(self.planning_dir, CACHE_FILE, lambda: pickle_model((FORMAT, code_fingerprint(),
                                                                           {**kept, **self.fresh})))


def _row(value: object) -> Row | None:
    """A kept row, or None when `value` is not one (or holds something of another type)."""
    if not (isinstance(value, Row) and isinstance(value.stamp, str) and isinstance(value.rel, str)
            and isinstance(value.claims, SummaryClaims) and isinstance(value.findings, list)
            and all(isinstance(finding, Finding) for finding in value.findings)):
        return None
    return value


def settled(stamp: str, started_ns: int) -> bool:
    """Whether a file stamped `stamp` was last changed long enough before `started_ns` that a
    change within the same clock tick cannot hide behind an equal stamp (the racy window)."""
    parts = stamp.split(":")
    return len(parts) == 4 and int(parts[1]) <= started_ns - RACY_NS
