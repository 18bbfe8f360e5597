"""Readable views of credentials for Jupyter and the terminal: cards, DID tables, diffs.

Each function returns a frozen value that shows as HTML in Jupyter
(``_repr_html_``, from the templates in ``templates/display/``, carrying the
stylesheet) and as plain text everywhere else (``str``/``repr``); a card's
``html`` is the bare fragment, for a page that carries the stylesheet already.
The output depends only on the input: no clock, no ids, no network.

>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> card = credential_card(sample_membership_credential(sample_actors()))
>>> card.title, card.valid_from
('Co-operative membership', '15 January 2026')
>>> diff = compare_credentials({"a": 1, "b": [1]}, {"a": 2, "b": [1, 2]})
>>> [tuple(change) for change in diff]
[('$.a', 1, 2), ('$.b[1]', ABSENT, 2)]
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from .. import html_views
from ..wording import (
    _scalar,
    _visible,
    claim_value,
    date_in_words,
    short_did,
    shorten,
    type_in_words,
    words_from_camel,
)

# What each DID document relationship lets the key do, for a non-specialist.
RELATIONSHIP_WORDS = {
    "authentication": ("Authentication", "prove it is this DID (log in)"),
    "assertionMethod": ("Assertion method", "issue credentials (sign statements)"),
    "keyAgreement": ("Key agreement", "receive encrypted messages"),
    "capabilityInvocation": ("Capability invocation", "use what this DID is allowed to do"),
    "capabilityDelegation": ("Capability delegation", "pass permissions on to others"),
}

_PLAIN_KEY = re.compile(r"^[A-Za-z_@][A-Za-z0-9_]*$")

# --- small text helpers -------------------------------------------------------


def _did(did: str) -> tuple[str, str]:
    """A DID for display: in full (the title, for copying) and shortened."""
    return did, short_did(did)


def _rows_text(rows: tuple[tuple[str, str], ...], indent: str = "  ") -> list[str]:
    width = max((len(label) for label, _ in rows), default=0)
    return [f"{indent}{label:<{width}}  {value}" for label, value in rows]


# --- credential card ------------------------------------------------------------


@dataclass(frozen=True)
class SubjectView:
    """One credential subject: its id (the holder's DID, if any) and its claims in words."""

    id: str | None
    claims: tuple[tuple[str, str], ...]


@dataclass(frozen=True, repr=False)
class CredentialCard:
    """A credential as a readable card; build it with ``credential_card``."""

    title: str
    description: str | None
    issuer_name: str | None
    issuer_id: str | None
    subjects: tuple[SubjectView, ...]
    valid_from: str | None
    valid_until: str | None
    proofs: tuple[str, ...]
    # Shown only when a status result was given (see ``credential_status``).
    status: str | None = None
    status_reason: str | None = None
    issued_on: str | None = None
    # Shown only when a trust answer was given (see ``credential_card``).
    trusted: bool | None = None
    registry_name: str | None = None
    trust_reason: str | None = None

    def _validity(self) -> str:
        if self.valid_from and self.valid_until:
            return f"from {self.valid_from} until {self.valid_until}"
        if self.valid_from:
            return f"from {self.valid_from}, no end date"
        if self.valid_until:
            return f"until {self.valid_until}"
        return "no validity dates given"

    def _proof_text(self) -> str:
        if not self.proofs:
            return "none: this credential is not signed"
        return "; ".join(self.proofs)

    def __str__(self) -> str:
        lines = [self.title]
        if self.description:
            lines.append(self.description)
        if self.trusted is None:
            did = self.issuer_id and (f"({self.issuer_id})" if self.issuer_name
                                      else self.issuer_id)
            issuer = " ".join(p for p in (self.issuer_name, did) if p)
            lines.append(f"Issuer:   {issuer or 'not given'}")
        else:
            lines.extend(self._trust_lines())
        if self.status is not None:
            lines.append(f"Issued:   {self.issued_on or 'date not given'}")
            reason = f" ({self.status_reason})" if self.status_reason else ""
            lines.append(f"Status:   {STATUS_WORDS[self.status][0]}{reason}")
        for subject in self.subjects:
            lines.append(f"Subject:  {subject.id or 'no id'}")
            lines.extend(_rows_text(subject.claims, indent="    "))
        lines.append(f"Valid:    {self._validity()}")
        lines.append(f"Proof:    {self._proof_text()}")
        return "\n".join(lines)

    __repr__ = __str__

    def _registry_label(self) -> str:
        return self.registry_name or "not known to the trust registry"

    def _self_name_differs(self) -> bool:
        return bool(self.issuer_name) and self.issuer_name != self.registry_name

    def _trust_lines(self) -> list[str]:
        did = f" ({self.issuer_id})" if self.issuer_id else ""
        badge = "TRUSTED" if self.trusted else "NOT TRUSTED"
        lines = [f"Issuer:   {self._registry_label()}{did}  [{badge}]"]
        if self._self_name_differs():
            lines.append(f"          calls itself {self.issuer_name!r}")
        if self.trust_reason:
            lines.append(f"Trust:    {self.trust_reason}")
        return lines

    def _trust_view(self) -> dict[str, Any] | None:
        if self.trusted is None:
            return None
        words, tone = TRUST_WORDS[bool(self.trusted)]
        return {"name": self._registry_label(), "words": words, "tone": f"cc-{tone}",
                "self_name": self.issuer_name if self._self_name_differs() else None,
                "reason": self.trust_reason}

    def _status_view(self) -> dict[str, Any] | None:
        if self.status is None:
            return None
        words, tone = STATUS_WORDS[self.status]
        return {"words": words, "tone": f"cc-{tone}", "reason": self.status_reason,
                "issued_on": self.issued_on or "date not given"}

    @property
    def html(self) -> str:
        """The card as an HTML fragment (every value escaped; the stylesheet not included)."""
        return html_views.render(
            "display/credential_card.html",
            title=self.title,
            description=self.description,
            issuer={"name": self.issuer_name,
                    "did": _did(self.issuer_id) if self.issuer_id else None},
            trust=self._trust_view(),
            status=self._status_view(),
            subjects=[{"holder": _did(s.id) if s.id else None, "claims": s.claims}
                      for s in self.subjects],
            validity=self._validity(),
            proof=self._proof_text(),
        )

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)


def _subject_view(subject: Any) -> SubjectView:
    if not isinstance(subject, dict):
        return SubjectView(None, (("Value", claim_value(subject)),))
    subject_id = subject.get("id")
    claims = tuple(
        (_visible(words_from_camel(key)), shorten(claim_value(value)))
        for key, value in subject.items()
        if key not in ("id", "type", "@context")
    )
    return SubjectView(_visible(subject_id) if isinstance(subject_id, str) else None, claims)


def _proof_view(proof: Any) -> str:
    if not isinstance(proof, dict):
        return "malformed proof"
    suite = proof.get("cryptosuite") or proof.get("type") or "unknown suite"
    text = _scalar(suite)
    if "created" in proof:
        text += f", created {date_in_words(proof['created'])}"
    return text


# Words for the badges, and the tone (a colour of the stylesheet) that repeats them.
TRUST_WORDS = {True: ("trusted", "ok"), False: ("not trusted", "bad")}

STATUS_WORDS = {
    "active": ("active", "ok"),
    "suspended": ("suspended", "warn"),
    "revoked": ("revoked", "bad"),
    "unknown": ("status unknown", "neutral"),
}
_STATUS_CODES = {"status-revoked": "revoked", "status-suspended": "suspended"}
_WHERE_SUFFIX = re.compile(r"\s*\(at \$[^()]*\)$")
_INDEX_DETAIL = re.compile(r"\s*\(index \d+ of [^()]*\)")


def credential_status(status: Any) -> tuple[str, str]:
    """``(state, reason)`` from a status result: state is active, suspended, revoked or unknown.

    ``status`` is a ``VerificationResult`` (its ``status`` check), that
    ``Check``, the entries of ``status_check.read_status``, or a state name.
    Anything that does not say the status was read is "unknown" (fail closed).

    >>> credential_status("revoked")
    ('revoked', '')
    >>> credential_status(None)
    ('unknown', 'not checked')
    """
    if isinstance(status, str):
        return (status, "") if status in STATUS_WORDS else ("unknown", _visible(status))
    check = status.check("status") if hasattr(status, "check") else status
    if hasattr(check, "skipped") and hasattr(check, "ok"):  # a verification Check
        if check.skipped:
            return "unknown", "not checked: " + _visible(str(check.message))
        if check.ok:
            return "active", _visible(str(check.message))
        return _STATUS_CODES.get(check.code, "unknown"), _visible(str(check.message))
    if isinstance(status, list | tuple) and all(hasattr(e, "purpose") for e in status):
        for state, purpose in (("revoked", "revocation"), ("suspended", "suspension")):
            for entry in status:
                if entry.purpose == purpose and entry.set:
                    return state, _visible(entry.message)
        for entry in status:
            if not entry.ok:
                return "unknown", _visible(entry.message)
        return "active", "; ".join(_visible(e.message) for e in status) or "no status entries"
    return "unknown", "not checked"


def credential_card(credential: dict, status: Any = None, trust: Any = None) -> CredentialCard:
    """A readable card of ``credential``: type, issuer, claims, validity, proof.

    It shows what the credential *says*; it does not verify anything. Given
    ``status`` (a verification result, or see ``credential_status``), the card
    also shows whether it is active, suspended, revoked or of unknown status,
    and when it was issued. Given ``trust``, the trust registry's answer for
    the issuer (``recognition.IssuerTrust``: ``trusted``, ``name``,
    ``reasons``; e.g. from ``issuer_trust`` or ``Decision.trust``), the card
    names the issuer as the registry knows it, not as the credential calls
    itself, with a trusted or not-trusted badge and the reason.
    """
    if not isinstance(credential, dict):
        raise TypeError("credential must be a dict")
    issuer = credential.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [] if subject is None else [subject]
    proof = credential.get("proof")
    proofs = proof if isinstance(proof, list) else [] if proof is None else [proof]
    description = credential.get("description")
    valid_from, valid_until = credential.get("validFrom"), credential.get("validUntil")
    return CredentialCard(
        title=type_in_words(credential.get("type")),
        description=_visible(description) if isinstance(description, str) else None,
        issuer_name=_visible(issuer_name) if isinstance(issuer_name, str) else None,
        issuer_id=_visible(issuer_id) if isinstance(issuer_id, str) else None,
        subjects=tuple(_subject_view(s) for s in subjects),
        valid_from=None if valid_from is None else date_in_words(valid_from),
        valid_until=None if valid_until is None else date_in_words(valid_until),
        proofs=tuple(_proof_view(p) for p in proofs),
        **_status_fields(credential, proofs, status),
        **_trust_fields(trust),
    )


def _trust_fields(trust: Any) -> dict[str, Any]:
    if trust is None:
        return {}
    trusted = bool(trust.trusted)
    reasons = [r for r in getattr(trust, "reasons", ()) if isinstance(r, str)]
    # The last reason of a trusted answer concludes it; the first of an untrusted one says why.
    reason = getattr(trust, "summary", None) or (
        (reasons[-1] if trusted else reasons[0]) if reasons else None)
    name = getattr(trust, "name", None)
    return {
        "trusted": trusted,
        "registry_name": _visible(name) if isinstance(name, str) else None,
        "trust_reason": shorten(_visible(reason)) if reason else None,
    }


def _status_fields(credential: dict, proofs: list, status: Any) -> dict[str, Any]:
    if status is None:
        return {}
    state, reason = credential_status(status)
    # "suspended (index 7 of URL) (at $.credentialStatus[1])" -> "index 7 of URL"
    reason = _WHERE_SUFFIX.sub("", reason)
    if reason.startswith(f"{state} (") and reason.endswith(")"):
        reason = reason[len(state) + 2 : -1]
    if state == "active":  # where each entry sits in its list matters only when set
        reason = _INDEX_DETAIL.sub("", reason)
    created = next((p.get("created") for p in proofs if isinstance(p, dict) and "created" in p),
                   credential.get("validFrom"))
    return {
        "status": state,
        "status_reason": shorten(reason) if reason else None,
        "issued_on": None if created is None else date_in_words(created),
    }


# --- DID document ---------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class DidDocumentView:
    """A DID document as a table: which key may do what. Build it with ``did_document_view``."""

    id: str
    methods: tuple[tuple[str, str, str], ...]  # (id, type, controller)
    relationships: tuple[tuple[str, str, str], ...]  # (relationship, what it allows, key id)

    def __str__(self) -> str:
        lines = [f"DID document of {self.id}", "Keys:"]
        lines += [
            f"  {mid} ({mtype}, controlled by {controller})"
            for mid, mtype, controller in self.methods
        ]
        lines.append("What each key may do:")
        width = max((len(r[0]) for r in self.relationships), default=0)
        lines += [f"  {name:<{width}}  {allows}: {key}" for name, allows, key in self.relationships]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "display/did_document.html",
            id=_did(self.id),
            methods=[(_did(mid), mtype, _did(controller))
                     for mid, mtype, controller in self.methods],
            relationships=[(name, allows, _did(key)) for name, allows, key in self.relationships],
        )


def did_document_view(did_document: dict) -> DidDocumentView:
    """The keys of a DID document and what each relationship lets them do."""
    if not isinstance(did_document, dict):
        raise TypeError("did_document must be a dict")
    methods = []
    for method in did_document.get("verificationMethod") or []:
        if isinstance(method, dict):
            methods.append(
                (
                    _visible(str(method.get("id", "?"))),
                    _visible(str(method.get("type", "?"))),
                    _visible(str(method.get("controller", "?"))),
                )
            )
    relationships = []
    for name, (label, allows) in RELATIONSHIP_WORDS.items():
        entries = did_document.get(name) or []
        for entry in entries if isinstance(entries, list) else [entries]:
            key = entry.get("id", "embedded key") if isinstance(entry, dict) else entry
            relationships.append((label, allows, _visible(str(key))))
    return DidDocumentView(
        _visible(str(did_document.get("id", "?"))), tuple(methods), tuple(relationships)
    )


# --- differences ----------------------------------------------------------------


class _Absent(enum.Enum):
    """Marks the missing side of an added or removed value (an enum: one instance, even after copy)."""

    ABSENT = "absent"

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent.ABSENT


class Change(NamedTuple):
    """One difference: the JSON path and the value before and after (``ABSENT`` if none)."""

    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        """``"added"``, ``"removed"`` or ``"changed"``."""
        if self.before is ABSENT:
            return "added"
        if self.after is ABSENT:
            return "removed"
        return "changed"


def _json_text(value: Any) -> str:
    """A value as compact JSON (strings quoted, so "true" and true differ), shortened."""
    if value is ABSENT:
        return "—"
    if isinstance(value, str) and value.startswith("did:"):
        return json.dumps(short_did(_visible(value)), ensure_ascii=False)
    return shorten(_full(value), 60)


@dataclass(frozen=True, repr=False)
class CredentialDiff:
    """The differences between two JSON documents, in document order; iterate for ``Change`` rows."""

    changes: tuple[Change, ...]

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __getitem__(self, index: int) -> Change:
        return self.changes[index]

    def __str__(self) -> str:
        if not self.changes:
            return "No differences."
        rows = [(c.kind, c.path, _json_text(c.before), _json_text(c.after)) for c in self.changes]
        head = ("", "Path", "Before", "After")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
        return "\n".join(
            f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip()
            for r in [head, *rows]
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "display/credential_diff.html",
            rows=[(c.kind, c.path, _json_text(c.before), _full(c.before), _json_text(c.after),
                   _full(c.after)) for c in self.changes],
        )


def _full(value: Any) -> str:
    if value is ABSENT:
        return "absent"
    return _visible(json.dumps(value, ensure_ascii=False))


def _child_path(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _same(a: Any, b: Any) -> bool:
    # JSON true is not the number 1, and 1 is not 1.0 on the wire: compare types too.
    return type(a) is type(b) and a == b


def compare_credentials(original: Any, tampered: Any) -> CredentialDiff:
    """What changed from ``original`` to ``tampered``: a recursive diff over dicts and lists.

    Paths look like ``$.credentialSubject.roles[1]``; keys come in the
    original's order, then keys only ``tampered`` has.
    """
    changes: list[Change] = []
    # An explicit stack (last in, first out) instead of recursion: deep input cannot
    # exhaust Python's recursion limit.
    stack: list[tuple[str, Any, Any]] = [("$", original, tampered)]
    while stack:
        path, before, after = stack.pop()
        if isinstance(before, dict) and isinstance(after, dict):
            children = [(_child_path(path, k), v, after.get(k, ABSENT)) for k, v in before.items()]
            children += [
                (_child_path(path, k), ABSENT, v) for k, v in after.items() if k not in before
            ]
        elif isinstance(before, list) and isinstance(after, list):
            children = [
                (
                    _child_path(path, i),
                    before[i] if i < len(before) else ABSENT,
                    after[i] if i < len(after) else ABSENT,
                )
                for i in range(max(len(before), len(after)))
            ]
        else:
            if before is ABSENT or after is ABSENT or not _same(before, after):
                changes.append(Change(path, before, after))
            continue
        stack.extend(reversed(children))
    return CredentialDiff(tuple(changes))
