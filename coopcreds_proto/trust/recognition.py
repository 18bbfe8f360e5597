"""Recognition: does a co-op recognise this presentation, and what does the member get?

``decide(presentation, policy, *, trust, challenge, domain, challenges, now, ...)``:

1. the presentation is verified (``verify_presentation``: signatures, challenge,
   domain, every credential, holder is the subject);
2. each credential's issuer is looked up in the trust registry for its type,
   under the policy's governance frameworks (or on the policy's own list of
   trusted issuers), for the policy's region and sector;
3. the policy's checks run, each named so a board member can read it and
   with a one-line reason: ``POLICY_CHECKS``.

The ``Decision`` holds the verdict, the benefit (only when granted), the
verification result, the trust answers, every check, and the claims a
co-op may prefill from (the holder's claims in the credential relied on).
``decide`` never raises on a bad presentation: it refuses, with reasons.

Rules that keep a decision to what was presented and signed:

- **A benefit is granted once per presentation.** A decision is bound to a
  single-use challenge: ``challenges`` (a ``ChallengeStore``, the verifier's
  record of the challenges it handed out) must be given, and a presentation
  that verifies uses its challenge up, atomically, even when the policy then
  refuses it. The same presentation decided again (or another presentation
  for that challenge) is refused by the ``presentation`` check with the
  store's code (``challenge-replayed``). A verifier that hands out no
  challenges passes ``challenges=None`` on purpose: its decisions say
  ``single_use=False`` and the ``presentation`` check says that deciding again
  would grant again.
- **The holder's subject, never another.** Claims, the identity-assurance
  level and its date are read from the one subject whose ``id`` is the
  holder's (``holder_subject``): never from the first subject listed, so
  another subject's "high" level is not granted to a "low" member, and a
  credential with no subject for the holder gives the holder nothing
  (``not-about-holder``, ``assurance-missing``).
- **A credential's age is its ``validFrom``.** Never the proof's
  ``created`` (the time of a signature, not of the claims): a credential
  without ``validFrom`` has an unknown age, refused where a policy limits it
  (``age-unknown``).

Public API: ``POLICY_CHECKS``, ``POLICY_CHECK_TITLES``, ``policy_check``,
``IssuerTrust``, ``issuer_trust(...)``, ``Decision``, ``decide(...)``,
``claim_at(subject, path)``.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.vc.credentials import issue
>>> from coopcreds_proto.vc.presentations import present
>>> from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
>>> from coopcreds_proto.trust.registry import ISSUE, Accreditation, TrustRegistry
>>> from coopcreds_proto.trust.policy import Benefit, VerifierPolicy
>>> actors = sample_actors()
>>> fw = "https://gov.example/gf"
>>> acc = Accreditation(id="urn:acc:1", accreditor="did:example:body", subject=actors.coop.did,
...     framework=fw, permissions=frozenset({ISSUE}),
...     credential_types=frozenset({"CooperativeMembershipCredential"}),
...     valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
...     valid_until=datetime(2027, 1, 1, tzinfo=timezone.utc))
>>> trust = TrustRegistry(anchors={fw: frozenset({"did:example:body"})}, accreditations=(acc,))
>>> policy = VerifierPolicy(name="p", verifier="did:example:shop", verifier_name="Shop Co-op",
...     frameworks=(fw,), accepted_types=("CooperativeMembershipCredential",),
...     required_claims=("memberName",), benefit=Benefit("discount", "10% off", "10%"))
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.vc.challenges import ChallengeStore
>>> now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
>>> store = ChallengeStore(rng=SeededRandom("doc"), clock=lambda: now)
>>> challenge = store.issue("https://shop.example").value
>>> vc = issue(sample_membership_credential(actors), actors.coop, created="2026-01-15T09:00:00Z")
>>> vp = present([vc], actors.member, challenge=challenge, domain="https://shop.example",
...              created=now)
>>> decision = decide(vp, policy, trust=trust, challenge=challenge, domain="https://shop.example",
...                   challenges=store, now=now)
>>> decision.granted, decision.benefit.value, decision.claims["memberName"]
(True, '10%', 'Ada Okafor')
>>> again = decide(vp, policy, trust=trust, challenge=challenge, domain="https://shop.example",
...                challenges=store, now=now)
>>> again.granted, again.check("presentation").code
(False, 'challenge-replayed')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..checks import NOT_CHECKED, Check, find
from ..checks import failed as failed_checks
from ..errors import CoopCredsError
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, parse_timestamp
from ..vc.challenges import ChallengeStore
from ..vc.credentials import issuer_id
from ..vc.holder_subject import holder_subject
from ..vc.presentation_request import PresentationRequest, disclosed_beyond
from ..vc.presentations import PresentationResult, verify_presentation
from ..verifier_options import VerifierOptions
from .identity_assurance import IDENTITY_ASSURANCE, assurance_of, level_rank, meets
from .policy import Benefit, VerifierPolicy
from .registry import TrustAnswer, TrustSource

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing_extensions import Unpack

    from ..verifier_options import VerifierSettings

POLICY_CHECKS = (
    "presentation",
    "credential_type",
    "issuer_trusted",
    "required_claims",
    "identity_assurance",
    "credential_age",
    "offer_period",
    "disclosure",
)

POLICY_CHECK_TITLES = {
    "presentation": "Presentation verified",
    "credential_type": "Credential type accepted",
    "issuer_trusted": "Issuer trusted",
    "required_claims": "Required claims present",
    "identity_assurance": "Identity assurance level",
    "credential_age": "Credential age",
    "offer_period": "Offer period",
    "disclosure": "Nothing disclosed beyond the request",
}


def policy_check(
    name: str, ok: bool, message: str, code: str | None = None, *, skipped: bool = False
) -> Check:
    """One named policy check (a ``Check`` titled from ``POLICY_CHECK_TITLES``)."""
    if skipped and code is None:
        code = NOT_CHECKED
    return Check(name, ok, message, code, skipped, POLICY_CHECK_TITLES.get(name, name))


@dataclass(frozen=True)
class IssuerTrust:
    """The trust registry's answer for one credential's issuer and type.

    ``name`` is the name the registry knows the issuer by (``None`` if it
    knows none), never the name the credential gives itself.
    """

    credential_id: str | None
    issuer: str | None
    credential_type: str
    name: str | None
    answer: TrustAnswer
    framework_name: str | None = None

    @property
    def trusted(self) -> bool:
        return self.answer.trusted

    @property
    def summary(self) -> str:
        """One line: under which framework the issuer may issue the type, or why not."""
        if self.trusted and self.answer.framework:
            under = self.framework_name or self.answer.framework
            return f"may issue {self.credential_type} under {under}"
        if self.trusted:
            return self.reasons[-1] if self.reasons else "trusted"
        return self.reasons[0] if self.reasons else "no accreditation found"

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.answer.reasons

    @property
    def label(self) -> str:
        """The registry's name for the issuer, else its DID."""
        return self.name or self.issuer or "an unnamed issuer"

    def to_json(self) -> dict:
        return {
            "credential": self.credential_id,
            "issuer": self.issuer,
            "issuerName": self.name,
            "credentialType": self.credential_type,
            "trusted": self.trusted,
            "framework": self.answer.framework,
            "chain": [link.describe() for link in self.answer.chain],
            "reasons": list(self.reasons),
        }


def _registry_name(trust: TrustSource, did: str | None) -> str | None:
    return trust.name_of(did) if did is not None else None


def issuer_trust(
    credential: dict,
    credential_type: str,
    *,
    trust: TrustSource,
    frameworks: Iterable[str] = (),
    trusted_issuers: Iterable[str] = (),
    at: datetime,
    region: str | None = None,
    sector: str | None = None,
    honour_witnessed: bool = False,
) -> IssuerTrust:
    """Is ``credential``'s issuer trusted for ``credential_type`` under ``frameworks`` at ``at``?

    An issuer on ``trusted_issuers`` (a verifier's own list) is trusted
    without a chain; otherwise the registry's answer decides.
    """
    issuer = issuer_id(credential)
    ident = credential.get("id") if isinstance(credential.get("id"), str) else None
    if issuer is None:
        answer = TrustAnswer(False, (), ("the credential names no issuer",))
    elif issuer in set(trusted_issuers):
        answer = TrustAnswer(True, (), (f"{issuer} is on this verifier's own list",))
    elif not tuple(frameworks):
        answer = TrustAnswer(False, (), (f"{issuer} is not on this verifier's own list",))
    else:
        answer = trust.trusted(issuer, credential_type, tuple(frameworks), at, region=region,
                               sector=sector, credential_id=ident,
                               honour_witnessed=honour_witnessed)
    return IssuerTrust(ident, issuer, credential_type, _registry_name(trust, issuer), answer,
                       _registry_name(trust, answer.framework))


@dataclass(frozen=True)
class Decision:
    """A co-op's decision on a presentation: granted or not, why, and what the member gets.

    ``claims`` (to prefill a sign-up) are the holder's claims in the credential
    relied on, and the identity-assurance level if one was needed; empty unless
    granted. ``trust`` holds every trust answer asked for, in order.
    ``single_use`` is true when the presentation's challenge was used up in a
    ``ChallengeStore`` by this decision, so no later decision can grant on it.
    """

    granted: bool
    benefit: Benefit | None
    policy: VerifierPolicy
    holder: str | None
    verification: PresentationResult
    trust: tuple[IssuerTrust, ...]
    checks: tuple[Check, ...]
    claims: Mapping[str, Any] = field(default_factory=dict)
    single_use: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "claims", MappingProxyType(dict(self.claims)))

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return find(self.checks, name)

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that ran and did not pass."""
        return failed_checks(self.checks)

    @property
    def reasons(self) -> tuple[str, ...]:
        """One line per failed check: ``Title: reason``."""
        return tuple(f"{c.title}: {c.message}" for c in self.failed)

    def to_json(self) -> dict:
        return {
            "policy": self.policy.name,
            "verifier": self.policy.verifier,
            "granted": self.granted,
            "benefit": None if self.benefit is None else self.benefit.to_json(),
            "holder": self.holder,
            "singleUse": self.single_use,
            "checks": [c.to_json() for c in self.checks],
            "trust": [t.to_json() for t in self.trust],
            "claims": _plain(self.claims),
        }

    def __str__(self) -> str:
        head = (f"GRANTED: {self.benefit.describe()}" if self.granted and self.benefit
                else "REFUSED")
        width = max(len(c.title) for c in self.checks)
        lines = [f"{head} ({self.policy.verifier_name}, policy {self.policy.name})"]
        lines += [f"  {c.mark}  {c.title:<{width}}  {c.message}" for c in self.checks]
        return "\n".join(lines)

    def __repr__(self) -> str:
        failed = ", ".join(c.name for c in self.failed)
        return f"<Decision granted={self.granted}" + (f" failed: {failed}>" if failed else ">")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def claim_at(subject: Mapping[str, Any], path: str) -> Any:
    """The claim at a dotted ``path`` (``memberOf.legalName``) of a subject, or ``None``.

    >>> claim_at({"memberOf": {"legalName": "Riverside"}}, "memberOf.legalName")
    'Riverside'
    """
    value: Any = subject
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _types(credential: dict) -> list[str]:
    types = credential.get("type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _issued(credential: dict) -> datetime | None:
    """When a credential's claims date from: its ``validFrom`` (never its proof's
    ``created``, the time of a signature), or ``None``."""
    value = credential.get("validFrom")
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except CoopCredsError:
        return None


def _checked_on(credential: dict, holder: str | None) -> datetime | None:
    assurance = assurance_of(credential, holder)
    if assurance is None or assurance.checked_on is None:
        return None
    try:
        day = date.fromisoformat(assurance.checked_on)
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).date().isoformat()


def _embedded(document: Any) -> list[dict]:
    value = document.get("verifiableCredential") if isinstance(document, dict) else None
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [c for c in items if isinstance(c, dict)]


def decide(
    presentation: dict | str | bytes,
    policy: VerifierPolicy,
    options: VerifierOptions | None = None,
    /,
    *,
    trust: TrustSource,
    challenge: str,
    domain: str,
    challenges: ChallengeStore | None,
    request: PresentationRequest | None = None,
    **settings: Unpack[VerifierSettings],
) -> Decision:
    """Verify ``presentation`` and evaluate it against ``policy``; see the module docstring.

    ``challenges`` is required: the ``ChallengeStore`` that issued ``challenge``
    for ``domain``; a presentation that verifies uses it up, so a benefit is
    granted once per presentation. ``None`` says, on purpose, that this
    verifier keeps no record of its challenges: the decision is then not
    single-use, and says so. ``trust`` is a ``TrustSource``: a ``TrustRegistry``, or the
    ``accreditation.TrustLoad`` of a trust directory (its untrusted answers also
    name refused trust credentials). ``options`` (a ``VerifierOptions``, or its fields as
    keyword arguments: ``now=``, ``registry=``...) are the verifier's; its
    clock is read once and used for every check and trust question. With a
    ``request`` (what the verifier asked for), a presentation that discloses
    anything beyond the fields asked for is refused.
    """
    if not isinstance(policy, VerifierPolicy):
        raise TypeError(f"policy must be a VerifierPolicy, not {type(policy).__name__}")
    if not callable(getattr(trust, "trusted", None)):
        raise TypeError(f"trust must be a TrustRegistry or a TrustLoad, not {type(trust).__name__}")
    options = VerifierOptions.of(options, **settings).pinned()
    moment = options.moment()
    result = verify_presentation(
        presentation, options, challenge=challenge, domain=domain,
        holder_required=True, holder_is_subject=True, challenges=challenges)
    checks: list[Check] = []
    add = checks.append
    if not result.verified:
        first = result.failed[0]
        add(policy_check("presentation", False, f"{first.title}: {first.message}", first.code))
        for name in POLICY_CHECKS[1:]:
            if name != "disclosure" or request is not None:
                add(policy_check(name, False, "not checked: the presentation was not verified",
                                skipped=True))
        return Decision(False, None, policy, result.holder, result, (), tuple(checks))
    document = loads_strict(presentation) if isinstance(presentation, (str, bytes)) \
        else presentation
    credentials = _embedded(document)
    holder = result.holder
    count = len(credentials)
    single_use = challenges is not None
    once = "" if single_use else ("; not bound to a single-use challenge (no challenge store):"
                                  " deciding on it again would grant again")
    add(policy_check("presentation", True,
                    f"signed by the holder for this challenge and domain; {count} credential"
                    f"{'' if count == 1 else 's'} verified{once}"))
    evaluation = _Evaluation(policy, trust, moment, holder, credentials)
    add(evaluation.credential_type())
    add(evaluation.issuer_trusted())
    add(evaluation.required_claims())
    add(evaluation.identity_assurance())
    add(evaluation.credential_age())
    add(evaluation.offer_period())
    if request is not None:
        add(_disclosure(credentials, request))
    granted = all(c.ok for c in checks)
    return Decision(granted, policy.benefit if granted else None, policy, holder, result,
                    tuple(evaluation.answers), tuple(checks),
                    evaluation.claims() if granted else {}, single_use)


def _disclosure(credentials: list[dict], request: PresentationRequest) -> Check:
    extra = disclosed_beyond(credentials, request)
    if extra:
        return policy_check("disclosure", False,
                           f"discloses {', '.join(extra)}, which {request.verifier_name} did not"
                           " ask for", "over-disclosure")
    return policy_check("disclosure", True,
                       f"only what was asked: {', '.join(request.fields) or 'no claims'}")


class _Evaluation:
    """The policy checks over verified credentials (shares the trust answers between checks)."""

    def __init__(self, policy: VerifierPolicy, trust: TrustSource, now: datetime,
                 holder: str | None, credentials: list[dict]) -> None:
        self.policy, self.trust, self.now, self.holder = policy, trust, now, holder
        self.credentials = credentials
        self.answers: list[IssuerTrust] = []
        self.candidates = [c for c in credentials if set(_types(c)) & set(policy.accepted_types)]
        self.basis: dict | None = None
        self.assurance: dict | None = None

    def _ask(self, credential: dict, credential_type: str) -> IssuerTrust:
        p = self.policy
        answer = issuer_trust(credential, credential_type, trust=self.trust,
                              frameworks=p.frameworks, trusted_issuers=p.trusted_issuers,
                              at=self.now, region=p.region, sector=p.sector,
                              honour_witnessed=p.honour_witnessed)
        self.answers.append(answer)
        return answer

    def credential_type(self) -> Check:
        accepted = ", ".join(self.policy.accepted_types)
        if self.candidates:
            found = next(t for t in _types(self.candidates[0]) if t in self.policy.accepted_types)
            return policy_check("credential_type", True, f"{found} is accepted here")
        shown = sorted({t for c in self.credentials for t in _types(c)}
                       - {"VerifiableCredential"}) or ["no credential"]
        return policy_check("credential_type", False,
                           f"presented {', '.join(shown)}; {self.policy.verifier_name} accepts"
                           f" {accepted}", "type-not-accepted")

    def issuer_trusted(self) -> Check:
        if not self.candidates:
            return policy_check("issuer_trusted", False, "not checked: no accepted credential",
                               skipped=True)
        refused: list[IssuerTrust] = []
        for credential in self.candidates:
            kind = next(t for t in _types(credential) if t in self.policy.accepted_types)
            answer = self._ask(credential, kind)
            if answer.trusted:
                self.basis = credential
                return policy_check("issuer_trusted", True,
                                   f"{answer.label} {answer.summary}{self._scope()}")
            refused.append(answer)
        first = refused[0]
        why = "; ".join(first.reasons) or "no accreditation found"
        return policy_check("issuer_trusted", False,
                           f"{first.label} is not trusted to issue {first.credential_type}"
                           f"{self._scope()}: {why}", "issuer-untrusted")

    def _scope(self) -> str:
        parts = [f"region {self.policy.region}" if self.policy.region else "",
                 f"sector {self.policy.sector}" if self.policy.sector else ""]
        scope = " and ".join(p for p in parts if p)
        return f" in {scope}" if scope else ""

    def _subject(self) -> dict:
        found = holder_subject(self.basis, self.holder) if self.basis is not None else None
        return found or {}

    def required_claims(self) -> Check:
        if self.basis is None:
            return policy_check("required_claims", False, "not checked: no trusted credential",
                               skipped=True)
        if holder_subject(self.basis, self.holder) is None:
            return policy_check("required_claims", False,
                               f"no subject of the credential is the holder {self.holder} (or"
                               " the holder's subject is split in two), so it says nothing"
                               " about the holder", "not-about-holder")
        needed = self.policy.required_claims
        missing = [path for path in needed if claim_at(self._subject(), path) is None]
        if missing:
            return policy_check("required_claims", False,
                               f"missing {', '.join(missing)}: the credential does not disclose"
                               f" {'it' if len(missing) == 1 else 'them'}", "claim-missing")
        return policy_check("required_claims", True,
                           f"present: {', '.join(needed)}" if needed else "none required")

    def identity_assurance(self) -> Check:
        minimum = self.policy.minimum_assurance
        if minimum is None:
            return policy_check("identity_assurance", True, "not required by this policy")
        offered = [c for c in self.credentials if IDENTITY_ASSURANCE in _types(c)]
        if not offered:
            return policy_check("identity_assurance", False,
                               f"no identity-assurance credential presented; at least {minimum}"
                               " is required", "assurance-missing")
        about = [c for c in offered if assurance_of(c, self.holder) is not None]
        if not about:
            return policy_check("identity_assurance", False,
                               f"no identity-assurance credential presented is about the holder"
                               f" {self.holder}; at least {minimum} is required",
                               "assurance-missing")
        best: tuple[int, dict, IssuerTrust] | None = None
        untrusted: IssuerTrust | None = None
        for credential in about:
            answer = self._ask(credential, IDENTITY_ASSURANCE)
            assurance = assurance_of(credential, self.holder)
            level = assurance.level if assurance is not None else None
            if not answer.trusted:
                untrusted = untrusted or answer
                continue
            rank = level_rank(level) if level is not None and meets(level, "low") else -1
            if best is None or rank > best[0]:
                best = (rank, credential, answer)
        if best is None:
            assert untrusted is not None
            why = "; ".join(untrusted.reasons) or "no accreditation found"
            return policy_check("identity_assurance", False,
                               f"identity checks by {untrusted.label} are not trusted here: {why}",
                               "assurance-untrusted")
        _, credential, answer = best
        stated = assurance_of(credential, self.holder)
        assert stated is not None
        by = f"checked by {answer.label}" + (f" on {stated.checked_on}" if stated.checked_on
                                             else "")
        if not meets(stated.level, minimum):
            return policy_check("identity_assurance", False,
                               f"level {stated.level} ({by}) is below the {minimum} required",
                               "assurance-too-low")
        self.assurance = credential
        return policy_check("identity_assurance", True,
                           f"level {stated.level} ({by}) meets the {minimum} required")

    def credential_age(self) -> Check:
        max_age = self.policy.max_age
        if max_age is None:
            return policy_check("credential_age", True, "no maximum age in this policy")
        if self.basis is None:
            return policy_check("credential_age", False, "not checked: no trusted credential",
                               skipped=True)
        notes = []
        relied = [("credential", self.basis, _issued(self.basis))]
        if self.assurance is not None:
            relied.append(("identity check", self.assurance,
                           _checked_on(self.assurance, self.holder) or _issued(self.assurance)))
        for what, _, since in relied:
            if since is None:
                return policy_check("credential_age", False,
                                   f"the {what} gives no issuance date, so its age is unknown",
                                   "age-unknown")
            age = self.now - since
            if age > max_age:
                return policy_check("credential_age", False,
                                   f"the {what} dates from {_day(since)}, {age.days} days ago;"
                                   f" at most {max_age.days} days are accepted",
                                   "too-old")
            notes.append(f"{what} {max(age.days, 0)} days old")
        return policy_check("credential_age", True,
                           f"{'; '.join(notes)} (at most {max_age.days} days)")

    def offer_period(self) -> Check:
        start, end = self.policy.valid_from, self.policy.valid_until
        if start is None and end is None:
            return policy_check("offer_period", True, "the offer is always open")
        period = " ".join(p for p in (f"from {_day(start)}" if start else "",
                                      f"until {_day(end - timedelta(seconds=1))}" if end else "")
                          if p)
        if (start is not None and self.now < start) or (end is not None and self.now >= end):
            return policy_check("offer_period", False,
                               f"the offer runs {period}; it is {format_timestamp(self.now)}",
                               "offer-closed")
        return policy_check("offer_period", True, f"open {period}")

    def claims(self) -> dict[str, Any]:
        """The holder's claims in the credential relied on (and the assurance level, if any)."""
        claims = {k: v for k, v in self._subject().items() if k not in ("id", "type")}
        if self.assurance is not None:
            stated = assurance_of(self.assurance, self.holder)
            if stated is not None and stated.level:
                claims.setdefault("assuranceLevel", stated.level)
        return claims


__all__ = [
    "POLICY_CHECKS",
    "POLICY_CHECK_TITLES",
    "Check",
    "Decision",
    "IssuerTrust",
    "claim_at",
    "decide",
    "issuer_trust",
]
