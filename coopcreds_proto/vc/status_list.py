"""Revocation and suspension: W3C Bitstring Status List v1.0, the issuer's side.

A status list is a bitstring of at least 131,072 entries. Every credential an
issuer wants to be able to revoke (or suspend) gets an index in the list, and
the issuer publishes the list as a signed ``BitstringStatusListCredential``;
a verifier reads the bit at the credential's index (``status_check``).

Encoding (the spec's rules): bit ``i`` is ``byte[i // 8] & (0x80 >> (i % 8))``;
the bytes are GZIP-compressed (RFC 1952), base64url-encoded without padding
and prefixed with the multibase ``u``. Decoding is bounded: the compressed
input and the decompressed output both have a maximum size, so a gzip bomb is
refused after reading no more than the limit.

Indexes are allocated at random, never twice (herd privacy: an index says
nothing about when or to whom a credential was issued). The allocation state
is part of the list and is saved with it, atomically, so that no later run
reuses an index. Revocation is permanent; suspension can be lifted.

Public API

- ``MIN_ENTRIES`` (131,072), ``MAX_DECODED_BYTES`` (16 MiB),
  ``MAX_ENCODED_CHARS`` (1,000,000), ``PURPOSES`` ("revocation", "suspension").
- ``StatusListError(code, message, path=None)``: codes ``malformed-list``,
  ``list-too-large``, ``list-too-short``, ``index-out-of-range``,
  ``bad-index``, ``index-not-allocated``, ``list-full``, ``wrong-purpose``,
  ``revocation-is-permanent``, ``bad-purpose``, ``bad-length``,
  ``status-file-exists``, ``bad-status-file``.
- ``encode_bits(bits) -> str`` and ``decode_bits(encoded, *, max_bytes,
  max_chars) -> bytes``; ``get_bit(bits, i)``.
- ``StatusList`` (frozen): ``url``, ``issuer``, ``purpose``, ``bits``,
  ``allocated``; ``.length``, ``.status(i)``, ``.is_allocated(i)``,
  ``.allocated_count``, ``.set_count``, ``.encoded_list()``, ``.summary()``
  (a dict for a table; ``_repr_html_`` shows it).
- ``new_status_list(url, issuer, purpose="revocation", *, length=MIN_ENTRIES)``.
- ``allocate(status_list, rng=DEFAULT_RANDOM, count=1) -> (StatusList, indexes)``.
- ``revoke``, ``suspend``, ``unsuspend``, ``set_status(status_list, index,
  value)`` -> a new ``StatusList``; ``unrevoke`` always refuses.
- ``status_entry(status_list, index) -> dict`` (a ``credentialStatus`` entry).
- ``status_list_credential(status_list, *, valid_from, valid_until=None,
  ttl=None) -> dict`` (unsigned) and ``sign_status_list(status_list, key, *,
  valid_from, valid_until=None, ttl=None, created=None, loader=None)``.
- ``publish_status_list(status_list, key, registry, *, valid_from, ...)``:
  signs and publishes (replacing the previous list) at ``status_list.url``.
- ``save_status_list(status_list, path, *, overwrite=False)``,
  ``load_status_list(path)``, ``reserve_indexes(path, count=1, rng=...)``
  (load, allocate, save atomically under a lock; returns the indexes).

>>> from coopcreds_proto.randomness import SeededRandom
>>> lst = new_status_list("https://coop.example/status/1", "did:example:coop")
>>> lst, (index,) = allocate(lst, SeededRandom("doc"))
>>> lst = revoke(lst, index)
>>> lst.status(index), get_bit(decode_bits(lst.encoded_list()), index)
(True, True)
>>> status_entry(lst, index)["statusListIndex"] == str(index)
True
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import gzip
import json
import os
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import html_views
from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError, require_type
from ..keys import EcdsaKey
from ..randomness import DEFAULT_RANDOM, RandomSource, randbelow
from ..safe_json import DEFAULT_LIMITS, loads_strict
from ..timestamps import as_datetime, format_timestamp
from .credentials import VC_V2_CONTEXT, issue

if TYPE_CHECKING:  # pragma: no cover
    from ..keys import SigningKey
    from ..loader import OfflineDocumentLoader
    from ..local_registry import LocalRegistry

MIN_ENTRIES = 131_072
MAX_DECODED_BYTES = 16 * 1024 * 1024
MAX_ENCODED_CHARS = 1_000_000
PURPOSES = ("revocation", "suspension")
STATE_FORMAT = "coopcreds-status-list/1"
_CHUNK = 64 * 1024


class StatusListError(CoopCredsError):
    """A status list that cannot be used: malformed, too large, wrong index or purpose."""


# --- the bitstring ------------------------------------------------------------


def encode_bits(bits: bytes) -> str:
    """GZIP, then base64url without padding, with the multibase ``u`` prefix.

    >>> encode_bits(bytes(16384))[:5]
    'uH4sI'
    """
    require_type(bits, (bytes, bytearray), "a bitstring")
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bits(
    encoded: Any,
    *,
    max_bytes: int = MAX_DECODED_BYTES,
    max_chars: int = MAX_ENCODED_CHARS,
    min_entries: int = MIN_ENTRIES,
) -> bytes:
    """The bitstring in ``encoded``, never decompressing more than ``max_bytes``.

    >>> len(decode_bits(encode_bits(bytes(16384))))
    16384
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError(
            "malformed-list", "encodedList must be a string with the multibase prefix u"
        )
    if len(encoded) > max_chars:
        raise StatusListError(
            "list-too-large", f"encodedList has {len(encoded):,} characters, over {max_chars:,}"
        )
    body = encoded[1:]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", body):
        raise StatusListError("malformed-list", "encodedList is not base64url")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise StatusListError("malformed-list", "encodedList is not base64url") from None
    if compressed[:3] != b"\x1f\x8b\x08":
        raise StatusListError("malformed-list", "encodedList is not GZIP data")
    # Decompress a slice at a time with a cap on the output, so that a bomb
    # costs at most max_bytes of memory and the time to inflate that much.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = compressed
    try:
        while True:
            room = min(max_bytes + 1 - len(out), _CHUNK)
            chunk = inflater.decompress(pending, room)
            out += chunk
            if len(out) > max_bytes:
                raise StatusListError(
                    "list-too-large",
                    f"encodedList inflates to more than {max_bytes:,} bytes: refused",
                )
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and len(chunk) < room):
                break
    except zlib.error as exc:
        raise StatusListError("malformed-list", f"encodedList is not valid GZIP: {exc}") from None
    if not inflater.eof:
        raise StatusListError("malformed-list", "encodedList is truncated GZIP data")
    if inflater.unused_data:
        raise StatusListError("malformed-list", "encodedList has data after the GZIP stream")
    if len(out) * 8 < min_entries:
        raise StatusListError(
            "list-too-short",
            f"the list has {len(out) * 8:,} entries, fewer than the minimum {min_entries:,}",
        )
    return bytes(out)


def get_bit(bits: bytes, index: int) -> bool:
    """Bit ``index`` (0 is the most significant bit of the first byte)."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(
            "index-out-of-range",
            f"index {index} is outside the list's {len(bits) * 8:,} entries",
        )
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def _with_bit(bits: bytes, index: int, value: bool) -> bytes:
    get_bit(bits, index)  # range check
    out = bytearray(bits)
    mask = 0x80 >> (index & 7)
    out[index >> 3] = (out[index >> 3] | mask) if value else (out[index >> 3] & ~mask)
    return bytes(out)


# --- the issuer's list --------------------------------------------------------


@dataclass(frozen=True)
class StatusList:
    """An issuer's status list: its URL, purpose, bits and which indexes are taken."""

    url: str
    issuer: str
    purpose: str
    bits: bytes
    allocated: bytes

    def __post_init__(self) -> None:
        for name in ("url", "issuer", "purpose"):
            require_type(getattr(self, name), str, f"a status list's {name}")
        for name in ("bits", "allocated"):
            require_type(getattr(self, name), (bytes, bytearray), f"a status list's {name}")
        if self.purpose not in PURPOSES:
            raise StatusListError(
                "bad-purpose", f"purpose must be one of {', '.join(PURPOSES)}, not {self.purpose!r}"
            )
        if len(self.bits) != len(self.allocated) or len(self.bits) * 8 < MIN_ENTRIES:
            raise StatusListError(
                "bad-length", f"a status list has at least {MIN_ENTRIES:,} entries"
            )

    @property
    def length(self) -> int:
        """The number of entries."""
        return len(self.bits) * 8

    def status(self, index: int) -> bool:
        """True if entry ``index`` is set (revoked, or suspended)."""
        return get_bit(self.bits, index)

    def is_allocated(self, index: int) -> bool:
        """True if ``index`` was handed out to a credential."""
        return get_bit(self.allocated, index)

    @property
    def allocated_count(self) -> int:
        return int.from_bytes(self.allocated, "big").bit_count()

    @property
    def set_count(self) -> int:
        """How many entries are set."""
        return int.from_bytes(self.bits, "big").bit_count()

    def encoded_list(self) -> str:
        """The ``encodedList`` value of the list credential."""
        return encode_bits(self.bits)

    def summary(self) -> dict[str, Any]:
        """What a workshop needs to see: URL, purpose, size, how many taken and set."""
        return {
            "url": self.url,
            "issuer": self.issuer,
            "purpose": self.purpose,
            "entries": self.length,
            "allocated": self.allocated_count,
            "set": self.set_count,
            "encodedList characters": len(self.encoded_list()),
        }

    def __repr__(self) -> str:
        return (
            f"<StatusList {self.purpose} {self.url} entries={self.length:,} "
            f"allocated={self.allocated_count:,} set={self.set_count:,}>"
        )

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "vc/status_list.html",
            summary=[(k, f"{v:,}" if isinstance(v, int) else v) for k, v in self.summary().items()])


def new_status_list(
    url: str, issuer: str, purpose: str = "revocation", *, length: int = MIN_ENTRIES
) -> StatusList:
    """An empty list of ``length`` entries (a multiple of 8, at least 131,072)."""
    if not isinstance(length, int) or length < MIN_ENTRIES or length % 8:
        raise StatusListError(
            "bad-length", f"length must be a multiple of 8 and at least {MIN_ENTRIES:,}"
        )
    return StatusList(url, issuer, purpose, bytes(length // 8), bytes(length // 8))


def allocate(
    status_list: StatusList, rng: RandomSource = DEFAULT_RANDOM, count: int = 1
) -> tuple[StatusList, tuple[int, ...]]:
    """Take ``count`` unused indexes at random; return the updated list and them.

    Save the returned list before handing the indexes out (``reserve_indexes``
    does both), or a later run could hand them out again.
    """
    require_type(status_list, StatusList, "status_list")
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"count must be a whole number, not {type(count).__name__}")
    if count < 0:
        raise ValueError("count must be >= 0")
    taken = bytearray(status_list.allocated)
    total = status_list.length
    used = status_list.allocated_count
    if used + count > total:
        raise StatusListError(
            "list-full", f"only {total - used:,} free indexes left in {status_list.url}"
        )
    chosen = []
    free: list[int] | None = None
    for _ in range(count):
        if used * 2 < total:
            # Mostly empty: draw until a free index comes up (at most 2 draws
            # on average).
            while True:
                index = randbelow(rng, total)
                if not taken[index >> 3] & (0x80 >> (index & 7)):
                    break
        else:
            # Mostly full: draw among the free indexes themselves.
            if free is None:
                free = _free_indexes(taken)
            pick = randbelow(rng, len(free))
            index = free[pick]
            free[pick] = free[-1]
            free.pop()
        taken[index >> 3] |= 0x80 >> (index & 7)
        used += 1
        chosen.append(index)
    updated = StatusList(
        status_list.url, status_list.issuer, status_list.purpose, status_list.bits, bytes(taken)
    )
    return updated, tuple(chosen)


def _free_indexes(taken: bytearray) -> list[int]:
    return [
        byte_index * 8 + bit
        for byte_index, byte in enumerate(taken)
        if byte != 0xFF
        for bit in range(8)
        if not byte & (0x80 >> bit)
    ]


def set_status(status_list: StatusList, index: int, value: bool) -> StatusList:
    """Set or clear entry ``index``; clearing a revocation is refused."""
    require_type(status_list, StatusList, "status_list")
    if not isinstance(index, int) or isinstance(index, bool):
        raise StatusListError("bad-index", f"index must be an integer, not {index!r}")
    if not status_list.is_allocated(index):
        raise StatusListError(
            "index-not-allocated",
            f"index {index} was never allocated in {status_list.url}",
        )
    if status_list.purpose == "revocation" and not value and status_list.status(index):
        raise StatusListError(
            "revocation-is-permanent", f"index {index} is revoked; revocation cannot be undone"
        )
    bits = _with_bit(status_list.bits, index, value)
    return StatusList(
        status_list.url, status_list.issuer, status_list.purpose, bits, status_list.allocated
    )


def _require(status_list: StatusList, purpose: str, action: str) -> None:
    require_type(status_list, StatusList, "status_list")
    if status_list.purpose != purpose:
        raise StatusListError(
            "wrong-purpose",
            f"cannot {action} in a {status_list.purpose} list ({status_list.url}); "
            f"use a {purpose} list",
        )


def revoke(status_list: StatusList, index: int) -> StatusList:
    """Revoke entry ``index`` of a revocation list (permanent)."""
    _require(status_list, "revocation", "revoke")
    return set_status(status_list, index, True)


def unrevoke(status_list: StatusList, index: int) -> StatusList:
    """Always refused: revocation is permanent (suspend instead, if it may be lifted)."""
    _require(status_list, "revocation", "unrevoke")
    raise StatusListError(
        "revocation-is-permanent", f"index {index}: revocation cannot be undone"
    )


def suspend(status_list: StatusList, index: int) -> StatusList:
    """Suspend entry ``index`` of a suspension list."""
    _require(status_list, "suspension", "suspend")
    return set_status(status_list, index, True)


def unsuspend(status_list: StatusList, index: int) -> StatusList:
    """Lift the suspension of entry ``index``."""
    _require(status_list, "suspension", "unsuspend")
    return set_status(status_list, index, False)


def status_entry(status_list: StatusList, index: int) -> dict:
    """The ``credentialStatus`` entry for an allocated ``index`` (its id is ``URL#index``)."""
    require_type(status_list, StatusList, "status_list")
    if not isinstance(index, int) or isinstance(index, bool):
        raise StatusListError("bad-index", f"index must be an integer, not {index!r:.40}")
    if not status_list.is_allocated(index):
        raise StatusListError(
            "index-not-allocated", f"index {index} was never allocated in {status_list.url}"
        )
    return {
        "id": f"{status_list.url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_list.purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list.url,
    }


# --- the list credential ------------------------------------------------------


def status_list_credential(
    status_list: StatusList,
    *,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl: int | None = None,
) -> dict:
    """The unsigned ``BitstringStatusListCredential`` (``ttl`` in milliseconds)."""
    require_type(status_list, StatusList, "status_list")
    subject: dict[str, Any] = {
        "id": f"{status_list.url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_list.purpose,
        "encodedList": status_list.encoded_list(),
    }
    if ttl is not None:
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl <= 0:
            raise InputError("bad-ttl", "ttl must be a positive number of milliseconds")
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": status_list.url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": status_list.issuer,
        "validFrom": format_timestamp(as_datetime(valid_from)),
    }
    if valid_until is not None:
        credential["validUntil"] = format_timestamp(as_datetime(valid_until))
    credential["credentialSubject"] = subject
    return credential


def sign_status_list(
    status_list: StatusList,
    key: SigningKey,
    *,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl: int | None = None,
    created: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict:
    """The list credential, signed with the issuer's ``key`` (``created`` defaults to ``valid_from``).

    A list is shown whole, never in part: an Ed25519 key signs it with
    eddsa-rdfc-2022, a P-256 or P-384 key (an issuer of ecdsa-sd-2023
    credentials) with ecdsa-rdfc-2019.
    """
    unsigned = status_list_credential(
        status_list, valid_from=valid_from, valid_until=valid_until, ttl=ttl
    )
    suite = "ecdsa-rdfc-2019" if isinstance(key, EcdsaKey) else "eddsa-rdfc-2022"
    return issue(unsigned, key, created=created or unsigned["validFrom"], loader=loader,
                 cryptosuite=suite)


def publish_status_list(
    status_list: StatusList,
    key: SigningKey,
    registry: LocalRegistry,
    *,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl: int | None = None,
    created: datetime | str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict:
    """Sign the list and publish it at its URL, replacing the previous version."""
    signed = sign_status_list(
        status_list,
        key,
        valid_from=valid_from,
        valid_until=valid_until,
        ttl=ttl,
        created=created,
        loader=loader,
    )
    registry.publish(status_list.url, signed, replace=True)
    return signed


# --- saving the issuer's state ----------------------------------------------


def _state_json(status_list: StatusList) -> dict:
    return {
        "format": STATE_FORMAT,
        "url": status_list.url,
        "issuer": status_list.issuer,
        "purpose": status_list.purpose,
        "length": status_list.length,
        "bits": encode_bits(status_list.bits),
        "allocated": encode_bits(status_list.allocated),
    }


def save_status_list(
    status_list: StatusList, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the list and its allocation state atomically; an existing file only if ``overwrite``."""
    path = Path(path)
    content = (json.dumps(_state_json(status_list), indent=2) + "\n").encode("utf-8")
    try:
        return write_atomically(path, content, overwrite=overwrite)
    except FileExistsError:
        raise StatusListError(
            "status-file-exists", f"{path} exists already", path=str(path)
        ) from None


def load_status_list(path: str | os.PathLike[str]) -> StatusList:
    """Read a list saved by ``save_status_list``."""
    path = Path(path)
    raw = read_bounded(path, DEFAULT_LIMITS.max_bytes, what="status list file")
    try:
        data = loads_strict(raw)
    except CoopCredsError as exc:
        raise exc.with_context(str(path)) from None
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StatusListError(
            "bad-status-file", f"{path} is not a saved status list", path=str(path)
        )
    try:
        length = data["length"]
        limit = max(length // 8, MIN_ENTRIES // 8) if isinstance(length, int) else 0
        bits = decode_bits(data["bits"], max_bytes=limit)
        allocated = decode_bits(data["allocated"], max_bytes=limit)
        status_list = StatusList(data["url"], data["issuer"], data["purpose"], bits, allocated)
    except (KeyError, TypeError, StatusListError) as exc:
        raise StatusListError(
            "bad-status-file", f"{path} is not a usable status list: {exc}", path=str(path)
        ) from None
    if status_list.length != length:
        raise StatusListError("bad-status-file", f"{path}: length mismatch", path=str(path))
    return status_list


def reserve_indexes(
    path: str | os.PathLike[str], count: int = 1, rng: RandomSource = DEFAULT_RANDOM
) -> tuple[int, ...]:
    """Allocate ``count`` indexes from the list saved at ``path`` and save it, under a lock.

    The indexes are saved as taken before they are returned, so a crash after
    this call can waste indexes but never hand one out twice.
    """
    path = Path(path)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        status_list, indexes = allocate(load_status_list(path), rng, count)
        save_status_list(status_list, path, overwrite=True)
    return indexes
