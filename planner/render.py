"""Rendering documents: a sandboxed Jinja environment over plain data.

Templates are looked up in `.planning/templates/` first, then in the built-in ones. A template
sees only dicts, lists, strings and numbers: it cannot read files, the environment, or call git.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.errors import InputError

MAX_TEMPLATE_SEQUENCE = 1_000_000
PLAIN_TYPES = (str, int, float, bool, type(None))


def builtin_templates_dir() -> Path:
    """Where the shipped templates are: `planner/templates/` in an installed wheel, or the
    top-level `templates/` of a source checkout (editable installs)."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    if (installed / "plan.md.j2").is_file():
        return installed
    return here.parent / "templates"


def plain(value: Any) -> Any:
    """A deep copy made only of dicts, lists and scalars; anything else is refused."""
    if isinstance(value, PLAIN_TYPES):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"template context may hold only plain data, not {type(value).__name__}")


def _environment(planning_dir: Path | None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import BlockReference, Macro
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class DataOnlyEnvironment(ImmutableSandboxedEnvironment):
        """No method calls at all: a template formats data with filters, macros and blocks only."""

        intercepted_binops = frozenset({"*", "**"})

        def is_safe_callable(self, obj: Any) -> bool:
            return isinstance(obj, (Macro, BlockReference))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            # `'x' * 10**9` or `9 ** 99999999` would exhaust memory or time: refuse big results.
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError(f"exponent {right} is too large for a template")
            if operator == "*":
                sizes = [len(x) for x in (left, right) if isinstance(x, (str, list, tuple))]
                counts = [x for x in (left, right) if isinstance(x, int)]
                if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_TEMPLATE_SEQUENCE:
                    raise SecurityError("template repetition is too large")
            return super().call_binop(context, operator, left, right)

    class ContainedLoader(FileSystemLoader):
        """A FileSystemLoader that will not follow a symbolic link out of its folder."""

        def get_source(self, environment: Any, template: str) -> Any:
            source, filename, uptodate = super().get_source(environment, template)
            real = os.path.realpath(filename)
            if not any(real.startswith(os.path.realpath(root) + os.sep) for root in self.searchpath):
                raise SecurityError(f"template {template} leads outside its folder (a symbolic link?)")
            return source, filename, uptodate

    loaders: list[Any] = []
    project_templates = planning_dir / "templates" if planning_dir is not None else None
    if project_templates is not None and project_templates.is_dir():
        if project_templates.is_symlink():
            raise InputError("refusing to use .planning/templates: it is a symbolic link", project_templates)
        loaders.append(ContainedLoader(str(project_templates)))
    loaders.append(FileSystemLoader(str(builtin_templates_dir())))
    environment = DataOnlyEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.clear()  # no range(), lipsum(), dict(), cycler(): data and filters only
    return environment


def template_origin(name: str, planning_dir: Path | None) -> Path:
    """The file a template name resolves to (project template first)."""
    if planning_dir is not None and (planning_dir / "templates" / name).is_file():
        return planning_dir / "templates" / name
    return builtin_templates_dir() / name


def render(name: str, context: Mapping[str, Any], *, planning_dir: Path | None = None) -> str:
    """Render template `name` with `context` (made plain first). Errors name the template and line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    environment = _environment(planning_dir)
    origin = template_origin(name, planning_dir)
    try:
        template = environment.get_template(name)
        return str(template.render(plain(context)))
    except TemplateSyntaxError as error:
        raise InputError(f"template error: {error.message}", origin, error.lineno) from None
    except TemplateNotFound as error:
        raise InputError(f"template not found: {error.name}", origin, _failing_line(error, origin)) from None
    except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError, OverflowError) as error:
        raise InputError(f"template error: {error}", origin, _failing_line(error, origin)) from None
    except (MemoryError, RecursionError) as error:
        exhausted = "memory" if isinstance(error, MemoryError) else "stack"
        raise InputError(f"template error: rendering ran out of {exhausted}",
                         origin, _failing_line(error, origin)) from None


def _failing_line(error: BaseException, origin: Path) -> int | None:
    """The template line a render-time error happened on, from the traceback Jinja rewrites."""
    traceback = error.__traceback__
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == str(origin):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
