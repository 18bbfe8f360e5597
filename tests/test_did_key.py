"""did:key creation and resolution (Ed25519 only)."""

from __future__ import annotations

import pytest

from coopcreds_proto.did_key import (
    did_key_from_public_key,
    public_key_from_did_key,
    resolve_did_key,
)
from coopcreds_proto.errors import InputError
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.multibase import ED25519_PRIV, ED25519_PUB, encode_multikey

VECTOR_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
VECTOR_MB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_DID = "did:key:" + VECTOR_MB
VECTOR_VM = f"{VECTOR_DID}#{VECTOR_MB}"


def test_did_from_vector_public_key() -> None:
    public = Ed25519Key.from_seed_hex(VECTOR_SEED).public_bytes
    assert did_key_from_public_key(public) == VECTOR_DID
    assert public_key_from_did_key(VECTOR_DID) == public


def test_did_from_wrong_length_public_key() -> None:
    with pytest.raises(InputError) as info:
        did_key_from_public_key(bytes(31))
    assert info.value.code == "bad-key-length"


def test_document_shape() -> None:
    assert resolve_did_key(VECTOR_DID) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": VECTOR_DID,
        "verificationMethod": [
            {
                "id": VECTOR_VM,
                "type": "Multikey",
                "controller": VECTOR_DID,
                "publicKeyMultibase": VECTOR_MB,
            }
        ],
        "authentication": [VECTOR_VM],
        "assertionMethod": [VECTOR_VM],
        "capabilityDelegation": [VECTOR_VM],
        "capabilityInvocation": [VECTOR_VM],
    }


@pytest.mark.parametrize("url", [VECTOR_VM, VECTOR_DID + "#key-1", VECTOR_DID + "?x=1#y"])
def test_did_url_resolves_its_did(url: str) -> None:
    assert resolve_did_key(url) == resolve_did_key(VECTOR_DID)
    assert public_key_from_did_key(url) == public_key_from_did_key(VECTOR_DID)


def test_document_matches_key() -> None:
    key = Ed25519Key.from_seed(bytes(range(32)))
    vm = resolve_did_key(key.did)["verificationMethod"][0]
    assert vm["id"] == key.verification_method
    assert vm["publicKeyMultibase"] == key.public_key_multibase


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:web:coop.example", "not-did-key"),
        ("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "not-did-key"),
        ("DID:KEY:" + VECTOR_MB, "not-did-key"),
        ("did:key:", "bad-multibase"),
        ("did:key:u6Mk", "bad-multibase"),
        ("did:key:z6Mk0OIl", "bad-multibase"),
        ("did:key:" + encode_multikey(ED25519_PRIV, bytes(32)), "unsupported-key-type"),
        # secp256k1 public key multicodec (0xe7 0x01): a real did:key, not Ed25519.
        ("did:key:" + encode_multikey(b"\xe7\x01", bytes(33)), "unsupported-key-type"),
        ("did:key:" + encode_multikey(ED25519_PUB, bytes(31)), "bad-key-length"),
        ("did:key:" + encode_multikey(ED25519_PUB, bytes(33)), "bad-key-length"),
    ],
)
def test_errors(did: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        resolve_did_key(did)
    assert info.value.code == code
    with pytest.raises(InputError) as info:
        public_key_from_did_key(did)
    assert info.value.code == code


def test_non_string_is_not_did_key() -> None:
    with pytest.raises(InputError) as info:
        resolve_did_key(None)  # type: ignore[arg-type]
    assert info.value.code == "not-did-key"
