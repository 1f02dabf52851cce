"""Report paths made repository-relative POSIX."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.evidence.reports.paths import normalise_paths


def _touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")


def test_absolute_path_through_a_symlink_is_made_relative(tmp_path: Path) -> None:
    _touch(tmp_path / "real", "a.py")
    os.symlink(tmp_path / "real", tmp_path / "link")
    result = normalise_paths([str(tmp_path / "link" / "a.py")], tmp_path / "real")
    assert result.mapping == {str(tmp_path / "link" / "a.py"): "a.py"}
    assert result.warnings == ()


def test_dot_segments_are_collapsed(tmp_path: Path) -> None:
    _touch(tmp_path, "pkg/a.py")
    assert normalise_paths(["./pkg/../pkg/a.py"], tmp_path).mapping == {
        "./pkg/../pkg/a.py": "pkg/a.py"
    }


def test_explicit_base_wins_when_files_live_there(tmp_path: Path) -> None:
    _touch(tmp_path, "src/pkg/a.py")
    result = normalise_paths(["pkg/a.py"], tmp_path, bases=[tmp_path / "src"])
    assert result.mapping == {"pkg/a.py": "src/pkg/a.py"}


def test_each_file_may_live_under_a_different_base(tmp_path: Path) -> None:
    _touch(tmp_path, "src/a.py", "lib/b.py")
    result = normalise_paths(["a.py", "b.py"], tmp_path, bases=[tmp_path / "src", tmp_path / "lib"])
    assert result.mapping == {"a.py": "src/a.py", "b.py": "lib/b.py"}


def test_a_path_naming_the_repository_itself_is_kept_as_given_with_a_warning(tmp_path: Path) -> None:
    result = normalise_paths([".", str(tmp_path)], tmp_path)
    assert result.mapping == {".": ".", str(tmp_path): str(tmp_path)}
    (warning,) = result.warnings
    kept = "lie outside the repository and are kept as given"
    assert warning == f"2 of 2 paths in the report {kept} (e.g. ., {tmp_path})"


def test_warning_quotes_at_most_three_examples(tmp_path: Path) -> None:
    result = normalise_paths([f"m{i}.py" for i in range(10)], tmp_path)
    assert result.warnings[0].startswith("10 of 10 paths")
    assert result.warnings[0].count(".py") == 3


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s), max_size=5))
def test_any_relative_path_maps_to_something(tmp_path: Path, raws: list[str]) -> None:
    result = normalise_paths(raws, tmp_path)
    assert set(result.mapping) == set(raws)
    assert all("\\" not in value for value in result.mapping.values())
