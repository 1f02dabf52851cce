"""Parse report XML safely: entity expansion, external entities and DTD tricks are refused."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


def parse_xml(data: bytes, path: Path) -> Element:
    """The root element of `data`; InputError naming `path` on malformed or unsafe XML."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as safe_et

    try:
        root: Element = safe_et.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise InputError(
            f"invalid or truncated XML ({_reason(exc)}): regenerate the report",
            path=path,
            line=line,
            column=column + 1 if column is not None else None,
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            f"XML refused: it declares entities or external references ({type(exc).__name__}); "
            "reports never need them, so this file is unsafe or not a real report",
            path=path,
        ) from None
    except (LookupError, ValueError) as exc:  # after DefusedXmlException, itself a ValueError
        raise InputError(
            f"XML declares an encoding planner cannot read ({exc}); write the report as UTF-8",
            path=path,
        ) from None
    return root


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ": line" in text else text
