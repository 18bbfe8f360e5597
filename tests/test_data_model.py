"""The VC 2.0 data model, both ways: each rule refuses issuing and fails verification, with its code.

Every case breaks one rule of ``vc.data_model`` in the sample membership
credential (or a presentation of it). ``issue`` must refuse it before signing;
the same document signed anyway, with the hazmat ``proofs.add_proof`` that
checks no data model, must fail the verifier's first check (``well_formed``)
with the same code and path. Where the JSON-LD processor itself refuses to
sign the document (``signs=False``: a list as an id, a number as a context...),
the proof of a well-formed credential is put on it instead: ``well_formed``
runs before the signature is looked at.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from coopcreds_proto.errors import CoopCredsError, InputError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.proofs import ProofOptions, add_proof
from coopcreds_proto.purposes import AuthenticationPurpose
from coopcreds_proto.vc.credentials import check_credential_shape, issue
from coopcreds_proto.vc.data_model import RULES, VC_V2_CONTEXT, check_credential, rule
from coopcreds_proto.vc.presentations import (
    check_presentation_shape,
    create_presentation,
    sign_presentation,
    verify_presentation,
)
from coopcreds_proto.vc.related_resources import digest_multibase, sri
from coopcreds_proto.vc.samples import (
    COOPCREDS_CONTEXT,
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import verify_credential

ACTORS = sample_actors()
CHALLENGE, DOMAIN = "c-data-model", "https://coop.example"
VOCAB = "https://coop.example/vocab#"
LOADER = OfflineDocumentLoader.default()


def _bundled(url: str) -> bytes:
    return next(c.content for c in LOADER.contexts if c.url == url)


V2_BYTES = _bundled(VC_V2_CONTEXT)
COOPCREDS_BYTES = _bundled(COOPCREDS_CONTEXT)


def _unsigned() -> dict:
    return sample_membership_credential(ACTORS)


SIGNED = issue(_unsigned(), ACTORS.coop, created=SAMPLE_CREATED)


def _set(**values: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc.update(values)

    return change


def _drop(name: str) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        del doc[name]

    return change


def _subject(**claims: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc["credentialSubject"].update(claims)

    return change


def _issuer(**fields: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc["issuer"] = {**doc["issuer"], **fields}

    return change


@dataclass(frozen=True)
class Case:
    """One broken rule: how the sample credential is changed, the code and the path."""

    change: Callable[[dict], None]
    code: str
    path: str
    signs: bool = True  # whether add_proof (JSON-LD processing) accepts the document


def _typed(name: str, code: str, entry: object, **more: object) -> dict[str, Case]:
    return {
        f"{name} without a type": Case(_set(**{name: entry}), code, f"$.{name}", **more),
        f"{name} list with an entry without a type": Case(
            _set(**{name: [{"id": "https://coop.example/x/1", "type": VOCAB + "Kind"}, entry]}),
            code, f"$.{name}[1]", **more,
        ),
        f"{name} as a string": Case(
            _set(**{name: "https://coop.example/x/2"}), code, f"$.{name}", **more
        ),
    }


CASES: dict[str, Case] = {
    # Contexts
    "no @context": Case(_drop("@context"), "first-context", "$.@context", signs=False),
    "another context first": Case(
        _set(**{"@context": [COOPCREDS_CONTEXT, VC_V2_CONTEXT]}), "first-context", "$.@context"
    ),
    "a number as a later context": Case(
        _set(**{"@context": [VC_V2_CONTEXT, COOPCREDS_CONTEXT, 42]}),
        "bad-context-entry", "$.@context[2]", signs=False,
    ),
    "a later context that is not a URL": Case(
        _set(**{"@context": [VC_V2_CONTEXT, "https ://coop.example/ctx"]}),
        "bad-context-entry", "$.@context[1]", signs=False,
    ),
    # Types
    "a type that is a number": Case(
        _set(type=["VerifiableCredential", 7]), "bad-type-value", "$.type[1]", signs=False
    ),
    "no VerifiableCredential type": Case(
        _set(type=["CooperativeMembershipCredential"]), "not-a-credential", "$.type", signs=False
    ),
    "no type at all": Case(_drop("type"), "not-a-credential", "$.type", signs=False),
    # Identifiers
    "a credential id that is not a URL": Case(
        _set(id="membership-42"), "bad-id", "$.id", signs=False
    ),
    "a credential id that is a list": Case(
        _set(id=["urn:uuid:1", "urn:uuid:2"]), "bad-id", "$.id", signs=False
    ),
    "a subject id that is not a URL": Case(
        _subject(id="ada"), "bad-id", "$.credentialSubject.id", signs=False
    ),
    "a status id that is not a URL": Case(
        _set(credentialStatus={"id": "status 3", "type": VOCAB + "Status"}),
        "bad-id", "$.credentialStatus.id", signs=False,
    ),
    "an evidence id that is null": Case(
        _set(evidence={"id": None, "type": VOCAB + "Minutes"}),
        "bad-id", "$.evidence.id", signs=False,
    ),
    # Names and descriptions
    "a name that is a number": Case(_set(name=42), "bad-name-or-description", "$.name"),
    "a description that is an empty list": Case(
        _set(description=[]), "bad-name-or-description", "$.description"
    ),
    "a language value object with another key": Case(
        _set(name={"@value": "Membership", "@language": "en", "url": "https://x.example"}),
        "bad-name-or-description", "$.name.url", signs=False,
    ),
    "a language value object with a bad direction": Case(
        _set(name=[{"@value": "Aelodaeth", "@language": "cy", "@direction": "up"}]),
        "bad-name-or-description", "$.name[0].@direction", signs=False,
    ),
    "an issuer name that is an object": Case(
        _issuer(name={"first": "Riverside"}), "bad-name-or-description", "$.issuer.name",
        signs=False,
    ),
    # Issuer
    "no issuer": Case(_drop("issuer"), "bad-issuer", "$.issuer"),
    "an issuer that is not a URL": Case(
        _set(issuer="Riverside"), "bad-issuer", "$.issuer", signs=False
    ),
    "an issuer object without an id": Case(
        _set(issuer={"name": "Riverside"}), "bad-issuer", "$.issuer.id"
    ),
    # Credential subject
    "no credentialSubject": Case(_drop("credentialSubject"), "bad-subject", "$.credentialSubject"),
    "an empty credentialSubject": Case(
        _set(credentialSubject={}), "bad-subject", "$.credentialSubject"
    ),
    "an empty subject in a list": Case(
        _set(credentialSubject=[{"id": ACTORS.member.did}, {}]),
        "bad-subject", "$.credentialSubject[1]",
    ),
    "a subject that is a string": Case(
        _set(credentialSubject=ACTORS.member.did), "bad-subject", "$.credentialSubject"
    ),
    # Validity period
    "validFrom without a time zone": Case(
        _set(validFrom="2026-01-15T00:00:00"), "bad-timestamp", "$.validFrom"
    ),
    "validUntil as a date": Case(_set(validUntil="2027-01-15"), "bad-timestamp", "$.validUntil"),
    "validFrom after validUntil": Case(
        _set(validFrom="2027-02-01T00:00:00Z"), "bad-validity", "$.validUntil"
    ),
    # Typed entries
    **_typed("credentialStatus", "bad-status", {"id": "https://coop.example/status/3#1"}),
    "a status type that is a number": Case(
        _set(credentialStatus={"id": "https://coop.example/status/3#1", "type": 2}),
        "bad-status", "$.credentialStatus.type", signs=False,
    ),
    **_typed("credentialSchema", "bad-credential-schema", {"id": "https://coop.example/s/1"}),
    "a schema without an id": Case(
        _set(credentialSchema={"type": "JsonSchema"}), "bad-credential-schema",
        "$.credentialSchema",
    ),
    **_typed("refreshService", "bad-refresh-service", {"id": "https://coop.example/refresh"}),
    **_typed("termsOfUse", "bad-terms-of-use", {"id": "https://coop.example/terms"}),
    **_typed("evidence", "bad-evidence", {"id": "https://coop.example/minutes/7"}),
    "an empty evidence list": Case(_set(evidence=[]), "bad-evidence", "$.evidence"),
    **_typed("renderMethod", "bad-render-method", {"id": "https://coop.example/card.svg"}),
    **_typed("confidenceMethod", "bad-confidence-method", {"id": "https://coop.example/c"}),
    # Related resources
    "a related resource that is a string": Case(
        _set(relatedResource=[VC_V2_CONTEXT]), "bad-related-resource", "$.relatedResource[0]"
    ),
    "a related resource without an id": Case(
        _set(relatedResource=[{"digestSRI": sri(V2_BYTES)}]),
        "bad-related-resource", "$.relatedResource[0]",
    ),
    "a related resource id that is not a URL": Case(
        _set(relatedResource=[{"id": "v2", "digestSRI": sri(V2_BYTES)}]),
        "bad-id", "$.relatedResource[0].id", signs=False,
    ),
    "a related resource with a malformed media type": Case(
        _set(relatedResource={"id": VC_V2_CONTEXT, "mediaType": "json",
                              "digestSRI": sri(V2_BYTES)}),
        "bad-related-resource", "$.relatedResource.mediaType",
    ),
    "the same related resource twice": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT, "digestSRI": sri(V2_BYTES)},
                              {"id": VC_V2_CONTEXT, "digestMultibase": digest_multibase(V2_BYTES)}]),
        "duplicate-related-resource", "$.relatedResource[1].id",
    ),
    "a related resource without a digest": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT}]),
        "related-resource-no-digest", "$.relatedResource[0]",
    ),
    "a digestSRI that is not base64": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT, "digestSRI": "sha384-not*base64"}]),
        "sri-malformed", "$.relatedResource[0].digestSRI",
    ),
    "a digestSRI of an unknown algorithm only": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT, "digestSRI": "md5-AAAA"}]),
        "sri-malformed", "$.relatedResource[0].digestSRI",
    ),
    "a digestMultibase in base64 with padding": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT, "digestMultibase": "mAAAA="}]),
        "digest-multibase-malformed", "$.relatedResource[0].digestMultibase",
    ),
    "a digestMultibase of the wrong length": Case(
        _set(relatedResource=[{"id": VC_V2_CONTEXT, "digestMultibase": ["uAAAA"]}]),
        "digest-multibase-malformed", "$.relatedResource[0].digestMultibase[0]",
    ),
}


def _broken(case: Case) -> dict:
    doc = _unsigned()
    case.change(doc)
    return doc


def _hand_signed(doc: dict, *, signs: bool) -> dict:
    """``doc`` signed by the sample co-op with add_proof, which checks no data model; a
    document that JSON-LD processing refuses gets the proof of a well-formed credential."""
    if signs:
        return add_proof(doc, ACTORS.coop, ProofOptions(created=SAMPLE_CREATED))
    with pytest.raises(CoopCredsError):
        add_proof(doc, ACTORS.coop, ProofOptions(created=SAMPLE_CREATED))
    return {**doc, "proof": copy.deepcopy(SIGNED["proof"])}


def _first_failed(result) -> tuple[str, str | None, str]:
    failed = [c for c in result.checks if c.failed]
    return failed[0].name, failed[0].code, failed[0].message


def test_every_rule_is_broken_by_a_case_here_or_among_the_presentation_cases() -> None:
    broken = {case.code for case in CASES.values()} | {code for _, code, _ in VP_CASES.values()}
    # The VC 1.1 rules (for credentials read from other issuers) are broken in test_vc_v1.py.
    assert {r.code for r in RULES if r.version == "2.0"} <= broken | {
        "not-an-object", "not-a-presentation"}
    assert "not-an-object" in {code for _, code, _ in GARBAGE}


@pytest.mark.parametrize("name", sorted(CASES))
def test_issue_refuses_before_signing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    signed: list[bytes] = []
    original = type(ACTORS.coop).sign
    monkeypatch.setattr(type(ACTORS.coop), "sign",
                        lambda key, data: signed.append(data) or original(key, data))
    with pytest.raises(InputError) as refused:
        issue(_broken(case), ACTORS.coop, created=SAMPLE_CREATED, allow_inline_contexts=True)
    assert (refused.value.code, refused.value.path) == (case.code, case.path)
    assert signed == []
    assert rule(case.code).statement  # every code a case expects is a rule of the data model


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_fails_well_formed_on_a_hand_signed_document(name: str) -> None:
    case = CASES[name]
    result = verify_credential(_hand_signed(_broken(case), signs=case.signs), now=SAMPLE_NOW)
    assert not result.verified
    check, code, message = _first_failed(result)
    assert (check, code) == ("well_formed", case.code), str(result)
    assert message.endswith(f"(at {case.path})") or case.path in message
    assert all(c.skipped for c in result.checks if c.name != "well_formed")


GARBAGE = [
    ([], "not-an-object", "$"),
    ("a credential", "not-an-object", "$"),
    ({"type": ["NonconformingDocument"]}, "first-context", "$.@context"),  # the W3C suite's
]


@pytest.mark.parametrize(("document", "code", "path"), GARBAGE)
def test_what_is_not_a_credential_at_all_is_refused_by_name(document, code, path) -> None:
    with pytest.raises(InputError) as refused:
        check_credential_shape(document)
    assert (refused.value.code, refused.value.path) == (code, path)
    result = verify_credential(json.dumps(document), now=SAMPLE_NOW)
    assert result.check("well_formed").code == code


def test_a_credential_with_every_optional_part_well_formed_is_issued_and_verified() -> None:
    doc = _unsigned()
    doc.update({
        "name": [{"@value": "Co-operative membership", "@language": "en"},
                 {"@value": "Aelodaeth gydweithredol", "@language": "cy", "@direction": "ltr"}],
        "description": {"@value": "Membership of Riverside Food Co-operative",
                        "@language": "en"},
        "evidence": [{"id": "https://coop.example/minutes/7", "type": VOCAB + "BoardMinutes"}],
        "termsOfUse": {"type": VOCAB + "MemberPolicy"},
        "refreshService": {"id": "https://coop.example/refresh", "type": VOCAB + "Refresh"},
        "renderMethod": {"type": VOCAB + "SvgCard"},
        "confidenceMethod": [{"type": VOCAB + "InPerson"}],
        "relatedResource": [
            {"id": VC_V2_CONTEXT, "digestSRI": sri(V2_BYTES), "mediaType": "application/ld+json"},
            {"id": COOPCREDS_CONTEXT, "digestMultibase": digest_multibase(COOPCREDS_BYTES)},
            {"id": "https://elsewhere.example/rules.pdf", "digestSRI": sri(b"rules")},
        ],
    })
    check_credential(doc)
    signed = issue(doc, ACTORS.coop, created=SAMPLE_CREATED)
    result = verify_credential(signed, now=SAMPLE_NOW)
    assert result.verified, str(result)


# -- related resources the workbench holds ------------------------------------------------


def _pinned_v2(**digests: object) -> dict:
    doc = _unsigned()
    doc["relatedResource"] = [{"id": VC_V2_CONTEXT, **digests}]
    return doc


WRONG = {
    "digestSRI": sri(b"another v2 context", "sha384"),
    "digestMultibase": digest_multibase(b"another v2 context"),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_pinned_context_whose_bundled_bytes_differ_is_refused_both_ways(name: str) -> None:
    doc = _pinned_v2(**{name: WRONG[name]})
    check_credential(doc)  # well-formed: the digest is readable
    with pytest.raises(InputError) as refused:
        issue(doc, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "related-resource-mismatch"
    assert refused.value.path == f"$.relatedResource[0].{name}"
    assert "changed since the credential was issued" in refused.value.message
    result = verify_credential(_hand_signed(doc, signs=True), now=SAMPLE_NOW)
    assert _first_failed(result)[:2] == ("well_formed", "related-resource-mismatch")


def test_every_digest_given_must_match() -> None:
    doc = _pinned_v2(digestSRI=sri(V2_BYTES), digestMultibase=WRONG["digestMultibase"])
    with pytest.raises(InputError) as refused:
        issue(doc, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.path == "$.relatedResource[0].digestMultibase"


# -- presentations ---------------------------------------------------------------------------


def _vp(**changes: object) -> dict:
    vp = create_presentation([SIGNED], ACTORS.member.did)
    vp.update(changes)
    return vp


def _unsigned_vc() -> dict:
    return {**_unsigned(), "issuer": ACTORS.member.did}


ENVELOPED = {
    "@context": VC_V2_CONTEXT,
    "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.e30.sig",
    "type": "EnvelopedVerifiableCredential",
}
VP_CASES: dict[str, tuple[dict, str, str]] = {
    "no @context": ({k: v for k, v in _vp().items() if k != "@context"},
                    "first-context", "$.@context"),
    "a later context that is a number": (_vp(**{"@context": [VC_V2_CONTEXT, 3]}),
                                         "bad-context-entry", "$.@context[1]"),
    "a type that is an object": (_vp(type=["VerifiablePresentation", {}]),
                                 "bad-type-value", "$.type[1]"),
    "no VerifiablePresentation type": (_vp(type=["VerifiableCredential"]),
                                       "not-a-presentation", "$.type"),
    "an id that is not a URL": (_vp(id="presentation 1"), "bad-id", "$.id"),
    "a name that is a list of numbers": (_vp(name=[1]), "bad-name-or-description", "$.name[0]"),
    "a holder that is not a URL": (_vp(holder="ada"), "bad-holder", "$.holder"),
    "a holder object without an id": (_vp(holder={"name": "Ada"}), "bad-holder", "$.holder.id"),
    "a credential as a string": (_vp(verifiableCredential=["eyJhbGciOi..."]),
                                 "bad-embedded-credential", "$.verifiableCredential[0]"),
    "an empty list of credentials": (_vp(verifiableCredential=[]),
                                     "bad-embedded-credential", "$.verifiableCredential"),
    "a credential breaking a credential rule": (
        _vp(verifiableCredential=[{**SIGNED, "evidence": {"id": "https://coop.example/m"}}]),
        "bad-evidence", "$.verifiableCredential[0].evidence",
    ),
    "an unsigned credential and no holder": (
        {k: v for k, v in _vp(verifiableCredential=[_unsigned_vc()]).items() if k != "holder"},
        "holder-required", "$.holder",
    ),
    "an unsigned credential the holder did not issue": (
        _vp(verifiableCredential=[_unsigned()]),
        "unsecured-credential", "$.verifiableCredential[0].proof",
    ),
    "an enveloped credential without its type": (
        _vp(verifiableCredential=[{k: v for k, v in ENVELOPED.items() if k != "type"}]),
        "bad-enveloped-credential", "$.verifiableCredential[0].type",
    ),
    "an enveloped credential whose id is not a data: URL": (
        _vp(verifiableCredential=[{**ENVELOPED, "id": "eyJhbGciOiJFUzI1NiJ9.e30.sig"}]),
        "bad-enveloped-credential", "$.verifiableCredential[0].id",
    ),
    "an enveloped credential without the VC 2.0 context": (
        _vp(verifiableCredential=[{**ENVELOPED, "@context": []}]),
        "bad-enveloped-credential", "$.verifiableCredential[0].@context",
    ),
}


def _vp_signed(vp: dict) -> dict:
    options = ProofOptions(purpose=AuthenticationPurpose(CHALLENGE, DOMAIN), created=SAMPLE_NOW)
    try:
        return add_proof(vp, ACTORS.member, options)
    except CoopCredsError:  # JSON-LD refuses it: well_formed runs before the signature anyway
        good = add_proof(_vp(), ACTORS.member, options)
        return {**vp, "proof": good["proof"]}


@pytest.mark.parametrize("name", sorted(VP_CASES))
def test_a_presentation_breaking_a_rule_is_neither_signed_nor_verified(name: str) -> None:
    vp, code, path = VP_CASES[name]
    with pytest.raises(InputError) as refused:
        sign_presentation(vp, ACTORS.member, challenge=CHALLENGE, domain=DOMAIN,
                          created=SAMPLE_NOW)
    assert (refused.value.code, refused.value.path) == (code, path)
    result = verify_presentation(_vp_signed(vp), challenge=CHALLENGE, domain=DOMAIN,
                                 now=SAMPLE_NOW)
    assert not result.verified
    assert _first_failed(result)[:2] == ("well_formed", code), str(result)


def test_a_well_formed_enveloped_credential_is_refused_by_name_when_verified() -> None:
    vp = _vp(verifiableCredential=[SIGNED, ENVELOPED])
    check_presentation_shape(vp)  # the envelope is well-formed
    result = verify_presentation(_vp_signed(vp), challenge=CHALLENGE, domain=DOMAIN,
                                 now=SAMPLE_NOW)
    assert _first_failed(result)[:2] == ("credentials", "credential-not-verified")
    assert "credential 2 of 2" in result.check("credentials").message
    assert "Data Integrity proofs only" in result.check("credentials").message
    assert result.credential_results[1].check("well_formed").code == "enveloped-unsupported"
    with pytest.raises(InputError) as refused:
        check_credential_shape(ENVELOPED)
    assert refused.value.code == "enveloped-unsupported"


def test_an_enveloped_presentation_is_refused_by_name() -> None:
    enveloped = {**ENVELOPED, "type": "EnvelopedVerifiablePresentation",
                 "id": "data:application/vp+jwt,eyJ9.e30.sig"}
    result = verify_presentation(enveloped, challenge=CHALLENGE, domain=DOMAIN, now=SAMPLE_NOW)
    assert result.check("well_formed").code == "enveloped-unsupported"


def test_a_presentation_without_holder_is_well_formed() -> None:
    vp = {k: v for k, v in _vp().items() if k != "holder"}
    check_presentation_shape(vp)


# -- the rules themselves --------------------------------------------------------------------


def test_each_rule_names_its_section_of_the_specification() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    for entry in RULES:
        assert entry.statement.endswith(".") and entry.section
        assert entry.url.startswith(
            "https://www.w3.org/TR/vc-data-model-2.0/#" if entry.version == "2.0"
            else "https://www.w3.org/TR/vc-data-model-1.1/#")
    assert rule("bad-related-resource").url.endswith("#integrity-of-related-resources")
    with pytest.raises(KeyError):
        rule("no-such-rule")


def test_the_error_messages_say_what_is_expected_in_plain_words() -> None:
    with pytest.raises(InputError) as refused:
        check_credential(_broken(CASES["termsOfUse without a type"]))
    assert str(refused.value) == (
        "a termsOfUse entry must say what kind of policy it is: it needs a type (at $.termsOfUse)"
    )
    with pytest.raises(InputError) as refused:
        check_credential(_broken(CASES["the same related resource twice"]))
    assert refused.value.message == (
        f"{VC_V2_CONTEXT} is listed twice in relatedResource (also at $.relatedResource[0]):"
        " each resource is pinned once"
    )


def test_a_cyclic_or_odd_python_value_is_refused_not_crashed() -> None:
    doc = _unsigned()
    doc["credentialSubject"]["self"] = doc["credentialSubject"]  # a cycle: never JSON
    doc["evidence"] = {("not", "json"): 1}
    with pytest.raises(InputError) as refused:
        check_credential(doc)
    assert refused.value.code == "bad-evidence"
