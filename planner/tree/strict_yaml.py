"""PyYAML's reading of a frontmatter block that `planner.tree.plain_yaml` leaves to it.

The C loader with YAML 1.1's implicit typing switched off: `07`, `on`, `1.10` and dates stay text,
only the null words are null, and duplicate keys are recorded. Imported (with PyYAML, ~10 ms of
imports and regex compiling) by `planner.tree.frontmatter` when the first such block is parsed.
"""

from __future__ import annotations

import yaml
from yaml import MappingNode, Node, ScalarNode, SequenceNode

from planner.tree.yaml_bounds import check_bounds

try:  # the C loader is ~10x faster; pure Python is the fallback where libyaml is missing
    from yaml import CSafeLoader as _SafeLoader
except ImportError:
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


class TextLoader(_SafeLoader):
    """The safe loader whose plain scalars are all text, except null; it records duplicate keys."""

    duplicate_keys: list[tuple[str, int]]

    # The composer asks these for every node. Only the null resolver is kept and no path
    # resolvers exist, so a set lookup answers what PyYAML's generic regex walk would.
    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool] | bool) -> str:
        if kind is ScalarNode:  # a scalar's `implicit` is (plain, quoted); a collection's one flag
            plain = implicit[0] if isinstance(implicit, tuple) else implicit
            return _NULL_TAG if plain and value in _NULL_WORDS else _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def _construct_mapping(loader: TextLoader, node: MappingNode, deep: bool = False) -> dict[str, object]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.value in seen:
                loader.duplicate_keys.append((key_node.value, key_node.start_mark.line))
            seen.add(key_node.value)
    loader.flatten_mapping(node)
    mapping: dict[str, object] = {}
    for key_node, value_node in node.value:
        key: object = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            key = str(key)  # a list or mapping as a key: keep it addressable as text
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


# Keep only the null resolver: YAML 1.1 turns `on` into True, `07` into 7, `1.10` into 1.1 and
# dates into naive datetimes. The model decides types, so the loader hands it text.
_RESOLVERS = {first: [(tag, regexp) for tag, regexp in found if tag == _NULL_TAG]
              for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()}
TextLoader.yaml_implicit_resolvers = {key: value for key, value in _RESOLVERS.items() if value}
TextLoader.add_constructor(_MAP_TAG, _construct_mapping)


class _Unusual(Exception):
    """A node the fast builder leaves to PyYAML's constructor: an explicit tag, a recursive alias."""


def _build(node: Node, memo: dict[int, object], building: set[int], duplicates: list[tuple[str, int]]) -> object:
    """The value of a composed node made only of text, null, lists and mappings.

    Does what the constructor above does for such nodes at a fraction of the cost (no per-node
    generator and bookkeeping); an alias shares one built value, as PyYAML's constructor does.
    """
    if isinstance(node, ScalarNode):
        if node.tag == _STR_TAG:
            return node.value
        if node.tag == _NULL_TAG:
            return None
        raise _Unusual
    identity = id(node)
    if identity in memo:
        return memo[identity]
    if identity in building:
        raise _Unusual
    building.add(identity)
    value: object
    if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
        value = [_build(item, memo, building, duplicates) for item in node.value]
    elif isinstance(node, MappingNode) and node.tag == _MAP_TAG:
        mapping: dict[str, object] = {}
        value = mapping
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = _build(key_node, memo, building, duplicates)
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    duplicates.append((key_node.value, key_node.start_mark.line))
                seen.add(key_node.value)
            mapping[key if isinstance(key, str) else str(key)] = _build(value_node, memo, building, duplicates)
    else:
        raise _Unusual
    building.discard(identity)
    memo[identity] = value
    return value


def load_text(text: str) -> tuple[object, list[tuple[str, int]]]:
    """The value of a YAML block with every plain scalar kept as text, and its duplicate keys (0-based lines).

    YamlTooBig when the block's aliases expand too far, nest too deep or refer to themselves."""
    loader = TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        check_bounds(node)
        duplicates: list[tuple[str, int]] = []
        try:
            return _build(node, {}, set(), duplicates), duplicates
        except (_Unusual, RecursionError):
            pass
        loader.duplicate_keys = []
        return loader.construct_document(node), loader.duplicate_keys
    finally:
        loader.dispose()
