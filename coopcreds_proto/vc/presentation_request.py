"""Data minimisation: a verifier asks for the fields it needs, and sees no more.

A ``PresentationRequest`` says who is asking (DID and name), why (a purpose in
plain words), for which credential type and which fields, with the challenge
and domain the answer must be signed for. The holder's wallet shows a
``consent_summary`` (who is asking, why, what they will and will NOT see),
then presents a *purpose-specific credential* holding only those fields.

Why the issuer re-issues. Our proofs are Ed25519 Data Integrity proofs
(``eddsa-rdfc-2022``, ``eddsa-jcs-2022``): one signature over the whole
canonicalised credential. Removing any claim breaks the signature, so a
holder cannot disclose part of such a credential on their own. Instead the
issuer derives a new credential for the request (``derive_for_request``):
types include ``PurposeSpecificCredential``, ``derivedFrom`` names the original,
``purpose`` and ``requestedBy`` record why and for whom, and the subject holds
only the fields asked for. The cost: a round-trip to the issuer for every
request, the issuer learns who asked for what, and the new credential's id and
signature are the same every time it is shown, so verifiers could link them.

What a selective-disclosure cryptosuite changes. With ``ecdsa-sd-2023``
(``vc.disclosure``) the issuer signs once with per-claim signatures and the
*holder* derives a disclosure proof revealing only the chosen claims: no issuer
round-trip, the issuer never learns who asked. With ``bbs-2023`` the holder's derived proof is
also unlinkable: two verifiers (or one, twice) cannot tell that two
presentations came from the same credential. ``disclosed_beyond`` and the
consent summary would stay as they are; only the "derive" step moves from the
issuer to the wallet.

Public API: ``PURPOSE_SPECIFIC``, ``PresentationRequest`` (``to_json``,
``from_json``), ``derive_for_request(credential, request, *, key, now, rng,
...) -> dict``, ``disclosed_beyond(credentials, request) -> tuple[str, ...]``,
``ConsentSummary`` (``.text``, ``.html``), ``consent_summary(request,
credential, *, trust=None) -> ConsentSummary``, ``field_label(path)``.

>>> request = PresentationRequest(verifier="did:web:stayfair.example",
...     verifier_name="Stay Fair Tourism Co-operative", purpose="festival fair-stay discount",
...     credential_type="CooperativeMembershipCredential",
...     fields=("memberName", "membershipStatus"), challenge="c-1", domain="https://stayfair.example")
>>> PresentationRequest.from_json(request.to_json()) == request
True
>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> full = sample_membership_credential(sample_actors())
>>> disclosed_beyond([full], request)[:3]
('memberOf', 'membershipNumber', 'membershipClass')
>>> consent_summary(request, full).shown
(('Your name', 'Ada Okafor'), ('Whether your membership is active', 'active'))
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from .. import html_views
from ..errors import InputError, require_type
from ..keys import SigningKey
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..randomness import RandomSource
from ..timestamps import as_datetime, format_timestamp
from .credentials import is_url, issue, issuer_id, subjects
from .holder_subject import holder_subject
from .verification import verify_credential

PURPOSE_SPECIFIC = "PurposeSpecificCredential"
TRUST_CONTEXT = "https://w3id.org/coopcreds/trust/v1"
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_NOT_CLAIMS = ("id", "type")

# What a member reads on a consent screen: plain words for the fields we know.
FIELD_WORDS = {
    "memberName": "Your name",
    "name": "Your name",
    "membershipNumber": "Your membership number",
    "membershipStatus": "Whether your membership is active",
    "membershipClass": "Your kind of membership",
    "memberSince": "When you joined",
    "votingRights": "Whether you can vote",
    "roles": "Your roles in the co-op",
    "benefits": "Your membership benefits",
    "memberOf": "Your co-op",
    "memberOf.legalName": "Your co-op's registered name",
    "memberOf.sector": "Your co-op's sector",
    "memberOf.jurisdiction": "Where your co-op is registered",
    "memberOf.registeredIdentifier": "Your co-op's registration number",
    "memberOf.cooperativeType": "Your co-op's type",
    "assuranceLevel": "How thoroughly your identity was checked",
    "assuranceMethod": "How your identity was checked",
    "checkedOn": "When your identity was checked",
}
TYPE_WORDS = {
    "CooperativeMembershipCredential": "Co-operative membership",
    "IdentityAssuranceCredential": "Identity check",
}


def field_label(path: str) -> str:
    """The plain-words label of a field (``memberOf.legalName`` -> "Your co-op's registered name").

    >>> field_label("membershipNumber"), field_label("favouriteColour")
    ('Your membership number', 'Favourite colour')
    >>> field_label("memberOf.foundedIn")
    'Your co-op: founded in'
    """
    require_type(path, str, "a field path")
    if path in FIELD_WORDS:
        return FIELD_WORDS[path]
    parent, _, last = path.rpartition(".")
    words = " ".join(w.lower() for w in _CAMEL.findall(last)) or last
    if parent:
        return f"{field_label(parent)}: {words}"
    return words[:1].upper() + words[1:]


def _type_words(credential_type: str) -> str:
    if credential_type in TYPE_WORDS:
        return TYPE_WORDS[credential_type]
    return field_label(credential_type.removesuffix("Credential"))


@dataclass(frozen=True, kw_only=True)
class PresentationRequest:
    """What a verifier asks a holder for, and why (see the module docstring)."""

    verifier: str
    verifier_name: str
    purpose: str
    credential_type: str
    fields: tuple[str, ...]
    challenge: str
    domain: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        if not is_url(self.verifier):
            raise InputError("bad-request", "the verifier must be a DID", path="$.verifier.id")
        for name, path in (("verifier_name", "$.verifier.name"), ("purpose", "$.purpose"),
                           ("credential_type", "$.credentialType"), ("challenge", "$.challenge"),
                           ("domain", "$.domain")):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError("bad-request", f"{path[2:]} must be a non-empty string",
                                 path=path)
        for i, item in enumerate(self.fields):
            if not isinstance(item, str) or not _FIELD.match(item) \
                    or item.split(".")[0] in _NOT_CLAIMS:
                raise InputError("bad-request", f"field {item!r} is not a claim name"
                                 " (letters, digits, _, dotted for nested claims)",
                                 path=f"$.fields[{i}]")
        if len(set(self.fields)) != len(self.fields):
            raise InputError("bad-request", "a field is asked for twice", path="$.fields")

    def to_json(self) -> dict:
        return {
            "verifier": {"id": self.verifier, "name": self.verifier_name},
            "purpose": self.purpose,
            "credentialType": self.credential_type,
            "fields": list(self.fields),
            "challenge": self.challenge,
            "domain": self.domain,
        }

    @classmethod
    def from_json(cls, data: Any) -> PresentationRequest:
        """A request from parsed JSON; ``InputError`` names the JSON path of a problem."""
        if not isinstance(data, dict):
            raise InputError("bad-request", "a presentation request must be a JSON object",
                             path="$")
        known = {"verifier", "purpose", "credentialType", "fields", "challenge", "domain"}
        for key in data:
            if key not in known:
                raise InputError("bad-request", f"unknown request field {key!r}", path=f"$.{key}")
        for key in sorted(known):
            if key not in data:
                raise InputError("bad-request", f"{key} is required", path=f"$.{key}")
        verifier = data["verifier"]
        if not isinstance(verifier, dict) or "id" not in verifier or "name" not in verifier:
            raise InputError("bad-request", "verifier must be an object with an id and a name",
                             path="$.verifier")
        if not isinstance(data["fields"], list):
            raise InputError("bad-request", "fields must be a list of claim names",
                             path="$.fields")
        return cls(verifier=verifier["id"], verifier_name=verifier["name"],
                   purpose=data["purpose"], credential_type=data["credentialType"],
                   fields=tuple(data["fields"]), challenge=data["challenge"],
                   domain=data["domain"])


def _types(credential: Mapping) -> list[str]:
    types = credential.get("type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _claim(subject: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(subject, Mapping) or part not in subject:
            return None
        subject = subject[part]
    return subject


def _only(subject: Mapping, fields: Iterable[str]) -> dict:
    """``subject`` cut down to ``fields`` (dotted paths keep the nested object's ``type``)."""
    out: dict[str, Any] = {k: subject[k] for k in _NOT_CLAIMS if k in subject}
    for path in fields:
        source: Any = subject
        target = out
        parts = path.split(".")
        for part in parts[:-1]:
            source = source[part]
            if not isinstance(target.get(part), dict):
                target[part] = {"type": source["type"]} if "type" in source else {}
            target = target[part]
        target[parts[-1]] = source[parts[-1]]
    return out


def derive_for_request(
    credential: dict,
    request: PresentationRequest,
    *,
    key: SigningKey,
    now: datetime | str,
    rng: RandomSource,
    loader: OfflineDocumentLoader | None = None,
    registry: LocalRegistry | None = None,
) -> dict:
    """The issuer's purpose-specific credential holding only the fields ``request`` asks for.

    The issuer (``key``) first verifies its own original ``credential``; the
    derived one keeps its types (plus ``PurposeSpecificCredential``), issuer,
    subject id, ``validUntil`` and status entry, and records ``derivedFrom``,
    ``purpose`` and ``requestedBy``. Refuses (``InputError``, with the path) a
    credential that does not verify, is not of the requested type, has no id,
    or does not hold a field asked for.
    """
    moment = as_datetime(now)
    result = verify_credential(credential, now=moment, loader=loader, registry=registry)
    if not result.verified:
        first = result.failed[0]
        raise InputError("not-verified", f"the original credential does not verify:"
                         f" {first.title}: {first.message}", path="$")
    if request.credential_type not in _types(credential):
        raise InputError("wrong-credential-type", f"the request is for a"
                         f" {request.credential_type}, not a {', '.join(_types(credential))}",
                         path="$.type")
    if issuer_id(credential) != key.controller:
        raise InputError("not-the-issuer", "only the original issuer can derive a credential"
                         f" from it; it was issued by {issuer_id(credential)}", path="$.issuer")
    if not isinstance(credential.get("id"), str):
        raise InputError("no-credential-id", "the original credential has no id to derive from",
                         path="$.id")
    # A verified credential's subjects are objects (verify_credential checks its shape).
    items = [s for s in subjects(credential) if isinstance(s, dict)]
    if len(items) != 1:
        raise InputError("several-subjects", "only a credential about one subject can be derived",
                         path="$.credentialSubject")
    subject = items[0]
    for path in request.fields:
        if _claim(subject, path) is None:
            raise InputError("field-not-held", f"the credential holds no {path}",
                             path=f"$.credentialSubject.{path}")
    contexts = credential["@context"] if isinstance(credential["@context"], list) \
        else [credential["@context"]]
    derived: dict[str, Any] = {
        "@context": list(contexts) + ([TRUST_CONTEXT] if TRUST_CONTEXT not in contexts else []),
        "id": f"urn:uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}",
        "type": _types(credential) + [PURPOSE_SPECIFIC],
        "issuer": credential["issuer"],
        "validFrom": format_timestamp(moment),
    }
    if "validUntil" in credential:
        derived["validUntil"] = credential["validUntil"]
    derived["derivedFrom"] = credential["id"]
    derived["purpose"] = request.purpose
    derived["requestedBy"] = request.verifier
    derived["credentialSubject"] = _only(subject, request.fields)
    if "credentialStatus" in credential:
        # Revoking the original must revoke what was derived from it.
        derived["credentialStatus"] = credential["credentialStatus"]
    return issue(derived, key, created=moment, loader=loader)


def _beyond(value: Any, path: str, fields: tuple[str, ...]) -> list[str]:
    if path in fields:
        return []
    if isinstance(value, Mapping) and any(f.startswith(path + ".") for f in fields):
        out = []
        for key, item in value.items():
            if key not in _NOT_CLAIMS:
                out += _beyond(item, f"{path}.{key}", fields)
        return out
    return [path]


def disclosed_beyond(credentials: Iterable[dict], request: PresentationRequest) -> tuple[str, ...]:
    """The claims the presented ``credentials`` disclose beyond the fields ``request`` asks for.

    Credentials of another type are disclosed beyond the request as a whole.
    Only subject claims count: the issuer, dates and proof are always seen.
    """
    require_type(request, PresentationRequest, "request")
    extra: list[str] = []
    for credential in credentials:
        require_type(credential, dict, "a credential")
        if request.credential_type not in _types(credential):
            kinds = [t for t in _types(credential) if t != "VerifiableCredential"]
            extra.append(f"a whole {', '.join(kinds) or 'credential'}")
            continue
        for subject in subjects(credential):
            if not isinstance(subject, Mapping):
                continue
            for key, value in subject.items():
                if key not in _NOT_CLAIMS:
                    extra += _beyond(value, key, request.fields)
    return tuple(dict.fromkeys(extra))


def _value_words(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, Mapping):
        for key in ("legalName", "name", "id"):
            if isinstance(value.get(key), str):
                return value[key]
        return "; ".join(f"{field_label(k)}: {_value_words(v)}" for k, v in value.items()
                         if k not in _NOT_CLAIMS)
    if isinstance(value, list):
        return ", ".join(_value_words(v) for v in value)
    return str(value)


@dataclass(frozen=True, repr=False)
class ConsentSummary:
    """A wallet's consent screen: who asks, why, what they will and will NOT see.

    ``shown`` holds (label, value) pairs in plain words; ``also_sent`` what
    travels with every shared credential whatever is asked (the co-op that
    issued it, the holder's permanent id, the original credential's id, its
    validity and where its revocation is published), so nothing the verifier
    receives is left unsaid; ``withheld`` the labels of what stays private
    (a claim that the issuer's name gives away is not among them);
    ``unavailable`` the labels of fields asked for that the credential does not
    hold. ``name_confirmed`` is True when the verifier's name comes from the
    trust registry rather than from the request.
    """

    verifier: str
    verifier_name: str
    name_confirmed: bool
    purpose: str
    credential: str
    shown: tuple[tuple[str, str], ...]
    withheld: tuple[str, ...]
    unavailable: tuple[str, ...] = ()
    also_sent: tuple[tuple[str, str], ...] = ()

    @property
    def who(self) -> str:
        note = "" if self.name_confirmed else (
            "; name not confirmed by a trust registry")
        return f"{self.verifier_name} ({self.verifier}{note})"

    @property
    def text(self) -> str:
        lines = [f"{self.who} asks to see your {self.credential}",
                 f"Why: {self.purpose}", "They will see:"]
        width = max((len(label) for label, _ in self.shown), default=0)
        lines += [f"  {label:<{width}}  {value}" for label, value in self.shown] or ["  nothing"]
        if self.also_sent:
            lines.append("Sent with it, whatever is asked:")
            width = max(len(label) for label, _ in self.also_sent)
            lines += [f"  {label:<{width}}  {value}" for label, value in self.also_sent]
        if self.unavailable:
            lines.append("Asked for, but not in your credential:")
            lines += [f"  {label}" for label in self.unavailable]
        lines.append("They will NOT see:")
        lines += [f"  {label}" for label in self.withheld] or ["  (nothing else is held)"]
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """The consent screen as an HTML fragment (every value escaped; no stylesheet)."""
        return html_views.render(
            "vc/consent_summary.html", verifier_name=self.verifier_name,
            name_confirmed=self.name_confirmed, credential=self.credential,
            purpose=self.purpose, shown=self.shown, unavailable=self.unavailable,
            withheld=self.withheld, also_sent=self.also_sent)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)


class NameSource(Protocol):
    """What knows parties by name: a trust registry (``TrustRegistry``, ``TrustLoad``)."""

    def name_of(self, did_or_url: str) -> str | None:
        """The display name ``did_or_url`` is known by, if any."""
        ...


def consent_summary(request: PresentationRequest, credential: dict, *,
                    trust: NameSource | None = None, holder: str | None = None) -> ConsentSummary:
    """The consent screen for answering ``request`` from ``credential`` (the original).

    ``trust`` (a ``TrustRegistry``) names the verifier as the registry knows it;
    without it, or when the registry does not know them, the name is the one the
    request gives and the summary says it is unconfirmed. The claims shown are
    the ``holder``'s (their subject of the credential); without a holder, those
    of the credential's one subject, and none when it has several.
    """
    require_type(request, PresentationRequest, "request")
    require_type(credential, dict, "credential")
    known = trust.name_of(request.verifier) if trust is not None else None
    listed = [s for s in subjects(credential) if isinstance(s, Mapping)]
    if holder is not None:
        subject: Mapping[str, Any] = holder_subject(credential, holder) or {}
    else:
        subject = listed[0] if len(listed) == 1 else {}
    shown, unavailable = [], []
    for path in request.fields:
        value = _claim(subject, path)
        if value is None:
            unavailable.append(field_label(path))
        else:
            shown.append((field_label(path), _value_words(value)))
    also_sent = _sent_with_every_credential(credential, subject, trust)
    issuer = issuer_id(credential)
    withheld = [field_label(p) for p in _withheld(subject, request.fields, issuer)]
    return ConsentSummary(
        verifier=request.verifier,
        verifier_name=known or request.verifier_name,
        name_confirmed=known is not None,
        purpose=request.purpose,
        credential=_type_words(request.credential_type),
        shown=tuple(shown),
        withheld=tuple(dict.fromkeys(withheld)),
        unavailable=tuple(unavailable),
        also_sent=also_sent,
    )


def _withheld(subject: Mapping[str, Any], fields: tuple[str, ...], issuer: str | None) -> list[str]:
    """The claim paths of ``subject`` that a credential holding only ``fields`` leaves out.

    A claim that is the issuer itself (``memberOf`` naming the co-op that
    issues) is given away by the issuer's name, which is always sent: its
    details (registration number, sector...) are what stays private.
    """
    out: list[str] = []
    for key, value in subject.items():
        if key in _NOT_CLAIMS:
            continue
        if isinstance(value, Mapping) and key not in fields and _names_party(value, issuer):
            for part, item in value.items():
                if part not in _NOT_CLAIMS:
                    out += _beyond(item, f"{key}.{part}", fields)
        else:
            out += _beyond(value, key, fields)
    return out


def _names_party(value: Any, party: str | None) -> bool:
    """Whether a claim's ``value`` is the ``party`` itself (a ``memberOf`` naming the issuer)."""
    if party is None:
        return False
    if isinstance(value, Mapping):
        return value.get("id") == party
    return value == party


def _sent_with_every_credential(credential: dict, subject: Mapping[str, Any],
                                trust: NameSource | None) -> tuple[tuple[str, str], ...]:
    """What a purpose-specific credential carries whatever the request asks for
    (see :func:`derive_for_request`), in plain words."""
    sent: list[tuple[str, str]] = []
    issuer = issuer_id(credential)
    if issuer is not None:
        raw = credential.get("issuer")
        named = trust.name_of(issuer) if trust is not None else None
        if named is None and isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
            named = raw["name"]
        member_of = subject.get("memberOf")
        gives_away = " (so they know your co-op)" if _names_party(member_of, issuer) else ""
        sent.append(("The co-op that issued it", f"{named or issuer}{gives_away}"))
    if isinstance(subject.get("id"), str):
        sent.append(("Your holder id", f"{subject['id']} (the same at every co-op you share with)"))
    if isinstance(credential.get("id"), str):
        sent.append(("Your original credential's id", credential["id"]))
    if isinstance(credential.get("validUntil"), str):
        sent.append(("Valid until", credential["validUntil"]))
    if "credentialStatus" in credential:
        sent.append(("Where its revocation is published",
                     "the issuer's status list (it does not say who looks)"))
    return tuple(sent)


__all__ = ["FIELD_WORDS", "PURPOSE_SPECIFIC", "ConsentSummary", "NameSource", "PresentationRequest",
           "consent_summary", "derive_for_request", "disclosed_beyond", "field_label"]
