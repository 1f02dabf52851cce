"""Rendering documents: a sandboxed Jinja environment over plain data.

Templates are looked up in `.planning/templates/` first, then in the built-in ones. A template
sees only dicts, lists, strings and numbers: it cannot read files, the environment, or call git.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from planner.errors import InputError

PLAIN_TYPES = (str, int, float, bool, type(None))


def builtin_templates_dir() -> Path:
    """Where the shipped templates are: inside the installed package, or `templates/` in a checkout."""
    try:
        packaged = Path(str(resources.files("planner.templates")))
        if (packaged / "plan.md.j2").is_file():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "templates"


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
    from jinja2.runtime import BlockReference, Macro
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class DataOnlyEnvironment(ImmutableSandboxedEnvironment):
        """No method calls at all: a template formats data with filters, macros and blocks only."""

        def is_safe_callable(self, obj: Any) -> bool:
            return isinstance(obj, (Macro, BlockReference))

    loaders = []
    if planning_dir is not None and (planning_dir / "templates").is_dir():
        loaders.append(FileSystemLoader(str(planning_dir / "templates")))
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
        raise InputError(f"template not found: {error.name}", origin) from None
    except (UndefinedError, SecurityError, TemplateError, TypeError) as error:
        raise InputError(f"template error: {error}", origin, _failing_line(error, origin)) from None


def _failing_line(error: BaseException, origin: Path) -> int | None:
    """The template line a render-time error happened on, from the traceback Jinja rewrites."""
    traceback = error.__traceback__
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == str(origin):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
