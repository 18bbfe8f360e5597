"""The service database's schema: issued credentials, status lists, tokens, audit, challenges.

One SQLite file (:mod:`coopcreds_proto.database`) holds everything the
service must not forget:

- ``credential_record``: each credential issued (its id, subject, definition
  version, suite, the signed credential itself, when it was issued, revoked,
  suspended). A credential is returned to a client only after its record is
  committed.
- ``status_list`` and ``status_entry``: each Bitstring Status List and which
  of its indexes are taken, by which record. ``(list, index)`` is the primary
  key of ``status_entry``, so an index is allocated exactly once, whatever
  the number of worker processes and however they crash.
- ``access_token``: bearer tokens, stored as the SHA-256 of their secret,
  with their scopes, expiry and revocation.
- ``audit_event``: every change, who made it, what, when.
- ``challenge``: the challenges the verifier handed out, used at most once.

>>> import sqlite3
>>> from coopcreds_proto.database import open_database
>>> db = open_database(":memory:", SERVICE_SCHEMA)
>>> sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
...        if not r[0].startswith(("schema_", "sqlite_")))
['access_token', 'audit_event', 'challenge', 'credential_record', 'status_entry', 'status_list']
"""

from __future__ import annotations

from ..database import Migration, Schema

SERVICE_SCHEMA = Schema("coopcreds-service", (
    Migration(1, "issued credentials, status lists, tokens, audit log, challenges", """
CREATE TABLE status_list (
    id INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    number INTEGER NOT NULL CHECK (number >= 1),
    url TEXT NOT NULL UNIQUE,
    length INTEGER NOT NULL CHECK (length > 0),
    allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0 AND allocated <= length),
    credential TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (issuer, purpose, number)
);
CREATE TABLE credential_record (
    id INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    credential_id TEXT UNIQUE,
    subject TEXT,
    definition TEXT,
    cryptosuite TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT,
    suspended_at TEXT,
    credential TEXT NOT NULL
);
CREATE INDEX credential_record_issuer ON credential_record (issuer);
CREATE TABLE status_entry (
    list_id INTEGER NOT NULL REFERENCES status_list (id),
    status_index INTEGER NOT NULL CHECK (status_index >= 0),
    record_id INTEGER NOT NULL REFERENCES credential_record (id),
    PRIMARY KEY (list_id, status_index)
);
CREATE INDEX status_entry_record ON status_entry (record_id);
CREATE TABLE access_token (
    id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    scopes TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    issuer TEXT,
    subject TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE challenge (
    value TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX challenge_issued ON challenge (issued_at);
"""),
))
