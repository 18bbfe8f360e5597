"""ecdsa-rdfc-2019: ECDSA over RDFC-1.0 canonical N-Quads (vc-di-ecdsa §3.3).

Canonicalized as eddsa-rdfc-2022 (the signed proof drops its ``@context``);
the key is P-256 or P-384. With P-384 everything hashes with SHA-384: the
canonical forms, and RDFC-1.0 itself, whose blank-node labels then differ from
the SHA-256 ones (the W3C P-384 "employ" vector shows it). A signature is
``r || s`` (64 or 96 bytes), deterministic (RFC 6979) when made here.
"""

from __future__ import annotations

import dataclasses
import hashlib

from ..keys import EcdsaPublicKey
from .base import CanonicalizationInput, Digest
from .eddsa_rdfc_2022 import EddsaRdfc2022


class EcdsaRdfc2019(EddsaRdfc2022):
    name = "ecdsa-rdfc-2019"
    public_key_types = (EcdsaPublicKey,)
    key_noun = "a P-256 or P-384 key"
    signature_lengths = (64, 96)

    def digest(self, public_key: object) -> Digest:
        return ecdsa_digest(public_key)

    def hash_data(
        self,
        document: dict,
        config: dict,
        given: CanonicalizationInput,
        digest: Digest = hashlib.sha256,
    ) -> bytes:
        if digest is hashlib.sha384:
            # RDFC-1.0 with SHA-384: a canonical form made with SHA-256 is not reused.
            given = dataclasses.replace(given, rdfc_hash="sha384", canonical_document=None)
        return super().hash_data(document, config, given, digest)


def ecdsa_digest(public_key: object) -> Digest:
    """SHA-384 for a P-384 key, SHA-256 otherwise (vc-di-ecdsa: the hash follows the curve)."""
    if isinstance(public_key, EcdsaPublicKey) and public_key.curve == "P-384":
        return hashlib.sha384
    return hashlib.sha256
