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
- ``verify_presentation(presentation, *, challenge, domain, now=None,
  loader=None, registry=None, require_holder_is_subject=True, challenges=None)
  -> PresentationResult``: never raises on a bad presentation. Checks in order:
  ``PRESENTATION_CHECKS``. With a ``ChallengeStore`` the challenge must be one
  it issued for ``domain``, unexpired and unused; a presentation that passes
  every other check consumes it (atomically), so a replay is refused.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..dids import dereference_verification_method
from ..errors import CoopCredsError, InputError
from ..keys import Ed25519Key
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..proof_checks import (
    RDFC,
    CheckFailed,
    CheckList,
    canonical_unsecured,
    check_key_binding,
    check_proof_purpose,
    check_proof_timing,
    check_signatures,
    proof_label,
)
from ..proofs import (
    ProofOptions,
    add_proof,
    check_proof_shape,
    proofs_of,
)
from ..safe_json import DEFAULT_LIMITS, Limits, loads_strict
from ..safe_jsonld import check_contexts, expand_safely
from ..timestamps import as_datetime, format_timestamp
from .challenges import ChallengeStore
from .credentials import VC_V2_CONTEXT, check_envelope, is_url, subjects
from .verification import Check, VerificationResult, key_in_force, verify_credential

VP_TYPE = "VerifiablePresentation"
AUTHENTICATION = "authentication"
_CREDENTIAL_PATH = re.compile(r"^\$\.verifiableCredential(?:\[(\d+)\])?")

PRESENTATION_CHECKS = (
    "well_formed",
    "contexts",
    "safe_jsonld",
    "verification_method",
    "holder_binding",
    "proof_purpose",
    "challenge",
    "domain",
    "proof_timing",
    "signature",
    "credentials",
    "subject_binding",
)

PRESENTATION_CHECK_TITLES = {
    "well_formed": "Well-formed presentation",
    "contexts": "Known contexts",
    "safe_jsonld": "Safe JSON-LD (every claim is signed)",
    "verification_method": "Verification method resolves",
    "holder_binding": "Holder controls the key",
    "proof_purpose": "Proof purpose",
    "challenge": "Challenge (single use)",
    "domain": "Domain",
    "proof_timing": "Proof created/expires",
    "signature": "Signature",
    "credentials": "Every credential verifies",
    "subject_binding": "Holder is the subject",
}


# --- building ----------------------------------------------------------------


def create_presentation(
    credentials: Iterable[dict], holder: str, *, id: str | None = None
) -> dict:
    """An unsigned presentation of signed ``credentials`` (embedded as they are) by ``holder``."""
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
    key: Ed25519Key,
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
    if _holder_id(presentation) != key.controller:
        raise InputError(
            "holder-key-mismatch",
            f"the holder is {_holder_id(presentation)} but the key belongs to {key.controller}",
            path="$.holder",
        )
    loader = loader or OfflineDocumentLoader.default()
    checked = expand_safely(presentation, loader, limits=limits)
    options = ProofOptions(
        cryptosuite=cryptosuite,
        proof_purpose=AUTHENTICATION,
        created=created,
        expires=expires,
        challenge=challenge,
        domain=domain,
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
    key: Ed25519Key,
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
    """Apply the VC Data Model 2.0 presentation rules; raise ``InputError`` on the first broken one."""
    check_envelope(presentation, noun="presentation", required_type=VP_TYPE)
    if "id" in presentation and not is_url(presentation["id"]):
        raise InputError("bad-id", "id must be a URL", path="$.id")
    if "holder" in presentation and not is_url(_holder_id(presentation)):
        raise InputError(
            "bad-holder", "holder must be a URL or an object with an id", path="$.holder"
        )
    for i, (credential, path) in enumerate(_embedded(presentation)):
        if not isinstance(credential, dict):
            raise InputError(
                "bad-embedded-credential",
                f"credential {i + 1} must be a JSON object (an embedded credential)",
                path=path,
            )


# --- verifying ---------------------------------------------------------------


class PresentationCheck(Check):
    """A named check of a presentation (its title reads as a presentation's)."""

    @property
    def title(self) -> str:
        return PRESENTATION_CHECK_TITLES.get(self.name, self.name)


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

    def __repr__(self) -> str:
        failed = ", ".join(c.name for c in self.failed)
        return f"<PresentationResult verified={self.verified}" + (
            f" failed: {failed}>" if failed else ">"
        )


def verify_presentation(
    presentation: dict | str | bytes,
    *,
    challenge: str,
    domain: str,
    now: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    registry: LocalRegistry | None = None,
    require_holder_is_subject: bool = True,
    challenges: ChallengeStore | None = None,
    limits: Limits = DEFAULT_LIMITS,
    clock_skew: timedelta = timedelta(minutes=5),
    trust_signatures_before_key_revocation: bool = False,
    authorised_status_issuers: Callable[[str, str], bool] | None = None,
) -> PresentationResult:
    """Verify a presentation (a dict, or JSON text) for ``challenge`` and ``domain``.

    ``now`` fixes the clock for proof times and the credentials' validity;
    a ``ChallengeStore`` (``challenges``) uses its own clock for challenge
    expiry. ``registry`` resolves ``did:web`` DIDs and holds status lists. The
    last two options are the credential verifier's policy for every embedded
    credential (see ``verify_credential``). Raises only on API misuse.
    """
    if not isinstance(presentation, (dict, str, bytes, list)):
        raise TypeError("presentation must be a dict or JSON text")
    if not isinstance(challenge, str) or not isinstance(domain, str):
        raise TypeError("challenge and domain must be strings")
    moment = as_datetime(now)
    base_loader = loader or OfflineDocumentLoader.default()
    loader = base_loader.with_registry(registry) if registry is not None else base_loader
    checks = CheckList(PresentationCheck, PRESENTATION_CHECK_TITLES)
    state: dict[str, Any] = {}

    def well_formed() -> str:
        document = (
            loads_strict(presentation, limits)
            if isinstance(presentation, (str, bytes))
            else presentation
        )
        state["document"] = document
        check_presentation_shape(document)
        proofs = proofs_of(document)
        if not proofs:
            raise CheckFailed("no-proof", "the presentation has no proof", path="$.proof")
        for i, proof in enumerate(proofs):
            check_proof_shape(proof, "$.proof" if len(proofs) == 1 else f"$.proof[{i}]")
        state["proofs"] = proofs
        state["credentials"] = [c for c, _ in _embedded(document)]
        count = len(state["credentials"])
        return f"VC 2.0 presentation with {count} credential{'' if count == 1 else 's'}"

    def contexts() -> str:
        try:
            check_contexts(state["document"], loader, allow_inline_contexts=False)
        except CoopCredsError as exc:
            raise _in_credential(exc, state["document"]) from None
        return "every @context is in the offline bundle"

    def safe_jsonld() -> str:
        try:
            expanded = expand_safely(state["document"], loader, limits=limits)
            state["canonical"] = canonical_unsecured(
                state["document"], expanded.expanded, state["proofs"], loader, limits
            )
        except CoopCredsError as exc:
            raise _in_credential(exc, state["document"]) from None
        return "every term is defined, every claim is signed (credentials included)"

    def verification_method() -> str:
        state["methods"] = [
            dereference_verification_method(p["verificationMethod"], loader)
            for p in state["proofs"]
        ]
        notes = []
        for proof, method in zip(state["proofs"], state["methods"]):
            # A key retired or declared compromised (did:web) cannot sign in:
            # not after that date, and (unlike an issued credential) not now either,
            # since a holder chooses the proof's `created` freely.
            note = key_in_force(method, proof.get("created"))
            for name, moment_of in (("revoked", method.revoked), ("retired", method.expires)):
                if moment_of is not None and moment >= moment_of:
                    raise CheckFailed(
                        "key-revoked" if name == "revoked" else "key-expired",
                        f"key {method.id} was {name} on {format_timestamp(moment_of)};"
                        " it cannot sign in any more",
                        path="$.proof.verificationMethod",
                    )
            if note:
                notes.append(note)
        return "; ".join(sorted({m.id for m in state["methods"]}) + sorted(set(notes)))

    def holder_binding() -> str:
        holder = _holder_id(state["document"])
        if holder is None:
            raise CheckFailed(
                "no-holder", "the presentation names no holder, so nobody is signing in",
                path="$.holder",
            )
        return check_key_binding(state["methods"], holder, AUTHENTICATION, role="holder")

    def purpose() -> str:
        return check_proof_purpose(state["proofs"], AUTHENTICATION)

    def challenge_check() -> str:
        for i, proof in enumerate(state["proofs"]):
            given = proof.get("challenge")
            if given is None:
                raise CheckFailed(
                    "no-challenge", f"{proof_label(i, len(state['proofs']))}the proof carries no challenge",
                    path="$.proof.challenge",
                )
            if given != challenge:
                raise CheckFailed(
                    "wrong-challenge",
                    f"{proof_label(i, len(state['proofs']))}proof challenge does not match the one this verifier expects",
                    path="$.proof.challenge",
                )
        if challenges is None:
            return "matches the expected challenge"
        issued = challenges.check(challenge, domain)
        return f"matches, issued by this verifier, unused, valid until {format_timestamp(issued.expires)}"

    def domain_check() -> str:
        for i, proof in enumerate(state["proofs"]):
            given = proof.get("domain")
            if given is None:
                raise CheckFailed(
                    "no-domain", f"{proof_label(i, len(state['proofs']))}the proof carries no domain", path="$.proof.domain"
                )
            names = given if isinstance(given, list) else [given]
            if domain not in names:
                raise CheckFailed(
                    "wrong-domain",
                    f"{proof_label(i, len(state['proofs']))}proof domain is {', '.join(names)}, expected {domain}",
                    path="$.proof.domain",
                )
        return domain

    def timing() -> str:
        return check_proof_timing(state["proofs"], moment, clock_skew)

    def signature() -> str:
        return check_signatures(
            state["document"], state["proofs"], state["methods"], what="presentation",
            loader=loader, limits=limits, canonical_unsecured=state.get("canonical"),
        )

    def credentials_check() -> str:
        results = []
        for credential in state["credentials"]:
            results.append(
                verify_credential(
                    credential,
                    now=moment,
                    loader=base_loader,
                    registry=registry,
                    limits=limits,
                    clock_skew=clock_skew,
                    trust_signatures_before_key_revocation=trust_signatures_before_key_revocation,
                    authorised_status_issuers=authorised_status_issuers,
                )
            )
        state["results"] = results
        count = len(results)
        for i, result in enumerate(results):
            if not result.verified:
                first = result.failed[0]
                raise CheckFailed(
                    "credential-not-verified",
                    f"{_credential_label(i, count, state['credentials'][i])}:"
                    f" {first.name}: {first.message}",
                    path=f"$.verifiableCredential[{i}]",
                )
        if not count:
            return "no credentials presented"
        return f"{count} credential{'' if count == 1 else 's'} verified"

    def subject_binding() -> str:
        holder = _holder_id(state["document"])
        if not require_holder_is_subject:
            return "not required by this verifier's policy"
        count = len(state["credentials"])
        for i, credential in enumerate(state["credentials"]):
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

    checks.run("well_formed", (), well_formed)
    checks.run("contexts", ("well_formed",), contexts)
    checks.run("safe_jsonld", ("contexts",), safe_jsonld)
    checks.run("verification_method", ("well_formed",), verification_method)
    checks.run("holder_binding", ("verification_method",), holder_binding)
    checks.run("proof_purpose", ("well_formed",), purpose)
    checks.run("challenge", ("well_formed",), challenge_check)
    checks.run("domain", ("well_formed",), domain_check)
    checks.run("proof_timing", ("well_formed",), timing)
    checks.run("signature", ("safe_jsonld", "verification_method"), signature)
    checks.run("credentials", ("safe_jsonld",), credentials_check)
    checks.run("subject_binding", ("holder_binding",), subject_binding)
    verified = all(c.ok for c in checks.items)
    if verified and challenges is not None:
        # Only a presentation that passes everything uses up its challenge, so a
        # forged one cannot burn a real holder's challenge; consume() is atomic,
        # so of two copies of one presentation exactly one gets through.
        try:
            challenges.consume(challenge, domain)
        except CoopCredsError as exc:
            checks.replace(PresentationCheck("challenge", False, str(exc), exc.code))
            verified = False
    document = state.get("document")
    holder = _holder_id(document) if isinstance(document, dict) else None
    return PresentationResult(
        verified,
        tuple(checks.items),
        holder=holder if isinstance(holder, str) else None,
        credential_results=tuple(state.get("results", ())),
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
    return type(exc)(exc.code, f"{label}: {exc.message}", path=exc.path)
