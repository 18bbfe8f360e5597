"""Streamlined onboarding: co-op B signs up a member of co-op A from their presentation.

No form and no password: B's ``SignUpForm`` maps each field of its member
record to a claim (``{"name": "memberName"}``); ``sign_up`` fills them from a
granted ``recognition.Decision`` whose benefit is a fast-tracked sign-up, and
the holder's DID becomes the member's login identity. Afterwards the member
signs in to B with that DID (``signin.SignInService``, a presentation per
sign-in), so there is never a password to set, store or leak.

``sign_up`` refuses, with reasons, a decision that was not granted, that was
made under another co-op's policy, that grants another benefit, or that lacks
a field B needs (it was not disclosed).

Public API: ``SignUpForm``, ``NewMember``, ``OnboardingRefusal``,
``sign_up(decision, form, *, now) -> NewMember | OnboardingRefusal``.

>>> form = SignUpForm(coop="did:web:valleyenergy.example", coop_name="Valley Green Energy",
...                   fields={"full_name": "memberName", "home_coop": "memberOf.legalName"})
>>> form.fields["home_coop"]
'memberOf.legalName'
>>> SignUpForm(coop="did:web:x.example", coop_name="X", fields={"Full name": "memberName"})
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: field name 'Full name' must be lower_snake_case (at fields.Full name)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from .. import html_views
from ..errors import InputError
from ..timestamps import as_datetime
from ..vc.credentials import is_url
from .policy import Benefit
from .recognition import Decision, claim_at

FAST_TRACK = "fast-track-onboarding"
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class SignUpForm:
    """What co-op ``coop`` needs to know about a new member: its field -> the claim that fills it."""

    coop: str
    coop_name: str
    fields: Mapping[str, str]

    def __post_init__(self) -> None:
        if not is_url(self.coop):
            raise InputError("bad-sign-up-form", "the co-op must be named by its DID", path="coop")
        for name, claim in self.fields.items():
            if not isinstance(name, str) or not _FIELD_NAME.match(name):
                raise InputError("bad-sign-up-form", f"field name {name!r} must be"
                                 " lower_snake_case", path=f"fields.{name}")
            if not isinstance(claim, str) or not claim:
                raise InputError("bad-sign-up-form", f"field {name} needs a claim name",
                                 path=f"fields.{name}")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


@dataclass(frozen=True)
class NewMember:
    """A new member record at ``coop``, prefilled from a credential; the login is the DID."""

    coop: str
    login_did: str
    details: Mapping[str, Any]
    joined: date
    vouched_by: str
    vouched_by_name: str | None
    benefit: Benefit
    ok: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def is_session_of(self, session: Any) -> bool:
        """True when ``session`` (``signin.Session``) is this member signed in with their DID."""
        return bool(getattr(session, "ok", False)) and getattr(session, "holder", None) \
            == self.login_did

    def to_json(self) -> dict:
        return {
            "coop": self.coop,
            "loginDid": self.login_did,
            "details": dict(self.details),
            "joined": self.joined.isoformat(),
            "vouchedBy": self.vouched_by,
            "vouchedByName": self.vouched_by_name,
        }

    def __str__(self) -> str:
        by = self.vouched_by_name or self.vouched_by
        lines = [f"New member of {self.coop}, signs in as {self.login_did}",
                 f"  joined {self.joined.isoformat()}, details from a credential by {by}"]
        width = max((len(k) for k in self.details), default=0)
        lines += [f"  {k:<{width}}  {v}" for k, v in self.details.items()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "trust/new_member.html", login_did=self.login_did, joined=self.joined.isoformat(),
            vouched_by=self.vouched_by_name or self.vouched_by,
            details=[(k, str(v)) for k, v in self.details.items()])

@dataclass(frozen=True)
class OnboardingRefusal:
    """A sign-up that could not be prefilled, and why (one line per reason)."""

    reasons: tuple[str, ...]
    ok: bool = field(default=False, init=False)

    def __str__(self) -> str:
        return "SIGN-UP REFUSED\n" + "\n".join(f"  - {r}" for r in self.reasons)


def _refused(reason: str) -> OnboardingRefusal:
    return OnboardingRefusal((reason,))


def sign_up(decision: Decision, form: SignUpForm, *,
            now: datetime | str) -> NewMember | OnboardingRefusal:
    """Co-op ``form.coop`` signs up the holder of ``decision``'s presentation, prefilled."""
    moment = as_datetime(now)
    policy = decision.policy
    if policy.verifier != form.coop:
        return _refused(f"the decision was made under {policy.verifier_name}'s policy"
                        f" ({policy.verifier}), not {form.coop_name}'s")
    if not decision.granted or decision.benefit is None:
        return _refused("the presentation was not accepted: "
                        + ("; ".join(decision.reasons) or "no reason recorded"))
    if decision.benefit.kind != FAST_TRACK:
        return _refused(f"the policy {policy.name} grants a {decision.benefit.kind},"
                        " not a fast-tracked sign-up")
    if not decision.holder:
        return _refused("the presentation names no holder DID to sign in with")
    missing = [f"{name} (claim {claim})" for name, claim in form.fields.items()
               if claim_at(decision.claims, claim) is None]
    if missing:
        return _refused(f"{form.coop_name} needs {', '.join(missing)}, which the"
                        " presentation did not disclose")
    relied = next(t for t in decision.trust
                  if t.trusted and t.credential_type in policy.accepted_types)
    details = {name: claim_at(decision.claims, claim) for name, claim in form.fields.items()}
    return NewMember(
        coop=form.coop,
        login_did=decision.holder,
        details=details,
        joined=moment.date(),
        vouched_by=relied.issuer or "",
        vouched_by_name=relied.name,
        benefit=decision.benefit,
    )


__all__ = ["FAST_TRACK", "NewMember", "OnboardingRefusal", "SignUpForm", "sign_up"]
