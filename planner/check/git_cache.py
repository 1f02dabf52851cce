"""The git findings of the last `plan check`, kept while neither the repository nor a document changed.

Every git rule is a pure function of the documents' claims and the history index, and the index
is a function of the repository's refs. So the findings are kept in `.planning/.cache/git.pickle`
under one key: the state of every ref (one `git rev-parse HEAD --all`), the project's place in
the repository, and the stamp of every document checked (the stamps `CheckCache` took). A
commit, a fetch, a new branch or an edited document is another key: everything is read again.
Like the other caches: a key any document of which was written within RACY_NS is not kept, and
anything unreadable or foreign is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from planner.check.cache import MAX_BYTES, load_kept, settled
from planner.check.findings import Finding
from planner.tree.index.encoding import pickle_model
from planner.tree.index.outputs import code_fingerprint
from planner.tree.index.store import keep_in_cache

CACHE_FILE = "git.pickle"
FORMAT = "1"


def state_key(root: Path, stamps: dict[str, str]) -> str | None:
    """The key of the git findings for these documents in the repository holding `root`; None
    outside a repository (or when git cannot say), where nothing is kept."""
    from planner.check.git_history import refs_state

    refs = refs_state(root)
    if refs is None:
        return None
    digest = hashlib.sha256(refs.encode())
    for rel in sorted(stamps):
        digest.update(f"\0{rel}\0{stamps[rel]}".encode())
    return digest.hexdigest()


def load(planning_dir: Path, key: str) -> list[Finding] | None:
    """The findings kept under `key`, or None."""
    path = planning_dir / ".cache" / CACHE_FILE
    if os.path.islink(path.parent):
        return None
    try:
        with open(path, "rb") as stream:
            if os.fstat(stream.fileno()).st_size > MAX_BYTES:
                return None
            stored = load_kept(stream.read(), 4)
    except Exception:  # noqa: BLE001  (missing, damaged or foreign: read git again)
        return None
    if stored is None:
        return None
    version, fingerprint, kept_key, findings = stored
    if (version, fingerprint, kept_key) != (FORMAT, code_fingerprint(), key) or not isinstance(findings, list):
        return None
    return findings if all(isinstance(finding, Finding) for finding in findings) else None


def save(planning_dir: Path, key: str, stamps: dict[str, str], started_ns: int, findings: list[Finding]) -> None:
    """Keep `findings` under `key`, unless a document was written too recently to trust its stamp."""
    if all(settled(stamp, started_ns) for stamp in stamps.values()):
        keep_in_cache(planning_dir, CACHE_FILE, lambda: pickle_model((FORMAT, code_fingerprint(), key, findings)))
