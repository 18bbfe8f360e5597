"""Keys over time: a retired key's earlier credentials verify, later ones do not;
a compromised key's credentials are refused, or (by policy) only those from its
compromise date on."""

from __future__ import annotations

import copy

import pytest

from coopcreds_proto.did_web import add_key, create_did_web, mark_key_compromised, retire_key
from coopcreds_proto.dids import dereference_verification_method
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SAMPLE_NOW, sample_actors, sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential

DID = "did:web:riverside.example"
RETIRED = "2026-03-01"  # key-1 retired from this date
COMPROMISED = "2026-04-01"  # key-2 compromised from this date
ACTORS = sample_actors()


def _unsigned(issuer: str = DID) -> dict:
    credential = sample_membership_credential(ACTORS)
    credential["issuer"]["id"] = issuer
    credential["credentialSubject"]["memberOf"]["id"] = issuer
    return credential


def _signed(key: Ed25519Key, created: str) -> dict:
    return issue(_unsigned(key.controller), key, created=created)


def _verify(registry: LocalRegistry, credential: dict, **options):
    return verify_credential(credential, now=SAMPLE_NOW, registry=registry, **options)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """One co-op's keys over six months, and what each key signed when."""
    registry = LocalRegistry(tmp_path_factory.mktemp("registry"))
    key1 = create_did_web(DID, registry, rng=SeededRandom(b"key-1"))
    signed = {"key1 before retirement": _signed(key1, "2026-02-01T10:00:00Z")}
    key2 = add_key(DID, registry, rng=SeededRandom(b"key-2"))
    signed["key2 before compromise"] = _signed(key2, "2026-03-20T10:00:00Z")
    before = {name: _verify(registry, c) for name, c in signed.items()}
    retire_key(key1.id, registry, from_=RETIRED)
    # A key that is still in someone's hands can sign with any date it likes.
    signed["key1 after retirement"] = _signed(key1, "2026-03-15T10:00:00Z")
    signed["key2 after compromise"] = _signed(key2, "2026-04-10T10:00:00Z")
    mark_key_compromised(key2.id, registry, from_=COMPROMISED)
    return registry, key1, key2, signed, before


def test_everything_verified_before_the_keys_changed(story) -> None:
    _, _, _, _, before = story
    assert all(result.verified for result in before.values()), before


def test_a_retired_key_still_verifies_what_it_signed_before(story) -> None:
    registry, key1, _, signed, _ = story
    result = _verify(registry, signed["key1 before retirement"])
    assert result.verified, str(result)
    message = result.check("verification_method").message
    assert f"key {key1.id} signed this on 2026-02-01T10:00:00Z, before its retirement" in message


def test_a_retired_key_is_refused_for_what_it_signed_after(story) -> None:
    registry, key1, _, signed, _ = story
    result = _verify(registry, signed["key1 after retirement"])
    check = result.check("verification_method")
    assert not result.verified and not check.ok and check.code == "key-expired"
    assert check.message.startswith(
        f"key {key1.id} was retired on 2026-03-01T00:00:00Z; this proof was created"
        " 2026-03-15T10:00:00Z, after it"
    )
    # Nothing after it runs on an untrusted key.
    assert result.check("signature").skipped and result.check("issuer_binding").skipped


def test_a_compromised_key_is_refused_for_everything_by_default(story) -> None:
    registry, _, key2, signed, _ = story
    for name in ("key2 before compromise", "key2 after compromise"):
        result = _verify(registry, signed[name])
        check = result.check("verification_method")
        assert not result.verified and check.code == "key-revoked", name
        assert check.message.startswith(
            f"key {key2.id} was revoked (compromised) on 2026-04-01T00:00:00Z;"
            " signatures it made are no longer trusted"
        )


def test_policy_trusts_a_compromised_keys_signatures_only_from_before(story) -> None:
    registry, _, key2, signed, _ = story
    early = _verify(
        registry, signed["key2 before compromise"], trust_signatures_before_key_revocation=True
    )
    assert early.verified, str(early)
    assert early.check("verification_method").message.endswith(
        f"key {key2.id} signed this on 2026-03-20T10:00:00Z, before its revocation"
        " (compromise) on 2026-04-01T00:00:00Z: accepted by policy"
    )
    late = _verify(
        registry, signed["key2 after compromise"], trust_signatures_before_key_revocation=True
    )
    check = late.check("verification_method")
    assert not late.verified and check.code == "key-revoked"
    assert "this proof was created 2026-04-10T10:00:00Z, after it" in check.message


def test_the_policy_does_not_touch_retirement_or_healthy_keys(story, tmp_path) -> None:
    registry, _, _, signed, _ = story
    late = _verify(
        registry, signed["key1 after retirement"], trust_signatures_before_key_revocation=True
    )
    assert late.check("verification_method").code == "key-expired"
    # A did:key (no history) is unaffected by the option.
    plain = issue(sample_membership_credential(ACTORS), ACTORS.coop, created="2026-02-01T00:00:00Z")
    assert verify_credential(plain, now=SAMPLE_NOW).verified
    assert verify_credential(
        plain, now=SAMPLE_NOW, trust_signatures_before_key_revocation=True
    ).verified


def test_signed_exactly_at_the_date_is_refused(tmp_path) -> None:
    # Controlled Identifiers 1.0: proofs at or after expires/revoked are not verified.
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"edge"))
    at = _signed(key, "2026-03-01T00:00:00Z")
    just_before = _signed(key, "2026-02-28T23:59:59Z")
    retire_key(key.id, registry, from_=RETIRED)
    assert _verify(registry, at).check("verification_method").code == "key-expired"
    assert _verify(registry, just_before).verified


def test_a_proof_without_created_cannot_show_it_came_before(story) -> None:
    registry, _, _, signed, _ = story
    credential = copy.deepcopy(signed["key1 before retirement"])
    del credential["proof"]["created"]
    check = _verify(registry, credential).check("verification_method")
    assert check.code == "proof-created-missing"
    assert "retired on 2026-03-01T00:00:00Z" in check.message


def test_a_verification_method_naming_another_controller_is_refused(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"controller"))
    credential = _signed(key, "2026-02-01T00:00:00Z")
    document = registry.read(DID)
    document["verificationMethod"][0]["controller"] = "did:web:elsewhere.example"
    registry.publish(DID, document, replace=True)
    result = _verify(registry, credential)
    check = result.check("verification_method")
    assert not result.verified and check.code == "verification-method-controller"
    assert "did:web:elsewhere.example" in check.message


def test_a_key_claiming_an_id_it_does_not_have_is_refused(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    create_did_web(DID, registry, rng=SeededRandom(b"real"))
    impostor = Ed25519Key(SeededRandom(b"impostor").bytes(32), controller=DID, id=f"{DID}#key-1")
    result = _verify(registry, _signed(impostor, "2026-02-01T00:00:00Z"))
    assert not result.verified and result.check("signature").code == "bad-signature"
    # A key of another did:web DID cannot sign for this issuer either.
    other = create_did_web("did:web:hillside.example", registry, rng=SeededRandom(b"other"))
    forged = issue(_unsigned(other.controller), other, created="2026-02-01T00:00:00Z")
    forged["issuer"]["id"] = DID
    assert _verify(registry, forged).check("issuer_binding").code == "issuer-mismatch"


def test_a_key_not_listed_for_issuing_is_refused(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    create_did_web(DID, registry, rng=SeededRandom(b"issuing"))
    login_only = add_key(
        DID, registry, rng=SeededRandom(b"login"), relationships=["authentication"]
    )
    result = _verify(registry, _signed(login_only, "2026-02-01T00:00:00Z"))
    assert result.check("issuer_binding").code == "key-not-authorised"


def test_expires_and_revoked_are_read_from_the_verification_method(story) -> None:
    registry, key1, key2, _, _ = story
    loader = OfflineDocumentLoader.default().with_registry(registry)
    first = dereference_verification_method(key1.id, loader)
    second = dereference_verification_method(key2.id, loader)
    assert (first.expires.isoformat(), first.revoked) == ("2026-03-01T00:00:00+00:00", None)
    assert (second.expires, second.revoked.isoformat()) == (None, "2026-04-01T00:00:00+00:00")
    assert first.relationships == ("assertionMethod", "authentication")


def test_a_malformed_key_date_is_refused_with_its_key_named(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"bad-date"))
    credential = _signed(key, "2026-02-01T00:00:00Z")
    document = registry.read(DID)
    document["verificationMethod"][0]["revoked"] = "April 1st"
    registry.publish(DID, document, replace=True)
    check = _verify(registry, credential).check("verification_method")
    assert check.code == "bad-verification-method-date" and key.id in check.message


def test_the_key_revocation_policy_also_covers_the_status_list(tmp_path) -> None:
    from coopcreds_proto.vc.status_list import (
        allocate,
        new_status_list,
        publish_status_list,
        status_entry,
    )

    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"status-key"))
    lst, (index,) = allocate(new_status_list(f"https://{DID[8:]}/status/1", DID),
                             SeededRandom(b"status-index"))
    publish_status_list(lst, key, registry, valid_from="2026-03-10T00:00:00Z")
    unsigned = _unsigned()
    unsigned["credentialStatus"] = status_entry(lst, index)
    credential = issue(unsigned, key, created="2026-03-10T00:00:00Z")
    mark_key_compromised(key.id, registry, from_=COMPROMISED)
    # By default the compromised key's list fails too; the policy that honours
    # signatures from before the compromise applies to the list as to the credential.
    assert not _verify(registry, credential).verified
    result = _verify(registry, credential, trust_signatures_before_key_revocation=True)
    assert result.verified, [c.message for c in result.failed]
    assert result.check("status").message.startswith("not revoked")
