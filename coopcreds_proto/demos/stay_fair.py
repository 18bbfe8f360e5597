"""The "Stay Fair / Play Fair" scenario: one member, four co-ops, an industry body.

A musician, Sam, is a member of the **Indie Music Co-operative**. The **Co-op
Industry Body** anchors the Co-op Credentials framework and accredits the music
co-op to issue membership and identity-assurance credentials; it publishes
that accreditation as a signed credential, revocable through its own status
list. During the festival, **Stay Fair Tourism Co-operative** gives members of
recognised co-ops a fair-stay discount; **Valley Green Energy Co-operative**
signs them up without a form or a password; **Commons Car Share** and
**Commons Credit Union** accept the music co-op's identity check, if it is
good enough for them.

Everything is offline and repeatable: keys come from fixed seeds, the clock is
the festival calendar below, and the "web" (did:web documents, the status
list) is a :class:`~coopcreds_proto.local_registry.LocalRegistry` in a directory the
caller passes. The trust registry is built by :func:`~coopcreds_proto.trust.accreditation.load_trust`
from the verified accreditation credentials, never from unchecked data.

Public API: the calendar (``ACCREDITED``, ``ISSUED``, ``FESTIVAL``,
``REVOKED``, ``AFTER_REVOCATION``, ``AFTER_FESTIVAL``), the parties
(``FRAMEWORK``, ``BODY_DID``, ``MUSIC_DID``, ``STAY_FAIR``, ``VALLEY``,
``CAR_SHARE``, ``CREDIT_UNION``, ``VERIFIERS``, ``registry_names``),
``accreditation_of``, ``World`` and ``build_world(directory)``,
``Counter``/``counter``, ``Visit``/``visit``, ``may_issue``,
``accreditation_card``, ``card``, ``derive``, ``VALLEY_SIGN_UP``, ``sign_in``,
``revoke_accreditation``, ``backdated_membership``, ``honouring_witnessed``,
``revocation_outcomes``. The same visit under each ecosystem model is in
:mod:`coopcreds_proto.demos.stay_fair_models`.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     world = build_world(tmp)
...     stay = visit(world, "stayfair", at=FESTIVAL)
...     later = visit(world, "stayfair", at=AFTER_FESTIVAL)
>>> stay.decision.granted, stay.decision.benefit.value
(True, '15%')
>>> later.decision.granted, later.decision.failed[0].name
(False, 'offer_period')
"""

from __future__ import annotations

import dataclasses
import os
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from .. import html_views
from ..did_web import create_did_web
from ..display.cards import CredentialCard, credential_card
from ..display.decision_report import DecisionReport, decision_report
from ..errors import InputError
from ..keys import Ed25519Key, SigningKey
from ..local_registry import LocalRegistry
from ..randomness import SeededRandom
from ..timestamps import format_timestamp
from ..trust.accreditation import TrustLoad, issue_accreditation, load_trust
from ..trust.identity_assurance import IDENTITY_ASSURANCE, issue_identity_assurance
from ..trust.onboarding import NewMember, SignUpForm
from ..trust.policy import Benefit, VerifierPolicy, example_policy_path, load_policy
from ..trust.recognition import Decision, IssuerTrust, decide, issuer_trust
from ..trust.registry import ISSUE, Accreditation, TrustAnswer, Witnessed
from ..trust.revocation_log import REVOCATIONS_DIR, RevocationLog
from ..vc.challenges import ChallengeStore
from ..vc.credentials import VC_V2_CONTEXT, issue, issuer_id
from ..vc.presentation_request import PresentationRequest, derive_for_request
from ..vc.presentations import present
from ..vc.samples import COOPCREDS_CONTEXT
from ..vc.signin import Refusal, Session, SignInService
from ..vc.status_list import StatusList, allocate, new_status_list, publish_status_list, revoke
from ..vc.status_list import status_entry as status_entry_for
from ..vc.verification import verify_credential
from ..vc.wallet import Wallet

UTC = timezone.utc

# --- the calendar ------------------------------------------------------------------

ACCREDITED = datetime(2026, 1, 1, tzinfo=UTC)  # the body accredits the music co-op
ISSUED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # Sam's membership credential
IDENTITY_CHECKED = date(2026, 3, 2)  # the music co-op checks Sam's identity
FESTIVAL = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)  # Sam arrives at the festival
REVOKED = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)  # the body withdraws the accreditation
AFTER_REVOCATION = datetime(2026, 8, 17, 12, 0, tzinfo=UTC)  # still festival time
AFTER_FESTIVAL = datetime(2026, 9, 5, 12, 0, tzinfo=UTC)

# --- the parties -------------------------------------------------------------------

FRAMEWORK = "https://w3id.org/coopcreds/frameworks/co-op-credentials"
MEMBERSHIP = "CooperativeMembershipCredential"
IDENTITY = IDENTITY_ASSURANCE
BODY_DID = "did:web:industrybody.example"
MUSIC_DID = "did:web:indiemusic.example"
STAY_FAIR = "did:web:stayfair.example"
VALLEY = "did:web:valleyenergy.example"
CAR_SHARE = "did:web:commonscarshare.example"
CREDIT_UNION = "did:web:commonscredit.example"
ACCREDITATION_LIST = "https://industrybody.example/status/accreditations"
MUSIC_ACCREDITATION = "urn:coopcreds:accreditation:industrybody:indiemusic"
MEMBER_NAME = "Sam Rowan"
SELF_NAME = "Indie Music Co-op"  # what the music co-op's credentials call it

# The parties of the ecosystem models. Co-ops: id -> (name, sector, co-op type, members);
# bodies: id -> (name, kind, sector); APEX_OF: co-op -> its apex body.
COOPS = {
    "indiemusic": ("Indie Music Co-operative", "music-culture", "worker", 140),
    "stayfair": ("Stay Fair Tourism Co-operative", "tourism", "multi-stakeholder", 60),
    "valleyenergy": ("Valley Green Energy Co-operative", "energy", "consumer", 900),
}
BODIES = {
    "industrybody": ("Co-op Industry Body", "industry", ""),
    "musicfederation": ("Independent Music Co-operatives Federation", "apex", "music-culture"),
    "regionalfederation": ("Highlands Co-operative Federation", "apex", ""),
}
APEX_OF = {"indiemusic": "musicfederation", "stayfair": "regionalfederation",
            "valleyenergy": "regionalfederation"}
_SEEDED = (*COOPS, *BODIES)  # every party with a did:web key in the scenario


def did_of(party: str) -> str:
    """The did:web DID of a party of the scenario (``stayfair`` -> ``did:web:stayfair.example``)."""
    return f"did:web:{party}.example"


def registry_names(body: str = BODY_DID, music: str = MUSIC_DID) -> dict[str, str]:
    """The names the trust registry knows the parties by (the body and music co-op by DID).

    >>> registry_names()[STAY_FAIR]
    'Stay Fair Tourism Co-operative'
    """
    return {
        body: "Co-op Industry Body", music: "Indie Music Co-operative",
        STAY_FAIR: "Stay Fair Tourism Co-operative", VALLEY: "Valley Green Energy Co-operative",
        CAR_SHARE: "Commons Car Share Co-operative", CREDIT_UNION: "Commons Credit Union",
        FRAMEWORK: "Co-op Credentials framework",
    }


def accreditation_of(accreditor: str = BODY_DID, subject: str = MUSIC_DID,
                     **changes: Any) -> Accreditation:
    """The body's accreditation of the music co-op: it may issue membership and identity
    credentials under ``FRAMEWORK`` in 2026 and 2027 (``changes`` override any field).

    >>> sorted(accreditation_of().credential_types)
    ['CooperativeMembershipCredential', 'IdentityAssuranceCredential']
    """
    values: dict[str, Any] = {
        "id": MUSIC_ACCREDITATION, "accreditor": accreditor, "subject": subject,
        "framework": FRAMEWORK, "permissions": frozenset({ISSUE}),
        "credential_types": frozenset({MEMBERSHIP, IDENTITY}),
        "valid_from": ACCREDITED, "valid_until": datetime(2028, 1, 1, tzinfo=UTC),
    }
    values.update(changes)
    return Accreditation(**values)


def _kyc_policy(minimum: str) -> VerifierPolicy:
    base = load_policy(example_policy_path("verified-identity-access"))
    if minimum == base.minimum_assurance:
        return base
    return dataclasses.replace(
        base, name="high-assurance-savings", verifier=CREDIT_UNION,
        verifier_name="Commons Credit Union", minimum_assurance=minimum,
        benefit=Benefit("access", "Open a savings account without a second identity check"))


@dataclass(frozen=True)
class VerifierDesk:
    """Where a co-op checks presentations: its policy and the domain presentations are for."""

    party: str
    policy: VerifierPolicy
    domain: str


def _verifiers() -> Mapping[str, VerifierDesk]:
    policies = {
        "stayfair": load_policy(example_policy_path("stay-fair-play-fair")),
        "valleyenergy": load_policy(example_policy_path("fast-track-sign-up")),
        "carshare": _kyc_policy("substantial"),
        "creditunion": _kyc_policy("high"),
    }
    return MappingProxyType({
        party: VerifierDesk(party, policy, "https://" + policy.verifier.removeprefix("did:web:"))
        for party, policy in policies.items()})


VERIFIERS = _verifiers()

VALLEY_SIGN_UP = SignUpForm(
    coop=VALLEY, coop_name="Valley Green Energy Co-operative",
    fields={"full_name": "memberName", "home_coop": "memberOf.legalName",
            "status_at_home_coop": "membershipStatus"})


# --- the world -----------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The scenario's state: keys, the registry directory, trust and Sam's credentials.

    ``trust`` is the trust registry loaded from the verified ``trust_credentials``
    (with the body's issuance log, ``witnessed``, and the registry's
    ``revocation_log``, which dates each revocation by its first sighting). Functions that change the
    world (``revoke_accreditation``) publish into ``registry`` and return a new
    ``World``. Keys and the directory never appear in a ``repr``.
    """

    registry: LocalRegistry = field(repr=False)
    keys: Mapping[str, Ed25519Key] = field(repr=False)
    member: Ed25519Key = field(repr=False)
    trust_credentials: Mapping[str, dict] = field(repr=False)
    status_list: StatusList = field(repr=False)
    status_index: int = field(repr=False)
    witnessed: tuple[Witnessed, ...]
    trust: TrustLoad = field(repr=False)
    membership: dict = field(repr=False)
    identity: dict = field(repr=False)
    revocation_log: RevocationLog = field(repr=False)
    revoked_at: datetime | None = None

    @property
    def accreditation(self) -> dict:
        """The body's signed accreditation of the music co-op."""
        return self.trust_credentials["accreditation of Indie Music Co-operative"]

    @property
    def wallet(self) -> Wallet:
        """Sam's wallet: their key and credentials."""
        return Wallet().add_key(self.member).add_credential(self.membership) \
            .add_credential(self.identity)

    def key_of(self, did: str) -> Ed25519Key:
        """The scenario's signing key for ``did`` (``InputError`` if it holds none)."""
        for key in self.keys.values():
            if key.controller == did:
                return key
        raise InputError("unknown-party", f"the scenario holds no key for {did}", path=did)


def membership_credential(issuer: SigningKey, member: str, *, self_name: str,
                          issued: datetime, seed: str) -> dict:
    """Sam's membership credential of the music co-op, signed by ``issuer`` at ``issued``;
    its id comes from ``seed``, and it calls its issuer ``self_name``."""
    rng = SeededRandom(f"stay-fair/credential/{seed}")
    unsigned = {
        "@context": [VC_V2_CONTEXT, COOPCREDS_CONTEXT],
        "id": f"urn:uuid:{_uuid(rng)}",
        "type": ["VerifiableCredential", MEMBERSHIP],
        "name": "Co-operative membership",
        "description": "Membership of the Indie Music Co-operative",
        "issuer": {"id": issuer.controller, "name": self_name},
        "validFrom": format_timestamp(issued.replace(hour=0, minute=0)),
        "validUntil": format_timestamp(issued.replace(year=issued.year + 1, hour=0, minute=0)),
        "credentialSubject": {
            "id": member,
            "type": "CooperativeMember",
            "memberName": MEMBER_NAME,
            "memberOf": {
                "id": MUSIC_DID, "type": "Cooperative",
                "legalName": "Indie Music Co-operative Ltd",
                "registeredIdentifier": "SP2107", "jurisdiction": "GB",
                "sector": "music and culture", "cooperativeType": "worker",
            },
            "membershipNumber": "IMC-0107",
            "membershipClass": "musician member",
            "memberSince": "2021-05-01",
            "membershipStatus": "active",
            "votingRights": True,
            "roles": ["member"],
        },
    }
    return issue(unsigned, issuer, created=issued)


def _uuid(rng: SeededRandom) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _load(credentials: Mapping[str, dict], witnessed: Iterable[Witnessed], *,
          now: datetime, registry: LocalRegistry, revocation_log: RevocationLog) -> TrustLoad:
    load = load_trust(credentials, anchors={FRAMEWORK: [BODY_DID]}, names=registry_names(),
                      now=now, registry=registry, revocation_log=revocation_log)
    return TrustLoad(load.registry.with_witnessed(*witnessed), load.rejected)


def build_world(directory: str | os.PathLike[str]) -> World:
    """Set up the scenario in ``directory`` (empty or new): keys, DID documents, the body's
    status list and signed accreditation, the trust registry, and Sam's credentials.

    Raises ``InputError`` (``already-published``) if the directory already holds a scenario.
    """
    registry = LocalRegistry(os.fspath(directory))
    keys = {party: create_did_web(did_of(party), registry,
                                  rng=SeededRandom(f"stay-fair/{party}/key-1"))
            for party in _SEEDED}
    member = Ed25519Key.generate(SeededRandom("stay-fair/member-sam"))
    body, music = keys["industrybody"], keys["indiemusic"]
    lst = new_status_list(ACCREDITATION_LIST, BODY_DID)
    lst, (index,) = allocate(lst, SeededRandom("stay-fair/accreditation-list"))
    publish_status_list(lst, body, registry, valid_from=ACCREDITED)
    accreditation = issue_accreditation(accreditation_of(), body,
                                        status_entry=status_entry_for(lst, index), now=ACCREDITED)
    membership = membership_credential(music, member.did, self_name=SELF_NAME, issued=ISSUED,
                                       seed="membership")
    identity = issue_identity_assurance(
        music, member.did, level="substantial", methods=["identity document", "video call"],
        checked_on=IDENTITY_CHECKED, now=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        rng=SeededRandom("stay-fair/identity"))
    # The body logs each credential the music co-op reports issuing, when it is reported.
    witnessed = (Witnessed(MUSIC_DID, membership["id"], ISSUED),
                 Witnessed(MUSIC_DID, identity["id"], datetime(2026, 3, 2, 10, 5, tzinfo=UTC)))
    credentials = MappingProxyType({"accreditation of Indie Music Co-operative": accreditation})
    # The trust registry dates a revocation by its first sighting, kept next to the "web".
    log = RevocationLog(Path(directory) / "trust" / REVOCATIONS_DIR)
    return World(
        registry=registry, keys=MappingProxyType(keys), member=member,
        trust_credentials=credentials, status_list=lst, status_index=index,
        witnessed=witnessed, trust=_load(credentials, witnessed, now=ACCREDITED,
                                         registry=registry, revocation_log=log),
        membership=membership, identity=identity, revocation_log=log)


_ROLES = {
    BODY_DID: "governance authority: anchors the Co-op Credentials framework, accredits issuers",
    MUSIC_DID: "Sam's co-op: issues membership and identity-check credentials",
    STAY_FAIR: "festival fair-stay discount for members of recognised co-ops",
    VALLEY: "signs up members of recognised co-ops without a form",
    CAR_SHARE: "lets members book cars if their identity was checked to 'substantial'",
    CREDIT_UNION: "opens savings accounts if identity was checked to 'high'",
}


def actors(world: World) -> pd.DataFrame:
    """Who is who: name (as the trust registry knows it), role and DID."""
    names = world.trust.registry.names
    rows = [{"who": names.get(did, did), "role": role, "DID": did}
            for did, role in _ROLES.items()]
    rows.append({"who": MEMBER_NAME, "role": "a musician, member of the music co-op; holds a"
                 " wallet", "DID": world.member.did})
    return pd.DataFrame(rows, columns=["who", "role", "DID"])


def may_issue(world: World, credential_type: str = MEMBERSHIP, *,
              at: datetime) -> TrustAnswer:
    """The trust registry's explained answer: may the music co-op issue ``credential_type``
    under the Co-op Credentials framework at ``at``?"""
    return world.trust.trusted(MUSIC_DID, credential_type, [FRAMEWORK], at)


def card(world: World, credential: dict, *, at: datetime) -> CredentialCard:
    """``credential`` as a card whose issuer is named as the trust registry knows it, with
    the registry's answer (trusted or not, under ``FRAMEWORK``) for its type at ``at``."""
    found = credential.get("type")
    types = found if isinstance(found, list) else []
    kind = next((t for t in (MEMBERSHIP, IDENTITY) if t in types), None)
    if kind is None:
        raise InputError("not-a-scenario-credential", "only membership and identity-assurance"
                         " credentials are looked up in the trust registry", path="$.type")
    trust = issuer_trust(credential, kind, trust=world.trust, frameworks=[FRAMEWORK], at=at)
    return credential_card(credential, trust=trust)


def accreditation_card(world: World, *, at: datetime) -> CredentialCard:
    """The body's accreditation credential as a card: its issuer as the trust registry
    knows it (an anchor of the framework) and its status, read from the body's status
    list as a verifier sees it at ``at``."""
    doc = world.accreditation
    result = verify_credential(doc, now=at, registry=world.registry)
    registry = world.trust.registry
    body = issuer_id(doc) or ""
    anchor = body in registry.anchors.get(FRAMEWORK, frozenset())
    why = (f"{registry.name_of(body) or body} is an anchor of the"
           f" {registry.name_of(FRAMEWORK) or FRAMEWORK}" if anchor
           else f"{body} is not an anchor of {FRAMEWORK}")
    trust = IssuerTrust(doc.get("id"), body, "AccreditationCredential", registry.name_of(body),
                        TrustAnswer(anchor, (), (why,)))
    return credential_card(doc, status=result, trust=trust)


# --- at a co-op's desk ----------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    """A verifier's desk at one moment: its policy, its domain and its single-use challenges."""

    desk: VerifierDesk
    at: datetime
    challenges: ChallengeStore = field(repr=False, compare=False)

    def challenge(self) -> str:
        """A fresh challenge for a presentation at this desk."""
        return self.challenges.issue(self.desk.domain).value

    def request(self, fields: Sequence[str], purpose: str) -> PresentationRequest:
        """A presentation request for ``fields`` of a membership credential, for ``purpose``."""
        policy = self.desk.policy
        return PresentationRequest(
            verifier=policy.verifier, verifier_name=policy.verifier_name, purpose=purpose,
            credential_type=MEMBERSHIP, fields=tuple(fields), challenge=self.challenge(),
            domain=self.desk.domain)


def counter(verifier: str, *, at: datetime) -> Counter:
    """The desk of ``verifier`` (a key of ``VERIFIERS``) at ``at``, with seeded challenges."""
    desk = VERIFIERS.get(verifier)
    if desk is None:
        raise InputError("unknown-verifier", f"no verifier {verifier!r}; there are"
                         f" {', '.join(VERIFIERS)}", path="verifier")
    stamp = format_timestamp(at)
    store = ChallengeStore(rng=SeededRandom(f"stay-fair/{verifier}/{stamp}"), clock=lambda: at)
    return Counter(desk, at, store)


@dataclass(frozen=True, repr=False)
class Visit:
    """Sam presents at a co-op: the challenge, the presentation and the co-op's decision."""

    verifier: str
    at: datetime
    challenge: str
    presentation: dict = field(repr=False)
    decision: Decision
    trust: Any = field(repr=False, compare=False, default=None)

    @property
    def report(self) -> DecisionReport:
        """The decision report, parties named as the trust registry knows them."""
        return decision_report(self.decision, trust=self.trust)

    def _repr_html_(self) -> str:
        return self.report._repr_html_()

    def __str__(self) -> str:
        return self.report.text

    __repr__ = __str__


def visit(world: World, verifier: str | Counter, *, at: datetime | None = None,
          credentials: Sequence[dict] | None = None, request: PresentationRequest | None = None,
          policy: VerifierPolicy | None = None, trust: Any = None) -> Visit:
    """Sam presents ``credentials`` (default: the membership credential) at ``verifier``.

    The verifier hands out a challenge (``request``'s, if given), Sam's wallet
    signs a presentation for it and the verifier decides under its policy
    (or ``policy``) with the world's trust registry (or ``trust``).
    """
    desk = verifier if isinstance(verifier, Counter) else counter(verifier, at=_needed(at))
    moment = desk.at
    shown = list(credentials) if credentials is not None else [world.membership]
    challenge = request.challenge if request is not None else desk.challenge()
    vp = present(shown, world.member, challenge=challenge, domain=desk.desk.domain,
                 created=moment)
    trust = trust if trust is not None else world.trust
    decision = decide(vp, policy or desk.desk.policy, trust=trust, challenge=challenge,
                      domain=desk.desk.domain, now=moment, registry=world.registry,
                      challenges=desk.challenges, request=request)
    return Visit(desk.desk.policy.verifier_name, moment, challenge, vp, decision, trust)


def _needed(at: datetime | None) -> datetime:
    if at is None:
        raise InputError("no-time", "say when the visit happens (at=...)", path="at")
    return at


def derive(world: World, request: PresentationRequest, *, at: datetime) -> dict:
    """The music co-op derives a purpose-specific credential holding only what ``request``
    asks for (Ed25519 proofs cannot be cut down by the holder)."""
    return derive_for_request(world.membership, request, key=world.keys["indiemusic"], now=at,
                              rng=SeededRandom("stay-fair/derived"), registry=world.registry)


@dataclass(frozen=True, repr=False)
class SignIn:
    """A passwordless sign-in at Valley Green Energy, and whether it is the member who joined."""

    member: NewMember
    outcome: Session | Refusal

    @property
    def ok(self) -> bool:
        """Signed in, and as the DID the member joined with."""
        return bool(self.outcome.ok) and self.member.is_session_of(self.outcome)

    def _rows(self) -> list[tuple[str, str]]:
        if not isinstance(self.outcome, Session):
            return [("Refused", reason) for reason in self.outcome.reasons]
        same = "yes" if self.member.is_session_of(self.outcome) else "no"
        return [("Signed in as", self.outcome.holder),
                ("The member who joined on " + self.member.joined.isoformat(), same),
                ("Credential from", self.member.vouched_by_name or self.outcome.issuer),
                ("Session until", format_timestamp(self.outcome.expires)),
                ("Password", "none: the wallet signed a one-time challenge")]

    def __str__(self) -> str:
        head = "SIGNED IN" if self.ok else "NOT SIGNED IN"
        return "\n".join([head] + [f"  {k}: {v}" for k, v in self._rows()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.rich_output("demos/sign_in.html", ok=self.ok, facts=self._rows())

def sign_in(world: World, member: NewMember, *, at: datetime) -> SignIn:
    """Sam signs in to Valley Green Energy's member pages with the DID they joined with:
    a challenge, a presentation from the wallet, no password."""
    service = SignInService(f"{VERIFIERS['valleyenergy'].domain}/members",
                            accepted_issuers=[member.vouched_by], clock=lambda: at,
                            rng=SeededRandom("stay-fair/valley-sign-in"),
                            registry=world.registry)
    request = service.start()
    vp = world.wallet.present(request.challenge, request.domain, types=request.credential_types,
                              created=at)
    return SignIn(member, service.complete(vp))


_LINK_ID = re.compile(r" \(urn:[^()]*\)")


def in_names(text: str, names: Mapping[str, str]) -> str:
    """``text`` with the DIDs and framework URLs of ``names`` replaced by their names, and
    without accreditation ids in brackets (a DID inside an id is left alone).

    >>> names = {"did:web:a.example": "A Co-op", "https://b.example/gf": "B framework"}
    >>> in_names("under https://b.example/gf: did:web:a.example is trusted (urn:x:1)", names)
    'under B framework: A Co-op is trusted'
    >>> in_names("did:web:a.example.org and urn:acc:did:web:a.example", names)
    'did:web:a.example.org and urn:acc:did:web:a.example'
    """
    if not names:
        return _LINK_ID.sub("", text)
    keys = sorted(names, key=len, reverse=True)
    # Whole identifiers only: not inside a longer one, nor in an id that embeds one.
    pattern = re.compile(r"(?<![\w:])(" + "|".join(map(re.escape, keys))
                         + r")(?![\w/-]|[.:#][\w/])")
    return pattern.sub(lambda m: names[m.group(0)], _LINK_ID.sub("", text))


# --- an issuer losing its accreditation ------------------------------------------------


def revoke_accreditation(world: World, *, at: datetime = REVOKED) -> World:
    """The body revokes the music co-op's accreditation in its status list at ``at``;
    the trust registry is reloaded from the credentials and returned in a new ``World``."""
    if world.revoked_at is not None:
        raise InputError("already-revoked", "the accreditation was revoked already at"
                         f" {format_timestamp(world.revoked_at)}", path="revoked_at")
    lst = revoke(world.status_list, world.status_index)
    publish_status_list(lst, world.keys["industrybody"], world.registry, valid_from=at)
    trust = _load(world.trust_credentials, world.witnessed, now=at, registry=world.registry,
                  revocation_log=world.revocation_log)
    return dataclasses.replace(world, status_list=lst, trust=trust, revoked_at=at)


def backdated_membership(world: World, *, dated: datetime) -> dict:
    """A membership credential the music co-op signs now but dates ``dated`` (its own
    claim): a registry cannot tell it from one really issued then."""
    return membership_credential(world.keys["indiemusic"], world.member.did,
                                 self_name=SELF_NAME, issued=dated,
                                 seed=f"backdated/{format_timestamp(dated)}")


def revocation_outcomes(world: World, credentials: Mapping[str, dict], *,
                        at: datetime = AFTER_REVOCATION) -> pd.DataFrame:
    """Each of ``credentials`` (label -> credential) presented at Stay Fair at ``at``, under
    its policy and under the witnessed-issuance variant: one row per pair, with the reason."""
    base = VERIFIERS["stayfair"].policy
    names = {**world.trust.registry.names,
             MUSIC_ACCREDITATION: f"the accreditation of {world.trust.registry.name_of(MUSIC_DID)}",
             **{c["id"]: f"\u201c{label}\u201d" for label, c in credentials.items()}}
    rows = []
    for policy in (base, honouring_witnessed(base)):
        for label, credential in credentials.items():
            decision = visit(world, "stayfair", at=at, credentials=[credential],
                             policy=policy).decision
            trust = decision.trust[0] if decision.trust else None
            if decision.granted and decision.benefit is not None:
                honoured = [r for r in (trust.reasons if trust else ()) if "honoured" in r]
                reason = honoured[0] if honoured else decision.benefit.describe()
            elif trust is not None and not trust.trusted:
                reason = trust.reasons[0] if trust.reasons else "issuer not trusted"
            else:
                reason = decision.reasons[0] if decision.reasons else "the policy was not met"
            rows.append({"credential": label, "policy": policy.name,
                         "decision": "granted" if decision.granted else "refused",
                         "reason": in_names(reason, names)})
    return pd.DataFrame(rows, columns=["credential", "policy", "decision", "reason"])


def honouring_witnessed(policy: VerifierPolicy) -> VerifierPolicy:
    """``policy``, but honouring credentials the registry witnessed before a revocation."""
    return dataclasses.replace(policy, name=f"{policy.name} (witnessed issuance)",
                               honour_witnessed=True)


__all__ = [
    "ACCREDITATION_LIST", "ACCREDITED", "AFTER_FESTIVAL", "AFTER_REVOCATION", "APEX_OF",
    "BODIES", "BODY_DID", "CAR_SHARE", "COOPS", "CREDIT_UNION", "FESTIVAL", "FRAMEWORK",
    "IDENTITY", "IDENTITY_CHECKED", "ISSUED", "MEMBERSHIP", "MEMBER_NAME",
    "MUSIC_ACCREDITATION", "MUSIC_DID", "REVOKED", "SELF_NAME", "STAY_FAIR", "VALLEY",
    "VALLEY_SIGN_UP", "VERIFIERS", "Counter", "SignIn", "VerifierDesk", "Visit", "World",
    "accreditation_card", "accreditation_of", "actors", "backdated_membership", "build_world",
    "card", "counter", "derive", "did_of", "honouring_witnessed", "in_names", "may_issue",
    "membership_credential", "registry_names", "revocation_outcomes", "revoke_accreditation",
    "sign_in", "visit",
]
