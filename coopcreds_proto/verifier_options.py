"""How a verifier checks: one options object for its clock, tolerance, sources and policy flags.

Every verifying function (credentials, presentations, status lists, sign-in,
trust loading, policy decisions) takes a ``VerifierOptions``, or the same
settings as keyword arguments, and passes it on unchanged to the
verifications it makes inside (the credentials in a presentation, a status
list's own proof), so a setting given once holds everywhere.

>>> options = VerifierOptions(now="2026-06-01T12:00:00Z")
>>> options.moment().isoformat()
'2026-06-01T12:00:00+00:00'
>>> VerifierOptions.of(options, clock_skew=timedelta(0)).clock_skew
datetime.timedelta(0)
>>> VerifierOptions.of(None, colour="red")
Traceback (most recent call last):
...
TypeError: unknown verifier option 'colour' (known: now, clock_skew, loader, registry, limits, allow_inline_contexts, trust_signatures_before_key_revocation, authorised_status_issuers, other_proofs, holder_required, holder_is_subject)

Two profiles, by name. ``default`` is what the VC 2.0 and Data Integrity
specifications require and no more (the official W3C test suites pass it):
inline ``@context`` objects are read (every safe-JSON-LD rule still applies to
them), a witness or notary may add its own proof beside the issuer's, and a
presentation need not name its holder. ``strict`` is the workbench's own
narrower policy: published contexts only, every proof by the issuer (or the
holder), a holder named and the subject of every credential presented.
Sign-in and co-op policy decisions always ask that the holder is the subject.

>>> strict = VerifierOptions.profile("strict")
>>> strict.allow_inline_contexts, strict.other_proofs, strict.holder_is_subject
(False, False, True)
>>> VerifierOptions.profile("lenient")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: unknown verifier profile 'lenient' (known: default, strict)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from .errors import InputError
from .loader import OfflineDocumentLoader
from .local_registry import LocalRegistry
from .safe_json import DEFAULT_LIMITS, Limits
from .timestamps import as_datetime

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing_extensions import Unpack

AuthorisedStatusIssuers = Callable[[str, str], bool]
"""``(list_issuer, credential_issuer) -> bool``: may the first publish status for the second?"""

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class VerifierOptions:
    """A verifier's settings.

    ``now`` fixes the clock (a notebook passes one so its output never
    changes; ``None`` reads the system clock once per verification).
    ``clock_skew`` is the tolerance for ``created``, ``expires``,
    ``validFrom`` and ``validUntil``. ``loader`` resolves contexts and DIDs
    offline (default: the bundled one). ``registry`` is the local registry
    that ``did:web`` documents, status lists and schemas are read from;
    without it a credential carrying ``credentialStatus`` or
    ``credentialSchema`` fails closed. ``limits`` bounds the size of what is
    read. ``allow_inline_contexts`` reads ``@context`` objects written inside
    a document (the safe-JSON-LD rules apply to them as to published ones). ``trust_signatures_before_key_revocation`` accepts
    proofs that a key declared compromised made before its revocation time
    (by default it verifies nothing). ``authorised_status_issuers`` may let a
    party other than the issuer publish status for it. ``other_proofs``
    accepts proofs by other parties (a witness, a notary) beside the
    issuer's own, each checked against its own controller's key and purpose.
    ``holder_required`` refuses a presentation that names no holder;
    ``holder_is_subject`` requires the holder to be the subject of every
    credential it presents.
    """

    now: datetime | str | None = None
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW
    loader: OfflineDocumentLoader | None = None
    registry: LocalRegistry | None = None
    limits: Limits = DEFAULT_LIMITS
    allow_inline_contexts: bool = True
    trust_signatures_before_key_revocation: bool = False
    authorised_status_issuers: AuthorisedStatusIssuers | None = None
    other_proofs: bool = True
    holder_required: bool = False
    holder_is_subject: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.clock_skew, timedelta):
            raise TypeError("clock_skew must be a timedelta")
        if self.loader is not None and not isinstance(self.loader, OfflineDocumentLoader):
            raise TypeError("loader must be an OfflineDocumentLoader")
        if not isinstance(self.limits, Limits):
            raise TypeError("limits must be a safe_json.Limits")

    @classmethod
    def profile(cls, name: str, **settings: Unpack[VerifierSettings]) -> VerifierOptions:
        """The options of the profile ``name`` (``default`` or ``strict``), with ``settings``."""
        if name not in PROFILES:
            raise InputError(
                "unknown-profile",
                f"unknown verifier profile {name!r} (known: {', '.join(PROFILES)})",
            )
        return cls.of(cls(**PROFILES[name]), **settings)

    @classmethod
    def of(
        cls, options: VerifierOptions | None = None, **settings: Unpack[VerifierSettings]
    ) -> VerifierOptions:
        """``options`` (default: the defaults) with ``settings`` replacing its fields."""
        base = options if options is not None else cls()
        if not isinstance(base, VerifierOptions):
            raise TypeError("options must be a VerifierOptions")
        unknown = [name for name in settings if name not in _FIELD_NAMES]
        if unknown:
            raise TypeError(
                f"unknown verifier option {unknown[0]!r} (known: {', '.join(_FIELD_NAMES)})"
            )
        return dataclasses.replace(base, **settings) if settings else base

    def moment(self) -> datetime:
        """The verifier's clock reading: ``now``, or the system clock."""
        return as_datetime(self.now)

    def pinned(self) -> VerifierOptions:
        """These options with the clock read once, so nested checks share one moment."""
        if isinstance(self.now, datetime):
            return self
        return dataclasses.replace(self, now=self.moment())

    def document_loader(self) -> OfflineDocumentLoader:
        """The loader to resolve with: ``loader`` (or the bundled one) reading ``registry`` too."""
        loader = self.loader or OfflineDocumentLoader.default()
        return loader.with_registry(self.registry) if self.registry is not None else loader


class VerifierSettings(TypedDict, total=False):
    """The fields of ``VerifierOptions``, for keyword arguments (``**settings``)."""

    now: datetime | str | None
    clock_skew: timedelta
    loader: OfflineDocumentLoader | None
    registry: LocalRegistry | None
    limits: Limits
    allow_inline_contexts: bool
    trust_signatures_before_key_revocation: bool
    authorised_status_issuers: AuthorisedStatusIssuers | None
    other_proofs: bool
    holder_required: bool
    holder_is_subject: bool


PROFILES: dict[str, VerifierSettings] = {
    "default": {},
    "strict": {
        "allow_inline_contexts": False,
        "other_proofs": False,
        "holder_required": True,
        "holder_is_subject": True,
    },
}


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(VerifierOptions))
