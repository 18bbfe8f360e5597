"""did:key for Ed25519: make the DID from a public key, resolve it to a DID document.

A did:key is the public key itself (``did:key:`` + its Multikey string), so
resolution is pure computation, offline.

>>> did = did_key_from_public_key(bytes(32))
>>> did[:12]
'did:key:z6Mk'
>>> public_key_from_did_key(did + "#frag") == bytes(32)
True
"""

from __future__ import annotations

from coopcreds_proto.errors import InputError
from coopcreds_proto.multibase import (
    ED25519_PUB,
    MAX_MULTIKEY_BYTES,
    decode_multibase_base58btc,
    encode_multikey,
)
from coopcreds_proto.urls import shown_url

DID_KEY_PREFIX = "did:key:"
ED25519_PUBLIC_KEY_LENGTH = 32
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def did_key_from_public_key(public: bytes) -> str:
    """The did:key DID of a 32-byte Ed25519 public key."""
    if len(public) != ED25519_PUBLIC_KEY_LENGTH:
        raise InputError("bad-key-length", f"an Ed25519 public key has 32 bytes, got {len(public)}")
    return DID_KEY_PREFIX + encode_multikey(ED25519_PUB, bytes(public))


def _split(did_or_url: str) -> tuple[str, str]:
    """``(did, multibase)`` of a did:key DID or DID URL (fragment/query dropped)."""
    if not isinstance(did_or_url, str) or not did_or_url.startswith(DID_KEY_PREFIX):
        raise InputError("not-did-key", f"not a did:key DID: {shown_url(did_or_url)}")
    did = did_or_url.split("#", 1)[0].split("?", 1)[0]
    return did, did[len(DID_KEY_PREFIX) :]


def public_key_from_did_key(did: str) -> bytes:
    """The raw Ed25519 public key inside a did:key DID (or DID URL)."""
    did, mb = _split(did)
    try:
        data = decode_multibase_base58btc(mb, max_bytes=MAX_MULTIKEY_BYTES)
    except InputError as err:
        raise err.with_path(shown_url(did)) from None
    if not data.startswith(ED25519_PUB):
        raise InputError(
            "unsupported-key-type",
            f"only Ed25519 did:key (multicodec 0xed01) is supported, got 0x{data[:2].hex()}",
            path=shown_url(did),
        )
    raw = data[len(ED25519_PUB) :]
    if len(raw) != ED25519_PUBLIC_KEY_LENGTH:
        raise InputError(
            "bad-key-length", f"an Ed25519 public key has 32 bytes, got {len(raw)}",
            path=shown_url(did),
        )
    return raw


def resolve_did_key(did_or_url: str) -> dict:
    """The DID document of an Ed25519 did:key (a DID URL resolves its DID part)."""
    did, mb = _split(did_or_url)
    public_key_from_did_key(did)  # validates before we build anything
    vm_id = f"{did}#{mb}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": mb}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }
