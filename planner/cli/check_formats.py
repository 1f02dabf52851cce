"""`plan check --format`: one report, printed the way CI tools read findings (ruff's names).

- `text`: `path:line: severity CODE message` lines and a count line (for people).
- `json`: the stable `check_report_to_dict` document (`--json` is an alias).
- `github`: GitHub Actions workflow commands, so findings show on the pull request's diff.
- `sarif`: SARIF 2.1.0, for code scanning.
- `junit`: JUnit XML, one test case per planning document, for CI dashboards.

`github` and `sarif` name files relative to `base` (the working directory, where CI tools resolve
paths from: the repository root in a GitHub workflow), not to the planning root.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from planner import __version__
from planner.check import CODES, CheckReport, Finding, check_report_to_dict, format_findings
from planner.cli.console import to_json

Format = Literal["text", "json", "github", "sarif", "junit"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_report(report: CheckReport, output: Format, *, strict: bool = False,
                  base: Path | None = None, pretty: bool | None = None) -> str:
    """The whole report in `output` format, without a trailing newline (JSON compact unless
    `pretty`, which defaults to whether stdout is a terminal)."""
    if output == "text":
        return "\n".join(format_findings(report))
    if output == "json":
        return to_json(check_report_to_dict(report), pretty=pretty)
    if output == "github":
        return "\n".join(github_commands(report, base=base))
    if output == "sarif":
        return json.dumps(sarif_document(report, base=base), indent=2, ensure_ascii=False)
    return junit_xml(report, strict=strict)


def _located(report: CheckReport, finding: Finding, base: Path | None) -> str:
    """The finding's path as CI sees it: relative to `base` when the file lies inside it."""
    if base is None:
        return finding.path
    absolute = os.path.normpath(report.root / finding.path)
    try:
        return Path(os.path.relpath(absolute, base.resolve())).as_posix() if _inside(absolute, base) \
            else finding.path
    except ValueError:  # another drive on Windows
        return finding.path


def _inside(path: str, base: Path) -> bool:
    top = str(base.resolve())
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


# ---------------------------------------------------------------------------- github


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_commands(report: CheckReport, *, base: Path | None = None) -> Iterator[str]:
    """`::error file=F,line=L,title=CODE::message` per finding (`::notice` for info)."""
    for finding in report.findings:
        properties = [f"file={_escape_property(_located(report, finding, base))}"]
        if finding.line:
            properties.append(f"line={finding.line}")
        properties.append(f"title={_escape_property(finding.code)}")
        yield (f"::{_GITHUB_COMMAND[finding.severity]} {','.join(properties)}::"
               f"{_escape_data(finding.message)}")


# ---------------------------------------------------------------------------- sarif


def sarif_document(report: CheckReport, *, base: Path | None = None) -> dict[str, object]:
    """A SARIF 2.1.0 log with one run: planner's rules (the codes used) and one result per finding."""
    used = sorted({finding.code for finding in report.findings})
    rules = []
    for code in used:
        info = CODES.get(code)
        rule: dict[str, object] = {"id": code, "name": code,
                                   "shortDescription": {"text": info.summary if info else code}}
        if info is not None:
            rule["defaultConfiguration"] = {"level": _SARIF_LEVEL[info.severity]}
        rules.append(rule)
    index = {code: number for number, code in enumerate(used)}
    results = []
    for finding in report.findings:
        location: dict[str, object] = {"artifactLocation": {"uri": _located(report, finding, base)}}
        if finding.line:
            location["region"] = {"startLine": finding.line}
        results.append({"ruleId": finding.code, "ruleIndex": index[finding.code],
                        "level": _SARIF_LEVEL[finding.severity], "message": {"text": finding.message},
                        "locations": [{"physicalLocation": location}]})
    driver = {"name": "planner", "version": __version__, "rules": rules}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results}]}


# ---------------------------------------------------------------------------- junit


def _planning_documents(report: CheckReport) -> list[str]:
    """Every Markdown document under `.planning/` (not the cache or templates), relative to the root."""
    planning = report.root / ".planning"
    found = []
    for folder, subfolders, files in os.walk(planning):  # never follows symbolic links
        subfolders[:] = sorted(name for name in subfolders if name not in {".cache", "templates"})
        for name in files:
            if name.endswith(".md"):
                found.append(Path(folder, name).relative_to(report.root).as_posix())
    return found


def junit_xml(report: CheckReport, *, strict: bool = False) -> str:
    """One `<testcase>` per planning document: it fails on an error (or a warning with `strict`)."""
    by_path: dict[str, list[Finding]] = {path: [] for path in _planning_documents(report)}
    notes = []  # infos about no document (e.g. "git checks skipped") go to the suite's output
    for finding in report.findings:
        if finding.path in by_path or finding.severity != "info":
            by_path.setdefault(finding.path, []).append(finding)
        else:
            notes.append(f"{finding.path}: {finding.severity} {finding.code} {finding.message}")
    failing = {"error", "warning"} if strict else {"error"}
    cases: list[str] = []
    failures = 0
    for path in sorted(by_path):
        findings = by_path[path]
        lines = [f"{path}:{f.line or 0}: {f.severity} {f.code} {f.message}" for f in findings]
        failed = [f for f in findings if f.severity in failing]
        body = ""
        if failed:
            failures += 1
            message = f"{len(failed)} finding(s): " + ", ".join(sorted({f.code for f in failed}))
            body += (f"<failure message={quoteattr(message)} type={quoteattr(failed[0].code)}>"
                     f"{escape(chr(10).join(lines))}</failure>")
        elif lines:
            body += f"<system-out>{escape(chr(10).join(lines))}</system-out>"
        cases.append(f'    <testcase classname="plan check" name={quoteattr(path)} file={quoteattr(path)}'
                     + (f">{body}</testcase>" if body else " />"))
    header = (f'  <testsuite name="plan check" tests="{len(cases)}" failures="{failures}" '
              f'errors="0" skipped="0">')
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>',
                      f'<testsuites name="plan check" tests="{len(cases)}" failures="{failures}">',
                      header, *cases,
                      *([f"    <system-out>{escape(chr(10).join(notes))}</system-out>"] if notes else []),
                      "  </testsuite>", "</testsuites>"])
