"""ecdsa-jcs-2019: ECDSA over RFC 8785 canonical JSON (vc-di-ecdsa §3.4).

Canonicalized exactly as eddsa-jcs-2022 (every byte of the document is
signed; the signed proof keeps its ``@context``); the key is P-256 or P-384,
hashed with SHA-256 or SHA-384 as for ecdsa-rdfc-2019.
"""

from __future__ import annotations

from ..keys import EcdsaPublicKey
from .base import Digest
from .ecdsa_rdfc_2019 import ecdsa_digest
from .eddsa_jcs_2022 import EddsaJcs2022


class EcdsaJcs2019(EddsaJcs2022):
    name = "ecdsa-jcs-2019"
    public_key_types = (EcdsaPublicKey,)
    key_noun = "a P-256 or P-384 key"
    signature_lengths = (64, 96)

    def digest(self, public_key: object) -> Digest:
        return ecdsa_digest(public_key)
