"""Streamlined onboarding: a member of one co-op joins another with no form and no password."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import pytest
from stay_fair_scenario import (
    FESTIVAL,
    MEMBER,
    MEMBERSHIP,
    MUSIC,
    VALLEY,
    membership,
    presentation,
    registry,
)

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.onboarding import NewMember, OnboardingRefusal, SignUpForm, sign_up
from coopcreds_proto.trust.policy import Benefit, example_policy_path, load_policy
from coopcreds_proto.trust.recognition import decide
from coopcreds_proto.vc.presentation_request import PresentationRequest, derive_for_request
from coopcreds_proto.vc.signin import SignInService
from coopcreds_proto.vc.wallet import Wallet

UTC = timezone.utc
DOMAIN = "https://valleyenergy.example"
POLICY = load_policy(example_policy_path("fast-track-sign-up"))
FORM = SignUpForm(coop=VALLEY, coop_name="Valley Green Energy Co-operative",
                  fields={"full_name": "memberName", "home_coop": "memberOf.legalName",
                          "status_at_home_coop": "membershipStatus"})


def decision_for(vp: dict, policy=POLICY, challenge: str = "c-1"):
    return decide(vp, policy, trust=registry(), challenge=challenge, domain=DOMAIN,
                  challenges=None, now=FESTIVAL)


@pytest.fixture(scope="module")
def granted():
    return decision_for(presentation(membership(), domain=DOMAIN))


def test_sign_up_is_prefilled_and_the_member_then_signs_in_with_the_same_did(granted):
    assert granted.granted, granted.reasons
    member = sign_up(granted, FORM, now=FESTIVAL)
    assert isinstance(member, NewMember) and member.ok
    assert member.login_did == MEMBER.did
    assert dict(member.details) == {"full_name": "Ada Okafor",
                                    "home_coop": "Riverside Food Co-operative Ltd",
                                    "status_at_home_coop": "active"}
    assert member.vouched_by == MUSIC.did
    assert member.vouched_by_name == "Indie Music Co-operative"
    assert member.joined.isoformat() == "2026-08-10"
    record = json.dumps(member.to_json())
    assert "password" not in record.lower()

    clock = lambda: datetime(2026, 8, 10, 12, 30, tzinfo=UTC)
    service = SignInService(f"{DOMAIN}/members", accepted_issuers=[member.vouched_by],
                            clock=clock, rng=SeededRandom("valley-signin"))
    request = service.start()
    wallet = Wallet().add_key(MEMBER).add_credential(membership())
    vp = wallet.present(request.challenge, request.domain, types=request.credential_types,
                        created="2026-08-10T12:30:00Z")
    session = service.complete(vp)
    assert session.ok, getattr(session, "reasons", None)
    assert member.is_session_of(session)
    stranger = dataclasses.replace(member, login_did="did:example:someone-else")
    assert not stranger.is_session_of(session)


def test_refused_when_the_decision_was_not_granted():
    refused = decision_for(presentation(membership(), domain=DOMAIN), challenge="other")
    outcome = sign_up(refused, FORM, now=FESTIVAL)
    assert isinstance(outcome, OnboardingRefusal) and not outcome.ok
    assert outcome.reasons[0].startswith(
        "the presentation was not accepted: Presentation verified: Challenge (single use):")


def test_refused_when_a_needed_field_was_not_disclosed():
    request = PresentationRequest(verifier=VALLEY, verifier_name="Valley", purpose="sign-up",
                                  credential_type=MEMBERSHIP,
                                  fields=("memberName", "membershipStatus"), challenge="c-1",
                                  domain=DOMAIN)
    derived = derive_for_request(membership(), request, key=MUSIC, now=FESTIVAL,
                                 rng=SeededRandom("valley"))
    decision = decision_for(presentation(derived, domain=DOMAIN))
    assert decision.granted, decision.reasons
    outcome = sign_up(decision, FORM, now=FESTIVAL)
    assert outcome.reasons == (("Valley Green Energy Co-operative needs home_coop (claim"
                               " memberOf.legalName), which the presentation did not disclose"),)
    smaller = SignUpForm(coop=VALLEY, coop_name="Valley", fields={"full_name": "memberName"})
    assert sign_up(decision, smaller, now=FESTIVAL).details == {"full_name": "Ada Okafor"}


def test_refused_when_the_benefit_is_not_a_fast_tracked_sign_up():
    discount = dataclasses.replace(POLICY, benefit=Benefit("discount", "5% off tariffs"))
    decision = decision_for(presentation(membership(), domain=DOMAIN), policy=discount)
    assert decision.granted
    outcome = sign_up(decision, FORM, now=FESTIVAL)
    assert outcome.reasons == (("the policy fast-track-sign-up grants a discount, not a"
                               " fast-tracked sign-up"),)


def test_refused_when_another_coop_made_the_decision(granted):
    other = SignUpForm(coop="did:web:elsewhere.example", coop_name="Elsewhere", fields={})
    outcome = sign_up(granted, other, now=FESTIVAL)
    assert outcome.reasons == (("the decision was made under Valley Green Energy Co-operative's"
                               f" policy ({VALLEY}), not Elsewhere's"),)


def test_sign_up_forms_are_checked():
    with pytest.raises(InputError, match="lower_snake_case"):
        SignUpForm(coop=VALLEY, coop_name="V", fields={"Full name": "memberName"})
    with pytest.raises(InputError, match="needs a claim name"):
        SignUpForm(coop=VALLEY, coop_name="V", fields={"full_name": ""})
    with pytest.raises(InputError, match="DID"):
        SignUpForm(coop="valley", coop_name="V", fields={})
