"""Verifying a credential: named checks, in order, each with a one-line reason.

``verify_credential`` never raises on a bad credential: it returns a
``VerificationResult`` whose checks say what passed, what failed and why, and
what could not be checked because something before it failed. It raises only
when the API itself is misused (a wrong argument type).

The checks, in order: well-formed, contexts, safe JSON-LD, verification
method, issuer binding, proof purpose, proof timing, signature, validity
period, schema, status. A credential is verified only if every check passes.
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

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..dids import VerificationMethod, dereference_verification_method
from ..errors import CoopCredsError
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..proof_checks import (
    CheckFailed,
    CheckList,
    canonical_unsecured,
    check_key_binding,
    check_proof_purpose,
    check_proof_timing,
    check_signatures,
    proof_label,
)
from ..proofs import check_proof_shape, proofs_of
from ..safe_json import DEFAULT_LIMITS, Limits, loads_strict
from ..safe_jsonld import check_contexts, expand_safely
from ..timestamps import as_datetime, format_timestamp, parse_timestamp
from .credentials import check_credential_shape, issuer_id
from .schema_check import check_schemas
from .status_check import AuthorisedStatusIssuers, check_status

CHECK_TITLES = {
    "well_formed": "Well-formed credential",
    "contexts": "Known contexts",
    "safe_jsonld": "Safe JSON-LD (every claim is signed)",
    "verification_method": "Verification method resolves",
    "issuer_binding": "Issuer controls the key",
    "proof_purpose": "Proof purpose",
    "proof_timing": "Proof created/expires",
    "signature": "Signature",
    "validity_period": "Validity period",
    "schema": "Credential schema",
    "status": "Status (revocation)",
}


@dataclass(frozen=True)
class Check:
    """One named check: passed or not, and why, in one line."""

    name: str
    ok: bool
    message: str
    code: str | None = None
    skipped: bool = False

    @property
    def title(self) -> str:
        return CHECK_TITLES.get(self.name, self.name)

    def to_json(self) -> dict:
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of verifying a credential: ``verified`` and the ordered checks."""

    verified: bool
    checks: tuple[Check, ...]
    vocab_terms: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that did not pass (including those that could not run)."""
        return tuple(c for c in self.checks if not c.ok)

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_json(self) -> dict:
        return {"verified": self.verified, "checks": [c.to_json() for c in self.checks]}

    def __repr__(self) -> str:
        failed = ", ".join(c.name for c in self.failed)
        return f"<VerificationResult verified={self.verified}" + (f" failed: {failed}>" if failed else ">")

    def __str__(self) -> str:
        head = "VERIFIED" if self.verified else "NOT VERIFIED"
        width = max(len(c.title) for c in self.checks)
        lines = [head]
        for c in self.checks:
            mark = "skip" if c.skipped else ("ok" if c.ok else "FAIL")
            lines.append(f"  {mark:<4}  {c.title:<{width}}  {c.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1b7f3b" if self.verified else "#b3261e"
        head = "Verified" if self.verified else "Not verified"
        rows = []
        for c in self.checks:
            mark, tint = (
                ("–", "#666") if c.skipped else (("✓", "#1b7f3b") if c.ok else ("✗", "#b3261e"))
            )
            rows.append(
                f"<tr><td style='color:{tint};font-weight:bold;text-align:center'>{mark}</td>"
                f"<td style='text-align:left'>{html.escape(c.title)}</td>"
                f"<td style='text-align:left'>{html.escape(c.message)}</td></tr>"
            )
        return (
            f"<div><p style='color:{colour};font-weight:bold;font-size:1.1em'>{head}</p>"
            "<table><thead><tr><th></th><th style='text-align:left'>Check</th>"
            "<th style='text-align:left'>Result</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def key_in_force(
    method: VerificationMethod,
    created: str | None,
    *,
    trust_signatures_before_key_revocation: bool = False,
) -> str | None:
    """Whether a proof ``created`` then may be trusted under ``method``'s key history.

    Returns ``None`` for a key with neither ``expires`` nor ``revoked``, else a
    one-line note of why the proof is still trusted; raises ``CoopCredsError``
    ('key-expired', 'key-revoked', 'proof-created-missing') with the reason
    otherwise. As Controlled Identifiers 1.0 says, proofs created at or after
    ``expires`` or ``revoked`` are not verified; a revoked (compromised) key's
    earlier proofs are trusted only if the verifier's policy says so.
    """
    if method.expires is None and method.revoked is None:
        return None
    key = method.id
    if method.revoked is not None and not trust_signatures_before_key_revocation:
        raise CheckFailed(
            "key-revoked",
            f"key {key} was revoked (compromised) on {format_timestamp(method.revoked)};"
            " signatures it made are no longer trusted",
            path="$.proof.verificationMethod",
        )
    if created is None:
        raise CheckFailed(
            "proof-created-missing",
            f"key {key} was {'revoked' if method.revoked else 'retired'} on"
            f" {format_timestamp(method.revoked or method.expires)} and the proof has no"
            " created time to show it was made before",
            path="$.proof.created",
        )
    moment = parse_timestamp(created)
    notes = []
    if method.revoked is not None:
        revoked = format_timestamp(method.revoked)
        if moment >= method.revoked:
            raise CheckFailed(
                "key-revoked",
                f"key {key} was revoked (compromised) on {revoked}; this proof was created"
                f" {format_timestamp(moment)}, after it",
                path="$.proof.created",
            )
        notes.append(
            f"key {key} signed this on {format_timestamp(moment)}, before its revocation"
            f" (compromise) on {revoked}: accepted by policy"
        )
    if method.expires is not None:
        expires = format_timestamp(method.expires)
        if moment >= method.expires:
            raise CheckFailed(
                "key-expired",
                f"key {key} was retired on {expires}; this proof was created"
                f" {format_timestamp(moment)}, after it",
                path="$.proof.created",
            )
        notes.append(
            f"key {key} signed this on {format_timestamp(moment)}, before its retirement on"
            f" {expires}"
        )
    return "; ".join(notes)


def verify_credential(
    credential: dict | str | bytes,
    *,
    now: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    clock_skew: timedelta = timedelta(minutes=5),
    proof_purpose: str = "assertionMethod",
    allow_inline_contexts: bool = False,
    registry: LocalRegistry | None = None,
    trust_signatures_before_key_revocation: bool = False,
    authorised_status_issuers: AuthorisedStatusIssuers | None = None,
) -> VerificationResult:
    """Verify a credential (a dict, or JSON text) and explain the outcome.

    ``now`` fixes the clock (a notebook passes one so its output never
    changes); ``clock_skew`` is the tolerance for ``created``, ``expires``,
    ``validFrom`` and ``validUntil``. ``registry`` is the local registry that
    ``did:web`` DID documents are read from; status lists
    (``credentialStatus``) and schemas (``credentialSchema``) are read from it
    too, and without it a credential carrying either fails closed.
    ``authorised_status_issuers(list_issuer, credential_issuer)`` may allow a
    party other than the issuer to publish status for it.

    A key its controller retired (``expires``) verifies only proofs created
    before that time. A key declared compromised (``revoked``) verifies
    nothing by default, since ``created`` is written by the signer itself;
    ``trust_signatures_before_key_revocation=True`` accepts its proofs created
    before the revocation time (see :func:`key_in_force`).
    """
    if not isinstance(credential, (dict, str, bytes, list)):
        raise TypeError("credential must be a dict or JSON text")
    if not isinstance(clock_skew, timedelta):
        raise TypeError("clock_skew must be a timedelta")
    moment = as_datetime(now)
    loader = loader or OfflineDocumentLoader.default()
    if registry is not None:
        loader = loader.with_registry(registry)
    checks = CheckList(Check, CHECK_TITLES)
    state: dict[str, Any] = {}

    def well_formed() -> str:
        document = (
            loads_strict(credential, limits) if isinstance(credential, (str, bytes)) else credential
        )
        state["document"] = document
        check_credential_shape(document)
        proofs = proofs_of(document)
        if not proofs:
            raise CheckFailed("no-proof", "the credential has no proof", path="$.proof")
        for i, proof in enumerate(proofs):
            check_proof_shape(proof, "$.proof" if len(proofs) == 1 else f"$.proof[{i}]")
        state["proofs"] = proofs
        return (
            f"VC 2.0 data model, {len(proofs)} Data Integrity proof{'s' if len(proofs) > 1 else ''}"
        )

    def contexts() -> str:
        check_contexts(state["document"], loader, allow_inline_contexts=allow_inline_contexts)
        return "every @context is in the offline bundle"

    def safe_jsonld() -> str:
        expanded = expand_safely(
            state["document"], loader, allow_inline_contexts=allow_inline_contexts, limits=limits
        )
        state["expanded"] = expanded
        state["canonical"] = canonical_unsecured(
            state["document"], expanded.expanded, state["proofs"], loader, limits,
            allow_inline_contexts=allow_inline_contexts,
        )
        if expanded.vocab_terms:
            names = ", ".join(expanded.vocab_terms)
            return f"signed as written; defined only by an @vocab fallback: {names}"
        return "every term is defined, every claim is signed"

    def verification_method() -> str:
        methods = []
        notes = []
        for i, proof in enumerate(state["proofs"]):
            method = dereference_verification_method(proof["verificationMethod"], loader)
            # A retired or compromised key is judged here, where the key is
            # found: the rest of the checks then only see keys in force.
            try:
                note = key_in_force(
                    method,
                    proof.get("created"),
                    trust_signatures_before_key_revocation=trust_signatures_before_key_revocation,
                )
            except CoopCredsError as exc:
                raise CheckFailed(
                    exc.code, proof_label(i, len(state["proofs"])) + exc.message, path=exc.path
                ) from None
            if note:
                notes.append(note)
            methods.append(method)
        state["methods"] = methods
        return "; ".join([*sorted({m.id for m in methods}), *notes])

    def issuer_binding() -> str:
        return check_key_binding(
            state["methods"], issuer_id(state["document"]), proof_purpose, role="issuer"
        )

    def purpose() -> str:
        return check_proof_purpose(state["proofs"], proof_purpose)

    def timing() -> str:
        return check_proof_timing(state["proofs"], moment, clock_skew)

    def signature() -> str:
        return check_signatures(
            state["document"], state["proofs"], state["methods"], what="credential",
            loader=loader, limits=limits, canonical_unsecured=state.get("canonical"),
            allow_inline_contexts=allow_inline_contexts,
        )

    def validity() -> str:
        document = state["document"]
        if "validFrom" in document and parse_timestamp(document["validFrom"]) > moment + clock_skew:
            raise CheckFailed(
                "not-yet-valid", f"not valid until {document['validFrom']}", path="$.validFrom"
            )
        if (
            "validUntil" in document
            and parse_timestamp(document["validUntil"]) < moment - clock_skew
        ):
            raise CheckFailed("expired", f"expired on {document['validUntil']}", path="$.validUntil")
        return f"valid at {format_timestamp(moment)}"

    def schema() -> str:
        return check_schemas(state["document"], registry=registry)

    def status() -> str:
        return check_status(
            state["document"],
            registry,
            now=moment,
            loader=loader,
            limits=limits,
            clock_skew=clock_skew,
            authorised_status_issuers=authorised_status_issuers,
            trust_signatures_before_key_revocation=trust_signatures_before_key_revocation,
        )

    checks.run("well_formed", (), well_formed)
    checks.run("contexts", ("well_formed",), contexts)
    checks.run("safe_jsonld", ("contexts",), safe_jsonld)
    checks.run("verification_method", ("well_formed",), verification_method)
    checks.run("issuer_binding", ("verification_method",), issuer_binding)
    checks.run("proof_purpose", ("well_formed",), purpose)
    checks.run("proof_timing", ("well_formed",), timing)
    checks.run("signature", ("safe_jsonld", "verification_method"), signature)
    checks.run("validity_period", ("well_formed",), validity)
    checks.run("schema", ("well_formed",), schema)
    checks.run("status", ("well_formed",), status)
    items = tuple(checks.items)
    vocab = state["expanded"].vocab_terms if "expanded" in state else ()
    return VerificationResult(all(c.ok for c in items), items, vocab)
