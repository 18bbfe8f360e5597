"""The W3C VC 2.0 data model test suite's documents: each refused for its intended reason, or accepted.

The input documents are copied from the W3C ``vc-data-model-2.0-test-suite``
(``tests/vectors/vc-data-model-2.0/``; origin and licence in
``tests/vectors/README-w3c-vectors.md``). The suite hands a credential to an
issuer, which fills in its own ``issuer`` as the suite's ``createRequestBody``
does (``_as_issued``), and a presentation to a verifier; it signs the
credentials inside a presentation it expects to pass (``createLocalVp``). Here
each credential the suite expects refused is refused by ``issue`` and, signed
anyway with the hazmat ``add_proof``, by the verifier's ``well_formed`` check,
with the code and path of the rule it breaks; each presentation likewise by
``check_presentation_shape`` and the verifier. The documents the suite expects
accepted break no rule.

Left out (they are about JSON-LD processing or proofs, not the data model's
JSON rules): ``credential-redef-type*``, ``credential-type-mapped-*``,
``credential-type-unmapped-fail`` and ``credential-proof-*``.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coopcreds_proto.errors import CoopCredsError, InputError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.proofs import ProofOptions, add_proof
from coopcreds_proto.purposes import AuthenticationPurpose
from coopcreds_proto.timestamps import format_timestamp
from coopcreds_proto.vc.credentials import check_credential_shape, issue
from coopcreds_proto.vc.data_model import VC_V2_CONTEXT
from coopcreds_proto.vc.presentations import check_presentation_shape, verify_presentation
from coopcreds_proto.vc.related_resources import digest_multibase, sri
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import verify_credential

FIXTURES = Path(__file__).parent / "vectors" / "vc-data-model-2.0"
ACTORS = sample_actors()
KEY = ACTORS.coop
CHALLENGE, DOMAIN = "123456789", "github.com/w3c/vc-data-model-2.0-test-suite"
NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
GOOD_PROOF = issue(sample_membership_credential(ACTORS), KEY, created=SAMPLE_CREATED)["proof"]

# file -> (code, path): credentials the suite expects an issuer to refuse.
CREDENTIAL_REFUSALS = {
    "credential-context-combo3-fail.json": ("bad-context-entry", "$.@context[1]"),
    "credential-context-combo4-fail.json": ("bad-context-entry", "$.@context[1]"),
    "credential-evidence-missing-type-fail.json": ("bad-evidence", "$.evidence"),
    "credential-id-multi-fail.json": ("bad-id", "$.id"),
    "credential-id-nonidentifier-fail.json": ("bad-id", "$.id"),
    "credential-id-not-url-fail.json": ("bad-id", "$.id"),
    "credential-id-subject-multi-fail.json": ("bad-id", "$.credentialSubject.id"),
    "credential-issuer-no-url-fail.json": ("bad-issuer", "$.issuer"),
    "credential-issuer-null-fail.json": ("bad-issuer", "$.issuer"),
    "credential-issuer-object-id-no-url-fail.json": ("bad-issuer", "$.issuer.id"),
    "credential-issuer-object-id-null-fail.json": ("bad-issuer", "$.issuer.id"),
    "credential-missing-base-context-fail-or-inject.json": ("first-context", "$.@context"),
    "credential-missing-required-type-fail.json": ("not-a-credential", "$.type"),
    "credential-no-context-fail-or-inject.json": ("first-context", "$.@context"),
    # The issuer fills in the missing issuer; the empty subject is what is left.
    "credential-no-issuer-fail.json": ("bad-subject", "$.credentialSubject"),
    "credential-no-subject-fail.json": ("bad-subject", "$.credentialSubject"),
    "credential-no-type-fail.json": ("not-a-credential", "$.type"),
    "credential-refresh-no-type-fail.json": ("bad-refresh-service", "$.refreshService"),
    "credential-schema-no-id-fail.json": ("bad-credential-schema", "$.credentialSchema"),
    "credential-schema-no-type-fail.json": ("bad-credential-schema", "$.credentialSchema"),
    "credential-schema-non-url-id-fail.json": ("bad-id", "$.credentialSchema.id"),
    "credential-status-missing-type-fail.json": ("bad-status", "$.credentialStatus"),
    "credential-status-multiple-id-fail.json": ("bad-id", "$.credentialStatus.id"),
    "credential-status-nonurl-id-fail.json": ("bad-id", "$.credentialStatus.id"),
    "credential-status-type-nonurl-fail.json": ("bad-status", "$.credentialStatus.type"),
    "credential-subject-multiple-empty-fail.json": ("bad-subject", "$.credentialSubject[1]"),
    "credential-subject-no-claims-fail.json": ("bad-subject", "$.credentialSubject"),
    "credential-termsofuse-missing-type-fail.json": ("bad-terms-of-use", "$.termsOfUse"),
    "credential-termsofuse-no-type-fail.json": ("bad-terms-of-use", "$.termsOfUse"),
    # validFrom a year ahead, validUntil a year ago, as the suite's testTemporality sets them.
    "credential-validUntil-validFrom-fail.json": ("bad-validity", "$.validUntil"),
    "credential-validfrom-invalid-fail.json": ("bad-timestamp", "$.validFrom"),
    "credential-validuntil-invalid-fail.json": ("bad-timestamp", "$.validUntil"),
    "names-and-descriptions/credential-description-extra-prop-en-fail.json": (
        "bad-name-or-description", "$.description.url"),
    "names-and-descriptions/credential-name-extra-prop-en-fail.json": (
        "bad-name-or-description", "$.name.url"),
    "names-and-descriptions/issuer-description-extra-prop-en-fail.json": (
        "bad-name-or-description", "$.issuer.description.url"),
    "names-and-descriptions/issuer-name-extra-prop-en-fail.json": (
        "bad-name-or-description", "$.issuer.name.url"),
}

# file -> (code, path): presentations the suite expects a verifier to refuse, as they are.
PRESENTATION_REFUSALS = {
    "presentation-context-order-fail.json": ("first-context", "$.@context"),
    "presentation-enveloped-vc-missing-type-fail.json": (
        "bad-enveloped-credential", "$.verifiableCredential[0].type"),
    "presentation-holder-fail.json": ("bad-holder", "$.holder"),
    "presentation-holder-name-fail.json": ("bad-holder", "$.holder.id"),
    "presentation-holder-object-fail.json": ("bad-holder", "$.holder.id"),
    "presentation-missing-base-context-fail.json": ("first-context", "$.@context"),
    "presentation-missing-required-type-fail.json": ("not-a-presentation", "$.type"),
    "presentation-no-context-fail-or-inject.json": ("first-context", "$.@context"),
    "presentation-no-type-fail.json": ("not-a-presentation", "$.type"),
    "presentation-vc-as-string-fail.json": (
        "bad-embedded-credential", "$.verifiableCredential[0]"),
    "presentation-vc-missing-required-type-fail.json": (
        "not-a-credential", "$.verifiableCredential[0].type"),
    # Credentials secured only by the presentation's proof (section "Presentations
    # Including Holder Claims"): the holder must be named, and be their issuer.
    "presentation-self-asserted-vc-no-holder.json": ("holder-required", "$.holder"),
    "presentation-self-asserted-vc-holder-mismatch.json": (
        "unsecured-credential", "$.verifiableCredential[0].proof"),
    "presentation-self-asserted-vc-issuer-mismatch.json": (
        "unsecured-credential", "$.verifiableCredential[0].proof"),
}


def _files() -> list[str]:
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json"))


def _credentials_accepted() -> list[str]:
    return [f for f in _files() if Path(f).name.startswith(("credential", "issuer"))
            and f not in CREDENTIAL_REFUSALS]


def _presentations_accepted() -> list[str]:
    return [f for f in _files() if Path(f).name.startswith("presentation")
            and f not in PRESENTATION_REFUSALS]


def _load(name: str) -> dict:
    document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if "validUntil-validFrom" in name:  # the suite's testTemporality fills in the dates
        year = timedelta(days=365)
        ahead, ago = format_timestamp(NOW + year), format_timestamp(NOW - year)
        ok = name.endswith("-ok.json")
        document["validFrom"], document["validUntil"] = (ago, ahead) if ok else (ahead, ago)
    return document


def _as_issued(credential: dict, issuer: str = KEY.did) -> dict:
    """The credential as the suite's createRequestBody gives it to an issuer."""
    credential = copy.deepcopy(credential)
    if isinstance(credential.get("issuer"), dict):
        if not ("id" in credential["issuer"] and credential["issuer"]["id"] is None):
            credential["issuer"]["id"] = credential["issuer"].get("id") or issuer
    elif not ("issuer" in credential and credential["issuer"] is None):
        credential["issuer"] = credential.get("issuer") or issuer
    return credential


def _hand_signed(credential: dict) -> dict:
    """Signed by add_proof, which checks no data model (or, if JSON-LD processing refuses
    the document, carrying a well-formed credential's proof: well_formed comes first)."""
    try:
        return add_proof(credential, KEY, ProofOptions(created=SAMPLE_CREATED),
                         allow_inline_contexts=True)
    except CoopCredsError:
        return {**credential, "proof": GOOD_PROOF}


def test_every_fixture_copied_is_expected_refused_or_accepted() -> None:
    files = _files()
    refused = set(CREDENTIAL_REFUSALS) | set(PRESENTATION_REFUSALS)
    assert refused <= set(files)
    for name in files:
        expected_to_fail = "-fail" in name or "mismatch" in name or "no-holder" in name
        assert (name in refused) == expected_to_fail, name
    assert (len(_credentials_accepted()), len(_presentations_accepted())) == (52, 11)


@pytest.mark.parametrize("name", sorted(CREDENTIAL_REFUSALS))
def test_a_credential_the_suite_expects_refused_is_not_issued(name: str) -> None:
    code, path = CREDENTIAL_REFUSALS[name]
    with pytest.raises(InputError) as refused:
        issue(_as_issued(_load(name)), KEY, created=SAMPLE_CREATED, allow_inline_contexts=True)
    assert (refused.value.code, refused.value.path) == (code, path), refused.value.message


@pytest.mark.parametrize("name", sorted(CREDENTIAL_REFUSALS))
def test_a_credential_the_suite_expects_refused_fails_verification(name: str) -> None:
    code, path = CREDENTIAL_REFUSALS[name]
    signed = _hand_signed(_as_issued(_load(name)))
    result = verify_credential(signed, now=SAMPLE_NOW, allow_inline_contexts=True)
    check = result.check("well_formed")
    assert not result.verified and (check.code, path in check.message) == (code, True), str(result)


@pytest.mark.parametrize("name", _credentials_accepted())
def test_a_credential_the_suite_expects_issued_is_issued_and_well_formed(name: str) -> None:
    credential = _as_issued(_load(name))
    check_credential_shape(credential)
    signed = issue(credential, KEY, created=SAMPLE_CREATED, allow_inline_contexts=True)
    result = verify_credential(signed, now=SAMPLE_NOW, allow_inline_contexts=True)
    assert result.check("well_formed").ok, str(result)
    # What still fails is what this verifier cannot check offline: a status or a schema
    # it cannot read (fail closed), or a validity period the clock is outside of.
    assert {c.name for c in result.failed} <= {"status", "schema", "validity_period"}


@pytest.mark.parametrize("name", sorted(PRESENTATION_REFUSALS))
def test_a_presentation_the_suite_expects_refused_fails_well_formed(name: str) -> None:
    code, path = PRESENTATION_REFUSALS[name]
    presentation = _load(name)
    with pytest.raises(InputError) as refused:
        check_presentation_shape(presentation)
    assert (refused.value.code, refused.value.path) == (code, path)
    result = verify_presentation(presentation, challenge=CHALLENGE, domain=DOMAIN,
                                 now=SAMPLE_NOW)
    assert result.check("well_formed").code == code


def _as_created_locally(presentation: dict) -> dict:
    """The presentation as the suite's createLocalVp makes it: each credential without a
    proof issued by the signing key, then the presentation signed for authentication."""
    presentation = copy.deepcopy(presentation)
    credentials = presentation.get("verifiableCredential")
    if isinstance(credentials, list):
        presentation["verifiableCredential"] = [
            c if "proof" in c or c.get("type") == "EnvelopedVerifiableCredential" else
            issue({**c, "issuer": KEY.did}, KEY, created=SAMPLE_CREATED, allow_inline_contexts=True)
            for c in credentials
        ]
    options = ProofOptions(purpose=AuthenticationPurpose(CHALLENGE, DOMAIN), created=SAMPLE_NOW)
    return add_proof(presentation, KEY, options, allow_inline_contexts=True)


@pytest.mark.parametrize("name", _presentations_accepted())
def test_a_presentation_the_suite_expects_verified_is_well_formed(name: str) -> None:
    signed = _as_created_locally(_load(name))
    check_presentation_shape(signed)
    result = verify_presentation(signed, challenge=CHALLENGE, domain=DOMAIN, now=SAMPLE_NOW,
                                 allow_inline_contexts=True)
    assert result.check("well_formed").ok, str(result)
    if name == "presentation-enveloped-vc-ok.json":  # well-formed, but not Data Integrity
        inner = result.credential_results[0].check("well_formed")
        assert inner.code == "enveloped-unsupported"


# -- related resources (the suite's 5-advanced-concepts.js, from its fixtures.js) ---------------

SUITE_CREDENTIAL = {
    "@context": [VC_V2_CONTEXT],
    "type": ["VerifiableCredential"],
    "credentialSubject": {"name": "Alice"},
}
V2_ID = VC_V2_CONTEXT
SUITE_SRI = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
SUITE_MULTIBASE = "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"

RELATED_REFUSALS = {
    "an array of strings": ([V2_ID], "bad-related-resource", "$.relatedResource[0]"),
    "no id": ([{"digestMultibase": SUITE_MULTIBASE}], "bad-related-resource",
              "$.relatedResource[0]"),
    "a duplicate id": ([{"id": V2_ID, "digestSRI": SUITE_SRI},
                        {"id": V2_ID, "digestMultibase": SUITE_MULTIBASE}],
                       "duplicate-related-resource", "$.relatedResource[1].id"),
    "no digest": ([{"id": V2_ID}], "related-resource-no-digest", "$.relatedResource[0]"),
    "a wrong digestMultibase": (
        [{"id": V2_ID, "digestMultibase": "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"}],
        "related-resource-mismatch", "$.relatedResource[0].digestMultibase"),
    # base64url characters where SRI has base64: unreadable rather than merely wrong.
    "a wrong digestSRI": (
        [{"id": V2_ID, "digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5"
                                    "AeeY_1qQ0d0P"}],
        "sri-malformed", "$.relatedResource[0].digestSRI"),
}


@pytest.mark.parametrize("name", sorted(RELATED_REFUSALS))
def test_a_malformed_or_wrong_related_resource_is_refused(name: str) -> None:
    related, code, path = RELATED_REFUSALS[name]
    credential = _as_issued({**SUITE_CREDENTIAL, "relatedResource": related})
    with pytest.raises(InputError) as refused:
        issue(credential, KEY, created=SAMPLE_CREATED)
    assert (refused.value.code, refused.value.path) == (code, path)
    result = verify_credential(_hand_signed(credential), now=SAMPLE_NOW)
    assert result.check("well_formed").code == code


def test_the_suites_own_digests_pin_an_older_revision_of_the_v2_context() -> None:
    # The suite's "valid" digests are of the v2 context as it was at w3c/vc-data-model
    # commit 8d0ee107, the base context of the 2024 Candidate Recommendation (whose
    # text gives its SHA-256, 24a18c90...). The 2025 Recommendation gives 59955ced...,
    # the bytes bundled here, which this workbench processes credentials with. The
    # suite's digests are well-formed, so the data model accepts them, and the issuer
    # (and the verifier) refuse them, as the specification requires of a digest that
    # does not match the resource used, naming the revision they pin.
    for related in ({"id": V2_ID, "digestSRI": SUITE_SRI},
                    {"id": V2_ID, "digestMultibase": SUITE_MULTIBASE},
                    [{"id": V2_ID, "mediaType": "application/ld+json", "digestSRI": SUITE_SRI}]):
        credential = _as_issued({**SUITE_CREDENTIAL, "relatedResource": related})
        check_credential_shape(credential)
        with pytest.raises(InputError) as refused:
            issue(credential, KEY, created=SAMPLE_CREATED)
        assert refused.value.code == "related-resource-mismatch"
        assert "the revision published in the VC 2.0 Candidate Recommendation of 2024" \
            in refused.value.message
        assert "24a18c90e985" in refused.value.message
        assert "59955ced6697" in refused.value.message
        result = verify_credential(_hand_signed(credential), now=SAMPLE_NOW)
        assert refused.value.message in result.check("well_formed").message
    bundled = next(c.content for c in OfflineDocumentLoader.default().contexts
                   if c.url == V2_ID)
    for related in ({"id": V2_ID, "digestSRI": sri(bundled)},
                    {"id": V2_ID, "digestMultibase": digest_multibase(bundled)},
                    {"id": V2_ID, "mediaType": "application/ld+json",
                     "digestSRI": sri(bundled, "sha512")}):
        credential = _as_issued({**SUITE_CREDENTIAL, "relatedResource": related})
        signed = issue(credential, KEY, created=SAMPLE_CREATED)
        assert verify_credential(signed, now=SAMPLE_NOW).check("well_formed").ok


# -- enveloped credentials (the suite's 4.13.2-envelopes.js) ----------------------------------

ENVELOPED = {
    "@context": VC_V2_CONTEXT,
    "type": "EnvelopedVerifiableCredential",
    "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig",
}
ENVELOPE_CHANGES = {
    "an empty @context": ({"@context": []}, "bad-enveloped-credential", "$.@context"),
    "the examples context only": (
        {"@context": "https://www.w3.org/ns/credentials/examples/v2"},
        "bad-enveloped-credential", "$.@context"),
    "an id that is not a data: URL": (
        {"id": ENVELOPED["id"].split(",")[-1]}, "bad-enveloped-credential", "$.id"),
    "the type of a credential": ({"type": "VerifiableCredential"}, "bad-issuer", "$.issuer"),
}


def test_a_well_formed_enveloped_credential_is_refused_as_unsupported() -> None:
    result = verify_credential(ENVELOPED, now=SAMPLE_NOW)
    assert result.check("well_formed").code == "enveloped-unsupported"
    assert "Data Integrity proofs only" in result.check("well_formed").message


@pytest.mark.parametrize("name", sorted(ENVELOPE_CHANGES))
def test_a_broken_envelope_is_refused_for_what_is_broken(name: str) -> None:
    change, code, path = ENVELOPE_CHANGES[name]
    result = verify_credential({**ENVELOPED, **change}, now=SAMPLE_NOW)
    check = result.check("well_formed")
    assert check.code == code and path in check.message, str(result)
