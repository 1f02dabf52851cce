"""Read files under a repository root and match text in them: plain text, GSD (JavaScript-flavoured)
regular expressions line by line with a guard against catastrophic backtracking, and definitions of
exported names (Python with `ast`, other languages with stated regular expressions).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

MAX_READ_BYTES = 10 * 1024 * 1024  # files are read up to here; the evidence says when a file was cut
MAX_LINE_CHARS = 4000  # a regular expression sees at most this much of one line
PATTERN_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class FileText:
    text: str
    note: str = ""  # says when the file was cut at MAX_READ_BYTES

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def non_blank_lines(self) -> int:
        return sum(1 for line in self.lines if line.strip())

    def find_text(self, wanted: str) -> int | None:
        """1-based line where `wanted` starts (plain text, case-sensitive), or None."""
        index = self.text.find(wanted) if wanted else -1
        return None if index < 0 else self.text.count("\n", 0, index) + 1


class Tree:
    """The files under a repository root: paths are resolved inside it and read once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.name = root.name or str(root)
        self._read: dict[Path, FileText] = {}

    def locate(self, relative: str) -> Path | str:
        """The path under the root, or why it is refused (empty, leaves the root)."""
        relative = relative.strip()
        if not relative or "\0" in relative:
            return "empty or unreadable path"
        try:
            candidate = (self.root / relative).resolve()
        except (OSError, RuntimeError, ValueError) as error:
            return f"path cannot be resolved ({error})"
        if candidate != self.root and not candidate.is_relative_to(self.root):
            return f"path leaves the repository root {self.name}; refused"
        return candidate

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def read(self, path: Path) -> FileText:
        if path not in self._read:
            self._read[path] = self._load(path)
        return self._read[path]

    def _load(self, path: Path) -> FileText:
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_READ_BYTES + 1)
        except OSError as error:
            return FileText("", f"could not read {self.relative(path)} ({error.strerror or error})")
        note = ""
        if len(data) > MAX_READ_BYTES:
            data, note = data[:MAX_READ_BYTES], f"only the first {MAX_READ_BYTES // 2**20} MB were read"
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        return FileText(text, note)


_JS_DELIMITED = re.compile(r"^/(?P<body>.+)/(?P<flags>[gimsuyd]*)$", re.DOTALL)
_JS_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def compile_pattern(pattern: str) -> re.Pattern[str] | str:
    """A Python regular expression for a GSD (JavaScript-flavoured) pattern, or the compile error."""
    flags = 0
    delimited = _JS_DELIMITED.match(pattern)
    if delimited and (delimited["flags"] or "\\/" in delimited["body"]):  # `/api\/x/i`, not `/api/`
        pattern = delimited["body"]
        for letter in delimited["flags"]:
            flags |= _JS_FLAGS.get(letter, 0)
    pattern = re.sub(r"\(\?<(?![=!])", "(?P<", pattern)
    pattern = re.sub(r"\\k<(\w+)>", r"(?P=\1)", pattern)
    pattern = pattern.replace("[^]", r"[\s\S]")
    pattern = re.sub(r"\\u\{([0-9a-fA-F]{1,6})\}", lambda m: f"\\U{int(m[1], 16):08x}", pattern)
    try:
        return re.compile(pattern, flags)
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        return str(error)


def _is_risky(pattern: str) -> bool:
    """True for nested unbounded repeats like `(a+)+` or many `.*`: they can backtrack for ages."""
    depth_has_repeat: list[bool] = [False]
    index, repeats, risky = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            close = re.search(r"(?<!\\)]", pattern[index + 2:])
            index = index + 3 + close.start() if close else len(pattern)
            continue
        unbounded = char in "*+" or (char == "{" and re.match(r"\{\d*,\}", pattern[index:]) is not None)
        if char == "(":
            depth_has_repeat.append(False)
        elif char == ")" and len(depth_has_repeat) > 1:
            inner = depth_has_repeat.pop()
            following = pattern[index + 1:index + 2]
            unbounded_after = following in ("*", "+") or re.match(r"\{\d*,\}", pattern[index + 1:]) is not None
            risky = risky or (inner and unbounded_after)
            depth_has_repeat[-1] = depth_has_repeat[-1] or inner
        elif unbounded:
            repeats += 1
            depth_has_repeat[-1] = True
        index += 1
    return risky or repeats >= 4


def search_lines(compiled: re.Pattern[str], content: FileText) -> int | None | str:
    """1-based line of the first match (one line at a time, like grep), None, or why it failed."""
    if _is_risky(compiled.pattern):
        return _search_in_child(compiled, content)
    for number, line in enumerate(content.lines, start=1):
        if compiled.search(line[:MAX_LINE_CHARS]):
            return number
    return None


_CHILD_SEARCH = """
import re, sys
pattern, flags, limit = sys.stdin.readline().rstrip("\\n"), int(sys.argv[1]), int(sys.argv[2])
compiled = re.compile(bytes.fromhex(pattern).decode(), flags)
for number, line in enumerate(sys.stdin.read().split("\\n"), start=1):
    if compiled.search(line[:limit]):
        print(number)
        break
"""


def _search_in_child(compiled: re.Pattern[str], content: FileText) -> int | None | str:
    """Run a risky search in a child process that is killed after PATTERN_TIMEOUT_SECONDS."""
    import subprocess
    import sys

    stdin = compiled.pattern.encode().hex() + "\n" + content.text
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD_SEARCH, str(compiled.flags), str(MAX_LINE_CHARS)],
                              input=stdin, capture_output=True, text=True, timeout=PATTERN_TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"pattern still searching after {PATTERN_TIMEOUT_SECONDS:g} s (catastrophic backtracking?)"
    except OSError as error:
        return f"could not run the pattern search ({error})"
    output = done.stdout.strip()
    if done.returncode != 0:
        return f"the pattern search failed ({done.stderr.strip().splitlines()[-1:] or done.returncode})"
    return int(output) if output.isdigit() else None


_PYTHON_SUFFIXES = frozenset({".py", ".pyi"})
_JS_SUFFIXES = frozenset({".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte"})
_EXPORT_FORMS = {
    "JavaScript/TypeScript export forms": (
        (r"^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?"
         r"(?:function\s*\*?|class|const|let|var|type|interface|enum|namespace|module)\s+{name}\b"),
        r"^\s*export\s+default\s+{name}\b",
        r"^\s*(?:module\.)?exports\.{name}\s*=",
        r"^\s*module\.exports\s*=\s*(?:\{{[^}}]*\b)?{name}\b",
    ),
    "Rust `pub` item forms": (
        (r"^\s*pub(?:\([^)]*\))?\s+(?:(?:async|unsafe|const|extern\s+\"[^\"]*\")\s+)*"
         r"(?:fn|struct|enum|trait|type|const|static|mod|union)\s+{name}\b"),
        r"^\s*macro_rules!\s*{name}\b",
    ),
    "Go top-level declaration forms": (
        r"^func\s+(?:\([^)]*\)\s*)?{name}\b", r"^(?:type|var|const)\s+{name}\b", r"^\s+{name}\s+(?:=|\S+\s*=)",
    ),
    "generic definition forms": (
        (r"\b(?:def|fn|func|function|class|struct|enum|interface|trait|type|const|let|var|val|object|module)"
         r"\s+{name}\b"),
        r"^\s*[\"']?{name}[\"']?\s*[:=]",
    ),
}
_JS_EXPORT_LIST = re.compile(r"^\s*export\s+(?:type\s+)?\{(?P<names>[^}]*)\}", re.MULTILINE)
_LANGUAGE_OF_SUFFIX = {".rs": "Rust `pub` item forms", ".go": "Go top-level declaration forms"}


def find_export(content: FileText, suffix: str, name: str) -> tuple[int | None, str]:
    """(1-based line where `name` is defined, how it was looked for)."""
    suffix = suffix.lower()
    how = ""
    if suffix in _PYTHON_SUFFIXES:
        found = _python_definition(content.text, name)
        if found != -1:
            return found, "Python ast: top-level def, class, assignment or import"
        how = ", the file not being valid Python"
    form = ("JavaScript/TypeScript export forms" if suffix in _JS_SUFFIXES
            else _LANGUAGE_OF_SUFFIX.get(suffix, "generic definition forms"))
    how = f"regular expression for {form}{how}"
    if form.startswith("JavaScript"):
        for listed in _JS_EXPORT_LIST.finditer(content.text):
            if name in {spec.split(" as ")[-1].strip() for spec in listed["names"].split(",")}:
                return content.text.count("\n", 0, listed.start()) + 1, how
    for template in _EXPORT_FORMS[form]:
        match = re.search(template.format(name=re.escape(name)), content.text, re.MULTILINE)
        if match:
            return content.text.count("\n", 0, match.start()) + 1, how
    return None, how


def _python_definition(text: str, name: str) -> int | None:
    """Line of a module-level definition of `name`; None when absent; -1 when the text isn't Python."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return -1
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ast.If, ast.Try, ast.With)):  # still module level: `if TYPE_CHECKING:` etc.
            pending.extend([*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                            *(stmt for handler in getattr(node, "handlers", []) for stmt in handler.body)])
        elif name in _names_bound(node):
            return node.lineno
    return None


def _names_bound(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names: set[str] = set()
    for target in targets:
        names.update(sub.id for sub in ast.walk(target) if isinstance(sub, ast.Name))
    return names
