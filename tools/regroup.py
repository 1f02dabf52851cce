#!/usr/bin/env python3
"""Regroup planner's flat package into subpackages that draw the data flow (issue 15).

Run from the root of a planner checkout (the folder holding pyproject.toml), on a clean tree:

    python3 tools/regroup.py            # show what would move, change nothing
    python3 tools/regroup.py --apply    # git mv, rewrite imports, pyproject, README Layout
    python3 tools/regroup.py --layout   # only regenerate README's Layout section

What it does with --apply:
  1. `git mv` every module in MOVES whose old file exists (a module already moved, or gone, is
     skipped, so the script can run again after a merge brings back a flat module);
  2. creates the new packages' `__init__.py` where no moved module becomes one;
  3. rewrites every `import planner...` / `from planner... import ...` in planner/, tests/ and
     bench/ (with `ast`, so multi-line imports are handled), keeping local names with `as`;
  4. rewrites dotted names (`"planner.index"`, `planner.snapshot.Snapshot`) and file paths
     (`planner/reader.py`) in those files and in README.md, docs/*.md and .ci/run;
  5. regenerates `[tool.setuptools] packages` in pyproject.toml and README's Layout block;
  6. sorts the touched import blocks with `ruff check --fix --select I` when ruff is found
     (.venv/bin/ruff, else on PATH).
Modules that are not in MOVES and not in STAY are left where they are and listed at the end:
add them to MOVES (or STAY) and run again. CHANGELOG.md and .planning/ are history: untouched.

Afterwards: `.venv/bin/pip install -q -e ".[test]"` (new package list), then ruff, mypy --strict
and the test suite, and commit with `git add -A`.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

# old dotted module -> new dotted module. A new name that is a package's own module ends in the
# package name (planner.verify stays planner.verify, as planner/verify/__init__.py).
MOVES: dict[str, str] = {
    # tree/: reading and writing the planning tree
    "planner.filenames": "planner.tree.filenames",
    "planner.frontmatter": "planner.tree.frontmatter",
    "planner.tolerant_yaml": "planner.tree.tolerant_yaml",
    "planner.schema": "planner.tree.schema",
    "planner.reader": "planner.tree.reader",
    "planner.markdown": "planner.tree.markdown",
    "planner.edit": "planner.tree.edit",
    "planner.regions": "planner.tree.regions",
    "planner.writer": "planner.tree.writer",
    "planner.documents": "planner.tree.documents",
    "planner.index": "planner.tree.index.session",
    "planner.index_store": "planner.tree.index.store",
    "planner.index_workers": "planner.tree.index.workers",
    # evidence/: what the world says
    "planner.gitlog": "planner.evidence.gitlog",
    "planner.commits": "planner.evidence.commits",
    "planner.clusters": "planner.evidence.clusters",
    "planner.coverage_config": "planner.evidence.coverage_config",
    "planner.reports": "planner.evidence.reports",  # the whole package
    "planner.snapshot": "planner.evidence.snapshot",  # becomes planner/evidence/snapshot/__init__.py
    "planner.snapshot_json": "planner.evidence.snapshot.json_form",
    "planner.snapshot_store": "planner.evidence.snapshot.store",
    "planner.snapshot_report": "planner.evidence.snapshot.headline",
    # targets/: the language (package module), judging, values read from a snapshot
    "planner.targets": "planner.targets",  # becomes planner/targets/__init__.py
    "planner.target_results": "planner.targets.judging",
    "planner.target_sources": "planner.targets.sources",
    "planner.metrics_lookup": "planner.targets.snapshot_values",
    # facts/: what a plan and a phase measured
    "planner.plan_facts": "planner.facts.plan",
    "planner.facts_metrics": "planner.facts.measured",
    "planner.progress": "planner.facts.progress",
    "planner.diagrams": "planner.facts.diagrams",
    # verify/: the use case (package module), must-haves, text scanning
    "planner.verify": "planner.verify",
    "planner.musthaves": "planner.verify.musthaves",
    "planner.musthave_results": "planner.verify.musthave_results",
    "planner.textscan": "planner.verify.textscan",
    # handoff/: the use case (package module), recommendations, projection, arithmetic
    "planner.handoff": "planner.handoff",
    "planner.recommend": "planner.handoff.recommend",
    "planner.target_path": "planner.handoff.projection",
    "planner.impact": "planner.handoff.arithmetic",
    # check/: the claims a SUMMARY makes are read for the checker only
    "planner.summary_claims": "planner.check.summary_claims",
    # thin use cases stay at the top; `plan render --check` gets its use-case name
    "planner.staleness": "planner.render_check",
    # storage/: the file primitives every read and write stands on
    "planner.safeio": "planner.storage.safeio",
    "planner.atomic": "planner.storage.atomic",
    "planner.transaction": "planner.storage.transaction",
    # more of tree/
    "planner.yaml_bounds": "planner.tree.yaml_bounds",
    "planner.config_file": "planner.tree.config_file",
    "planner.project_root": "planner.tree.project_root",
    "planner.workstreams": "planner.tree.workstreams",
    "planner.gsd_compat": "planner.tree.gsd_compat",
    "planner.plan_draft": "planner.tree.plan_draft",
    "planner.index_outputs": "planner.tree.index.outputs",
    "planner.index_scan": "planner.tree.index.scan",
    # more of evidence/, facts/, handoff/, check/
    "planner.commit_links": "planner.evidence.commit_links",
    "planner.git_worktree": "planner.evidence.git_worktree",
    "planner.task_detail": "planner.facts.task_detail",
    "planner.coverage_work": "planner.handoff.coverage_work",
    "planner.version_guards": "planner.handoff.version_guards",
    "planner.check_cache": "planner.check.cache",
    "planner.claim_text": "planner.check.claim_text",
    "planner.git_history": "planner.check.git_history",
    # cli/: the edges, for people and agents (its __init__ stays empty so the fast path is light)
    "planner.cli": "planner.cli.commands",
    "planner.cli_app": "planner.cli.app",
    "planner.console": "planner.cli.console",
    "planner.check_formats": "planner.cli.check_formats",
    "planner.terminal_progress": "planner.cli.progress_bar",
    "planner.command_trust": "planner.cli.command_trust",
    "planner.mcp_server": "planner.cli.mcp_server",
    "planner.result_json": "planner.cli.result_json",
}

# Modules that stay at the top on purpose (use cases, the CLI, cross-cutting small modules).
STAY = {
    "planner.__init__", "planner.__main__", "planner.errors",
    "planner.clock", "planner.model", "planner.ids", "planner.render", "planner.scaffold",
    "planner.start", "planner.measure", "planner.close", "planner.status", "planner.demo",
    "planner.render_check", "planner.check", "planner.templates",
}

PACKAGE_DOCS = {
    "planner.tree": "Reading and writing the planning tree: names, frontmatter, schema, reader, writes.",
    "planner.tree.index": "The planning index in .planning/.cache: session, stored file, workers.",
    "planner.evidence": "What the world says: git, commits, coverage and test reports, snapshots.",
    "planner.facts": "What a plan and a phase measured, progress and diagrams, computed once.",
    "planner.storage": "The file primitives: bounded safe reads, atomic replaces, journaled steps.",
    "planner.cli": "The edges: the `plan` Typer app, its output formats, and the MCP server.",
}

LAYOUT_NOTES = {
    "": "the package: use cases at the top (scaffold, start, measure, close, status, ...)",
    "cli/": "the edges: the thin Typer app, output formats, MCP server",
    "storage/": "safe bounded reads, atomic replaces, journaled steps",
    "tree/": "reading and writing the planning tree",
    "tree/index/": "the planning index (.planning/.cache)",
    "evidence/": "what the world says: git (gitlog.py only), reports, snapshots",
    "evidence/reports/": "coverage and JUnit readers; every percentage computed once",
    "evidence/snapshot/": "measurement snapshots: model, JSON form, store, headline",
    "targets/": "the target language, judging, values from a snapshot",
    "facts/": "what a plan and a phase measured, progress, diagrams",
    "verify/": "plan verify: gaps, must-haves",
    "handoff/": "plan handoff: recommendations, projection, arithmetic",
    "check/": "plan check: lint, claims, arithmetic, timing, progress documents",
}
LAYOUT_TAIL = """templates/        built-in Jinja templates (shipped in the wheel)
docs/             plan.schema.json, check-codes.md, security.md
tests/  bench/  .planning/ (this project's own plans, kept with plan)"""

REWRITE_DIRS = ("planner", "tests", "bench")
TEXT_FILES = ("README.md", ".ci/run")
TEXT_GLOBS = ("docs/*.md",)


# ------------------------------------------------------------------------------- the package


def module_file(root: Path, dotted: str) -> Path | None:
    """The file (or package folder) a dotted module name has under root, if any."""
    base = root.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base
    return None


def target_file(root: Path, old: str, new: str, source: Path) -> Path:
    base = root.joinpath(*new.split("."))
    if source.is_dir():
        return base
    # a module whose new name has submodules among the moves becomes that package's __init__
    is_package = any(other.startswith(new + ".") for other in MOVES.values()) or new == old
    if new == old or (is_package and not base.with_suffix(".py").exists()):
        return base / "__init__.py"
    return base.with_suffix(".py")


def known_modules(root: Path) -> set[str]:
    """Every dotted module and package under planner/ right now."""
    found = set()
    for path in (root / "planner").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if "__pycache__" in parts:
            continue
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def plan_moves(root: Path) -> tuple[dict[str, str], list[tuple[Path, Path]]]:
    """The moves that apply to this tree: {old: new} of every module moved, and (from, to)."""
    active: dict[str, str] = {}
    files: list[tuple[Path, Path]] = []
    for old, new in MOVES.items():
        source = module_file(root, old)
        if source is None:
            continue
        if source.is_file() and source.name == "__init__.py":
            continue  # already a package's module (moved before)
        destination = target_file(root, old, new, source)
        if source == destination:
            continue
        files.append((source, destination))
        active[old] = new
    return active, files


def unmapped(root: Path) -> list[str]:
    """Top-level planner modules (and packages) neither moved nor meant to stay."""
    tops = set()
    for path in (root / "planner").iterdir():
        if path.name.startswith((".", "_")) and path.name not in ("__init__.py", "__main__.py"):
            continue
        if path.suffix == ".py":
            tops.add(f"planner.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").is_file():
            tops.add(f"planner.{path.name}")
    new_tops = {".".join(new.split(".")[:2]) for new in MOVES.values()}
    return sorted(tops - set(MOVES) - STAY - new_tops)


# ------------------------------------------------------------------------------- rewriting


def remap(dotted: str, active: dict[str, str]) -> str:
    """`dotted` after the moves: the longest moved prefix replaced."""
    probe = dotted
    while probe:
        if probe in active:
            return active[probe] + dotted[len(probe):]
        probe = probe.rpartition(".")[0]
    return dotted


def _format_from(indent: str, module: str, names: list[str], width: int, comment: str) -> str:
    line = f"{indent}from {module} import {', '.join(names)}{comment}"
    if len(line) <= width:
        return line
    body = "".join(f"{indent}    {name},\n" for name in names)
    return f"{indent}from {module} import ({comment}\n{body}{indent})"


def rewrite_import(node: ast.Import | ast.ImportFrom, modules: set[str], active: dict[str, str],
                   indent: str, width: int, comment: str) -> str | None:
    """The statement(s) replacing one import node, or None when nothing changes."""
    if isinstance(node, ast.Import):
        parts = []
        changed = False
        for alias in node.names:
            new = remap(alias.name, active)
            changed |= new != alias.name
            parts.append(f"{new} as {alias.asname}" if alias.asname else new)
        return f"{indent}import {', '.join(parts)}{comment}" if changed else None
    if node.level or not node.module or not (node.module == "planner"
                                             or node.module.startswith("planner.")):
        return None
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in node.names:
        full = f"{node.module}.{alias.name}"
        local = alias.asname or alias.name
        if full in modules and remap(full, active) != full:
            new_parent, _, leaf = remap(full, active).rpartition(".")
            changed = True
            groups.setdefault(new_parent, []).append(leaf if leaf == local else f"{leaf} as {local}")
            continue
        parent = remap(node.module, active)
        changed |= parent != node.module
        groups.setdefault(parent, []).append(
            f"{alias.name} as {alias.asname}" if alias.asname else alias.name)
    if not changed:
        return None
    statements = [_format_from(indent, module, names, width, comment if i == 0 else "")
                  for i, (module, names) in enumerate(groups.items())]
    return "\n".join(statements)


def dotted_pattern(active: dict[str, str]) -> re.Pattern[str] | None:
    names = sorted((old.removeprefix("planner.") for old, new in active.items() if old != new),
                   key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w.])planner\.(" + "|".join(map(re.escape, names)) + r")(?![\w])")


def path_pattern(active: dict[str, str]) -> re.Pattern[str] | None:
    names = sorted((old.removeprefix("planner.").replace(".", "/") for old in active), key=len,
                   reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w/.])planner/(" + "|".join(map(re.escape, names)) + r")(\.py|/)")


def rewrite_text(text: str, active: dict[str, str], root: Path) -> str:
    dotted = dotted_pattern(active)
    paths = path_pattern(active)
    if dotted is not None:
        new_names = set(active.values()) - set(active)
        run = re.compile(r"planner(?:\.\w+)+")

        def as_dotted(match: re.Match[str]) -> str:
            # A name already rewritten to a new module (planner.cli.app, where planner.cli itself
            # moved) must not be moved a second time.
            whole = run.match(text, match.start())
            parts = whole.group(0).split(".") if whole else []
            for end in range(len(parts), 1, -1):
                prefix = ".".join(parts[:end])
                if len(prefix) > len(match.group(0)) and prefix in new_names:
                    return match.group(0)
            return active["planner." + match.group(1)]
        text = dotted.sub(as_dotted, text)
    if paths is not None:
        def as_path(match: re.Match[str]) -> str:
            old = "planner." + match.group(1).replace("/", ".")
            new = active[old].replace(".", "/")
            if match.group(2) == "/":
                return new + "/"
            is_package = any(other.startswith(active[old] + ".") for other in MOVES.values())
            return new + ("/__init__.py" if is_package else ".py")
        text = paths.sub(as_path, text)
    return text


def rewrite_python(path: Path, modules: set[str], active: dict[str, str], width: int,
                   problems: list[str]) -> bool:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        problems.append(f"{path}: not parsed ({error}); only text rewrites applied")
        tree = None
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree) if tree is not None else ():
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        head, tail = lines[first][:node.col_offset], lines[last][node.end_col_offset or 0:]
        comment = ""
        if tail.strip().startswith("#"):
            comment, tail = "  " + tail.strip(), "\n"
        inner = "".join(lines[first:last + 1])
        if head.strip() or tail.strip() or ("#" in inner and first != last):
            if rewrite_import(node, modules, active, "", width, "") is not None:
                problems.append(f"{path}:{node.lineno}: import shares its line or holds comments; "
                                "rewritten as text only, check it")
            continue
        new = rewrite_import(node, modules, active, head, width, comment)
        if new is not None:
            edits.append((first, last, new + "\n"))
    for first, last, new in sorted(edits, reverse=True):
        lines[first:last + 1] = [new]
    text = rewrite_text("".join(lines), active, path)
    if text != source:
        path.write_text(text, encoding="utf-8")
        return True
    return False


# ------------------------------------------------------------------------------- generated parts


def package_list(root: Path) -> list[str]:
    found = sorted(".".join(p.parent.relative_to(root).parts)
                   for p in (root / "planner").rglob("__init__.py") if "__pycache__" not in p.parts)
    return found + ["planner.templates"]


def rewrite_pyproject(root: Path) -> bool:
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    listed = ", ".join(f'"{name}"' for name in package_list(root))
    new = re.sub(r"(?m)^packages = \[[^\]]*\]", lambda _m: _wrap_packages(listed), text, count=1)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def _wrap_packages(listed: str) -> str:
    if len(listed) < 88:
        return f"packages = [{listed}]"
    items = listed.split(", ")
    return "packages = [\n" + "".join(f"    {item},\n" for item in items) + "]"


def layout_block(root: Path) -> str:
    """README's Layout block: every folder under planner/ with its modules, from the disk."""
    package = root / "planner"
    folders = sorted({p.parent for p in package.rglob("*.py") if "__pycache__" not in p.parts},
                     key=lambda p: p.relative_to(package).parts)
    rows = []
    for folder in folders:
        rel = folder.relative_to(package).as_posix()
        key = "" if rel == "." else rel + "/"
        names = sorted(p.name for p in folder.glob("*.py"))
        label = "planner/" if not key else "  " + key
        note = LAYOUT_NOTES.get(key, "")
        rows.append(f"{label:<20} {note}".rstrip())
        indent = "  " if not key else "    "
        current = indent
        for name in names:
            if len(current) + len(name) + 1 > 98 and current.strip():
                rows.append(current.rstrip())
                current = indent
            current += name + " "
        rows.append(current.rstrip())
    return "```text\n" + "\n".join(rows) + "\n" + LAYOUT_TAIL + "\n```"


def rewrite_layout(root: Path) -> bool:
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(?ms)^## Layout\n(?P<lead>(?:(?!```)[^\n]*\n)*?)```text\n.*?^```", text)
    if match is None:
        print("README.md has no `## Layout` section with a ```text block: not regenerated")
        return False
    new = text[:match.start()] + "## Layout\n" + match.group("lead") + layout_block(root) + text[match.end():]
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


# ------------------------------------------------------------------------------- main


def line_width(root: Path) -> int:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return int(config.get("tool", {}).get("ruff", {}).get("line-length", 100))


def run(command: list[str], root: Path) -> None:
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"regroup: {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def ensure_init(root: Path, dotted: str) -> None:
    folder = root.joinpath(*dotted.split("."))
    folder.mkdir(parents=True, exist_ok=True)
    init = folder / "__init__.py"
    if not init.exists():
        doc = PACKAGE_DOCS.get(dotted, f"The {folder.name} package of planner.")
        init.write_text(f'"""{doc}"""\n', encoding="utf-8")
        run(["git", "add", str(init.relative_to(root))], root)


def apply(root: Path, active: dict[str, str], files: list[tuple[Path, Path]],
          ruff_path: Path | None = None) -> list[str]:
    problems: list[str] = []
    modules = known_modules(root)
    for source, destination in files:
        destination.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "mv", str(source.relative_to(root)), str(destination.relative_to(root))], root)
    for _source, destination in files:
        parts = destination.parent.relative_to(root).parts
        for depth in range(2, len(parts) + 1):
            ensure_init(root, ".".join(parts[:depth]))
    width = line_width(root)
    touched = []
    for folder in REWRITE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts or ".venv" in path.parts:
                continue
            if rewrite_python(path, modules, active, width, problems):
                touched.append(path)
    text_files = [root / name for name in TEXT_FILES]
    text_files += [p for pattern in TEXT_GLOBS for p in sorted(root.glob(pattern))]
    for path in text_files:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            new = rewrite_text(text, active, path)
            if new != text:
                path.write_text(new, encoding="utf-8")
    rewrite_pyproject(root)
    rewrite_layout(root)
    ruff = ruff_path or root / ".venv" / "bin" / "ruff"
    ruff_command = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff_command and touched:
        subprocess.run([ruff_command, "check", "--fix", "--select", "I", "-q",
                        *[str(p.relative_to(root)) for p in touched]], cwd=root, check=False)
        # longer module paths can push a line past the limit: list them to wrap by hand
        long_lines = subprocess.run([ruff_command, "check", "--select", "E501", "-q",
                                     "--output-format", "concise", "planner", "tests"],
                                    cwd=root, capture_output=True, text=True, check=False)
        problems.extend(line for line in long_lines.stdout.splitlines() if "E501" in line)
    elif touched:
        problems.append("ruff not found: import blocks are not sorted (run ruff check --fix)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apply", action="store_true", help="move and rewrite (default: show)")
    parser.add_argument("--layout", action="store_true", help="only regenerate README's Layout")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the checkout (default: here)")
    parser.add_argument("--ruff", type=Path, help="ruff to sort imports with (default: ROOT/.venv/bin/ruff)")
    options = parser.parse_args()
    root = options.root.resolve()
    if not (root / "pyproject.toml").is_file() or not (root / "planner").is_dir():
        sys.exit(f"regroup: {root} is not a planner checkout (no pyproject.toml and planner/)")
    if options.layout:
        print("README Layout:", "regenerated" if rewrite_layout(root) else "unchanged")
        return
    active, files = plan_moves(root)
    for source, destination in files:
        print(f"move {source.relative_to(root)} -> {destination.relative_to(root)}")
    left = unmapped(root)
    if not options.apply:
        print(f"{len(files)} moves; --apply to make them")
    else:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout
        if dirty.strip():
            sys.exit("regroup: the work tree has uncommitted changes; commit or stash them first")
        for problem in apply(root, active, files, options.ruff):
            print("check by hand:", problem)
        print(f"{len(files)} moves made; imports rewritten in {', '.join(REWRITE_DIRS)}")
    if left:
        print("unmapped, left in place (add to MOVES or STAY and run again):", ", ".join(left))


if __name__ == "__main__":
    main()
