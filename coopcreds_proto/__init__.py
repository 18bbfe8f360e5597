"""coopcreds: a workbench for Co-op Credentials.

Issue and verify W3C Verifiable Credentials 2.0 with Data Integrity EdDSA
proofs and did:key, offline, from Python, the shell and Jupyter. This module
is the one obvious way; everything here is imported from it.

>>> from coopcreds_proto import (issue, present, sample_actors, sample_membership_credential,
...                              verify_credential, verify_presentation)
>>> actors = sample_actors()
>>> signed = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> verify_credential(signed, now="2026-06-01T12:00:00Z").verified
True
>>> shown = present([signed], actors.member, challenge="c-42", domain="https://shop.example",
...                 created="2026-06-01T12:00:00Z")
>>> verify_presentation(shown, challenge="c-42", domain="https://shop.example",
...                     now="2026-06-01T12:00:00Z").verified
True

- **Issue** with ``issue(credential, key)``; **verify** with
  ``verify_credential(credential)``: a ``VerificationResult`` of named
  ``Check`` objects, never an exception for a bad credential. A
  ``VerifierOptions`` (or its fields as keywords: ``now=``, ``registry=``...)
  sets the verifier's clock, registry and policy.
- **Present** with ``present(credentials, key, challenge=..., domain=...)``;
  the co-op checks it with ``verify_presentation``.
- **Status**: ``read_status(credential, registry=LocalRegistry(folder))`` reads each
  ``credentialStatus`` entry (``EntryStatus``); verifying with a ``registry``
  checks it as one of the checks.
- **Trust and decisions**: ``decide(presentation, load_policy(path),
  trust=load_trust_dir(folder, now=..., registry=...), challenge=..., domain=...,
  challenges=store)`` gives a ``Decision``, granted once per presentation (the
  ``vc.challenges.ChallengeStore`` that issued the challenge uses it up);
  ``TrustRegistry`` builds a registry in code.
- **Keys**: ``Ed25519Key.generate()`` (``EcdsaKey.generate()`` for P-256, the
  curve of the ECDSA and selective-disclosure suites), ``save_key``/``load_key`` (optionally
  encrypted), ``load_public_key``, ``resolve_did_key``; ``SigningKey`` and
  ``PublicKey`` are what the package asks of a key.
- **Errors** are ``CoopCredsError`` subclasses with a stable ``code``.

Signing primitives (``add_proof``, ``create_proof``, ``ProofOptions``) are the
level below this one: import them from ``coopcreds_proto.proofs``. Each room of
the package (``vc``, ``trust``, ``ecosystem``, ``cli``...) has its own modules.
"""

import sys as _sys

# PyLD, imported, makes an HTTP document loader its default (``requests``, else
# ``aiohttp``): a tenth of a second of start-up for a loader never used here,
# since every call passes the offline loader. With neither importable while
# PyLD loads, its default is its dummy loader, which refuses every URL; the two
# names are importable again right after.
_BLOCKED = [n for n in ("requests", "aiohttp")
            if "pyld.jsonld" not in _sys.modules and n not in _sys.modules]
for _name in _BLOCKED:
    _sys.modules[_name] = None  # type: ignore[assignment]  # None: the import is refused
try:
    import pyld.jsonld  # noqa: F401
finally:
    for _name in _BLOCKED:
        if _name in _sys.modules and _sys.modules[_name] is None:
            del _sys.modules[_name]

from . import _old_paths
from .did_key import resolve_did_key
from .errors import (
    CoopCredsError,
    DocumentLoaderError,
    InputError,
    KeyMaterialError,
    ProofError,
    UnsafeJsonLdError,
)
from .keys import (
    EcdsaKey,
    EcdsaPublicKey,
    Ed25519Key,
    Ed25519PublicKey,
    PublicKey,
    SigningKey,
    load_key,
    load_public_key,
    save_key,
)
from .loader import OfflineDocumentLoader, export_contexts
from .local_registry import LocalRegistry
from .randomness import RandomSource, SeededRandom, SystemRandom
from .trust.accreditation import load_trust_dir
from .trust.policy import VerifierPolicy, load_policy
from .trust.recognition import Decision, decide
from .trust.registry import TrustRegistry
from .vc.credentials import VC_V2_CONTEXT, issue
from .vc.presentations import present, verify_presentation
from .vc.samples import sample_actors, sample_membership_credential
from .vc.status_check import EntryStatus
from .vc.verification import Check, VerificationResult, read_status, verify_credential
from .verifier_options import VerifierOptions

# Old module paths (coopcreds_proto.verifier_policy, ...) keep working for one
# release, with a DeprecationWarning naming the new path.
_old_paths.install()

__version__ = "0.1.0"

__all__ = [
    "VC_V2_CONTEXT",
    "Check",
    "CoopCredsError",
    "Decision",
    "DocumentLoaderError",
    "EcdsaKey",
    "EcdsaPublicKey",
    "Ed25519Key",
    "Ed25519PublicKey",
    "EntryStatus",
    "InputError",
    "KeyMaterialError",
    "LocalRegistry",
    "OfflineDocumentLoader",
    "ProofError",
    "PublicKey",
    "RandomSource",
    "SeededRandom",
    "SigningKey",
    "SystemRandom",
    "TrustRegistry",
    "UnsafeJsonLdError",
    "VerificationResult",
    "VerifierOptions",
    "VerifierPolicy",
    "decide",
    "export_contexts",
    "issue",
    "load_key",
    "load_policy",
    "load_public_key",
    "load_trust_dir",
    "present",
    "read_status",
    "resolve_did_key",
    "sample_actors",
    "sample_membership_credential",
    "save_key",
    "verify_credential",
    "verify_presentation",
]
