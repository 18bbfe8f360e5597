"""A co-op's recognition policy: whose credentials it accepts, and what a member gets.

A verifier (a co-op, named by its DID) writes down, as JSON, which
governance frameworks and/or issuers it trusts, which credential types it
accepts, the claims it needs, the minimum identity-assurance level, how old a
credential may be, optionally the region and sector the issuer must be
accredited for and the period an offer runs, and the ``Benefit`` a member gets
when all of that is met. ``recognition.decide`` evaluates a presentation
against it.

JSON shape (``*`` = required)::

    {"policy": "stay-fair-play-fair",                         *
     "verifier": {"id": "did:web:...", "name": "..."},        *
     "frameworks": ["https://..."], "trustedIssuers": ["did:..."],   * (one of the two)
     "acceptedTypes": ["CooperativeMembershipCredential"],    *
     "requiredClaims": ["memberName", "memberOf.legalName"],
     "minimumAssuranceLevel": "substantial",                  (low | substantial | high)
     "maxCredentialAgeDays": 400,
     "region": "GB-SCT", "sector": "tourism",
     "validFrom": "2026-08-01T00:00:00Z", "validUntil": "2026-08-31T00:00:00Z",
     "honourWitnessed": false,
     "benefit": {"kind": "discount", "description": "...", "value": "15%"}}   *

Public API: ``BENEFIT_KINDS``, ``Benefit``, ``VerifierPolicy``,
``policy_from_dict(data)``, ``load_policy(path)``,
``example_policy_path(name)``, ``EXAMPLE_POLICIES``.

>>> policy = load_policy(example_policy_path("stay-fair-play-fair"))
>>> policy.benefit.kind, policy.accepted_types
('discount', ('CooperativeMembershipCredential',))
>>> policy_from_dict({**policy.to_json(), "benefit": {"kind": "cashback", "description": "x"}})
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: benefit kind 'cashback' is not one of discount, access, fast-track-onboarding (at $.benefit.kind)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, parse_timestamp
from ..vc.credentials import is_url
from .identity_assurance import level_rank

BENEFIT_KINDS = ("discount", "access", "fast-track-onboarding")
EXAMPLE_POLICIES = ("stay-fair-play-fair", "fast-track-sign-up", "verified-identity-access")
MAX_POLICY_BYTES = 1_000_000
_KEYS = frozenset({
    "policy", "verifier", "frameworks", "trustedIssuers", "acceptedTypes", "requiredClaims",
    "minimumAssuranceLevel", "maxCredentialAgeDays", "region", "sector", "validFrom",
    "validUntil", "honourWitnessed", "benefit",
})


@dataclass(frozen=True)
class Benefit:
    """What a member gets when the policy is met: a discount, access, or a fast-tracked sign-up."""

    kind: str
    description: str
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in BENEFIT_KINDS:
            raise InputError("bad-benefit",
                             f"benefit kind {self.kind!r} is not one of {', '.join(BENEFIT_KINDS)}",
                             path="$.benefit.kind")
        if not isinstance(self.description, str) or not self.description.strip():
            raise InputError("bad-benefit", "the benefit needs a description in plain words",
                             path="$.benefit.description")

    def describe(self) -> str:
        """One line: ``discount: 15% off ... (15%)``."""
        value = f" ({self.value})" if self.value else ""
        return f"{self.kind}: {self.description}{value}"

    def to_json(self) -> dict:
        out = {"kind": self.kind, "description": self.description}
        return out | ({"value": self.value} if self.value is not None else {})


@dataclass(frozen=True, kw_only=True)
class VerifierPolicy:
    """One co-op's recognition policy (see the module docstring for the JSON shape)."""

    name: str
    verifier: str
    verifier_name: str
    accepted_types: tuple[str, ...]
    benefit: Benefit
    frameworks: tuple[str, ...] = ()
    trusted_issuers: tuple[str, ...] = ()
    required_claims: tuple[str, ...] = ()
    minimum_assurance: str | None = None
    max_age: timedelta | None = None
    region: str | None = None
    sector: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    honour_witnessed: bool = False

    def __post_init__(self) -> None:
        if not self.frameworks and not self.trusted_issuers:
            raise InputError("no-trust", "name at least one trusted framework or issuer",
                             path="$.frameworks")
        if not self.accepted_types:
            raise InputError("no-accepted-types", "name at least one accepted credential type",
                             path="$.acceptedTypes")
        if self.minimum_assurance is not None:
            level_rank(self.minimum_assurance, path="$.minimumAssuranceLevel")
        if self.max_age is not None and self.max_age <= timedelta(0):
            raise InputError("bad-max-age", "the maximum credential age must be positive",
                             path="$.maxCredentialAgeDays")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise InputError("bad-offer-period", "validUntil must be after validFrom",
                             path="$.validUntil")

    def to_json(self) -> dict:
        """The policy as JSON (``policy_from_dict`` reads it back)."""
        out: dict[str, Any] = {
            "policy": self.name,
            "verifier": {"id": self.verifier, "name": self.verifier_name},
        }
        lists = {"frameworks": self.frameworks, "trustedIssuers": self.trusted_issuers,
                 "acceptedTypes": self.accepted_types, "requiredClaims": self.required_claims}
        out.update({k: list(v) for k, v in lists.items() if v})
        optional = {
            "minimumAssuranceLevel": self.minimum_assurance,
            "maxCredentialAgeDays": None if self.max_age is None else self.max_age.days,
            "region": self.region,
            "sector": self.sector,
            "validFrom": None if self.valid_from is None else format_timestamp(self.valid_from),
            "validUntil": None if self.valid_until is None else format_timestamp(self.valid_until),
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.honour_witnessed:
            out["honourWitnessed"] = True
        out["benefit"] = self.benefit.to_json()
        return out


def _text(data: Mapping, key: str, path: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("bad-policy", f"{key} must be a non-empty string", path=f"{path}.{key}")
    return value


def _strings(data: Mapping, key: str, *, urls: bool = False) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InputError("bad-policy", f"{key} must be a list of strings", path=f"$.{key}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item or (urls and not is_url(item)):
            what = "a URL (a DID or https URL)" if urls else "a non-empty string"
            raise InputError("bad-policy", f"{key}[{i}] must be {what}", path=f"$.{key}[{i}]")
    if len(set(value)) != len(value):
        raise InputError("bad-policy", f"{key} lists an entry twice", path=f"$.{key}")
    return tuple(value)


def policy_from_dict(data: Any) -> VerifierPolicy:
    """A ``VerifierPolicy`` from parsed JSON; ``InputError`` names the JSON path of a problem."""
    if not isinstance(data, dict):
        raise InputError("bad-policy", "a policy must be a JSON object", path="$")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError("bad-policy", f"unknown policy field {unknown[0]!r}",
                         path=f"$.{unknown[0]}")
    verifier = data.get("verifier")
    if not isinstance(verifier, dict):
        raise InputError("bad-policy", "verifier must be an object with an id and a name",
                         path="$.verifier")
    verifier_id = _text(verifier, "id", "$.verifier", required=True)
    if not is_url(verifier_id):
        raise InputError("bad-policy", "the verifier id must be a DID", path="$.verifier.id")
    benefit = data.get("benefit")
    if not isinstance(benefit, dict):
        raise InputError("bad-policy", "benefit must be an object (kind, description, value)",
                         path="$.benefit")
    age = data.get("maxCredentialAgeDays")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age <= 0):
        raise InputError("bad-policy", "maxCredentialAgeDays must be a positive whole number",
                         path="$.maxCredentialAgeDays")
    moments = {}
    for key in ("validFrom", "validUntil"):
        if data.get(key) is not None:
            moments[key] = parse_timestamp(data[key], path=f"$.{key}")
    honour = data.get("honourWitnessed", False)
    if not isinstance(honour, bool):
        raise InputError("bad-policy", "honourWitnessed must be true or false",
                         path="$.honourWitnessed")
    level = _text(data, "minimumAssuranceLevel", "$")
    value = benefit.get("value")
    if value is not None and not isinstance(value, str):
        raise InputError("bad-policy", "benefit value must be a string", path="$.benefit.value")
    return VerifierPolicy(
        name=_text(data, "policy", "$", required=True) or "",
        verifier=verifier_id or "",
        verifier_name=_text(verifier, "name", "$.verifier", required=True) or "",
        frameworks=_strings(data, "frameworks", urls=True),
        trusted_issuers=_strings(data, "trustedIssuers", urls=True),
        accepted_types=_strings(data, "acceptedTypes"),
        required_claims=_strings(data, "requiredClaims"),
        minimum_assurance=level,
        max_age=None if age is None else timedelta(days=age),
        region=_text(data, "region", "$"),
        sector=_text(data, "sector", "$"),
        valid_from=moments.get("validFrom"),
        valid_until=moments.get("validUntil"),
        honour_witnessed=honour,
        benefit=Benefit(kind=_text(benefit, "kind", "$.benefit", required=True) or "",
                        description=_text(benefit, "description", "$.benefit",
                                          required=True) or "",
                        value=value),
    )


def load_policy(path: str | Path) -> VerifierPolicy:
    """Read a policy JSON file; errors name the file and the JSON path."""
    path = Path(path)
    data = read_bounded(path, MAX_POLICY_BYTES, what="policy file")
    try:
        return policy_from_dict(loads_strict(data))
    except CoopCredsError as exc:
        raise exc.with_context(str(path)) from None


def example_policy_path(name: str) -> Path:
    """The committed example policy ``name`` (one of ``EXAMPLE_POLICIES``)."""
    if name not in EXAMPLE_POLICIES:
        raise InputError("unknown-policy", f"no example policy {name!r}; there are "
                         f"{', '.join(EXAMPLE_POLICIES)}", path=name)
    # data/ is shipped as coopcreds_proto.data (see pyproject.toml).
    return Path(str(resources.files("coopcreds_proto.data") / "policies" / f"{name}.json"))


__all__ = ["BENEFIT_KINDS", "EXAMPLE_POLICIES", "Benefit", "VerifierPolicy", "example_policy_path",
           "load_policy", "policy_from_dict"]
