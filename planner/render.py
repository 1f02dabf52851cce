"""Rendering documents: a sandboxed Jinja environment over plain data.

Templates are looked up in `.planning/templates/` first, then in the built-in ones. A template
sees only dicts, lists, strings and numbers: it cannot read files, the environment, or call git.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeAlias

from planner.clock import alarm
from planner.errors import InputError

MAX_TEMPLATE_SEQUENCE = 1_000_000
MAX_RENDER_CHARS = 8 * 1024 * 1024  # what a planning document may be (frontmatter.MAX_DOCUMENT_BYTES)
MAX_TEMPLATE_BYTES = 1024 * 1024
RENDER_SECONDS = 10.0  # a real document renders in milliseconds
PLAIN_TYPES = (str, int, float, bool, type(None))
PLAIN_KEY = "plain_key"  # dataclass field metadata: the key `plain` gives the field, when not its name
PlainData: TypeAlias = "str | int | float | bool | None | list[PlainData] | dict[str, PlainData]"
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*?(?:\*|\d{7,})|\{[^{}]*(?:\d{7,}|\{)")  # %0999999999d, %*d, {:>9999999}


def builtin_templates_dir() -> Path:
    """Where the shipped templates are: `planner/templates/` in an installed wheel, or the
    top-level `templates/` of a source checkout (editable installs)."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    if (installed / "plan.md.j2").is_file():
        return installed
    return here.parent / "templates"


def plain(value: object) -> PlainData:
    """A deep copy made only of dicts, lists and scalars; anything else is refused.

    This is the one place typed facts become plain data, for templates and `--json`: a frozen
    dataclass becomes a dict of its fields in declaration order (a field's `PLAIN_KEY` metadata
    names its key when the key is no Python name, such as `#` or `from`), a tuple a list."""
    if isinstance(value, PLAIN_TYPES):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {key: plain(getattr(value, name)) for name, key in _plain_fields(type(value))}
    raise TypeError(f"template context may hold only plain data, not {type(value).__name__}")


def plain_record(value: object) -> dict[str, PlainData]:
    """`plain(value)` of a dataclass or mapping: a dict, for a template context or a JSON document."""
    flat = plain(value)
    if not isinstance(flat, dict):
        raise TypeError(f"expected a record (a dataclass or a mapping), not {type(value).__name__}")
    return flat


@functools.cache
def _plain_fields(kind: type) -> tuple[tuple[str, str], ...]:
    """(attribute, key) of each field of a dataclass, in declaration order."""
    return tuple((item.name, str(item.metadata.get(PLAIN_KEY, item.name))) for item in fields(kind))


def _environment(planning_dir: Path | None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import BlockReference, Macro
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class DataOnlyEnvironment(ImmutableSandboxedEnvironment):
        """No method calls at all: a template formats data with filters, macros and blocks only."""

        intercepted_binops = frozenset({"*", "**", "%"})

        def is_safe_callable(self, obj: Any) -> bool:
            return isinstance(obj, (Macro, BlockReference))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            # `'x' * 10**9` or `9 ** 99999999` would exhaust memory or time: refuse big results.
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError(f"exponent {right} is too large for a template")
            if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
                raise SecurityError("template string format with a huge or '*' width is refused")
            if operator == "*":
                sizes = [len(x) for x in (left, right) if isinstance(x, (str, list, tuple))]
                counts = [x for x in (left, right) if isinstance(x, int)]
                if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_TEMPLATE_SEQUENCE:
                    raise SecurityError("template repetition is too large")
            return super().call_binop(context, operator, left, right)

    class ContainedLoader(FileSystemLoader):
        """A FileSystemLoader that reads each template once through `safeio` and refuses one that
        is not a regular file of its own inside its folder (a symbolic link out, a hard link, a FIFO)."""

        def get_source(self, environment: Any, template: str) -> Any:
            from jinja2.exceptions import TemplateNotFound
            from jinja2.loaders import split_template_path

            from planner.storage.safeio import is_regular, read_bounded

            pieces = split_template_path(template)
            for root in self.searchpath:
                filename = os.path.join(root, *pieces)
                if not os.path.lexists(filename):
                    continue
                real = os.path.realpath(filename)
                if not real.startswith(os.path.realpath(root) + os.sep):
                    raise SecurityError(f"template {template} leads outside its folder (a symbolic link?)")
                if is_regular(Path(filename)) and os.stat(filename).st_nlink > 1:
                    raise SecurityError(f"template {template} is a hard link: it may be a file from outside "
                                        "the project")
                source = read_bounded(Path(filename), MAX_TEMPLATE_BYTES, what="template")
                try:
                    text = source.decode("utf-8")
                except UnicodeDecodeError:
                    raise SecurityError(f"template {template} is not valid UTF-8") from None
                return text, os.path.normpath(filename), lambda: False
            raise TemplateNotFound(template)

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
    environment.filters = {name: _bounded_filter(name, function) for name, function in environment.filters.items()}
    return environment


_ENVIRONMENTS: dict[tuple[str, bool], Any] = {}


def _cached_environment(planning_dir: Path | None) -> Any:
    """This process's environment for `planning_dir` (and whether it has templates of its own),
    so that a template is compiled once per command, not once per document it renders (Jinja
    checks a cached template's file before each use)."""
    project_templates = planning_dir / "templates" if planning_dir is not None else None
    key = (str(planning_dir), project_templates is not None and project_templates.is_dir())
    if project_templates is not None and project_templates.is_symlink():
        return _environment(planning_dir)  # refused there, every time
    environment = _ENVIRONMENTS.get(key)
    if environment is None:
        environment = _ENVIRONMENTS[key] = _environment(planning_dir)
    return environment


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, refusing arguments that would make a huge result and results past the budget.

    Checked before the call where one call could build the string (`center(999999999)`, an
    `indent` of many lines, a `replace` or `join` that multiplies); after it for everything, so
    a chain of filters stops at the first result past MAX_RENDER_CHARS."""
    from jinja2.exceptions import SecurityError

    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = [*args, *kwargs.values()]
        if any(isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_SEQUENCE
               for value in values):
            raise SecurityError(f"filter '{name}' was given a number over {MAX_TEMPLATE_SEQUENCE:,}")
        if _estimate(name, args, kwargs) > MAX_RENDER_CHARS:
            raise SecurityError(f"filter '{name}' would build more than {MAX_RENDER_CHARS:,} characters")
        result = function(*args, **kwargs)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_RENDER_CHARS:
            raise SecurityError(f"filter '{name}' built more than {MAX_RENDER_CHARS:,} characters")
        return result

    for attribute in ("jinja_pass_arg",):  # pass_context / pass_environment markers
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


def _estimate(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """An upper bound of the characters filter `name` builds from these arguments (0: no concern)."""
    offset = 1 if args and not isinstance(args[0], (str, list, tuple, dict, int, float)) else 0  # a context first
    values = list(args[offset:])
    subject = values[0] if values else ""
    size = len(subject) if isinstance(subject, (str, list, tuple)) else len(str(subject))
    strings = [len(value) for value in [*values[1:], *kwargs.values()] if isinstance(value, str)]
    numbers = [value for value in [*values[1:], *kwargs.values()] if isinstance(value, int)]
    if name == "indent":
        lines = str(subject).count("\n") + 1
        return size + lines * (max(numbers, default=4) + max(strings, default=0))
    if name in ("replace", "join", "wordwrap"):
        return size * (1 + max(strings, default=1)) + (sum(len(str(item)) for item in subject) if name == "join"
                                                        and isinstance(subject, (list, tuple)) else 0)
    if name in ("center", "truncate", "format"):
        if name == "format" and isinstance(subject, str) and _WIDE_FORMAT.search(subject):
            return MAX_RENDER_CHARS + 1
        return size + max(numbers, default=0)
    return 0



def template_origin(name: str, planning_dir: Path | None) -> Path:
    """The file a template name resolves to (project template first)."""
    if planning_dir is not None and (planning_dir / "templates" / name).is_file():
        return planning_dir / "templates" / name
    return builtin_templates_dir() / name


def render(name: str, context: object, *, planning_dir: Path | None = None) -> str:
    """Render template `name` with `context`, a dataclass or a mapping, made plain first (`plain`).
    Errors name the template and line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    environment = _cached_environment(planning_dir)
    origin = template_origin(name, planning_dir)
    try:
        template = environment.get_template(name)
        with _time_budget(RENDER_SECONDS):
            return _bounded_output(template.generate(plain_record(context)))
    except TemplateSyntaxError as error:
        raise InputError(f"template error: {error.message}", origin, error.lineno) from None
    except TemplateNotFound as error:
        raise InputError(f"template not found: {error.name}", origin, _failing_line(error, origin)) from None
    except _OverBudget as error:
        raise InputError(f"template error: {error}", origin, _failing_line(error, origin)) from None
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


class _OverBudget(Exception):
    """A render that went past its output size or time budget."""


def _bounded_output(chunks: Iterator[str]) -> str:
    """The rendered text, or _OverBudget once it passes MAX_RENDER_CHARS (a loop printing forever)."""
    parts, total = [], 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_RENDER_CHARS:
            raise _OverBudget(f"the document would be over {MAX_RENDER_CHARS:,} characters; refused")
        parts.append(chunk)
    return "".join(parts)


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """_OverBudget raised inside the block after `seconds` (loops that print nothing, on and on).

    A real-time alarm, so only in the main thread (where the CLI renders); elsewhere no budget."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire() -> None:
        raise _OverBudget(f"rendering took over {seconds:g} seconds; refused")

    with alarm(seconds, expire):
        yield
