"""A member's wallet: their DIDs and keys, and the credentials issued to them.

A wallet may hold one DID for everything (a common community ID) or one per
co-op (pairwise DIDs, so co-ops cannot link their member by DID). Each
credential is presented by the DID it was issued to.

Public API: ``Wallet(keys=(), credentials=())`` (frozen; ``add_key``,
``add_credential`` return a new wallet), ``.dids``, ``.key_for(did)``,
``.list_credentials(did=None)``, ``.choose(types=..., issuers=..., did=...)``,
``.present(challenge, domain, types=..., issuers=..., did=..., created=...)``,
``.disclose(request)`` (a selective disclosure of an ecdsa-sd-2023 credential).
Neither ``repr`` nor the HTML view ever shows a secret key.

>>> from coopcreds_proto.vc.credentials import issue
>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> actors = sample_actors()
>>> vc = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> wallet = Wallet().add_key(actors.member).add_credential(vc)
>>> len(wallet.choose(types=["CooperativeMembershipCredential"]))
1
>>> vp = wallet.present("c-1", "https://coop.example", created="2026-06-01T12:00:00Z")
>>> vp["holder"] == actors.member.did
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .. import html_views
from ..errors import InputError, require_type
from ..keys import Ed25519Key
from ..loader import OfflineDocumentLoader
from ..proofs import proofs_of
from .credentials import check_credential_shape, issuer_id, subjects
from .disclosure import SD_SUITE, disclose_for_request
from .presentation_request import PresentationRequest
from .presentations import present


def credential_types(credential: dict) -> tuple[str, ...]:
    """The ``type`` values of a credential as a tuple."""
    require_type(credential, dict, "a credential")
    types = credential.get("type")
    return tuple(types) if isinstance(types, list) else (types,) if isinstance(types, str) else ()


def subject_ids(credential: dict) -> tuple[str, ...]:
    """The ids of a credential's subjects."""
    require_type(credential, dict, "a credential")
    return tuple(
        s["id"] for s in subjects(credential) if isinstance(s, dict) and isinstance(s.get("id"), str)
    )


@dataclass(frozen=True)
class Wallet:
    """A holder's keys (one per DID) and signed credentials; adding returns a new wallet."""

    keys: tuple[Ed25519Key, ...] = ()
    credentials: tuple[dict, ...] = ()

    @property
    def dids(self) -> tuple[str, ...]:
        """The holder's DIDs, in the order their keys were added."""
        return tuple(k.controller for k in self.keys)

    def key_for(self, did: str) -> Ed25519Key:
        """The key that signs for ``did``."""
        for key in self.keys:
            if key.controller == did:
                return key
        raise InputError("no-key-for-did", f"the wallet holds no key for {did}", path=did)

    def add_key(self, key: Ed25519Key) -> Wallet:
        """A wallet with ``key`` too (one key per DID)."""
        if not isinstance(key, Ed25519Key):
            raise TypeError("key must be an Ed25519Key (with its secret)")
        if key.controller in self.dids:
            raise InputError(
                "duplicate-did", f"the wallet already holds a key for {key.controller}"
            )
        return Wallet(self.keys + (key,), self.credentials)

    def add_credential(self, credential: dict) -> Wallet:
        """A wallet with ``credential`` too; it must be signed and about one of the wallet's DIDs."""
        check_credential_shape(credential)
        if not proofs_of(credential):
            raise InputError("unsigned-credential", "only signed credentials go in a wallet")
        if not set(subject_ids(credential)) & set(self.dids):
            raise InputError(
                "not-my-credential",
                "the credential is about "
                f"{', '.join(subject_ids(credential)) or 'no subject id'}, not a DID of this wallet",
                path="$.credentialSubject.id",
            )
        ident = credential.get("id")
        if ident is not None and any(c.get("id") == ident for c in self.credentials):
            raise InputError("duplicate-credential", f"the wallet already holds {ident}", path=ident)
        return Wallet(self.keys, self.credentials + (credential,))

    def list_credentials(self, did: str | None = None) -> tuple[dict, ...]:
        """The credentials (about ``did``, if given)."""
        if did is None:
            return self.credentials
        return tuple(c for c in self.credentials if did in subject_ids(c))

    def choose(
        self,
        *,
        types: Iterable[str] | None = None,
        issuers: Iterable[str] | None = None,
        did: str | None = None,
    ) -> tuple[dict, ...]:
        """The credentials that have every one of ``types``, come from one of ``issuers``
        and are about ``did`` (each filter only when given)."""
        wanted = set(types or ())
        allowed = set(issuers) if issuers is not None else None
        return tuple(
            c
            for c in self.list_credentials(did)
            if wanted <= set(credential_types(c))
            and (allowed is None or issuer_id(c) in allowed)
        )

    def present(
        self,
        challenge: str,
        domain: str,
        *,
        types: Iterable[str] | None = None,
        issuers: Iterable[str] | None = None,
        did: str | None = None,
        credentials: Iterable[dict] | None = None,
        created: datetime | str | None = None,
        loader: OfflineDocumentLoader | None = None,
    ) -> dict:
        """A signed presentation of the chosen credentials for ``challenge`` and ``domain``.

        The holder is ``did``, or else the one DID the chosen credentials are
        about (credentials about different DIDs are not mixed: that would link
        pairwise identities).
        """
        chosen = (
            tuple(credentials)
            if credentials is not None
            else self.choose(types=types, issuers=issuers, did=did)
        )
        if did is None:
            holders = {d for c in chosen for d in subject_ids(c) if d in self.dids}
            if len(holders) > 1:
                raise InputError(
                    "several-holders",
                    "the chosen credentials are about different DIDs of this wallet; name one",
                )
            if holders:
                did = holders.pop()
            elif len(self.dids) == 1:
                did = self.dids[0]
            else:
                raise InputError("holder-not-chosen", "choose the DID to present as")
        return present(
            chosen,
            self.key_for(did),
            challenge=challenge,
            domain=domain,
            holder=did,
            created=created,
            loader=loader,
        )

    def disclose(
        self,
        request: PresentationRequest,
        *,
        did: str | None = None,
        loader: OfflineDocumentLoader | None = None,
    ) -> dict:
        """A disclosure of exactly the claims ``request`` asks for (plus the mandatory
        ones) from the wallet's ecdsa-sd-2023 credential of the requested type.

        Present it with ``present(..., credentials=[disclosure])`` after showing
        ``vc.disclosure.disclosure_summary``. Refuses (``no-matching-credential``)
        when the wallet holds no such credential that can be disclosed in part.
        """
        require_type(request, PresentationRequest, "request")
        candidates = [
            c for c in self.choose(types=[request.credential_type], did=did)
            if any(isinstance(p, dict) and p.get("cryptosuite") == SD_SUITE
                   for p in proofs_of(c))
        ]
        if not candidates:
            raise InputError(
                "no-matching-credential",
                f"the wallet holds no {request.credential_type} issued with {SD_SUITE}, so none"
                " can be disclosed in part",
            )
        return disclose_for_request(candidates[0], request, loader=loader)

    def __repr__(self) -> str:
        return f"Wallet(dids={list(self.dids)!r}, credentials={len(self.credentials)})"

    def _repr_html_(self) -> str:
        credentials = []
        for c in self.credentials:
            kinds = [t for t in credential_types(c) if t != "VerifiableCredential"]
            credentials.append((", ".join(kinds) or "VerifiableCredential", str(issuer_id(c)),
                                ", ".join(subject_ids(c))))
        return html_views.rich_output("vc/wallet.html", dids=self.dids, credentials=credentials)
