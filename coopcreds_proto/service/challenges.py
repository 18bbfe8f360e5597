"""The verifier's challenges, kept in the service database: issued, used at most once, bounded.

The same rules as :class:`coopcreds_proto.vc.challenges.ChallengeStore`, shared
by every worker process through the database: a challenge is 192 random bits
for one domain, valid for ``DEFAULT_TTL``; at most ``MAX_OUTSTANDING`` are
kept (issuing one more forgets the oldest, which is then refused as unknown);
of two presentations with the same challenge exactly one uses it up.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.database import open_database
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.service.schema import SERVICE_SCHEMA
>>> db = open_database(":memory:", SERVICE_SCHEMA)
>>> now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
>>> c = issue_challenge(db, "https://riverside.example", rng=SeededRandom("doc"), now=now)
>>> consume_challenge(db, c.value, "https://riverside.example", now=now) == c
True
>>> consume_challenge(db, c.value, "https://riverside.example", now=now)
Traceback (most recent call last):
...
coopcreds_proto.vc.challenges.ChallengeError: this challenge was already used: a replayed presentation is refused
"""

from __future__ import annotations

import base64
import sqlite3
from datetime import datetime, timedelta

from ..database import transaction
from ..errors import InputError
from ..randomness import RandomSource
from ..timestamps import format_timestamp, parse_timestamp, shifted
from ..vc.challenges import (
    CHALLENGE_BYTES,
    DEFAULT_TTL,
    MAX_OUTSTANDING,
    Challenge,
    ChallengeError,
)


def issue_challenge(db: sqlite3.Connection, domain: str, *, rng: RandomSource, now: datetime,
                    ttl: timedelta = DEFAULT_TTL,
                    max_outstanding: int = MAX_OUTSTANDING) -> Challenge:
    """A fresh challenge for ``domain``, recorded; the oldest beyond ``max_outstanding`` forgotten."""
    if not isinstance(domain, str) or not domain:
        raise InputError("bad-domain", "a challenge needs a non-empty domain", path="$.domain")
    challenge = Challenge(
        base64.urlsafe_b64encode(rng.bytes(CHALLENGE_BYTES)).decode("ascii").rstrip("="),
        domain, now, shifted(now, ttl))
    with transaction(db):
        db.execute("DELETE FROM challenge WHERE expires_at <= ?", (format_timestamp(now),))
        db.execute("DELETE FROM challenge WHERE value IN (SELECT value FROM challenge"
                   " ORDER BY issued_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
                   (max_outstanding - 1,))
        db.execute("INSERT INTO challenge (value, domain, issued_at, expires_at)"
                   " VALUES (?, ?, ?, ?)",
                   (challenge.value, domain, format_timestamp(now),
                    format_timestamp(challenge.expires)))
    return challenge


def is_issued(db: sqlite3.Connection, value: str) -> bool:
    """True if this service handed out ``value`` (and has not forgotten it)."""
    return db.execute("SELECT 1 FROM challenge WHERE value = ?", (value,)).fetchone() is not None


def consume_challenge(db: sqlite3.Connection, value: str, domain: str, *,
                      now: datetime) -> Challenge:
    """Mark ``value`` used for ``domain``, or raise ``ChallengeError`` saying why it cannot be."""
    with transaction(db):
        row = db.execute("SELECT domain, issued_at, expires_at, used_at FROM challenge"
                         " WHERE value = ?", (value,)).fetchone()
        if row is None:
            raise ChallengeError("unknown-challenge",
                                 "this verifier did not issue this challenge (or forgot it)")
        if row[3] is not None:
            raise ChallengeError("challenge-replayed",
                                 "this challenge was already used: a replayed presentation is refused")
        expires = parse_timestamp(row[2])
        if now >= expires:
            raise ChallengeError("challenge-expired", f"the challenge expired at {row[2]}")
        if row[0] != domain:
            raise ChallengeError("challenge-wrong-domain",
                                 f"the challenge was issued for {row[0]}, not {domain}")
        db.execute("UPDATE challenge SET used_at = ? WHERE value = ?",
                   (format_timestamp(now), value))
    return Challenge(value, row[0], parse_timestamp(row[1]), expires)
