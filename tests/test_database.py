"""The embedded database: versioned schemas, migrations, transactions."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from coopcreds_proto.database import (
    DatabaseError,
    Migration,
    Schema,
    connect,
    integrity_problems,
    open_database,
    schema_version,
    transaction,
)

V1 = Migration(1, "rooms", "CREATE TABLE room (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);")
V2 = Migration(2, "people", """
    CREATE TABLE person (id INTEGER PRIMARY KEY, room INTEGER NOT NULL REFERENCES room(id), name TEXT);
    CREATE INDEX person_room ON person(room);
    CREATE TRIGGER person_named BEFORE INSERT ON person
    WHEN NEW.name = '' BEGIN SELECT RAISE(ABORT, 'empty name'); END;
""")
ONE = Schema("rooms", (V1,))
TWO = Schema("rooms", (V1, V2))


def tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_file_gets_every_migration_and_wal(tmp_path):
    db = open_database(tmp_path / "w.sqlite", TWO)
    assert schema_version(db) == 2
    assert {"room", "person", "schema_migration"} <= tables(db)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


def test_an_older_file_gets_only_the_missing_migrations_and_keeps_its_rows(tmp_path):
    path = tmp_path / "w.sqlite"
    db = open_database(path, ONE)
    with transaction(db):
        db.execute("INSERT INTO room (code) VALUES ('ABC123')")
    db.close()
    db = open_database(path, TWO)
    assert schema_version(db) == 2
    assert db.execute("SELECT code FROM room").fetchall() == [("ABC123",)]
    assert [r[0] for r in db.execute("SELECT version FROM schema_migration ORDER BY version")] == [1, 2]
    db.close()


def test_a_failing_migration_leaves_the_file_at_the_last_complete_version(tmp_path):
    path = tmp_path / "w.sqlite"
    broken = Schema("rooms", (V1, Migration(2, "broken", "CREATE TABLE half (x);\nCREATE TABLE room (y);")))
    with pytest.raises(DatabaseError) as info:
        open_database(path, broken)
    assert info.value.code == "database-unreadable"
    db = open_database(path, ONE)
    assert schema_version(db) == 1
    assert "half" not in tables(db)
    db.close()


def test_a_newer_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "w.sqlite"
    open_database(path, TWO).close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as info:
        open_database(path, ONE)
    assert info.value.code == "database-too-new"
    assert "newer" in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("setup", ["other-schema", "foreign-tables"])
def test_a_database_of_another_kind_is_refused(tmp_path, setup):
    path = tmp_path / "w.sqlite"
    if setup == "other-schema":
        open_database(path, Schema("service", (V1,))).close()
    else:
        raw = sqlite3.connect(path)
        raw.execute("CREATE TABLE photos (id)")
        raw.commit()
        raw.close()
    with pytest.raises(DatabaseError) as info:
        open_database(path, TWO)
    assert info.value.code == "database-wrong-kind"
    assert str(path) in str(info.value)


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    with pytest.raises(DatabaseError) as info:
        open_database(path, TWO)
    assert info.value.code == "database-unreadable"
    assert path.read_bytes().startswith(b"these are my notes")


def test_read_only_refuses_an_out_of_date_file_and_never_writes(tmp_path):
    path = tmp_path / "w.sqlite"
    open_database(path, ONE).close()
    with pytest.raises(DatabaseError) as info:
        open_database(path, TWO, readonly=True)
    assert info.value.code == "database-too-old"
    db = open_database(path, ONE, readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        db.execute("INSERT INTO room (code) VALUES ('X')")
    db.close()


def test_a_transaction_rolls_back_on_error_and_foreign_keys_hold(tmp_path):
    db = open_database(tmp_path / "w.sqlite", TWO)
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO room (code) VALUES ('A')")
        raise RuntimeError("stop")
    assert db.execute("SELECT COUNT(*) FROM room").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError), transaction(db):
        db.execute("INSERT INTO person (room, name) VALUES (42, 'Ana')")
    with pytest.raises(sqlite3.IntegrityError, match="empty name"), transaction(db):
        db.execute("INSERT INTO room (id, code) VALUES (1, 'A')")
        db.execute("INSERT INTO person (room, name) VALUES (1, '')")
    assert db.execute("SELECT COUNT(*) FROM room").fetchone()[0] == 0
    assert integrity_problems(db) == ()
    db.close()


def test_integrity_problems_names_a_broken_foreign_key(tmp_path):
    db = open_database(tmp_path / "w.sqlite", TWO)
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("INSERT INTO person (room, name) VALUES (7, 'Ana')")
    problems = integrity_problems(db)
    assert len(problems) == 1 and "person" in problems[0]
    db.close()


def _migrate_and_count(path: str, count: int) -> None:
    db = open_database(path, TWO)
    for i in range(count):
        with transaction(db):
            n = db.execute("SELECT COUNT(*) FROM room").fetchone()[0]
            db.execute("INSERT INTO room (code) VALUES (?)", (f"R{n}",))
    db.close()


def test_processes_migrating_and_writing_together_never_collide(tmp_path):
    # Each write reads the count and inserts the next code: without the write
    # lock taken at BEGIN, two processes would read the same count and one
    # insert would fail on the UNIQUE code.
    path = str(tmp_path / "w.sqlite")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_migrate_and_count, args=(path, 50)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    db = connect(path)
    assert db.execute("SELECT COUNT(*) FROM room").fetchone()[0] == 150
    assert schema_version(db) == 2
    assert db.execute("SELECT COUNT(*) FROM schema_migration").fetchone()[0] == 2
    db.close()


def test_schemas_are_checked_when_declared():
    with pytest.raises(ValueError, match="1..n"):
        Schema("rooms", (V2,))
    with pytest.raises(ValueError, match="lower-case"):
        Schema("Rooms!", (V1,))
    with pytest.raises(TypeError):
        open_database(3, ONE)  # type: ignore[arg-type]
