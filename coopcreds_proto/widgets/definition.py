"""A field editor for workshops: change a definition live, see what it generates.

Pick a field (or add one), edit it; on every keystroke the JSON-LD context,
the JSON Schema, the example credential and the handout are generated again,
and the problems of the definition are shown next to the field they concern.
All logic lives in ``definition`` and ``definition_artefacts``: the editor only
holds the current definition and the controls.

Public API
----------
``DefinitionEditor(definition)`` with ``.definition`` (the current one),
``.problems``, ``.selected`` (a field path), ``.widget`` (an ipywidgets
``VBox``), ``select(path)``, ``edit(**changes)`` (what typing in the form
does), ``add_field(term, parent="", **attributes)``, ``drop(path=None)``, and
``snapshot_html()``: a static rendering, also used as the ``text/html`` of the
editor's display so notebooks stay meaningful under nbval and in a static
HTML export.

>>> from coopcreds_proto.definitions.definition import definition_path, load_definition
>>> editor = DefinitionEditor(load_definition(definition_path("cooperative-membership", "0.1")))
>>> editor.select("membershipStatus"); editor.edit(values=())
>>> [str(p) for p in editor.problems]
['membershipStatus: an enum needs its allowed values']
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from .. import html_views
from ..definitions.artefacts import (
    context_document,
    example_credential,
    json_schema,
    sheet_html,
)
from ..definitions.definition import (
    DATATYPES,
    FIELD_STATUSES,
    SENSITIVITIES,
    SPHERES,
    CredentialDefinition,
    Field,
    Problem,
    definition_problems,
    example_fits,
    remove_field,
    replace_field,
    with_field,
)
from ..errors import CoopCredsError
from .styled import widget_bundle

_EDITABLE = ("term", "label", "description", "datatype", "required", "multiple", "sensitivity",
             "spheres", "rationale", "status", "values", "object_type", "discussion")


def _json(document: Any) -> str:
    return html_views.render("widgets/json_block.html", text=json.dumps(document, indent=2))


def _problems_html(problems: tuple[Problem, ...] | list[Problem], empty: str) -> str:
    return html_views.render("widgets/problems.html", problems=problems, empty=empty)


def _count(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''}"


def _concerns(problem: Problem, path: str) -> bool:
    return problem.path == path or problem.path.startswith(path + ".")


class DefinitionEditor:
    """Edit the fields of a definition; the artefacts and problems follow every change."""

    def __init__(self, definition: CredentialDefinition) -> None:
        self.definition = definition
        self.selected = next((p for p, _ in definition.iter_fields()), "")
        self._updating = False
        self._build()
        self._load_form()
        self._refresh()

    # --- the model side (usable without a browser) -----------------------------

    @property
    def problems(self) -> tuple[Problem, ...]:
        return definition_problems(self.definition)

    @property
    def field(self) -> Field | None:
        try:
            return self.definition.field(self.selected) if self.selected else None
        except KeyError:
            return None

    def select(self, path: str) -> None:
        """Show the field at ``path`` in the form."""
        self.definition.field(path)  # KeyError if there is none
        self.selected = path
        self._load_form()
        self._refresh()

    def edit(self, **changes: Any) -> None:
        """Change attributes of the selected field (what typing in the form does)."""
        current = self.field
        if current is None:
            raise KeyError(self.selected)
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
        new = replace(current, **changes)
        if new.example is not None and not example_fits(new, new.example):
            new = replace(new, example=None)  # a changed type makes the old example stale
        self.definition = replace_field(self.definition, self.selected, new)
        if new.term != current.term:
            parent = self.selected.rpartition(".")[0]
            self.selected = f"{parent}.{new.term}" if parent else new.term
        self._load_form()
        self._refresh()

    def add_field(self, term: str, parent: str = "", **attributes: Any) -> None:
        """Add a new (proposed) field under ``parent`` and select it."""
        defaults: dict[str, Any] = {"label": term, "description": "", "datatype": "text",
                                    "status": "proposed", "since": self.definition.version}
        defaults.update(attributes)
        new = Field(term=term, **defaults)
        self.definition = with_field(self.definition, new, parent)
        self.selected = f"{parent}.{term}" if parent else term
        self._load_form()
        self._refresh()

    def drop(self, path: str | None = None) -> None:
        """Remove a field from the draft (a draft being edited keeps no record of it)."""
        path = path or self.selected
        self.definition = remove_field(self.definition, path)
        self.selected = next((p for p, _ in self.definition.iter_fields()), "")
        self._load_form()
        self._refresh()

    def artefacts(self) -> dict[str, Any]:
        """The generated context, schema and example (or why they cannot be made)."""
        try:
            return {"context": context_document(self.definition),
                    "schema": json_schema(self.definition),
                    "example": example_credential(self.definition)}
        except (CoopCredsError, KeyError, TypeError, ValueError) as exc:
            return {"error": str(exc)}

    # --- the widgets ---------------------------------------------------------------

    def _build(self) -> None:
        w = widgets
        wide = w.Layout(width="30em")
        self._picker = w.Dropdown(description="Field", layout=wide)
        self._new_term = w.Text(placeholder="newTerm", layout=w.Layout(width="10em"))
        self._add_button = w.Button(description="Add field", icon="plus")
        self._drop_button = w.Button(description="Drop field", icon="trash",
                                     button_style="warning")
        self.controls: dict[str, Any] = {
            "term": w.Text(description="Term", layout=wide),
            "label": w.Text(description="Label", layout=wide),
            "description": w.Textarea(description="Meaning", layout=wide),
            "datatype": w.Dropdown(description="Datatype", options=list(DATATYPES)),
            "values": w.Text(description="Values", placeholder="comma-separated, for enum",
                             layout=wide),
            "object_type": w.Text(description="Object type", placeholder="for object"),
            "required": w.Checkbox(description="Required"),
            "multiple": w.Checkbox(description="A list"),
            "sensitivity": w.Dropdown(description="Sensitivity", options=list(SENSITIVITIES)),
            "spheres": w.SelectMultiple(description="Spheres", options=list(SPHERES), rows=3),
            "rationale": w.Textarea(description="Why", layout=wide),
            "status": w.Dropdown(description="Status", options=list(FIELD_STATUSES)),
            "discussion": w.Textarea(description="Discuss", placeholder="open question",
                                     layout=wide),
        }
        self._field_problems = w.HTML()
        self._all_problems = w.HTML()
        self._tabs = w.Tab(children=[w.HTML() for _ in range(4)])
        for i, title in enumerate(("Context", "Schema", "Example", "Handout")):
            self._tabs.set_title(i, title)
        self._picker.observe(self._on_pick, names="value")
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._on_edit(name, change), names="value")
        self._add_button.on_click(lambda _: self._on_add())
        self._drop_button.on_click(lambda _: self.drop() if self.selected else None)
        form = w.VBox(list(self.controls.values()))
        side = w.VBox([w.HTML("<b>Problems with this field</b>"), self._field_problems],
                      layout=w.Layout(width="24em", padding="0 0 0 1em"))
        self.widget = w.VBox([
            w.HBox([self._picker, self._new_term, self._add_button, self._drop_button]),
            w.HBox([form, side]),
            w.HTML("<b>All problems</b>"), self._all_problems,
            self._tabs,
        ])

    def _load_form(self) -> None:
        f = self.field
        self._updating = True
        try:
            options = []
            for path, g in self.definition.iter_fields():
                mark = " ⚠" if any(_concerns(p, path) for p in self.problems) else ""
                options.append((f"{path}{mark}", path))
            self._picker.options = options
            self._picker.value = self.selected if f is not None else None
            if f is None:
                return
            for name, control in self.controls.items():
                value = getattr(f, name)
                if name == "values":
                    value = ", ".join(value)
                elif name == "spheres":
                    value = tuple(s for s in value if s in SPHERES)
                elif name in ("datatype", "sensitivity", "status") and value not in control.options:
                    control.options = (*control.options, value)
                control.value = value
        finally:
            self._updating = False

    def _on_pick(self, change: dict) -> None:
        if not self._updating and change["new"]:
            self.select(change["new"])

    def _on_edit(self, name: str, change: dict) -> None:
        if self._updating or self.field is None:
            return
        value = change["new"]
        if name == "values":
            value = tuple(v.strip() for v in value.split(",") if v.strip())
        elif name == "spheres":
            value = tuple(value)
        self.edit(**{name: value})

    def _on_add(self) -> None:
        term = self._new_term.value.strip()
        if term:
            self._new_term.value = ""
            self.add_field(term)

    def _refresh(self) -> None:
        problems = self.problems
        mine = [p for p in problems if self.selected and _concerns(p, self.selected)]
        self._field_problems.value = _problems_html(mine, "none")
        self._all_problems.value = _problems_html(problems, "The definition is valid.")
        made = self.artefacts()
        if "error" in made:
            message = html_views.render("widgets/json_block.html", error=made["error"])
            pages: list[str] = [message] * 3
        else:
            pages = [_json(made["context"]), _json(made["schema"]), _json(made["example"])]
        self._tabs.children[0].value, self._tabs.children[1].value, \
            self._tabs.children[2].value = pages
        self._tabs.children[3].value = sheet_html(self.definition, stylesheet=False)

    # --- static rendering ---------------------------------------------------------

    def snapshot_html(self) -> str:
        """The editor's state as static HTML: fields with their problems, then artefacts."""
        d = self.definition
        problems = self.problems
        rows = [{"path": path, "label": f.label, "selected": path == self.selected,
                 "kind": f"list of {f.datatype}" if f.multiple else f.datatype,
                 "required": f.required, "sensitivity": f.sensitivity, "status": f.status,
                 "problems": [p for p in problems if p.path == path]}
                for path, f in d.iter_fields()]
        made = self.artefacts()
        return html_views.render(
            "widgets/definition_editor.html", d=d,
            status=_count(len(problems)) if problems else "valid", rows=rows,
            other=[p for p in problems if not any(p.path == q for q, _ in d.iter_fields())],
            error=made.get("error"),
            artefacts=[(title, json.dumps(made[key], indent=2)) for title, key in
                       (("Context", "context"), ("JSON Schema", "schema"),
                        ("Example credential", "example"))] if "error" not in made else [])

    def __repr__(self) -> str:
        d = self.definition
        return (f"DefinitionEditor({d.credential_type} {d.version}:"
                f" {sum(1 for _ in d.iter_fields())} fields, {_count(len(self.problems))})")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return widget_bundle(self.widget, html=self.snapshot_html(), text=repr(self), **kwargs)
