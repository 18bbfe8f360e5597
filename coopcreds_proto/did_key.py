"""did:key for Ed25519, P-256 and P-384: make the DID from a public key, resolve it.

A did:key is the public key itself (``did:key:`` + its Multikey string), so
resolution is pure computation, offline. Ed25519 DIDs start ``did:key:z6Mk``,
P-256 ones ``did:key:zDn`` and P-384 ones ``did:key:z82``.

>>> did = did_key_from_public_key(bytes(32))
>>> did[:12]
'did:key:z6Mk'
>>> public_key_from_did_key(did + "#frag") == bytes(32)
True
>>> p256 = did_key_from_public_key(b"\\x02" + bytes(32), "P-256")
>>> p256[:11], did_key_type(p256)
('did:key:zDn', 'P-256')
"""

from __future__ import annotations

from coopcreds_proto.errors import InputError
from coopcreds_proto.multibase import (
    ED25519_PUB,
    MAX_MULTIKEY_BYTES,
    P256_PUB,
    P384_PUB,
    decode_multibase_base58btc,
    encode_multikey,
)
from coopcreds_proto.urls import shown_url

DID_KEY_PREFIX = "did:key:"
ED25519_PUBLIC_KEY_LENGTH = 32
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
# The key types a did:key may hold: multicodec prefix and public key length
# (an elliptic-curve point is compressed: 0x02 or 0x03, then x).
KEY_TYPES: dict[str, tuple[bytes, int]] = {
    "Ed25519": (ED25519_PUB, ED25519_PUBLIC_KEY_LENGTH),
    "P-256": (P256_PUB, 33),
    "P-384": (P384_PUB, 49),
}


def did_key_from_public_key(public: bytes, key_type: str = "Ed25519") -> str:
    """The did:key DID of a public key: 32 Ed25519 bytes, or a compressed
    P-256 (33 bytes) or P-384 (49 bytes) point."""
    prefix, length = _key_type(key_type)
    if len(public) != length:
        raise InputError(
            "bad-key-length", f"an {key_type} public key has {length} bytes, got {len(public)}"
        )
    return DID_KEY_PREFIX + encode_multikey(prefix, bytes(public))


def _key_type(key_type: str) -> tuple[bytes, int]:
    found = KEY_TYPES.get(key_type) if isinstance(key_type, str) else None
    if found is None:
        raise InputError(
            "unsupported-key-type",
            f"unknown key type {key_type!r} (known: {', '.join(KEY_TYPES)})",
        )
    return found


def _split(did_or_url: str) -> tuple[str, str]:
    """``(did, multibase)`` of a did:key DID or DID URL (fragment/query dropped)."""
    if not isinstance(did_or_url, str) or not did_or_url.startswith(DID_KEY_PREFIX):
        raise InputError("not-did-key", f"not a did:key DID: {shown_url(did_or_url)}")
    did = did_or_url.split("#", 1)[0].split("?", 1)[0]
    return did, did[len(DID_KEY_PREFIX) :]


def public_key_from_did_key(did: str) -> bytes:
    """The raw public key inside a did:key DID (or DID URL) of a supported key type."""
    return _decode(did)[1]


def did_key_type(did: str) -> str:
    """The key type of a did:key DID (or DID URL): 'Ed25519', 'P-256' or 'P-384'."""
    return _decode(did)[0]


def _decode(did: str) -> tuple[str, bytes]:
    did, mb = _split(did)
    try:
        data = decode_multibase_base58btc(mb, max_bytes=MAX_MULTIKEY_BYTES)
    except InputError as err:
        raise err.with_path(shown_url(did)) from None
    for key_type, (prefix, length) in KEY_TYPES.items():
        if data.startswith(prefix):
            break
    else:
        raise InputError(
            "unsupported-key-type",
            "only Ed25519 (multicodec 0xed01), P-256 (0x8024) and P-384 (0x8124) did:key"
            f" are supported, got 0x{data[:2].hex()}",
            path=shown_url(did),
        )
    raw = data[len(prefix) :]
    if len(raw) != length or (key_type != "Ed25519" and raw[:1] not in (b"\x02", b"\x03")):
        what = f"{length} bytes" if key_type == "Ed25519" else f"a compressed point of {length} bytes"
        raise InputError(
            "bad-key-length", f"an {key_type} public key is {what}, got {len(raw)} bytes",
            path=shown_url(did),
        )
    return key_type, raw


def resolve_did_key(did_or_url: str) -> dict:
    """The DID document of a did:key (a DID URL resolves its DID part)."""
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
