"""When each revocation was first seen: a revocation's time, which never moves.

A governance authority revokes an accreditation by setting its bit in its
status list and publishing the list again. The list credential's
``validFrom`` moves forward with every publication, so it cannot date the
revocation: read after a later publication, it would make the revocation look
later than it was, and a credential witnessed in between would be honoured
again. The trust registry therefore dates a revocation by its first sighting,
and keeps that date:

- the time recorded is the earlier of the ``validFrom`` of the verified list
  that first showed the bit set and the time of the load that saw it (a list
  that cannot be verified again gives only the load's time);
- the record is written once, atomically and exclusively
  (``atomic_files.write_atomically`` without overwrite), and never rewritten
  or removed: a later publication of the list, a later load, or another
  process recording at the same moment leaves the first time in place (of
  two writers exactly one wins, and the other reads the winner's record);
- a trust directory keeps the records in its ``revocations/`` folder, one JSON
  file per accreditation (``{"accreditation", "firstSeen", "statusList"}``);
  ``RevocationLog()`` without a directory keeps them in memory, for as long
  as the object lives.

A revocation first seen late (no load between the revocation and a later
publication of the list) is dated by that first sighting: a registry that
loads its trust credentials regularly keeps the date close to the revocation.

>>> from datetime import datetime, timezone
>>> log = RevocationLog()
>>> first = datetime(2026, 8, 14, 9, 0, tzinfo=timezone.utc)
>>> log.record("urn:acc:1", first) == first
True
>>> log.record("urn:acc:1", datetime(2026, 9, 1, tzinfo=timezone.utc)) == first  # never moves
True
>>> log.first_seen("urn:acc:2") is None
True
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, parse_timestamp

REVOCATIONS_DIR = "revocations"
MAX_RECORD_BYTES = 64 * 1024  # a record is a few hundred bytes; a larger file is not one


@dataclass(frozen=True)
class RevocationSeen:
    """Accreditation ``accreditation_id`` was first seen revoked at ``first_seen``
    (in the status list ``status_list``, when known)."""

    accreditation_id: str
    first_seen: datetime
    status_list: str | None = None

    def to_json(self) -> dict:
        return {"accreditation": self.accreditation_id,
                "firstSeen": format_timestamp(self.first_seen),
                "statusList": self.status_list}


def _record_name(accreditation_id: str) -> str:
    return hashlib.sha256(accreditation_id.encode("utf-8")).hexdigest()[:32] + ".json"


class RevocationLog:
    """First sightings of revocations, kept in ``directory`` (or in memory); append-only.

    ``record`` returns the time the revocation is dated by from then on: the
    time given, the first time it is recorded, and the recorded time ever
    after.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None
        self._memory: dict[str, RevocationSeen] = {}
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path | None:
        """Where the records are kept (``None``: in memory)."""
        return self._directory

    def __repr__(self) -> str:
        where = "in memory" if self._directory is None else str(self._directory)
        return f"RevocationLog({where})"

    def first_seen(self, accreditation_id: str) -> datetime | None:
        """When ``accreditation_id`` was first seen revoked, or ``None`` if it never was."""
        seen = self._read(_checked_id(accreditation_id))
        return seen.first_seen if seen is not None else None

    def record(self, accreditation_id: str, seen_at: datetime, *,
               status_list: str | None = None) -> datetime:
        """Record that ``accreditation_id`` is seen revoked at ``seen_at``, unless a record
        exists already; return the recorded time (the first one)."""
        ident = _checked_id(accreditation_id)
        if not isinstance(seen_at, datetime) or seen_at.tzinfo is None:
            raise InputError("bad-timestamp", f"seen_at must be an aware datetime, got"
                             f" {seen_at!r}", path="seen_at")
        # Whole seconds, as the record is written: the same time in memory and on disk.
        seen_at = parse_timestamp(format_timestamp(seen_at))
        entry = RevocationSeen(ident, seen_at, status_list)
        with self._lock:
            if self._directory is None:
                return self._memory.setdefault(ident, entry).first_seen
            existing = self._read(ident)
            if existing is not None:
                return existing.first_seen
            path = self._directory / _record_name(ident)
            content = json.dumps(entry.to_json(), indent=2, ensure_ascii=False) + "\n"
            try:
                write_atomically(path, content, overwrite=False)
                return seen_at
            except FileExistsError as exc:
                # Another process recorded it a moment ago: its time stands.
                recorded = self._read(ident)
                if recorded is not None:
                    return recorded.first_seen
                problem = exc.strerror or str(exc)
            except OSError as exc:
                problem = exc.strerror or str(exc)
            raise InputError("revocation-log-unwritable", f"cannot record the revocation of"
                             f" {ident} in {path}: {problem}", path=str(path))

    def entries(self) -> tuple[RevocationSeen, ...]:
        """Every record, by accreditation id."""
        if self._directory is None:
            with self._lock:
                return tuple(sorted(self._memory.values(), key=lambda e: e.accreditation_id))
        found = [self._load(path) for path in sorted(self._directory.glob("*.json"))]
        return tuple(sorted(found, key=lambda e: e.accreditation_id))

    def _read(self, accreditation_id: str) -> RevocationSeen | None:
        if self._directory is None:
            return self._memory.get(accreditation_id)
        path = self._directory / _record_name(accreditation_id)
        if not path.is_file():
            return None
        seen = self._load(path)
        if seen.accreditation_id != accreditation_id:
            raise InputError("bad-revocation-log", f"{path} records {seen.accreditation_id},"
                             f" not {accreditation_id}", path=str(path))
        return seen

    def _load(self, path: Path) -> RevocationSeen:
        try:
            data = read_bounded(path, MAX_RECORD_BYTES, what="revocation record")
        except OSError as exc:
            raise InputError("bad-revocation-log", f"cannot read {path}:"
                             f" {exc.strerror or exc}", path=str(path)) from None
        except InputError as exc:  # file-too-large: the record is not one
            raise InputError("bad-revocation-log", "a revocation record is at most"
                             f" {MAX_RECORD_BYTES} bytes", path=str(path)) from exc
        try:
            doc = loads_strict(data)
        except CoopCredsError as exc:
            raise exc.with_context(str(path)) from None
        if not isinstance(doc, dict):
            raise InputError("bad-revocation-log", "a revocation record must be a JSON object",
                             path=str(path))
        ident, url = doc.get("accreditation"), doc.get("statusList")
        if not isinstance(ident, str) or not ident:
            raise InputError("bad-revocation-log", "accreditation must be a non-empty string",
                             path=f"{path}$.accreditation")
        if url is not None and not isinstance(url, str):
            raise InputError("bad-revocation-log", "statusList must be a string",
                             path=f"{path}$.statusList")
        return RevocationSeen(ident, parse_timestamp(doc.get("firstSeen"),
                                                     path=f"{path}$.firstSeen"), url)


def _checked_id(accreditation_id: object) -> str:
    if not isinstance(accreditation_id, str) or not accreditation_id:
        raise InputError("bad-accreditation", "an accreditation id is a non-empty string",
                         path="accreditation_id")
    return accreditation_id


__all__ = ["REVOCATIONS_DIR", "RevocationLog", "RevocationSeen"]
