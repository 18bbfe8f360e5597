"""coopcreds: a workbench for Co-op Credentials.

Issue and verify W3C Verifiable Credentials 2.0 with Data Integrity EdDSA
proofs and did:key, offline, from Python, the shell and Jupyter.

>>> from coopcreds_proto import issue, verify_credential, sample_actors, sample_membership_credential
>>> actors = sample_actors()
>>> signed = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> verify_credential(signed, now="2026-06-01T12:00:00Z").verified
True
"""

from .did_key import resolve_did_key
from .errors import (
    CoopCredsError,
    DocumentLoaderError,
    InputError,
    KeyMaterialError,
    ProofError,
    UnsafeJsonLdError,
)
from .keys import Ed25519Key, Ed25519PublicKey, load_key, load_public_key, save_key
from .loader import OfflineDocumentLoader, export_contexts
from .proofs import ProofOptions, add_proof, create_proof
from .randomness import SeededRandom, SystemRandom
from .vc.credentials import VC_V2_CONTEXT, check_credential_shape, issue
from .vc.samples import sample_actors, sample_membership_credential
from .vc.verification import Check, VerificationResult, verify_credential

__version__ = "0.1.0"

__all__ = [
    "VC_V2_CONTEXT",
    "Check",
    "CoopCredsError",
    "DocumentLoaderError",
    "Ed25519Key",
    "Ed25519PublicKey",
    "InputError",
    "KeyMaterialError",
    "OfflineDocumentLoader",
    "ProofError",
    "ProofOptions",
    "SeededRandom",
    "SystemRandom",
    "UnsafeJsonLdError",
    "VerificationResult",
    "add_proof",
    "check_credential_shape",
    "create_proof",
    "export_contexts",
    "issue",
    "load_key",
    "load_public_key",
    "resolve_did_key",
    "sample_actors",
    "sample_membership_credential",
    "save_key",
    "verify_credential",
]
