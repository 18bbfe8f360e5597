"""The workshop store: one SQLite file holding a consultation workshop.

Rounds, participants, their views, reactions to other people's comments, the
facilitator's moderation log, decisions, adoption votes and the packs made
from it live in one database (:mod:`coopcreds_proto.database`), which the
workshop app, the command line and the notebooks all read.

Views are append-only: giving a view adds a record, editing it adds a newer
record of the same view, withdrawing it adds a withdrawal; nothing is
overwritten, and every record names the draft version it is about. Each form
carries a one-time key (``form_key``): a second submission with the same key
stores nothing and returns what the first one stored. A participant's consent
(``attributed`` or ``anonymous``) is kept with them; an anonymous participant
gives no name and no organisation at all.

Erasure is the one exception to append-only: :meth:`WorkshopStore.erase_person`
finds a person however their name was typed (Unicode normalisation, case,
spacing, invisible characters), deletes their views, reactions and every
trace of their text (SQLite's ``secure_delete``, the log checkpointed), and
removes the packs exported before it that carried their words, so they can be
made again without them.

>>> import pathlib, tempfile
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.timestamps import parse_timestamp
>>> store = WorkshopStore.open(pathlib.Path(tempfile.mkdtemp()) / "w.sqlite",
...                            rng=SeededRandom("doc"), clock=lambda: parse_timestamp(
...                                "2026-03-12T10:00:00Z"))
>>> room = store.open_round("Membership credential", "cooperative-membership", "0.1")
>>> ada, _ = store.join(room.id, consent="attributed", name="Ada Okafor",
...                     organisation="Riverside Food Co-op", role="member")
>>> view, saved = store.give_view(ada.id, form_key="form-0001", sphere="legal",
...     field="memberSince", stance="keep", priority=4, comment="Needed for voting rules.")
>>> again, saved_again = store.give_view(ada.id, form_key="form-0001", sphere="legal",
...     field="memberSince", stance="keep", priority=4, comment="Needed for voting rules.")
>>> saved, saved_again, again.id == view.id, view.draft_version
(True, False, True, '0.1')
>>> [r.participant for r in store.records(room.id)]
['Ada Okafor']
>>> store.erase_person("ADA  okafor").views_removed
1
>>> store.records(room.id)
[]
>>> store.close()
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..atomic_files import DEFAULT_MODE, KEEP_MODE, write_atomically
from ..database import Migration, Schema, open_database, transaction
from ..errors import InputError
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import format_timestamp, utc_now
from .feedback import (
    CONSENTS,
    NEW_FIELD,
    RECORD_KEYS,
    FeedbackError,
    FeedbackProblem,
    FeedbackRecord,
    make_record,
)

OUTCOMES = ("adopt", "change", "drop", "defer")
"""What the facilitator may decide about a field: take it as asked, change it, drop it, or wait."""
REACTIONS = ("agree", "disagree", "pass")
MODERATIONS = ("hide", "show")
ANONYMOUS_NAME = "Anonymous"
NOT_GIVEN = "not given"
MAX_FORM_KEY_CHARS = 64
# A join code people can read aloud and type on a phone: no 0/O, 1/I/L.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")

Clock = Callable[[], datetime]

WORKSHOP_SCHEMA = Schema("workshop", (
    Migration(1, "rounds, participants, views, reactions, moderation, decisions, votes, packs", """
        CREATE TABLE round (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            slug TEXT NOT NULL,
            draft_version TEXT NOT NULL,
            join_code TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE TABLE participant (
            id TEXT PRIMARY KEY,
            round_id TEXT NOT NULL REFERENCES round(id),
            token_hash TEXT NOT NULL UNIQUE,
            consent TEXT NOT NULL CHECK (consent IN ('attributed', 'anonymous')),
            name TEXT,
            name_key TEXT,
            organisation TEXT,
            role TEXT NOT NULL,
            sector TEXT NOT NULL DEFAULT '',
            joined_at TEXT NOT NULL,
            CHECK ((consent = 'anonymous') = (name IS NULL))
        );
        CREATE INDEX participant_name ON participant(name_key);
        CREATE TABLE view_record (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            view_key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('given', 'edited', 'withdrawn')),
            participant_id TEXT NOT NULL REFERENCES participant(id),
            round_id TEXT NOT NULL REFERENCES round(id),
            draft_version TEXT NOT NULL,
            sphere TEXT NOT NULL,
            field TEXT NOT NULL,
            proposed_term TEXT,
            proposed_label TEXT,
            stance TEXT NOT NULL,
            priority INTEGER NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            time TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'workshop'
        );
        CREATE INDEX view_key ON view_record(view_key, seq);
        CREATE INDEX view_round ON view_record(round_id, seq);
        CREATE TRIGGER view_record_append_only BEFORE UPDATE ON view_record
        BEGIN SELECT RAISE(ABORT, 'views are append-only'); END;
        CREATE TABLE reaction (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            participant_id TEXT NOT NULL REFERENCES participant(id),
            view_key TEXT NOT NULL,
            reaction TEXT NOT NULL CHECK (reaction IN ('agree', 'disagree', 'pass')),
            time TEXT NOT NULL
        );
        CREATE INDEX reaction_view ON reaction(view_key, participant_id, seq);
        CREATE TABLE moderation (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            view_key TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('hide', 'show')),
            reason TEXT NOT NULL,
            time TEXT NOT NULL
        );
        CREATE TABLE decision (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            round_id TEXT NOT NULL REFERENCES round(id),
            draft_version TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('adopt', 'change', 'drop', 'defer')),
            reason TEXT NOT NULL,
            answers TEXT NOT NULL DEFAULT '[]',
            label TEXT NOT NULL DEFAULT '',
            time TEXT NOT NULL
        );
        CREATE TABLE adoption_vote (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            round_id TEXT NOT NULL REFERENCES round(id),
            version TEXT NOT NULL,
            rule TEXT NOT NULL,
            votes_for INTEGER NOT NULL CHECK (votes_for >= 0),
            votes_against INTEGER NOT NULL CHECK (votes_against >= 0),
            abstentions INTEGER NOT NULL CHECK (abstentions >= 0),
            body TEXT NOT NULL DEFAULT '',
            time TEXT NOT NULL
        );
        CREATE TABLE pack (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            round_id TEXT NOT NULL REFERENCES round(id),
            path TEXT NOT NULL,
            made_at TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE TABLE form_use (
            form_key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            result TEXT NOT NULL
        );
        CREATE TABLE erasure (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            participants INTEGER NOT NULL,
            views INTEGER NOT NULL,
            packs INTEGER NOT NULL
        );
    """),
    Migration(2, "indexes for the latest moderation of a view and a participant's views", """
        CREATE INDEX moderation_view ON moderation(view_key, seq);
        CREATE INDEX view_participant ON view_record(participant_id, seq);
    """),
    Migration(3, "reactions and moderation name the draft version they are about", """
        ALTER TABLE reaction ADD COLUMN draft_version TEXT NOT NULL DEFAULT '';
        ALTER TABLE moderation ADD COLUMN draft_version TEXT NOT NULL DEFAULT '';
        UPDATE reaction SET draft_version = COALESCE((SELECT v.draft_version FROM view_record v
            WHERE v.view_key = reaction.view_key ORDER BY v.seq LIMIT 1), '');
        UPDATE moderation SET draft_version = COALESCE((SELECT v.draft_version FROM view_record v
            WHERE v.view_key = moderation.view_key ORDER BY v.seq LIMIT 1), '');
    """),
    Migration(4, "files exported from a round, with their digests, so that an erasure reaches"
              " them", """
        CREATE TABLE export (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            round_id TEXT NOT NULL REFERENCES round(id),
            path TEXT NOT NULL,
            format TEXT NOT NULL CHECK (format IN ('jsonl', 'csv')),
            sha256 TEXT NOT NULL,
            made_at TEXT NOT NULL
        );
        CREATE INDEX export_path ON export(path, seq);
        ALTER TABLE erasure ADD COLUMN exports INTEGER NOT NULL DEFAULT 0;
    """),
))


class WorkshopStoreError(InputError):
    """A workshop store request that cannot be done; ``path`` names the round, view or field."""


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One round of a workshop: the draft on the table, its join code, open or closed."""

    id: str
    title: str
    slug: str
    draft_version: str
    join_code: str
    opened_at: str
    closed_at: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Participant:
    """Someone who joined a round; ``name`` and ``organisation`` are None when anonymous."""

    id: str
    round_id: str
    consent: str
    name: str | None
    organisation: str | None
    role: str
    sector: str
    joined_at: str

    @property
    def shown_as(self) -> str:
        """How their views are shown to others."""
        if self.consent == "attributed" and self.name:
            return f"{self.name}, {self.organisation}" if self.organisation else self.name
        return f"{ANONYMOUS_NAME} ({self.sector})" if self.sector else ANONYMOUS_NAME


@dataclass(frozen=True)
class View:
    """One record of a view: as given, as edited, or its withdrawal (``kind``)."""

    id: str
    view_key: str
    kind: str
    participant_id: str
    round_id: str
    draft_version: str
    sphere: str
    field: str
    proposed_term: str | None
    proposed_label: str | None
    stance: str
    priority: int
    comment: str
    time: str
    hidden: bool = False
    hidden_reason: str = ""
    shown_as: str = ""

    @property
    def target(self) -> str:
        """The field term, or ``+term`` for a proposed new field."""
        return f"+{self.proposed_term}" if self.field == NEW_FIELD else self.field


@dataclass(frozen=True)
class ReactionCount:
    """How the room reacted to one view's comment."""

    view_key: str
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def votes(self) -> int:
        return self.agree + self.disagree

    @property
    def agreement(self) -> float:
        """Share of agree among agree and disagree (0 when nobody voted)."""
        return self.agree / self.votes if self.votes else 0.0

    @property
    def division(self) -> float:
        """1 when the room splits evenly, 0 when it is unanimous (or silent)."""
        if not self.votes:
            return 0.0
        return 1.0 - abs(self.agree - self.disagree) / self.votes


@dataclass(frozen=True)
class Moderation:
    """One entry of the moderation log."""

    view_key: str
    action: str
    reason: str
    time: str
    draft_version: str = ""


@dataclass(frozen=True)
class StoredDecision:
    """What the facilitator decided about a field (or proposed field) of a draft."""

    round_id: str
    draft_version: str
    target: str
    outcome: str
    reason: str
    answers: tuple[str, ...]
    time: str
    label: str = ""


@dataclass(frozen=True)
class Vote:
    """A recorded adoption vote on a version."""

    round_id: str
    version: str
    rule: str
    votes_for: int
    votes_against: int
    abstentions: int
    body: str
    time: str


@dataclass(frozen=True)
class PackRecord:
    """A pack exported from the store, and when it was removed (by an erasure)."""

    round_id: str
    path: str
    made_at: str
    removed_at: str | None = None


@dataclass(frozen=True)
class ExportRecord:
    """A file of a round's views the store wrote (``format`` jsonl or csv), with the
    SHA-256 of what it wrote, so that an erasure can tell whether it may rewrite it."""

    round_id: str
    path: str
    format: str
    sha256: str
    made_at: str


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: people found, their views removed, packs removed (to be
    made again), exported files written again without them, and exported files left
    alone because they changed after the store wrote them (they may still hold them)."""

    participants: int
    views_removed: int
    reactions_removed: int
    packs_removed: tuple[str, ...] = ()
    exports_remade: tuple[str, ...] = ()
    exports_changed: tuple[str, ...] = ()


# --- helpers -----------------------------------------------------------------------------


_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """One spelling of a person's name for finding it again, however it was typed.

    Compatibility-normalised (NFKC), invisible format characters (zero-width
    spaces and joiners, soft hyphens, direction marks) removed, case folded,
    spaces collapsed:

    >>> name_key("Ada  OKAFOR") == name_key("ada\\u200b okafor") == name_key("Ada Okafor")
    True
    >>> name_key("Jose\\u0301") == name_key("José")
    True
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch != "\u00ad")
    text = _SPACES.sub(" ", text.casefold()).strip()
    return unicodedata.normalize("NFKC", text)


def new_join_code(rng: RandomSource = DEFAULT_RANDOM) -> str:
    """A join code of ``JOIN_CODE_LENGTH`` characters that read unambiguously aloud."""
    raw = rng.bytes(JOIN_CODE_LENGTH * 2)
    # Two bytes a character keeps the modulo bias under 0.05%.
    return "".join(_CODE_ALPHABET[int.from_bytes(raw[i:i + 2], "big") % len(_CODE_ALPHABET)]
                   for i in range(0, len(raw), 2))


def new_token(rng: RandomSource = DEFAULT_RANDOM, n: int = 24) -> str:
    """A random URL-safe secret of ``n`` bytes."""
    return rng.bytes(n).hex()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _uuid(rng: RandomSource) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def check_form_key(form_key: str) -> str:
    """``form_key`` if it is a usable one-time key (8 to 64 letters, digits, '-' or '_')."""
    if not isinstance(form_key, str) or not _FORM_KEY.fullmatch(form_key):
        raise WorkshopStoreError("bad-form-key", "the form's one-time key is missing or malformed;"
                                 " reload the form", path="form_key")
    return form_key


# --- the store ---------------------------------------------------------------------------


class WorkshopStore:
    """A workshop's data in one SQLite file (see the module docstring).

    Safe to share between the threads of one process (one connection behind a
    lock) and between processes (each opens its own; writes take the
    database's write lock at their start).
    """

    def __init__(self, db: sqlite3.Connection, path: Path, *, rng: RandomSource = DEFAULT_RANDOM,
                 clock: Clock = utc_now) -> None:
        self._db = db
        self.path = path
        self._rng = rng
        self._clock = clock
        self._lock = threading.RLock()
        self._writes = 0

    @classmethod
    def open(cls, path: str | Path, *, rng: RandomSource = DEFAULT_RANDOM,
             clock: Clock = utc_now) -> WorkshopStore:
        """Open (or create) the store at ``path``, bringing its schema up to date."""
        target = Path(path)
        db = open_database(target, WORKSHOP_SCHEMA)
        # Erased text is overwritten on disk, not only unlinked from the b-tree.
        db.execute("PRAGMA secure_delete = ON")
        return cls(db, target, rng=rng, clock=clock)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> WorkshopStore:  # noqa: PYI034 (the class is not subclassed)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<WorkshopStore {str(self.path)!r}>"

    # -- plumbing --

    def _now(self) -> str:
        return format_timestamp(self._clock())

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, transaction(self._db) as db:
            yield db
            self._writes += 1

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def change_marker(self) -> tuple[int, int]:
        """Changes when anything is written, by this process or another one."""
        with self._lock:
            return (self._writes, self._db.execute("PRAGMA data_version").fetchone()[0])

    def _form_result(self, db: sqlite3.Connection, form_key: str, kind: str) -> str | None:
        row = db.execute("SELECT kind, result FROM form_use WHERE form_key = ?",
                         (form_key,)).fetchone()
        if row is None:
            return None
        if row[0] != kind:
            raise WorkshopStoreError("form-key-reused", "this form's key was used by another"
                                     " form; reload the form", path="form_key")
        return str(row[1])

    # -- rounds --

    def open_round(self, title: str, slug: str, draft_version: str, *,
                   join_code: str | None = None) -> Round:
        """Open a new round on ``draft_version`` of the definition ``slug``."""
        for key, value in (("title", title), ("slug", slug), ("draft_version", draft_version)):
            if not isinstance(value, str) or not value.strip():
                raise WorkshopStoreError("missing-value", f"{key} is missing", path=key)
        room = Round(id=_uuid(self._rng), title=title.strip(), slug=slug,
                     draft_version=draft_version, join_code=join_code or new_join_code(self._rng),
                     opened_at=self._now())
        with self._write() as db:
            db.execute("INSERT INTO round (id, title, slug, draft_version, join_code, opened_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (room.id, room.title, room.slug,
                                                      room.draft_version, room.join_code,
                                                      room.opened_at))
        return room

    def rounds(self) -> list[Round]:
        return [Round(**row) for row in self._read("SELECT * FROM round ORDER BY opened_at, id")]

    def round(self, round_id: str) -> Round:
        rows = self._read("SELECT * FROM round WHERE id = ?", (round_id,))
        if not rows:
            raise WorkshopStoreError("unknown-round", "there is no such round", path=round_id)
        return Round(**rows[0])

    def current_round(self) -> Round | None:
        """The latest round still open, or None."""
        rows = self._read("SELECT * FROM round WHERE closed_at IS NULL"
                          " ORDER BY opened_at DESC, rowid DESC LIMIT 1")
        return Round(**rows[0]) if rows else None

    def close_round(self, round_id: str) -> Round:
        """Close the round: no more joining, views or reactions."""
        self.round(round_id)
        with self._write() as db:
            db.execute("UPDATE round SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                       (self._now(), round_id))
        return self.round(round_id)

    def _open_round(self, round_id: str) -> Round:
        room = self.round(round_id)
        if not room.open:
            raise WorkshopStoreError("round-closed", "this round is closed: the facilitator has"
                                     " ended it", path=round_id)
        return room

    # -- participants --

    def join(self, round_id: str, *, consent: str, name: str = "", organisation: str = "",
             role: str = "participant", sector: str = "") -> tuple[Participant, str]:
        """Add a participant; returns them and the secret token their browser keeps.

        ``attributed`` needs a name (and keeps the organisation); ``anonymous``
        keeps neither, whatever was typed.
        """
        self._open_round(round_id)
        problems = []
        if consent not in CONSENTS:
            problems.append(FeedbackProblem("unknown-consent", "consent is missing", "consent"))
        anonymous = consent == "anonymous"
        values = {"participant": "" if anonymous else name,
                  "organisation": "" if anonymous else organisation,
                  "role": role, "sector": sector}
        for key, value in values.items():
            if not isinstance(value, str):
                problems.append(FeedbackProblem("not-text", f"{key} must be text", key))
        if consent == "attributed" and not (isinstance(name, str) and name.strip()):
            problems.append(FeedbackProblem("missing-field", "participant is missing",
                                            "participant"))
        if problems:
            raise FeedbackError.from_problems(problems)
        clean = {k: " ".join(str(v).split()) for k, v in values.items()}
        # The record rules (lengths, invisible characters) apply to people's names too.
        make_record(organisation=clean["organisation"] or NOT_GIVEN,
                    participant=clean["participant"] or ANONYMOUS_NAME,
                    role=clean["role"] or "participant", sector=clean["sector"], sphere="legal",
                    field="memberSince", stance="keep", priority=1, consent=consent,
                    rng=self._rng, time="2026-01-01T00:00:00Z")
        token = new_token(self._rng)
        person = Participant(id=_uuid(self._rng), round_id=round_id, consent=consent,
                             name=None if anonymous else clean["participant"],
                             organisation=None if anonymous else (clean["organisation"] or None),
                             role=clean["role"] or "participant", sector=clean["sector"],
                             joined_at=self._now())
        with self._write() as db:
            db.execute("INSERT INTO participant (id, round_id, token_hash, consent, name, name_key,"
                       " organisation, role, sector, joined_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (person.id, round_id, _hash(token), consent, person.name,
                        None if person.name is None else name_key(person.name),
                        person.organisation, person.role, person.sector, person.joined_at))
        return person, token

    def participant(self, participant_id: str) -> Participant:
        rows = self._read("SELECT id, round_id, consent, name, organisation, role, sector,"
                          " joined_at FROM participant WHERE id = ?", (participant_id,))
        if not rows:
            raise WorkshopStoreError("unknown-workshop-participant", "there is no such participant",
                                     path=participant_id)
        return Participant(**rows[0])

    def participant_by_token(self, token: str) -> Participant | None:
        """The participant whose browser holds ``token``, or None."""
        if not isinstance(token, str) or not token:
            return None
        rows = self._read("SELECT id, round_id, consent, name, organisation, role, sector,"
                          " joined_at FROM participant WHERE token_hash = ?", (_hash(token),))
        return Participant(**rows[0]) if rows else None

    def participants(self, round_id: str) -> list[Participant]:
        rows = self._read("SELECT id, round_id, consent, name, organisation, role, sector,"
                          " joined_at FROM participant WHERE round_id = ? ORDER BY joined_at, id",
                          (round_id,))
        return [Participant(**row) for row in rows]

    # -- views --

    def _validated(self, person: Participant, values: dict[str, Any]) -> FeedbackRecord:
        return make_record(
            organisation=person.organisation or NOT_GIVEN,
            participant=person.name or ANONYMOUS_NAME, role=person.role, sector=person.sector,
            consent=person.consent, sphere=values.get("sphere") or "",
            field=values.get("field") or "", stance=values.get("stance") or "",
            priority=values.get("priority"),  # type: ignore[arg-type]  # checked by make_record
            comment=values.get("comment") or "",
            proposed_term=values.get("proposed_term") or None,
            proposed_label=values.get("proposed_label") or None,
            rng=self._rng, clock=self._clock)

    def _insert_view(self, db: sqlite3.Connection, record: FeedbackRecord, *, view_key: str,
                     kind: str, person: Participant, room: Round, source: str) -> None:
        db.execute("INSERT INTO view_record (id, view_key, kind, participant_id, round_id,"
                   " draft_version, sphere, field, proposed_term, proposed_label, stance,"
                   " priority, comment, time, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (record.id, view_key, kind, person.id, room.id, room.draft_version,
                    record.sphere, record.field, record.proposed_term, record.proposed_label,
                    record.stance, record.priority, record.comment, record.time, source))

    def give_view(self, participant_id: str, *, form_key: str, sphere: str, field: str,
                  stance: str, priority: Any, comment: str = "", proposed_term: str | None = None,
                  proposed_label: str | None = None) -> tuple[View, bool]:
        """Store a new view; returns it and whether it was stored now (False: a repeat of
        ``form_key``, nothing stored). Invalid values raise :class:`FeedbackError` listing
        every problem with its field."""
        check_form_key(form_key)
        person = self.participant(participant_id)
        room = self._open_round(person.round_id)
        record = self._validated(person, {
            "sphere": sphere, "field": field, "stance": stance, "priority": priority,
            "comment": comment, "proposed_term": proposed_term, "proposed_label": proposed_label})
        with self._write() as db:
            earlier = self._form_result(db, form_key, "view")
            if earlier is None:
                self._insert_view(db, record, view_key=record.id, kind="given", person=person,
                                  room=room, source="workshop")
                db.execute("INSERT INTO form_use VALUES (?, 'view', ?)", (form_key, record.id))
        return self.view_record(earlier or record.id), earlier is None

    def edit_view(self, participant_id: str, view_key: str, *, form_key: str, **values: Any
                  ) -> tuple[View, bool]:
        """Store a newer record of the participant's view ``view_key`` (the old one stays)."""
        check_form_key(form_key)
        person = self.participant(participant_id)
        room = self._open_round(person.round_id)
        self._own_current(person, view_key)
        record = self._validated(person, values)
        with self._write() as db:
            earlier = self._form_result(db, form_key, "edit")
            if earlier is None:
                self._insert_view(db, record, view_key=view_key, kind="edited", person=person,
                                  room=room, source="workshop")
                db.execute("INSERT INTO form_use VALUES (?, 'edit', ?)", (form_key, record.id))
        return self.view_record(earlier or record.id), earlier is None

    def withdraw_view(self, participant_id: str, view_key: str, *, form_key: str
                      ) -> tuple[View, bool]:
        """Record that the participant withdraws their view (it no longer counts)."""
        check_form_key(form_key)
        person = self.participant(participant_id)
        room = self._open_round(person.round_id)
        with self._write() as db:
            earlier = self._form_result(db, form_key, "withdraw")
            if earlier is None:
                current = self._own_current(person, view_key)
                record_id = _uuid(self._rng)
                db.execute("INSERT INTO view_record (id, view_key, kind, participant_id, round_id,"
                           " draft_version, sphere, field, proposed_term, proposed_label, stance,"
                           " priority, comment, time) VALUES (?,?,'withdrawn',?,?,?,?,?,?,?,?,?,"
                           "'',?)", (record_id, view_key, person.id, room.id, room.draft_version,
                                     current.sphere, current.field, current.proposed_term,
                                     current.proposed_label, current.stance, current.priority,
                                     self._now()))
                db.execute("INSERT INTO form_use VALUES (?, 'withdraw', ?)",
                           (form_key, record_id))
        return self.view_record(earlier or record_id), earlier is None

    def _own_current(self, person: Participant, view_key: str) -> View:
        current = self.current_view(view_key)
        if current is None or current.participant_id != person.id:
            raise WorkshopStoreError("unknown-view", "there is no such view of yours",
                                     path="view_key")
        if current.kind == "withdrawn":
            raise WorkshopStoreError("view-withdrawn", "this view was withdrawn", path="view_key")
        return current

    _VIEW_SQL = ("SELECT v.id, v.view_key, v.kind, v.participant_id, v.round_id, v.draft_version,"
                 " v.sphere, v.field, v.proposed_term, v.proposed_label, v.stance, v.priority,"
                 " v.comment, v.time, p.consent, p.name, p.organisation, p.sector,"
                 " (SELECT m.action || ':' || m.reason FROM moderation m"
                 "   WHERE m.view_key = v.view_key ORDER BY m.seq DESC LIMIT 1) AS moderated"
                 " FROM view_record v JOIN participant p ON p.id = v.participant_id")

    def _view(self, row: dict[str, Any]) -> View:
        moderated = row.pop("moderated") or ""
        action, _, reason = moderated.partition(":")
        person = Participant(id=row["participant_id"], round_id=row["round_id"],
                             consent=row.pop("consent"), name=row.pop("name"),
                             organisation=row.pop("organisation"), role="",
                             sector=row.pop("sector"), joined_at="")
        return View(**row, hidden=action == "hide", hidden_reason=reason if action == "hide"
                    else "", shown_as=person.shown_as)

    def view_record(self, record_id: str) -> View:
        rows = self._read(self._VIEW_SQL + " WHERE v.id = ?", (record_id,))
        if not rows:
            raise WorkshopStoreError("unknown-view", "there is no such view", path="view_key")
        return self._view(rows[0])

    def current_view(self, view_key: str) -> View | None:
        """The latest record of a view (a withdrawal if it was withdrawn), or None."""
        rows = self._read(self._VIEW_SQL + " WHERE v.view_key = ? ORDER BY v.seq DESC LIMIT 1",
                          (view_key,))
        return self._view(rows[0]) if rows else None

    def history(self, view_key: str) -> list[View]:
        """Every record of a view, oldest first."""
        return [self._view(r) for r in self._read(self._VIEW_SQL + " WHERE v.view_key = ?"
                                                  " ORDER BY v.seq", (view_key,))]

    def current_views(self, round_id: str, *, participant_id: str | None = None) -> list[View]:
        """The views that count now (latest record of each, not withdrawn), oldest first."""
        sql = ("WITH latest AS (SELECT view_key, MAX(seq) AS last, MIN(seq) AS first"
               " FROM view_record WHERE round_id = ? GROUP BY view_key) " + self._VIEW_SQL
               + " JOIN latest ON latest.last = v.seq WHERE v.kind != 'withdrawn'")
        params: list[Any] = [round_id]
        if participant_id is not None:
            sql += " AND v.participant_id = ?"
            params.append(participant_id)
        return [self._view(r) for r in self._read(sql + " ORDER BY latest.first", params)]

    def records(self, round_id: str) -> list[FeedbackRecord]:
        """The views that count now as feedback records (what reports, proposals and packs
        read); a hidden comment is left out, the view still counts."""
        people = {p.id: p for p in self.participants(round_id)}
        out = []
        for view in self.current_views(round_id):
            person = people[view.participant_id]
            out.append(FeedbackRecord(
                id=view.view_key, organisation=person.organisation or NOT_GIVEN,
                participant=person.name or ANONYMOUS_NAME, role=person.role,
                sector=person.sector, sphere=view.sphere, field=view.field,
                proposed_term=view.proposed_term, proposed_label=view.proposed_label,
                stance=view.stance, priority=view.priority,
                comment="" if view.hidden else view.comment, time=view.time,
                consent=person.consent, source="workshop"))
        return out

    # -- reactions --

    def react(self, participant_id: str, view_key: str, reaction: str, *, form_key: str) -> bool:
        """Record a reaction to another participant's view; the latest one of each person
        counts. Returns False for a repeat of ``form_key``."""
        check_form_key(form_key)
        if reaction not in REACTIONS:
            raise WorkshopStoreError("unknown-reaction", f"a reaction is one of"
                                     f" {', '.join(REACTIONS)}", path="reaction")
        person = self.participant(participant_id)
        self._open_round(person.round_id)
        view = self.current_view(view_key)
        if view is None or view.kind == "withdrawn" or view.round_id != person.round_id:
            raise WorkshopStoreError("unknown-view", "there is no such view", path="view_key")
        if view.participant_id == person.id:
            raise WorkshopStoreError("own-view", "you cannot react to your own view",
                                     path="view_key")
        with self._write() as db:
            if self._form_result(db, form_key, "reaction") is not None:
                return False
            db.execute("INSERT INTO reaction (participant_id, view_key, reaction, time,"
                       " draft_version) VALUES (?, ?, ?, ?, ?)",
                       (person.id, view_key, reaction, self._now(), view.draft_version))
            db.execute("INSERT INTO form_use VALUES (?, 'reaction', ?)", (form_key, view_key))
        return True

    def reactions(self, round_id: str) -> dict[str, ReactionCount]:
        """Per view key: the latest reaction of each person, counted."""
        rows = self._read(
            "SELECT r.view_key, r.reaction, COUNT(*) AS n FROM reaction r"
            " WHERE r.seq IN (SELECT MAX(seq) FROM reaction GROUP BY view_key, participant_id)"
            " AND r.view_key IN (SELECT view_key FROM view_record WHERE round_id = ?)"
            " GROUP BY r.view_key, r.reaction", (round_id,))
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["view_key"], {})[row["reaction"]] = row["n"]
        return {key: ReactionCount(key, c.get("agree", 0), c.get("disagree", 0), c.get("pass", 0))
                for key, c in counts.items()}

    def my_reactions(self, participant_id: str) -> dict[str, str]:
        rows = self._read("SELECT view_key, reaction FROM reaction WHERE seq IN (SELECT MAX(seq)"
                          " FROM reaction WHERE participant_id = ? GROUP BY view_key)",
                          (participant_id,))
        return {row["view_key"]: row["reaction"] for row in rows}

    # -- the facilitator --

    def moderate(self, view_key: str, action: str, reason: str) -> Moderation:
        """Hide a view's comment (or show it again), with a reason; logged, never deleted."""
        if action not in MODERATIONS:
            raise WorkshopStoreError("unknown-moderation", "moderation is hide or show",
                                     path="action")
        if not isinstance(reason, str) or not reason.strip():
            raise WorkshopStoreError("missing-value", "give a reason", path="reason")
        view = self.current_view(view_key)
        if view is None:
            raise WorkshopStoreError("unknown-view", "there is no such view", path="view_key")
        entry = Moderation(view_key, action, " ".join(reason.split())[:500], self._now(),
                           view.draft_version)
        with self._write() as db:
            db.execute("INSERT INTO moderation (view_key, action, reason, time, draft_version)"
                       " VALUES (?,?,?,?,?)", (entry.view_key, entry.action, entry.reason,
                                               entry.time, entry.draft_version))
        return entry

    def moderation_log(self, round_id: str) -> list[Moderation]:
        rows = self._read("SELECT view_key, action, reason, time, draft_version FROM moderation"
                          " WHERE view_key IN"
                          " (SELECT view_key FROM view_record WHERE round_id = ?) ORDER BY seq",
                          (round_id,))
        return [Moderation(**row) for row in rows]

    def decide(self, round_id: str, target: str, outcome: str, reason: str, *,
               answers: Iterable[str] = (), label: str = "") -> StoredDecision:
        """Record a decision on a field of the round's draft; the latest one per field counts."""
        room = self.round(round_id)
        if outcome not in OUTCOMES:
            raise WorkshopStoreError("unknown-outcome", f"a decision is one of"
                                     f" {', '.join(OUTCOMES)}", path="outcome")
        if not isinstance(target, str) or not target.strip():
            raise WorkshopStoreError("missing-value", "choose a field", path="target")
        if not isinstance(reason, str) or not reason.strip():
            raise WorkshopStoreError("missing-value", "give a reason", path="reason")
        if outcome == "change" and not (isinstance(label, str) and label.strip()):
            raise WorkshopStoreError("change-without-label", "a change says what the field is"
                                     " called now", path="label")
        keys = tuple(dict.fromkeys(answers))
        known = {v.view_key for v in self.current_views(round_id)}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise WorkshopStoreError("unknown-view", "a decision answers views of this round",
                                     path="answers")
        decision = StoredDecision(round_id, room.draft_version, target.strip(), outcome,
                                  " ".join(reason.split())[:2000], keys, self._now(),
                                  " ".join(label.split())[:200])
        with self._write() as db:
            db.execute("INSERT INTO decision (round_id, draft_version, target, outcome, reason,"
                       " answers, label, time) VALUES (?,?,?,?,?,?,?,?)",
                       (round_id, decision.draft_version, decision.target, outcome,
                        decision.reason, json.dumps(list(keys)), decision.label, decision.time))
        return decision

    def decisions(self, round_id: str) -> list[StoredDecision]:
        """The latest decision on each field, in the order first decided."""
        rows = self._read("SELECT round_id, draft_version, target, outcome, reason, answers,"
                          " time, label FROM decision WHERE seq IN (SELECT MAX(seq) FROM decision"
                          " WHERE round_id = ? GROUP BY target) ORDER BY seq", (round_id,))
        return [StoredDecision(**{**row, "answers": tuple(json.loads(row["answers"]))})
                for row in rows]

    def record_vote(self, round_id: str, version: str, *, rule: str, votes_for: int,
                    votes_against: int, abstentions: int = 0, body: str = "") -> Vote:
        """Record an adoption vote on ``version`` (the next draft)."""
        self.round(round_id)
        for key, value in (("votes_for", votes_for), ("votes_against", votes_against),
                           ("abstentions", abstentions)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
                raise WorkshopStoreError("bad-vote-count", f"{key} must be a whole number from 0",
                                         path=key)
        if not isinstance(version, str) or not version.strip():
            raise WorkshopStoreError("missing-value", "version is missing", path="version")
        vote = Vote(round_id, version.strip(), rule, votes_for, votes_against, abstentions,
                    " ".join(body.split())[:200], self._now())
        with self._write() as db:
            db.execute("INSERT INTO adoption_vote (round_id, version, rule, votes_for,"
                       " votes_against, abstentions, body, time) VALUES (?,?,?,?,?,?,?,?)",
                       (round_id, vote.version, rule, votes_for, votes_against, abstentions,
                        vote.body, vote.time))
        return vote

    def votes(self, round_id: str) -> list[Vote]:
        rows = self._read("SELECT round_id, version, rule, votes_for, votes_against, abstentions,"
                          " body, time FROM adoption_vote WHERE round_id = ? ORDER BY seq",
                          (round_id,))
        return [Vote(**row) for row in rows]

    def record_pack(self, round_id: str, path: str | Path) -> PackRecord:
        """Remember a pack exported from this round (so an erasure can reach it)."""
        self.round(round_id)
        pack = PackRecord(round_id, str(Path(path).resolve()), self._now())
        with self._write() as db:
            db.execute("INSERT INTO pack (round_id, path, made_at) VALUES (?,?,?)",
                       (round_id, pack.path, pack.made_at))
        return pack

    def packs(self, round_id: str | None = None) -> list[PackRecord]:
        sql = "SELECT round_id, path, made_at, removed_at FROM pack"
        rows = self._read(sql + (" WHERE round_id = ? ORDER BY seq" if round_id else
                                 " ORDER BY seq"), (round_id,) if round_id else ())
        return [PackRecord(**row) for row in rows]

    # -- erasure --

    def find_people(self, name: str, organisation: str | None = None) -> list[Participant]:
        """Every participant whose name is ``name`` however it was typed."""
        if not isinstance(name, str) or not name_key(name):
            raise WorkshopStoreError("missing-value", "name is missing", path="name")
        rows = self._read("SELECT id, organisation FROM participant WHERE name_key = ?",
                          (name_key(name),))
        if organisation is not None:
            rows = [r for r in rows if name_key(r["organisation"] or "") == name_key(organisation)]
        return [self.participant(r["id"]) for r in rows]

    def erase_person(self, name: str, organisation: str | None = None) -> Erasure:
        """Erase everyone named ``name`` (see :func:`name_key`): their views and reactions,
        reactions to their views, their place in decisions, and the packs that carried them."""
        return self.erase_participants([p.id for p in self.find_people(name, organisation)])

    def erase_participants(self, participant_ids: Sequence[str]) -> Erasure:
        """Erase these participants (an anonymous one erases themself from their receipt)."""
        ids = list(dict.fromkeys(participant_ids))
        if not ids:
            return Erasure(0, 0, 0)
        marks = ",".join("?" * len(ids))
        with self._write() as db:
            keys = [r[0] for r in db.execute(
                f"SELECT DISTINCT view_key FROM view_record WHERE participant_id IN ({marks})",
                ids)]
            rounds = [r[0] for r in db.execute(
                f"SELECT DISTINCT round_id FROM participant WHERE id IN ({marks})", ids)]
            key_marks = ",".join("?" * len(keys))
            reactions = db.execute(f"DELETE FROM reaction WHERE participant_id IN ({marks})",
                                   ids).rowcount
            views = 0
            if keys:
                reactions += db.execute(f"DELETE FROM reaction WHERE view_key IN ({key_marks})",
                                        keys).rowcount
                db.execute(f"DELETE FROM moderation WHERE view_key IN ({key_marks})", keys)
                db.execute(f"DELETE FROM form_use WHERE result IN ({key_marks})", keys)
                db.execute("DROP TRIGGER view_record_append_only")
                record_ids = [r[0] for r in db.execute(
                    f"SELECT id FROM view_record WHERE view_key IN ({key_marks})", keys)]
                db.execute(f"DELETE FROM form_use WHERE result IN"
                           f" ({','.join('?' * len(record_ids))})", record_ids)
                views = db.execute(f"DELETE FROM view_record WHERE view_key IN ({key_marks})",
                                   keys).rowcount
                db.execute("CREATE TRIGGER view_record_append_only BEFORE UPDATE ON view_record"
                           " BEGIN SELECT RAISE(ABORT, 'views are append-only'); END")
                for seq, answers in db.execute("SELECT seq, answers FROM decision").fetchall():
                    kept = [k for k in json.loads(answers) if k not in set(keys)]
                    if len(kept) != len(json.loads(answers)):
                        db.execute("UPDATE decision SET answers = ? WHERE seq = ?",
                                   (json.dumps(kept), seq))
            db.execute(f"DELETE FROM participant WHERE id IN ({marks})", ids)
            packs: list[str] = []
            if views:
                round_marks = ",".join("?" * len(rounds))
                for seq, path in db.execute(
                        f"SELECT seq, path FROM pack WHERE removed_at IS NULL AND round_id IN"
                        f" ({round_marks})", rounds).fetchall():
                    Path(path).unlink(missing_ok=True)
                    db.execute("UPDATE pack SET removed_at = ? WHERE seq = ?", (self._now(), seq))
                    packs.append(path)
            db.execute("INSERT INTO erasure (time, participants, views, packs) VALUES (?,?,?,?)",
                       (self._now(), len(ids), views, len(packs)))
            erasure_seq = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        with self._lock:
            # The write-ahead log still holds the erased pages until it is checkpointed.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        remade, changed = self._remake_exports(rounds) if views else ((), ())
        if remade:
            with self._write() as db:
                db.execute("UPDATE erasure SET exports = ? WHERE seq = ?",
                           (len(remade), erasure_seq))
        return Erasure(len(ids), views, reactions, tuple(packs), remade, changed)

    def _remake_exports(self, round_ids: Sequence[str]
                        ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Write again, from the store as it is now, every file exported from these
        rounds that still holds exactly what the store wrote; those changed since
        are left as they are and returned second (a person's edits are not lost)."""
        remade, changed = [], []
        for export in self.exports():
            if export.round_id not in round_ids:
                continue
            path = Path(export.path)
            try:
                content = path.read_bytes()
            except FileNotFoundError:
                continue
            if hashlib.sha256(content).hexdigest() != export.sha256:
                changed.append(export.path)
                continue
            self._export(path, export.round_id, export.format, overwrite=True)
            remade.append(export.path)
        return tuple(remade), tuple(changed)

    # -- import and export --

    def import_records(self, round_id: str, records: Iterable[FeedbackRecord]) -> int:
        """Add feedback records (a JSON Lines or CSV import) to a round as given views.

        Each record's author becomes a participant (one per name and organisation); a
        record whose id is already in the store refuses the whole import.
        """
        room = self.round(round_id)
        items = list(records)
        with self._write() as db:
            ids = [r.id for r in items]
            clash = db.execute(f"SELECT view_key FROM view_record WHERE view_key IN"
                               f" ({','.join('?' * len(ids))}) LIMIT 1", ids).fetchone() \
                if ids else None
            if clash:
                raise WorkshopStoreError("already-imported", f"record {clash[0]} is in the store"
                                         " already: this file was imported before", path="id")
            people: dict[tuple[str, str, str], Participant] = {}
            for record in items:
                anonymous = record.consent == "anonymous"
                who = (record.consent, record.participant, record.organisation)
                person = people.get(who)
                if person is None:
                    person = Participant(
                        id=_uuid(self._rng), round_id=round_id, consent=record.consent,
                        name=None if anonymous else record.participant,
                        organisation=None if anonymous else record.organisation,
                        role=record.role, sector=record.sector, joined_at=record.time)
                    db.execute("INSERT INTO participant (id, round_id, token_hash, consent, name,"
                               " name_key, organisation, role, sector, joined_at)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?)",
                               (person.id, round_id, _hash(new_token(self._rng)), person.consent,
                                person.name, None if anonymous else name_key(record.participant),
                                person.organisation, person.role, person.sector, record.time))
                    people[who] = person
                self._insert_view(db, record, view_key=record.id, kind="given", person=person,
                                  room=room, source=record.source)
        return len(items)

    def export_jsonl(self, path: str | Path, round_id: str, *, overwrite: bool = False) -> int:
        """Write the round's views that count as a JSON Lines feedback file (atomically).

        The store remembers the file and what it wrote, so that an erasure writes it
        again without the person erased (:meth:`exports`)."""
        return self._export(Path(path), round_id, "jsonl", overwrite=overwrite)

    def export_csv(self, path: str | Path, round_id: str, *, overwrite: bool = False) -> int:
        """Write the round's views that count as CSV (the columns of a feedback record),
        remembered as :meth:`export_jsonl` does."""
        return self._export(Path(path), round_id, "csv", overwrite=overwrite)

    def exports(self, round_id: str | None = None) -> list[ExportRecord]:
        """The files exported from the store (from ``round_id``), each as last written."""
        sql = ("SELECT round_id, path, format, sha256, made_at FROM export e WHERE seq ="
               " (SELECT MAX(seq) FROM export WHERE path = e.path)")
        rows = self._read(sql + (" AND round_id = ? ORDER BY seq" if round_id else
                                 " ORDER BY seq"), (round_id,) if round_id else ())
        return [ExportRecord(**row) for row in rows]

    def _export(self, path: Path, round_id: str, format: str, *, overwrite: bool) -> int:
        self.round(round_id)
        records = self.records(round_id)
        if format == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(RECORD_KEYS), lineterminator="\n")
            writer.writeheader()
            for record in records:
                writer.writerow({k: ("" if v is None else v) for k, v in record.to_dict().items()})
            text = buffer.getvalue()
        else:
            text = "".join(r.to_json_line() for r in records)
        _write_new(path, text, overwrite)
        with self._write() as db:
            db.execute("INSERT INTO export (round_id, path, format, sha256, made_at)"
                       " VALUES (?,?,?,?,?)",
                       (round_id, str(path.resolve()), format,
                        hashlib.sha256(text.encode("utf-8")).hexdigest(), self._now()))
        return len(records)


def _write_new(path: Path, text: str, overwrite: bool) -> None:
    try:
        # A file replaced keeps its permissions (an erasure's rewrite, or --force).
        write_atomically(path, text, overwrite=overwrite,
                         mode=KEEP_MODE if overwrite else DEFAULT_MODE)
    except FileExistsError:
        raise WorkshopStoreError("export-exists", f"{path} exists already: choose another file,"
                                 " or replace it explicitly (--force)", path=str(path)) from None
