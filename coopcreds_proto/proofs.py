"""Data Integrity proofs (W3C VC Data Integrity 1.0): create, add, check, verify.

A proof is a ``DataIntegrityProof`` made by one of the known cryptosuites.
A document may carry several: a *proof set* (independent proofs) or a
*proof chain* (a proof whose ``previousProof`` names earlier ones, which are
then part of what it signs).

>>> from coopcreds_proto.keys import Ed25519Key
>>> key = Ed25519Key.from_seed(bytes(32))
>>> doc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
...        "type": ["VerifiableCredential"], "issuer": key.did,
...        "credentialSubject": {"id": "did:example:1"}}
>>> signed = add_proof(doc, key, ProofOptions(created="2026-01-01T00:00:00Z"))
>>> signed["proof"]["cryptosuite"], verify_proof_signature(signed, signed["proof"], key.public_key)
('eddsa-rdfc-2022', True)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .cryptosuites import DEFAULT_CRYPTOSUITE, CanonicalizationInput, get_cryptosuite
from .cryptosuites.base import PROOF_TYPE
from .errors import CoopCredsError, ProofError, require_type
from .keys import PublicKey, SigningKey, require_signing_key
from .loader import OfflineDocumentLoader
from .purposes import AssertionPurpose, ProofPurpose
from .randomness import DEFAULT_RANDOM, RandomSource
from .safe_json import DEFAULT_LIMITS, Limits
from .timestamps import as_datetime, format_timestamp, parse_timestamp


@dataclass(frozen=True)
class ProofOptions:
    """What goes into a new proof besides the key: suite, purpose, times, chaining.

    ``purpose`` fills ``proofPurpose`` and the purpose's own fields (an
    ``AuthenticationPurpose`` adds its ``challenge`` and ``domain``).
    ``mandatory_pointers`` (JSON pointers) are what every disclosure of an
    ecdsa-sd-2023 proof must reveal; ``rng`` draws that suite's per-proof key
    and HMAC key.
    """

    cryptosuite: str = DEFAULT_CRYPTOSUITE
    purpose: ProofPurpose = field(default_factory=AssertionPurpose)
    created: datetime | str | None = None  # None: now
    expires: datetime | str | None = None
    verification_method: str | None = None  # None: the key's
    id: str | None = None
    previous_proof: str | list[str] | None = None
    mandatory_pointers: tuple[str, ...] = ()
    rng: RandomSource = field(default=DEFAULT_RANDOM, repr=False)

    def to_json(self, key: SigningKey) -> dict:
        """The proof options as JSON, in the order the W3C examples use."""
        get_cryptosuite(self.cryptosuite)
        if not isinstance(self.purpose, ProofPurpose):
            raise ProofError(
                "bad-proof-purpose", "purpose must be a ProofPurpose (see coopcreds_proto.purposes)"
            )
        options: dict[str, Any] = {"type": PROOF_TYPE}
        if self.id is not None:
            options["id"] = self.id
        options["cryptosuite"] = self.cryptosuite
        options["created"] = format_timestamp(as_datetime(self.created))
        if self.expires is not None:
            options["expires"] = format_timestamp(as_datetime(self.expires))
        options["verificationMethod"] = self.verification_method or key.verification_method
        options = self.purpose.fill(options)
        if self.previous_proof is not None:
            options["previousProof"] = self.previous_proof
        return options


def proofs_of(document: dict) -> list[dict]:
    """The document's proofs as a list (empty when it has none)."""
    require_type(document, dict, "a secured document")
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def without_proof(document: dict) -> dict:
    """A shallow copy of ``document`` without its ``proof``."""
    require_type(document, dict, "a secured document")
    return {k: v for k, v in document.items() if k != "proof"}


def signing_input(document: dict, proof: dict) -> dict:
    """The document a proof signs: without proofs, plus those its ``previousProof`` names."""
    unsecured = without_proof(document)
    require_type(proof, dict, "a proof")
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = [previous] if isinstance(previous, str) else list(previous)
    others = [p for p in proofs_of(document) if p is not proof]
    matching = [p for p in others if isinstance(p, dict) and p.get("id") in wanted]
    found = {p.get("id") for p in matching}
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ProofError(
            "previous-proof-missing",
            f"previousProof {', '.join(map(str, missing))} is not among the document's proofs",
            path="$.proof",
        )
    unsecured["proof"] = matching
    return unsecured


def create_proof(
    document: dict,
    key: SigningKey,
    options: ProofOptions = ProofOptions(),
    *,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expanded_unsecured: list | None = None,
    allow_inline_contexts: bool = False,
) -> dict:
    """A new proof over ``document`` (its existing proofs are honoured for chains).

    ``expanded_unsecured`` is the checked expansion of ``document`` without
    proofs, when the caller already has it (it is used only without
    ``previousProof``).
    """
    require_type(document, dict, "the document to sign")
    require_signing_key(key)
    require_type(options, ProofOptions, "options")
    suite = get_cryptosuite(options.cryptosuite)
    proof_options = options.to_json(key)
    config = suite.proof_config(proof_options, document)
    reuse = expanded_unsecured if options.previous_proof is None else None
    given = CanonicalizationInput(
        loader or OfflineDocumentLoader.default(),
        limits,
        reuse,
        allow_inline_contexts=allow_inline_contexts,
    )
    return suite.sign(
        signing_input(document, proof_options), config, key, given,
        mandatory_pointers=tuple(options.mandatory_pointers), rng=options.rng,
    )


def add_proof(
    document: dict,
    key: SigningKey,
    options: ProofOptions = ProofOptions(),
    *,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expanded_unsecured: list | None = None,
    allow_inline_contexts: bool = False,
) -> dict:
    """A copy of ``document`` with one more proof (a second one makes a proof set)."""
    proof = create_proof(
        document,
        key,
        options,
        loader=loader,
        limits=limits,
        expanded_unsecured=expanded_unsecured,
        allow_inline_contexts=allow_inline_contexts,
    )
    secured = copy.deepcopy(document)
    existing = proofs_of(secured)
    secured["proof"] = existing + [proof] if existing else proof
    return secured


def check_proof_shape(proof: Any, path: str = "$.proof") -> None:
    """Refuse a proof that is not a well-formed ``DataIntegrityProof`` of a known suite."""
    if not isinstance(proof, dict):
        raise ProofError("bad-proof", "a proof must be a JSON object", path=path)
    if proof.get("type") != PROOF_TYPE:
        raise ProofError("bad-proof-type", f"proof type must be {PROOF_TYPE}", path=f"{path}.type")
    get_cryptosuite(proof.get("cryptosuite"))
    for name in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise ProofError(
                "bad-proof", f"proof {name} is missing or not a string", path=f"{path}.{name}"
            )
    for name in ("created", "expires"):
        if name in proof:
            try:
                parse_timestamp(proof[name])
            except CoopCredsError as exc:
                raise ProofError(
                    "bad-proof-timestamp", exc.message, path=f"{path}.{name}"
                ) from None
    for name in ("previousProof", "domain"):
        value = proof.get(name)
        if value is not None and not (
            isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            raise ProofError(
                "bad-proof", f"proof {name} must be a string or strings", path=f"{path}.{name}"
            )
    if "challenge" in proof and not isinstance(proof["challenge"], str):
        raise ProofError("bad-proof", "proof challenge must be a string", path=f"{path}.challenge")


def verify_proof_signature(
    document: dict,
    proof: dict,
    public_key: PublicKey,
    *,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    canonical_unsecured: bytes | None = None,
    allow_inline_contexts: bool = False,
    expanded_unsecured: list | None = None,
    expanded_proof_config: list | None = None,
) -> bool:
    """True if ``proof``'s signature over ``document`` verifies with ``public_key``.

    Raises ``CoopCredsError`` for a malformed proof or an unsafe document;
    returns False for a signature that does not match. ``canonical_unsecured``
    is the RDFC canonical form of the document without its proofs, when the
    caller already computed it (used only by eddsa-rdfc-2022 proofs without
    ``previousProof`` or a ``@context`` of their own); ``expanded_unsecured`` its
    checked expansion (used, on the same terms, by ecdsa-sd-2023);
    ``expanded_proof_config`` the checked expansion of the proof's configuration
    (used on the same terms by the RDFC suites).
    """
    check_proof_shape(proof)
    suite = get_cryptosuite(proof["cryptosuite"])
    unsecured = signing_input(document, proof)
    context = suite.unsecured_context(proof, document)
    if context is not None:
        unsecured["@context"] = context
    plain = "previousProof" not in proof and "@context" not in proof
    given = CanonicalizationInput(
        loader or OfflineDocumentLoader.default(),
        limits,
        canonical_document=canonical_unsecured if plain else None,
        allow_inline_contexts=allow_inline_contexts,
        expanded_document=expanded_unsecured if plain else None,
        expanded_proof_config=expanded_proof_config if plain else None,
    )
    config = suite.proof_config(proof, unsecured)
    return suite.verify(unsecured, proof, config, public_key, given)
