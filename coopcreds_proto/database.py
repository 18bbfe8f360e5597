"""The embedded database: SQLite files with a versioned schema.

The workshop app and the issuer and verifier services keep their state in one
SQLite file each. This module is what they share: opening a file in WAL mode
with foreign keys on and a wait for a busy writer, a schema described as an
ordered list of migrations (each applied once, in one transaction, and
recorded), and write transactions that take the write lock at their start, so
two processes never both read-then-write the same rows.

A schema has a name; a file records it, so a workshop database is never opened
as a service database, and a file written by a newer schema (a later release)
is refused rather than changed.

>>> import tempfile, pathlib
>>> schema = Schema("example", (
...     Migration(1, "notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"),
...     Migration(2, "note authors", "ALTER TABLE note ADD COLUMN author TEXT;"),
... ))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> db = open_database(folder / "example.sqlite", schema)
>>> schema_version(db)
2
>>> with transaction(db):
...     _ = db.execute("INSERT INTO note (text, author) VALUES (?, ?)", ("hello", "Ana"))
>>> db.execute("SELECT text, author FROM note").fetchall()
[('hello', 'Ana')]
>>> integrity_problems(db)
()
>>> db.close()
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import CoopCredsError, require_type

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another process's write lock before giving up."""

_NAME = re.compile(r"[a-z][a-z0-9-]{0,63}")


class DatabaseError(CoopCredsError):
    """An embedded database cannot be used: not a database, of another kind, too new, damaged."""


@dataclass(frozen=True)
class Migration:
    """One step of a schema: ``sql`` (one or more statements) takes it to ``version``."""

    version: int
    description: str
    sql: str


@dataclass(frozen=True)
class Schema:
    """A named schema: its migrations in order, versions 1, 2, 3, ... without gaps."""

    name: str
    migrations: tuple[Migration, ...]

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"schema name {self.name!r} must be lower-case letters, digits and '-'")
        versions = [m.version for m in self.migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"schema {self.name!r}: migration versions must be 1..n in order, not {versions}")

    @property
    def version(self) -> int:
        """The version this schema's last migration reaches."""
        return len(self.migrations)


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the SQLite file at ``path``, without touching its schema.

    Autocommit mode (``isolation_level=None``): writes go through
    :func:`transaction`. WAL journal (readers never wait for the writer),
    foreign keys enforced, ``synchronous=NORMAL`` (durable at each checkpoint,
    never corrupt), and a wait of ``BUSY_TIMEOUT_MS`` for a busy writer.
    """
    require_type(path, (str, Path), "path")
    target = Path(path)
    try:
        if readonly:
            db = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True,
                                 isolation_level=None, check_same_thread=False)
        else:
            db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("database-unreadable",
                            f"{target} cannot be opened as an SQLite database: {exc}",
                            path=str(target)) from None
    return db


def open_database(path: str | Path, schema: Schema, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` and bring it to ``schema``'s version.

    A new file gets every migration; an older one the missing ones, each in
    its own transaction with its version recorded, so a crash leaves the file
    at the last complete version. A file of another schema, or of a newer
    version of this one, is refused (``database-wrong-kind``,
    ``database-too-new``) and left as it is. ``readonly`` opens an existing
    file without changing it (and refuses one that is not up to date).
    """
    require_type(schema, Schema, "schema")
    db = connect(path, readonly=readonly)
    try:
        _bring_up_to_date(db, schema, Path(path), readonly=readonly)
    except BaseException:
        db.close()
        raise
    return db


def _bring_up_to_date(db: sqlite3.Connection, schema: Schema, path: Path, *, readonly: bool) -> None:
    try:
        if readonly:
            kind, version = _recorded(db)
            _check_kind(kind, version, schema, path)
            if version != schema.version:
                raise DatabaseError("database-too-old",
                                    f"{path} is at schema version {version} of {schema.name!r}; "
                                    f"open it for writing once to bring it to version {schema.version}",
                                    path=str(path))
            return
        with transaction(db):
            kind, version = _recorded(db)
            _check_kind(kind, version, schema, path)
            db.execute("CREATE TABLE IF NOT EXISTS schema_migration ("
                       " schema_name TEXT NOT NULL, version INTEGER NOT NULL,"
                       " description TEXT NOT NULL, applied_at TEXT NOT NULL"
                       "  DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
                       " PRIMARY KEY (schema_name, version))")
        for migration in schema.migrations[version:]:
            with transaction(db):
                # Read again under the write lock: another process may have migrated meanwhile.
                if _recorded(db)[1] >= migration.version:
                    continue
                for statement in _statements(migration.sql):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migration (schema_name, version, description)"
                           " VALUES (?, ?, ?)", (schema.name, migration.version, migration.description))
                db.execute(f"PRAGMA user_version = {migration.version}")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("database-unreadable", f"{path} cannot be used as a database: {exc}",
                            path=str(path)) from None


def _recorded(db: sqlite3.Connection) -> tuple[str | None, int]:
    """The schema name and version the file records (``None, 0`` for a new file)."""
    has_table = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                           " AND name = 'schema_migration'").fetchone()
    if not has_table:
        other = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%' LIMIT 1").fetchone()
        return (None if other is None else "", 0)
    names = {row[0] for row in db.execute("SELECT DISTINCT schema_name FROM schema_migration")}
    if len(names) > 1:
        return ("", 0)
    version = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migration").fetchone()[0]
    return (names.pop() if names else None, int(version))


def _check_kind(kind: str | None, version: int, schema: Schema, path: Path) -> None:
    if kind is not None and kind != schema.name:
        what = f"a {kind!r} database" if kind else "a database of another program"
        raise DatabaseError("database-wrong-kind",
                            f"{path} is {what}, not a {schema.name!r} database",
                            path=str(path))
    if version > schema.version:
        raise DatabaseError("database-too-new",
                            f"{path} is at schema version {version} of {schema.name!r}, newer than "
                            f"this workbench knows ({schema.version}): use a newer release",
                            path=str(path))


def _statements(sql: str) -> Iterator[str]:
    """The complete statements of ``sql``, one at a time (``executescript`` would commit)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:200]!r}")


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction: ``BEGIN IMMEDIATE`` (the write lock first), commit, or roll back on error.

    Taking the lock at the start means a read inside the transaction is still
    true when the write that depends on it commits, across processes too.
    """
    require_type(db, sqlite3.Connection, "db")
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version the open database is at."""
    require_type(db, sqlite3.Connection, "db")
    return _recorded(db)[1]


def integrity_problems(db: sqlite3.Connection) -> tuple[str, ...]:
    """What SQLite's integrity and foreign-key checks find wrong; empty when the file is sound."""
    require_type(db, sqlite3.Connection, "db")
    problems = [row[0] for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"foreign key: {row[0]} row {row[1]} -> {row[2]}"
                 for row in db.execute("PRAGMA foreign_key_check")]
    return tuple(problems)
