"""Recognition decisions: granted with the benefit, or refused with a reason per failed check."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from stay_fair_scenario import (
    BODY,
    DOMAIN,
    FESTIVAL,
    FRAMEWORK,
    MEMBER,
    MEMBERSHIP,
    MUSIC,
    NAMES,
    ROGUE,
    STAY_FAIR,
    accreditation,
    identity,
    membership,
    presentation,
    registry,
)

from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.accreditation import (
    issue_accreditation,
    load_trust_dir,
    record_witnessed,
    save_anchors,
    save_trust_credential,
)
from coopcreds_proto.trust.identity_assurance import identity_assurance_credential
from coopcreds_proto.trust.policy import example_policy_path, load_policy
from coopcreds_proto.trust.recognition import POLICY_CHECKS, decide, issuer_trust
from coopcreds_proto.trust.registry import Recognition, Witnessed
from coopcreds_proto.vc.challenges import ChallengeStore
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SampleActors, sample_membership_credential
from coopcreds_proto.vc.status_list import (
    allocate,
    new_status_list,
    publish_status_list,
    revoke,
    status_entry,
)

UTC = timezone.utc
STAY_FAIR_POLICY = load_policy(example_policy_path("stay-fair-play-fair"))
KYC_POLICY = load_policy(example_policy_path("verified-identity-access"))


def run(vp: dict, policy=STAY_FAIR_POLICY, trust=None, now: str = FESTIVAL, **kw):
    """A decision on ``vp`` (for the challenge ``c-1``, which no store issued: not single-use)."""
    kw.setdefault("challenges", None)
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
                      domain=DOMAIN, challenges=None, now=FESTIVAL)
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


# --- a benefit is granted once per presentation ------------------------------------


def store_at(moment: datetime = datetime(2026, 8, 10, 12, tzinfo=UTC)) -> ChallengeStore:
    return ChallengeStore(rng=SeededRandom(f"once/{moment.isoformat()}"), clock=lambda: moment)


def decide_with(store: ChallengeStore | None, vp: dict, challenge: str, **kw):
    return decide(vp, kw.pop("policy", STAY_FAIR_POLICY), trust=registry(), challenge=challenge,
                  domain=DOMAIN, challenges=store, now=FESTIVAL, **kw)


def test_the_same_presentation_decided_twice_grants_once():
    store = store_at()
    challenge = store.issue(DOMAIN).value
    vp = presentation(membership(), challenge=challenge)
    first, second = decide_with(store, vp, challenge), decide_with(store, vp, challenge)
    assert first.granted and first.single_use and first.to_json()["singleUse"] is True
    assert not second.granted and second.benefit is None
    check = second.check("presentation")
    assert not check.ok and check.code == "challenge-replayed"
    assert second.reasons == (f"Presentation verified: {check.message}",)
    # A copy of the presentation re-serialised is the same challenge: refused too.
    again = decide_with(store, json.dumps(vp, indent=1, sort_keys=True), challenge)
    assert not again.granted and again.check("presentation").code == "challenge-replayed"


def test_a_refused_decision_uses_its_challenge_up_too():
    store = store_at()
    challenge = store.issue(DOMAIN).value
    vp = presentation(membership(), challenge=challenge)
    narrow = dataclasses.replace(STAY_FAIR_POLICY, required_claims=("memberOf.postcode",))
    assert decide_with(store, vp, challenge, policy=narrow).check("required_claims").code \
        == "claim-missing"
    assert decide_with(store, vp, challenge).check("presentation").code == "challenge-replayed"


def test_a_decision_needs_a_challenge_store_or_says_it_has_none(member_vp):
    with pytest.raises(TypeError):
        decide(member_vp, STAY_FAIR_POLICY, trust=registry(), challenge="c-1",  # type: ignore[call-arg]
               domain=DOMAIN, now=FESTIVAL)
    unbound = decide_with(None, member_vp, "c-1")
    assert unbound.granted and not unbound.single_use
    assert unbound.check("presentation").message.endswith(
        "not bound to a single-use challenge (no challenge store): deciding on it again would"
        " grant again")
    # A store that did not issue the challenge refuses it: single use means issued here.
    refused = decide_with(store_at(), member_vp, "c-1")
    assert not refused.granted and refused.check("presentation").code == "unknown-challenge"


# --- the holder's subject, never another -------------------------------------------

OTHER = "did:example:someone-else"
HIGH = dataclasses.replace(KYC_POLICY, minimum_assurance="high")


def about(*levels: tuple[str, str], seed: str = "multi") -> dict:
    """An identity-assurance credential about several subjects: (DID, level) each."""
    unsigned = identity_assurance_credential(
        MUSIC.did, MEMBER.did, level="low", methods=["identity document"],
        checked_on=date(2026, 3, 2), rng=SeededRandom(f"ia/{seed}"))
    base = unsigned["credentialSubject"]
    unsigned["credentialSubject"] = [{**base, "id": did, "assuranceLevel": level}
                                     for did, level in levels]
    return issue(unsigned, MUSIC, created="2026-03-02T10:00:00Z")


def test_another_subjects_level_is_never_the_holders():
    # Listed first, someone else's "high" level; the holder's own is "low".
    vp = presentation(membership(), about((OTHER, "high"), (MEMBER.did, "low")))
    decision = run(vp, policy=HIGH)
    check = decision.check("identity_assurance")
    assert not decision.granted and check.code == "assurance-too-low"
    assert check.message.startswith("level low (")
    # The holder's own "high", listed second, is the one relied on.
    granted = run(presentation(membership(), about((OTHER, "low"), (MEMBER.did, "high"),
                                                   seed="second")), policy=HIGH)
    assert granted.granted, granted.reasons
    assert granted.claims["assuranceLevel"] == "high"


def respelled(vp: dict, change, index: int = 0) -> dict:
    """``vp`` with credential ``index`` respelled after signing: the signed graph unchanged."""
    copied = copy.deepcopy(vp)
    change(copied["verifiableCredential"][index])
    return copied


def test_a_subject_split_in_two_gives_the_holder_nothing():
    # The holder's subject split in two objects: the same signed graph, read two ways.
    def split(credential: dict) -> None:
        subject = credential["credentialSubject"]
        name = subject.pop("memberName")
        credential["credentialSubject"] = [subject, {"id": subject["id"], "memberName": name}]

    decision = run(respelled(presentation(membership()), split))
    assert not decision.granted and decision.claims == {}
    assert not decision.check("presentation").ok or \
        decision.check("required_claims").code == "not-about-holder"


def test_claims_come_from_the_holders_subject():
    unsigned = sample_membership_credential(SampleActors(coop=MUSIC, member=MEMBER, outsider=ROGUE))
    mine = unsigned["credentialSubject"]
    unsigned["credentialSubject"] = [{**mine, "id": OTHER, "memberName": "Someone Else"}, mine]
    decision = run(presentation(issue(unsigned, MUSIC, created="2026-01-15T09:00:00Z")))
    assert decision.granted, decision.reasons
    assert decision.claims["memberName"] == "Ada Okafor"


# --- a credential's age is its validFrom --------------------------------------------


def test_the_age_of_a_credential_without_valid_from_is_unknown():
    unsigned = sample_membership_credential(SampleActors(coop=MUSIC, member=MEMBER, outsider=ROGUE))
    del unsigned["validFrom"]
    # Signed recently: a proof's created time is when it was signed, not when its claims date from.
    undated = issue(unsigned, MUSIC, created="2026-08-01T09:00:00Z")
    decision = run(presentation(undated))
    check = decision.check("credential_age")
    assert not decision.granted and check.code == "age-unknown"
    assert check.message == "the credential gives no issuance date, so its age is unknown"


def test_a_valid_from_written_as_its_iri_is_not_replaced_by_the_proof_date():
    # Claims dating from January 2025 (too old for a 400-day policy), signed in August 2026.
    unsigned = sample_membership_credential(SampleActors(coop=MUSIC, member=MEMBER, outsider=ROGUE))
    unsigned["validFrom"] = "2025-01-01T00:00:00Z"
    old = presentation(issue(unsigned, MUSIC, created="2026-08-01T09:00:00Z"))
    assert run(old).check("credential_age").code == "too-old"

    def as_iri(credential: dict) -> None:  # the same signed graph, validFrom under its IRI
        credential["https://www.w3.org/2018/credentials#validFrom"] = {
            "@value": credential.pop("validFrom"),
            "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}

    decision = run(respelled(old, as_iri))
    assert not decision.granted
    if decision.check("presentation").ok:  # read as JSON keys: no validFrom, so no known age
        assert decision.check("credential_age").code == "age-unknown"


# --- witnessed issuance honours only what was witnessed before the revocation -------


def test_a_credential_witnessed_after_the_revocation_stays_refused_after_a_refresh(tmp_path):
    web, trust_dir = LocalRegistry(tmp_path / "web"), tmp_path / "trust"
    lst, (index,) = allocate(new_status_list("https://body.example/status/1", BODY.did),
                             SeededRandom("witnessed/list"))
    publish_status_list(lst, BODY, web, valid_from="2026-01-01T00:00:00Z")
    save_anchors(trust_dir, {FRAMEWORK: [BODY.did]}, names=NAMES)
    save_trust_credential(trust_dir, issue_accreditation(
        accreditation(), BODY, status_entry=status_entry(lst, index), now="2026-01-01T00:00:00Z"))
    revoked = revoke(lst, index)
    publish_status_list(revoked, BODY, web, valid_from="2026-08-01T00:00:00Z")
    assert load_trust_dir(trust_dir, now=datetime(2026, 8, 1, 6, tzinfo=UTC), registry=web) \
        .registry.revocations["urn:acc:music"] == datetime(2026, 8, 1, tzinfo=UTC)
    # The music co-op issues a credential after the revocation and the registry witnesses it;
    # then the body publishes its list again (validFrom 9 August).
    between = membership(created="2026-08-05T09:00:00Z")
    record_witnessed(trust_dir, Witnessed(MUSIC.did, between["id"],
                                          datetime(2026, 8, 5, 9, tzinfo=UTC)))
    publish_status_list(revoked, BODY, web, valid_from="2026-08-09T00:00:00Z")
    trust = load_trust_dir(trust_dir, now=datetime(2026, 8, 10, tzinfo=UTC), registry=web)
    assert trust.registry.revocations["urn:acc:music"] == datetime(2026, 8, 1, tzinfo=UTC)
    witnessing = dataclasses.replace(STAY_FAIR_POLICY, honour_witnessed=True)
    decision = run(presentation(between), policy=witnessing, trust=trust)
    check = decision.check("issuer_trusted")
    assert not decision.granted and check.code == "issuer-untrusted"
    assert "revoked at 2026-08-01T00:00:00Z" in check.message
    assert "was not witnessed before the revocation" in check.message


# --- a presented credential is decided on as signed ---------------------------------
# The trust layer reads a presented credential through the verifier, so these hold once
# the verifier decides on the signed graph however the JSON spells it.

VC_IRI = "https://www.w3.org/2018/credentials#"


def test_an_expired_membership_stays_expired_however_its_end_is_written():
    unsigned = sample_membership_credential(SampleActors(coop=MUSIC, member=MEMBER, outsider=ROGUE))
    unsigned["validUntil"] = "2026-08-01T00:00:00Z"  # ended before the festival
    ended = presentation(issue(unsigned, MUSIC, created="2026-01-15T09:00:00Z"))
    refused = run(ended).check("presentation")
    assert refused.code == "credential-not-verified" and "expired" in refused.message

    def as_iri(credential: dict) -> None:  # the same signed graph, validUntil under its IRI
        credential[VC_IRI + "validUntil"] = {
            "@value": credential.pop("validUntil"),
            "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}

    decision = run(respelled(ended, as_iri))
    assert not decision.granted and not decision.check("presentation").ok
