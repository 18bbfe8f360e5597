"""What the cryptosuites share: hashing, signing, the proof value.

A cryptosuite turns (document, proof configuration) into the bytes that are
signed: ``H(canonical proof config) || H(canonical document)`` (vc-di-eddsa
§3.3/§3.4, vc-di-ecdsa §3.3/§3.4, proof hash first), where ``H`` is SHA-256,
or SHA-384 for a P-384 key. Suites differ in how they canonicalize, in the key
they take and in whether the signed proof keeps its ``@context``. A suite that
signs otherwise (ecdsa-sd-2023: one signature per statement) overrides
:meth:`Cryptosuite.sign` and :meth:`Cryptosuite.verify`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, ProofError
from ..keys import Ed25519PublicKey, PublicKey, SigningKey
from ..loader import OfflineDocumentLoader
from ..multibase import decode_multibase_base58btc, encode_multibase_base58btc
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import DEFAULT_LIMITS, Limits

PROOF_TYPE = "DataIntegrityProof"
SIGNATURE_LENGTH = 64
Digest = Callable[[bytes], Any]


@dataclass(frozen=True)
class CanonicalizationInput:
    """What a suite needs to canonicalize: the loader, the limits, whether
    inline contexts are allowed, and what the caller already computed for the
    unsecured document (its checked expansion, or its canonical form)."""

    loader: OfflineDocumentLoader
    limits: Limits = DEFAULT_LIMITS
    expanded_document: list | None = None
    canonical_document: bytes | None = None
    allow_inline_contexts: bool = False
    # RDFC-1.0's hash algorithm (sha384 for ecdsa-rdfc-2019 with a P-384 key).
    rdfc_hash: str = "sha256"
    # The checked expansion of the proof configuration, when the caller has it.
    expanded_proof_config: list | None = None


class Cryptosuite:
    """Shared behaviour of the cryptosuites: hash the canonical forms, sign, verify."""

    name: str = ""
    # Does the signed proof keep the ``@context`` its configuration had?
    proof_keeps_context: bool = False
    # The key types the suite signs with and verifies (their public classes).
    public_key_types: tuple[type, ...] = (Ed25519PublicKey,)
    key_noun: str = "an Ed25519 key"
    # The lengths a signature in proofValue may have.
    signature_lengths: tuple[int, ...] = (SIGNATURE_LENGTH,)

    def digest(self, public_key: object) -> Digest:
        """The hash of the canonical forms for this key (SHA-256 unless the suite says)."""
        return hashlib.sha256

    def check_key(self, key: SigningKey | PublicKey, *, signing: bool = False) -> PublicKey:
        """``key``'s public key if the suite takes its type, else ``ProofError`` 'wrong-key-type'."""
        public = key.public_key if signing and isinstance(key, SigningKey) else key
        if not isinstance(public, self.public_key_types):
            raise ProofError(
                "wrong-key-type",
                f"{self.name} {'signs with' if signing else 'is verified with'} {self.key_noun},"
                f" not {type(public).__name__}",
                path="$.proof.verificationMethod",
            )
        return public  # type: ignore[return-value]  # one of public_key_types, all PublicKeys

    def sign(
        self,
        document: dict,
        config: dict,
        key: SigningKey,
        given: CanonicalizationInput,
        *,
        mandatory_pointers: Sequence[str] = (),
        rng: RandomSource = DEFAULT_RANDOM,
    ) -> dict:
        """The signed proof of ``document`` under ``config`` (a copy of ``config``
        with its ``proofValue``)."""
        public = self.check_key(key, signing=True)
        if mandatory_pointers:
            raise ProofError(
                "mandatory-pointers-not-sd",
                f"{self.name} signs the whole document: mandatory pointers are for"
                " ecdsa-sd-2023",
                path="$.proof.cryptosuite",
            )
        data = self.hash_data(document, config, given, self.digest(public))
        return self.signed_proof(config, key.sign(data))

    def verify(
        self,
        document: dict,
        proof: dict,
        config: dict,
        public_key: PublicKey,
        given: CanonicalizationInput,
    ) -> bool:
        """True if ``proof``'s signature over ``document`` holds under ``public_key``."""
        self.check_key(public_key)
        signature = decode_proof_value(proof["proofValue"], self.signature_lengths)
        data = self.hash_data(document, config, given, self.digest(public_key))
        return public_key.verify(data, signature)

    def disclosure_note(self, proof: dict) -> str | None:
        """What a selective-disclosure proof reveals, for the signature check (else None)."""
        return None

    def canonicalize_document(self, document: dict, given: CanonicalizationInput) -> bytes:
        raise NotImplementedError

    def canonicalize_proof_config(self, config: dict, given: CanonicalizationInput) -> bytes:
        raise NotImplementedError

    def proof_config(self, options: dict, document: dict) -> dict:
        """The proof configuration: the proof options with the document's ``@context``."""
        config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
        if "@context" in document:
            config["@context"] = document["@context"]
        return config

    def hash_data(
        self,
        document: dict,
        config: dict,
        given: CanonicalizationInput,
        digest: Digest = hashlib.sha256,
    ) -> bytes:
        """The bytes that are signed: proof config hash, then document hash."""
        proof_hash = digest(self.canonicalize_proof_config(config, given)).digest()
        doc_hash = digest(self.canonicalize_document(document, given)).digest()
        return bytes(proof_hash + doc_hash)

    def signed_proof(self, config: dict, signature: bytes) -> dict:
        proof = dict(config)
        if not self.proof_keeps_context:
            proof.pop("@context", None)
        proof["proofValue"] = encode_multibase_base58btc(signature)
        return proof

    def unsecured_context(self, proof: dict, document: dict) -> Any:
        """The ``@context`` to verify under; a proof's own must prefix the document's."""
        if "@context" not in proof:
            return document.get("@context")
        proof_ctx = _as_list(proof["@context"])
        doc_ctx = _as_list(document.get("@context"))
        if doc_ctx[: len(proof_ctx)] != proof_ctx:
            raise ProofError(
                "proof-context-mismatch",
                "the document's @context does not start with the proof's @context",
                path="$.proof.@context",
            )
        return proof["@context"]


class EddsaCryptosuite(Cryptosuite):
    """Shared behaviour of eddsa-rdfc-2022 and eddsa-jcs-2022: Ed25519 keys."""


def decode_proof_value(
    proof_value: Any, lengths: tuple[int, ...] = (SIGNATURE_LENGTH,)
) -> bytes:
    """The signature inside a ``proofValue`` (multibase base58btc, 64 bytes, or one of
    ``lengths``)."""
    if not isinstance(proof_value, str):
        raise ProofError(
            "bad-proof-value", "proofValue must be a string", path="$.proof.proofValue"
        )
    try:
        signature = decode_multibase_base58btc(proof_value, max_bytes=max(lengths))
    except InputError as exc:
        raise ProofError(
            "bad-proof-value", f"proofValue: {exc}", path="$.proof.proofValue"
        ) from None
    if len(signature) not in lengths:
        what = ("an Ed25519 signature has 64" if lengths == (SIGNATURE_LENGTH,)
                else f"a signature has {' or '.join(map(str, lengths))}")
        raise ProofError(
            "bad-proof-value",
            f"proofValue holds {len(signature)} bytes, {what}",
            path="$.proof.proofValue",
        )
    return signature


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
