"""Reading a credential's status: the verifier's side of Bitstring Status List v1.0.

For every ``credentialStatus`` entry of a credential, the verifier fetches the
status list credential from the local registry, verifies the list's own
proof, requires the list's issuer to be the credential's issuer (or one that
``authorised_status_issuers`` accepts), matches ``statusPurpose``, checks the
list is fresh (``validUntil``, ``ttl``), decodes it (bounded) and reads the
bit. It fails closed: anything that stops it from reading the bit is "status
unknown", never a pass.

Public API

- ``StatusCheckError(code, message, path=None)``; codes ``status-revoked``,
  ``status-suspended``, ``status-list-missing``, ``status-list-unverifiable``,
  ``status-list-wrong-issuer``, ``status-list-stale``,
  ``status-purpose-mismatch``, ``status-list-malformed``,
  ``status-index-out-of-range``, ``status-entry-malformed``,
  ``status-unsupported``. Messages start "revoked", "suspended" or
  "status unknown".
- ``EntryStatus`` (frozen): ``list_url``, ``index``, ``purpose``, ``ok``,
  ``code``, ``message``, ``set`` (the bit, or None if it could not be read).
- ``StatusCache``: verified, decoded lists keyed by (registry, URL, SHA-256 of
  the list credential); ``DEFAULT_STATUS_CACHE``.
- ``read_status(credential, registry, *, now=None, ...) -> tuple[EntryStatus, ...]``
  (never raises on a bad credential or list).
- ``check_status(credential, registry, *, now=None, ...) -> str``: a one-line
  summary, or ``StatusCheckError`` for the first entry that does not pass.

``authorised_status_issuers(list_issuer, credential_issuer) -> bool`` is the
hook for a trust registry that lets another party publish status for an
issuer; without it, only the credential's own issuer may.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .credentials import issuer_id
from .errors import CoopCredsError
from .safe_json import DEFAULT_LIMITS, Limits, loads_strict
from .status_list import (
    MAX_DECODED_BYTES,
    MAX_ENCODED_CHARS,
    MIN_ENTRIES,
    StatusListError,
    decode_bits,
    get_bit,
)
from .timestamps import as_datetime, parse_timestamp

if TYPE_CHECKING:  # pragma: no cover
    from .loader import OfflineDocumentLoader
    from .registry import LocalRegistry

AuthorisedStatusIssuers = Callable[[str, str], bool]
SUPPORTED_PURPOSES = ("revocation", "suspension")
_INDEX = re.compile(r"^(0|[1-9][0-9]{0,11})$")


class StatusCheckError(CoopCredsError):
    """A credential whose status is set, or could not be read (fail closed)."""


@dataclass(frozen=True)
class EntryStatus:
    """The outcome for one ``credentialStatus`` entry."""

    list_url: str | None
    index: int | None
    purpose: str | None
    ok: bool
    code: str | None
    message: str
    set: bool | None = None


@dataclass(frozen=True)
class _Decoded:
    bits: bytes
    issuer: str | None
    purposes: tuple[str, ...]


class StatusCache:
    """Verified, decoded status lists by (registry, URL, SHA-256 of the list credential).

    A changed list has a new digest, so it is verified afresh. The proof is
    verified once per digest: a change to the issuer's DID document (a key
    marked compromised) takes effect for lists already cached once ``clear()``
    is called or the list is republished.
    """

    def __init__(self, max_lists: int = 64) -> None:
        self.max_lists = max_lists
        self._items: OrderedDict[tuple[str, str, str], _Decoded] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> _Decoded | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, str, str], value: _Decoded) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_lists:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


DEFAULT_STATUS_CACHE = StatusCache()


def _entries(credential: dict) -> list[tuple[str, Any]]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    if isinstance(status, list):
        return [(f"$.credentialStatus[{i}]", e) for i, e in enumerate(status)]
    return [("$.credentialStatus", status)]


def read_status(
    credential: dict,
    registry: LocalRegistry | None,
    *,
    now: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    clock_skew: timedelta = timedelta(minutes=5),
    authorised_status_issuers: AuthorisedStatusIssuers | None = None,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
) -> tuple[EntryStatus, ...]:
    """The status of every ``credentialStatus`` entry of ``credential`` (never raises on bad data)."""
    moment = as_datetime(now)
    results = []
    for path, entry in _entries(credential):
        try:
            results.append(
                _check_entry(
                    credential,
                    entry,
                    path,
                    registry,
                    moment,
                    loader,
                    limits,
                    clock_skew,
                    authorised_status_issuers,
                    cache,
                    max_list_bytes,
                )
            )
        except StatusCheckError as exc:
            url = entry.get("statusListCredential") if isinstance(entry, dict) else None
            results.append(
                EntryStatus(
                    url if isinstance(url, str) else None,
                    _index_or_none(entry),
                    entry.get("statusPurpose") if isinstance(entry, dict) else None,
                    False,
                    exc.code,
                    exc.message,
                    True if exc.code in ("status-revoked", "status-suspended") else None,
                )
            )
    return tuple(results)


def check_status(
    credential: dict,
    registry: LocalRegistry | None,
    *,
    now: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
    clock_skew: timedelta = timedelta(minutes=5),
    authorised_status_issuers: AuthorisedStatusIssuers | None = None,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
) -> str:
    """A one-line summary if every entry passes; else ``StatusCheckError`` for the first that fails."""
    entries = _entries(credential)
    if not entries:
        return "no credentialStatus: nothing to revoke"
    if registry is None:
        raise StatusCheckError(
            "status-not-checked",
            "status unknown: no registry to read the status list from, so it fails closed",
            path="$.credentialStatus",
        )
    results = read_status(
        credential,
        registry,
        now=now,
        loader=loader,
        limits=limits,
        clock_skew=clock_skew,
        authorised_status_issuers=authorised_status_issuers,
        cache=cache,
        max_list_bytes=max_list_bytes,
    )
    for (path, _), result in zip(entries, results):
        if not result.ok:
            raise StatusCheckError(result.code or "status-unknown", result.message, path=path)
    return "; ".join(r.message for r in results)


def _index_or_none(entry: Any) -> int | None:
    if isinstance(entry, dict):
        value = entry.get("statusListIndex")
        if isinstance(value, str) and _INDEX.match(value):
            return int(value)
    return None


def _unknown(code: str, why: str, path: str) -> StatusCheckError:
    return StatusCheckError(code, f"status unknown: {why}", path=path)


def _check_entry(
    credential: dict,
    entry: Any,
    path: str,
    registry: LocalRegistry | None,
    moment: datetime,
    loader: OfflineDocumentLoader | None,
    limits: Limits,
    clock_skew: timedelta,
    authorised: AuthorisedStatusIssuers | None,
    cache: StatusCache | None,
    max_list_bytes: int,
) -> EntryStatus:
    # --- the entry itself
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise _unknown(
            "status-unsupported", "only BitstringStatusListEntry status entries are understood", path
        )
    url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose")
    raw_index = entry.get("statusListIndex")
    if not isinstance(url, str) or not url:
        raise _unknown("status-entry-malformed", "the entry has no statusListCredential URL", path)
    if "id" in entry and entry["id"] == url:
        raise _unknown(
            "status-entry-malformed", "the entry's id must differ from its statusListCredential", path
        )
    if not isinstance(raw_index, str) or not _INDEX.match(raw_index):
        raise _unknown(
            "status-entry-malformed",
            f"statusListIndex must be a base-10 integer in a string, not {raw_index!r}",
            f"{path}.statusListIndex",
        )
    index = int(raw_index)
    if purpose not in SUPPORTED_PURPOSES:
        raise _unknown(
            "status-unsupported",
            f"status purpose {purpose!r} is not supported (revocation, suspension)",
            f"{path}.statusPurpose",
        )
    if entry.get("statusSize", 1) != 1:
        raise _unknown(
            "status-unsupported", "only statusSize 1 is supported", f"{path}.statusSize"
        )
    if registry is None:
        raise _unknown("status-not-checked", "no registry to read the status list from", path)

    # --- the list credential
    try:
        raw = registry.path_for(url).read_bytes() if registry.has(url) else None
    except (CoopCredsError, OSError) as exc:
        raise _unknown("status-list-missing", f"cannot read the status list {url}: {exc}", path)
    if raw is None:
        raise _unknown(
            "status-list-missing", f"no status list is published at {url}", path
        )
    try:
        document = loads_strict(raw, limits)
    except CoopCredsError as exc:
        raise _unknown("status-list-malformed", f"the status list at {url}: {exc}", path)
    if not isinstance(document, dict):
        raise _unknown("status-list-malformed", f"the status list at {url} is not an object", path)
    _check_fresh(document, url, moment, clock_skew, path)

    # The registry is part of the key: a did:web issuer's keys are read from it.
    key = (str(registry.root), url, hashlib.sha256(raw).hexdigest())
    decoded = cache.get(key) if cache is not None else None
    if decoded is None:
        decoded = _verify_and_decode(
            document, url, moment, registry, loader, limits, clock_skew, max_list_bytes, path
        )
        if cache is not None:
            cache.put(key, decoded)

    # --- who published it, for what
    cred_issuer = issuer_id(credential)
    if decoded.issuer != cred_issuer and not (
        authorised is not None
        and decoded.issuer is not None
        and cred_issuer is not None
        and authorised(decoded.issuer, cred_issuer)
    ):
        raise _unknown(
            "status-list-wrong-issuer",
            f"the status list {url} is published by {decoded.issuer}, "
            f"not by the issuer {cred_issuer}",
            path,
        )
    if purpose not in decoded.purposes:
        raise _unknown(
            "status-purpose-mismatch",
            f"the entry's purpose is {purpose} but the list at {url} is for "
            f"{', '.join(decoded.purposes) or 'nothing'}",
            f"{path}.statusPurpose",
        )
    try:
        bit = get_bit(decoded.bits, index)
    except StatusListError:
        raise _unknown(
            "status-index-out-of-range",
            f"index {index} is outside the {len(decoded.bits) * 8:,} entries of {url}",
            f"{path}.statusListIndex",
        ) from None
    if bit:
        word = "revoked" if purpose == "revocation" else "suspended"
        raise StatusCheckError(
            f"status-{word}", f"{word} (index {index} of {url})", path=path
        )
    state = "not revoked" if purpose == "revocation" else "not suspended"
    return EntryStatus(url, index, purpose, True, None, f"{state} (index {index} of {url})", False)


def _check_fresh(
    document: dict, url: str, moment: datetime, clock_skew: timedelta, path: str
) -> None:
    """A list past its validUntil, or older than its ttl, is stale; one not yet valid is refused.

    Checked on every read, cached or not: the cache holds what does not
    depend on the clock.
    """
    try:
        if "validFrom" in document:
            start = parse_timestamp(document["validFrom"])
            if start > moment + clock_skew:
                raise _unknown(
                    "status-list-unverifiable",
                    f"the status list {url} is not valid until {document['validFrom']}",
                    path,
                )
        if "validUntil" in document:
            until = parse_timestamp(document["validUntil"])
            if until < moment - clock_skew:
                raise _unknown(
                    "status-list-stale",
                    f"the status list {url} is stale: valid until {document['validUntil']}",
                    path,
                )
        subject = document.get("credentialSubject")
        ttl = subject.get("ttl") if isinstance(subject, dict) else None
        if ttl is not None:
            if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl <= 0:
                raise _unknown("status-list-malformed", f"the status list {url} has a bad ttl", path)
            if "validFrom" not in document:
                raise _unknown(
                    "status-list-malformed",
                    f"the status list {url} has a ttl but no validFrom to count it from",
                    path,
                )
            start = parse_timestamp(document["validFrom"])
            if start + timedelta(milliseconds=ttl) < moment - clock_skew:
                raise _unknown(
                    "status-list-stale",
                    f"the status list {url} is stale: issued {document['validFrom']}, "
                    f"ttl {ttl:,} ms has passed",
                    path,
                )
    except StatusCheckError:
        raise
    except CoopCredsError as exc:
        raise _unknown("status-list-malformed", f"the status list {url}: {exc}", path) from None


def _verify_and_decode(
    document: dict,
    url: str,
    moment: datetime,
    registry: LocalRegistry,
    loader: OfflineDocumentLoader | None,
    limits: Limits,
    clock_skew: timedelta,
    max_list_bytes: int,
    path: str,
) -> _Decoded:
    from .verification import verify_credential  # verification calls back into this module

    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "BitstringStatusListCredential" not in types:
        raise _unknown(
            "status-list-malformed", f"the document at {url} is not a BitstringStatusListCredential", path
        )
    if "credentialStatus" in document:
        # A list whose own status would need checking could recurse forever.
        raise _unknown(
            "status-list-unverifiable",
            f"the status list {url} itself carries credentialStatus: refused",
            path,
        )
    result = verify_credential(
        document, now=moment, loader=loader, limits=limits, clock_skew=clock_skew, registry=registry
    )
    if not result.verified:
        first = result.failed[0]
        raise _unknown(
            "status-list-unverifiable",
            f"the status list {url} does not verify ({first.name}: {first.message})",
            path,
        )
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise _unknown(
            "status-list-malformed", f"the status list {url} has no BitstringStatusList subject", path
        )
    purposes = subject.get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    try:
        bits = decode_bits(
            subject.get("encodedList"),
            max_bytes=max_list_bytes,
            max_chars=MAX_ENCODED_CHARS,
            min_entries=MIN_ENTRIES,
        )
    except StatusListError as exc:
        raise _unknown("status-list-malformed", f"the status list {url}: {exc}", path) from None
    return _Decoded(
        bits, issuer_id(document), tuple(p for p in purposes if isinstance(p, str))
    )
