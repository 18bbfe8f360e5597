"""eddsa-rdfc-2022: Ed25519 over RDFC-1.0 canonical N-Quads (vc-di-eddsa §3.3).

The signed proof does not carry ``@context``; its configuration is
canonicalized under the document's ``@context``.
"""

from __future__ import annotations

from ..canonical import canonicalize_rdfc
from ..safe_jsonld import expand_safely
from .base import CanonicalizationInput, EddsaCryptosuite


class EddsaRdfc2022(EddsaCryptosuite):
    name = "eddsa-rdfc-2022"
    proof_keeps_context = False

    def canonicalize_document(self, document: dict, given: CanonicalizationInput) -> bytes:
        if given.canonical_document is not None:
            return given.canonical_document
        expanded = given.expanded_document
        if expanded is None:
            expanded = self._expand(document, given)
        return canonicalize_rdfc(
            expanded, given.loader, given.limits, hash_name=given.rdfc_hash
        ).encode("utf-8")

    def canonicalize_proof_config(self, config: dict, given: CanonicalizationInput) -> bytes:
        expanded = given.expanded_proof_config
        if expanded is None:
            expanded = self._expand(config, given)
        return canonicalize_rdfc(
            expanded, given.loader, given.limits, hash_name=given.rdfc_hash
        ).encode("utf-8")

    def _expand(self, document: dict, given: CanonicalizationInput) -> list:
        return expand_safely(
            document,
            given.loader,
            allow_inline_contexts=given.allow_inline_contexts,
            limits=given.limits,
        ).expanded
