"""What the two EdDSA cryptosuites share: hashing, signing, the proof value.

A cryptosuite turns (document, proof configuration) into the bytes that are
signed: ``SHA-256(canonical proof config) || SHA-256(canonical document)``
(vc-di-eddsa §3.3/§3.4, proof hash first). Suites differ only in how they
canonicalize and in whether the signed proof keeps its ``@context``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, ProofError
from ..loader import OfflineDocumentLoader
from ..multibase import decode_multibase_base58btc, encode_multibase_base58btc
from ..safe_json import DEFAULT_LIMITS, Limits

PROOF_TYPE = "DataIntegrityProof"
SIGNATURE_LENGTH = 64


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


class EddsaCryptosuite:
    """Shared behaviour of eddsa-rdfc-2022 and eddsa-jcs-2022."""

    name: str = ""
    # Does the signed proof keep the ``@context`` its configuration had?
    proof_keeps_context: bool = False

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

    def hash_data(self, document: dict, config: dict, given: CanonicalizationInput) -> bytes:
        """The 64 bytes that are signed: proof config hash, then document hash."""
        proof_hash = hashlib.sha256(self.canonicalize_proof_config(config, given)).digest()
        doc_hash = hashlib.sha256(self.canonicalize_document(document, given)).digest()
        return proof_hash + doc_hash

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


def decode_proof_value(proof_value: Any) -> bytes:
    """The signature inside a ``proofValue`` (multibase base58btc, 64 bytes)."""
    if not isinstance(proof_value, str):
        raise ProofError(
            "bad-proof-value", "proofValue must be a string", path="$.proof.proofValue"
        )
    try:
        signature = decode_multibase_base58btc(proof_value, max_bytes=SIGNATURE_LENGTH)
    except InputError as exc:
        raise ProofError(
            "bad-proof-value", f"proofValue: {exc}", path="$.proof.proofValue"
        ) from None
    if len(signature) != SIGNATURE_LENGTH:
        raise ProofError(
            "bad-proof-value",
            f"proofValue holds {len(signature)} bytes, an Ed25519 signature has 64",
            path="$.proof.proofValue",
        )
    return signature


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
