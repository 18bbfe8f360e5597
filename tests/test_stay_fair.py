"""The Stay Fair / Play Fair scenario: the festival visit, onboarding, KYC, minimisation,
revocation, and the same visit under each ecosystem model."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from coopcreds_proto.demos import stay_fair, stay_fair_models
from coopcreds_proto.demos.stay_fair import (
    AFTER_FESTIVAL,
    AFTER_REVOCATION,
    FESTIVAL,
    MUSIC_DID,
    REVOKED,
    World,
    build_world,
    visit,
)
from coopcreds_proto.errors import InputError
from coopcreds_proto.trust.onboarding import NewMember, sign_up
from coopcreds_proto.trust.registry import Accreditation, Recognition
from coopcreds_proto.vc.presentation_request import disclosed_beyond

UTC = timezone.utc
STAY_FAIR_FW = "https://stayfair.example/governance"
MUSIC_FW = "https://indiemusic.example/governance"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("stay-fair"))


@pytest.fixture
def revoked(tmp_path: Path) -> World:
    return stay_fair.revoke_accreditation(build_world(tmp_path), at=REVOKED)


def test_the_registry_is_built_from_the_verified_accreditation(world: World) -> None:
    assert world.trust.rejected == ()
    (acc,) = world.trust.registry.accreditations
    assert acc.id == stay_fair.MUSIC_ACCREDITATION and acc.subject == MUSIC_DID
    answer = stay_fair.may_issue(world, at=FESTIVAL)
    assert answer.trusted and [a.id for a in answer.chain] == [acc.id]
    card = stay_fair.accreditation_card(world, at=FESTIVAL)
    assert card.status == "active" and card.trusted and card.registry_name == "Co-op Industry Body"


def test_festival_discount_then_the_offer_closes(world: World) -> None:
    during = visit(world, "stayfair", at=FESTIVAL).decision
    assert during.granted, during.reasons
    assert during.benefit is not None and during.benefit.value == "15%"
    assert during.trust[0].name == "Indie Music Co-operative"
    after = visit(world, "stayfair", at=AFTER_FESTIVAL).decision
    assert not after.granted and [c.name for c in after.failed] == ["offer_period"]
    assert "the offer runs from 2026-08-01 until 2026-08-31" in after.reasons[0]


def test_card_names_the_issuer_as_the_registry_knows_it(world: World) -> None:
    card = stay_fair.card(world, world.membership, at=FESTIVAL)
    assert card.trusted and card.registry_name == "Indie Music Co-operative"
    assert card.issuer_name == stay_fair.SELF_NAME
    assert "calls itself 'Indie Music Co-op'" in str(card)


def test_onboarding_prefills_and_the_member_signs_in_with_the_same_did(world: World) -> None:
    joining = visit(world, "valleyenergy", at=FESTIVAL)
    member = sign_up(joining.decision, stay_fair.VALLEY_SIGN_UP, now=FESTIVAL)
    assert isinstance(member, NewMember)
    assert dict(member.details) == {"full_name": "Sam Rowan",
                                    "home_coop": "Indie Music Co-operative Ltd",
                                    "status_at_home_coop": "active"}
    assert member.login_did == world.member.did and member.vouched_by == MUSIC_DID
    signed_in = stay_fair.sign_in(world, member, at=datetime(2026, 8, 10, 19, tzinfo=UTC))
    assert signed_in.ok and signed_in.outcome.holder == world.member.did
    assert "Password: none" in str(signed_in)
    stranger = dataclasses.replace(member, login_did="did:example:someone-else")
    other = stay_fair.sign_in(world, stranger, at=datetime(2026, 8, 10, 19, tzinfo=UTC))
    assert other.outcome.ok and not other.ok  # signed in, but not as the member who joined


def test_reusable_kyc_meets_substantial_but_not_high(world: World) -> None:
    shown = [world.membership, world.identity]
    car = visit(world, "carshare", at=FESTIVAL, credentials=shown).decision
    assert car.granted, car.reasons
    bank = visit(world, "creditunion", at=FESTIVAL, credentials=shown).decision
    check = bank.check("identity_assurance")
    assert not bank.granted and check.code == "assurance-too-low"
    assert "is below the high required" in check.message


def test_data_minimisation_discloses_only_what_was_asked(world: World) -> None:
    desk = stay_fair.counter("stayfair", at=FESTIVAL)
    fields = ["memberName", "membershipStatus", "memberOf.legalName"]
    request = desk.request(fields, purpose="festival fair-stay rate")
    minimal = stay_fair.derive(world, request, at=FESTIVAL)
    assert disclosed_beyond([minimal], request) == ()
    assert "membershipNumber" in disclosed_beyond([world.membership], request)
    decision = visit(world, desk, credentials=[minimal], request=request).decision
    assert decision.granted and decision.check("disclosure").ok
    over = desk.request(fields, purpose="festival fair-stay rate")
    full = visit(world, desk, credentials=[world.membership], request=over).decision
    assert not full.granted and full.check("disclosure").code == "over-disclosure"


def test_refused_after_the_accreditation_is_revoked(revoked: World) -> None:
    assert revoked.trust.registry.revocations[stay_fair.MUSIC_ACCREDITATION] == REVOKED
    assert stay_fair.accreditation_card(revoked, at=AFTER_REVOCATION).status == "revoked"
    decision = visit(revoked, "stayfair", at=AFTER_REVOCATION).decision
    check = decision.check("issuer_trusted")
    assert not decision.granted and not check.ok
    assert "revoked at 2026-08-14T09:00:00Z (covers every credential" in check.message
    backdated = stay_fair.backdated_membership(revoked, dated=datetime(2026, 8, 1, tzinfo=UTC))
    assert backdated["proof"]["created"] == "2026-08-01T00:00:00Z"
    assert not visit(revoked, "stayfair", at=AFTER_REVOCATION, credentials=[backdated]) \
        .decision.granted
    with pytest.raises(InputError) as err:
        stay_fair.revoke_accreditation(revoked)
    assert err.value.code == "already-revoked"


def test_witnessed_issuance_honours_only_what_was_logged_in_time(revoked: World) -> None:
    backdated = stay_fair.backdated_membership(revoked, dated=datetime(2026, 8, 1, tzinfo=UTC))
    table = stay_fair.revocation_outcomes(revoked, {"real": revoked.membership,
                                                    "backdated": backdated})
    outcome = {(r.credential, r.policy.endswith("(witnessed issuance)")): r
               for r in table.itertuples()}
    assert [outcome[k].decision for k in [("real", False), ("backdated", False),
                                          ("real", True), ("backdated", True)]] \
        == ["refused", "refused", "granted", "refused"]
    assert "before the revocation: honoured" in outcome["real", True].reason
    assert "“backdated” was not witnessed before the revocation" in outcome["backdated",
                                                                           True].reason
    assert "the accreditation of Indie Music Co-operative" in outcome["real", False].reason


@pytest.mark.parametrize(("model", "issuer"), [("convenor", "did:web:industrybody.example"),
                                               ("federated", MUSIC_DID), ("hybrid", MUSIC_DID)])
def test_granted_under_convenor_federated_and_hybrid(world: World, model: str,
                                                     issuer: str) -> None:
    outcome = stay_fair_models.model_outcome(world, model)
    assert outcome.granted, outcome.visit.decision.reasons
    assert outcome.issuer == issuer
    assert outcome.visit.trust.rejected == ()  # every trust credential verified
    chain = outcome.visit.decision.trust[0].answer.chain
    if model == "federated":
        assert isinstance(chain[0], Recognition) and not chain[0].transitive
    assert isinstance(chain[-1], Accreditation) and chain[-1].subject == issuer


def test_peer_to_peer_needs_a_bilateral_agreement(world: World) -> None:
    without = stay_fair_models.model_outcome(world, "peer-to-peer")
    check = without.visit.decision.check("issuer_trusted")
    assert not without.granted and not check.ok
    assert f"{STAY_FAIR_FW} does not recognise {MUSIC_FW}" in check.message
    assert ("Stay Fair Tourism Co-operative governance framework does not recognise Indie Music"
            " Co-operative governance framework") in without.row()["reason"]
    assert without.row()["trust chain"] == "no chain found"
    agreed = stay_fair_models.model_outcome(world, "peer-to-peer", agreement=True)
    assert agreed.granted, agreed.visit.decision.reasons
    first = agreed.visit.decision.trust[0].answer.chain[0]
    assert isinstance(first, Recognition)
    assert (first.recogniser, first.recognised) == (STAY_FAIR_FW, MUSIC_FW)
    with pytest.raises(InputError) as err:
        stay_fair_models.model_outcome(world, "convenor", agreement=True)
    assert err.value.code == "agreement-needs-peer-to-peer"


def test_compare_models_is_one_tidy_row_per_model(world: World) -> None:
    table = stay_fair_models.compare_models(world)
    assert list(table.columns) == ["model", "issuer", "trust chain", "decision", "reason"]
    assert list(table["decision"]) == ["granted", "granted", "refused", "granted"]
    assert list(table["issuer"]) == ["Co-op Industry Body"] + ["Indie Music Co-operative"] * 3


def test_deterministic_across_two_runs(tmp_path: Path) -> None:
    runs = []
    for name in ("one", "two"):
        world = build_world(tmp_path / name)
        runs.append((world, stay_fair_models.compare_models(world),
                     visit(world, "stayfair", at=FESTIVAL)))
    (w1, t1, v1), (w2, t2, v2) = runs
    pd.testing.assert_frame_equal(t1, t2)
    assert w1.membership == w2.membership and w1.accreditation == w2.accreditation
    assert v1.presentation == v2.presentation and v1.report.text == v2.report.text
    shown = t1.to_string() + v1.report.html + repr(w1) + str(stay_fair.actors(w1))
    assert str(tmp_path) not in shown


def test_bad_input_is_refused_with_a_code(world: World, tmp_path: Path) -> None:
    build_world(tmp_path)
    cases = [(lambda: build_world(tmp_path), "already-published"),
             (lambda: stay_fair.counter("nowhere", at=FESTIVAL), "unknown-verifier"),
             (lambda: stay_fair_models.festival_model("anarchy"), "unknown-model"),
             (lambda: visit(world, "stayfair"), "no-time"),
             (lambda: stay_fair.card(world, world.accreditation, at=FESTIVAL),
              "not-a-scenario-credential")]
    for call, code in cases:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.code == code
