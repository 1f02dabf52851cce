"""Map pytest classnames to test files and build pytest-style test ids."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def classname_to_file(classname: str, repo_root: Path) -> str:
    """`tests.test_x.TestY` -> `tests/test_x.py`: the longest dotted prefix that is a file in the
    repository, else the components before the first capitalised one (a class)."""
    return _classname_to_file(classname, str(repo_root))


@lru_cache(maxsize=4096)
def _classname_to_file(classname: str, root: str) -> str:
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = "/".join(parts[:end]) + ".py"
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    module = parts
    for index, part in enumerate(parts[1:], start=1):
        if part[:1].isupper():
            module = parts[:index]
            break
    return "/".join(module) + ".py"


def pytest_id(file: str, classname: str, name: str) -> str:
    """`tests/test_x.py::TestY::test_z`: the file, the classes inside it, the test name."""
    module = file.removesuffix(".py")
    dotted = module.replace("/", ".")
    classes: list[str] = []
    if classname.startswith(dotted + "."):
        classes = classname[len(dotted) + 1 :].split(".")
    elif classname and classname != dotted:
        # rootdir differs from the repository root: keep the trailing capitalised components
        for part in reversed(classname.split(".")):
            if not part[:1].isupper():
                break
            classes.insert(0, part)
    return "::".join([file, *classes, name])
