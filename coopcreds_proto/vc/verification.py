"""Verifying a credential: named checks, in order, each with a one-line reason.

``verify_credential`` never raises on a bad credential: it returns a
``VerificationResult`` whose checks say what passed, what failed and why, and
what could not be checked because something before it failed. It raises only
when the API itself is misused (a wrong argument type).

The checks, in order (``CREDENTIAL_STEPS``): well-formed, contexts, safe
JSON-LD, read as signed (the JSON is the signed graph in canonical compact
form: ``compact_form``), verification method, issuer binding, proof purpose,
proof timing, signature, validity period, schema, status. The checks that read
the JSON run only once it is known to read as signed. A credential is verified only if
every check passes. Each check is a named step, a function of the
verification's state (``CredentialState``); the proof-level ones are shared
with presentations (``proof_checks``). The verifier's settings are one
``VerifierOptions`` (or the same names as keyword arguments).
Status is fail-closed: a credential carrying ``credentialStatus`` fails that
check unless its status list was read from the registry, verified and says
the credential is neither revoked nor suspended (``status_check``). The schema
check validates ``credentialSchema`` entries (``schema_check``).

>>> from coopcreds_proto.keys import Ed25519Key
>>> from coopcreds_proto.vc.credentials import issue, VC_V2_CONTEXT
>>> key = Ed25519Key.from_seed(bytes(32))
>>> signed = issue({"@context": [VC_V2_CONTEXT], "type": ["VerifiableCredential"],
...                 "issuer": key.did, "credentialSubject": {"id": "did:example:1"}},
...                key, created="2026-01-01T00:00:00Z")
>>> result = verify_credential(signed, now="2026-02-01T00:00:00Z")
>>> result.verified, [c.name for c in result.checks][:3]
(True, ['well_formed', 'contexts', 'safe_jsonld'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import html_views
from ..checks import Check, CheckFailed, Step, find, run_steps
from ..checks import failed as failed_checks
from ..errors import require_type
from ..proof_checks import (
    KNOWN_CONTEXTS,
    PROOF_TIMING,
    READ_AS_SIGNED,
    SAFE_JSONLD_TITLE,
    SIGNATURE,
    VERIFICATION_METHOD_TITLE,
    SecuredDocument,
    check_key_binding,
    read_document,
    read_proofs,
    resolve_methods,
    safe_jsonld,
)
from ..purposes import PROOF_PURPOSES, AssertionPurpose, ProofPurpose, proof_label
from ..safe_jsonld import ExpandedDocument
from ..timestamps import format_timestamp, parse_timestamp, shifted
from ..verifier_options import VerifierOptions
from .credentials import check_credential_shape, issuer_id
from .data_model import data_model_of
from .related_resources import check_related_resources
from .schema_check import check_schemas
from .status_check import (
    DEFAULT_STATUS_CACHE,
    MAX_DECODED_BYTES,
    EntryStatus,
    StatusCache,
    check_entries,
    read_entries,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing_extensions import Unpack

    from ..verifier_options import VerifierSettings


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of verifying a credential: ``verified`` and the ordered checks.

    ``failed`` lists the checks that ran and did not pass; ``skipped`` those
    that could not run because a check they need did not pass. ``data_model``
    is the VC data model the document follows (``2.0``, or ``1.1`` for a
    credential from an issuer still on it), when it could be read.
    """

    verified: bool
    checks: tuple[Check, ...]
    vocab_terms: tuple[str, ...] = field(default=())
    data_model: str | None = None

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that ran and did not pass."""
        return failed_checks(self.checks)

    @property
    def skipped(self) -> tuple[Check, ...]:
        """The checks that could not run."""
        return tuple(c for c in self.checks if c.skipped)

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return find(self.checks, name)

    def to_json(self) -> dict:
        return {
            "verified": self.verified,
            "dataModel": self.data_model,
            "checks": [c.to_json() for c in self.checks],
        }

    def __repr__(self) -> str:
        failed = ", ".join(c.name for c in self.failed)
        return f"<{type(self).__name__} verified={self.verified}" + (
            f" failed: {failed}>" if failed else ">"
        )

    def __str__(self) -> str:
        head = "VERIFIED" if self.verified else "NOT VERIFIED"
        width = max(len(c.title) for c in self.checks)
        lines = [head]
        for c in self.checks:
            mark = "skip" if c.skipped else ("ok" if c.ok else "FAIL")
            lines.append(f"  {mark:<4}  {c.title:<{width}}  {c.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "vc/verification_result.html", verified=self.verified,
            checks=[(None if c.skipped else c.ok, c.title, c.message) for c in self.checks])


@dataclass
class CredentialState(SecuredDocument):
    """The working state of one credential verification."""

    noun: str = "credential"
    purpose: ProofPurpose = field(default_factory=AssertionPurpose)


def well_formed(state: CredentialState) -> str:
    """The data model's rules (VC 2.0, or 1.1), related resources, and at least one
    well-formed proof."""
    document = read_document(state)
    check_credential_shape(document)
    check_related_resources(document, state.loader, state.options.registry)
    proofs = read_proofs(state)
    model = data_model_of(document) or "2.0"
    return f"VC {model} data model, {len(proofs)} Data Integrity proof{'s' if len(proofs) > 1 else ''}"


def issuer_binding(state: CredentialState) -> str:
    """The issuer controls the key of its proof, listed for the proof's purpose.

    Every proof must be the issuer's in the strict profile. By default a
    witness or notary may add its own proof (a proof set, or a chain naming
    the issuer's with ``previousProof``): at least one proof is the issuer's,
    and every other proof's key is listed, by its own controller, under that
    proof's purpose.
    """
    issuer = issuer_id(state.document)
    relationship = state.purpose.relationship
    if not state.options.other_proofs:
        return check_key_binding(state.methods, issuer, relationship, role="issuer")
    own = [m for m in state.methods if m.controller == issuer]
    if not own:
        signers = ", ".join(sorted({m.controller for m in state.methods}))
        raise CheckFailed(
            "issuer-mismatch",
            f"signed by a key of {signers}, not of the issuer {issuer}",
            path="$.issuer",
        )
    found = check_key_binding(own, issuer, relationship, role="issuer")
    others = [(i, p, m) for i, (p, m) in enumerate(zip(state.proofs, state.methods))
              if m.controller != issuer]
    for i, proof, method in others:
        if proof["proofPurpose"] not in method.relationships:
            raise CheckFailed(
                "key-not-authorised",
                f"{proof_label(i, len(state.proofs))}{method.controller} does not list the key"
                f" under {proof['proofPurpose']}",
                path="$.proof.verificationMethod",
            )
    if others:
        witnesses = ", ".join(sorted({m.controller for _, _, m in others}))
        return f"{found}; also proved by {witnesses}, each with its own key"
    return found


def proof_purpose(state: CredentialState) -> str:
    """The issuer's proofs are for the verifier's purpose; another party's for a known one."""
    issuer = issuer_id(state.document)
    own = [p for p, m in zip(state.proofs, state.methods)
           if m.controller == issuer or not state.options.other_proofs]
    if not own:  # no proof is the issuer's (issuer binding says so): judge them all
        return state.purpose.check_term(state.proofs)
    found = state.purpose.check_term(own)
    others = [p for p, m in zip(state.proofs, state.methods)
              if m.controller != issuer and state.options.other_proofs]
    for i, proof in enumerate(others):
        if proof.get("proofPurpose") not in PROOF_PURPOSES:
            raise CheckFailed(
                "wrong-proof-purpose",
                f"a proof by {proof.get('verificationMethod')} has the unknown purpose"
                f" {proof.get('proofPurpose')}",
                path="$.proof.proofPurpose",
            )
    return found if not others else f"{found} (and {len(others)} other party's)"


def validity_period(state: CredentialState) -> str:
    """The verifier's clock is within the validity period (with the skew): ``validFrom`` ..
    ``validUntil``, or a VC 1.1 credential's ``issuanceDate`` .. ``expirationDate``."""
    document, moment, skew = state.document, state.moment, state.clock_skew
    start, end = ("issuanceDate", "expirationDate") if data_model_of(document) == "1.1" else (
        "validFrom", "validUntil")
    if start in document and parse_timestamp(document[start]) > shifted(moment, skew):
        raise CheckFailed(
            "not-yet-valid", f"not valid until {document[start]}", path=f"$.{start}"
        )
    if end in document and parse_timestamp(document[end]) < shifted(moment, -skew):
        raise CheckFailed("expired", f"expired on {document[end]}", path=f"$.{end}")
    return f"valid at {format_timestamp(moment)}"


def schema(state: CredentialState) -> str:
    """Every ``credentialSchema`` entry validates (read from the registry)."""
    return check_schemas(state.document, registry=state.options.registry)


def status(state: CredentialState) -> str:
    """Every ``credentialStatus`` entry was read and passes (fail closed)."""
    return check_entries(state.document, state.options, verify_list=verify_credential)


CREDENTIAL_STEPS: tuple[Step[CredentialState], ...] = (
    Step("well_formed", "Well-formed credential", (), well_formed),
    KNOWN_CONTEXTS,
    Step("safe_jsonld", SAFE_JSONLD_TITLE, ("contexts",), safe_jsonld),
    READ_AS_SIGNED,
    Step("verification_method", VERIFICATION_METHOD_TITLE, ("read_as_signed",), resolve_methods),
    Step("issuer_binding", "Issuer controls the key", ("verification_method",), issuer_binding),
    Step("proof_purpose", "Proof purpose", ("verification_method",), proof_purpose),
    PROOF_TIMING,
    SIGNATURE,
    Step("validity_period", "Validity period", ("read_as_signed",), validity_period),
    Step("schema", "Credential schema", ("read_as_signed",), schema),
    Step("status", "Status (revocation)", ("read_as_signed",), status),
)
CHECK_TITLES = {step.name: step.title for step in CREDENTIAL_STEPS}


def verify_credential(
    credential: dict | str | bytes,
    options: VerifierOptions | None = None,
    /,
    *,
    purpose: ProofPurpose | None = None,
    **settings: Unpack[VerifierSettings],
) -> VerificationResult:
    """Verify a credential (a dict, or JSON text) and explain the outcome.

    ``options`` (a ``VerifierOptions``), or its fields as keyword arguments
    (``now=``, ``registry=``, ``clock_skew=``...), set the clock, where DID
    documents, status lists and schemas are read from, and the verifier's
    policy; keyword arguments replace the fields of ``options``. ``purpose``
    is what the proofs must be for (default: issuing, ``assertionMethod``).

    A key its controller retired (``expires``) verifies only proofs created
    before that time. A key declared compromised (``revoked``) verifies
    nothing by default, since ``created`` is written by the signer itself;
    ``trust_signatures_before_key_revocation=True`` accepts its proofs created
    before the revocation time (see ``proof_checks.key_in_force``).
    """
    if not isinstance(credential, (dict, str, bytes, list)):
        raise TypeError("credential must be a dict or JSON text")
    return _verified(CredentialState(
        credential, VerifierOptions.of(options, **settings),
        purpose=purpose if purpose is not None else AssertionPurpose(),
    ))


def _verified(state: CredentialState) -> VerificationResult:
    """The credential steps run over ``state``, as a result."""
    checks = run_steps(CREDENTIAL_STEPS, state)
    vocab = state.expanded.vocab_terms if state.expanded is not None else ()
    return VerificationResult(
        all(c.ok for c in checks), checks, vocab, data_model_of(state.document)
    )


def verify_embedded_credentials(
    credentials: list, options: VerifierOptions, expansions: list
) -> list[VerificationResult]:
    """Verify the credentials of a presentation that passed its safety checks.

    ``expansions`` has, for each credential, its expansion as the presentation's
    read it (an ``ExpandedDocument``), or None to expand it here; the rest of
    the verification is ``verify_credential``'s with ``options``.
    """
    require_type(options, VerifierOptions, "options")
    require_type(credentials, list, "credentials")
    require_type(expansions, list, "expansions")
    if len(expansions) != len(credentials):
        raise ValueError("one expansion (or None) is needed for each credential")
    results = []
    for credential, expansion in zip(credentials, expansions):
        require_type(expansion, (ExpandedDocument, type(None)), "an expansion")
        state = CredentialState(credential, options, purpose=AssertionPurpose())
        state.embedded_expansion = expansion
        results.append(_verified(state))
    return results


def read_status(
    credential: dict,
    options: VerifierOptions | None = None,
    /,
    *,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
    **settings: Unpack[VerifierSettings],
) -> tuple[EntryStatus, ...]:
    """The status of each of ``credential``'s ``credentialStatus`` entries (never raises).

    Each status list is read from the options' registry and its own proof
    verified with these options (see ``status_check``).
    """
    return read_entries(
        credential, VerifierOptions.of(options, **settings), verify_list=verify_credential,
        cache=cache, max_list_bytes=max_list_bytes,
    )


def check_status(
    credential: dict,
    options: VerifierOptions | None = None,
    /,
    *,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
    **settings: Unpack[VerifierSettings],
) -> str:
    """A one-line summary if every status entry passes; else ``StatusCheckError`` for the first."""
    return check_entries(
        credential, VerifierOptions.of(options, **settings), verify_list=verify_credential,
        cache=cache, max_list_bytes=max_list_bytes,
    )
