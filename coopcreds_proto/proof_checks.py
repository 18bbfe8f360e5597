"""The checks every secured document shares, credential or presentation.

``verify_credential`` and ``verify_presentation`` each run an ordered list of
named checks. The proof-level ones are the same for both (whose key signed,
for what purpose, when, and whether the signature holds) and live here, with
the small runner that records each check and skips those whose prerequisites
failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from .canonical import canonicalize_rdfc
from .dids import VerificationMethod
from .errors import CoopCredsError
from .loader import OfflineDocumentLoader
from .proofs import verify_proof_signature, without_proof
from .safe_json import Limits
from .safe_jsonld import expand_safely
from .timestamps import parse_timestamp

PROOF_PROPERTY = "https://w3id.org/security#proof"
RDFC = "eddsa-rdfc-2022"


class CheckFailed(CoopCredsError):
    """A named check did not pass (its code and one-line reason)."""


class CheckList:
    """Runs checks in order and collects them; a check whose prerequisites
    failed is recorded as skipped, naming the first one that failed."""

    def __init__(self, check_type: Callable[..., Any], titles: Mapping[str, str]) -> None:
        self.check_type = check_type
        self.titles = titles
        self.items: list[Any] = []

    def passed(self, name: str) -> bool:
        return any(c.name == name and c.ok for c in self.items)

    def run(self, name: str, needs: tuple[str, ...], body: Callable[[], str]) -> None:
        missing = [n for n in needs if not self.passed(n)]
        if missing:
            why = f"not checked, because “{self.titles[missing[0]]}” did not pass"
            self.items.append(self.check_type(name, False, why, "not-checked", skipped=True))
            return
        try:
            self.items.append(self.check_type(name, True, body()))
        except CoopCredsError as exc:
            message = str(exc).splitlines()[0]
            self.items.append(self.check_type(name, False, message, exc.code))

    def replace(self, check: Any) -> None:
        """Put ``check`` in place of the recorded check of the same name."""
        self.items = [check if c.name == check.name else c for c in self.items]


def proof_label(index: int, count: int) -> str:
    """'proof 2 of 3: ' when a document has several proofs, else ''."""
    return f"proof {index + 1} of {count}: " if count > 1 else ""


def check_key_binding(
    methods: Sequence[VerificationMethod], controller: str | None, relationship: str, *, role: str
) -> str:
    """Every proof's key belongs to ``controller`` (the issuer or holder, by
    ``role``) and is listed under ``relationship`` in its DID document."""
    for i, method in enumerate(methods):
        label = proof_label(i, len(methods))
        if method.controller != controller:
            raise CheckFailed(
                f"{role}-mismatch",
                f"{label}signed by a key of {method.controller}, not of the {role} {controller}",
                path=f"$.{role}",
            )
        if relationship not in method.relationships:
            raise CheckFailed(
                "key-not-authorised",
                f"{label}{controller} does not list the key under {relationship}",
                path="$.proof.verificationMethod",
            )
    return f"{controller} controls the key and lists it under {relationship}"


def check_proof_purpose(proofs: Sequence[dict], purpose: str) -> str:
    """Every proof was made for ``purpose``."""
    for i, proof in enumerate(proofs):
        if proof["proofPurpose"] != purpose:
            raise CheckFailed(
                "wrong-proof-purpose",
                f"{proof_label(i, len(proofs))}proof purpose is {proof['proofPurpose']},"
                f" expected {purpose}",
                path="$.proof.proofPurpose",
            )
    return purpose


def check_proof_timing(proofs: Sequence[dict], moment: datetime, clock_skew: timedelta) -> str:
    """No proof was created in the future or has expired (within ``clock_skew``)."""
    for i, proof in enumerate(proofs):
        label = proof_label(i, len(proofs))
        if "created" in proof and parse_timestamp(proof["created"]) > moment + clock_skew:
            raise CheckFailed(
                "created-in-future",
                f"{label}proof created {proof['created']}, in the future",
                path="$.proof.created",
            )
        if "expires" in proof and parse_timestamp(proof["expires"]) < moment - clock_skew:
            raise CheckFailed(
                "proof-expired", f"{label}proof expired {proof['expires']}", path="$.proof.expires"
            )
    created = [p["created"] for p in proofs if "created" in p]
    return f"created {', '.join(created)}" if created else "no proof times to check"


def check_signatures(
    document: dict,
    proofs: Sequence[dict],
    methods: Sequence[VerificationMethod],
    *,
    what: str,
    loader: OfflineDocumentLoader,
    limits: Limits,
    canonical_unsecured: bytes | None = None,
    allow_inline_contexts: bool = False,
) -> str:
    """Every proof's signature holds over ``document`` (``what`` names it in the reason)."""
    for i, (proof, method) in enumerate(zip(proofs, methods)):
        ok = verify_proof_signature(
            document,
            proof,
            method.public_key,
            loader=loader,
            limits=limits,
            canonical_unsecured=canonical_unsecured,
            allow_inline_contexts=allow_inline_contexts,
        )
        if not ok:
            raise CheckFailed(
                "bad-signature",
                f"{proof_label(i, len(proofs))}signature does not match: the {what} was changed"
                " after signing, or signed by another key",
                path="$.proof.proofValue",
            )
    suites = sorted({p["cryptosuite"] for p in proofs})
    return f"valid {', '.join(suites)} signature{'s' if len(proofs) > 1 else ''}"


def canonical_unsecured(
    document: dict,
    expanded: list,
    proofs: Sequence[dict],
    loader: OfflineDocumentLoader,
    limits: Limits,
    *,
    allow_inline_contexts: bool = False,
) -> bytes | None:
    """The RDFC canonical form of ``document`` without its proofs, when an
    eddsa-rdfc-2022 proof needs it (else None).

    Computed while checking that the document is safe, so that a dataset too
    costly to canonicalize is refused as unsafe, not mistaken for a bad
    signature; ``expanded`` is the checked expansion of the whole document.
    """
    if not any(p["cryptosuite"] == RDFC for p in proofs):
        return None
    unsecured = _expansion_without_proof(expanded)
    if unsecured is None:
        unsecured = expand_safely(
            without_proof(document), loader, allow_inline_contexts=allow_inline_contexts,
            limits=limits,
        ).expanded
    return canonicalize_rdfc(unsecured, loader, limits).encode("utf-8")


def _expansion_without_proof(expanded: list) -> list | None:
    """The expansion of the document without its proofs, derived from the full one."""
    if len(expanded) != 1 or not isinstance(expanded[0], dict):
        return None
    return [{k: v for k, v in expanded[0].items() if k != PROOF_PROPERTY}]
