"""DID resolution and verification-method dereferencing, through the offline loader.

Only methods the loader can answer offline resolve (did:key, and did:web from
a local registry); anything else is refused with the URL named. A method's
``expires`` and ``revoked`` (Controlled Identifiers 1.0) are read as aware
datetimes: deciding what they mean for a proof is the verifier's job.

>>> from coopcreds_proto.loader import OfflineDocumentLoader
>>> did = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
>>> vm = dereference_verification_method(did + "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
...                                      OfflineDocumentLoader.default())
>>> vm.controller == did, vm.relationships
(True, ('assertionMethod', 'authentication', 'capabilityDelegation', 'capabilityInvocation'))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from .did_key import resolve_did_key
from .errors import CoopCredsError, InputError, require_type
from .keys import PublicKey, public_key_from_multikey
from .loader import OfflineDocumentLoader
from .timestamps import parse_timestamp
from .urls import shown_url

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityDelegation",
    "capabilityInvocation",
)


@dataclass(frozen=True)
class VerificationMethod:
    """A verification method as its DID document lists it, with its public key."""

    id: str
    controller: str
    public_key: PublicKey
    # The verification relationships of the DID document that list this method.
    relationships: tuple[str, ...]
    # When the controller retired the key (proofs created after it are not
    # trusted) and when it declared the key compromised (Controlled Identifiers 1.0).
    expires: datetime | None = None
    revoked: datetime | None = None


def resolve_did(did: str, loader: OfflineDocumentLoader) -> dict:
    """The DID document of ``did`` (offline), or an error naming it."""
    require_type(loader, OfflineDocumentLoader, "loader")
    if not isinstance(did, str):
        raise InputError("bad-verification-method", f"a DID is a string, not {type(did).__name__}")
    document = loader.load(did)
    if document.get("id") != did:
        raise InputError("did-document-id-mismatch", f"DID document id is not {did}", path=did)
    return document


def dereference_verification_method(url: str, loader: OfflineDocumentLoader) -> VerificationMethod:
    """Find verification method ``url`` in its controller's DID document.

    The method's ``id`` must equal ``url`` and its ``controller`` the DID.
    """
    require_type(loader, OfflineDocumentLoader, "loader")
    if not isinstance(url, str) or "#" not in url or not url.startswith("did:"):
        raise InputError(
            "bad-verification-method",
            f"verificationMethod {shown_url(url)} is not a DID URL with a fragment",
        )
    did = url.split("#", 1)[0]
    if did.startswith("did:key:") and did not in loader.urls:
        # A did:key document is its URL written out: dereferenced once per process.
        return _did_key_method(url, did)
    return _method_in(url, did, resolve_did(did, loader))


@functools.lru_cache(maxsize=1024)
def _did_key_method(url: str, did: str) -> VerificationMethod:
    return _method_in(url, did, resolve_did_key(did))


def _method_in(url: str, did: str, document: dict) -> VerificationMethod:
    """Verification method ``url`` of ``did``'s DID ``document``."""
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") == url:
            break
    else:
        raise InputError(
            "verification-method-not-found", f"{did} has no verification method {url}", path=url
        )
    if method.get("controller") != did:
        raise InputError(
            "verification-method-controller",
            f"verification method {url} is controlled by {method.get('controller')}, not {did}",
            path=url,
        )
    try:
        public_key: PublicKey = public_key_from_multikey(method)
    except CoopCredsError as exc:
        raise exc.with_context(f"verification method {url}").with_path(url) from None
    relationships = tuple(
        name
        for name in RELATIONSHIPS
        if any(
            (entry == url) or (isinstance(entry, dict) and entry.get("id") == url)
            for entry in document.get(name, [])
        )
    )
    expires, revoked = (_moment(method, name, url) for name in ("expires", "revoked"))
    return VerificationMethod(url, did, public_key, relationships, expires, revoked)


def _moment(method: dict, name: str, url: str) -> datetime | None:
    if method.get(name) is None:
        return None
    try:
        return parse_timestamp(method[name])
    except InputError as exc:
        raise InputError(
            "bad-verification-method-date",
            f"verification method {url} {name}: {exc.message}",
            path=url,
        ) from None
