"""eddsa-jcs-2022: Ed25519 over RFC 8785 canonical JSON (vc-di-eddsa §3.4).

Every byte of the document is signed, so JSON-LD plays no part in the
signature; the signed proof keeps its ``@context``.
"""

from __future__ import annotations

from ..canonical import canonicalize_jcs
from .base import CanonicalizationInput, EddsaCryptosuite


class EddsaJcs2022(EddsaCryptosuite):
    name = "eddsa-jcs-2022"
    proof_keeps_context = True

    def canonicalize_document(self, document: dict, given: CanonicalizationInput) -> bytes:
        return canonicalize_jcs(document)

    def canonicalize_proof_config(self, config: dict, given: CanonicalizationInput) -> bytes:
        return canonicalize_jcs(config)
