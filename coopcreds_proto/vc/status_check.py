"""Reading a credential's status: the verifier's side of Bitstring Status List v1.0.

For every ``credentialStatus`` entry of a credential, the verifier fetches the
status list credential from the local registry, verifies the list's own
proof, requires the list's issuer to be the credential's issuer (or one that
``authorised_status_issuers`` accepts), matches ``statusPurpose``, checks the
list is fresh (``validUntil``, ``ttl``), decodes it (bounded) and reads the
entry's value. It fails closed: anything that stops it from reading the value
is "status unknown", never a pass.

Purposes: ``revocation`` and ``suspension`` fail when the value is not 0;
``refresh`` and ``message`` never fail a credential, they inform (a refreshed
credential is available; the issuer's message for the value). An entry of
``statusSize`` n > 1 reads n bits from bit ``index * n``, most significant
first, and must carry a ``statusMessage`` with exactly 2^n distinct values
("0x0" ...), which names the value in the outcome. A list must hold at least
131,072 entries of that size.

Public API

- ``StatusCheckError(code, message, path=None)``; codes ``status-revoked``,
  ``status-suspended``, ``status-list-missing``, ``status-list-unverifiable``,
  ``status-list-wrong-issuer``, ``status-list-wrong-url`` (the list's ``id``
  is not the URL it was read from), ``status-list-stale``,
  ``status-purpose-mismatch``, ``status-list-malformed``,
  ``status-index-out-of-range``, ``status-entry-malformed``,
  ``status-unsupported``. Messages start "revoked", "suspended" or
  "status unknown".
- ``EntryStatus`` (frozen): ``list_url``, ``index``, ``purpose``, ``ok``,
  ``code``, ``message``, ``set`` (value not 0, or None if it could not be
  read), ``value`` (the entry's value) and ``status_message`` (its
  ``statusMessage`` text, if the entry has one).
- ``StatusCache``: verified, decoded lists keyed by (registry, URL, SHA-256 of
  the list credential, key-revocation policy); each entry is used only while
  the list's proofs and validity period hold (it knows when they end);
  ``DEFAULT_STATUS_CACHE``.
- ``read_entries(credential, options, *, verify_list, ...) -> tuple[EntryStatus, ...]``
  (never raises on a bad credential or list).
- ``check_entries(credential, options, *, verify_list, ...) -> str``: a one-line
  summary, or ``StatusCheckError`` for the first entry that does not pass.

Both read with the verifier's ``VerifierOptions`` (registry, clock, skew,
key-revocation policy, ``authorised_status_issuers``) and verify each list's
own proof with ``verify_list``, the credential verifier they are given
(``verification.read_status`` and ``check_status`` give them
``verify_credential``). ``authorised_status_issuers(list_issuer,
credential_issuer) -> bool`` is the hook for a trust registry that lets
another party publish status for an issuer; without it, only the credential's
own issuer may.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..errors import CoopCredsError, require_type
from ..proofs import proofs_of
from ..safe_json import loads_strict
from ..timestamps import EARLIEST, LATEST, parse_timestamp, shifted
from ..urls import shown_url, url_problem
from ..verifier_options import VerifierOptions
from .credentials import issuer_id
from .status_list import (
    MAX_DECODED_BYTES,
    MAX_ENCODED_CHARS,
    MIN_ENTRIES,
    StatusListError,
    decode_bits,
    get_bit,
)


class VerifiedResult(Protocol):
    """What a status check needs of a credential verifier's result."""

    @property
    def verified(self) -> bool: ...

    @property
    def failed(self) -> tuple[Any, ...]: ...


CredentialVerifier = Callable[[dict, VerifierOptions], VerifiedResult]
"""``verify(document, options)``: how a status list's own proof is verified."""

SUPPORTED_PURPOSES = ("revocation", "suspension", "refresh", "message")
FAILING_PURPOSES = {"revocation": "revoked", "suspension": "suspended"}
MAX_STATUS_SIZE = 8  # 256 values: more than any status message list needs
_INDEX = re.compile(r"^(0|[1-9][0-9]{0,11})$")
_STATUS_VALUE = re.compile(r"^0x[0-9a-fA-F]+$")


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
    value: int | None = None
    status_message: str | None = None


@dataclass(frozen=True)
class _Decoded:
    bits: bytes
    issuer: str | None
    purposes: tuple[str, ...]
    # When the verification behind this entry holds: from the latest proof
    # ``created`` (or ``validFrom``) to the earliest proof ``expires`` (or
    # ``validUntil``); outside it the list is verified afresh.
    not_before: datetime = EARLIEST
    not_after: datetime = LATEST
    # What ``_check_fresh`` reads of the list credential (validity and ttl),
    # checked again at each use of the cached list.
    freshness: dict = field(default_factory=dict)

    def usable_at(self, moment: datetime, clock_skew: timedelta) -> bool:
        """Whether the list's proofs and validity period hold at ``moment`` (within the skew)."""
        return (self.not_before <= shifted(moment, clock_skew)
                and self.not_after >= shifted(moment, -clock_skew))


class StatusCache:
    """Verified, decoded status lists by (registry, URL, SHA-256 of the list credential).

    A changed list has a new digest, so it is verified afresh. The proof is
    verified once per digest, and the entry is used only at moments when the
    list's proofs have not expired (nor were created later) and its validity
    period holds: past a proof's ``expires`` the list is verified again, and
    refused. A change to the issuer's DID document (a key marked compromised)
    takes effect for lists already cached once ``clear()`` is called or the
    list is republished.
    """

    def __init__(self, max_lists: int = 64) -> None:
        self.max_lists = max_lists
        self._items: OrderedDict[tuple[str, str, str, bool], _Decoded] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: tuple[str, str, str, bool],
        moment: datetime | None = None,
        clock_skew: timedelta = timedelta(0),
    ) -> _Decoded | None:
        """The entry for ``key``, if there is one usable at ``moment`` (any moment if None)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if moment is not None and not item.usable_at(moment, clock_skew):
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, str, str, bool], value: _Decoded) -> None:
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


def read_entries(
    credential: dict,
    options: VerifierOptions,
    *,
    verify_list: CredentialVerifier,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
) -> tuple[EntryStatus, ...]:
    """The status of every ``credentialStatus`` entry of ``credential`` (never raises on bad data)."""
    _require_object(credential, options)
    options = options.pinned()
    results = []
    for path, entry in _entries(credential):
        try:
            results.append(
                _check_entry(credential, entry, path, options, verify_list, cache, max_list_bytes)
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


def check_entries(
    credential: dict,
    options: VerifierOptions,
    *,
    verify_list: CredentialVerifier,
    cache: StatusCache | None = DEFAULT_STATUS_CACHE,
    max_list_bytes: int = MAX_DECODED_BYTES,
) -> str:
    """A one-line summary if every entry passes; else ``StatusCheckError`` for the first that fails."""
    _require_object(credential, options)
    entries = _entries(credential)
    if not entries:
        return "no credentialStatus: nothing to revoke"
    if options.registry is None:
        raise StatusCheckError(
            "status-not-checked",
            "status unknown: no registry to read the status list from, so it fails closed",
            path="$.credentialStatus",
        )
    options = options.pinned()
    messages = []
    for path, entry in entries:
        try:
            result = _check_entry(
                credential, entry, path, options, verify_list, cache, max_list_bytes
            )
        except StatusCheckError as exc:
            raise exc.with_path(path) from None
        messages.append(result.message)
    return "; ".join(messages)


def _require_object(credential: object, options: object) -> None:
    require_type(options, VerifierOptions, "options")
    if not isinstance(credential, dict):
        raise TypeError(
            f"a credential to read the status of is a dict, not {type(credential).__name__}"
        )


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
    options: VerifierOptions,
    verify_list: CredentialVerifier,
    cache: StatusCache | None,
    max_list_bytes: int,
) -> EntryStatus:
    registry, moment = options.registry, options.moment()
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
    problem = url_problem(url)
    if problem is not None:
        raise _unknown(
            "status-entry-malformed",
            f"statusListCredential {shown_url(url)} is not a usable URL: {problem}",
            f"{path}.statusListCredential",
        )
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
            f"status purpose {purpose!r} is not supported ({', '.join(SUPPORTED_PURPOSES)})",
            f"{path}.statusPurpose",
        )
    size, messages = _size_and_messages(entry, path)
    if registry is None:
        raise _unknown("status-not-checked", "no registry to read the status list from", path)

    # --- the list credential
    try:
        raw = registry.read_bytes(url)
    except (CoopCredsError, OSError) as exc:
        raise _unknown("status-list-missing", f"cannot read the status list {url}: {exc}", path)
    if raw is None:
        raise _unknown(
            "status-list-missing", f"no status list is published at {url}", path
        )
    # The registry is part of the key: a did:web issuer's keys are read from it;
    # so is the key-revocation policy, which changes whether the list's proof passes.
    key = (
        str(registry.root), url, hashlib.sha256(raw).hexdigest(),
        options.trust_signatures_before_key_revocation,
    )
    decoded = cache.get(key, moment, options.clock_skew) if cache is not None else None
    if decoded is not None:
        # The same bytes as the list verified before: only what the clock decides is read again.
        _check_fresh(decoded.freshness, url, moment, options.clock_skew, path)
    else:
        try:
            document = loads_strict(raw, options.limits)
        except CoopCredsError as exc:
            raise _unknown("status-list-malformed", f"the status list at {url}: {exc}", path)
        if not isinstance(document, dict):
            raise _unknown(
                "status-list-malformed", f"the status list at {url} is not an object", path
            )
        _check_fresh(document, url, moment, options.clock_skew, path)
        decoded = replace(
            _verify_and_decode(document, url, options, verify_list, max_list_bytes, path),
            freshness=_freshness(document),
        )
        if cache is not None:
            cache.put(key, decoded)

    # --- who published it, for what
    cred_issuer = issuer_id(credential)
    authorised = options.authorised_status_issuers
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
    if len(decoded.bits) * 8 < MIN_ENTRIES * size:
        raise _unknown(
            "status-list-malformed",
            f"the status list {url} holds fewer than {MIN_ENTRIES:,} entries of {size} bits",
            path,
        )
    try:
        value = _read_value(decoded.bits, index, size)
    except StatusListError:
        raise _unknown(
            "status-index-out-of-range",
            f"index {index} is outside the {len(decoded.bits) * 8 // size:,} entries of {url}",
            f"{path}.statusListIndex",
        ) from None
    named = messages.get(value) if messages else None
    where = f"index {index} of {url}"
    said = f": {named}" if named else ""
    if purpose in FAILING_PURPOSES:
        word = FAILING_PURPOSES[purpose]
        if value and purpose == "revocation":
            raise StatusCheckError("status-revoked", f"revoked ({where}){said}", path=path)
        if value:
            raise StatusCheckError("status-suspended", f"suspended ({where}){said}", path=path)
        return EntryStatus(url, index, purpose, True, None, f"not {word} ({where}){said}", False,
                           value, named)
    if purpose == "refresh":
        text = ("a refreshed credential is available from the issuer" if value
                else "no refresh pending")
    else:  # message
        text = f"issuer's message: {named}" if named else f"status value {value:#x}"
    return EntryStatus(url, index, purpose, True, None, f"{text} ({where})", bool(value),
                       value, named)


def _size_and_messages(entry: dict, path: str) -> tuple[int, dict[int, str]]:
    """``statusSize`` (default 1) and the ``statusMessage`` values it names."""
    size = entry.get("statusSize", 1)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_STATUS_SIZE:
        raise _unknown(
            "status-unsupported" if isinstance(size, int) and size > MAX_STATUS_SIZE
            else "status-entry-malformed",
            f"statusSize must be an integer from 1 to {MAX_STATUS_SIZE}, not {size!r}",
            f"{path}.statusSize",
        )
    listed = entry.get("statusMessage")
    if listed is None:
        if size > 1:
            raise _unknown("status-entry-malformed",
                           f"statusSize {size} needs a statusMessage naming each value",
                           f"{path}.statusMessage")
        return size, {}
    if not isinstance(listed, list) or len(listed) != 2 ** size:
        raise _unknown("status-entry-malformed",
                       f"statusMessage must list exactly {2 ** size} values for statusSize {size}",
                       f"{path}.statusMessage")
    messages: dict[int, str] = {}
    for i, item in enumerate(listed):
        where = f"{path}.statusMessage[{i}]"
        status = item.get("status") if isinstance(item, dict) else None
        text = item.get("message") if isinstance(item, dict) else None
        if not isinstance(status, str) or not _STATUS_VALUE.match(status) \
                or not isinstance(text, str):
            raise _unknown("status-entry-malformed",
                           'each statusMessage needs a "status" like "0x1" and a "message"', where)
        value = int(status, 16)
        if value >= 2 ** size or value in messages:
            raise _unknown("status-entry-malformed",
                           f"status {status} is out of range or listed twice", where)
        messages[value] = text
    return size, messages


def _read_value(bits: bytes, index: int, size: int) -> int:
    """The ``size``-bit value of entry ``index``, most significant bit first."""
    value = 0
    for bit in range(index * size, index * size + size):
        value = (value << 1) | get_bit(bits, bit)
    return value


def _freshness(document: dict) -> dict:
    """The parts of a list credential that ``_check_fresh`` reads."""
    kept: dict = {k: document[k] for k in ("validFrom", "validUntil") if k in document}
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and "ttl" in subject:
        kept["credentialSubject"] = {"ttl": subject["ttl"]}
    return kept


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
            if start > shifted(moment, clock_skew):
                raise _unknown(
                    "status-list-unverifiable",
                    f"the status list {url} is not valid until {document['validFrom']}",
                    path,
                )
        if "validUntil" in document:
            until = parse_timestamp(document["validUntil"])
            if until < shifted(moment, -clock_skew):
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
            if _after_ttl(start, ttl) < shifted(moment, -clock_skew):
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


def _after_ttl(start: datetime, ttl: int) -> datetime:
    """``start`` plus ``ttl`` milliseconds, saturating at the end of the calendar."""
    try:
        return shifted(start, timedelta(milliseconds=ttl))
    except OverflowError:  # more milliseconds than a timedelta holds
        return LATEST


def _validity_window(document: dict) -> tuple[datetime, datetime]:
    """(latest ``created``/``validFrom``, earliest ``expires``/``validUntil``) of a verified list."""
    starts, ends = [EARLIEST], [LATEST]
    for proof in proofs_of(document):
        if isinstance(proof, dict):
            starts += [parse_timestamp(proof["created"])] if "created" in proof else []
            ends += [parse_timestamp(proof["expires"])] if "expires" in proof else []
    starts += [parse_timestamp(document["validFrom"])] if "validFrom" in document else []
    ends += [parse_timestamp(document["validUntil"])] if "validUntil" in document else []
    return max(starts), min(ends)


def _verify_and_decode(
    document: dict,
    url: str,
    options: VerifierOptions,
    verify_list: CredentialVerifier,
    max_list_bytes: int,
    path: str,
) -> _Decoded:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "BitstringStatusListCredential" not in types:
        raise _unknown(
            "status-list-malformed", f"the document at {url} is not a BitstringStatusListCredential", path
        )
    if document.get("id") != url:
        # Bitstring Status List v1.0: the list credential's id is the URL in
        # the entry. A list copied to another URL is not the list it names.
        listed = document.get("id")
        raise _unknown(
            "status-list-wrong-url",
            f"the status list read from {url} has the id {shown_url(listed)}"
            if listed is not None else f"the status list read from {url} has no id",
            path,
        )
    if "credentialStatus" in document:
        # A list whose own status would need checking could recurse forever.
        raise _unknown(
            "status-list-unverifiable",
            f"the status list {url} itself carries credentialStatus: refused",
            path,
        )
    # The list is verified with the same options as the credential, except
    # that another party's permission to publish status does not carry over.
    result = verify_list(document, replace(options, authorised_status_issuers=None))
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
    try:
        not_before, not_after = _validity_window(document)
    except CoopCredsError as exc:  # the verifier read the same times: not expected
        raise _unknown("status-list-malformed", f"the status list {url}: {exc}", path) from None
    return _Decoded(
        bits, issuer_id(document), tuple(p for p in purposes if isinstance(p, str)),
        not_before, not_after,
    )
