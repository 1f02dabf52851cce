"""The shape of the package: no import cycles, no module past 400 lines, no re-export shims.

Imports are read from the source with `ast`, at any depth (a lazy import inside a function still
ties two modules together), except those under `if TYPE_CHECKING:`, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "planner"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _owner(name: str) -> str | None:
    """The planner module an imported dotted name lives in (the longest known prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name if name and name != "planner" else None


def _type_checking_only(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> set[str]:
    """The planner modules `path` imports at run time, anywhere in its body."""
    found: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from planner.pkg import submodule` depends on the submodule; the package's own
            # module only when a name is taken from it (every import of a submodule runs the
            # package's __init__, so that edge says nothing)
            submodules = [f"{node.module}.{a.name}" for a in node.names
                          if f"{node.module}.{a.name}" in MODULES]
            names = submodules + ([node.module] if len(submodules) < len(node.names) else [])
        else:
            pending.extend(ast.iter_child_nodes(node))
            continue
        found.update(owner for owner in map(_owner, names) if owner is not None)
    if path.is_relative_to(PACKAGE):
        found.discard(_module_name(path))
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_the_cycle_finder_finds_a_cycle_and_passes_a_chain() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_import_reader_sees_lazy_imports_and_skips_type_checking(tmp_path: Path) -> None:
    text = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from planner import model\n"
            "def f() -> None:\n    from planner.errors import InputError\n")
    copy = tmp_path / "probe.py"
    copy.write_text(text, encoding="utf-8")
    assert imports_of(copy) == {"planner.errors"}


def test_no_import_cycles() -> None:
    graph = {name: imports_of(path) for name, path in MODULES.items()}
    assert find_cycles(graph) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].name} has {lines} lines: split it in two"


def test_no_module_level_getattr_shims() -> None:
    # planner/__init__.py loads the public API lazily; nowhere else hides a name behind __getattr__
    offenders = []
    for name, path in MODULES.items():
        if name == "planner":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
               for node in tree.body):
            offenders.append(name)
    assert offenders == []


def _readme_layout() -> set[str]:
    """Every module README's Layout block names, as a path under planner/ (`check/lint.py`)."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    named: set[str] = set()
    folder: str | None = None
    for line in block.splitlines():
        words = line.split()
        if not words:
            continue
        if line.startswith("planner/"):
            folder = ""
        elif not line.startswith(" "):
            folder = None  # past the package: templates/, docs/, tests/
        elif words[0].endswith("/") and not words[0].endswith(".py"):
            folder = words[0]
        elif folder is not None:
            named.update(folder + word for word in words if word.endswith(".py"))
    return named


def test_readme_layout_names_every_module_of_the_package_and_no_other() -> None:
    on_disk = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
               if "__pycache__" not in path.parts}
    assert _readme_layout() == on_disk


USE_CASES = ("planner.scaffold", "planner.start", "planner.measure", "planner.close", "planner.status",
             "planner.demo", "planner.render_check", "planner.verify", "planner.handoff")
# (importing use case, imported use case) -> the names it may take. Each is composition, a use case
# running another's step or document, never a helper borrowed from it: handoff --scaffold writes the
# phase and plans it recommends through scaffold; render --check rebuilds the SUMMARY and the
# VERIFICATION the way close and verify write them, to compare. `plan demo` runs the whole cycle.
COMPOSITIONS = {
    ("planner.handoff", "planner.scaffold"): {"add_phase", "new_plan"},
    ("planner.render_check", "planner.close"): {"build_summary", "recorded_summary"},
    ("planner.render_check", "planner.verify"): {"build_verification", "recorded_verification"},
}
COMPOSES_EVERY_USE_CASE = "planner.demo"


def _use_case(module: str) -> str | None:
    return next((case for case in USE_CASES if module == case or module.startswith(case + ".")), None)


def use_case_imports(path: Path) -> set[tuple[str, str]]:
    """(use case, name) for every name `path` takes from a use case's modules, at any depth."""
    taken: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            case = _use_case(node.module)
            taken.update((case, alias.name) for alias in node.names if case is not None)
        elif isinstance(node, ast.Import):
            taken.update((case, "*") for alias in node.names if (case := _use_case(alias.name)) is not None)
    return taken


def test_the_use_case_import_reader_names_what_is_taken(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import planner.close\ndef f() -> None:\n    from planner.verify.gaps import x\n",
                     encoding="utf-8")
    assert use_case_imports(probe) == {("planner.close", "*"), ("planner.verify", "x")}


def test_no_use_case_imports_another_for_a_helper() -> None:
    borrowed = []
    for name, path in MODULES.items():
        case = _use_case(name)
        if case is None or case == COMPOSES_EVERY_USE_CASE:
            continue
        for other, taken in sorted(use_case_imports(path)):
            if other != case and taken not in COMPOSITIONS.get((case, other), set()):
                borrowed.append(f"{name} takes {taken} from {other}")
    assert borrowed == []


# The chain from report to document: every number a SUMMARY, VERIFICATION or HANDOFF prints, and
# every finding `plan check` reports, travels through these modules as typed values (frozen
# dataclasses), so `mypy --strict` checks them. `Any` would switch that checking off without a
# word, so it may not appear here. Data becomes plain (dicts and lists) only at the edge:
# `planner/render.py` (`plain`, for templates and JSON) and `planner/cli/` (the JSON envelopes, the
# MCP server). What is parsed (YAML frontmatter in `tree/`, JSON reports, the index's pickles) is
# `object` until it is read, and narrowed there with isinstance.
TYPED_CHAIN = (
    "facts/", "verify/", "handoff/", "check/", "targets/", "evidence/", "storage/", "tree/",
    "close.py", "render_check.py", "measure.py", "status.py", "scaffold.py", "start.py", "demo.py",
    "model.py", "ids.py", "clock.py", "errors.py", "__init__.py",
)


def _names_any(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.module in ("typing", "typing_extensions") and any(alias.name == "Any" for alias in node.names)
    return (isinstance(node, ast.Attribute) and node.attr == "Any" and isinstance(node.value, ast.Name)
            and node.value.id in ("typing", "typing_extensions", "t"))


def uses_any(path: Path) -> list[int]:
    """Lines where `path` imports `Any` from typing (or typing_extensions) or names `typing.Any`."""
    return sorted(node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if _names_any(node) and isinstance(node, (ast.ImportFrom, ast.Attribute)))


def test_the_any_finder_sees_imports_and_attributes(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import typing\nfrom typing import TYPE_CHECKING, Any as A\nx: typing.Any\ny: object\n",
                     encoding="utf-8")
    assert uses_any(probe) == [2, 3]


def test_no_any_from_report_to_document() -> None:
    chain = [path for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).as_posix().startswith(TYPED_CHAIN)]
    assert len(chain) > 30  # the folders are still there
    offenders = [f"{path.relative_to(PACKAGE).as_posix()}:{line}" for path in chain for line in uses_any(path)]
    assert offenders == [], "typed facts only: use a dataclass, or object and isinstance where data is parsed"
