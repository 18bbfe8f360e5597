"""Verifiable presentations (W3C VC Data Model 2.0): build, sign for login, verify.

A holder wraps signed credentials in a ``VerifiablePresentation`` and signs it
with an ``authentication`` proof bound to the verifier's ``challenge`` and
``domain`` (as Digital Bazaar's ``AuthenticationProofPurpose`` does). The
verifier checks the presentation and every credential inside it, and names
the credential that fails.

Public API:

- ``create_presentation(credentials, holder, *, id=None) -> dict`` (unsigned);
- ``sign_presentation(presentation, key, *, challenge, domain, created=None,
  expires=None, cryptosuite='eddsa-rdfc-2022', loader=None) -> dict``;
- ``present(credentials, key, *, challenge, domain, holder=None, ...) -> dict``
  (both at once; ``holder`` defaults to the key's controller);
- ``check_presentation_shape(presentation)`` (``InputError`` naming the rule);
- ``verify_presentation(presentation, options=None, *, challenge, domain,
  challenges=None, **settings)
  -> PresentationResult``: never raises on a bad presentation. Checks in order:
  ``PRESENTATION_STEPS``, each a named step over a ``PresentationState``; the
  proof purpose is an ``AuthenticationPurpose(challenge, domain)``, and the
  verifier's settings (``VerifierOptions``, or its fields as keywords) apply
  to every credential inside. With a ``ChallengeStore`` the challenge must be
  one it issued for ``domain``, unexpired and unused; a presentation that
  passes every other check consumes it (atomically), so a replay is refused.
- ``PresentationResult`` (a ``VerificationResult`` with ``holder`` and the
  per-credential ``credential_results``).

>>> from coopcreds_proto.vc.credentials import issue
>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> actors = sample_actors()
>>> vc = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> vp = present([vc], actors.member, challenge="c-123", domain="https://coop.example",
...              created="2026-06-01T12:00:00Z")
>>> vp["type"], vp["proof"]["proofPurpose"], vp["proof"]["challenge"]
(['VerifiablePresentation'], 'authentication', 'c-123')
>>> result = verify_presentation(vp, challenge="c-123", domain="https://coop.example",
...                              now="2026-06-01T12:00:00Z")
>>> result.verified
True
>>> verify_presentation(vp, challenge="c-123", domain="https://other.example",
...                     now="2026-06-01T12:00:00Z").check("domain").message
'proof domain is https://coop.example, expected https://other.example (at $.proof.domain)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..checks import Check, CheckFailed, Step, run_steps
from ..compact_form import check_compact_form, term_index
from ..errors import CoopCredsError, InputError
from ..keys import SigningKey, require_signing_key
from ..loader import OfflineDocumentLoader
from ..proof_checks import (
    KNOWN_CONTEXTS,
    PROOF_TIMING,
    RDFC,
    READ_AS_SIGNED,
    SAFE_JSONLD_TITLE,
    SIGNATURE,
    VERIFICATION_METHOD_TITLE,
    SecuredDocument,
    check_key_binding,
    lone_graph_node,
    proof_purpose,
    read_document,
    read_proofs,
    resolve_methods,
    safe_jsonld,
)
from ..proofs import ProofOptions, add_proof, proofs_of
from ..purposes import AUTHENTICATION, AuthenticationPurpose, proof_label
from ..safe_json import DEFAULT_LIMITS, Limits
from ..safe_jsonld import ExpandedDocument, check_expanded, expand_safely, vocab_bases
from ..timestamps import format_timestamp
from ..verifier_options import VerifierOptions
from .challenges import ChallengeStore
from .credentials import VC_V2_CONTEXT, is_url, subjects
from .data_model import check_presentation, data_model_of
from .verification import VerificationResult, verify_embedded_credentials

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing_extensions import Unpack

    from ..verifier_options import VerifierSettings

VP_TYPE = "VerifiablePresentation"
_CREDENTIAL_PATH = re.compile(r"^\$\.verifiableCredential(?:\[(\d+)\])?")

# --- building ----------------------------------------------------------------


def create_presentation(
    credentials: Iterable[dict], holder: str, *, id: str | None = None
) -> dict:
    """An unsigned presentation of signed ``credentials`` (embedded as they are) by ``holder``."""
    if isinstance(credentials, (dict, str, bytes)):  # one credential, not a list of them
        raise TypeError(f"credentials must be a list of credentials, not {type(credentials).__name__}")
    creds = list(credentials)
    for i, credential in enumerate(creds):
        if not isinstance(credential, dict) or not proofs_of(credential):
            raise InputError(
                "unsigned-credential",
                f"credential {i + 1} is not a signed credential (no proof)",
                path=f"$.verifiableCredential[{i}]",
            )
    if not is_url(holder):
        raise InputError("bad-holder", f"holder {holder!r} is not a URL (a DID)", path="$.holder")
    presentation: dict[str, Any] = {"@context": [VC_V2_CONTEXT]}
    if id is not None:
        presentation["id"] = id
    presentation["type"] = [VP_TYPE]
    presentation["holder"] = holder
    if creds:
        presentation["verifiableCredential"] = creds
    check_presentation_shape(presentation)
    return presentation


def sign_presentation(
    presentation: dict,
    key: SigningKey,
    *,
    challenge: str,
    domain: str,
    created: datetime | str | None = None,
    expires: datetime | str | None = None,
    cryptosuite: str = RDFC,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """``presentation`` with an ``authentication`` proof by ``key`` bound to ``challenge``/``domain``.

    Refuses a presentation the safety checks refuse (a signature would not
    cover all of it) or whose holder is not the key's controller.
    """
    check_presentation_shape(presentation)
    if "proof" in presentation:
        raise InputError("already-signed", "the presentation already has a proof", path="$.proof")
    if not isinstance(challenge, str) or not challenge:
        raise InputError("bad-challenge", "a challenge (non-empty string) is required")
    if not isinstance(domain, str) or not domain:
        raise InputError("bad-domain", "a domain (non-empty string) is required")
    purpose = AuthenticationPurpose(challenge, domain)
    if _holder_id(presentation) != key.controller:
        raise InputError(
            "holder-key-mismatch",
            f"the holder is {_holder_id(presentation)} but the key belongs to {key.controller}",
            path="$.holder",
        )
    loader = loader or OfflineDocumentLoader.default()
    checked = expand_safely(presentation, loader, limits=limits)
    # Sign only what a verifier will read as signed (its embedded credentials included).
    if not checked.compact:  # else read in compact form (compact_expansion)
        check_compact_form(presentation, checked.expanded, term_index(presentation, loader))
    options = ProofOptions(
        cryptosuite=cryptosuite, purpose=purpose, created=created, expires=expires
    )
    return add_proof(
        presentation,
        key,
        options,
        loader=loader,
        limits=limits,
        expanded_unsecured=checked.expanded,
    )


def present(
    credentials: Iterable[dict],
    key: SigningKey,
    *,
    challenge: str,
    domain: str,
    holder: str | None = None,
    created: datetime | str | None = None,
    expires: datetime | str | None = None,
    cryptosuite: str = RDFC,
    id: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict:
    """A signed presentation of ``credentials`` for ``challenge`` and ``domain``."""
    require_signing_key(key)
    unsigned = create_presentation(credentials, holder or key.controller, id=id)
    return sign_presentation(
        unsigned,
        key,
        challenge=challenge,
        domain=domain,
        created=created,
        expires=expires,
        cryptosuite=cryptosuite,
        loader=loader,
    )


def check_presentation_shape(presentation: Any) -> None:
    """Apply the VC Data Model 2.0 presentation rules, and the credential rules to each
    credential inside (``data_model``); raise ``InputError`` on the first broken one."""
    check_presentation(presentation)


# --- verifying ---------------------------------------------------------------


@dataclass(frozen=True)
class PresentationResult(VerificationResult):
    """The outcome of verifying a presentation: ordered checks, the holder, each credential's result."""

    holder: str | None = None
    credential_results: tuple[VerificationResult, ...] = field(default=())

    def to_json(self) -> dict:
        return {
            **super().to_json(),
            "holder": self.holder,
            "credentials": [r.to_json() for r in self.credential_results],
        }


@dataclass
class PresentationState(SecuredDocument):
    """The working state of one presentation verification."""

    noun: str = "presentation"
    challenges: ChallengeStore | None = None
    credentials: list[Any] = field(default_factory=list)
    results: list[VerificationResult] = field(default_factory=list)

    @property
    def authentication(self) -> AuthenticationPurpose:
        assert isinstance(self.purpose, AuthenticationPurpose)
        return self.purpose

    @property
    def holder(self) -> str | None:
        return _holder_id(self.document) if isinstance(self.document, dict) else None


def well_formed(state: PresentationState) -> str:
    """The VC 2.0 presentation rules, and at least one well-formed proof."""
    document = read_document(state)
    check_presentation_shape(document)
    read_proofs(state)
    state.credentials = [c for c, _ in _embedded(document)]
    count = len(state.credentials)
    model = data_model_of(document) or "2.0"
    return f"VC {model} presentation with {count} credential{'' if count == 1 else 's'}"


def signing_key(state: PresentationState) -> str:
    """Every proof's key resolves and may still sign in."""
    return resolve_methods(state, signing_in=True)


def holder_binding(state: PresentationState) -> str:
    """The holder controls every proof's key, listed under ``authentication``.

    A presentation that names no holder is bound to no one: accepted unless
    the verifier requires a holder (``holder_required``), each proof's key
    still listed under ``authentication`` by its own controller.
    """
    holder = state.holder
    if holder is None:
        if state.options.holder_required:
            raise CheckFailed(
                "no-holder", "the presentation names no holder, so nobody is signing in",
                path="$.holder",
            )
        for i, method in enumerate(state.methods):
            if AUTHENTICATION not in method.relationships:
                raise CheckFailed(
                    "key-not-authorised",
                    f"{proof_label(i, len(state.methods))}{method.controller} does not list"
                    f" the key under {AUTHENTICATION}",
                    path="$.proof.verificationMethod",
                )
        signers = ", ".join(sorted({m.controller for m in state.methods}))
        return f"no holder named: signed by {signers}, bound to no holder"
    return check_key_binding(state.methods, holder, AUTHENTICATION, role="holder")


def challenge(state: PresentationState) -> str:
    """Every proof carries the verifier's challenge; a store must have issued it, unused."""
    found = state.authentication.check_challenge(state.proofs)
    if state.challenges is None:
        return found
    purpose = state.authentication
    issued = state.challenges.check(purpose.challenge, purpose.domains[0])
    return (
        "matches, issued by this verifier, unused, valid until"
        f" {format_timestamp(issued.expires)}"
    )


def domain(state: PresentationState) -> str:
    """Every proof names the verifier's domain."""
    return state.authentication.check_domain(state.proofs)


def credentials(state: PresentationState) -> str:
    """Every embedded credential verifies, with the presentation's verifier options."""
    results = verify_embedded_credentials(
        state.credentials, state.options, _expansions_read(state))
    state.results = results
    count = len(results)
    for i, result in enumerate(results):
        if not result.verified:
            first = result.failed[0]
            raise CheckFailed(
                "credential-not-verified",
                f"{_credential_label(i, count, state.credentials[i])}:"
                f" {first.name}: {first.message}",
                path=f"$.verifiableCredential[{i}]",
            )
    if not count:
        return "no credentials presented"
    return f"{count} credential{'' if count == 1 else 's'} verified"


def _expansions_read(state: PresentationState) -> list[ExpandedDocument | None]:
    """Each embedded credential's expansion as the presentation's reading gave it,
    where that is the credential's own (else None: the credential is expanded alone).

    Under the VC 2.0 context, ``verifiableCredential`` (defined, protected, by
    the ``VerifiablePresentation`` type) has a null scoped context: a credential
    inside is read under its own ``@context`` only, as it is alone. A
    presentation read in canonical compact form (``compact_expansion``) passed
    the JSON and context checks for every value in it, the credentials' too;
    only the terms a credential's own contexts leave to ``@vocab`` are found again.
    """
    none: list[ExpandedDocument | None] = [None] * len(state.credentials)
    document, expanded = state.document, state.expanded
    if expanded is None or not expanded.compact or len(expanded.expanded) != 1:
        return none
    contexts = document.get("@context")
    types = document.get("type")
    if not (isinstance(contexts, list) and contexts and contexts[0] == VC_V2_CONTEXT
            and (types == _PRESENTATION or isinstance(types, list) and _PRESENTATION in types)):
        return none
    graphs = expanded.expanded[0].get(_VERIFIABLE_CREDENTIAL)
    if not isinstance(graphs, list) or len(graphs) != len(state.credentials):
        return none
    found: list[ExpandedDocument | None] = []
    for credential, graph in zip(state.credentials, graphs):
        lone = lone_graph_node(graph)
        if not isinstance(credential, dict) or lone is None:
            found.append(None)
            continue
        node = [lone]
        bases = vocab_bases(state.loader, credential)
        # Its IRIs were found absolute with the presentation's: only @vocab's terms are looked for.
        vocab = check_expanded(node, credential, bases) if bases else ()
        found.append(ExpandedDocument(node, vocab, compact=True))
    return found


_PRESENTATION = "VerifiablePresentation"
_VERIFIABLE_CREDENTIAL = "https://www.w3.org/2018/credentials#verifiableCredential"


def subject_binding(state: PresentationState) -> str:
    """The holder is the subject of every credential, where the verifier asks it
    (``holder_is_subject``: sign-in and co-op policies do)."""
    holder = state.holder
    if not state.options.holder_is_subject:
        return "not required by this verifier's policy"
    count = len(state.credentials)
    if holder is None and count:
        raise CheckFailed(
            "holder-not-subject",
            "the presentation names no holder, so it cannot show the holder is the subject",
            path="$.holder",
        )
    for i, credential in enumerate(state.credentials):
        ids = [s.get("id") for s in subjects(credential) if isinstance(s, dict)]
        if holder not in ids:
            named = ", ".join(str(x) for x in ids if x) or "no subject id"
            raise CheckFailed(
                "holder-not-subject",
                f"{_credential_label(i, count, credential)} is about {named},"
                f" not the holder {holder}",
                path=f"$.verifiableCredential[{i}].credentialSubject.id",
            )
    return f"{holder} is the subject of every credential" if count else "no credentials"


def safe_presentation(state: PresentationState) -> str:
    """Every term of the presentation and its credentials is defined, so every claim is signed."""
    safe_jsonld(state)
    return "every term is defined, every claim is signed (credentials included)"


PRESENTATION_STEPS: tuple[Step[PresentationState], ...] = (
    Step("well_formed", "Well-formed presentation", (), well_formed),
    KNOWN_CONTEXTS,
    Step("safe_jsonld", SAFE_JSONLD_TITLE, ("contexts",), safe_presentation),
    READ_AS_SIGNED,
    Step("verification_method", VERIFICATION_METHOD_TITLE, ("read_as_signed",), signing_key),
    Step("holder_binding", "Holder controls the key", ("verification_method",), holder_binding),
    Step("proof_purpose", "Proof purpose", ("read_as_signed",), proof_purpose),
    Step("challenge", "Challenge (single use)", ("read_as_signed",), challenge),
    Step("domain", "Domain", ("read_as_signed",), domain),
    PROOF_TIMING,
    SIGNATURE,
    Step("credentials", "Every credential verifies", ("read_as_signed",), credentials),
    Step("subject_binding", "Holder is the subject", ("holder_binding",), subject_binding),
)
PRESENTATION_CHECKS = tuple(step.name for step in PRESENTATION_STEPS)
PRESENTATION_CHECK_TITLES = {step.name: step.title for step in PRESENTATION_STEPS}


def verify_presentation(
    presentation: dict | str | bytes,
    options: VerifierOptions | None = None,
    /,
    *,
    challenge: str,
    domain: str,
    challenges: ChallengeStore | None = None,
    **settings: Unpack[VerifierSettings],
) -> PresentationResult:
    """Verify a presentation (a dict, or JSON text) for ``challenge`` and ``domain``.

    ``options`` (a ``VerifierOptions``), or its fields as keyword arguments,
    set the clock for proof times and the credentials' validity, the registry
    that resolves ``did:web`` DIDs and holds status lists, and the verifier's
    policy; they apply to every embedded credential. A ``ChallengeStore``
    (``challenges``) uses its own clock for challenge expiry. Raises only on
    API misuse.
    """
    if not isinstance(presentation, (dict, str, bytes, list)):
        raise TypeError("presentation must be a dict or JSON text")
    if not isinstance(challenge, str) or not isinstance(domain, str):
        raise TypeError("challenge and domain must be strings")
    state = PresentationState(
        presentation, VerifierOptions.of(options, **settings),
        purpose=AuthenticationPurpose(challenge, domain),
        challenges=challenges,
    )
    state.locate = lambda exc: _in_credential(exc, state.document)
    checks = list(run_steps(PRESENTATION_STEPS, state))
    verified = all(c.ok for c in checks)
    if verified and challenges is not None:
        # Only a presentation that passes everything uses up its challenge, so a
        # forged one cannot burn a real holder's challenge; consume() is atomic,
        # so of two copies of one presentation exactly one gets through.
        try:
            challenges.consume(challenge, domain)
        except CoopCredsError as exc:
            checks = [
                Check("challenge", False, str(exc), exc.code, title=c.title)
                if c.name == "challenge" else c
                for c in checks
            ]
            verified = False
    holder = state.holder
    vocab = state.expanded.vocab_terms if state.expanded is not None else ()
    return PresentationResult(
        verified, tuple(checks), vocab, data_model_of(state.document), holder=holder,
        credential_results=tuple(state.results),
    )


# --- helpers -----------------------------------------------------------------


def _holder_id(presentation: dict) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _embedded(presentation: dict) -> list[tuple[Any, str]]:
    """The embedded credentials with their JSON paths."""
    value = presentation.get("verifiableCredential")
    if value is None:
        return []
    if isinstance(value, list):
        return [(c, f"$.verifiableCredential[{i}]") for i, c in enumerate(value)]
    return [(value, "$.verifiableCredential")]


def _credential_label(index: int, count: int, credential: Any) -> str:
    ident = credential.get("id") if isinstance(credential, dict) else None
    return f"credential {index + 1} of {count}" + (f" ({ident})" if isinstance(ident, str) else "")


def _in_credential(exc: CoopCredsError, document: dict) -> CoopCredsError:
    """``exc`` with the embedded credential it points into named in its message."""
    match = _CREDENTIAL_PATH.match(exc.path or "")
    if not match:
        return exc
    embedded = _embedded(document)
    index = int(match.group(1) or 0)
    if index >= len(embedded):
        return exc
    label = _credential_label(index, len(embedded), embedded[index][0])
    return exc.with_context(label)
