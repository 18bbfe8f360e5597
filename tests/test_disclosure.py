"""Selective disclosure end to end: an ecdsa-sd-2023 membership credential, the
wallet's disclosure of exactly what a co-op asks, its consent screen (field for
field the disclosed document), verification, presentation and reusable KYC."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timezone

import pytest

from coopcreds_proto.definitions.artefacts import definition_loader
from coopcreds_proto.definitions.definition import (
    DefinitionError,
    definition_path,
    definition_to_dict,
    load_definition,
    parse_definition,
)
from coopcreds_proto.errors import InputError
from coopcreds_proto.issuer.batch import (
    SAMPLE_COOP,
    Issuer,
    apply_register,
    read_credential,
    revoke_member,
)
from coopcreds_proto.issuer.member_register import generate_register
from coopcreds_proto.keys import EcdsaKey
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.identity_assurance import assurance_of, issue_identity_assurance
from coopcreds_proto.trust.policy import Benefit, VerifierPolicy
from coopcreds_proto.trust.recognition import decide
from coopcreds_proto.trust.registry import ISSUE, Accreditation, TrustRegistry
from coopcreds_proto.vc.challenges import ChallengeStore
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.disclosure import (
    BBS_NOTE,
    claims_of,
    derive_disclosure,
    disclose_for_request,
    disclosure_summary,
    mandatory_pointers_for,
)
from coopcreds_proto.vc.presentation_request import PresentationRequest
from coopcreds_proto.vc.presentations import verify_presentation
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import verify_credential
from coopcreds_proto.vc.wallet import Wallet

ACTORS = sample_actors()
COOP = EcdsaKey.generate(SeededRandom("test/riverside-p256"))
REQUEST = PresentationRequest(
    verifier="did:web:stayfair.example", verifier_name="Stay Fair Tourism Co-operative",
    purpose="festival fair-stay discount", credential_type="CooperativeMembershipCredential",
    fields=("membershipStatus", "memberOf.sector"), challenge="c-1",
    domain="https://stayfair.example",
)


def _unsigned() -> dict:
    credential = sample_membership_credential(ACTORS)
    credential["issuer"]["id"] = COOP.did
    return credential


@pytest.fixture(scope="module")
def signed() -> dict:
    unsigned = _unsigned()
    return issue(unsigned, COOP, cryptosuite="ecdsa-sd-2023", created=SAMPLE_CREATED,
                 mandatory_pointers=mandatory_pointers_for(unsigned), rng=SeededRandom("sd"))


@pytest.fixture(scope="module")
def disclosed(signed: dict) -> dict:
    return disclose_for_request(signed, REQUEST)


def test_mandatory_pointers_are_those_the_credential_has() -> None:
    unsigned = _unsigned()
    assert mandatory_pointers_for(unsigned) == ("/issuer", "/validFrom", "/validUntil", "/type")
    del unsigned["validUntil"]
    assert mandatory_pointers_for(unsigned, ["/id"]) == ("/issuer", "/validFrom", "/type", "/id")


def test_the_disclosure_holds_exactly_the_request_and_the_mandatory_claims(disclosed) -> None:
    # The credential's id goes with every disclosure (an object keeps its id).
    assert sorted(disclosed) == ["@context", "credentialSubject", "id", "issuer", "proof", "type",
                                 "validFrom", "validUntil"]
    subject = disclosed["credentialSubject"]
    # An object keeps its id and type: the member's DID and the co-op's DID go too.
    assert subject == {
        "id": ACTORS.member.did, "type": "CooperativeMember", "membershipStatus": "active",
        "memberOf": {"id": ACTORS.coop.did, "type": "Cooperative", "sector": "food retail"},
    }


def test_the_disclosure_verifies_through_the_same_named_checks(signed, disclosed) -> None:
    full = verify_credential(signed, now=SAMPLE_NOW)
    # The issuer's base proof is the holder's: a verifier refuses it.
    assert not full.verified and full.check("signature").code == "sd-base-proof"
    result = verify_credential(disclosed, now=SAMPLE_NOW)
    assert result.verified, result
    assert [c.name for c in result.checks] == [c.name for c in full.checks]
    message = result.check("signature").message
    assert "valid ecdsa-sd-2023 signature" in message
    assert "derived: 12 signed statements disclosed (6 mandatory, 6 chosen by the holder)" in message


@pytest.mark.parametrize("change", ["value", "add", "drop"])
def test_a_changed_disclosure_fails_the_signature_check(disclosed, change: str) -> None:
    changed = copy.deepcopy(disclosed)
    if change == "value":
        changed["credentialSubject"]["memberOf"]["sector"] = "tourism"
    elif change == "add":
        changed["credentialSubject"]["memberName"] = "Ada Okafor"
    else:
        del changed["credentialSubject"]["membershipStatus"]
    result = verify_credential(changed, now=SAMPLE_NOW)
    assert not result.verified and result.check("signature").code == "bad-signature"


def test_the_consent_screen_matches_the_disclosed_document_field_for_field(signed,
                                                                          disclosed) -> None:
    summary = disclosure_summary(REQUEST, signed, disclosed)
    shown = claims_of(disclosed)
    assert [path for path, _, _ in summary.disclosed] == list(shown)
    assert [value for _, _, value in summary.disclosed] == [
        ", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in shown.values()]
    full = claims_of(signed)
    assert [path for path, _ in summary.not_disclosed] == [p for p in full if p not in shown]
    assert set(shown) | {p for p, _ in summary.not_disclosed} == set(full)
    labels = {p: label for p, label, _ in summary.disclosed}
    assert labels["credentialSubject.memberOf.sector"] == "Your co-op's sector"
    assert labels["credentialSubject.memberOf.id"] == "Your co-op: identifier"
    hidden = dict(summary.not_disclosed)
    assert hidden["credentialSubject.memberName"] == "Your name"
    assert hidden["credentialSubject.membershipNumber"] == "Your membership number"
    assert f"The credential's id {signed['id']}" in summary.text
    text = summary.text
    assert f"Your DID {ACTORS.member.did}" in text
    assert "ecdsa-sd-2023 disclosures are linkable" in text and BBS_NOTE in text
    assert "Riverside Food Co-operative" in text  # the issuer stays linkable
    assert f"You disclose 12 of {summary.statements_total} signed statements" in text
    assert summary.statements_total == 25  # 9 about the credential, 10 about Ada, 6 her co-op
    html = summary.html
    assert "What stays linkable" in html and "Your co-op&#39;s sector" in html


def test_the_wallet_discloses_and_presents(signed) -> None:
    wallet = Wallet().add_key(ACTORS.member).add_credential(signed)
    disclosure = wallet.disclose(REQUEST)
    assert disclosure == disclose_for_request(signed, REQUEST)
    vp = wallet.present(REQUEST.challenge, REQUEST.domain, credentials=[disclosure],
                        created=SAMPLE_NOW)
    result = verify_presentation(vp, challenge=REQUEST.challenge, domain=REQUEST.domain,
                                 now=SAMPLE_NOW)
    assert result.verified, result
    with pytest.raises(InputError) as info:
        Wallet().add_key(ACTORS.member).disclose(REQUEST)
    assert info.value.code == "no-matching-credential"


def test_what_cannot_be_disclosed_is_refused(signed) -> None:
    asked = PresentationRequest(**{**REQUEST.__dict__, "fields": ("favouriteColour",)})
    with pytest.raises(InputError) as info:
        disclose_for_request(signed, asked)
    assert info.value.code == "field-not-held"
    eddsa = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
    with pytest.raises(InputError) as info:
        disclose_for_request(eddsa, REQUEST)
    assert info.value.code == "not-selectively-disclosable"


def test_reusable_kyc_discloses_the_level_alone() -> None:
    kyc = issue_identity_assurance(
        COOP, ACTORS.member.did, level="substantial", methods=["document check", "video call"],
        checked_on=date(2026, 1, 10), now=SAMPLE_CREATED, rng=SeededRandom("kyc"),
        cryptosuite="ecdsa-sd-2023",
    )
    level_only = derive_disclosure(kyc, ["/credentialSubject/assuranceLevel"])
    assert level_only["credentialSubject"] == {
        "id": ACTORS.member.did, "type": "IdentityAssurance", "assuranceLevel": "substantial"}
    assert verify_credential(level_only, now=SAMPLE_NOW).verified
    assurance = assurance_of(level_only)
    assert assurance is not None and assurance.level == "substantial"
    assert assurance.methods == () and assurance.checked_on is None


def _decide(signed: dict, required: tuple[str, ...]):
    fw = "https://gov.example/gf"
    acc = Accreditation(id="urn:acc:1", accreditor="did:example:body", subject=COOP.did,
                        framework=fw, permissions=frozenset({ISSUE}),
                        credential_types=frozenset({"CooperativeMembershipCredential"}),
                        valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
                        valid_until=datetime(2027, 1, 1, tzinfo=timezone.utc))
    trust = TrustRegistry(anchors={fw: frozenset({"did:example:body"})}, accreditations=(acc,))
    policy = VerifierPolicy(name="festival", verifier=REQUEST.verifier,
                            verifier_name=REQUEST.verifier_name, frameworks=(fw,),
                            accepted_types=("CooperativeMembershipCredential",),
                            required_claims=required,
                            benefit=Benefit("discount", "Fair-stay festival discount", "15%"))
    now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    store = ChallengeStore(rng=SeededRandom("festival"), clock=lambda: now)
    challenge = store.issue(REQUEST.domain).value
    wallet = Wallet().add_key(ACTORS.member).add_credential(signed)
    vp = wallet.present(challenge, REQUEST.domain, credentials=[wallet.disclose(REQUEST)],
                        created=now)
    return decide(vp, policy, trust=trust, challenge=challenge, domain=REQUEST.domain,
                  challenges=store, now=now)


def test_a_policy_accepts_a_disclosure_that_has_the_claims_it_asks_for(signed) -> None:
    decision = _decide(signed, ("membershipStatus", "memberOf.sector"))
    assert decision.granted, decision
    assert decision.claims["memberOf"]["sector"] == "food retail"
    assert "memberName" not in decision.claims
    refused = _decide(signed, ("memberName",))
    assert not refused.granted
    assert [c.code for c in refused.checks if not c.ok] == ["claim-missing"]


def test_the_issuer_issues_a_register_with_ecdsa_sd_2023(tmp_path) -> None:
    issuer = Issuer(COOP, SAMPLE_COOP, tmp_path / "out", cryptosuite="ecdsa-sd-2023",
                    status_base="https://riverside.example/status",
                    registry=LocalRegistry(tmp_path / "registry"))
    records = generate_register(2)
    apply_register(issuer, records, now="2026-02-01T09:00:00Z", rng=SeededRandom("batch"),
                   progress=False, durable=False)
    number = records[0].membership_number
    credential = read_credential(issuer, number)
    assert credential["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    shown = derive_disclosure(credential, ["/credentialSubject/membershipStatus"])
    # The status entries are mandatory: a verifier still checks revocation.
    assert shown["credentialStatus"] == credential["credentialStatus"]
    assert set(shown["credentialSubject"]) == {"id", "type", "membershipStatus"}
    result = verify_credential(shown, now="2026-04-01T00:00:00Z", registry=issuer.registry)
    assert result.verified, result
    revoke_member(issuer, number, now="2026-04-02T00:00:00Z", reason="left the co-op")
    after = verify_credential(shown, now="2026-04-03T00:00:00Z", registry=issuer.registry)
    assert not after.verified and after.check("status").code == "status-revoked"


def test_a_definition_names_the_claims_every_disclosure_reveals(tmp_path) -> None:
    definition = load_definition(definition_path("cooperative-membership", "0.1"))
    with_status = dataclasses.replace(definition, mandatory_claims=("membershipStatus",))
    assert parse_definition(definition_to_dict(with_status)) == with_status
    assert "mandatory_claims" not in definition_to_dict(definition)  # earlier digests stay
    issuer = Issuer(COOP, SAMPLE_COOP, tmp_path / "out", definition=with_status,
                    cryptosuite="ecdsa-sd-2023")
    records = generate_register(1)
    apply_register(issuer, records, now="2026-02-01T09:00:00Z", rng=SeededRandom("def"),
                   progress=False, durable=False)
    credential = read_credential(issuer, records[0].membership_number)
    shown = derive_disclosure(credential, ["/credentialSubject/memberOf/sector"],
                              loader=definition_loader(with_status))
    assert shown["credentialSubject"]["membershipStatus"] == records[0].membership_status
    with pytest.raises(DefinitionError) as info:
        parse_definition({**definition_to_dict(definition), "mandatory_claims": ["favourite"]})
    assert "mandatory claim 'favourite' is not an active field" in str(info.value)
