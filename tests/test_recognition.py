"""Recognition decisions: granted with the benefit, or refused with a reason per failed check."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest
from stay_fair_scenario import (
    DOMAIN,
    FESTIVAL,
    FRAMEWORK,
    MEMBER,
    MEMBERSHIP,
    MUSIC,
    ROGUE,
    STAY_FAIR,
    accreditation,
    identity,
    membership,
    presentation,
    registry,
)

from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.policy import example_policy_path, load_policy
from coopcreds_proto.trust.recognition import POLICY_CHECKS, decide, issuer_trust
from coopcreds_proto.trust.registry import Recognition
from coopcreds_proto.vc.challenges import ChallengeStore

UTC = timezone.utc
STAY_FAIR_POLICY = load_policy(example_policy_path("stay-fair-play-fair"))
KYC_POLICY = load_policy(example_policy_path("verified-identity-access"))


def run(vp: dict, policy=STAY_FAIR_POLICY, trust=None, now: str = FESTIVAL, **kw):
    return decide(vp, policy, trust=trust or registry(), challenge="c-1", domain=DOMAIN,
                  now=now, **kw)


@pytest.fixture(scope="module")
def member_vp() -> dict:
    return presentation(membership())


def test_stay_fair_member_gets_the_festival_discount(member_vp):
    decision = run(member_vp)
    assert decision.granted, decision.reasons
    assert decision.benefit is not None and decision.benefit.kind == "discount"
    assert decision.benefit.value == "15%"
    assert [c.name for c in decision.checks] == list(POLICY_CHECKS[:-1])
    assert all(c.mark == "✓" for c in decision.checks)
    assert decision.holder == MEMBER.did
    assert decision.claims["memberName"] == "Ada Okafor"
    trust = decision.trust[0]
    assert trust.trusted and trust.name == "Indie Music Co-operative"
    assert decision.check("issuer_trusted").message == (
        "Indie Music Co-operative may issue CooperativeMembershipCredential under Co-op"
        " Credentials framework")
    json.dumps(decision.to_json())  # the CLI prints it


def test_refused_when_the_presentation_is_not_verified(member_vp):
    decision = decide(member_vp, STAY_FAIR_POLICY, trust=registry(), challenge="other",
                      domain=DOMAIN, now=FESTIVAL)
    assert not decision.granted and decision.benefit is None
    check = decision.check("presentation")
    assert not check.ok
    assert check.message.startswith("Challenge (single use):")
    assert all(c.skipped for c in decision.checks[1:])
    assert decision.reasons == (f"Presentation verified: {check.message}",)


def test_refused_when_the_issuer_is_untrusted():
    decision = run(presentation(membership("rogue")))
    check = decision.check("issuer_trusted")
    assert not decision.granted and not check.ok and check.code == "issuer-untrusted"
    assert f"{ROGUE.did} is not trusted to issue {MEMBERSHIP}" in check.message
    assert "no accreditation of" in check.message
    assert decision.check("required_claims").skipped


def test_refused_when_the_accreditation_was_revoked(member_vp):
    revoked = registry().with_revocation("urn:acc:music", datetime(2026, 7, 1, tzinfo=UTC))
    check = run(member_vp, trust=revoked).check("issuer_trusted")
    assert not check.ok and "revoked at 2026-07-01T00:00:00Z" in check.message


def test_refused_when_the_type_is_not_accepted():
    decision = run(presentation(identity()))
    check = decision.check("credential_type")
    assert not check.ok and check.code == "type-not-accepted"
    assert check.message == ("presented IdentityAssuranceCredential; Stay Fair Tourism"
                             " Co-operative accepts CooperativeMembershipCredential")


def test_refused_when_a_required_claim_is_missing(member_vp):
    policy = dataclasses.replace(STAY_FAIR_POLICY,
                                 required_claims=("memberName", "memberOf.postcode"))
    check = run(member_vp, policy=policy).check("required_claims")
    assert not check.ok and check.code == "claim-missing"
    assert check.message == "missing memberOf.postcode: the credential does not disclose it"


def test_refused_when_the_credential_is_too_old(member_vp):
    policy = dataclasses.replace(STAY_FAIR_POLICY, max_age=timedelta(days=30))
    check = run(member_vp, policy=policy).check("credential_age")
    assert not check.ok and check.code == "too-old"
    assert check.message == ("the credential dates from 2026-01-15, 207 days ago; at most 30"
                             " days are accepted")


def test_refused_outside_the_offer_period():
    vp = presentation(membership(), at="2026-06-01T12:00:00Z")
    check = run(vp, now="2026-06-01T12:00:00Z").check("offer_period")
    assert not check.ok and check.code == "offer-closed"
    assert check.message == ("the offer runs from 2026-08-01 until 2026-08-31; it is"
                             " 2026-06-01T12:00:00Z")


def test_refused_when_the_issuer_is_not_accredited_for_the_region(member_vp):
    policy = dataclasses.replace(STAY_FAIR_POLICY, region="GB-SCT")
    trust = registry(accreditation(regions=frozenset({"GB-ENG"})))
    check = run(member_vp, policy=policy, trust=trust).check("issuer_trusted")
    assert not check.ok
    assert "in region GB-SCT" in check.message and "does not cover region GB-SCT" in check.message
    scoped = registry(accreditation(regions=frozenset({"GB-SCT"})))
    assert run(member_vp, policy=policy, trust=scoped).granted


def test_the_policy_own_list_of_issuers_needs_no_framework(member_vp):
    policy = dataclasses.replace(STAY_FAIR_POLICY, frameworks=(), trusted_issuers=(MUSIC.did,))
    decision = run(member_vp, policy=policy, trust=registry(accreditation(subject="did:x:y")))
    assert decision.granted, decision.reasons
    assert decision.trust[0].reasons == (f"{MUSIC.did} is on this verifier's own list",)


def test_reusable_kyc_meets_the_minimum_level():
    vp = presentation(membership(), identity("substantial"))
    decision = run(vp, policy=KYC_POLICY)
    assert decision.granted, decision.reasons
    assert decision.check("identity_assurance").message == (
        "level substantial (checked by Indie Music Co-operative on 2026-03-02) meets the"
        " substantial required")
    assert decision.claims["assuranceLevel"] == "substantial"
    assert [t.credential_type for t in decision.trust] == [MEMBERSHIP,
                                                          "IdentityAssuranceCredential"]


def test_refused_when_the_assurance_level_is_too_low():
    decision = run(presentation(membership(), identity("low")), policy=KYC_POLICY)
    check = decision.check("identity_assurance")
    assert not decision.granted and check.code == "assurance-too-low"
    assert check.message == ("level low (checked by Indie Music Co-operative on 2026-03-02)"
                             " is below the substantial required")


def test_refused_when_no_identity_check_is_presented(member_vp):
    check = run(member_vp, policy=KYC_POLICY).check("identity_assurance")
    assert not check.ok and check.code == "assurance-missing"
    assert "at least substantial is required" in check.message


def test_refused_when_the_identity_checker_is_untrusted():
    vp = presentation(membership(), identity("high", issuer="rogue"))
    check = run(vp, policy=KYC_POLICY).check("identity_assurance")
    assert not check.ok and check.code == "assurance-untrusted"
    assert check.message.startswith(f"identity checks by {ROGUE.did} are not trusted here")


def test_identity_trust_is_per_credential_type():
    only_membership = registry(accreditation(credential_types=frozenset({MEMBERSHIP})))
    vp = presentation(membership(), identity("high"))
    check = run(vp, policy=KYC_POLICY, trust=only_membership).check("identity_assurance")
    assert not check.ok and "does not cover credential type IdentityAssuranceCredential" \
        in check.message


def test_a_replayed_presentation_is_refused():
    clock = [datetime(2026, 8, 10, 12, tzinfo=UTC)]
    store = ChallengeStore(rng=SeededRandom("replay"), clock=lambda: clock[0])
    challenge = store.issue(DOMAIN).value
    vp = presentation(membership(), challenge=challenge)
    first = decide(vp, STAY_FAIR_POLICY, trust=registry(), challenge=challenge, domain=DOMAIN,
                   now=FESTIVAL, challenges=store)
    second = decide(vp, STAY_FAIR_POLICY, trust=registry(), challenge=challenge, domain=DOMAIN,
                    now=FESTIVAL, challenges=store)
    assert first.granted and not second.granted
    assert "already used" in second.check("presentation").message


def test_issuer_trust_names_the_issuer_as_the_registry_knows_it():
    answer = issuer_trust(membership(), MEMBERSHIP, trust=registry(), frameworks=(
        "https://w3id.org/coopcreds/frameworks/co-op-credentials",),
        at=datetime(2026, 8, 1, tzinfo=UTC))
    assert answer.trusted and answer.name == "Indie Music Co-operative"
    assert membership()["issuer"]["name"] == "Riverside Food Co-operative"
    assert STAY_FAIR == STAY_FAIR_POLICY.verifier


def test_an_issuer_under_a_recognised_framework_is_trusted(member_vp):
    tourism = "https://tourism.example/framework"
    trust = dataclasses.replace(registry(), anchors={**registry().anchors,
                                                     tourism: frozenset({"did:example:tb"})})
    policy = dataclasses.replace(STAY_FAIR_POLICY, frameworks=(tourism,))
    refused = run(member_vp, policy=policy, trust=trust)
    assert not refused.granted
    assert f"{tourism} does not recognise" in refused.check("issuer_trusted").message
    recognising = trust.with_recognitions(Recognition(tourism, FRAMEWORK))
    decision = run(member_vp, policy=policy, trust=recognising)
    assert decision.granted, decision.reasons
    assert isinstance(decision.trust[0].answer.chain[0], Recognition)
    assert decision.trust[0].answer.framework == FRAMEWORK


# --- coopcreds verify --policy ------------------------------------------------


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    from stay_fair_scenario import BODY, NAMES

    from coopcreds_proto.trust.accreditation import (
        issue_accreditation,
        save_anchors,
        save_trust_credential,
    )

    root = tmp_path_factory.mktemp("verify-policy")
    trust_dir = root / "trust"
    save_anchors(trust_dir, {FRAMEWORK: [BODY.did]}, names=NAMES)
    save_trust_credential(trust_dir, issue_accreditation(accreditation(), BODY,
                                                         now="2026-01-01T00:00:00Z"))
    good = root / "member.json"
    good.write_text(json.dumps(presentation(membership())))
    rogue = root / "rogue.json"
    rogue.write_text(json.dumps(presentation(membership("rogue"))))
    credential = root / "credential.json"
    credential.write_text(json.dumps(membership()))
    return {"trust": str(trust_dir), "good": str(good), "rogue": str(rogue),
            "credential": str(credential), "root": root}


def verify_cli(file: str, *extra: str, trust: str | None = None):
    from coopcreds_proto.cli import main

    args = ["verify", file, "--challenge", "c-1", "--domain", DOMAIN, "--now", FESTIVAL,
            "--policy", str(example_policy_path("stay-fair-play-fair")), *extra]
    return main(args + (["--trust", trust] if trust else []))


def test_cli_verify_policy_grants_the_benefit(cli_files, capsys):
    assert verify_cli(cli_files["good"], "--json", trust=cli_files["trust"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verified"] is True
    decision = out["decision"]
    assert decision["granted"] is True
    assert decision["benefit"]["kind"] == "discount" and decision["benefit"]["value"] == "15%"
    assert [c["name"] for c in decision["checks"]] == list(POLICY_CHECKS[:-1])
    assert decision["trust"][0]["issuerName"] == "Indie Music Co-operative"
    assert out["trustRejected"] == []


def test_cli_verify_policy_refuses_an_untrusted_issuer(cli_files, capsys):
    assert verify_cli(cli_files["rogue"], trust=cli_files["trust"]) == 1
    out = capsys.readouterr().out
    assert "VERIFIED" in out.splitlines()[0]
    assert "Stay Fair Tourism Co-operative, policy stay-fair-play-fair: REFUSED" in out
    assert "✗  Issuer trusted" in out


@pytest.mark.parametrize(("which", "trust", "words"), [
    ("credential", True, "is not a presentation: --policy decides on a presentation"),
    ("good", False, "give the --trust DIR"),
])
def test_cli_verify_policy_usage_errors(cli_files, capsys, which, trust, words):
    code = verify_cli(cli_files[which], trust=cli_files["trust"] if trust else None)
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_cli_trust_needs_policy_and_bad_policies_are_named(cli_files, capsys):
    from coopcreds_proto.cli import main

    assert main(["verify", cli_files["good"], "--trust", cli_files["trust"]]) == 2
    assert "--trust is used with --policy" in capsys.readouterr().err
    bad = cli_files["root"] / "bad-policy.json"
    bad.write_text(json.dumps({**STAY_FAIR_POLICY.to_json(), "benefit": {"kind": "cashback",
                                                                         "description": "x"}}))
    assert main(["verify", cli_files["good"], "--challenge", "c-1", "--domain", DOMAIN,
                 "--policy", str(bad), "--trust", cli_files["trust"]]) == 2
    err = capsys.readouterr().err
    assert "benefit kind 'cashback'" in err and "$.benefit.kind" in err
    assert len(err.strip().splitlines()) == 1
