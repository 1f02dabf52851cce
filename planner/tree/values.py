"""Frontmatter values narrowed to what a reader needs.

What YAML parses is untyped until read: text, null, lists and mappings (`object`). A reader that
wants a number, a yes/no or a list of text asks here; None means the value is not one.
"""

from __future__ import annotations


def as_int(value: object) -> int | None:
    """A whole number written as a number or as text (`3`, `"03"`, ` 7 `); None otherwise."""
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def as_bool(value: object) -> bool | None:
    """true/false or yes/no, in any case; None otherwise."""
    text = str(value).strip().lower()
    return {"true": True, "false": False, "yes": True, "no": False}.get(text)


def as_text_list(value: object) -> tuple[str, ...] | None:
    """A list of text: one text is a list of one, null an empty list, a mapping in a list its
    `key: value` pairs; None for a value that is no list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict):  # `requires: [{phase: 01, provides: x}]`, as GSD summaries write it
                items.append(", ".join(f"{k}: {v}" for k, v in item.items()))
            elif item is not None:
                items.append(str(item))
        return tuple(items)
    return None
