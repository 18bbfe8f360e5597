"""Data minimisation: requests, purpose-specific credentials, over-disclosure, the consent screen."""

from __future__ import annotations

import copy
import json

import pytest
from stay_fair_scenario import (
    DOMAIN,
    FESTIVAL,
    MEMBER,
    MEMBERSHIP,
    MUSIC,
    ROGUE,
    STAY_FAIR,
    membership,
    presentation,
    registry,
)

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.policy import example_policy_path, load_policy
from coopcreds_proto.trust.recognition import decide
from coopcreds_proto.vc.presentation_request import (
    PURPOSE_SPECIFIC,
    PresentationRequest,
    consent_summary,
    derive_for_request,
    disclosed_beyond,
)
from coopcreds_proto.vc.verification import verify_credential

REQUEST = PresentationRequest(
    verifier=STAY_FAIR, verifier_name="Stay Fair (self-declared)",
    purpose="to give you the festival fair-stay rate", credential_type=MEMBERSHIP,
    fields=("memberName", "membershipStatus", "memberOf.legalName"), challenge="c-1",
    domain=DOMAIN)


@pytest.fixture(scope="module")
def derived() -> dict:
    return derive_for_request(membership(), REQUEST, key=MUSIC, now="2026-08-09T10:00:00Z",
                              rng=SeededRandom("derive"))


def test_request_round_trips_through_json():
    text = json.dumps(REQUEST.to_json())
    assert PresentationRequest.from_json(json.loads(text)) == REQUEST


@pytest.mark.parametrize(("change", "path"), [
    ({"fields": "memberName"}, "$.fields"),
    ({"fields": ["memberName", "member name"]}, "$.fields[1]"),
    ({"fields": ["id"]}, "$.fields[0]"),
    ({"fields": ["memberName", "memberName"]}, "$.fields"),
    ({"verifier": "did:web:stayfair.example"}, "$.verifier"),
    ({"verifier": {"id": "stayfair", "name": "S"}}, "$.verifier.id"),
    ({"purpose": ""}, "$.purpose"),
    ({"extra": 1}, "$.extra"),
])
def test_bad_requests_name_the_json_path(change, path):
    with pytest.raises(InputError) as err:
        PresentationRequest.from_json({**REQUEST.to_json(), **change})
    assert err.value.path == path


def test_a_missing_request_field_is_named():
    data = REQUEST.to_json()
    del data["challenge"]
    with pytest.raises(InputError, match="challenge is required") as err:
        PresentationRequest.from_json(data)
    assert err.value.path == "$.challenge"


def test_the_derived_credential_holds_only_what_was_asked(derived):
    original = membership()
    assert verify_credential(derived, now=FESTIVAL).verified
    assert derived["type"] == ["VerifiableCredential", MEMBERSHIP, PURPOSE_SPECIFIC]
    assert derived["derivedFrom"] == original["id"]
    assert derived["purpose"] == REQUEST.purpose
    assert derived["requestedBy"] == STAY_FAIR
    assert derived["id"] != original["id"]
    assert derived["validUntil"] == original["validUntil"]
    assert derived["credentialSubject"] == {
        "id": MEMBER.did, "type": "CooperativeMember", "memberName": "Ada Okafor",
        "membershipStatus": "active",
        "memberOf": {"type": "Cooperative", "legalName": "Riverside Food Co-operative Ltd"}}
    assert disclosed_beyond([derived], REQUEST) == ()


def test_derivation_is_deterministic_with_seeded_randomness(derived):
    again = derive_for_request(membership(), REQUEST, key=MUSIC, now="2026-08-09T10:00:00Z",
                               rng=SeededRandom("derive"))
    assert again == derived


def test_derivation_refusals_say_what_and_where():
    asks_more = PresentationRequest(**{**REQUEST.__dict__, "fields": ("memberName", "email")})
    with pytest.raises(InputError, match="holds no email") as err:
        derive_for_request(membership(), asks_more, key=MUSIC, now=FESTIVAL, rng=SeededRandom("x"))
    assert err.value.path == "$.credentialSubject.email"
    other = PresentationRequest(**{**REQUEST.__dict__, "credential_type": "Payslip"})
    with pytest.raises(InputError, match="request is for a Payslip"):
        derive_for_request(membership(), other, key=MUSIC, now=FESTIVAL, rng=SeededRandom("x"))
    with pytest.raises(InputError, match="only the original issuer") as err:
        derive_for_request(membership(), REQUEST, key=ROGUE, now=FESTIVAL, rng=SeededRandom("x"))
    tampered = copy.deepcopy(membership())
    tampered["credentialSubject"]["membershipStatus"] = "honorary"
    with pytest.raises(InputError, match="does not verify: Signature"):
        derive_for_request(tampered, REQUEST, key=MUSIC, now=FESTIVAL, rng=SeededRandom("x"))


def test_disclosed_beyond_lists_every_extra_claim():
    extra = disclosed_beyond([membership()], REQUEST)
    assert extra == ("memberOf.registeredIdentifier", "memberOf.jurisdiction", "memberOf.sector",
                     "memberOf.cooperativeType", "membershipNumber", "membershipClass",
                     "memberSince", "votingRights", "roles")
    payslip = {"type": ["VerifiableCredential", "Payslip"], "credentialSubject": {"id": "x"}}
    assert disclosed_beyond([payslip], REQUEST) == ("a whole Payslip",)


def test_decide_refuses_over_disclosure_and_accepts_the_derived_credential(derived):
    policy = load_policy(example_policy_path("stay-fair-play-fair"))
    full = decide(presentation(membership()), policy, trust=registry(), challenge="c-1",
                  domain=DOMAIN, challenges=None, now=FESTIVAL, request=REQUEST)
    check = full.check("disclosure")
    assert not full.granted and not check.ok and check.code == "over-disclosure"
    assert check.message.startswith("discloses memberOf.registeredIdentifier,")
    assert check.message.endswith("which Stay Fair (self-declared) did not ask for")
    minimal = decide(presentation(derived), policy, trust=registry(), challenge="c-1",
                     domain=DOMAIN, challenges=None, now=FESTIVAL, request=REQUEST)
    assert minimal.granted, minimal.reasons
    assert minimal.check("disclosure").message == (
        "only what was asked: memberName, membershipStatus, memberOf.legalName")
    assert "membershipNumber" not in minimal.claims


def test_consent_summary_names_the_verifier_as_the_registry_knows_it():
    summary = consent_summary(REQUEST, membership(), trust=registry())
    assert summary.name_confirmed and summary.verifier_name == "Stay Fair Tourism Co-operative"
    assert summary.purpose == "to give you the festival fair-stay rate"
    assert summary.credential == "Co-operative membership"
    assert summary.shown == (("Your name", "Ada Okafor"),
                             ("Whether your membership is active", "active"),
                             ("Your co-op's registered name", "Riverside Food Co-operative Ltd"))
    assert "Your membership number" in summary.withheld
    assert "Whether you can vote" in summary.withheld
    assert "Your name" not in summary.withheld
    text = summary.text
    assert text.splitlines()[0] == (
        f"Stay Fair Tourism Co-operative ({STAY_FAIR}) asks to see your Co-operative membership")
    assert "They will NOT see:\n  Your co-op's registration number\n" in text
    assert "<b>They will NOT see</b>" in summary.html
    assert summary._repr_html_().endswith(summary.html)  # after the stylesheet


def test_consent_summary_flags_an_unconfirmed_name_and_missing_fields():
    unknown = PresentationRequest(**{**REQUEST.__dict__, "verifier": "did:web:nobody.example",
                                     "verifier_name": "<b>Totally Legit</b>",
                                     "fields": ("memberName", "email")})
    summary = consent_summary(unknown, membership(), trust=registry())
    assert not summary.name_confirmed
    assert "name not confirmed by a trust registry" in summary.text
    assert summary.unavailable == ("Email",)
    assert "<b>Totally Legit</b>" not in summary.html
    assert "&lt;b&gt;Totally Legit&lt;/b&gt;" in summary.html


def test_the_consent_screen_shows_the_holders_claims_never_another_subjects() -> None:
    credential = membership()
    member = credential["credentialSubject"]
    other = {**member, "id": "did:example:someone-else", "memberName": "Someone Else"}
    both = {**credential, "credentialSubject": [other, member]}
    shown = dict(consent_summary(REQUEST, both, holder=member["id"]).shown)
    assert "Someone Else" not in str(shown) and member["memberName"] in str(shown)
    # Without knowing the holder, a credential about two subjects shows neither.
    assert "Someone Else" not in str(consent_summary(REQUEST, both).shown)


def _leaves(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value


def test_the_consent_screen_says_everything_the_shared_credential_carries(derived):
    # What the verifier receives is the derived credential. Each of its values
    # is on the screen, among what they will see or what is sent with it,
    # except what the request itself supplied (its purpose and verifier), the
    # new credential's own id, types and contexts, the moment it was made and
    # the proof.
    summary = consent_summary(REQUEST, membership(), trust=registry())
    screen = summary.text
    own = {"@context", "id", "type", "validFrom", "purpose", "requestedBy", "proof"}
    unsaid = [(path, value) for path, value in _leaves(derived)
              if path.split(".")[0] not in own and not path.endswith(".type")
              and str(value) not in screen]
    issuer = derived["issuer"]
    # The issuer is said by name (the registry's or its own), its id is what the name stands for.
    unsaid = [(p, v) for p, v in unsaid if not (p == "issuer.id" or (p == "issuer" and v == issuer))]
    assert unsaid == []
    sent = dict(summary.also_sent)
    assert sent["Your holder id"].startswith(MEMBER.did)
    assert sent["Your original credential's id"] == membership()["id"]
    assert "<b>Sent with it, whatever is asked</b>" in summary.html


def test_a_claim_the_issuers_name_gives_away_is_never_listed_as_private():
    credential = membership()
    subject = credential["credentialSubject"]
    issuer = credential["issuer"]
    assert subject["memberOf"]["id"] == (issuer["id"] if isinstance(issuer, dict) else issuer)
    request = PresentationRequest(**{**REQUEST.__dict__, "fields": ("memberName",)})
    summary = consent_summary(request, credential, trust=registry())
    assert "Your co-op" not in summary.withheld
    assert "(so they know your co-op)" in dict(summary.also_sent)["The co-op that issued it"]
    # Its details still are private: only the issuer's name travels.
    assert "Your co-op's registration number" in summary.withheld
