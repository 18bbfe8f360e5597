"""The audit log: every change the service makes, who made it, what, when.

An event is written in the same transaction as the change it records, so the
log never misses a change nor records one that did not happen.

>>> from coopcreds_proto.database import open_database, transaction
>>> from coopcreds_proto.service.schema import SERVICE_SCHEMA
>>> db = open_database(":memory:", SERVICE_SCHEMA)
>>> with transaction(db):
...     record_event(db, at="2026-06-01T12:00:00Z", actor="cli", action="token-new",
...                  subject="tok1", detail={"scopes": ["verify"]})
>>> [(e.actor, e.action, e.subject) for e in audit_events(db)]
[('cli', 'token-new', 'tok1')]
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    """One change: when (``at``), by whom (a token id, or ``cli``), what, to which issuer and thing."""

    id: int
    at: str
    actor: str
    action: str
    issuer: str | None
    subject: str | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action,
                "issuer": self.issuer, "subject": self.subject, "detail": self.detail}


def record_event(
    db: sqlite3.Connection, *, at: str, actor: str, action: str,
    issuer: str | None = None, subject: str | None = None, detail: dict[str, Any] | None = None,
) -> None:
    """Add an event; call it inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_event (at, actor, action, issuer, subject, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (at, actor, action, issuer, subject, json.dumps(detail or {}, sort_keys=True)),
    )


def audit_events(
    db: sqlite3.Connection, *, since_id: int = 0, limit: int = 1_000,
    action: str | None = None, issuer: str | None = None,
) -> tuple[AuditEvent, ...]:
    """Events after ``since_id``, oldest first, at most ``limit``, optionally of one action or issuer."""
    sql = "SELECT id, at, actor, action, issuer, subject, detail FROM audit_event WHERE id > ?"
    args: list[Any] = [since_id]
    if action is not None:
        sql += " AND action = ?"
        args.append(action)
    if issuer is not None:
        sql += " AND issuer = ?"
        args.append(issuer)
    sql += " ORDER BY id LIMIT ?"
    args.append(limit)
    return tuple(AuditEvent(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))
                 for row in db.execute(sql, args))
