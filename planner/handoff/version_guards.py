"""Lines that can never run under the interpreter in use: the branch a version guard
(`if sys.version_info >= (3, 11):`) does not take, and `if TYPE_CHECKING:` bodies.

Coverage work must not ask anyone to cover them. Only guards planner can decide are read: a
comparison of `sys.version_info` (or a slice or index of it) with a tuple or number of integer
literals, and `TYPE_CHECKING` / `typing.TYPE_CHECKING`; anything else is left alone.
"""

from __future__ import annotations

import ast
import operator
import sys
from collections.abc import Callable, Sequence

VersionPart = int | str  # sys.version_info: (3, 12, 1, "final", 0)
Compared = VersionPart | tuple[VersionPart, ...]  # a part, or a slice, of the version; a literal
_OPERATORS: dict[type[ast.cmpop], Callable[[Compared, Compared], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}


def interpreter() -> str:
    """The interpreter in use, as the notes name it."""
    return f"Python {sys.version_info.major}.{sys.version_info.minor}"


def _is_version_info(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "version_info"
            and isinstance(node.value, ast.Name) and node.value.id == "sys")


def _literal(node: ast.expr) -> int | tuple[int, ...] | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, tuple) and all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return value
    return None


def _version_of(node: ast.expr, version: Sequence[VersionPart]) -> Compared | None:
    """The value `node` has when it is `sys.version_info`, a slice or an index of it; else None."""
    if _is_version_info(node):
        return tuple(version)
    if isinstance(node, ast.Subscript) and _is_version_info(node.value):
        index = node.slice
        if isinstance(index, ast.Slice):
            lower, upper = (_literal(part) if part is not None else None for part in (index.lower, index.upper))
            if isinstance(lower, tuple) or isinstance(upper, tuple) or index.step is not None:
                return None
            return tuple(version)[lower:upper]
        position = _literal(index)
        if isinstance(position, int) and -len(version) <= position < len(version):
            return tuple(version)[position]
    return None


def guard_value(test: ast.expr, version: Sequence[VersionPart]) -> bool | None:
    """What a guard evaluates to under `version`, or None when planner cannot decide it."""
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return False
    if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = guard_value(test.operand, version)
        return None if inner is None else not inner
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or type(test.ops[0]) not in _OPERATORS:
        return None
    left, right = _version_of(test.left, version), _literal(test.comparators[0])
    if left is None or right is None or type(left) is not type(right):
        return None
    return bool(_OPERATORS[type(test.ops[0])](left, right))


def _lines(statements: list[ast.stmt]) -> set[int]:
    found: set[int] = set()
    for statement in statements:
        found.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return found


def unreachable_lines(source: str, version: Sequence[VersionPart] | None = None) -> set[int]:
    """Lines of `source` in the branch of a decidable guard that is never taken under `version`
    (the interpreter in use by default). Source that does not parse gives none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    now = tuple(sys.version_info) if version is None else tuple(version)
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            value = guard_value(node.test, now)
            if value is True:
                found |= _lines(node.orelse)
            elif value is False:
                found |= _lines(node.body)
    return found
