"""The plots' named colours, from ``templates/palette.json`` beside the stylesheet.

Matplotlib is not HTML, so it cannot use the stylesheet's custom properties;
its colours live in one palette file instead, never in Python: Paul Tol's
"muted" and Okabe-Ito's colour-blind-safe palettes, the roles and edges of the
trust network, the keep/change/drop bars of the workshop pack, and greys.

>>> len(colours("okabe_ito")), sorted(colours("edges"))
(8, ['accredits', 'issues_for', 'recognises'])
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from .html_views import read_template_file

PALETTE_FILE = "palette.json"


@cache
def _palette() -> dict[str, Any]:
    return json.loads(read_template_file(PALETTE_FILE))


def colours(name: str) -> Any:
    """The colours called ``name``: a tuple of colours, or a read-only mapping name -> colour.

    Raises ``KeyError`` for a name the palette file does not have.
    """
    if not isinstance(name, str):
        raise TypeError(f"a palette name is a string, not {type(name).__name__}")
    value = _palette()[name]
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    if isinstance(value, list):
        return tuple(value)
    raise KeyError(name)


def names() -> tuple[str, ...]:
    """The names of the palette's colour groups."""
    return tuple(k for k, v in _palette().items() if isinstance(v, list | dict))


__all__ = ["PALETTE_FILE", "colours", "names"]
