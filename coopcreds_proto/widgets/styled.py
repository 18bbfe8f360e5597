"""Showing a view's widget on its own: the stylesheet travels with it, once.

A live widget's HTML (status lines, problem lists, tables) uses the classes of
the one stylesheet (``html_views``). Where the widget is shown on its own, in
a notebook, ``styled`` puts the stylesheet in front of it; a page that carries
the stylesheet already (the workshop pages) shows the bare widget instead.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..html_views import style_element, with_stylesheet


def styled(widget: w.Widget) -> w.VBox:
    """``widget`` after an ``HTML`` widget holding the stylesheet."""
    return w.VBox([w.HTML(style_element()), widget])


def widget_bundle(widget: w.Widget, *, html: str, text: str, **kwargs: Any) -> dict[str, Any]:
    """The display of a view's widget: live (with the stylesheet) where widgets render;
    ``html``, a static rendering (the stylesheet added), and ``text`` elsewhere, so a
    notebook stays readable under nbval and in a static HTML export."""
    bundle = dict(styled(widget)._repr_mimebundle_(**kwargs) or {})
    bundle["text/html"] = with_stylesheet(html)
    bundle["text/plain"] = text
    return bundle


__all__ = ["styled", "widget_bundle"]
