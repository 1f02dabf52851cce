"""Bounds on a composed YAML frontmatter block: how far its aliases expand, how deep it nests.

A billion-laughs block is small on disk and cheap to compose (aliases share nodes), but every
consumer that walks the value (`str()`, a loop over `targets:`) pays for the expansion. The
check counts each node once, so it is linear in the block even when the value is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

MAX_YAML_VALUES = 100_000  # values a frontmatter block may expand to, aliases counted as what they copy
MAX_YAML_DEPTH = 100


class YamlTooBig(ValueError):
    """Frontmatter whose aliases expand past MAX_YAML_VALUES, nest past MAX_YAML_DEPTH, or refer
    to themselves: a document, but not one to read (an alias bomb or a recursive alias)."""


def check_bounds(root: yaml.Node) -> None:
    """YamlTooBig when the value `root` stands for is too big, too deep or contains itself.

    Sizes are counted once per node (an alias adds the size of what it refers to, not a walk of
    it), so the check is linear in the number of nodes even for a billion-laughs block."""
    import yaml

    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        identity = id(node)
        if isinstance(node, scalar):
            sizes[identity] = 1
            continue
        if children_done:
            on_path.discard(identity)
            items = node.value if isinstance(node, sequence) else [part for pair in node.value for part in pair]
            size = 1 + sum(sizes[id(item)] for item in items)
            if size > MAX_YAML_VALUES:
                raise YamlTooBig(f"aliases expand it to over {MAX_YAML_VALUES:,} values (an alias bomb?)")
            sizes[identity] = size
            continue
        if identity in sizes:
            continue
        if identity in on_path:
            raise YamlTooBig("an alias refers to the value that contains it (a recursive alias)")
        if depth > MAX_YAML_DEPTH:
            raise YamlTooBig(f"values nest over {MAX_YAML_DEPTH} levels deep")
        on_path.add(identity)
        stack.append((node, depth, True))
        items = node.value if isinstance(node, sequence) else [part for pair in node.value for part in pair]
        stack.extend((item, depth + 1, False) for item in items if id(item) not in sizes)
