"""Issuing over the service: every credential on record, every status index taken once.

``issue_recorded`` signs a credential for an issuer instance and commits its
record (and, when the instance publishes status lists, one revocation and one
suspension entry) before returning it, so a credential a client receives is
always on record. An index is drawn at random (herd privacy), checked free,
written into the credential, and the credential signed; the record and its
entries are then inserted in one write transaction, where ``(list, index)``
is a primary key: should another worker process have taken the same index in
the meantime, the insert fails, nothing is kept, and the credential is signed
again with another index. A crash at any moment leaves either the whole
record or nothing.

A status list is filled to half its length (so a free index is found in two
draws on average) before the next one is started; each list is signed and
published (to the registry folder, and on the service's status list route)
when it is started and whenever an entry of it changes.

``change_status`` revokes, suspends or lifts a suspension with the library's
own rules (``vc.status_list``: a revocation is permanent), and republishes
the list in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..database import transaction
from ..keys import SigningKey
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..randomness import RandomSource, randbelow
from ..timestamps import format_timestamp
from ..vc.credentials import issue, subjects
from ..vc.disclosure import SD_SUITE, mandatory_pointers_for
from ..vc.status_list import (
    MIN_ENTRIES,
    PURPOSES,
    StatusList,
    StatusListError,
    new_status_list,
    revoke,
    sign_status_list,
    status_entry,
    suspend,
    unrevoke,
    unsuspend,
)
from .audit import record_event
from .config import IssuerInstance
from .errors import ServiceError

MAX_ATTEMPTS = 8
"""How often an issuance is tried again after losing an index to another worker."""


@dataclass(frozen=True)
class Signer:
    """What signing for one issuer instance needs: the instance, its key and its loader."""

    instance: IssuerInstance
    key: SigningKey
    loader: OfflineDocumentLoader
    list_length: int = MIN_ENTRIES


@dataclass(frozen=True)
class IssuedCredential:
    """A credential signed and on record: its record id and credential id, and the credential."""

    record_id: int
    credential_id: str | None
    credential: dict
    repeated: bool = False
    """True when the request repeated one already answered: the credential on record, unchanged."""


@dataclass(frozen=True)
class StatusChange:
    """A status entry set or cleared: the credential, purpose, list and index, and the new value."""

    credential_id: str
    purpose: str
    status_list: str
    index: int
    value: bool


@dataclass(frozen=True)
class _OpenList:
    id: int
    url: str
    length: int


def issue_recorded(
    db: sqlite3.Connection,
    signer: Signer,
    credential: dict,
    *,
    cryptosuite: str,
    now: datetime,
    rng: RandomSource,
    registry: LocalRegistry,
    created: datetime | str | None = None,
    credential_id: str | None = None,
    mandatory_pointers: tuple[str, ...] = (),
    actor: str = "anonymous",
) -> IssuedCredential:
    """Sign ``credential`` for ``signer``'s instance and commit its record; return it signed.

    ``credential_id`` (the VC-API ``credentialId`` option) names the record for
    later status changes; without it the credential's own ``id`` does, and an
    instance with status lists gives a credential that has neither an
    ``urn:uuid:`` id (from ``rng``). A request that repeats the one that issued
    the credential on record under its id (a client retrying after a lost
    answer) gets that credential back, unchanged and not issued again; any
    other credential under an id on record is refused. With ``ecdsa-sd-2023``, every disclosure
    reveals the issuer, the validity period, the status entries (so a
    disclosure is still checked for revocation) and the types, and also the
    claims ``mandatory_pointers`` (the VC-API ``mandatoryPointers`` option) name.
    """
    instance = signer.instance
    with_status = instance.status_list_base is not None and "credentialStatus" not in credential
    _refuse_own_entries(credential, instance)
    unsigned = dict(credential)
    if credential_id is None:
        given = unsigned.get("id")
        credential_id = given if isinstance(given, str) else None
    if credential_id is None and with_status and "id" not in unsigned:
        # Only where there is no id at all: an id that is there but wrong (null, not a
        # URL) is the data model's to refuse, not the service's to replace.
        credential_id = unsigned["id"] = _urn_uuid(rng)
    if credential_id is not None and _record_of(db, credential_id) is not None:
        earlier = _same_request(db, credential_id, instance, credential, cryptosuite, created)
        if earlier is None:
            raise _exists(credential_id)
        return earlier
    moment = format_timestamp(now)
    for _attempt in range(MAX_ATTEMPTS):
        taken: list[tuple[_OpenList, int]] = []
        if with_status:
            entries = []
            for purpose in PURPOSES:
                open_list = _open_list(db, signer, purpose, now=now, registry=registry)
                index = _free_index(db, open_list, rng)
                taken.append((open_list, index))
                entries.append(status_entry(_template(open_list, instance.did, purpose, index),
                                            index))
            unsigned["credentialStatus"] = entries
        mandatory = (mandatory_pointers_for(unsigned, mandatory_pointers)
                     if cryptosuite == SD_SUITE else ())
        signed = issue(unsigned, signer.key, cryptosuite=cryptosuite,
                       created=created if created is not None else now, loader=signer.loader,
                       mandatory_pointers=mandatory, rng=rng)
        try:
            with transaction(db):
                if credential_id is not None and _record_of(db, credential_id) is not None:
                    raise _exists(credential_id)
                if any(_full(db, open_list) for open_list, _ in taken):
                    continue
                record_id = _insert_record(db, signer, signed, credential_id, cryptosuite, moment)
                for open_list, index in taken:
                    db.execute("INSERT INTO status_entry (list_id, status_index, record_id)"
                               " VALUES (?, ?, ?)", (open_list.id, index, record_id))
                    db.execute("UPDATE status_list SET allocated = allocated + 1 WHERE id = ?",
                               (open_list.id,))
                record_event(db, at=moment, actor=actor, action="issue", issuer=instance.name,
                             subject=credential_id,
                             detail={"record": record_id, "cryptosuite": cryptosuite,
                                     "status": [[o.url, i] for o, i in taken]})
        except sqlite3.IntegrityError:
            continue  # another worker took one of these indexes first: draw again
        return IssuedCredential(record_id, credential_id, signed)
    raise ServiceError("status-allocation-failed",
                       f"no free status index could be taken in {MAX_ATTEMPTS} attempts")


def _refuse_own_entries(credential: dict, instance: IssuerInstance) -> None:
    """Refuse status entries a client wrote into this instance's own lists.

    The service allocates indexes in its lists; an entry chosen by a client
    could name another credential's index, and revoking one would revoke both.
    """
    base = instance.status_list_base
    given = credential.get("credentialStatus")
    entries = given if isinstance(given, list) else [given]
    for entry in entries:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        if base is not None and isinstance(url, str) and url.startswith(base + "/"):
            raise ServiceError("status-entry-not-allowed",
                               f"{url} is a status list of {instance.name}: the service "
                               "allocates its entries (leave credentialStatus out)",
                               path="$.credential.credentialStatus")


def _urn_uuid(rng: RandomSource) -> str:
    raw = bytearray(rng.bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _exists(credential_id: str) -> ServiceError:
    return ServiceError("credential-id-exists",
                        f"a credential with id {credential_id} was issued already",
                        path="$.options.credentialId")


def _same_request(db: sqlite3.Connection, credential_id: str, instance: IssuerInstance,
                  credential: dict, cryptosuite: str,
                  created: datetime | str | None) -> IssuedCredential | None:
    """The credential on record under ``credential_id`` if this request repeats the one
    that issued it (a client retrying after a lost answer), else ``None``.

    The same request: the same instance and suite, the same credential once the
    proof and the status entries the service added are set aside, and no other
    ``created`` time. Anything else under that id is another credential.
    """
    row = db.execute("SELECT id, issuer, cryptosuite, credential FROM credential_record"
                     " WHERE credential_id = ?", (credential_id,)).fetchone()
    if row is None or row[1] != instance.name or row[2] != cryptosuite:
        return None
    stored = json.loads(row[3])
    proof = stored.get("proof")
    earlier = {k: v for k, v in stored.items() if k != "proof"
               and not (k == "credentialStatus" and "credentialStatus" not in credential)}
    if earlier != credential:
        return None
    if created is not None:
        wanted = created if isinstance(created, str) else format_timestamp(created)
        if not isinstance(proof, dict) or proof.get("created") != wanted:
            return None
    return IssuedCredential(row[0], credential_id, stored, repeated=True)


def _record_of(db: sqlite3.Connection, credential_id: str) -> tuple | None:
    return db.execute("SELECT id, issuer, revoked_at, suspended_at FROM credential_record"
                      " WHERE credential_id = ?", (credential_id,)).fetchone()


def _insert_record(db: sqlite3.Connection, signer: Signer, signed: dict,
                   credential_id: str | None, cryptosuite: str, moment: str) -> int:
    first = next(iter(subjects(signed)), None)
    subject = first.get("id") if isinstance(first, dict) else None
    cursor = db.execute(
        "INSERT INTO credential_record (issuer, credential_id, subject, definition, cryptosuite,"
        " issued_at, credential) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (signer.instance.name, credential_id, subject if isinstance(subject, str) else None,
         signer.instance.definition, cryptosuite, moment,
         json.dumps(signed, separators=(",", ":"), ensure_ascii=False)))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _template(open_list: _OpenList, issuer: str, purpose: str, index: int) -> StatusList:
    """A list object with only ``index`` taken: enough for the library to write its entry."""
    allocated = bytearray(open_list.length // 8)
    allocated[index >> 3] |= 0x80 >> (index & 7)
    return StatusList(open_list.url, issuer, purpose, bytes(open_list.length // 8),
                      bytes(allocated))


def _capacity(length: int) -> int:
    return length // 2


def _full(db: sqlite3.Connection, open_list: _OpenList) -> bool:
    row = db.execute("SELECT allocated FROM status_list WHERE id = ?", (open_list.id,)).fetchone()
    return int(row[0]) >= _capacity(open_list.length)


def _free_index(db: sqlite3.Connection, open_list: _OpenList, rng: RandomSource) -> int:
    while True:
        index = randbelow(rng, open_list.length)
        if db.execute("SELECT 1 FROM status_entry WHERE list_id = ? AND status_index = ?",
                      (open_list.id, index)).fetchone() is None:
            return index


def _open_list(db: sqlite3.Connection, signer: Signer, purpose: str, *, now: datetime,
               registry: LocalRegistry) -> _OpenList:
    """The instance's current list for ``purpose`` with room left, started if need be."""
    name = signer.instance.name
    while True:
        row = db.execute("SELECT id, url, length, allocated, number FROM status_list"
                         " WHERE issuer = ? AND purpose = ? ORDER BY number DESC LIMIT 1",
                         (name, purpose)).fetchone()
        if row is not None and row[3] < _capacity(row[2]):
            return _OpenList(row[0], row[1], row[2])
        number = 1 if row is None else row[4] + 1
        try:
            _start_list(db, signer, purpose, number, now=now, registry=registry)
        except sqlite3.IntegrityError:
            pass  # another worker started it: read it again


def _start_list(db: sqlite3.Connection, signer: Signer, purpose: str, number: int, *,
                now: datetime, registry: LocalRegistry) -> None:
    instance = signer.instance
    assert instance.status_list_base is not None
    url = f"{instance.status_list_base}/{purpose}/{number}"
    status_list = new_status_list(url, instance.did, purpose, length=signer.list_length)
    moment = format_timestamp(now)
    with transaction(db):
        db.execute("INSERT INTO status_list (issuer, purpose, number, url, length, credential,"
                   " published_at) VALUES (?, ?, ?, ?, ?, '', ?)",
                   (instance.name, purpose, number, url, status_list.length, moment))
        _publish(db, signer, status_list, now=now, registry=registry)
        record_event(db, at=moment, actor="service", action="status-list-start",
                     issuer=instance.name, subject=url, detail={"purpose": purpose})


def _publish(db: sqlite3.Connection, signer: Signer, status_list: StatusList, *,
             now: datetime, registry: LocalRegistry) -> dict:
    """Sign the list, keep it in the database and publish it to the registry folder."""
    signed = sign_status_list(status_list, signer.key, valid_from=now, created=now,
                              loader=signer.loader)
    db.execute("UPDATE status_list SET credential = ?, published_at = ? WHERE url = ?",
               (json.dumps(signed, separators=(",", ":")), format_timestamp(now),
                status_list.url))
    registry.publish(status_list.url, signed, replace=True)
    return signed


_ACTIONS = {("revocation", True): revoke, ("suspension", True): suspend,
            ("suspension", False): unsuspend}


def change_status(
    db: sqlite3.Connection, signer: Signer, credential_id: str, purpose: str, value: bool, *,
    now: datetime, registry: LocalRegistry, actor: str = "anonymous",
) -> StatusChange:
    """Set (``value`` true) or clear a credential's ``purpose`` entry; republish its list."""
    if purpose not in PURPOSES:
        raise StatusListError("bad-purpose",
                              f"statusPurpose must be one of {', '.join(PURPOSES)}",
                              path="$.credentialStatus[0].statusPurpose")
    moment = format_timestamp(now)
    with transaction(db):
        found = _record_of(db, credential_id)
        if found is None or found[1] != signer.instance.name:
            raise ServiceError("unknown-credential",
                               f"{signer.instance.name} issued no credential {credential_id}",
                               path="$.credentialId")
        entry = db.execute(
            "SELECT l.id, l.url, l.length, e.status_index FROM status_entry e"
            " JOIN status_list l ON l.id = e.list_id WHERE e.record_id = ? AND l.purpose = ?",
            (found[0], purpose)).fetchone()
        if entry is None:
            raise ServiceError("credential-without-status",
                               f"credential {credential_id} has no {purpose} entry",
                               path="$.credentialStatus")
        list_id, url, length, index = entry
        status_list = _current(db, list_id, url, length, signer.instance.did, purpose)
        action = _ACTIONS.get((purpose, value))
        if action is None:  # the library refuses: a revocation is permanent
            raise _unrevoke_refusal(status_list, index)
        updated = action(status_list, index)
        column = "revoked_at" if purpose == "revocation" else "suspended_at"
        db.execute(f"UPDATE credential_record SET {column} = ? WHERE id = ?",
                   (moment if value else None, found[0]))
        _publish(db, signer, updated, now=now, registry=registry)
        record_event(db, at=moment, actor=actor, action=f"status-{purpose}",
                     issuer=signer.instance.name, subject=credential_id,
                     detail={"statusList": url, "index": index, "value": value})
    return StatusChange(credential_id, purpose, url, index, value)


def _unrevoke_refusal(status_list: StatusList, index: int) -> Exception:
    try:
        unrevoke(status_list, index)
    except StatusListError as exc:
        return exc
    raise AssertionError("unrevoke always refuses")  # pragma: no cover


def _current(db: sqlite3.Connection, list_id: int, url: str, length: int, issuer: str,
             purpose: str) -> StatusList:
    """The list as the records say: every taken index, set where the credential's state says."""
    column = "revoked_at" if purpose == "revocation" else "suspended_at"
    bits = bytearray(length // 8)
    allocated = bytearray(length // 8)
    for index, is_set in db.execute(
            f"SELECT e.status_index, r.{column} IS NOT NULL FROM status_entry e"
            " JOIN credential_record r ON r.id = e.record_id WHERE e.list_id = ?", (list_id,)):
        allocated[index >> 3] |= 0x80 >> (index & 7)
        if is_set:
            bits[index >> 3] |= 0x80 >> (index & 7)
    return StatusList(url, issuer, purpose, bytes(bits), bytes(allocated))


def published_list(db: sqlite3.Connection, issuer: str, purpose: str, number: int) -> dict:
    """The signed status list credential ``number`` of ``issuer`` for ``purpose``, as published."""
    row = db.execute("SELECT credential FROM status_list WHERE issuer = ? AND purpose = ?"
                     " AND number = ?", (issuer, purpose, number)).fetchone()
    if row is None:
        raise ServiceError("unknown-status-list",
                           f"{issuer} published no {purpose} list {number}")
    document: dict[str, Any] = json.loads(row[0])
    return document
