"""Bearer tokens: created once, stored hashed, scoped to an issuer instance, revocable.

A token reads ``cct_<id>_<secret>``. Only the SHA-256 of the secret is stored
(the secret is 32 random bytes, so a plain hash is enough: nothing to guess),
so a copy of the database gives no usable token. A token's scopes say what it
may do: ``issue:NAME`` and ``status:NAME`` for issuer instance ``NAME``, and
``verify`` where verifying asks for a token.

>>> from coopcreds_proto.database import open_database
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.service.schema import SERVICE_SCHEMA
>>> db = open_database(":memory:", SERVICE_SCHEMA)
>>> made = create_token(db, issuer_scopes("riverside"), rng=SeededRandom("doc"),
...                     now="2026-06-01T12:00:00Z", actor="cli")
>>> made.token.startswith("cct_"), made.scopes
(True, ('issue:riverside', 'status:riverside'))
>>> check_token(db, f"Bearer {made.token}", "issue:riverside", now="2026-06-01T12:00:00Z").id == made.id
True
>>> revoke_token(db, made.id, now="2026-06-02T12:00:00Z", actor="cli")
>>> check_token(db, f"Bearer {made.token}", "issue:riverside", now="2026-06-03T12:00:00Z")
Traceback (most recent call last):
...
coopcreds_proto.service.errors.ServiceError: this token was revoked
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..database import transaction
from ..errors import InputError
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import as_datetime, format_timestamp, parse_timestamp
from .audit import record_event
from .errors import ServiceError

_TOKEN = re.compile(r"^cct_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_SCOPE = re.compile(r"^(verify|(issue|status):[a-z0-9][a-z0-9-]{0,62})$")


@dataclass(frozen=True)
class TokenInfo:
    """What is known of a token: its public id, scopes, label and times (never its secret)."""

    id: str
    scopes: tuple[str, ...]
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None

    def to_json(self) -> dict:
        return {"id": self.id, "scopes": list(self.scopes), "label": self.label,
                "created": self.created_at, "expires": self.expires_at,
                "revoked": self.revoked_at}


@dataclass(frozen=True)
class NewToken(TokenInfo):
    """A token just made: ``token`` is shown once, to whoever made it, and never stored."""

    token: str = ""

    def __repr__(self) -> str:
        return f"NewToken(id={self.id!r}, scopes={self.scopes!r})"


def issuer_scopes(name: str) -> tuple[str, ...]:
    """The scopes of a token for issuer instance ``name``: issuing and status changes."""
    return (f"issue:{name}", f"status:{name}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def create_token(
    db: sqlite3.Connection, scopes: tuple[str, ...], *, rng: RandomSource = DEFAULT_RANDOM,
    now: datetime | str | None = None, expires: datetime | str | None = None,
    label: str = "", actor: str = "cli",
) -> NewToken:
    """Make a token with ``scopes``, store its hash and record the event; return it once."""
    if not scopes or not all(isinstance(s, str) and _SCOPE.match(s) for s in scopes):
        raise InputError("bad-token-scope",
                         f"token scopes must be verify, issue:NAME or status:NAME, not {scopes!r}")
    moment = format_timestamp(as_datetime(now))
    until = None if expires is None else format_timestamp(as_datetime(expires))
    if until is not None and until <= moment:
        raise InputError("bad-token-expiry", f"a token cannot expire ({until}) before it is made")
    token_id = rng.bytes(8).hex()
    secret = base64.urlsafe_b64encode(rng.bytes(32)).decode("ascii").rstrip("=")
    scopes = tuple(dict.fromkeys(scopes))
    with transaction(db):
        db.execute("INSERT INTO access_token (id, secret_sha256, scopes, label, created_at,"
                   " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (token_id, _hash(secret), " ".join(scopes), label, moment, until))
        record_event(db, at=moment, actor=actor, action="token-new", subject=token_id,
                     detail={"scopes": list(scopes), "label": label, "expires": until})
    return NewToken(token_id, scopes, label, moment, until, None, f"cct_{token_id}_{secret}")


def revoke_token(db: sqlite3.Connection, token_id: str, *, now: datetime | str | None = None,
                 actor: str = "cli") -> None:
    """Revoke token ``token_id`` from ``now`` on (``ServiceError('unknown-token')`` if there is none)."""
    moment = format_timestamp(as_datetime(now))
    with transaction(db):
        done = db.execute("UPDATE access_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                          (moment, token_id)).rowcount
        if not done:
            known = db.execute("SELECT 1 FROM access_token WHERE id = ?", (token_id,)).fetchone()
            if known is None:
                raise ServiceError("unknown-token", f"no token {token_id!r}", path=token_id)
            return
        record_event(db, at=moment, actor=actor, action="token-revoke", subject=token_id)


def list_tokens(db: sqlite3.Connection) -> tuple[TokenInfo, ...]:
    """Every token, oldest first (ids, scopes and times: never a secret)."""
    return tuple(_info(row) for row in db.execute(
        "SELECT id, scopes, label, created_at, expires_at, revoked_at FROM access_token"
        " ORDER BY created_at, id"))


def _info(row: tuple) -> TokenInfo:
    return TokenInfo(row[0], tuple(row[1].split()), row[2], row[3], row[4], row[5])


def check_token(db: sqlite3.Connection, authorization: str | None, scope: str | None, *,
                now: datetime | str | None = None) -> TokenInfo:
    """The token in an ``Authorization: Bearer`` header, if it is valid now and has ``scope``
    (any scope if ``None``: then ask ``require_scope`` once the scope is known).

    Refused as ``token-missing``, ``token-invalid`` (malformed, unknown or
    wrong secret: which one is not said), ``token-expired``, ``token-revoked``
    or ``token-not-allowed`` (valid, but without ``scope``).
    """
    if not authorization:
        raise ServiceError("token-missing", "this endpoint needs an Authorization: Bearer token")
    kind, _, value = authorization.strip().partition(" ")
    match = _TOKEN.match(value.strip()) if kind.lower() == "bearer" else None
    row = None
    if match is not None:
        row = db.execute("SELECT id, scopes, label, created_at, expires_at, revoked_at,"
                         " secret_sha256 FROM access_token WHERE id = ?",
                         (match.group(1),)).fetchone()
    if match is None or row is None or not hmac.compare_digest(row[6], _hash(match.group(2))):
        raise ServiceError("token-invalid", "the bearer token is not one this service made")
    info = _info(row[:6])
    moment = as_datetime(now)
    if info.revoked_at is not None and parse_timestamp(info.revoked_at) <= moment:
        raise ServiceError("token-revoked", "this token was revoked")
    if info.expires_at is not None and parse_timestamp(info.expires_at) <= moment:
        raise ServiceError("token-expired", f"this token expired at {info.expires_at}")
    if scope is not None:
        require_scope(info, scope)
    return info


def require_scope(info: TokenInfo, scope: str) -> None:
    """Refuse (``token-not-allowed``) a valid token that lacks ``scope``."""
    if scope not in info.scopes:
        raise ServiceError("token-not-allowed",
                           f"this token may not do this ({scope}); its scopes: "
                           f"{', '.join(info.scopes)}")
