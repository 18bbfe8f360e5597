"""Selective disclosure: the holder shows only what a co-op asks for, the issuer's
signature intact (``ecdsa-sd-2023``).

The issuer signs once with mandatory pointers (:func:`mandatory_pointers_for`:
the issuer, the validity period, the status entry and the types, those the
credential has); the holder's wallet derives a disclosure of exactly the
claims a request names plus the mandatory ones (:func:`disclose_for_request`,
or :func:`derive_disclosure` with JSON pointers), and shows a consent screen
(:func:`disclosure_summary`) made from the disclosed document itself: what is
disclosed, what is not, and what stays linkable. Any verifier checks the
disclosure against the issuer's key, with the same named checks as any
credential.

What stays linkable. An object keeps its ``id`` in a disclosure: revealing a
claim of the subject reveals the subject's DID, a claim of ``memberOf`` the
co-op's DID. The issuer's base signature and the proof's own key are the same
bytes in every disclosure of one credential, so verifiers who compare what
they received can tell it is the same credential: ecdsa-sd-2023 disclosures
are linkable. ``bbs-2023`` would make each disclosure's proof fresh and
unlinkable; the claims chosen (a DID, an id) would still link.

>>> from coopcreds_proto.keys import EcdsaKey
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.vc.credentials import issue
>>> key = EcdsaKey.generate(SeededRandom("doc-issuer"))
>>> unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/coopcreds/v1"],
...             "type": ["VerifiableCredential", "CooperativeMembershipCredential"],
...             "issuer": key.did, "validFrom": "2026-01-01T00:00:00Z",
...             "credentialSubject": {"id": "did:example:ada", "memberName": "Ada",
...                                   "membershipStatus": "active"}}
>>> signed = issue(unsigned, key, cryptosuite=SD_SUITE, created="2026-01-01T00:00:00Z",
...                mandatory_pointers=mandatory_pointers_for(unsigned), rng=SeededRandom("sd"))
>>> shown = derive_disclosure(signed, ["/credentialSubject/membershipStatus"])
>>> sorted(shown["credentialSubject"])
['id', 'membershipStatus']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import html_views
from ..cryptosuites import CanonicalizationInput
from ..cryptosuites.ecdsa_sd_2023 import NAME as SD_SUITE
from ..cryptosuites.ecdsa_sd_2023 import (
    create_disclosure,
    parse_base_proof_value,
    parse_derived_proof_value,
    serialize_derived_proof_value,
)
from ..errors import InputError, require_type
from ..loader import OfflineDocumentLoader
from ..proofs import proofs_of, without_proof
from ..safe_json import DEFAULT_LIMITS, Limits, check_json_value
from .credentials import issuer_id, subjects
from .presentation_request import (
    FIELD_WORDS,
    NameSource,
    PresentationRequest,
    _type_words,
    field_label,
)

# What every disclosure reveals, when the credential has it: who issued it, when it
# is valid, where its status is, and what kind of credential it is.
STANDARD_MANDATORY = ("/issuer", "/validFrom", "/validUntil", "/credentialStatus", "/type")

_TOP_WORDS = {
    "id": "The credential's id",
    "type": "The kind of credential",
    "name": "The credential's name",
    "description": "The credential's description",
    "issuer": "The issuing co-op",
    "issuer.id": "The issuing co-op's DID",
    "issuer.name": "The issuing co-op's name",
    "validFrom": "Valid from",
    "validUntil": "Valid until",
    "credentialStatus": "Where its revocation status is published",
    "credentialSubject.id": "Your DID (the id the credential was issued to)",
    "credentialSubject.type": "What kind of subject you are",
}
SIGNATURE_LINK = (
    "The issuer's signature: the same bytes in every disclosure of this credential, so"
    " co-ops who compare what they received can tell it is the same credential"
    " (ecdsa-sd-2023 disclosures are linkable)"
)
BBS_NOTE = (
    "With bbs-2023 each disclosure would carry a fresh proof that no two co-ops could link;"
    " a DID or an id you reveal would still link you."
)


def pointer_step(name: str) -> str:
    """A JSON pointer step for ``name`` (``~`` and ``/`` escaped, RFC 6901)."""
    require_type(name, str, "a claim name")
    return name.replace("~", "~0").replace("/", "~1")


def claim_pointer(field: str) -> str:
    """The JSON pointer of a subject claim named as a request names it.

    >>> claim_pointer("memberOf.sector")
    '/credentialSubject/memberOf/sector'
    """
    require_type(field, str, "a field path")
    return "/credentialSubject/" + "/".join(pointer_step(p) for p in field.split("."))


def mandatory_pointers_for(credential: dict, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The mandatory pointers for ``credential``: those of ``STANDARD_MANDATORY`` it
    has, then ``extra`` (what a definition adds)."""
    require_type(credential, dict, "a credential")
    standard = [p for p in STANDARD_MANDATORY if p[1:] in credential]
    return tuple(dict.fromkeys([*standard, *extra]))


def sd_proof_of(credential: dict) -> dict:
    """The one ecdsa-sd-2023 proof of ``credential`` (``not-selectively-disclosable`` otherwise)."""
    found = [p for p in proofs_of(credential)
             if isinstance(p, dict) and p.get("cryptosuite") == SD_SUITE]
    if len(found) != 1:
        suites = ", ".join(sorted({str(p.get("cryptosuite")) for p in proofs_of(credential)
                                   if isinstance(p, dict)})) or "no proof"
        raise InputError(
            "not-selectively-disclosable",
            f"only a credential with one {SD_SUITE} proof can be disclosed in part; this one"
            f" has {suites}: ask its issuer to issue it with {SD_SUITE}",
            path="$.proof",
        )
    return found[0]


def derive_disclosure(
    credential: dict,
    reveal: Sequence[str],
    *,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_inline_contexts: bool = True,
) -> dict:
    """A copy of ``credential`` keeping only the mandatory claims and those the JSON
    pointers ``reveal`` name, with a derived proof any verifier checks against the issuer."""
    require_type(credential, dict, "a credential")
    if isinstance(reveal, str):
        raise TypeError("reveal is a list of JSON pointers, not one string")
    proof = sd_proof_of(credential)
    given = CanonicalizationInput(
        loader or OfflineDocumentLoader.default(), limits,
        allow_inline_contexts=allow_inline_contexts,
    )
    disclosure = create_disclosure(without_proof(credential), proof, list(reveal), given)
    derived_proof = {k: v for k, v in proof.items() if k != "proofValue"}
    derived_proof["proofValue"] = serialize_derived_proof_value(disclosure.proof_value)
    return {**disclosure.reveal_document, "proof": derived_proof}


def disclose_for_request(
    credential: dict,
    request: PresentationRequest,
    *,
    loader: OfflineDocumentLoader | None = None,
) -> dict:
    """The disclosure of exactly the claims ``request`` asks for (plus the mandatory ones).

    Refuses a credential of another type (``wrong-credential-type``) and a field
    it does not hold (``field-not-held``).
    """
    require_type(request, PresentationRequest, "request")
    require_type(credential, dict, "a credential")
    types = credential.get("type")
    if request.credential_type not in (types if isinstance(types, list) else [types]):
        raise InputError("wrong-credential-type",
                         f"the request is for a {request.credential_type}", path="$.type")
    items = [s for s in subjects(credential) if isinstance(s, dict)]
    for field in request.fields:
        if not any(_held(s, field) for s in items):
            raise InputError("field-not-held", f"the credential holds no {field}",
                             path=f"$.credentialSubject.{field}")
    return derive_disclosure(credential, [claim_pointer(f) for f in request.fields],
                             loader=loader)


def _held(subject: Mapping, field: str) -> bool:
    value: Any = subject
    for part in field.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


# --- what is disclosed, in plain words -------------------------------------------


def claims_of(document: Mapping) -> dict[str, Any]:
    """Every claim of a credential as ``dotted.path -> value`` (a list of plain values is
    one claim; ``@context`` and ``proof`` are not claims)."""
    require_type(document, dict, "a credential")
    check_json_value(document, DEFAULT_LIMITS)  # bounded, and no structure that holds itself
    out: dict[str, Any] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
            for i, child in enumerate(value):
                walk(child, f"{path}[{i}]")
        else:
            out[path] = value

    for key, value in document.items():
        if key not in ("@context", "proof"):
            walk(value, key)
    return out


def claim_label(path: str) -> str:
    """Plain words for a claim's dotted path (subject claims as the consent screen names them).

    >>> claim_label("credentialSubject.memberOf.sector"), claim_label("validUntil")
    ("Your co-op's sector", 'Valid until')
    """
    require_type(path, str, "a claim path")
    if path in _TOP_WORDS:
        return _TOP_WORDS[path]
    if path.startswith("credentialSubject.") and path.endswith((".id", ".type")):
        parent, _, last = path.rpartition(".")
        return f"{claim_label(parent)}: {'identifier' if last == 'id' else 'kind'}"
    if path.startswith("credentialSubject."):
        rest = path[len("credentialSubject."):]
        if rest in FIELD_WORDS or "[" not in rest:
            return field_label(rest)
        return field_label(rest.replace("[", ".").replace("]", ""))
    if path.startswith("credentialStatus"):
        return _TOP_WORDS["credentialStatus"]
    return field_label(path.replace("[", ".").replace("]", ""))


def _words(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    return str(value)


@dataclass(frozen=True, repr=False)
class DisclosureSummary:
    """A wallet's consent screen for a selective disclosure, made from the disclosed
    document: ``disclosed`` (path, label, value), ``not_disclosed`` (path, label), what
    stays ``linkable``, and how many signed statements are disclosed of how many."""

    verifier: str
    verifier_name: str
    name_confirmed: bool
    purpose: str
    credential: str
    disclosed: tuple[tuple[str, str, str], ...]
    not_disclosed: tuple[tuple[str, str], ...]
    linkable: tuple[str, ...]
    statements_disclosed: int
    statements_total: int

    @property
    def who(self) -> str:
        note = "" if self.name_confirmed else "; name not confirmed by a trust registry"
        return f"{self.verifier_name} ({self.verifier}{note})"

    @property
    def text(self) -> str:
        lines = [f"{self.who} asks to see part of your {self.credential}",
                 f"Why: {self.purpose}",
                 (f"You disclose {self.statements_disclosed} of {self.statements_total} signed"
                  " statements. They will see:")]
        width = max((len(label) for _, label, _ in self.disclosed), default=0)
        lines += [f"  {label:<{width}}  {value}" for _, label, value in self.disclosed]
        lines.append("They will NOT see:")
        lines += [f"  {label}" for _, label in self.not_disclosed] or ["  (nothing else)"]
        lines.append("What stays linkable:")
        lines += [f"  {item}" for item in self.linkable]
        lines.append(BBS_NOTE)
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """The consent screen as an HTML fragment (every value escaped; no stylesheet)."""
        return html_views.render(
            "vc/disclosure_summary.html", who=self.verifier_name,
            name_confirmed=self.name_confirmed, credential=self.credential,
            purpose=self.purpose, shown=[(label, value) for _, label, value in self.disclosed],
            withheld=[label for _, label in self.not_disclosed], linkable=self.linkable,
            disclosed=self.statements_disclosed, total=self.statements_total, bbs=BBS_NOTE)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)


def disclosure_summary(
    request: PresentationRequest,
    credential: dict,
    disclosed: dict,
    *,
    trust: NameSource | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> DisclosureSummary:
    """The consent screen for sending ``disclosed`` (derived from ``credential``) in
    answer to ``request``: every claim of ``disclosed`` is listed as seen, every other
    claim of ``credential`` as not seen."""
    require_type(request, PresentationRequest, "request")
    require_type(credential, dict, "credential")
    require_type(disclosed, dict, "the disclosed credential")
    full, shown = claims_of(credential), claims_of(disclosed)
    known = trust.name_of(request.verifier) if trust is not None else None
    linkable = []
    if "issuer" in disclosed:
        issuer = disclosed["issuer"]
        name = issuer.get("name") if isinstance(issuer, dict) else None
        linkable.append(f"The issuing co-op: {name or issuer_id(disclosed)}")
    if "id" in disclosed:
        linkable.append(f"The credential's id {disclosed['id']}: the same in every disclosure")
    holders = [s.get("id") for s in subjects(disclosed) if isinstance(s, dict) and "id" in s]
    for did in holders:
        linkable.append(f"Your DID {did}: the same wherever you show this credential")
    if "credentialStatus" in disclosed:
        linkable.append("Its status entry (list and index): the same in every disclosure")
    linkable.append(SIGNATURE_LINK)
    statements_disclosed, statements_total = _statement_counts(credential, disclosed, loader)
    return DisclosureSummary(
        verifier=request.verifier,
        verifier_name=known or request.verifier_name,
        name_confirmed=known is not None,
        purpose=request.purpose,
        credential=_type_words(request.credential_type),
        disclosed=tuple((p, claim_label(p), _words(v)) for p, v in shown.items()),
        not_disclosed=tuple((p, claim_label(p)) for p in full if p not in shown),
        linkable=tuple(linkable),
        statements_disclosed=statements_disclosed,
        statements_total=statements_total,
    )


def _statement_counts(
    credential: dict, disclosed: dict, loader: OfflineDocumentLoader | None
) -> tuple[int, int]:
    """(signed statements in the disclosure, in the whole credential)."""
    base = parse_base_proof_value(sd_proof_of(credential)["proofValue"])
    derived = parse_derived_proof_value(sd_proof_of(disclosed)["proofValue"])
    mandatory = len(derived.mandatory_indexes)
    return mandatory + len(derived.signatures), len(base.signatures) + mandatory


__all__ = [
    "BBS_NOTE", "SD_SUITE", "STANDARD_MANDATORY", "DisclosureSummary", "claim_label",
    "claim_pointer", "claims_of", "derive_disclosure", "disclose_for_request",
    "disclosure_summary", "mandatory_pointers_for", "pointer_step", "sd_proof_of",
]
