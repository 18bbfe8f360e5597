"""HTML views from templates, styled by one stylesheet.

Every HTML the workbench shows (a credential card in a notebook, a
verification result, the workshop pages, the workshop pack) is rendered from
a Jinja2 template in ``coopcreds_proto/templates/`` with autoescaping on, so a
value from a credential can never become markup. The look lives in one
stylesheet, ``templates/coopcreds.css``: the palette as CSS custom properties
(``--cc-ok``, ``--cc-bad``, ...) and classes prefixed ``cc-`` so they never
clash with JupyterLab's. Colours never appear in Python (plots take theirs
from ``templates/palette.json``, see :mod:`coopcreds_proto.palette`).

A view's HTML is a fragment (:func:`render`). What is shown on its own, a
notebook output or a standalone file, carries the stylesheet inline, once
(:func:`with_stylesheet`, or :func:`rich_output` for both steps): nothing is
fetched, there is no network and no CDN.

>>> print(render("display/credential_diff.html", rows=[]))
<p class="cc-view">No differences.</p>
>>> "<code>$.&lt;b&gt;</code>" in render("display/credential_diff.html",
...                                     rows=[("added", "$.<b>", "—", "absent", "1", "1")])
True
>>> rich_output("display/credential_diff.html", rows=[]).startswith("<style>:root{--cc-ok:")
True
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:  # pragma: no cover - typing only
    import jinja2

TEMPLATES_PACKAGE = "coopcreds_proto"
TEMPLATES_FOLDER = "templates"
STYLESHEET = "coopcreds.css"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the package's templates (autoescape on, strict undefined)."""
    import jinja2  # heavy: jinja2, only to render HTML (verifying never does: start-up time)

    return jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATES_PACKAGE, TEMPLATES_FOLDER),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, /, **context: Any) -> Markup:
    """The HTML fragment of ``template`` with ``context`` (every value escaped), no stylesheet.

    The result is ``Markup``: handing it to another template inserts it as HTML.
    """
    if not isinstance(template, str):
        raise TypeError(f"a template is named by a string, not {type(template).__name__}")
    return Markup(environment().get_template(template).render(**context).strip())


def trusted_html(text: str) -> Markup:
    """``text`` marked as HTML to insert as it is: only for markup that is escaped
    already (a rendered view, pandas' ``DataFrame.to_html()``), never for data."""
    return Markup(text)


def read_template_file(name: str) -> str:
    """The text of a file in the templates folder (the stylesheet, the plot palette)."""
    return (resources.files(TEMPLATES_PACKAGE) / TEMPLATES_FOLDER / name).read_text(
        encoding="utf-8")


@cache
def stylesheet(name: str = STYLESHEET) -> str:
    """The one stylesheet: palette custom properties and ``cc-`` classes (comments and
    runs of blank space removed, since it travels inside every output).

    ``name`` reads another file of the templates folder the same way: the few
    rules one kind of document adds to it (the printed pack's page numbers).
    """
    text = re.sub(r"/\*.*?\*/", "", read_template_file(name), flags=re.DOTALL)
    text = re.sub(r"\s+", " ", text)
    # Never around a colon's left side: ".a :focus" and ".a:focus" differ.
    return re.sub(r"\s*([{};,])\s*|(:)\s+", r"\1\2", text).strip()


def style_element(*additions: str) -> Markup:
    """The stylesheet as a ``<style>`` element, for a page or an output to carry inline,
    followed in the same element by the rules of the ``additions`` (files of the
    templates folder, see :func:`stylesheet`)."""
    rules = "".join([stylesheet(), *(stylesheet(name) for name in additions)])
    return Markup("<style>") + Markup(rules) + Markup("</style>")


def with_stylesheet(fragment: str) -> str:
    """``fragment`` as one output of its own: the stylesheet first (once), then the HTML."""
    return str(style_element() + Markup(fragment))


def rich_output(template: str, /, **context: Any) -> str:
    """``render`` the template and carry the stylesheet: a notebook's ``_repr_html_``."""
    return with_stylesheet(render(template, **context))


__all__ = ["environment", "read_template_file", "render", "rich_output", "style_element",
           "stylesheet", "trusted_html", "with_stylesheet"]
