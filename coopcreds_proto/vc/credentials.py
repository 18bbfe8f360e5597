"""Verifiable Credentials (W3C VC Data Model 2.0): shape rules and issuing.

>>> from coopcreds_proto.keys import Ed25519Key
>>> key = Ed25519Key.from_seed(bytes(32))
>>> unsigned = {"@context": [VC_V2_CONTEXT], "type": ["VerifiableCredential"],
...             "issuer": key.did, "credentialSubject": {"id": "did:example:1"}}
>>> signed = issue(unsigned, key, created="2026-01-01T00:00:00Z")
>>> signed["proof"]["proofPurpose"]
'assertionMethod'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..compact_form import check_compact_form, term_index
from ..errors import InputError, require_type
from ..keys import SigningKey, require_signing_key
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..proofs import ProofOptions, add_proof
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import DEFAULT_LIMITS, Limits
from ..safe_jsonld import expand_safely
from .data_model import VC_V2_CONTEXT, check_credential, check_envelope, is_url
from .related_resources import check_related_resources

# VC_V2_CONTEXT, check_envelope and is_url are defined in data_model and offered here
# too, where callers have always found them.
__all__ = [
    "VC_V2_CONTEXT", "check_credential_shape", "check_envelope", "is_url", "issue",
    "issuer_id", "subjects",
]


def issuer_id(credential: dict) -> str | None:
    """The issuer's id, whether ``issuer`` is a string or an object."""
    require_type(credential, dict, "a credential")
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def subjects(credential: dict) -> list[object]:
    """The credential subjects as a list, each as found (check it is an object before use)."""
    require_type(credential, dict, "a credential")
    subject = credential.get("credentialSubject")
    return subject if isinstance(subject, list) else [subject]


def check_credential_shape(credential: Any) -> None:
    """Apply the rules of the credential's data model (VC 2.0, or 1.1 as read from other
    issuers); raise ``InputError`` naming the first broken one.

    The rules and their codes are in ``data_model`` (``data_model.RULES``).
    """
    check_credential(credential)


def issue(
    credential: dict,
    key: SigningKey,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    created: datetime | str | None = None,
    expires: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_inline_contexts: bool = True,
    registry: LocalRegistry | None = None,
    mandatory_pointers: Sequence[str] = (),
    rng: RandomSource = DEFAULT_RANDOM,
) -> dict:
    """Sign an unsigned credential with ``key``; return the signed copy.

    With ``cryptosuite="ecdsa-sd-2023"`` (a P-256 key) the proof is a base proof
    its holder derives disclosures from; ``mandatory_pointers`` (JSON pointers,
    see ``vc.disclosure.mandatory_pointers_for``) name what every disclosure
    reveals, and ``rng`` draws the proof's own key and HMAC key.

    Issues VC 2.0 only. Refuses (``CoopCredsError``) a credential that breaks
    the data model (``data_model``), that a verifier would not read as signed
    (``compact_form``: a key written as an IRI, a value object...), that already
    has a proof, whose issuer is not the key's
    controller (no verifier would accept it), that the JSON-LD safety checks
    refuse (the signature would not cover all of it), or that pins a related
    resource the workbench holds (a context of ``loader``, a document of
    ``registry``) with a digest its bytes do not match.
    """
    require_signing_key(key)
    check_credential(credential, versions=("2.0",))
    if "proof" in credential:
        raise InputError("already-signed", "the credential already has a proof", path="$.proof")
    if issuer_id(credential) != key.controller:
        raise InputError(
            "issuer-key-mismatch",
            f"the issuer is {issuer_id(credential)} but the key belongs to {key.controller}",
            path="$.issuer",
        )
    loader = loader or OfflineDocumentLoader.default()
    checked = expand_safely(
        credential, loader, allow_inline_contexts=allow_inline_contexts, limits=limits
    )
    if not checked.compact:  # else read in compact form (compact_expansion)
        check_compact_form(credential, checked.expanded, term_index(credential, loader))
    check_related_resources(credential, loader, registry)
    options = ProofOptions(
        cryptosuite=cryptosuite, created=created, expires=expires,
        mandatory_pointers=tuple(mandatory_pointers), rng=rng,
    )
    return add_proof(
        credential,
        key,
        options,
        loader=loader,
        limits=limits,
        expanded_unsecured=checked.expanded,
        allow_inline_contexts=allow_inline_contexts,
    )
