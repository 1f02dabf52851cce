"""Benchmark: could python-frontmatter's `Post` and handler API be planner's strict path?

    .venv/bin/python bench/bench_frontmatter_post.py [--runs 7]

Candidate: `frontmatter.loads(text, handler=PlannerHandler())`, a `YAMLHandler` whose `load`
applies planner's YAML typing rules (planner.tree.frontmatter.load_yaml_text: `07`, `on`, `1.10` and
dates stay text), with the BOM and CRLF handled before it, exactly as planner does. Baseline:
planner's own strict path, `planner.tree.frontmatter.parse_document`.

Measured on every Markdown file of ../shared/corpora (real GSD trees):
  - fidelity: documents whose body or metadata the Post path gives differently, and why;
  - the cost of a cold `plan status` process: importing `frontmatter` (it imports PyYAML and its
    handlers at import time) against importing planner's parser (PyYAML on first parse only);
  - parse time over the whole corpus, in-process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import command, measure

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def corpus_texts() -> list[tuple[Path, str]]:
    texts = []
    for path in sorted(CORPORA.rglob("*.md")):
        try:
            texts.append((path, path.read_bytes().decode("utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def post_parser():  # type: ignore[no-untyped-def]
    import frontmatter

    from planner.tree.frontmatter import BOM, load_yaml_text

    class PlannerHandler(frontmatter.YAMLHandler):  # type: ignore[misc]
        def load(self, fm: str, **kwargs: object) -> object:
            return load_yaml_text(fm)[0]

    handler = PlannerHandler()

    def parse(text: str) -> tuple[dict[str, object], str]:
        text = text.removeprefix(BOM).replace("\r\n", "\n")
        post = frontmatter.loads(text, handler=handler)
        return dict(post.metadata), post.content

    return parse


def fidelity(texts: list[tuple[Path, str]]) -> dict[str, list[str]]:
    from planner.tree.frontmatter import parse_document

    parse = post_parser()
    found: dict[str, list[str]] = {"body changed": [], "metadata changed": [], "raised": []}
    for path, text in texts:
        ours = parse_document(path, text)
        if not ours.has_frontmatter or ours.diagnostics:
            continue  # the tolerant path's business, not the strict path's
        try:
            meta, body = parse(text)
        except Exception as error:  # noqa: BLE001 - any failure is a finding here
            found["raised"].append(f"{path.relative_to(CORPORA)}: {type(error).__name__}: {error}")
            continue
        if body != ours.body:
            found["body changed"].append(str(path.relative_to(CORPORA)))
        if meta != ours.meta:
            found["metadata changed"].append(str(path.relative_to(CORPORA)))
    return found


def parse_seconds(texts: list[tuple[Path, str]], runs: int) -> tuple[float, float]:
    from planner.tree.frontmatter import parse_document

    parse = post_parser()
    ours, post = [], []
    for _ in range(runs):
        start = time.perf_counter()
        for path, text in texts:
            parse_document(path, text)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _path, text in texts:
            try:
                parse(text)
            except Exception:  # noqa: BLE001, S112 - counted by fidelity()
                continue
        post.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(post)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    if not CORPORA.is_dir():
        sys.exit(f"bench_frontmatter_post: {CORPORA} not present")
    texts = corpus_texts()
    found = fidelity(texts)
    checked = len(texts)
    print(f"corpus: {checked} Markdown files under {CORPORA}")
    for what, paths in found.items():
        print(f"  Post path, {what}: {len(paths)}" + (f" (e.g. {paths[0]})" if paths else ""))
    python = sys.executable
    medians = measure({
        "import planner.tree.frontmatter, parse one": command(
            python, "-c", "from pathlib import Path; from planner.tree.frontmatter import parse_document; "
            "parse_document(Path('x.md'), '---\\na: 1\\n---\\n')"),
        "import frontmatter, parse one": command(
            python, "-c", "import frontmatter; frontmatter.loads('---\\na: 1\\n---\\n')"),
        "python -c pass": command(python, "-c", "pass"),
    }, runs=runs)
    base = medians["python -c pass"]
    for name, value in medians.items():
        print(f"  {name:40} median {value * 1000:7.1f} ms  (+{(value - base) * 1000:.1f} ms over start-up)")
    ours, post = parse_seconds(texts, max(3, runs // 2))
    print(f"  parse the corpus in-process: planner {ours * 1000:.1f} ms, Post path {post * 1000:.1f} ms "
          f"(ratio {post / ours:.2f})")


if __name__ == "__main__":
    main()
