"""Check a plan's must-haves against a repository tree: artifacts, key links, grep-able truths.

What a machine can check is checked, with the file and line as evidence; everything else is
reported as NEEDS A PERSON, never as verified. Key-link patterns are matched one line at a time,
as `grep -E` does in the GSD verifier. The score counts every must-have (truths, artifacts, key
links); NEEDS A PERSON counts in the total, not among the verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from planner.errors import InputError
from planner.model import Plan
from planner.tree.frontmatter import Diagnostic, Document, read_document
from planner.verify import textscan
from planner.verify.musthave_results import (
    BAD_PATTERN,
    EXISTS,
    FAILED,
    MISSING,
    NEEDS_PERSON,
    NOT_WIRED,
    STUB,
    VERIFIED,
    WIRED,
    ArtifactResult,
    KeyLinkResult,
    MustHaveReport,
    TruthResult,
)

_LIST_KEYS = {"truths": "truths", "artifacts": "artifacts", "key_links": "key_links",
              "key-links": "key_links", "keylinks": "key_links", "links": "key_links"}
_STRING_ARTIFACT = re.compile(r"^`?(?P<path>[^\s`]+)`?(?:\s+\((?P<lines>\d+)\+?\s*lines?\))?\s*(?P<rest>.*)$")
_TRUTH = re.compile(
    r"""^\s*(?:`(?P<qfile>[^`]+)`|(?P<file>[^\s'"`]+))\s+(?P<neg>does\s+not\s+contain|contains)\s+"""
    r"""(?:'(?P<t1>[^']+)'|"(?P<t2>[^"]+)"|`(?P<t3>[^`]+)`)\s*\.?\s*$"""
)
_CHECKED_ARTIFACT_KEYS = frozenset({"path", "file", "provides", "min_lines", "contains", "exports", "contains_not"})


class _Locator:
    """Finds the frontmatter line of a must-have item by searching the text after `must_haves:`."""

    def __init__(self, document: Document | None) -> None:
        self.path = document.path if document else None
        self.lines = document.frontmatter_text.split("\n") if document else []
        self.start = (document.line_of("must_haves") or 2) if document else None

    def find(self, *needles: str) -> int | None:
        if self.start is None:
            return None
        for needle in needles:
            needle = needle.strip()[:60]
            for variant in (needle, needle.replace("\\", "\\\\"), needle.replace("'", "''")):
                for offset in range(self.start - 2, len(self.lines)):
                    if variant and variant in self.lines[offset]:
                        return offset + 2
        return self.start


@dataclass
class _Context:
    plan_id: str
    tree: textscan.Tree
    locate: _Locator
    findings: list[Diagnostic]
    known_paths: tuple[str, ...] = ()

    def finding(self, line: int | None, code: str, message: str) -> None:
        self.findings.append(Diagnostic(self.locate.path or Path(self.plan_id), line, code, message))


def check_must_haves(plan: Plan, repo_root: Path, plan_document: Document | None = None) -> MustHaveReport:
    """Check one plan's must-haves against the files under `repo_root` (paths are relative to it)."""
    if not repo_root.is_dir():
        raise InputError(f"repository root {repo_root} is not a folder: pass the folder the plan's paths are "
                         "relative to", path=repo_root)
    document = plan_document if plan_document is not None else _read_plan_document(plan)
    context = _Context(str(plan.id), textscan.Tree(repo_root), _Locator(document), [])
    sections = _sections(document, context)
    artifact_items, link_items = sections["artifacts"], sections["key_links"]
    context.known_paths = tuple(_declared_paths(artifact_items, link_items))
    return MustHaveReport(
        plan_id=str(plan.id),
        plan_path=plan.plan_path,
        truths=tuple(_check_truth(item, context) for item in sections["truths"]),
        artifacts=tuple(_check_artifact(item, context) for item in artifact_items),
        key_links=tuple(_check_link(item, context) for item in link_items),
        findings=tuple(context.findings),
    )


def _read_plan_document(plan: Plan) -> Document | None:
    if plan.plan_path is None:
        return None
    try:
        return read_document(plan.plan_path)
    except OSError:
        return None


def _sections(document: Document | None, context: _Context) -> dict[str, list[object]]:
    """truths / artifacts / key_links of the PLAN's `must_haves`, as lists, whatever shape it has."""
    raw = document.meta.get("must_haves") if document is not None else None
    sections: dict[str, list[object]] = {"truths": [], "artifacts": [], "key_links": []}
    if raw is None or raw == {}:
        return sections
    if isinstance(raw, (list, str)):
        context.finding(context.locate.start, "MH001",
                        "'must_haves' should map truths / artifacts / key_links; its items are read as truths")
        sections["truths"] = _as_items(raw)
        return sections
    if not isinstance(raw, dict):
        context.finding(context.locate.start, "MH001", "'must_haves' is not a mapping; nothing checked")
        return sections
    for key, value in raw.items():
        target = _LIST_KEYS.get(str(key).strip().lower())
        if target is None:
            context.finding(context.locate.find(f"{key}:"), "MH002",
                            f"must_haves key '{key}' is not truths, artifacts or key_links; not checked")
            continue
        sections[target].extend(_as_items(value))
    return sections


def _as_items(value: object) -> list[object]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [item for item in value if item is not None and item != ""]
    if isinstance(value, dict) and any(key in value for key in ("path", "from", "pattern")):
        return [value]  # a single item written without the list dash
    if isinstance(value, dict):
        return [{"_text": f"{key}: {item}"} for key, item in value.items()]
    return [value]


def _text_list(value: object) -> list[str]:
    """`["a", "b"]` stays a list, `"a"` becomes `["a"]`; empty and null items are dropped."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    if isinstance(value, dict):
        return [f"{key}: {item}" for key, item in value.items()]
    return [str(value).strip()] if str(value).strip() else []


def _declared_paths(artifacts: list[object], links: list[object]) -> Iterable[str]:
    for item in artifacts:
        if isinstance(item, dict) and item.get("path"):
            yield _clean_path(str(item["path"]))
    for item in links:
        if isinstance(item, dict):
            for key in ("from", "to"):
                if item.get(key):
                    yield _clean_path(str(item[key]))


def _clean_path(text: str) -> str:
    text = text.strip().strip("`'\"").strip()
    return text.removeprefix("./")


# ---------------------------------------------------------------- artifacts


def _artifact_spec(item: object) -> dict[str, object] | None:
    if isinstance(item, dict) and "_text" not in item:
        path = item.get("path") or item.get("file")
        return {**item, "path": _clean_path(str(path))} if path else None
    text = str(item["_text"] if isinstance(item, dict) else item).strip()
    match = _STRING_ARTIFACT.match(text)
    if not match or not re.search(r"[./]", match["path"]):
        return None
    spec: dict[str, object] = {"path": _clean_path(match["path"]), "provides": match["rest"].strip(" -:")}
    if match["lines"]:
        spec["min_lines"] = match["lines"]
    return spec


def _check_artifact(item: object, context: _Context) -> ArtifactResult:
    spec = _artifact_spec(item)
    if spec is None:
        line = context.locate.find(str(item)[:40])
        context.finding(line, "MH003", f"artifact {str(item)[:80]!r} names no path; not checked")
        return ArtifactResult(str(item)[:80], NEEDS_PERSON, ("names no file path",), plan_line=line)
    path, provides = str(spec["path"]), str(spec.get("provides") or "")
    line = context.locate.find(path)
    located = context.tree.locate(path)
    if isinstance(located, str):
        context.finding(line, "MH004", f"artifact path {path!r}: {located}")
        return ArtifactResult(path, NEEDS_PERSON, (located,), (), provides, line)
    if not located.exists():
        return ArtifactResult(path, MISSING, (f"{path} is not in {context.tree.name}",), (), provides, line)
    failures, evidence, unclear = _content_checks(spec, located, path, context, line)
    unchecked = sorted(set(map(str, spec)) - _CHECKED_ARTIFACT_KEYS)
    evidence += [f"not checked: {key}={spec[key]}" for key in unchecked if key != "_text"]
    status = STUB if failures else NEEDS_PERSON if unclear else EXISTS
    return ArtifactResult(path, status, tuple(failures + unclear), tuple(evidence), provides, line)


def _content_checks(spec: dict[str, object], located: Path, path: str, context: _Context,
                    line: int | None) -> tuple[list[str], list[str], list[str]]:
    """(failures, evidence, unclear) of min_lines / contains / contains_not / exports."""
    failures: list[str] = []
    evidence: list[str] = []
    unclear: list[str] = []
    wants_content = any(spec.get(key) for key in ("min_lines", "contains", "contains_not", "exports"))
    if located.is_dir():
        evidence.append(f"{path} is a folder")
        if wants_content:
            unclear.append("is a folder: line and content checks apply to files")
        return failures, evidence, unclear
    if not wants_content:
        evidence.append(f"{path} exists")
        return failures, evidence, unclear
    content = context.tree.read(located)
    if content.note:
        evidence.append(content.note)
    if spec.get("min_lines") is not None:
        _check_min_lines(str(spec["min_lines"]), content, failures, evidence, unclear)
    for text in _text_list(spec.get("contains")):
        found = content.find_text(text)
        if found:
            evidence.append(f"contains {text!r} at {path}:{found}")
        else:
            failures.append(f"does not contain {text!r}")
    for text in _text_list(spec.get("contains_not")):
        _check_contains_not(text, content, path, failures, evidence)
    for name in _export_names(spec.get("exports")):
        found_line, how = textscan.find_export(content, located.suffix, name)
        if found_line:
            evidence.append(f"defines {name} at {path}:{found_line} ({how})")
        else:
            failures.append(f"does not define {name} (looked with {how})")
    return failures, evidence, unclear


def _check_min_lines(raw: str, content: textscan.FileText, failures: list[str], evidence: list[str],
                     unclear: list[str]) -> None:
    digits = re.search(r"\d+", raw)
    if digits is None:
        unclear.append(f"min_lines {raw!r} is not a number")
        return
    wanted, count = int(digits.group()), content.non_blank_lines
    if count < wanted:
        failures.append(f"has {count} non-blank lines, fewer than min_lines {wanted}")
    else:
        evidence.append(f"{count} non-blank lines (min_lines {wanted})")


def _check_contains_not(text: str, content: textscan.FileText, path: str, failures: list[str],
                        evidence: list[str]) -> None:
    compiled = textscan.compile_pattern(text)
    found = content.find_text(text) if isinstance(compiled, str) else textscan.search_lines(compiled, content)
    if isinstance(found, str):
        failures.append(f"contains_not {text!r} could not be searched ({found})")
    elif found:
        failures.append(f"contains {text!r} (contains_not) at {path}:{found}")
    else:
        evidence.append(f"does not contain {text!r}")


def _export_names(value: object) -> list[str]:
    names: list[str] = []
    for text in _text_list(value):
        names.extend(part for part in re.split(r"[\s,]+", text) if part)
    return [name.strip("`'\"()") for name in names if name.strip("`'\"()")]


# ---------------------------------------------------------------- key links


def _check_link(item: object, context: _Context) -> KeyLinkResult:
    if not isinstance(item, dict) or "_text" in item:
        text = str(item["_text"] if isinstance(item, dict) else item)
        line = context.locate.find(text[:40])
        return KeyLinkResult(text, "", "", "", NEEDS_PERSON, None, "written as prose: no from / pattern to check",
                             line)
    from_path, to = _clean_path(str(item.get("from") or "")), str(item.get("to") or "")
    via, pattern = str(item.get("via") or ""), str(item.get("pattern") or "")
    line = context.locate.find(pattern, from_path) if pattern else context.locate.find(from_path)
    result = KeyLinkResult(from_path, to, via, pattern, NEEDS_PERSON, None, "", line)
    if not pattern or not from_path:
        return replace(result, reason=f"no {'pattern' if not pattern else 'from file'} to check")
    compiled = textscan.compile_pattern(pattern)
    located = context.tree.locate(from_path)
    if isinstance(located, str):
        context.finding(line, "MH004", f"key link from {from_path!r}: {located}")
        return replace(result, reason=located)
    if isinstance(compiled, str):
        context.finding(line, "MH005", f"key link pattern {pattern!r} is not a valid regular expression: {compiled}")
        return replace(result, status=BAD_PATTERN, reason=_bad_pattern_reason(compiled, pattern, located, context))
    if not located.is_file():
        return replace(result, status=NOT_WIRED, reason=f"{from_path} is not in {context.tree.name}")
    found = textscan.search_lines(compiled, context.tree.read(located))
    if isinstance(found, str):
        context.finding(line, "MH006", f"key link pattern {pattern!r}: {found}")
        return replace(result, status=BAD_PATTERN, reason=found)
    if not found:
        return replace(result, status=NOT_WIRED, reason=f"pattern not found in {from_path}" + _to_note(to, context))
    return replace(result, status=WIRED, evidence=(from_path, found), reason=_to_note(to, context).strip("; "))


def _bad_pattern_reason(error: str, pattern: str, located: Path, context: _Context) -> str:
    reason = f"pattern does not compile ({error})"
    if located.is_file():
        found = context.tree.read(located).find_text(pattern)
        if found:
            reason += f"; taken as plain text it occurs at {context.tree.relative(located)}:{found}"
    return reason


def _to_note(to: str, context: _Context) -> str:
    to = _clean_path(to)
    if not to or " " in to or not re.search(r"[./]", to):
        return ""
    located = context.tree.locate(to)
    if isinstance(located, Path) and not located.exists():
        return f"; note: 'to' {to} is not in {context.tree.name}"
    return ""


# ---------------------------------------------------------------- truths


def _check_truth(item: object, context: _Context) -> TruthResult:
    text = str(item["_text"] if isinstance(item, dict) and "_text" in item else item).strip()
    if isinstance(item, dict) and "_text" not in item:
        text = ", ".join(f"{key}: {value}" for key, value in item.items())
    line = context.locate.find(text[:40])
    match = _TRUTH.match(text)
    if match is None:
        return TruthResult(text, NEEDS_PERSON, "not of the form FILE contains 'TEXT'", line)
    file_text = _clean_path(match["qfile"] or match["file"])
    wanted = match["t1"] or match["t2"] or match["t3"] or ""
    negated = match["neg"] != "contains"
    located = _truth_file(file_text, context)
    if isinstance(located, str):
        context.finding(line, "MH004", f"truth names {file_text!r}: {located}")
        return TruthResult(text, NEEDS_PERSON, located, line)
    if not located.is_file():
        return TruthResult(text, FAILED, f"{file_text} is not a file in {context.tree.name}", line)
    found = context.tree.read(located).find_text(wanted)
    shown = context.tree.relative(located)
    if negated:
        return (TruthResult(text, FAILED, f"{wanted!r} found at {shown}:{found}", line) if found
                else TruthResult(text, VERIFIED, f"{shown} does not contain {wanted!r}", line))
    if found:
        return TruthResult(text, VERIFIED, f"{shown}:{found}", line)
    return TruthResult(text, FAILED, f"{shown} does not contain {wanted!r}", line)


def _truth_file(name: str, context: _Context) -> Path | str:
    """The file a truth names: as a path under the root, else the one declared path with that name."""
    located = context.tree.locate(name)
    if isinstance(located, Path) and located.exists() or "/" in name:
        return located
    same_name = sorted({path for path in context.known_paths if path.rsplit("/", 1)[-1] == name})
    if len(same_name) == 1:
        return context.tree.locate(same_name[0])
    return located
