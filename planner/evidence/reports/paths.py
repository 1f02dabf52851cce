"""Turn the paths a report names into repository-relative POSIX paths that match git's."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_SAMPLE = 50  # relative paths probed per candidate base before choosing one
_EXAMPLES = 3  # paths quoted in a warning


@dataclass(frozen=True)
class NormalisedPaths:
    """Each raw path mapped to its repo-relative POSIX form, and what was odd about them."""

    mapping: dict[str, str]
    warnings: tuple[str, ...]


def _posix(raw: str) -> str:
    return raw.replace("\\", "/")


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or (len(path) > 2 and path[1] == ":" and path[2] == "/")


def _relative_to_root(absolute: str, root: str) -> str | None:
    """`absolute` relative to `root` (both POSIX, normalised), None when outside."""
    normal = posixpath.normpath(absolute)
    if normal == root:
        return None
    if normal.startswith(root.rstrip("/") + "/"):
        return normal[len(root.rstrip("/")) + 1 :]
    return None


def _exists(root: str, relative: str) -> bool:
    return os.path.isfile(os.path.join(root, relative))


def _choose_base(relatives: Sequence[str], bases: Sequence[str], root: str) -> str:
    """The candidate base directory under which most sampled relative paths exist."""
    step = max(1, len(relatives) // _SAMPLE)
    sample = relatives[::step][:_SAMPLE]
    best, best_hits = root, 0
    for base in bases:
        hits = sum(os.path.isfile(posixpath.join(base, rel)) for rel in sample)
        if hits > best_hits:
            best, best_hits = base, hits
    return best


def _warning(count: int, total: int, what: str, examples: list[str]) -> str:
    shown = ", ".join(examples[:_EXAMPLES])
    return f"{count} of {total} paths in the report {what} (e.g. {shown})"


def normalise_paths(
    raw_paths: Iterable[str], repo_root: Path, bases: Sequence[Path] = ()
) -> NormalisedPaths:
    """Map report paths to repo-relative POSIX paths.

    Absolute paths are made relative to `repo_root` (symlinks resolved when needed); relative
    paths are joined to whichever of `bases` (then `repo_root`) holds most of them. A path outside
    the repository stays as given, and paths matching no file are kept; both earn a warning.
    """
    root = Path(repo_root).resolve().as_posix()
    candidates = [Path(b).resolve().as_posix() for b in bases] + [root]
    raws = list(dict.fromkeys(raw_paths))
    relatives = [_posix(r) for r in raws if not _is_absolute(_posix(r))]
    base = _choose_base(relatives, candidates, root) if relatives else root
    mapping: dict[str, str] = {}
    outside: list[str] = []
    missing: list[str] = []
    for raw in raws:
        path = _posix(raw)
        joined = path if _is_absolute(path) else posixpath.join(base, path)
        rel = _relative_to_root(joined, root)
        if rel is None and _is_absolute(path):
            rel = _relative_to_root(Path(os.path.realpath(path)).as_posix(), root)
        if rel is not None and not _exists(root, rel) and not _is_absolute(path):
            rel = _first_existing(path, candidates, root) or rel
        if rel is None:
            outside.append(raw)
            mapping[raw] = path
            continue
        if not _exists(root, rel):
            missing.append(rel)
        mapping[raw] = rel
    warnings = []
    if outside:
        warnings.append(
            _warning(
                len(outside), len(raws), "lie outside the repository and are kept as given", outside
            )
        )
    if missing:
        warnings.append(
            _warning(
                len(missing),
                len(raws),
                "match no file in the repository (report from another checkout?)",
                missing,
            )
        )
    return NormalisedPaths(mapping, tuple(warnings))


def _first_existing(path: str, candidates: Sequence[str], root: str) -> str | None:
    for base in candidates:
        rel = _relative_to_root(posixpath.join(base, path), root)
        if rel is not None and _exists(root, rel):
            return rel
    return None
