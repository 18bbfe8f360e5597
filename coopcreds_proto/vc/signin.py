"""“Sign in with your co-op credential”: passwordless login for a co-op's service.

1. ``service.start()`` -> ``SignInRequest``: a fresh single-use challenge, the
   service's domain and what it asks for (credential types, accepted issuers).
2. The member's wallet answers with a presentation signed for that challenge
   and domain (``Wallet.present``).
3. ``service.complete(presentation)`` -> a ``Session`` (random id, holder DID,
   member claims, expiry) or a ``Refusal`` with its reasons.
4. ``service.session(id)`` -> the session while it lasts, else ``None``;
   ``service.end(id)`` signs out.

Every sign-in, sign-out and refusal is appended to a JSON Lines audit log
(time, domain, holder, outcome, reason, issuer) if ``audit_log_path`` is given;
for a refusal the holder is the one the presentation claims. The log never
holds a session id, a challenge, a signature or a credential. There is no
password anywhere.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.vc.credentials import issue
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> from coopcreds_proto.vc.wallet import Wallet
>>> actors = sample_actors()
>>> vc = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> wallet = Wallet().add_key(actors.member).add_credential(vc)
>>> clock = lambda: datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
>>> service = SignInService("https://members.riverside.example", accepted_issuers=[actors.coop.did],
...                         clock=clock, rng=SeededRandom("doc"))
>>> request = service.start()
>>> vp = wallet.present(request.challenge, request.domain, types=request.credential_types,
...                     created="2026-06-01T12:00:00Z")
>>> session = service.complete(vp)
>>> session.ok, session.holder == actors.member.did, session.claims["membershipNumber"]
(True, True, 'RFC-00042')
>>> service.complete(vp).reasons[0]
'Challenge (single use): this challenge was already used: a replayed presentation is refused'
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .. import html_views
from ..errors import CoopCredsError, InputError
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..proofs import proofs_of
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, shifted, utc_now
from ..wording import claim_value, short_did, words_from_camel
from .challenges import ChallengeStore
from .credentials import issuer_id
from .holder_subject import holder_subject
from .presentations import PresentationResult, verify_presentation

SESSION_BYTES = 32
DEFAULT_SESSION_TTL = timedelta(hours=8)
MEMBERSHIP = "CooperativeMembershipCredential"


@dataclass(frozen=True)
class SignInRequest:
    """What the service asks a wallet for: a presentation for this challenge and domain."""

    challenge: str
    domain: str
    expires: datetime
    credential_types: tuple[str, ...]
    accepted_issuers: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "challenge": self.challenge,
            "domain": self.domain,
            "expires": format_timestamp(self.expires),
            "credentialTypes": list(self.credential_types),
            "acceptedIssuers": list(self.accepted_issuers),
        }


@dataclass(frozen=True)
class Session:
    """A signed-in member: holder DID, claims from their credential, expiry.

    The ``id`` is a bearer secret: it is not shown by ``repr`` or in HTML.
    """

    id: str = field(repr=False)
    holder: str
    issuer: str
    claims: dict
    created: datetime
    expires: datetime
    ok: bool = field(default=True, init=False)

    def active(self, now: datetime) -> bool:
        return now < self.expires

    def __repr__(self) -> str:
        return (
            f"Session(holder={self.holder!r}, issuer={self.issuer!r}, "
            f"expires={format_timestamp(self.expires)!r})"
        )

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "vc/session.html", holder=short_did(self.holder), issuer=short_did(self.issuer),
            expires=format_timestamp(self.expires),
            claims=[(words_from_camel(str(k)), claim_value(v))
                    for k, v in self.claims.items() if k != "type"])


@dataclass(frozen=True)
class Refusal:
    """A refused sign-in and why (one line per reason)."""

    reasons: tuple[str, ...]
    holder: str | None = None
    result: PresentationResult | None = field(default=None, repr=False)
    ok: bool = field(default=False, init=False)

    def _repr_html_(self) -> str:
        return html_views.rich_output("vc/sign_in_refusal.html", reasons=self.reasons)


class SignInService:
    """Passwordless sign-in for one co-op service (see the module docstring)."""

    def __init__(
        self,
        domain: str,
        *,
        accepted_issuers: Iterable[str],
        credential_types: Iterable[str] = (MEMBERSHIP,),
        challenges: ChallengeStore | None = None,
        session_ttl: timedelta = DEFAULT_SESSION_TTL,
        clock: Callable[[], datetime] = utc_now,
        rng: RandomSource = DEFAULT_RANDOM,
        audit_log_path: str | os.PathLike[str] | None = None,
        loader: OfflineDocumentLoader | None = None,
        registry: LocalRegistry | None = None,
        require_holder_is_subject: bool = True,
    ) -> None:
        if not isinstance(domain, str) or not domain:
            raise InputError("bad-domain", "the service needs a domain")
        self.domain = domain
        if isinstance(accepted_issuers, str):  # one DID, not a collection of them
            raise TypeError("accepted_issuers must be a collection of DIDs, not a string")
        self.accepted_issuers = tuple(accepted_issuers)
        if not self.accepted_issuers:
            raise InputError("no-accepted-issuers", "name at least one accepted issuer")
        self.credential_types = tuple(credential_types)
        self.challenges = challenges or ChallengeStore(rng=rng, clock=clock)
        self.session_ttl = session_ttl
        self._clock = clock
        self._rng = rng
        self._audit = Path(audit_log_path) if audit_log_path is not None else None
        self._loader = loader
        self._registry = registry
        self._require_subject = require_holder_is_subject
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SignInService(domain={self.domain!r}, accepted_issuers={list(self.accepted_issuers)!r})"

    def start(self) -> SignInRequest:
        """A new sign-in request with a fresh challenge."""
        challenge = self.challenges.issue(self.domain)
        return SignInRequest(
            challenge.value,
            self.domain,
            challenge.expires,
            self.credential_types,
            self.accepted_issuers,
        )

    def complete(self, presentation: Any) -> Session | Refusal:
        """Verify the wallet's answer; a ``Session`` if it is accepted, else a ``Refusal``."""
        now = self._clock()
        if isinstance(presentation, (str, bytes)):
            try:
                presentation = loads_strict(presentation)
            except CoopCredsError as exc:
                return self._refuse((f"Well-formed presentation: {exc}",), None, None, now)
        challenge = _proof_challenge(presentation)
        if not challenge and isinstance(presentation, (dict, list)):
            reason = "Challenge (single use): the presentation's proof carries no challenge"
            return self._refuse((reason,), None, None, now)
        result = verify_presentation(
            presentation,
            challenge=challenge,
            domain=self.domain,
            now=now,
            loader=self._loader,
            registry=self._registry,
            holder_required=True,
            holder_is_subject=self._require_subject,
            challenges=self.challenges,
        )
        holder = result.holder
        if not result.verified:
            reasons = tuple(f"{c.title}: {c.message}" for c in result.failed if not c.skipped)
            return self._refuse(reasons, holder, result, now)
        credential = self._accepted_credential(presentation)
        if credential is None:
            wanted = ", ".join(self.credential_types) or "a credential"
            reason = f"no {wanted} from an accepted issuer was presented"
            return self._refuse((reason,), holder, result, now)
        claims = _claims(credential, holder)
        session = Session(
            id=base64.urlsafe_b64encode(self._rng.bytes(SESSION_BYTES)).decode().rstrip("="),
            holder=holder or "",
            issuer=issuer_id(credential) or "",
            claims=claims,
            created=now,
            expires=shifted(now, self.session_ttl),
        )
        with self._lock:
            # Forget expired sessions here too, so memory does not grow with
            # sessions nobody looks up again.
            for old in [k for k, v in self._sessions.items() if not v.active(now)]:
                del self._sessions[old]
            self._sessions[session.id] = session
        self._log(now, holder, "signed-in", None, issuer=session.issuer)
        return session

    def session(self, session_id: str) -> Session | None:
        """The session ``session_id`` while it lasts; ``None`` if unknown, ended or expired."""
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and not session.active(now):
                del self._sessions[session_id]
                session = None
        return session

    def end(self, session_id: str) -> bool:
        """Sign out; True if there was such a session."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None:
            self._log(self._clock(), session.holder, "signed-out", None)
        return session is not None

    # --- internals -------------------------------------------------------------

    def _accepted_credential(self, presentation: Any) -> dict | None:
        if not isinstance(presentation, dict):
            return None
        embedded = presentation.get("verifiableCredential")
        items = embedded if isinstance(embedded, list) else [embedded] if embedded else []
        for credential in items:
            types = credential.get("type")
            types = types if isinstance(types, list) else [types]
            if set(self.credential_types) <= set(types) and (
                issuer_id(credential) in self.accepted_issuers
            ):
                return credential
        return None

    def _refuse(
        self,
        reasons: tuple[str, ...],
        holder: str | None,
        result: PresentationResult | None,
        now: datetime,
    ) -> Refusal:
        self._log(now, holder, "refused", "; ".join(reasons))
        return Refusal(reasons, holder, result)

    def _log(
        self,
        now: datetime,
        holder: str | None,
        outcome: str,
        reason: str | None,
        *,
        issuer: str | None = None,
    ) -> None:
        if self._audit is None:
            return
        entry: dict[str, Any] = {
            "time": format_timestamp(now),
            "domain": self.domain,
            # For a refusal, the holder the presentation claims (unproven), cut short.
            "holder": holder[:300] if isinstance(holder, str) else None,
            "outcome": outcome,
        }
        if issuer is not None:
            entry["issuer"] = issuer
        if reason is not None:
            entry["reason"] = reason
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        self._audit.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line with O_APPEND: lines from concurrent sign-ins
        # never interleave, and earlier lines are never rewritten.
        with self._lock:
            fd = os.open(self._audit, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)


def _proof_challenge(presentation: Any) -> str:
    """The challenge the presentation's (first) proof claims, or '' (which then fails)."""
    if isinstance(presentation, dict):
        proofs = proofs_of(presentation) if not isinstance(presentation.get("proof"), str) else []
        if proofs and isinstance(proofs[0], dict) and isinstance(proofs[0].get("challenge"), str):
            return proofs[0]["challenge"]
    return ""


def _claims(credential: dict, holder: str | None) -> dict:
    """The claims about the holder (their subject entry without its id); none when no
    subject is the holder's (never another subject's)."""
    subject = holder_subject(credential, holder)
    return {k: v for k, v in subject.items() if k != "id"} if subject is not None else {}
