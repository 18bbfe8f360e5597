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

import re
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..keys import SigningKey
from ..loader import OfflineDocumentLoader
from ..proofs import ProofOptions, add_proof
from ..safe_json import DEFAULT_LIMITS, Limits
from ..safe_jsonld import expand_safely
from ..timestamps import parse_timestamp

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def issuer_id(credential: dict) -> str | None:
    """The issuer's id, whether ``issuer`` is a string or an object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def subjects(credential: dict) -> list[object]:
    """The credential subjects as a list, each as found (check it is an object before use)."""
    subject = credential.get("credentialSubject")
    return subject if isinstance(subject, list) else [subject]


def check_envelope(document: Any, *, noun: str, required_type: str) -> None:
    """The rules a VC 2.0 credential and presentation share: a JSON object whose
    first ``@context`` is the VC 2.0 one and whose ``type`` includes ``required_type``
    (``noun`` names the document in errors: "credential" or "presentation")."""
    if not isinstance(document, dict):
        raise InputError("not-an-object", f"a {noun} must be a JSON object", path="$")
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first != VC_V2_CONTEXT:
        raise InputError(
            "first-context", f"the first @context must be {VC_V2_CONTEXT}", path="$.@context"
        )
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if required_type not in types:
        raise InputError(
            "not-a-credential" if noun == "credential" else "not-a-presentation",
            f"type must include {required_type}",
            path="$.type",
        )


def check_credential_shape(credential: Any) -> None:
    """Apply the VC Data Model 2.0 rules; raise ``InputError`` naming the first broken one."""
    check_envelope(credential, noun="credential", required_type="VerifiableCredential")
    if "id" in credential and not is_url(credential["id"]):
        raise InputError("bad-id", "id must be a URL", path="$.id")
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            raise InputError("bad-issuer", "issuer.id must be a URL", path="$.issuer.id")
    elif not is_url(issuer):
        raise InputError(
            "bad-issuer", "issuer must be a URL or an object with an id", path="$.issuer"
        )
    subject = credential.get("credentialSubject")
    items = subject if isinstance(subject, list) else [subject]
    if not items or not all(isinstance(s, dict) and s for s in items):
        raise InputError(
            "bad-subject",
            "credentialSubject must be a non-empty object (or list of them)",
            path="$.credentialSubject",
        )
    moments: dict[str, datetime] = {}
    for name in ("validFrom", "validUntil"):
        if name in credential:
            moments[name] = parse_timestamp(credential[name], path=f"$.{name}")
    if len(moments) == 2 and moments["validFrom"] > moments["validUntil"]:
        raise InputError("bad-validity", "validFrom is after validUntil", path="$.validUntil")
    status = credential.get("credentialStatus")
    for i, entry in enumerate(
        status if isinstance(status, list) else [] if status is None else [status]
    ):
        if not isinstance(entry, dict) or "type" not in entry:
            raise InputError(
                "bad-status",
                "each credentialStatus entry must be an object with a type",
                path=f"$.credentialStatus[{i}]"
                if isinstance(status, list)
                else "$.credentialStatus",
            )


def is_url(value: Any) -> bool:
    """True for a string that is an absolute URL (a scheme, then no spaces)."""
    return isinstance(value, str) and bool(_URL.match(value))


def issue(
    credential: dict,
    key: SigningKey,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    created: datetime | str | None = None,
    expires: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_inline_contexts: bool = False,
) -> dict:
    """Sign an unsigned credential with ``key``; return the signed copy.

    Refuses (``CoopCredsError``) a credential that breaks the data model,
    that the JSON-LD safety checks refuse (the signature would not cover all
    of it), that already has a proof, or whose issuer is not the key's
    controller (no verifier would accept it).
    """
    check_credential_shape(credential)
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
    options = ProofOptions(cryptosuite=cryptosuite, created=created, expires=expires)
    return add_proof(
        credential,
        key,
        options,
        loader=loader,
        limits=limits,
        expanded_unsecured=checked.expanded,
        allow_inline_contexts=allow_inline_contexts,
    )
