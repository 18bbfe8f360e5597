"""``did:web`` identities over time: keys added, retired and declared compromised.

did:key cannot rotate, so a co-op (or the governing body) that must keep its
identifier while its keys change gets a ``did:web`` DID whose DID document is
published in a :class:`~coopcreds_proto.local_registry.LocalRegistry`. Every change
rewrites the whole document atomically and keeps every key it ever listed: a
verifier can still find, and judge, the key behind an old credential.

Public API:

- ``create_did_web(did, registry, *, rng, relationships)`` -> ``Ed25519Key``
  (``#key-1``), publishing a new DID document (never over an existing one).
- ``add_key(did, registry, *, rng, relationships)`` -> ``Ed25519Key``
  (``#key-2``, ``#key-3``, ...).
- ``retire_key(vm_id, registry, *, from_)`` -> the new DID document: the method
  gets ``expires``; proofs created after it are refused, earlier ones verify.
- ``mark_key_compromised(vm_id, registry, *, from_)`` -> the new DID document:
  the method gets ``revoked`` (Controlled Identifiers 1.0). Verifiers refuse
  everything the key signed unless their policy trusts signatures created
  before that date (``verify_credential(...,
  trust_signatures_before_key_revocation=True)``).
- ``key_history(did, registry)`` -> ``tuple[KeyRecord, ...]``, one per key.
- ``did_web_document(did, registry)`` -> the published DID document.

Keys are returned as ``Ed25519Key(seed, controller=did, id=vm_id)``, ready for
``credentials.issue`` and ``keys.save_key``.

>>> import tempfile
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.local_registry import LocalRegistry
>>> registry = LocalRegistry(tempfile.mkdtemp())
>>> key1 = create_did_web("did:web:riverside.example", registry, rng=SeededRandom(b"doc"))
>>> key1.id, key1.controller
('did:web:riverside.example#key-1', 'did:web:riverside.example')
>>> key2 = add_key("did:web:riverside.example", registry, rng=SeededRandom(b"doc2"))
>>> _ = retire_key(key1.id, registry, from_="2026-03-01")
>>> [(k.id.split("#")[1], k.status) for k in key_history("did:web:riverside.example", registry)]
[('key-1', 'retired from 2026-03-01T00:00:00Z'), ('key-2', 'active')]
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .dids import RELATIONSHIPS
from .errors import InputError
from .keys import EcdsaKey, Ed25519Key
from .local_registry import LocalRegistry, did_web_url
from .randomness import DEFAULT_RANDOM, RandomSource
from .timestamps import format_timestamp, parse_timestamp

DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
DEFAULT_RELATIONSHIPS = ("assertionMethod", "authentication")
_KEY_FRAGMENT = re.compile(r"^key-([1-9][0-9]*)$")


@dataclass(frozen=True)
class KeyRecord:
    """One key of a did:web DID document, as the document says it stands."""

    id: str
    public_key_multibase: str
    relationships: tuple[str, ...]
    expires: datetime | None = None
    revoked: datetime | None = None

    @property
    def status(self) -> str:
        """'active', 'retired from ...' or 'compromised from ...' (one line)."""
        if self.revoked is not None:
            return f"compromised from {format_timestamp(self.revoked)}"
        if self.expires is not None:
            return f"retired from {format_timestamp(self.expires)}"
        return "active"

    def to_row(self) -> dict:
        """A flat row (for a DataFrame)."""
        return {
            "key": self.id,
            "status": self.status,
            "relationships": ", ".join(self.relationships),
            "expires": format_timestamp(self.expires) if self.expires else None,
            "revoked": format_timestamp(self.revoked) if self.revoked else None,
        }


def as_moment(value: datetime | date | str, *, what: str = "date") -> datetime:
    """An aware datetime from a datetime, a date (midnight UTC) or an ISO string.

    >>> format_timestamp(as_moment("2026-04-01"))
    '2026-04-01T00:00:00Z'
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InputError("bad-timestamp", f"{what} {value!r} has no time zone")
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return as_moment(date.fromisoformat(value), what=what)
        except ValueError:
            raise InputError("bad-timestamp", f"{what} {value!r} is not a valid date") from None
    return parse_timestamp(value, path=what)


def did_web_document(did: str, registry: LocalRegistry) -> dict:
    """The DID document published for ``did`` (a copy), or ``DocumentLoaderError``."""
    did_web_url(did)  # refuses anything but a valid did:web DID
    document = registry.read(did)
    if document.get("id") != did:
        raise InputError(
            "did-document-id-mismatch", f"the document published for {did} has another id", path=did
        )
    return copy.deepcopy(document)


def create_did_web(
    did: str,
    registry: LocalRegistry,
    *,
    rng: RandomSource = DEFAULT_RANDOM,
    relationships: Sequence[str] = DEFAULT_RELATIONSHIPS,
) -> Ed25519Key:
    """Create ``did`` with one new key (``#key-1``) and publish its DID document.

    Refuses (``already-published``) if a document is already published for it.
    """
    did_web_url(did)
    if "#" in did or "?" in did:
        raise InputError("bad-did-web", f"{did} is a DID URL, not a DID", path=did)
    document = {"@context": list(DID_CONTEXTS), "id": did, "verificationMethod": []}
    key = _add(document, rng, relationships)
    assert isinstance(key, Ed25519Key)  # the default key type
    registry.publish(did, document)
    return key


def add_key(
    did: str,
    registry: LocalRegistry,
    *,
    rng: RandomSource = DEFAULT_RANDOM,
    relationships: Sequence[str] = DEFAULT_RELATIONSHIPS,
    key_type: str = "Ed25519",
) -> Ed25519Key | EcdsaKey:
    """Add a new key (the next ``#key-N``) to ``did``'s document; earlier keys stay.

    ``key_type`` is ``Ed25519``, or ``P-256`` for the ECDSA and selective-disclosure
    suites.
    """
    document = did_web_document(did, registry)
    key = _add(document, rng, relationships, key_type)
    registry.publish(did, document, replace=True)
    return key


def retire_key(vm_id: str, registry: LocalRegistry, *, from_: datetime | date | str) -> dict:
    """Retire key ``vm_id`` from ``from_``: it gets ``expires`` (earlier proofs still verify)."""
    return _set_date(vm_id, registry, "expires", as_moment(from_, what="retirement date"))


def mark_key_compromised(
    vm_id: str, registry: LocalRegistry, *, from_: datetime | date | str
) -> dict:
    """Declare key ``vm_id`` compromised from ``from_``: it gets ``revoked``.

    Verifiers refuse what it signed at or after that date, and by default
    everything it signed (a signer writes its own ``created``).
    """
    return _set_date(vm_id, registry, "revoked", as_moment(from_, what="compromise date"))


def key_history(did: str, registry: LocalRegistry) -> tuple[KeyRecord, ...]:
    """Every key ``did``'s document lists, oldest first, with its standing."""
    document = did_web_document(did, registry)
    records = []
    for method in document.get("verificationMethod", []):
        if not isinstance(method, dict) or not isinstance(method.get("id"), str):
            continue  # not a key this module could have written; the verifier refuses it
        vm_id = method["id"]
        records.append(
            KeyRecord(
                vm_id,
                str(method.get("publicKeyMultibase", "")),
                tuple(r for r in RELATIONSHIPS if vm_id in document.get(r, [])),
                parse_timestamp(method["expires"]) if "expires" in method else None,
                parse_timestamp(method["revoked"]) if "revoked" in method else None,
            )
        )
    return tuple(records)


# --- internals ---------------------------------------------------------------


def _add(
    document: dict, rng: RandomSource, relationships: Sequence[str], key_type: str = "Ed25519"
) -> Ed25519Key | EcdsaKey:
    unknown = [r for r in relationships if r not in RELATIONSHIPS]
    if unknown or not relationships:
        raise InputError(
            "bad-relationship",
            f"relationships must be some of {', '.join(RELATIONSHIPS)}; got {list(relationships)}",
        )
    did = document["id"]
    numbers = [0]
    for method in document["verificationMethod"]:
        match = _KEY_FRAGMENT.match(str(method.get("id", "")).partition("#")[2])
        if match:
            numbers.append(int(match.group(1)))
    vm_id = f"{did}#key-{max(numbers) + 1}"
    if key_type not in ("Ed25519", "P-256"):
        raise InputError("unsupported-key-type", f"a did:web key is Ed25519 or P-256, not {key_type!r}")
    key: Ed25519Key | EcdsaKey
    if key_type == "P-256":
        key = EcdsaKey.generate(rng, controller=did, id=vm_id)
    else:
        key = Ed25519Key(rng.bytes(32), controller=did, id=vm_id)
    method = key.public_key.to_multikey()
    method.pop("@context", None)  # the DID document's own @context covers it
    document["verificationMethod"].append(method)
    for name in relationships:
        document.setdefault(name, []).append(vm_id)
    return key


def _set_date(vm_id: str, registry: LocalRegistry, name: str, moment: datetime) -> dict:
    did, _, fragment = vm_id.partition("#")
    if not fragment:
        raise InputError("bad-verification-method", f"{vm_id} is not a DID URL with a fragment")
    document = did_web_document(did, registry)
    for method in document.get("verificationMethod", []):
        if method.get("id") == vm_id:
            break
    else:
        raise InputError(
            "verification-method-not-found", f"{did} has no verification method {vm_id}", path=vm_id
        )
    stamp = format_timestamp(moment)
    if name in method and method[name] != stamp:
        # Controlled Identifiers 1.0: once set, the value is not expected to
        # change; moving it would silently re-judge what was already judged.
        raise InputError(
            "key-date-already-set",
            f"{vm_id} already has {name} {method[name]}; it is not changed",
            path=vm_id,
        )
    method[name] = stamp
    registry.publish(did, document, replace=True)
    return document
