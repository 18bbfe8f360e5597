"""The field editor: typing updates the definition, artefacts and inline problems."""

from __future__ import annotations

import json

import pytest

from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.widgets.definition import DefinitionEditor


@pytest.fixture
def editor():
    return DefinitionEditor(load_definition(definition_path("cooperative-membership", "0.1")))


def _tab(editor, i):
    return editor._tabs.children[i].value


def test_typing_updates_context_schema_and_example(editor):
    editor.select("membershipClass")
    editor.controls["term"].value = "memberClass"
    assert editor.selected == "memberClass"
    assert "memberClass" in _tab(editor, 0) and "membershipClass" not in _tab(editor, 0)
    assert "memberClass" in _tab(editor, 1) and "memberClass" in _tab(editor, 2)
    editor.controls["datatype"].value = "enum"
    editor.controls["values"].value = "consumer, worker"
    assert editor.definition.field("memberClass").values == ("consumer", "worker")
    assert editor.problems == ()
    assert "&#34;consumer&#34;" in _tab(editor, 2)  # the example follows the new type


def test_problems_show_next_to_the_field(editor):
    editor.select("memberOf.sector")
    editor.controls["term"].value = "type"
    assert "reserved" in editor._field_problems.value
    assert "memberOf.type" in editor._all_problems.value
    assert any(label.endswith("⚠") for label, _ in editor._picker.options)
    editor.controls["term"].value = "sector"
    assert editor._field_problems.value.endswith("none</span>")


def test_add_and_drop_fields(editor):
    editor._new_term.value = "joinedVia"
    editor._add_button.click()
    assert editor.selected == "joinedVia"
    assert [p.code for p in editor.problems] == ["missing-description"]
    editor.controls["description"].value = "How the member joined."
    assert editor.problems == ()
    assert "joinedVia" in json.dumps(editor.artefacts()["context"])
    editor._drop_button.click()
    with pytest.raises(KeyError):
        editor.definition.field("joinedVia")
    editor.add_field("floor", parent="memberOf", datatype="integer", description="Floor.")
    assert editor.definition.field("memberOf.floor").datatype == "integer"


def test_static_rendering(editor):
    editor.select("membershipStatus")
    editor.edit(values=())
    bundle = editor._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].endswith("18 fields, 1 problem)")
    page = bundle["text/html"]
    assert "an enum needs its allowed values" in page and "<summary>Context</summary>" in page
    assert editor.definition.field("membershipStatus").example is None  # stale example cleared
