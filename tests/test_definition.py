"""Credential definitions: reading, checking (every problem by field), writing, editing."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from coopcreds_proto.definitions.definition import (
    AdoptionDecision,
    DefinitionError,
    Field,
    definition_digest,
    definition_from_text,
    definition_path,
    definition_problems,
    definition_to_dict,
    definition_to_yaml,
    drop_field,
    list_definition_files,
    load_definition,
    next_version,
    parse_definition,
    remove_field,
    save_definition,
    with_field,
)
from coopcreds_proto.errors import InputError

V01 = definition_path("cooperative-membership", "0.1")


@pytest.fixture(scope="module")
def v01():
    return load_definition(V01)


def _field(term, datatype="text", **more):
    return {"term": term, "label": term.title(), "description": f"The {term}.",
            "datatype": datatype, **more}


def _codes(exc: DefinitionError) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in exc.problems}


def test_v01_covers_what_the_issue_asks(v01):
    paths = {p for p, _ in v01.iter_fields()}
    assert {"memberOf", "memberOf.name", "memberOf.registeredIdentifier",
            "memberOf.jurisdiction", "memberOf.sector", "memberOf.cooperativeType",
            "membershipNumber", "membershipClass", "memberSince", "membershipStatus",
            "votingRights", "roles", "identityAssurance", "identityAssurance.assuranceLevel",
            "identityAssurance.verifiedBy", "identityAssurance.verifiedOn",
            "benefits"} <= paths
    assert set(v01.field("memberOf.cooperativeType").values) == {
        "consumer", "worker", "producer", "multi-stakeholder", "co-op-of-co-ops"}
    for path, f in v01.iter_fields():
        assert f.rationale and f.description and f.spheres, path
    assert any(f.for_discussion for _, f in v01.iter_fields())
    assert v01.status == "draft" and v01.version == "0.1"
    assert list_definition_files("cooperative-membership")[0] == V01


def test_round_trip_through_yaml_keeps_the_definition_and_its_digest(v01):
    again = definition_from_text(definition_to_yaml(v01))
    assert again == v01
    assert definition_digest(again) == definition_digest(v01)
    assert parse_definition(definition_to_dict(v01)) == v01


def test_every_problem_is_listed_by_field(v01):
    data = definition_to_dict(v01)
    data["fields"] += [
        _field("membershipNumber"),                       # duplicate
        _field("id"), _field("@graph"), _field("type"),   # reserved
        _field("issuer"),                                 # VC 2.0 term, other meaning
        _field("validFrom", "date"),
        _field("level", "enum"),                          # enum without values
        _field("shoeSize", "float"),                      # unknown datatype
        _field("address", "object"),                      # object without fields
    ]
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, "bad.yaml")
    found = _codes(info.value)
    assert {
        ("membershipNumber", "duplicate-term"),
        ("id", "reserved-term"), ("@graph", "reserved-term"), ("type", "reserved-term"),
        ("issuer", "protected-term"), ("validFrom", "protected-term"),
        ("level", "enum-without-values"), ("shoeSize", "unknown-datatype"),
        ("address", "object-without-fields"),
    } <= found
    assert info.value.code == "invalid-definition"
    assert str(info.value).startswith(f"bad.yaml: {len(info.value.problems)} problems")


def test_nested_problems_carry_the_nested_path(v01):
    data = definition_to_dict(v01)
    member_of = next(f for f in data["fields"] if f["term"] == "memberOf")
    member_of["fields"].append(_field("sector"))
    member_of["fields"].append(_field("credentialSubject"))
    with pytest.raises(DefinitionError) as info:
        parse_definition(data)
    assert {("memberOf.sector", "duplicate-term"),
            ("memberOf.credentialSubject", "protected-term")} <= _codes(info.value)


def test_reusing_a_vc_term_with_its_meaning_is_fine_but_not_with_another(v01):
    assert v01.field("name").datatype == "text"  # name reused: no problem
    assert definition_problems(v01) == ()
    changed = with_field(v01, replace(v01.field("name"), datatype="date"))
    assert ("name", "protected-term") in {(p.path, p.code) for p in definition_problems(changed)}


def test_type_names_cannot_take_vc_terms(v01):
    clash = replace(v01, subject_type="JsonSchema")
    clash = with_field(clash, replace(clash.field("memberOf"), object_type="VerifiableCredential"))
    found = {(p.path, p.code) for p in definition_problems(clash)}
    assert {("subject_type", "protected-term"), ("memberOf", "protected-term")} <= found


def test_one_term_one_meaning_across_objects(v01):
    clash = with_field(v01, Field("sector", "S", "d", "integer"), parent="identityAssurance")
    assert ("identityAssurance.sector", "conflicting-term") in {
        (p.path, p.code) for p in definition_problems(clash)}


def test_shape_problems_are_collected_together():
    text = """
slug: Bad Slug
name: x
credential_type: lowercase
subject_type: Member
version: 0.1
date: 2026-13-01
context_base: http://insecure.example
vocab_base: https://example.org/v#
colour: blue
fields:
  - term: a
    label: A
    description: A.
    datatype: text
    required: maybe
    spheres: [legal, kitchen]
"""
    with pytest.raises(DefinitionError) as info:
        definition_from_text(text, "t.yaml")
    codes = {p.code for p in info.value.problems}
    assert {"bad-slug", "bad-type-name", "bad-version", "bad-date", "bad-url", "unknown-key",
            "not-boolean", "bad-sphere"} <= codes


def test_unusable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError) as info:
        definition_from_text("a: [unclosed", "x.yaml")
    assert info.value.code == "not-yaml"
    with pytest.raises(InputError) as info:
        definition_from_text("a: &x [1]\nb: *x\n")
    assert info.value.code == "not-yaml" and "aliases" in info.value.message
    with pytest.raises(DefinitionError):
        definition_from_text("- just a list")
    with pytest.raises(InputError) as info:
        load_definition(tmp_path / "missing.yaml")
    assert info.value.code == "definition-missing"


def test_save_checks_first_and_never_writes_partially(tmp_path, v01):
    target = tmp_path / "v0.2.yaml"
    broken = with_field(v01, Field("id", "Id", "d", "text"))
    with pytest.raises(DefinitionError):
        save_definition(broken, target)
    assert list(tmp_path.iterdir()) == []
    save_definition(v01, target)
    assert load_definition(target) == v01
    save_definition(v01, target)  # same content again: fine
    other = replace(v01, summary="Another summary.")
    with pytest.raises(InputError) as info:
        save_definition(other, target)
    assert info.value.code == "definition-exists"
    assert load_definition(target) == v01
    save_definition(other, target, overwrite=True)
    assert load_definition(target).summary == "Another summary."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v0.2.yaml"]  # no temp files left


def test_editing_functions(v01):
    added = with_field(v01, Field("email", "Email", "Contact email.", "text", since="0.2"),
                       parent="memberOf")
    assert added.field("memberOf.email").since == "0.2"
    assert v01 != added and "memberOf.email" not in dict(v01.iter_fields())
    dropped = drop_field(v01, "membershipNumber", "0.2")
    assert dropped.field("membershipNumber").status == "dropped"
    assert "membershipNumber" not in {f.term for f in dropped.active_fields}
    gone = remove_field(v01, "identityAssurance.verifiedOn")
    with pytest.raises(KeyError):
        gone.field("identityAssurance.verifiedOn")
    with pytest.raises(KeyError):
        drop_field(v01, "nope")
    v02 = next_version(v01, "0.2", "2026-03-10", "Second draft.")
    assert (v02.version, v02.status, v02.changelog[-1].change) == ("0.2", "draft", "Second draft.")
    assert v02.context_url.endswith("/v0.2")


@pytest.mark.parametrize(
    ("rule", "votes", "passed"),
    [("majority", (11, 10, 5), True), ("majority", (10, 10, 0), False),
     ("two-thirds", (20, 10, 9), True), ("two-thirds", (19, 10, 0), False),
     ("majority", (0, 0, 7), False), ("unanimity", (9, 0, 0), False)],
)
def test_adoption_rules(rule, votes, passed):
    assert AdoptionDecision("2026-03-01", rule, *votes).passed is passed


def test_adopted_status_needs_a_passed_decision(v01):
    data = copy.deepcopy(definition_to_dict(v01))
    data["status"] = "adopted"
    with pytest.raises(DefinitionError) as info:
        parse_definition(data)
    assert ("status", "not-adopted") in _codes(info.value)
