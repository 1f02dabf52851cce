"""The library API in planner/__init__.py: what `help(planner)` shows, loaded lazily."""

from __future__ import annotations

import pydoc
import subprocess
import sys

import pytest

import planner


@pytest.mark.parametrize("name", sorted(set(planner.__all__) - {"__version__"}))
def test_every_public_name_resolves_to_its_defining_module(name: str) -> None:
    value = getattr(planner, name)
    assert value.__module__ == planner._API[name]
    assert callable(value)


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    import pkgutil

    submodules = {info.name for info in pkgutil.iter_modules(planner.__path__)}
    assert sorted(set(planner.__all__) & submodules) == []


def test_help_shows_the_use_cases_a_caller_needs() -> None:
    text = pydoc.render_doc(planner, renderer=pydoc.plaintext)
    for name in ("load_project", "close_plan", "verify_phase", "handoff_phase", "check_root",
                 "start_plan", "measure_project", "InputError"):
        assert f"\n    {name}(" in text or f"\n    {name} = " in text or f"class {name}(" in text, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = planner.no_such_name  # type: ignore[attr-defined]


def test_import_planner_loads_no_git_jinja_typer_or_yaml() -> None:
    probe = ("import sys, planner; print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('git', 'jinja2', 'typer', 'yaml') or m.startswith('planner.')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
