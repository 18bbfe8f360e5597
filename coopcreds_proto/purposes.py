"""Proof purposes: what a Data Integrity proof is for, as objects that fill and check proofs.

A purpose names the verification relationship the signing key must be listed
under in its controller's DID document (``proofPurpose``), and what else the
proof must carry. When signing, ``fill`` writes the purpose into the proof
options; when verifying, ``check`` reads it back from every proof.

- ``AssertionPurpose()``: issuing a credential (``assertionMethod``);
- ``AuthenticationPurpose(challenge, domain)``: a holder proving control of a
  DID to one verifier (``authentication``), bound to the verifier's challenge
  (a fresh, single-use value) and domain (who asked), so a presentation made
  for one sign-in cannot be replayed elsewhere or later;
- ``ControllerPurpose(term)``: any other relationship of Controlled
  Identifiers 1.0 (``capabilityInvocation``, ``capabilityDelegation``).

>>> purpose = AuthenticationPurpose("c-123", "https://coop.example")
>>> proof = purpose.fill({"type": "DataIntegrityProof"})
>>> proof["proofPurpose"], proof["challenge"], proof["domain"]
('authentication', 'c-123', 'https://coop.example')
>>> purpose.check([proof])
'authentication for https://coop.example'
>>> AuthenticationPurpose("c-123", "https://other.example").check([proof])
Traceback (most recent call last):
...
coopcreds_proto.checks.CheckFailed: proof domain is https://coop.example, expected https://other.example (at $.proof.domain)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .checks import CheckFailed
from .errors import InputError, ProofError

ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"
PROOF_PURPOSES = (
    ASSERTION_METHOD,
    AUTHENTICATION,
    "capabilityInvocation",
    "capabilityDelegation",
)


def proof_label(index: int, count: int) -> str:
    """'proof 2 of 3: ' when a document has several proofs, else ''."""
    return f"proof {index + 1} of {count}: " if count > 1 else ""


class ProofPurpose:
    """What a proof is for. Subclasses set ``term`` and may add bindings."""

    term: ClassVar[str] = ASSERTION_METHOD

    @property
    def relationship(self) -> str:
        """The verification relationship the key must be listed under."""
        return self.term

    def fill(self, proof_options: Mapping[str, Any]) -> dict[str, Any]:
        """``proof_options`` with this purpose's fields written in (a new dict)."""
        return {**proof_options, "proofPurpose": self.relationship}

    def check_term(self, proofs: Sequence[Mapping[str, Any]]) -> str:
        """Every proof says it was made for this purpose."""
        for i, proof in enumerate(proofs):
            if proof.get("proofPurpose") != self.relationship:
                raise CheckFailed(
                    "wrong-proof-purpose",
                    f"{proof_label(i, len(proofs))}proof purpose is {proof.get('proofPurpose')},"
                    f" expected {self.relationship}",
                    path="$.proof.proofPurpose",
                )
        return self.relationship

    def check(self, proofs: Sequence[Mapping[str, Any]]) -> str:
        """Every proof was made for this purpose, with its bindings; else ``CheckFailed``."""
        return self.check_term(proofs)


@dataclass(frozen=True)
class AssertionPurpose(ProofPurpose):
    """Issuing: the key is listed under ``assertionMethod``."""

    term: ClassVar[str] = ASSERTION_METHOD


@dataclass(frozen=True)
class ControllerPurpose(ProofPurpose):
    """A purpose named by its term alone (e.g. ``capabilityInvocation``)."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in PROOF_PURPOSES:
            raise ProofError("bad-proof-purpose", f"unknown proofPurpose {self.name!r}")

    @property
    def relationship(self) -> str:
        return self.name


@dataclass(frozen=True)
class AuthenticationPurpose(ProofPurpose):
    """Signing in: ``authentication``, bound to the verifier's ``challenge`` and ``domain``.

    ``domain`` is one domain or several (a proof may name several; the
    verifier's own must be among them).
    """

    challenge: str
    domain: str | tuple[str, ...]
    term: ClassVar[str] = AUTHENTICATION

    def __post_init__(self) -> None:
        if not isinstance(self.challenge, str) or not self.challenge:
            raise InputError("bad-challenge", "a challenge (non-empty string) is required")
        domain = self.domain
        if isinstance(domain, list):
            domain = tuple(domain)
            object.__setattr__(self, "domain", domain)
        names = domain if isinstance(domain, tuple) else (domain,)
        if not names or not all(isinstance(d, str) and d for d in names):
            raise InputError("bad-domain", "a domain (non-empty string) is required")

    @property
    def domains(self) -> tuple[str, ...]:
        return self.domain if isinstance(self.domain, tuple) else (self.domain,)

    def fill(self, proof_options: Mapping[str, Any]) -> dict[str, Any]:
        domain: str | list[str] = (
            list(self.domain) if isinstance(self.domain, tuple) else self.domain
        )
        return {
            **proof_options,
            "proofPurpose": self.term,
            "challenge": self.challenge,
            "domain": domain,
        }

    def check_challenge(self, proofs: Sequence[Mapping[str, Any]]) -> str:
        """Every proof carries the challenge this verifier expects."""
        for i, proof in enumerate(proofs):
            given = proof.get("challenge")
            label = proof_label(i, len(proofs))
            if given is None:
                raise CheckFailed(
                    "no-challenge", f"{label}the proof carries no challenge",
                    path="$.proof.challenge",
                )
            if given != self.challenge:
                raise CheckFailed(
                    "wrong-challenge",
                    f"{label}proof challenge does not match the one this verifier expects",
                    path="$.proof.challenge",
                )
        return "matches the expected challenge"

    def check_domain(self, proofs: Sequence[Mapping[str, Any]]) -> str:
        """Every proof names this verifier's domain (one of its domains)."""
        for i, proof in enumerate(proofs):
            given = proof.get("domain")
            label = proof_label(i, len(proofs))
            if given is None:
                raise CheckFailed(
                    "no-domain", f"{label}the proof carries no domain", path="$.proof.domain"
                )
            names = given if isinstance(given, list) else [given]
            if not set(self.domains) & set(names):
                raise CheckFailed(
                    "wrong-domain",
                    f"{label}proof domain is {', '.join(map(str, names))},"
                    f" expected {', '.join(self.domains)}",
                    path="$.proof.domain",
                )
        return ", ".join(self.domains)

    def check(self, proofs: Sequence[Mapping[str, Any]]) -> str:
        self.check_term(proofs)
        self.check_challenge(proofs)
        return f"{self.term} for {self.check_domain(proofs)}"


def purpose_named(term: str) -> ProofPurpose:
    """The purpose object for a bare ``proofPurpose`` term (no challenge or domain)."""
    if term == ASSERTION_METHOD:
        return AssertionPurpose()
    return ControllerPurpose(term)
