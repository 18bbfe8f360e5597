"""Reusable KYC: an identity-assurance credential, issued once, accepted by other co-ops.

A co-op that checked a member's identity (a document, a video call, meeting
them in person) issues an ``IdentityAssuranceCredential`` saying how well it
checked (``assuranceLevel``), how (``assuranceMethod``) and when
(``checkedOn``). Another co-op accepts it instead of checking again when its
policy's minimum level is met and it trusts the issuer for that credential
type (see ``verifier_policy`` and ``recognition``).

Levels are ordered like eIDAS: ``low`` < ``substantial`` < ``high``.

Public API: ``ASSURANCE_LEVELS``, ``IDENTITY_ASSURANCE``, ``TRUST_CONTEXT``,
``level_rank(level)``, ``meets(level, minimum)``,
``identity_assurance_credential(issuer, subject, *, level, methods,
checked_on, rng, ...) -> dict`` (unsigned), ``issue_identity_assurance(key,
subject, *, level, methods, checked_on, now, rng, ...) -> dict`` (signed),
``assurance_of(credential, holder) -> Assurance | None`` (what the credential
states about the holder: read from the subject whose ``id`` is the holder's,
never from another subject of a credential about several).

>>> from datetime import date
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.vc.samples import sample_actors
>>> actors = sample_actors()
>>> vc = issue_identity_assurance(actors.coop, actors.member.did, level="substantial",
...     methods=["identity document", "video call"], checked_on=date(2026, 3, 2),
...     now="2026-03-02T10:00:00Z", rng=SeededRandom("doc"))
>>> vc["type"], assurance_of(vc).level
(['VerifiableCredential', 'IdentityAssuranceCredential'], 'substantial')
>>> meets("substantial", "low"), meets("low", "substantial")
(True, False)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..errors import InputError
from ..keys import SigningKey
from ..loader import OfflineDocumentLoader
from ..randomness import RandomSource
from ..timestamps import as_datetime, format_timestamp, shifted
from ..vc.credentials import VC_V2_CONTEXT, issue, issuer_id, subjects
from ..vc.disclosure import SD_SUITE, mandatory_pointers_for
from ..vc.holder_subject import holder_subject

ASSURANCE_LEVELS = ("low", "substantial", "high")
IDENTITY_ASSURANCE = "IdentityAssuranceCredential"
TRUST_CONTEXT = "https://w3id.org/coopcreds/trust/v1"
DEFAULT_VALIDITY = timedelta(days=3 * 365)


def level_rank(level: str, *, path: str = "assuranceLevel") -> int:
    """The position of ``level`` in ``ASSURANCE_LEVELS`` (``InputError`` if unknown)."""
    if level not in ASSURANCE_LEVELS:
        raise InputError("unknown-assurance-level",
                         f"assurance level {level!r} is not one of {', '.join(ASSURANCE_LEVELS)}",
                         path=path)
    return ASSURANCE_LEVELS.index(level)


def meets(level: str | None, minimum: str | None) -> bool:
    """True when ``level`` is at least ``minimum`` (no minimum: always; no level: never)."""
    if minimum is None:
        return True
    if level not in ASSURANCE_LEVELS:
        return False
    return level_rank(level) >= level_rank(minimum)


@dataclass(frozen=True)
class Assurance:
    """What an identity-assurance credential says about its subject."""

    subject: str | None
    issuer: str | None
    level: str | None
    methods: tuple[str, ...]
    checked_on: str | None


def assurance_of(credential: dict, holder: str | None = None) -> Assurance | None:
    """The assurance an ``IdentityAssuranceCredential`` states about ``holder``.

    Read from the one subject whose ``id`` is ``holder``
    (``holder_subject``), never from another subject: ``None`` for other
    credentials and for a credential with no subject for the holder. Without
    a ``holder``, a credential about exactly one subject states that
    subject's assurance, and one about several states nothing.
    """
    types = credential.get("type")
    if IDENTITY_ASSURANCE not in (types if isinstance(types, list) else [types]):
        return None
    if holder is not None:
        subject = holder_subject(credential, holder)
    else:
        listed = subjects(credential)
        subject = listed[0] if len(listed) == 1 and isinstance(listed[0], dict) else None
    if subject is None:
        return None
    methods = subject.get("assuranceMethod", ())
    methods = methods if isinstance(methods, list) else [methods]
    level = subject.get("assuranceLevel")
    checked = subject.get("checkedOn")
    return Assurance(
        subject=subject.get("id") if isinstance(subject.get("id"), str) else None,
        issuer=issuer_id(credential),
        level=level if isinstance(level, str) else None,
        methods=tuple(m for m in methods if isinstance(m, str)),
        checked_on=checked if isinstance(checked, str) else None,
    )


def identity_assurance_credential(
    issuer: str,
    subject: str,
    *,
    level: str,
    methods: Iterable[str],
    checked_on: date,
    rng: RandomSource,
    issuer_name: str | None = None,
    valid_from: datetime | str | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> dict:
    """The unsigned credential: ``issuer`` checked ``subject`` to ``level`` by ``methods``."""
    level_rank(level, path="level")
    if isinstance(methods, str):
        raise InputError("bad-assurance-methods", "methods must be a list of strings, not a string",
                         path="methods")
    method_list = list(methods)
    if not method_list or not all(isinstance(m, str) and m for m in method_list):
        raise InputError("bad-assurance-methods", "name at least one method (non-empty strings)",
                         path="methods")
    if not isinstance(checked_on, date) or isinstance(checked_on, datetime):
        raise InputError("bad-checked-on", "checked_on must be a date", path="checked_on")
    # Valid from the day of the checks unless told otherwise.
    start = (as_datetime(valid_from) if valid_from is not None
             else datetime(checked_on.year, checked_on.month, checked_on.day, tzinfo=timezone.utc))
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, TRUST_CONTEXT],
        "id": f"urn:uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}",
        "type": ["VerifiableCredential", IDENTITY_ASSURANCE],
        "name": "Identity assurance",
        "issuer": {"id": issuer, "name": issuer_name} if issuer_name else issuer,
        "validFrom": format_timestamp(start),
        "validUntil": format_timestamp(shifted(start, valid_for)),
        "credentialSubject": {
            "id": subject,
            "type": "IdentityAssurance",
            "assuranceLevel": level,
            "assuranceMethod": method_list,
            "checkedOn": checked_on.isoformat(),
        },
    }
    return credential


def issue_identity_assurance(
    key: SigningKey,
    subject: str,
    *,
    level: str,
    methods: Iterable[str],
    checked_on: date,
    now: datetime | str,
    rng: RandomSource,
    issuer_name: str | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
    loader: OfflineDocumentLoader | None = None,
    cryptosuite: str = "eddsa-rdfc-2022",
) -> dict:
    """The signed identity-assurance credential, issued by ``key``'s controller at ``now``.

    With ``cryptosuite="ecdsa-sd-2023"`` (a P-256 key) it is *reusable KYC*: the
    member discloses its level alone to each co-op that asks
    (``vc.disclosure.derive_disclosure(credential, ["/credentialSubject/assuranceLevel"])``),
    never how or when they were checked.
    """
    unsigned = identity_assurance_credential(
        key.controller, subject, level=level, methods=methods, checked_on=checked_on, rng=rng,
        issuer_name=issuer_name, valid_for=valid_for)
    pointers = mandatory_pointers_for(unsigned) if cryptosuite == SD_SUITE else ()
    return issue(unsigned, key, created=as_datetime(now), loader=loader, cryptosuite=cryptosuite,
                 mandatory_pointers=pointers, rng=rng)


__all__ = ["ASSURANCE_LEVELS", "IDENTITY_ASSURANCE", "TRUST_CONTEXT", "Assurance", "assurance_of",
           "identity_assurance_credential", "issue_identity_assurance", "level_rank", "meets"]
