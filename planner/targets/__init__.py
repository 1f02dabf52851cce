"""The target expression language: its vocabulary, and parsing `coverage[tier1] >= 50` to a Target.

Grammar (one target per text; spaces and tabs may stand between tokens)::

    target   := metric [ '[' selector ']' ] op number [ '%' ]
    metric   := a name from METRICS, e.g. coverage, tests.pass_rate
    selector := any text up to the matching ']' (brackets nest, so a glob may hold `[ab]`);
                blanks around it are dropped. A file or folder path, a glob or a group name.
    op       := '>=' | '>' | '<=' | '<' | '==' | '!='
    number   := [ '+' | '-' ] ( digits [ '.' digits ] | '.' digits )

A selector is allowed only on metrics that take one (coverage, branch_coverage, missing); '%'
only on percentage metrics, whose thresholds must lie between 0 and 100.

Judging a target against measurements (the display rule, `evaluate`, `TargetResult`, formatting
values) lives in `planner.targets.judging`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from planner.errors import InputError

__all__ = [
    "METRICS", "OPERATORS", "Metric", "Status", "Target", "TokenKind", "Unit", "format_number",
    "metric_spec", "parse_target", "parse_targets", "selector_patterns",
]

Unit = Literal["percent", "count", "seconds"]
Status = Literal["PASS", "FAIL", "UNMEASURED"]

OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "==", "!=")
_PRECISION: Mapping[Unit, int] = {"percent": 2, "count": 0, "seconds": 3}


@dataclass(frozen=True)
class Metric:
    """One name of the target vocabulary: what it measures, its unit, whether it takes [selector]."""

    name: str
    description: str
    unit: Unit
    takes_selector: bool = False

    @property
    def precision(self) -> int:
        """Decimal places shown, and compared (see `planner.targets.judging`)."""
        return _PRECISION[self.unit]


METRICS: Mapping[str, Metric] = {
    m.name: m
    for m in (
        Metric("coverage", "coverage.py's percent: statements and branches together when branch "
               "data exist (its TOTAL and --fail-under)", "percent", True),
        Metric("line_coverage", "statement coverage alone, statement-weighted", "percent", True),
        Metric("branch_coverage", "branch coverage alone, branch-weighted", "percent", True),
        Metric("missing", "statements not run", "count", True),
        Metric("tests.total", "test cases run", "count"),
        Metric("tests.passed", "test cases passed", "count"),
        Metric("tests.failed", "test cases failed", "count"),
        Metric("tests.errors", "test cases in error", "count"),
        Metric("tests.skipped", "test cases skipped", "count"),
        Metric("tests.xfail", "test cases failing as expected", "count"),
        Metric("tests.pass_rate", "passed over run, in percent", "percent"),
        Metric("tests.duration", "test time in seconds", "seconds"),
        Metric("clusters", "failure clusters (failing tests grouped by cause)", "count"),
    )
}

# The count metrics, each the field of a report's TestTotals that holds it: read in one place by
# targets (`snapshot_values`) and the handoff's exact arithmetic alike.
TEST_COUNT_FIELDS: Mapping[str, str] = {
    "tests.total": "total", "tests.passed": "passed", "tests.failed": "failed",
    "tests.errors": "errors", "tests.skipped": "skipped", "tests.xfail": "xfail",
}


@dataclass(frozen=True)
class Target:
    """One parsed target. `str()` gives the canonical form; `text` (the source as written) is
    kept for messages and takes no part in equality."""

    metric: str
    selector: str | None
    op: str
    threshold: float
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _check_parts(self.metric, self.selector, self.op, self.threshold)
        object.__setattr__(self, "threshold", float(self.threshold) + 0.0)  # -0.0 becomes 0.0
        if not self.text:
            object.__setattr__(self, "text", str(self))

    def __str__(self) -> str:
        where = f"[{self.selector}]" if self.selector is not None else ""
        return f"{self.metric}{where} {self.op} {format_number(self.threshold)}"


# --- formatting -------------------------------------------------------------------------------


def format_number(number: float) -> str:
    """A threshold as written canonically: no exponent, no trailing zeros (`50`, `27.5`)."""
    shown = format(Decimal(repr(float(number) + 0.0)), "f")
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown


def selector_patterns(selector: str, groups: Mapping[str, Sequence[str]]) -> str | tuple[str, ...]:
    """What a selector selects, in the form `coverage_numbers()` takes: a group name gives
    its patterns, a glob (`*`, `?`, `[`) or a folder (ending in `/`) a 1-tuple of patterns, and
    anything else one file path. A group name wins over a file of the same name."""
    if selector in groups:
        return tuple(groups[selector])
    if selector.endswith("/"):
        return (selector + "*",)
    if any(char in selector for char in "*?["):
        return (selector,)
    return selector


def metric_spec(name: str) -> Metric:
    """The Metric called `name`; InputError naming the known ones when there is none."""
    spec = METRICS.get(name)
    if spec is None:
        raise InputError(_unknown_metric_message(name))
    return spec


def _unknown_metric_message(name: str) -> str:
    import difflib  # only an error pays for it

    known = sorted(METRICS)
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown metric {name!r}{hint}. Known metrics: {', '.join(known)}"


def _check_parts(metric: str, selector: str | None, op: str, threshold: float) -> None:
    """The rules a Target obeys however it was made (parsed or built in code)."""
    spec = metric_spec(metric)
    if op not in OPERATORS:
        raise InputError(f"unknown comparison operator {op!r}; use one of {', '.join(OPERATORS)}")
    if selector is not None:
        if not spec.takes_selector:
            raise InputError(_no_selector_message(metric))
        if not selector or selector != selector.strip(" \t") or not _balanced(selector):
            raise InputError(f"bad selector {selector!r}: it must be non-empty, without blanks "
                             "around it, its brackets balanced")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise InputError(f"threshold must be a number, found {threshold!r}")
    if not math.isfinite(threshold):
        raise InputError(f"threshold must be a finite number, found {threshold!r}")
    if spec.unit == "percent" and not 0.0 <= threshold <= 100.0:
        raise InputError(_percent_range_message(metric, threshold))


def _no_selector_message(metric: str) -> str:
    takers = ", ".join(name for name, spec in METRICS.items() if spec.takes_selector)
    return f"metric {metric!r} takes no [selector]; only {takers} do"


def _percent_range_message(metric: str, threshold: float) -> str:
    return f"{metric} is a percentage: the threshold must lie between 0 and 100, found " \
        f"{format_number(threshold)}"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "[") - (char == "]")
        if depth < 0:
            return False
    return depth == 0


# --- tokenizer ------------------------------------------------------------------------------

TokenKind = Literal["NAME", "SELECTOR", "OP", "NUMBER", "PERCENT", "OTHER", "END"]
_BLANKS = " \t"
_DIGITS = "0123456789"
_NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
_NAME_CHARS = _NAME_START + _DIGITS + "."
_OP_CHARS = "<>=!"


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str  # for SELECTOR: the text between the brackets
    start: int  # 0-based index in the expression


class _Source:
    """The expression and where it sits, so every error names file, line and 1-based column."""

    def __init__(self, text: str, path: Path | None, line: int | None, offset: int) -> None:
        self.text, self.path, self.line, self.offset = text, path, line, offset

    def error(self, message: str, index: int) -> InputError:
        return InputError(message, path=self.path, line=self.line, column=self.offset + index + 1)


def _tokenize(src: _Source) -> list[_Token]:
    """Split the expression into tokens; only an unclosed '[' fails here, the parser judges the
    rest (unknown characters become OTHER tokens so its messages can quote them)."""
    text, tokens, i = src.text, [], 0
    while True:
        while i < len(text) and text[i] in _BLANKS:
            i += 1
        if i == len(text):
            tokens.append(_Token("END", "", i))
            return tokens
        end, kind = _scan_one(src, i)
        body = text[i + 1 : end - 1].strip(_BLANKS) if kind == "SELECTOR" else text[i:end]
        tokens.append(_Token(kind, body, i))
        i = end


def _scan_one(src: _Source, i: int) -> tuple[int, TokenKind]:
    """The end index and kind of the token starting at i."""
    text, char = src.text, src.text[i]
    if char in _NAME_START:
        return _run(text, i, _NAME_CHARS), "NAME"
    if char == "[":
        return _matching_bracket(src, i) + 1, "SELECTOR"
    if char in _OP_CHARS:
        return _run(text, i, _OP_CHARS), "OP"
    if char == "%":
        return i + 1, "PERCENT"
    signed = char in "+-" and i + 1 < len(text) and text[i + 1] in _DIGITS + "."
    if char in _DIGITS or char == "." or signed:
        return _run(text, i + 1, _DIGITS + "."), "NUMBER"
    end = i + 1
    while end < len(text) and text[end] not in _BLANKS:
        end += 1
    return end, "OTHER"


def _run(text: str, i: int, chars: str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _matching_bracket(src: _Source, i: int) -> int:
    depth = 0
    for j in range(i, len(src.text)):
        depth += (src.text[j] == "[") - (src.text[j] == "]")
        if depth == 0:
            return j
    raise src.error("unclosed '[': end the selector with ']'", i)


# --- parser -----------------------------------------------------------------------------------


def parse_target(
    text: str, *, path: Path | None = None, line: int | None = None, column_offset: int = 0
) -> Target:
    """The Target that `text` spells, or InputError naming path, line and 1-based column.

    `column_offset` counts the characters before the expression in its source line (4 for
    `  - coverage >= 28`), so columns point into the file rather than into the expression.
    """
    if not isinstance(text, str):
        raise InputError(f"a target must be text like 'coverage >= 28', found {text!r}",
                         path=path, line=line)
    src = _Source(text, path, line, column_offset)
    tokens = _tokenize(src)
    if tokens[0].kind == "END":
        raise src.error("empty target: write one comparison such as 'coverage >= 28'", 0)
    metric = _parse_metric(src, tokens[0])
    pos, selector = 1, None
    if tokens[1].kind == "SELECTOR":
        selector = _parse_selector(src, metric, tokens[1])
        pos = 2
    subject = text[tokens[0].start : tokens[pos].start].rstrip(_BLANKS)
    op = _parse_operator(src, subject, tokens[pos])
    number = tokens[pos + 1]
    threshold = _parse_number(src, op, number)
    if metric.unit == "percent" and not 0.0 <= threshold <= 100.0:
        raise src.error(_percent_range_message(metric.name, threshold), number.start)
    pos += 2
    if tokens[pos].kind == "PERCENT":
        if metric.unit != "percent":
            raise src.error(f"'%' only follows a percentage; {metric.name} is a {metric.unit}",
                            tokens[pos].start)
        pos += 1
    if tokens[pos].kind != "END":
        raise src.error(f"unexpected {_quoted(tokens[pos])} after the target; write one "
                        "comparison such as 'coverage >= 28'", tokens[pos].start)
    return Target(metric.name, selector, op, threshold, text=text.strip(_BLANKS))


def _parse_metric(src: _Source, token: _Token) -> Metric:
    if token.kind != "NAME":
        raise src.error(f"expected a metric name such as 'coverage', found {_quoted(token)}",
                        token.start)
    spec = METRICS.get(token.text)
    if spec is None:
        raise src.error(_unknown_metric_message(token.text), token.start)
    return spec


def _parse_selector(src: _Source, metric: Metric, token: _Token) -> str:
    if not metric.takes_selector:
        raise src.error(_no_selector_message(metric.name), token.start)
    if not token.text:
        raise src.error(f"empty selector in {metric.name}[]: name a file, a glob or a group",
                        token.start)
    return token.text


def _parse_operator(src: _Source, subject: str, token: _Token) -> str:
    if token.kind == "OP" and token.text in OPERATORS:
        return token.text
    hint = ""
    if token.text in ("=", "=>", "=<"):
        hint = f"; did you mean '{'==' if token.text == '=' else token.text[::-1]}'?"
    raise src.error(f"expected a comparison operator ({' '.join(OPERATORS)}) after {subject!r}, "
                    f"found {_quoted(token)}{hint}", token.start)


def _parse_number(src: _Source, op: str, token: _Token) -> float:
    if token.kind != "NUMBER":
        raise src.error(f"expected a number after {op!r}, found {_quoted(token)}", token.start)
    unsigned = token.text.lstrip("+-")
    whole, dot, fraction = unsigned.partition(".")
    if "." in fraction or not (whole or fraction) or (dot and not fraction):
        raise src.error(f"malformed number {token.text!r}: write it like 28 or 27.5",
                        token.start)
    number = float(token.text)
    if not math.isfinite(number):
        raise src.error(f"number {token.text[:20]!r}... is too large", token.start)
    return number + 0.0


def _quoted(token: _Token) -> str:
    if token.kind == "END":
        return "the end of the text"
    if token.kind == "SELECTOR":
        return repr("[" + token.text + "]")
    return repr(token.text)


def parse_targets(
    items: Sequence[object],
    *,
    path: Path | None = None,
    line_of: Callable[[int], int | None] | None = None,
    source_lines: Sequence[str] | None = None,
) -> list[Target]:
    """The Targets of a frontmatter list; `line_of(i)` gives item i's 1-based file line.

    A non-text item is an InputError with file and line. Columns of syntax errors point into
    the file when `source_lines` (the file's lines) lets us find the item on its line; when it
    cannot, the error carries no column and says where in the expression the fault is.
    """
    if not isinstance(items, (list, tuple)):
        raise InputError(f"targets must be a list of expressions, found {type(items).__name__}",
                         path=path, line=line_of(0) if line_of else None)
    targets = []
    for index, item in enumerate(items):
        line = line_of(index) if line_of is not None else None
        if not isinstance(item, str):
            raise InputError(f"target {index + 1} must be text like 'coverage >= 28', found "
                             f"{type(item).__name__} {item!r}", path=path, line=line)
        offset = _offset_in_line(item, line, source_lines)
        try:
            targets.append(parse_target(item, path=path, line=line, column_offset=offset or 0))
        except InputError as error:
            if offset is not None or line is None or error.column is None:
                raise
            raise InputError(f"{error.message} (at character {error.column} of {item!r})",
                             path=path, line=line) from None
    return targets


def _offset_in_line(item: str, line: int | None, lines: Sequence[str] | None) -> int | None:
    if line is None:
        return 0
    if lines is None or not 1 <= line <= len(lines):
        return None
    found = lines[line - 1].find(item)
    return found if found >= 0 else None
