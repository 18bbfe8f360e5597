"""Presentations: build, sign for authentication, verify, and every refusal with its reason."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import ClassVar

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.proofs import ProofOptions, add_proof
from coopcreds_proto.purposes import AuthenticationPurpose
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.challenges import ChallengeStore
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import (
    PRESENTATION_CHECKS,
    create_presentation,
    present,
    sign_presentation,
    verify_presentation,
)
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import VerificationResult
from coopcreds_proto.vc.wallet import Wallet
from coopcreds_proto.verifier_options import VerifierOptions

DOMAIN = "https://members.riverside.example"
CHALLENGE = "k3Yc2Qf0-challenge"
VC_ID = "urn:uuid:6a1f3c52-8d0e-4b7a-9c21-5e4d3b2a1f00"
OTHER_ID = "urn:uuid:0b7e2b14-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


@pytest.fixture(scope="module")
def vc(actors) -> dict:
    return issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)


@pytest.fixture(scope="module")
def vc2(actors) -> dict:
    unsigned = sample_membership_credential(actors)
    unsigned["id"] = OTHER_ID
    return issue(unsigned, actors.coop, created=SAMPLE_CREATED)


@pytest.fixture(scope="module")
def vp(actors, vc) -> dict:
    return present([vc], actors.member, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW)


def verify(vp, options=None, **kw):
    kw.setdefault("challenge", CHALLENGE)
    kw.setdefault("domain", DOMAIN)
    if options is None:
        kw.setdefault("now", SAMPLE_NOW)
    return verify_presentation(vp, options, **kw)


def failing(result) -> list[tuple[str, str | None]]:
    return [(c.name, c.code) for c in result.failed if not c.skipped]


def test_a_valid_presentation_verifies(actors, vc, vp) -> None:
    assert vp["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vp["holder"] == actors.member.did
    assert vp["verifiableCredential"] == [vc]  # embedded as-is
    proof = vp["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == (
        "authentication",
        CHALLENGE,
        DOMAIN,
    )
    assert proof["verificationMethod"] == actors.member.verification_method
    result = verify(vp)
    assert result.verified, str(result)
    assert [c.name for c in result.checks] == list(PRESENTATION_CHECKS)
    assert result.holder == actors.member.did
    assert len(result.credential_results) == 1 and result.credential_results[0].verified
    assert isinstance(result, VerificationResult)


def test_json_text_input_and_renderings(actors, vp) -> None:
    result = verify(json.dumps(vp))
    assert result.verified
    data = result.to_json()
    assert data["verified"] is True and data["holder"] == actors.member.did
    assert [c["name"] for c in data["checks"]] == list(PRESENTATION_CHECKS)
    assert data["credentials"][0]["verified"] is True
    text, page = str(result), result._repr_html_()
    assert "Holder controls the key" in text and "Challenge (single use)" in page
    secrets = {actors.member.secret_key_multibase, actors.coop.secret_key_multibase}
    for shown in (text, page, repr(result), json.dumps(data)):
        assert not any(s in shown for s in secrets)


def test_a_refused_presentation_does_not_use_up_the_challenge(vp) -> None:
    challenges = ChallengeStore(rng=SeededRandom("replay"), clock=Clock())
    issued = challenges.issue(DOMAIN)
    first = verify(vp, challenge=issued.value, challenges=challenges)
    # The presentation was signed for CHALLENGE, not for the store's challenge.
    assert failing(first) == [("challenge", "wrong-challenge")]
    assert challenges.check(issued.value, DOMAIN) == issued  # a failure uses nothing up


@pytest.fixture()
def fresh(actors, vc):
    """A store, a clock, and a presentation signed for the store's fresh challenge."""
    clock = Clock()
    challenges = ChallengeStore(rng=SeededRandom("fresh"), clock=clock)
    issued = challenges.issue(DOMAIN)
    signed = present(
        [vc], actors.member, challenge=issued.value, domain=DOMAIN, created=SAMPLE_NOW
    )
    return challenges, clock, issued.value, signed


def test_challenge_is_consumed_once_and_a_replay_refused(fresh) -> None:
    challenges, _, value, signed = fresh
    assert verify(signed, challenge=value, challenges=challenges).verified
    again = verify(signed, challenge=value, challenges=challenges)
    assert not again.verified
    assert failing(again) == [("challenge", "challenge-replayed")]
    assert "already used" in again.check("challenge").message


def test_expired_challenge_is_refused(fresh) -> None:
    challenges, clock, value, signed = fresh
    clock.now += timedelta(minutes=6)
    result = verify(signed, challenge=value, challenges=challenges)
    assert failing(result) == [("challenge", "challenge-expired")]


def test_unknown_challenge_is_refused(vp) -> None:
    challenges = ChallengeStore(rng=SeededRandom("unknown"), clock=Clock())
    result = verify(vp, challenges=challenges)
    assert failing(result) == [("challenge", "unknown-challenge")]


def test_wrong_challenge_without_a_store_is_refused(vp) -> None:
    assert failing(verify(vp, challenge="another")) == [("challenge", "wrong-challenge")]


def test_wrong_domain_is_refused(fresh) -> None:
    challenges, _, value, signed = fresh
    result = verify(signed, challenge=value, domain="https://evil.example", challenges=challenges)
    assert ("domain", "wrong-domain") in failing(result)
    assert "expected https://evil.example" in result.check("domain").message
    # Issued for another domain: the store refuses it too, and nothing is used up.
    assert ("challenge", "challenge-wrong-domain") in failing(result)
    assert verify(signed, challenge=value, challenges=challenges).verified


def test_holder_not_subject_refused_where_the_verifier_asks(actors, vc) -> None:
    # The outsider presents the member's credential as their own.
    stolen = present([vc], actors.outsider, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW)
    result = verify(stolen, holder_is_subject=True)
    assert failing(result) == [("subject_binding", "holder-not-subject")]
    message = result.check("subject_binding").message
    assert VC_ID in message and actors.outsider.did in message and "credential 1 of 1" in message
    relaxed = verify(stolen)  # a presentation rule it is not: sign-in and policies ask it
    assert relaxed.verified
    assert "not required" in relaxed.check("subject_binding").message
    assert failing(verify(stolen, VerifierOptions.profile("strict", now=SAMPLE_NOW))) == [
        ("subject_binding", "holder-not-subject")
    ]


def test_signed_by_a_key_not_of_the_holder_is_refused(actors, vc) -> None:
    unsigned = create_presentation([vc], actors.member.did)
    options = ProofOptions(purpose=AuthenticationPurpose(CHALLENGE, DOMAIN), created=SAMPLE_NOW)
    forged = add_proof(unsigned, actors.outsider, options)
    result = verify(forged)
    assert failing(result) == [("holder_binding", "holder-mismatch")]
    assert actors.outsider.did in result.check("holder_binding").message
    # sign_presentation refuses to make one in the first place.
    with pytest.raises(InputError) as err:
        sign_presentation(unsigned, actors.outsider, challenge=CHALLENGE, domain=DOMAIN)
    assert err.value.code == "holder-key-mismatch"


@dataclass(frozen=True)
class AssertionWithChallenge(AuthenticationPurpose):
    """An issuing proof that carries a challenge and domain, as a forger might send."""

    term: ClassVar[str] = "assertionMethod"


def test_assertion_proof_is_not_a_login(actors, vc) -> None:
    unsigned = create_presentation([vc], actors.member.did)
    options = ProofOptions(purpose=AssertionWithChallenge(CHALLENGE, DOMAIN), created=SAMPLE_NOW)
    assert add_proof(unsigned, actors.member, options)["proof"]["challenge"] == CHALLENGE
    result = verify(add_proof(unsigned, actors.member, options))
    assert failing(result) == [("proof_purpose", "wrong-proof-purpose")]


def test_undefined_term_inside_an_embedded_credential_names_it(vp) -> None:
    unsafe = copy.deepcopy(vp)
    unsafe["verifiableCredential"][0]["credentialSubject"]["shareCapital"] = "£1,000,000"
    result = verify(unsafe)
    check = result.check("safe_jsonld")
    assert (check.ok, check.code) == (False, "undefined-term")
    assert "credential 1 of 1" in check.message and VC_ID in check.message
    assert "'shareCapital'" in check.message
    assert "$.verifiableCredential[0].credentialSubject.shareCapital" in check.message
    assert result.check("signature").skipped and result.check("credentials").skipped


def test_tampered_embedded_credential_names_it(actors, vc, vc2) -> None:
    tampered = copy.deepcopy(vc2)
    tampered["credentialSubject"]["membershipClass"] = "founder member"
    # The holder signs the presentation after changing the credential: the
    # presentation's own signature is fine, the credential's is not.
    signed = present(
        [vc, tampered], actors.member, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW
    )
    result = verify(signed)
    assert failing(result) == [("credentials", "credential-not-verified")]
    message = result.check("credentials").message
    assert message.startswith(f"credential 2 of 2 ({OTHER_ID}): signature:")
    assert [r.verified for r in result.credential_results] == [True, False]


def test_tampering_with_the_presentation_breaks_its_signature(vp) -> None:
    changed = copy.deepcopy(vp)
    changed["verifiableCredential"] = changed["verifiableCredential"] * 2
    result = verify(changed)
    assert ("signature", "bad-signature") in failing(result)


def test_expired_credential_inside_is_refused(vp) -> None:
    result = verify(vp, now="2027-02-01T00:00:00Z")
    message = result.check("credentials").message
    assert "credential 1 of 1" in message and "validity_period" in message


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("not json", "not-json"),
        ({}, "first-context"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential"},
         "not-a-presentation"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation"},
         "no-proof"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation",
          "verifiableCredential": ["x"]}, "bad-embedded-credential"),
    ],
)
def test_bad_input_never_raises(document, code) -> None:
    result = verify(document)
    assert not result.verified
    assert result.checks[0].code == code
    assert all(c.skipped for c in result.checks[1:])


def test_building_refuses_unsigned_credentials_and_unsafe_presentations(actors, vc) -> None:
    with pytest.raises(InputError) as err:
        create_presentation([sample_membership_credential(actors)], actors.member.did)
    assert err.value.code == "unsigned-credential"
    unsafe = create_presentation([vc], actors.member.did)
    unsafe["loginHint"] = "ada"
    with pytest.raises(Exception) as err:
        sign_presentation(unsafe, actors.member, challenge=CHALLENGE, domain=DOMAIN)
    assert getattr(err.value, "code", None) == "undefined-term"


def test_wallet_presents_the_chosen_credential_by_its_subject_did(actors, vc) -> None:
    wallet = Wallet().add_key(actors.outsider).add_key(actors.member).add_credential(vc)
    assert wallet.list_credentials(actors.outsider.did) == ()
    assert wallet.choose(types=["CooperativeMembershipCredential"], issuers=["did:example:x"]) == ()
    signed = wallet.present(CHALLENGE, DOMAIN, types=["CooperativeMembershipCredential"],
                            created=SAMPLE_NOW)
    assert signed["holder"] == actors.member.did  # the DID the credential is about
    assert verify(signed).verified
    for shown in (repr(wallet), wallet._repr_html_()):
        assert actors.member.secret_key_multibase not in shown
        assert actors.member.did in shown
    with pytest.raises(InputError) as err:
        Wallet().add_key(actors.outsider).add_credential(vc)
    assert err.value.code == "not-my-credential"
    with pytest.raises(InputError) as err:
        wallet.add_credential(vc)
    assert err.value.code == "duplicate-credential"


def test_did_web_holder_resolves_through_the_registry_and_its_key_history(actors, tmp_path):
    from coopcreds_proto.did_web import add_key, create_did_web, mark_key_compromised, retire_key
    from coopcreds_proto.local_registry import LocalRegistry

    registry = LocalRegistry(tmp_path)
    did = "did:web:members.riverside.example:ada"
    key1 = create_did_web(did, registry, rng=SeededRandom("ada-1"))
    unsigned = sample_membership_credential(actors)
    unsigned["credentialSubject"]["id"] = did
    vc = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
    signed = present([vc], key1, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW)
    assert signed["holder"] == did and signed["proof"]["verificationMethod"] == f"{did}#key-1"
    assert verify(signed, registry=registry).verified
    # Without the registry the did:web DID cannot be resolved offline.
    assert failing(verify(signed))[0][0] == "verification_method"
    # A retired key can no longer sign in, whatever `created` the proof claims.
    key2 = add_key(did, registry, rng=SeededRandom("ada-2"))
    retire_key(key1.id, registry, from_="2026-05-01T00:00:00Z")
    retired = verify(signed, registry=registry)
    assert failing(retired) == [("verification_method", "key-expired")]
    fresh = present([vc], key2, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW)
    assert verify(fresh, registry=registry).verified
    mark_key_compromised(key2.id, registry, from_="2026-05-15T00:00:00Z")
    assert failing(verify(fresh, registry=registry)) == [("verification_method", "key-revoked")]


def test_a_revoked_credential_inside_is_named(actors, tmp_path) -> None:
    from coopcreds_proto.local_registry import LocalRegistry
    from coopcreds_proto.vc.status_list import (
        allocate,
        new_status_list,
        publish_status_list,
        revoke,
        status_entry,
    )

    registry = LocalRegistry(tmp_path)
    url = "https://riverside.coop.example/status/1"
    lst, (index,) = allocate(new_status_list(url, actors.coop.did), SeededRandom("status"))
    unsigned = sample_membership_credential(actors)
    unsigned["credentialStatus"] = status_entry(lst, index)
    vc = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
    signed = present([vc], actors.member, challenge=CHALLENGE, domain=DOMAIN, created=SAMPLE_NOW)
    publish_status_list(lst, actors.coop, registry, valid_from=SAMPLE_CREATED,
                        created=SAMPLE_CREATED)
    assert verify(signed, registry=registry).verified
    publish_status_list(revoke(lst, index), actors.coop, registry, valid_from=SAMPLE_CREATED,
                        created=SAMPLE_CREATED)
    result = verify(signed, registry=registry)
    assert failing(result) == [("credentials", "credential-not-verified")]
    assert result.check("credentials").message.startswith(f"credential 1 of 1 ({VC_ID}): status:")
