"""Artefacts of a definition: context, JSON Schema, example credential, sheets, diff."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from coopcreds_proto.definitions.artefacts import (
    XSD,
    context_bytes,
    context_document,
    definition_loader,
    diff_definitions,
    example_credential,
    json_schema,
    schema_problems,
    sheet_html,
    sheet_markdown,
)
from coopcreds_proto.definitions.definition import (
    Field,
    definition_path,
    drop_field,
    list_definition_files,
    load_definition,
    with_field,
)
from coopcreds_proto.errors import InputError, UnsafeJsonLdError
from coopcreds_proto.vc.credentials import VC_V2_CONTEXT, issue
from coopcreds_proto.vc.samples import SAMPLE_CREATED, SAMPLE_NOW, sample_actors
from coopcreds_proto.vc.verification import verify_credential


@pytest.fixture(scope="module")
def v01():
    return load_definition(definition_path("cooperative-membership", "0.1"))


@pytest.fixture(scope="module")
def v02(v01):
    """A hand-made 0.2 (only for tests): one field dropped, one added, enum widened."""
    d = replace(v01, version="0.9", date="2026-03-10")
    d = drop_field(d, "membershipNumber", "0.9")
    d = with_field(d, Field("recognisedBy", "Recognised by", "Co-ops that recognise it.",
                            "iri", multiple=True, sensitivity="public", spheres=("work",),
                            since="0.9"))
    coop_type = d.field("memberOf.cooperativeType")
    d = with_field(d, replace(coop_type, values=(*coop_type.values, "housing")),
                   parent="memberOf")
    return with_field(d, replace(d.field("memberSince"), label="Member since (date)"))


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


def test_context_defines_every_term_protected_under_one_vocabulary(v01):
    ctx = context_document(v01)["@context"]
    assert ctx["@protected"] is True and ctx["@version"] == 1.1
    for path, f in v01.iter_fields(include_dropped=False):
        assert f.term in ctx, path
    for name, entry in ctx.items():
        if name.startswith("@") or name in ("id", "type"):
            continue
        iri = entry if isinstance(entry, str) else entry["@id"]
        if name in ("name", "description"):  # reused from VC 2.0, identically
            assert iri.startswith("https://schema.org/")
        else:
            assert iri == v01.vocab_base + name
    assert ctx["memberSince"]["@type"] == XSD + "date"
    assert ctx["identityAssurance"]["@type"] == "@id"
    assert ctx["verifiedBy"]["@type"] == "@id"
    assert ctx["votingRights"]["@type"] == XSD + "boolean"
    assert "@type" not in ctx["membershipStatus"]  # enum values are plain strings
    assert context_bytes(v01) == context_bytes(v01)  # deterministic


def test_published_v01_context_is_the_generated_one(v01):
    from coopcreds_proto.loader import OfflineDocumentLoader

    assert OfflineDocumentLoader.default().load(v01.context_url) == context_document(v01)


def test_example_validates_against_the_schema_and_a_bad_one_does_not(v01, actors):
    example = example_credential(v01, actors)
    assert schema_problems(v01, example) == []
    schema = json_schema(v01)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    bad = copy.deepcopy(example)
    subject = bad["credentialSubject"]
    del subject["memberSince"]
    subject["membershipStatus"] = "retired"
    subject["votingRights"] = "yes"
    subject["memberOf"]["cooperativeType"] = "club"
    subject["shoeSize"] = 42
    bad["@context"].append("https://example.org/other")
    problems = "\n".join(schema_problems(schema, bad))
    for needle in ("memberSince", "retired", "'yes'", "club", "shoeSize", "@context"):
        assert needle in problems


def test_example_issues_and_verifies_with_rdfc(v01, actors):
    loader = definition_loader(v01)
    signed = issue(example_credential(v01, actors), actors.coop, created=SAMPLE_CREATED,
                   loader=loader)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    result = verify_credential(signed, loader=loader, now=SAMPLE_NOW)
    assert result.verified, str(result)
    assert schema_problems(v01, signed) == []


def test_a_term_outside_the_definition_is_refused(v01, actors):
    loader = definition_loader(v01)
    signed = issue(example_credential(v01, actors), actors.coop, created=SAMPLE_CREATED,
                   loader=loader)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["creditScore"] = 720
    result = verify_credential(tampered, loader=loader, now=SAMPLE_NOW)
    assert not result.verified
    assert result.check("safe_jsonld").code == "undefined-term"
    unsigned = example_credential(v01, actors)
    unsigned["credentialSubject"]["identityAssurance"]["passportNumber"] = "X123"
    with pytest.raises(UnsafeJsonLdError) as info:  # the issuer refuses it too
        issue(unsigned, actors.coop, loader=loader)
    assert info.value.code == "undefined-term"
    assert info.value.path == "$.credentialSubject.identityAssurance.passportNumber"


def test_a_draft_version_gets_its_context_from_the_definition(v02, actors):
    loader = definition_loader(v02)
    assert v02.context_url in loader.urls
    assert "membershipNumber" not in context_document(v02)["@context"]
    example = example_credential(v02, actors)
    assert "membershipNumber" not in example["credentialSubject"]
    assert schema_problems(v02, example) == []
    signed = issue(example, actors.coop, created=SAMPLE_CREATED, loader=loader)
    assert verify_credential(signed, loader=loader, now=SAMPLE_NOW).verified


def test_a_published_version_cannot_be_changed_in_place(v01):
    changed = with_field(v01, Field("nickname", "Nickname", "d", "text"))
    with pytest.raises(InputError) as info:
        definition_loader(changed)
    assert info.value.code == "context-changed-after-publishing"
    # Editorial changes leave the context as it is, so they are fine.
    definition_loader(replace(v01, summary="Reworded."))


def test_sheets_are_readable_and_escaped(v01):
    md = sheet_markdown(v01)
    assert "## Membership number — **for discussion**" in md
    assert "Who sees it:** personal: Only those the member chooses" in md
    assert "Why it is there" in md and "### Kind of co-operative" in md
    tricky = with_field(v01, Field("motto", "<script>alert(1)</script>", "A & B", "text"))
    page = sheet_html(tricky)
    assert "<script>" not in page and "&lt;script&gt;" in page and "A &amp; B" in page


def test_diff_names_every_change_and_classifies_it(v01, v02):
    diff = diff_definitions(v01, v02)
    by_path = {c.path: c for c in diff.changes}
    assert by_path["membershipNumber"].kind == "removed" and by_path["membershipNumber"].breaking
    assert by_path["recognisedBy"].kind == "added"
    assert by_path["recognisedBy"].impact == "additive"
    assert by_path["memberOf.cooperativeType"].impact == "additive"
    assert by_path["memberSince"].impact == "editorial"
    assert by_path["memberSince"].attributes == ("label",)
    assert set(by_path) == {"membershipNumber", "recognisedBy", "memberOf.cooperativeType",
                            "memberSince"}
    assert diff.breaking and diff.impact == "breaking"
    assert "removed `membershipNumber` (breaking)" in diff.to_markdown()
    assert "<code>recognisedBy</code>" in diff._repr_html_()
    assert diff_definitions(v01, v01).impact == "none"


@pytest.mark.parametrize(
    ("change", "impact"),
    [
        (lambda f: replace(f, datatype="text", values=()), "breaking"),   # datatype
        (lambda f: replace(f, values=f.values[:1]), "breaking"),          # enum narrowed
        (lambda f: replace(f, values=(*f.values, "honorary")), "additive"),
        (lambda f: replace(f, required=False), "additive"),
        (lambda f: replace(f, description="Reworded."), "editorial"),
        (lambda f: replace(f, sensitivity="public"), "editorial"),
    ],
)
def test_diff_impact_of_field_changes(v01, change, impact):
    new = with_field(v01, change(v01.field("membershipStatus")))
    assert diff_definitions(v01, new).impact == impact


def test_diff_optional_to_required_and_new_required_are_breaking(v01):
    required = with_field(v01, replace(v01.field("roles"), required=True))
    assert diff_definitions(v01, required).impact == "breaking"
    new_required = with_field(v01, Field("joinedVia", "Joined via", "d", "text", required=True))
    assert diff_definitions(v01, new_required).breaking
    renamed_type = replace(v01, credential_type="CoopMembershipCredential")
    assert diff_definitions(v01, renamed_type).metadata[0].path == "credential_type"
    assert VC_V2_CONTEXT in example_credential(v01)["@context"]


@pytest.mark.parametrize(
    "path", list_definition_files("cooperative-membership"), ids=lambda p: p.stem
)
def test_every_version_in_data_issues_verifies_and_fits_its_schema(path, actors):
    d = load_definition(path)
    loader = definition_loader(d)  # a published version must match its pinned context
    example = example_credential(d, actors)
    assert schema_problems(d, example) == []
    signed = issue(example, actors.coop, created=SAMPLE_CREATED, loader=loader)
    assert verify_credential(signed, loader=loader, now=SAMPLE_NOW).verified
    extra = copy.deepcopy(signed)
    extra["credentialSubject"]["undefinedClaim"] = True
    assert not verify_credential(extra, loader=loader, now=SAMPLE_NOW).verified
